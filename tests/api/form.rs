//! The hosted form over HTTP, as a browser without JavaScript uses it.

use reqwest::StatusCode;
use serde_json::{Value, json};

pub use crate::common::form::{Browser, csrf_token, valid_corporation};
use crate::{
    common::form::{OWNER0, pairs},
    helpers::{TestApp, spawn_app},
};

fn set(form: &mut Vec<(String, String)>, key: &str, value: &str) {
    form.retain(|(k, _)| k != key);
    form.push((key.to_owned(), value.to_owned()));
}

async fn open_form(app: &TestApp, browser: &Browser, structure: &str) -> (Value, String) {
    let session = app.create_session().await;
    let url = format!("{}&structure={structure}", session["session_url"].as_str().unwrap());
    let (status, html) = browser.get(&url).await;
    assert_eq!(status, 200);
    let csrf = csrf_token(&html);
    (session, csrf)
}

fn form_url(session: &Value) -> String {
    session["session_url"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_customer_first_chooses_what_they_onboard() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let session = app.create_session().await;
    let (status, html) = browser.get(&form_url(&session)).await;
    assert_eq!(status, 200);
    assert!(html.contains("Default program"));
    assert!(html.contains("name=\"structure\" value=\"corporation\""));
    assert!(html.contains("name=\"structure\" value=\"natural_person\""));
    assert!(html.contains("data-testid=\"continue\""));
}

#[tokio::test]
async fn every_input_has_a_label() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let session = app.create_session().await;
    for structure in ["corporation", "natural_person"] {
        let (_, html) = browser
            .get(&format!("{}&structure={structure}", form_url(&session)))
            .await;
        let mut inputs = 0;
        for tag in html
            .split('<')
            .filter(|t| t.starts_with("input ") || t.starts_with("select "))
        {
            if tag.contains("type=\"hidden\"") {
                continue;
            }
            let id = tag
                .split("id=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .expect("inputs have ids");
            assert!(html.contains(&format!("for=\"{id}\"")), "no label for {id}");
            inputs += 1;
        }
        assert!(inputs >= 10, "{structure}: {inputs}");
    }
}

#[tokio::test]
async fn a_complete_corporation_is_created_and_the_browser_is_sent_back() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let session = app
        .create_session_with(
            json!({ "program_id": app.program_id, "redirect_url": "https://platform.example.com/back?ref=a%20b#done" }),
        )
        .await;
    let (_, html) = browser
        .get(&format!("{}&structure=corporation", form_url(&session)))
        .await;
    let response = browser
        .post(&form_url(&session), &valid_corporation(&csrf_token(&html)))
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let session_id = session["id"].as_str().unwrap();

    let fetched: Value = app
        .get(&format!("/entity_onboarding_sessions/{session_id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fetched["status"], "expired");
    assert_eq!(fetched["session_url"], Value::Null);
    let entity_id = fetched["entity_id"].as_str().unwrap();
    assert_eq!(
        location,
        format!(
            "https://platform.example.com/back?ref=a%20b&entity_onboarding_session_id={session_id}&entity_id={entity_id}#done"
        )
    );

    let response = app.get(&format!("/entities/{entity_id}")).await;
    let text = response.text().await.unwrap();
    for secret in ["321-54-9876", "321549876", "234-56-7891", "234567891"] {
        assert!(!text.contains(secret), "full SSN {secret} must never be returned");
    }
    let entity: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(entity["creating_entity_onboarding_session_id"], session_id);
    let corporation = &entity["corporation"];
    assert_eq!(corporation["name"], "Acme Widgets LLC");
    assert_eq!(corporation["legal_identifier"]["value"], "123456789");
    assert_eq!(corporation["website"], "https://acme.example.com/");
    assert_eq!(corporation["address"]["line2"], "Suite 4");
    let owners = corporation["beneficial_owners"].as_array().unwrap();
    assert_eq!(owners.len(), 2);
    assert_eq!(owners[0]["individual"]["name"], "Grace Hopper");
    assert_eq!(owners[0]["individual"]["date_of_birth"], "1980-07-31");
    assert_eq!(owners[0]["prongs"], json!(["control"]));
    assert_eq!(
        owners[0]["individual"]["identification"],
        json!({ "method": "social_security_number", "number_last4": "9876" })
    );
    assert_eq!(owners[1]["prongs"], json!(["ownership"]));
    assert_eq!(owners[1]["individual"]["identification"]["number_last4"], "7891");
    assert!(entity["details_confirmed_at"].is_string());
    let terms = &entity["terms_agreements"][0];
    assert_eq!(terms["ip_address"], "127.0.0.1");
    assert!(
        terms["terms_url"]
            .as_str()
            .unwrap()
            .ends_with("/onboarding/attestation")
    );

    // The link is now used up.
    let (status, html) = browser.get(&form_url(&session)).await;
    assert_eq!(status, 410);
    assert!(html.contains("no longer valid"));
}

#[tokio::test]
async fn an_individual_is_created() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let (session, csrf) = open_form(&app, &browser, "natural_person").await;
    let form = pairs(&[
        ("csrf_token", &csrf),
        ("structure", "natural_person"),
        ("natural_person.name", "Ada Lovelace"),
        ("natural_person.date_of_birth", "1985-12-10"),
        ("natural_person.address.line1", "5 Analytical St"),
        ("natural_person.address.city", "Boston"),
        ("natural_person.address.state", "MA"),
        ("natural_person.address.zip", "02110-1234"),
        (
            "natural_person.identification.method",
            "individual_taxpayer_identification_number",
        ),
        ("natural_person.identification.number", "912-70-1234"),
        ("attest", "true"),
    ]);
    let response = browser.post(&form_url(&session), &form).await;
    assert_eq!(response.status(), 303);
    let fetched: Value = app
        .get(&format!(
            "/entity_onboarding_sessions/{}",
            session["id"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    let entity: Value = app
        .get(&format!("/entities/{}", fetched["entity_id"].as_str().unwrap()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(entity["structure"], "natural_person");
    assert_eq!(entity["corporation"], Value::Null);
    assert_eq!(entity["natural_person"]["name"], "Ada Lovelace");
    assert_eq!(entity["natural_person"]["address"]["zip"], "02110-1234");
    assert_eq!(
        entity["natural_person"]["identification"],
        json!({ "method": "individual_taxpayer_identification_number", "number_last4": "1234" })
    );
}

#[tokio::test]
async fn mistakes_are_shown_beside_their_fields_with_typed_values_kept() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let (session, csrf) = open_form(&app, &browser, "corporation").await;
    let mut form = valid_corporation(&csrf);
    set(&mut form, "corporation.legal_identifier.value", "12-34");
    set(&mut form, &format!("{OWNER0}.individual.date_of_birth"), "");
    set(&mut form, "attest", "");
    let response = browser.post(&form_url(&session), &form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    // The summary links to each bad field.
    assert!(html.contains("data-testid=\"error-summary\""));
    assert!(html.contains("href=\"#corporation-legal_identifier-value\""));
    assert!(html.contains("href=\"#corporation-beneficial_owners-0-individual-date_of_birth\""));
    assert!(html.contains("href=\"#attest\""));
    // Each bad field is marked and described.
    assert!(html.contains(
        "id=\"corporation-legal_identifier-value\" name=\"corporation.legal_identifier.value\" value=\"12-34\""
    ));
    assert!(html.contains("aria-invalid=\"true\" aria-describedby=\"corporation-legal_identifier-value-hint corporation-legal_identifier-value-error\""));
    assert!(html.contains("id=\"corporation-legal_identifier-value-error\""));
    // What was typed is kept, except full tax ID numbers.
    assert!(html.contains("value=\"Acme Widgets LLC\""));
    assert!(html.contains("value=\"Grace Hopper\""));
    assert!(html.contains("value=\"ops@acme.example.com\""));
    assert!(html.contains("<option value=\"DE\" selected>"));
    assert!(
        !html.contains("321-54-9876") && !html.contains("321549876"),
        "SSNs never come back"
    );
    assert!(html.contains("ending in 9876"));
    // Nothing was written.
    let fetched: Value = app
        .get(&format!(
            "/entity_onboarding_sessions/{}",
            session["id"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fetched["status"], "active");
    let entities: Value = app.get("/entities").await.json().await.unwrap();
    assert_eq!(entities["data"], json!([]));
}

#[tokio::test]
async fn a_corporation_without_a_control_person_is_refused() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let (session, csrf) = open_form(&app, &browser, "corporation").await;
    let mut form: Vec<(String, String)> = valid_corporation(&csrf)
        .into_iter()
        .filter(|(k, v)| !(k.ends_with("prongs") && v == "control"))
        .collect();
    form.push((format!("{OWNER0}.prongs"), "ownership".to_owned()));
    let response = browser.post(&form_url(&session), &form).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("href=\"#corporation-beneficial_owners\""));
    assert!(html.contains("control prong"));
}

#[tokio::test]
async fn owners_are_added_and_removed_without_javascript() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let (session, csrf) = open_form(&app, &browser, "corporation").await;
    let mut form = valid_corporation(&csrf);
    set(&mut form, "action", "add_owner");
    let response = browser.post(&form_url(&session), &form).await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("data-testid=\"owner-3\""));
    assert!(html.contains("name=\"owner_count\" value=\"3\""));
    assert!(html.contains("value=\"Alan Turing\""));
    assert!(!html.contains("error-summary"), "adding an owner is not an error");

    set(&mut form, "owner_count", "3");
    set(&mut form, "action", "remove_owner:0");
    let response = browser.post(&form_url(&session), &form).await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("name=\"owner_count\" value=\"2\""));
    assert!(!html.contains("Grace Hopper"));
    assert!(html.contains(
        "id=\"corporation-beneficial_owners-0-individual-name\" name=\"corporation.beneficial_owners.0.individual.name\" value=\"Alan Turing\""
    ));
    assert!(!html.contains("data-testid=\"owner-3\""));
    let fetched: Value = app
        .get(&format!(
            "/entity_onboarding_sessions/{}",
            session["id"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fetched["status"], "active", "adding or removing owners writes nothing");
}

#[tokio::test]
async fn forms_without_the_browser_sessions_csrf_token_are_refused() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let (session, csrf) = open_form(&app, &browser, "corporation").await;
    // Wrong token in the right browser.
    let response = browser
        .post(&form_url(&session), &valid_corporation("forged-token"))
        .await;
    assert_eq!(response.status(), 403);
    assert!(response.text().await.unwrap().contains("reload the page"));
    // The right token from another browser (no cookie).
    let response = Browser::new()
        .post(&form_url(&session), &valid_corporation(&csrf))
        .await;
    assert_eq!(response.status(), 403);
    let fetched: Value = app
        .get(&format!(
            "/entity_onboarding_sessions/{}",
            session["id"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fetched["status"], "active");
    assert_eq!(
        app.get("/entities").await.json::<Value>().await.unwrap()["data"],
        json!([])
    );
}

#[tokio::test]
async fn two_concurrent_submissions_create_exactly_one_entity() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let (session, csrf) = open_form(&app, &browser, "corporation").await;
    let form = valid_corporation(&csrf);
    let url = form_url(&session);
    let responses = futures_util::future::join_all((0..8).map(|_| browser.post(&url, &form))).await;
    let mut locations = Vec::new();
    for response in responses {
        assert!(matches!(response.status().as_u16(), 303 | 410), "{}", response.status());
        if response.status() == 303 {
            locations.push(response.headers()["location"].to_str().unwrap().to_owned());
        }
    }
    assert!(!locations.is_empty());
    locations.dedup();
    assert_eq!(locations.len(), 1, "every redirect carries the same Entity");
    let entities: Value = app.get("/entities").await.json().await.unwrap();
    assert_eq!(entities["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_replayed_submission_lands_on_the_same_redirect() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let (session, csrf) = open_form(&app, &browser, "corporation").await;
    let form = valid_corporation(&csrf);
    let first = browser.post(&form_url(&session), &form).await;
    let second = browser.post(&form_url(&session), &form).await;
    assert_eq!(second.status(), 303);
    assert_eq!(first.headers()["location"], second.headers()["location"]);
    assert_eq!(
        app.get("/entities").await.json::<Value>().await.unwrap()["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn an_expired_session_refuses_the_form() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let (session, csrf) = open_form(&app, &browser, "corporation").await;
    app.clock.advance(chrono::Duration::hours(7));
    let response = browser.post(&form_url(&session), &valid_corporation(&csrf)).await;
    assert_eq!(response.status(), 410);
    assert!(response.text().await.unwrap().contains("no longer valid"));
    assert_eq!(
        app.get("/entities").await.json::<Value>().await.unwrap()["data"],
        json!([])
    );
}

#[tokio::test]
async fn script_in_any_field_is_rendered_inert() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let (session, csrf) = open_form(&app, &browser, "corporation").await;
    let payload = "\"'><script>alert(1)</script><img src=x onerror=alert(2)>";
    let mut form = valid_corporation(&csrf);
    for (key, value) in form.iter_mut() {
        if key.starts_with("corporation.") && !key.ends_with("prongs") {
            *value = payload.to_owned();
        }
    }
    let response = browser.post(&form_url(&session), &form).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(!html.contains("<script>alert(1)"), "no live script");
    assert!(!html.contains("<img src=x"), "no live markup");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || html.contains("&#60;script&#62;alert(1)"));
}

#[tokio::test]
async fn oversized_forms_get_a_friendly_page() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let (session, csrf) = open_form(&app, &browser, "corporation").await;
    let mut form = valid_corporation(&csrf);
    set(&mut form, "corporation.name", &"x".repeat(100_000));
    let response = browser.post(&form_url(&session), &form).await;
    assert_eq!(response.status(), 413);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
}

#[tokio::test]
async fn form_pages_let_the_redirect_through_but_nothing_else() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let session = app.create_session().await;
    let response = browser
        .client
        .get(format!("{}&structure=corporation", form_url(&session)))
        .send()
        .await
        .unwrap();
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("form-action 'self' https://platform.example.com;"),
        "{csp}"
    );
    assert!(csp.contains("default-src 'none'"));
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/onboarding"),
        "{cookie}"
    );
}
