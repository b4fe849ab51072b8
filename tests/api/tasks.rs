//! Sessions for existing Entities: outstanding tasks, and the form that completes them.

use serde_json::{Value, json};

use crate::{
    common::form::{OWNER0, declaration, owner_pages, pairs, post_step, step_url},
    entities::corporation_body,
    form::{Browser, csrf_token},
    helpers::{TestApp, assert_error, error_fields, get_json, spawn_app},
};

fn categories(entity: &Value) -> Vec<String> {
    entity["onboarding_tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["category"].as_str().unwrap().to_owned())
        .collect()
}

/// A corporation the platform created with only what it knew.
fn partial_corporation() -> Value {
    json!({
        "structure": "corporation",
        "corporation": {
            "name": "Half Done Inc",
            "legal_identifier": { "value": "12-3456789" },
            "address": { "line1": "1 Main St", "city": "Springfield", "state": "IL", "zip": "62701", "country": "US" },
            "beneficial_owners": []
        }
    })
}

async fn create_entity(app: &TestApp, body: &Value) -> Value {
    let response = app.post("/entities", body).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn flag(app: &TestApp, entity_id: &str, issues: Value) -> Value {
    let response = app
        .post(
            &format!("/simulations/entities/{entity_id}/update_validation"),
            &json!({ "issues": issues }),
        )
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn session_for(app: &TestApp, entity_id: &str) -> Value {
    app.create_session_with(json!({
        "program_id": app.program_id,
        "redirect_url": "https://platform.example.com/fixed?x=1",
        "entity_id": entity_id,
    }))
    .await
}

#[tokio::test]
async fn entities_created_with_missing_information_list_their_tasks() {
    let app = spawn_app().await;
    let entity = create_entity(&app, &partial_corporation()).await;
    assert_eq!(
        categories(&entity),
        ["add_beneficial_owner", "confirm_details", "attest"]
    );
    let task = &entity["onboarding_tasks"][0];
    assert!(task["description"].as_str().unwrap().contains("beneficial owners"));
    assert_eq!(task["beneficial_owner_id"], Value::Null);

    let mut body = corporation_body();
    body["corporation"]["legal_identifier"] = Value::Null;
    body["corporation"]["address"]["zip"] = Value::Null;
    body["corporation"]["beneficial_owners"][0]["prongs"] = json!(["ownership"]);
    body["corporation"]["beneficial_owners"][0]["individual"]["identification"] = Value::Null;
    let entity = create_entity(&app, &body).await;
    assert_eq!(
        categories(&entity),
        [
            "provide_tax_identifier",
            "complete_address",
            "add_control_person",
            "provide_beneficial_owner_identification",
            "confirm_details",
            "attest"
        ]
    );
    let owner_id = &entity["corporation"]["beneficial_owners"][0]["id"];
    assert_eq!(entity["onboarding_tasks"][3]["beneficial_owner_id"], *owner_id);
}

#[tokio::test]
async fn validation_issues_are_set_in_the_sandbox_and_become_tasks() {
    let app = spawn_app().await;
    let entity = create_entity(&app, &corporation_body()).await;
    let id = entity["id"].as_str().unwrap();
    let owner_id = entity["corporation"]["beneficial_owners"][0]["id"].as_str().unwrap();
    let flagged = flag(
        &app,
        id,
        json!([{ "category": "entity_tax_identifier" }, { "category": "entity_address" }, { "category": "beneficial_owner_identity" }]),
    )
    .await;
    assert_eq!(flagged["validation"]["status"], "invalid");
    let issues = flagged["validation"]["issues"].as_array().unwrap();
    assert_eq!(issues.len(), 3);
    assert_eq!(issues[2]["beneficial_owner_identity"]["beneficial_owner_id"], owner_id);
    assert_eq!(
        categories(&flagged),
        [
            "correct_tax_identifier",
            "correct_address",
            "correct_beneficial_owner_identity",
            "confirm_details",
            "attest"
        ]
    );
    // No issues: valid again.
    let cleared = flag(&app, id, json!([])).await;
    assert_eq!(cleared["validation"], json!({ "issues": [], "status": "valid" }));

    let error = assert_error(
        app.post(
            &format!("/simulations/entities/{id}/update_validation"),
            &json!({ "issues": [{ "category": "bogus" }] }),
        )
        .await,
        400,
        "invalid_parameters_error",
    )
    .await;
    assert_eq!(error_fields(&error), ["issues.0.category"]);
    let lonely = create_entity(&app, &partial_corporation()).await;
    let response = app
        .post(
            &format!(
                "/simulations/entities/{}/update_validation",
                lonely["id"].as_str().unwrap()
            ),
            &json!({ "issues": [{ "category": "beneficial_owner_address" }] }),
        )
        .await;
    assert_error(response, 400, "invalid_parameters_error").await;
    let response = app
        .post(
            "/simulations/entities/entity_aaaaaaaaaaaaaaaaaaaa/update_validation",
            &json!({ "issues": [] }),
        )
        .await;
    assert_error(response, 404, "object_not_found_error").await;
}

#[tokio::test]
async fn archived_and_unknown_entities_cannot_be_onboarded() {
    let app = spawn_app().await;
    let entity = create_entity(&app, &corporation_body()).await;
    let id = entity["id"].as_str().unwrap();
    let archived = archive(&app, id).await;
    assert_eq!(archived["status"], "archived");
    let response = app
        .post(
            "/entity_onboarding_sessions",
            &json!({ "program_id": app.program_id, "redirect_url": "https://e.example", "entity_id": id }),
        )
        .await;
    let error = assert_error(response, 400, "invalid_parameters_error").await;
    assert_eq!(error_fields(&error), ["entity_id"]);
    assert!(error["errors"][0]["message"].as_str().unwrap().contains("archived"));
}

/// Archives the Entity through the API; its new state.
async fn archive(app: &TestApp, entity_id: &str) -> Value {
    let response = app.post_action(&format!("/entities/{entity_id}/archive")).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// An Entity made by a simulated submission: only the attestation is left to do.
async fn entity_left_to_attest(app: &TestApp) -> String {
    let first = app.create_session().await;
    let done: Value = app
        .post_action(&format!(
            "/simulations/entity_onboarding_sessions/{}/submit",
            first["id"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    done["entity_id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_entity_archived_after_its_session_was_made_cannot_be_changed_through_it() {
    let app = spawn_app().await;
    let id = entity_left_to_attest(&app).await;
    let session = session_for(&app, &id).await;
    let session_id = session["id"].as_str().unwrap();
    let url = session["session_url"].as_str().unwrap();
    let browser = Browser::new();
    let (status, html) = browser.get(&step_url(url, "declaration")).await;
    assert_eq!(status, 200);
    let attest = vec![
        ("csrf_token".to_owned(), csrf_token(&html)),
        ("attest".to_owned(), "true".to_owned()),
    ];
    let url = &step_url(url, "declaration");
    let archived = archive(&app, &id).await;
    assert_eq!(archived["status"], "archived");

    // The link shows why it cannot be used, and a form already open writes nothing.
    let (status, html) = browser.get(url).await;
    assert_eq!(status, 410);
    assert!(html.contains("This onboarding can no longer be completed"), "{html}");
    assert!(html.contains("Default program"), "the page names the program: {html}");
    let response = browser.post(url, &attest).await;
    assert_eq!(response.status(), 410);
    assert!(response.headers().get("location").is_none());
    let html = response.text().await.unwrap();
    assert!(html.contains("This onboarding can no longer be completed"), "{html}");
    assert!(html.contains("Default program"), "{html}");

    // Nor can the sandbox complete it.
    let response = app
        .post_action(&format!("/simulations/entity_onboarding_sessions/{session_id}/submit"))
        .await;
    let error = assert_error(response, 409, "invalid_operation_error").await;
    assert!(error["detail"].as_str().unwrap().contains("archived"), "{error}");

    let unchanged = get_json(&app, &format!("/entities/{id}")).await;
    assert_eq!(unchanged, archived);
    assert_eq!(unchanged["terms_agreements"], json!([]));
    let still = get_json(&app, &format!("/entity_onboarding_sessions/{session_id}")).await;
    assert_eq!(still["status"], "active", "the session was not completed");
}

#[tokio::test]
async fn a_form_opened_before_the_archive_is_refused_when_submitted_after_it() {
    use onboarding::{
        clock::Clock,
        domain::{entity::TermsAgreement, ids::FormToken},
        usecases::{
            Error, NotAllowed,
            form::{Opened, Submission, open_form, submit_form},
        },
    };
    let app = spawn_app().await;
    let id = entity_left_to_attest(&app).await;
    let session = session_for(&app, &id).await;
    let url = url::Url::parse(session["session_url"].as_str().unwrap()).unwrap();
    let token = url.query_pairs().find(|(k, _)| k == "id").unwrap().1;
    let token = FormToken::parse(&token).unwrap();
    let now = app.clock.now();
    let Opened::Active(form) = open_form(&app.store, &token, now).await.unwrap() else {
        panic!("the session is active");
    };
    // The archive lands between reading the form and submitting it.
    let archived = archive(&app, &id).await;
    let terms = TermsAgreement {
        agreed_at: now,
        ip_address: None,
        terms_url: "https://onboard.example/attestation".to_owned(),
    };
    let refused = submit_form(&app.store, &form, &Submission::Tasks { corrected: None }, &terms, now).await;
    assert!(
        matches!(refused, Err(Error::NotAllowed(NotAllowed::EntityNotActive))),
        "{refused:?}"
    );
    let unchanged = get_json(&app, &format!("/entities/{id}")).await;
    assert_eq!(unchanged, archived);
    let still = get_json(
        &app,
        &format!("/entity_onboarding_sessions/{}", session["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(still["status"], "active");
}

/// Where a `303 See Other` sends the browser.
fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// The new owner's three pages (the business has none on file): Grace Hopper, who controls it.
fn new_owner_pages() -> [(&'static str, Vec<(String, String)>); 3] {
    let [details, address, id] = owner_pages(OWNER0, "Grace Hopper", "321-54-9876", &["control"]);
    [
        ("owner-1-details", details),
        ("owner-1-address", address),
        ("owner-1-id", id),
    ]
}

#[tokio::test]
async fn a_session_for_an_entity_lists_its_tasks_then_asks_only_what_they_need() {
    let app = spawn_app().await;
    let entity = create_entity(&app, &partial_corporation()).await;
    let id = entity["id"].as_str().unwrap();
    flag(&app, id, json!([{ "category": "entity_tax_identifier" }])).await;
    let session = session_for(&app, id).await;
    let url = session["session_url"].as_str().unwrap();
    let browser = Browser::new();
    let (status, html) = browser.get(url).await;
    assert_eq!(status, 200);
    assert!(html.contains("<h1>Finish onboarding for Half Done Inc</h1>"), "{html}");
    assert!(html.contains("Default program"), "the program is named");
    assert!(html.contains("Correct the business&#39;s tax ID") || html.contains("Correct the business's tax ID"));
    assert!(
        html.contains("Add the business&#39;s beneficial owners")
            || html.contains("Add the business's beneficial owners")
    );
    assert!(
        html.contains("step=business\" id=\"continue\" data-testid=\"continue\""),
        "{html}"
    );
    assert!(
        !html.contains("<input") || !html.contains("name=\"corporation."),
        "no question yet"
    );

    // The business page asks for the EIN alone: not the name, not the state
    // of incorporation, no optional fields.
    let (status, html) = browser.get(&step_url(url, "business")).await;
    assert_eq!(status, 200);
    assert!(html.contains("name=\"corporation.legal_identifier.value\" value=\"\""));
    for absent in [
        "corporation.name",
        "corporation.incorporation_state",
        "corporation.industry_code",
        "corporation.website",
        "corporation.email",
        "corporation.address.line1",
    ] {
        assert!(!html.contains(&format!("name=\"{absent}\"")), "{absent} is not asked");
    }
    assert!(html.contains("ends in 6789") && !html.contains("123456789"));
    assert!(html.contains("Step 1 of 4"), "EIN, owners, check, declaration");
    assert!(html.contains("Half Done Inc"), "whom the page is about");
    // Pages the tasks do not need are not open.
    let response = browser
        .client
        .get(step_url(url, "business-address"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let response = browser.client.get(step_url(url, "structure")).send().await.unwrap();
    assert_eq!(response.status(), 303);
}

#[tokio::test]
async fn completing_the_tasks_page_by_page_updates_the_entity_in_place() {
    let app = spawn_app().await;
    let entity = create_entity(&app, &partial_corporation()).await;
    let id = entity["id"].as_str().unwrap();
    flag(&app, id, json!([{ "category": "entity_tax_identifier" }])).await;
    let session = session_for(&app, id).await;
    let url = session["session_url"].as_str().unwrap();
    let browser = Browser::new();
    let (_, html) = browser.get(&step_url(url, "business")).await;
    let csrf = csrf_token(&html);
    let ein = pairs(&[("corporation.legal_identifier.value", "98-7654321")]);
    let response = post_step(&browser, url, "business", &csrf, &ein).await;
    assert_eq!(response.status(), 303);
    assert!(
        location(&response).ends_with("step=owner-1-details"),
        "{}",
        location(&response)
    );
    for (step, fields) in new_owner_pages() {
        let response = post_step(&browser, url, step, &csrf, &fields).await;
        assert_eq!(response.status(), 303, "{step}");
    }
    let response = post_step(&browser, url, "owners", &csrf, &pairs(&[("add_another", "no")])).await;
    assert!(location(&response).ends_with("step=check"));

    // The check shows everything, and offers to change only what was asked.
    let (status, check) = browser.get(&step_url(url, "check")).await;
    assert_eq!(status, 200);
    assert!(check.contains("98-7654321") && check.contains("Grace Hopper") && check.contains("SSN ending in 9876"));
    assert!(
        check.contains("step=business&#38;return=check"),
        "the EIN can be changed"
    );
    assert!(
        !check.contains("Change<span class=\"visually-hidden\"> legal business name"),
        "the name cannot"
    );
    assert!(!check.contains("321-54-9876") && !check.contains("321549876"));
    assert_eq!(
        get_json(&app, &format!("/entities/{id}")).await["corporation"]["legal_identifier"]["value"],
        "123456789",
        "nothing changes before the declaration"
    );

    // Concurrent submissions: one update, the same redirect for all.
    let declaration = declaration(&csrf);
    let target = step_url(url, "declaration");
    let responses = futures_util::future::join_all((0..4).map(|_| browser.post(&target, &declaration))).await;
    let mut locations = Vec::new();
    for response in responses {
        assert!(matches!(response.status().as_u16(), 303 | 410), "{}", response.status());
        if response.status() == 303 {
            locations.push(location(&response));
        }
    }
    locations.dedup();
    assert_eq!(
        locations,
        [format!(
            "https://platform.example.com/fixed?x=1&entity_onboarding_session_id={}&entity_id={id}",
            session["id"].as_str().unwrap()
        )]
    );

    let updated = get_json(&app, &format!("/entities/{id}")).await;
    assert_eq!(updated["corporation"]["legal_identifier"]["value"], "987654321");
    assert_eq!(
        updated["corporation"]["incorporation_state"],
        Value::Null,
        "the state of incorporation was not demanded"
    );
    assert_eq!(
        updated["corporation"]["address"]["line1"], "1 Main St",
        "untouched parts are kept"
    );
    let owners = updated["corporation"]["beneficial_owners"].as_array().unwrap();
    assert_eq!(owners.len(), 1);
    assert_eq!(owners[0]["individual"]["date_of_birth"], "1980-07-31");
    assert_eq!(owners[0]["individual"]["identification"]["number_last4"], "9876");
    assert_eq!(
        updated["validation"],
        json!({ "issues": [], "status": "pending" }),
        "resolved issues are cleared"
    );
    assert!(updated["details_confirmed_at"].is_string());
    assert_eq!(updated["terms_agreements"].as_array().unwrap().len(), 1);
    assert_eq!(updated["onboarding_tasks"], json!([]));
    assert_eq!(
        updated["creating_entity_onboarding_session_id"],
        Value::Null,
        "no new Entity was made"
    );
    let all: Value = app.get("/entities").await.json().await.unwrap();
    assert_eq!(all["data"].as_array().unwrap().len(), 1);
    let fetched = get_json(
        &app,
        &format!("/entity_onboarding_sessions/{}", session["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(fetched["status"], "expired");
    assert_eq!(fetched["entity_id"], id);
    let session_id: onboarding::domain::ids::SessionId = session["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        app.store.find_draft(&session_id).await.unwrap(),
        None,
        "the draft went with it"
    );
    let categories = crate::helpers::event_categories(&app, id).await;
    assert!(categories.iter().any(|c| c == "entity.updated"), "{categories:?}");
}

#[tokio::test]
async fn invalid_answers_are_explained_on_their_page_with_the_entity_unchanged() {
    let app = spawn_app().await;
    let entity = create_entity(&app, &partial_corporation()).await;
    let id = entity["id"].as_str().unwrap();
    let session = session_for(&app, id).await;
    let url = session["session_url"].as_str().unwrap();
    let browser = Browser::new();
    let (_, html) = browser.get(&step_url(url, "owner-1-details")).await;
    let csrf = csrf_token(&html);
    let only_a_name = pairs(&[
        ("corporation.beneficial_owners.0.individual.name", "Only A Name"),
        ("corporation.beneficial_owners.0.individual.date_of_birth.month", "7"),
        ("corporation.beneficial_owners.0.individual.date_of_birth.year", "1980"),
    ]);
    let response = post_step(&browser, url, "owner-1-details", &csrf, &only_a_name).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("There is a problem"));
    assert!(
        html.contains("<a href=\"#corporation-beneficial_owners-0-individual-date_of_birth-day\">Date of birth must include a day</a>"),
        "{html}"
    );
    assert!(html.contains("href=\"#corporation-beneficial_owners-0-prongs\""));
    assert!(html.contains("value=\"Only A Name\""));
    // The declaration is not open before every page is done.
    let response = browser.post(&step_url(url, "declaration"), &declaration(&csrf)).await;
    assert_eq!(response.status(), 303);
    assert!(location(&response).contains("step=owner-1-details"));
    assert_eq!(get_json(&app, &format!("/entities/{id}")).await, entity);
}

#[tokio::test]
async fn an_entity_changed_meanwhile_is_checked_again_before_it_is_confirmed() {
    let app = spawn_app().await;
    let entity = create_entity(&app, &corporation_body()).await;
    let id = entity["id"].as_str().unwrap();
    flag(&app, id, json!([{ "category": "entity_tax_identifier" }])).await;
    let session = session_for(&app, id).await;
    let url = session["session_url"].as_str().unwrap();
    let browser = Browser::new();
    let (_, html) = browser.get(&step_url(url, "business")).await;
    let csrf = csrf_token(&html);
    let ein = pairs(&[("corporation.legal_identifier.value", "98-7654321")]);
    assert_eq!(post_step(&browser, url, "business", &csrf, &ein).await.status(), 303);

    // The platform changes the Entity while the customer is on the check page.
    app.clock.advance(chrono::Duration::minutes(1));
    let changed = flag(
        &app,
        id,
        json!([{ "category": "entity_tax_identifier" }, { "category": "entity_address" }]),
    )
    .await;
    let response = browser.post(&step_url(url, "declaration"), &declaration(&csrf)).await;
    assert_eq!(response.status(), 409);
    let html = response.text().await.unwrap();
    assert!(html.contains("These details changed while you were working"), "{html}");
    assert!(html.contains("data-testid=\"reload\""), "one way on: {html}");
    assert!(html.contains("Default program"), "the program is named");
    assert_eq!(
        get_json(&app, &format!("/entities/{id}")).await,
        changed,
        "nothing was applied"
    );

    // Checked again: the new task (the address) is asked, then it goes through.
    let (_, html) = browser.get(url).await;
    assert!(html.contains("<h1>Business address</h1>"), "{html}");
    let address = pairs(&[
        ("corporation.address.line1", "2 Real Street"),
        ("corporation.address.city", "Dover"),
        ("corporation.address.state", "DE"),
        ("corporation.address.zip", "19901"),
    ]);
    assert_eq!(
        post_step(&browser, url, "business-address", &csrf, &address)
            .await
            .status(),
        303
    );
    let response = browser.post(&step_url(url, "declaration"), &declaration(&csrf)).await;
    assert_eq!(response.status(), 303);
    let updated = get_json(&app, &format!("/entities/{id}")).await;
    assert_eq!(updated["corporation"]["legal_identifier"]["value"], "987654321");
    assert_eq!(updated["corporation"]["address"]["line1"], "2 Real Street");
    assert_eq!(updated["validation"]["issues"], json!([]));
}

#[tokio::test]
async fn an_entity_with_nothing_left_to_do_finishes_with_one_button() {
    let app = spawn_app().await;
    // The sandbox completion confirms and validates; attest through one form first.
    let entity_id = &entity_left_to_attest(&app).await;
    let entity: Value = app.get(&format!("/entities/{entity_id}")).await.json().await.unwrap();
    assert_eq!(categories(&entity), ["attest"]);
    let session = session_for(&app, entity_id).await;
    let url = session["session_url"].as_str().unwrap();
    let browser = Browser::new();
    let (_, html) = browser.get(url).await;
    assert!(html.contains("Confirm that the information is true and complete"));
    assert!(
        html.contains("step=check\" id=\"continue\""),
        "only the check is left: {html}"
    );
    let (status, check) = browser.get(&step_url(url, "check")).await;
    assert_eq!(status, 200);
    assert!(
        check.contains("National Phonograph Company") && !check.contains("return=check"),
        "nothing to change"
    );
    let (_, page) = browser.get(&step_url(url, "declaration")).await;
    let response = browser
        .post(&step_url(url, "declaration"), &declaration(&csrf_token(&page)))
        .await;
    assert_eq!(response.status(), 303);

    let entity: Value = app.get(&format!("/entities/{entity_id}")).await.json().await.unwrap();
    assert_eq!(entity["onboarding_tasks"], json!([]));
    let again = session_for(&app, entity_id).await;
    let url = again["session_url"].as_str().unwrap();
    let (status, html) = browser.get(url).await;
    assert_eq!(status, 200);
    assert!(html.contains("Everything is in order for National Phonograph Company"));
    // One clear action: a single button, and no other control or link in the page's content.
    let main = &html[html.find("<main").unwrap()..html.find("</main>").unwrap()];
    assert_eq!(main.matches("<button").count(), 1, "{main}");
    assert_eq!(main.matches("<a ").count(), 0, "{main}");
    assert!(
        main.contains("data-testid=\"submit\">Return to Default program</button>"),
        "{main}"
    );
    assert!(!main.contains("name=\"attest\"") && !main.contains("Step "));
    let response = browser
        .post(
            &step_url(url, "declaration"),
            &pairs(&[("csrf_token", &csrf_token(&html))]),
        )
        .await;
    assert_eq!(response.status(), 303);
    assert!(location(&response).contains(&format!("entity_id={entity_id}")));
    assert_eq!(
        app.get("/entities").await.json::<Value>().await.unwrap()["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn simulated_submission_of_an_entity_session_makes_no_new_entity() {
    let app = spawn_app().await;
    let entity = create_entity(&app, &partial_corporation()).await;
    let id = entity["id"].as_str().unwrap();
    let session = session_for(&app, id).await;
    let done: Value = app
        .post_action(&format!(
            "/simulations/entity_onboarding_sessions/{}/submit",
            session["id"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(done["entity_id"], id);
    assert_eq!(done["status"], "expired");
    assert_eq!(
        app.get("/entities").await.json::<Value>().await.unwrap()["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_person_without_identification_is_asked_for_the_id_alone() {
    let app = spawn_app().await;
    let entity = create_entity(
        &app,
        &json!({
            "structure": "natural_person",
            "natural_person": {
                "name": "Ada Lovelace",
                "date_of_birth": "1985-12-10",
                "address": { "line1": "5 Analytical St", "city": "Boston", "state": "MA", "zip": "02110", "country": "US" }
            }
        }),
    )
    .await;
    assert_eq!(
        categories(&entity),
        ["provide_identification", "confirm_details", "attest"]
    );
    let id = entity["id"].as_str().unwrap();
    let session = session_for(&app, id).await;
    let url = session["session_url"].as_str().unwrap();
    let browser = Browser::new();
    let (_, html) = browser.get(url).await;
    assert!(html.contains("step=person-id\" id=\"continue\""), "{html}");
    let (_, page) = browser.get(&step_url(url, "person-id")).await;
    let csrf = csrf_token(&page);
    assert!(page.contains("name=\"natural_person.identification.method\""));
    assert!(
        page.contains("name=\"natural_person.identification.country\""),
        "for a passport"
    );
    assert!(
        !page.contains("name=\"natural_person.name\"") && !page.contains("date_of_birth"),
        "{page}"
    );
    let passport = pairs(&[
        ("natural_person.identification.method", "passport"),
        ("natural_person.identification.number", "X1234567"),
    ]);
    let response = post_step(&browser, url, "person-id", &csrf, &passport).await;
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Select the country that issued the document")
    );
    let mut passport = passport;
    passport.push(("natural_person.identification.country".into(), "GB".into()));
    let response = post_step(&browser, url, "person-id", &csrf, &passport).await;
    assert_eq!(response.status(), 303);
    assert!(location(&response).ends_with("step=check"));
    let (_, check) = browser.get(&step_url(url, "check")).await;
    assert!(
        check.contains("Passport number ending in 4567, issued by United Kingdom"),
        "{check}"
    );
    assert!(check.contains("December 10, 1985"));
    let response = browser.post(&step_url(url, "declaration"), &declaration(&csrf)).await;
    assert_eq!(response.status(), 303);
    let updated: Value = app.get(&format!("/entities/{id}")).await.json().await.unwrap();
    assert_eq!(
        updated["natural_person"]["identification"],
        json!({ "method": "passport", "number_last4": "4567" })
    );
    assert_eq!(updated["natural_person"]["name"], "Ada Lovelace");
    assert_eq!(updated["onboarding_tasks"], json!([]));

    let flagged = flag(&app, id, json!([{ "category": "entity_identity" }])).await;
    assert_eq!(categories(&flagged), ["correct_identity"]);
}

#[tokio::test]
async fn a_flagged_owner_address_is_corrected_for_that_owner_only() {
    let app = spawn_app().await;
    let mut body = corporation_body();
    let second = body["corporation"]["beneficial_owners"][0].clone();
    body["corporation"]["beneficial_owners"]
        .as_array_mut()
        .unwrap()
        .push(second);
    body["corporation"]["beneficial_owners"][1]["individual"]["name"] = json!("Second Owner");
    body["corporation"]["beneficial_owners"][1]["prongs"] = json!(["ownership"]);
    let entity = create_entity(&app, &body).await;
    let id = entity["id"].as_str().unwrap();
    let second_id = entity["corporation"]["beneficial_owners"][1]["id"].as_str().unwrap();
    let flagged = flag(
        &app,
        id,
        json!([{ "category": "beneficial_owner_address", "beneficial_owner_id": second_id }]),
    )
    .await;
    assert_eq!(
        categories(&flagged),
        ["correct_beneficial_owner_address", "confirm_details", "attest"]
    );
    assert_eq!(flagged["onboarding_tasks"][0]["beneficial_owner_id"], second_id);

    let session = session_for(&app, id).await;
    let url = session["session_url"].as_str().unwrap();
    let browser = Browser::new();
    let (_, html) = browser.get(url).await;
    assert!(
        html.contains("Already on file and not asked again: Ian Crease."),
        "{html}"
    );
    assert!(html.contains("step=owner-2-address\" id=\"continue\""), "{html}");
    // Only the second owner's address, prefilled; nothing else of either owner.
    let (_, page) = browser.get(&step_url(url, "owner-2-address")).await;
    let csrf = csrf_token(&page);
    assert!(page.contains("<p class=\"caption\">Second Owner</p>"), "{page}");
    assert!(page.contains("name=\"corporation.beneficial_owners.1.individual.address.line1\" value=\""));
    assert!(
        !page.contains("autocomplete=\"address-line1\""),
        "not the customer's own address"
    );
    for closed in ["owner-1-address", "owner-2-details", "owner-2-id"] {
        let response = browser.client.get(step_url(url, closed)).send().await.unwrap();
        assert_eq!(response.status(), 303, "{closed}");
    }
    let owner = "corporation.beneficial_owners.1.individual.address";
    let address: Vec<(String, String)> = [
        ("line1", "77 Real Street"),
        ("city", "Albany"),
        ("state", "NY"),
        ("zip", "12207"),
    ]
    .iter()
    .map(|(k, v)| (format!("{owner}.{k}"), v.to_string()))
    .collect();
    let response = post_step(&browser, url, "owner-2-address", &csrf, &address).await;
    assert_eq!(response.status(), 303);
    assert!(location(&response).ends_with("step=check"));
    assert_eq!(
        browser
            .post(&step_url(url, "declaration"), &declaration(&csrf))
            .await
            .status(),
        303
    );
    let updated: Value = app.get(&format!("/entities/{id}")).await.json().await.unwrap();
    let owners = updated["corporation"]["beneficial_owners"].as_array().unwrap();
    assert_eq!(owners[1]["id"], second_id, "the owner keeps its ID");
    assert_eq!(owners[1]["individual"]["address"]["line1"], "77 Real Street");
    assert_eq!(
        owners[1]["individual"]["identification"],
        entity["corporation"]["beneficial_owners"][1]["individual"]["identification"],
        "its ID is not asked again"
    );
    assert_eq!(
        owners[0], entity["corporation"]["beneficial_owners"][0],
        "the other owner is untouched"
    );
    assert_eq!(updated["validation"]["issues"], json!([]));
}
