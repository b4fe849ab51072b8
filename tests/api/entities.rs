use serde_json::{Value, json};

use crate::helpers::{assert_error, error_fields, on_postgres, spawn_app};

pub fn corporation_body() -> Value {
    json!({
        "structure": "corporation",
        "corporation": {
            "name": "National Phonograph Company",
            "legal_identifier": { "value": "602214076" },
            "website": "https://example.com",
            "incorporation_state": "NY",
            "industry_code": "334310",
            "address": { "line1": "33 Liberty Street", "city": "New York", "state": "NY", "zip": "10045", "country": "US" },
            "beneficial_owners": [{
                "individual": {
                    "name": "Ian Crease",
                    "date_of_birth": "1970-01-31",
                    "address": { "line1": "33 Liberty Street", "city": "New York", "state": "NY", "zip": "10045", "country": "US" },
                    "identification": { "method": "social_security_number", "number": "078051120" }
                },
                "prongs": ["control"],
                "company_title": "CEO"
            }]
        }
    })
}

pub fn natural_person_body() -> Value {
    json!({
        "structure": "natural_person",
        "natural_person": {
            "name": "Ada Lovelace",
            "date_of_birth": "1985-12-10",
            "address": { "line1": "10 Downing St", "city": "London", "zip": "SW1A 2AA", "country": "GB" },
            "identification": { "method": "passport", "number": "X12345678", "passport": { "country": "GB", "expiration_date": "2030-01-01", "file_id": "file_x" } }
        }
    })
}

#[tokio::test]
async fn a_corporation_is_created_with_only_the_last_four_of_its_owners_ssn() {
    let app = spawn_app().await;
    let response = app.post_with_key("/entities", &corporation_body(), "entity-1").await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(!text.contains("078051120"), "the full SSN is never returned");
    let entity: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(entity["type"], "entity");
    assert_eq!(entity["structure"], "corporation");
    assert_eq!(entity["idempotency_key"], "entity-1");
    assert_eq!(entity["creating_entity_onboarding_session_id"], Value::Null);
    assert_eq!(
        entity["corporation"]["legal_identifier"],
        json!({ "category": "us_employer_identification_number", "value": "602214076" })
    );
    let owner = &entity["corporation"]["beneficial_owners"][0];
    assert_eq!(
        owner["individual"]["identification"],
        json!({ "method": "social_security_number", "number_last4": "1120" })
    );
    let fetched: Value = app
        .get(&format!("/entities/{}", entity["id"].as_str().unwrap()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fetched, entity);
}

#[tokio::test]
async fn a_natural_person_is_created() {
    let app = spawn_app().await;
    let response = app.post("/entities", &natural_person_body()).await;
    assert_eq!(response.status(), 200);
    let entity: Value = response.json().await.unwrap();
    assert_eq!(
        entity["natural_person"]["identification"],
        json!({ "method": "passport", "number_last4": "5678" })
    );
    assert_eq!(entity["natural_person"]["address"]["country"], "GB");
}

#[tokio::test]
async fn invalid_entities_name_every_bad_field() {
    let app = spawn_app().await;
    let mut body = corporation_body();
    body["corporation"]["legal_identifier"]["value"] = json!("12-34");
    body["corporation"]["address"]["zip"] = json!("ABCDE");
    body["corporation"]["beneficial_owners"][0]["individual"]["identification"]["number"] = json!("666-12-3456");
    body["corporation"]["beneficial_owners"][0]["individual"]["date_of_birth"] = json!("2020-02-30");
    let error = assert_error(app.post("/entities", &body).await, 400, "invalid_parameters_error").await;
    assert_eq!(
        error_fields(&error),
        vec![
            "corporation.legal_identifier.value",
            "corporation.address.zip",
            "corporation.beneficial_owners.0.individual.date_of_birth",
            "corporation.beneficial_owners.0.individual.identification.number",
        ]
    );
    let error = assert_error(app.post("/entities", &json!({})).await, 400, "invalid_parameters_error").await;
    assert_eq!(error_fields(&error), vec!["structure"]);
    let error = assert_error(
        app.post("/entities", &json!({ "structure": "trust" })).await,
        400,
        "invalid_parameters_error",
    )
    .await;
    assert_eq!(error_fields(&error), vec!["structure"]);
    let error = assert_error(
        app.post(
            "/entities",
            &json!({ "structure": "corporation", "corporation": { "beneficial_owners": "lots" } }),
        )
        .await,
        400,
        "invalid_parameters_error",
    )
    .await;
    assert_eq!(error_fields(&error), vec!["corporation.beneficial_owners"]);
    // An object for another structure is refused rather than ignored (a
    // `null` one is the same as none).
    let mut mixed = natural_person_body();
    mixed["corporation"] = json!({ "name": "0", "beneficial_owners": [{ "prongs": [""] }] });
    let error = assert_error(app.post("/entities", &mixed).await, 400, "invalid_parameters_error").await;
    assert_eq!(error_fields(&error), vec!["corporation"]);
    let mut mixed = corporation_body();
    mixed["natural_person"] = natural_person_body()["natural_person"].clone();
    let error = assert_error(app.post("/entities", &mixed).await, 400, "invalid_parameters_error").await;
    assert_eq!(error_fields(&error), vec!["natural_person"]);
    // Values outside a closed set are refused even when blank.
    let mut blank = natural_person_body();
    blank["natural_person"]["identification"] = json!({ "method": "" });
    let error = assert_error(app.post("/entities", &blank).await, 400, "invalid_parameters_error").await;
    assert_eq!(error_fields(&error), vec!["natural_person.identification.method"]);
    let mut blank = corporation_body();
    blank["corporation"]["beneficial_ownership_exemption_reason"] = json!("");
    let error = assert_error(app.post("/entities", &blank).await, 400, "invalid_parameters_error").await;
    assert_eq!(
        error_fields(&error),
        vec!["corporation.beneficial_ownership_exemption_reason"]
    );
    let mut with_null = natural_person_body();
    with_null["corporation"] = Value::Null;
    assert_eq!(app.post("/entities", &with_null).await.status(), 200);
    assert_eq!(
        app.get("/entities").await.json::<Value>().await.unwrap()["data"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}

#[tokio::test]
async fn entities_list_with_filters_and_pages() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for i in 0..3 {
        let entity: Value = app
            .post_with_key("/entities", &corporation_body(), &format!("e{i}"))
            .await
            .json()
            .await
            .unwrap();
        ids.push(entity["id"].as_str().unwrap().to_owned());
    }
    ids.reverse();
    let page: Value = app.get("/entities?limit=2").await.json().await.unwrap();
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest: Value = app
        .get(&format!("/entities?limit=2&cursor={cursor}"))
        .await
        .json()
        .await
        .unwrap();
    let mut seen: Vec<String> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest["data"].as_array().unwrap())
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(seen, ids);
    assert_eq!(rest["next_cursor"], Value::Null);

    let keyed: Value = app.get("/entities?idempotency_key=e1").await.json().await.unwrap();
    assert_eq!(keyed["data"][0]["id"], ids[1].as_str());
    let active: Value = app.get("/entities?status.in=active").await.json().await.unwrap();
    assert_eq!(active["data"].as_array().unwrap().len(), 3);
    let archived: Value = app
        .get("/entities?status.in=archived,disabled")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(archived["data"], json!([]));
    let future: Value = app
        .get("/entities?created_at.after=2999-01-01T00:00:00Z")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(future["data"], json!([]));
    let past: Value = app
        .get("/entities?created_at.on_or_after=2000-01-01T00:00:00Z&created_at.before=2999-01-01T00:00:00Z")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(past["data"].as_array().unwrap().len(), 3);
    seen.clear();
    for (query, field) in [
        ("?status.in=gone", "status.in"),
        ("?created_at.after=yesterday", "created_at.after"),
        ("?limit=0", "limit"),
    ] {
        let error = assert_error(
            app.get(&format!("/entities{query}")).await,
            400,
            "invalid_parameters_error",
        )
        .await;
        assert_eq!(error_fields(&error), vec![field]);
    }
}

/// `created_at` is shown in whole seconds; the filters compare what is shown,
/// so a client can pass an Entity's own `created_at` back as a bound.
#[tokio::test]
async fn created_at_filters_compare_the_shown_whole_seconds() {
    let app = spawn_app().await;
    let entity: Value = app.post("/entities", &corporation_body()).await.json().await.unwrap();
    let id = entity["id"].as_str().unwrap();
    // Stored at 2026-01-31T23:59:59.4Z, shown as ...59Z.
    let stored = if on_postgres() {
        "'2026-01-31T23:59:59.4Z'".to_owned()
    } else {
        "1769903999400000".to_owned()
    };
    app.execute_sql(&format!("UPDATE entities SET created_at = {stored} WHERE id = '{id}'"))
        .await;
    let shown: Value = app.get(&format!("/entities/{id}")).await.json().await.unwrap();
    assert_eq!(shown["created_at"], "2026-01-31T23:59:59Z");
    for (query, listed) in [
        ("created_at.on_or_after=2026-01-31T23:59:59Z", true),
        ("created_at.on_or_before=2026-01-31T23:59:59Z", true),
        ("created_at.after=2026-01-31T23:59:59Z", false),
        ("created_at.before=2026-01-31T23:59:59Z", false),
        (
            "created_at.on_or_after=2026-01-31T23:59:59Z&created_at.on_or_before=2026-01-31T23:59:59Z",
            true,
        ),
        (
            "created_at.after=2026-01-31T23:59:58Z&created_at.before=2026-02-01T00:00:00Z",
            true,
        ),
        ("created_at.after=2026-01-31T23:59:58.5Z", true),
        ("created_at.on_or_after=2026-01-31T23:59:58.5Z", true),
        ("created_at.on_or_after=2026-01-31T23:59:59.2Z", false),
        ("created_at.before=2026-01-31T23:59:59.2Z", true),
        ("created_at.on_or_before=2026-01-31T23:59:59.9Z", true),
        ("created_at.on_or_before=2026-01-31T23:59:58.9Z", false),
        ("created_at.after=2026-01-31T23:59:59.5Z", false),
        (
            "created_at.on_or_after=2026-01-31T23:59:59Z&created_at.before=2026-01-31T23:59:59Z",
            false,
        ),
        ("created_at.on_or_after=2026-02-01T00:59:59%2B01:00", true),
    ] {
        let page: Value = app.get(&format!("/entities?{query}")).await.json().await.unwrap();
        let ids: Vec<&str> = page["data"]
            .as_array()
            .unwrap_or_else(|| panic!("{query}: {page}"))
            .iter()
            .map(|e| e["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids.contains(&id), listed, "{query}");
    }
}

#[tokio::test]
async fn entities_of_another_group_are_invisible() {
    let app = spawn_app().await;
    let entity: Value = app.post("/entities", &corporation_body()).await.json().await.unwrap();
    let other = app.other_group_key().await;
    let response = app
        .client
        .get(app.url(&format!("/entities/{}", entity["id"].as_str().unwrap())))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_error(response, 404, "object_not_found_error").await;
    // Nor can another group's session use it.
    let program: Value = app
        .client
        .post(app.url("/simulations/programs"))
        .bearer_auth(&other)
        .json(&json!({"name": "B"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let response = app
        .client
        .post(app.url("/entity_onboarding_sessions"))
        .bearer_auth(&other)
        .json(&json!({ "program_id": program["id"], "redirect_url": "https://b.example", "entity_id": entity["id"] }))
        .send()
        .await
        .unwrap();
    let error = assert_error(response, 400, "invalid_parameters_error").await;
    assert_eq!(error_fields(&error), vec!["entity_id"]);
}
