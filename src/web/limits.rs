//! Rate limits per client network (an IPv4 address, or an IPv6 /64: see `auth::throttle`) for
//! what anyone can make expensive: search, suggestions, logins, uploads, feedback. A request
//! over its limit gets 429 with `Retry-After`. The limits are settings (`config::RateLimits`);
//! `MEENT_RATE_LIMITS=off` turns them off for benchmarks and tests.

use std::net::IpAddr;
use std::num::NonZeroU32;

use actix_web::HttpRequest;
use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use super::AppState;
use super::error::AppError;
use crate::config::{Rate, RateLimits};

/// What a limit is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    Search,
    Suggest,
    Login,
    Upload,
    Feedback,
}

type Limiter = RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock>;

/// One limiter per bucket, shared by every worker.
pub struct Limits {
    enabled: bool,
    search: Limiter,
    suggest: Limiter,
    login: Limiter,
    upload: Limiter,
    feedback: Limiter,
}

fn limiter(rate: Rate) -> Limiter {
    let per = NonZeroU32::new(rate.requests.max(1)).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(rate.burst.max(1)).unwrap_or(NonZeroU32::MIN);
    let period = rate.period / per.get();
    let quota = Quota::with_period(period).unwrap_or_else(|| Quota::per_second(per)).allow_burst(burst);
    RateLimiter::keyed(quota)
}

impl Limits {
    pub fn new(settings: &RateLimits) -> Limits {
        Limits {
            enabled: settings.enabled,
            search: limiter(settings.search),
            suggest: limiter(settings.suggest),
            login: limiter(settings.login),
            upload: limiter(settings.upload),
            feedback: limiter(settings.feedback),
        }
    }

    fn of(&self, bucket: Bucket) -> &Limiter {
        match bucket {
            Bucket::Search => &self.search,
            Bucket::Suggest => &self.suggest,
            Bucket::Login => &self.login,
            Bucket::Upload => &self.upload,
            Bucket::Feedback => &self.feedback,
        }
    }

    /// Counts a request of `network`; refuses it with the seconds to wait when over the limit.
    pub fn check_network(&self, bucket: Bucket, network: IpAddr) -> Result<(), AppError> {
        if !self.enabled {
            return Ok(());
        }
        self.of(bucket).check_key(&network).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            AppError::TooManyRequests(wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
        })
    }

    /// Forgets networks whose budget is full again, so memory follows the clients of the last
    /// moments, not every client ever seen.
    pub fn shrink(&self) {
        for bucket in [Bucket::Search, Bucket::Suggest, Bucket::Login, Bucket::Upload, Bucket::Feedback] {
            let l = self.of(bucket);
            l.retain_recent();
            l.shrink_to_fit();
        }
    }

    /// Networks held now, over every bucket (for `/metrics`).
    pub fn tracked(&self) -> usize {
        [Bucket::Search, Bucket::Suggest, Bucket::Login, Bucket::Upload, Bucket::Feedback].iter().map(|b| self.of(*b).len()).sum()
    }
}

/// Counts a request against its bucket, keyed by the client's network.
pub fn check(req: &HttpRequest, state: &AppState, bucket: Bucket) -> Result<(), AppError> {
    let address = super::site::client_address(req, state);
    let network = address.parse::<IpAddr>().map(crate::auth::throttle::network).unwrap_or(IpAddr::from([0, 0, 0, 0]));
    state.limits.check_network(bucket, network)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn over_the_limit_waits_and_networks_are_counted_per_64() {
        let rate = Rate { requests: 2, period: Duration::from_secs(60), burst: 2 };
        let settings = RateLimits { enabled: true, search: rate, suggest: rate, login: rate, upload: rate, feedback: rate };
        let limits = Limits::new(&settings);
        let net = |a: &str| crate::auth::throttle::network(a.parse().unwrap());
        assert!(limits.check_network(Bucket::Search, net("2001:db8::1")).is_ok());
        assert!(limits.check_network(Bucket::Search, net("2001:db8::ffff")).is_ok());
        match limits.check_network(Bucket::Search, net("2001:db8::1:2")) {
            Err(AppError::TooManyRequests(wait)) => assert!((1..=30).contains(&wait), "{wait}"),
            other => panic!("the same /64 is over its limit: {other:?}"),
        }
        assert!(limits.check_network(Bucket::Search, net("2001:db8:0:1::1")).is_ok(), "another /64 is not");
        assert!(limits.check_network(Bucket::Login, net("2001:db8::1")).is_ok(), "buckets are separate");
        let off = Limits::new(&RateLimits { enabled: false, ..settings });
        for _ in 0..10 {
            assert!(off.check_network(Bucket::Search, net("192.0.2.1")).is_ok());
        }
    }
}
