//! Runtime settings, read from the environment (or flags) by `cli` and built
//! directly by tests.

use std::{net::SocketAddr, time::Duration};

use url::Url;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// `sqlite:` URL or plain file path.
    pub database_url: String,
    pub database_max_connections: u32,
    /// How long a request waits for a pooled connection before failing with 503.
    pub database_acquire_timeout: Duration,
    /// PostgreSQL `statement_timeout` for every connection.
    pub database_statement_timeout: Duration,
    /// How long start-up keeps retrying while the database is not reachable.
    pub database_startup_timeout: Duration,
    pub listen: SocketAddr,
    /// Base of `session_url`; derived from the bound address when `None`.
    pub public_url: Option<Url>,
    pub session_ttl: Duration,
    pub sweep_interval: Duration,
    /// Largest accepted JSON request body, in bytes.
    pub max_body_bytes: usize,
    /// HTTP worker threads; `None` means one per core.
    pub workers: Option<usize>,
    /// Key (at least 64 bytes) that signs and encrypts the form's cookie;
    /// random per process when `None`, which logs customers out on restart.
    pub cookie_key: Option<CookieKey>,
    /// Whether the form's cookie is `Secure`; `None` means "when the public
    /// URL is https".
    pub cookie_secure: Option<bool>,
}

impl Settings {
    pub fn for_database(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            database_max_connections: 8,
            database_acquire_timeout: Duration::from_secs(5),
            database_statement_timeout: Duration::from_secs(10),
            database_startup_timeout: Duration::from_secs(30),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: None,
            session_ttl: Duration::from_secs(6 * 3600),
            sweep_interval: Duration::from_secs(60),
            max_body_bytes: 64 * 1024,
            workers: None,
            cookie_key: None,
            cookie_secure: None,
        }
    }
}

/// Parses durations such as `6h`, `30m`, `45s`, `1h30m` or a plain number of seconds.
pub fn parse_duration(input: &str) -> Result<Duration, String> {
    let input = input.trim();
    if input.is_empty() {
        return Err("empty duration".to_owned());
    }
    if let Ok(seconds) = input.parse::<u64>() {
        return Ok(Duration::from_secs(seconds));
    }
    let mut total: u64 = 0;
    let mut digits = String::new();
    for c in input.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            'd' => 86_400,
            'h' => 3_600,
            'm' => 60,
            's' => 1,
            _ => {
                return Err(format!("unknown unit {c:?} in duration {input:?} (use d, h, m or s)"));
            }
        };
        let value: u64 = digits
            .parse()
            .map_err(|_| format!("missing number before {c:?} in duration {input:?}"))?;
        total = total
            .checked_add(value.checked_mul(unit).ok_or("duration too large")?)
            .ok_or("duration too large")?;
        digits.clear();
    }
    if !digits.is_empty() {
        return Err(format!("missing unit after {digits:?} in duration {input:?}"));
    }
    Ok(Duration::from_secs(total))
}

/// A public base URL must be an absolute http(s) URL without query or fragment.
pub fn parse_public_url(input: &str) -> Result<Url, String> {
    let url = Url::parse(input.trim_end_matches('/')).map_err(|e| format!("invalid URL {input:?}: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(format!("{input:?} must be an absolute http or https URL"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("{input:?} must not have a query string or fragment"));
    }
    Ok(url)
}

/// Secret key material for cookies; never printed.
#[derive(Clone)]
pub struct CookieKey(pub Vec<u8>);

impl std::fmt::Debug for CookieKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CookieKey(<redacted>)")
    }
}

/// A cookie key given as hex or base64 (standard or URL-safe), at least 64 bytes.
pub fn parse_cookie_key(input: &str) -> Result<CookieKey, String> {
    use base64::Engine;
    let input = input.trim();
    let bytes = hex::decode(input)
        .ok()
        .or_else(|| base64::engine::general_purpose::STANDARD.decode(input).ok())
        .or_else(|| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(input).ok())
        .ok_or("the cookie key must be hex or base64")?;
    if bytes.len() < 64 {
        return Err(format!(
            "the cookie key must be at least 64 bytes (got {}); try `openssl rand -hex 64`",
            bytes.len()
        ));
    }
    Ok(CookieKey(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("6h").unwrap(), Duration::from_secs(21_600));
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5_400));
        assert_eq!(parse_duration("2d").unwrap(), Duration::from_secs(172_800));
        assert!(parse_duration("").is_err());
        assert!(parse_duration("6x").is_err());
        assert!(parse_duration("h").is_err());
        assert!(parse_duration("10m5").is_err());
    }

    #[test]
    fn cookie_keys_must_be_long_enough() {
        assert_eq!(parse_cookie_key(&"ab".repeat(64)).unwrap().0.len(), 64);
        assert!(parse_cookie_key(&"ab".repeat(63)).is_err());
        assert!(parse_cookie_key("not a key!").is_err());
    }

    #[test]
    fn public_urls_parse() {
        assert_eq!(
            parse_public_url("https://onboard.example.com/").unwrap().as_str(),
            "https://onboard.example.com/"
        );
        assert_eq!(
            parse_public_url("https://example.com/onboarding/").unwrap().as_str(),
            "https://example.com/onboarding"
        );
        assert!(parse_public_url("example.com").is_err());
        assert!(parse_public_url("https://example.com/?a=b").is_err());
    }
}
