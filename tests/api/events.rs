//! Events, Event Subscriptions and webhook delivery.

use std::time::Duration;

use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::{
    common::{
        form::{Browser, complete_business_journey},
        receiver::{Received, Receiver},
    },
    entities::corporation_body,
    helpers::{TestApp, assert_error, error_fields, spawn_app, spawn_app_with},
};

async fn subscribe(app: &TestApp, body: Value) -> Value {
    let response = app.post("/event_subscriptions", &body).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Checks the Standard Webhooks signature the way the SDKs do: HMAC-SHA256
/// keyed by the secret's bytes over `id.timestamp.body`.
fn verify(received: &Received, secret: &str) {
    let id = &received.headers["webhook-id"];
    let timestamp = &received.headers["webhook-timestamp"];
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{id}.{timestamp}.{}", received.body).as_bytes());
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    assert_eq!(received.headers["webhook-signature"], expected);
    let legacy = &received.headers["increase-webhook-signature"];
    let (t, v1) = legacy.strip_prefix("t=").unwrap().split_once(",v1=").unwrap();
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{}", received.body).as_bytes());
    assert_eq!(v1, hex::encode(mac.finalize().into_bytes()));
}

async fn quick_app() -> TestApp {
    spawn_app_with(|settings| {
        settings.webhook_retry_base = Duration::from_millis(200);
        settings.webhook_timeout = Duration::from_secs(2);
    })
    .await
}

#[tokio::test]
async fn a_form_submission_is_delivered_signed_and_retried_with_the_same_webhook_id() {
    let app = quick_app().await;
    let receiver = Receiver::start(&[500, 503]);
    let secret = "a-secret-the-platform-chose";
    let subscription = subscribe(
        &app,
        json!({ "url": receiver.url, "shared_secret": secret, "selected_event_categories": [{ "event_category": "entity.created" }] }),
    )
    .await;
    assert_eq!(subscription["type"], "event_subscription");
    assert!(subscription["shared_secret"].is_null(), "a given secret is never shown");
    let shown = app
        .get(&format!(
            "/event_subscriptions/{}",
            subscription["id"].as_str().unwrap()
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(!shown.contains(secret), "{shown}");

    let browser = Browser::new();
    let session = app.create_session().await;
    let url = session["session_url"].as_str().unwrap();
    assert_eq!(complete_business_journey(&browser, url).await.status(), 303);
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

    let received = receiver.wait_for(3, Duration::from_secs(20)).await;
    assert_eq!(received.len(), 3, "two failures, then the success: {received:?}");
    let ids: Vec<&str> = received.iter().map(|r| r.headers["webhook-id"].as_str()).collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    for attempt in &received {
        verify(attempt, secret);
        assert_eq!(attempt.headers["content-type"], "application/json");
    }
    let event: Value = serde_json::from_str(&received[2].body).unwrap();
    assert_eq!(event["category"], "entity.created");
    assert_eq!(event["associated_object_type"], "entity");
    assert_eq!(event["associated_object_id"], entity_id);
    assert_eq!(event["id"], ids[0]);
    // The delivered object is the one the API shows.
    let fetched: Value = app.get(&format!("/events/{}", ids[0])).await.json().await.unwrap();
    assert_eq!(fetched, event);
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(receiver.received().len(), 3, "nothing more once delivered");
}

#[tokio::test]
async fn disabled_and_deleted_subscriptions_receive_nothing_and_others_are_not_held_up() {
    let app = quick_app().await;
    let silent = Receiver::start(&[]);
    let failing = Receiver::start(&[500; 50]);
    let working = Receiver::start(&[]);
    let disabled = subscribe(&app, json!({ "url": silent.url, "status": "disabled" })).await;
    assert_eq!(disabled["status"], "disabled");
    assert!(
        disabled["shared_secret"].as_str().unwrap().len() == 48,
        "generated and shown once"
    );
    let deleted = subscribe(&app, json!({ "url": silent.url, "status": "disabled" })).await;
    let path = format!("/event_subscriptions/{}", deleted["id"].as_str().unwrap());
    let response = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&app.api_key)
        .json(&json!({ "status": "deleted" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.json::<Value>().await.unwrap()["status"], "deleted");
    let response = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&app.api_key)
        .json(&json!({ "status": "active" }))
        .send()
        .await
        .unwrap();
    assert_error(response, 409, "invalid_operation_error").await;
    subscribe(&app, json!({ "url": failing.url })).await;
    subscribe(&app, json!({ "url": working.url })).await;

    let entity: Value = app.post("/entities", &corporation_body()).await.json().await.unwrap();
    // Its own `event_subscription.created`, then the Entity's.
    let delivered = working.wait_for(2, Duration::from_secs(10)).await;
    let events: Vec<Value> = delivered
        .iter()
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect();
    let seen: Vec<(&str, &str)> = events
        .iter()
        .map(|e| {
            (
                e["category"].as_str().unwrap(),
                e["associated_object_type"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("event_subscription.created", "event_subscription"),
            ("entity.created", "entity")
        ]
    );
    assert_eq!(events[1]["associated_object_id"], entity["id"]);
    assert!(
        failing.wait_for(2, Duration::from_secs(10)).await.len() >= 2,
        "the failing one is retried meanwhile"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(silent.received().is_empty(), "{:?}", silent.received());
    // Deleted subscriptions are not listed.
    let listed: Value = app.get("/event_subscriptions").await.json().await.unwrap();
    assert_eq!(listed["data"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn session_events_are_opt_in_and_listed_only_when_named() {
    let app = quick_app().await;
    let receiver = Receiver::start(&[]);
    subscribe(
        &app,
        json!({ "url": receiver.url, "selected_event_categories": [
            { "event_category": "entity_onboarding_session.created" },
            { "event_category": "entity_onboarding_session.opened" },
            { "event_category": "entity_onboarding_session.expired" },
        ] }),
    )
    .await;
    let session = app.create_session().await;
    let session_id = session["id"].as_str().unwrap();
    let browser = Browser::new();
    for _ in 0..2 {
        assert_eq!(browser.get(session["session_url"].as_str().unwrap()).await.0, 200);
    }
    app.post_action(&format!("/entity_onboarding_sessions/{session_id}/expire"))
        .await;
    let received = receiver.wait_for(3, Duration::from_secs(10)).await;
    let categories: Vec<String> = received
        .iter()
        .map(|r| {
            serde_json::from_str::<Value>(&r.body).unwrap()["category"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        categories,
        [
            "entity_onboarding_session.created",
            "entity_onboarding_session.opened",
            "entity_onboarding_session.expired"
        ],
        "opened once, however often the form is loaded"
    );

    let listed: Value = app.get("/events").await.json().await.unwrap();
    let listed: Vec<&str> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["category"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ["event_subscription.created"], "session events only when named");
    let named: Value = app
        .get(&format!("/events?category.in=entity_onboarding_session.opened,entity_onboarding_session.created&associated_object_id={session_id}&order_by.direction=ascending"))
        .await
        .json()
        .await
        .unwrap();
    let named: Vec<(&str, &str)> = named["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["category"].as_str().unwrap(),
                e["associated_object_type"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        named,
        [
            ("entity_onboarding_session.created", "entity_onboarding_session"),
            ("entity_onboarding_session.opened", "entity_onboarding_session")
        ]
    );
}

#[tokio::test]
async fn events_list_by_category_object_and_time_and_page_either_way() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let entity: Value = app.post("/entities", &corporation_body()).await.json().await.unwrap();
        ids.push(entity["id"].as_str().unwrap().to_owned());
    }
    let archived = &ids[0];
    app.post_action(&format!("/entities/{archived}/archive")).await;
    let page: Value = app
        .get("/events?category.in=entity.created&limit=2")
        .await
        .json()
        .await
        .unwrap();
    let objects: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["associated_object_id"].as_str().unwrap())
        .collect();
    assert_eq!(objects, [ids[2].as_str(), ids[1].as_str()], "newest first");
    let cursor = page["next_cursor"].as_str().unwrap();
    let next: Value = app
        .get(&format!("/events?category.in=entity.created&limit=2&cursor={cursor}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(next["data"][0]["associated_object_id"], ids[0].as_str());
    assert!(next["next_cursor"].is_null());
    let oldest: Value = app
        .get("/events?category.in=entity.created&order_by.direction=ascending&order_by.field=created_at&limit=1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(oldest["data"][0]["associated_object_id"], ids[0].as_str());
    let about: Value = app
        .get(&format!("/events?associated_object_id={archived}"))
        .await
        .json()
        .await
        .unwrap();
    let categories: Vec<&str> = about["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["category"].as_str().unwrap())
        .collect();
    assert_eq!(categories, ["entity.updated", "entity.created"]);
    let future: Value = app
        .get("/events?created_at.after=2999-01-01T00:00:00Z")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(future["data"], json!([]));
    assert_eq!(app.get("/events?limit=1000").await.status(), 200);
    for (query, field) in [
        ("limit=1001", "limit"),
        ("category.in=account.created", "category.in"),
        ("order_by.direction=sideways", "order_by.direction"),
        ("created_at.after=yesterday", "created_at.after"),
    ] {
        let error = assert_error(
            app.get(&format!("/events?{query}")).await,
            400,
            "invalid_parameters_error",
        )
        .await;
        assert_eq!(error_fields(&error), vec![field], "{query}");
    }
    assert_error(
        app.get("/events/event_00000000000000000000").await,
        404,
        "object_not_found_error",
    )
    .await;
    let other = app.other_group_key().await;
    let theirs: Value = app
        .client
        .get(app.url("/events"))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(theirs["data"], json!([]), "another group sees none of these");
}

#[tokio::test]
async fn subscriptions_refuse_bad_urls_categories_and_secrets() {
    let app = spawn_app().await;
    for (body, field) in [
        (json!({}), "url"),
        (json!({ "url": "http://platform.example.com/hooks" }), "url"),
        (json!({ "url": "https://a.example;x/" }), "url"),
        (
            json!({ "url": "https://platform.example.com/h", "selected_event_categories": [{ "event_category": "card.created" }] }),
            "selected_event_categories.0.event_category",
        ),
        (
            json!({ "url": "https://platform.example.com/h", "selected_event_categories": [] }),
            "selected_event_categories",
        ),
        (
            json!({ "url": "https://platform.example.com/h", "shared_secret": "short" }),
            "shared_secret",
        ),
        (
            json!({ "url": "https://platform.example.com/h", "status": "deleted" }),
            "status",
        ),
        (
            json!({ "url": "https://platform.example.com/h", "oauth_connection_id": "x" }),
            "oauth_connection_id",
        ),
    ] {
        let error = assert_error(
            app.post("/event_subscriptions", &body).await,
            400,
            "invalid_parameters_error",
        )
        .await;
        assert_eq!(error_fields(&error), vec![field], "{body}");
    }
    // Older SDKs select one category this way.
    let one = subscribe(
        &app,
        json!({ "url": "https://platform.example.com/h", "selected_event_category": "entity.updated" }),
    )
    .await;
    assert_eq!(
        one["selected_event_categories"],
        json!([{ "event_category": "entity.updated" }])
    );
    let all = subscribe(&app, json!({ "url": "https://platform.example.com/h" })).await;
    assert_eq!(all["selected_event_categories"], Value::Null);
}

#[tokio::test]
async fn a_change_that_rolls_back_leaves_no_event() {
    let app = spawn_app().await;
    let before: Value = app.get("/events").await.json().await.unwrap();
    let mut work = app.store.begin().await.unwrap();
    work.record_event(
        &app.group_id,
        onboarding::domain::event::EventCategory::EntityCreated,
        "entity_00000000000000000000",
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    drop(work);
    let after: Value = app.get("/events").await.json().await.unwrap();
    assert_eq!(before, after);
    // And an invalid request (rolled back by validation) makes none either.
    let mut bad = corporation_body();
    bad["corporation"]["legal_identifier"]["value"] = json!("nope");
    assert_eq!(app.post("/entities", &bad).await.status(), 400);
    let after: Value = app.get("/events").await.json().await.unwrap();
    assert_eq!(before, after);
}

#[tokio::test]
async fn a_delivery_for_an_inactive_subscription_or_an_unreadable_secret_fails_alone() {
    let app = quick_app().await;
    let stray = Receiver::start(&[]);
    let broken = Receiver::start(&[]);
    let working = Receiver::start(&[]);
    let disabled = subscribe(&app, json!({ "url": stray.url, "status": "disabled" })).await;
    let unreadable = subscribe(
        &app,
        json!({ "url": broken.url, "selected_event_categories": [{ "event_category": "entity.created" }] }),
    )
    .await;
    subscribe(
        &app,
        json!({ "url": working.url, "selected_event_categories": [{ "event_category": "entity.created" }] }),
    )
    .await;
    // A delivery queued for the disabled subscription by a change that
    // raced its disabling, and a secret no configured key opens.
    let event: Value = app.get("/events?limit=1").await.json().await.unwrap();
    let event_id = event["data"][0]["id"].as_str().unwrap();
    app.execute_sql(&format!(
        "INSERT INTO webhook_deliveries (event_id, subscription_id, status, next_attempt_at, created_at)
         SELECT '{event_id}', '{}', 'pending', created_at, created_at FROM events WHERE id = '{event_id}'",
        disabled["id"].as_str().unwrap()
    ))
    .await;
    app.execute_sql(&format!(
        "UPDATE event_subscriptions SET secret_sealed = 'v1:00000000:AAAA' WHERE id = '{}'",
        unreadable["id"].as_str().unwrap()
    ))
    .await;

    let entity: Value = app.post("/entities", &corporation_body()).await.json().await.unwrap();
    let delivered = working.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(delivered.len(), 1, "the working subscription is not held up");
    let event: Value = serde_json::from_str(&delivered[0].body).unwrap();
    assert_eq!(event["associated_object_id"], entity["id"]);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(stray.received().is_empty() && broken.received().is_empty());
    let records = app.store.recent_deliveries(None, 10).await.unwrap();
    let status_of = |subscription: &Value| {
        records
            .iter()
            .find(|r| r.subscription_id == subscription["id"].as_str().unwrap())
            .map(|r| (r.status.clone(), r.last_error.clone().unwrap_or_default()))
            .unwrap()
    };
    let (status, error) = status_of(&disabled);
    assert_eq!(status, "failed");
    assert!(error.contains("no longer active"), "{error}");
    let (status, error) = status_of(&unreadable);
    assert_eq!(status, "failed");
    assert!(error.contains("cannot open"), "{error}");
}
