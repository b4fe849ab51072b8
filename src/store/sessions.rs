//! Entity Onboarding Sessions.

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

use crate::domain::{
    entity::{EntityDetails, TermsAgreement},
    session::SessionStatus,
    time::to_micros,
};

use super::{Idempotency, Outcome, Store, StoreError, entities};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub seq: i64,
    pub id: String,
    pub program_id: String,
    pub entity_id: Option<String>,
    pub redirect_url: String,
    pub token: String,
    pub status: String,
    pub idempotency_key: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    /// Set when the session was completed (by the form or the simulation).
    pub completed_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub id: String,
    pub program_id: String,
    pub entity_id: Option<String>,
    pub redirect_url: String,
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct SessionFilter {
    /// Only sessions whose effective status is one of these (all when `None`).
    pub statuses: Option<Vec<SessionStatus>>,
    pub idempotency_key: Option<String>,
    pub before_seq: Option<i64>,
    pub limit: i64,
}

/// A session found by its form token, with what the form page shows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenLookup {
    #[sqlx(flatten)]
    pub session: SessionRow,
    pub program_name: String,
}

const COLUMNS: &str = "s.seq, s.id, s.program_id, s.entity_id, s.redirect_url, s.token, s.status, \
    s.idempotency_key, s.created_at, s.expires_at, s.completed_at";

impl Store {
    pub async fn insert_session(
        &self,
        group_id: &str,
        session: &NewSession,
        idempotency: Option<Idempotency<'_>>,
        now: DateTime<Utc>,
        render: impl FnOnce(&SessionRow) -> Result<String, serde_json::Error>,
    ) -> Result<Outcome<SessionRow>, StoreError> {
        self.write_idempotently(group_id, idempotency, now, render, async |conn: &mut AnyConnection| {
            let program: Option<String> = sqlx::query_scalar("SELECT id FROM programs WHERE group_id = $1 AND id = $2")
                .bind(group_id)
                .bind(&session.program_id)
                .fetch_optional(&mut *conn)
                .await?;
            if program.is_none() {
                return Err(StoreError::InvalidReference {
                    field: "program_id",
                    message: "no Program with this ID exists",
                });
            }
            if let Some(entity_id) = &session.entity_id {
                let status: Option<String> =
                    sqlx::query_scalar("SELECT status FROM entities WHERE group_id = $1 AND id = $2")
                        .bind(group_id)
                        .bind(entity_id)
                        .fetch_optional(&mut *conn)
                        .await?;
                match status.as_deref() {
                    None => {
                        return Err(StoreError::InvalidReference {
                            field: "entity_id",
                            message: "no Entity with this ID exists",
                        });
                    }
                    Some("active") => {}
                    Some(_) => {
                        return Err(StoreError::InvalidReference {
                            field: "entity_id",
                            message: "the Entity is archived or disabled and cannot be onboarded",
                        });
                    }
                }
            }
            sqlx::query(
                "INSERT INTO entity_onboarding_sessions
                    (id, group_id, program_id, entity_id, redirect_url, token, status,
                     idempotency_key, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8, $9)",
            )
            .bind(&session.id)
            .bind(group_id)
            .bind(&session.program_id)
            .bind(&session.entity_id)
            .bind(&session.redirect_url)
            .bind(&session.token)
            .bind(idempotency.map(|i| i.key))
            .bind(to_micros(now))
            .bind(to_micros(session.expires_at))
            .execute(&mut *conn)
            .await?;
            let row = find_session_row(&mut *conn, group_id, &session.id)
                .await?
                .ok_or(StoreError::NotFound)?;
            Ok(row)
        })
        .await
    }

    pub async fn find_session(&self, group_id: &str, id: &str) -> Result<Option<SessionRow>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        find_session_row(&mut conn, group_id, id).await
    }

    /// Newest first, filtered by effective status (a session past its
    /// `expires_at` counts as expired even before the sweep persists it).
    pub async fn list_sessions(
        &self,
        group_id: &str,
        filter: &SessionFilter,
        now: DateTime<Utc>,
    ) -> Result<Vec<SessionRow>, StoreError> {
        let now = to_micros(now);
        let mut query = super::sql::Sql::new(format!(
            "SELECT {COLUMNS} FROM entity_onboarding_sessions s WHERE s.group_id = "
        ));
        query.push_bind(group_id.to_owned());
        if let Some(statuses) = &filter.statuses {
            let active = statuses.contains(&SessionStatus::Active);
            let expired = statuses.contains(&SessionStatus::Expired);
            match (active, expired) {
                (true, true) => {}
                (true, false) => {
                    query
                        .push(" AND s.status = 'active' AND s.expires_at > ")
                        .push_bind(now);
                }
                (false, true) => {
                    query
                        .push(" AND (s.status = 'expired' OR (s.status = 'active' AND s.expires_at <= ")
                        .push_bind(now)
                        .push("))");
                }
                (false, false) => {
                    query.push(" AND 0 = 1");
                }
            }
        }
        if let Some(key) = &filter.idempotency_key {
            query.push(" AND s.idempotency_key = ").push_bind(key.clone());
        }
        if let Some(seq) = filter.before_seq {
            query.push(" AND s.seq < ").push_bind(seq);
        }
        query.push(" ORDER BY s.seq DESC LIMIT ").push_bind(filter.limit);
        Ok(query.build_query_as::<SessionRow>()?.fetch_all(&self.pool).await?)
    }

    /// Ends an active session now; an expired one is returned unchanged.
    pub async fn expire_session(
        &self,
        group_id: &str,
        id: &str,
        idempotency: Option<Idempotency<'_>>,
        now: DateTime<Utc>,
        render: impl FnOnce(&SessionRow) -> Result<String, serde_json::Error>,
    ) -> Result<Outcome<SessionRow>, StoreError> {
        self.write_idempotently(group_id, idempotency, now, render, async |conn: &mut AnyConnection| {
            let now = to_micros(now);
            sqlx::query(
                "UPDATE entity_onboarding_sessions SET status = 'expired', expires_at = CASE WHEN expires_at < $1 THEN expires_at ELSE $1 END
                 WHERE group_id = $2 AND id = $3 AND status = 'active'",
            )
            .bind(now)
            .bind(group_id)
            .bind(id)
            .execute(&mut *conn)
            .await?;
            let row = find_session_row(&mut *conn, group_id, id)
                .await?
                .ok_or(StoreError::NotFound)?;
            Ok(row)
        })
        .await
    }

    /// Completes an active session as if its form had been submitted: creates
    /// an Entity from `details` (or confirms the Entity the session was created
    /// for), links it and expires the session, all in one transaction. Exactly
    /// one of any number of concurrent submissions succeeds.
    pub async fn submit_session_simulated(
        &self,
        group_id: &str,
        id: &str,
        details: &EntityDetails,
        idempotency: Option<Idempotency<'_>>,
        now: DateTime<Utc>,
        render: impl FnOnce(&SessionRow) -> Result<String, serde_json::Error>,
    ) -> Result<Outcome<SessionRow>, StoreError> {
        self.write_idempotently(group_id, idempotency, now, render, async |conn: &mut AnyConnection| {
            let session = claim_active_session(&mut *conn, group_id, id, now).await?;
            let entity_id = match &session.entity_id {
                Some(entity_id) => {
                    entities::confirm_details(&mut *conn, group_id, entity_id, now).await?;
                    entity_id.clone()
                }
                None => {
                    let entity_id = crate::domain::ids::new_id(crate::domain::ids::ENTITY);
                    entities::insert_entity_row(
                        &mut *conn,
                        group_id,
                        &entities::NewEntityRow {
                            id: &entity_id,
                            details,
                            description: None,
                            creating_session_id: Some(id),
                            idempotency_key: None,
                            details_confirmed_at: Some(now),
                            validation: Some(r#"{"issues":[],"status":"valid"}"#),
                        },
                        now,
                    )
                    .await?;
                    entity_id
                }
            };
            sqlx::query("UPDATE entity_onboarding_sessions SET entity_id = $1 WHERE id = $2")
                .bind(&entity_id)
                .bind(id)
                .execute(&mut *conn)
                .await?;
            let row = find_session_row(&mut *conn, group_id, id)
                .await?
                .ok_or(StoreError::NotFound)?;
            Ok(row)
        })
        .await
    }

    /// Persists the expiry of every active session whose `expires_at` is not
    /// after `now`. Safe to run concurrently from several instances.
    pub async fn expire_sessions_before(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE entity_onboarding_sessions SET status = 'expired'
             WHERE status = 'active' AND expires_at <= $1",
        )
        .bind(to_micros(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }

    /// The session behind a hosted form link, whatever its status.
    pub async fn find_session_by_token(&self, token: &str) -> Result<Option<TokenLookup>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS}, p.name AS program_name
             FROM entity_onboarding_sessions s JOIN programs p ON p.id = s.program_id
             WHERE s.token = $1"
        );
        Ok(sqlx::query_as::<_, TokenLookup>(sqlx::AssertSqlSafe(sql))
            .bind(token)
            .fetch_optional(&self.pool)
            .await?)
    }
}

/// How a form submission ended.
#[derive(Debug)]
pub enum FormSubmission {
    /// This request completed the session; the row now carries `entity_id`.
    Completed(SessionRow),
    /// An earlier request already completed it (a double click, a second tab).
    AlreadyCompleted(SessionRow),
}

impl Store {
    /// Completes the session behind a form token in one transaction: creates
    /// the Entity from `details` (or, for a session made for an existing
    /// Entity, replaces its details and validation when given), records the
    /// confirmation and attestation, links the Entity and expires the
    /// session. Concurrent submissions create or update exactly one Entity.
    pub async fn submit_session_form(
        &self,
        token: &str,
        details: Option<&EntityDetails>,
        validation: Option<&str>,
        terms: &TermsAgreement,
        now: DateTime<Utc>,
    ) -> Result<FormSubmission, StoreError> {
        let mut tx = self.begin_write().await?;
        let found: Option<(String, String)> =
            sqlx::query_as("SELECT group_id, id FROM entity_onboarding_sessions WHERE token = $1")
                .bind(token)
                .fetch_optional(&mut *tx)
                .await?;
        let (group_id, id) = found.ok_or(StoreError::NotFound)?;
        let session = match claim_active_session(&mut tx, &group_id, &id, now).await {
            Ok(session) => session,
            Err(StoreError::InvalidState(reason)) => {
                let row = find_session_row(&mut tx, &group_id, &id)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                return match (&row.completed_at, &row.entity_id) {
                    (Some(_), Some(_)) => Ok(FormSubmission::AlreadyCompleted(row)),
                    _ => Err(StoreError::InvalidState(reason)),
                };
            }
            Err(other) => return Err(other),
        };
        let entity_id = match (&session.entity_id, details) {
            (Some(entity_id), Some(details)) => {
                entities::replace_details(&mut tx, entity_id, details, validation, now).await?;
                entity_id.clone()
            }
            (Some(entity_id), None) => entity_id.clone(),
            (None, Some(details)) => {
                let entity_id = crate::domain::ids::new_id(crate::domain::ids::ENTITY);
                entities::insert_entity_row(
                    &mut tx,
                    &group_id,
                    &entities::NewEntityRow {
                        id: &entity_id,
                        details,
                        description: None,
                        creating_session_id: Some(&id),
                        idempotency_key: None,
                        details_confirmed_at: Some(now),
                        validation: Some(r#"{"issues":[],"status":"pending"}"#),
                    },
                    now,
                )
                .await?;
                entity_id
            }
            (None, None) => {
                return Err(StoreError::InvalidState(
                    "the form did not include the Entity's details",
                ));
            }
        };
        entities::confirm_and_attest(&mut tx, &entity_id, terms, now).await?;
        sqlx::query("UPDATE entity_onboarding_sessions SET entity_id = $1 WHERE id = $2")
            .bind(&entity_id)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        let row = find_session_row(&mut tx, &group_id, &id)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(FormSubmission::Completed(row))
    }
}

/// Moves an active, unexpired session to `expired` and returns it as it was.
/// The conditional UPDATE makes the database, not Rust, decide who wins.
async fn claim_active_session(
    conn: &mut AnyConnection,
    group_id: &str,
    id: &str,
    now: DateTime<Utc>,
) -> Result<SessionRow, StoreError> {
    let now = to_micros(now);
    let claimed = sqlx::query(
        "UPDATE entity_onboarding_sessions SET status = 'expired', completed_at = $1
         WHERE group_id = $2 AND id = $3 AND status = 'active' AND expires_at > $4",
    )
    .bind(now)
    .bind(group_id)
    .bind(id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let row = find_session_row(conn, group_id, id)
        .await?
        .ok_or(StoreError::NotFound)?;
    if claimed.rows_affected() == 0 {
        return Err(StoreError::InvalidState(
            "the session is not active: it has expired or was already submitted",
        ));
    }
    Ok(row)
}

async fn find_session_row(
    conn: &mut AnyConnection,
    group_id: &str,
    id: &str,
) -> Result<Option<SessionRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM entity_onboarding_sessions s WHERE s.group_id = $1 AND s.id = $2");
    Ok(sqlx::query_as::<_, SessionRow>(sqlx::AssertSqlSafe(sql))
        .bind(group_id)
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

impl super::idempotency::Resource for SessionRow {
    fn resource_id(&self) -> &str {
        &self.id
    }
}
