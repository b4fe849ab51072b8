//! Sessions for existing Entities: outstanding tasks, and the form that completes them.

use serde_json::{Value, json};

use crate::{
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
    let (status, html) = browser.get(url).await;
    assert_eq!(status, 200);
    let attest = vec![
        ("csrf_token".to_owned(), csrf_token(&html)),
        ("attest".to_owned(), "true".to_owned()),
    ];
    let archived = archive(&app, &id).await;
    assert_eq!(archived["status"], "archived");

    // The link shows why it cannot be used, and a form already open writes nothing.
    let (status, html) = browser.get(url).await;
    assert_eq!(status, 410);
    assert!(html.contains("This onboarding can no longer be completed"), "{html}");
    let response = browser.post(url, &attest).await;
    assert_eq!(response.status(), 410);
    assert!(response.headers().get("location").is_none());
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("This onboarding can no longer be completed")
    );

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

#[tokio::test]
async fn the_form_asks_only_for_what_is_outstanding_prefilled() {
    let app = spawn_app().await;
    let entity = create_entity(&app, &partial_corporation()).await;
    let id = entity["id"].as_str().unwrap();
    flag(&app, id, json!([{ "category": "entity_tax_identifier" }])).await;
    let session = session_for(&app, id).await;
    let (status, html) = Browser::new().get(session["session_url"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert!(html.contains("Finish onboarding for Half Done Inc"));
    assert!(html.contains("Correct the business&#39;s tax ID") || html.contains("Correct the business's tax ID"));
    assert!(
        html.contains("Add the business&#39;s beneficial owners")
            || html.contains("Add the business's beneficial owners")
    );
    // The business section is prefilled, but the EIN is asked again, showing only its last 4.
    assert!(html.contains("name=\"corporation.name\" value=\"Half Done Inc\""));
    assert!(html.contains("name=\"corporation.legal_identifier.value\" value=\"\""));
    assert!(html.contains("ends in 6789"));
    assert!(!html.contains("123456789"));
    // One new owner block; the address (not flagged) is not asked for.
    assert!(html.contains("data-testid=\"owner-1\""));
    assert!(!html.contains("name=\"corporation.address.line1\""));
}

#[tokio::test]
async fn completing_the_tasks_updates_the_entity_in_place() {
    let app = spawn_app().await;
    let entity = create_entity(&app, &partial_corporation()).await;
    let id = entity["id"].as_str().unwrap();
    flag(&app, id, json!([{ "category": "entity_tax_identifier" }])).await;
    let session = session_for(&app, id).await;
    let url = session["session_url"].as_str().unwrap();
    let browser = Browser::new();
    let (_, html) = browser.get(url).await;
    let csrf = csrf_token(&html);
    let owner = "corporation.beneficial_owners.0";
    let mut form: Vec<(String, String)> = [
        ("csrf_token", csrf.as_str()),
        ("owner_count", "1"),
        ("corporation.name", "Half Done Inc"),
        ("corporation.legal_identifier.value", "98-7654321"),
        ("corporation.incorporation_state", "IL"),
        ("attest", "true"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (field, value) in [
        ("individual.name", "Grace Hopper"),
        ("individual.date_of_birth", "12/09/1966"),
        ("individual.address.line1", "1 Home Rd"),
        ("individual.address.city", "Arlington"),
        ("individual.address.state", "VA"),
        ("individual.address.zip", "22201"),
        ("individual.identification.method", "social_security_number"),
        ("individual.identification.number", "321-54-9876"),
        ("prongs", "control"),
    ] {
        form.push((format!("{owner}.{field}"), value.to_owned()));
    }

    // Concurrent submissions: one update, the same redirect for all.
    let responses = futures_util::future::join_all((0..4).map(|_| browser.post(url, &form))).await;
    let mut locations = Vec::new();
    for response in responses {
        assert!(matches!(response.status().as_u16(), 303 | 410), "{}", response.status());
        if response.status() == 303 {
            locations.push(response.headers()["location"].to_str().unwrap().to_owned());
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

    let updated: Value = app.get(&format!("/entities/{id}")).await.json().await.unwrap();
    assert_eq!(updated["corporation"]["legal_identifier"]["value"], "987654321");
    assert_eq!(updated["corporation"]["incorporation_state"], "IL");
    assert_eq!(
        updated["corporation"]["address"]["line1"], "1 Main St",
        "untouched parts are kept"
    );
    let owners = updated["corporation"]["beneficial_owners"].as_array().unwrap();
    assert_eq!(owners.len(), 1);
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
    let fetched: Value = app
        .get(&format!(
            "/entity_onboarding_sessions/{}",
            session["id"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fetched["status"], "expired");
    assert_eq!(fetched["entity_id"], id);
}

#[tokio::test]
async fn invalid_corrections_are_refused_with_the_entity_unchanged() {
    let app = spawn_app().await;
    let entity = create_entity(&app, &partial_corporation()).await;
    let id = entity["id"].as_str().unwrap();
    let session = session_for(&app, id).await;
    let url = session["session_url"].as_str().unwrap();
    let browser = Browser::new();
    let (_, html) = browser.get(url).await;
    let form: Vec<(String, String)> = vec![
        ("csrf_token".into(), csrf_token(&html)),
        ("owner_count".into(), "1".into()),
        (
            "corporation.beneficial_owners.0.individual.name".into(),
            "Only A Name".into(),
        ),
    ];
    let response = browser.post(url, &form).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("href=\"#corporation-beneficial_owners-0-individual-date_of_birth\""));
    assert!(html.contains("href=\"#attest\""));
    assert!(html.contains("value=\"Only A Name\""));
    let unchanged: Value = app.get(&format!("/entities/{id}")).await.json().await.unwrap();
    assert_eq!(unchanged, entity);
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
    let attest = vec![
        ("csrf_token".to_owned(), csrf_token(&html)),
        ("attest".to_owned(), "true".to_owned()),
    ];
    assert_eq!(browser.post(url, &attest).await.status(), 303);

    let entity: Value = app.get(&format!("/entities/{entity_id}")).await.json().await.unwrap();
    assert_eq!(entity["onboarding_tasks"], json!([]));
    let again = session_for(&app, entity_id).await;
    let url = again["session_url"].as_str().unwrap();
    let (status, html) = browser.get(url).await;
    assert_eq!(status, 200);
    assert!(html.contains("Everything is in order for National Phonograph Company"));
    assert!(!html.contains("name=\"attest\""));
    let finish = vec![("csrf_token".to_owned(), csrf_token(&html))];
    let response = browser.post(url, &finish).await;
    assert_eq!(response.status(), 303);
    assert!(
        response.headers()["location"]
            .to_str()
            .unwrap()
            .contains(&format!("entity_id={entity_id}"))
    );
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
async fn a_person_without_identification_provides_it_through_the_form() {
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
    // A flagged identity of a person who has an ID is a correction task instead.
    let session = session_for(&app, id).await;
    let url = session["session_url"].as_str().unwrap();
    let browser = Browser::new();
    let (_, html) = browser.get(url).await;
    assert!(html.contains("name=\"natural_person.name\" value=\"Ada Lovelace\""));
    assert!(html.contains("name=\"natural_person.date_of_birth\" value=\"12/10/1985\""));
    assert!(html.contains("name=\"natural_person.identification.number\""));
    let form: Vec<(String, String)> = [
        ("csrf_token", csrf_token(&html).as_str()),
        ("natural_person.name", "Ada Lovelace"),
        ("natural_person.date_of_birth", "12/10/1985"),
        ("natural_person.address.line1", "5 Analytical St"),
        ("natural_person.address.city", "Boston"),
        ("natural_person.address.state", "MA"),
        ("natural_person.address.zip", "02110"),
        ("natural_person.identification.method", "social_security_number"),
        ("natural_person.identification.number", "123-45-6789"),
        ("attest", "true"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(browser.post(url, &form).await.status(), 303);
    let updated: Value = app.get(&format!("/entities/{id}")).await.json().await.unwrap();
    assert_eq!(
        updated["natural_person"]["identification"],
        json!({ "method": "social_security_number", "number_last4": "6789" })
    );
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
    // Only the second owner's block, prefilled; the first is listed as already on file.
    assert!(html.contains("data-testid=\"owner-2\"") && !html.contains("data-testid=\"owner-1\""));
    assert!(html.contains("Already on file: Ian Crease."));
    let owner = "corporation.beneficial_owners.1";
    let mut form: Vec<(String, String)> = vec![
        ("csrf_token".into(), csrf_token(&html)),
        ("owner_count".into(), "2".into()),
        ("attest".into(), "true".into()),
    ];
    for (field, value) in [
        ("individual.name", "Second Owner"),
        ("individual.date_of_birth", "01/31/1970"),
        ("individual.address.line1", "77 Real Street"),
        ("individual.address.city", "Albany"),
        ("individual.address.state", "NY"),
        ("individual.address.zip", "12207"),
        ("individual.identification.method", "social_security_number"),
        ("individual.identification.number", "078-05-1120"),
        ("prongs", "ownership"),
    ] {
        form.push((format!("{owner}.{field}"), value.to_owned()));
    }
    assert_eq!(browser.post(url, &form).await.status(), 303);
    let updated: Value = app.get(&format!("/entities/{id}")).await.json().await.unwrap();
    let owners = updated["corporation"]["beneficial_owners"].as_array().unwrap();
    assert_eq!(owners[1]["id"], second_id, "the owner keeps its ID");
    assert_eq!(owners[1]["individual"]["address"]["line1"], "77 Real Street");
    assert_eq!(
        owners[0], entity["corporation"]["beneficial_owners"][0],
        "the other owner is untouched"
    );
    assert_eq!(updated["validation"]["issues"], json!([]));
}
