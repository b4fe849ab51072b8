//! Logging: `tracing` to stderr, as text or JSON. Stdout stays free for CLI output.

use std::{
    fmt::Debug,
    io::Write,
    sync::{
        Arc, Condvar, Mutex, MutexGuard, PoisonError,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use tracing::{
    Event, Level, Subscriber,
    field::{Field, Visit},
};
use tracing_subscriber::{
    EnvFilter, fmt,
    fmt::MakeWriter,
    layer::{Context, Layer, SubscriberExt},
    util::SubscriberInitExt,
};

use crate::config::LogFormat;

/// What is logged when `RUST_LOG` is not set.
pub const DEFAULT_FILTER: &str = "info,sqlx=warn";

/// Installs the service's log, writing to stderr through a [`LogSink`].
/// Keep the returned [`LogFlusher`] until the process ends: dropping it
/// writes the lines still gathered.
pub fn init(format: LogFormat) -> LogFlusher {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let (sink, flusher) = LogSink::start(Box::new(std::io::stderr()));
    // A second initialisation (e.g. in tests) is harmless, so its error is ignored.
    let _ = subscriber(format, filter, sink, ansi).try_init();
    flusher
}

/// How long the lines of routine events are gathered before they are
/// written together.
pub const LOG_GATHER_FOR: Duration = Duration::from_millis(5);

/// Gathered lines past this many bytes are written at once, by the thread
/// that logs the line that crosses it.
const LOG_GATHER_AT_MOST: usize = 64 * 1024;

/// Where the log's lines go. A request's own line (INFO) is the one line
/// every request writes, and a `write` to stderr per line cost about 7% of
/// a retrieve's CPU time under load, so the lines of INFO events and below
/// are gathered for [`LOG_GATHER_FOR`] and written together by a thread of
/// their own ([`LogFlusher`]). WARN and ERROR lines are written at once, by
/// the thread that logs them, after the lines gathered before them: order
/// is kept, and what reports a problem is never held back. What a crash
/// (`kill -9`) can lose is the INFO lines of its last few milliseconds.
#[derive(Clone)]
pub struct LogSink {
    shared: Arc<SinkShared>,
}

struct SinkShared {
    gathered: Mutex<Vec<u8>>,
    /// Held while writing, so that lines reach the output in order.
    output: Mutex<Box<dyn Write + Send>>,
    /// Tells the flusher that lines are waiting (or that it must stop).
    waiting: Condvar,
    stopping: AtomicBool,
    gather_for: Duration,
}

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A thread that panicked while logging leaves the buffer usable.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SinkShared {
    /// Writes the gathered lines, then `line` (if any), to the output.
    fn write_out(&self, line: Option<&[u8]>) -> std::io::Result<()> {
        let mut output = locked(&self.output);
        let gathered = std::mem::take(&mut *locked(&self.gathered));
        output.write_all(&gathered)?;
        if let Some(line) = line {
            output.write_all(line)?;
        }
        output.flush()
    }

    /// The flusher's loop: waits for gathered lines, lets more join them
    /// for `gather_for`, writes them all; until told to stop, when it
    /// writes what is left.
    fn flush_until_stopped(&self) {
        loop {
            {
                let mut gathered = locked(&self.gathered);
                while gathered.is_empty() && !self.stopping() {
                    gathered = self.waiting.wait(gathered).unwrap_or_else(PoisonError::into_inner);
                }
                if gathered.is_empty() {
                    return;
                }
            }
            {
                // More lines join these until the time is up (or the
                // flusher is told to stop).
                let gathered = locked(&self.gathered);
                let _ = self
                    .waiting
                    .wait_timeout_while(gathered, self.gather_for, |_| !self.stopping());
            }
            // Nowhere to report a failed write to: the line is dropped, as
            // a write to stderr that fails drops it.
            let _ = self.write_out(None);
        }
    }

    fn stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }
}

impl LogSink {
    /// A sink writing to `output`, and the flusher that writes its gathered
    /// lines (on a thread of its own, until the flusher is dropped).
    pub fn start(output: Box<dyn Write + Send>) -> (Self, LogFlusher) {
        Self::start_gathering_for(output, LOG_GATHER_FOR)
    }

    /// [`LogSink::start`], with lines gathered for `gather_for`.
    pub fn start_gathering_for(output: Box<dyn Write + Send>, gather_for: Duration) -> (Self, LogFlusher) {
        let shared = Arc::new(SinkShared {
            gather_for,
            gathered: Mutex::new(Vec::new()),
            output: Mutex::new(output),
            waiting: Condvar::new(),
            stopping: AtomicBool::new(false),
        });
        let flushing = shared.clone();
        let thread = std::thread::Builder::new()
            .name("log-flusher".to_owned())
            .spawn(move || flushing.flush_until_stopped())
            // Without a thread of its own, the sink writes every line at once.
            .ok();
        if thread.is_none() {
            shared.stopping.store(true, Ordering::Release);
        }
        (Self { shared: shared.clone() }, LogFlusher { shared, thread })
    }
}

/// Writes a [`LogSink`]'s gathered lines every [`LOG_GATHER_FOR`]; when
/// dropped, writes what is left and ends its thread.
#[must_use = "dropping the flusher writes every line at once from then on"]
pub struct LogFlusher {
    shared: Arc<SinkShared>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl LogFlusher {
    /// Writes the lines gathered so far, now.
    pub fn flush(&self) {
        let _ = self.shared.write_out(None);
    }
}

impl Drop for LogFlusher {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::Release);
        {
            // Under the buffer's lock, so the flusher cannot miss the wake-up
            // between its check and its wait.
            let _gathered = locked(&self.shared.gathered);
            self.shared.waiting.notify_all();
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.flush();
    }
}

/// One event's line, on its way through a [`LogSink`].
pub struct SinkLine<'a> {
    shared: &'a SinkShared,
    at_once: bool,
}

impl Write for SinkLine<'_> {
    fn write(&mut self, line: &[u8]) -> std::io::Result<usize> {
        if self.at_once {
            self.shared.write_out(Some(line))?;
            return Ok(line.len());
        }
        let mut gathered = locked(&self.shared.gathered);
        let first = gathered.is_empty();
        gathered.extend_from_slice(line);
        // `stopping` is read under the lock the flusher's last write takes
        // the buffer under: either that write takes this line, or this
        // sees the flusher stopping and writes the line itself.
        if gathered.len() > LOG_GATHER_AT_MOST || self.shared.stopping() {
            drop(gathered);
            self.shared.write_out(None)?;
        } else if first {
            self.shared.waiting.notify_one();
        }
        Ok(line.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for LogSink {
    type Writer = SinkLine<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        SinkLine {
            shared: &self.shared,
            at_once: true,
        }
    }

    fn make_writer_for(&'a self, meta: &tracing::Metadata<'_>) -> Self::Writer {
        SinkLine {
            shared: &self.shared,
            // Levels compare by verbosity: WARN and ERROR are the least.
            at_once: *meta.level() <= Level::WARN,
        }
    }
}

/// The service's log: `filter` applied, one line per event to `writer`,
/// without the errors a client causes (see [`QuietClientErrors`]).
pub fn subscriber<W>(format: LogFormat, filter: EnvFilter, writer: W, ansi: bool) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = fmt().with_env_filter(filter).with_writer(writer).with_ansi(ansi);
    match format {
        LogFormat::Text => Box::new(builder.finish().with(QuietClientErrors)),
        LogFormat::Json => Box::new(builder.json().flatten_event(true).finish().with(QuietClientErrors)),
    }
}

/// actix-http logs at ERROR every connection that ends in an error, which
/// includes a client sending a malformed request line or header (already
/// answered 400, or 431 for a head too large) and a client vanishing
/// mid-request. Those are the client's failures, not the service's, so they
/// are dropped here; actix logs each at TRACE too (`RUST_LOG=actix_http=trace`).
struct QuietClientErrors;

const ACTIX_DISPATCHER: &str = "actix_http::h1::dispatcher";
const ACTIX_CONNECTION_ERROR: &str = "stream error";

impl<S: Subscriber> Layer<S> for QuietClientErrors {
    fn event_enabled(&self, event: &Event<'_>, _: Context<'_, S>) -> bool {
        let metadata = event.metadata();
        if *metadata.level() != Level::ERROR || metadata.target() != ACTIX_DISPATCHER {
            return true;
        }
        let mut message = MessageStartsWith {
            prefix: ACTIX_CONNECTION_ERROR,
            found: false,
        };
        event.record(&mut message);
        !message.found
    }
}

/// Whether an event's message starts with `prefix`.
struct MessageStartsWith {
    prefix: &'static str,
    found: bool,
}

impl Visit for MessageStartsWith {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        if field.name() == "message" {
            self.found = format!("{value:?}").starts_with(self.prefix);
        }
    }
}

/// An error and its causes on one line (`outer: inner: root`), for the one
/// log line a failed request gets. A cause that its parent's message already
/// ends with (as sqlx's database errors do) is not repeated.
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// How often the histograms' buffered samples are folded into their
/// buckets: the recorder keeps every sample until then, so without it they
/// would pile up between scrapes (about 20 bytes a request: a service that
/// nothing scrapes would grow by hundreds of megabytes a day).
pub const METRICS_UPKEEP_EVERY: Duration = Duration::from_secs(1);

static UPKEEPS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Folds the samples recorded since the last upkeep or scrape into the
/// histograms, every [`METRICS_UPKEEP_EVERY`], for as long as it runs.
pub async fn keep_metrics_up() {
    let mut ticks = tokio::time::interval(METRICS_UPKEEP_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        metrics().run_upkeep();
        UPKEEPS.fetch_add(1, Ordering::Relaxed);
    }
}

/// How many upkeeps [`keep_metrics_up`] ran in this process.
pub fn metrics_upkeeps() -> u64 {
    UPKEEPS.load(Ordering::Relaxed)
}

/// The process's Prometheus recorder, installed on first use. Several
/// applications in one process (tests) share it.
pub fn metrics() -> &'static metrics_exporter_prometheus::PrometheusHandle {
    static HANDLE: std::sync::OnceLock<metrics_exporter_prometheus::PrometheusHandle> = std::sync::OnceLock::new();
    HANDLE.get_or_init(|| {
        use metrics_exporter_prometheus::{Matcher, PrometheusBuilder};
        let latency = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];
        // Units of work per SQLite commit: one, or as many as queued meanwhile.
        let units = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0];
        let builder = || {
            PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full("http_request_duration_seconds".to_owned()), &latency)?
                .set_buckets_for_metric(Matcher::Full("onboarding_sqlite_commit_units".to_owned()), &units)?
                // Lookups per coalesced read: the same powers of two.
                .set_buckets_for_metric(Matcher::Full("onboarding_read_batch_lookups".to_owned()), &units)
        };
        match builder().and_then(PrometheusBuilder::install_recorder) {
            Ok(handle) => handle,
            Err(error) => {
                // Another recorder owns the process: serve an empty exposition.
                tracing::warn!(%error, "metrics recorder not installed");
                PrometheusBuilder::new().build_recorder().handle()
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::error_chain;

    #[derive(Debug, thiserror::Error)]
    enum Failure {
        #[error("cannot open the database")]
        Outer(#[source] Box<Failure>),
        #[error("error returned from database: unable to open database file")]
        Middle(#[source] Box<Failure>),
        #[error("unable to open database file")]
        Root,
    }

    #[test]
    fn a_cause_is_not_repeated_after_a_message_that_ends_with_it() {
        let error = Failure::Outer(Box::new(Failure::Middle(Box::new(Failure::Root))));
        assert_eq!(
            error_chain(&error),
            "cannot open the database: error returned from database: unable to open database file"
        );
    }

    mod sink {
        use std::{
            io::Write,
            sync::{Arc, Mutex},
            time::{Duration, Instant},
        };

        use tracing::Level;

        use super::super::{LOG_GATHER_AT_MOST, LOG_GATHER_FOR, LogSink};

        /// An output the test can read, and how many writes reached it.
        #[derive(Clone, Default)]
        struct Output(Arc<Mutex<(Vec<u8>, usize)>>);

        impl Write for Output {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                let mut output = self.0.lock().unwrap();
                output.0.extend_from_slice(bytes);
                output.1 += 1;
                Ok(bytes.len())
            }

            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }

        impl Output {
            fn text(&self) -> String {
                String::from_utf8(self.0.lock().unwrap().0.clone()).unwrap()
            }

            fn writes(&self) -> usize {
                self.0.lock().unwrap().1
            }
        }

        /// Logs `line` at `level` through the service's subscriber.
        fn log(sink: &LogSink, level: Level, line: &str) {
            let subscriber = tracing_subscriber::fmt()
                .with_writer(sink.clone())
                .without_time()
                .with_level(false)
                .with_target(false)
                .with_ansi(false)
                .finish();
            tracing::subscriber::with_default(subscriber, || match level {
                Level::ERROR => tracing::error!("{line}"),
                Level::WARN => tracing::warn!("{line}"),
                _ => tracing::info!("{line}"),
            });
        }

        /// Long enough that the flusher never writes by itself in a test.
        const NEVER: Duration = Duration::from_secs(3600);

        #[test]
        fn routine_lines_are_written_together_soon_after() {
            let output = Output::default();
            let (sink, _flusher) = LogSink::start_gathering_for(Box::new(output.clone()), LOG_GATHER_FOR);
            for n in 0..50 {
                log(&sink, Level::INFO, &format!("request {n}"));
            }
            let deadline = Instant::now() + Duration::from_secs(5);
            while output.text().lines().count() < 50 && Instant::now() < deadline {
                std::thread::sleep(LOG_GATHER_FOR);
            }
            let expected: String = (0..50).map(|n| format!("request {n}\n")).collect();
            assert_eq!(output.text(), expected);
            // One write per gathering (a loaded machine may split them).
            assert!(output.writes() <= 10, "{} writes for 50 lines", output.writes());
        }

        #[test]
        fn a_warning_is_written_at_once_after_the_lines_gathered_before_it() {
            let output = Output::default();
            let (sink, _flusher) = LogSink::start_gathering_for(Box::new(output.clone()), NEVER);
            log(&sink, Level::INFO, "first");
            log(&sink, Level::INFO, "second");
            assert_eq!(output.text(), "", "gathered");
            log(&sink, Level::WARN, "trouble");
            assert_eq!(output.text(), "first\nsecond\ntrouble\n");
            log(&sink, Level::ERROR, "worse");
            assert_eq!(output.text(), "first\nsecond\ntrouble\nworse\n");
        }

        #[test]
        fn dropping_the_flusher_writes_what_is_gathered_and_later_lines_go_straight_out() {
            let output = Output::default();
            let (sink, flusher) = LogSink::start_gathering_for(Box::new(output.clone()), NEVER);
            log(&sink, Level::INFO, "last request");
            assert_eq!(output.text(), "", "gathered");
            drop(flusher);
            assert_eq!(output.text(), "last request\n");
            log(&sink, Level::INFO, "after");
            assert_eq!(output.text(), "last request\nafter\n");
        }

        #[test]
        fn flush_writes_the_gathered_lines_now() {
            let output = Output::default();
            let (sink, flusher) = LogSink::start_gathering_for(Box::new(output.clone()), NEVER);
            log(&sink, Level::INFO, "gathered");
            assert_eq!(output.text(), "", "gathered");
            flusher.flush();
            assert_eq!(output.text(), "gathered\n");
        }

        #[test]
        fn gathered_lines_past_the_limit_are_written_by_the_thread_that_crosses_it() {
            let output = Output::default();
            let (sink, _flusher) = LogSink::start_gathering_for(Box::new(output.clone()), NEVER);
            let line = "x".repeat(1023);
            let lines = LOG_GATHER_AT_MOST / (line.len() + 1);
            for _ in 0..lines {
                log(&sink, Level::INFO, &line);
            }
            assert_eq!(output.text(), "", "gathered up to the limit");
            log(&sink, Level::INFO, &line);
            assert_eq!(
                output.text().len(),
                (lines + 1) * (line.len() + 1),
                "all written at once"
            );
            assert_eq!(output.writes(), 1);
        }
    }
}
