//! The periodic sweep. It persists the expiry of sessions whose `expires_at`
//! has passed (readers already treat them as expired; the sweep keeps stored
//! state and the status index truthful), and deletes idempotent responses
//! older than their retention and logos no program uses any more.

use std::{sync::Arc, time::Duration};

use crate::{clock::Clock, store::Store, store::StoreError};

/// One pass of the session expiry; returns how many sessions it expired.
pub async fn expire_overdue_sessions(store: &Store, clock: &dyn Clock) -> Result<u64, StoreError> {
    let expired = store.expire_sessions_before(clock.now()).await?;
    metrics::counter!("onboarding_sessions_expired_total", "by" => "sweep").increment(expired);
    Ok(expired)
}

/// One pass of the pruning: deletes the responses recorded against
/// idempotency keys more than `retention` ago; returns how many.
pub async fn prune_idempotency_responses(
    store: &Store,
    clock: &dyn Clock,
    retention: Duration,
) -> Result<u64, StoreError> {
    // A retention beyond what a date can express keeps everything.
    let Some(cutoff) = chrono::Duration::from_std(retention)
        .ok()
        .and_then(|retention| clock.now().checked_sub_signed(retention))
    else {
        return Ok(0);
    };
    let pruned = store.prune_idempotency_responses_before(cutoff).await?;
    metrics::counter!("onboarding_idempotency_responses_pruned_total").increment(pruned);
    Ok(pruned)
}

/// How long a logo no program uses is kept: pages rendered just before a
/// program changed its logo may still ask for the old one.
pub const UNUSED_LOGO_GRACE: chrono::Duration = chrono::Duration::days(1);

/// One pass of the logo cleanup: deletes the logos no program has chosen
/// for [`UNUSED_LOGO_GRACE`]; returns how many.
pub async fn delete_unused_logos(store: &Store, clock: &dyn Clock) -> Result<u64, StoreError> {
    store.delete_unused_logos(clock.now() - UNUSED_LOGO_GRACE).await
}

pub async fn run(store: Store, clock: Arc<dyn Clock>, interval: Duration, idempotency_retention: Duration) {
    let interval = interval.max(Duration::from_secs(1));
    loop {
        match expire_overdue_sessions(&store, clock.as_ref()).await {
            Ok(0) => {}
            Ok(count) => tracing::info!(count, "expired overdue onboarding sessions"),
            Err(error) => tracing::warn!(error = %error, "expiry sweep failed; will retry"),
        }
        match prune_idempotency_responses(&store, clock.as_ref(), idempotency_retention).await {
            Ok(0) => {}
            Ok(count) => tracing::info!(count, "pruned idempotent responses past their retention"),
            Err(error) => tracing::warn!(error = %error, "pruning idempotent responses failed; will retry"),
        }
        match delete_unused_logos(&store, clock.as_ref()).await {
            Ok(0) => {}
            Ok(count) => tracing::info!(count, "deleted logos no program uses"),
            Err(error) => tracing::warn!(error = %error, "deleting unused logos failed; will retry"),
        }
        tokio::time::sleep(interval).await;
    }
}
