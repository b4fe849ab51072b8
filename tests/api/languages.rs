//! The hosted pages in English and Spanish: the platform's `locale`, the
//! browser's `Accept-Language`, and the link on every page that switches.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    common::form::{Browser, csrf_token, pairs, post_step, step_url},
    helpers::{TestApp, assert_error, error_fields, spawn_app},
};

fn form_url(session: &Value) -> String {
    session["session_url"].as_str().unwrap().to_owned()
}

async fn session_in(app: &TestApp, locale: &str) -> Value {
    app.create_session_with(json!({
        "program_id": app.program_id,
        "redirect_url": "https://platform.example.com/onboarded",
        "locale": locale,
    }))
    .await
}

/// `GET url` as a browser whose language preferences are `accept_language`.
async fn get_in(browser: &Browser, url: &str, accept_language: &str) -> (StatusCode, String) {
    let response = browser
        .client
        .get(url)
        .header("Accept-Language", accept_language)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

fn html_lang(html: &str) -> &str {
    let start = html.find("<html lang=\"").expect("an html element with lang") + "<html lang=\"".len();
    &html[start..start + html[start..].find('"').unwrap()]
}

/// The link that switches the page to `lang`, made absolute on the app.
fn switch_link(app: &TestApp, html: &str, lang: &str) -> String {
    let marker = format!("data-testid=\"language-{lang}\"");
    let tag_end = html.find(&marker).unwrap_or_else(|| panic!("no link to {lang}"));
    let tag_start = html[..tag_end].rfind("<a ").unwrap();
    let tag = &html[tag_start..tag_end];
    assert!(tag.contains(&format!("lang=\"{lang}\"")), "{tag}");
    let href = tag.split("href=\"").nth(1).unwrap().split('"').next().unwrap();
    app.url(&href.replace("&#38;", "&").replace("&amp;", "&"))
}

#[tokio::test]
async fn a_browser_that_prefers_spanish_gets_the_form_in_spanish() {
    let app = spawn_app().await;
    let session = app.create_session().await;
    let (status, html) = get_in(&Browser::new(), &form_url(&session), "es-MX,es;q=0.9").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html_lang(&html), "es");
    assert!(html.contains("¿Qué va a registrar?"), "{html}");
    assert!(html.contains(">Continuar</button>"));
    assert!(html.contains(" a las "), "the link's expiry, in Spanish: {html}");
    assert!(
        html.contains("lang=\"en\" hreflang=\"en\" data-testid=\"language-en\">English</a>"),
        "a link back to English, in English"
    );
    assert!(
        !html.contains("data-testid=\"language-es\""),
        "no link to the page's own language"
    );
    assert!(!html.contains("What are you onboarding?"));
}

#[tokio::test]
async fn a_browser_in_another_language_gets_english() {
    let app = spawn_app().await;
    let session = app.create_session().await;
    let (status, html) = get_in(&Browser::new(), &form_url(&session), "fr-FR,fr;q=0.9").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html_lang(&html), "en");
    assert!(html.contains("What are you onboarding?"));
    assert!(html.contains("lang=\"es\" hreflang=\"es\" data-testid=\"language-es\">Español</a>"));
}

#[tokio::test]
async fn the_platforms_locale_beats_the_browsers_language() {
    let app = spawn_app().await;
    let session = session_in(&app, "es").await;
    assert!(
        session.get("locale").is_none(),
        "the session object keeps Increase's shape"
    );
    let (status, html) = get_in(&Browser::new(), &form_url(&session), "en-US,en;q=0.9").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html_lang(&html), "es");
    assert!(html.contains("¿Qué va a registrar?"));

    let english = session_in(&app, "en").await;
    let (_, html) = get_in(&Browser::new(), &form_url(&english), "es-MX").await;
    assert_eq!(html_lang(&html), "en");
}

#[tokio::test]
async fn an_unknown_locale_is_refused_naming_it() {
    let app = spawn_app().await;
    for locale in [
        json!(""),
        json!("EN-us"),
        json!("fr"),
        json!("es-MX"),
        json!(5),
        json!(["es"]),
    ] {
        let response = app
            .post(
                "/entity_onboarding_sessions",
                &json!({
                    "program_id": app.program_id,
                    "redirect_url": "https://platform.example.com/onboarded",
                    "locale": locale,
                }),
            )
            .await;
        let body = assert_error(response, 400, "invalid_parameters_error").await;
        assert_eq!(error_fields(&body), ["locale"], "{locale}: {body}");
    }
}

#[tokio::test]
async fn the_language_link_switches_the_page_and_keeps_the_saved_answers() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let url = form_url(&app.create_session().await);
    let (_, html) = browser.get(&url).await;
    assert_eq!(html_lang(&html), "en");
    let csrf = csrf_token(&html);
    let saved = post_step(
        &browser,
        &url,
        "structure",
        &csrf,
        &pairs(&[("structure", "corporation")]),
    )
    .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    // A page with errors is saved too: what was typed stays.
    let business = step_url(&url, "business");
    let response = post_step(
        &browser,
        &url,
        "business",
        &csrf,
        &pairs(&[("corporation.name", "Acme Widgets LLC")]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("There is a problem"));

    // The link of the page with errors leads to the same page in Spanish.
    let to_spanish = switch_link(&app, &html, "es");
    assert!(
        to_spanish.contains("step=business") && to_spanish.ends_with("lang=es"),
        "{to_spanish}"
    );
    let switched = browser.client.get(&to_spanish).send().await.unwrap();
    assert_eq!(switched.status(), StatusCode::SEE_OTHER);
    let clean = switched.headers()["location"].to_str().unwrap().to_owned();
    assert!(!clean.contains("lang="), "{clean}");
    assert!(clean.contains("step=business"), "{clean}");
    let (status, html) = browser.get(&app.url(&clean)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html_lang(&html), "es");
    assert!(html.contains("Datos de la empresa"), "{html}");
    assert!(html.contains("EIN (Número de Identificación del Empleador)"));
    assert!(html.contains("value=\"Acme Widgets LLC\""), "the saved answer is kept");

    // The choice sticks for the browser, whatever it prefers, and a
    // Spanish page's problems are told in Spanish.
    let (_, html) = get_in(&browser, &business, "en-US").await;
    assert_eq!(html_lang(&html), "es");
    let response = post_step(
        &browser,
        &url,
        "business",
        &csrf,
        &pairs(&[("corporation.name", ""), ("corporation.legal_identifier.value", "12")]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("<title>Error: Datos de la empresa"), "{html}");
    assert!(html.contains("Hay un problema"));
    assert!(html.contains("Ingrese el nombre legal de la empresa"));
    assert!(html.contains("El EIN debe tener 9 dígitos, por ejemplo 12-3456789"));
    assert!(!html.contains("There is a problem"));

    // And back to English.
    let to_english = switch_link(&app, &html, "en");
    let switched = browser.client.get(&to_english).send().await.unwrap();
    assert_eq!(switched.status(), StatusCode::SEE_OTHER);
    let (_, html) = browser.get(&business).await;
    assert_eq!(html_lang(&html), "en");
    assert!(html.contains("Business details"));
}

#[tokio::test]
async fn error_pages_speak_the_customers_language_and_switch_too() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let unknown = app.url("/onboarding/sessions?id=nope");
    let (status, html) = get_in(&browser, &unknown, "es-419").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(html_lang(&html), "es");
    assert!(html.contains("No encontramos esta página"), "{html}");
    let to_english = switch_link(&app, &html, "en");
    assert_eq!(browser.client.get(&to_english).send().await.unwrap().status(), 303);
    let (status, html) = get_in(&browser, &unknown, "es-419").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(html_lang(&html), "en", "the customer's choice beats the browser's");
    assert!(html.contains("We couldn&#39;t find this page"), "{html}");

    // The dead end of an ended session, in the platform's language.
    let session = session_in(&app, "es").await;
    let expired = app
        .post(
            &format!("/entity_onboarding_sessions/{}/expire", session["id"].as_str().unwrap()),
            &json!({}),
        )
        .await;
    assert_eq!(expired.status(), 200);
    let (status, html) = get_in(&Browser::new(), &form_url(&session), "en").await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(html_lang(&html), "es");
    assert!(html.contains("Este enlace ya no es válido"), "{html}");
    assert!(html.contains("data-testid=\"return-to-platform\">Volver a "), "{html}");

    // The statement the declaration links to.
    let (status, html) = get_in(&Browser::new(), &app.url("/onboarding/attestation"), "es").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(html_lang(&html), "es");
    assert!(html.contains("<h1 id=\"attestation-heading\">Declaración</h1>"));
}
