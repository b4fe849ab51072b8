//! What operators and strict clients rely on: filters that filter, JSON Schema
//! integers, probes that tell the truth, and metrics.

use serde_json::{Value, json};

use crate::{
    entities::corporation_body,
    helpers::{assert_error, error_fields, on_postgres, spawn_app},
};

async fn ids(app: &crate::helpers::TestApp, path: &str) -> Vec<String> {
    let page: Value = app.get(path).await.json().await.unwrap();
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn entities_filter_by_validation_status() {
    let app = spawn_app().await;
    let pending: Value = app.post("/entities", &corporation_body()).await.json().await.unwrap();
    let flagged: Value = app.post("/entities", &corporation_body()).await.json().await.unwrap();
    let flagged_id = flagged["id"].as_str().unwrap();
    let path = format!("/simulations/entities/{flagged_id}/update_validation");
    // An owner named on an issue about the Entity itself is refused, not ignored.
    let stray = assert_error(
        app.post(
            &path,
            &json!({ "issues": [{ "category": "entity_address", "beneficial_owner_id": "j" }] }),
        )
        .await,
        400,
        "invalid_parameters_error",
    )
    .await;
    assert_eq!(error_fields(&stray), vec!["issues.0.beneficial_owner_id"]);
    let response = app
        .post(&path, &json!({ "issues": [{ "category": "entity_address" }] }))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        ids(&app, "/entities?validation_status.in=invalid").await,
        vec![flagged_id]
    );
    assert_eq!(
        ids(&app, "/entities?validation_status.in=pending").await,
        vec![pending["id"].as_str().unwrap()]
    );
    assert_eq!(
        ids(&app, "/entities?validation_status.in=pending%2Cinvalid")
            .await
            .len(),
        2
    );
    assert!(ids(&app, "/entities?validation_status.in=valid").await.is_empty());
    let bogus = assert_error(
        app.get("/entities?validation_status.in=bogus").await,
        400,
        "invalid_parameters_error",
    )
    .await;
    assert_eq!(error_fields(&bogus), vec!["validation_status.in"]);
}

#[tokio::test]
async fn idempotency_key_filters_are_1_to_200_characters() {
    let app = spawn_app().await;
    let long = "k".repeat(201);
    for list in ["/entity_onboarding_sessions", "/entities"] {
        for bad in [String::new(), long.clone()] {
            let body = assert_error(
                app.get(&format!("{list}?idempotency_key={bad}")).await,
                400,
                "invalid_parameters_error",
            )
            .await;
            assert_eq!(error_fields(&body), vec!["idempotency_key"], "{list}");
        }
        let fine = app.get(&format!("{list}?idempotency_key={}", "k".repeat(200))).await;
        assert_eq!(fine.status(), 200);
    }
}

#[tokio::test]
async fn integers_may_be_written_as_whole_floats() {
    let app = spawn_app().await;
    let created = app
        .post(
            "/simulations/programs",
            &json!({ "name": "Cards", "lending_maximum_extendable_credit": 1000.0 }),
        )
        .await;
    assert_eq!(created.status(), 200);
    let program: Value = created.json().await.unwrap();
    assert_eq!(program["lending"]["maximum_extendable_credit"], 1000);
    let fractional = app
        .post(
            "/simulations/programs",
            &json!({ "name": "Cards", "lending_maximum_extendable_credit": 1000.5 }),
        )
        .await;
    let body = assert_error(fractional, 400, "invalid_parameters_error").await;
    assert_eq!(error_fields(&body), vec!["lending_maximum_extendable_credit"]);
    let page: Value = app.get("/programs?limit=1.0").await.json().await.unwrap();
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn health_needs_nothing_and_readiness_needs_the_database_up_to_date() {
    let app = spawn_app().await;
    for path in ["/health", "/ready"] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path} needs no API key");
        let head = app.client.head(app.url(path)).send().await.unwrap();
        assert_eq!(head.status(), 200, "HEAD {path}");
    }
    // An older binary's database: the newest migration is not applied yet.
    app.execute_sql("DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)")
        .await;
    let not_ready = app.client.get(app.url("/ready")).send().await.unwrap();
    assert_eq!(not_ready.status(), 503);
    let body: Value = not_ready.json().await.unwrap();
    assert!(
        body["reason"].as_str().unwrap().contains("migrations are pending"),
        "{body}"
    );
    let alive = app.client.get(app.url("/health")).send().await.unwrap();
    assert_eq!(alive.status(), 200, "liveness does not depend on the database");
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_what_the_service_did() {
    let app = spawn_app().await;
    let session = app.create_session().await;
    let id = session["id"].as_str().unwrap();
    app.post_action(&format!("/simulations/entity_onboarding_sessions/{id}/submit"))
        .await;
    app.get(&format!("/entity_onboarding_sessions/{id}")).await;
    let odd = reqwest::Method::from_bytes(b"FOO123").unwrap();
    app.client.request(odd, app.url("/programs")).send().await.unwrap();
    let response = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain"),
        "Prometheus text format"
    );
    let text = response.text().await.unwrap();
    for expected in [
        r#"http_requests_total{route="/entity_onboarding_sessions",method="POST",status="200"}"#,
        r#"http_requests_total{route="/entity_onboarding_sessions/{id}",method="GET",status="200"}"#,
        r#"http_request_duration_seconds_bucket{route="/entity_onboarding_sessions",method="POST",le="0.005"}"#,
        "onboarding_sessions_created_total",
        r#"onboarding_sessions_submitted_total{via="simulation"}"#,
        "onboarding_db_pool_in_use",
        "onboarding_db_pool_waiting",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    assert!(!text.contains(id), "IDs never become label values");
    if !on_postgres() {
        // Reported by the checkpoint that follows a commit (100 ms later).
        let mut reported = false;
        for _ in 0..50 {
            let text = app
                .client
                .get(app.url("/metrics"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            reported = text.contains("onboarding_sqlite_log_pages ");
            if reported {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(reported, "the SQLite log's length is reported");
        // The creates above committed, each with those queued meanwhile.
        assert!(
            text.contains(r#"onboarding_sqlite_commit_units_bucket{le="1"}"#)
                && text.contains(r#"onboarding_sqlite_commit_units_bucket{le="128"}"#),
            "units per SQLite commit are reported, in buckets:\n{text}"
        );
    }
    // The retrieve above was a lookup by ID, in a batch of its own or more.
    assert!(
        text.contains(r#"onboarding_read_batch_lookups_bucket{lookup="session",le="1"}"#)
            && text.contains(r#"onboarding_read_batch_lookups_bucket{lookup="session",le="64"}"#),
        "lookups per coalesced read are reported, in buckets:\n{text}"
    );
    assert!(
        !text.contains("FOO123") && text.contains(r#"method="other""#),
        "nor made-up methods"
    );
}

/// The histograms' samples are folded into their buckets every second,
/// whether or not anything scrapes `/metrics`: the recorder keeps each
/// sample until then, so a service nothing scrapes would otherwise grow with
/// every request it answers.
#[tokio::test]
async fn metrics_are_kept_up_without_scrapes() {
    let app = spawn_app().await;
    app.create_session().await;
    let before = onboarding::telemetry::metrics_upkeeps();
    tokio::time::sleep(onboarding::telemetry::METRICS_UPKEEP_EVERY * 3 + std::time::Duration::from_millis(500)).await;
    let ran = onboarding::telemetry::metrics_upkeeps() - before;
    assert!(ran >= 2, "{ran} upkeeps in three and a half periods");
}
