pub use crate::common::*;
use reqwest::Response;
use serde_json::Value;

/// Asserts the Increase error envelope and returns the body.
pub async fn assert_error(response: Response, status: u16, kind: &str) -> Value {
    assert_eq!(response.status().as_u16(), status, "unexpected status");
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"),
        "errors are JSON"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["type"], kind, "{body}");
    assert_eq!(body["status"], status, "{body}");
    assert!(body["title"].is_string(), "{body}");
    assert!(body.get("detail").is_some(), "{body}");
    body
}

/// The fields named in an `invalid_parameters_error`.
pub fn error_fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

/// `GET path` with the app's key, expecting 200: the JSON body.
pub async fn get_json(app: &TestApp, path: &str) -> Value {
    let response = app.get(path).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.json().await.unwrap()
}

/// The categories of the events about `object_id`, newest first.
pub async fn event_categories(app: &TestApp, object_id: &str) -> Vec<String> {
    let events = get_json(app, &format!("/events?associated_object_id={object_id}")).await;
    events["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["category"].as_str().unwrap().to_owned())
        .collect()
}
