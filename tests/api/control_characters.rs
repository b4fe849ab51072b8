//! Control characters (NUL, TAB, DEL, ...) in what the service reads from a
//! request: query parameters and header values. Run on both backends (a NUL
//! reaching PostgreSQL is an error there, not a non-match).

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{TestApp, assert_error, error_fields, get_json, spawn_app};

async fn program_count(app: &TestApp) -> usize {
    get_json(app, "/programs").await["data"].as_array().unwrap().len()
}

#[tokio::test]
async fn a_control_character_in_any_list_parameter_is_a_400_naming_it() {
    let app = spawn_app().await;
    let keyed = app
        .post_with_key(
            "/entity_onboarding_sessions",
            &json!({ "program_id": app.program_id, "redirect_url": "https://a.example" }),
            "ab",
        )
        .await;
    assert_eq!(keyed.status(), 200);
    for (path, field) in [
        ("/entity_onboarding_sessions?idempotency_key=a%00b", "idempotency_key"),
        ("/entity_onboarding_sessions?idempotency_key=%00", "idempotency_key"),
        ("/entity_onboarding_sessions?idempotency_key=a%09b", "idempotency_key"),
        ("/entity_onboarding_sessions?idempotency_key=ab%7F", "idempotency_key"),
        ("/entity_onboarding_sessions?status.in=active%00", "status.in"),
        ("/entity_onboarding_sessions?cursor=%00&limit=2", "cursor"),
        ("/entity_onboarding_sessions?limit=1%0A", "limit"),
        ("/entities?idempotency_key=a%00b", "idempotency_key"),
        ("/entities?created_at.after=2026-01-01T00:00:00Z%00", "created_at.after"),
        ("/entities?validation_status.in=valid%1B", "validation_status.in"),
        ("/entities?status.in=%00", "status.in"),
        ("/programs?limit=%00", "limit"),
        ("/programs?cursor=%01", "cursor"),
        ("/programs?unread=%C2%85", "unread"),
    ] {
        let body = assert_error(app.get(path).await, 400, "invalid_parameters_error").await;
        assert_eq!(error_fields(&body), [field], "{path}");
        assert_eq!(
            body["errors"][0]["message"], "must not contain control characters",
            "{path}"
        );
    }
    // The same filters without the control character still work.
    let found = get_json(&app, "/entity_onboarding_sessions?idempotency_key=ab").await;
    assert_eq!(found["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_tab_in_the_idempotency_key_header_is_refused_and_nothing_is_made() {
    let app = spawn_app().await;
    let before = program_count(&app).await;
    let response = app
        .post_with_key("/simulations/programs", &json!({ "name": "Tabbed" }), "retry\t1")
        .await;
    let body = assert_error(response, 400, "invalid_parameters_error").await;
    assert_eq!(error_fields(&body), ["Idempotency-Key"]);
    assert_eq!(body["errors"][0]["message"], "must be printable ASCII");
    assert_eq!(program_count(&app).await, before);
}

#[tokio::test]
async fn a_tab_in_the_authorization_header_is_refused() {
    let app = spawn_app().await;
    for value in [
        format!("Bearer \t{}", app.api_key),
        format!("Bearer\t{}", app.api_key),
        format!("Bearer {}\tx", app.api_key),
    ] {
        let response = app
            .client
            .get(app.url("/programs"))
            .header("Authorization", value.as_str())
            .send()
            .await
            .unwrap();
        let body = assert_error(response, 400, "invalid_parameters_error").await;
        assert_eq!(error_fields(&body), ["Authorization"], "{value:?}");
    }
}

#[tokio::test]
async fn a_control_character_in_the_form_link_is_a_400_page() {
    let app = spawn_app().await;
    let session = app.create_session().await;
    let url = session["session_url"].as_str().unwrap();
    let token = url.split("id=").nth(1).unwrap();
    for link in [
        app.url("/onboarding/sessions?id=%00"),
        app.url(&format!("/onboarding/sessions?id={token}%00")),
        format!("{url}&structure=corporation%00"),
        format!("{url}&structure=%09"),
    ] {
        let response = app.client.get(&link).send().await.unwrap();
        assert_eq!(response.status(), 400, "{link}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let html = response.text().await.unwrap();
        assert!(html.contains("couldn&#39;t read this link") || html.contains("couldn't read this link"));
    }
    let fine = app
        .client
        .get(format!("{url}&structure=corporation"))
        .send()
        .await
        .unwrap();
    assert_eq!(fine.status(), 200);
}

/// What the server answers to a request written byte by byte.
async fn raw_response(app: &TestApp, request: &[u8]) -> String {
    let mut stream = tokio::net::TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_nul_or_del_in_a_header_is_refused_before_the_service_reads_it() {
    let app = spawn_app().await;
    for bad in ["a\0b", "a\x7fb"] {
        let request = format!(
            "POST /simulations/programs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
             Idempotency-Key: {bad}\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\
             Connection: close\r\n\r\n{{\"name\":\"x\"}}",
            app.api_key
        );
        let answer = raw_response(&app, request.as_bytes()).await;
        assert!(answer.starts_with("HTTP/1.1 400"), "{bad:?}: {answer}");
    }
    assert_eq!(program_count(&app).await, 1, "only the default program");
}
