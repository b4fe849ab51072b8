use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error, error_fields, get_json, spawn_app, spawn_app_with};

fn ts(value: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(value.as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

#[tokio::test]
async fn a_created_session_is_active_with_a_separate_secret_link() {
    let app = spawn_app().await;
    let session = app.create_session().await;
    // Every key, and no more: `shapes::an_active_session`.
    let id = session["id"].as_str().unwrap();
    assert!(id.starts_with("entity_onboarding_session_"));
    assert_eq!(session["type"], "entity_onboarding_session");
    assert_eq!(session["status"], "active");
    assert_eq!(session["entity_id"], Value::Null);
    assert_eq!(session["idempotency_key"], Value::Null);
    assert_eq!(session["program_id"], app.program_id.as_str());
    assert_eq!(session["redirect_url"], "https://platform.example.com/onboarded?ref=42");
    assert!(session["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        ts(&session["expires_at"]) - ts(&session["created_at"]),
        Duration::hours(6)
    );

    let session_url = session["session_url"].as_str().unwrap();
    let prefix = format!("{}/onboarding/sessions?id=", app.address);
    let token = session_url
        .strip_prefix(&prefix)
        .expect("session_url has the documented shape");
    assert!(token.len() >= 22, "at least 128 bits of token");
    assert!(token.chars().all(|c| c.is_ascii_alphanumeric()));
    assert!(
        !token.contains(id.trim_start_matches("entity_onboarding_session_")),
        "the token is not the session ID"
    );

    let fetched: Value = app
        .get(&format!("/entity_onboarding_sessions/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fetched, session);
}

#[tokio::test]
async fn the_session_lifetime_is_configurable() {
    let app = spawn_app_with(|s| s.session_ttl = std::time::Duration::from_secs(900)).await;
    let session = app.create_session().await;
    assert_eq!(
        ts(&session["expires_at"]) - ts(&session["created_at"]),
        Duration::minutes(15)
    );
}

#[tokio::test]
async fn missing_fields_are_each_named() {
    let app = spawn_app().await;
    let body = assert_error(
        app.post("/entity_onboarding_sessions", &json!({})).await,
        400,
        "invalid_parameters_error",
    )
    .await;
    assert_eq!(error_fields(&body), vec!["program_id", "redirect_url"]);
    // An empty body with the JSON content type is the same as `{}`.
    let response = app.post_action("/entity_onboarding_sessions").await;
    let body = assert_error(response, 400, "invalid_parameters_error").await;
    assert_eq!(error_fields(&body), vec!["program_id", "redirect_url"]);
}

/// Asks for a session of the default program that ends at `redirect_url`.
async fn create_redirecting_to(app: &TestApp, redirect_url: &str) -> reqwest::Response {
    app.post(
        "/entity_onboarding_sessions",
        &json!({ "program_id": app.program_id, "redirect_url": redirect_url }),
    )
    .await
}

#[tokio::test]
async fn unsafe_or_relative_redirect_urls_are_rejected() {
    let app = spawn_app().await;
    let long = format!("https://example.com/{}", "a".repeat(2000));
    for bad in [
        "javascript:alert(1)",
        "/relative",
        "http://example.com/cb",
        "data:text/html,hi",
        "ftp://x.example",
        long.as_str(),
    ] {
        let response = create_redirecting_to(&app, bad).await;
        let body = assert_error(response, 400, "invalid_parameters_error").await;
        assert_eq!(error_fields(&body), vec!["redirect_url"], "{bad}");
    }
    for ok in [
        "http://localhost:3000/cb",
        "http://127.0.0.1:9/cb",
        "https://x.example/a?b=c#d",
    ] {
        let response = create_redirecting_to(&app, ok).await;
        assert_eq!(response.status(), 200, "{ok}");
    }
}

#[tokio::test]
async fn redirect_hosts_must_be_dns_names_or_ip_addresses() {
    let app = spawn_app().await;
    for bad in [
        "https://a.example;sandbox/",
        "https://a.example,b/",
        "https://*/",
        "https://a\"b.example/",
        "https://a'b.example/",
        "https://a.example%3Bsandbox/",
        "https://a_b.example/",
    ] {
        let response = create_redirecting_to(&app, bad).await;
        let body = assert_error(response, 400, "invalid_parameters_error").await;
        assert_eq!(error_fields(&body), vec!["redirect_url"], "{bad}");
        assert!(
            body["errors"][0]["message"].as_str().unwrap().contains("host"),
            "{body}"
        );
    }
    for ok in [
        "https://192.0.2.1/cb",
        "https://[2001:db8::1]/cb",
        "https://bücher.example/",
    ] {
        let response = create_redirecting_to(&app, ok).await;
        assert_eq!(response.status(), 200, "{ok}");
    }
}

/// The `form-action` sources of a hosted page's CSP.
fn form_action(response: &reqwest::Response) -> String {
    let csp = response.headers()["content-security-policy"].to_str().unwrap();
    let directive = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("form-action "))
        .unwrap_or_else(|| panic!("no form-action in {csp}"));
    directive.trim_start_matches("form-action ").to_owned()
}

#[tokio::test]
async fn the_form_lets_its_submission_go_to_the_redirect_origin_only() {
    let app = spawn_app().await;
    let session = app
        .create_session_with(json!({
            "program_id": app.program_id,
            "redirect_url": "https://Shop.Example:8443/done;x?next=a;b#frag",
        }))
        .await;
    let page = app
        .client
        .get(session["session_url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(form_action(&page), "'self' https://shop.example:8443");

    // A URL stored by an earlier release, before hosts were checked: the
    // session still reads, and its host adds nothing to the policy.
    let legacy = app.create_session().await;
    let id = legacy["id"].as_str().unwrap();
    app.execute_sql(&format!(
        "UPDATE entity_onboarding_sessions SET redirect_url = 'https://a.example;sandbox/' WHERE id = '{id}'"
    ))
    .await;
    let read = get_json(&app, &format!("/entity_onboarding_sessions/{id}")).await;
    assert_eq!(read["redirect_url"], "https://a.example;sandbox/");
    let page = app
        .client
        .get(legacy["session_url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(form_action(&page), "'self'");
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(!csp.contains("sandbox"), "{csp}");
}

#[tokio::test]
async fn unknown_programs_and_entities_are_named() {
    let app = spawn_app().await;
    for program_id in ["program_aaaaaaaaaaaaaaaaaaaa", "nonsense"] {
        let response = app
            .post(
                "/entity_onboarding_sessions",
                &json!({ "program_id": program_id, "redirect_url": "https://e.example" }),
            )
            .await;
        let body = assert_error(response, 400, "invalid_parameters_error").await;
        assert_eq!(error_fields(&body), vec!["program_id"]);
    }
    for entity_id in ["entity_aaaaaaaaaaaaaaaaaaaa", "bogus"] {
        let response = app
            .post(
                "/entity_onboarding_sessions",
                &json!({ "program_id": app.program_id, "redirect_url": "https://e.example", "entity_id": entity_id }),
            )
            .await;
        let body = assert_error(response, 400, "invalid_parameters_error").await;
        assert_eq!(error_fields(&body), vec!["entity_id"]);
    }
}

#[tokio::test]
async fn another_groups_program_cannot_be_used() {
    let app = spawn_app().await;
    let other_key = app.other_group_key().await;
    let response = app
        .client
        .post(app.url("/entity_onboarding_sessions"))
        .bearer_auth(&other_key)
        .json(&json!({ "program_id": app.program_id, "redirect_url": "https://e.example" }))
        .send()
        .await
        .unwrap();
    let body = assert_error(response, 400, "invalid_parameters_error").await;
    assert_eq!(error_fields(&body), vec!["program_id"]);
}

#[tokio::test]
async fn unknown_extra_body_keys_are_ignored() {
    let app = spawn_app().await;
    let session = app
        .create_session_with(
            json!({ "program_id": app.program_id, "redirect_url": "https://e.example", "something_new": [1] }),
        )
        .await;
    assert_eq!(session["status"], "active");
}

#[tokio::test]
async fn unknown_malformed_and_foreign_session_ids_are_not_found() {
    let app = spawn_app().await;
    let session = app.create_session().await;
    let id = session["id"].as_str().unwrap();
    for path in [
        "/entity_onboarding_sessions/entity_onboarding_session_aaaaaaaaaaaaaaaaaaaa".to_owned(),
        "/entity_onboarding_sessions/garbage".to_owned(),
        "/entity_onboarding_sessions/entity_onboarding_session_aaaaaaaaaaaaaaaaaaaa/expire".to_owned(),
        "/simulations/entity_onboarding_sessions/garbage/submit".to_owned(),
    ] {
        let response = if path.ends_with("expire") || path.ends_with("submit") {
            app.post_action(&path).await
        } else {
            app.get(&path).await
        };
        assert_error(response, 404, "object_not_found_error").await;
    }
    let other_key = app.other_group_key().await;
    let response = app
        .client
        .get(app.url(&format!("/entity_onboarding_sessions/{id}")))
        .bearer_auth(&other_key)
        .send()
        .await
        .unwrap();
    assert_error(response, 404, "object_not_found_error").await;
}

async fn list(app: &TestApp, query: &str) -> Value {
    let response = app.get(&format!("/entity_onboarding_sessions{query}")).await;
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.unwrap()
}

fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn lists_paginate_newest_first_without_gaps_or_repeats() {
    let app = spawn_app().await;
    let mut created = Vec::new();
    for _ in 0..7 {
        created.push(app.create_session().await["id"].as_str().unwrap().to_owned());
    }
    created.reverse();
    let mut seen = Vec::new();
    let mut query = "?limit=3".to_owned();
    let mut pages = 0;
    loop {
        let page = list(&app, &query).await;
        pages += 1;
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => query = format!("?limit=3&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, created);
    assert_eq!(
        ids(&list(&app, "").await),
        created,
        "default limit returns everything here"
    );
}

#[tokio::test]
async fn bad_list_parameters_are_invalid() {
    let app = spawn_app().await;
    for (query, field) in [
        ("?limit=0", "limit"),
        ("?limit=101", "limit"),
        ("?limit=ten", "limit"),
        ("?cursor=bm9wZQ", "cursor"),
        ("?status.in=active,finished", "status.in"),
        ("?status.in=", "status.in"),
    ] {
        let response = app.get(&format!("/entity_onboarding_sessions{query}")).await;
        let body = assert_error(response, 400, "invalid_parameters_error").await;
        assert_eq!(error_fields(&body), vec![field], "{query}");
    }
}

#[tokio::test]
async fn lists_filter_by_status_and_idempotency_key() {
    let app = spawn_app().await;
    let active = app.create_session().await["id"].as_str().unwrap().to_owned();
    let ended = app.create_session().await["id"].as_str().unwrap().to_owned();
    app.post_action(&format!("/entity_onboarding_sessions/{ended}/expire"))
        .await;
    let keyed: Value = app
        .post_with_key(
            "/entity_onboarding_sessions",
            &json!({ "program_id": app.program_id, "redirect_url": "https://e.example" }),
            "my-key",
        )
        .await
        .json()
        .await
        .unwrap();
    let keyed = keyed["id"].as_str().unwrap().to_owned();

    assert_eq!(
        ids(&list(&app, "?status.in=active").await),
        vec![keyed.clone(), active.clone()]
    );
    assert_eq!(ids(&list(&app, "?status.in=expired").await), vec![ended.clone()]);
    assert_eq!(ids(&list(&app, "?status.in=active%2Cexpired").await).len(), 3);
    assert_eq!(ids(&list(&app, "?status.in=expired,active").await).len(), 3);
    assert_eq!(ids(&list(&app, "?idempotency_key=my-key").await), vec![keyed.clone()]);
    assert_eq!(
        ids(&list(&app, "?idempotency_key=none-such").await),
        Vec::<String>::new()
    );
    assert_eq!(
        ids(&list(&app, "?idempotency_key=my-key&status.in=expired").await),
        Vec::<String>::new()
    );
    // Filters apply across pages, as the SDK repeats them with the cursor.
    let first = list(&app, "?status.in=active&limit=1").await;
    assert_eq!(ids(&first), vec![keyed]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = list(&app, &format!("?status.in=active&limit=1&cursor={cursor}")).await;
    assert_eq!(ids(&second), vec![active]);
    assert_eq!(second["next_cursor"], Value::Null);
}

#[tokio::test]
async fn expiring_ends_the_session_and_is_safe_to_repeat() {
    let app = spawn_app().await;
    let session = app.create_session().await;
    let id = session["id"].as_str().unwrap();
    let response = app
        .post_action(&format!("/entity_onboarding_sessions/{id}/expire"))
        .await;
    assert_eq!(response.status(), 200);
    let expired: Value = response.json().await.unwrap();
    assert_eq!(expired["status"], "expired");
    assert_eq!(expired["session_url"], Value::Null);
    assert!(ts(&expired["expires_at"]) <= Utc::now() + Duration::seconds(1));
    let again: Value = app
        .post_action(&format!("/entity_onboarding_sessions/{id}/expire"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again, expired);
    let fetched: Value = app
        .get(&format!("/entity_onboarding_sessions/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fetched, expired);
}

#[tokio::test]
async fn a_session_past_its_expiry_reads_as_expired_before_the_sweep_runs() {
    let app = spawn_app().await;
    let session = app.create_session().await;
    let id = session["id"].as_str().unwrap();
    app.clock.advance(Duration::hours(6) + Duration::seconds(1));

    let fetched: Value = app
        .get(&format!("/entity_onboarding_sessions/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fetched["status"], "expired");
    assert_eq!(fetched["session_url"], Value::Null);
    assert_eq!(ids(&list(&app, "?status.in=expired").await), vec![id.to_owned()]);
    assert_eq!(ids(&list(&app, "?status.in=active").await), Vec::<String>::new());
    let response = app
        .post_action(&format!("/simulations/entity_onboarding_sessions/{id}/submit"))
        .await;
    assert_error(response, 409, "invalid_operation_error").await;

    // The sweep then persists what readers already see, once.
    let swept = onboarding::workers::expiry::expire_overdue_sessions(&app.store, app.clock.as_ref())
        .await
        .unwrap();
    assert_eq!(swept, 1);
    let swept_again = onboarding::workers::expiry::expire_overdue_sessions(&app.store, app.clock.as_ref())
        .await
        .unwrap();
    assert_eq!(swept_again, 0);
    let after: Value = app
        .get(&format!("/entity_onboarding_sessions/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after, fetched);
}

#[tokio::test]
async fn the_sweep_leaves_live_sessions_alone() {
    let app = spawn_app().await;
    let session = app.create_session().await;
    app.clock.advance(Duration::hours(5));
    let swept = onboarding::workers::expiry::expire_overdue_sessions(&app.store, app.clock.as_ref())
        .await
        .unwrap();
    assert_eq!(swept, 0);
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
}

#[tokio::test]
async fn simulated_submission_creates_a_linked_entity_once() {
    let app = spawn_app().await;
    let session = app.create_session().await;
    let id = session["id"].as_str().unwrap();
    let response = app
        .post_action(&format!("/simulations/entity_onboarding_sessions/{id}/submit"))
        .await;
    assert_eq!(response.status(), 200);
    let submitted: Value = response.json().await.unwrap();
    assert_eq!(submitted["status"], "expired");
    assert_eq!(submitted["session_url"], Value::Null);
    let entity_id = submitted["entity_id"].as_str().unwrap();

    // Every key, and no more: `shapes::an_entity_created_by_a_simulated_submission`.
    let entity: Value = app.get(&format!("/entities/{entity_id}")).await.json().await.unwrap();
    assert_eq!(entity["type"], "entity");
    assert_eq!(entity["structure"], "corporation");
    assert_eq!(entity["creating_entity_onboarding_session_id"], id);
    assert_eq!(entity["natural_person"], Value::Null);
    let corporation = &entity["corporation"];
    assert!(corporation["name"].as_str().unwrap().len() > 3);
    assert_eq!(
        corporation["legal_identifier"]["category"],
        "us_employer_identification_number"
    );
    assert_eq!(corporation["tax_identifier"], corporation["legal_identifier"]["value"]);
    let owner = &corporation["beneficial_owners"][0];
    assert!(owner["id"].as_str().unwrap().starts_with("entity_beneficial_owner_"));
    assert!(owner["prongs"].as_array().unwrap().contains(&json!("control")));
    let identification = owner["individual"]["identification"].as_object().unwrap();
    assert_eq!(identification.len(), 2, "only method and last 4: {identification:?}");
    assert_eq!(identification["number_last4"].as_str().unwrap().len(), 4);

    let again = app
        .post_action(&format!("/simulations/entity_onboarding_sessions/{id}/submit"))
        .await;
    assert_error(again, 409, "invalid_operation_error").await;
    let still: Value = app
        .get(&format!("/entity_onboarding_sessions/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(still["entity_id"], entity_id);
}

#[tokio::test]
async fn concurrent_simulated_submissions_make_exactly_one_entity() {
    let app = spawn_app().await;
    let session = app.create_session().await;
    let path = format!(
        "/simulations/entity_onboarding_sessions/{}/submit",
        session["id"].as_str().unwrap()
    );
    let responses = futures_util::future::join_all((0..10).map(|_| app.post_action(&path))).await;
    let statuses: Vec<u16> = responses.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 9, "{statuses:?}");
}

#[tokio::test]
async fn a_session_for_an_existing_entity_completes_without_a_new_entity() {
    let app = spawn_app().await;
    let first = app.create_session().await;
    let submitted: Value = app
        .post_action(&format!(
            "/simulations/entity_onboarding_sessions/{}/submit",
            first["id"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    let entity_id = submitted["entity_id"].as_str().unwrap();

    let second = app
        .create_session_with(
            json!({ "program_id": app.program_id, "redirect_url": "https://e.example", "entity_id": entity_id }),
        )
        .await;
    assert_eq!(second["entity_id"], entity_id);
    let done: Value = app
        .post_action(&format!(
            "/simulations/entity_onboarding_sessions/{}/submit",
            second["id"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(done["entity_id"], entity_id);
    assert_eq!(done["status"], "expired");
    let entity: Value = app.get(&format!("/entities/{entity_id}")).await.json().await.unwrap();
    assert_eq!(entity["creating_entity_onboarding_session_id"], first["id"]);
}

#[tokio::test]
async fn unknown_entities_are_not_found() {
    let app = spawn_app().await;
    assert_error(
        app.get("/entities/entity_aaaaaaaaaaaaaaaaaaaa").await,
        404,
        "object_not_found_error",
    )
    .await;
    assert_error(app.get("/entities/whatever").await, 404, "object_not_found_error").await;
}

/// Retrieves that reach the store together are read in one statement, and
/// each still gets only its own answer: asked for by another group, a
/// session is not found; a session whose row cannot be read fails its own
/// lookups alone, not the batch it was read in.
#[tokio::test]
async fn lookups_read_together_each_get_their_own_answer() {
    use onboarding::{domain::ids::SessionId, store::StoreError};
    let app = spawn_app().await;
    let mut ids: Vec<SessionId> = Vec::new();
    for _ in 0..5 {
        ids.push(app.create_session().await["id"].as_str().unwrap().parse().unwrap());
    }
    let unreadable = ids[1].clone();
    app.execute_sql(&format!(
        "UPDATE entity_onboarding_sessions SET token_sealed = 'not a sealed value' WHERE id = '{unreadable}'"
    ))
    .await;
    let other = app.store.create_group(Utc::now()).await.unwrap();
    // All spawned before any runs: the first (a readable session) runs the
    // batch, and the others join it while it yields.
    let lookups: Vec<_> = ids
        .iter()
        .flat_map(|id| [(id.clone(), app.group_id.clone()), (id.clone(), other.clone())])
        .map(|(id, group)| {
            let store = app.store.clone();
            (
                id.clone(),
                group.clone(),
                tokio::spawn(async move { store.find_session(&group, &id).await }),
            )
        })
        .collect();
    for (id, group, lookup) in lookups {
        let found = lookup.await.unwrap();
        match (group == app.group_id, id == unreadable) {
            (true, false) => assert_eq!(found.unwrap().expect("its own session").id, id),
            (true, true) => assert!(matches!(found, Err(StoreError::Corrupt(_))), "{found:?}"),
            (false, _) => assert!(found.unwrap().is_none(), "another group's session is not found"),
        }
    }
}
