//! Event Subscriptions: where a platform's events are delivered.

use chrono::{DateTime, Utc};

use super::{Error, UnitOfWork};
use crate::{
    domain::{
        event::{EventCategory, EventSubscription, SubscriptionStatus, WebhookSecret},
        ids::{EventSubscriptionId, GroupId, IdempotencyKey},
    },
    store::NewEventSubscription,
};

/// A new subscription, with the secret the service made for it when the
/// platform gave none (shown once, in the create response).
#[derive(Debug, Clone)]
pub struct CreatedSubscription {
    pub subscription: EventSubscription,
    pub generated_secret: Option<WebhookSecret>,
}

#[tracing::instrument(skip_all)]
#[allow(clippy::too_many_arguments, reason = "one per field of the request")]
pub async fn create_subscription(
    work: &mut UnitOfWork,
    group: &GroupId,
    url: url::Url,
    selected_event_categories: Option<Vec<EventCategory>>,
    secret: Option<WebhookSecret>,
    status: SubscriptionStatus,
    idempotency_key: Option<&IdempotencyKey>,
    now: DateTime<Utc>,
) -> Result<CreatedSubscription, Error> {
    let (secret, generated_secret) = match secret {
        Some(given) => (given, None),
        None => {
            let made = WebhookSecret::generate();
            (made.clone(), Some(made))
        }
    };
    let new = NewEventSubscription {
        url,
        selected_event_categories,
        secret,
        status,
    };
    let subscription = work.insert_subscription(group, &new, idempotency_key, now).await?;
    work.record_event(
        group,
        EventCategory::EventSubscriptionCreated,
        subscription.id.as_str(),
        now,
    )
    .await?;
    Ok(CreatedSubscription {
        subscription,
        generated_secret,
    })
}

/// Sets a subscription's status (`active`, `disabled`, `deleted`). A
/// deleted subscription cannot come back.
#[tracing::instrument(skip_all, fields(subscription_id = %id))]
pub async fn update_subscription(
    work: &mut UnitOfWork,
    group: &GroupId,
    id: &EventSubscriptionId,
    status: SubscriptionStatus,
    now: DateTime<Utc>,
) -> Result<EventSubscription, Error> {
    let current = work
        .update_subscription_status(group, id, status, now)
        .await?
        .ok_or(Error::NotFound)?;
    if current.status != status {
        return Err(Error::NotAllowed(super::NotAllowed::SubscriptionDeleted));
    }
    work.record_event(group, EventCategory::EventSubscriptionUpdated, id.as_str(), now)
        .await?;
    Ok(current)
}
