//! Clients that open connections and then stall: a request whose head or
//! body stops arriving is answered and cut after the request timeout, and one
//! client holding many stalled connections neither locks out another client
//! nor gets more than its cap of connections.

use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    time::Duration,
};

use serde_json::Value;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::helpers::{TestApp, spawn_app_with};

/// Bounds every wait, so that a server that never answers fails the test
/// instead of hanging it; not a performance limit.
const PATIENCE: Duration = Duration::from_secs(30);

/// A second client on this machine: the loopback network is all of 127/8.
const OTHER_CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

fn server_address(app: &TestApp) -> SocketAddr {
    app.address.trim_start_matches("http://").parse().unwrap()
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(server_address(app)).await.unwrap()
}

/// Everything the server sends until it closes the connection (a reset
/// counts as closing).
async fn read_until_closed(stream: &mut (impl AsyncReadExt + Unpin)) -> String {
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(PATIENCE, stream.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection");
    String::from_utf8_lossy(&answer).into_owned()
}

/// The head of a POST that announces a body of `length` bytes.
fn post_head(app: &TestApp, path: &str, content_type: &str, length: usize) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nContent-Type: {content_type}\r\n\
         Content-Length: {length}\r\n\r\n",
        app.address.trim_start_matches("http://"),
        app.api_key
    )
}

#[tokio::test]
async fn a_body_that_stops_arriving_is_cut_after_the_timeout() {
    let app = spawn_app_with(|settings| settings.request_timeout = Duration::from_secs(1)).await;

    // The JSON API: half a body, then nothing.
    let mut stalled = connect(&app).await;
    let head = post_head(&app, "/entity_onboarding_sessions", "application/json", 200);
    stalled.write_all(head.as_bytes()).await.unwrap();
    stalled.write_all(br#"{"program_id": "#).await.unwrap();
    let answer = read_until_closed(&mut stalled).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("connection: close"), "{answer}");
    let body: Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(body["type"], "malformed_request_error");
    assert_eq!(
        body["detail"],
        "The request body did not arrive within 1 second; the connection is closed."
    );

    // A body dripped a byte at a time never completes either: the timeout
    // is for the whole body, not between bytes.
    let dripped = connect(&app).await;
    let (mut reader, mut writer) = dripped.into_split();
    writer.write_all(head.as_bytes()).await.unwrap();
    let drip = tokio::spawn(async move {
        for byte in br#"{"program_id": "program_"#.iter().cycle().take(200) {
            if writer.write_all(&[*byte]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let answer = read_until_closed(&mut reader).await;
    drip.abort();
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("did not arrive within 1 second"), "{answer}");

    // The hosted form answers with a page.
    let session = app.create_session().await;
    let form = session["session_url"].as_str().unwrap().replace(&app.address, "");
    let mut stalled = connect(&app).await;
    let head = post_head(&app, &form, "application/x-www-form-urlencoded", 500);
    stalled.write_all(head.as_bytes()).await.unwrap();
    stalled.write_all(b"csrf_token=abc&structure=corp").await.unwrap();
    let answer = read_until_closed(&mut stalled).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("text/html") && answer.contains("Your connection was too slow"));

    // Nothing was made of the partial requests.
    let sessions: Value = app.get("/entity_onboarding_sessions").await.json().await.unwrap();
    assert_eq!(
        sessions["data"].as_array().unwrap().len(),
        1,
        "only the form's own session"
    );
}

#[tokio::test]
async fn a_head_that_stops_arriving_is_cut_after_the_timeout() {
    let app = spawn_app_with(|settings| settings.request_timeout = Duration::from_secs(1)).await;
    let mut stalled = connect(&app).await;
    stalled
        .write_all(b"GET /programs HTTP/1.1\r\nHost: x\r\nAuthori")
        .await
        .unwrap();
    let answer = read_until_closed(&mut stalled).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[tokio::test]
async fn stalled_connections_from_one_client_neither_lock_out_another_nor_exceed_its_cap() {
    const CAP: usize = 8;
    const STALLED: usize = 200;
    let app = spawn_app_with(|settings| {
        settings.max_connections_per_ip = u32::try_from(CAP).unwrap();
        // Long enough that the connections below are all opened while the
        // first ones still stall.
        settings.request_timeout = Duration::from_secs(5);
    })
    .await;
    // Every connection from this client (127.0.0.1) is one of the stalled
    // ones: the app's own client is not used until the end.
    let head = post_head(&app, "/entity_onboarding_sessions", "application/json", 1_000);
    let mut connections = Vec::new();
    for _ in 0..STALLED {
        let mut stream = connect(&app).await;
        // A refused connection may already be closed: writing is best effort.
        let _ = stream.write_all(head.as_bytes()).await;
        let _ = stream.write_all(b"{").await;
        connections.push(stream);
    }

    // Meanwhile another client is served at once, on the API and the form.
    let other = reqwest::Client::builder().local_address(OTHER_CLIENT).build().unwrap();
    let response = other
        .post(app.url("/entity_onboarding_sessions"))
        .bearer_auth(&app.api_key)
        .json(&serde_json::json!({ "program_id": app.program_id, "redirect_url": "https://platform.example.com/" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let session: Value = response.json().await.unwrap();
    let page = other
        .get(session["session_url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);

    // The stalling client got its cap: those connections are answered when
    // their body times out; every other one was closed without a word.
    let answers = futures_util::future::join_all(connections.iter_mut().map(read_until_closed)).await;
    let timed_out = answers.iter().filter(|a| a.starts_with("HTTP/1.1 400")).count();
    let closed = answers.iter().filter(|a| a.is_empty()).count();
    assert_eq!((timed_out, closed), (CAP, STALLED - CAP), "{answers:?}");

    // Its slots are free again once its connections are gone.
    drop(connections);
    let mut served = false;
    for _ in 0..50 {
        if let Ok(response) = app.client.get(app.url("/health")).send().await {
            served = response.status() == 200;
            if served {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(served, "the client is served again");
}

#[tokio::test]
async fn no_request_on_a_connection_over_the_cap_is_handled() {
    const CAP: usize = 2;
    let app = spawn_app_with(|settings| {
        settings.max_connections_per_ip = u32::try_from(CAP).unwrap();
        settings.request_timeout = Duration::from_secs(5);
    })
    .await;
    // The cap is taken by stalled requests...
    let mut stalled = Vec::new();
    for _ in 0..CAP {
        let mut stream = connect(&app).await;
        let head = post_head(&app, "/entity_onboarding_sessions", "application/json", 1_000);
        stream.write_all(head.as_bytes()).await.unwrap();
        stalled.push(stream);
    }
    // ... while complete requests follow, each already whole in the
    // server's receive buffer when its connection is accepted.
    let body = format!(
        r#"{{"program_id": "{}", "redirect_url": "https://platform.example.com/"}}"#,
        app.program_id
    );
    let request = post_head(&app, "/entity_onboarding_sessions", "application/json", body.len()) + &body;
    let mut complete = Vec::new();
    for _ in 0..30 {
        let mut stream = connect(&app).await;
        let _ = stream.write_all(request.as_bytes()).await;
        complete.push(stream);
    }
    let answers = futures_util::future::join_all(complete.iter_mut().map(read_until_closed)).await;
    let created = answers.iter().filter(|a| a.starts_with("HTTP/1.1 200")).count();
    assert!(created < answers.len(), "some were over the cap: {answers:?}");
    // Every session that exists was answered: nothing was made on a
    // connection that was refused.
    let other = reqwest::Client::builder().local_address(OTHER_CLIENT).build().unwrap();
    let sessions: Value = other
        .get(app.url("/entity_onboarding_sessions"))
        .bearer_auth(&app.api_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(sessions["data"].as_array().unwrap().len(), created, "{answers:?}");
}

#[tokio::test]
async fn without_a_cap_a_client_may_hold_many_connections() {
    let app = spawn_app_with(|settings| settings.max_connections_per_ip = 0).await;
    let mut connections = Vec::new();
    for _ in 0..40 {
        connections.push(connect(&app).await);
    }
    for stream in &mut connections {
        stream
            .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
    }
    for stream in &mut connections {
        let answer = read_until_closed(stream).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
}
