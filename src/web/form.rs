//! `GET {session_url}`: the hosted onboarding form.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;

use super::{PageError, html};
use crate::{
    domain::{session::SessionStatus, time},
    startup::AppState,
};

#[derive(Template)]
#[template(path = "session_form.html")]
struct SessionFormPage<'a> {
    program_name: &'a str,
    expires_at: String,
}

/// The `id` query parameter: the session's secret form token.
fn token(req: &HttpRequest) -> Option<String> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(key, _)| key == "id")
        .map(|(_, value)| value.into_owned())
        .filter(|token| !token.is_empty() && token.len() <= 64)
}

pub async fn show_form(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let token = token(&req).ok_or(PageError::NotFound)?;
    let found = state
        .store
        .find_session_by_token(&token)
        .await?
        .ok_or(PageError::NotFound)?;
    let expires_at = time::from_micros(found.session.expires_at);
    if SessionStatus::effective(&found.session.status, expires_at, state.clock.now()) != SessionStatus::Active {
        return Err(PageError::Gone);
    }
    let page = SessionFormPage {
        program_name: &found.program_name,
        expires_at: expires_at.format("%B %-d, %Y at %H:%M").to_string(),
    };
    Ok(html(StatusCode::OK, page.render().map_err(PageError::internal)?))
}
