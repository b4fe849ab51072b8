//! Where the customer's browser goes after onboarding.

use url::{Host, Url};

pub const MAX_LEN: usize = 2000;

/// An absolute `https` URL, or plain `http` to a loopback host for local
/// development. Never `javascript:`, `data:`, relative, or carrying credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectUrl(Url);

impl RedirectUrl {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
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
        Ok(Self(url))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The URL with `params` appended to its query string. Existing query
    /// parameters and the fragment are kept; values are percent-encoded.
    pub fn with_query_params(&self, params: &[(&str, &str)]) -> Url {
        let mut url = self.0.clone();
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
    fn appends_query_and_keeps_existing_query_and_fragment() {
        let url = RedirectUrl::parse("https://example.com/done?ref=a%20b#step-2").unwrap();
        let out = url.with_query_params(&[("entity_id", "entity_1"), ("x", "a&b")]);
        assert_eq!(
            out.as_str(),
            "https://example.com/done?ref=a%20b&entity_id=entity_1&x=a%26b#step-2"
        );
    }
}
