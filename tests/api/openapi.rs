//! `GET /openapi.json`: an OpenAPI 3.1 document of every route, which real
//! responses of every operation conform to.
//!
//! Three things are pinned to each other here: the routes registered in
//! `src/api/mod.rs` (and `/health` in `src/startup.rs`), the list `ROUTES`
//! below, and the paths of the document. Adding a route without documenting
//! it (or the reverse) fails `every_route_is_documented_with_its_methods`.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::Response;
use serde_json::{Value, json};

use crate::{
    entities::{corporation_body, natural_person_body},
    helpers::{TestApp, spawn_app},
};

/// Every route of the JSON API and its methods, as registered in
/// `src/api/mod.rs` and `src/startup.rs`. The hosted form's HTML pages
/// (`/onboarding/...`, `/static/...`) are not part of the API document.
const ROUTES: &[(&str, &[&str])] = &[
    ("/health", &["get"]),
    ("/ready", &["get"]),
    ("/metrics", &["get"]),
    ("/openapi.json", &["get"]),
    ("/programs", &["get"]),
    ("/programs/{id}", &["get"]),
    ("/simulations/programs", &["post"]),
    ("/entity_onboarding_sessions", &["get", "post"]),
    ("/entity_onboarding_sessions/{id}", &["get"]),
    ("/entity_onboarding_sessions/{id}/expire", &["post"]),
    ("/simulations/entity_onboarding_sessions/{id}/submit", &["post"]),
    ("/entities", &["get", "post"]),
    ("/entities/{id}/identification_numbers", &["get"]),
    ("/events", &["get"]),
    ("/events/{id}", &["get"]),
    ("/event_subscriptions", &["get", "post"]),
    ("/event_subscriptions/{id}", &["get", "patch"]),
    ("/entities/{id}", &["get"]),
    ("/entities/{id}/archive", &["post"]),
    ("/simulations/entities/{id}/update_validation", &["post"]),
    ("/hosted_onboarding/programs/{program_id}/branding", &["get", "patch"]),
];

const PUBLIC: [&str; 4] = ["/health", "/ready", "/metrics", "/openapi.json"];

fn routes() -> BTreeMap<String, BTreeSet<String>> {
    ROUTES
        .iter()
        .map(|(path, methods)| (path.to_string(), methods.iter().map(|m| m.to_string()).collect()))
        .collect()
}

/// The routes the source registers: each `resource("...")` with the
/// `web::get()` / `web::post()` routes that follow it, and each
/// `.route("...", web::get()...)`, in `src/api/mod.rs` and `src/startup.rs`.
fn routes_in_source() -> BTreeMap<String, BTreeSet<String>> {
    let mut found: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for source in [
        include_str!("../../src/api/mod.rs"),
        include_str!("../../src/startup.rs"),
        include_str!("../../src/probes.rs"),
    ] {
        for chunk in source.split("resource(\"").skip(1) {
            let (path, rest) = chunk.split_once('"').unwrap();
            let methods: BTreeSet<String> = ["get", "post", "put", "patch", "delete"]
                .into_iter()
                .filter(|method| rest.contains(&format!("web::{method}()")))
                .map(str::to_owned)
                .collect();
            assert!(!methods.is_empty(), "no method found for {path}");
            found.entry(path.to_owned()).or_default().extend(methods);
        }
        for chunk in source.split(".route(\"").skip(1) {
            let (path, rest) = chunk.split_once('"').unwrap();
            let method = rest.split_once("web::").unwrap().1.split_once("()").unwrap().0;
            found.entry(path.to_owned()).or_default().insert(method.to_owned());
        }
    }
    found
}

async fn document(app: &TestApp) -> Value {
    let response = app.client.get(app.url("/openapi.json")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    response.json().await.unwrap()
}

#[tokio::test]
async fn the_document_is_openapi_3_1_and_needs_no_api_key() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1."),
        "{}",
        doc["openapi"]
    );
    assert_eq!(
        doc["servers"][0]["url"],
        app.address.as_str(),
        "this instance's own URL"
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"],
        json!({ "type": "http", "scheme": "bearer", "description": "An API key: `Authorization: Bearer <key>`." })
    );
    let other_method = app.client.post(app.url("/openapi.json")).send().await.unwrap();
    assert_eq!(
        other_method.status(),
        404,
        "like every route, other methods are unknown"
    );
}

#[tokio::test]
async fn every_route_is_documented_with_its_methods() {
    assert_eq!(
        routes_in_source(),
        routes(),
        "ROUTES must list every route registered in src/api/mod.rs and src/startup.rs"
    );
    let app = spawn_app().await;
    let doc = document(&app).await;
    let documented: BTreeMap<String, BTreeSet<String>> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(path, item)| (path.clone(), item.as_object().unwrap().keys().cloned().collect()))
        .collect();
    assert_eq!(documented, routes(), "the document's paths and methods are the routes");

    for (path, methods) in ROUTES {
        let concrete = path.replace("{id}", "entity_00000000000000000000");
        for method in *methods {
            let operation = &doc["paths"][path][method];
            assert!(
                operation["operationId"].is_string(),
                "{method} {path} has an operationId"
            );
            assert!(
                operation["responses"]["200"].is_object(),
                "{method} {path} documents its success"
            );
            // The route is live: without an API key it answers (401 unless public).
            let response = app
                .client
                .request(method.to_uppercase().parse().unwrap(), app.url(&concrete))
                .send()
                .await
                .unwrap();
            if PUBLIC.contains(path) {
                assert_eq!(response.status(), 200, "{method} {path}");
                assert!(operation.get("security").is_none(), "{method} {path} is public");
            } else {
                assert_eq!(response.status(), 401, "{method} {path}");
                assert_eq!(operation["security"], json!([{ "bearer": [] }]), "{method} {path}");
                for status in ["401", "429", "500", "503"] {
                    assert_eq!(
                        operation["responses"][status]["content"]["application/json"]["schema"]["$ref"],
                        "#/components/schemas/Error",
                        "{method} {path} documents {status}"
                    );
                }
            }
            if path.contains('{') {
                assert!(
                    operation["responses"]["404"].is_object(),
                    "{method} {path} documents 404"
                );
            }
            if *method == "post" {
                for status in ["400", "409"] {
                    assert!(
                        operation["responses"][status].is_object(),
                        "{method} {path} documents {status}"
                    );
                }
                let parameters = operation["parameters"].as_array().unwrap();
                assert!(
                    parameters
                        .iter()
                        .any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header"),
                    "{method} {path} takes an Idempotency-Key"
                );
            }
        }
    }
}

#[tokio::test]
async fn list_parameters_are_documented() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let names = |path: &str| -> Vec<String> {
        doc["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                assert_eq!(p["in"], "query");
                p["name"].as_str().unwrap().to_owned()
            })
            .collect()
    };
    assert_eq!(names("/programs"), ["cursor", "limit"]);
    assert_eq!(
        names("/entity_onboarding_sessions"),
        ["cursor", "limit", "status.in", "idempotency_key"]
    );
    assert_eq!(
        names("/entities"),
        [
            "cursor",
            "limit",
            "status.in",
            "validation_status.in",
            "idempotency_key",
            "created_at.after",
            "created_at.before",
            "created_at.on_or_after",
            "created_at.on_or_before"
        ]
    );
    let parameters = doc["paths"]["/entity_onboarding_sessions"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let limit = &parameters[1]["schema"];
    assert_eq!(
        (limit["minimum"].as_u64(), limit["maximum"].as_u64()),
        (Some(1), Some(100))
    );
    let status = &parameters[2];
    assert_eq!((&status["style"], &status["explode"]), (&json!("form"), &json!(false)));
    assert_eq!(
        doc["components"]["schemas"]["SessionStatus"]["enum"],
        json!(["active", "expired"])
    );
    assert_eq!(
        doc["components"]["schemas"]["IdempotencyKey"]["maxLength"], 200,
        "idempotency keys are 1 to 200 characters"
    );
}

#[tokio::test]
async fn the_session_schema_has_every_key_required_and_nullable_where_it_can_be_null() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let session = &doc["components"]["schemas"]["EntityOnboardingSession"];
    insta::assert_json_snapshot!(session);
}

/// Checks `value` against an OpenAPI 3.1 (JSON Schema 2020-12) schema: the
/// keywords this document uses, except `pattern`.
struct Validator<'a> {
    doc: &'a Value,
}

impl Validator<'_> {
    fn resolve(&self, reference: &str) -> &Value {
        let pointer = reference.strip_prefix('#').unwrap();
        self.doc
            .pointer(pointer)
            .unwrap_or_else(|| panic!("{reference} is not in the document"))
    }

    fn check(&self, schema: &Value, value: &Value, at: &str) -> Vec<String> {
        let mut problems = Vec::new();
        if let Some(reference) = schema["$ref"].as_str() {
            problems.extend(self.check(self.resolve(reference), value, at));
        }
        if let Some(options) = schema["oneOf"].as_array() {
            let matching = options.iter().filter(|o| self.check(o, value, at).is_empty()).count();
            if matching != 1 {
                problems.push(format!("{at}: {value} matches {matching} of the oneOf alternatives"));
            }
        }
        if let Some(options) = schema["anyOf"].as_array()
            && !options.iter().any(|o| self.check(o, value, at).is_empty())
        {
            problems.push(format!("{at}: {value} matches none of anyOf"));
        }
        for part in schema["allOf"].as_array().into_iter().flatten() {
            problems.extend(self.check(part, value, at));
        }
        let types: Vec<&str> = match &schema["type"] {
            Value::String(one) => vec![one.as_str()],
            Value::Array(many) => many.iter().map(|t| t.as_str().unwrap()).collect(),
            _ => Vec::new(),
        };
        if !types.is_empty() && !types.iter().any(|t| has_type(value, t)) {
            problems.push(format!("{at}: {value} is not of type {types:?}"));
            return problems;
        }
        if let Some(allowed) = schema["enum"].as_array()
            && !allowed.contains(value)
        {
            problems.push(format!("{at}: {value} is not one of {allowed:?}"));
        }
        if let Some(text) = value.as_str() {
            problems.extend(check_string(schema, text, at));
        }
        if let Some(object) = value.as_object() {
            for key in schema["required"].as_array().into_iter().flatten() {
                if !object.contains_key(key.as_str().unwrap()) {
                    problems.push(format!("{at}: required key {key} is missing"));
                }
            }
            let properties = schema["properties"].as_object();
            for (key, item) in object {
                match properties.and_then(|p| p.get(key)) {
                    Some(property) => problems.extend(self.check(property, item, &format!("{at}.{key}"))),
                    None if schema["additionalProperties"] == false => {
                        problems.push(format!("{at}: key {key:?} is not documented"))
                    }
                    None => {}
                }
            }
        }
        if let (Some(items), Some(schema)) = (value.as_array(), schema.get("items")) {
            for (index, item) in items.iter().enumerate() {
                problems.extend(self.check(schema, item, &format!("{at}[{index}]")));
            }
        }
        problems
    }
}

fn has_type(value: &Value, kind: &str) -> bool {
    match kind {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        other => panic!("unknown type {other}"),
    }
}

fn check_string(schema: &Value, text: &str, at: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let length = text.chars().count() as u64;
    if schema["minLength"].as_u64().is_some_and(|min| length < min)
        || schema["maxLength"].as_u64().is_some_and(|max| length > max)
    {
        problems.push(format!("{at}: {text:?} has the wrong length"));
    }
    let well_formed = match schema["format"].as_str() {
        Some("date-time") => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
        Some("date") => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
        Some("uri") => url::Url::parse(text).is_ok(),
        Some("email") => text.contains('@'),
        _ => true,
    };
    if !well_formed {
        problems.push(format!("{at}: {text:?} is not a {}", schema["format"]));
    }
    problems
}

/// Records which operations answered with which status, and checks every
/// JSON answer against the schema the document gives for it.
struct Exchanges<'a> {
    app: &'a TestApp,
    doc: Value,
    seen: BTreeSet<(String, String, u16)>,
}

impl Exchanges<'_> {
    /// Checks `response`, an answer of `method path` (the documented path),
    /// and returns its body.
    async fn check(&mut self, method: &str, path: &str, response: Response) -> Value {
        let status = response.status().as_u16();
        let documented = &self.doc["paths"][path][method]["responses"][status.to_string()];
        assert!(
            documented.is_object(),
            "{method} {path} answered {status}, which is not documented"
        );
        let body: Value = response.json().await.unwrap();
        let schema = &documented["content"]["application/json"]["schema"];
        let problems = Validator { doc: &self.doc }.check(schema, &body, "$");
        assert!(
            problems.is_empty(),
            "{method} {path} {status} does not match the document:\n{}\n{body:#}",
            problems.join("\n")
        );
        self.seen.insert((method.to_owned(), path.to_owned(), status));
        body
    }

    async fn get(&mut self, path: &str, concrete: &str) -> Value {
        let response = self.app.get(concrete).await;
        self.check("get", path, response).await
    }

    async fn post(&mut self, path: &str, concrete: &str, body: &Value) -> Value {
        let response = self.app.post(concrete, body).await;
        self.check("post", path, response).await
    }

    async fn action(&mut self, path: &str, concrete: &str) -> Value {
        let response = self.app.post_action(concrete).await;
        self.check("post", path, response).await
    }
}

fn id(object: &Value) -> &str {
    object["id"].as_str().unwrap()
}

#[tokio::test]
async fn responses_of_every_operation_match_the_document() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let mut x = Exchanges {
        app: &app,
        doc: doc.clone(),
        seen: BTreeSet::new(),
    };

    // Programs.
    let program = x
        .post(
            "/simulations/programs",
            "/simulations/programs",
            &json!({ "name": "Cards", "lending_maximum_extendable_credit": 1000 }),
        )
        .await;
    x.get("/programs/{id}", &format!("/programs/{}", id(&program))).await;
    x.get("/programs", "/programs?limit=1").await;

    // Sessions: active, expired, submitted.
    let body = json!({ "program_id": app.program_id, "redirect_url": "https://platform.example.com/done" });
    let response = app
        .post_with_key("/entity_onboarding_sessions", &body, "session-1")
        .await;
    let active = x.check("post", "/entity_onboarding_sessions", response).await;
    x.get(
        "/entity_onboarding_sessions/{id}",
        &format!("/entity_onboarding_sessions/{}", id(&active)),
    )
    .await;
    x.action(
        "/entity_onboarding_sessions/{id}/expire",
        &format!("/entity_onboarding_sessions/{}/expire", id(&active)),
    )
    .await;
    let session = x
        .post("/entity_onboarding_sessions", "/entity_onboarding_sessions", &body)
        .await;
    let submit = format!("/simulations/entity_onboarding_sessions/{}/submit", id(&session));
    let submitted = x
        .action("/simulations/entity_onboarding_sessions/{id}/submit", &submit)
        .await;
    let page = x
        .get(
            "/entity_onboarding_sessions",
            "/entity_onboarding_sessions?limit=1&status.in=active,expired",
        )
        .await;
    assert!(page["next_cursor"].is_string(), "a page with more to come");

    // Entities: made by the form, a corporation and a person made by the
    // platform, with every kind of validation issue, archived.
    let made = format!("/entities/{}", submitted["entity_id"].as_str().unwrap());
    x.get("/entities/{id}", &made).await;
    let corporation = x.post("/entities", "/entities", &corporation_body()).await;
    x.post("/entities", "/entities", &natural_person_body()).await;
    x.post(
        "/entities",
        "/entities",
        &json!({ "structure": "corporation", "corporation": { "name": "Bare LLC" } }),
    )
    .await;
    let issues: Vec<Value> = [
        "entity_tax_identifier",
        "entity_address",
        "entity_identity",
        "beneficial_owner_identity",
        "beneficial_owner_address",
        "beneficial_owner_tax_identifier",
    ]
    .into_iter()
    .map(|category| json!({ "category": category }))
    .collect();
    let flagged = x
        .post(
            "/simulations/entities/{id}/update_validation",
            &format!("/simulations/entities/{}/update_validation", id(&corporation)),
            &json!({ "issues": issues }),
        )
        .await;
    assert_eq!(flagged["validation"]["issues"].as_array().unwrap().len(), 6);
    assert!(!flagged["onboarding_tasks"].as_array().unwrap().is_empty());
    let (revealer, _) = app
        .api_key_for(onboarding::domain::api_key::Environment::Production, true)
        .await;
    let response = app
        .client
        .get(app.url(&format!("/entities/{}/identification_numbers", id(&corporation))))
        .bearer_auth(&revealer)
        .send()
        .await
        .unwrap();
    x.check("get", "/entities/{id}/identification_numbers", response).await;
    x.get(
        "/entities/{id}/identification_numbers",
        &format!("/entities/{}/identification_numbers", id(&corporation)),
    )
    .await;
    x.action(
        "/entities/{id}/archive",
        &format!("/entities/{}/archive", id(&corporation)),
    )
    .await;
    x.get(
        "/entities",
        "/entities?limit=2&status.in=active,archived&created_at.after=2000-01-01T00:00:00Z",
    )
    .await;

    // Events and Event Subscriptions.
    let subscription = x
        .post(
            "/event_subscriptions",
            "/event_subscriptions",
            &json!({ "url": "https://platform.example.com/webhooks", "selected_event_categories": [{ "event_category": "entity.created" }] }),
        )
        .await;
    assert!(subscription["shared_secret"].is_string(), "{subscription}");
    x.get(
        "/event_subscriptions/{id}",
        &format!("/event_subscriptions/{}", id(&subscription)),
    )
    .await;
    x.get("/event_subscriptions", "/event_subscriptions?limit=1").await;
    let response = app
        .client
        .patch(app.url(&format!("/event_subscriptions/{}", id(&subscription))))
        .bearer_auth(&app.api_key)
        .json(&json!({ "status": "disabled" }))
        .send()
        .await
        .unwrap();
    x.check("patch", "/event_subscriptions/{id}", response).await;
    let branding = "/hosted_onboarding/programs/{program_id}/branding";
    let concrete = format!("/hosted_onboarding/programs/{}/branding", app.program_id);
    x.get(branding, &concrete).await;
    let response = app
        .patch(&concrete, &json!({ "display_name": "Acme", "accent_color": "#0a7d5a" }))
        .await;
    x.check("patch", branding, response).await;
    let response = app
        .patch(&concrete, &json!({ "allowed_frame_ancestors": ["https://a.example"] }))
        .await;
    x.check("patch", branding, response).await;
    let response = app.patch(&concrete, &json!({ "accent_color": "#ffffff" })).await;
    x.check("patch", branding, response).await;
    x.get(branding, "/hosted_onboarding/programs/program_doesnotexist/branding")
        .await;
    let events = x
        .get(
            "/events",
            "/events?limit=2&category.in=entity.created,entity_onboarding_session.created&order_by.direction=ascending",
        )
        .await;
    let event = &events["data"][0];
    x.get("/events/{id}", &format!("/events/{}", id(event))).await;
    x.get("/events", "/events?limit=1001").await;

    // Errors, each kind in its documented place.
    let response = app.client.get(app.url("/programs")).send().await.unwrap();
    x.check("get", "/programs", response).await;
    x.get("/entities/{id}", "/entities/entity_00000000000000000000").await;
    x.get("/entities", "/entities?limit=0&status.in=bogus").await;
    x.post(
        "/entity_onboarding_sessions",
        "/entity_onboarding_sessions",
        &json!({ "redirect_url": "javascript:alert(1)" }),
    )
    .await;
    let response = app
        .client
        .post(app.url("/entities"))
        .bearer_auth(&app.api_key)
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    x.check("post", "/entities", response).await;
    let response = app
        .post_with_key(
            "/entity_onboarding_sessions",
            &json!({ "program_id": app.program_id }),
            "session-1",
        )
        .await;
    x.check("post", "/entity_onboarding_sessions", response).await;
    x.action("/simulations/entity_onboarding_sessions/{id}/submit", &submit)
        .await;
    let oversized = json!({ "name": "x".repeat(100 * 1024) });
    x.post("/simulations/programs", "/simulations/programs", &oversized)
        .await;
    let response = app.client.get(app.url("/openapi.json")).send().await.unwrap();
    x.check("get", "/openapi.json", response).await;
    let response = app.client.get(app.url("/ready")).send().await.unwrap();
    x.check("get", "/ready", response).await;

    let statuses = |method: &str, path: &str| -> BTreeSet<u16> {
        x.seen
            .iter()
            .filter(|(m, p, _)| m == method && p == path)
            .map(|(_, _, status)| *status)
            .collect()
    };
    for (path, methods) in ROUTES {
        for method in *methods {
            if !["/health", "/metrics"].contains(path) {
                assert!(statuses(method, path).contains(&200), "{method} {path} was checked");
            }
        }
    }
    assert_eq!(statuses("get", "/programs"), BTreeSet::from([200, 401]));
    assert_eq!(statuses("get", "/entities/{id}"), BTreeSet::from([200, 404]));
    assert_eq!(statuses("get", "/entities"), BTreeSet::from([200, 400]));
    assert_eq!(statuses("post", "/entities"), BTreeSet::from([200, 400]));
    assert_eq!(
        statuses("post", "/entity_onboarding_sessions"),
        BTreeSet::from([200, 400, 409])
    );
    assert_eq!(
        statuses("post", "/simulations/entity_onboarding_sessions/{id}/submit"),
        BTreeSet::from([200, 409])
    );
    assert_eq!(statuses("post", "/simulations/programs"), BTreeSet::from([200, 400]));
}

#[tokio::test]
async fn the_validator_catches_a_missing_or_undocumented_key() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let schema = json!({ "$ref": "#/components/schemas/EntityOnboardingSession" });
    let session = app.create_session().await;
    let validator = Validator { doc: &doc };
    assert_eq!(validator.check(&schema, &session, "$"), Vec::<String>::new());
    let mut missing = session.clone();
    missing.as_object_mut().unwrap().remove("session_url");
    assert_eq!(validator.check(&schema, &missing, "$").len(), 1);
    let mut extra = session.clone();
    extra["surprise"] = json!(1);
    assert_eq!(validator.check(&schema, &extra, "$").len(), 1);
    let mut wrong = session;
    wrong["status"] = json!("finished");
    assert_eq!(validator.check(&schema, &wrong, "$").len(), 1);
}
