//! Logging: `tracing` to stderr, as text or JSON. Stdout stays free for CLI output.

use std::fmt::Debug;

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

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    // A second initialisation (e.g. in tests) is harmless, so its error is ignored.
    let _ = subscriber(format, filter, std::io::stderr, ansi).try_init();
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
pub const METRICS_UPKEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

static UPKEEPS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Folds the samples recorded since the last upkeep or scrape into the
/// histograms, every [`METRICS_UPKEEP_EVERY`], for as long as it runs.
pub async fn keep_metrics_up() {
    let mut ticks = tokio::time::interval(METRICS_UPKEEP_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        metrics().run_upkeep();
        UPKEEPS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// How many upkeeps [`keep_metrics_up`] ran in this process.
pub fn metrics_upkeeps() -> u64 {
    UPKEEPS.load(std::sync::atomic::Ordering::Relaxed)
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
}
