use serde_json::{Value, json};

use crate::helpers::{assert_error, error_fields, spawn_app, spawn_app_with};

#[tokio::test]
async fn the_same_key_and_request_replays_the_original_response() {
    let app = spawn_app().await;
    let body = json!({ "program_id": app.program_id, "redirect_url": "https://example.com/done" });
    let first = app.post_with_key("/entity_onboarding_sessions", &body, "key-1").await;
    assert_eq!(first.status(), 200);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["idempotency_key"], "key-1");

    // Keys order differently: still the same request.
    let reordered = json!({ "redirect_url": "https://example.com/done", "program_id": app.program_id });
    let second = app
        .post_with_key("/entity_onboarding_sessions", &reordered, "key-1")
        .await;
    assert_eq!(second.status(), 200);
    assert_eq!(second.headers()["idempotent-replayed"], "true");
    let second: Value = second.json().await.unwrap();
    assert_eq!(first, second);

    let list: Value = app.get("/entity_onboarding_sessions").await.json().await.unwrap();
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_same_key_with_a_different_request_is_a_conflict_naming_the_resource() {
    let app = spawn_app().await;
    let created: Value = app
        .post_with_key(
            "/entity_onboarding_sessions",
            &json!({ "program_id": app.program_id, "redirect_url": "https://a.example" }),
            "k",
        )
        .await
        .json()
        .await
        .unwrap();
    let response = app
        .post_with_key(
            "/entity_onboarding_sessions",
            &json!({ "program_id": app.program_id, "redirect_url": "https://b.example" }),
            "k",
        )
        .await;
    assert_eq!(response.headers()["x-should-retry"], "false");
    let body = assert_error(response, 409, "idempotency_key_already_used_error").await;
    assert_eq!(body["resource_id"], created["id"]);

    // The same key on another endpoint is a different request too.
    let response = app
        .post_with_key("/simulations/programs", &json!({ "name": "x" }), "k")
        .await;
    let body = assert_error(response, 409, "idempotency_key_already_used_error").await;
    assert_eq!(body["resource_id"], created["id"]);
}

#[tokio::test]
async fn keys_are_scoped_to_the_api_keys_owner() {
    let app = spawn_app().await;
    let other_key = app.other_group_key().await;
    let program: Value = app
        .client
        .post(app.url("/simulations/programs"))
        .bearer_auth(&other_key)
        .json(&json!({ "name": "Other" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mine: Value = app
        .post_with_key(
            "/entity_onboarding_sessions",
            &json!({ "program_id": app.program_id, "redirect_url": "https://a.example" }),
            "shared",
        )
        .await
        .json()
        .await
        .unwrap();
    let response = app
        .client
        .post(app.url("/entity_onboarding_sessions"))
        .bearer_auth(&other_key)
        .header("Idempotency-Key", "shared")
        .json(&json!({ "program_id": program["id"], "redirect_url": "https://a.example" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("idempotent-replayed").is_none());
    let theirs: Value = response.json().await.unwrap();
    assert_ne!(theirs["id"], mine["id"]);
}

#[tokio::test]
async fn twenty_concurrent_creates_with_one_key_make_one_session() {
    let app = spawn_app().await;
    let body = json!({ "program_id": app.program_id, "redirect_url": "https://example.com/done" });
    let requests = (0..20).map(|_| app.post_with_key("/entity_onboarding_sessions", &body, "concurrent-key"));
    let responses = futures_util::future::join_all(requests).await;
    let mut ids = Vec::new();
    let mut fresh = 0;
    for response in responses {
        assert_eq!(response.status(), 200);
        if response.headers().get("idempotent-replayed").is_none() {
            fresh += 1;
        }
        let session: Value = response.json().await.unwrap();
        ids.push(session["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(fresh, 1, "exactly one request created the session");
    ids.dedup();
    assert_eq!(ids.len(), 1, "every answer carries the one session's ID");
    let list: Value = app
        .get("/entity_onboarding_sessions?idempotency_key=concurrent-key")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    let all: Value = app.get("/entity_onboarding_sessions").await.json().await.unwrap();
    assert_eq!(all["data"].as_array().unwrap().len(), 1);
}

/// `POST /simulations/entity_onboarding_sessions/{id}/submit` of a new
/// session, sent as the SDK sends it with `key`; each call is a new request.
fn submit_with_key<'a>(
    app: &'a crate::helpers::TestApp,
    session: &Value,
    key: &'a str,
) -> impl Fn() -> reqwest::RequestBuilder + 'a {
    let path = format!(
        "/simulations/entity_onboarding_sessions/{}/submit",
        session["id"].as_str().unwrap()
    );
    move || {
        app.client
            .post(app.url(&path))
            .bearer_auth(&app.api_key)
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", key)
    }
}

#[tokio::test]
async fn concurrent_submissions_with_one_key_all_get_the_first_answer() {
    let app = spawn_app().await;
    let session = app.create_session().await;
    let request = submit_with_key(&app, &session, "one-submit");
    let send = || request().send();
    let responses = futures_util::future::join_all((0..12).map(|_| send())).await;
    let mut entities = Vec::new();
    for response in responses {
        let response = response.unwrap();
        assert_eq!(response.status(), 200, "a retry with the key replays, never 409");
        let body: Value = response.json().await.unwrap();
        entities.push(body["entity_id"].as_str().unwrap().to_owned());
    }
    entities.dedup();
    assert_eq!(entities.len(), 1, "{entities:?}");
}

#[tokio::test]
async fn actions_replay_too() {
    let app = spawn_app().await;
    let session = app.create_session().await;
    let request = submit_with_key(&app, &session, "submit-once");
    let send = || request().send();
    let first = send().await.unwrap();
    assert_eq!(first.status(), 200);
    let first: Value = first.json().await.unwrap();
    // A retry of the same submit (as the SDK does after a timeout) replays
    // instead of failing because the session is no longer active.
    let retry = send().await.unwrap();
    assert_eq!(retry.status(), 200);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    let retry: Value = retry.json().await.unwrap();
    assert_eq!(retry, first);
}

#[tokio::test]
async fn overlong_or_empty_keys_are_invalid() {
    let app = spawn_app().await;
    let body = json!({ "program_id": app.program_id, "redirect_url": "https://example.com" });
    let response = app
        .post_with_key("/entity_onboarding_sessions", &body, &"k".repeat(201))
        .await;
    let error = assert_error(response, 400, "invalid_parameters_error").await;
    assert_eq!(error_fields(&error), vec!["Idempotency-Key"]);
    let response = app.post_with_key("/entity_onboarding_sessions", &body, "").await;
    assert_error(response, 400, "invalid_parameters_error").await;
    let response = app
        .post_with_key("/entity_onboarding_sessions", &body, &"k".repeat(200))
        .await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_used_key_answers_before_the_body_is_validated() {
    let app = spawn_app().await;
    let body = json!({ "program_id": app.program_id, "redirect_url": "https://example.com/done" });
    let first = app
        .post_with_key("/entity_onboarding_sessions", &body, "checked-first")
        .await;
    assert_eq!(first.status(), 200);
    let session: Value = first.json().await.unwrap();
    let invalid = json!({ "redirect_url": "javascript:alert(1)" });
    let reused = app
        .post_with_key("/entity_onboarding_sessions", &invalid, "checked-first")
        .await;
    let conflict = assert_error(reused, 409, "idempotency_key_already_used_error").await;
    assert_eq!(conflict["resource_id"], session["id"]);
    // An invalid request records nothing: its key stays free.
    let fresh = app
        .post_with_key("/entity_onboarding_sessions", &invalid, "never-used")
        .await;
    assert_error(fresh, 400, "invalid_parameters_error").await;
    let later = app
        .post_with_key("/entity_onboarding_sessions", &body, "never-used")
        .await;
    assert_eq!(later.status(), 200);
}

#[tokio::test]
async fn the_sweep_forgets_a_key_once_its_response_is_past_the_retention() {
    let app = spawn_app_with(|settings| {
        settings.idempotency_retention = std::time::Duration::from_secs(3_600);
        settings.sweep_interval = std::time::Duration::from_secs(1);
    })
    .await;
    let body = json!({ "program_id": app.program_id, "redirect_url": "https://example.com/done" });
    let first: Value = app
        .post_with_key("/entity_onboarding_sessions", &body, "kept-an-hour")
        .await
        .json()
        .await
        .unwrap();

    // Within the retention, with sweeps running: still replayed.
    app.clock.advance(chrono::Duration::minutes(59));
    tokio::time::sleep(std::time::Duration::from_millis(2_500)).await;
    let replay = app
        .post_with_key("/entity_onboarding_sessions", &body, "kept-an-hour")
        .await;
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    assert_eq!(replay.json::<Value>().await.unwrap()["id"], first["id"]);

    // Past it, the next sweep deletes the response: the key makes a new session.
    app.clock.advance(chrono::Duration::minutes(2));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let second = loop {
        let response = app
            .post_with_key("/entity_onboarding_sessions", &body, "kept-an-hour")
            .await;
        assert_eq!(response.status(), 200);
        if response.headers().get("idempotent-replayed").is_none() {
            break response.json::<Value>().await.unwrap();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the sweep never pruned the response"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert_ne!(second["id"], first["id"]);
    assert_eq!(second["idempotency_key"], "kept-an-hour");
}
