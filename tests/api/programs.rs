use serde_json::{Value, json};

use crate::helpers::{assert_error, error_fields, spawn_app};

#[tokio::test]
async fn the_default_program_is_listed_and_retrievable() {
    let app = spawn_app().await;
    let list: Value = app.get("/programs").await.json().await.unwrap();
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert_eq!(list["next_cursor"], Value::Null);
    let program = &list["data"][0];
    assert_eq!(program["id"], app.program_id.as_str());
    // Every key, and no more: `shapes::a_program`.
    assert_eq!(program["type"], "program");
    assert_eq!(program["name"], "Default program");
    let one: Value = app
        .get(&format!("/programs/{}", app.program_id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(&one, program);
}

#[tokio::test]
async fn simulated_programs_are_created_with_the_given_values() {
    let app = spawn_app().await;
    let response = app
        .post(
            "/simulations/programs",
            &json!({ "name": "Acme Cards", "bank": "grasshopper_bank", "lending_maximum_extendable_credit": 5000 }),
        )
        .await;
    assert_eq!(response.status(), 200);
    let program: Value = response.json().await.unwrap();
    assert!(program["id"].as_str().unwrap().starts_with("program_"));
    assert_eq!(program["name"], "Acme Cards");
    assert_eq!(program["bank"], "grasshopper_bank");
    assert_eq!(program["lending"]["maximum_extendable_credit"], 5000);
    let fetched: Value = app
        .get(&format!("/programs/{}", program["id"].as_str().unwrap()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fetched, program);
}

#[tokio::test]
async fn invalid_programs_name_each_bad_field() {
    let app = spawn_app().await;
    let body = assert_error(
        app.post(
            "/simulations/programs",
            &json!({ "bank": "big_bank", "lending_maximum_extendable_credit": -1 }),
        )
        .await,
        400,
        "invalid_parameters_error",
    )
    .await;
    assert_eq!(
        error_fields(&body),
        vec!["name", "bank", "lending_maximum_extendable_credit"]
    );
}

#[tokio::test]
async fn unknown_or_malformed_program_ids_are_not_found() {
    let app = spawn_app().await;
    assert_error(
        app.get("/programs/program_aaaaaaaaaaaaaaaaaaaa").await,
        404,
        "object_not_found_error",
    )
    .await;
    assert_error(app.get("/programs/not-an-id").await, 404, "object_not_found_error").await;
    assert_error(app.get("/programs/%00%27").await, 404, "object_not_found_error").await;
}

#[tokio::test]
async fn programs_of_another_group_are_invisible() {
    let app = spawn_app().await;
    let other_key = app.other_group_key().await;
    let response = app
        .client
        .get(app.url(&format!("/programs/{}", app.program_id)))
        .bearer_auth(&other_key)
        .send()
        .await
        .unwrap();
    assert_error(response, 404, "object_not_found_error").await;
    let list: Value = app
        .client
        .get(app.url("/programs"))
        .bearer_auth(&other_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["data"], json!([]));
}

#[tokio::test]
async fn programs_paginate_newest_first() {
    let app = spawn_app().await;
    for i in 0..4 {
        app.post("/simulations/programs", &json!({ "name": format!("P{i}") }))
            .await;
    }
    let mut names = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/programs?limit=2&cursor={c}"),
            None => "/programs?limit=2".to_owned(),
        };
        let page: Value = app.get(&path).await.json().await.unwrap();
        for p in page["data"].as_array().unwrap() {
            names.push(p["name"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(names, vec!["P3", "P2", "P1", "P0", "Default program"]);
}
