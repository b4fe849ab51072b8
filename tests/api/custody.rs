//! Custody of personal data: full identification numbers are sealed at rest,
//! revealed only to keys allowed to see them, every attempt audited; keys are
//! sandbox or production; data keys rotate without downtime.

use onboarding::{
    config::DataKey,
    domain::{
        api_key::Environment,
        ids::{EntityId, GroupId, IdempotencyKey, SessionId},
    },
    store::{AuditOutcome, ResealPosition, Store},
};
use serde_json::{Value, json};

use crate::{
    common::{
        binary::serve,
        dump_database,
        form::{Browser, complete_business_journey},
        settings_for,
    },
    entities::{corporation_body, natural_person_body},
    helpers::{TestApp, assert_error, spawn_app, spawn_app_with},
};

async fn reveal(app: &TestApp, key: &str, entity: &str) -> reqwest::Response {
    app.client
        .get(app.url(&format!("/entities/{entity}/identification_numbers")))
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
}

fn request_id(response: &reqwest::Response) -> String {
    response.headers()["x-request-id"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn only_reveal_keys_see_full_numbers_and_every_attempt_is_audited() {
    let app = spawn_app().await;
    let corporation: Value = app.post("/entities", &corporation_body()).await.json().await.unwrap();
    let person: Value = app
        .post("/entities", &natural_person_body())
        .await
        .json()
        .await
        .unwrap();
    let corporation_id = corporation["id"].as_str().unwrap();
    let owner_id = corporation["corporation"]["beneficial_owners"][0]["id"]
        .as_str()
        .unwrap();
    let (revealer, revealer_id) = app.api_key_for(Environment::Production, true).await;

    // A key without the permission is refused, and that is recorded too.
    let refused = reveal(&app, &app.api_key, corporation_id).await;
    let refused_request = request_id(&refused);
    let error = assert_error(refused, 403, "insufficient_permissions_error").await;
    assert!(error["detail"].as_str().unwrap().contains("--reveal-pii"), "{error}");

    let response = reveal(&app, &revealer, corporation_id).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let revealed_request = request_id(&response);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({
            "type": "entity_identification_numbers",
            "entity_id": corporation_id,
            "data": [{
                "subject": "beneficial_owner",
                "beneficial_owner_id": owner_id,
                "method": "social_security_number",
                "number": "078051120",
            }],
        })
    );
    let body: Value = reveal(&app, &revealer, person["id"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        body["data"],
        json!([{ "subject": "natural_person", "beneficial_owner_id": null, "method": "passport", "number": "X12345678" }])
    );

    // Unknown and malformed IDs are not found, and audited as such.
    assert_error(
        reveal(&app, &revealer, "entity_00000000000000000000").await,
        404,
        "object_not_found_error",
    )
    .await;
    assert_error(reveal(&app, &revealer, "nonsense").await, 404, "object_not_found_error").await;
    // Another group's key with the permission sees nothing of this group.
    let other = app.other_group_key().await;
    assert_error(
        reveal(&app, &other, corporation_id).await,
        403,
        "insufficient_permissions_error",
    )
    .await;

    // The Entity itself still shows only the last four.
    let text = app
        .get(&format!("/entities/{corporation_id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !text.contains("078051120") && text.contains("\"number_last4\":\"1120\""),
        "{text}"
    );

    let log = app.store.audit_log(Some(corporation_id)).await.unwrap();
    let seen: Vec<_> = log
        .iter()
        .filter(|entry| entry.group_id == app.group_id)
        .map(|entry| {
            (
                entry.outcome,
                entry.api_key_id.to_string(),
                entry.request_id.clone().unwrap(),
            )
        })
        .collect();
    let bootstrap_key_id = log[0].api_key_id.to_string();
    assert_eq!(
        seen,
        vec![
            (AuditOutcome::Refused, bootstrap_key_id, refused_request),
            (AuditOutcome::Revealed, revealer_id.clone(), revealed_request),
        ]
    );
    assert!(log.iter().all(
        |entry| entry.client_ip.as_deref() == Some("127.0.0.1") && entry.action == "reveal_identification_numbers"
    ));
    let all = app.store.audit_log(None).await.unwrap();
    let not_found: Vec<&str> = all
        .iter()
        .filter(|entry| entry.outcome == AuditOutcome::NotFound)
        .map(|entry| entry.entity_id.as_str())
        .collect();
    assert_eq!(not_found, vec!["entity_00000000000000000000", "nonsense"]);
    assert_eq!(all.len(), 6, "every attempt, including the other group's refusal");

    // The log is append-only, whoever writes to the database.
    for tamper in ["UPDATE audit_log SET outcome = 'revealed'", "DELETE FROM audit_log"] {
        let refused = app.try_execute_sql(tamper).await.unwrap_err();
        assert!(refused.contains("append-only"), "{tamper}: {refused}");
    }
    assert_eq!(app.store.audit_log(None).await.unwrap().len(), 6);
}

#[tokio::test]
async fn numbers_given_in_the_form_are_revealed_in_the_owners_order() {
    let app = spawn_app().await;
    let (revealer, _) = app.api_key_for(Environment::Production, true).await;
    let browser = Browser::new();
    let session = app.create_session().await;
    let url = session["session_url"].as_str().unwrap();
    let response = complete_business_journey(&browser, url).await;
    assert_eq!(response.status(), 303);
    let session: Value = app
        .get(&format!(
            "/entity_onboarding_sessions/{}",
            session["id"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    let entity_id = session["entity_id"].as_str().unwrap();
    let entity: Value = app.get(&format!("/entities/{entity_id}")).await.json().await.unwrap();
    let owners = entity["corporation"]["beneficial_owners"].as_array().unwrap();
    let body: Value = reveal(&app, &revealer, entity_id).await.json().await.unwrap();
    let revealed: Vec<(&str, &str)> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["beneficial_owner_id"].as_str().unwrap(),
                n["number"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        revealed,
        vec![
            (owners[0]["id"].as_str().unwrap(), "321549876"),
            (owners[1]["id"].as_str().unwrap(), "234567891"),
        ]
    );
}

#[tokio::test]
async fn production_keys_cannot_simulate_and_sandbox_keys_can() {
    let app = spawn_app().await;
    let (production, _) = app.api_key_for(Environment::Production, false).await;
    let response = app
        .client
        .post(app.url("/simulations/programs"))
        .bearer_auth(&production)
        .json(&json!({ "name": "Not in production" }))
        .send()
        .await
        .unwrap();
    let error = assert_error(response, 403, "environment_mismatch_error").await;
    assert!(error["detail"].as_str().unwrap().contains("--sandbox"), "{error}");
    // However the path is spelt: the router decodes `%73` to `s`.
    for disguised in [
        "/%73imulations/programs",
        "/%73%69mulations/programs",
        "//simulations/programs",
    ] {
        let response = app
            .client
            .post(app.url(disguised))
            .bearer_auth(&production)
            .json(&json!({ "name": "Not in production" }))
            .send()
            .await
            .unwrap();
        assert_ne!(response.status(), 200, "{disguised}");
    }
    let programs: Value = app.get("/programs").await.json().await.unwrap();
    assert!(
        !programs.to_string().contains("Not in production"),
        "no program was made by a production key"
    );
    let response = app
        .client
        .get(app.url("/programs"))
        .bearer_auth(&production)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "production keys use the rest of the API");
    // The first start's key is a sandbox key.
    let response = app.post("/simulations/programs", &json!({ "name": "Sandbox" })).await;
    assert_eq!(response.status(), 200);
}

fn key(byte: u8) -> DataKey {
    DataKey::parse(&hex::encode([byte; 32])).unwrap()
}

#[tokio::test]
async fn a_new_data_key_takes_over_while_the_old_one_still_reads() {
    let app = spawn_app_with(|settings| settings.data_key = Some(key(1))).await;
    let entity: Value = app.post("/entities", &corporation_body()).await.json().await.unwrap();
    let entity_id: EntityId = entity["id"].as_str().unwrap().parse().unwrap();
    let session: Value = app
        .post_with_key(
            "/entity_onboarding_sessions",
            &json!({ "program_id": app.program_id, "redirect_url": "https://platform.example.com/done" }),
            "rotating",
        )
        .await
        .json()
        .await
        .unwrap();
    let session_id: SessionId = session["id"].as_str().unwrap().parse().unwrap();
    let group: &GroupId = &app.group_id;
    // A draft of the form, and a webhook secret (its endpoint refuses, so
    // the subscription's own event stays queued).
    let browser = crate::common::form::Browser::new();
    let url = session["session_url"].as_str().unwrap();
    let (_, html) = browser.get(url).await;
    let (step, fields) = crate::common::form::business_journey().remove(0);
    let csrf = crate::common::form::csrf_token(&html);
    let saved = crate::common::form::post_step(&browser, url, &step, &csrf, &fields).await;
    assert_eq!(saved.status(), 303);
    let secret = "a-secret-the-platform-chose";
    let subscribed = app
        .post(
            "/event_subscriptions",
            &json!({ "url": "http://127.0.0.1:9/hooks", "shared_secret": secret }),
        )
        .await;
    assert_eq!(subscribed.status(), 200);

    // Every instance is given the new key, the old one as previous.
    let mut settings = settings_for(&app.database_url);
    settings.data_key = Some(key(2));
    settings.previous_data_keys = vec![key(1)];
    let both = Store::connect(&settings).await.unwrap();
    assert_eq!(
        both.identification_numbers(group, &entity_id)
            .await
            .unwrap()
            .unwrap()
            .len(),
        1
    );

    // Re-sealing goes a batch at a time while both keys keep reading.
    let mut position = ResealPosition::default();
    let mut moved = 0;
    loop {
        let batch = both.reseal_batch(&mut position).await.unwrap();
        moved += batch.total();
        let numbers = both.identification_numbers(group, &entity_id).await.unwrap().unwrap();
        assert_eq!(numbers[0].number.expose(), "078051120");
        if batch.identification_numbers == 0 && position.is_done() {
            break;
        }
    }
    assert_eq!(
        moved, 5,
        "one number, form link, stored response, draft and webhook secret"
    );
    let again = {
        let mut position = ResealPosition::default();
        both.reseal_batch(&mut position).await.unwrap()
    };
    assert_eq!(again.total(), 0, "nothing is left under the old key");

    // The old key is no longer needed.
    let mut settings = settings_for(&app.database_url);
    settings.data_key = Some(key(2));
    let new_only = Store::connect(&settings).await.unwrap();
    let numbers = new_only
        .identification_numbers(group, &entity_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(numbers[0].number.expose(), "078051120");
    let session = new_only.find_session(group, &session_id).await.unwrap().unwrap();
    assert!(session.token.is_some(), "the active session's link is readable");
    let replay = new_only
        .find_response(group, &IdempotencyKey::parse("rotating").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(replay.response_body.contains(session_id.as_str()));
    let later = chrono::Utc::now() + chrono::Duration::days(2);
    let due = new_only.lease_due_deliveries(later, later, 10).await.unwrap();
    assert_eq!(due.len(), 1, "the subscription's own event, still queued");
    assert_eq!(due[0].secret.expose(), secret);
    // ... and an instance left on the old key alone cannot read the new seals.
    assert!(app.store.identification_numbers(group, &entity_id).await.is_err());
}

/// The service as an operator runs it: the SQLite default with its generated
/// key file, journeys through the API and the form, then a look at every
/// byte of the database (WAL included) and of the log.
#[tokio::test]
async fn no_full_number_or_form_link_rests_in_clear_in_the_database_or_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("onboarding.db").display().to_string();
    let server = serve(&db, &[("RUST_LOG", "debug")]);
    let key = server.printed_value("API key:").unwrap();
    let program = server.printed_value("Program ID:").unwrap();
    let client = reqwest::Client::new();
    let api = |method: reqwest::Method, path: &str| {
        client
            .request(method, format!("{}{path}", server.base_url))
            .bearer_auth(&key)
    };
    let mut itin = natural_person_body();
    itin["natural_person"]["identification"] =
        json!({ "method": "individual_taxpayer_identification_number", "number": "912-70-1234" });
    for (body, idempotency_key) in [(corporation_body(), "c"), (natural_person_body(), "p"), (itin, "i")] {
        let response = api(reqwest::Method::POST, "/entities")
            .header("Idempotency-Key", idempotency_key)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    let mut links = Vec::new();
    for submit in [true, false] {
        let session: Value = api(reqwest::Method::POST, "/entity_onboarding_sessions")
            .header("Idempotency-Key", format!("s-{submit}"))
            .json(&json!({ "program_id": program, "redirect_url": "https://platform.example.com/done" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let url = session["session_url"].as_str().unwrap().to_owned();
        if submit {
            let browser = Browser::new();
            let response = complete_business_journey(&browser, &url).await;
            assert_eq!(response.status(), 303);
        }
        links.push(url.split("id=").nth(1).unwrap().to_owned());
    }
    // Read while the server runs, as a crash would leave it: with its
    // write-ahead log, which a clean stop folds into the file and deletes.
    let stored = dump_database(&db).await;
    assert!(
        std::path::Path::new(&format!("{db}-wal")).exists(),
        "the log is read too"
    );
    let log = server.stop();
    assert!(
        log.contains("generated the data key"),
        "the first start says so:\n{log}"
    );
    // The log searched below is whole: it ends with the journey's submit.
    assert!(log.contains("status=303"), "the journey's requests are logged:\n{log}");
    let key_file = format!("{db}.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // A request's fingerprint hashes its body (full numbers included), so it
    // is sealed too: in clear it could be matched against guesses.
    let pool = sqlx::SqlitePool::connect_with(sqlx::sqlite::SqliteConnectOptions::new().filename(&db))
        .await
        .unwrap();
    let fingerprints: Vec<String> = sqlx::query_scalar("SELECT fingerprint FROM idempotency_keys")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert!(fingerprints.len() >= 5, "{fingerprints:?}");
    assert!(fingerprints.iter().all(|f| f.starts_with("v1:")), "{fingerprints:?}");
    assert!(stored.contains("v1:"), "sealed values are there");
    let secrets = [
        "078051120",
        "078-05-1120",
        "X12345678",
        "912701234",
        "912-70-1234",
        "321549876",
        "321-54-9876",
        "234567891",
        "234-56-7891",
    ];
    for secret in secrets.iter().copied().chain(links.iter().map(String::as_str)) {
        assert!(!stored.contains(secret), "{secret} rests in clear in the database");
        assert!(!log.contains(secret), "{secret} is in the log");
    }

    // A restart reads the key file again, quietly, and reveals nothing new.
    let again = serve(&db, &[("RUST_LOG", "debug")]);
    let log = again.stop();
    assert!(!log.contains("generated the data key"), "{log}");
}
