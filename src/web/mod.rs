//! The hosted pages customers see in their browser.

pub mod brand;
pub mod csrf;
pub mod error;
pub mod form;
pub mod i18n;
pub mod journey;
pub mod outstanding;
pub mod pages;
pub mod sections;
pub mod values;
pub mod view;

use actix_session::{SessionMiddleware, config::CookieContentSecurity, storage::CookieSessionStore};
use actix_web::{
    HttpResponse, ResponseError,
    body::{EitherBody, MessageBody},
    cookie::{Key, SameSite},
    dev::{ServiceRequest, ServiceResponse},
    http::StatusCode,
    middleware::{Next, from_fn},
    web,
};

use crate::domain::RedirectUrl;

pub use error::PageError;

const STYLESHEET: &str = include_str!("../../static/style.css");
const FAVICON: &str = include_str!("../../static/favicon.svg");

/// Largest accepted form body.
const MAX_FORM_BYTES: usize = 64 * 1024;

/// Cookie settings of the form's browser session.
#[derive(Clone)]
pub struct CookieSettings {
    pub key: Key,
    pub secure: bool,
}

pub fn configure(cookies: CookieSettings) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        let sessions = SessionMiddleware::builder(CookieSessionStore::default(), cookies.key)
            .cookie_name("onboarding_session".to_owned())
            .cookie_path(crate::links::SCOPE.to_owned())
            .cookie_http_only(true)
            .cookie_same_site(SameSite::Lax)
            .cookie_secure(cookies.secure)
            .cookie_content_security(CookieContentSecurity::Private)
            .build();
        cfg.service(
            web::scope(crate::links::SCOPE)
                .wrap(sessions)
                .wrap(from_fn(limit_rate))
                .app_data(
                    web::FormConfig::default()
                        .limit(MAX_FORM_BYTES)
                        .error_handler(|error, req| {
                            PageError::from_form_error(&error)
                                .in_language(i18n::PageLanguage::of_request(req))
                                .into()
                        }),
                )
                .service(
                    web::resource(crate::links::FORM_ROUTE)
                        .route(web::get().to(form::show_form))
                        .route(web::post().to(form::submit_form)),
                )
                .service(web::resource(crate::links::ATTESTATION_ROUTE).route(web::get().to(form::attestation))),
        )
        .service(web::resource(crate::links::STYLESHEET).route(web::get().to(stylesheet)))
        .service(web::resource(crate::links::FAVICON).route(web::get().to(favicon)))
        .service(web::resource(crate::links::LOGO_ROUTE).route(web::get().to(logo)))
        .service(web::resource(crate::links::FAVICON_ICO).route(web::get().to(favicon)));
    }
}

/// Counts each request for a form page against its client's allowance
/// (`ONBOARDING_RATE_LIMIT_FORM`); over it, a page asks the customer to wait.
async fn limit_rate(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let refused = match (
        req.app_data::<web::Data<crate::startup::AppState>>(),
        crate::edge::client_ip::client_ip(req.request()),
    ) {
        (Some(state), Some(client)) => state.limits.page_request(client).err(),
        _ => None,
    };
    match refused {
        Some(limited) => {
            let page = PageError::RateLimited {
                retry_after: limited.retry_after,
            }
            .in_language(i18n::PageLanguage::of_request(req.request()))
            .error_response();
            Ok(req.into_response(page).map_into_right_body())
        }
        None => Ok(next.call(req).await?.map_into_left_body()),
    }
}

/// An HTML response with the headers every hosted page carries: a strict
/// CSP (no inline or third-party scripts), no referrer (the session token
/// is in the URL), no caching, no framing, no MIME sniffing.
pub fn html(status: StatusCode, body: String) -> HttpResponse {
    page(status, body, "'self'")
}

/// A form page: its CSP also lets the submission redirect to the platform,
/// by the origin of its `redirect_url` alone.
pub fn html_for_form(status: StatusCode, body: String, redirect_url: &RedirectUrl) -> HttpResponse {
    match redirect_url.form_action_source() {
        Some(source) => page(status, body, &format!("'self' {source}")),
        None => page(status, body, "'self'"),
    }
}

fn page(status: StatusCode, body: String, form_action: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((
            "Content-Security-Policy",
            format!(
                "default-src 'none'; style-src 'self'; img-src 'self'; form-action {form_action}; \
                 frame-ancestors 'none'; base-uri 'none'"
            ),
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

async fn favicon() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header(("Cache-Control", "public, max-age=86400"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(FAVICON)
}

/// The logo of a program, by its file name: public (logos are shown to
/// every customer) and cached for good, since its name is its digest.
async fn logo(state: web::Data<crate::startup::AppState>, file_name: web::Path<String>) -> HttpResponse {
    let not_found = || {
        HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .insert_header(("X-Content-Type-Options", "nosniff"))
            .body("Not found")
    };
    let Some(reference) = crate::domain::branding::LogoRef::from_file_name(&file_name) else {
        return not_found();
    };
    match state.store.find_logo(&reference).await {
        Ok(Some((kind, bytes))) if kind == reference.kind => HttpResponse::Ok()
            .content_type(kind.content_type())
            .insert_header(("Cache-Control", "public, max-age=31536000, immutable"))
            .insert_header(("X-Content-Type-Options", "nosniff"))
            .insert_header(("Content-Security-Policy", "default-src 'none'; sandbox"))
            .insert_header(("Cross-Origin-Resource-Policy", "same-site"))
            .body(bytes),
        Ok(_) => not_found(),
        Err(error) => {
            tracing::error!(error = %error, "reading a logo failed");
            HttpResponse::ServiceUnavailable()
                .content_type("text/plain; charset=utf-8")
                .insert_header(("Retry-After", "1"))
                .body("Try again shortly")
        }
    }
}
