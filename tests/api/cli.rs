//! The `onboarding` binary as an operator uses it.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_onboarding");

fn run(db: &str, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(BIN)
        .args(args)
        .env("DATABASE_URL", db)
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A server process that is killed when the test ends, even on panic.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn last_line(text: &str) -> &str {
    text.lines().last().unwrap_or("").trim()
}

#[test]
fn help_documents_the_environment_variables() {
    let (ok, stdout, _) = run("unused.db", &["--help"]);
    assert!(ok);
    for var in [
        "DATABASE_URL",
        "ONBOARDING_LISTEN",
        "ONBOARDING_PUBLIC_URL",
        "ONBOARDING_SESSION_TTL",
    ] {
        assert!(stdout.contains(var), "--help mentions {var}:\n{stdout}");
    }
    for command in ["serve", "api-keys", "programs", "migrate"] {
        assert!(stdout.contains(command), "--help lists {command}");
    }
}

#[test]
fn the_database_password_is_never_printed() {
    let url = "postgres://app:hunter2@127.0.0.1:1/onboarding";
    let (ok, stdout, _) = run(url, &["--help"]);
    assert!(ok);
    assert!(!stdout.contains("hunter2"), "--help hides the value:\n{stdout}");
    let output = Command::new(BIN)
        .arg("migrate")
        .env("DATABASE_URL", url)
        .env("ONBOARDING_DB_STARTUP_TIMEOUT", "0s")
        .output()
        .unwrap();
    assert!(!output.status.success(), "nothing listens on port 1");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("hunter2"), "{stderr}");
    let (ok, _, stderr) = run("mysql://app:hunter2@127.0.0.1/onboarding", &["migrate"]);
    assert!(!ok);
    assert!(
        stderr.contains("unsupported database URL") && !stderr.contains("hunter2"),
        "{stderr}"
    );
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
    let mut child = Server(
        Command::new(BIN)
            .args(["serve"])
            .env("DATABASE_URL", &db)
            .env("ONBOARDING_LISTEN", "127.0.0.1:0")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    let base = loop {
        let line = lines.next().expect("server printed its address").unwrap();
        printed.push(line.clone());
        if let Some(url) = line.strip_prefix("Hosted Onboarding is listening on ") {
            break url.trim_end_matches('/').to_owned();
        }
    };
    assert!(!printed.iter().any(|l| l.contains("API key")), "{printed:?}");
    let client = reqwest::Client::new();
    let program: Value = client
        .get(format!("{base}/programs/{program_id}"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(program["name"], "Acme Onboarding");
    drop(child);
}

#[tokio::test]
async fn first_start_prints_a_working_key_and_program_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("first.db").display().to_string();
    let start = || {
        Server(
            Command::new(BIN)
                .env("DATABASE_URL", &db)
                .env("ONBOARDING_LISTEN", "127.0.0.1:0")
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        )
    };
    let read_until_listening = |child: &mut Server| {
        let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
        let mut printed = Vec::new();
        loop {
            let line = lines.next().expect("server printed its address").unwrap();
            let done = line.starts_with("Hosted Onboarding is listening on ");
            printed.push(line);
            if done {
                return printed;
            }
        }
    };
    let mut child = start();
    let printed = read_until_listening(&mut child);
    let find = |prefix: &str| {
        printed
            .iter()
            .find_map(|l| l.trim().strip_prefix(prefix).map(|v| v.trim().to_owned()))
            .unwrap()
    };
    let key = find("API key:");
    let program_id = find("Program ID:");
    let base = find("Hosted Onboarding is listening on ");
    let response = reqwest::Client::new()
        .post(format!("{}/entity_onboarding_sessions", base.trim_end_matches('/')))
        .bearer_auth(&key)
        .json(&serde_json::json!({ "program_id": program_id, "redirect_url": "http://localhost:3000/done" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    drop(child);

    let mut again = start();
    let printed = read_until_listening(&mut again);
    assert!(
        !printed.iter().any(|l| l.contains("API key")),
        "printed only on first start: {printed:?}"
    );
    drop(again);
}
