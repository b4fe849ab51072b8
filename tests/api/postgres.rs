//! PostgreSQL only (run with `TEST_DATABASE_URL=postgres://...`): several
//! service processes on one database, and surviving a lost database.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use reqwest::Client;
use serde_json::{Value, json};
use tokio::{io::copy_bidirectional, net::TcpListener, task::JoinHandle};

use crate::{
    common::{fresh_database_url, on_postgres, spawn_app_with},
    form::{Browser, csrf_token, valid_corporation},
};

const BIN: &str = env!("CARGO_BIN_EXE_onboarding");

/// One `onboarding serve` process; killed when dropped.
struct Instance {
    child: Child,
    base: String,
    stderr: Arc<Mutex<Vec<String>>>,
    printed: Vec<String>,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Instance {
    fn start(database_url: &str, extra_env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(BIN);
        command
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("ONBOARDING_LISTEN", "127.0.0.1:0")
            .env("ONBOARDING_COOKIE_KEY", "ab".repeat(64))
            .env("ONBOARDING_WORKERS", "2")
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in extra_env {
            command.env(key, value);
        }
        let mut child = command.spawn().unwrap();
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let sink = stderr.clone();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut printed = Vec::new();
        let base = loop {
            let line = lines.next().expect("instance prints its address").unwrap();
            printed.push(line.clone());
            if let Some(url) = line.strip_prefix("Hosted Onboarding is listening on ") {
                break url.trim_end_matches('/').to_owned();
            }
        };
        Self {
            child,
            base,
            stderr,
            printed,
        }
    }

    fn printed(&self, prefix: &str) -> Option<String> {
        self.printed
            .iter()
            .find_map(|l| l.trim().strip_prefix(prefix).map(|v| v.trim().to_owned()))
    }

    fn log(&self) -> Vec<String> {
        self.stderr.lock().unwrap().clone()
    }
}

/// Two processes on one fresh PostgreSQL database, and the bootstrap key.
async fn two_instances(extra_env: &[(&str, &str)]) -> Option<(Instance, Instance, String, String, tempfile::TempDir)> {
    if !on_postgres() {
        eprintln!("skipping: PostgreSQL-only test (set TEST_DATABASE_URL=postgres://...)");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path()).await;
    let first = Instance::start(&url, extra_env);
    let second = Instance::start(&url, extra_env);
    let key = first.printed("API key:").expect("first instance bootstraps");
    let program = first.printed("Program ID:").unwrap();
    assert!(second.printed("API key:").is_none(), "only one instance bootstraps");
    Some((first, second, key, program, dir))
}

#[tokio::test]
async fn two_instances_share_idempotency_submissions_and_cookies() {
    let Some((a, b, key, program, _dir)) = two_instances(&[]).await else {
        return;
    };
    let client = Client::new();
    let bases = [a.base.clone(), b.base.clone()];

    // 50 concurrent creates with one key, spread over both instances.
    let body = json!({ "program_id": program, "redirect_url": "https://platform.example.com/done" });
    let creates = (0..50).map(|i| {
        client
            .post(format!("{}/entity_onboarding_sessions", bases[i % 2]))
            .bearer_auth(&key)
            .header("Idempotency-Key", "shared-across-instances")
            .json(&body)
            .send()
    });
    let mut ids = Vec::new();
    for response in futures_util::future::join_all(creates).await {
        let response = response.unwrap();
        assert_eq!(response.status(), 200);
        ids.push(
            response.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "one session for one key: {ids:?}");

    // 20 concurrent simulated submissions of one session: one Entity.
    let session_id = &ids[0];
    let submits = (0..20).map(|i| {
        client
            .post(format!(
                "{}/simulations/entity_onboarding_sessions/{session_id}/submit",
                bases[i % 2]
            ))
            .bearer_auth(&key)
            .header("Content-Type", "application/json")
            .send()
    });
    let statuses: Vec<u16> = futures_util::future::join_all(submits)
        .await
        .into_iter()
        .map(|r| r.unwrap().status().as_u16())
        .collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 409), "{statuses:?}");

    // 20 concurrent form submissions of another session, across both
    // instances, from one browser whose cookie and CSRF token came from A.
    let session: Value = client
        .post(format!("{}/entity_onboarding_sessions", a.base))
        .bearer_auth(&key)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let browser = Browser::new();
    let (_, html) = browser
        .get(&format!(
            "{}&structure=corporation",
            session["session_url"].as_str().unwrap()
        ))
        .await;
    let form = valid_corporation(&csrf_token(&html));
    let token = session["session_url"]
        .as_str()
        .unwrap()
        .split("id=")
        .nth(1)
        .unwrap()
        .to_owned();
    let urls: Vec<String> = (0..20)
        .map(|i| format!("{}/onboarding/sessions?id={token}", bases[i % 2]))
        .collect();
    let posts = urls.iter().map(|url| browser.post(url, &form));
    let mut locations = Vec::new();
    for response in futures_util::future::join_all(posts).await {
        // 403 would mean B rejected A's cookie or CSRF token.
        assert!(matches!(response.status().as_u16(), 303 | 410), "{}", response.status());
        if response.status() == 303 {
            locations.push(response.headers()["location"].to_str().unwrap().to_owned());
        }
    }
    locations.dedup();
    assert_eq!(locations.len(), 1, "{locations:?}");
    let entities: Value = client
        .get(format!("{}/entities", b.base))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        entities["data"].as_array().unwrap().len(),
        2,
        "one Entity per session, no more"
    );
    for instance in [&a, &b] {
        assert!(
            !instance.log().iter().any(|l| l.contains("ERROR")),
            "{:?}",
            instance.log()
        );
    }
}

#[tokio::test]
async fn the_expiry_sweep_runs_in_both_instances_without_errors_or_double_work() {
    let env = [("ONBOARDING_SESSION_TTL", "1s"), ("ONBOARDING_SWEEP_INTERVAL", "1s")];
    let Some((a, b, key, program, _dir)) = two_instances(&env).await else {
        return;
    };
    let client = Client::new();
    let body = json!({ "program_id": program, "redirect_url": "https://platform.example.com/done" });
    for i in 0..30 {
        let base = if i % 2 == 0 { &a.base } else { &b.base };
        let response = client
            .post(format!("{base}/entity_onboarding_sessions"))
            .bearer_auth(&key)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    // Wait until the sweeps have persisted every expiry.
    let mut swept = 0;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        swept = [&a, &b]
            .iter()
            .flat_map(|i| i.log())
            .filter(|l| l.contains("expired overdue onboarding sessions"))
            .map(|l| {
                l.split("count=")
                    .nth(1)
                    .and_then(|c| c.split_whitespace().next())
                    .unwrap()
                    .parse::<u64>()
                    .unwrap()
            })
            .sum::<u64>();
        if swept >= 30 {
            break;
        }
    }
    assert_eq!(swept, 30, "each session is swept exactly once across both instances");
    let expired: Value = client
        .get(format!("{}/entity_onboarding_sessions?status.in=expired", a.base))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(expired["data"].as_array().unwrap().len(), 30);
    for instance in [&a, &b] {
        assert!(
            !instance
                .log()
                .iter()
                .any(|l| l.contains("sweep failed") || l.contains("ERROR")),
            "{:?}",
            instance.log()
        );
    }
}

/// A TCP proxy in front of PostgreSQL that the test can cut and restore.
struct Proxy {
    port: u16,
    down: Arc<AtomicBool>,
    connections: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let down = Arc::new(AtomicBool::new(false));
        let connections: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let (flag, tasks) = (down.clone(), connections.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if flag.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let upstream = upstream.clone();
                tasks.lock().unwrap().push(tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(upstream).await {
                        let _ = copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                }));
            }
        });
        Self {
            port,
            down,
            connections,
        }
    }

    fn cut(&self) {
        self.down.store(true, Ordering::SeqCst);
        for task in self.connections.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    fn restore(&self) {
        self.down.store(false, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn a_lost_database_gives_503_and_the_service_recovers_by_itself() {
    if !on_postgres() {
        eprintln!("skipping: PostgreSQL-only test (set TEST_DATABASE_URL=postgres://...)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let direct = url::Url::parse(&fresh_database_url(dir.path()).await).unwrap();
    let upstream = format!("{}:{}", direct.host_str().unwrap(), direct.port().unwrap_or(5432));
    let proxy = Proxy::start(upstream).await;
    let mut via_proxy = direct.clone();
    via_proxy.set_port(Some(proxy.port)).unwrap();
    let app = spawn_app_with(|settings| {
        settings.database_url = via_proxy.to_string().into();
        settings.database_acquire_timeout = Duration::from_secs(1);
    })
    .await;
    assert_eq!(app.get("/programs").await.status(), 200);

    proxy.cut();
    let response = app.get("/programs").await;
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], 503);
    assert_eq!(body["type"], "internal_server_error");
    let response = app
        .post(
            "/entity_onboarding_sessions",
            &json!({ "program_id": app.program_id, "redirect_url": "https://x.example" }),
        )
        .await;
    assert_eq!(response.status(), 503);

    proxy.restore();
    let mut recovered = false;
    for _ in 0..50 {
        if app.get("/programs").await.status() == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(recovered, "the service recovers once the database is back");
    let session = app.create_session().await;
    assert_eq!(session["status"], "active");
}

#[tokio::test]
async fn start_up_waits_for_a_database_that_is_not_up_yet() {
    if !on_postgres() {
        eprintln!("skipping: PostgreSQL-only test (set TEST_DATABASE_URL=postgres://...)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let direct = url::Url::parse(&fresh_database_url(dir.path()).await).unwrap();
    let proxy = Proxy::start(format!(
        "{}:{}",
        direct.host_str().unwrap(),
        direct.port().unwrap_or(5432)
    ))
    .await;
    proxy.cut();
    let mut via_proxy = direct.clone();
    via_proxy.set_port(Some(proxy.port)).unwrap();
    let mut settings = onboarding::config::Settings::for_database(via_proxy.to_string());
    settings.database_startup_timeout = Duration::from_secs(20);
    let connecting = tokio::spawn(async move { onboarding::store::Store::connect(&settings).await });
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!connecting.is_finished(), "still retrying while the database is down");
    proxy.restore();
    let store = tokio::time::timeout(Duration::from_secs(15), connecting)
        .await
        .unwrap()
        .unwrap();
    assert!(store.is_ok(), "connected once the database came up: {:?}", store.err());

    // With a short start-up timeout, a database that stays down is a clear error.
    proxy.cut();
    let mut settings = onboarding::config::Settings::for_database(via_proxy.to_string());
    settings.database_startup_timeout = Duration::from_secs(1);
    let error = match onboarding::store::Store::connect(&settings).await {
        Ok(_) => panic!("gives up"),
        Err(error) => error,
    };
    assert!(
        matches!(error, onboarding::store::StoreError::Unavailable(_)),
        "{error:?}"
    );
}

/// Runs only where the test may stop and start the cluster itself: `.ci/run`
/// sets `TEST_PG_STOP` and `TEST_PG_START` to scripts that do so.
#[tokio::test]
async fn a_restarted_cluster_gives_503_meanwhile_and_the_service_recovers() {
    let (Ok(stop), Ok(start)) = (std::env::var("TEST_PG_STOP"), std::env::var("TEST_PG_START")) else {
        eprintln!("skipping: set TEST_PG_STOP and TEST_PG_START to scripts that stop and start the PostgreSQL cluster");
        return;
    };
    assert!(on_postgres(), "TEST_PG_STOP needs TEST_DATABASE_URL=postgres://...");
    let app = spawn_app_with(|settings| settings.database_acquire_timeout = Duration::from_secs(1)).await;
    assert_eq!(app.get("/programs").await.status(), 200);

    let stopped = tokio::process::Command::new("sh").arg(&stop).status().await.unwrap();
    assert!(stopped.success(), "the cluster stopped");
    let response = app.get("/programs").await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.json::<Value>().await.unwrap()["status"], 503);

    let started = tokio::process::Command::new("sh").arg(&start).status().await.unwrap();
    assert!(started.success(), "the cluster started again");
    let mut recovered = false;
    for _ in 0..100 {
        if app.get("/programs").await.status() == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(recovered, "the service recovers by itself once the cluster is back");
    assert_eq!(app.create_session().await["status"], "active");
}
