//! Several `onboarding serve` processes on one PostgreSQL database.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::Duration,
};

use reqwest::Client;
use serde_json::{Value, json};

use crate::common::{
    form::{Browser, declaration, fill_business_journey},
    fresh_database_url,
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
            .env("ONBOARDING_DATA_KEY", crate::common::TEST_DATA_KEY)
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
async fn two_instances(extra_env: &[(&str, &str)]) -> (Instance, Instance, String, String, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path()).await;
    let first = Instance::start(&url, extra_env);
    let second = Instance::start(&url, extra_env);
    let key = first.printed("API key:").expect("first instance bootstraps");
    let program = first.printed("Program ID:").unwrap();
    assert!(second.printed("API key:").is_none(), "only one instance bootstraps");
    (first, second, key, program, url, dir)
}

pub async fn two_instances_share_idempotency_submissions_and_cookies() {
    let (a, b, key, program, _url, _dir) = two_instances(&[]).await;
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
    // Every page but the declaration through A; the declaration through both.
    let csrf = fill_business_journey(&browser, session["session_url"].as_str().unwrap()).await;
    let form = declaration(&csrf);
    let token = session["session_url"]
        .as_str()
        .unwrap()
        .split("id=")
        .nth(1)
        .unwrap()
        .to_owned();
    let urls: Vec<String> = (0..20)
        .map(|i| format!("{}/onboarding/sessions?id={token}&step=declaration", bases[i % 2]))
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

pub async fn the_expiry_sweep_runs_in_both_instances_without_errors_or_double_work() {
    let env = [("ONBOARDING_SWEEP_INTERVAL", "1s")];
    let (a, b, key, program, url, _dir) = two_instances(&env).await;
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
    // Sessions live at least a minute: make these overdue behind the service's back.
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::query("UPDATE entity_onboarding_sessions SET expires_at = now() - interval '1 second'")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
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

pub async fn two_instances_deliver_every_event_of_a_burst_once() {
    let (a, b, key, _program, _url, _dir) = two_instances(&[("ONBOARDING_WEBHOOK_RETRY_BASE", "1s")]).await;
    let receiver = crate::common::receiver::Receiver::start(&[]);
    let client = Client::new();
    let subscription: Value = client
        .post(format!("{}/event_subscriptions", a.base))
        .bearer_auth(&key)
        .json(&json!({ "url": receiver.url }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(subscription["status"], "active", "{subscription}");
    let bases = [a.base.clone(), b.base.clone()];
    let body = json!({ "structure": "natural_person", "natural_person": {
        "name": "Ada Lovelace", "date_of_birth": "1985-12-10",
        "address": { "line1": "10 Downing St", "city": "London", "zip": "SW1A 2AA", "country": "GB" } } });
    let creates = (0..40).map(|i| {
        client
            .post(format!("{}/entities", bases[i % 2]))
            .bearer_auth(&key)
            .json(&body)
            .send()
    });
    for response in futures_util::future::join_all(creates).await {
        assert_eq!(response.unwrap().status(), 200);
    }
    // The subscription's own creation, then the 40 Entities.
    let received = receiver.wait_for(41, std::time::Duration::from_secs(30)).await;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let received = receiver.received().len().max(received.len());
    let all = receiver.received();
    let mut ids: Vec<&str> = all.iter().map(|r| r.headers["webhook-id"].as_str()).collect();
    ids.sort_unstable();
    let attempts = ids.len();
    ids.dedup();
    assert_eq!(
        (received, attempts, ids.len()),
        (41, 41, 41),
        "every event delivered, each attempt once"
    );
    for instance in [&a, &b] {
        let errors: Vec<String> = instance.log().into_iter().filter(|l| l.contains("ERROR")).collect();
        assert!(errors.is_empty(), "{errors:?}");
    }
}
