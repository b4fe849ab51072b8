//! A bare actix-web server doing the same JSON and HTML work as the service's
//! benchmarked routes, without a database: the ceiling the service is
//! measured against. Listens on `BASELINE_LISTEN` (default 127.0.0.1:8090)
//! with `BASELINE_WORKERS` workers (default 1); serves the HTML file named by
//! `BASELINE_FORM_PAGE` (the service's own form page, saved by the bench).

use actix_web::{App, HttpResponse, HttpServer, web};
use serde::Serialize;
use serde_json::Value;

#[derive(Serialize)]
struct Session {
    id: String,
    created_at: String,
    entity_id: Option<String>,
    expires_at: String,
    idempotency_key: Option<String>,
    program_id: String,
    redirect_url: String,
    session_url: Option<String>,
    status: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
}

/// A session object like the service's, from the given program and redirect.
fn session(n: usize, program_id: &str, redirect_url: &str) -> Session {
    Session {
        id: format!("entity_onboarding_session_{n:020}"),
        created_at: "2026-11-27T10:00:00Z".to_owned(),
        entity_id: None,
        expires_at: "2026-11-27T16:00:00Z".to_owned(),
        idempotency_key: None,
        program_id: program_id.to_owned(),
        redirect_url: redirect_url.to_owned(),
        session_url: Some(format!("http://127.0.0.1:8080/onboarding/sessions?id={n:032}")),
        status: "active",
        kind: "entity_onboarding_session",
    }
}

async fn create(body: web::Bytes) -> HttpResponse {
    let parsed: Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(_) => return HttpResponse::BadRequest().finish(),
    };
    let program = parsed["program_id"].as_str().unwrap_or_default();
    let redirect = parsed["redirect_url"].as_str().unwrap_or_default();
    HttpResponse::Ok().json(session(body.len(), program, redirect))
}

const PROGRAM: &str = "program_i2v2os4mwza1oetokh9i";
const REDIRECT: &str = "https://platform.example.com/onboarded?ref=42";

async fn retrieve(id: web::Path<String>) -> HttpResponse {
    HttpResponse::Ok().json(session(id.len(), PROGRAM, REDIRECT))
}

#[derive(Serialize)]
struct Page {
    data: Vec<Session>,
    next_cursor: Option<String>,
}

async fn list() -> HttpResponse {
    HttpResponse::Ok().json(Page {
        data: (0..100).map(|n| session(n, PROGRAM, REDIRECT)).collect(),
        next_cursor: Some("djE6MTAw".to_owned()),
    })
}

async fn form(page: web::Data<String>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(page.get_ref().clone())
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listen = std::env::var("BASELINE_LISTEN").unwrap_or_else(|_| "127.0.0.1:8090".to_owned());
    let workers = std::env::var("BASELINE_WORKERS")
        .ok()
        .and_then(|w| w.parse().ok())
        .unwrap_or(1);
    let page = match std::env::var("BASELINE_FORM_PAGE") {
        Ok(path) => std::fs::read_to_string(path)?,
        Err(_) => "<!doctype html><title>form</title>".repeat(600),
    };
    let page = web::Data::new(page);
    HttpServer::new(move || {
        App::new()
            .app_data(page.clone())
            .route("/health", web::get().to(|| async { HttpResponse::Ok().body("ok") }))
            .route("/entity_onboarding_sessions", web::post().to(create))
            .route("/entity_onboarding_sessions", web::get().to(list))
            .route("/entity_onboarding_sessions/{id}", web::get().to(retrieve))
            .route("/onboarding/sessions", web::get().to(form))
    })
    .workers(workers)
    .bind(listen)?
    .run()
    .await
}
