//! Entity Onboarding Session states.

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    Active,
    Expired,
}

impl SessionStatus {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "active" => Some(Self::Active),
            "expired" => Some(Self::Expired),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Expired => "expired",
        }
    }

    /// The status a reader sees: a session past its `expires_at` is expired at
    /// once, whether or not the background sweep has persisted it yet.
    pub fn effective(stored: &str, expires_at: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        if stored == "active" && expires_at > now {
            Self::Active
        } else {
            Self::Expired
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn a_session_past_its_expiry_reads_as_expired() {
        let now = Utc::now();
        assert_eq!(
            SessionStatus::effective("active", now + Duration::seconds(1), now),
            SessionStatus::Active
        );
        assert_eq!(SessionStatus::effective("active", now, now), SessionStatus::Expired);
        assert_eq!(
            SessionStatus::effective("expired", now + Duration::hours(1), now),
            SessionStatus::Expired
        );
    }

    #[test]
    fn parses_only_known_statuses() {
        assert_eq!(SessionStatus::parse("active"), Some(SessionStatus::Active));
        assert_eq!(SessionStatus::parse("expired"), Some(SessionStatus::Expired));
        assert_eq!(SessionStatus::parse("Active"), None);
        assert_eq!(SessionStatus::parse("finished"), None);
    }
}
