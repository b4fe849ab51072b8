//! What operators and orchestrators poll: liveness, readiness and metrics.
//! None of these needs an API key, and none is logged at INFO.

use actix_web::{HttpResponse, http::StatusCode, web};
use serde_json::json;

use crate::{startup::AppState, store::Readiness, telemetry};

/// Paths answered here; the request log keeps them at DEBUG.
pub const PATHS: [&str; 3] = ["/health", "/ready", "/metrics"];

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/health")
            .route(web::get().to(health))
            .route(web::head().to(health)),
    )
    .service(
        web::resource("/ready")
            .route(web::get().to(ready))
            .route(web::head().to(ready)),
    )
    .service(web::resource("/metrics").route(web::get().to(metrics)));
}

/// Liveness: the process answers. Never touches the database.
async fn health() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain; charset=utf-8").body("ok")
}

/// Readiness: 503 while the database cannot be reached or migrations are pending.
async fn ready(state: web::Data<AppState>) -> HttpResponse {
    let (status, body) = match state.store.readiness().await {
        Readiness::Ready => (StatusCode::OK, json!({ "status": "ready" })),
        Readiness::DatabaseUnreachable => (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({ "status": "unavailable", "reason": "the database cannot be reached" }),
        ),
        Readiness::MigrationsPending(count) => (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({ "status": "unavailable", "reason": format!("{count} database migrations are pending") }),
        ),
    };
    HttpResponse::build(status)
        .insert_header(("Cache-Control", "no-store"))
        .json(body)
}

/// The Prometheus text exposition.
async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let usage = state.store.pool_usage();
    metrics::gauge!("onboarding_db_pool_connections").set(f64::from(usage.open));
    metrics::gauge!("onboarding_db_pool_in_use").set(f64::from(usage.in_use));
    let handle = telemetry::metrics();
    handle.run_upkeep();
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(handle.render())
}
