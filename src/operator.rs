//! What each command of the binary does: serve, or an operator task.

use std::{net::SocketAddr, sync::Arc};

use chrono::{DateTime, SecondsFormat, Utc};

use crate::{
    cli::{
        ApiKeysCommand, AuditCommand, Command, DataKeysCommand, Invocation, ProgramsCommand, ServeArgs, WebhooksCommand,
    },
    clock::{Clock, SystemClock},
    custody::DataKey,
    domain::{
        api_key::{self, Environment, Permissions},
        branding::{AccentColor, BrandingChange, LinkUrl, Logo, Origin, parse_display_name},
        ids::GroupId,
        program::{NewProgram, Program, parse_program_name},
    },
    startup::Application,
    store::{self, NewApiKey, ResealPosition, Resealed, Store, StoreError},
};

type Failure = Box<dyn std::error::Error>;

/// Start-up failures, naming what the operator set and where it was set.
#[derive(Debug, thiserror::Error)]
enum StartError {
    #[error("cannot {what} ({set_by})")]
    Database {
        what: String,
        set_by: String,
        #[source]
        source: StoreError,
    },
    #[error("cannot listen on {address} ({set_by})")]
    Listen {
        address: SocketAddr,
        set_by: String,
        #[source]
        source: std::io::Error,
    },
}

pub async fn run(invocation: Invocation) -> Result<(), Failure> {
    let clock = SystemClock;
    let Some(database) = invocation.command.database() else {
        // `data-keys generate`, the one command without a database.
        println!("{}", &*DataKey::generate().to_hex());
        return Ok(());
    };
    let store = open_store(&invocation, database).await?;
    let result = match &invocation.command {
        Command::Serve(serve_args) => serve(&invocation, serve_args, &store, clock).await,
        // open_store already applied every pending migration.
        Command::Migrate(_) => {
            println!("Database is up to date.");
            Ok(())
        }
        Command::ApiKeys(command) => api_keys(command, &store, &clock).await,
        Command::Programs(command) => programs(command, &store, &clock).await,
        Command::DataKeys(DataKeysCommand::Rotate { .. }) => rotate(&store).await,
        Command::DataKeys(DataKeysCommand::Generate) => unreachable!("handled without a database"),
        Command::Audit(AuditCommand::List { entity, .. }) => audit(&store, entity.as_deref()).await,
        Command::Webhooks(command) => webhooks(command, &store, &clock).await,
    };
    store.close().await;
    result
}

/// Opens the command's database (retrying while it comes up) and migrates it.
async fn open_store(invocation: &Invocation, database: &crate::cli::DatabaseArgs) -> Result<Store, Failure> {
    let settings = database.settings();
    match Store::connect(&settings).await {
        Ok(store) => Ok(store),
        // Already clear: an unsupported URL, or a migration that failed.
        Err(error @ (StoreError::Config(_) | StoreError::Migration(_))) => Err(error.into()),
        Err(source) => Err(StartError::Database {
            what: store::describe_connection(&settings.database_url),
            set_by: invocation.set_by("--database-url", "DATABASE_URL"),
            source,
        }
        .into()),
    }
}

async fn serve(invocation: &Invocation, args: &ServeArgs, store: &Store, clock: SystemClock) -> Result<(), Failure> {
    let settings = args.settings();
    // Every connection costs a descriptor: a low default soft limit would let
    // a few hundred stalled clients stop the server from accepting anyone.
    match crate::edge::connections::raise_open_file_limit() {
        Ok(limit) => tracing::debug!(limit, "open file limit"),
        Err(error) => tracing::warn!(%error, "cannot raise the open file limit"),
    }
    let address = settings.listen;
    let derived_public_url = settings.public_url.is_none();
    // Bind before anything else: an instance that cannot listen (say, a
    // second one on a busy port) must stop before first start makes a key
    // and shows it "only once".
    let app = Application::build(settings, Arc::new(clock), store.clone()).map_err(|source| StartError::Listen {
        address,
        set_by: invocation.set_by("--listen", "ONBOARDING_LISTEN"),
        source,
    })?;
    if address.ip().is_unspecified() && derived_public_url {
        tracing::warn!(
            "listening on all interfaces ({}) without ONBOARDING_PUBLIC_URL: session_url links will say {}, \
             which only this machine can open; set ONBOARDING_PUBLIC_URL to the address customers reach",
            SocketAddr::new(address.ip(), app.port()),
            app.public_url()
        );
    }
    announce_first_start(store, &clock, app.public_url()).await?;
    tracing::info!(port = app.port(), public_url = %app.public_url(), "listening");
    println!("Hosted Onboarding is listening on {}", app.public_url());
    app.run_until_stopped().await?;
    Ok(())
}

/// On an empty database: a default program and a sandbox key, shown once,
/// with the line that sets the README's quick-start variables.
async fn announce_first_start(store: &Store, clock: &dyn Clock, public_url: &url::Url) -> Result<(), Failure> {
    let key = api_key::generate();
    if let Some(created) = store.bootstrap_if_empty(&api_key::digest(&key), clock.now()).await? {
        let base = public_url.as_str().trim_end_matches('/');
        println!("First start: created a default program and a sandbox API key.");
        println!("  Program ID:  {}", created.program_id);
        println!("  API key ID:  {}", created.api_key_id);
        println!("  API key:     {key}");
        println!("The API key is shown only this once; keep it somewhere safe.");
        println!("To try the API quick start in the README, run:");
        println!(
            "  export ONBOARDING={} KEY={key} PROGRAM={}",
            shell_word(base),
            created.program_id
        );
    }
    Ok(())
}

async fn api_keys(command: &ApiKeysCommand, store: &Store, clock: &dyn Clock) -> Result<(), Failure> {
    match command {
        ApiKeysCommand::Create {
            name,
            group,
            new_group,
            sandbox,
            reveal_pii,
            ..
        } => {
            let name = parse_program_name(name).map_err(|e| format!("--name {e}"))?;
            let group_id = resolve_group(store, group.clone(), *new_group, clock).await?;
            let key = api_key::generate();
            let environment = if *sandbox {
                Environment::Sandbox
            } else {
                Environment::Production
            };
            let new_key = NewApiKey {
                name: &name,
                key_hash: &api_key::digest(&key),
                environment,
                permissions: Permissions {
                    reveal_pii: *reveal_pii,
                },
            };
            let id = store.insert_api_key(&group_id, &new_key, clock.now()).await?;
            let may_reveal = if *reveal_pii {
                ", allowed to reveal identification numbers (audited)"
            } else {
                ""
            };
            println!(
                "Created API key {id} in group {group_id} ({environment}{may_reveal}). The key is shown only once:"
            );
            println!("{key}");
        }
        ApiKeysCommand::List { .. } => {
            let rows = store
                .list_api_keys()
                .await?
                .into_iter()
                .map(|key| {
                    vec![
                        key.id.to_string(),
                        key.name,
                        key.environment.to_string(),
                        if key.permissions.reveal_pii { "reveal-pii" } else { "-" }.to_owned(),
                        key.group_id.to_string(),
                        timestamp(key.created_at),
                        key.revoked_at.map_or_else(|| "-".to_owned(), timestamp),
                    ]
                })
                .collect();
            print_table(
                &[
                    "ID",
                    "NAME",
                    "ENVIRONMENT",
                    "PERMISSIONS",
                    "GROUP",
                    "CREATED",
                    "REVOKED",
                ],
                rows,
            );
        }
        ApiKeysCommand::Revoke { id, .. } => {
            store
                .revoke_api_key(id, clock.now())
                .await
                .map_err(|_| format!("no API key {:?}", id.as_str()))?;
            println!("Revoked API key {id}.");
        }
    }
    Ok(())
}

/// Re-seals, batch by batch, everything an older data key sealed.
async fn rotate(store: &Store) -> Result<(), Failure> {
    let mut position = ResealPosition::default();
    let mut total = Resealed::default();
    loop {
        let moved = store.reseal_batch(&mut position).await?;
        let numbers = moved.identification_numbers;
        total.add(moved);
        if numbers == 0 && position.is_done() {
            break;
        }
    }
    println!(
        "Re-encrypted {} values under data key {}: {} identification numbers, {} form links, {} stored responses, \
         {} form drafts, {} webhook secrets.",
        total.total(),
        store.data_key_id(),
        total.identification_numbers,
        total.form_tokens,
        total.responses,
        total.drafts,
        total.webhook_secrets
    );
    println!("Everything is now encrypted with the current key; earlier keys are no longer needed.");
    Ok(())
}

async fn webhooks(command: &WebhooksCommand, store: &Store, clock: &dyn Clock) -> Result<(), Failure> {
    match command {
        WebhooksCommand::Deliveries {
            subscription, limit, ..
        } => {
            for delivery in store
                .recent_deliveries(subscription.as_deref(), i64::from((*limit).max(1)))
                .await?
            {
                println!("{}", serde_json::to_string(&delivery)?);
            }
        }
        WebhooksCommand::Redeliver {
            event, subscription, ..
        } => {
            let queued = store
                .redeliver(event, subscription.as_ref(), clock.now())
                .await
                .map_err(|error| match error {
                    StoreError::NotFound => format!("no event {:?}", event.as_str()),
                    other => other.to_string(),
                })?;
            if queued == 0 {
                return Err(format!("no active subscription selects event {event}").into());
            }
            println!("Queued event {event} for {queued} subscription(s).");
        }
    }
    Ok(())
}

async fn audit(store: &Store, entity: Option<&str>) -> Result<(), Failure> {
    for entry in store.audit_log(entity).await? {
        println!("{}", serde_json::to_string(&entry)?);
    }
    Ok(())
}

async fn programs(command: &ProgramsCommand, store: &Store, clock: &dyn Clock) -> Result<(), Failure> {
    match command {
        ProgramsCommand::Create { name, group, .. } => {
            let name = parse_program_name(name).map_err(|e| format!("--name {e}"))?;
            let group_id = resolve_group(store, group.clone(), false, clock).await?;
            let mut work = store.begin().await?;
            let program = crate::usecases::programs::create_program(
                &mut work,
                &group_id,
                &NewProgram::named(name),
                None,
                clock.now(),
            )
            .await?;
            work.commit().await?;
            println!("Created program in group {group_id}:");
            println!("{}", program.id);
        }
        ProgramsCommand::List { .. } => {
            let rows = store
                .list_all_programs()
                .await?
                .into_iter()
                .map(|(group_id, program)| {
                    vec![
                        program.id.to_string(),
                        program.name,
                        group_id.to_string(),
                        timestamp(program.created_at),
                    ]
                })
                .collect();
            print_table(&["ID", "NAME", "GROUP", "CREATED"], rows);
        }
        ProgramsCommand::Update { id, .. } => {
            let change = branding_change(command)?;
            if change.is_empty() {
                return Err(
                    "nothing to change: give at least one of --display-name, --accent-color, --logo, \
                            --support-url, --privacy-url, --allowed-redirect-origins, --allowed-frame-ancestors, \
                            --redirect-out-of-frame"
                        .into(),
                );
            }
            let (group_id, _) = store
                .list_all_programs()
                .await?
                .into_iter()
                .find(|(_, program)| program.id == *id)
                .ok_or_else(|| format!("no program {id}; `onboarding programs list` shows them"))?;
            let mut work = store.begin().await?;
            let program =
                crate::usecases::programs::update_branding(&mut work, &group_id, id, &change, clock.now()).await?;
            work.commit().await?;
            print_branding(&program);
        }
    }
    Ok(())
}

/// The change the options of `programs update` ask for; each option is
/// checked as the API checks it, and named in the error.
fn branding_change(command: &ProgramsCommand) -> Result<BrandingChange, Failure> {
    let ProgramsCommand::Update {
        display_name,
        accent_color,
        logo,
        support_url,
        privacy_url,
        allowed_redirect_origins,
        allowed_frame_ancestors,
        redirect_out_of_frame,
        ..
    } = command
    else {
        return Ok(BrandingChange::default());
    };
    fn clearable<T>(
        option: &str,
        value: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Option<Option<T>>, Failure> {
        match value {
            None => Ok(None),
            Some("") => Ok(Some(None)),
            Some(value) => Ok(Some(Some(parse(value).map_err(|e| format!("{option} {e}"))?))),
        }
    }
    let logo = match logo {
        None => None,
        Some(path) if path.as_os_str().is_empty() => Some(None),
        Some(path) => {
            let bytes = std::fs::read(path).map_err(|e| format!("--logo: cannot read {}: {e}", path.display()))?;
            Some(Some(
                Logo::parse(bytes).map_err(|e| format!("--logo {} {e}", path.display()))?,
            ))
        }
    };
    Ok(BrandingChange {
        display_name: clearable("--display-name", display_name.as_deref(), |v| {
            parse_display_name(v).map_err(str::to_owned)
        })?,
        accent_color: clearable("--accent-color", accent_color.as_deref(), AccentColor::parse)?,
        logo,
        support_url: clearable("--support-url", support_url.as_deref(), |v| {
            LinkUrl::parse(v).map_err(str::to_owned)
        })?,
        privacy_url: clearable("--privacy-url", privacy_url.as_deref(), |v| {
            LinkUrl::parse(v).map_err(str::to_owned)
        })?,
        allowed_redirect_origins: allowed_redirect_origins
            .as_deref()
            .map(|v| Origin::parse_list(v).map_err(|e| format!("--allowed-redirect-origins: {e}")))
            .transpose()?
            .map(|list| Some(list).filter(|list| !list.is_empty())),
        allowed_frame_ancestors: allowed_frame_ancestors
            .as_deref()
            .map(|v| Origin::parse_list(v).map_err(|e| format!("--allowed-frame-ancestors: {e}")))
            .transpose()?,
        redirect_out_of_frame: *redirect_out_of_frame,
    })
}

fn print_branding(program: &Program) {
    let b = &program.branding;
    let origins = |list: &[Origin]| list.iter().map(Origin::as_str).collect::<Vec<_>>().join(", ");
    let rows = vec![
        vec!["program".to_owned(), program.id.to_string()],
        vec!["display name".to_owned(), program.shown_name().to_owned()],
        vec![
            "accent color".to_owned(),
            b.accent_color.map(|c| c.as_hex()).unwrap_or_default(),
        ],
        vec![
            "logo".to_owned(),
            b.logo.as_ref().map(crate::links::logo).unwrap_or_default(),
        ],
        vec![
            "support url".to_owned(),
            b.support_url
                .as_ref()
                .map(|u| u.as_str().to_owned())
                .unwrap_or_default(),
        ],
        vec![
            "privacy url".to_owned(),
            b.privacy_url
                .as_ref()
                .map(|u| u.as_str().to_owned())
                .unwrap_or_default(),
        ],
        vec![
            "allowed redirect origins".to_owned(),
            b.allowed_redirect_origins
                .as_deref()
                .map_or_else(|| "(any)".to_owned(), origins),
        ],
        vec![
            "allowed frame ancestors".to_owned(),
            Some(origins(&b.allowed_frame_ancestors))
                .filter(|list| !list.is_empty())
                .unwrap_or_else(|| "(none)".to_owned()),
        ],
        vec![
            "redirect out of frame".to_owned(),
            if b.redirect_out_of_frame { "yes" } else { "no" }.to_owned(),
        ],
    ];
    print_table(&["SETTING", "VALUE"], rows);
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

fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Prints left-aligned columns under a header, two spaces apart.
fn print_table(header: &[&str], rows: Vec<Vec<String>>) {
    let mut widths: Vec<usize> = header.iter().map(|title| title.chars().count()).collect();
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let header = header.iter().map(|title| (*title).to_owned()).collect();
    for row in std::iter::once(header).chain(rows) {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        println!("{}", line.join("  ").trim_end());
    }
}

/// `text` as one shell word: as it is when that is safe, else single-quoted.
fn shell_word(text: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_-.,:/@%+=".contains(c);
    if !text.is_empty() && text.chars().all(safe) {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::shell_word;

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(shell_word("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(shell_word("https://x.example/a b"), "'https://x.example/a b'");
        assert_eq!(shell_word("https://x.example/it's"), r"'https://x.example/it'\''s'");
    }
}
