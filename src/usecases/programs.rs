//! Programs.

use chrono::{DateTime, Utc};

use super::{Error, UnitOfWork};
use crate::domain::{
    event::EventCategory,
    ids::{GroupId, IdempotencyKey},
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
