//! What each command of the binary does: serve, or an operator task.

use std::sync::Arc;

use crate::{
    cli::{ApiKeysCommand, Cli, Command, ProgramsCommand},
    clock::{Clock, SystemClock},
    domain::{
        api_key,
        ids::GroupId,
        program::{NewProgram, parse_program_name},
    },
    startup::Application,
    store::Store,
};

type Failure = Box<dyn std::error::Error>;

pub async fn run(cli: Cli) -> Result<(), Failure> {
    let settings = cli.options.settings();
    let clock = SystemClock;
    let store = Store::connect(&settings).await?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            announce_first_start(&store, &clock).await?;
            let app = Application::build(settings, Arc::new(clock), store.clone())?;
            tracing::info!(port = app.port(), public_url = %app.public_url(), "listening");
            println!("Hosted Onboarding is listening on {}", app.public_url());
            app.run_until_stopped().await?;
        }
        // Store::connect already applied every pending migration.
        Command::Migrate => println!("Database is up to date."),
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
                .map_err(|_| format!("no API key {:?}", id.as_str()))?;
            println!("Revoked API key {id}.");
        }
        Command::Programs(ProgramsCommand::Create { name, group }) => {
            let name = parse_program_name(&name).map_err(|e| format!("--name {e}"))?;
            let group_id = resolve_group(&store, group, false, &clock).await?;
            let mut work = store.begin().await?;
            let program = work
                .insert_program(&group_id, &NewProgram::named(name), None, clock.now())
                .await?;
            work.commit().await?;
            println!("Created program in group {group_id}:");
            println!("{}", program.id);
        }
    }
    store.close().await;
    Ok(())
}

/// On an empty database: a default program and a sandbox key, shown once.
async fn announce_first_start(store: &Store, clock: &dyn Clock) -> Result<(), Failure> {
    let key = api_key::generate();
    if let Some(created) = store.bootstrap_if_empty(&api_key::digest(&key), clock.now()).await? {
        println!("First start: created a default program and a sandbox API key.");
        println!("  Program ID: {}", created.program_id);
        println!("  API key:    {key}");
        println!("The API key is shown only this once; keep it somewhere safe.");
    }
    Ok(())
}

async fn resolve_group(
    store: &Store,
    group: Option<GroupId>,
    new_group: bool,
    clock: &dyn Clock,
) -> Result<GroupId, Failure> {
    if new_group {
        return Ok(store.create_group(clock.now()).await?);
    }
    match group {
        Some(group) if store.group_exists(&group).await? => Ok(group),
        Some(group) => Err(format!("no group {:?}", group.as_str()).into()),
        None => Ok(store.default_group(clock.now()).await?),
    }
}
