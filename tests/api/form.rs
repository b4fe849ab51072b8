//! The hosted form over HTTP, as a browser without JavaScript uses it: one
//! question page at a time, saved on the server as a draft.

use onboarding::domain::ids::SessionId;
use reqwest::StatusCode;
use serde_json::{Value, json};

pub use crate::common::form::{Browser, csrf_token};
use crate::{
    common::form::{
        OWNER0, business_journey, complete_business_journey, declaration, fill_business_journey, owner_pages, pairs,
        post_step, step_url,
    },
    helpers::{TestApp, spawn_app},
};

fn form_url(session: &Value) -> String {
    session["session_url"].as_str().unwrap().to_owned()
}

fn session_id(session: &Value) -> SessionId {
    session["id"].as_str().unwrap().parse().unwrap()
}

async fn fetch_session(app: &TestApp, session: &Value) -> Value {
    app.get(&format!(
        "/entity_onboarding_sessions/{}",
        session["id"].as_str().unwrap()
    ))
    .await
    .json()
    .await
    .unwrap()
}

/// Where a `303 See Other` sends the browser.
fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// Answers the journey's pages until (not including) `stop`, and returns the CSRF token.
async fn answer_until(browser: &Browser, url: &str, stop: &str) -> String {
    let (_, html) = browser.get(url).await;
    let csrf = csrf_token(&html);
    for (step, fields) in business_journey() {
        if step == stop {
            break;
        }
        let response = post_step(browser, url, &step, &csrf, &fields).await;
        assert_eq!(response.status(), 303, "{step}");
    }
    csrf
}

/// Every input and select of a page has a label.
fn assert_labelled(html: &str) -> usize {
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
    inputs
}

#[tokio::test]
async fn the_customer_first_chooses_what_they_onboard_with_nothing_chosen_for_them() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let session = app.create_session().await;
    let (status, html) = browser.get(&form_url(&session)).await;
    assert_eq!(status, 200);
    assert!(html.contains("Default program"));
    assert!(html.contains("Step 1 of 6"));
    assert!(
        html.contains("name=\"structure\" value=\"corporation\">"),
        "nothing pre-selected"
    );
    assert!(html.contains("name=\"structure\" value=\"natural_person\">"));
    assert!(html.contains("data-testid=\"continue\""));
    let response = post_step(&browser, &form_url(&session), "structure", &csrf_token(&html), &[]).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("There is a problem") && html.contains("Select what you are onboarding"));
    assert!(html.contains("href=\"#structure\"") && html.contains("id=\"structure\""));
}

#[tokio::test]
async fn each_page_has_a_back_link_its_step_and_labelled_inputs_and_leads_to_the_next() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let session = app.create_session().await;
    let url = form_url(&session);
    let (_, html) = browser.get(&url).await;
    let csrf = csrf_token(&html);
    assert!(
        !html.contains("data-testid=\"back\""),
        "the first page has nothing to go back to"
    );
    let mut page = html;
    let mut inputs = 0;
    for (step, fields) in business_journey() {
        let (status, html) = browser.get(&step_url(&url, &step)).await;
        assert_eq!(status, 200, "{step}");
        assert_eq!(html, page, "{step}: the page the last one led to");
        if step != "structure" {
            assert!(html.contains("data-testid=\"back\""), "{step} has a Back link");
        }
        assert!(html.contains(" of 6</p>"), "{step} says where the customer is");
        inputs += assert_labelled(&html);
        let response = post_step(&browser, &url, &step, &csrf, &fields).await;
        assert_eq!(response.status(), 303, "{step}");
        let next = location(&response);
        assert!(next.starts_with("/onboarding/sessions?id="), "{next}");
        let (status, html) = browser.get(&format!("{}{}", app.address, next)).await;
        assert_eq!(status, 200, "{next}");
        page = html;
        // Nothing was created yet.
        assert_eq!(fetch_session(&app, &session).await["status"], "active");
    }
    assert!(inputs >= 25, "{inputs}");
    assert!(
        page.contains("<h1>Check your answers</h1>"),
        "the owners lead to the check"
    );
}

#[tokio::test]
async fn a_complete_corporation_is_created_from_the_draft_and_the_browser_is_sent_back() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let session = app
        .create_session_with(
            json!({ "program_id": app.program_id, "redirect_url": "https://platform.example.com/back?ref=a%20b#done" }),
        )
        .await;
    let response = complete_business_journey(&browser, &form_url(&session)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = location(&response);
    let id = session["id"].as_str().unwrap();

    let fetched = fetch_session(&app, &session).await;
    assert_eq!(fetched["status"], "expired");
    assert_eq!(fetched["session_url"], Value::Null);
    let entity_id = fetched["entity_id"].as_str().unwrap();
    assert_eq!(
        location,
        format!(
            "https://platform.example.com/back?ref=a%20b&entity_onboarding_session_id={id}&entity_id={entity_id}#done"
        )
    );
    assert_eq!(
        app.store.find_draft(&session_id(&session)).await.unwrap(),
        None,
        "the draft goes with the submission"
    );

    let text = app.get(&format!("/entities/{entity_id}")).await.text().await.unwrap();
    for secret in ["321-54-9876", "321549876", "234-56-7891", "234567891"] {
        assert!(!text.contains(secret), "full SSN {secret} must never be returned");
    }
    let entity: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(entity["creating_entity_onboarding_session_id"], id);
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
    let session = app.create_session().await;
    let url = form_url(&session);
    let (_, html) = browser.get(&url).await;
    let csrf = csrf_token(&html);
    let pages = [
        ("structure", pairs(&[("structure", "natural_person")]), "step=person"),
        (
            "person",
            pairs(&[
                ("natural_person.name", "Ada Lovelace"),
                ("natural_person.date_of_birth.month", "12"),
                ("natural_person.date_of_birth.day", "10"),
                ("natural_person.date_of_birth.year", "1985"),
            ]),
            "step=person-address",
        ),
        (
            "person-address",
            pairs(&[
                ("natural_person.address.line1", "5 Analytical St"),
                ("natural_person.address.city", "Boston"),
                ("natural_person.address.state", "MA"),
                ("natural_person.address.zip", "02110-1234"),
            ]),
            "step=person-id",
        ),
        (
            "person-id",
            pairs(&[
                (
                    "natural_person.identification.method",
                    "individual_taxpayer_identification_number",
                ),
                ("natural_person.identification.number", "912-70-1234"),
            ]),
            "step=check",
        ),
    ];
    for (step, fields, next) in pages {
        let response = post_step(&browser, &url, step, &csrf, &fields).await;
        assert_eq!(response.status(), 303, "{step}");
        assert!(location(&response).ends_with(next), "{step} → {}", location(&response));
    }
    let (_, check) = browser.get(&step_url(&url, "check")).await;
    assert!(check.contains("Ada Lovelace") && check.contains("December 10, 1985"));
    assert!(check.contains("ITIN ending in 1234") && !check.contains("912701234"));
    let response = browser.post(&step_url(&url, "declaration"), &declaration(&csrf)).await;
    assert_eq!(response.status(), 303);
    let fetched = fetch_session(&app, &session).await;
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
async fn mistakes_are_told_the_govuk_way_beside_their_fields_with_answers_kept() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let session = app.create_session().await;
    let url = form_url(&session);
    let csrf = answer_until(&browser, &url, "business").await;
    let fields = pairs(&[
        ("corporation.name", ""),
        ("corporation.legal_identifier.value", "12-34"),
        ("corporation.incorporation_state", "DE"),
        ("corporation.email", "ops@acme.example.com"),
    ]);
    let response = post_step(&browser, &url, "business", &csrf, &fields).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("<title>Error: Business details"));
    assert!(html.contains("There is a problem"));
    // The summary links to each field, with the message shown beside it.
    for (id, message) in [
        ("corporation-name", "Enter the business&#39;s legal name"),
        (
            "corporation-legal_identifier-value",
            "EIN must be 9 digits, like 12-3456789",
        ),
    ] {
        assert!(
            html.contains(&format!("<a href=\"#{id}\">{message}</a>")),
            "{id}: {html}"
        );
        assert!(
            html.contains(&format!(
                "id=\"{id}-error\"><span class=\"visually-hidden\">Error: </span>{message}</p>"
            )),
            "{id}"
        );
    }
    assert!(html.contains("aria-invalid=\"true\" aria-describedby=\"corporation-legal_identifier-value-hint corporation-legal_identifier-value-error\""));
    assert!(
        html.contains("<p class=\"hint\" id=\"corporation-legal_identifier-value-hint\">9 digits, like 12-3456789</p>")
    );
    assert!(html.contains("value=\"12-34\""));
    assert!(html.contains("value=\"ops@acme.example.com\""));
    assert!(html.contains("<option value=\"DE\" selected>"));

    // The answers were kept: the link resumes on this page with them.
    let (_, html) = Browser::new().get(&url).await;
    assert!(html.contains("<h1>Business details</h1>") && html.contains("value=\"ops@acme.example.com\""));
    assert_eq!(fetch_session(&app, &session).await["status"], "active");
    assert_eq!(
        app.get("/entities").await.json::<Value>().await.unwrap()["data"],
        json!([])
    );
}

#[tokio::test]
async fn full_id_numbers_are_never_shown_again_nor_asked_again() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let session = app.create_session().await;
    let url = form_url(&session);
    let csrf = answer_until(&browser, &url, "owners").await;
    let (status, html) = browser.get(&step_url(&url, "owner-1-id")).await;
    assert_eq!(status, 200);
    assert!(html.contains("SSN ending in 9876"), "{html}");
    assert!(!html.contains("321-54-9876") && !html.contains("321549876"));
    assert!(!html.contains("name=\"corporation.beneficial_owners.0.individual.identification.number\""));
    // Saving the page again (without the number) keeps it.
    let [_, _, id] = owner_pages(OWNER0, "Grace Hopper", "", &["control"]);
    let response = post_step(&browser, &url, "owner-1-id", &csrf, &id).await;
    assert_eq!(response.status(), 303);
    // An error elsewhere on the journey does not lose it either.
    let [details, ..] = owner_pages(OWNER0, "", "", &["control"]);
    let response = post_step(&browser, &url, "owner-1-details", &csrf, &details).await;
    assert_eq!(response.status(), 422);
    assert!(!response.text().await.unwrap().contains("321549876"));
    let [details, ..] = owner_pages(OWNER0, "Grace Hopper", "", &["control"]);
    post_step(&browser, &url, "owner-1-details", &csrf, &details).await;
    // Change: the input comes back empty, never prefilled.
    let (_, html) = browser
        .get(&format!("{}&change=number", step_url(&url, "owner-1-id")))
        .await;
    assert!(html.contains("name=\"corporation.beneficial_owners.0.individual.identification.number\" value=\"\""));
    assert!(html.contains("Leave it blank to keep the number ending in 9876"));
    for (step, fields) in business_journey().into_iter().skip_while(|(s, _)| s != "owners") {
        post_step(&browser, &url, &step, &csrf, &fields).await;
    }
    let (_, check) = browser.get(&step_url(&url, "check")).await;
    assert!(check.contains("SSN ending in 9876") && check.contains("SSN ending in 7891"));
    assert!(!check.contains("321549876") && !check.contains("321-54-9876"));
    let response = browser.post(&step_url(&url, "declaration"), &declaration(&csrf)).await;
    assert_eq!(response.status(), 303);
}

#[tokio::test]
async fn owners_are_added_changed_and_removed_one_page_at_a_time() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let session = app.create_session().await;
    let url = form_url(&session);
    let csrf = fill_business_journey(&browser, &url).await;
    let (_, html) = browser.get(&step_url(&url, "owners")).await;
    assert!(html.contains("You have added 2 beneficial owners"));
    assert!(html.contains("data-testid=\"owner-1\"") && html.contains("data-testid=\"owner-2\""));
    assert!(html.contains("step=owner-2-details"), "a Change link per owner");

    // Removing Grace leaves Alan, who only owns: no one controls the business.
    let remove = pairs(&[("remove", "0")]);
    let response = post_step(&browser, &url, "owners", &csrf, &remove).await;
    assert_eq!(response.status(), 303);
    assert!(location(&response).ends_with("step=owners"));
    let (_, html) = browser.get(&step_url(&url, "owners")).await;
    assert!(html.contains("You have added 1 beneficial owner") && html.contains("Alan Turing"));
    assert!(!html.contains("Grace Hopper"));
    let response = post_step(&browser, &url, "owners", &csrf, &pairs(&[("add_another", "no")])).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("Add at least one person who manages or controls the business"));
    assert!(html.contains("href=\"#corporation-beneficial_owners\""));
    let response = post_step(&browser, &url, "owners", &csrf, &[]).await;
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Select yes if you need to add another beneficial owner")
    );

    // Adding one: its pages, then the list again.
    let response = post_step(&browser, &url, "owners", &csrf, &pairs(&[("add_another", "yes")])).await;
    assert!(location(&response).ends_with("step=owner-2-details"));
    let (_, html) = browser.get(&url).await;
    assert!(
        html.contains("<h1>Beneficial owner 2</h1>"),
        "the link resumes at the new owner"
    );
    let [details, address, id] = owner_pages(
        "corporation.beneficial_owners.1",
        "Grace Hopper",
        "321-54-9876",
        &["control"],
    );
    for (step, fields) in [
        ("owner-2-details", details),
        ("owner-2-address", address),
        ("owner-2-id", id),
    ] {
        assert_eq!(post_step(&browser, &url, step, &csrf, &fields).await.status(), 303);
    }
    let response = post_step(&browser, &url, "owners", &csrf, &pairs(&[("add_another", "no")])).await;
    assert!(location(&response).ends_with("step=check"));
    let response = browser.post(&step_url(&url, "declaration"), &declaration(&csrf)).await;
    assert_eq!(response.status(), 303);
    let entity_id = fetch_session(&app, &session).await["entity_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let entity: Value = app.get(&format!("/entities/{entity_id}")).await.json().await.unwrap();
    let names: Vec<&str> = entity["corporation"]["beneficial_owners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["individual"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Alan Turing", "Grace Hopper"]);
}

#[tokio::test]
async fn the_link_resumes_in_another_browser_where_the_customer_left_off() {
    let app = spawn_app().await;
    let laptop = Browser::new();
    let session = app.create_session().await;
    let url = form_url(&session);
    answer_until(&laptop, &url, "owner-1-id").await;

    // Another device: no cookie, same link.
    let phone = Browser::new();
    let (status, html) = phone.get(&url).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("<h1>Identification</h1>") && html.contains("Grace Hopper"),
        "{html}"
    );
    let (_, business) = phone.get(&step_url(&url, "business")).await;
    assert!(business.contains("value=\"Acme Widgets LLC\""));
    let csrf = csrf_token(&html);
    for (step, fields) in business_journey().into_iter().skip_while(|(s, _)| s != "owner-1-id") {
        assert_eq!(
            post_step(&phone, &url, &step, &csrf, &fields).await.status(),
            303,
            "{step}"
        );
    }
    let response = phone.post(&step_url(&url, "declaration"), &declaration(&csrf)).await;
    assert_eq!(response.status(), 303);
    // The laptop's page is now for a finished session.
    assert_eq!(laptop.get(&url).await.0, 410);
}

#[tokio::test]
async fn change_links_on_the_check_page_come_back_to_it() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let session = app.create_session().await;
    let url = form_url(&session);
    let csrf = fill_business_journey(&browser, &url).await;
    let (_, check) = browser.get(&url).await;
    assert!(
        check.contains("<h1>Check your answers</h1>"),
        "complete answers resume at the check"
    );
    for step in [
        "business",
        "business-address",
        "owner-1-details",
        "owner-2-id",
        "structure",
    ] {
        assert!(
            check.contains(&format!("step={step}&#38;return=check")),
            "{step}: {check}"
        );
    }
    let (_, page) = browser
        .get(&format!("{}&return=check", step_url(&url, "business-address")))
        .await;
    assert!(page.contains("return=check\" data-testid=\"back\"") || page.contains("step=check"));
    let mut fields = business_journey()[2].1.clone();
    fields.retain(|(k, _)| k != "corporation.address.city");
    fields.push(("corporation.address.city".to_owned(), "Dover".to_owned()));
    let response = browser
        .post(
            &format!("{}&return=check", step_url(&url, "business-address")),
            &[vec![("csrf_token".to_owned(), csrf.clone())], fields].concat(),
        )
        .await;
    assert_eq!(response.status(), 303);
    assert!(location(&response).ends_with("step=check"));
    let (_, check) = browser.get(&step_url(&url, "check")).await;
    assert!(check.contains("Dover, Delaware, 19801"));
}

#[tokio::test]
async fn drafts_are_sealed_and_purged_when_the_session_ends() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let expired = app.create_session().await;
    answer_until(&browser, &form_url(&expired), "owners").await;
    let draft = app
        .store
        .find_draft(&session_id(&expired))
        .await
        .unwrap()
        .expect("a draft");
    assert_eq!(
        draft.answers["corporation.beneficial_owners.0.individual.identification.number"],
        ["321-54-9876"]
    );
    // Sealed at rest: the database file holds no answer in clear.
    let file = app
        .database_url
        .trim_start_matches("sqlite://")
        .split('?')
        .next()
        .unwrap();
    for path in [file.to_owned(), format!("{file}-wal")] {
        let bytes = std::fs::read(&path).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("Acme Widgets") && !text.contains("321-54-9876"),
            "{path}"
        );
    }

    app.post_action(&format!(
        "/entity_onboarding_sessions/{}/expire",
        expired["id"].as_str().unwrap()
    ))
    .await;
    assert_eq!(
        app.store.find_draft(&session_id(&expired)).await.unwrap(),
        None,
        "expire ends the draft"
    );

    let lapsed = app.create_session().await;
    answer_until(&browser, &form_url(&lapsed), "business").await;
    assert!(app.store.find_draft(&session_id(&lapsed)).await.unwrap().is_some());
    app.clock.advance(chrono::Duration::hours(7));
    let (status, _) = browser.get(&form_url(&lapsed)).await;
    assert_eq!(status, 410);
    app.store
        .expire_sessions_before(onboarding::clock::Clock::now(app.clock.as_ref()))
        .await
        .unwrap();
    assert_eq!(
        app.store.find_draft(&session_id(&lapsed)).await.unwrap(),
        None,
        "the sweep purges it"
    );
}

#[tokio::test]
async fn a_page_posted_after_the_link_expired_says_so() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let session = app.create_session().await;
    let url = form_url(&session);
    let csrf = answer_until(&browser, &url, "business").await;
    app.clock.advance(chrono::Duration::hours(7));
    let response = post_step(&browser, &url, "business", &csrf, &business_journey()[1].1).await;
    assert_eq!(response.status(), 410);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("Your link expired while you were filling in the form"),
        "{html}"
    );
    assert!(html.contains("what you entered on it was not saved"));
    assert!(html.contains("Default program"), "the program is named");
    assert!(html.contains(&format!(
        "href=\"https://platform.example.com/onboarded?ref=42&#38;entity_onboarding_session_id={}\" data-testid=\"return-to-platform\">Return to Default program</a>",
        session["id"].as_str().unwrap()
    )), "{html}");
    assert_eq!(
        app.get("/entities").await.json::<Value>().await.unwrap()["data"],
        json!([])
    );
}

#[tokio::test]
async fn forms_without_their_sessions_csrf_token_are_refused() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let session = app.create_session().await;
    let url = form_url(&session);
    let csrf = fill_business_journey(&browser, &url).await;
    let response = browser
        .post(&step_url(&url, "declaration"), &declaration("forged-token"))
        .await;
    assert_eq!(response.status(), 403);
    let html = response.text().await.unwrap();
    assert!(html.contains("reload the page"));
    assert!(html.contains("Default program"), "the program is named");
    // One way on: the page that was refused, loaded again.
    let reload = format!(
        "href=\"{}\" data-testid=\"reload\">Reload the form</a>",
        step_url(url.trim_start_matches(&app.address), "declaration").replace('&', "&#38;")
    );
    assert!(html.contains(&reload), "{reload}: {html}");
    // The token of another session's form does not open this one.
    let other = app.create_session().await;
    let (_, other_html) = Browser::new().get(&form_url(&other)).await;
    let other_csrf = crate::common::form::csrf_token(&other_html);
    assert_ne!(other_csrf, csrf);
    let response = browser
        .post(&step_url(&url, "declaration"), &declaration(&other_csrf))
        .await;
    assert_eq!(response.status(), 403);
    assert_eq!(fetch_session(&app, &session).await["status"], "active");
    assert_eq!(
        app.get("/entities").await.json::<Value>().await.unwrap()["data"],
        json!([])
    );
    // The token is bound to the session, not to a cookie: a browser that
    // keeps no cookie (a platform's frame in a browser that blocks them)
    // still submits the form it was served.
    let response = Browser::new()
        .post(&step_url(&url, "declaration"), &declaration(&csrf))
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(fetch_session(&app, &session).await["status"], "expired");
}

#[tokio::test]
async fn the_declaration_must_be_confirmed() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let session = app.create_session().await;
    let url = form_url(&session);
    let csrf = fill_business_journey(&browser, &url).await;
    let response = browser
        .post(&step_url(&url, "declaration"), &pairs(&[("csrf_token", &csrf)]))
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("<a href=\"#attest\">Confirm that the information is true and complete</a>"));
    assert_eq!(fetch_session(&app, &session).await["status"], "active");
}

#[tokio::test]
async fn two_concurrent_submissions_create_exactly_one_entity() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let session = app.create_session().await;
    let url = form_url(&session);
    let csrf = fill_business_journey(&browser, &url).await;
    let form = declaration(&csrf);
    let target = step_url(&url, "declaration");
    let responses = futures_util::future::join_all((0..8).map(|_| browser.post(&target, &form))).await;
    let mut locations = Vec::new();
    for response in responses {
        assert!(matches!(response.status().as_u16(), 303 | 410), "{}", response.status());
        if response.status() == 303 {
            locations.push(location(&response));
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
    let session = app.create_session().await;
    let url = form_url(&session);
    let csrf = fill_business_journey(&browser, &url).await;
    let target = step_url(&url, "declaration");
    let first = browser.post(&target, &declaration(&csrf)).await;
    let second = browser.post(&target, &declaration(&csrf)).await;
    assert_eq!(second.status(), 303);
    assert_eq!(first.headers()["location"], second.headers()["location"]);
    let entities: Value = app.get("/entities").await.json().await.unwrap();
    assert_eq!(entities["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn script_in_any_answer_is_rendered_inert() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let session = app.create_session().await;
    let url = form_url(&session);
    let csrf = answer_until(&browser, &url, "business").await;
    let payload = "\"'><script>alert(1)</script><img src=x onerror=alert(2)>";
    let fields: Vec<(String, String)> = business_journey()[1]
        .1
        .iter()
        .map(|(k, _)| (k.clone(), payload.to_owned()))
        .collect();
    let response = post_step(&browser, &url, "business", &csrf, &fields).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(!html.contains("<script>alert(1)"), "no live script");
    assert!(!html.contains("<img src=x"), "no live markup");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || html.contains("&#60;script&#62;alert(1)"));
}

#[tokio::test]
async fn oversized_answers_get_a_friendly_page() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let session = app.create_session().await;
    let url = form_url(&session);
    let csrf = answer_until(&browser, &url, "business").await;
    for size in [100_000, 50_000] {
        let fields = pairs(&[("corporation.name", &"x".repeat(size))]);
        let response = post_step(&browser, &url, "business", &csrf, &fields).await;
        assert_eq!(response.status(), 413, "{size}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
    }
}

#[tokio::test]
async fn form_pages_let_the_redirect_through_but_nothing_else() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let session = app.create_session().await;
    let response = browser.client.get(form_url(&session)).send().await.unwrap();
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("form-action 'self' https://platform.example.com;"),
        "{csp}"
    );
    assert!(csp.contains("default-src 'none'"));
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(response.headers()["x-frame-options"], "DENY");
    // The form needs no cookie; one holds the language the customer chose.
    assert!(response.headers().get("set-cookie").is_none());
    let chosen = browser
        .client
        .get(format!("{}&lang=es", form_url(&session)))
        .send()
        .await
        .unwrap();
    let cookie = chosen.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/onboarding"),
        "over plain http, Lax: {cookie}"
    );
}

#[tokio::test]
async fn dates_of_birth_are_three_numeric_inputs_autofilled_only_for_the_customer() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let session = app.create_session().await;
    let url = form_url(&session);
    let (_, html) = browser.get(&url).await;
    let csrf = csrf_token(&html);
    post_step(
        &browser,
        &url,
        "structure",
        &csrf,
        &pairs(&[("structure", "natural_person")]),
    )
    .await;
    let (_, person) = browser.get(&step_url(&url, "person")).await;
    for (part, token) in [("month", "bday-month"), ("day", "bday-day"), ("year", "bday-year")] {
        assert!(
            person.contains(&format!(
                "inputmode=\"numeric\" id=\"natural_person-date_of_birth-{part}\" name=\"natural_person.date_of_birth.{part}\" value=\"\" autocomplete=\"{token}\""
            )),
            "{part}: {person}"
        );
        assert!(person.contains(&format!("for=\"natural_person-date_of_birth-{part}\"")));
    }
    assert!(person.contains("<legend>Date of birth</legend>"));
    // Left incomplete: the message names what is missing and links to it.
    let partial = pairs(&[
        ("natural_person.name", "Ada Lovelace"),
        ("natural_person.date_of_birth.month", "12"),
        ("natural_person.date_of_birth.year", "1985"),
    ]);
    let response = post_step(&browser, &url, "person", &csrf, &partial).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("<a href=\"#natural_person-date_of_birth-day\">Date of birth must include a day</a>"),
        "{html}"
    );
    assert!(
        html.contains("value=\"12\"") && html.contains("value=\"1985\""),
        "typed parts are kept"
    );
    let future = pairs(&[
        ("natural_person.name", "Ada Lovelace"),
        ("natural_person.date_of_birth.month", "2"),
        ("natural_person.date_of_birth.day", "30"),
        ("natural_person.date_of_birth.year", "1985"),
    ]);
    let html = post_step(&browser, &url, "person", &csrf, &future)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Date of birth must be a real date, like 7 31 1980"),
        "February 30th"
    );

    // Someone else's date of birth is never offered the customer's own.
    let business = app.create_session().await;
    let url = form_url(&business);
    answer_until(&browser, &url, "owner-1-details").await;
    let (_, owner) = browser.get(&step_url(&url, "owner-1-details")).await;
    assert!(!owner.contains("bday"), "{owner}");
    assert!(owner.contains("id=\"corporation-beneficial_owners-0-individual-date_of_birth-month\""));
    assert_eq!(owner.matches("inputmode=\"numeric\"").count(), 3, "month, day and year");
}

#[tokio::test]
async fn the_issuing_country_is_chosen_by_name_and_kept_only_for_passports_and_other_ids() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let session = app.create_session().await;
    let url = form_url(&session);
    let (_, html) = browser.get(&url).await;
    let csrf = csrf_token(&html);
    for (step, fields) in [
        ("structure", pairs(&[("structure", "natural_person")])),
        (
            "person",
            pairs(&[
                ("natural_person.name", "Ada Lovelace"),
                ("natural_person.date_of_birth.month", "12"),
                ("natural_person.date_of_birth.day", "10"),
                ("natural_person.date_of_birth.year", "1985"),
            ]),
        ),
        (
            "person-address",
            pairs(&[
                ("natural_person.address.line1", "5 Analytical St"),
                ("natural_person.address.city", "Boston"),
                ("natural_person.address.state", "MA"),
                ("natural_person.address.zip", "02110"),
            ]),
        ),
    ] {
        assert_eq!(
            post_step(&browser, &url, step, &csrf, &fields).await.status(),
            303,
            "{step}"
        );
    }
    let (_, page) = browser.get(&step_url(&url, "person-id")).await;
    assert!(page.contains("<select class=\"w-full\" id=\"natural_person-identification-country\" name=\"natural_person.identification.country\""), "{page}");
    assert!(
        page.contains("<option value=\"MX\">Mexico</option>")
            && page.contains("<option value=\"GB\">United Kingdom</option>")
    );
    assert!(
        page.matches("<option value=\"").count() > 250,
        "every country, and the types of ID"
    );
    // A code that is no country is not one.
    let id = |country: &str, method: &str| {
        pairs(&[
            ("natural_person.identification.method", method),
            ("natural_person.identification.number", "X1234567"),
            ("natural_person.identification.country", country),
        ])
    };
    let response = post_step(&browser, &url, "person-id", &csrf, &id("ZZ", "passport")).await;
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Select the country that issued the document")
    );
    let response = post_step(&browser, &url, "person-id", &csrf, &id("mx", "passport")).await;
    assert_eq!(response.status(), 303);
    let (_, check) = browser.get(&step_url(&url, "check")).await;
    assert!(
        check.contains("Passport number ending in 4567, issued by Mexico"),
        "{check}"
    );
    let draft = app.store.find_draft(&session_id(&session)).await.unwrap().unwrap();
    assert_eq!(
        draft.answers["natural_person.identification.country"],
        ["MX"],
        "kept as its code"
    );
    // An SSN has no issuing country: one sent anyway is not kept.
    let ssn = pairs(&[
        ("natural_person.identification.method", "social_security_number"),
        ("natural_person.identification.number", "123-45-6789"),
        ("natural_person.identification.country", "MX"),
    ]);
    assert_eq!(post_step(&browser, &url, "person-id", &csrf, &ssn).await.status(), 303);
    let draft = app.store.find_draft(&session_id(&session)).await.unwrap().unwrap();
    assert!(!draft.answers.contains_key("natural_person.identification.country"));
    let (_, check) = browser.get(&step_url(&url, "check")).await;
    assert!(check.contains("SSN ending in 6789") && !check.contains("issued by"));
}
