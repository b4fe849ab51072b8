//! Command line: `onboarding [serve]`, `api-keys create`, `programs create`, `migrate`.

use std::net::SocketAddr;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::domain::ids::{ApiKeyId, GroupId};

use crate::config::{self, DatabaseUrl, LogFormat, Settings, defaults};

#[derive(Debug, Parser)]
#[command(
    name = "onboarding",
    version,
    about = "Hosted Onboarding: Increase-compatible Entity Onboarding Sessions with a hosted form",
    long_about = "Hosted Onboarding: a self-hostable service, wire-compatible with Increase's Entity \
Onboarding Sessions API. Without a subcommand it runs the HTTP server (same as `serve`).\n\n\
Every option can also be set by the environment variable shown beside it."
)]
pub struct Cli {
    #[command(flatten)]
    pub options: Options,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args)]
pub struct Options {
    /// Database: `postgres://user@host/db`, a `sqlite:` URL, or a file path (SQLite, created on first start).
    #[arg(long, env = "DATABASE_URL", default_value = defaults::DATABASE_URL, value_parser = DatabaseUrl::accept, hide_env_values = true, global = true)]
    pub database_url: DatabaseUrl,

    /// Maximum number of pooled database connections.
    #[arg(long, env = "ONBOARDING_DB_MAX_CONNECTIONS", default_value_t = defaults::DB_MAX_CONNECTIONS, global = true)]
    pub db_max_connections: u32,

    /// How long a request waits for a free database connection before answering 503.
    #[arg(long, env = "ONBOARDING_DB_ACQUIRE_TIMEOUT", default_value = defaults::DB_ACQUIRE_TIMEOUT, value_parser = config::parse_duration, global = true)]
    pub db_acquire_timeout: std::time::Duration,

    /// PostgreSQL statement timeout for every query.
    #[arg(long, env = "ONBOARDING_DB_STATEMENT_TIMEOUT", default_value = defaults::DB_STATEMENT_TIMEOUT, value_parser = config::parse_duration, global = true)]
    pub db_statement_timeout: std::time::Duration,

    /// How long start-up keeps retrying while the database is not reachable yet.
    #[arg(long, env = "ONBOARDING_DB_STARTUP_TIMEOUT", default_value = defaults::DB_STARTUP_TIMEOUT, value_parser = config::parse_duration, global = true)]
    pub db_startup_timeout: std::time::Duration,

    /// Address the HTTP server listens on.
    #[arg(long, env = "ONBOARDING_LISTEN", default_value = defaults::LISTEN, global = true)]
    pub listen: SocketAddr,

    /// Public base URL used to build `session_url` (default: derived from the listen address).
    #[arg(long, env = "ONBOARDING_PUBLIC_URL", value_parser = config::parse_public_url, global = true)]
    pub public_url: Option<url::Url>,

    /// Lifetime of a new onboarding session, e.g. `6h`, `30m`, `3600`.
    #[arg(long, env = "ONBOARDING_SESSION_TTL", default_value = defaults::SESSION_TTL, value_parser = config::parse_duration, global = true)]
    pub session_ttl: std::time::Duration,

    /// How often overdue sessions are marked expired in the database.
    #[arg(long, env = "ONBOARDING_SWEEP_INTERVAL", default_value = defaults::SWEEP_INTERVAL, value_parser = config::parse_duration, global = true)]
    pub sweep_interval: std::time::Duration,

    /// Log format on stderr.
    #[arg(
        long,
        env = "ONBOARDING_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub log_format: LogFormatArg,

    /// Key for the hosted form's cookie (hex or base64, at least 64 bytes). Share it between
    /// instances; without it a random key is used and form sessions end on restart.
    #[arg(long, env = "ONBOARDING_COOKIE_KEY", value_parser = config::parse_cookie_key, hide_env_values = true, global = true)]
    pub cookie_key: Option<config::CookieKey>,

    /// Mark the form's cookie `Secure` (default: when the public URL is https).
    #[arg(long, env = "ONBOARDING_COOKIE_SECURE", global = true)]
    pub cookie_secure: Option<bool>,

    /// HTTP worker threads (default: one per CPU core).
    #[arg(long, env = "ONBOARDING_WORKERS", global = true)]
    pub workers: Option<usize>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormatArg {
    Text,
    Json,
}

impl From<LogFormatArg> for LogFormat {
    fn from(value: LogFormatArg) -> Self {
        match value {
            LogFormatArg::Text => LogFormat::Text,
            LogFormatArg::Json => LogFormat::Json,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (the default).
    Serve,
    /// Manage API keys.
    #[command(subcommand)]
    ApiKeys(ApiKeysCommand),
    /// Manage programs.
    #[command(subcommand)]
    Programs(ProgramsCommand),
    /// Apply database migrations and exit.
    Migrate,
}

#[derive(Debug, Subcommand)]
pub enum ApiKeysCommand {
    /// Create an API key; the key itself is printed once, alone on the last line.
    Create {
        /// A name to recognise the key by.
        #[arg(long)]
        name: String,
        /// The group (tenant) the key belongs to; default: the first group.
        #[arg(long)]
        group: Option<GroupId>,
        /// Create the key in a new group of its own, isolated from all other data.
        #[arg(long, conflicts_with = "group")]
        new_group: bool,
    },
    /// Revoke an API key by its ID (`api_key_...`); requests with it get 401.
    Revoke {
        /// The key's ID, as printed when it was created.
        id: ApiKeyId,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProgramsCommand {
    /// Create a program; its ID is printed alone on the last line.
    Create {
        #[arg(long)]
        name: String,
        /// The group (tenant) the program belongs to; default: the first group.
        #[arg(long)]
        group: Option<GroupId>,
    },
}

impl Options {
    pub fn settings(&self) -> Settings {
        let mut settings = Settings::for_database(self.database_url.clone());
        settings.database_max_connections = self.db_max_connections.max(1);
        settings.database_acquire_timeout = self.db_acquire_timeout;
        settings.database_statement_timeout = self.db_statement_timeout;
        settings.database_startup_timeout = self.db_startup_timeout;
        settings.listen = self.listen;
        settings.public_url = self.public_url.clone();
        settings.session_ttl = self.session_ttl;
        settings.sweep_interval = self.sweep_interval;
        settings.workers = self.workers;
        settings.cookie_key = self.cookie_key.clone();
        settings.cookie_secure = self.cookie_secure;
        settings
    }
}
