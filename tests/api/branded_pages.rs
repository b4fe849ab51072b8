//! The hosted pages of a branded program: its look on every page, its
//! framing rules in the headers, and its choice of where leaving the form
//! goes.

use base64::Engine;
use onboarding::domain::api_key::Environment;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::{
    branding::png_of_size,
    common::form::{Browser, declaration, fill_business_journey, step_url},
    helpers::{TestApp, spawn_app, spawn_app_with},
};

const ACCENT_STYLE: &str = ":root{--accent:#0a7d5a;--accent-dark:#086448}";

/// Brands the app's program with every setting, through the API.
async fn brand(app: &TestApp, extra: Value) {
    let (production, _) = app.api_key_for(Environment::Production, false).await;
    let mut body = json!({
        "display_name": "Acme Payroll",
        "accent_color": "#0a7d5a",
        "logo": base64::engine::general_purpose::STANDARD.encode(png_of_size(1_000)),
        "support_url": "https://acme.example/help",
        "privacy_url": "https://acme.example/privacy",
    });
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let response = app
        .client
        .patch(app.url(&format!("/hosted_onboarding/programs/{}/branding", app.program_id)))
        .bearer_auth(production)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response.headers().get(name).map(|v| v.to_str().unwrap().to_owned())
}

/// What every branded page shows: the accent style (allowed by its hash),
/// the logo and name in the header, and the footer links.
fn assert_branded(csp: &str, html: &str) {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(ACCENT_STYLE.as_bytes()));
    assert!(html.contains(&format!("<style>{ACCENT_STYLE}</style>")), "{html}");
    assert!(csp.contains(&format!("style-src 'self' 'sha256-{hash}';")), "{csp}");
    assert!(
        html.contains("<img class=\"brand-logo\" src=\"/static/logos/"),
        "{html}"
    );
    assert!(html.contains("<span>Acme Payroll</span>"), "{html}");
    assert!(html.contains("href=\"https://acme.example/help\""), "{html}");
    assert!(html.contains("href=\"https://acme.example/privacy\""), "{html}");
    // Nothing is loaded from elsewhere: every src and stylesheet is ours.
    for attribute in ["src=\"", "<link rel=\"stylesheet\" href=\""] {
        for part in html.split(attribute).skip(1) {
            assert!(part.starts_with('/'), "a third-party request: {attribute}{part:.60}");
        }
    }
    assert!(
        csp.contains("default-src 'none'") && csp.contains("img-src 'self'"),
        "{csp}"
    );
}

#[tokio::test]
async fn every_page_of_a_branded_program_shows_its_brand() {
    let app = spawn_app().await;
    brand(&app, json!({})).await;
    let browser = Browser::new();
    let session = app.create_session().await;
    let url = session["session_url"].as_str().unwrap();

    let first = browser.client.get(url).send().await.unwrap();
    let csp = header(&first, "content-security-policy").unwrap();
    let html = first.text().await.unwrap();
    assert_branded(&csp, &html);
    assert!(
        html.contains("Acme Payroll</title>"),
        "the display name in the title: {html}"
    );

    // A page with mistakes, in Spanish: the brand and the footer in Spanish.
    let csrf = crate::common::form::csrf_token(&html);
    let response = browser
        .client
        .post(step_url(url, "structure"))
        .header("Accept-Language", "es")
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let csp = header(&response, "content-security-policy").unwrap();
    let html = response.text().await.unwrap();
    assert_branded(&csp, &html);
    assert!(
        html.contains("Ayuda de Acme Payroll") && html.contains("Política de privacidad de Acme Payroll"),
        "{html}"
    );

    // A refused form (403), an expired link (410): still the program's pages.
    let response = browser
        .client
        .post(step_url(url, "structure"))
        .form(&[("csrf_token", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let csp = header(&response, "content-security-policy").unwrap();
    assert_branded(&csp, &response.text().await.unwrap());
    app.post_action(&format!(
        "/entity_onboarding_sessions/{}/expire",
        session["id"].as_str().unwrap()
    ))
    .await;
    let gone = browser.client.get(url).send().await.unwrap();
    assert_eq!(gone.status(), 410);
    let csp = header(&gone, "content-security-policy").unwrap();
    let html = gone.text().await.unwrap();
    assert_branded(&csp, &html);
    assert!(html.contains("Return to Acme Payroll"), "{html}");

    // A link that names no session knows no program: the plain page.
    let unknown = browser
        .client
        .get(app.url("/onboarding/sessions?id=notarealtokenatallnotarealtoken"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let html = unknown.text().await.unwrap();
    assert!(!html.contains("<style>") && !html.contains("Acme"), "{html}");
}

#[tokio::test]
async fn only_the_programs_allowed_origins_may_frame_its_pages() {
    let app = spawn_app().await;
    let plain = app.create_session().await;
    let response = reqwest::get(plain["session_url"].as_str().unwrap()).await.unwrap();
    assert!(
        header(&response, "content-security-policy")
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(header(&response, "x-frame-options").as_deref(), Some("DENY"));

    brand(
        &app,
        json!({ "allowed_frame_ancestors": ["https://app.acme.example", "https://admin.acme.example:8443"] }),
    )
    .await;
    let session = app.create_session().await;
    let url = session["session_url"].as_str().unwrap();
    let response = reqwest::get(url).await.unwrap();
    let csp = header(&response, "content-security-policy").unwrap();
    assert!(
        csp.contains("frame-ancestors https://app.acme.example https://admin.acme.example:8443;"),
        "{csp}"
    );
    // X-Frame-Options cannot name origins; it would forbid the platform too.
    assert_eq!(header(&response, "x-frame-options"), None);
    // Error pages of the program follow the same rule.
    app.post_action(&format!(
        "/entity_onboarding_sessions/{}/expire",
        session["id"].as_str().unwrap()
    ))
    .await;
    let gone = reqwest::get(url).await.unwrap();
    assert_eq!(gone.status(), 410);
    assert!(
        header(&gone, "content-security-policy")
            .unwrap()
            .contains("frame-ancestors https://app.acme.example")
    );
    assert_eq!(header(&gone, "x-frame-options"), None);
    // So do pages of a post the form cannot read (too large, not a form).
    let live = app.create_session().await;
    let live_url = live["session_url"].as_str().unwrap();
    let client = reqwest::Client::new();
    for (content_type, body, status) in [
        (
            "application/x-www-form-urlencoded",
            "a=".to_owned() + &"x".repeat(70 * 1024),
            413,
        ),
        ("application/json", "{}".to_owned(), 400),
    ] {
        let response = client
            .post(step_url(live_url, "structure"))
            .header("Content-Type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status);
        let csp = header(&response, "content-security-policy").unwrap();
        assert!(csp.contains("frame-ancestors https://app.acme.example"), "{csp}");
        assert!(response.text().await.unwrap().contains("<span>Acme Payroll</span>"));
    }
    // Another program of the same group is still not frameable.
    let other = app
        .post("/simulations/programs", &json!({ "name": "Other" }))
        .await
        .json::<Value>()
        .await
        .unwrap();
    let session = app
        .create_session_with(json!({ "program_id": other["id"], "redirect_url": "https://platform.example.com/x" }))
        .await;
    let response = reqwest::get(session["session_url"].as_str().unwrap()).await.unwrap();
    assert!(
        header(&response, "content-security-policy")
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(header(&response, "x-frame-options").as_deref(), Some("DENY"));
}

#[tokio::test]
async fn leaving_the_form_breaks_out_of_the_frame_only_when_the_program_asks() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let session = app.create_session().await;
    let url = session["session_url"].as_str().unwrap();
    fill_business_journey(&browser, url).await;
    let (_, html) = browser.get(&step_url(url, "declaration")).await;
    assert!(!html.contains("target=\"_top\""), "in the frame by default: {html}");

    brand(
        &app,
        json!({ "allowed_frame_ancestors": ["https://app.acme.example"], "redirect_out_of_frame": true }),
    )
    .await;
    let (_, html) = browser.get(&step_url(url, "declaration")).await;
    assert!(
        html.contains("<form class=\"card\" method=\"post\" action=\"/onboarding/sessions?id=")
            && html.contains("target=\"_top\">"),
        "the declaration is sent in the whole window: {html}"
    );
    // Whatever it answers lands in the whole window, so the browser asks for
    // the tick before sending (no `novalidate`, the box `required`).
    assert!(html.contains("value=\"true\" required"), "{html}");
    // The submission itself still lands on the platform, with the Entity.
    let csrf = crate::common::form::csrf_token(&html);
    let response = browser.post(&step_url(url, "declaration"), &declaration(&csrf)).await;
    assert_eq!(response.status(), 303);
    assert!(header(&response, "location").unwrap().contains("entity_id="));
    // The dead end's way back leaves the frame too.
    let (status, html) = browser.get(url).await;
    assert_eq!(status, 410);
    assert!(
        html.contains("target=\"_top\" data-testid=\"return-to-platform\""),
        "{html}"
    );
}

#[tokio::test]
async fn over_https_the_cookie_is_partitioned_and_works_across_sites() {
    let app = spawn_app_with(|settings| settings.cookie_secure = Some(true)).await;
    let session = app.create_session().await;
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}&lang=es", session["session_url"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let cookie = header(&response, "set-cookie").unwrap();
    assert!(cookie.starts_with("onboarding_language="), "{cookie}");
    for attribute in ["Secure", "HttpOnly", "SameSite=None", "Partitioned", "Path=/onboarding"] {
        assert!(cookie.contains(attribute), "{attribute}: {cookie}");
    }
}
