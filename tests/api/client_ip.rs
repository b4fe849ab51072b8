//! The client's address behind proxies: `X-Forwarded-For` is believed only
//! from a peer in `ONBOARDING_TRUSTED_PROXIES`, and the address recorded
//! with a terms agreement is the real client's.

use reqwest::{Client, StatusCode, header::HeaderMap};
use serde_json::Value;

use crate::{
    common::form::{Browser, complete_business_journey},
    helpers::{TestApp, spawn_app_with},
};

/// A browser whose requests arrive through a proxy that says they came
/// from `forwarded_for`.
fn browser_behind_proxy(forwarded_for: &str) -> Browser {
    let mut headers = HeaderMap::new();
    headers.insert("x-forwarded-for", forwarded_for.parse().unwrap());
    Browser {
        client: Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .unwrap(),
    }
}

/// Completes a corporation's form through `browser` and returns the address
/// its terms agreement recorded.
async fn recorded_address(app: &TestApp, browser: &Browser) -> Value {
    let session = app.create_session().await;
    let url = session["session_url"].as_str().unwrap();
    let response = complete_business_journey(browser, url).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let session_id = session["id"].as_str().unwrap();
    let session: Value = app
        .get(&format!("/entity_onboarding_sessions/{session_id}"))
        .await
        .json()
        .await
        .unwrap();
    let entity: Value = app
        .get(&format!("/entities/{}", session["entity_id"].as_str().unwrap()))
        .await
        .json()
        .await
        .unwrap();
    entity["terms_agreements"][0]["ip_address"].clone()
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_client_is_recorded() {
    let app = spawn_app_with(|settings| {
        settings.trusted_proxies =
            onboarding::edge::client_ip::TrustedProxies::parse("10.0.0.0/8,127.0.0.1/32").unwrap();
    })
    .await;
    // The client forged the first entry; the proxies appended the rest.
    let browser = browser_behind_proxy("192.0.2.66, 198.51.100.23, 10.1.2.3");
    assert_eq!(recorded_address(&app, &browser).await, "198.51.100.23");
}

#[tokio::test]
async fn from_an_untrusted_peer_forwarded_for_is_ignored() {
    let app = spawn_app_with(|settings| {
        settings.trusted_proxies = onboarding::edge::client_ip::TrustedProxies::parse("10.0.0.0/8").unwrap();
    })
    .await;
    let browser = browser_behind_proxy("198.51.100.23");
    assert_eq!(recorded_address(&app, &browser).await, "127.0.0.1");
}

#[tokio::test]
async fn by_default_nobody_is_trusted() {
    let app = spawn_app_with(|_| {}).await;
    let browser = browser_behind_proxy("198.51.100.23");
    assert_eq!(recorded_address(&app, &browser).await, "127.0.0.1");
}
