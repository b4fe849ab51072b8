//! An acknowledged write survives the process being killed (`kill -9`): on
//! SQLite, units of work that queue together share one commit, and each is
//! acknowledged only once that commit is done.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::common::binary::{RunningServer, onboarding};

const CLIENTS: usize = 24;
/// Killed once this many creates were acknowledged, with more in flight.
const ACKNOWLEDGED_BEFORE_KILL: usize = 300;

#[tokio::test]
async fn every_acknowledged_create_survives_kill_9_in_the_middle_of_a_load() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("onboarding.db").display().to_string();
    let serve = || {
        let mut command = onboarding();
        command
            .env("DATABASE_URL", &db)
            .env("ONBOARDING_LISTEN", "127.0.0.1:0")
            .env("ONBOARDING_RATE_LIMIT_API", "0");
        RunningServer::start(command)
    };
    let server = serve();
    let key = server.printed_value("API key:").unwrap();
    let program = server.printed_value("Program ID:").unwrap();
    let client = reqwest::Client::new();
    let acknowledged = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let enough = Arc::new(tokio::sync::Notify::new());
    let load = (0..CLIENTS).map(|client_no| {
        let (client, key, program, base) = (client.clone(), key.clone(), program.clone(), server.base_url.clone());
        let (acknowledged, enough) = (acknowledged.clone(), enough.clone());
        tokio::spawn(async move {
            for n in 0.. {
                let idempotency_key = format!("k-{client_no}-{n}");
                let sent = client
                    .post(format!("{base}/entity_onboarding_sessions"))
                    .bearer_auth(&key)
                    .header("Idempotency-Key", &idempotency_key)
                    .json(&json!({ "program_id": program, "redirect_url": "https://platform.example.com/done" }))
                    .send()
                    .await;
                // Refused connections and cut answers once the server is gone.
                let Ok(response) = sent else { return };
                assert_eq!(response.status(), 200, "a create under load");
                let Ok(body) = response.json::<Value>().await else {
                    return;
                };
                let id = body["id"].as_str().unwrap().to_owned();
                let mut acknowledged = acknowledged.lock().unwrap();
                acknowledged.push((id, idempotency_key));
                if acknowledged.len() >= ACKNOWLEDGED_BEFORE_KILL {
                    enough.notify_one();
                }
            }
        })
    });
    let load: Vec<_> = load.collect();
    enough.notified().await;
    server.stop(); // SIGKILL, with creates still in flight
    for client in load {
        client.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= ACKNOWLEDGED_BEFORE_KILL);

    let server = serve();
    let list: Value = client
        .get(format!("{}/entity_onboarding_sessions?limit=100", server.base_url))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        list["data"].as_array().is_some(),
        "the restarted server answers: {list}"
    );
    for (id, idempotency_key) in &acknowledged {
        let response = client
            .get(format!("{}/entity_onboarding_sessions/{id}", server.base_url))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "acknowledged session {id} was lost");
        // Its recorded response was committed with it.
        let replay = client
            .post(format!("{}/entity_onboarding_sessions", server.base_url))
            .bearer_auth(&key)
            .header("Idempotency-Key", idempotency_key)
            .json(&json!({ "program_id": program, "redirect_url": "https://platform.example.com/done" }))
            .send()
            .await
            .unwrap();
        assert_eq!(replay.headers()["idempotent-replayed"], "true");
        let replay: Value = replay.json().await.unwrap();
        assert_eq!(replay["id"], id.as_str());
    }
}
