//! SQLite's checkpoints, off the writer's path.
//!
//! In WAL mode a commit appends the pages it changed to the log; a
//! checkpoint copies them back into the database file, syncing both, and
//! once the log has been copied to its end, the next write transaction
//! starts it over. By default SQLite checkpoints within the commit that
//! takes the log past 1,000 pages, on the committing connection: with one
//! write connection, every unit queued behind that commit waits for the
//! whole copy. Measured on the create benchmark, that was most of its
//! tail: p99 17–20 ms with it, 7–8 ms with no checkpoint at all.
//!
//! So the write connection checkpoints only as a backstop, past
//! [`BACKSTOP_PAGES`], and a task does it instead, alongside, on a read
//! connection it borrows (one of its own would cost a thread, and about
//! 5 MB of peak RSS under load). Woken by commits, it waits [`PAUSE`] for
//! more to gather, then runs `PASSIVE` checkpoints, which the writer never
//! waits for (a read may wait for the connection they borrow), and which
//! copy only what no reader still needs, as before; each catches up with
//! what the log gained during the one before. Commits go on meanwhile, so
//! the log would never be copied to its very end, and never start over:
//! past [`RESTART_PAGES`], the last pages (a couple of hundred under the
//! create benchmark: 3 ms at the median, on the one core the service
//! shares with its load) are copied with the writer held between two
//! transactions, and the next one starts the log over. What a commit has
//! acknowledged is in the log, which a killed process leaves behind, as
//! before; the copy only moves it.

use std::{sync::Arc, time::Duration};

use sqlx::SqliteConnection;
use tokio::{
    sync::{Notify, watch},
    task::JoinHandle,
};

use super::{readers::Readers, writer::WeakWriter};

/// How long after a commit the checkpoint runs: the commits of that while
/// share it. Under a steady load that is about ten a second.
const PAUSE: Duration = Duration::from_millis(100);

/// A log this long (in pages) is brought to its end with the writer held,
/// so that it starts over: SQLite's automatic threshold.
const RESTART_PAGES: i64 = 1_000;

/// Should the task fall behind (no read connection to borrow for long, a
/// reader pinning an old snapshot, a failing disk), the write connection
/// still checkpoints, as SQLite would, once the log is this long: 40 MB of
/// 4 KB pages, about twice its length under the create benchmark.
pub(super) const BACKSTOP_PAGES: u32 = 10_000;

/// At most this many checkpoints in a row, each catching up with what the
/// log gained during the one before...
const CATCH_UP_RUNS: usize = 8;

/// ...until one copies no more than this many pages. What is then left to
/// copy with the writer held is what the log gained meanwhile: under the
/// create benchmark, a couple of hundred pages.
const SMALL_COPY: i64 = 64;

/// The checkpointing task: woken by commits, stopped on close.
#[derive(Debug)]
pub(super) struct Checkpoints {
    wake: Arc<Notify>,
    stop: watch::Sender<bool>,
    task: std::sync::Mutex<Option<JoinHandle<()>>>,
}

impl Checkpoints {
    pub(super) fn new() -> Self {
        Self {
            wake: Arc::new(Notify::new()),
            stop: watch::channel(false).0,
            task: std::sync::Mutex::new(None),
        }
    }

    /// Starts the task on the current runtime, checkpointing on
    /// connections borrowed from `readers`.
    pub(super) fn start(&self, readers: Readers<SqliteConnection>, writer: WeakWriter) {
        let task = tokio::spawn(run(readers, writer, self.wake.clone(), self.stop.subscribe()));
        *self.task.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(task);
    }

    /// A transaction committed: a checkpoint follows within [`PAUSE`].
    pub(super) fn committed(&self) {
        self.wake.notify_one();
    }

    /// Stops the task (a checkpoint under way finishes first) and waits
    /// for it, which returns the read connection it borrowed.
    pub(super) async fn close(&self) {
        self.stop.send_replace(true);
        let task = self
            .task
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(task) = task
            && let Err(error) = task.await
        {
            tracing::warn!(%error, "the SQLite checkpointing task ended abnormally");
        }
    }
}

/// `(busy, pages in the log, pages of it copied)`.
async fn checkpoint(conn: &mut SqliteConnection) -> Result<(i64, i64, i64), sqlx::Error> {
    sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(conn).await
}

/// Checkpoints until one copies little (see [`CATCH_UP_RUNS`]); the
/// log's length in pages.
async fn catch_up(conn: &mut SqliteConnection) -> Result<i64, sqlx::Error> {
    // SQLite reports the pages copied since the log started, so the first
    // run's figure includes earlier rounds' and is only a starting point.
    let (_, mut log, mut copied_before) = checkpoint(conn).await?;
    for _ in 1..CATCH_UP_RUNS {
        let (_, now, copied) = checkpoint(conn).await?;
        let gained = copied - copied_before;
        (log, copied_before) = (now, copied);
        if gained <= SMALL_COPY {
            break;
        }
    }
    Ok(log)
}

/// The log's length at the last checkpoint, for operators: under writes it
/// goes up and down between about [`RESTART_PAGES`] and a few times that;
/// one that keeps growing means checkpoints fall behind, or a read never
/// ends.
fn report(log: i64) {
    #[allow(clippy::cast_precision_loss)]
    metrics::gauge!("onboarding_sqlite_log_pages").set(log as f64);
}

/// Runs `work` unless the store closes first (`None` then).
async fn unless_stopped<T>(stopped: &mut watch::Receiver<bool>, work: impl Future<Output = T>) -> Option<T> {
    tokio::select! {
        done = work => Some(done),
        _ = stopped.wait_for(|stop| *stop) => None,
    }
}

async fn run(
    readers: Readers<SqliteConnection>,
    writer: WeakWriter,
    wake: Arc<Notify>,
    mut stopped: watch::Receiver<bool>,
) {
    loop {
        if unless_stopped(&mut stopped, wake.notified()).await.is_none()
            || unless_stopped(&mut stopped, tokio::time::sleep(PAUSE)).await.is_none()
        {
            break;
        }
        // No connection free within the acquire timeout: the log keeps what
        // it holds, and the next commit asks again.
        let Some(acquired) = unless_stopped(&mut stopped, readers.acquire()).await else {
            break;
        };
        let Ok(mut reader) = acquired else {
            tracing::debug!("no read connection to checkpoint on; retrying after the next commit");
            continue;
        };
        let caught_up = match reader.conn() {
            Ok(conn) => catch_up(conn).await,
            Err(_) => continue,
        };
        let log = match caught_up {
            Ok(log) => {
                reader.finish(false);
                report(log);
                log
            }
            Err(error) => {
                // Not lent again: a fresh one takes its place.
                tracing::warn!(%error, "SQLite checkpoint failed; retrying after the next commit");
                reader.finish(true);
                continue;
            }
        };
        // Commits went on meanwhile, so the log is never copied to its end
        // here, and a log not copied to its end is never started over: it
        // would grow for as long as writes go on. Past the threshold, what
        // was appended since is copied with the writer held between two
        // transactions (a short copy now), and the next one starts the log
        // over.
        if log < RESTART_PAGES {
            continue;
        }
        let Some(writer) = writer.upgrade() else { break };
        let Some(Ok(mut held)) = unless_stopped(&mut stopped, writer.exclusive()).await else {
            continue;
        };
        match checkpoint(held.conn()).await {
            // A reader still on an older snapshot keeps what it needs.
            Ok((_, log, copied)) if copied < log => {
                report(log);
                tracing::debug!(
                    log,
                    copied,
                    "the SQLite log cannot start over yet: a read still needs it"
                );
            }
            Ok((_, log, _)) => report(log),
            Err(error) => tracing::warn!(%error, "SQLite checkpoint on the write connection failed"),
        }
    }
}
