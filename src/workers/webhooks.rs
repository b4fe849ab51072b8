//! Webhook delivery. Due deliveries are leased from the database queue (so
//! with several instances each attempt is made by one of them), POSTed as
//! the Event's JSON object, signed in both schemes Increase's SDKs verify,
//! and retried with exponential backoff and jitter for three days.

use std::{sync::Arc, time::Duration};

use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::{
    clock::Clock,
    domain::{event::Event, time::format_timestamp},
    store::{AttemptOutcome, DueDelivery, Store},
};

/// How long failed deliveries are retried, from the event's creation.
pub const RETRY_WINDOW: Duration = Duration::from_secs(3 * 24 * 3600);
/// The longest wait between two attempts.
const MAX_DELAY: Duration = Duration::from_secs(12 * 3600);
/// Attempts one instance makes at once (one per subscription at a time).
const MAX_IN_FLIGHT: usize = 16;

#[derive(Debug, Clone, Copy)]
pub struct WebhookSettings {
    /// How long an endpoint has to answer.
    pub timeout: Duration,
    /// The wait before the first retry; each later one roughly doubles.
    pub retry_base: Duration,
}

/// The Event as delivered: the same JSON object `GET /events/{id}` shows.
pub fn event_body(event: &Event) -> String {
    serde_json::json!({
        "associated_object_id": event.associated_object_id,
        "associated_object_type": event.associated_object_type,
        "category": event.category,
        "created_at": format_timestamp(event.created_at),
        "id": event.id,
        "type": "event",
    })
    .to_string()
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

/// The headers that sign one attempt: Standard Webhooks (`webhook-id`,
/// `webhook-timestamp`, `webhook-signature`), whose HMAC key is the secret's
/// UTF-8 bytes as given, and Increase's legacy `Increase-Webhook-Signature`.
pub fn signature_headers(secret: &str, webhook_id: &str, body: &str, at: DateTime<Utc>) -> Vec<(&'static str, String)> {
    let unix = at.timestamp().to_string();
    let standard = hmac(
        secret.as_bytes(),
        &[webhook_id.as_bytes(), b".", unix.as_bytes(), b".", body.as_bytes()],
    );
    let rfc3339 = format_timestamp(at);
    let legacy = hmac(secret.as_bytes(), &[rfc3339.as_bytes(), b".", body.as_bytes()]);
    vec![
        ("webhook-id", webhook_id.to_owned()),
        ("webhook-timestamp", unix),
        ("webhook-signature", format!("v1,{}", STANDARD.encode(standard))),
        (
            "increase-webhook-signature",
            format!("t={rfc3339},v1={}", hex::encode(legacy)),
        ),
    ]
}

/// When to try again after `failures` failed attempts (1 for the first),
/// or `None` once the retry window since the delivery was queued has passed.
pub fn next_attempt(
    failures: u32,
    base: Duration,
    queued_at: DateTime<Utc>,
    now: DateTime<Utc>,
    jitter: f64,
) -> Option<DateTime<Utc>> {
    let doubled = base.saturating_mul(2u32.saturating_pow(failures.saturating_sub(1)));
    let delay = doubled.min(MAX_DELAY).mul_f64(jitter.clamp(0.5, 1.5));
    let at = now + chrono::Duration::from_std(delay).ok()?;
    let window_ends = queued_at + chrono::Duration::from_std(RETRY_WINDOW).ok()?;
    (now < window_ends).then_some(at.min(window_ends))
}

/// A client for webhook endpoints: no redirects (a 3xx is a failure), a
/// timeout per attempt, TLS with the system's roots.
pub fn client(timeout: Duration) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .user_agent(concat!("hosted-onboarding-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
}

async fn attempt(
    client: &reqwest::Client,
    delivery: &DueDelivery,
    settings: WebhookSettings,
    now: DateTime<Utc>,
) -> AttemptOutcome {
    let body = event_body(&delivery.event);
    let mut request = client
        .post(&delivery.url)
        .header("content-type", "application/json")
        .body(body.clone());
    for (name, value) in signature_headers(delivery.secret.expose(), delivery.event.id.as_str(), &body, now) {
        request = request.header(name, value);
    }
    let (status_code, error) = match request.send().await {
        Ok(response) if response.status().is_success() => {
            return AttemptOutcome::Delivered {
                status_code: response.status().as_u16(),
            };
        }
        Ok(response) => (
            Some(response.status().as_u16()),
            format!("answered {}", response.status()),
        ),
        Err(error) if error.is_timeout() => (None, format!("no answer within {:?}", settings.timeout)),
        // Without the URL: a platform's URL can carry a token of its own.
        Err(error) => (None, crate::telemetry::error_chain(&error.without_url())),
    };
    let failures = u32::try_from(delivery.attempts).unwrap_or(0).saturating_add(1);
    let jitter = 0.8 + rand::random::<f64>() * 0.4;
    AttemptOutcome::Failed {
        status_code,
        error,
        retry_at: next_attempt(failures, settings.retry_base, delivery.queued_at, now, jitter),
    }
}

/// Makes one attempt and records how it went.
async fn attempt_and_record(
    store: Store,
    client: reqwest::Client,
    clock: Arc<dyn Clock>,
    settings: WebhookSettings,
    delivery: DueDelivery,
) {
    let outcome = attempt(&client, &delivery, settings, clock.now()).await;
    let label = match &outcome {
        AttemptOutcome::Delivered { .. } => {
            tracing::debug!(event_id = %delivery.event.id, subscription_id = %delivery.subscription_id, "webhook delivered");
            "delivered"
        }
        AttemptOutcome::Failed {
            error,
            retry_at,
            status_code,
        } => {
            match retry_at {
                Some(at) => tracing::warn!(
                    event_id = %delivery.event.id, subscription_id = %delivery.subscription_id,
                    status_code, %error, retry_at = %format_timestamp(*at), "webhook delivery failed; will retry"
                ),
                None => tracing::warn!(
                    event_id = %delivery.event.id, subscription_id = %delivery.subscription_id,
                    status_code, %error, "webhook delivery failed for three days; giving up"
                ),
            }
            if retry_at.is_some() { "retrying" } else { "failed" }
        }
    };
    metrics::counter!("onboarding_webhook_attempts_total", "outcome" => label).increment(1);
    // If this fails, the lease lapses and the attempt is made again.
    if let Err(error) = store.record_attempt(delivery.seq, &outcome, clock.now()).await {
        tracing::warn!(error = %error, event_id = %delivery.event.id, "could not record a webhook attempt; it will be retried");
    }
}

/// Delivers for as long as the service runs. Attempts run side by side (up
/// to [`MAX_IN_FLIGHT`], one per subscription), each recorded as soon as it
/// ends; due deliveries are leased whenever there is room: at once when a
/// unit of work queued some or an attempt ended, else every second (retries
/// come due, another process may have queued some).
pub async fn run(store: Store, clock: Arc<dyn Clock>, settings: WebhookSettings) {
    let client = match client(settings.timeout) {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(error = %crate::telemetry::error_chain(&error), "cannot build the webhook client; webhooks are not delivered");
            return;
        }
    };
    let signal = store.delivery_signal();
    let lease = chrono::Duration::from_std(settings.timeout + Duration::from_secs(30)).unwrap_or(chrono::Duration::MAX);
    let mut in_flight = tokio::task::JoinSet::new();
    loop {
        let room = MAX_IN_FLIGHT.saturating_sub(in_flight.len());
        if room > 0 {
            let now = clock.now();
            match store
                .lease_due_deliveries(now, now + lease, i64::try_from(room).unwrap_or(1))
                .await
            {
                Ok(due) => {
                    for delivery in due {
                        in_flight.spawn(attempt_and_record(
                            store.clone(),
                            client.clone(),
                            clock.clone(),
                            settings,
                            delivery,
                        ));
                    }
                }
                Err(error) => tracing::warn!(error = %error, "leasing webhook deliveries failed; will retry"),
            }
        }
        tokio::select! {
            Some(_) = in_flight.join_next(), if !in_flight.is_empty() => {}
            () = signal.notified() => {}
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_start_within_seconds_double_and_stop_after_three_days() {
        let base = Duration::from_secs(5);
        let created = Utc::now();
        let first = next_attempt(1, base, created, created, 1.0).unwrap();
        assert_eq!((first - created).num_seconds(), 5);
        let second = next_attempt(2, base, created, created, 1.0).unwrap();
        assert_eq!((second - created).num_seconds(), 10);
        let jittered = next_attempt(1, base, created, created, 1.2).unwrap();
        assert_eq!((jittered - created).num_seconds(), 6);
        let late = next_attempt(30, base, created, created, 1.0).unwrap();
        assert_eq!((late - created).num_hours(), 12, "capped");
        let mut at = created;
        let mut attempts = 1;
        while let Some(next) = next_attempt(attempts, base, created, at, 1.0) {
            at = next;
            attempts += 1;
        }
        assert!((at - created).num_hours() >= 71, "{at}");
        assert!(attempts < 30, "{attempts}");
    }

    #[test]
    fn signatures_follow_both_schemes() {
        let at = DateTime::parse_from_rfc3339("2026-11-27T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let headers = signature_headers("secret", "event_1", "{}", at);
        let expected = STANDARD.encode(hmac(b"secret", &[b"event_1.1795773600.{}"]));
        assert_eq!(headers[2], ("webhook-signature", format!("v1,{expected}")));
        assert_eq!(headers[1].1, "1795773600");
        let legacy = hex::encode(hmac(b"secret", &[b"2026-11-27T10:00:00Z.{}"]));
        assert_eq!(headers[3].1, format!("t=2026-11-27T10:00:00Z,v1={legacy}"));
    }
}
