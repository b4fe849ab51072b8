//! Rate limits: per API key on the JSON API, per client on the hosted pages
//! and on failed authentication. Over a limit the API answers 429
//! `rate_limited_error` with `retry_after` and `Retry-After`, the pages a
//! friendly 429 page; the probes are never limited.

use std::net::{IpAddr, Ipv4Addr};

use reqwest::{Client, Response, StatusCode};
use serde_json::Value;

use crate::helpers::{TestApp, assert_error, spawn_app_with};

/// A second client on this machine: the loopback network is all of 127/8.
const OTHER_CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

fn other_client() -> Client {
    Client::builder()
        .local_address(OTHER_CLIENT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Checks a 429 envelope and its `Retry-After`, and returns the body.
async fn assert_rate_limited(response: Response) -> Value {
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    let body = assert_error(response, 429, "rate_limited_error").await;
    assert_eq!(body["retry_after"], retry_after, "{body}");
    assert!(retry_after >= 1, "{body}");
    body
}

async fn session_url(app: &TestApp) -> String {
    app.create_session().await["session_url"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_api_key_over_its_rate_gets_429_and_other_keys_and_the_probes_do_not() {
    let app = spawn_app_with(|settings| settings.rate_limit_api = 1).await;
    // One request a second: of five sent one after the other, the first is
    // served and at least one later one is refused (all five would need to
    // be a second apart to pass).
    let mut statuses = Vec::new();
    let mut refused = None;
    for _ in 0..5 {
        let response = app.get("/programs").await;
        statuses.push(response.status().as_u16());
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(response);
        }
    }
    assert_eq!(statuses[0], 200, "{statuses:?}");
    let body = assert_rate_limited(refused.expect("a request over the rate is refused")).await;
    assert_eq!(body["retry_after"], 1, "{body}");

    let other_key = app.other_group_key().await;
    let response = app
        .client
        .get(app.url("/programs"))
        .bearer_auth(&other_key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "each key has its own allowance");

    for path in ["/health", "/ready", "/metrics", "/openapi.json"] {
        for _ in 0..5 {
            let response = app.client.get(app.url(path)).send().await.unwrap();
            assert_eq!(response.status(), 200, "{path} is never limited");
        }
    }
}

#[tokio::test]
async fn failed_authentications_are_limited_per_client() {
    let app = spawn_app_with(|settings| settings.rate_limit_auth_failures = 2).await;
    let with_key = |client: &Client, key: &str| client.get(app.url("/programs")).bearer_auth(key).send();
    for _ in 0..2 {
        let response = with_key(&app.client, "secret_key_guess").await.unwrap();
        assert_error(response, 401, "invalid_api_key_error").await;
    }
    let refused = assert_rate_limited(with_key(&app.client, "secret_key_guess").await.unwrap()).await;
    let retry_after = refused["retry_after"].as_u64().unwrap();
    assert!(
        (1..=30).contains(&retry_after),
        "one try earned back every 30 s: {refused}"
    );
    // Until then the client is refused without its key being looked up,
    // whatever key it sends.
    assert_rate_limited(with_key(&app.client, &app.api_key).await.unwrap()).await;
    // Another client is not affected, nor is a request that needs no key.
    let other = other_client();
    assert_eq!(with_key(&other, &app.api_key).await.unwrap().status(), 200);
    let unknown = app.client.get(app.url("/no-such-path")).send().await.unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn unknown_paths_do_not_count_as_failed_authentications() {
    let app = spawn_app_with(|settings| settings.rate_limit_auth_failures = 1).await;
    for _ in 0..5 {
        let response = app.client.get(app.url("/no-such-path")).send().await.unwrap();
        assert_eq!(response.status(), 404);
    }
    let response = app
        .client
        .get(app.url("/programs"))
        .bearer_auth("secret_key_typo")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401, "the first failure of this client");
}

#[tokio::test]
async fn hosted_pages_over_the_rate_get_a_friendly_429_page() {
    let app = spawn_app_with(|settings| settings.rate_limit_form = 2).await;
    let url = session_url(&app).await;
    for _ in 0..2 {
        let response = app.client.get(&url).send().await.unwrap();
        assert_eq!(response.status(), 200);
    }
    let response = app.client.get(&url).send().await.unwrap();
    assert_eq!(response.status(), 429);
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=30).contains(&retry_after), "one request earned back every 30 s");
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(response.headers().contains_key("content-security-policy"));
    let html = response.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\""), "{html}");
    assert!(html.contains("<h1 id=\"notice-heading\" data-testid=\"error-heading\">Please slow down a little</h1>"));
    assert!(html.contains(&format!("Please wait {retry_after} seconds")) || html.contains("Please wait a second"));

    // The API, the stylesheet and another client are not affected.
    assert_eq!(app.get("/programs").await.status(), 200);
    let css = app.client.get(app.url("/static/style.css")).send().await.unwrap();
    assert_eq!(css.status(), 200);
    let page = other_client().get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_allowance() {
    let app = spawn_app_with(|settings| {
        settings.rate_limit_form = 1;
        settings.trusted_proxies = onboarding::edge::client_ip::TrustedProxies::parse("127.0.0.1/32").unwrap();
    })
    .await;
    let url = session_url(&app).await;
    let from = |client: &'static str| app.client.get(&url).header("X-Forwarded-For", client).send();
    assert_eq!(from("198.51.100.1").await.unwrap().status(), 200);
    assert_eq!(from("198.51.100.1").await.unwrap().status(), 429);
    assert_eq!(from("198.51.100.2").await.unwrap().status(), 200);
}

#[tokio::test]
async fn a_forged_forwarded_for_does_not_buy_an_untrusted_client_a_new_allowance() {
    let app = spawn_app_with(|settings| settings.rate_limit_form = 1).await;
    let url = session_url(&app).await;
    let from = |client: &'static str| app.client.get(&url).header("X-Forwarded-For", client).send();
    assert_eq!(from("198.51.100.1").await.unwrap().status(), 200);
    assert_eq!(from("198.51.100.2").await.unwrap().status(), 429);
}
