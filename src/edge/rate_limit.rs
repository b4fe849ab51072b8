//! Rate limits (GCRA, from `governor`): per API key on the JSON API, per
//! client address on the hosted pages, and per client address on failed
//! authentication. A limit of `0` is no limit.

use std::{net::IpAddr, num::NonZeroU32, time::Duration};

use governor::{
    DefaultKeyedRateLimiter, NotUntil, Quota,
    clock::{Clock, DefaultClock, QuantaInstant, Reference},
};

use super::client_ip::counting_key;
use crate::{config::Settings, domain::ids::ApiKeyId};

/// How many refused clients are remembered at once; the oldest are
/// forgotten first, which only lets them try again sooner.
const BLOCKED_CLIENTS: usize = 10_000;

/// A request over a limit, and when the client may try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimited {
    /// Whole seconds, at least 1: what `Retry-After` says.
    pub retry_after: u64,
}

impl RateLimited {
    fn after(wait: Duration) -> Self {
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        Self {
            retry_after: seconds.max(1),
        }
    }
}

pub struct RateLimits {
    api: Option<DefaultKeyedRateLimiter<ApiKeyId>>,
    form: Option<DefaultKeyedRateLimiter<IpAddr>>,
    auth_failures: Option<DefaultKeyedRateLimiter<IpAddr>>,
    /// Clients over their allowance of failed authentications, until when:
    /// their requests are refused before any key is looked up.
    blocked: quick_cache::sync::Cache<IpAddr, QuantaInstant>,
    clock: DefaultClock,
}

impl RateLimits {
    pub fn new(settings: &Settings) -> Self {
        Self {
            api: NonZeroU32::new(settings.rate_limit_api).map(|n| DefaultKeyedRateLimiter::keyed(Quota::per_second(n))),
            form: NonZeroU32::new(settings.rate_limit_form)
                .map(|n| DefaultKeyedRateLimiter::keyed(Quota::per_minute(n))),
            auth_failures: NonZeroU32::new(settings.rate_limit_auth_failures)
                .map(|n| DefaultKeyedRateLimiter::keyed(Quota::per_minute(n))),
            blocked: quick_cache::sync::Cache::new(BLOCKED_CLIENTS),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one request made with an API key.
    pub fn api_request(&self, key: &ApiKeyId) -> Result<(), RateLimited> {
        self.check(self.api.as_ref(), key)
    }

    /// Counts one request for a hosted page.
    pub fn page_request(&self, client: IpAddr) -> Result<(), RateLimited> {
        self.check(self.form.as_ref(), &counting_key(client))
    }

    /// Whether `client` is still refused for failing authentication too
    /// often; asked before its key is looked up.
    pub fn refused_for_auth_failures(&self, client: IpAddr) -> Result<(), RateLimited> {
        let key = counting_key(client);
        let Some(until) = self.blocked.get(&key) else {
            return Ok(());
        };
        let now = self.clock.now();
        if until > now {
            return Err(RateLimited::after(Duration::from(until.duration_since(now))));
        }
        self.blocked.remove(&key);
        Ok(())
    }

    /// Counts one failed authentication; over the allowance, the client is
    /// refused until it has earned another try.
    pub fn auth_failure(&self, client: IpAddr) -> Result<(), RateLimited> {
        let key = counting_key(client);
        let Some(limiter) = self.auth_failures.as_ref() else {
            return Ok(());
        };
        limiter.check_key(&key).map_err(|not_until| {
            self.blocked.insert(key, not_until.earliest_possible());
            self.refusal(&not_until)
        })
    }

    /// Forgets clients whose allowance is full again, so that the limiters'
    /// memory follows the clients of the last minutes, not of all time.
    pub fn forget_idle_clients(&self) {
        for limiter in [self.form.as_ref(), self.auth_failures.as_ref()].into_iter().flatten() {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        if let Some(api) = &self.api {
            api.retain_recent();
        }
    }

    fn check<K: std::hash::Hash + Eq + Clone>(
        &self,
        limiter: Option<&DefaultKeyedRateLimiter<K>>,
        key: &K,
    ) -> Result<(), RateLimited> {
        match limiter {
            Some(limiter) => limiter.check_key(key).map_err(|not_until| self.refusal(&not_until)),
            None => Ok(()),
        }
    }

    fn refusal(&self, not_until: &NotUntil<QuantaInstant>) -> RateLimited {
        metrics::counter!("onboarding_rate_limited_total").increment(1);
        RateLimited::after(not_until.wait_time_from(self.clock.now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(api: u32, form: u32, auth_failures: u32) -> Settings {
        let mut settings = Settings::for_database("unused.db");
        settings.rate_limit_api = api;
        settings.rate_limit_form = form;
        settings.rate_limit_auth_failures = auth_failures;
        settings
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn each_api_key_has_its_own_allowance() {
        let limits = RateLimits::new(&settings(2, 0, 0));
        let (one, two) = (ApiKeyId::generate(), ApiKeyId::generate());
        assert!(limits.api_request(&one).is_ok() && limits.api_request(&one).is_ok());
        let refused = limits.api_request(&one).unwrap_err();
        assert!((1..=1).contains(&refused.retry_after), "{refused:?}");
        assert!(limits.api_request(&two).is_ok());
    }

    #[test]
    fn pages_are_limited_per_client_and_ipv6_clients_per_slash_64() {
        let limits = RateLimits::new(&settings(0, 1, 0));
        assert!(limits.page_request(ip("2001:db8::1")).is_ok());
        let refused = limits.page_request(ip("2001:db8::2")).unwrap_err();
        assert!((1..=60).contains(&refused.retry_after), "{refused:?}");
        assert!(limits.page_request(ip("203.0.113.7")).is_ok());
    }

    #[test]
    fn a_client_over_its_failed_authentications_is_refused_before_any_lookup() {
        let limits = RateLimits::new(&settings(0, 0, 2));
        let client = ip("203.0.113.7");
        assert!(limits.refused_for_auth_failures(client).is_ok());
        assert!(limits.auth_failure(client).is_ok() && limits.auth_failure(client).is_ok());
        assert!(
            limits.refused_for_auth_failures(client).is_ok(),
            "at, not over, the allowance"
        );
        let refused = limits.auth_failure(client).unwrap_err();
        assert!((1..=30).contains(&refused.retry_after), "{refused:?}");
        assert!(limits.refused_for_auth_failures(client).is_err());
        assert!(limits.refused_for_auth_failures(ip("198.51.100.1")).is_ok());
    }

    #[test]
    fn zero_means_no_limit() {
        let limits = RateLimits::new(&settings(0, 0, 0));
        let key = ApiKeyId::generate();
        for _ in 0..1_000 {
            assert!(limits.api_request(&key).is_ok());
            assert!(limits.page_request(ip("203.0.113.7")).is_ok());
            assert!(limits.auth_failure(ip("203.0.113.7")).is_ok());
        }
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(RateLimited::after(Duration::from_millis(1)).retry_after, 1);
        assert_eq!(RateLimited::after(Duration::from_millis(1_001)).retry_after, 2);
        assert_eq!(RateLimited::after(Duration::ZERO).retry_after, 1);
        assert_eq!(RateLimited::after(Duration::from_secs(20)).retry_after, 20);
    }
}
