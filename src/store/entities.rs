//! Entities.

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

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

impl EntityRow {
    /// The name on the Entity, for pages (empty if the stored document is unreadable).
    pub fn display_name(&self) -> String {
        crate::domain::entity::Structure::parse(&self.structure)
            .and_then(|structure| EntityDetails::from_json(structure, &self.details).ok())
            .map(|details| details.name().to_owned())
            .unwrap_or_default()
    }
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
    conn: &mut AnyConnection,
    group_id: &str,
    entity: &NewEntityRow<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO entities
            (id, group_id, structure, status, description, details, details_confirmed_at,
             creating_entity_onboarding_session_id, idempotency_key, validation, created_at, updated_at)
         VALUES ($1, $2, $3, 'active', $4, $5, $6, $7, $8, $9, $10, $11)",
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
    conn: &mut AnyConnection,
    group_id: &str,
    entity_id: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let done =
        sqlx::query("UPDATE entities SET details_confirmed_at = $1, updated_at = $2 WHERE group_id = $3 AND id = $4")
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
    /// An Entity by ID alone, for a form page whose session names it.
    pub async fn find_entity_by_id(&self, id: &str) -> Result<Option<EntityRow>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM entities WHERE id = $1");
        Ok(sqlx::query_as::<_, EntityRow>(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn find_entity(&self, group_id: &str, id: &str) -> Result<Option<EntityRow>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM entities WHERE group_id = $1 AND id = $2");
        Ok(sqlx::query_as::<_, EntityRow>(sqlx::AssertSqlSafe(sql))
            .bind(group_id)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }
}

/// A new Entity from `POST /entities`.
#[derive(Debug, Clone)]
pub struct NewEntity {
    pub id: String,
    pub details: EntityDetails,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct EntityFilter {
    pub statuses: Option<Vec<String>>,
    pub idempotency_key: Option<String>,
    pub created_after: Option<i64>,
    pub created_before: Option<i64>,
    pub created_on_or_after: Option<i64>,
    pub created_on_or_before: Option<i64>,
    pub before_seq: Option<i64>,
    pub limit: i64,
}

impl Store {
    pub async fn insert_entity(
        &self,
        group_id: &str,
        entity: &NewEntity,
        idempotency: Option<super::Idempotency<'_>>,
        now: DateTime<Utc>,
        render: impl FnOnce(&EntityRow) -> Result<String, serde_json::Error>,
    ) -> Result<super::Outcome<EntityRow>, StoreError> {
        self.write_idempotently(group_id, idempotency, now, render, async |conn: &mut AnyConnection| {
            insert_entity_row(
                &mut *conn,
                group_id,
                &NewEntityRow {
                    id: &entity.id,
                    details: &entity.details,
                    description: entity.description.as_deref(),
                    creating_session_id: None,
                    idempotency_key: idempotency.map(|i| i.key),
                    details_confirmed_at: None,
                    validation: Some(r#"{"issues":[],"status":"pending"}"#),
                },
                now,
            )
            .await?;
            let row = find_entity_row(&mut *conn, group_id, &entity.id)
                .await?
                .ok_or(StoreError::NotFound)?;
            Ok(row)
        })
        .await
    }

    pub async fn update_entity_validation(
        &self,
        group_id: &str,
        id: &str,
        validation: &str,
        now: DateTime<Utc>,
    ) -> Result<EntityRow, StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("UPDATE entities SET validation = $1, updated_at = $2 WHERE group_id = $3 AND id = $4")
            .bind(validation)
            .bind(to_micros(now))
            .bind(group_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let row = find_entity_row(&mut tx, group_id, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(row)
    }

    pub async fn archive_entity(&self, group_id: &str, id: &str, now: DateTime<Utc>) -> Result<EntityRow, StoreError> {
        let mut tx = self.begin_write().await?;
        let done =
            sqlx::query("UPDATE entities SET status = 'archived', updated_at = $1 WHERE group_id = $2 AND id = $3")
                .bind(to_micros(now))
                .bind(group_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let row = find_entity_row(&mut tx, group_id, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(row)
    }

    pub async fn list_entities(&self, group_id: &str, filter: &EntityFilter) -> Result<Vec<EntityRow>, StoreError> {
        let mut query = super::sql::Sql::new(format!("SELECT {COLUMNS} FROM entities WHERE group_id = "));
        query.push_bind(group_id.to_owned());
        if let Some(statuses) = &filter.statuses {
            query.push(" AND status IN (");
            for (i, status) in statuses.iter().enumerate() {
                if i > 0 {
                    query.push(", ");
                }
                query.push_bind(status.clone());
            }
            query.push(")");
        }
        if let Some(key) = &filter.idempotency_key {
            query.push(" AND idempotency_key = ").push_bind(key.clone());
        }
        for (op, value) in [
            (" AND created_at > ", filter.created_after),
            (" AND created_at < ", filter.created_before),
            (" AND created_at >= ", filter.created_on_or_after),
            (" AND created_at <= ", filter.created_on_or_before),
        ] {
            if let Some(value) = value {
                query.push(op).push_bind(value);
            }
        }
        if let Some(seq) = filter.before_seq {
            query.push(" AND seq < ").push_bind(seq);
        }
        query.push(" ORDER BY seq DESC LIMIT ").push_bind(filter.limit);
        Ok(query.build_query_as::<EntityRow>()?.fetch_all(&self.pool).await?)
    }
}

pub(super) async fn find_entity_row(
    conn: &mut AnyConnection,
    group_id: &str,
    id: &str,
) -> Result<Option<EntityRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM entities WHERE group_id = $1 AND id = $2");
    Ok(sqlx::query_as::<_, EntityRow>(sqlx::AssertSqlSafe(sql))
        .bind(group_id)
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

/// Appends a terms agreement and records the customer's confirmation.
pub(super) async fn confirm_and_attest(
    conn: &mut AnyConnection,
    entity_id: &str,
    terms: &crate::domain::entity::TermsAgreement,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let current: Option<String> = sqlx::query_scalar("SELECT terms_agreements FROM entities WHERE id = $1")
        .bind(entity_id)
        .fetch_optional(&mut *conn)
        .await?;
    let mut agreements: Vec<crate::domain::entity::TermsAgreement> =
        serde_json::from_str(&current.ok_or(StoreError::NotFound)?)?;
    agreements.push(terms.clone());
    sqlx::query("UPDATE entities SET terms_agreements = $1, details_confirmed_at = $2, updated_at = $3 WHERE id = $4")
        .bind(serde_json::to_string(&agreements)?)
        .bind(to_micros(now))
        .bind(to_micros(now))
        .bind(entity_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Replaces the Entity's details and validation (the hosted form's corrections).
pub(super) async fn replace_details(
    conn: &mut AnyConnection,
    entity_id: &str,
    details: &EntityDetails,
    validation: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE entities SET details = $1, validation = $2, updated_at = $3 WHERE id = $4")
        .bind(details.to_json()?)
        .bind(validation)
        .bind(to_micros(now))
        .bind(entity_id)
        .execute(conn)
        .await?;
    Ok(())
}

impl super::idempotency::Resource for EntityRow {
    fn resource_id(&self) -> &str {
        &self.id
    }
}
