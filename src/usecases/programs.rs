//! Programs.

use chrono::{DateTime, Utc};

use super::{Error, UnitOfWork};
use crate::domain::{
    branding::BrandingChange,
    event::EventCategory,
    ids::{GroupId, IdempotencyKey, ProgramId},
    program::{NewProgram, Program},
};

#[tracing::instrument(skip_all, fields(program_id = %program.id))]
pub async fn create_program(
    work: &mut UnitOfWork,
    group: &GroupId,
    program: &NewProgram,
    idempotency_key: Option<&IdempotencyKey>,
    now: DateTime<Utc>,
) -> Result<Program, Error> {
    let created = work.insert_program(group, program, idempotency_key, now).await?;
    work.record_event(group, EventCategory::ProgramCreated, created.id.as_str(), now)
        .await?;
    Ok(created)
}

/// Changes how a program's hosted pages look and where they may be used,
/// with a `program.updated` event. A change that names no setting changes
/// nothing and makes no event.
#[tracing::instrument(skip_all, fields(program_id = %id))]
pub async fn update_branding(
    work: &mut UnitOfWork,
    group: &GroupId,
    id: &ProgramId,
    change: &BrandingChange,
    now: DateTime<Utc>,
) -> Result<Program, Error> {
    if change.is_empty() {
        return work.find_program(group, id).await?.ok_or(Error::NotFound);
    }
    let updated = work
        .update_branding(group, id, change, now)
        .await?
        .ok_or(Error::NotFound)?;
    work.record_event(group, EventCategory::ProgramUpdated, updated.id.as_str(), now)
        .await?;
    Ok(updated)
}
