use std::process::ExitCode;

use clap::Parser;
use onboarding::{cli::Cli, operator, telemetry};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init(cli.options.log_format.into());
    match operator::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", telemetry::error_chain(error.as_ref()));
            ExitCode::FAILURE
        }
    }
}
