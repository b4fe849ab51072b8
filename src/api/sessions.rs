//! Entity Onboarding Sessions (SPEC 3.1).

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;
use utoipa::ToSchema;

use super::{
    auth::{Caller, SandboxCaller},
    error::{ApiError, FieldError},
    pagination::{ListQuery, ListResponse, Problems},
    request::{WriteRequest, begin_json_write, discard_body, json},
};
use crate::{
    domain::{
        RedirectUrl,
        ids::{EntityId, IdempotencyKey, ProgramId, SessionId},
        locale::Locale,
        session::{Session, SessionStatus},
        time,
    },
    links,
    startup::AppState,
    store::SessionFilter,
    usecases::sessions::{self as usecase, CreateSession},
};

/// An Entity Onboarding Session: a link to the hosted form for one customer.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = EntityOnboardingSession)]
pub struct SessionResponse<'a> {
    pub id: &'a SessionId,
    #[serde(serialize_with = "time::serialize")]
    pub created_at: DateTime<Utc>,
    /// The Entity given at creation, or the one the form created.
    pub entity_id: Option<&'a EntityId>,
    /// When the session expires; past it the session is `expired`.
    #[serde(serialize_with = "time::serialize")]
    pub expires_at: DateTime<Utc>,
    /// The `Idempotency-Key` of the request that created the session.
    pub idempotency_key: Option<&'a IdempotencyKey>,
    pub program_id: &'a ProgramId,
    /// Where the customer's browser goes when the form is done, with
    /// `entity_onboarding_session_id` and `entity_id` added to its query.
    #[schema(format = Uri)]
    pub redirect_url: &'a str,
    /// The hosted form's link; only while the session is `active`.
    #[schema(format = Uri)]
    pub session_url: Option<String>,
    pub status: SessionStatus,
    #[serde(rename = "type")]
    #[schema(schema_with = super::openapi::object_type::session)]
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
            session_url: session
                .token
                .as_ref()
                .filter(|_| status == SessionStatus::Active)
                .map(|token| links::form_url(public_url, token)),
            status,
            kind: "entity_onboarding_session",
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = CreateEntityOnboardingSession)]
struct CreateSessionBody {
    /// The Program the Entity will be onboarded to.
    #[schema(value_type = ProgramId, required = true)]
    program_id: Option<String>,
    /// An absolute `https` URL (plain `http` only for `localhost` and
    /// `127.0.0.1`) of at most 2,000 characters, whose host is a DNS name
    /// or an IP address.
    #[schema(value_type = String, format = Uri, max_length = 2000, required = true)]
    redirect_url: Option<String>,
    /// An existing Entity the form completes instead of creating one.
    #[schema(value_type = Option<EntityId>)]
    entity_id: Option<String>,
    /// The language of the hosted pages: `en` or `es`. Without it, the
    /// customer's browser decides (`Accept-Language`), else English; the
    /// customer can switch on every page. An extension to Increase's API:
    /// the official SDKs send it with `extra_body`.
    #[schema(value_type = Option<Locale>)]
    locale: Option<String>,
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
        let locale = problems.take(
            body.locale
                .as_deref()
                .map(|code| Locale::parse(code).ok_or_else(|| FieldError::new("locale", "must be en or es")))
                .transpose(),
        );
        let (((program_id, redirect_url), entity_id), locale) =
            problems.finish(program_id.zip(redirect_url).zip(entity_id).zip(locale))?;
        Ok(Self {
            program_id,
            redirect_url,
            entity_id,
            locale,
        })
    }
}

#[utoipa::path(
    post,
    path = "/entity_onboarding_sessions",
    tag = "Entity Onboarding Sessions",
    operation_id = "create_an_entity_onboarding_session",
    request_body = CreateSessionBody,
    responses((status = 200, description = "The new session", body = SessionResponse)),
)]
pub async fn create_session(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (body, write) = begin_json_write(&state, &req, payload).await?;
    let request = match body.parse::<CreateSessionBody>().and_then(CreateSession::try_from) {
        Ok(request) => request,
        Err(error) => return write.refuse(&state, &caller, error).await,
    };
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

#[utoipa::path(
    get,
    path = "/entity_onboarding_sessions/{id}",
    tag = "Entity Onboarding Sessions",
    operation_id = "retrieve_an_entity_onboarding_session",
    params(("id" = SessionId, Path, description = "The session's ID.")),
    responses((status = 200, description = "The session", body = SessionResponse)),
)]
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

#[utoipa::path(
    get,
    path = "/entity_onboarding_sessions",
    tag = "Entity Onboarding Sessions",
    operation_id = "list_entity_onboarding_sessions",
    params(
        super::openapi::PageParams,
        ("status.in" = Option<Vec<SessionStatus>>, Query, style = Form, explode = false, min_items = 1,
            description = "Only sessions with one of these statuses (comma-separated)."),
        ("idempotency_key" = Option<IdempotencyKey>, Query,
            description = "Only the session created with this `Idempotency-Key`."),
    ),
    responses((status = 200, description = "A page of sessions, newest first", body = ListResponse<SessionResponse>)),
)]
pub async fn list_sessions(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query = ListQuery::parse(req.query_string())?;
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

#[utoipa::path(
    post,
    path = "/entity_onboarding_sessions/{id}/expire",
    tag = "Entity Onboarding Sessions",
    operation_id = "expire_an_entity_onboarding_session",
    params(("id" = SessionId, Path, description = "The session's ID.")),
    responses((status = 200, description = "The session, now expired (an expired one unchanged)", body = SessionResponse)),
)]
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
#[utoipa::path(
    post,
    path = "/simulations/entity_onboarding_sessions/{id}/submit",
    tag = "Simulations",
    operation_id = "submit_an_entity_onboarding_session",
    params(("id" = SessionId, Path, description = "The ID of an active session.")),
    responses(
        (status = 200, description = "The session, expired with `entity_id` set", body = SessionResponse),
        (status = 409, description = "The session is not active, or its Entity was archived (`invalid_operation_error`)", body = super::error::ErrorBody),
    ),
)]
pub async fn simulate_submit(
    SandboxCaller(caller): SandboxCaller,
    state: web::Data<AppState>,
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
