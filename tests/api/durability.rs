//! An acknowledged write survives the process being killed (`kill -9`): on
//! SQLite, units of work that queue together share one commit, and each is
//! acknowledged only once that commit is done.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::common::binary::serve;

const CLIENTS: usize = 24;
/// Killed once this many creates were acknowledged, with more in flight.
const ACKNOWLEDGED_BEFORE_KILL: usize = 300;

/// Where to send requests, and as whom.
#[derive(Clone)]
struct Api {
    client: reqwest::Client,
    base: String,
    key: String,
    program: String,
}

impl Api {
    async fn create(&self, idempotency_key: &str) -> reqwest::Result<reqwest::Response> {
        self.client
            .post(format!("{}/entity_onboarding_sessions", self.base))
            .bearer_auth(&self.key)
            .header("Idempotency-Key", idempotency_key)
            .json(&json!({ "program_id": self.program, "redirect_url": "https://platform.example.com/done" }))
            .send()
            .await
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            .send()
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn every_acknowledged_create_survives_kill_9_in_the_middle_of_a_load() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("onboarding.db").display().to_string();
    let env = [("ONBOARDING_RATE_LIMIT_API", "0")];
    let server = serve(&db, &env);
    let mut api = Api {
        client: reqwest::Client::new(),
        base: server.base_url.clone(),
        key: server.printed_value("API key:").unwrap(),
        program: server.printed_value("Program ID:").unwrap(),
    };
    let acknowledged = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let enough = Arc::new(tokio::sync::Notify::new());
    let load: Vec<_> = (0..CLIENTS)
        .map(|client_no| {
            let (api, acknowledged, enough) = (api.clone(), acknowledged.clone(), enough.clone());
            tokio::spawn(async move {
                for n in 0.. {
                    let idempotency_key = format!("k-{client_no}-{n}");
                    // Refused connections and cut answers once the server is gone.
                    let Ok(response) = api.create(&idempotency_key).await else {
                        return;
                    };
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
        })
        .collect();
    enough.notified().await;
    server.kill(); // SIGKILL, with creates still in flight
    for client in load {
        client.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= ACKNOWLEDGED_BEFORE_KILL);

    let server = serve(&db, &env);
    api.base = server.base_url.clone();
    let list: Value = api
        .get("/entity_onboarding_sessions?limit=100")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        list["data"].as_array().is_some(),
        "the restarted server answers: {list}"
    );
    for (id, idempotency_key) in &acknowledged {
        let response = api.get(&format!("/entity_onboarding_sessions/{id}")).await;
        assert_eq!(response.status(), 200, "acknowledged session {id} was lost");
        // Its recorded response was committed with it.
        let replay = api.create(idempotency_key).await.unwrap();
        assert_eq!(replay.headers()["idempotent-replayed"], "true");
        let replay: Value = replay.json().await.unwrap();
        assert_eq!(replay["id"], id.as_str());
    }
}
