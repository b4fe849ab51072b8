use chrono::Duration;

use crate::helpers::spawn_app;

async fn assert_page(response: reqwest::Response, status: u16, needle: &str) {
    response_page(response, status, needle).await;
}

/// Checks a hosted page's status, headers and text; its body.
async fn response_page(response: reqwest::Response, status: u16, needle: &str) -> String {
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
    body
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
        let html = response_page(response, 410, "no longer valid").await;
        // It names the program and leads back to the platform, with the
        // session's ID and no Entity's: the platform sees it was not
        // completed through this visit.
        assert!(html.contains("<span>Default program</span></p>"), "{html}");
        let back = format!(
            "<a class=\"button\" href=\"https://platform.example.com/onboarded?ref=42&#38;entity_onboarding_session_id={}\" data-testid=\"return-to-platform\">Return to Default program</a>",
            session["id"].as_str().unwrap()
        );
        assert!(html.contains(&back), "{html}");
        assert!(!html.contains("entity_id="), "no Entity's ID");
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
