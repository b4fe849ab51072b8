//! Command line: `onboarding [serve]`, `migrate`, `api-keys create|list|revoke`,
//! `programs create|list`, `data-keys generate|rotate`, `audit list`. Each command takes only the options it uses, so a
//! server setting (say `ONBOARDING_SESSION_TTL`) neither clutters an operator
//! command's `--help` nor breaks it when it is set to something odd.

use std::{ffi::OsString, net::SocketAddr};

use clap::{
    Args, CommandFactory, Parser, Subcommand, ValueEnum,
    error::{ContextKind, ContextValue, ErrorKind},
};

use crate::{
    config::{self, DataKey, DatabaseUrl, LogFormat, Settings, defaults},
    domain::ids::{ApiKeyId, GroupId},
    edge::client_ip::TrustedProxies,
};

#[derive(Debug, Parser)]
#[command(
    name = "onboarding",
    version,
    about = "Hosted Onboarding: Increase-compatible Entity Onboarding Sessions with a hosted form",
    long_about = "Hosted Onboarding: a self-hostable service, wire-compatible with Increase's Entity \
Onboarding Sessions API. Without a command it runs the HTTP server, exactly as `serve` does.\n\n\
Every option can also be set by the environment variable shown beside it; `onboarding serve --help` \
lists the server's, `onboarding help <command>` those of each command."
)]
struct Cli {
    /// Log format on stderr.
    #[arg(
        long,
        env = "ONBOARDING_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    log_format: LogFormatArg,

    #[command(subcommand)]
    command: Option<Command>,
}

/// A parsed command line: what to do, and how it was asked for.
#[derive(Debug)]
pub struct Invocation {
    pub log_format: LogFormat,
    pub command: Command,
    /// The arguments as given, to tell a flag from an environment variable.
    args: Vec<OsString>,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Database")]
pub struct DatabaseArgs {
    /// Database: `postgres://user@host/db`, a `sqlite:` URL, or a file path (SQLite, created on first start).
    #[arg(long, env = "DATABASE_URL", default_value = defaults::DATABASE_URL, value_parser = DatabaseUrl::accept, hide_env_values = true)]
    pub database_url: DatabaseUrl,

    /// Maximum number of pooled database connections, 1 to 1000 (on SQLite: read connections, at most two per core, besides the writer; on PostgreSQL: half for reads, the rest for units of work, at least one each).
    #[arg(long, env = "ONBOARDING_DB_MAX_CONNECTIONS", default_value_t = defaults::DB_MAX_CONNECTIONS,
        value_parser = clap::value_parser!(u32).range(1..=i64::from(config::MAX_DB_CONNECTIONS)))]
    pub db_max_connections: u32,

    /// How long a request waits for a free database connection before answering 503.
    #[arg(long, env = "ONBOARDING_DB_ACQUIRE_TIMEOUT", default_value = defaults::DB_ACQUIRE_TIMEOUT, value_parser = config::parse_duration)]
    pub db_acquire_timeout: std::time::Duration,

    /// PostgreSQL statement timeout for every query.
    #[arg(long, env = "ONBOARDING_DB_STATEMENT_TIMEOUT", default_value = defaults::DB_STATEMENT_TIMEOUT, value_parser = config::parse_duration)]
    pub db_statement_timeout: std::time::Duration,

    /// How long start-up keeps retrying while the database is not reachable yet.
    #[arg(long, env = "ONBOARDING_DB_STARTUP_TIMEOUT", default_value = defaults::DB_STARTUP_TIMEOUT, value_parser = config::parse_duration)]
    pub db_startup_timeout: std::time::Duration,

    /// Key that encrypts personal data at rest: 32 bytes as 64 hex digits or base64. Required with
    /// PostgreSQL (the same on every instance); with a SQLite file, a key file beside the database is
    /// generated on first start when this is unset. Prefer the environment variable to the flag.
    #[arg(long, env = "ONBOARDING_DATA_KEY", value_parser = DataKey::parse, hide_env_values = true)]
    pub data_key: Option<DataKey>,

    /// Keys used before `ONBOARDING_DATA_KEY`, comma-separated: what they encrypted stays readable
    /// until `onboarding data-keys rotate` has re-encrypted it under the current key.
    #[arg(long, env = "ONBOARDING_PREVIOUS_DATA_KEYS", value_parser = DataKey::parse, value_delimiter = ',', hide_env_values = true)]
    pub previous_data_keys: Vec<DataKey>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// Address the HTTP server listens on: `IP:PORT` or `HOST:PORT` (`0.0.0.0:8080` for all interfaces).
    #[arg(long, env = "ONBOARDING_LISTEN", default_value = defaults::LISTEN, value_parser = config::parse_listen)]
    pub listen: SocketAddr,

    /// Public base URL used to build `session_url` (default: derived from the listen address).
    #[arg(long, env = "ONBOARDING_PUBLIC_URL", value_parser = config::parse_public_url)]
    pub public_url: Option<url::Url>,

    /// Lifetime of a new onboarding session, from 1m to 30d, e.g. `6h`, `90m`, `3600`.
    #[arg(long, env = "ONBOARDING_SESSION_TTL", default_value = defaults::SESSION_TTL, value_parser = config::parse_session_ttl)]
    pub session_ttl: std::time::Duration,

    /// How often overdue sessions are marked expired in the database.
    #[arg(long, env = "ONBOARDING_SWEEP_INTERVAL", default_value = defaults::SWEEP_INTERVAL, value_parser = config::parse_duration)]
    pub sweep_interval: std::time::Duration,

    /// How long a response recorded against an `Idempotency-Key` is kept and replayed (at least
    /// 1h); the sweep deletes older ones, after which the key can be used afresh.
    #[arg(long, env = "ONBOARDING_IDEMPOTENCY_RETENTION", default_value = defaults::IDEMPOTENCY_RETENTION, value_parser = config::parse_idempotency_retention)]
    pub idempotency_retention: std::time::Duration,

    /// Key for the hosted form's cookie (hex or base64, at least 64 bytes). Share it between
    /// instances; without it a random key is used and form sessions end on restart.
    #[arg(long, env = "ONBOARDING_COOKIE_KEY", value_parser = config::parse_cookie_key, hide_env_values = true)]
    pub cookie_key: Option<config::CookieKey>,

    /// Mark the form's cookie `Secure` (default: when the public URL is https).
    #[arg(long, env = "ONBOARDING_COOKIE_SECURE")]
    pub cookie_secure: Option<bool>,

    /// HTTP worker threads (default: one per CPU core).
    #[arg(long, env = "ONBOARDING_WORKERS")]
    pub workers: Option<usize>,

    #[command(flatten)]
    pub edge: EdgeArgs,

    /// How long a webhook endpoint has to answer an attempt before it counts as failed.
    #[arg(long, env = "ONBOARDING_WEBHOOK_TIMEOUT", default_value = defaults::WEBHOOK_TIMEOUT, value_parser = config::parse_duration)]
    pub webhook_timeout: std::time::Duration,

    /// The wait before a failed webhook's first retry; each later wait roughly doubles (with
    /// jitter, at most 12h) for three days.
    #[arg(long, env = "ONBOARDING_WEBHOOK_RETRY_BASE", default_value = defaults::WEBHOOK_RETRY_BASE, value_parser = config::parse_duration)]
    pub webhook_retry_base: std::time::Duration,
}

/// What protects the server from clients that ask too much or too slowly.
#[derive(Debug, Args)]
#[command(next_help_heading = "Limits and proxies")]
pub struct EdgeArgs {
    /// How long a client may take to send a request's headers, and then again its body, from 1s to 5m;
    /// a slower one gets an error and is disconnected.
    #[arg(long, env = "ONBOARDING_REQUEST_TIMEOUT", default_value = defaults::REQUEST_TIMEOUT, value_parser = config::parse_request_timeout)]
    pub request_timeout: std::time::Duration,

    /// Connections one client address may hold open at once (an IPv6 client: its /64); more are
    /// closed at once. 0: no cap. Trusted proxies are not capped.
    #[arg(long, env = "ONBOARDING_MAX_CONNECTIONS_PER_IP", default_value_t = defaults::MAX_CONNECTIONS_PER_IP)]
    pub max_connections_per_ip: u32,

    /// JSON API requests per second per API key; more get 429. 0: no limit.
    #[arg(long, env = "ONBOARDING_RATE_LIMIT_API", default_value_t = defaults::RATE_LIMIT_API)]
    pub rate_limit_api: u32,

    /// Hosted form requests per minute per client address; more get a 429 page. 0: no limit.
    #[arg(long, env = "ONBOARDING_RATE_LIMIT_FORM", default_value_t = defaults::RATE_LIMIT_FORM)]
    pub rate_limit_form: u32,

    /// Failed API authentications per minute per client address; past them the client gets 429
    /// until it has earned another try. 0: no limit.
    #[arg(long, env = "ONBOARDING_RATE_LIMIT_AUTH_FAILURES", default_value_t = defaults::RATE_LIMIT_AUTH_FAILURES)]
    pub rate_limit_auth_failures: u32,

    /// Proxies whose X-Forwarded-For is believed, as CIDR networks separated by commas
    /// (`10.0.0.0/8,127.0.0.1/32`). Default: none, the TCP peer is the client.
    #[arg(long, env = "ONBOARDING_TRUSTED_PROXIES", default_value = "", hide_default_value = true, value_parser = TrustedProxies::parse)]
    pub trusted_proxies: TrustedProxies,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormatArg {
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
#[allow(clippy::large_enum_variant, reason = "parsed once per process")]
pub enum Command {
    /// Run the HTTP server (the default when no command is given).
    Serve(ServeArgs),
    /// Manage API keys.
    #[command(subcommand)]
    ApiKeys(ApiKeysCommand),
    /// Manage programs.
    #[command(subcommand)]
    Programs(ProgramsCommand),
    /// Manage the keys that encrypt personal data at rest.
    #[command(subcommand)]
    DataKeys(DataKeysCommand),
    /// Read the audit log of personal data revealed through the API.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Inspect webhook deliveries and send events again.
    #[command(subcommand)]
    Webhooks(WebhooksCommand),
    /// Apply database migrations and exit.
    Migrate(DatabaseArgs),
}

#[derive(Debug, Subcommand)]
pub enum ApiKeysCommand {
    /// Create an API key: prints its ID, then the key itself once, alone on the last line.
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
        /// A sandbox key, which may call the `/simulations` endpoints; without it, a production key.
        #[arg(long)]
        sandbox: bool,
        /// Allow the key to read full identification numbers (`GET /entities/{id}/identification_numbers`);
        /// every call is recorded in the audit log.
        #[arg(long)]
        reveal_pii: bool,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// List API keys: ID, name, environment, permissions, group, when created and revoked (never the key).
    List {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Revoke an API key by its ID (`api_key_...`); requests with it get 401.
    Revoke {
        /// The key's ID, as printed when it was created or by `api-keys list`.
        id: ApiKeyId,
        #[command(flatten)]
        database: DatabaseArgs,
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
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// List programs of every group: ID, name, group, when created.
    List {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Change how a program's hosted pages look and where they may be used; prints the result.
    /// Options left out keep their value; an empty value ('') clears it.
    Update {
        /// The program's ID (`program_...`).
        id: crate::domain::ids::ProgramId,
        /// The name customers see instead of the program's name.
        #[arg(long)]
        display_name: Option<String>,
        /// '#rrggbb'; white text on it must have a contrast of at least 4.5:1.
        #[arg(long)]
        accent_color: Option<String>,
        /// A PNG, JPEG or WebP file of at most 100 KB (no SVG).
        #[arg(long, value_name = "FILE")]
        logo: Option<std::path::PathBuf>,
        /// An https URL or mailto: address, linked from every page's footer.
        #[arg(long)]
        support_url: Option<String>,
        /// An https URL, linked from every page's footer.
        #[arg(long)]
        privacy_url: Option<String>,
        /// Comma-separated origins (https://a.example,https://b.example) that a session's
        /// redirect_url must point at; '' allows any.
        #[arg(long, value_name = "ORIGINS")]
        allowed_redirect_origins: Option<String>,
        /// Comma-separated origins that may show the form in a frame; '' allows none.
        #[arg(long, value_name = "ORIGINS")]
        allowed_frame_ancestors: Option<String>,
        /// In a frame, whether leaving the form for the platform (after submitting, or by a
        /// "Return to" link) replaces the whole window (true) or the frame's page (false).
        #[arg(long, value_name = "true|false")]
        redirect_out_of_frame: Option<bool>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum DataKeysCommand {
    /// Print a new random data key (64 hex digits), to set as ONBOARDING_DATA_KEY.
    Generate,
    /// Re-encrypt everything encrypted under an older key with ONBOARDING_DATA_KEY, in small
    /// batches while the service keeps running; then the older keys can be dropped.
    Rotate {
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// Print the most recent deliveries, newest first, one JSON object per line: event, category,
    /// subscription, URL, status (pending, delivered, failed), attempts, last status code and
    /// error, next retry.
    Deliveries {
        /// Only this Event Subscription's (`event_subscription_...`).
        #[arg(long)]
        subscription: Option<String>,
        /// How many to print.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Deliver an event again (`event_...`) to every active subscription that selects it, or to one;
    /// a running service sends it within a second, with the same `webhook-id`.
    Redeliver {
        event: crate::domain::ids::EventId,
        /// Only to this Event Subscription.
        #[arg(long)]
        subscription: Option<crate::domain::ids::EventSubscriptionId>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Print every attempt to reveal personal data, oldest first, one JSON object per line.
    List {
        /// Only the attempts on this Entity (`entity_...`).
        #[arg(long)]
        entity: Option<String>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

impl Command {
    /// The database the command works on (`data-keys generate` needs none).
    pub fn database(&self) -> Option<&DatabaseArgs> {
        Some(match self {
            Self::DataKeys(DataKeysCommand::Generate) => return None,
            Self::Serve(serve) => &serve.database,
            Self::Migrate(database)
            | Self::ApiKeys(
                ApiKeysCommand::Create { database, .. }
                | ApiKeysCommand::List { database }
                | ApiKeysCommand::Revoke { database, .. },
            )
            | Self::Programs(
                ProgramsCommand::Create { database, .. }
                | ProgramsCommand::List { database }
                | ProgramsCommand::Update { database, .. },
            )
            | Self::DataKeys(DataKeysCommand::Rotate { database })
            | Self::Audit(AuditCommand::List { database, .. })
            | Self::Webhooks(
                WebhooksCommand::Deliveries { database, .. } | WebhooksCommand::Redeliver { database, .. },
            ) => database,
        })
    }
}

impl DatabaseArgs {
    pub fn settings(&self) -> Settings {
        let mut settings = Settings::for_database(self.database_url.clone());
        settings.database_max_connections = self.db_max_connections;
        settings.database_acquire_timeout = self.db_acquire_timeout;
        settings.database_statement_timeout = self.db_statement_timeout;
        settings.database_startup_timeout = self.db_startup_timeout;
        settings.data_key = self.data_key.clone();
        settings.previous_data_keys = self.previous_data_keys.clone();
        settings
    }
}

impl ServeArgs {
    pub fn settings(&self) -> Settings {
        let mut settings = self.database.settings();
        settings.listen = self.listen;
        settings.public_url = self.public_url.clone();
        settings.session_ttl = self.session_ttl;
        settings.sweep_interval = self.sweep_interval;
        settings.idempotency_retention = self.idempotency_retention;
        settings.workers = self.workers;
        settings.cookie_key = self.cookie_key.clone();
        settings.cookie_secure = self.cookie_secure;
        settings.request_timeout = self.edge.request_timeout;
        settings.max_connections_per_ip = self.edge.max_connections_per_ip;
        settings.rate_limit_api = self.edge.rate_limit_api;
        settings.rate_limit_form = self.edge.rate_limit_form;
        settings.rate_limit_auth_failures = self.edge.rate_limit_auth_failures;
        settings.trusted_proxies = self.edge.trusted_proxies.clone();
        settings.webhook_timeout = self.webhook_timeout.max(std::time::Duration::from_secs(1));
        settings.webhook_retry_base = self.webhook_retry_base.max(std::time::Duration::from_secs(1));
        settings
    }
}

/// Parses the process's command line, or prints why it cannot and exits.
pub fn parse_or_exit() -> Invocation {
    let args: Vec<OsString> = std::env::args_os().collect();
    parse(args.clone()).unwrap_or_else(|error| match name_the_variable(&error, &args) {
        Some(message) => {
            eprint!("{message}");
            std::process::exit(2)
        }
        None => error.exit(),
    })
}

/// Parses a command line (program name first). No command means `serve`,
/// and so do the server's options given without it (`onboarding --listen ...`).
pub fn parse(args: Vec<OsString>) -> Result<Invocation, clap::Error> {
    let as_serve = || {
        let mut with_serve = args.clone();
        with_serve.insert(args.len().min(1), OsString::from("serve"));
        Cli::try_parse_from(with_serve)
    };
    let cli = match Cli::try_parse_from(&args) {
        Ok(Cli { command: None, .. }) => as_serve()?,
        Ok(cli) => cli,
        Err(error) if error.kind() == ErrorKind::UnknownArgument => match as_serve() {
            Err(second) if second.kind() == ErrorKind::UnknownArgument => return Err(error),
            parsed => parsed?,
        },
        Err(error) => return Err(error),
    };
    let command = cli
        .command
        .ok_or_else(|| Cli::command().error(ErrorKind::MissingSubcommand, "no command given"))?;
    Ok(Invocation {
        log_format: cli.log_format.into(),
        command,
        args,
    })
}

impl Invocation {
    /// Says where a setting came from, for error messages: `from --flag`
    /// when it was given, else `from ENV_VAR`, else the default.
    pub fn set_by(&self, flag: &str, env: &str) -> String {
        if given_on_command_line(&self.args, flag) {
            format!("from {flag}")
        } else if std::env::var_os(env).is_some() {
            format!("from {env}")
        } else {
            format!("the default; set {env} to choose another")
        }
    }
}

fn given_on_command_line(args: &[OsString], flag: &str) -> bool {
    args.iter().skip(1).any(|arg| {
        arg.to_str()
            .is_some_and(|arg| arg == flag || arg.strip_prefix(flag).is_some_and(|rest| rest.starts_with('=')))
    })
}

/// clap names only the flag of a bad value, even when the value came from
/// the environment, where the operator never typed that flag. This rewrites
/// such a message to name the environment variable.
fn name_the_variable(error: &clap::Error, args: &[OsString]) -> Option<String> {
    if !matches!(error.kind(), ErrorKind::InvalidValue | ErrorKind::ValueValidation) {
        return None;
    }
    let Some(ContextValue::String(shown)) = error.get(ContextKind::InvalidArg) else {
        return None;
    };
    let arg = find_arg(&Cli::command(), shown)?;
    let flag = format!("--{}", arg.get_long()?);
    let env = arg.get_env()?.to_str()?.to_owned();
    if given_on_command_line(args, &flag) || std::env::var_os(&env).is_none() {
        return None;
    }
    let message = error.render().to_string();
    Some(message.replacen(
        &format!("'{shown}'"),
        &format!("the environment variable {env} (flag {flag})"),
        1,
    ))
}

/// The argument clap shows as `shown` (`--session-ttl <SESSION_TTL>`), in
/// any command.
fn find_arg(command: &clap::Command, shown: &str) -> Option<clap::Arg> {
    let own = command.get_arguments().find(|arg| {
        arg.get_long().is_some_and(|long| {
            let flag = format!("--{long}");
            shown == flag || shown.starts_with(&format!("{flag} ")) || shown.starts_with(&format!("{flag}="))
        })
    });
    own.cloned()
        .or_else(|| command.get_subcommands().find_map(|sub| find_arg(sub, shown)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<OsString> {
        line.split_whitespace().map(OsString::from).collect()
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn no_command_means_serve() {
        assert!(matches!(parse(args("onboarding")).unwrap().command, Command::Serve(_)));
        let Command::Serve(serve) = parse(args("onboarding --listen 127.0.0.1:9000 --log-format json"))
            .unwrap()
            .command
        else {
            panic!("serve");
        };
        assert_eq!(serve.listen.port(), 9000);
        assert!(parse(args("onboarding --no-such-flag")).is_err());
    }

    #[test]
    fn operator_commands_take_no_server_options() {
        assert!(parse(args("onboarding api-keys list")).is_ok());
        assert!(parse(args("onboarding programs list --database-url x.db")).is_ok());
        let error = parse(args("onboarding api-keys list --session-ttl 1h")).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::UnknownArgument);
        let error = parse(args("onboarding migrate --listen 127.0.0.1:1")).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::UnknownArgument);
    }

    #[test]
    fn flags_given_are_told_from_the_environment() {
        assert!(given_on_command_line(&args("onboarding serve --listen x"), "--listen"));
        assert!(given_on_command_line(&args("onboarding serve --listen=x"), "--listen"));
        assert!(!given_on_command_line(&args("onboarding serve --listen-x"), "--listen"));
        assert!(!given_on_command_line(&args("onboarding serve"), "--listen"));
    }

    #[test]
    fn the_edge_settings_reach_the_server_and_default_as_documented() {
        let Command::Serve(serve) = parse(args("onboarding")).unwrap().command else {
            panic!("serve");
        };
        let defaults = Settings::for_database(defaults::DATABASE_URL);
        let settings = serve.settings();
        assert_eq!(
            (
                settings.request_timeout,
                settings.max_connections_per_ip,
                settings.rate_limit_api,
                settings.rate_limit_form,
                settings.rate_limit_auth_failures,
                &settings.trusted_proxies,
            ),
            (
                defaults.request_timeout,
                defaults.max_connections_per_ip,
                defaults.rate_limit_api,
                defaults.rate_limit_form,
                defaults.rate_limit_auth_failures,
                &TrustedProxies::default(),
            )
        );
        let line = "onboarding --request-timeout 3s --max-connections-per-ip 0 --rate-limit-api 5 \
                    --rate-limit-form 0 --rate-limit-auth-failures 7 --trusted-proxies 10.0.0.0/8,::1/128";
        let Command::Serve(serve) = parse(args(line)).unwrap().command else {
            panic!("serve");
        };
        let settings = serve.settings();
        assert_eq!(settings.request_timeout, std::time::Duration::from_secs(3));
        assert_eq!(
            (
                settings.max_connections_per_ip,
                settings.rate_limit_api,
                settings.rate_limit_form,
                settings.rate_limit_auth_failures
            ),
            (0, 5, 0, 7)
        );
        assert!(settings.trusted_proxies.contains("10.2.3.4".parse().unwrap()));
        let error = parse(args("onboarding --trusted-proxies 10.0.0.0/33")).unwrap_err();
        assert!(error.to_string().contains("CIDR"), "{error}");
    }

    #[test]
    fn every_server_setting_is_in_the_readme_configuration_table() {
        let readme = include_str!("../README.md");
        let serve = Cli::command();
        let serve = serve.find_subcommand("serve").unwrap();
        for arg in serve.get_arguments() {
            if let Some(env) = arg.get_env() {
                let row = format!("| `{}` |", env.to_str().unwrap());
                assert!(readme.contains(&row), "README's configuration table lacks {row}");
            }
        }
    }

    #[test]
    fn bad_values_are_traced_to_their_flag() {
        let command = Cli::command();
        let arg = find_arg(&command, "--session-ttl <SESSION_TTL>").unwrap();
        assert_eq!(arg.get_env().unwrap(), "ONBOARDING_SESSION_TTL");
        let arg = find_arg(&command, "--database-url <DATABASE_URL>").unwrap();
        assert_eq!(arg.get_env().unwrap(), "DATABASE_URL");
        assert!(find_arg(&command, "--nothing <X>").is_none());
    }
}
