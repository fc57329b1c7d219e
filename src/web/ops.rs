//! Operations: `/healthz`, `/metrics` (Prometheus text format) and a structured log line per
//! request.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, web};
use diesel::RunQueryDsl;

use super::AppState;
use super::error::AppError;

#[derive(Debug, Default)]
pub struct Metrics {
    requests: [AtomicU64; 5],
    duration_micros: AtomicU64,
}

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
    let metrics = req.app_data::<web::Data<AppState>>().map(|s| s.metrics.clone());
    let res = next.call(req).await?;
    let status = res.status().as_u16();
    let micros = started.elapsed().as_micros() as u64;
    if let Some(m) = metrics {
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        m.requests[class].fetch_add(1, Ordering::Relaxed);
        m.duration_micros.fetch_add(micros, Ordering::Relaxed);
    }
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
    let m = &state.metrics;
    let mut out = String::new();
    out.push_str("# HELP meent_http_requests_total HTTP requests by status class.\n# TYPE meent_http_requests_total counter\n");
    for (i, class) in ["1xx", "2xx", "3xx", "4xx", "5xx"].iter().enumerate() {
        out.push_str(&format!("meent_http_requests_total{{class=\"{class}\"}} {}\n", m.requests[i].load(Ordering::Relaxed)));
    }
    out.push_str("# HELP meent_http_request_duration_seconds_sum Time spent answering requests.\n# TYPE meent_http_request_duration_seconds_sum counter\n");
    out.push_str(&format!("meent_http_request_duration_seconds_sum {:.6}\n", m.duration_micros.load(Ordering::Relaxed) as f64 / 1e6));
    let cache = &state.cache;
    out.push_str("# HELP meent_page_cache_hits_total Responses served from the page cache.\n# TYPE meent_page_cache_hits_total counter\n");
    out.push_str(&format!("meent_page_cache_hits_total {}\n", cache.hits.load(Ordering::Relaxed)));
    out.push_str("# HELP meent_page_cache_misses_total Responses built because the cache had none.\n# TYPE meent_page_cache_misses_total counter\n");
    out.push_str(&format!("meent_page_cache_misses_total {}\n", cache.misses.load(Ordering::Relaxed)));
    out.push_str("# HELP meent_page_cache_entries Responses held in the page cache.\n# TYPE meent_page_cache_entries gauge\n");
    out.push_str(&format!("meent_page_cache_entries {}\n", cache.len()));
    out.push_str("# HELP meent_change_feed_position Id of the last change applied by this process.\n# TYPE meent_change_feed_position gauge\n");
    out.push_str(&format!("meent_change_feed_position {}\n", state.feed.cursor()));
    let followers = state.feed.health();
    out.push_str("# HELP meent_follower_behind Changes read from the change log that a follower has not applied yet.\n# TYPE meent_follower_behind gauge\n");
    for f in &followers {
        out.push_str(&format!("meent_follower_behind{{follower=\"{}\"}} {}\n", f.name, f.behind));
    }
    out.push_str("# HELP meent_follower_failures_total Failed attempts of a follower to apply changes (each is retried).\n# TYPE meent_follower_failures_total counter\n");
    for f in &followers {
        out.push_str(&format!("meent_follower_failures_total{{follower=\"{}\"}} {}\n", f.name, f.failures_total));
    }
    out.push_str("# HELP meent_sites Sites served.\n# TYPE meent_sites gauge\n");
    out.push_str(&format!("meent_sites {}\n", super::directory(&state).sites().len()));
    let pool = state.pool.state();
    out.push_str("# HELP meent_db_connections Open database connections.\n# TYPE meent_db_connections gauge\n");
    out.push_str(&format!("meent_db_connections {}\n", pool.connections));
    out.push_str("# HELP meent_rate_limited_networks Client networks the rate limits hold state for.\n# TYPE meent_rate_limited_networks gauge\n");
    out.push_str(&format!("meent_rate_limited_networks {}\n", state.limits.tracked()));
    out.push_str("# HELP meent_search_misses_pending Searches without results counted but not written yet.\n# TYPE meent_search_misses_pending gauge\n");
    out.push_str(&format!("meent_search_misses_pending {}\n", state.misses.pending()));
    Ok(HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").insert_header(("cache-control", "no-store")).body(out))
}
