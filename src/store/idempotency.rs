//! Responses recorded against idempotency keys, in the same transaction as
//! the change they describe, so a key maps to exactly one object.

use chrono::{DateTime, Utc};

use super::{
    Conn, StoreError, UnitOfWork,
    custody::{fingerprint_context, response_context},
    on,
    time::Ts,
};
use crate::{
    custody::{Keyring, is_sealed},
    domain::ids::{GroupId, IdempotencyKey},
};

/// The response first given to an idempotency key.
#[derive(Clone, sqlx::FromRow)]
pub struct StoredResponse {
    pub fingerprint: String,
    pub resource_id: String,
    pub response_status: i32,
    pub response_body: String,
}

/// The body can hold personal data (an EIN, names): never in logs.
impl std::fmt::Debug for StoredResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredResponse")
            .field("resource_id", &self.resource_id)
            .field("response_status", &self.response_status)
            .finish_non_exhaustive()
    }
}

impl UnitOfWork {
    #[tracing::instrument(skip_all)]
    /// Records the response to `key`, sealed (it can hold a form link or
    /// personal data). A concurrent request that recorded the same key first
    /// makes this fail with [`StoreError::Conflict`].
    pub async fn record_response(
        &mut self,
        group: &GroupId,
        key: &IdempotencyKey,
        response: &StoredResponse,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let sealed = self
            .custody
            .seal_text(&response.response_body, &response_context(group, key))?;
        let fingerprint = self
            .custody
            .seal_text(&response.fingerprint, &fingerprint_context(group, key))?;
        let sql = "INSERT INTO idempotency_keys
                (group_id, key, fingerprint, resource_id, response_status, response_body, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)";
        on!(self.conn()?, c => sqlx::query(sql)
            .bind(group)
            .bind(key)
            .bind(&fingerprint)
            .bind(&response.resource_id)
            .bind(i64::from(response.response_status))
            .bind(&sealed)
            .bind(Ts(now))
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(())
    }
}

/// How many recorded responses one statement of the pruning deletes: each
/// batch is its own short transaction, so SQLite's single writer is never
/// held for long, even when months of responses expire at once.
const PRUNE_BATCH: i64 = 1_000;

impl super::Store {
    /// Deletes the responses recorded before `cutoff`, in batches; returns
    /// how many. The keys can then be used afresh. Safe to run concurrently
    /// from several instances.
    #[tracing::instrument(skip_all)]
    pub async fn prune_idempotency_responses_before(&self, cutoff: DateTime<Utc>) -> Result<u64, StoreError> {
        let sql = "DELETE FROM idempotency_keys WHERE (group_id, key) IN
                (SELECT group_id, key FROM idempotency_keys WHERE created_at < $1 LIMIT $2)";
        let mut pruned = 0;
        loop {
            let mut work = self.begin().await?;
            let done = on!(work.conn()?, c => sqlx::query(sql)
                .bind(Ts(cutoff))
                .bind(PRUNE_BATCH)
                .execute(&mut *c)
                .await?
                .rows_affected());
            work.commit().await?;
            pruned += done;
            if done < PRUNE_BATCH.unsigned_abs() {
                return Ok(pruned);
            }
        }
    }

    /// The earlier response to this key, if any.
    pub async fn find_response(
        &self,
        group: &GroupId,
        key: &IdempotencyKey,
    ) -> Result<Option<StoredResponse>, StoreError> {
        Ok(super::read!(self, c => find_response(c, &self.custody, group, key).await?))
    }
}

async fn find_response(
    conn: Conn<'_>,
    custody: &Keyring,
    group: &GroupId,
    key: &IdempotencyKey,
) -> Result<Option<StoredResponse>, StoreError> {
    let sql = "SELECT fingerprint, resource_id, CAST(response_status AS INTEGER) AS response_status, response_body
         FROM idempotency_keys WHERE group_id = $1 AND key = $2";
    let found: Option<StoredResponse> =
        on!(conn, c => sqlx::query_as(sql).bind(group).bind(key).fetch_optional(&mut *c).await?);
    found
        .map(|mut response| {
            // What an earlier release stored in clear is read as it is until
            // start-up has sealed it.
            let open = |stored: &str, context: String| -> Result<String, StoreError> {
                if !is_sealed(stored) {
                    return Ok(stored.to_owned());
                }
                Ok(custody
                    .open_text(stored, &context)
                    .map_err(|e| StoreError::Corrupt(format!("{context}: {e}")))?
                    .to_string())
            };
            response.response_body = open(&response.response_body, response_context(group, key))?;
            response.fingerprint = open(&response.fingerprint, fingerprint_context(group, key))?;
            Ok(response)
        })
        .transpose()
}
