//! `Strict-Transport-Security` on every response when the public URL is
//! https, and never over plain http.

use crate::helpers::spawn_app_with;

const HSTS: &str = "strict-transport-security";

#[tokio::test]
async fn every_response_carries_hsts_when_the_public_url_is_https() {
    let app = spawn_app_with(|settings| {
        settings.public_url = Some(url::Url::parse("https://onboard.example.com").unwrap());
    })
    .await;
    let session = app.create_session().await;
    // The link says https; the test reaches the same server over http.
    let form = session["session_url"]
        .as_str()
        .unwrap()
        .replace("https://onboard.example.com", &app.address);
    let responses = [
        app.client.get(app.url("/health")).send().await.unwrap(),
        app.get("/programs").await,
        app.client.get(app.url("/programs")).send().await.unwrap(),
        app.client.get(app.url("/no-such-path")).send().await.unwrap(),
        app.client.get(&form).send().await.unwrap(),
        app.client
            .get(app.url("/onboarding/sessions?id=nope"))
            .send()
            .await
            .unwrap(),
        app.client.get(app.url("/static/style.css")).send().await.unwrap(),
    ];
    let statuses: Vec<u16> = responses.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses, [200, 200, 401, 404, 200, 404, 200]);
    for response in responses {
        assert_eq!(
            response.headers().get(HSTS).map(|v| v.to_str().unwrap()),
            Some("max-age=31536000"),
            "{}",
            response.url()
        );
    }
}

#[tokio::test]
async fn no_hsts_over_plain_http() {
    let app = spawn_app_with(|settings| {
        settings.public_url = Some(url::Url::parse("http://onboard.example.com").unwrap());
    })
    .await;
    let session = app.create_session().await;
    let form = session["session_url"]
        .as_str()
        .unwrap()
        .replace("http://onboard.example.com", &app.address);
    for response in [
        app.client.get(app.url("/health")).send().await.unwrap(),
        app.get("/programs").await,
        app.client.get(&form).send().await.unwrap(),
    ] {
        assert_eq!(response.status(), 200);
        assert!(!response.headers().contains_key(HSTS), "{}", response.url());
    }
}
