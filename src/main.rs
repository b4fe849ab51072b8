use std::process::ExitCode;

/// mimalloc: the service allocates many small, short-lived buffers per
/// request (rows, JSON, HTML), where glibc's allocator spends a fifth of the
/// CPU time under load (profiled listing sessions).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use onboarding::{cli, operator, telemetry};

#[tokio::main]
async fn main() -> ExitCode {
    let invocation = cli::parse_or_exit();
    let log = telemetry::init(invocation.log_format);
    let outcome = operator::run(invocation).await;
    // The log's last lines before the outcome's.
    log.flush();
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", telemetry::error_chain(error.as_ref()));
            ExitCode::FAILURE
        }
    }
}
