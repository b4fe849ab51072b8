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
    http::{
        StatusCode,
        header::{HeaderValue, SET_COOKIE},
    },
    middleware::{Next, from_fn},
    web,
};

use crate::domain::RedirectUrl;

pub use error::PageError;

const STYLESHEET: &str = include_str!("../../static/style.css");
const FAVICON: &str = include_str!("../../static/favicon.svg");

/// Largest accepted form body.
pub(super) const MAX_FORM_BYTES: usize = 64 * 1024;

/// Cookie settings of the form's browser session.
#[derive(Clone)]
pub struct CookieSettings {
    pub key: Key,
    pub secure: bool,
}

/// The name of the form's cookie. (Before it held only the language, it was
/// `onboarding_session`; a new name keeps an old cookie from shadowing it.)
const COOKIE_NAME: &str = "onboarding_language";

pub fn configure(cookies: CookieSettings) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        let csrf_key = web::Data::new(csrf::CsrfKey::derive(cookies.key.master()));
        // The cookie holds only the customer's choice of language (CSRF
        // tokens need none), so it may go with cross-site requests: over
        // https it is `SameSite=None; Secure; Partitioned`, which lets it
        // work inside a platform's frame, in a jar of that platform's own.
        // Browsers refuse `SameSite=None` without `Secure`, so over plain
        // http it stays `Lax` (in a frame, the choice is then not kept).
        let same_site = if cookies.secure { SameSite::None } else { SameSite::Lax };
        let sessions = SessionMiddleware::builder(CookieSessionStore::default(), cookies.key)
            .cookie_name(COOKIE_NAME.to_owned())
            .cookie_path(crate::links::SCOPE.to_owned())
            .cookie_http_only(true)
            .cookie_same_site(same_site)
            .cookie_secure(cookies.secure)
            .cookie_content_security(CookieContentSecurity::Private)
            .build();
        let secure = cookies.secure;
        cfg.service(
            web::scope(crate::links::SCOPE)
                .app_data(csrf_key)
                .wrap(sessions)
                .wrap(from_fn(move |req, next| partitioned_cookie(req, next, secure)))
                .wrap(from_fn(limit_rate))
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

/// Adds `Partitioned` to the form's cookie over https (`cookie` 0.16, which
/// actix-web uses, cannot write it): in a platform's frame the cookie then
/// lives in a jar of that platform's own, as browsers that limit
/// third-party cookies require, and it can never follow the customer
/// across sites.
async fn partitioned_cookie(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
    secure: bool,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut response = next.call(req).await?;
    if secure {
        let headers = response.headers_mut();
        let cookies: Vec<HeaderValue> = headers.get_all(SET_COOKIE).cloned().collect();
        if cookies.iter().any(|c| c.as_bytes().starts_with(COOKIE_NAME.as_bytes())) {
            headers.remove(SET_COOKIE);
            for cookie in cookies {
                let ours = cookie.as_bytes().starts_with(COOKIE_NAME.as_bytes());
                let value = match cookie.to_str() {
                    Ok(text) if ours && !text.contains("Partitioned") => {
                        HeaderValue::from_str(&format!("{text}; Partitioned")).unwrap_or(cookie)
                    }
                    _ => cookie,
                };
                headers.append(SET_COOKIE, value);
            }
        }
    }
    Ok(response)
}

/// An HTML response with the headers every hosted page carries: a strict
/// CSP (no inline or third-party scripts, the accent style by its hash), no
/// referrer (the session token is in the URL), no caching, no framing but
/// by the program's allowed origins, no MIME sniffing.
pub fn html(status: StatusCode, body: String, brand: &brand::Brand) -> HttpResponse {
    page(status, body, "'self'", brand)
}

/// A form page: its CSP also lets the submission redirect to the platform,
/// by the origin of its `redirect_url` alone.
pub fn html_for_form(
    status: StatusCode,
    body: String,
    redirect_url: &RedirectUrl,
    brand: &brand::Brand,
) -> HttpResponse {
    match redirect_url.form_action_source() {
        Some(source) => page(status, body, &format!("'self' {source}"), brand),
        None => page(status, body, "'self'", brand),
    }
}

fn page(status: StatusCode, body: String, form_action: &str, brand: &brand::Brand) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", brand.content_security_policy(form_action)))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Cache-Control", "no-store"));
    brand.frame_headers(&mut response);
    response.body(body)
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
