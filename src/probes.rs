//! What operators and orchestrators poll: liveness, readiness and metrics.
//! None of these needs an API key, and none is logged at INFO.

use actix_web::{HttpResponse, http::StatusCode, web};

use crate::{startup::AppState, store::Readiness, telemetry};

/// What `GET /ready` answers.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct ReadinessBody {
    /// `ready`, or `unavailable` with the reason.
    #[schema(pattern = "^(ready|unavailable)$")]
    status: &'static str,
    /// Why the service is not ready (`null` when it is).
    reason: Option<String>,
}

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
#[utoipa::path(
    get,
    path = "/health",
    tag = "Service",
    operation_id = "check_health",
    responses((status = 200, description = "The process is up", content_type = "text/plain", body = String)),
)]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain; charset=utf-8").body("ok")
}

/// Readiness: 503 while the database cannot be reached or migrations are pending.
#[utoipa::path(
    get,
    path = "/ready",
    tag = "Service",
    operation_id = "check_readiness",
    responses(
        (status = 200, description = "Ready: the database answers and is up to date", body = ReadinessBody),
        (status = 503, description = "Not ready, with the reason", body = ReadinessBody),
    ),
)]
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    let unavailable = |reason: String| {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            ReadinessBody {
                status: "unavailable",
                reason: Some(reason),
            },
        )
    };
    // A readiness probe must answer quickly, even when the pool is exhausted.
    let readiness = tokio::time::timeout(std::time::Duration::from_secs(1), state.store.readiness())
        .await
        .unwrap_or(Readiness::DatabaseUnreachable);
    let (status, body) = match readiness {
        Readiness::Ready => (
            StatusCode::OK,
            ReadinessBody {
                status: "ready",
                reason: None,
            },
        ),
        Readiness::DatabaseUnreachable => unavailable("the database cannot be reached".to_owned()),
        Readiness::MigrationsPending(count) => unavailable(format!("{count} database migrations are pending")),
    };
    HttpResponse::build(status)
        .insert_header(("Cache-Control", "no-store"))
        .json(body)
}

/// The Prometheus text exposition.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "Service",
    operation_id = "export_metrics",
    responses((status = 200, description = "Metrics in the Prometheus text format", content_type = "text/plain", body = String)),
)]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let usage = state.store.pool_usage();
    metrics::gauge!("onboarding_db_pool_connections").set(f64::from(usage.open));
    metrics::gauge!("onboarding_db_pool_in_use").set(f64::from(usage.in_use));
    // Rendering folds the samples recorded since the last upkeep first.
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(telemetry::metrics().render())
}
