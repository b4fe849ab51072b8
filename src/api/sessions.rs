//! Entity Onboarding Sessions (SPEC 3.1).

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

use super::{
    auth::Caller,
    error::{ApiError, FieldError},
    pagination::{ListQuery, ListResponse, Problems},
    request::{JsonWrite, WriteRequest, begin_json_write, discard_body, json},
};
use crate::{
    domain::{
        RedirectUrl,
        ids::{EntityId, IdempotencyKey, ProgramId, SessionId},
        session::{Session, SessionStatus},
        time,
    },
    links,
    startup::AppState,
    store::SessionFilter,
    usecases::sessions::{self as usecase, CreateSession},
};

#[derive(Debug, Serialize)]
pub struct SessionResponse<'a> {
    pub id: &'a SessionId,
    #[serde(serialize_with = "time::serialize")]
    pub created_at: DateTime<Utc>,
    pub entity_id: Option<&'a EntityId>,
    #[serde(serialize_with = "time::serialize")]
    pub expires_at: DateTime<Utc>,
    pub idempotency_key: Option<&'a IdempotencyKey>,
    pub program_id: &'a ProgramId,
    pub redirect_url: &'a str,
    pub session_url: Option<String>,
    pub status: SessionStatus,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

impl<'a> SessionResponse<'a> {
    pub fn new(session: &'a Session, public_url: &Url, now: DateTime<Utc>) -> Self {
        let status = session.status_at(now);
        Self {
            id: &session.id,
            created_at: session.created_at,
            entity_id: session.entity_id.as_ref(),
            expires_at: session.expires_at,
            idempotency_key: session.idempotency_key.as_ref(),
            program_id: &session.program_id,
            redirect_url: session.redirect_url.as_str(),
            session_url: (status == SessionStatus::Active).then(|| links::form_url(public_url, &session.token)),
            status,
            kind: "entity_onboarding_session",
        }
    }
}

#[derive(Debug, Deserialize)]
struct CreateSessionBody {
    program_id: Option<String>,
    redirect_url: Option<String>,
    entity_id: Option<String>,
}

impl TryFrom<CreateSessionBody> for CreateSession {
    type Error = ApiError;

    fn try_from(body: CreateSessionBody) -> Result<Self, ApiError> {
        let mut problems = Problems::default();
        let program_id = problems.take(match body.program_id.as_deref() {
            None => Err(FieldError::new("program_id", "is required")),
            Some(id) => id
                .parse::<ProgramId>()
                .map_err(|_| FieldError::new("program_id", "no Program with this ID exists")),
        });
        let redirect_url = problems.take(match body.redirect_url.as_deref() {
            None => Err(FieldError::new("redirect_url", "is required")),
            Some(url) => RedirectUrl::parse(url).map_err(|message| FieldError::new("redirect_url", message)),
        });
        let entity_id = problems.take(
            body.entity_id
                .as_deref()
                .map(str::parse::<EntityId>)
                .transpose()
                .map_err(|_| FieldError::new("entity_id", "no Entity with this ID exists")),
        );
        let ((program_id, redirect_url), entity_id) = problems.finish(program_id.zip(redirect_url).zip(entity_id))?;
        Ok(Self {
            program_id,
            redirect_url,
            entity_id,
        })
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
    let request = CreateSession::try_from(body.parse::<CreateSessionBody>()?)?;
    let lifetime = chrono::Duration::from_std(state.settings.session_ttl).map_err(ApiError::internal)?;
    let now = state.clock.now();
    write
        .run(
            &state,
            &caller,
            async |work| {
                usecase::create_session(work, &caller.group_id, request, write.key.as_ref(), lifetime, now).await
            },
            |session| json(SessionResponse::new(session, &state.public_url, now)),
        )
        .await
}

pub async fn retrieve_session(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<SessionId>,
) -> Result<HttpResponse, ApiError> {
    let session = state
        .store
        .find_session(&caller.group_id, &id)
        .await?
        .ok_or(ApiError::ObjectNotFound)?;
    Ok(HttpResponse::Ok().json(SessionResponse::new(&session, &state.public_url, state.clock.now())))
}

pub async fn list_sessions(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query = ListQuery::parse(req.query_string());
    let mut problems = Problems::default();
    let window = problems.take_all(query.window());
    let statuses = problems.take(query.list("status.in", "active, expired"));
    let idempotency_key = problems.take(query.value("idempotency_key", IdempotencyKey::parse));
    let ((window, statuses), idempotency_key) = problems.finish(window.zip(statuses).zip(idempotency_key))?;
    let now = state.clock.now();
    let filter = SessionFilter {
        statuses,
        idempotency_key,
    };
    let page = state
        .store
        .list_sessions(&caller.group_id, &filter, window, now)
        .await?;
    Ok(HttpResponse::Ok().json(ListResponse::new(&page, |session| {
        SessionResponse::new(session, &state.public_url, now)
    })))
}

pub async fn expire_session(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<SessionId>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    discard_body(&req, payload, state.settings.max_body_bytes).await?;
    let write = WriteRequest::new(&req, "")?;
    let now = state.clock.now();
    write
        .run(
            &state,
            &caller,
            async |work| usecase::expire_session(work, &caller.group_id, &id, now).await,
            |session| json(SessionResponse::new(session, &state.public_url, now)),
        )
        .await
}

/// Sandbox: acts as if the customer submitted the hosted form.
pub async fn simulate_submit(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<SessionId>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    discard_body(&req, payload, state.settings.max_body_bytes).await?;
    let write = WriteRequest::new(&req, "")?;
    let now = state.clock.now();
    write
        .run(
            &state,
            &caller,
            async |work| usecase::simulate_submit(work, &caller.group_id, &id, now).await,
            |session| json(SessionResponse::new(session, &state.public_url, now)),
        )
        .await
}
