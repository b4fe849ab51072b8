//! Entities.

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

use crate::domain::{entity::EntityDetails, time::to_micros};

use super::{Store, StoreError};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EntityRow {
    pub seq: i64,
    pub id: String,
    pub structure: String,
    pub status: String,
    pub description: Option<String>,
    pub details: String,
    pub details_confirmed_at: Option<i64>,
    pub creating_entity_onboarding_session_id: Option<String>,
    pub idempotency_key: Option<String>,
    pub validation: Option<String>,
    pub terms_agreements: String,
    pub created_at: i64,
}

pub(super) struct NewEntityRow<'a> {
    pub id: &'a str,
    pub details: &'a EntityDetails,
    pub description: Option<&'a str>,
    pub creating_session_id: Option<&'a str>,
    pub idempotency_key: Option<&'a str>,
    pub details_confirmed_at: Option<DateTime<Utc>>,
    pub validation: Option<&'a str>,
}

const COLUMNS: &str = "seq, id, structure, status, description, details, details_confirmed_at, \
    creating_entity_onboarding_session_id, idempotency_key, validation, terms_agreements, created_at";

pub(super) async fn insert_entity_row(
    conn: &mut SqliteConnection,
    group_id: &str,
    entity: &NewEntityRow<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO entities
            (id, group_id, structure, status, description, details, details_confirmed_at,
             creating_entity_onboarding_session_id, idempotency_key, validation, created_at, updated_at)
         VALUES (?, ?, ?, 'active', ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(entity.id)
    .bind(group_id)
    .bind(entity.details.structure().as_str())
    .bind(entity.description)
    .bind(entity.details.to_json()?)
    .bind(entity.details_confirmed_at.map(to_micros))
    .bind(entity.creating_session_id)
    .bind(entity.idempotency_key)
    .bind(entity.validation)
    .bind(to_micros(now))
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Records that the customer confirmed the Entity's details.
pub(super) async fn confirm_details(
    conn: &mut SqliteConnection,
    group_id: &str,
    entity_id: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE entities SET details_confirmed_at = ?, updated_at = ? WHERE group_id = ? AND id = ?",
    )
    .bind(to_micros(now))
    .bind(to_micros(now))
    .bind(group_id)
    .bind(entity_id)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

impl Store {
    pub async fn find_entity(
        &self,
        group_id: &str,
        id: &str,
    ) -> Result<Option<EntityRow>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM entities WHERE group_id = ? AND id = ?");
        Ok(sqlx::query_as::<_, EntityRow>(sqlx::AssertSqlSafe(sql))
            .bind(group_id)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }
}
