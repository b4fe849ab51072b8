//! Persists the expiry of sessions whose `expires_at` has passed. Readers
//! already treat such sessions as expired; the sweep keeps stored state (and
//! the status index) truthful.

use std::{sync::Arc, time::Duration};

use crate::{clock::Clock, store::Store, store::StoreError};

/// One pass of the sweep; returns how many sessions it expired.
pub async fn expire_overdue_sessions(store: &Store, clock: &dyn Clock) -> Result<u64, StoreError> {
    let expired = store.expire_sessions_before(clock.now()).await?;
    metrics::counter!("onboarding_sessions_expired_total", "by" => "sweep").increment(expired);
    Ok(expired)
}

pub async fn run(store: Store, clock: Arc<dyn Clock>, interval: Duration) {
    let interval = interval.max(Duration::from_secs(1));
    loop {
        match expire_overdue_sessions(&store, clock.as_ref()).await {
            Ok(0) => {}
            Ok(count) => tracing::info!(count, "expired overdue onboarding sessions"),
            Err(error) => tracing::warn!(error = %error, "expiry sweep failed; will retry"),
        }
        tokio::time::sleep(interval).await;
    }
}
