//! Logging: `tracing` to stderr, as text or JSON. Stdout stays free for CLI output.

use tracing_subscriber::{EnvFilter, fmt};

use crate::config::LogFormat;

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    // A second initialisation (e.g. in tests) is harmless, so its error is ignored.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
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

/// The process's Prometheus recorder, installed on first use. Several
/// applications in one process (tests) share it.
pub fn metrics() -> &'static metrics_exporter_prometheus::PrometheusHandle {
    static HANDLE: std::sync::OnceLock<metrics_exporter_prometheus::PrometheusHandle> = std::sync::OnceLock::new();
    HANDLE.get_or_init(|| {
        use metrics_exporter_prometheus::{Matcher, PrometheusBuilder};
        let latency = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];
        let builder = || {
            PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full("http_request_duration_seconds".to_owned()), &latency)
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
