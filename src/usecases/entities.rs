//! Entities created by platforms, and the sandbox's validation and archive actions.

use chrono::{DateTime, Utc};

use super::{Error, NotAllowed, UnitOfWork};
use crate::{
    domain::{
        entity::{Entity, EntityDetails},
        event::EventCategory,
        ids::{EntityId, GroupId, IdempotencyKey},
        onboarding::Problem,
        validation::{IssueCategory, Validation, ValidationIssue},
    },
    store::NewEntity,
};

/// Creates an Entity from details the platform gave (`POST /entities`). It
/// starts `pending` validation, unconfirmed: its outstanding tasks say what
/// the hosted form will still ask for.
#[tracing::instrument(skip_all)]
pub async fn create_entity(
    work: &mut UnitOfWork,
    group: &GroupId,
    details: &EntityDetails,
    description: Option<&str>,
    idempotency_key: Option<&IdempotencyKey>,
    now: DateTime<Utc>,
) -> Result<Entity, Error> {
    let id = EntityId::generate();
    let entity = NewEntity {
        id: &id,
        details,
        description,
        creating_session_id: None,
        idempotency_key,
        details_confirmed_at: None,
        validation: &Validation::pending(),
        terms_agreement: None,
    };
    let created = work.insert_entity(group, &entity, now).await?;
    work.record_event(group, EventCategory::EntityCreated, id.as_str(), now)
        .await?;
    Ok(created)
}

/// A validation issue as the sandbox asks for it: an owner issue names one of
/// the Entity's owners by ID, or (when omitted) its first owner.
#[derive(Debug, Clone)]
pub struct RequestedIssue {
    pub category: IssueCategory,
    pub beneficial_owner_id: Option<String>,
}

/// Sandbox: sets the Entity's validation issues (none means `valid`).
#[tracing::instrument(skip_all, fields(entity_id = %id))]
pub async fn update_validation(
    work: &mut UnitOfWork,
    group: &GroupId,
    id: &EntityId,
    requested: &[RequestedIssue],
    now: DateTime<Utc>,
) -> Result<Entity, Error> {
    let entity = work.lock_entity(group, id).await?.ok_or(Error::NotFound)?;
    let issues = issues_for(&entity, requested)?;
    let updated = work
        .set_entity_validation(group, id, &Validation::from_issues(issues), now)
        .await?;
    work.record_event(group, EventCategory::EntityUpdated, id.as_str(), now)
        .await?;
    Ok(updated)
}

/// The issues, with each owner issue tied to one of the Entity's owners.
fn issues_for(entity: &Entity, requested: &[RequestedIssue]) -> Result<Vec<ValidationIssue>, Error> {
    let owners = entity.details.beneficial_owners();
    let mut problems = Vec::new();
    let mut issues = Vec::new();
    for (index, issue) in requested.iter().enumerate() {
        if !issue.category.names_an_owner() {
            if issue.beneficial_owner_id.is_some() {
                problems.push(Problem {
                    path: format!("issues.{index}.beneficial_owner_id"),
                    message: "must be omitted: this category is about the Entity, not a beneficial owner".to_owned(),
                });
                continue;
            }
            issues.push(ValidationIssue {
                category: issue.category,
                beneficial_owner_id: None,
            });
            continue;
        }
        let owner = match &issue.beneficial_owner_id {
            Some(wanted) => owners.iter().find(|o| o.id.as_str() == wanted).ok_or_else(|| Problem {
                path: format!("issues.{index}.beneficial_owner_id"),
                message: "is not a beneficial owner of this Entity".to_owned(),
            }),
            None => owners.first().ok_or_else(|| Problem {
                path: format!("issues.{index}.category"),
                message: "the Entity has no beneficial owners".to_owned(),
            }),
        };
        match owner {
            Ok(owner) => issues.push(ValidationIssue {
                category: issue.category,
                beneficial_owner_id: Some(owner.id.clone()),
            }),
            Err(problem) => problems.push(problem),
        }
    }
    if problems.is_empty() {
        Ok(issues)
    } else {
        Err(Error::Invalid(problems))
    }
}

/// Archives the Entity: it can no longer be onboarded.
#[tracing::instrument(skip_all, fields(entity_id = %id))]
pub async fn archive_entity(
    work: &mut UnitOfWork,
    group: &GroupId,
    id: &EntityId,
    now: DateTime<Utc>,
) -> Result<Entity, Error> {
    let archived = work.archive_entity(group, id, now).await?.ok_or(Error::NotFound)?;
    work.record_event(group, EventCategory::EntityUpdated, id.as_str(), now)
        .await?;
    Ok(archived)
}

/// Locks the session's Entity for the rest of the unit of work and refuses
/// to go on when it was archived (or disabled) since the session was made.
/// Taken before the session's row, the order every writer of both follows.
pub(super) async fn ensure_entity_active(
    work: &mut UnitOfWork,
    group: &GroupId,
    entity_id: &EntityId,
) -> Result<(), Error> {
    match work.lock_entity(group, entity_id).await? {
        None => Err(Error::NotFound),
        Some(entity) if !entity.can_be_onboarded() => Err(Error::NotAllowed(NotAllowed::EntityNotActive)),
        Some(_) => Ok(()),
    }
}
