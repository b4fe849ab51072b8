//! How many connections one client may hold open at once, and how many
//! files the whole process may open: together they keep a client that opens
//! thousands of connections and then stalls from starving everyone else.

use std::{
    any::Any,
    collections::HashMap,
    net::{IpAddr, Shutdown},
    sync::{Arc, Mutex, PoisonError},
};

use actix_web::{
    HttpResponse,
    body::{EitherBody, MessageBody},
    dev::{Extensions, ServiceRequest, ServiceResponse},
    http::ConnectionType,
    middleware::Next,
    rt::net::TcpStream,
};

use super::client_ip::{TrustedProxies, counting_key};

/// Counts the open connections of each client address (its TCP peer: a
/// forwarded address is only known once a request has been read). Trusted
/// proxies are not capped, since they carry many clients' connections.
pub struct ConnectionCap {
    per_client: usize,
    trusted: TrustedProxies,
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// Marks a connection refused for being over its client's cap.
struct OverCap;

/// One open connection, counted until the connection ends and its data is
/// dropped.
struct Slot {
    cap: Arc<ConnectionCap>,
    client: IpAddr,
}

impl ConnectionCap {
    /// `per_client` connections at most per client; `0` means no cap.
    pub fn new(per_client: u32, trusted: TrustedProxies) -> Arc<Self> {
        Arc::new(Self {
            per_client: usize::try_from(per_client).unwrap_or(usize::MAX),
            trusted,
            open: Mutex::new(HashMap::new()),
        })
    }

    /// Called by the server for each accepted connection, before anything
    /// is read from it: a client under its cap gets a slot, kept in the
    /// connection's data for as long as the connection lives; a client at its
    /// cap is disconnected at once, and marked so that nothing it managed to
    /// send first is handled (see [`drop_over_cap`]).
    pub fn on_connect(self: &Arc<Self>, connection: &dyn Any, data: &mut Extensions) {
        if self.per_client == 0 {
            return;
        }
        let Some(stream) = connection.downcast_ref::<TcpStream>() else {
            return;
        };
        let Ok(peer) = stream.peer_addr() else {
            return;
        };
        if self.trusted.contains(peer.ip()) {
            return;
        }
        match self.admit(peer.ip()) {
            Some(slot) => {
                data.insert(slot);
            }
            None => {
                data.insert(OverCap);
                refuse(stream);
            }
        }
    }

    fn admit(self: &Arc<Self>, ip: IpAddr) -> Option<Slot> {
        let client = counting_key(ip);
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(client).or_insert(0);
        if *count >= self.per_client {
            return None;
        }
        *count += 1;
        Some(Slot {
            cap: Arc::clone(self),
            client,
        })
    }

    /// How many connections `ip` holds now.
    #[cfg(test)]
    fn open_connections(&self, ip: IpAddr) -> usize {
        let open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        open.get(&counting_key(ip)).copied().unwrap_or(0)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.cap.open.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.client) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.client);
            }
        }
    }
}

/// Ends a connection over its client's cap: the server then reads the end
/// of the stream and closes it without a word, which costs next to nothing.
fn refuse(stream: &TcpStream) {
    metrics::counter!("onboarding_connections_refused_total").increment(1);
    tracing::debug!("connection refused: the client is at its cap of open connections");
    let _ = socket2::SockRef::from(stream).shutdown(Shutdown::Both);
}

/// Handles no request of a connection over its client's cap: the socket is
/// shut, but a request already in its receive buffer can still be read.
pub async fn drop_over_cap(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if req.request().conn_data::<OverCap>().is_some() {
        let mut refused = HttpResponse::ServiceUnavailable().finish();
        refused.head_mut().set_connection_type(ConnectionType::Close);
        return Ok(req.into_response(refused).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// Raises this process's soft limit on open files to its hard limit, so
/// that the per-client cap, not the descriptor table, is what stalled
/// clients run into. Returns the limit now in force.
pub fn raise_open_file_limit() -> std::io::Result<u64> {
    rlimit::increase_nofile_limit(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn each_client_holds_at_most_its_cap_and_a_closed_connection_frees_its_slot() {
        let cap = ConnectionCap::new(2, TrustedProxies::default());
        let first = cap.admit(ip("203.0.113.7")).unwrap();
        let second = cap.admit(ip("203.0.113.7")).unwrap();
        assert!(cap.admit(ip("203.0.113.7")).is_none(), "a third is refused");
        assert!(cap.admit(ip("198.51.100.1")).is_some(), "another client is not");
        drop(first);
        assert_eq!(cap.open_connections(ip("203.0.113.7")), 1);
        let _third = cap.admit(ip("203.0.113.7")).unwrap();
        drop(second);
        assert_eq!(cap.open_connections(ip("203.0.113.7")), 1);
    }

    #[test]
    fn an_ipv6_client_is_capped_across_its_slash_64() {
        let cap = ConnectionCap::new(1, TrustedProxies::default());
        let _slot = cap.admit(ip("2001:db8::1")).unwrap();
        assert!(cap.admit(ip("2001:db8::2")).is_none());
        assert!(cap.admit(ip("2001:db8:0:1::1")).is_some());
    }
}
