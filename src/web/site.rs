//! Which site a request is for: the Host header (case-insensitive, any port ignored), or
//! `X-Forwarded-Host` when the request comes from a configured trusted proxy. An alias host
//! redirects to the site's canonical host.

use std::future::{Ready, ready};
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};

use super::AppState;
use super::error::AppError;
use crate::content::directory::SiteEntry;
use crate::content::hosts::{normalize_host, port_of};
use crate::feed;

/// The site of the request, with how its URLs are written.
pub struct Resident {
    pub site: Arc<SiteEntry>,
    /// `http://diemen.localhost:8080`: scheme, canonical host and the port the request used.
    pub base_url: String,
}

/// The host and scheme a request was made with, after trusted proxies.
pub struct Origin {
    /// As sent, possibly with a port.
    pub host: String,
    pub scheme: String,
}

pub fn origin(req: &HttpRequest, state: &AppState) -> Origin {
    let from_proxy = req.peer_addr().is_some_and(|peer| state.config.is_trusted_proxy(peer.ip()));
    // A proxy appends what it saw to what the client sent, so only the last value is the
    // trusted proxy's own (several header lines count as one comma-separated list).
    let forwarded = |name: &str| {
        req.headers()
            .get_all(name)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .next_back()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let direct_host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| req.uri().authority().map(|a| a.to_string()))
        .unwrap_or_default();
    let (host, scheme) = if from_proxy {
        (
            forwarded("x-forwarded-host").unwrap_or(direct_host),
            forwarded("x-forwarded-proto").filter(|p| p == "https" || p == "http").unwrap_or_else(|| "http".into()),
        )
    } else {
        (direct_host, "http".to_owned())
    };
    Origin { host, scheme }
}

/// A site's address as this request reaches the server (scheme, canonical host and the port
/// asked for), for absolute links to its pages outside its own requests (exports).
pub fn site_base_url(req: &HttpRequest, state: &AppState, slug: &str) -> Option<String> {
    let origin = origin(req, state);
    let port = crate::content::hosts::port_of(&origin.host).map(|p| format!(":{p}")).unwrap_or_default();
    super::directory(state).site_by_slug(slug).map(|s| format!("{}://{}{port}", origin.scheme, s.site.canonical_host()))
}

/// The address a request came from (the client behind a trusted proxy), for logs and
/// throttling.
pub fn client_address(req: &HttpRequest, state: &AppState) -> String {
    let peer = req.peer_addr().map(|p| p.ip());
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .next_back()
        .and_then(|v| forwarded_ip(v.trim()))
        .map(|ip| ip.to_string());
    match (peer, forwarded) {
        (Some(ip), Some(client)) if state.config.is_trusted_proxy(ip) => client,
        (Some(ip), _) => ip.to_string(),
        (None, _) => "unknown".into(),
    }
}

/// An address as proxies write it: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1` or
/// `[2001:db8::1]:4711`.
fn forwarded_ip(value: &str) -> Option<std::net::IpAddr> {
    if let Ok(ip) = value.parse() {
        return Some(ip);
    }
    if let Ok(socket) = value.parse::<std::net::SocketAddr>() {
        return Some(socket.ip());
    }
    value.strip_prefix('[').and_then(|v| v.split_once(']')).and_then(|(ip, _)| ip.parse().ok())
}

pub fn resolve(req: &HttpRequest) -> Result<Resident, AppError> {
    let state = req.app_data::<web::Data<AppState>>().ok_or_else(|| AppError::internal("no application state"))?;
    let origin = origin(req, state);
    let host = normalize_host(&origin.host).ok_or_else(|| AppError::BadRequest("De Host-header is ongeldig.".into()))?;
    let directory = feed::current(state.feed.directory());
    let found = directory.lookup(&host).ok_or(AppError::UnknownHost)?;
    // Links carry the port only when it is one this server is reached on (its configured
    // address, or the socket the request came in on): any other port in a Host header is
    // ignored, so it can neither change links nor make another cache entry.
    let listening = |p: u16| state.config.public_port() == Some(p) || req.app_config().local_addr().port() == p;
    let port = port_of(&origin.host).filter(|&p| listening(p)).map(|p| format!(":{p}")).unwrap_or_default();
    let base_url = format!("{}://{}{}", origin.scheme, found.site.site.canonical_host(), port);
    if !found.canonical {
        let path = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
        return Err(AppError::Redirect { location: format!("{base_url}{path}"), permanent: true });
    }
    Ok(Resident { site: found.site, base_url })
}

impl FromRequest for Resident {
    type Error = AppError;
    type Future = Ready<Result<Resident, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(resolve(req))
    }
}
