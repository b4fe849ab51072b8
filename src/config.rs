//! Runtime settings, read from the environment (or flags) by `cli` and built
//! directly by tests.

use std::{net::SocketAddr, time::Duration};

use url::Url;

pub use crate::custody::DataKey;
use crate::edge::client_ip::TrustedProxies;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// The database to use, as configured. Its `Debug` hides any password.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

/// Which backend a [`DatabaseUrl`] selects, and how to reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseTarget<'a> {
    /// A `sqlite:` URL or a plain file path (created on first start).
    Sqlite(&'a str),
    /// A `postgres://` or `postgresql://` URL.
    Postgres(&'a str),
}

impl DatabaseUrl {
    /// Accepts what [`DatabaseUrl::target`] understands.
    pub fn parse(input: &str) -> Result<Self, String> {
        let url = Self(input.to_owned());
        url.target()?;
        Ok(url)
    }

    /// Takes any text; it is checked when the store opens, so that no
    /// argument parser ever echoes a password in its own error message.
    pub fn accept(input: &str) -> Result<Self, std::convert::Infallible> {
        Ok(Self(input.to_owned()))
    }

    pub fn target(&self) -> Result<DatabaseTarget<'_>, String> {
        let text = self.0.as_str();
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Ok(DatabaseTarget::Postgres(text))
        } else if text.starts_with("sqlite:") || (!text.is_empty() && !text.contains("://")) {
            Ok(DatabaseTarget::Sqlite(text))
        } else {
            Err(format!(
                "unsupported database URL {self:?}: use postgres://..., sqlite:... or a file path"
            ))
        }
    }
}

impl From<&str> for DatabaseUrl {
    fn from(text: &str) -> Self {
        Self(text.to_owned())
    }
}

impl From<String> for DatabaseUrl {
    fn from(text: String) -> Self {
        Self(text)
    }
}

/// Shows where the database is, never a password: neither the URL's own nor
/// a `password=` query parameter. Text that is not a URL is a file path.
impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.0.contains("://") {
            return write!(f, "{:?}", self.0);
        }
        let Ok(mut url) = Url::parse(&self.0) else {
            let scheme = self.0.split("://").next().unwrap_or_default();
            return write!(f, "\"{scheme}://<unreadable URL, not shown>\"");
        };
        if url.password().is_some() {
            let _ = url.set_password(Some("<redacted>"));
        }
        if url.query().is_some() {
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .map(|(key, value)| {
                    let value = if key.eq_ignore_ascii_case("password") {
                        "<redacted>".to_owned()
                    } else {
                        value.into_owned()
                    };
                    (key.into_owned(), value)
                })
                .collect();
            url.query_pairs_mut().clear().extend_pairs(pairs);
        }
        write!(f, "{:?}", url.as_str())
    }
}

/// Defaults, defined once: the command line shows the text forms and
/// [`Settings::for_database`] uses the typed ones; a test keeps them equal.
pub mod defaults {
    use std::{net::SocketAddr, time::Duration};

    pub const DATABASE_URL: &str = "sqlite://onboarding.db";
    pub const DB_MAX_CONNECTIONS: u32 = 8;
    pub const DB_ACQUIRE_TIMEOUT: &str = "5s";
    pub const DB_STATEMENT_TIMEOUT: &str = "10s";
    pub const DB_STARTUP_TIMEOUT: &str = "30s";
    pub const LISTEN: &str = "127.0.0.1:8080";
    pub const SESSION_TTL: &str = "6h";
    pub const SWEEP_INTERVAL: &str = "60s";
    pub const IDEMPOTENCY_RETENTION: &str = "30d";
    pub const MAX_BODY_BYTES: usize = 64 * 1024;
    pub const REQUEST_TIMEOUT: &str = "10s";
    pub const WEBHOOK_TIMEOUT: &str = "10s";
    pub const WEBHOOK_RETRY_BASE: &str = "5s";
    pub const MAX_CONNECTIONS_PER_IP: u32 = 128;
    /// Requests per second, per API key.
    pub const RATE_LIMIT_API: u32 = 100;
    /// Requests per minute, per client address.
    pub const RATE_LIMIT_FORM: u32 = 120;
    /// Failed authentications per minute, per client address.
    pub const RATE_LIMIT_AUTH_FAILURES: u32 = 30;

    pub fn db_acquire_timeout() -> Duration {
        Duration::from_secs(5)
    }

    pub fn db_statement_timeout() -> Duration {
        Duration::from_secs(10)
    }

    pub fn db_startup_timeout() -> Duration {
        Duration::from_secs(30)
    }

    pub fn listen() -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], 8080))
    }

    pub fn session_ttl() -> Duration {
        Duration::from_secs(6 * 3600)
    }

    pub fn sweep_interval() -> Duration {
        Duration::from_secs(60)
    }

    pub fn idempotency_retention() -> Duration {
        Duration::from_secs(30 * 86_400)
    }

    pub fn request_timeout() -> Duration {
        Duration::from_secs(10)
    }

    pub fn webhook_timeout() -> Duration {
        Duration::from_secs(10)
    }

    pub fn webhook_retry_base() -> Duration {
        Duration::from_secs(5)
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: DatabaseUrl,
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
    /// How long a response recorded against an `Idempotency-Key` is kept
    /// (and replayed); the sweep deletes older ones.
    pub idempotency_retention: Duration,
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
    /// The key that seals personal data at rest. Required with PostgreSQL;
    /// with a SQLite file, `None` means the key file beside the database
    /// (generated on first start).
    pub data_key: Option<DataKey>,
    /// Keys sealed with before a rotation, still used to open what they
    /// sealed.
    pub previous_data_keys: Vec<DataKey>,
    /// How long a client may take to send a request's head, and then again
    /// its body.
    pub request_timeout: Duration,
    /// How long a webhook endpoint has to answer one attempt.
    pub webhook_timeout: Duration,
    /// The wait before a failed webhook's first retry; later ones roughly double.
    pub webhook_retry_base: Duration,
    /// Connections one client address may hold open at once; `0`: no cap.
    pub max_connections_per_ip: u32,
    /// Requests per second per API key; `0`: no limit.
    pub rate_limit_api: u32,
    /// Hosted page requests per minute per client address; `0`: no limit.
    pub rate_limit_form: u32,
    /// Failed authentications per minute per client address; `0`: no limit.
    pub rate_limit_auth_failures: u32,
    /// Peers whose `X-Forwarded-For` is believed; nobody by default.
    pub trusted_proxies: TrustedProxies,
}

impl Settings {
    /// The defaults, on the given database.
    pub fn for_database(database_url: impl Into<DatabaseUrl>) -> Self {
        Self {
            database_url: database_url.into(),
            database_max_connections: defaults::DB_MAX_CONNECTIONS,
            database_acquire_timeout: defaults::db_acquire_timeout(),
            database_statement_timeout: defaults::db_statement_timeout(),
            database_startup_timeout: defaults::db_startup_timeout(),
            listen: defaults::listen(),
            public_url: None,
            session_ttl: defaults::session_ttl(),
            sweep_interval: defaults::sweep_interval(),
            idempotency_retention: defaults::idempotency_retention(),
            max_body_bytes: defaults::MAX_BODY_BYTES,
            workers: None,
            cookie_key: None,
            cookie_secure: None,
            data_key: None,
            previous_data_keys: Vec::new(),
            request_timeout: defaults::request_timeout(),
            webhook_timeout: defaults::webhook_timeout(),
            webhook_retry_base: defaults::webhook_retry_base(),
            max_connections_per_ip: defaults::MAX_CONNECTIONS_PER_IP,
            rate_limit_api: defaults::RATE_LIMIT_API,
            rate_limit_form: defaults::RATE_LIMIT_FORM,
            rate_limit_auth_failures: defaults::RATE_LIMIT_AUTH_FAILURES,
            trusted_proxies: TrustedProxies::default(),
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

/// The most database connections one instance may hold. PostgreSQL's
/// default is 100 per server; far beyond this, a typo (an extra zero or
/// four) would only reserve memory at start-up and exhaust the server.
pub const MAX_DB_CONNECTIONS: u32 = 1000;

/// Shortest and longest session lifetime a deployment may configure.
pub const SESSION_TTL_RANGE: (Duration, Duration) = (Duration::from_secs(60), Duration::from_secs(30 * 86_400));

/// A session lifetime: a duration from one minute to 30 days.
pub fn parse_session_ttl(input: &str) -> Result<Duration, String> {
    let ttl = parse_duration(input)?;
    let (shortest, longest) = SESSION_TTL_RANGE;
    if ttl < shortest || ttl > longest {
        return Err(format!(
            "a session lifetime must be between 1m and 30d (got {input:?}); the default is {}",
            defaults::SESSION_TTL
        ));
    }
    Ok(ttl)
}

/// The shortest retention of idempotent responses a deployment may configure:
/// clients retry a request with the same key within seconds or minutes, and
/// a key forgotten before they are done would let a retry create a second object.
pub const MIN_IDEMPOTENCY_RETENTION: Duration = Duration::from_secs(3_600);

/// How long idempotent responses are kept: a duration of at least one hour.
pub fn parse_idempotency_retention(input: &str) -> Result<Duration, String> {
    let retention = parse_duration(input)?;
    if retention < MIN_IDEMPOTENCY_RETENTION {
        return Err(format!(
            "idempotent responses must be kept at least 1h (got {input:?}); the default is {}",
            defaults::IDEMPOTENCY_RETENTION
        ));
    }
    Ok(retention)
}

/// How long a client may take to send a request's head or body: 1s to 5m.
pub fn parse_request_timeout(input: &str) -> Result<Duration, String> {
    let timeout = parse_duration(input)?;
    if timeout < Duration::from_secs(1) || timeout > Duration::from_secs(300) {
        return Err(format!(
            "a request timeout must be between 1s and 5m (got {input:?}); the default is {}",
            defaults::REQUEST_TIMEOUT
        ));
    }
    Ok(timeout)
}

/// A listen address: `IP:PORT` (`127.0.0.1:8080`, `0.0.0.0:8080`, `[::1]:8080`)
/// or `HOST:PORT` (`localhost:8090`), resolved now; an IPv4 address is
/// preferred when a name has both, as `localhost` usually does.
pub fn parse_listen(input: &str) -> Result<SocketAddr, String> {
    if let Ok(address) = input.parse::<SocketAddr>() {
        return Ok(address);
    }
    let example = "e.g. 127.0.0.1:8080, 0.0.0.0:8080 or localhost:8080";
    let Some((host, port)) = input.rsplit_once(':') else {
        return Err(format!("{input:?} has no port ({example})"));
    };
    let port: u16 = port
        .parse()
        .map_err(|_| format!("{port:?} in {input:?} is not a port number ({example})"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        return Err(format!("{input:?} has no host ({example})"));
    }
    let addresses: Vec<SocketAddr> = std::net::ToSocketAddrs::to_socket_addrs(&(host, port))
        .map_err(|e| format!("cannot resolve {host:?}: {e}"))?
        .collect();
    addresses
        .iter()
        .find(|address| address.is_ipv4())
        .or(addresses.first())
        .copied()
        .ok_or_else(|| format!("{host:?} resolves to no address"))
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
    fn the_defaults_shown_are_the_defaults_used() {
        let settings = Settings::for_database(defaults::DATABASE_URL);
        assert_eq!(
            settings.database_acquire_timeout,
            parse_duration(defaults::DB_ACQUIRE_TIMEOUT).unwrap()
        );
        assert_eq!(
            settings.database_statement_timeout,
            parse_duration(defaults::DB_STATEMENT_TIMEOUT).unwrap()
        );
        assert_eq!(
            settings.database_startup_timeout,
            parse_duration(defaults::DB_STARTUP_TIMEOUT).unwrap()
        );
        assert_eq!(settings.session_ttl, parse_session_ttl(defaults::SESSION_TTL).unwrap());
        assert_eq!(
            settings.sweep_interval,
            parse_duration(defaults::SWEEP_INTERVAL).unwrap()
        );
        assert_eq!(settings.listen, parse_listen(defaults::LISTEN).unwrap());
        assert_eq!(
            settings.request_timeout,
            parse_request_timeout(defaults::REQUEST_TIMEOUT).unwrap()
        );
        assert_eq!(
            settings.idempotency_retention,
            parse_idempotency_retention(defaults::IDEMPOTENCY_RETENTION).unwrap()
        );
    }

    #[test]
    fn idempotent_responses_are_kept_at_least_an_hour() {
        assert_eq!(
            parse_idempotency_retention("30d").unwrap(),
            Duration::from_secs(30 * 86_400)
        );
        assert_eq!(parse_idempotency_retention("1h").unwrap(), Duration::from_secs(3_600));
        assert_eq!(
            parse_idempotency_retention("400d").unwrap(),
            Duration::from_secs(400 * 86_400)
        );
        for bad in ["0", "59m", "3599", "a month"] {
            assert!(parse_idempotency_retention(bad).is_err(), "{bad}");
        }
        assert!(parse_idempotency_retention("5m").unwrap_err().contains("at least 1h"));
    }

    #[test]
    fn database_urls_choose_a_backend_and_hide_passwords() {
        let pg = DatabaseUrl::parse("postgres://app:hunter2@db.internal/onboarding").unwrap();
        assert!(matches!(pg.target(), Ok(DatabaseTarget::Postgres(_))));
        let shown = format!("{pg:?}");
        assert!(!shown.contains("hunter2") && shown.contains("db.internal"), "{shown}");
        for hidden in [
            "postgres://db.internal/x?user=app&password=hunter2",
            "postgres://app:hun/ter#2@db.internal/x",
            "mysql://app:hunter2@db.internal/x",
        ] {
            let shown = format!("{:?}", DatabaseUrl::from(hidden));
            assert!(!shown.contains("hunter2") && !shown.contains("ter#2"), "{shown}");
        }
        for sqlite in [
            "sqlite://onboarding.db",
            "sqlite:data/x.db",
            "/var/lib/onboarding.db",
            "x.db",
        ] {
            assert!(matches!(
                DatabaseUrl::parse(sqlite).unwrap().target(),
                Ok(DatabaseTarget::Sqlite(_))
            ));
        }
        assert!(DatabaseUrl::parse("mysql://db/x").is_err());
        assert!(DatabaseUrl::parse("").is_err());
    }

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
    fn session_lifetimes_stay_between_a_minute_and_thirty_days() {
        assert_eq!(parse_session_ttl("6h").unwrap(), Duration::from_secs(21_600));
        assert_eq!(parse_session_ttl("1m").unwrap(), Duration::from_secs(60));
        assert_eq!(parse_session_ttl("30d").unwrap(), Duration::from_secs(30 * 86_400));
        for bad in ["0", "0s", "59s", "30d1s", "31d", "six hours"] {
            assert!(parse_session_ttl(bad).is_err(), "{bad}");
        }
        assert!(parse_session_ttl("0").unwrap_err().contains("between 1m and 30d"));
    }

    #[test]
    fn request_timeouts_stay_between_a_second_and_five_minutes() {
        assert_eq!(parse_request_timeout("10s").unwrap(), Duration::from_secs(10));
        assert_eq!(parse_request_timeout("5m").unwrap(), Duration::from_secs(300));
        for bad in ["0", "0s", "5m1s", "1h", "soon"] {
            assert!(parse_request_timeout(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn listen_addresses_take_ips_and_host_names() {
        assert_eq!(
            parse_listen("0.0.0.0:8080").unwrap(),
            SocketAddr::from(([0, 0, 0, 0], 8080))
        );
        assert_eq!(parse_listen("[::1]:9000").unwrap().port(), 9000);
        let localhost = parse_listen("localhost:8090").unwrap();
        assert!(localhost.ip().is_loopback() && localhost.port() == 8090, "{localhost}");
        assert!(parse_listen("localhost").unwrap_err().contains("no port"));
        assert!(
            parse_listen("localhost:http")
                .unwrap_err()
                .contains("not a port number")
        );
        assert!(parse_listen(":8080").unwrap_err().contains("no host"));
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
