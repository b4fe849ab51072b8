//! Where the customer's browser goes after onboarding.

use std::{
    net::IpAddr,
    sync::{Arc, LazyLock},
};

use url::{Host, Url};

pub const MAX_LEN: usize = 2000;

/// Longest DNS name (RFC 1035), without a trailing dot.
const MAX_DNS_NAME: usize = 253;
/// Longest label of a DNS name.
const MAX_DNS_LABEL: usize = 63;

/// An absolute `https` URL, or plain `http` to a loopback host for local
/// development. Never `javascript:`, `data:`, relative, or carrying
/// credentials; its host is a DNS name or an IP address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectUrl(Arc<Url>);

/// URLs read back from the store, as parsed the last time they were read.
/// A platform's sessions mostly share a few redirect URLs, and parsing one
/// again cost about a tenth of the time of a list of 100 sessions. A URL is
/// not a secret (it is stored in clear); the cache is bounded.
static STORED: LazyLock<quick_cache::sync::Cache<String, RedirectUrl>> =
    LazyLock::new(|| quick_cache::sync::Cache::new(STORED_KEPT));

/// How many stored URLs [`STORED`] keeps parsed.
const STORED_KEPT: usize = 1024;

impl RedirectUrl {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let url = Self::parse_shape(input)?;
        if !url.has_plain_host() {
            return Err("must have a valid host: a DNS name such as example.com, or an IP address");
        }
        Ok(url)
    }

    /// A URL stored by an earlier release, which did not check the host
    /// yet: still read (and echoed by the API), but its host is left out of
    /// the form's `form-action` unless it is a plain one.
    pub fn from_stored(stored: &str) -> Result<Self, &'static str> {
        if let Some(url) = STORED.get(stored) {
            return Ok(url);
        }
        let url = Self::parse_shape(stored)?;
        STORED.insert(stored.to_owned(), url.clone());
        Ok(url)
    }

    /// Everything but the host's spelling.
    fn parse_shape(input: &str) -> Result<Self, &'static str> {
        if input.is_empty() {
            return Err("must not be empty");
        }
        if input.len() > MAX_LEN {
            return Err("must be at most 2000 characters long");
        }
        if input.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("must not contain spaces or control characters");
        }
        // The URL parser would quietly repair `https:///x` or backslashes; a
        // redirect target should be written out plainly instead.
        let after_scheme = input.split_once("://").map(|(_, rest)| rest);
        if input.contains('\\') || after_scheme.is_none_or(|rest| rest.starts_with('/')) {
            return Err("must be an absolute URL such as https://example.com/done");
        }
        let url = Url::parse(input).map_err(|_| "must be an absolute URL such as https://example.com/done")?;
        let host = url.host().ok_or("must include a host name")?;
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&host) => {}
            "http" => {
                return Err("must use https (plain http is allowed only for localhost and 127.0.0.1)");
            }
            _ => return Err("must be an https URL"),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("must not contain a user name or password");
        }
        Ok(Self(Arc::new(url)))
    }

    /// Whether the host is an IP address or a DNS name of letters, digits
    /// and hyphens. The URL standard lets far more through (`a.example;x`,
    /// `a,b`, `*`, quotes), none of which names a real host, and some of
    /// which would change the meaning of a header the host is written into.
    fn has_plain_host(&self) -> bool {
        match self.0.host() {
            Some(Host::Domain(name)) => is_dns_name(name),
            Some(Host::Ipv4(_) | Host::Ipv6(_)) => true,
            None => false,
        }
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The URL, parsed.
    pub fn url(&self) -> &Url {
        &self.0
    }

    /// The source that lets the form's submission redirect here, for the
    /// CSP `form-action` directive: the scheme, host and port only, never
    /// any other text of the URL. `None` for a stored URL whose host is not
    /// plain. CSP has no syntax for IPv6 addresses, so such a host is
    /// allowed by its scheme alone.
    pub fn form_action_source(&self) -> Option<String> {
        if !self.has_plain_host() {
            return None;
        }
        let scheme = self.0.scheme();
        let host = match self.0.host()? {
            Host::Domain(name) => name.to_owned(),
            Host::Ipv4(ip) => IpAddr::V4(ip).to_string(),
            Host::Ipv6(_) => return Some(format!("{scheme}:")),
        };
        Some(match self.0.port() {
            Some(port) => format!("{scheme}://{host}:{port}"),
            None => format!("{scheme}://{host}"),
        })
    }

    /// The URL with `params` appended to its query string. Existing query
    /// parameters and the fragment are kept; values are percent-encoded.
    pub fn with_query_params(&self, params: &[(&str, &str)]) -> Url {
        let mut url = Url::clone(&self.0);
        {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in params {
                pairs.append_pair(name, value);
            }
        }
        url
    }
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
    }
}

/// A DNS name as the URL parser leaves it (lower case, international names
/// in punycode): labels of 1 to 63 letters, digits and inner hyphens, at
/// most 253 characters, with an optional final dot.
fn is_dns_name(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    !name.is_empty()
        && name.len() <= MAX_DNS_NAME
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= MAX_DNS_LABEL
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_https_and_loopback_http() {
        for ok in [
            "https://example.com",
            "https://example.com/done?x=1#frag",
            "http://localhost:3000/cb",
            "http://127.0.0.1:9999/",
            "http://[::1]:8080/cb",
        ] {
            assert!(RedirectUrl::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_dangerous_or_relative_urls() {
        for bad in [
            "",
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "/relative/path",
            "example.com/done",
            "http://example.com/done",
            "ftp://example.com/",
            "https://user:pass@example.com/",
            "https:///nohost",
            "https:\\\\evil.example/",
            "https:evil.example",
            "https://exa mple.com/",
            " https://example.com/",
            "https://example.com/\nSet-Cookie:x",
            "http://localhost.evil.com/",
        ] {
            assert!(RedirectUrl::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        let long = format!("https://example.com/{}", "a".repeat(2000));
        assert!(RedirectUrl::parse(&long).is_err());
    }

    #[test]
    fn hosts_must_be_dns_names_or_ip_addresses() {
        for bad in [
            "https://a.example;sandbox/",
            "https://a.example,b/",
            "https://*/",
            "https://*.example/",
            "https://a\"b.example/",
            "https://a'b.example/",
            "https://a`b.example/",
            "https://a.example%3Bsandbox/",
            "https://a_b.example/",
            "https://a.example!/",
            "https://a$b.example/",
            "https://{a}.example/",
            "https://-a.example/",
            "https://a-.example/",
            "https://a..example/",
            "https://a.example../",
        ] {
            assert_eq!(
                RedirectUrl::parse(bad),
                Err("must have a valid host: a DNS name such as example.com, or an IP address"),
                "{bad:?}"
            );
        }
        let long_label = format!("https://{}.example/", "a".repeat(64));
        assert!(RedirectUrl::parse(&long_label).is_err());
        let long_name = format!("https://{}example/", "abcdefghi.".repeat(25));
        assert!(RedirectUrl::parse(&long_name).is_err());
        for ok in [
            "https://a.example./done",
            "https://xn--bcher-kva.example/",
            "https://bücher.example/",
            "https://my-shop.example.co.uk:8443/x",
            "https://192.0.2.10/cb",
            "https://[2001:db8::1]/cb",
            &format!("https://{}.example/", "a".repeat(63)),
        ] {
            assert!(RedirectUrl::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn the_form_action_source_is_the_origin_alone() {
        let source = |url: &str| RedirectUrl::parse(url).unwrap().form_action_source();
        assert_eq!(
            source("https://Shop.Example/done?a=1;b#x").as_deref(),
            Some("https://shop.example")
        );
        assert_eq!(
            source("https://shop.example:443/").as_deref(),
            Some("https://shop.example")
        );
        assert_eq!(
            source("http://localhost:3000/cb").as_deref(),
            Some("http://localhost:3000")
        );
        assert_eq!(
            source("https://bücher.example/").as_deref(),
            Some("https://xn--bcher-kva.example")
        );
        assert_eq!(source("http://127.0.0.1:9/").as_deref(), Some("http://127.0.0.1:9"));
        assert_eq!(source("http://[::1]:8080/cb").as_deref(), Some("http:"));
    }

    #[test]
    fn urls_stored_before_the_host_rule_still_read_but_add_no_source() {
        let stored = RedirectUrl::from_stored("https://a.example;sandbox/done").unwrap();
        assert_eq!(stored.as_str(), "https://a.example;sandbox/done");
        assert_eq!(stored.form_action_source(), None);
        assert!(RedirectUrl::from_stored("javascript:alert(1)").is_err());
    }

    #[test]
    fn a_stored_url_read_again_is_the_same_and_a_bad_one_fails_every_time() {
        let text = "https://Shop.example/done?ref=42";
        let first = RedirectUrl::from_stored(text).unwrap();
        let again = RedirectUrl::from_stored(text).unwrap();
        assert_eq!(first, again);
        assert_eq!(again.as_str(), "https://shop.example/done?ref=42");
        assert!(Arc::ptr_eq(&first.0, &again.0), "read from the cache");
        for _ in 0..2 {
            assert!(RedirectUrl::from_stored("https://user:pw@shop.example/").is_err());
        }
    }

    #[test]
    fn appends_query_and_keeps_existing_query_and_fragment() {
        let url = RedirectUrl::parse("https://example.com/done?ref=a%20b#step-2").unwrap();
        let out = url.with_query_params(&[("entity_id", "entity_1"), ("x", "a&b")]);
        assert_eq!(
            out.as_str(),
            "https://example.com/done?ref=a%20b&entity_id=entity_1&x=a%26b#step-2"
        );
    }
}
