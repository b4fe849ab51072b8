use serde_json::json;

use crate::helpers::{assert_error, spawn_app};

#[tokio::test]
async fn unknown_routes_are_api_method_not_found() {
    let app = spawn_app().await;
    let body = assert_error(app.get("/accounts").await, 404, "api_method_not_found_error").await;
    assert!(body["detail"].as_str().unwrap().contains("GET /accounts"));
    assert_error(
        app.get("/entity_onboarding_sessions/x/y/z").await,
        404,
        "api_method_not_found_error",
    )
    .await;
}

#[tokio::test]
async fn wrong_methods_are_api_method_not_found() {
    let app = spawn_app().await;
    let response = app
        .client
        .delete(app.url("/entity_onboarding_sessions"))
        .bearer_auth(&app.api_key)
        .send()
        .await
        .unwrap();
    assert_error(response, 404, "api_method_not_found_error").await;
    let response = app
        .client
        .put(app.url("/programs"))
        .bearer_auth(&app.api_key)
        .send()
        .await
        .unwrap();
    assert_error(response, 404, "api_method_not_found_error").await;
    let response = app.post("/programs", &json!({})).await;
    assert_error(response, 404, "api_method_not_found_error").await;
}

#[tokio::test]
async fn malformed_json_is_a_malformed_request_error() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/entity_onboarding_sessions"))
        .bearer_auth(&app.api_key)
        .header("Content-Type", "application/json")
        .body("{\"program_id\": ")
        .send()
        .await
        .unwrap();
    assert_error(response, 400, "malformed_request_error").await;
}

#[tokio::test]
async fn non_object_bodies_and_wrong_content_types_are_malformed() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/entity_onboarding_sessions"))
        .bearer_auth(&app.api_key)
        .header("Content-Type", "application/json")
        .body("[1, 2]")
        .send()
        .await
        .unwrap();
    assert_error(response, 400, "malformed_request_error").await;
    let response = app
        .client
        .post(app.url("/entity_onboarding_sessions"))
        .bearer_auth(&app.api_key)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("program_id=x")
        .send()
        .await
        .unwrap();
    let body = assert_error(response, 400, "malformed_request_error").await;
    assert!(body["detail"].as_str().unwrap().contains("application/json"));
}

#[tokio::test]
async fn oversized_bodies_are_rejected_with_the_envelope() {
    let app = spawn_app().await;
    let big =
        json!({ "program_id": app.program_id, "redirect_url": "https://example.com", "pad": "x".repeat(100_000) });
    let response = app.post("/entity_onboarding_sessions", &big).await;
    let body = assert_error(response, 400, "malformed_request_error").await;
    assert!(body["detail"].as_str().unwrap().contains("65536 bytes"), "{body}");
}

#[tokio::test]
async fn type_mismatches_name_the_field() {
    let app = spawn_app().await;
    let response = app
        .post(
            "/entity_onboarding_sessions",
            &json!({ "program_id": 5, "redirect_url": "https://e.com" }),
        )
        .await;
    let body = assert_error(response, 400, "invalid_parameters_error").await;
    assert_eq!(crate::helpers::error_fields(&body), vec!["program_id"]);
}

#[tokio::test]
async fn conflicts_tell_sdks_not_to_retry() {
    let app = spawn_app().await;
    let session = app.create_session().await;
    let id = session["id"].as_str().unwrap();
    app.post_action(&format!("/entity_onboarding_sessions/{id}/expire"))
        .await;
    let response = app
        .post_action(&format!("/simulations/entity_onboarding_sessions/{id}/submit"))
        .await;
    assert_eq!(response.headers()["x-should-retry"], "false");
    assert_error(response, 409, "invalid_operation_error").await;
}

#[tokio::test]
async fn responses_carry_a_request_id() {
    let app = spawn_app().await;
    let response = app.get("/programs").await;
    assert_eq!(response.headers()["x-request-id"].len(), 16);
}
