//! All SQL lives here. The store reads and writes domain types; its row
//! structs stay private. One `Store` serves SQLite or PostgreSQL through
//! their native drivers: each query is written once and compiled for both
//! (see [`on`]), forking only where the dialects differ.

mod api_keys;
mod checkpoints;
mod coalesce;
mod custody;
mod drafts;
mod entities;
mod events;
mod idempotency;
mod programs;
mod readers;
mod sessions;
mod time;
mod writer;

use std::{str::FromStr, time::Duration};

use sqlx_core::transaction::TransactionManager;

use sqlx::{
    ConnectOptions, PgConnection, SqliteConnection,
    postgres::{PgConnectOptions, PgPoolOptions, PgTransactionManager},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous},
};

pub use api_keys::{ApiKeyOwner, ApiKeySummary, Bootstrap, KEY_CACHE_TTL, NewApiKey};
pub use custody::{AuditEntry, AuditOutcome, NewAuditEntry, ResealPosition, Resealed, RevealedNumber, Subject};
pub use entities::{EntityFilter, NewEntity};
pub use events::{AttemptOutcome, DeliveryRecord, DueDelivery, EventFilter, NewEventSubscription};
pub use idempotency::StoredResponse;
pub use sessions::{FormSession, SessionFilter};

use self::time::Ts;
use crate::{
    config::{DatabaseTarget, DatabaseUrl, Settings},
    custody::Keyring,
};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row to change does not exist.
    #[error("not found")]
    NotFound,
    /// A unique index refused the write (a concurrent writer won).
    #[error("unique constraint violated")]
    Conflict(#[source] sqlx::Error),
    /// A stored value could not be turned back into its domain type.
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    /// The database cannot be reached right now (connection lost, pool exhausted).
    #[error("database unavailable")]
    Unavailable(#[source] sqlx::Error),
    #[error("database error")]
    Database(#[source] sqlx::Error),
    #[error("migration failed")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Config(String),
}

impl StoreError {
    /// Whether the connection that failed so lost its server (or its
    /// file). A pool with no connection free in time, or closed, says
    /// nothing about the server.
    fn lost_the_server(&self) -> bool {
        matches!(self, Self::Unavailable(cause)
            if !matches!(cause, sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed))
    }
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
        } else if matches!(&error, sqlx::Error::Database(db) if db.is_unique_violation()) {
            Self::Conflict(error)
        } else {
            Self::Database(error)
        }
    }
}

impl From<crate::custody::CustodyError> for StoreError {
    fn from(error: crate::custody::CustodyError) -> Self {
        Self::Corrupt(error.to_string())
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(error: serde_json::Error) -> Self {
        Self::Corrupt(error.to_string())
    }
}

/// Which database the store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone)]
enum Pool {
    /// SQLite allows one writer at a time: units of work queue for the single
    /// write connection (first come, first served) instead of contending
    /// for the file lock through `busy_timeout` back-off, and those queued
    /// together commit together ([`writer`]); reads run alongside on `read`
    /// (WAL mode).
    Sqlite {
        read: readers::Readers<SqliteConnection>,
        writer: writer::Writer,
    },
    /// Reads and units of work (see [`PgUnit`]) on pools of their own,
    /// whose connections are lent without pings.
    Postgres {
        read: readers::Readers<PgConnection>,
        units: readers::Readers<PgConnection>,
        /// For the migrations' own connection.
        options: Box<PgConnectOptions>,
        /// Shared with the reads' pings: a unit that finds the server gone
        /// records it, so that connections idle since are checked first.
        losses: std::sync::Arc<readers::Losses>,
    },
}

/// A connection of either backend, borrowed for one store function.
pub(crate) enum Conn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

/// Runs `$body` with `$c` bound to the native connection of either backend.
/// The body is compiled once per backend, so SQL written in it must be valid
/// on both (`$N` placeholders, `RETURNING`, standard functions).
macro_rules! on {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::store::Conn::Sqlite($c) => $body,
            $crate::store::Conn::Postgres($c) => $body,
        }
    };
}
pub(crate) use on;

#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
    /// API keys verified moments ago (see [`api_keys::KeyCache`]).
    keys: std::sync::Arc<api_keys::KeyCache>,
    /// Seals personal data and secrets on their way in, opens them on their
    /// way out: nothing above the store sees a ciphertext.
    custody: std::sync::Arc<Keyring>,
    /// Wakes the webhook delivery worker when a unit of work queued deliveries.
    deliveries: std::sync::Arc<tokio::sync::Notify>,
    /// Retrieves of sessions by ID that arrive together, read in one
    /// statement (see [`coalesce`]).
    sessions_by_id: std::sync::Arc<coalesce::Coalescer<crate::domain::ids::SessionId, sessions::OwnedSessionRow>>,
    /// The hosted form's lookups by link (its hash), likewise.
    form_sessions: std::sync::Arc<coalesce::Coalescer<String, sessions::FormSessionRow>>,
}

/// The most keys one statement of coalesced lookups carries.
const BATCH: usize = 64;

/// `start` with an `IN` list for `keys` keys, rounded up to a power of two
/// (so that a handful of statements serve every batch, each prepared once):
/// `... IN ($1, $2, $3, $4)`. Bind the keys with [`padded`].
fn batch_sql(start: &str, keys: usize) -> String {
    use std::fmt::Write;
    let n = keys.max(1).next_power_of_two();
    let mut sql = String::with_capacity(start.len() + n * 5 + 2);
    sql.push_str(start);
    sql.push('(');
    for i in 1..=n {
        let separator = if i > 1 { ", " } else { "" };
        // Writing to a `String` cannot fail.
        let _ = write!(sql, "{separator}${i}");
    }
    sql.push(')');
    sql
}

/// The keys of a batch, the first repeated up to the statement's size (see
/// [`batch_sql`]).
fn padded<K>(keys: &[K]) -> impl Iterator<Item = &K> {
    let n = keys.len().max(1).next_power_of_two();
    let fill = keys.first().map(|first| std::iter::repeat_n(first, n - keys.len()));
    keys.iter().chain(fill.into_iter().flatten())
}

/// The caller's group, in a lookup by ID: `... WHERE id = $2 AND {SAME_GROUP}`.
/// Written so that no index can serve it (`IS TRUE`), which leaves the ID's
/// unique index as PostgreSQL's only choice; the other conditions of an
/// update by ID are wrapped the same way. A plain `group_id = $1` let it
/// pick a listing index that starts with `group_id` when the table's
/// statistics were taken while it was nearly empty, and keep that plan (a
/// prepared statement's generic plan) as the table grew: a retrieve then
/// read every row of the group, at 700 requests per second instead of
/// 15,000, until the next `ANALYZE`.
pub(crate) const SAME_GROUP: &str = "(group_id = $1) IS TRUE";

/// How long a PostgreSQL connection may sit idle before it is pinged on its
/// way out of the pool.
const PG_PING_AFTER_IDLE: Duration = Duration::from_secs(1);

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// Work that commits or rolls back as one: the store's transaction, handed to
/// use cases (and to the API, which records idempotent responses in it).
pub struct UnitOfWork {
    tx: Tx,
    after_commit: Vec<Box<dyn FnOnce() + Send>>,
    custody: std::sync::Arc<Keyring>,
    deliveries: std::sync::Arc<tokio::sync::Notify>,
}

enum Tx {
    Sqlite(writer::SqliteUnit),
    Postgres(PgUnit),
}

/// A unit of work on PostgreSQL: a transaction on a connection lent by the
/// units' pool, which, like the reads' pool, hands connections out without
/// pinging them on their way back. One whose `COMMIT` or `ROLLBACK` the
/// server acknowledged goes back as it is: no ping is needed to know it
/// holds nothing. One dropped with its transaction open (its request went
/// away, or a statement failed and the error was returned) queues the
/// rollback, and its drop sends it at once with a ping, on the store's
/// runtime (`Drop for Reader`), so its locks do not wait for the
/// connection's next use; a connection whose ping fails is closed.
struct PgUnit {
    /// `None` once the transaction ended.
    reader: Option<readers::Reader<PgConnection>>,
    losses: std::sync::Arc<readers::Losses>,
}

impl PgUnit {
    async fn begin(
        units: &readers::Readers<PgConnection>,
        losses: &std::sync::Arc<readers::Losses>,
    ) -> Result<Self, StoreError> {
        let mut reader = units.acquire().await.map_err(|e| noting_losses(e, losses))?;
        // Dropped on failure: the connection is pinged, and closed if lost.
        PgTransactionManager::begin(reader.conn()?, None)
            .await
            .map_err(|e| noting_losses(e, losses))?;
        Ok(Self {
            reader: Some(reader),
            losses: losses.clone(),
        })
    }

    fn conn(&mut self) -> Result<&mut PgConnection, StoreError> {
        self.reader
            .as_mut()
            .ok_or(StoreError::Unavailable(sqlx::Error::PoolClosed))?
            .conn()
    }

    async fn commit(mut self) -> Result<(), StoreError> {
        let committed = PgTransactionManager::commit(self.conn()?).await;
        self.end(committed)
    }

    async fn rollback(mut self) -> Result<(), StoreError> {
        let rolled_back = PgTransactionManager::rollback(self.conn()?).await;
        self.end(rolled_back)
    }

    /// After the transaction's last statement: the connection goes back as
    /// it is; after a failure, it is dropped as an open unit is.
    fn end(mut self, outcome: Result<(), sqlx::Error>) -> Result<(), StoreError> {
        match outcome {
            Ok(()) => {
                if let Some(reader) = self.reader.take() {
                    reader.finish(false);
                }
                Ok(())
            }
            Err(error) => Err(noting_losses(error, &self.losses)),
        }
    }
}

impl Drop for PgUnit {
    fn drop(&mut self) {
        if let Some(mut reader) = self.reader.take() {
            if let Ok(conn) = reader.conn()
                && PgTransactionManager::get_transaction_depth(conn) > 0
            {
                PgTransactionManager::start_rollback(conn);
            }
            drop(reader);
        }
    }
}

/// A failure of a unit of work on PostgreSQL: one that found the server
/// gone is recorded in `losses`, so that the connections idle since are
/// checked before their next use.
fn noting_losses(error: impl Into<StoreError>, losses: &readers::Losses) -> StoreError {
    let error = error.into();
    if error.lost_the_server() {
        losses.record();
    }
    error
}

impl UnitOfWork {
    /// Which dialect the unit's statements are written in.
    pub(crate) fn backend(&self) -> Backend {
        match self.tx {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }

    pub(crate) fn conn(&mut self) -> Result<Conn<'_>, StoreError> {
        Ok(match &mut self.tx {
            Tx::Sqlite(unit) => Conn::Sqlite(unit.conn()),
            Tx::Postgres(unit) => Conn::Postgres(unit.conn()?),
        })
    }

    /// Runs `hook` once this unit of work has committed (never if it rolls
    /// back): for effects outside the database, such as counting what it did.
    pub fn after_commit(&mut self, hook: impl FnOnce() + Send + 'static) {
        self.after_commit.push(Box::new(hook));
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        match self.tx {
            Tx::Sqlite(unit) => unit.commit().await?,
            Tx::Postgres(unit) => unit.commit().await?,
        }
        for hook in self.after_commit {
            hook();
        }
        Ok(())
    }

    /// Ends the unit without its changes, once whatever it read of
    /// concurrent units is committed: for a unit that lost a race and
    /// answers with what the winner wrote (its stored response, its
    /// Entity), which must not reach anyone before the winner's commit.
    pub async fn settle(self) -> Result<(), StoreError> {
        match self.tx {
            Tx::Sqlite(unit) => unit.settle().await,
            // Each transaction commits on its own: a winner seen is committed.
            Tx::Postgres(unit) => unit.rollback().await,
        }
    }
}

/// PostgreSQL's connections (`ONBOARDING_DB_MAX_CONNECTIONS`) shared out:
/// half for reads, the rest for units of work, at least one each (so a
/// setting of 1 opens two).
fn postgres_split(max: u32) -> (u32, u32) {
    let reads = (max / 2).max(1);
    (reads, max.saturating_sub(reads).max(1))
}

/// A pooled connection for reads outside a unit of work.
enum Pooled {
    Sqlite(readers::Reader<SqliteConnection>),
    Postgres(readers::Reader<PgConnection>),
}

impl Pooled {
    fn conn(&mut self) -> Result<Conn<'_>, StoreError> {
        Ok(match self {
            Self::Sqlite(c) => Conn::Sqlite(c.conn()?),
            Self::Postgres(c) => Conn::Postgres(c.conn()?),
        })
    }

    /// Ends a read that ran to its end: a connection that was lost is not
    /// reused. (One dropped without this was abandoned: see `Reader`.)
    fn finish<T>(self, result: &Result<T, StoreError>) {
        let lost = result.as_ref().is_err_and(StoreError::lost_the_server);
        match self {
            Self::Sqlite(reader) => reader.finish(lost),
            Self::Postgres(reader) => reader.finish(lost),
        }
    }
}

impl Store {
    /// Opens (creating if needed) the database named by the settings,
    /// retrying while it is not up yet, and applies pending migrations.
    #[tracing::instrument(skip_all)]
    pub async fn connect(settings: &Settings) -> Result<Self, StoreError> {
        // PostgreSQL's key is checked before connecting (it is required);
        // SQLite's key file is read or made once the database file opened,
        // so that a bad path is reported as the database's.
        let mut keyring = match settings.database_url.target().map_err(StoreError::Config)? {
            DatabaseTarget::Postgres(_) => Some(custody::keyring(settings)?),
            DatabaseTarget::Sqlite(_) => None,
        };
        let deadline = std::time::Instant::now() + settings.database_startup_timeout;
        loop {
            match Self::open(settings, std::sync::Arc::new(Keyring::ephemeral())).await {
                Ok(mut store) => {
                    let keyring = match keyring.take() {
                        Some(keyring) => keyring,
                        None => custody::keyring(settings)?,
                    };
                    store.custody = std::sync::Arc::new(keyring);
                    store.migrate().await?;
                    store.convert_clear_secrets().await?;
                    return Ok(store);
                }
                Err(StoreError::Unavailable(error)) if std::time::Instant::now() < deadline => {
                    tracing::warn!(%error, "database not reachable yet; retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(error) => return Err(error),
            }
        }
    }

    async fn open(settings: &Settings, custody: std::sync::Arc<Keyring>) -> Result<Self, StoreError> {
        let pool = match settings.database_url.target().map_err(StoreError::Config)? {
            DatabaseTarget::Sqlite(url) => {
                let options = SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(15))
                    .row_buffer_size(256)
                    // What is deleted or overwritten is zeroed, not left in
                    // free space (where a clear value of an earlier release
                    // would otherwise linger after its conversion).
                    .pragma("secure_delete", "on")
                    .disable_statement_logging();
                // The writer first: it creates the file and switches it to WAL.
                let writer = writer::Writer::connect(options.clone(), settings.database_acquire_timeout).await?;
                let read = readers::Readers::sqlite(
                    options,
                    settings.database_max_connections,
                    settings.database_acquire_timeout,
                )
                .await?;
                writer.start_checkpoints(read.clone());
                Pool::Sqlite { read, writer }
            }
            DatabaseTarget::Postgres(url) => {
                let options = PgConnectOptions::from_str(url)?.disable_statement_logging();
                // Set after connecting rather than as a start-up parameter,
                // which connection poolers such as PgBouncer refuse.
                let timeout = format!(
                    "SET statement_timeout = {}",
                    settings.database_statement_timeout.as_millis()
                );
                let setup: readers::Setup<PgConnection> = std::sync::Arc::new(move |conn: &mut PgConnection| {
                    let timeout = timeout.clone();
                    Box::pin(async move {
                        sqlx::query(sqlx::AssertSqlSafe(timeout)).execute(conn).await?;
                        Ok(())
                    })
                });
                let (reads, units) = postgres_split(settings.database_max_connections);
                // Reads and units of work share what either finds: after a
                // fail-over, one lost connection has all idle since checked.
                let pings = readers::Pings {
                    after_idle: PG_PING_AFTER_IDLE,
                    losses: std::sync::Arc::new(readers::Losses::new()),
                };
                let losses = pings.losses.clone();
                let read = readers::Readers::postgres(
                    options.clone(),
                    setup.clone(),
                    pings.clone(),
                    reads,
                    settings.database_acquire_timeout,
                )
                .await?;
                // Units of work on a pool of their own (see `PgUnit`), with
                // the reads' pings: after a pause, or a loss found meanwhile.
                let units =
                    readers::Readers::postgres(options.clone(), setup, pings, units, settings.database_acquire_timeout)
                        .await?;
                Pool::Postgres {
                    read,
                    units,
                    options: Box::new(options),
                    losses,
                }
            }
        };
        Ok(Self {
            pool,
            keys: std::sync::Arc::new(api_keys::KeyCache::new()),
            custody,
            deliveries: std::sync::Arc::new(tokio::sync::Notify::new()),
            sessions_by_id: std::sync::Arc::new(coalesce::Coalescer::new("session", BATCH)),
            form_sessions: std::sync::Arc::new(coalesce::Coalescer::new("form_session", BATCH)),
        })
    }

    /// Notified whenever a committed unit of work queued webhook deliveries.
    pub fn delivery_signal(&self) -> std::sync::Arc<tokio::sync::Notify> {
        self.deliveries.clone()
    }

    /// The ID of the data key that seals new values.
    pub fn data_key_id(&self) -> &str {
        self.custody.current_id()
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite { .. } => Backend::Sqlite,
            Pool::Postgres { .. } => Backend::Postgres,
        }
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.pool {
            Pool::Sqlite { writer, .. } => writer.migrate(&SQLITE_MIGRATIONS).await?,
            Pool::Postgres { options, .. } => {
                // On a connection of their own, without the statement
                // timeout: building an index on a large table may take longer.
                let pool = PgPoolOptions::new()
                    .max_connections(1)
                    .connect_with(PgConnectOptions::clone(options))
                    .await?;
                let applied = POSTGRES_MIGRATIONS.run(&pool).await;
                pool.close().await;
                applied?;
            }
        }
        Ok(())
    }

    /// Starts a unit of work. On SQLite it takes the write lock up front so
    /// concurrent writers queue instead of failing when they upgrade a read
    /// lock; PostgreSQL relies on row locks and unique indexes instead.
    pub async fn begin(&self) -> Result<UnitOfWork, StoreError> {
        let _waiting = Waiting::start();
        let tx = match &self.pool {
            Pool::Sqlite { writer, .. } => Tx::Sqlite(writer.begin().await?),
            Pool::Postgres { units, losses, .. } => Tx::Postgres(PgUnit::begin(units, losses).await?),
        };
        Ok(UnitOfWork {
            tx,
            after_commit: Vec::new(),
            custody: self.custody.clone(),
            deliveries: self.deliveries.clone(),
        })
    }

    async fn acquire(&self) -> Result<Pooled, StoreError> {
        let _waiting = Waiting::start();
        Ok(match &self.pool {
            Pool::Sqlite { read, .. } => Pooled::Sqlite(read.acquire().await?),
            Pool::Postgres { read, .. } => Pooled::Postgres(read.acquire().await?),
        })
    }

    /// Connections open and in use now, for the metrics.
    pub fn pool_usage(&self) -> PoolUsage {
        // The read connections, and those for units of work.
        let ((reads, reads_idle), (units, units_idle)) = match &self.pool {
            Pool::Sqlite { read, writer } => (read.usage(), (1, usize::from(!writer.busy()))),
            Pool::Postgres { read, units, .. } => (read.usage(), units.usage()),
        };
        let size = u32::try_from(reads + units).unwrap_or(u32::MAX);
        let idle = u32::try_from(reads_idle + units_idle).unwrap_or(u32::MAX);
        PoolUsage {
            open: size,
            in_use: size.saturating_sub(idle),
        }
    }

    /// Whether the service can take traffic: the database answers and every
    /// migration this build knows of has been applied.
    #[tracing::instrument(skip_all)]
    pub async fn readiness(&self) -> Readiness {
        let applied: Result<Vec<i64>, StoreError> = async {
            let sql = "SELECT version FROM _sqlx_migrations WHERE success";
            Ok(read!(self, conn => on!(conn, c => sqlx::query_scalar(sql).fetch_all(&mut *c).await?)))
        }
        .await;
        let known = match self.pool {
            Pool::Sqlite { .. } => &SQLITE_MIGRATIONS,
            Pool::Postgres { .. } => &POSTGRES_MIGRATIONS,
        };
        match applied {
            Err(StoreError::Unavailable(_)) => Readiness::DatabaseUnreachable,
            // It answers, but without the migrations table: nothing applied yet.
            Err(_) => Readiness::MigrationsPending(known.iter().count()),
            Ok(applied) => {
                let pending = known.iter().filter(|m| !applied.contains(&m.version)).count();
                if pending == 0 {
                    Readiness::Ready
                } else {
                    Readiness::MigrationsPending(pending)
                }
            }
        }
    }

    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite { read, writer } => {
                writer.close().await;
                read.close().await;
            }
            Pool::Postgres { read, units, .. } => {
                units.close().await;
                read.close().await;
            }
        }
    }
}

/// Connections of the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUsage {
    pub open: u32,
    pub in_use: u32,
}

/// What `GET /ready` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    DatabaseUnreachable,
    MigrationsPending(usize),
}

/// Counts a request waiting for a connection, for as long as it waits.
struct Waiting;

impl Waiting {
    fn start() -> Self {
        metrics::gauge!("onboarding_db_pool_waiting").increment(1.0);
        Self
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        metrics::gauge!("onboarding_db_pool_waiting").decrement(1.0);
    }
}

/// What opening a database URL does, for error messages: open the SQLite
/// file, or connect to the PostgreSQL host and port (never naming a user or
/// password).
pub fn describe_connection(url: &DatabaseUrl) -> String {
    match url.target() {
        Ok(DatabaseTarget::Sqlite(text)) => match SqliteConnectOptions::from_str(text) {
            Ok(options) => {
                let file = options.get_filename();
                let shown = std::env::current_dir()
                    .map(|dir| dir.join(file))
                    .unwrap_or_else(|_| file.to_owned());
                format!("open the SQLite database file {}", shown.display())
            }
            Err(_) => format!("open the SQLite database {url:?}"),
        },
        Ok(DatabaseTarget::Postgres(text)) => match PgConnectOptions::from_str(text) {
            Ok(options) => format!("connect to PostgreSQL at {}:{}", options.get_host(), options.get_port()),
            Err(_) => format!("connect to PostgreSQL at {url:?}"),
        },
        Err(reason) => reason,
    }
}

/// Runs one read on a pooled connection: `read!(self, c => body)`. The body's
/// errors must come out through `?` (not as a `Result` it evaluates to): a
/// lost connection is seen, and discarded, by the error it returned.
macro_rules! read {
    ($store:expr, $c:ident => $body:expr) => {{
        let mut pooled = $store.acquire().await?;
        let result: Result<_, $crate::store::StoreError> = async {
            let $c = pooled.conn()?;
            Ok($body)
        }
        .await;
        pooled.finish(&result);
        result?
    }};
}
pub(crate) use read;

/// A position in a newest-first listing (by `created_at`, then by insertion
/// order): the rows strictly older than it follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// `None` for a cursor of the first release, which carried only `seq`:
    /// the row's `created_at` is then looked up, so paging goes on across
    /// the upgrade.
    created_at: Option<Ts>,
    seq: i64,
}

impl Cursor {
    /// Opaque text for `next_cursor`.
    pub fn encode(self) -> String {
        use base64::Engine;
        let text = match self.created_at {
            Some(created_at) => format!("v2:{}:{}", created_at.0.timestamp_micros(), self.seq),
            None => format!("v1:{}", self.seq),
        };
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
    }

    pub fn decode(text: &str) -> Option<Self> {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let positive = |seq: &str| seq.parse::<i64>().ok().filter(|seq| *seq > 0);
        if let Some(seq) = text.strip_prefix("v1:") {
            return Some(Self {
                created_at: None,
                seq: positive(seq)?,
            });
        }
        let (micros, seq) = text.strip_prefix("v2:")?.split_once(':')?;
        let created_at = chrono::DateTime::from_timestamp_micros(micros.parse().ok()?)?;
        Some(Self {
            created_at: Some(Ts(created_at)),
            seq: positive(seq)?,
        })
    }
}

/// Which page of a listing to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub after: Option<Cursor>,
    pub limit: u32,
}

/// One page of a newest-first listing, and where the next one starts.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

impl<T> Page<T> {
    /// From up to `limit + 1` rows with their positions.
    fn from_rows<R>(
        rows: Vec<R>,
        window: Window,
        position: impl Fn(&R) -> Cursor,
        convert: impl Fn(R) -> Result<T, StoreError>,
    ) -> Result<Self, StoreError> {
        let limit = usize::try_from(window.limit).unwrap_or(usize::MAX);
        let next = if rows.len() > limit {
            rows.get(limit.saturating_sub(1)).map(&position)
        } else {
            None
        };
        let items = rows.into_iter().take(limit).map(convert).collect::<Result<_, _>>()?;
        Ok(Self { items, next })
    }
}

/// Pages up to this size have their limit written into the statement (SQLite).
const WRITTEN_LIMITS: u32 = 100;

impl Window {
    /// Appends the page's bounds to a listing query: after the cursor, newest
    /// first, one row more than the page holds (to know whether more follow).
    /// The order is that of the `(group_id, ..., created_at, seq)` indexes, so
    /// a page deep into millions of rows costs what the first one does.
    fn finish<DB>(self, query: &mut sqlx::QueryBuilder<DB>, table: &str)
    where
        DB: sqlx::Database,
        for<'t> Ts: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
        for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    {
        match self.after {
            None => {}
            Some(Cursor {
                created_at: Some(created_at),
                seq,
            }) => {
                query
                    .push(" AND (created_at, seq) < (")
                    .push_bind(created_at)
                    .push(", ")
                    .push_bind(seq)
                    .push(")");
            }
            Some(Cursor { created_at: None, seq }) => {
                query
                    .push(format!(
                        " AND (created_at, seq) < ((SELECT created_at FROM {table} WHERE seq = "
                    ))
                    .push_bind(seq)
                    .push("), ")
                    .push_bind(seq)
                    .push(")");
            }
        }
        // On SQLite, a page of at most 100 has its limit written into the
        // statement, not bound: SQLite plans with a bound `LIMIT`'s value, so
        // each new binding of it expired the prepared statement and every
        // list was parsed and planned again (about 5% of a list of 100).
        // That makes at most 100 statements of each shape; the rare larger
        // pages (Events, up to 1,000) bind it, rather than crowd the
        // statement cache. PostgreSQL keeps it bound: its generic plan for a
        // bound limit walks the listing index in order, whatever the
        // statistics say, while with a written limit a table not analysed
        // since it grew was sorted whole on every list (tests/postgres/plans.rs).
        query.push(" ORDER BY created_at DESC, seq DESC LIMIT ");
        let rows = i64::from(self.limit) + 1;
        if DB::NAME == <sqlx::Sqlite as sqlx::Database>::NAME && self.limit <= WRITTEN_LIMITS {
            query.push(rows);
        } else {
            query.push_bind(rows);
        }
    }
}

/// A row's place in the listing order.
fn position(created_at: Ts, seq: i64) -> Cursor {
    Cursor {
        created_at: Some(created_at),
        seq,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seq: i64) -> Cursor {
        let created_at = chrono::DateTime::from_timestamp_micros(1_795_000_000_123_456).unwrap();
        position(Ts(created_at), seq)
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        assert_eq!(Cursor::decode(&at(42).encode()), Some(at(42)));
        assert_eq!(Cursor::decode("not-a-cursor"), None);
        use base64::Engine;
        let encode = |text: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text);
        assert_eq!(Cursor::decode(&encode("v2:1795000000123456:-5")), None);
        let legacy = Cursor::decode(&encode("v1:5")).expect("the first release's cursors still page");
        assert_eq!((legacy.created_at, legacy.seq), (None, 5));
        assert_eq!(Cursor::decode(&legacy.encode()), Some(legacy));
        assert_eq!(Cursor::decode(&encode("v1:-5")), None);
        assert_eq!(Cursor::decode(&encode("v2:5")), None);
    }

    #[test]
    fn pages_know_when_more_follow() {
        let window = Window { after: None, limit: 2 };
        let full = Page::from_rows(vec![9, 8, 7], window, |r| at(*r), Ok).unwrap();
        assert_eq!(full.items, vec![9, 8]);
        assert_eq!(full.next, Some(at(8)));
        let last = Page::from_rows(vec![9, 8], window, |r| at(*r), Ok).unwrap();
        assert_eq!(last.next, None);
    }
}
