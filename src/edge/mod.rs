//! What stands between the network and the handlers: who the client is,
//! how many connections it may hold, how long its body may take, how often
//! it may ask, and the transport headers every response carries.

pub mod body_deadline;
pub mod client_ip;
pub mod connections;
pub mod rate_limit;

use actix_web::middleware::{Condition, DefaultHeaders};
use url::Url;

/// One year, the usual HSTS lifetime.
const HSTS: &str = "max-age=31536000";

/// `Strict-Transport-Security` on every response when the public URL is
/// https; over plain http browsers ignore it (RFC 6797), so it is not sent.
pub fn strict_transport_security(public_url: &Url) -> Condition<DefaultHeaders> {
    Condition::new(
        public_url.scheme() == "https",
        DefaultHeaders::new().add(("Strict-Transport-Security", HSTS)),
    )
}
