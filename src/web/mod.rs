//! The hosted pages customers see in their browser.

pub mod error;
pub mod form;

use actix_web::{HttpResponse, http::StatusCode, web};

pub use error::PageError;

const STYLESHEET: &str = include_str!("../../static/style.css");

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/onboarding/sessions").route(web::get().to(form::show_form)))
        .service(web::resource("/static/style.css").route(web::get().to(stylesheet)));
}

/// An HTML response with the headers every hosted page carries: a strict
/// CSP (no inline or third-party scripts), no referrer (the session token
/// is in the URL), no caching, no framing, no MIME sniffing.
pub fn html(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((
            "Content-Security-Policy",
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self' https: http://localhost:* http://127.0.0.1:*; \
             frame-ancestors 'none'; base-uri 'none'",
        ))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("X-Frame-Options", "DENY"))
        .insert_header(("Cache-Control", "no-store"))
        .body(body)
}

async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(STYLESHEET)
}
