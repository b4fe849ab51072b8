//! Connections lent without pings: for reads on both backends, and for
//! units of work on PostgreSQL (`PgUnit`, in the store's module).
//!
//! sqlx's pool pings a connection when it hands it out (after a pause) and
//! always when it comes back. On SQLite, every statement is a round trip to
//! the connection's own thread, so a one-query read cost three of those
//! round trips; on PostgreSQL, the ping on the way back is a second round
//! trip to the server for every read. Neither ping is needed for reads: a
//! read connection never holds a transaction, and its commands run strictly
//! in order. So reads borrow their connections from a plain pool that hands
//! them out as they are, and a connection that was lost is dropped as soon
//! as a read reports it (see [`Reader::finish`]). A PostgreSQL connection
//! idle for a while is pinged before it is lent, as sqlx's pool does, since
//! its server may have gone meanwhile; so is one whose read was abandoned
//! (see `Drop for Reader`). Every connection that leaves the pool is closed
//! properly (see [`Slot`]), and [`Readers::close`] waits for that: on
//! SQLite, the last one out checkpoints the log.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use deadpool::managed::{self, Manager, Metrics, Object, PoolError, RecycleError, RecycleResult};
use futures_util::future::BoxFuture;
use sqlx::{
    ConnectOptions, Connection, PgConnection, SqliteConnection, postgres::PgConnectOptions,
    sqlite::SqliteConnectOptions,
};
use tokio::runtime::Handle;

use super::StoreError;

/// How long [`Readers::close`] waits for reads still running.
const CLOSE_WAIT: Duration = Duration::from_secs(10);

/// How long a connection to a server is used at most (sqlx's pool's
/// default): then it is replaced, so that connections follow a server
/// that moved, and what a server keeps per connection is let go.
const MAX_LIFETIME: Duration = Duration::from_secs(30 * 60);

/// How long an abandoned read on a server may take to finish before its
/// connection is closed instead of lent again.
const DRAIN_WAIT: Duration = Duration::from_secs(30);

/// A pooled read connection. Whichever way it leaves the pool (discarded
/// after a loss, replaced, removed on close, or dropped by the pool's own
/// shrinking, which no hook reports), dropping it closes the connection on
/// the store's runtime and counts it out of [`Opener::open`].
pub(crate) struct Slot<C: Connection + 'static> {
    /// `None` only while it is being dropped.
    conn: Option<C>,
    runtime: Handle,
    open: Arc<AtomicUsize>,
}

impl<C: Connection + 'static> Drop for Slot<C> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            let open = self.open.clone();
            self.runtime.spawn(async move {
                if let Err(error) = conn.close().await {
                    tracing::debug!(%error, "closing a read connection failed");
                }
                open.fetch_sub(1, Ordering::AcqRel);
            });
        }
    }
}

/// What runs on each new connection before its first use.
pub(crate) type Setup<C> = Arc<dyn for<'c> Fn(&'c mut C) -> BoxFuture<'c, Result<(), sqlx::Error>> + Send + Sync>;

/// When a connection was last found to have lost its server (a restart, a
/// fail-over): every connection idle since before then may have lost it
/// too, however recently it was used.
#[derive(Debug)]
pub(crate) struct Losses {
    origin: Instant,
    /// Microseconds from `origin` to the last loss found, plus one; 0: none yet.
    last: AtomicU64,
}

impl Losses {
    pub(crate) fn new() -> Self {
        Self {
            origin: Instant::now(),
            last: AtomicU64::new(0),
        }
    }

    pub(crate) fn record(&self) {
        let at = u64::try_from(self.origin.elapsed().as_micros()).unwrap_or(u64::MAX - 1);
        self.last.fetch_max(at.saturating_add(1), Ordering::AcqRel);
    }

    /// Whether a connection idle for `idle` until now was already idle when
    /// the last loss was found.
    fn idle_since_a_loss(&self, idle: Duration) -> bool {
        match self.last.load(Ordering::Acquire) {
            0 => false,
            last => {
                let found = Duration::from_micros(last - 1);
                idle >= self.origin.elapsed().saturating_sub(found)
            }
        }
    }
}

/// When a connection to a server is pinged before it is lent: after
/// `after_idle` unused, or when it was idle as another connection found the
/// server lost.
#[derive(Debug, Clone)]
pub(crate) struct Pings {
    pub(crate) after_idle: Duration,
    pub(crate) losses: Arc<Losses>,
}

impl Pings {
    pub(crate) fn wanted(&self, idle: Duration) -> bool {
        idle >= self.after_idle || self.losses.idle_since_a_loss(idle)
    }
}

/// Opens read connections with the store's options, and closes those that
/// leave the pool on the runtime the store was opened on.
pub(crate) struct Opener<C: Connection + 'static> {
    options: C::Options,
    setup: Option<Setup<C>>,
    /// When a connection is pinged before it is lent (never: `None`).
    pings: Option<Pings>,
    runtime: Handle,
    /// Connections opened and not yet closed.
    open: Arc<AtomicUsize>,
}

impl<C: Connection + 'static> std::fmt::Debug for Opener<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Opener")
            .field("open", &self.open)
            .finish_non_exhaustive()
    }
}

impl<C: Connection + 'static> Manager for Opener<C> {
    type Type = Slot<C>;
    type Error = sqlx::Error;

    async fn create(&self) -> Result<Slot<C>, sqlx::Error> {
        let mut conn = self.options.connect().await?;
        if let Some(setup) = &self.setup
            && let Err(error) = setup(&mut conn).await
        {
            drop(conn.close_hard().await);
            return Err(error);
        }
        self.open.fetch_add(1, Ordering::AcqRel);
        Ok(Slot {
            conn: Some(conn),
            runtime: self.runtime.clone(),
            open: self.open.clone(),
        })
    }

    async fn recycle(&self, slot: &mut Slot<C>, metrics: &Metrics) -> RecycleResult<sqlx::Error> {
        // Since it was last lent (or opened).
        let idle = metrics.last_used();
        if let (Some(pings), Some(conn)) = (&self.pings, slot.conn.as_mut()) {
            if metrics.age() >= MAX_LIFETIME {
                return Err(RecycleError::message("replaced after its maximum lifetime"));
            }
            if pings.wanted(idle)
                && let Err(error) = conn.ping().await
            {
                pings.losses.record();
                return Err(RecycleError::Backend(error));
            }
        }
        Ok(())
    }
}

pub(crate) struct Readers<C: Connection + 'static> {
    pool: managed::Pool<Opener<C>>,
    acquire_timeout: Duration,
}

impl<C: Connection + 'static> Clone for Readers<C> {
    fn clone(&self) -> Self {
        Self {
            pool: self.pool.clone(),
            acquire_timeout: self.acquire_timeout,
        }
    }
}

impl<C: Connection + 'static> std::fmt::Debug for Readers<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Readers").field(&self.pool.status()).finish()
    }
}

/// A read connection, back in the pool when dropped.
pub(crate) struct Reader<C: Connection + 'static>(
    /// `None` once its read was finished.
    Option<Object<Opener<C>>>,
);

impl<C: Connection + 'static> Reader<C> {
    pub(crate) fn conn(&mut self) -> Result<&mut C, StoreError> {
        self.0
            .as_mut()
            .and_then(|object| object.conn.as_mut())
            .ok_or(StoreError::Unavailable(sqlx::Error::PoolClosed))
    }

    /// Ends a read that ran to its end: the connection goes back to the
    /// pool, or, when the read found it `lost`, out of it for good (and on
    /// a server, those idle since are checked before their next use).
    pub(crate) fn finish(mut self, lost: bool) {
        let Some(object) = self.0.take() else {
            return;
        };
        if !lost {
            drop(object);
            return;
        }
        if let Some(pings) = Object::pool(&object).and_then(|pool| pool.manager().pings.clone()) {
            pings.losses.record();
        }
        drop(Object::take(object));
    }
}

/// A read abandoned mid-way (its request went away). On SQLite the
/// connection's thread resets the statement, and the connection goes back
/// as it is. On a server, the answer may still be on its way, and it may be
/// an error (the statement timeout, say), which the connection's next use
/// would report as its own: a ping first takes in what is left, on the
/// store's runtime, and a connection whose ping fails, or does not finish
/// in [`DRAIN_WAIT`], is closed instead of lent again. A ping that finds
/// the server gone is recorded as a loss.
impl<C: Connection + 'static> Drop for Reader<C> {
    fn drop(&mut self) {
        let Some(mut object) = self.0.take() else {
            return;
        };
        let Some(pool) = Object::pool(&object) else {
            return;
        };
        let Some(losses) = pool.manager().pings.as_ref().map(|pings| pings.losses.clone()) else {
            return;
        };
        pool.manager().runtime.spawn(async move {
            let drained = match object.conn.as_mut() {
                Some(conn) => match tokio::time::timeout(DRAIN_WAIT, conn.ping()).await {
                    Ok(Ok(())) => true,
                    // An error the server sent (the abandoned statement's
                    // own, its statement timeout say) closes the connection
                    // alone. A lost server (the read or unit was dropped on
                    // the error that told so) has those idle since checked
                    // before their next use, as after a read that found it.
                    Ok(Err(error)) => {
                        if StoreError::from(error).lost_the_server() {
                            losses.record();
                        }
                        false
                    }
                    // Still busy: a slow server, not a lost one.
                    Err(_) => false,
                },
                None => false,
            };
            if !drained {
                drop(Object::take(object));
            }
        });
    }
}

/// How many SQLite read connections to open at most: `max`, but no more
/// than two per core this process may run on. A SQLite read keeps a core
/// busy rather than waiting on a network, so connections beyond that add
/// threads (about 1.5 MB each) and no throughput; two per core still let a
/// read proceed while another waits on the disk.
fn count(max: u32) -> u32 {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let per_cores = u32::try_from(cores.saturating_mul(2)).unwrap_or(u32::MAX);
    max.min(per_cores).max(1)
}

impl Readers<SqliteConnection> {
    /// Up to [`count`]`(max)` connections, opened when first needed; one is
    /// opened now so that a database that cannot be read is reported at
    /// start-up. Closing them runs on the current runtime.
    pub(crate) async fn sqlite(
        options: SqliteConnectOptions,
        max: u32,
        acquire_timeout: Duration,
    ) -> Result<Self, StoreError> {
        Self::connect(options, None, None, count(max), acquire_timeout).await
    }
}

impl Readers<PgConnection> {
    /// Up to `max` connections, each prepared by `setup` when opened, and
    /// pinged before it is lent as `pings` says.
    pub(crate) async fn postgres(
        options: PgConnectOptions,
        setup: Setup<PgConnection>,
        pings: Pings,
        max: u32,
        acquire_timeout: Duration,
    ) -> Result<Self, StoreError> {
        Self::connect(options, Some(setup), Some(pings), max.max(1), acquire_timeout).await
    }
}

impl<C: Connection + 'static> Readers<C> {
    async fn connect(
        options: C::Options,
        setup: Option<Setup<C>>,
        pings: Option<Pings>,
        max: u32,
        acquire_timeout: Duration,
    ) -> Result<Self, StoreError> {
        let config = managed::PoolConfig {
            max_size: usize::try_from(max).unwrap_or(usize::MAX),
            // One budget for waiting and opening, in `acquire`.
            timeouts: managed::Timeouts::new(),
            // The connection freed last is handed out first, so that the
            // same few stay warm under light load.
            queue_mode: managed::QueueMode::Lifo,
        };
        let opener = Opener {
            options,
            setup,
            pings,
            runtime: Handle::current(),
            open: Arc::new(AtomicUsize::new(0)),
        };
        let pool = managed::Pool::builder(opener)
            .config(config)
            .build()
            .map_err(|error| StoreError::Config(error.to_string()))?;
        let readers = Self { pool, acquire_timeout };
        drop(readers.acquire().await?);
        Ok(readers)
    }

    /// A connection, waiting at most the acquire timeout (for one to be
    /// free, and to open it) before the read is refused as unavailable.
    pub(crate) async fn acquire(&self) -> Result<Reader<C>, StoreError> {
        match tokio::time::timeout(self.acquire_timeout, self.pool.get()).await {
            Err(_) => Err(StoreError::Unavailable(sqlx::Error::PoolTimedOut)),
            Ok(Ok(object)) => Ok(Reader(Some(object))),
            Ok(Err(PoolError::Backend(error))) => Err(error.into()),
            Ok(Err(PoolError::Closed)) => Err(StoreError::Unavailable(sqlx::Error::PoolClosed)),
            Ok(Err(error)) => Err(StoreError::Config(error.to_string())),
        }
    }

    /// Connections open, and those of them idle.
    pub(crate) fn usage(&self) -> (usize, usize) {
        let status = self.pool.status();
        (status.size, status.available)
    }

    /// Refuses further reads, closes the idle connections, and waits (at
    /// most [`CLOSE_WAIT`]) for those in use to come back and be closed.
    pub(crate) async fn close(&self) {
        // Closing drops the idle connections, and each one in use when it
        // comes back: every `Slot` dropped closes its connection.
        self.pool.close();
        let deadline = tokio::time::Instant::now() + CLOSE_WAIT;
        loop {
            let open = self.pool.manager().open.load(Ordering::Acquire);
            if open == 0 {
                break;
            }
            if tokio::time::Instant::now() >= deadline {
                tracing::warn!(open, "database connections still open at shutdown");
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::str::FromStr;

    use super::*;

    async fn readers(dir: &tempfile::TempDir, max: u32, acquire_timeout: Duration) -> Readers<SqliteConnection> {
        let url = format!("sqlite://{}", dir.path().join("r.db").display());
        let options = SqliteConnectOptions::from_str(&url)
            .unwrap()
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
        let mut setup = options.connect().await.unwrap();
        sqlx::query("CREATE TABLE t (x INTEGER NOT NULL)")
            .execute(&mut setup)
            .await
            .unwrap();
        // Enough rows that a read of them all is still running when it is abandoned.
        sqlx::query("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 200000) INSERT INTO t SELECT x FROM n")
            .execute(&mut setup)
            .await
            .unwrap();
        setup.close().await.unwrap();
        Readers::sqlite(options, max, acquire_timeout).await.unwrap()
    }

    async fn count(reader: &mut Reader<SqliteConnection>) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM t")
            .fetch_one(reader.conn().unwrap())
            .await
            .unwrap()
    }

    /// A connection is pinged after a pause, or when it was already idle
    /// as another one found the server lost; not when it was used since.
    #[test]
    fn pings_follow_pauses_and_losses_found_while_idle() {
        let pings = Pings {
            after_idle: Duration::from_secs(1),
            losses: Arc::new(Losses::new()),
        };
        assert!(!pings.wanted(Duration::from_millis(100)), "no pause, no loss");
        assert!(pings.wanted(Duration::from_secs(1)), "a pause");
        let idle_before = Instant::now();
        std::thread::sleep(Duration::from_millis(5));
        pings.losses.record();
        std::thread::sleep(Duration::from_millis(5));
        let used_after = Instant::now();
        std::thread::sleep(Duration::from_millis(5));
        assert!(
            pings.wanted(idle_before.elapsed()),
            "idle since before the loss was found"
        );
        assert!(!pings.wanted(used_after.elapsed()), "used since the loss was found");
    }

    /// No more read connections than configured, nor than two per core.
    #[test]
    fn connections_are_bounded_by_the_setting_and_the_cores() {
        let cores = u32::try_from(std::thread::available_parallelism().unwrap().get()).unwrap();
        assert_eq!(super::count(1), 1);
        assert_eq!(super::count(0), 1, "at least one");
        assert_eq!(super::count(u32::MAX), 2 * cores);
        assert_eq!(super::count(2 * cores + 1), 2 * cores);
    }

    /// With every connection in use, a read waits at most the acquire
    /// timeout, and is a 503 (`Unavailable`) after it.
    #[tokio::test]
    async fn waiting_past_the_acquire_timeout_is_unavailable() {
        let dir = tempfile::tempdir().unwrap();
        let readers = readers(&dir, 1, Duration::from_millis(200)).await;
        let held = readers.acquire().await.unwrap();
        let started = std::time::Instant::now();
        let refused = readers.acquire().await;
        assert!(
            matches!(refused, Err(StoreError::Unavailable(_))),
            "{:?}",
            refused.err()
        );
        assert!(
            started.elapsed() >= Duration::from_millis(150),
            "{:?}",
            started.elapsed()
        );
        drop(held);
        let mut again = readers.acquire().await.unwrap();
        assert_eq!(count(&mut again).await, 200_000);
    }

    /// A read abandoned mid-way (its request gone) hands back a connection
    /// that answers the next read correctly, without any check in between,
    /// and holds no read transaction: a write made afterwards is seen.
    #[tokio::test]
    async fn a_read_abandoned_midway_leaves_its_connection_usable() {
        let dir = tempfile::tempdir().unwrap();
        let readers = readers(&dir, 1, Duration::from_secs(5)).await;
        for round in 0..5 {
            let mut reader = readers.acquire().await.unwrap();
            let all = sqlx::query_scalar::<_, i64>("SELECT x FROM t ORDER BY x DESC").fetch_all(reader.conn().unwrap());
            let abandoned = tokio::time::timeout(Duration::from_micros(200), all).await;
            assert!(abandoned.is_err(), "the read finished before it could be abandoned");
            drop(reader);

            let url = format!("sqlite://{}", dir.path().join("r.db").display());
            let mut writer = SqliteConnectOptions::from_str(&url).unwrap().connect().await.unwrap();
            sqlx::query("INSERT INTO t (x) VALUES (0)")
                .execute(&mut writer)
                .await
                .unwrap();
            writer.close().await.unwrap();

            let mut reader = readers.acquire().await.unwrap();
            let first: i64 = sqlx::query_scalar("SELECT x FROM t ORDER BY x LIMIT 1")
                .fetch_one(reader.conn().unwrap())
                .await
                .unwrap();
            assert_eq!(first, 0);
            assert_eq!(count(&mut reader).await, 200_001 + round);
            assert_eq!(readers.usage(), (1, 0));
        }
    }

    /// A discarded connection leaves the pool, and the next read opens a new one.
    #[tokio::test]
    async fn a_discarded_connection_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let readers = readers(&dir, 2, Duration::from_secs(5)).await;
        assert_eq!(readers.usage(), (1, 1));
        readers.acquire().await.unwrap().finish(true);
        assert_eq!(readers.usage(), (0, 0));
        let mut reader = readers.acquire().await.unwrap();
        assert_eq!(count(&mut reader).await, 200_000);
        drop(reader);
        assert_eq!(readers.usage(), (1, 1));
    }

    /// Closing refuses further reads, waits for a read still running, and
    /// closes every connection properly: the last one out removes the log.
    #[tokio::test]
    async fn close_refuses_reads_and_waits_for_those_running() {
        let dir = tempfile::tempdir().unwrap();
        let readers = readers(&dir, 2, Duration::from_secs(5)).await;
        let mut running = readers.acquire().await.unwrap();
        let _idle = readers.acquire().await.unwrap();
        drop(_idle);
        assert_eq!(readers.usage(), (2, 1));

        let closing = tokio::spawn({
            let readers = readers.clone();
            async move { readers.close().await }
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(!closing.is_finished(), "close waits for the read still running");
        assert!(matches!(readers.acquire().await, Err(StoreError::Unavailable(_))));
        assert_eq!(count(&mut running).await, 200_000, "a read under way finishes");
        drop(running);
        tokio::time::timeout(Duration::from_secs(5), closing)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(readers.pool.manager().open.load(Ordering::Acquire), 0);
        assert!(
            !dir.path().join("r.db-wal").exists(),
            "the last connection closed removed the log"
        );
    }
}
