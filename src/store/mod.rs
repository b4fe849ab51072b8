//! All SQL lives here. Handlers see `Store` and its use-case methods only, so
//! the backend can change without touching them.

mod api_keys;
mod entities;
mod idempotency;
mod programs;
mod sessions;
mod sql;

use std::{str::FromStr, time::Duration};

use sqlx::{
    AnyPool,
    any::{AnyConnectOptions, AnyPoolOptions},
};

pub use api_keys::{ApiKeyOwner, Bootstrap};
pub use entities::{EntityFilter, EntityRow, NewEntity};
pub use idempotency::{Idempotency, Outcome, StoredResponse};
pub use programs::{NewProgram, ProgramRow};
pub use sessions::{FormSubmission, NewSession, SessionFilter, SessionRow, TokenLookup};

use crate::config::Settings;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A request names an object that does not exist or cannot be used.
    #[error("invalid reference in {field}: {message}")]
    InvalidReference { field: &'static str, message: &'static str },
    /// The action is not allowed in the object's current state.
    #[error("invalid operation: {0}")]
    InvalidState(&'static str),
    /// Another request with the same idempotency key committed first.
    #[error("idempotency key claimed concurrently")]
    IdempotencyRace,
    #[error("stored data could not be read or written as JSON")]
    Serialization(#[from] serde_json::Error),
    /// The database cannot be reached right now (connection lost, pool exhausted).
    #[error("database unavailable")]
    Unavailable(#[source] sqlx::Error),
    #[error("database error")]
    Database(#[source] sqlx::Error),
    #[error("migration failed")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL {0:?}: use postgres://..., sqlite:... or a file path")]
    UnsupportedUrl(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        let lost = match &error {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
            | sqlx::Error::Protocol(_) => true,
            // PostgreSQL: connection exceptions (08xxx), shutdowns (57P0x), too many connections.
            sqlx::Error::Database(db) => db
                .code()
                .is_some_and(|code| code.starts_with("08") || code.starts_with("57P0") || code == "53300"),
            _ => false,
        };
        if lost {
            Self::Unavailable(error)
        } else {
            Self::Database(error)
        }
    }
}

/// Which database the store talks to; chosen by the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The backend and the URL to connect to: `postgres://` or `postgresql://`
/// select PostgreSQL; `sqlite:` URLs and plain file paths select SQLite.
pub fn parse_database_url(input: &str) -> Result<(Backend, String), StoreError> {
    if input.starts_with("postgres://") || input.starts_with("postgresql://") {
        return Ok((Backend::Postgres, input.to_owned()));
    }
    if let Some(rest) = input.strip_prefix("sqlite:") {
        let mut url = if rest.starts_with("//") {
            input.to_owned()
        } else {
            format!("sqlite://{rest}")
        };
        if !url.contains("mode=") {
            url.push_str(if url.contains('?') { "&mode=rwc" } else { "?mode=rwc" });
        }
        return Ok((Backend::Sqlite, url));
    }
    if input.is_empty() || input.contains("://") {
        return Err(StoreError::UnsupportedUrl(input.to_owned()));
    }
    let path = std::path::Path::new(input);
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|_| StoreError::UnsupportedUrl(input.to_owned()))?
            .join(path)
    };
    let url = url::Url::from_file_path(&absolute).map_err(|_| StoreError::UnsupportedUrl(input.to_owned()))?;
    Ok((Backend::Sqlite, format!("sqlite://{}?mode=rwc", url.path())))
}

#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

impl Store {
    /// Opens (creating if needed) the database named by the settings,
    /// retrying while it is not up yet, and applies pending migrations.
    pub async fn connect(settings: &Settings) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let (backend, url) = parse_database_url(&settings.database_url)?;
        let options = AnyConnectOptions::from_str(&url)?;
        let statement_timeout_ms = settings.database_statement_timeout.as_millis();
        let pool_options = AnyPoolOptions::new()
            .max_connections(settings.database_max_connections)
            .acquire_timeout(settings.database_acquire_timeout)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    let setup: &[&str] = match backend {
                        Backend::Sqlite => &[
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA synchronous = NORMAL",
                            "PRAGMA foreign_keys = ON",
                            "PRAGMA busy_timeout = 15000",
                        ],
                        Backend::Postgres => &[],
                    };
                    for statement in setup {
                        sqlx::query(sqlx::AssertSqlSafe(*statement)).execute(&mut *conn).await?;
                    }
                    if backend == Backend::Postgres {
                        let set = format!("SET statement_timeout = {statement_timeout_ms}");
                        sqlx::query(sqlx::AssertSqlSafe(set)).execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            });
        let deadline = std::time::Instant::now() + settings.database_startup_timeout;
        let pool = loop {
            match pool_options
                .clone()
                .connect_with(options.clone())
                .await
                .map_err(StoreError::from)
            {
                Ok(pool) => break pool,
                Err(StoreError::Unavailable(error)) if std::time::Instant::now() < deadline => {
                    tracing::warn!(%error, "database not reachable yet; retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(error) => return Err(error),
            }
        };
        let store = Self { pool, backend };
        store.migrate().await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    /// Writes on SQLite take the write lock up front so that concurrent
    /// writers queue instead of failing when they upgrade a read lock.
    /// PostgreSQL relies on row locks and unique indexes instead.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}
