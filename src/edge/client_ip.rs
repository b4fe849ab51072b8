//! Who is on the other end of a request: the TCP peer, or, when that peer is
//! a proxy the operator trusts, the client the proxy says it forwarded.
//!
//! Everything that records or counts a client by address (terms agreements,
//! rate limits, the request log) asks [`client_ip`], so a forged
//! `X-Forwarded-For` from an untrusted peer is never believed anywhere.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use actix_web::{
    HttpRequest,
    http::header::{HeaderMap, HeaderName},
    web,
};
use ipnet::IpNet;

use crate::startup::AppState;

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// The networks whose `X-Forwarded-For` is believed; empty (the default)
/// trusts nobody.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// A comma-separated list of networks in CIDR notation
    /// (`10.0.0.0/8,127.0.0.1/32`); a bare address means just that address.
    pub fn parse(input: &str) -> Result<Self, String> {
        let mut networks = Vec::new();
        for part in input.split(',').map(str::trim).filter(|part| !part.is_empty()) {
            let network = part
                .parse::<IpNet>()
                .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    format!("{part:?} is not a network in CIDR notation (e.g. 10.0.0.0/8, 127.0.0.1/32 or ::1/128)")
                })?;
            networks.push(network.trunc());
        }
        Ok(Self(networks))
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|network| network.contains(&ip))
    }
}

/// The client's address: `peer` itself unless it is a trusted proxy; then
/// `X-Forwarded-For` is walked from the right (the hop the proxy appended)
/// past every trusted hop, and the first untrusted one is the client. A hop
/// that is not an address stops the walk at the last trusted one: what lies
/// left of it was written by someone no proxy vouches for.
pub fn resolve(peer: IpAddr, headers: &HeaderMap, trusted: &TrustedProxies) -> IpAddr {
    let mut client = peer.to_canonical();
    if !trusted.contains(client) {
        return client;
    }
    let hops: Vec<Option<IpAddr>> = headers
        .get_all(X_FORWARDED_FOR)
        .flat_map(|value| match value.to_str() {
            Ok(text) => text.split(',').map(parse_hop).collect(),
            Err(_) => vec![None],
        })
        .collect();
    for hop in hops.into_iter().rev() {
        let Some(hop) = hop else {
            return client;
        };
        client = hop;
        if !trusted.contains(hop) {
            return hop;
        }
    }
    client
}

/// One entry of `X-Forwarded-For`: an address, possibly with a port
/// (`203.0.113.7:4711`, `[2001:db8::1]:4711`) or in brackets.
fn parse_hop(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    text.parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<SocketAddr>().ok().map(|address| address.ip()))
        .or_else(|| {
            text.strip_prefix('[')
                .and_then(|rest| rest.strip_suffix(']'))
                .and_then(|inner| inner.parse().ok())
        })
        .map(|ip: IpAddr| ip.to_canonical())
}

/// The address of the client that sent `req` (see [`resolve`]); `None` only
/// for a request that came over no socket, as in unit tests.
pub fn client_ip(req: &HttpRequest) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    Some(match req.app_data::<web::Data<AppState>>() {
        Some(state) => resolve(peer, req.headers(), &state.settings.trusted_proxies),
        None => peer.to_canonical(),
    })
}

/// What a client is counted under by the limits: its address, or for IPv6
/// its /64, which a single subscriber usually holds whole.
pub fn counting_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !(u128::MAX >> 64))),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::HeaderValue;

    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(X_FORWARDED_FOR, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    #[test]
    fn trusted_proxies_parse_cidr_lists_and_refuse_anything_else() {
        let trusted = TrustedProxies::parse("10.0.0.0/8, 127.0.0.1/32,::1/128,192.168.1.7").unwrap();
        for inside in ["10.1.2.3", "127.0.0.1", "::1", "192.168.1.7", "::ffff:10.9.9.9"] {
            assert!(trusted.contains(ip(inside)), "{inside}");
        }
        for outside in ["11.0.0.1", "127.0.0.2", "::2", "192.168.1.8"] {
            assert!(!trusted.contains(ip(outside)), "{outside}");
        }
        assert_eq!(TrustedProxies::parse("").unwrap(), TrustedProxies::default());
        for bad in [
            "10.0.0.0/33",
            "10.0.0/8",
            "proxy.internal",
            "10.0.0.0/8;11.0.0.0/8",
            "*",
        ] {
            let error = TrustedProxies::parse(bad).unwrap_err();
            assert!(error.contains("CIDR"), "{bad}: {error}");
        }
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_peer() {
        let trusted = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let headers = forwarded(&["203.0.113.7"]);
        assert_eq!(resolve(ip("10.0.0.2"), &headers, &trusted), ip("203.0.113.7"));
        assert_eq!(resolve(ip("198.51.100.9"), &headers, &trusted), ip("198.51.100.9"));
        assert_eq!(
            resolve(ip("10.0.0.2"), &headers, &TrustedProxies::default()),
            ip("10.0.0.2"),
            "nobody is trusted by default"
        );
        assert_eq!(resolve(ip("10.0.0.2"), &HeaderMap::new(), &trusted), ip("10.0.0.2"));
    }

    #[test]
    fn the_walk_starts_at_the_right_and_skips_only_trusted_hops() {
        let trusted = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let peer = ip("10.0.0.2");
        // The client put a forged address first; the proxies appended the rest.
        let chain = forwarded(&["1.1.1.1, 203.0.113.7, 10.0.0.9"]);
        assert_eq!(resolve(peer, &chain, &trusted), ip("203.0.113.7"));
        // Several headers read as one list, in order.
        let split = forwarded(&["1.1.1.1", "203.0.113.7:4711, 10.0.0.9"]);
        assert_eq!(resolve(peer, &split, &trusted), ip("203.0.113.7"));
        let v6 = forwarded(&["[2001:db8::1]:443"]);
        assert_eq!(resolve(peer, &v6, &trusted), ip("2001:db8::1"));
        // Garbage behind a trusted hop: the last trusted hop is all we know.
        let garbage = forwarded(&["203.0.113.7, unknown, 10.0.0.9"]);
        assert_eq!(resolve(peer, &garbage, &trusted), ip("10.0.0.9"));
        // Every hop trusted: the leftmost is the closest to the client.
        let internal = forwarded(&["10.5.5.5, 10.0.0.9"]);
        assert_eq!(resolve(peer, &internal, &trusted), ip("10.5.5.5"));
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_slash_64() {
        assert_eq!(counting_key(ip("2001:db8:1:2:3:4:5:6")), ip("2001:db8:1:2::"));
        assert_eq!(counting_key(ip("203.0.113.7")), ip("203.0.113.7"));
        assert_eq!(counting_key(ip("::ffff:203.0.113.7")), ip("203.0.113.7"));
    }
}
