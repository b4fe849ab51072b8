//! Every line logged while a request is handled carries its request id and
//! the client's address, and a failure's whole cause chain is logged once, on
//! the JSON and the HTML path, while the response stays opaque. What a client
//! gets wrong is never an ERROR.

use std::{
    io::Write,
    sync::{Arc, Mutex, OnceLock},
};

use serde_json::Value;
use tracing_subscriber::util::SubscriberInitExt;

use crate::helpers::spawn_app;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The log of this test process, as JSON lines (installed once per binary).
fn log() -> &'static Captured {
    static LOG: OnceLock<Captured> = OnceLock::new();
    LOG.get_or_init(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        // The service's own subscriber, writing JSON lines here.
        onboarding::telemetry::subscriber(
            onboarding::config::LogFormat::Json,
            tracing_subscriber::EnvFilter::new(onboarding::telemetry::DEFAULT_FILTER),
            move || writer.clone(),
            false,
        )
        .init();
        captured
    })
}

/// The log lines of one request.
fn lines_of(request_id: &str) -> Vec<Value> {
    let text = String::from_utf8(log().0.lock().unwrap().clone()).unwrap();
    text.lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["span"]["request_id"] == request_id)
        .collect()
}

fn request_id(response: &reqwest::Response) -> String {
    response.headers()["x-request-id"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_failure_is_logged_once_with_its_cause_and_request_id_on_both_paths() {
    log();
    let app = spawn_app().await;
    let session = app.create_session().await;
    let id = session["id"].as_str().unwrap();
    let form_url = session["session_url"].as_str().unwrap().to_owned();
    // A row this release could never have written: reading it must fail loudly.
    app.execute_sql(&format!(
        "UPDATE entity_onboarding_sessions SET redirect_url = 'javascript:alert(1)' WHERE id = '{id}'"
    ))
    .await;

    let api = app.get(&format!("/entity_onboarding_sessions/{id}")).await;
    assert_eq!(api.status(), 500);
    let api_request = request_id(&api);
    let body = api.text().await.unwrap();
    assert!(
        body.contains("internal_server_error") && !body.contains("redirect_url"),
        "opaque: {body}"
    );

    let page = app.client.get(&form_url).send().await.unwrap();
    assert_eq!(page.status(), 500);
    let page_request = request_id(&page);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Something went wrong") && !html.contains("redirect_url"),
        "opaque page"
    );

    for (request, message) in [(api_request, "request failed"), (page_request, "page failed")] {
        let lines = lines_of(&request);
        let errors: Vec<&Value> = lines.iter().filter(|line| line["level"] == "ERROR").collect();
        assert_eq!(errors.len(), 1, "one error line for {request}: {lines:?}");
        assert_eq!(errors[0]["message"], message);
        let cause = errors[0]["error"].as_str().unwrap();
        assert!(
            cause.contains("stored data is unreadable") && cause.contains("redirect_url"),
            "{cause}"
        );
        assert!(
            lines
                .iter()
                .any(|line| line["message"] == "request" && line["status"] == 500),
            "the request's own line carries its id too: {lines:?}"
        );
    }
}

#[tokio::test]
async fn the_probes_are_not_logged_at_info() {
    log();
    let app = spawn_app().await;
    for path in ["/health", "/ready", "/metrics"] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert!(
            lines_of(&request_id(&response)).is_empty(),
            "{path} is polled: no INFO line"
        );
    }
    let api = app.get("/programs").await;
    let lines = lines_of(&request_id(&api));
    assert!(!lines.is_empty(), "an API request is logged");
    assert!(
        lines.iter().all(|line| line["span"]["client_ip"] == "127.0.0.1"),
        "with the client's address: {lines:?}"
    );
}

/// Every captured line.
fn all_lines() -> Vec<Value> {
    let text = String::from_utf8(log().0.lock().unwrap().clone()).unwrap();
    text.lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .collect()
}

/// Sends `raw` on a new connection and returns what came back before the
/// server closed it.
async fn send_raw(app: &crate::helpers::TestApp, raw: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap();
    stream.write_all(raw).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(std::time::Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("the server closes a connection after a malformed request")
        .unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn malformed_requests_are_answered_400_and_never_logged_as_errors() {
    log();
    let app = spawn_app().await;
    let malformed: [&[u8]; 4] = [
        b"GET /programs HTTP/1.1 extra\r\nHost: x\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all\r\n\r\n",
        b"GET /programs HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n",
        b"GET /programs HTTP/1.1\r\nHost: x\r\nX-Nul: a\x00b\r\n\r\n",
    ];
    for raw in malformed {
        let answer = send_raw(&app, raw).await;
        assert!(answer.starts_with("HTTP/1.1 400"), "{raw:?}: {answer}");
    }
    // The server is still well and answers the next client.
    assert_eq!(app.get("/programs").await.status(), 200);
    let errors: Vec<Value> = all_lines()
        .into_iter()
        .filter(|line| line["level"] == "ERROR" && line["target"].as_str().is_some_and(|t| t.starts_with("actix")))
        .collect();
    assert!(
        errors.is_empty(),
        "a client's malformed request is not an error: {errors:?}"
    );
}
