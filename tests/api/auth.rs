use crate::helpers::{assert_error, spawn_app};

#[tokio::test]
async fn requests_without_an_authorization_header_are_rejected() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/programs")).send().await.unwrap();
    let body = assert_error(response, 401, "invalid_api_key_error").await;
    assert_eq!(body["reason"], "no_header");
}

#[tokio::test]
async fn malformed_and_unknown_credentials_are_rejected() {
    let app = spawn_app().await;
    for value in [
        "Basic abc",
        "Bearer",
        "Bearer   ",
        "secret_key_whatever",
        "Bearer secret_key_unknown",
    ] {
        let response = app
            .client
            .get(app.url("/entity_onboarding_sessions"))
            .header("Authorization", value)
            .send()
            .await
            .unwrap();
        let body = assert_error(response, 401, "invalid_api_key_error").await;
        assert_eq!(body["reason"], "no_credential", "{value}");
    }
}

#[tokio::test]
async fn revoked_keys_are_rejected_as_deleted() {
    let app = spawn_app().await;
    let response = app.get("/programs").await;
    assert_eq!(response.status(), 200);
    let owner = app
        .store
        .find_api_key_owner(&onboarding::domain::api_key::digest(&app.api_key))
        .await
        .unwrap()
        .unwrap();
    app.store
        .revoke_api_key(&owner.api_key_id, chrono::Utc::now())
        .await
        .unwrap();
    let body = assert_error(app.get("/programs").await, 401, "invalid_api_key_error").await;
    assert_eq!(body["reason"], "deleted_credential");
}

#[tokio::test]
async fn write_routes_require_a_key_too() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/entity_onboarding_sessions"))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_error(response, 401, "invalid_api_key_error").await;
}

#[tokio::test]
async fn a_bad_key_is_refused_before_a_malformed_id_is_looked_at() {
    let app = spawn_app().await;
    for path in ["/entity_onboarding_sessions/not-an-id", "/entities/nope", "/programs/x"] {
        let wrong = app
            .client
            .get(app.url(path))
            .bearer_auth("secret_key_wrong")
            .send()
            .await
            .unwrap();
        assert_error(wrong, 401, "invalid_api_key_error").await;
        let missing = app.client.get(app.url(path)).send().await.unwrap();
        let body = assert_error(missing, 401, "invalid_api_key_error").await;
        assert_eq!(body["reason"], "no_header");
        let right = app.get(path).await;
        assert_error(right, 404, "object_not_found_error").await;
    }
}
