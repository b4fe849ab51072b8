//! All SQL lives here. Handlers see `Store` and its use-case methods only, so
//! the backend can change without touching them.

mod api_keys;
mod entities;
mod idempotency;
mod programs;
mod sessions;

use std::{str::FromStr, time::Duration};

use sqlx::{
    SqlitePool,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
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
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("migration failed")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL {0:?}: use a sqlite: URL or a file path")]
    UnsupportedUrl(String),
}

#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

impl Store {
    /// Opens (creating if needed) the database named by the settings and
    /// applies pending migrations.
    pub async fn connect(settings: &Settings) -> Result<Self, StoreError> {
        let options = sqlite_options(&settings.database_url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(15));
        let pool = SqlitePoolOptions::new()
            .max_connections(settings.database_max_connections)
            .connect_with(options)
            .await?;
        let store = Self { pool };
        store.migrate().await?;
        Ok(store)
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        SQLITE_MIGRATIONS.run(&self.pool).await?;
        Ok(())
    }

    /// Writes take the database's write lock up front so that concurrent
    /// writers queue instead of failing when they upgrade a read lock.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StoreError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn sqlite_options(url: &str) -> Result<SqliteConnectOptions, StoreError> {
    if url.starts_with("sqlite:") {
        SqliteConnectOptions::from_str(url).map_err(|_| StoreError::UnsupportedUrl(url.to_owned()))
    } else if url.contains("://") {
        Err(StoreError::UnsupportedUrl(url.to_owned()))
    } else {
        Ok(SqliteConnectOptions::new().filename(url))
    }
}

fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}
