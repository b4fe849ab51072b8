//! SQLite's read connections.
//!
//! sqlx runs each SQLite connection on a thread of its own and hands every
//! statement to it over a channel: a statement costs two thread switches.
//! sqlx's own pool adds a ping when a connection is handed out and another
//! when it comes back, so a one-query read cost three of those round trips.
//! Neither ping is needed here: a read connection never holds a transaction,
//! its thread runs commands strictly in order (a read abandoned mid-way only
//! delays the next one, which queues behind it), and it cannot lose a server.
//! So reads borrow their connections from a plain pool that hands them out
//! as they are, and a connection whose thread has gone is dropped as soon as
//! a read reports it (see [`Reader::discard`]).

use std::time::Duration;

use deadpool::managed::{self, Manager, Metrics, Object, PoolError, RecycleResult, Timeouts};
use sqlx::{ConnectOptions, Connection, SqliteConnection, sqlite::SqliteConnectOptions};

use super::StoreError;

/// Opens read connections with the store's options.
#[derive(Debug)]
pub(crate) struct Opener(SqliteConnectOptions);

impl Manager for Opener {
    type Type = SqliteConnection;
    type Error = sqlx::Error;

    async fn create(&self) -> Result<SqliteConnection, sqlx::Error> {
        self.0.connect().await
    }

    async fn recycle(&self, _: &mut SqliteConnection, _: &Metrics) -> RecycleResult<sqlx::Error> {
        Ok(())
    }
}

#[derive(Clone)]
pub(crate) struct Readers(managed::Pool<Opener>);

impl std::fmt::Debug for Readers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Readers").field(&self.0.status()).finish()
    }
}

/// A read connection, back in the pool when dropped.
pub(crate) struct Reader(Object<Opener>);

impl Reader {
    pub(crate) fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.0
    }

    /// Takes a connection whose thread is gone out of the pool for good.
    pub(crate) fn discard(self) {
        drop(Object::take(self.0));
    }
}

impl Readers {
    /// Up to `max` connections, opened when first needed; one is opened now
    /// so that a database that cannot be read is reported at start-up.
    pub(crate) async fn connect(
        options: SqliteConnectOptions,
        max: u32,
        acquire_timeout: Duration,
    ) -> Result<Self, StoreError> {
        let config = managed::PoolConfig {
            max_size: usize::try_from(max.max(1)).unwrap_or(usize::MAX),
            timeouts: Timeouts {
                wait: Some(acquire_timeout),
                create: Some(acquire_timeout),
                recycle: None,
            },
            // The connection freed last is handed out first, so that the
            // same few threads stay warm under light load.
            queue_mode: managed::QueueMode::Lifo,
        };
        let pool = managed::Pool::builder(Opener(options))
            .config(config)
            .runtime(deadpool::Runtime::Tokio1)
            .build()
            .map_err(|error| StoreError::Config(error.to_string()))?;
        let readers = Self(pool);
        drop(readers.acquire().await?);
        Ok(readers)
    }

    /// A connection, waiting at most the acquire timeout for one to be free.
    pub(crate) async fn acquire(&self) -> Result<Reader, StoreError> {
        match self.0.get().await {
            Ok(object) => Ok(Reader(object)),
            Err(PoolError::Backend(error)) => Err(error.into()),
            Err(PoolError::Timeout(_)) => Err(StoreError::Unavailable(sqlx::Error::PoolTimedOut)),
            Err(PoolError::Closed) => Err(StoreError::Unavailable(sqlx::Error::PoolClosed)),
            Err(error @ (PoolError::NoRuntimeSpecified | PoolError::PostCreateHook(_))) => {
                Err(StoreError::Config(error.to_string()))
            }
        }
    }

    /// Connections open, and those of them idle.
    pub(crate) fn usage(&self) -> (usize, usize) {
        let status = self.0.status();
        (status.size, status.available)
    }

    /// Refuses further reads and closes the idle connections (one in use is
    /// closed when its read returns it).
    pub(crate) async fn close(&self) {
        let idle = self.0.retain(|_, _| false).removed;
        self.0.close();
        for conn in idle {
            if let Err(error) = conn.close().await {
                tracing::warn!(%error, "closing a read connection failed");
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::str::FromStr;

    use super::*;

    async fn readers(dir: &tempfile::TempDir, max: u32, acquire_timeout: Duration) -> Readers {
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
        Readers::connect(options, max, acquire_timeout).await.unwrap()
    }

    async fn count(reader: &mut Reader) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM t")
            .fetch_one(reader.conn())
            .await
            .unwrap()
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
            let all = sqlx::query_scalar::<_, i64>("SELECT x FROM t ORDER BY x DESC").fetch_all(reader.conn());
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
                .fetch_one(reader.conn())
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
        readers.acquire().await.unwrap().discard();
        assert_eq!(readers.usage(), (0, 0));
        let mut reader = readers.acquire().await.unwrap();
        assert_eq!(count(&mut reader).await, 200_000);
        drop(reader);
        assert_eq!(readers.usage(), (1, 1));
    }

    /// Closing refuses further reads.
    #[tokio::test]
    async fn close_refuses_reads() {
        let dir = tempfile::tempdir().unwrap();
        let readers = readers(&dir, 2, Duration::from_secs(5)).await;
        readers.close().await;
        assert!(matches!(readers.acquire().await, Err(StoreError::Unavailable(_))));
        assert_eq!(readers.usage().0, 0);
    }
}
