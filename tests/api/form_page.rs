use chrono::Duration;

use crate::helpers::spawn_app;

async fn assert_page(response: reqwest::Response, status: u16, needle: &str) {
    assert_eq!(response.status().as_u16(), status);
    let headers = response.headers().clone();
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/html"));
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["cache-control"], "no-store");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    let body = response.text().await.unwrap();
    assert!(body.contains(needle), "{body}");
}

#[tokio::test]
async fn the_session_link_shows_a_page_naming_the_program() {
    let app = spawn_app().await;
    let session = app.create_session().await;
    let response = app
        .client
        .get(session["session_url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_page(response, 200, "Default program").await;
}

#[tokio::test]
async fn unknown_links_are_a_404_page() {
    let app = spawn_app().await;
    for path in [
        "/onboarding/sessions?id=nope",
        "/onboarding/sessions",
        "/onboarding/elsewhere",
    ] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_page(response, 404, "couldn").await;
    }
}

#[tokio::test]
async fn expired_and_used_links_are_a_410_page() {
    let app = spawn_app().await;
    let expired = app.create_session().await;
    app.post_action(&format!(
        "/entity_onboarding_sessions/{}/expire",
        expired["id"].as_str().unwrap()
    ))
    .await;
    let used = app.create_session().await;
    app.post_action(&format!(
        "/simulations/entity_onboarding_sessions/{}/submit",
        used["id"].as_str().unwrap()
    ))
    .await;
    for session in [&expired, &used] {
        let response = app
            .client
            .get(session["session_url"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_page(response, 410, "no longer valid").await;
    }
    let lapsed = app.create_session().await;
    app.clock.advance(Duration::hours(7));
    let response = app
        .client
        .get(lapsed["session_url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_page(response, 410, "no longer valid").await;
}
