//! Drafts of the hosted form: sealed as one document per session, kept
//! only while the session is active.

use chrono::{DateTime, Utc};

use super::{Store, StoreError, UnitOfWork, on, read, time::Ts};
use crate::domain::{draft::Draft, ids::SessionId};

pub(super) fn draft_context(session: &SessionId) -> String {
    format!("session_draft/{session}")
}

impl Store {
    /// The session's draft, if the customer saved any page.
    #[tracing::instrument(skip_all, fields(session_id = %session))]
    pub async fn find_draft(&self, session: &SessionId) -> Result<Option<Draft>, StoreError> {
        let sql = "SELECT draft_sealed FROM session_drafts WHERE session_id = $1";
        let sealed: Option<String> = read!(self, conn => on!(conn, c => sqlx::query_scalar(sql)
            .bind(session)
            .fetch_optional(&mut *c)
            .await?));
        sealed
            .map(|sealed| {
                let json = self
                    .custody
                    .open_text(&sealed, &draft_context(session))
                    .map_err(|e| StoreError::Corrupt(format!("draft of {session}: {e}")))?;
                Ok(Draft::from_json(&json)?)
            })
            .transpose()
    }
}

impl UnitOfWork {
    /// Saves the draft of a session that is still active at `now`; `false`
    /// (and nothing saved) when it is not.
    #[tracing::instrument(skip_all, fields(session_id = %session))]
    pub async fn save_draft(
        &mut self,
        session: &SessionId,
        draft: &Draft,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let json = draft
            .to_json()
            .map_err(|e| StoreError::Corrupt(format!("draft of {session}: {e}")))?;
        let sealed = self.custody.seal_text(&json, &draft_context(session))?;
        let sql = "INSERT INTO session_drafts (session_id, draft_sealed, updated_at)
                   SELECT $1, $2, $3 WHERE EXISTS (
                       SELECT 1 FROM entity_onboarding_sessions
                       WHERE id = $1 AND (status = 'active' AND expires_at > $3) IS TRUE)
                   ON CONFLICT (session_id) DO UPDATE
                   SET draft_sealed = excluded.draft_sealed, updated_at = excluded.updated_at";
        let saved = on!(self.conn()?, c => sqlx::query(sql)
            .bind(session)
            .bind(&sealed)
            .bind(Ts(now))
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(saved > 0)
    }

    /// Forgets the session's draft (it was submitted or ended).
    pub(super) async fn delete_draft(&mut self, session: &SessionId) -> Result<(), StoreError> {
        on!(self.conn()?, c => sqlx::query("DELETE FROM session_drafts WHERE session_id = $1")
            .bind(session)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Forgets the drafts of every session no longer active at `now`.
    pub(super) async fn delete_ended_drafts(&mut self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let sql = "DELETE FROM session_drafts WHERE NOT EXISTS (
                       SELECT 1 FROM entity_onboarding_sessions s
                       WHERE s.id = session_drafts.session_id AND s.status = 'active' AND s.expires_at > $1)";
        Ok(on!(self.conn()?, c => sqlx::query(sql)
            .bind(Ts(now))
            .execute(&mut *c)
            .await?
            .rows_affected()))
    }
}
