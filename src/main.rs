use std::process::ExitCode;

use onboarding::{cli, operator, telemetry};

#[tokio::main]
async fn main() -> ExitCode {
    let invocation = cli::parse_or_exit();
    telemetry::init(invocation.log_format);
    match operator::run(invocation).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", telemetry::error_chain(error.as_ref()));
            ExitCode::FAILURE
        }
    }
}
