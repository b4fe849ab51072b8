use std::{process::ExitCode, sync::Arc};

use clap::Parser;
use onboarding::{
    cli::{ApiKeysCommand, Cli, Command, ProgramsCommand},
    clock::{Clock, SystemClock},
    domain::{
        api_key, ids,
        program::{Bank, parse_program_name},
    },
    startup::Application,
    store::{NewProgram, Store},
    telemetry,
};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init(cli.options.log_format.into());
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            let mut source = std::error::Error::source(error.as_ref());
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    let settings = cli.options.settings();
    let clock = SystemClock;
    let store = Store::connect(&settings).await?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let key = api_key::generate();
            if let Some(created) = store.bootstrap_if_empty(&api_key::digest(&key), clock.now()).await? {
                println!("First start: created a default program and a sandbox API key.");
                println!("  Program ID: {}", created.program_id);
                println!("  API key:    {key}");
                println!("The API key is shown only this once; keep it somewhere safe.");
            }
            let app = Application::build_with_store(settings, Arc::new(clock), store.clone())?;
            tracing::info!(port = app.port(), public_url = %app.public_url(), "listening");
            println!("Hosted Onboarding is listening on {}", app.public_url());
            app.run_until_stopped().await?;
        }
        Command::Migrate => {
            // Store::connect already applied every pending migration.
            println!("Database is up to date.");
        }
        Command::ApiKeys(ApiKeysCommand::Create { name, group, new_group }) => {
            let name = parse_program_name(&name).map_err(|e| format!("--name {e}"))?;
            let group_id = resolve_group(&store, group, new_group, &clock).await?;
            let key = api_key::generate();
            let id = store
                .insert_api_key(&group_id, &name, &api_key::digest(&key), clock.now())
                .await?;
            println!("Created API key {id} in group {group_id}. The key is shown only once:");
            println!("{key}");
        }
        Command::ApiKeys(ApiKeysCommand::Revoke { id }) => {
            store
                .revoke_api_key(&id, clock.now())
                .await
                .map_err(|_| format!("no API key {id:?}"))?;
            println!("Revoked API key {id}.");
        }
        Command::Programs(ProgramsCommand::Create { name, group }) => {
            let name = parse_program_name(&name).map_err(|e| format!("--name {e}"))?;
            let group_id = resolve_group(&store, group, false, &clock).await?;
            let program = NewProgram {
                id: ids::new_id(ids::PROGRAM),
                name,
                bank: Bank::CoreBank,
                lending_maximum_extendable_credit: None,
            };
            store
                .insert_program(&group_id, &program, None, clock.now(), |_| Ok(String::new()))
                .await?;
            println!("Created program in group {group_id}:");
            println!("{}", program.id);
        }
    }
    store.close().await;
    Ok(())
}

async fn resolve_group(
    store: &Store,
    group: Option<String>,
    new_group: bool,
    clock: &SystemClock,
) -> Result<String, Box<dyn std::error::Error>> {
    if new_group {
        return Ok(store.create_group(clock.now()).await?);
    }
    match group {
        Some(group) if store.group_exists(&group).await? => Ok(group),
        Some(group) => Err(format!("no group {group:?}").into()),
        None => Ok(store.default_group(clock.now()).await?),
    }
}
