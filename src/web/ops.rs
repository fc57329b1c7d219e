//! Operations: `/healthz`, `/metrics` (Prometheus text format) and a structured log line per
//! request.

use std::sync::atomic::Ordering;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, web};
use diesel::RunQueryDsl;

use super::AppState;
use super::error::AppError;
use crate::metrics::{self, RouteKind, Scraped, ScrapedTotal};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(super::api::read("/healthz", healthz)).service(super::api::read("/metrics", metrics));
}

/// Records and logs every request.
pub async fn observe(req: ServiceRequest, next: Next<impl MessageBody>) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    // What the log line needs is copied only when the line is written.
    let logged = tracing::enabled!(target: "meent::http", tracing::Level::INFO).then(|| {
        let host = req.headers().get("host").and_then(|h| h.to_str().ok()).unwrap_or("").to_owned();
        (req.method().clone(), req.path().to_owned(), host)
    });
    let kind = RouteKind::of(req.path());
    let res = next.call(req).await?;
    let status = res.status().as_u16();
    let took = started.elapsed();
    metrics::request(kind, status, took);
    let micros = took.as_micros() as u64;
    if let Some((method, path, host)) = logged {
        tracing::info!(target: "meent::http", %method, %path, %host, status, micros, "request");
    }
    Ok(res)
}

/// Liveness and readiness in one answer: 200 when the database answers and every follower of
/// the change feed keeps up (a search rebuild in progress counts as keeping up); 503, with
/// what is wrong, when a follower keeps failing, so a load balancer sends residents elsewhere
/// instead of to stale pages. That the process answers at all is its liveness.
async fn healthz(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let st = state.clone();
    let database = web::block(move || -> Result<(), AppError> {
        let mut conn = st.pool.get()?;
        diesel::sql_query("SELECT 1").execute(&mut conn)?;
        Ok(())
    })
    .await?;
    let followers = state.feed.health();
    let ready = database.is_ok() && state.feed.is_ready();
    let status = if ready { actix_web::http::StatusCode::OK } else { actix_web::http::StatusCode::SERVICE_UNAVAILABLE };
    Ok(HttpResponse::build(status).insert_header(("cache-control", "no-store")).json(serde_json::json!({
        "status": if ready { "ok" } else { "unready" },
        "database": if database.is_ok() { "ok" } else { "unreachable" },
        "sites": super::directory(&state).sites().len(),
        "change_feed_position": state.feed.cursor(),
        "search": if state.search.is_ready() { "ready" } else { "rebuilding" },
        "followers": followers,
    })))
}

/// Whether a request may read `/metrics`: from loopback or a configured address, or with the
/// configured token. Others get 404, as if there were nothing.
fn may_read_metrics(req: &HttpRequest, state: &AppState) -> bool {
    let config = &state.config;
    let with_token = config.metrics_token.as_deref().is_some_and(|token| {
        req.headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| crate::auth::secrets::same_secret(given.trim(), token))
    });
    let address = super::site::client_address(req, state).parse::<std::net::IpAddr>().ok();
    // A request relayed by a proxy that is not configured as trusted comes from loopback too:
    // loopback counts only for requests no proxy relayed.
    let relayed = req.headers().contains_key("x-forwarded-for") && !req.peer_addr().is_some_and(|p| config.is_trusted_proxy(p.ip()));
    let local = |ip: std::net::IpAddr| ip.to_canonical().is_loopback() && !relayed;
    with_token || address.is_some_and(|ip| local(ip) || config.metrics_allow.iter().any(|n| n.contains(ip)))
}

async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    if !may_read_metrics(&req, &state) {
        return Err(AppError::NotFound);
    }
    let cache = &state.cache;
    metrics::scraped_total(ScrapedTotal::PageCacheHits, u64::try_from(cache.hits.load(Ordering::Relaxed)).unwrap_or(u64::MAX));
    metrics::scraped_total(ScrapedTotal::PageCacheMisses, u64::try_from(cache.misses.load(Ordering::Relaxed)).unwrap_or(u64::MAX));
    metrics::scraped(Scraped::PageCacheEntries, i64::try_from(cache.len()).unwrap_or(i64::MAX));
    metrics::scraped(Scraped::ChangeFeedPosition, state.feed.cursor());
    for f in state.feed.health() {
        metrics::follower(f.name, f.behind, f.failures_total);
    }
    metrics::scraped(Scraped::Sites, i64::try_from(super::directory(&state).sites().len()).unwrap_or(i64::MAX));
    let pool = state.pool.state();
    metrics::scraped(Scraped::DbConnections, i64::from(pool.connections));
    metrics::scraped(Scraped::DbConnectionsIdle, i64::from(pool.idle_connections));
    metrics::scraped(Scraped::RateLimitedNetworks, i64::try_from(state.limits.tracked()).unwrap_or(i64::MAX));
    metrics::scraped(Scraped::SearchMissesPending, i64::try_from(state.misses.pending()).unwrap_or(i64::MAX));
    let out = metrics::encode().map_err(|e| AppError::Internal(format!("metrics: {e}")))?;
    Ok(HttpResponse::Ok().content_type(metrics::CONTENT_TYPE).insert_header(("cache-control", "no-store")).body(out))
}
