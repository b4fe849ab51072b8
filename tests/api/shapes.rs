//! The JSON shapes clients parse, pinned as snapshots (`tests/api/snapshots/`).
//! IDs keep their type prefix, times and the secret link are checked for their
//! form and then replaced, so a snapshot changes only when the shape does.
//! After an intended change: `INSTA_UPDATE=always cargo test --test api shapes`,
//! then review the diff of the `.snap` files.

use chrono::DateTime;
use insta::{assert_json_snapshot, internals::Content};
use serde_json::{Value, json};

use crate::{
    entities::{corporation_body, natural_person_body},
    helpers::{TestApp, spawn_app, spawn_app_with},
};

/// `entity_n8y8tnk2p9339ti393yi` → `entity_[id]`, after checking that it is
/// a type prefix and 20 random lowercase alphanumerics.
fn id(value: Content) -> Content {
    let Some(id) = value.as_str() else {
        return value;
    };
    let (prefix, random) = id
        .rsplit_once('_')
        .unwrap_or_else(|| panic!("{id:?} has no type prefix"));
    assert!(
        random.len() == 20 && random.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
        "{id:?} does not end in 20 random alphanumerics"
    );
    format!("{prefix}_[id]").into()
}

/// An RFC 3339 time in UTC → `[timestamp]`.
fn timestamp(value: Content) -> Content {
    let Some(time) = value.as_str() else {
        return value;
    };
    assert!(
        DateTime::parse_from_rfc3339(time).is_ok() && time.ends_with('Z'),
        "{time:?} is not an RFC 3339 time in UTC"
    );
    "[timestamp]".into()
}

/// Snapshot settings for responses of `app`: its address (with a random port)
/// and the session link's token are replaced, after checking their form.
fn settings(app: &TestApp) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    for field in [
        "id",
        "program_id",
        "entity_id",
        "creating_entity_onboarding_session_id",
        "resource_id",
    ] {
        settings.add_redaction(&format!(".**.{field}"), insta::dynamic_redaction(|v, _| id(v)));
    }
    for field in ["created_at", "updated_at", "expires_at", "details_confirmed_at"] {
        settings.add_redaction(&format!(".**.{field}"), insta::dynamic_redaction(|v, _| timestamp(v)));
    }
    let link = format!("{}/onboarding/sessions?id=", app.address);
    settings.add_redaction(
        ".**.session_url",
        insta::dynamic_redaction(move |value, _| {
            let Some(url) = value.as_str() else {
                return value;
            };
            let token = url
                .strip_prefix(&link)
                .unwrap_or_else(|| panic!("{url:?} is not a link to this server's hosted form"));
            assert!(token.len() >= 22 && token.chars().all(|c| c.is_ascii_alphanumeric()));
            "http://127.0.0.1:[port]/onboarding/sessions?id=[token]".into()
        }),
    );
    settings.add_redaction(
        ".next_cursor",
        insta::dynamic_redaction(|value, _| match value.as_str() {
            Some(_) => "[cursor]".into(),
            None => value,
        }),
    );
    settings
}

async fn ok_json(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn error_json(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status);
    response.json().await.unwrap()
}

#[tokio::test]
async fn an_active_session() {
    let app = spawn_app().await;
    let session = app.create_session().await;
    settings(&app).bind(|| assert_json_snapshot!(session));
}

#[tokio::test]
async fn a_session_expired_by_submission() {
    let app = spawn_app().await;
    let session = app.create_session().await;
    let path = format!(
        "/simulations/entity_onboarding_sessions/{}/submit",
        session["id"].as_str().unwrap()
    );
    let submitted = ok_json(app.post_action(&path).await).await;
    settings(&app).bind(|| assert_json_snapshot!(submitted));
}

#[tokio::test]
async fn an_entity_created_by_a_simulated_submission() {
    let app = spawn_app().await;
    let session = app.create_session().await;
    let path = format!(
        "/simulations/entity_onboarding_sessions/{}/submit",
        session["id"].as_str().unwrap()
    );
    let submitted = ok_json(app.post_action(&path).await).await;
    let path = format!("/entities/{}", submitted["entity_id"].as_str().unwrap());
    let entity = ok_json(app.get(&path).await).await;
    settings(&app).bind(|| assert_json_snapshot!(entity));
}

#[tokio::test]
async fn a_corporation_with_owners() {
    let app = spawn_app().await;
    let entity = ok_json(app.post_with_key("/entities", &corporation_body(), "entity-1").await).await;
    settings(&app).bind(|| assert_json_snapshot!(entity));
}

#[tokio::test]
async fn a_natural_person() {
    let app = spawn_app().await;
    let entity = ok_json(app.post("/entities", &natural_person_body()).await).await;
    settings(&app).bind(|| assert_json_snapshot!(entity));
}

#[tokio::test]
async fn a_program() {
    let app = spawn_app().await;
    let program = ok_json(app.get(&format!("/programs/{}", app.program_id)).await).await;
    settings(&app).bind(|| assert_json_snapshot!(program));
}

#[tokio::test]
async fn a_list_page_with_more_to_come() {
    let app = spawn_app().await;
    app.create_session().await;
    app.create_session().await;
    let page = ok_json(app.get("/entity_onboarding_sessions?limit=1").await).await;
    settings(&app).bind(|| assert_json_snapshot!(page));
}

#[tokio::test]
async fn an_invalid_parameters_error() {
    let app = spawn_app().await;
    let body = json!({ "program_id": app.program_id, "redirect_url": "javascript:alert(1)" });
    let error = error_json(app.post("/entity_onboarding_sessions", &body).await, 400).await;
    settings(&app).bind(|| assert_json_snapshot!(error));
}

#[tokio::test]
async fn an_object_not_found_error() {
    let app = spawn_app().await;
    let error = error_json(app.get("/entities/entity_aaaaaaaaaaaaaaaaaaaa").await, 404).await;
    settings(&app).bind(|| assert_json_snapshot!(error));
}

#[tokio::test]
async fn an_invalid_api_key_error() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/programs"))
        .bearer_auth("secret_key_unknown")
        .send()
        .await
        .unwrap();
    let error = error_json(response, 401).await;
    settings(&app).bind(|| assert_json_snapshot!(error));
}

#[tokio::test]
async fn a_rate_limited_error() {
    let app = spawn_app_with(|settings| settings.rate_limit_auth_failures = 1).await;
    let attempt = || {
        app.client
            .get(app.url("/programs"))
            .bearer_auth("secret_key_unknown")
            .send()
    };
    assert_eq!(attempt().await.unwrap().status(), 401);
    let error = error_json(attempt().await.unwrap(), 429).await;
    assert!(
        error["retry_after"].as_u64().is_some_and(|seconds| seconds >= 1),
        "{error}"
    );
    let mut settings = settings(&app);
    settings.add_redaction(".retry_after", "[seconds]");
    settings.bind(|| assert_json_snapshot!(error));
}

#[tokio::test]
async fn an_idempotency_key_already_used_error() {
    let app = spawn_app().await;
    let first = json!({ "program_id": app.program_id, "redirect_url": "https://a.example" });
    let second = json!({ "program_id": app.program_id, "redirect_url": "https://b.example" });
    let created = ok_json(app.post_with_key("/entity_onboarding_sessions", &first, "k").await).await;
    let response = app.post_with_key("/entity_onboarding_sessions", &second, "k").await;
    let error = error_json(response, 409).await;
    // The detail names the session the key made.
    let created_id = created["id"].as_str().unwrap().to_owned();
    let mut settings = settings(&app);
    settings.add_redaction(
        ".detail",
        insta::dynamic_redaction(move |value, _| match value.as_str() {
            Some(detail) => detail.replace(&created_id, "entity_onboarding_session_[id]").into(),
            None => value,
        }),
    );
    settings.bind(|| assert_json_snapshot!(error));
}
