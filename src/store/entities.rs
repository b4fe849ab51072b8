//! Entities. The structure's sub-object is stored as one JSON document
//! (`jsonb` on PostgreSQL), as are the validation and the terms agreements.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::types::Json;

use super::{Backend, Conn, Page, Store, StoreError, UnitOfWork, Window, on, position, read, time::Ts};
use crate::domain::{
    entity::{Entity, EntityDetails, EntityStatus, Structure, TermsAgreement},
    ids::{EntityId, GroupId, IdempotencyKey, SessionId},
    validation::{Validation, ValidationStatus},
};

#[derive(sqlx::FromRow)]
struct EntityRow {
    seq: i64,
    id: EntityId,
    structure: Structure,
    status: EntityStatus,
    description: Option<String>,
    details: Json<Value>,
    details_confirmed_at: Option<Ts>,
    creating_entity_onboarding_session_id: Option<SessionId>,
    idempotency_key: Option<IdempotencyKey>,
    validation: Option<Json<Validation>>,
    terms_agreements: Json<Vec<TermsAgreement>>,
    created_at: Ts,
    updated_at: Ts,
}

impl TryFrom<EntityRow> for Entity {
    type Error = StoreError;

    fn try_from(row: EntityRow) -> Result<Self, StoreError> {
        Ok(Self {
            details: EntityDetails::from_document(row.structure, row.details.0)?,
            id: row.id,
            status: row.status,
            description: row.description,
            details_confirmed_at: row.details_confirmed_at.map(Into::into),
            creating_entity_onboarding_session_id: row.creating_entity_onboarding_session_id,
            idempotency_key: row.idempotency_key,
            validation: row.validation.map(|v| v.0),
            terms_agreements: row.terms_agreements.0,
            created_at: row.created_at.into(),
            updated_at: row.updated_at.into(),
        })
    }
}

fn entity(row: Option<EntityRow>) -> Result<Option<Entity>, StoreError> {
    row.map(Entity::try_from).transpose()
}

const COLUMNS: &str = "seq, id, structure, status, description, details, details_confirmed_at, \
    creating_entity_onboarding_session_id, idempotency_key, validation, terms_agreements, created_at, updated_at";

/// A new Entity's details and how it came to be.
#[derive(Debug, Clone)]
pub struct NewEntity<'a> {
    pub id: &'a EntityId,
    pub details: &'a EntityDetails,
    pub description: Option<&'a str>,
    pub creating_session_id: Option<&'a SessionId>,
    pub idempotency_key: Option<&'a IdempotencyKey>,
    pub details_confirmed_at: Option<DateTime<Utc>>,
    pub validation: &'a Validation,
    /// The customer's attestation, when the Entity comes from the form.
    pub terms_agreement: Option<&'a TermsAgreement>,
}

/// Which Entities a listing shows.
#[derive(Debug, Clone, Default)]
pub struct EntityFilter {
    pub statuses: Option<Vec<EntityStatus>>,
    /// Only Entities whose validation has one of these statuses.
    pub validation_statuses: Option<Vec<ValidationStatus>>,
    pub idempotency_key: Option<IdempotencyKey>,
    pub created_after: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
    pub created_on_or_after: Option<DateTime<Utc>>,
    pub created_on_or_before: Option<DateTime<Utc>>,
}

/// How a read inside a unit of work holds the row until the commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lock {
    None,
    /// On PostgreSQL, `FOR UPDATE`; SQLite's write transactions are exclusive already.
    ForUpdate,
}

async fn find_entity(
    conn: Conn<'_>,
    group: Option<&GroupId>,
    id: &EntityId,
    lock: Lock,
) -> Result<Option<Entity>, StoreError> {
    let locking = if lock == Lock::ForUpdate && matches!(conn, Conn::Postgres(_)) {
        " FOR UPDATE"
    } else {
        ""
    };
    let sql = format!("SELECT {COLUMNS} FROM entities WHERE id = $1 AND ($2 IS NULL OR group_id = $2){locking}");
    let row: Option<EntityRow> = on!(conn, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(group)
        .fetch_optional(&mut *c)
        .await?);
    entity(row)
}

impl Store {
    #[tracing::instrument(skip_all, fields(entity_id = %id))]
    pub async fn find_entity(&self, group: &GroupId, id: &EntityId) -> Result<Option<Entity>, StoreError> {
        Ok(read!(self, c => find_entity(c, Some(group), id, Lock::None).await?))
    }

    /// An Entity by ID alone: for the hosted form, whose session names it.
    pub async fn find_entity_of_session(&self, id: &EntityId) -> Result<Option<Entity>, StoreError> {
        Ok(read!(self, c => find_entity(c, None, id, Lock::None).await?))
    }

    #[tracing::instrument(skip_all)]
    pub async fn list_entities(
        &self,
        group: &GroupId,
        filter: &EntityFilter,
        window: Window,
    ) -> Result<Page<Entity>, StoreError> {
        let validation_status = match self.backend() {
            super::Backend::Sqlite => " AND json_extract(validation, '$.status') IN (",
            super::Backend::Postgres => " AND validation->>'status' IN (",
        };
        let rows: Vec<EntityRow> = read!(self, conn => on!(conn, c => {
            let mut query = sqlx::QueryBuilder::new(format!("SELECT {COLUMNS} FROM entities WHERE group_id = "));
            query.push_bind(group);
            if let Some(statuses) = &filter.statuses {
                query.push(" AND status IN (");
                let mut list = query.separated(", ");
                for status in statuses {
                    list.push_bind(*status);
                }
                query.push(")");
            }
            if let Some(statuses) = &filter.validation_statuses {
                query.push(validation_status);
                let mut list = query.separated(", ");
                for status in statuses {
                    list.push_bind(*status);
                }
                query.push(")");
            }
            if let Some(key) = &filter.idempotency_key {
                query.push(" AND idempotency_key = ").push_bind(key);
            }
            for (op, value) in [
                (" AND created_at > ", filter.created_after),
                (" AND created_at < ", filter.created_before),
                (" AND created_at >= ", filter.created_on_or_after),
                (" AND created_at <= ", filter.created_on_or_before),
            ] {
                if let Some(value) = value {
                    query.push(op).push_bind(Ts(value));
                }
            }
            window.finish(&mut query, "entities");
            query.build_query_as().fetch_all(&mut *c).await?
        }));
        Page::from_rows(rows, window, |row| position(row.created_at, row.seq), Entity::try_from)
    }
}

impl UnitOfWork {
    /// The Entity, held until this unit of work ends: whatever is decided
    /// from it cannot be undone by a concurrent writer.
    #[tracing::instrument(skip_all, fields(entity_id = %id))]
    pub async fn lock_entity(&mut self, group: &GroupId, id: &EntityId) -> Result<Option<Entity>, StoreError> {
        find_entity(self.conn()?, Some(group), id, Lock::ForUpdate).await
    }

    #[tracing::instrument(skip_all, fields(entity_id = %entity.id))]
    pub async fn insert_entity(
        &mut self,
        group: &GroupId,
        entity: &NewEntity<'_>,
        now: DateTime<Utc>,
    ) -> Result<Entity, StoreError> {
        let sql = format!(
            "INSERT INTO entities
                (id, group_id, structure, status, description, details, details_confirmed_at,
                 creating_entity_onboarding_session_id, idempotency_key, validation, terms_agreements,
                 created_at, updated_at)
             VALUES ($1, $2, $3, 'active', $4, $5, $6, $7, $8, $9, $11, $10, $10)
             RETURNING {COLUMNS}"
        );
        let details = Json(entity.details.to_document()?);
        let terms = Json(entity.terms_agreement.into_iter().collect::<Vec<_>>());
        let row: EntityRow = on!(self.conn()?, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(entity.id)
            .bind(group)
            .bind(entity.details.structure())
            .bind(entity.description)
            .bind(&details)
            .bind(entity.details_confirmed_at.map(Ts))
            .bind(entity.creating_session_id)
            .bind(entity.idempotency_key)
            .bind(Json(entity.validation))
            .bind(Ts(now))
            .bind(&terms)
            .fetch_one(&mut *c)
            .await?);
        self.keep_identification_numbers(entity.id, entity.details, now).await?;
        row.try_into()
    }

    /// Replaces the Entity's details and validation (the hosted form's
    /// corrections), only if it is still as it was read (`read_at` is its
    /// `updated_at` then). `false` when another change came first.
    #[tracing::instrument(skip_all, fields(entity_id = %id))]
    pub async fn replace_entity_details(
        &mut self,
        id: &EntityId,
        details: &EntityDetails,
        validation: Option<&Validation>,
        read_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let sql =
            "UPDATE entities SET details = $1, validation = $2, updated_at = $3 WHERE id = $4 AND updated_at = $5";
        let document = Json(details.to_document()?);
        let done = on!(self.conn()?, c => sqlx::query(sql)
            .bind(&document)
            .bind(validation.map(Json))
            .bind(Ts(now))
            .bind(id)
            .bind(Ts(read_at))
            .execute(&mut *c)
            .await?
            .rows_affected());
        if done == 1 {
            self.keep_identification_numbers(id, details, now).await?;
        }
        Ok(done == 1)
    }

    /// Records that the customer confirmed the Entity's details.
    pub async fn confirm_entity_details(&mut self, id: &EntityId, now: DateTime<Utc>) -> Result<(), StoreError> {
        let sql = "UPDATE entities SET details_confirmed_at = $1, updated_at = $1 WHERE id = $2";
        let done =
            on!(self.conn()?, c => sqlx::query(sql).bind(Ts(now)).bind(id).execute(&mut *c).await?.rows_affected());
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Appends a terms agreement in one statement (no read-modify-write, so
    /// concurrent appends cannot lose each other) and records the confirmation.
    #[tracing::instrument(skip_all, fields(entity_id = %id))]
    pub async fn attest_entity(
        &mut self,
        id: &EntityId,
        agreement: &TermsAgreement,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        // Only the JSON append differs between the dialects.
        let append = match self.backend() {
            Backend::Sqlite => "json_insert(terms_agreements, '$[#]', json($1))",
            Backend::Postgres => "terms_agreements || jsonb_build_array($1::jsonb)",
        };
        let sql = format!(
            "UPDATE entities SET terms_agreements = {append}, details_confirmed_at = $2, updated_at = $2 WHERE id = $3"
        );
        let done = on!(self.conn()?, c => sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(Json(agreement))
            .bind(Ts(now))
            .bind(id)
            .execute(&mut *c)
            .await?
            .rows_affected());
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(entity_id = %id))]
    pub async fn set_entity_validation(
        &mut self,
        group: &GroupId,
        id: &EntityId,
        validation: &Validation,
        now: DateTime<Utc>,
    ) -> Result<Entity, StoreError> {
        let sql = format!(
            "UPDATE entities SET validation = $1, updated_at = $2 WHERE id = $4 AND (group_id = $3) IS TRUE RETURNING {COLUMNS}"
        );
        let row: Option<EntityRow> = on!(self.conn()?, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(Json(validation))
            .bind(Ts(now))
            .bind(group)
            .bind(id)
            .fetch_optional(&mut *c)
            .await?);
        entity(row)?.ok_or(StoreError::NotFound)
    }

    #[tracing::instrument(skip_all, fields(entity_id = %id))]
    pub async fn archive_entity(
        &mut self,
        group: &GroupId,
        id: &EntityId,
        now: DateTime<Utc>,
    ) -> Result<Option<Entity>, StoreError> {
        let sql = format!(
            "UPDATE entities SET status = 'archived', updated_at = $1 WHERE id = $3 AND (group_id = $2) IS TRUE RETURNING {COLUMNS}"
        );
        let row: Option<EntityRow> = on!(self.conn()?, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(Ts(now))
            .bind(group)
            .bind(id)
            .fetch_optional(&mut *c)
            .await?);
        entity(row)
    }
}
