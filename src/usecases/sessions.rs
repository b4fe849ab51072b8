//! Entity Onboarding Sessions: create, expire, and the sandbox submission.

use chrono::{DateTime, Duration, Utc};

use super::{Error, NotAllowed, UnitOfWork};
use crate::domain::{
    RedirectUrl,
    branding::{Origin, join_origins},
    entity::sandbox_corporation,
    event::EventCategory,
    ids::{EntityId, FormToken, GroupId, IdempotencyKey, ProgramId, SessionId},
    locale::Locale,
    session::{NewSession, Session},
    validation::Validation,
};
use crate::store::NewEntity;

/// What a platform asks for when it creates a session (already parsed).
#[derive(Debug, Clone)]
pub struct CreateSession {
    pub program_id: ProgramId,
    pub redirect_url: RedirectUrl,
    pub entity_id: Option<EntityId>,
    /// The language of the hosted pages, if the platform chose one.
    pub locale: Option<Locale>,
}

/// Creates a session for a Program (and optionally an existing, active
/// Entity) of the caller's group, valid for `lifetime`.
#[tracing::instrument(skip_all, fields(program_id = %request.program_id))]
pub async fn create_session(
    work: &mut UnitOfWork,
    group: &GroupId,
    request: CreateSession,
    idempotency_key: Option<&IdempotencyKey>,
    lifetime: Duration,
    now: DateTime<Utc>,
) -> Result<Session, Error> {
    if let Some(entity_id) = &request.entity_id {
        match work.lock_entity(group, entity_id).await? {
            None => return Err(Error::invalid("entity_id", "no Entity with this ID exists")),
            Some(entity) if !entity.can_be_onboarded() => {
                return Err(Error::invalid(
                    "entity_id",
                    "the Entity is archived or disabled and cannot be onboarded",
                ));
            }
            Some(_) => {}
        }
    }
    let session = NewSession {
        id: SessionId::generate(),
        program_id: request.program_id,
        entity_id: request.entity_id,
        redirect_url: request.redirect_url,
        token: FormToken::generate(),
        expires_at: now + lifetime,
        locale: request.locale,
    };
    // The program and its redirect allow-list are checked by the insert
    // itself (one statement less); only a refusal reads the program.
    let Some(created) = work.insert_session(group, &session, idempotency_key, now).await? else {
        return Err(match work.find_program(group, &session.program_id).await? {
            None => Error::invalid("program_id", "no Program with this ID exists"),
            Some(program) => Error::invalid(
                "redirect_url",
                format!(
                    "must point at one of the program's allowed redirect origins ({}); {} is not one of them",
                    program
                        .branding
                        .allowed_redirect_origins
                        .as_deref()
                        .map(join_origins)
                        .unwrap_or_default()
                        .replace(' ', ", "),
                    Origin::of(&session.redirect_url)
                        .map_or_else(|| "its origin".to_owned(), |o| o.as_str().to_owned()),
                ),
            ),
        });
    };
    work.record_event(group, EventCategory::SessionCreated, created.id.as_str(), now)
        .await?;
    work.after_commit(|| metrics::counter!("onboarding_sessions_created_total").increment(1));
    Ok(created)
}

/// Ends an active session now; an expired one is returned unchanged.
#[tracing::instrument(skip_all, fields(session_id = %id))]
pub async fn expire_session(
    work: &mut UnitOfWork,
    group: &GroupId,
    id: &SessionId,
    now: DateTime<Utc>,
) -> Result<Session, Error> {
    let (session, ended_now) = work.expire_session(group, id, now).await?.ok_or(Error::NotFound)?;
    if ended_now {
        work.record_event(group, EventCategory::SessionExpired, id.as_str(), now)
            .await?;
        work.after_commit(|| metrics::counter!("onboarding_sessions_expired_total", "by" => "platform").increment(1));
    }
    Ok(session)
}

/// Sandbox: acts as if the customer submitted the form. Creates an Entity
/// with placeholder data (or confirms the Entity the session was made for),
/// links it, and expires the session, all in the caller's unit of work.
#[tracing::instrument(skip_all, fields(session_id = %id))]
pub async fn simulate_submit(
    work: &mut UnitOfWork,
    group: &GroupId,
    id: &SessionId,
    now: DateTime<Utc>,
) -> Result<Session, Error> {
    // A session made for an Entity cannot change it once it was archived.
    let made_for = work.find_session(group, id).await?.ok_or(Error::NotFound)?.entity_id;
    if let Some(entity_id) = &made_for {
        super::entities::ensure_entity_active(work, group, entity_id).await?;
    }
    let Some(session) = work.claim_session(group, id, None, now).await? else {
        return Err(Error::NotAllowed(NotAllowed::SessionNotActive));
    };
    let entity_id = match session.entity_id {
        Some(entity_id) => {
            work.confirm_entity_details(&entity_id, now).await?;
            work.record_event(group, EventCategory::EntityUpdated, entity_id.as_str(), now)
                .await?;
            entity_id
        }
        None => {
            let entity_id = EntityId::generate();
            let details = sandbox_corporation();
            let entity = NewEntity {
                id: &entity_id,
                details: &details,
                description: None,
                creating_session_id: Some(id),
                idempotency_key: None,
                details_confirmed_at: Some(now),
                validation: &Validation::from_issues(Vec::new()),
                terms_agreement: None,
            };
            work.insert_entity(group, &entity, now).await?;
            work.record_event(group, EventCategory::EntityCreated, entity_id.as_str(), now)
                .await?;
            entity_id
        }
    };
    let submitted = work.link_session_entity(id, &entity_id).await?;
    work.record_event(group, EventCategory::SessionSubmitted, id.as_str(), now)
        .await?;
    work.after_commit(|| metrics::counter!("onboarding_sessions_submitted_total", "via" => "simulation").increment(1));
    Ok(submitted)
}
