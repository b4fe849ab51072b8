//! Events: what happened to which object, as Increase's Events API shows
//! them, and the Event Subscriptions that receive them as webhooks.

use chrono::{DateTime, Utc};

use super::{
    closed_set::closed_set,
    ids::{EventId, EventSubscriptionId, IdempotencyKey},
};

closed_set! {
    /// The categories this service emits. The session categories are this
    /// service's own: Increase has none, and the official SDKs in strict mode
    /// reject categories they do not know, so they are opt-in.
    pub enum EventCategory {
        EntityCreated = "entity.created",
        EntityUpdated = "entity.updated",
        EventSubscriptionCreated = "event_subscription.created",
        EventSubscriptionUpdated = "event_subscription.updated",
        ProgramCreated = "program.created",
        ProgramUpdated = "program.updated",
        SessionCreated = "entity_onboarding_session.created",
        SessionOpened = "entity_onboarding_session.opened",
        SessionSubmitted = "entity_onboarding_session.submitted",
        SessionExpired = "entity_onboarding_session.expired",
    }
}

impl EventCategory {
    /// Whether Increase knows the category (the SDKs accept it): only these
    /// are delivered to subscriptions that select nothing and listed by
    /// `GET /events` without a `category.in` naming them.
    pub fn is_increase(self) -> bool {
        !matches!(
            self,
            Self::SessionCreated | Self::SessionOpened | Self::SessionSubmitted | Self::SessionExpired
        )
    }

    /// The categories Increase knows.
    pub fn increase_categories() -> Vec<Self> {
        Self::ALL.iter().copied().filter(|c| c.is_increase()).collect()
    }

    /// The type of the object an event of this category points at.
    pub fn associated_object_type(self) -> &'static str {
        match self {
            Self::EntityCreated | Self::EntityUpdated => "entity",
            Self::EventSubscriptionCreated | Self::EventSubscriptionUpdated => "event_subscription",
            Self::ProgramCreated | Self::ProgramUpdated => "program",
            Self::SessionCreated | Self::SessionOpened | Self::SessionSubmitted | Self::SessionExpired => {
                "entity_onboarding_session"
            }
        }
    }
}

/// Something that happened, as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: EventId,
    pub category: EventCategory,
    pub associated_object_type: String,
    pub associated_object_id: String,
    pub created_at: DateTime<Utc>,
}

closed_set! {
    pub enum SubscriptionStatus {
        Active = "active",
        Disabled = "disabled",
        Deleted = "deleted",
    }
}

/// Where events are delivered. Its secret is not part of it: the store
/// keeps it sealed and hands it only to the delivery worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventSubscription {
    pub id: EventSubscriptionId,
    pub url: url::Url,
    /// `None`: every Increase category.
    pub selected_event_categories: Option<Vec<EventCategory>>,
    pub status: SubscriptionStatus,
    pub idempotency_key: Option<IdempotencyKey>,
    pub created_at: DateTime<Utc>,
}

impl EventSubscription {
    /// Whether an event of this category goes to this subscription.
    pub fn selects(&self, category: EventCategory) -> bool {
        match &self.selected_event_categories {
            None => category.is_increase(),
            Some(selected) => selected.contains(&category),
        }
    }
}

/// A webhook signing secret. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(String);

impl WebhookSecret {
    /// A fresh random secret of 48 letters and digits. Its UTF-8 bytes are
    /// the HMAC key, as for a secret the platform chose. (No `whsec_`
    /// prefix: Standard Webhooks libraries would take such a string for
    /// base64 of the key, and fail to verify without saying why.)
    pub fn generate() -> Self {
        Self(super::ids::random_alphanumeric(48))
    }

    /// A platform's own secret: 16 to 200 printable ASCII characters.
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        if !(16..=200).contains(&text.len()) {
            return Err("must be 16 to 200 characters long");
        }
        if !text.bytes().all(|b| (0x21..0x7f).contains(&b)) {
            return Err("must be printable ASCII without spaces");
        }
        Ok(Self(text.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subscription(selected: Option<Vec<EventCategory>>) -> EventSubscription {
        EventSubscription {
            id: EventSubscriptionId::generate(),
            url: url::Url::parse("https://platform.example.com/webhooks").unwrap(),
            selected_event_categories: selected,
            status: SubscriptionStatus::Active,
            idempotency_key: None,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn session_events_go_only_where_they_are_selected() {
        let all = subscription(None);
        assert!(all.selects(EventCategory::EntityCreated));
        assert!(!all.selects(EventCategory::SessionOpened));
        let sessions = subscription(Some(vec![EventCategory::SessionOpened]));
        assert!(sessions.selects(EventCategory::SessionOpened));
        assert!(!sessions.selects(EventCategory::EntityCreated));
        assert_eq!(EventCategory::increase_categories().len(), 6);
    }

    #[test]
    fn secrets_are_bounded_and_never_printed() {
        let secret = WebhookSecret::generate();
        assert!(secret.expose().len() == 48 && !secret.expose().starts_with("whsec_"));
        assert!(!format!("{secret:?}").contains(secret.expose()));
        assert!(WebhookSecret::parse("short").is_err());
        assert!(WebhookSecret::parse("with a space in it, long enough").is_err());
        assert!(WebhookSecret::parse("a-platform-chosen-secret").is_ok());
    }
}
