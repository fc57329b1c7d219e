//! The process's metrics, in the Prometheus exposition format (`prometheus-client`, the
//! Prometheus project's own Rust client). Metrics belong to the process, as Prometheus scrapes
//! them: one registry, reached from the layers that observe something (requests, the database
//! pool, the media store, the change feed) without threading it through each of them.

use std::sync::LazyLock;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// What a request was for: a handful of kinds, so latency can be told apart without a series
/// per URL.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub enum RouteKind {
    Page,
    Search,
    Api,
    AdminApi,
    Admin,
    Media,
    Asset,
    Ops,
}

impl RouteKind {
    /// The kind of a request path (as routed; the site is chosen by the host).
    pub fn of(path: &str) -> RouteKind {
        let under = |prefix: &str| path == prefix || path.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/'));
        if under("/api/v1/admin") {
            RouteKind::AdminApi
        } else if under("/zoeken") || under("/en/search") || under("/api/v1/search") || under("/api/v1/suggest") {
            RouteKind::Search
        } else if under("/api") {
            RouteKind::Api
        } else if under("/admin") {
            RouteKind::Admin
        } else if under("/media") {
            RouteKind::Media
        } else if under("/static") || under("/theme") || path == "/favicon.ico" {
            RouteKind::Asset
        } else if path == "/healthz" || path == "/metrics" {
            RouteKind::Ops
        } else {
            RouteKind::Page
        }
    }

    fn label(self) -> &'static str {
        match self {
            RouteKind::Page => "page",
            RouteKind::Search => "search",
            RouteKind::Api => "api",
            RouteKind::AdminApi => "admin_api",
            RouteKind::Admin => "admin",
            RouteKind::Media => "media",
            RouteKind::Asset => "asset",
            RouteKind::Ops => "ops",
        }
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    kind: &'static str,
    class: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabel {
    kind: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FollowerLabel {
    follower: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabel {
    operation: &'static str,
}

fn latency_histogram() -> Histogram {
    // 0.5 ms to about 4 s.
    Histogram::new(exponential_buckets(0.0005, 2.0, 14))
}

fn wait_histogram() -> Histogram {
    // 0.1 ms to about 30 s (the pool's timeout).
    Histogram::new(exponential_buckets(0.0001, 2.5, 14))
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<KindLabel, Histogram, fn() -> Histogram>,
    pool_wait: Histogram,
    pool_timeouts: Counter,
    change_lock_wait: Histogram,
    store_errors: Family<OperationLabel, Counter>,
    follower_behind: Family<FollowerLabel, Gauge>,
    follower_failures: Family<FollowerLabel, Counter>,
    gauges: Vec<(Scraped, Gauge)>,
    counters: Vec<(ScrapedTotal, Counter)>,
}

/// Values the process's state holds, read when `/metrics` is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scraped {
    Sites,
    PageCacheEntries,
    ChangeFeedPosition,
    DbConnections,
    DbConnectionsIdle,
    RateLimitedNetworks,
    SearchMissesPending,
}

impl Scraped {
    const ALL: [Scraped; 7] = [
        Scraped::Sites,
        Scraped::PageCacheEntries,
        Scraped::ChangeFeedPosition,
        Scraped::DbConnections,
        Scraped::DbConnectionsIdle,
        Scraped::RateLimitedNetworks,
        Scraped::SearchMissesPending,
    ];

    fn name_and_help(self) -> (&'static str, &'static str) {
        match self {
            Scraped::Sites => ("sites", "Sites served"),
            Scraped::PageCacheEntries => ("page_cache_entries", "Responses held in the page cache"),
            Scraped::ChangeFeedPosition => ("change_feed_position", "Id of the last change this process read from the change log"),
            Scraped::DbConnections => ("db_connections", "Open database connections of the pool"),
            Scraped::DbConnectionsIdle => ("db_connections_idle", "Database connections of the pool not in use"),
            Scraped::RateLimitedNetworks => ("rate_limited_networks", "Client networks the rate limits hold state for"),
            Scraped::SearchMissesPending => ("search_misses_pending", "Searches without results counted but not written yet"),
        }
    }
}

/// Counts the process's state keeps, read when `/metrics` is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScrapedTotal {
    PageCacheHits,
    PageCacheMisses,
}

impl ScrapedTotal {
    const ALL: [ScrapedTotal; 2] = [ScrapedTotal::PageCacheHits, ScrapedTotal::PageCacheMisses];

    fn name_and_help(self) -> (&'static str, &'static str) {
        match self {
            ScrapedTotal::PageCacheHits => ("page_cache_hits", "Responses served from the page cache"),
            ScrapedTotal::PageCacheMisses => ("page_cache_misses", "Responses built because the page cache had none"),
        }
    }
}

static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

impl Metrics {
    fn new() -> Metrics {
        let mut registry = Registry::with_prefix("meent");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register("http_requests", "HTTP requests by kind of route and status class", requests.clone());
        let latency = Family::<KindLabel, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram as fn() -> Histogram);
        registry.register("http_request_duration_seconds", "Time to answer a request, by kind of route", latency.clone());
        let pool_wait = wait_histogram();
        registry.register("db_pool_wait_seconds", "Time a request waited for a database connection", pool_wait.clone());
        let pool_timeouts = Counter::default();
        registry.register("db_pool_timeouts", "Requests that got no database connection in time", pool_timeouts.clone());
        let change_lock_wait = wait_histogram();
        registry.register("db_change_lock_wait_seconds", "Time a write waited for another writer at its end (the change log's lock, PostgreSQL)", change_lock_wait.clone());
        let store_errors = Family::<OperationLabel, Counter>::default();
        registry.register("media_store_errors", "Failed requests to the media store (object storage), by operation", store_errors.clone());
        let follower_behind = Family::<FollowerLabel, Gauge>::default();
        registry.register("follower_behind", "Changes read from the change log that a follower has not applied yet (the change-feed lag)", follower_behind.clone());
        let follower_failures = Family::<FollowerLabel, Counter>::default();
        registry.register("follower_failures", "Failed attempts of a follower to apply changes; each is retried", follower_failures.clone());
        let gauges = register_each(&mut registry, Scraped::ALL, Scraped::name_and_help);
        let counters = register_each(&mut registry, ScrapedTotal::ALL, ScrapedTotal::name_and_help);
        Metrics { registry, requests, latency, pool_wait, pool_timeouts, change_lock_wait, store_errors, follower_behind, follower_failures, gauges, counters }
    }
}

/// One metric per value of `all`, registered under the name and help it gives.
fn register_each<W: Copy, M: prometheus_client::registry::Metric + Default + Clone>(
    registry: &mut Registry,
    all: impl IntoIterator<Item = W>,
    name_and_help: fn(W) -> (&'static str, &'static str),
) -> Vec<(W, M)> {
    all.into_iter()
        .map(|what| {
            let (name, help) = name_and_help(what);
            let metric = M::default();
            registry.register(name, help, metric.clone());
            (what, metric)
        })
        .collect()
}

/// A request answered.
pub fn request(kind: RouteKind, status: u16, took: Duration) {
    let class = match status / 100 {
        1 => "1xx",
        2 => "2xx",
        3 => "3xx",
        4 => "4xx",
        _ => "5xx",
    };
    METRICS.requests.get_or_create(&RequestLabels { kind: kind.label(), class }).inc();
    METRICS.latency.get_or_create(&KindLabel { kind: kind.label() }).observe(took.as_secs_f64());
}

/// A database connection handed out after waiting `waited`.
pub fn pool_checkout(waited: Duration) {
    METRICS.pool_wait.observe(waited.as_secs_f64());
}

/// A write waited this long for the change log's lock (another writer's last step).
pub fn change_lock_wait(waited: Duration) {
    METRICS.change_lock_wait.observe(waited.as_secs_f64());
}

/// No database connection became free in time.
pub fn pool_timeout() {
    METRICS.pool_timeouts.inc();
}

/// A request to the media store failed (not: a file that is not there).
pub fn media_store_error(operation: &'static str) {
    METRICS.store_errors.get_or_create(&OperationLabel { operation }).inc();
}

/// One follower of the change feed, as the feed reports it at scrape time.
pub fn follower(name: &'static str, behind: i64, failures_total: u64) {
    METRICS.follower_behind.get_or_create(&FollowerLabel { follower: name }).set(behind);
    catch_up(&METRICS.follower_failures.get_or_create(&FollowerLabel { follower: name }), failures_total);
}

/// A value of the process's state, read at scrape time.
pub fn scraped(what: Scraped, value: i64) {
    if let Some((_, gauge)) = METRICS.gauges.iter().find(|(w, _)| *w == what) {
        gauge.set(value);
    }
}

/// A count the process's state keeps, read at scrape time.
pub fn scraped_total(what: ScrapedTotal, total: u64) {
    if let Some((_, counter)) = METRICS.counters.iter().find(|(w, _)| *w == what) {
        catch_up(counter, total);
    }
}

/// Brings a counter up to a total counted elsewhere (which only grows).
fn catch_up(counter: &Counter, total: u64) {
    let now = counter.get();
    if total > now {
        counter.inc_by(total - now);
    }
}

/// Every metric in the text exposition format (OpenMetrics).
pub fn encode() -> Result<String, std::fmt::Error> {
    let mut out = String::new();
    prometheus_client::encoding::text::encode(&mut out, &METRICS.registry)?;
    Ok(out)
}

/// The content type of `encode`'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The pool's events, recorded as metrics.
#[derive(Debug)]
pub struct PoolEvents;

impl diesel::r2d2::HandleEvent for PoolEvents {
    fn handle_checkout(&self, event: diesel::r2d2::event::CheckoutEvent) {
        pool_checkout(event.duration());
    }

    fn handle_timeout(&self, _event: diesel::r2d2::event::TimeoutEvent) {
        pool_timeout();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_fall_into_few_kinds() {
        assert_eq!(RouteKind::of("/producten/paspoort"), RouteKind::Page);
        assert_eq!(RouteKind::of("/zoeken"), RouteKind::Search);
        assert_eq!(RouteKind::of("/api/v1/search"), RouteKind::Search);
        assert_eq!(RouteKind::of("/api/v1/products"), RouteKind::Api);
        assert_eq!(RouteKind::of("/api/v1/admin/catalogue/x"), RouteKind::AdminApi);
        assert_eq!(RouteKind::of("/admin"), RouteKind::Admin);
        assert_eq!(RouteKind::of("/administratie"), RouteKind::Page);
        assert_eq!(RouteKind::of("/media/abc/x.webp"), RouteKind::Media);
        assert_eq!(RouteKind::of("/metrics"), RouteKind::Ops);
    }

    #[test]
    fn the_text_holds_histograms_and_counters() {
        request(RouteKind::Page, 200, Duration::from_millis(3));
        pool_checkout(Duration::from_micros(50));
        media_store_error("get");
        let text = encode().unwrap();
        assert!(text.contains("meent_http_requests_total{kind=\"page\",class=\"2xx\"}"), "{text}");
        assert!(text.contains("meent_http_request_duration_seconds_bucket{le=\"0.004\",kind=\"page\"}") || text.contains("meent_http_request_duration_seconds_bucket{kind=\"page\",le="), "{text}");
        assert!(text.contains("meent_db_pool_wait_seconds_count"), "{text}");
        assert!(text.contains("meent_media_store_errors_total{operation=\"get\"}"), "{text}");
    }
}
