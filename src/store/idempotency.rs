//! Idempotency keys: the first response to a key is stored in the same
//! transaction as the write it describes, so a key maps to exactly one object.

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

use crate::domain::time::to_micros;

use super::{Store, StoreError, is_unique_violation};

/// The idempotency key of a request and the fingerprint of what was asked.
#[derive(Debug, Clone, Copy)]
pub struct Idempotency<'a> {
    pub key: &'a str,
    pub fingerprint: &'a str,
}

/// The response first given to an idempotency key.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredResponse {
    pub fingerprint: String,
    pub resource_id: String,
    pub response_status: i64,
    pub response_body: String,
}

/// Result of an idempotent write: the new state, or the earlier response to
/// the same key (whose fingerprint the caller must compare).
#[derive(Debug)]
pub enum Outcome<T> {
    Done(T),
    Replayed(StoredResponse),
}

pub(super) async fn find_response(
    conn: &mut AnyConnection,
    group_id: &str,
    key: &str,
) -> Result<Option<StoredResponse>, StoreError> {
    Ok(sqlx::query_as::<_, StoredResponse>(
        "SELECT fingerprint, resource_id, response_status, response_body
         FROM idempotency_keys WHERE group_id = $1 AND key = $2",
    )
    .bind(group_id)
    .bind(key)
    .fetch_optional(conn)
    .await?)
}

pub(super) async fn record_response(
    conn: &mut AnyConnection,
    group_id: &str,
    idempotency: Idempotency<'_>,
    resource_id: &str,
    body: &str,
    now_micros: i64,
) -> Result<(), StoreError> {
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys
            (group_id, key, fingerprint, resource_id, response_status, response_body, created_at)
         VALUES ($1, $2, $3, $4, 200, $5, $6)",
    )
    .bind(group_id)
    .bind(idempotency.key)
    .bind(idempotency.fingerprint)
    .bind(resource_id)
    .bind(body)
    .bind(now_micros)
    .execute(conn)
    .await;
    match inserted {
        Ok(_) => Ok(()),
        Err(error) if is_unique_violation(&error) => Err(StoreError::IdempotencyRace),
        Err(error) => Err(error.into()),
    }
}

/// An object an idempotency key can be recorded against.
pub trait Resource {
    fn resource_id(&self) -> &str;
}

impl Store {
    /// Runs `work` in a write transaction guarded by the idempotency key: an
    /// earlier response to the key is returned instead, and the response to
    /// this one (`render`) is recorded in the same transaction as the write.
    pub(super) async fn write_idempotently<T: Resource>(
        &self,
        group_id: &str,
        idempotency: Option<Idempotency<'_>>,
        now: DateTime<Utc>,
        render: impl FnOnce(&T) -> Result<String, serde_json::Error>,
        work: impl AsyncFnOnce(&mut AnyConnection) -> Result<T, StoreError>,
    ) -> Result<Outcome<T>, StoreError> {
        let result = async {
            let mut tx = self.begin_write().await?;
            if let Some(idem) = idempotency
                && let Some(stored) = find_response(&mut tx, group_id, idem.key).await?
            {
                return Ok(Outcome::Replayed(stored));
            }
            let row = work(&mut tx).await?;
            if let Some(idem) = idempotency {
                let body = render(&row)?;
                record_response(&mut tx, group_id, idem, row.resource_id(), &body, to_micros(now)).await?;
            }
            tx.commit().await?;
            Ok(Outcome::Done(row))
        }
        .await;
        self.settle_race(group_id, idempotency, result).await
    }

    /// The earlier response to this key, if any.
    pub async fn find_idempotent_response(
        &self,
        group_id: &str,
        key: &str,
    ) -> Result<Option<StoredResponse>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        find_response(&mut conn, group_id, key).await
    }

    /// When a concurrent request with the same key won, answer with its response.
    pub(super) async fn settle_race<T>(
        &self,
        group_id: &str,
        idempotency: Option<Idempotency<'_>>,
        result: Result<Outcome<T>, StoreError>,
    ) -> Result<Outcome<T>, StoreError> {
        match (result, idempotency) {
            (Err(StoreError::IdempotencyRace), Some(idempotency)) => self
                .find_idempotent_response(group_id, idempotency.key)
                .await?
                .map(Outcome::Replayed)
                .ok_or(StoreError::IdempotencyRace),
            (result, _) => result,
        }
    }
}
