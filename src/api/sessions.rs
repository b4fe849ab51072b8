//! Entity Onboarding Sessions (SPEC 3.1).

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

use super::{
    auth::Caller,
    error::{ApiError, FieldError},
    pagination::{ListQuery, Page},
    request::{JsonWrite, WriteRequest, begin_json_write, discard_body},
};
use crate::{
    domain::{RedirectUrl, ids, session::SessionStatus, time},
    startup::AppState,
    store::{NewSession, SessionFilter, SessionRow},
};

/// Length of the hosted form token: 32 characters of [a-z0-9], about 165 bits.
const TOKEN_LEN: usize = 32;

#[derive(Debug, Serialize)]
pub struct SessionResponse {
    pub id: String,
    #[serde(serialize_with = "time::serialize")]
    pub created_at: DateTime<Utc>,
    pub entity_id: Option<String>,
    #[serde(serialize_with = "time::serialize")]
    pub expires_at: DateTime<Utc>,
    pub idempotency_key: Option<String>,
    pub program_id: String,
    pub redirect_url: String,
    pub session_url: Option<String>,
    pub status: SessionStatus,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

impl SessionResponse {
    pub fn new(row: &SessionRow, public_url: &Url, now: DateTime<Utc>) -> Self {
        let expires_at = time::from_micros(row.expires_at);
        let status = SessionStatus::effective(&row.status, expires_at, now);
        let session_url = (status == SessionStatus::Active).then(|| session_url(public_url, &row.token));
        Self {
            id: row.id.clone(),
            created_at: time::from_micros(row.created_at),
            entity_id: row.entity_id.clone(),
            expires_at,
            idempotency_key: row.idempotency_key.clone(),
            program_id: row.program_id.clone(),
            redirect_url: row.redirect_url.clone(),
            session_url,
            status,
            kind: "entity_onboarding_session",
        }
    }
}

/// `{public_base_url}/onboarding/sessions?id={token}`
pub fn session_url(public_url: &Url, token: &str) -> String {
    format!(
        "{}/onboarding/sessions?id={token}",
        public_url.as_str().trim_end_matches('/')
    )
}

#[derive(Debug, Deserialize)]
struct CreateSessionBody {
    program_id: Option<String>,
    redirect_url: Option<String>,
    entity_id: Option<String>,
}

impl CreateSessionBody {
    fn into_new_session(self, expires_at: DateTime<Utc>) -> Result<NewSession, ApiError> {
        let mut errors = Vec::new();
        let program_id = match self.program_id {
            None => {
                errors.push(FieldError::new("program_id", "is required"));
                None
            }
            Some(id) if !ids::has_shape(ids::PROGRAM, &id) => {
                errors.push(FieldError::new("program_id", "no Program with this ID exists"));
                None
            }
            Some(id) => Some(id),
        };
        let redirect_url = match self.redirect_url.as_deref().map(RedirectUrl::parse) {
            None => {
                errors.push(FieldError::new("redirect_url", "is required"));
                None
            }
            Some(Err(message)) => {
                errors.push(FieldError::new("redirect_url", message));
                None
            }
            Some(Ok(url)) => Some(url),
        };
        if let Some(id) = &self.entity_id
            && !ids::has_shape(ids::ENTITY, id)
        {
            errors.push(FieldError::new("entity_id", "no Entity with this ID exists"));
        }
        match (program_id, redirect_url) {
            (Some(program_id), Some(redirect_url)) if errors.is_empty() => Ok(NewSession {
                id: ids::new_id(ids::SESSION),
                program_id,
                entity_id: self.entity_id,
                redirect_url: redirect_url.as_str().to_owned(),
                token: ids::random_alphanumeric(TOKEN_LEN),
                expires_at,
            }),
            _ => Err(ApiError::InvalidParameters(errors)),
        }
    }
}

pub async fn create_session(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (body, write) = match begin_json_write(&state, &caller, &req, payload).await? {
        JsonWrite::Replay(response) => return Ok(response),
        JsonWrite::New(body, write) => (body, write),
    };
    let now = state.clock.now();
    let ttl = chrono::Duration::from_std(state.settings.session_ttl).map_err(ApiError::internal)?;
    let session = body.parse::<CreateSessionBody>()?.into_new_session(now + ttl)?;
    let render = |row: &SessionRow| SessionResponse::new(row, &state.public_url, now);
    let outcome = state
        .store
        .insert_session(&caller.group_id, &session, write.idempotency(), now, |row| {
            serde_json::to_string(&render(row))
        })
        .await?;
    write.respond(outcome, render)
}

pub async fn retrieve_session(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    if !ids::has_shape(ids::SESSION, &id) {
        return Err(ApiError::ObjectNotFound);
    }
    let row = state
        .store
        .find_session(&caller.group_id, &id)
        .await?
        .ok_or(ApiError::ObjectNotFound)?;
    Ok(HttpResponse::Ok().json(SessionResponse::new(&row, &state.public_url, state.clock.now())))
}

pub async fn list_sessions(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query = ListQuery::parse(req.query_string());
    let mut errors = Vec::new();
    let page = query.page().unwrap_or_else(|mut bad| {
        errors.append(&mut bad);
        super::pagination::PageRequest {
            limit: 1,
            before_seq: None,
        }
    });
    let statuses = query
        .list("status.in", SessionStatus::parse, "active, expired")
        .unwrap_or_else(|bad| {
            errors.push(bad);
            None
        });
    let idempotency_key = query.get("idempotency_key").map(str::to_owned);
    if !errors.is_empty() {
        return Err(ApiError::InvalidParameters(errors));
    }
    let now = state.clock.now();
    let filter = SessionFilter {
        statuses,
        idempotency_key,
        before_seq: page.before_seq,
        limit: page.fetch_limit(),
    };
    let rows = state.store.list_sessions(&caller.group_id, &filter, now).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        page,
        |row| row.seq,
        |row| SessionResponse::new(row, &state.public_url, now),
    )))
}

pub async fn expire_session(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    discard_body(&req, payload, state.settings.max_body_bytes).await?;
    if !ids::has_shape(ids::SESSION, &id) {
        return Err(ApiError::ObjectNotFound);
    }
    let write = WriteRequest::new(&req, "")?;
    let now = state.clock.now();
    let render = |row: &SessionRow| SessionResponse::new(row, &state.public_url, now);
    let outcome = state
        .store
        .expire_session(&caller.group_id, &id, write.idempotency(), now, |row| {
            serde_json::to_string(&render(row))
        })
        .await?;
    write.respond(outcome, render)
}

/// Sandbox: acts as if the customer submitted the hosted form.
pub async fn simulate_submit(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    discard_body(&req, payload, state.settings.max_body_bytes).await?;
    if !ids::has_shape(ids::SESSION, &id) {
        return Err(ApiError::ObjectNotFound);
    }
    let write = WriteRequest::new(&req, "")?;
    let now = state.clock.now();
    let details = crate::domain::entity::sandbox_corporation();
    let render = |row: &SessionRow| SessionResponse::new(row, &state.public_url, now);
    let outcome = state
        .store
        .submit_session_simulated(&caller.group_id, &id, &details, write.idempotency(), now, |row| {
            serde_json::to_string(&render(row))
        })
        .await?;
    write.respond(outcome, render)
}
