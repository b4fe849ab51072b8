//! Entity Onboarding Sessions and their states.

use chrono::{DateTime, Utc};

use super::{
    RedirectUrl,
    closed_set::closed_set,
    ids::{EntityId, FormToken, IdempotencyKey, ProgramId, SessionId},
    locale::Locale,
};

closed_set! {
    pub enum SessionStatus {
        Active = "active",
        Expired = "expired",
    }
}

/// A session as stored. Its `status` is what was persisted; readers use
/// [`Session::status_at`], which also counts an overdue session as expired.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: SessionId,
    pub program_id: ProgramId,
    pub entity_id: Option<EntityId>,
    pub redirect_url: RedirectUrl,
    /// The hosted form link's secret while the session is active; `None`
    /// once it has ended (the store keeps only its hash then).
    pub token: Option<FormToken>,
    pub status: SessionStatus,
    pub idempotency_key: Option<IdempotencyKey>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// When the form (or the sandbox simulation) completed the session.
    pub completed_at: Option<DateTime<Utc>>,
    /// The language the platform chose for the hosted pages, if it did.
    pub locale: Option<Locale>,
}

/// A session about to be created (its program and Entity checked).
#[derive(Debug, Clone)]
pub struct NewSession {
    pub id: SessionId,
    pub program_id: ProgramId,
    pub entity_id: Option<EntityId>,
    pub redirect_url: RedirectUrl,
    pub token: FormToken,
    pub expires_at: DateTime<Utc>,
    pub locale: Option<Locale>,
}

impl Session {
    /// The status a reader sees: a session past its `expires_at` is expired at
    /// once, whether or not the background sweep has persisted it yet.
    pub fn status_at(&self, now: DateTime<Utc>) -> SessionStatus {
        if self.status == SessionStatus::Active && self.expires_at > now {
            SessionStatus::Active
        } else {
            SessionStatus::Expired
        }
    }

    pub fn is_active_at(&self, now: DateTime<Utc>) -> bool {
        self.status_at(now) == SessionStatus::Active
    }

    /// Completed by a submission, with the Entity it produced or updated.
    pub fn completed_entity(&self) -> Option<&EntityId> {
        self.completed_at.and(self.entity_id.as_ref())
    }

    /// Where the browser goes after a submission: `redirect_url` with the
    /// session and Entity IDs added to its query string.
    /// Where a customer whose link can no longer be used goes back to the
    /// platform: `redirect_url` with the session's ID and no Entity's, so
    /// that the platform sees the onboarding was not completed through this
    /// visit (and can make a new session).
    pub fn not_completed_url(&self) -> url::Url {
        self.redirect_url
            .with_query_params(&[("entity_onboarding_session_id", self.id.as_str())])
    }

    pub fn return_url(&self, entity_id: &EntityId) -> url::Url {
        self.redirect_url.with_query_params(&[
            ("entity_onboarding_session_id", self.id.as_str()),
            ("entity_id", entity_id.as_str()),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn session(status: SessionStatus, expires_at: DateTime<Utc>) -> Session {
        Session {
            id: SessionId::generate(),
            program_id: ProgramId::generate(),
            entity_id: None,
            redirect_url: RedirectUrl::parse("https://example.com/done?a=1").unwrap(),
            token: Some(FormToken::generate()),
            status,
            idempotency_key: None,
            created_at: expires_at - Duration::hours(6),
            expires_at,
            completed_at: None,
            locale: None,
        }
    }

    #[test]
    fn a_session_past_its_expiry_reads_as_expired() {
        let now = Utc::now();
        let active = SessionStatus::Active;
        assert_eq!(session(active, now + Duration::seconds(1)).status_at(now), active);
        assert_eq!(session(active, now).status_at(now), SessionStatus::Expired);
        assert_eq!(
            session(SessionStatus::Expired, now + Duration::hours(1)).status_at(now),
            SessionStatus::Expired
        );
    }

    #[test]
    fn parses_only_known_statuses() {
        assert_eq!("active".parse(), Ok(SessionStatus::Active));
        assert_eq!("expired".parse(), Ok(SessionStatus::Expired));
        assert!("Active".parse::<SessionStatus>().is_err());
        assert!("finished".parse::<SessionStatus>().is_err());
    }

    #[test]
    fn the_return_url_keeps_the_platforms_query() {
        let s = session(SessionStatus::Expired, Utc::now());
        let entity = EntityId::generate();
        let url = s.return_url(&entity);
        assert_eq!(
            url.query(),
            Some(format!("a=1&entity_onboarding_session_id={}&entity_id={entity}", s.id).as_str())
        );
    }

    #[test]
    fn a_link_not_completed_returns_with_the_session_and_no_entity() {
        let s = session(SessionStatus::Expired, Utc::now());
        let url = s.not_completed_url();
        assert_eq!(
            url.query(),
            Some(format!("a=1&entity_onboarding_session_id={}", s.id).as_str())
        );
    }
}
