//! The JSON API, wire-compatible with Increase's.

pub mod auth;
pub mod branding;
pub mod custody;
pub mod entities;
pub mod error;
pub mod events;
pub mod openapi;
pub mod pagination;
pub mod programs;
pub mod request;
pub mod sessions;

use actix_web::{HttpRequest, HttpResponse, Resource, middleware::from_fn, web};

use error::ApiError;

/// A route whose other methods answer with the JSON `api_method_not_found_error`.
fn resource(path: &str) -> Resource {
    web::resource(path).default_service(web::to(method_not_found))
}

pub async fn method_not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::MethodNotFound {
        method: req.method().to_string(),
        path: req.path().to_owned(),
    })
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    // A malformed ID in a path names no object: 404, like an unknown one.
    cfg.app_data(web::PathConfig::default().error_handler(|_, _| ApiError::ObjectNotFound.into()));
    // The document of every route below; public, like `/health`.
    cfg.service(resource("/openapi.json").route(web::get().to(openapi::serve_document)));
    cfg.service(
        web::scope("")
            .wrap(from_fn(auth::authenticate))
            .service(resource("/programs").route(web::get().to(programs::list_programs)))
            .service(resource("/programs/{id}").route(web::get().to(programs::retrieve_program)))
            .service(resource("/simulations/programs").route(web::post().to(programs::create_program)))
            .service(
                resource("/hosted_onboarding/programs/{program_id}/branding")
                    .route(web::get().to(branding::retrieve_branding))
                    .route(web::patch().to(branding::update_branding)),
            )
            .service(
                resource("/entity_onboarding_sessions")
                    .route(web::get().to(sessions::list_sessions))
                    .route(web::post().to(sessions::create_session)),
            )
            .service(resource("/entity_onboarding_sessions/{id}").route(web::get().to(sessions::retrieve_session)))
            .service(
                resource("/entity_onboarding_sessions/{id}/expire").route(web::post().to(sessions::expire_session)),
            )
            .service(
                resource("/simulations/entity_onboarding_sessions/{id}/submit")
                    .route(web::post().to(sessions::simulate_submit)),
            )
            .service(
                resource("/entities")
                    .route(web::get().to(entities::list_entities))
                    .route(web::post().to(entities::create_entity)),
            )
            .service(resource("/entities/{id}").route(web::get().to(entities::retrieve_entity)))
            .service(resource("/entities/{id}/archive").route(web::post().to(entities::archive_entity)))
            .service(
                resource("/entities/{id}/identification_numbers")
                    .route(web::get().to(custody::reveal_identification_numbers)),
            )
            .service(
                resource("/simulations/entities/{id}/update_validation")
                    .route(web::post().to(entities::simulate_update_validation)),
            )
            .service(resource("/events").route(web::get().to(events::list_events)))
            .service(resource("/events/{id}").route(web::get().to(events::retrieve_event)))
            .service(
                resource("/event_subscriptions")
                    .route(web::get().to(events::list_subscriptions))
                    .route(web::post().to(events::create_subscription)),
            )
            .service(
                resource("/event_subscriptions/{id}")
                    .route(web::get().to(events::retrieve_subscription))
                    .route(web::patch().to(events::update_subscription)),
            )
            // Every other path: the JSON 404, or the HTML one under the hosted pages' prefixes.
            .default_service(web::to(crate::startup::not_found)),
    );
}
