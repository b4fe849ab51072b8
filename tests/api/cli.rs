//! The `onboarding` binary as an operator uses it.

use serde_json::Value;

use crate::common::binary::{RunningServer, onboarding, serve};

/// Runs the binary on database `db` with extra environment variables.
fn run_with(db: &str, env: &[(&str, &str)], args: &[&str]) -> (bool, String, String) {
    let output = onboarding()
        .args(args)
        .env("DATABASE_URL", db)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn run(db: &str, args: &[&str]) -> (bool, String, String) {
    run_with(db, &[], args)
}

/// The rows of a table the CLI printed, by column title: each column starts
/// where its title does.
fn table(text: &str) -> Vec<std::collections::HashMap<&str, &str>> {
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let mut starts: Vec<(usize, &str)> = header.split_whitespace().map(|title| (0, title)).collect();
    let mut from = 0;
    for (start, title) in &mut starts {
        *start = from + header[from..].find(*title).unwrap();
        from = *start + title.len();
    }
    lines
        .map(|line| {
            starts
                .iter()
                .enumerate()
                .map(|(i, (start, title))| {
                    let end = starts
                        .get(i + 1)
                        .map_or(line.len(), |(next, _)| (*next).min(line.len()));
                    (*title, line.get(*start..end).unwrap_or("").trim())
                })
                .collect()
        })
        .collect()
}

fn last_line(text: &str) -> &str {
    text.lines().last().unwrap_or("").trim()
}

/// A SQLite database file in `dir` that does not exist yet.
fn new_db(dir: &tempfile::TempDir, name: &str) -> String {
    dir.path().join(name).display().to_string()
}

#[test]
fn help_lists_the_commands_and_serve_help_its_environment_variables() {
    let (ok, stdout, _) = run("unused.db", &["--help"]);
    assert!(ok);
    for command in ["serve", "api-keys", "programs", "migrate"] {
        assert!(stdout.contains(command), "--help lists {command}:\n{stdout}");
    }
    assert!(stdout.contains("onboarding serve --help"), "{stdout}");
    let (ok, stdout, _) = run("unused.db", &["serve", "--help"]);
    assert!(ok);
    for var in [
        "DATABASE_URL",
        "ONBOARDING_LISTEN",
        "ONBOARDING_PUBLIC_URL",
        "ONBOARDING_SESSION_TTL",
        "ONBOARDING_COOKIE_KEY",
        "ONBOARDING_LOG_FORMAT",
    ] {
        assert!(stdout.contains(var), "serve --help mentions {var}:\n{stdout}");
    }
}

#[test]
fn each_operator_command_shows_only_its_own_options() {
    for command in [
        &["migrate", "--help"][..],
        &["api-keys", "create", "--help"],
        &["api-keys", "list", "--help"],
        &["api-keys", "revoke", "--help"],
        &["programs", "create", "--help"],
        &["programs", "list", "--help"],
    ] {
        let (ok, stdout, _) = run("unused.db", command);
        assert!(ok, "{command:?}");
        assert!(stdout.contains("DATABASE_URL"), "{command:?}:\n{stdout}");
        for server_only in [
            "--listen",
            "--public-url",
            "--session-ttl",
            "--sweep-interval",
            "--idempotency-retention",
            "--workers",
            "--cookie",
        ] {
            assert!(
                !stdout.contains(server_only),
                "{command:?} shows {server_only}:\n{stdout}"
            );
        }
    }
}

#[test]
fn operator_commands_ignore_server_settings_they_do_not_use() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(&dir, "ignore.db");
    let odd = [
        ("ONBOARDING_SESSION_TTL", "0"),
        ("ONBOARDING_LISTEN", "not an address"),
        ("ONBOARDING_PUBLIC_URL", "nowhere"),
        ("ONBOARDING_COOKIE_KEY", "short"),
        ("ONBOARDING_WORKERS", "many"),
        ("ONBOARDING_IDEMPOTENCY_RETENTION", "0"),
    ];
    for command in [&["migrate"][..], &["api-keys", "list"], &["programs", "list"]] {
        let (ok, _, stderr) = run_with(&db, &odd, command);
        assert!(ok, "{command:?}: {stderr}");
    }
}

#[test]
fn the_database_password_is_never_printed() {
    let url = "postgres://app:hunter2@127.0.0.1:1/onboarding";
    for help in [&["--help"][..], &["serve", "--help"], &["migrate", "--help"]] {
        let (ok, stdout, _) = run(url, help);
        assert!(ok);
        assert!(!stdout.contains("hunter2"), "{help:?} hides the value:\n{stdout}");
    }
    let quick = [
        ("ONBOARDING_DB_STARTUP_TIMEOUT", "0s"),
        ("ONBOARDING_DB_ACQUIRE_TIMEOUT", "1s"),
    ];
    let (ok, _, stderr) = run_with(url, &quick, &["migrate"]);
    assert!(!ok, "nothing listens on port 1");
    assert!(!stderr.contains("hunter2"), "{stderr}");
    let (ok, _, stderr) = run("mysql://app:hunter2@127.0.0.1/onboarding", &["migrate"]);
    assert!(!ok);
    assert!(
        stderr.contains("unsupported database URL") && !stderr.contains("hunter2"),
        "{stderr}"
    );
}

#[test]
fn database_errors_name_the_sqlite_file_or_the_postgres_host_and_port() {
    let (ok, _, stderr) = run("/nonexistent/dir/onboarding.db", &["migrate"]);
    assert!(!ok);
    assert!(
        stderr.contains("cannot open the SQLite database file /nonexistent/dir/onboarding.db (from DATABASE_URL)"),
        "{stderr}"
    );
    let output = onboarding()
        .args(["api-keys", "list", "--database-url", "/nonexistent/dir/flag.db"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("/nonexistent/dir/flag.db (from --database-url)"),
        "{stderr}"
    );

    // PostgreSQL needs the data key, which is checked before connecting.
    let (ok, _, stderr) = run_with("postgres://app@127.0.0.1:1/onboarding", &[], &["programs", "list"]);
    assert!(!ok);
    assert!(
        stderr.contains("ONBOARDING_DATA_KEY is required with PostgreSQL"),
        "{stderr}"
    );
    let quick = [
        ("ONBOARDING_DB_STARTUP_TIMEOUT", "0s"),
        ("ONBOARDING_DB_ACQUIRE_TIMEOUT", "1s"),
        ("ONBOARDING_DATA_KEY", crate::helpers::TEST_DATA_KEY),
    ];
    let (ok, _, stderr) = run_with("postgres://app@127.0.0.1:1/onboarding", &quick, &["programs", "list"]);
    assert!(!ok);
    assert!(
        stderr.contains("cannot connect to PostgreSQL at 127.0.0.1:1 (from DATABASE_URL)"),
        "{stderr}"
    );
}

#[test]
fn bad_values_name_the_environment_variable_that_set_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(&dir, "ttl.db");
    for ttl in ["0", "30s", "31d", "six hours"] {
        let (ok, stdout, stderr) = run_with(&db, &[("ONBOARDING_SESSION_TTL", ttl)], &[]);
        assert!(!ok && stdout.is_empty(), "{ttl}: {stdout}");
        assert!(
            stderr.contains(&format!(
                "invalid value '{ttl}' for the environment variable ONBOARDING_SESSION_TTL"
            )),
            "{ttl}: {stderr}"
        );
    }
    let (_, _, stderr) = run_with(&db, &[("ONBOARDING_SESSION_TTL", "0")], &[]);
    assert!(stderr.contains("between 1m and 30d"), "{stderr}");
    let (ok, _, stderr) = run_with(
        &db,
        &[("ONBOARDING_SESSION_TTL", "6h")],
        &["serve", "--session-ttl", "0"],
    );
    assert!(!ok);
    assert!(
        stderr.contains("'--session-ttl <SESSION_TTL>'") && !stderr.contains("ONBOARDING_SESSION_TTL"),
        "a flag is named as the flag: {stderr}"
    );
    for connections in ["0", "1001", "4294967295", "eight"] {
        let (ok, _, stderr) = run_with(&db, &[("ONBOARDING_DB_MAX_CONNECTIONS", connections)], &["serve"]);
        assert!(!ok, "{connections}");
        assert!(
            stderr.contains(&format!(
                "invalid value '{connections}' for the environment variable ONBOARDING_DB_MAX_CONNECTIONS"
            )),
            "{connections}: {stderr}"
        );
    }
    let (_, _, stderr) = run_with(&db, &[("ONBOARDING_DB_MAX_CONNECTIONS", "0")], &["migrate"]);
    assert!(stderr.contains("1..=1000"), "the range is named: {stderr}");
    let (ok, _, stderr) = run_with(&db, &[("ONBOARDING_IDEMPOTENCY_RETENTION", "5m")], &["serve"]);
    assert!(!ok);
    assert!(
        stderr.contains("ONBOARDING_IDEMPOTENCY_RETENTION") && stderr.contains("at least 1h"),
        "{stderr}"
    );
    let (ok, _, stderr) = run_with(&db, &[("ONBOARDING_COOKIE_SECURE", "maybe")], &["serve"]);
    assert!(!ok);
    assert!(stderr.contains("ONBOARDING_COOKIE_SECURE"), "{stderr}");
    assert!(!std::path::Path::new(&db).exists(), "nothing was started");
}

#[test]
fn a_bad_trusted_proxy_list_stops_the_start_naming_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(&dir, "proxies.db");
    for bad in ["10.0.0.0/33", "proxy.internal", "10.0.0.0/8;127.0.0.1/32"] {
        let (ok, stdout, stderr) = run_with(&db, &[("ONBOARDING_TRUSTED_PROXIES", bad)], &[]);
        assert!(!ok && stdout.is_empty(), "{bad}: {stdout}");
        assert!(
            stderr.contains("the environment variable ONBOARDING_TRUSTED_PROXIES") && stderr.contains("CIDR"),
            "{bad}: {stderr}"
        );
    }
    assert!(!std::path::Path::new(&db).exists(), "nothing was started");
}

/// The soft and hard limits on open files of process `pid` (`self` for this one).
#[cfg(target_os = "linux")]
fn open_file_limits(pid: &str) -> (u64, u64) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let line = limits.lines().find(|line| line.starts_with("Max open files")).unwrap();
    let number = |text: &str| text.parse().unwrap_or(u64::MAX);
    let mut values = line.trim_start_matches("Max open files").split_whitespace();
    (number(values.next().unwrap()), number(values.next().unwrap()))
}

#[cfg(target_os = "linux")]
#[test]
fn the_server_raises_its_open_file_limit_to_the_hard_limit() {
    const LOWERED: u64 = 256;
    let (_, hard) = open_file_limits("self");
    assert!(
        hard > LOWERED,
        "this test needs a hard limit above {LOWERED}, not {hard}"
    );
    let dir = tempfile::tempdir().unwrap();
    // Started with a soft limit as low as many systems' default of 1024, or lower.
    let mut command = std::process::Command::new("sh");
    command.args([
        "-c",
        &format!("ulimit -S -n {LOWERED} && exec \"$0\""),
        crate::common::binary::BIN,
    ]);
    crate::common::binary::without_operator_settings(&mut command)
        .env("DATABASE_URL", new_db(&dir, "limits.db"))
        .env("ONBOARDING_LISTEN", "127.0.0.1:0");
    let server = RunningServer::start(command);
    let (soft, server_hard) = open_file_limits(&server.pid().to_string());
    assert_eq!(server_hard, hard, "the hard limit is inherited");
    assert_eq!(soft, hard, "the soft limit is raised from {LOWERED} to the hard limit");
}

#[test]
fn migrate_creates_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let (ok, _, stderr) = run(db.to_str().unwrap(), &["migrate"]);
    assert!(ok, "{stderr}");
    assert!(db.exists());
    let (ok, _, _) = run(db.to_str().unwrap(), &["migrate"]);
    assert!(ok, "migrating twice is harmless");
}

#[test]
fn unsupported_database_urls_are_a_clear_error() {
    let (ok, _, stderr) = run("mysql://localhost/db", &["migrate"]);
    assert!(!ok);
    assert!(stderr.contains("unsupported database URL"), "{stderr}");
}

#[test]
fn api_keys_list_shows_each_key_but_never_the_key_itself() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(&dir, "keys.db");
    let (ok, stdout, _) = run(&db, &["api-keys", "list"]);
    assert!(ok);
    assert_eq!(
        stdout.trim(),
        "ID  NAME  ENVIRONMENT  PERMISSIONS  GROUP  CREATED  REVOKED"
    );

    let (_, created, _) = run(&db, &["api-keys", "create", "--name", "Back office"]);
    let kept = last_line(&created).to_owned();
    let kept_id = created.split_whitespace().nth(3).unwrap().to_owned();
    let (_, created, _) = run(
        &db,
        &[
            "api-keys",
            "create",
            "--name",
            "Old",
            "--new-group",
            "--sandbox",
            "--reveal-pii",
        ],
    );
    assert!(
        created.contains("(sandbox, allowed to reveal identification numbers"),
        "{created}"
    );
    let revoked = last_line(&created).to_owned();
    let revoked_id = created.split_whitespace().nth(3).unwrap().to_owned();
    assert!(kept_id.starts_with("api_key_") && revoked_id.starts_with("api_key_"));
    let (ok, _, stderr) = run(&db, &["api-keys", "revoke", &revoked_id]);
    assert!(ok, "{stderr}");

    let (ok, stdout, _) = run(&db, &["api-keys", "list"]);
    assert!(ok);
    assert!(!stdout.contains(&kept) && !stdout.contains(&revoked) && !stdout.contains("secret_key_"));
    let rows = table(&stdout);
    assert_eq!(rows.len(), 2, "{stdout}");
    let row = |id: &str| rows.iter().find(|row| row["ID"] == id).unwrap().clone();
    let kept_row = row(&kept_id);
    assert_eq!(kept_row["NAME"], "Back office");
    assert_eq!(
        kept_row["ENVIRONMENT"], "production",
        "a key is for production unless --sandbox"
    );
    assert_eq!(kept_row["PERMISSIONS"], "-");
    assert!(kept_row["CREATED"].ends_with('Z'), "{stdout}");
    assert_eq!(kept_row["REVOKED"], "-");
    let revoked_row = row(&revoked_id);
    assert_eq!(revoked_row["ENVIRONMENT"], "sandbox");
    assert_eq!(revoked_row["PERMISSIONS"], "reveal-pii");
    assert!(revoked_row["REVOKED"].ends_with('Z'), "{stdout}");
    assert_ne!(
        kept_row["GROUP"], revoked_row["GROUP"],
        "--new-group made a second group"
    );
}

#[test]
fn programs_list_shows_every_group_s_programs() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(&dir, "programs.db");
    let (_, stdout, _) = run(&db, &["programs", "create", "--name", "Acme Cards"]);
    let first = last_line(&stdout).to_owned();
    let (_, stdout, _) = run(&db, &["api-keys", "create", "--name", "B", "--new-group"]);
    let group_b = stdout
        .split_whitespace()
        .nth(6)
        .unwrap()
        .trim_end_matches('.')
        .to_owned();
    let (ok, stdout, stderr) = run(&db, &["programs", "create", "--name", "Tenant B", "--group", &group_b]);
    assert!(ok, "{stderr}");
    let second = last_line(&stdout).to_owned();

    let (ok, stdout, _) = run(&db, &["programs", "list"]);
    assert!(ok);
    let rows = table(&stdout);
    assert_eq!(rows.len(), 2, "oldest first: {stdout}");
    assert_eq!((rows[0]["ID"], rows[0]["NAME"]), (first.as_str(), "Acme Cards"));
    assert_eq!(
        (rows[1]["ID"], rows[1]["NAME"], rows[1]["GROUP"]),
        (second.as_str(), "Tenant B", group_b.as_str())
    );
    assert!(rows[1]["CREATED"].ends_with('Z'), "{stdout}");
}

#[tokio::test]
async fn created_keys_and_programs_work_against_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("cli.db").display());
    let (ok, stdout, stderr) = run(&db, &["programs", "create", "--name", "Acme Onboarding"]);
    assert!(ok, "{stderr}");
    let program_id = last_line(&stdout).to_owned();
    assert!(
        program_id.parse::<onboarding::domain::ids::ProgramId>().is_ok(),
        "{stdout}"
    );
    let (ok, stdout, stderr) = run(&db, &["api-keys", "create", "--name", "backend"]);
    assert!(ok, "{stderr}");
    let key = last_line(&stdout).to_owned();
    assert!(key.starts_with("secret_key_"), "{stdout}");
    assert!(!stderr.contains(&key), "the key is not logged");

    // The database already has a group, so serve creates nothing new.
    let server = serve(&db, &[]);
    assert!(
        !server.printed.iter().any(|l| l.contains("API key")),
        "{:?}",
        server.printed
    );
    let program: Value = reqwest::Client::new()
        .get(format!("{}/programs/{program_id}", server.base_url))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(program["name"], "Acme Onboarding");

    // Revoked by the operator in another process: refused within the time a
    // verified key is remembered.
    let key_id = stdout.split_whitespace().nth(3).unwrap().to_owned();
    let (ok, _, stderr) = run(&db, &["api-keys", "revoke", &key_id]);
    assert!(ok, "{stderr}");
    let revoked_at = std::time::Instant::now();
    let status = loop {
        let status = reqwest::Client::new()
            .get(format!("{}/programs", server.base_url))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap()
            .status();
        if status == 401 || revoked_at.elapsed() > onboarding::store::KEY_CACHE_TTL * 2 {
            break status;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(status, 401, "refused within twice the time a key is remembered");
}

#[tokio::test]
async fn first_start_prints_a_working_key_with_its_id_and_program_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(&dir, "first.db");
    let server = serve(&db, &[]);
    let key = server.printed_value("API key:").unwrap();
    let key_id = server.printed_value("API key ID:").unwrap();
    let program_id = server.printed_value("Program ID:").unwrap();
    let export = server.printed_value("export ").unwrap();
    assert_eq!(
        export,
        format!("ONBOARDING={} KEY={key} PROGRAM={program_id}", server.base_url)
    );
    let response = reqwest::Client::new()
        .post(format!("{}/entity_onboarding_sessions", server.base_url))
        .bearer_auth(&key)
        .json(&serde_json::json!({ "program_id": program_id, "redirect_url": "http://localhost:3000/done" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    drop(server);

    let (_, listed, _) = run(&db, &["api-keys", "list"]);
    assert!(listed.lines().nth(1).unwrap().starts_with(&key_id), "{listed}");
    let again = serve(&db, &[]);
    assert!(
        !again.printed.iter().any(|l| l.contains("API key")),
        "printed only on first start: {:?}",
        again.printed
    );
}

#[test]
fn a_second_instance_on_a_busy_port_fails_before_making_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let first = serve(&new_db(&dir, "first.db"), &[]);
    let address = first.base_url.trim_start_matches("http://").to_owned();
    let second_db = new_db(&dir, "second.db");
    let (ok, stdout, stderr) = run_with(&second_db, &[("ONBOARDING_LISTEN", &address)], &[]);
    assert!(!ok);
    assert!(!stdout.contains("API key"), "no key is shown: {stdout}");
    assert!(
        stderr.contains(&format!("cannot listen on {address} (from ONBOARDING_LISTEN)")),
        "{stderr}"
    );
    let (_, listed, _) = run(&second_db, &["api-keys", "list"]);
    assert_eq!(listed.lines().count(), 1, "and none was made: {listed}");
}

#[test]
fn the_listen_address_may_name_a_host() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(&new_db(&dir, "host.db"), &[("ONBOARDING_LISTEN", "localhost:0")]);
    assert!(server.base_url.starts_with("http://127.0.0.1:"), "{}", server.base_url);
}

#[test]
fn listening_on_all_interfaces_without_a_public_url_warns_about_the_links() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(&dir, "all.db");
    let server = serve(&db, &[("ONBOARDING_LISTEN", "0.0.0.0:0")]);
    assert!(server.base_url.starts_with("http://localhost:"), "{}", server.base_url);
    let stderr = server.stop();
    assert!(
        stderr.contains("without ONBOARDING_PUBLIC_URL: session_url links will say http://localhost:"),
        "{stderr}"
    );

    let server = serve(
        &db,
        &[
            ("ONBOARDING_LISTEN", "0.0.0.0:0"),
            ("ONBOARDING_PUBLIC_URL", "https://onboard.example.com"),
        ],
    );
    let stderr = server.stop();
    assert!(!stderr.contains("ONBOARDING_PUBLIC_URL"), "{stderr}");
}

#[tokio::test]
async fn data_keys_rotate_under_a_new_key_and_the_audit_log_prints_as_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(&dir, "custody.db");
    let (ok, generated, _) = run(&db, &["data-keys", "generate"]);
    assert!(ok);
    let new_key = generated.trim().to_owned();
    assert!(
        new_key.len() == 64 && new_key.bytes().all(|b| b.is_ascii_hexdigit()),
        "{generated}"
    );

    // First start: the key file; an Entity with a full number sealed under it.
    let server = serve(&db, &[]);
    let key = server.printed_value("API key:").unwrap();
    let (ok, created, stderr) = run(&db, &["api-keys", "create", "--name", "KYC", "--reveal-pii"]);
    assert!(ok, "{stderr}");
    let revealer = last_line(&created).to_owned();
    let revealer_id = created.split_whitespace().nth(3).unwrap().to_owned();
    let client = reqwest::Client::new();
    let entity: Value = client
        .post(format!("{}/entities", server.base_url))
        .bearer_auth(&key)
        .json(&crate::entities::corporation_body())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entity_id = entity["id"].as_str().unwrap().to_owned();
    drop(server);

    // The new key takes over; the key file's stays readable until rotated.
    let env = [("ONBOARDING_DATA_KEY", new_key.as_str())];
    let (ok, rotated, stderr) = run_with(&db, &env, &["data-keys", "rotate"]);
    assert!(ok, "{stderr}");
    assert!(rotated.contains("1 identification numbers"), "{rotated}");
    let (ok, again, _) = run_with(&db, &env, &["data-keys", "rotate"]);
    assert!(ok && again.contains("Re-encrypted 0 values"), "{again}");
    // Without the old key at all, the number still reads.
    std::fs::remove_file(format!("{db}.key")).unwrap();
    let server = serve(&db, &env);
    let shown: Value = client
        .get(format!(
            "{}/entities/{entity_id}/identification_numbers",
            server.base_url
        ))
        .bearer_auth(&revealer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(shown["data"][0]["number"], "078051120", "{shown}");
    drop(server);

    let (ok, audit, stderr) = run_with(&db, &env, &["audit", "list", "--entity", &entity_id]);
    assert!(ok, "{stderr}");
    let lines: Vec<Value> = audit.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(lines.len(), 1, "{audit}");
    assert_eq!(lines[0]["outcome"], "revealed");
    assert_eq!(lines[0]["api_key_id"], revealer_id.as_str());
    assert_eq!(lines[0]["entity_id"], entity_id.as_str());
    assert_eq!(lines[0]["client_ip"], "127.0.0.1");
    let (ok, none, _) = run_with(&db, &env, &["audit", "list", "--entity", "entity_00000000000000000000"]);
    assert!(ok && none.trim().is_empty(), "{none}");
}

#[tokio::test]
async fn webhook_deliveries_are_listed_and_an_event_is_sent_again() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(&dir, "webhooks.db");
    let receiver = crate::common::receiver::Receiver::start(&[500]);
    let server = serve(&db, &[("ONBOARDING_WEBHOOK_RETRY_BASE", "1h")]);
    let key = server.printed_value("API key:").unwrap();
    let client = reqwest::Client::new();
    let subscription: Value = client
        .post(format!("{}/event_subscriptions", server.base_url))
        .bearer_auth(&key)
        .json(&serde_json::json!({ "url": receiver.url, "selected_event_categories": [{ "event_category": "program.created" }] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let subscription_id = subscription["id"].as_str().unwrap().to_owned();
    let (ok, _, stderr) = run(&db, &["programs", "create", "--name", "Webhooks"]);
    assert!(ok, "{stderr}");
    // A program made by the CLI is an event too; the running service delivers it.
    assert_eq!(receiver.wait_for(1, std::time::Duration::from_secs(10)).await.len(), 1);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let (ok, listed, stderr) = run(&db, &["webhooks", "deliveries", "--subscription", &subscription_id]);
    assert!(ok, "{stderr}");
    let deliveries: Vec<Value> = listed.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(deliveries.len(), 1, "{listed}");
    let failed = &deliveries[0];
    assert_eq!(failed["category"], "program.created");
    assert_eq!(failed["status"], "pending", "retried in an hour");
    assert_eq!(failed["attempts"], 1);
    assert_eq!(failed["last_status_code"], 500);
    assert!(failed["next_attempt_at"].is_string());
    let event_id = failed["event_id"].as_str().unwrap();

    let (ok, queued, stderr) = run(&db, &["webhooks", "redeliver", event_id]);
    assert!(ok && queued.contains("for 1 subscription"), "{queued}{stderr}");
    let received = receiver.wait_for(2, std::time::Duration::from_secs(10)).await;
    assert_eq!(received.len(), 2);
    assert_eq!(received[0].headers["webhook-id"], received[1].headers["webhook-id"]);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let (_, listed, _) = run(&db, &["webhooks", "deliveries"]);
    let delivered: Value = serde_json::from_str(listed.lines().next().unwrap()).unwrap();
    assert_eq!(
        (delivered["status"].as_str(), delivered["last_status_code"].as_i64()),
        (Some("delivered"), Some(200))
    );
    assert_eq!(delivered["attempts"], 1, "a redelivery starts its count afresh");
    let (ok, _, stderr) = run(&db, &["webhooks", "redeliver", "event_00000000000000000000"]);
    assert!(!ok && stderr.contains("no event"), "{stderr}");
    drop(server);
}

#[tokio::test]
async fn programs_update_sets_branding_and_allow_lists_that_the_api_then_applies() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(&dir, "branding.db");
    let (ok, stdout, stderr) = run(&db, &["programs", "create", "--name", "Acme Onboarding"]);
    assert!(ok, "{stderr}");
    let program_id = last_line(&stdout).to_owned();

    // Each bad option is refused by name, and nothing is changed.
    let svg = dir.path().join("logo.svg");
    std::fs::write(
        &svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#,
    )
    .unwrap();
    let big = dir.path().join("big.png");
    std::fs::write(&big, crate::branding::png_of_size(100 * 1024 + 1)).unwrap();
    for (args, expected) in [
        (vec!["--accent-color", "#ffd700"], "--accent-color is too light"),
        (vec!["--logo", svg.to_str().unwrap()], "SVG"),
        (vec!["--logo", big.to_str().unwrap()], "at most 100 KB"),
        (
            vec!["--allowed-frame-ancestors", "https://app.example/path"],
            "--allowed-frame-ancestors",
        ),
        (vec!["--support-url", "javascript:alert(1)"], "--support-url"),
        (vec![], "nothing to change"),
    ] {
        let mut all = vec!["programs", "update", &program_id];
        all.extend(args);
        let (ok, _, stderr) = run(&db, &all);
        assert!(!ok && stderr.contains(expected), "{all:?}: {stderr}");
    }
    let unknown = "program_00000000000000000000";
    let (ok, _, stderr) = run(&db, &["programs", "update", unknown, "--display-name", "X"]);
    assert!(!ok && stderr.contains(&format!("no program {unknown}")), "{stderr}");

    let logo = dir.path().join("logo.png");
    std::fs::write(&logo, crate::branding::png_of_size(4_000)).unwrap();
    let (ok, stdout, stderr) = run(
        &db,
        &[
            "programs",
            "update",
            &program_id,
            "--display-name",
            "Acme Payroll",
            "--accent-color",
            "#0a7d5a",
            "--logo",
            logo.to_str().unwrap(),
            "--support-url",
            "https://acme.example/help",
            "--privacy-url",
            "https://acme.example/privacy",
            "--allowed-redirect-origins",
            "https://app.acme.example, https://admin.acme.example",
            "--allowed-frame-ancestors",
            "https://app.acme.example",
            "--redirect-out-of-frame",
            "true",
        ],
    );
    assert!(ok, "{stderr}");
    let rows = table(&stdout);
    let value = |setting: &str| rows.iter().find(|row| row["SETTING"] == setting).unwrap()["VALUE"];
    assert_eq!(value("display name"), "Acme Payroll");
    assert_eq!(value("accent color"), "#0a7d5a");
    assert!(value("logo").starts_with("/static/logos/"), "{stdout}");
    assert_eq!(
        value("allowed redirect origins"),
        "https://app.acme.example, https://admin.acme.example"
    );
    assert_eq!(value("allowed frame ancestors"), "https://app.acme.example");
    assert_eq!(value("redirect out of frame"), "yes");

    let (ok, stdout, stderr) = run(&db, &["api-keys", "create", "--name", "backend"]);
    assert!(ok, "{stderr}");
    let key = last_line(&stdout).to_owned();
    let server = serve(&db, &[]);
    let client = reqwest::Client::new();
    let branding: Value = client
        .get(format!(
            "{}/hosted_onboarding/programs/{program_id}/branding",
            server.base_url
        ))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(branding["display_name"], "Acme Payroll");
    assert_eq!(branding["allowed_frame_ancestors"][0], "https://app.acme.example");
    let logo_url = branding["logo_url"].as_str().unwrap();
    assert_eq!(client.get(logo_url).send().await.unwrap().status(), 200);
    let create = |redirect_url: &str| {
        client
            .post(format!("{}/entity_onboarding_sessions", server.base_url))
            .bearer_auth(&key)
            .json(&serde_json::json!({ "program_id": program_id, "redirect_url": redirect_url }))
            .send()
    };
    assert_eq!(create("https://admin.acme.example/done").await.unwrap().status(), 200);
    let refused = create("https://elsewhere.example/done").await.unwrap();
    assert_eq!(refused.status(), 400);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "redirect_url", "{body}");

    // '' clears a setting.
    let (ok, stdout, stderr) = run(
        &db,
        &["programs", "update", &program_id, "--allowed-redirect-origins", ""],
    );
    assert!(ok, "{stderr}");
    let rows = table(&stdout);
    let origins = rows
        .iter()
        .find(|row| row["SETTING"] == "allowed redirect origins")
        .unwrap();
    assert_eq!(origins["VALUE"], "(any)", "{stdout}");
    assert_eq!(create("https://elsewhere.example/done").await.unwrap().status(), 200);
}
