//! SQLite's single writer, with group commit.
//!
//! SQLite lets one connection write at a time, and each commit appends every
//! page it changed to the write-ahead log. Units of work therefore queue, in
//! arrival order, for the one write connection; instead of each opening and
//! committing a transaction of its own, the units that queued together share
//! one: the first opens it (`BEGIN IMMEDIATE`), each later one runs inside a
//! savepoint (so that its failure undoes only its own changes), and a flush
//! commits them all at once. A unit's `commit` returns only once that shared
//! `COMMIT` has succeeded, so an acknowledged write is as durable as before;
//! if the `COMMIT` fails, every unit of the batch gets the error.
//!
//! The flush is a task of its own, spawned when the batch gets its first
//! committed unit: it queues for the connection behind the units already
//! waiting (the lock is fair), so they join the batch, and a request that
//! goes away while waiting cannot leave a batch uncommitted.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use sqlx::{
    ConnectOptions, Connection, SqliteConnection,
    sqlite::{SqliteConnectOptions, SqliteTransactionManager},
};
use sqlx_core::transaction::TransactionManager;
use tokio::sync::{Mutex, OwnedMutexGuard, watch};

use super::StoreError;

/// The write connection and the transaction open on it, if any.
pub(super) struct Writer {
    options: SqliteConnectOptions,
    state: Arc<Mutex<WriterState>>,
}

pub(super) struct WriterState {
    conn: SqliteConnection,
    /// A transaction statement failed on `conn`: it is replaced by a fresh
    /// connection before its next use.
    broken: bool,
    /// The transaction open now, shared by the units committed into it.
    batch: Option<Arc<Batch>>,
}

/// One shared transaction: how many units committed into it, and its outcome.
struct Batch {
    members: AtomicUsize,
    outcome: watch::Sender<Option<Result<(), String>>>,
}

impl Batch {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            members: AtomicUsize::new(0),
            outcome: watch::Sender::new(None),
        })
    }

    fn finish(&self, outcome: Result<(), String>) {
        self.outcome.send_replace(Some(outcome));
    }

    /// Waits for the batch's `COMMIT` (or its failure).
    async fn outcome(&self) -> Result<(), StoreError> {
        let mut receiver = self.outcome.subscribe();
        let outcome = receiver
            .wait_for(Option::is_some)
            .await
            .map(|outcome| outcome.clone())
            .unwrap_or(None);
        match outcome {
            Some(Ok(())) => Ok(()),
            Some(Err(reason)) => Err(failed(&reason)),
            None => Err(failed("the write batch was abandoned")),
        }
    }
}

fn failed(reason: &str) -> StoreError {
    StoreError::Database(sqlx::Error::Protocol(format!("the shared commit failed: {reason}")))
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").finish_non_exhaustive()
    }
}

impl Writer {
    /// Opens the write connection (creating the file and switching it to
    /// WAL when new).
    pub(super) async fn connect(options: SqliteConnectOptions) -> Result<Self, sqlx::Error> {
        let conn = options.connect().await?;
        Ok(Self {
            options,
            state: Arc::new(Mutex::new(WriterState {
                conn,
                broken: false,
                batch: None,
            })),
        })
    }

    /// Queues for the write connection, replacing it first if it broke.
    async fn lock(&self) -> Result<OwnedMutexGuard<WriterState>, StoreError> {
        let mut guard = self.state.clone().lock_owned().await;
        if guard.broken {
            let fresh = self.options.connect().await?;
            let old = std::mem::replace(&mut guard.conn, fresh);
            guard.broken = false;
            // Closing rolls back whatever it still held.
            if let Err(error) = old.close().await {
                tracing::warn!(%error, "closing the broken SQLite write connection");
            }
        }
        Ok(guard)
    }

    /// Queues for the write connection and starts a unit of work on it: in
    /// the open batch if there is one, else in a new one.
    pub(super) async fn begin(&self) -> Result<SqliteUnit, StoreError> {
        let mut guard = self.lock().await?;
        let (batch, savepoint) = match guard.batch.clone() {
            Some(batch) => {
                if let Err(error) = SqliteTransactionManager::begin(&mut guard.conn, None).await {
                    poison(&mut guard, &error).await;
                    return Err(error.into());
                }
                (batch, true)
            }
            None => {
                let begin = || Some(sqlx::SqlSafeStr::into_sql_str("BEGIN IMMEDIATE"));
                match SqliteTransactionManager::begin(&mut guard.conn, begin()).await {
                    Ok(()) => {}
                    // Still in a transaction that a failed rollback left
                    // behind: a fresh connection has none.
                    Err(error @ sqlx::Error::InvalidSavePointStatement) => {
                        poison(&mut guard, &error).await;
                        drop(guard);
                        guard = self.lock().await?;
                        SqliteTransactionManager::begin(&mut guard.conn, begin()).await?;
                    }
                    // A failed BEGIN (another process holds the file's write
                    // lock past the busy timeout) leaves no transaction behind.
                    Err(error) => return Err(error.into()),
                }
                let batch = Batch::new();
                guard.batch = Some(batch.clone());
                (batch, false)
            }
        };
        Ok(SqliteUnit {
            held: Held {
                guard,
                savepoint,
                open: true,
            },
            batch,
            state: self.state.clone(),
        })
    }

    /// The write connection with no transaction open, once every batch
    /// before has been committed: for statements that must run outside a
    /// transaction (migrations, checkpoints).
    pub(super) async fn exclusive(&self) -> Result<OwnedMutexGuard<WriterState>, StoreError> {
        loop {
            let guard = self.lock().await?;
            let Some(batch) = guard.batch.clone() else {
                return Ok(guard);
            };
            drop(guard);
            // Its outcome is its units' business; this only waits for it.
            let _ = batch.outcome().await;
        }
    }

    /// Applies pending migrations while no unit of work runs, on a
    /// connection of their own.
    pub(super) async fn migrate(&self, migrator: &sqlx::migrate::Migrator) -> Result<(), StoreError> {
        let _exclusive = self.exclusive().await?;
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(self.options.clone())
            .await?;
        let applied = migrator.run(&pool).await;
        pool.close().await;
        Ok(applied?)
    }

    /// Whether a unit of work (or a commit) holds the connection now.
    pub(super) fn busy(&self) -> bool {
        self.state.try_lock().is_err()
    }
}

impl WriterState {
    pub(super) fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.conn
    }
}

/// A transaction statement failed: the open transaction's state is unknown.
/// It is rolled back, every unit of the batch learns that its work was not
/// committed, and the connection is replaced before its next use.
async fn poison(guard: &mut WriterState, error: &sqlx::Error) {
    tracing::error!(%error, "SQLite write transaction failed; replacing the write connection");
    if let Some(batch) = guard.batch.take() {
        batch.finish(Err(error.to_string()));
    }
    guard.broken = true;
    // Releases the file's write lock now rather than when the connection is
    // replaced; it fails harmlessly when the failure already ended it.
    let _ = sqlx::query("ROLLBACK").execute(&mut guard.conn).await;
}

/// Commits the batch, once the units queued before this flush joined it.
async fn flush(state: Arc<Mutex<WriterState>>, batch: Arc<Batch>) {
    let mut guard = state.lock().await;
    if !guard.batch.as_ref().is_some_and(|open| Arc::ptr_eq(open, &batch)) {
        // Already finished: its connection broke.
        return;
    }
    // The commit is processed after any rollback still queued on the
    // connection, so the depth read once it is acknowledged is exact: a
    // COMMIT leaves none. Anything else (a rollback that failed and left a
    // savepoint counted) means the batch's state is unknown.
    let result = match SqliteTransactionManager::commit(&mut guard.conn).await {
        Ok(()) => match SqliteTransactionManager::get_transaction_depth(&guard.conn) {
            0 => Ok(()),
            depth => Err(sqlx::Error::Protocol(format!(
                "the write connection is still {depth} transactions deep after the shared commit"
            ))),
        },
        Err(error) => Err(error),
    };
    match result {
        Ok(()) => {
            guard.batch = None;
            batch.finish(Ok(()));
        }
        Err(error) => poison(&mut guard, &error).await,
    }
}

/// The write connection as a unit holds it. A unit that ends without
/// committing (an error, a request gone) rolls back as this is dropped:
/// its savepoint, or the whole transaction when it was the batch's first
/// unit (no other unit committed into it yet). The rollback is queued on
/// the connection ahead of whatever the next unit sends.
struct Held {
    guard: OwnedMutexGuard<WriterState>,
    /// Whether the unit runs in a savepoint of a batch others committed
    /// into; the batch's first unit runs in the transaction itself.
    savepoint: bool,
    /// Not yet committed: roll back on drop.
    open: bool,
}

impl Drop for Held {
    fn drop(&mut self) {
        if self.open {
            SqliteTransactionManager::start_rollback(&mut self.guard.conn);
            if !self.savepoint {
                self.guard.batch = None;
            }
        }
    }
}

/// A unit of work on SQLite's write connection.
pub(super) struct SqliteUnit {
    held: Held,
    batch: Arc<Batch>,
    state: Arc<Mutex<WriterState>>,
}

impl SqliteUnit {
    pub(super) fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.held.guard.conn
    }

    /// Adds the unit's changes to the batch, lets the next unit in, and
    /// returns once the batch has committed.
    pub(super) async fn commit(self) -> Result<(), StoreError> {
        let Self { mut held, batch, state } = self;
        if held.savepoint
            && let Err(error) = SqliteTransactionManager::commit(&mut held.guard.conn).await
        {
            held.open = false;
            poison(&mut held.guard, &error).await;
            return Err(error.into());
        }
        held.open = false;
        if batch.members.fetch_add(1, Ordering::AcqRel) == 0 {
            tokio::spawn(flush(state, batch.clone()));
        }
        drop(held);
        batch.outcome().await
    }

    /// Undoes the unit's changes, then waits until what it read of the
    /// batch's earlier units is committed: for a unit that answers with
    /// what a concurrent one wrote (the winner of a race), which must not be
    /// told before the winner's commit.
    pub(super) async fn settle(self) -> Result<(), StoreError> {
        let Self { held, batch, .. } = self;
        let others = batch.members.load(Ordering::Acquire) > 0;
        drop(held);
        if others { batch.outcome().await } else { Ok(()) }
    }
}
