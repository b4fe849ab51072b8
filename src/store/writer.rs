//! SQLite's single writer, with group commit.
//!
//! SQLite lets one connection write at a time, and each commit appends every
//! page it changed to the write-ahead log. Units of work therefore queue, in
//! arrival order, for the one write connection; instead of each opening and
//! committing a transaction of its own, the units that queued together share
//! one: the first opens it (`BEGIN IMMEDIATE`), each runs inside a savepoint
//! of it (so that its failure undoes only its own changes), and a flush
//! commits them all at once. A unit's `commit` returns only once that shared
//! `COMMIT` has succeeded, so an acknowledged write is as durable as before;
//! if the `COMMIT` fails, every unit of the batch gets the error.
//!
//! The flush is a task of its own, spawned (on the runtime the store was
//! opened on, which outlives every request) when the batch gets its first
//! committed unit: it queues for the connection behind the units already
//! waiting (the lock is fair), so they join the batch, and a request that
//! goes away while waiting cannot leave a batch uncommitted.
//!
//! sqlx counts the transactions open on a connection; every transaction
//! statement's acknowledgement comes after the statements queued before it,
//! so the count read then is exact, and it is checked after each one. A
//! count other than expected (a rollback that failed because SQLite had
//! already ended the whole transaction, say) fails the batch and replaces
//! the connection: a `RELEASE` can then never act as a `COMMIT`, nor a unit
//! run outside the batch's transaction. A holder that ended abruptly (an
//! error, a request gone mid-statement) leaves the connection marked: the
//! next holder first waits for the queued rollbacks, checks the count and
//! finishes what they did not.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::Duration,
};

use sqlx::{
    ConnectOptions, Connection, SqliteConnection,
    sqlite::{SqliteConnectOptions, SqliteTransactionManager},
};
use sqlx_core::transaction::TransactionManager;
use tokio::sync::{Mutex, OwnedMutexGuard, watch};

use super::{
    StoreError,
    checkpoints::{self, Checkpoints},
};

/// The write connection and the transaction open on it, if any.
#[derive(Clone)]
pub(super) struct Writer(Arc<Shared>);

struct Shared {
    /// The write connection's options: the store's, checkpointing only as
    /// a backstop ([`Checkpoints`] runs them).
    options: SqliteConnectOptions,
    checkpoints: Checkpoints,
    state: Arc<Mutex<WriterState>>,
    /// Where flushes run: the runtime the store was opened on.
    runtime: tokio::runtime::Handle,
    /// How long a unit waits for the connection before it is refused.
    acquire_timeout: Duration,
    /// A flush was dropped unfinished (its runtime shut down): the next
    /// holder of the lock replaces the connection.
    abandoned: AtomicBool,
}

pub(super) struct WriterState {
    conn: SqliteConnection,
    /// A transaction statement failed on `conn` and it could not be
    /// replaced at once: it is before its next use.
    broken: bool,
    /// The last holder ended without an orderly finish: the next one checks
    /// (and completes) its rollback before using the connection.
    unsettled: bool,
    /// The store closed: no unit begins any more.
    closed: bool,
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

    fn members(&self) -> usize {
        self.members.load(Ordering::Acquire)
    }

    fn finished(&self) -> bool {
        self.outcome.borrow().is_some()
    }

    fn finish(&self, outcome: Result<(), String>) {
        self.outcome.send_if_modified(|now| {
            let first = now.is_none();
            if first {
                *now = Some(outcome);
            }
            first
        });
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

fn depth(conn: &SqliteConnection) -> usize {
    SqliteTransactionManager::get_transaction_depth(conn)
}

/// The writer, as the checkpointing task holds it: not kept open by it.
pub(super) struct WeakWriter(std::sync::Weak<Shared>);

impl WeakWriter {
    pub(super) fn upgrade(&self) -> Option<Writer> {
        self.0.upgrade().map(Writer)
    }
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").finish_non_exhaustive()
    }
}

impl Writer {
    /// Opens the write connection (creating the file and switching it to
    /// WAL when new). Flushes will run on the current runtime; checkpoints
    /// run once [`Writer::start_checkpoints`] is called.
    pub(super) async fn connect(options: SqliteConnectOptions, acquire_timeout: Duration) -> Result<Self, sqlx::Error> {
        let writes = options.pragma("wal_autocheckpoint", checkpoints::BACKSTOP_PAGES.to_string());
        let conn = writes.connect().await?;
        Ok(Self(Arc::new(Shared {
            options: writes,
            checkpoints: Checkpoints::new(),
            state: Arc::new(Mutex::new(WriterState {
                conn,
                broken: false,
                unsettled: false,
                closed: false,
                batch: None,
            })),
            runtime: tokio::runtime::Handle::current(),
            acquire_timeout,
            abandoned: AtomicBool::new(false),
        })))
    }

    /// Starts checkpointing the log ([`super::checkpoints`]) on the current
    /// runtime, on connections borrowed from `readers`.
    pub(super) fn start_checkpoints(&self, readers: super::readers::Readers<SqliteConnection>) {
        self.0.checkpoints.start(readers, WeakWriter(Arc::downgrade(&self.0)));
    }

    /// Queues for the write connection (refused after the acquire timeout,
    /// as a pool would), and readies it: see [`ready`].
    async fn lock(&self) -> Result<OwnedMutexGuard<WriterState>, StoreError> {
        let shared = &self.0;
        let mut guard = tokio::time::timeout(shared.acquire_timeout, shared.state.clone().lock_owned())
            .await
            .map_err(|_| StoreError::Unavailable(sqlx::Error::PoolTimedOut))?;
        if guard.closed {
            return Err(StoreError::Unavailable(sqlx::Error::PoolClosed));
        }
        ready(&mut guard, shared).await?;
        Ok(guard)
    }

    /// Queues for the write connection and starts a unit of work on it, in
    /// a savepoint of the open batch (opening one first if there is none).
    pub(super) async fn begin(&self) -> Result<SqliteUnit, StoreError> {
        let options = &self.0.options;
        let mut guard = self.lock().await?;
        // Until the unit is handed out, an abrupt end here is the next
        // holder's to tidy.
        guard.unsettled = true;
        let batch = match guard.batch.clone() {
            Some(batch) => batch,
            None => {
                let begin = Some(sqlx::SqlSafeStr::into_sql_str("BEGIN IMMEDIATE"));
                if let Err(error) = SqliteTransactionManager::begin(&mut guard.conn, begin).await {
                    // Busy past the timeout (another process writes), or a
                    // state this did not expect: a fresh connection is the
                    // known state either way.
                    poison(&mut guard, options, &error.to_string()).await;
                    return Err(error.into());
                }
                let batch = Batch::new();
                guard.batch = Some(batch.clone());
                batch
            }
        };
        // Held from here: a request gone while the savepoint is acknowledged
        // still rolls back a batch it opened.
        let mut held = Held {
            guard,
            batch: batch.clone(),
            open: true,
            savepoint: false,
        };
        let began = SqliteTransactionManager::begin(&mut held.guard.conn, None).await;
        match (began, depth(&held.guard.conn)) {
            (Ok(()), 2) => held.savepoint = true,
            (Ok(()), depth) => {
                held.open = false;
                let reason = format!("a savepoint left the write connection {depth} transactions deep");
                poison(&mut held.guard, options, &reason).await;
                return Err(failed(&reason));
            }
            (Err(error), _) => {
                held.open = false;
                poison(&mut held.guard, options, &error.to_string()).await;
                return Err(error.into());
            }
        }
        Ok(SqliteUnit {
            held,
            batch,
            writer: self.clone(),
        })
    }

    /// Commits `batch` on a runtime that outlives the request: if that
    /// runtime is gone, the batch fails and the connection is replaced.
    fn spawn_flush(&self, batch: Arc<Batch>) {
        let duty = FlushDuty {
            writer: self.clone(),
            batch,
            done: false,
        };
        self.0.runtime.spawn(duty.run());
    }

    /// The write connection with no transaction open: for statements that
    /// must run outside a transaction (migrations, checkpoints).
    ///
    /// The open batch is committed here rather than waited for: its flush,
    /// queued for the lock, then finds it done. Waiting would let the units
    /// queued meanwhile open the next batch first, and under a load that
    /// never lets the queue empty, this would wait for as long as it lasts.
    pub(super) async fn exclusive(&self) -> Result<OwnedMutexGuard<WriterState>, StoreError> {
        let mut guard = self.lock().await?;
        // After `ready`, an open batch has committed units and awaits its
        // flush (one that had none was rolled back).
        if let Some(batch) = guard.batch.clone() {
            commit_batch(&mut guard, &batch, &self.0).await;
        }
        Ok(guard)
    }

    /// Applies pending migrations while no unit of work runs, on a
    /// connection of their own.
    pub(super) async fn migrate(&self, migrator: &sqlx::migrate::Migrator) -> Result<(), StoreError> {
        let _exclusive = self.exclusive().await?;
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(self.0.options.clone())
            .await?;
        let applied = migrator.run(&pool).await;
        pool.close().await;
        self.0.checkpoints.committed();
        Ok(applied?)
    }

    /// Lets what is queued commit, refuses units from then on, closes the
    /// connection, and stops the checkpointing task (the last connection of
    /// the file to close checkpoints the write-ahead log and removes it).
    pub(super) async fn close(&self) {
        let mut guard = loop {
            let mut guard = self.0.state.clone().lock_owned().await;
            if !guard.closed {
                // Tidies what an abrupt end left: only a batch with committed
                // units and a flush to come is waited for.
                let _ = ready(&mut guard, &self.0).await;
            }
            match guard.batch.clone() {
                Some(batch) if !guard.closed && batch.members() > 0 && !batch.finished() => {
                    drop(guard);
                    let _ = batch.outcome().await;
                }
                _ => break guard,
            }
        };
        guard.closed = true;
        if let Some(batch) = guard.batch.take() {
            batch.finish(Err("the store closed".to_owned()));
        }
        // A connection to nothing takes its place, so that the real one can
        // be closed.
        match SqliteConnectOptions::new().in_memory(true).connect().await {
            Ok(placeholder) => {
                let conn = std::mem::replace(&mut guard.conn, placeholder);
                if let Err(error) = conn.close().await {
                    tracing::warn!(%error, "closing the SQLite write connection");
                }
            }
            Err(error) => tracing::warn!(%error, "closing the SQLite write connection"),
        }
        // The checkpointing task may be queued for this lock.
        drop(guard);
        self.0.checkpoints.close().await;
    }

    /// Whether a unit of work (or a commit) holds the connection now.
    pub(super) fn busy(&self) -> bool {
        self.0.state.try_lock().is_err()
    }
}

impl WriterState {
    pub(super) fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.conn
    }
}

/// Readies the connection for its new holder: replaced if it broke (or a
/// flush was abandoned); if the last holder ended abruptly, its queued
/// rollbacks are awaited and checked, and finished where they did not take
/// (a rollback sqlx skipped because a cancelled statement before it went
/// unacknowledged). A batch no unit committed into is rolled back whole.
/// Safe to cancel: the mark stays until this completes.
async fn ready(guard: &mut WriterState, shared: &Shared) -> Result<(), StoreError> {
    let options = &shared.options;
    if shared.abandoned.swap(false, Ordering::AcqRel) {
        poison(guard, options, "a flush was abandoned").await;
    }
    if guard.unsettled && !guard.broken {
        let synced = guard.conn.ping().await;
        let kept = match &guard.batch {
            Some(batch) if batch.members() > 0 => 1,
            _ => 0,
        };
        let mut clean = synced.is_ok();
        while clean && depth(&guard.conn) > kept {
            clean = SqliteTransactionManager::rollback(&mut guard.conn).await.is_ok();
        }
        if clean && depth(&guard.conn) == kept {
            if kept == 0
                && let Some(batch) = guard.batch.take()
            {
                batch.finish(Err("no unit committed into the write batch".to_owned()));
            }
        } else {
            poison(guard, options, "an abandoned unit's rollback did not take").await;
        }
    }
    guard.unsettled = false;
    if guard.broken {
        replace(guard, options).await?;
    }
    Ok(())
}

/// Puts a fresh connection in place of the current one, which is closed
/// (rolling back whatever it still held).
async fn replace(guard: &mut WriterState, options: &SqliteConnectOptions) -> Result<(), StoreError> {
    let fresh = options.connect().await?;
    let old = std::mem::replace(&mut guard.conn, fresh);
    guard.broken = false;
    if let Err(error) = old.close().await {
        tracing::warn!(%error, "closing the broken SQLite write connection");
    }
    Ok(())
}

/// A transaction statement failed, or left the connection in a state other
/// than expected: the open transaction's state is unknown. Every unit of
/// the batch learns that its work was not committed, and the connection is
/// replaced (at once if it can be, else before its next use).
async fn poison(guard: &mut WriterState, options: &SqliteConnectOptions, reason: &str) {
    tracing::error!(
        reason,
        "SQLite write transaction failed; replacing the write connection"
    );
    if let Some(batch) = guard.batch.take() {
        batch.finish(Err(reason.to_owned()));
    }
    guard.broken = true;
    guard.unsettled = false;
    if let Err(error) = replace(guard, options).await {
        tracing::error!(%error, "reopening the SQLite write connection; retrying before the next write");
        // Releases the file's write lock meanwhile; fails harmlessly when
        // the failure already ended the transaction.
        let _ = sqlx::query("ROLLBACK").execute(&mut guard.conn).await;
    }
}

/// Commits the open batch, checking that the connection is left with no
/// transaction: a rollback that failed and left a savepoint counted would
/// otherwise turn this `COMMIT` into a `RELEASE`.
async fn commit_batch(guard: &mut WriterState, batch: &Arc<Batch>, shared: &Shared) {
    let options = &shared.options;
    // Cancelled while waiting for the acknowledgement, the next holder
    // finds the connection marked.
    guard.unsettled = true;
    let committed = SqliteTransactionManager::commit(&mut guard.conn).await;
    match (committed, depth(&guard.conn)) {
        (Ok(()), 0) => {
            guard.batch = None;
            #[allow(clippy::cast_precision_loss)] // a count of units, far below 2^52
            metrics::histogram!("onboarding_sqlite_commit_units").record(batch.members() as f64);
            batch.finish(Ok(()));
            shared.checkpoints.committed();
        }
        (Ok(()), depth) => {
            let reason = format!("the write connection is still {depth} transactions deep after the shared commit");
            poison(guard, options, &reason).await;
        }
        (Err(error), _) => poison(guard, options, &error.to_string()).await,
    }
    guard.unsettled = false;
}

/// The flush of one batch. Dropped unfinished (its runtime shut down before
/// it ran), it fails the batch and has the connection replaced.
struct FlushDuty {
    writer: Writer,
    batch: Arc<Batch>,
    done: bool,
}

impl FlushDuty {
    /// Commits the batch, once the units queued before this flush joined it.
    async fn run(mut self) {
        let shared = &self.writer.0;
        let mut guard = shared.state.lock().await;
        // A connection it cannot ready is poisoned: the batch has failed.
        if ready(&mut guard, shared).await.is_ok()
            && guard.batch.as_ref().is_some_and(|open| Arc::ptr_eq(open, &self.batch))
        {
            commit_batch(&mut guard, &self.batch, shared).await;
        }
        self.done = true;
    }
}

impl Drop for FlushDuty {
    fn drop(&mut self) {
        if !self.done && !self.batch.finished() {
            self.batch.finish(Err("the write batch was abandoned".to_owned()));
            self.writer.0.abandoned.store(true, Ordering::Release);
        }
    }
}

/// The write connection as a unit holds it. A unit that ends without
/// committing (an error, a request gone) rolls back as this is dropped:
/// its savepoint, and the whole transaction too when no unit committed into
/// it yet. The rollbacks are queued on the connection ahead of whatever the
/// next holder sends, and the connection is marked for that holder to check
/// they took.
struct Held {
    guard: OwnedMutexGuard<WriterState>,
    batch: Arc<Batch>,
    /// Not yet committed: roll back on drop.
    open: bool,
    /// The unit's savepoint was acknowledged (a savepoint cancelled before
    /// its acknowledgement is rolled back by sqlx itself).
    savepoint: bool,
}

impl Drop for Held {
    fn drop(&mut self) {
        if self.open {
            if self.savepoint {
                SqliteTransactionManager::start_rollback(&mut self.guard.conn);
            }
            if self.batch.members() == 0 {
                SqliteTransactionManager::start_rollback(&mut self.guard.conn);
                if let Some(batch) = self.guard.batch.take() {
                    batch.finish(Err("no unit committed into the write batch".to_owned()));
                }
            }
            self.guard.unsettled = true;
        }
    }
}

/// A unit of work on SQLite's write connection.
pub(super) struct SqliteUnit {
    held: Held,
    batch: Arc<Batch>,
    writer: Writer,
}

impl SqliteUnit {
    pub(super) fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.held.guard.conn
    }

    /// Releases the unit's savepoint into the batch, lets the next unit in,
    /// and returns once the batch has committed.
    pub(super) async fn commit(self) -> Result<(), StoreError> {
        let Self {
            mut held,
            batch,
            writer,
        } = self;
        let released = SqliteTransactionManager::commit(&mut held.guard.conn).await;
        held.open = false;
        match (released, depth(&held.guard.conn)) {
            (Ok(()), 1) => held.guard.unsettled = false,
            (Ok(()), depth) => {
                let reason = format!("a release left the write connection {depth} transactions deep");
                poison(&mut held.guard, &writer.0.options, &reason).await;
                return Err(failed(&reason));
            }
            (Err(error), _) => {
                poison(&mut held.guard, &writer.0.options, &error.to_string()).await;
                return Err(error.into());
            }
        }
        if batch.members.fetch_add(1, Ordering::AcqRel) == 0 {
            writer.spawn_flush(batch.clone());
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
        let others = batch.members() > 0;
        drop(held);
        if others { batch.outcome().await } else { Ok(()) }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::str::FromStr;

    use super::*;

    async fn writer(dir: &tempfile::TempDir, acquire_timeout: Duration) -> Writer {
        let url = format!("sqlite://{}", dir.path().join("w.db").display());
        let options = SqliteConnectOptions::from_str(&url)
            .unwrap()
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
        let writer = Writer::connect(options, acquire_timeout).await.unwrap();
        sqlx::query("CREATE TABLE t (x INTEGER NOT NULL)")
            .execute(writer.exclusive().await.unwrap().conn())
            .await
            .unwrap();
        writer
    }

    async fn insert(unit: &mut SqliteUnit, x: i64) {
        sqlx::query("INSERT INTO t (x) VALUES ($1)")
            .bind(x)
            .execute(unit.conn())
            .await
            .unwrap();
    }

    /// A unit that inserts `x` and commits.
    async fn commit_value(writer: &Writer, x: i64) {
        let mut unit = writer.begin().await.unwrap();
        insert(&mut unit, x).await;
        unit.commit().await.unwrap();
    }

    async fn rows(writer: &Writer) -> Vec<i64> {
        sqlx::query_scalar("SELECT x FROM t ORDER BY x")
            .fetch_all(writer.exclusive().await.unwrap().conn())
            .await
            .unwrap()
    }

    fn pause() -> tokio::time::Sleep {
        tokio::time::sleep(Duration::from_millis(30))
    }

    /// SQLite may end the whole transaction when a statement fails (disk
    /// full, I/O error); the unit's savepoint rollback then fails unseen.
    /// The next holder of the connection checks it: the batch fails (its
    /// committed unit learns its work was lost), the connection is replaced,
    /// and nothing commits outside a batch.
    #[tokio::test]
    async fn a_transaction_ended_under_a_unit_fails_its_batch_and_the_next_unit_starts_afresh() {
        let dir = tempfile::tempdir().unwrap();
        let writer = writer(&dir, Duration::from_secs(5)).await;
        let mut first = writer.begin().await.unwrap();
        insert(&mut first, 1).await;
        let ending = {
            let writer = writer.clone();
            tokio::spawn(async move {
                let mut unit = writer.begin().await.unwrap();
                insert(&mut unit, 2).await;
                sqlx::query("ROLLBACK").execute(unit.conn()).await.unwrap();
            })
        };
        pause().await;
        let later = {
            let writer = writer.clone();
            tokio::spawn(async move {
                let mut unit = writer.begin().await?;
                insert(&mut unit, 3).await;
                unit.commit().await
            })
        };
        pause().await;
        let first = tokio::spawn(first.commit());
        ending.await.unwrap();
        assert!(
            first.await.unwrap().is_err(),
            "the batch's committed unit learns it was lost"
        );
        later.await.unwrap().unwrap();
        assert_eq!(
            rows(&writer).await,
            vec![3],
            "only the unit after the failure committed"
        );
        commit_value(&writer, 4).await;
        assert_eq!(rows(&writer).await, vec![3, 4]);
    }

    /// A request that goes away mid-unit (actix drops its future) leaves
    /// nothing behind, whether it was the batch's first unit or a later one.
    #[tokio::test]
    async fn units_cancelled_mid_way_leave_nothing_and_the_writer_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let writer = writer(&dir, Duration::from_secs(5)).await;
        let cancelled = |x| {
            let writer = writer.clone();
            async move {
                let unit = async {
                    let mut unit = writer.begin().await.unwrap();
                    insert(&mut unit, x).await;
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    unit.commit().await
                };
                assert!(tokio::time::timeout(Duration::from_millis(20), unit).await.is_err());
            }
        };
        cancelled(1).await;
        let mut kept = writer.begin().await.unwrap();
        insert(&mut kept, 2).await;
        let kept = tokio::spawn(kept.commit());
        cancelled(3).await;
        kept.await.unwrap().unwrap();
        commit_value(&writer, 4).await;
        assert_eq!(rows(&writer).await, vec![2, 4]);
    }

    /// The runtime flushes run on is gone (a shutdown): commits fail rather
    /// than hang, the connection is replaced, and closing still finishes.
    #[tokio::test]
    async fn with_its_flush_runtime_gone_a_commit_fails_and_close_finishes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_owned();
        let writer = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let dir = tempfile::TempDir::new_in(path).unwrap();
            let writer = runtime.block_on(writer(&dir, Duration::from_secs(5)));
            (writer, dir.keep())
        })
        .join()
        .unwrap()
        .0;
        let mut unit = writer.begin().await.unwrap();
        insert(&mut unit, 1).await;
        let committed = tokio::time::timeout(Duration::from_secs(5), unit.commit()).await;
        assert!(committed.expect("a commit does not hang").is_err());
        tokio::time::timeout(Duration::from_secs(5), writer.close())
            .await
            .expect("closing does not hang");
    }

    #[tokio::test]
    async fn a_unit_waiting_past_the_acquire_timeout_is_refused_as_unavailable() {
        let dir = tempfile::tempdir().unwrap();
        let writer = writer(&dir, Duration::from_millis(100)).await;
        let holding = writer.begin().await.unwrap();
        let waited = writer.begin().await;
        assert!(matches!(waited, Err(StoreError::Unavailable(_))));
        drop(holding);
        writer.begin().await.unwrap().commit().await.unwrap();
    }

    #[tokio::test]
    async fn closing_commits_what_was_queued_then_refuses_units() {
        let dir = tempfile::tempdir().unwrap();
        let writer = writer(&dir, Duration::from_secs(5)).await;
        let mut unit = writer.begin().await.unwrap();
        insert(&mut unit, 7).await;
        let committed = tokio::spawn(unit.commit());
        writer.close().await;
        committed.await.unwrap().unwrap();
        assert!(matches!(writer.begin().await, Err(StoreError::Unavailable(_))));
        let wal = dir.path().join("w.db-wal");
        assert!(
            !wal.exists(),
            "closing the last connection checkpoints and removes the log"
        );
    }

    /// The write connection checkpoints only as a backstop; the task does,
    /// and under writes that never pause (each unit queued before the last
    /// one's commit), it still has the log start over instead of growing
    /// for as long as they last.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn under_writes_that_never_pause_the_log_still_starts_over() {
        let dir = tempfile::tempdir().unwrap();
        let writer = writer(&dir, Duration::from_secs(5)).await;
        let url = format!("sqlite://{}", dir.path().join("w.db").display());
        let options = SqliteConnectOptions::from_str(&url).unwrap();
        let readers = super::super::readers::Readers::sqlite(options, 1, Duration::from_secs(5))
            .await
            .unwrap();
        writer.start_checkpoints(readers.clone());
        let automatic: i64 = sqlx::query_scalar("PRAGMA wal_autocheckpoint")
            .fetch_one(writer.exclusive().await.unwrap().conn())
            .await
            .unwrap();
        assert_eq!(
            automatic,
            i64::from(checkpoints::BACKSTOP_PAGES),
            "the write connection leaves checkpoints to the task"
        );
        sqlx::query("CREATE TABLE pages (body BLOB NOT NULL)")
            .execute(writer.exclusive().await.unwrap().conn())
            .await
            .unwrap();
        // Sixteen writers, each starting its next unit at once, so that
        // units are always queued: 12,000 pages in all (a 6,000-byte row
        // takes two), far more than one log's worth.
        let (writers, units, pages_per_unit) = (16_u64, 375, 2);
        let running: Vec<_> = (0..writers)
            .map(|_| {
                let writer = writer.clone();
                tokio::spawn(async move {
                    for _ in 0..units {
                        let mut unit = writer.begin().await.unwrap();
                        sqlx::query("INSERT INTO pages (body) VALUES (zeroblob(6000))")
                            .execute(unit.conn())
                            .await
                            .unwrap();
                        unit.commit().await.unwrap();
                    }
                })
            })
            .collect();
        for each in running {
            each.await.unwrap();
        }
        let wal = std::fs::metadata(dir.path().join("w.db-wal")).unwrap().len();
        let total = writers * units * pages_per_unit * 4_096;
        assert!(
            wal < total / 3,
            "the log was reused: {wal} bytes for {total} bytes of pages written"
        );
        writer.close().await;
        readers.close().await;
    }
}
