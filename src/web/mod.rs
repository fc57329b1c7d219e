//! HTTP: resident pages, the JSON API and operations endpoints. Handlers resolve the site,
//! read through `content::store` (which applies visibility), render a view, and respond
//! through the page cache.

mod admin;
mod admin_api;
mod api;
mod error;
pub(crate) mod limits;
mod media;
mod ops;
pub(crate) mod public;
pub(crate) mod respond;
pub(crate) mod routes;
mod search;
pub(crate) mod site;
mod standards;
mod upload;

use std::sync::Arc;
use std::time::Duration;

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::{Compress, DefaultHeaders, ErrorHandlerResponse, ErrorHandlers};
use actix_web::{App, HttpResponse, web};

pub use error::AppError;
pub use routes::admin_routes;

use crate::cache::PageCache;
use crate::content::cache::ContentCache;
use crate::config::{Config, UnknownHost};
use crate::db::{self, DbUrl, Pool};
use crate::feed::{self, Feed};
use crate::media::MediaFiles;
use crate::render::templates::Templates;
use crate::search::{SearchFollower, SearchIndex};
use error::{ErrorKind, ErrorMessage};

/// Everything a request handler may use.
pub struct AppState {
    pub pool: Pool,
    pub config: Arc<Config>,
    pub feed: Arc<Feed>,
    pub templates: Arc<Templates>,
    pub cache: Arc<PageCache>,
    /// The content of the catalogue and the layers, held in memory.
    pub content: Arc<ContentCache>,
    pub search: Arc<SearchIndex>,
    pub media: Arc<MediaFiles>,
    /// Rate limits per client network.
    pub limits: Arc<limits::Limits>,
    /// Searches that found nothing, counted until the maintenance thread writes them.
    pub misses: Arc<crate::search::misses::MissCounter>,
    /// Page views, counted until the maintenance thread writes them (none: not counted).
    pub views: Option<Arc<crate::statistics::Views>>,
    /// Signs the feedback forms (shared by every process through the database).
    pub feedback_key: [u8; 32],
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Db(#[from] db::DbError),
    #[error("database error: {0}")]
    Query(#[from] diesel::result::Error),
    #[error(transparent)]
    Render(#[from] crate::render::templates::RenderError),
    #[error(transparent)]
    Import(#[from] crate::content::import::ImportError),
    #[error(transparent)]
    Search(#[from] crate::search::SearchError),
    #[error("cannot start: {0}")]
    Io(std::io::Error),
    #[error("{0}")]
    Media(String),
    #[error("configuration: {0}")]
    Config(String),
}

/// Connects, migrates, imports the content directory into an empty database, and starts
/// following the change feed.
pub fn build_state(config: Config) -> Result<AppState, StartError> {
    let url = DbUrl::parse(&config.database_url)?;
    let pool = db::connect(&url, config.pool_size)?;
    let mut conn = pool.get().map_err(db::DbError::Pool)?;
    let ran = db::migrate(&mut conn)?;
    if ran > 0 {
        tracing::info!(migrations = ran, "database migrated");
    }
    let media = Arc::new(media_files(&config)?);
    // Several fresh processes starting at once: one imports, the others find it done.
    db::exclusive(&mut conn, |conn| -> Result<(), StartError> {
        if crate::db::models::changes::latest(conn)? == 0 && config.content_dir.is_dir() {
            let report = crate::content::import::import_dir(conn, &config.content_dir, Some("meent serve"), crate::now(), Some(&media))?;
            tracing::info!(dir = %config.content_dir.display(), %report, "imported content into the empty database");
        }
        Ok(())
    })?;
    let feed = Arc::new(Feed::start(&mut conn)?);
    // Followers are applied in this order: what pages are built from goes before the pages.
    let content = Arc::new(ContentCache::new());
    feed.follow(content.clone());
    let cache = Arc::new(PageCache::new(config.page_cache, config.page_cache_bytes));
    feed.follow(cache.clone());
    let search = start_search(&config, &pool, &feed, &content, &mut conn)?;
    let feedback_key = crate::db::models::settings::secret_key(&mut conn, "feedback", crate::now())?;
    drop(conn);
    let geoip = match &config.geoip_db {
        Some(path) => Some(crate::statistics::GeoIp::open(path).map_err(StartError::Config)?),
        None => None,
    };
    let views = config.statistics.then(|| Arc::new(crate::statistics::Views::new(geoip)));
    let wake = url.is_postgres().then(|| url.connection_string());
    feed.spawn_poller(pool.clone(), Duration::from_millis(config.feed_interval_ms.max(10)), wake);
    let templates = Arc::new(Templates::load(config.theme_dir.as_deref())?);
    let limits = Arc::new(limits::Limits::new(&config.rate_limits));
    let misses = Arc::new(crate::search::misses::MissCounter::default());
    spawn_maintenance(pool.clone(), config.retention, limits.clone(), misses.clone(), views.clone(), media.clone());
    if config.link_check_hours > 0 {
        let settings = crate::links::check::Settings { allow_private: config.link_check_private, ..Default::default() };
        let every = Duration::from_secs(config.link_check_hours * 3600);
        // A node looks every ten minutes whether a run is due (the first one ten minutes after
        // start, so a restart does not check at once).
        crate::links::spawn(pool.clone(), settings, every, Duration::from_secs(600));
    }
    // Scheduled releases are published by whichever node sees them due first (the state moves
    // in the publishing transaction, so only one does).
    crate::edit::releases::spawn(pool.clone(), feed.directory().clone(), Duration::from_secs(5));
    let admin_url = config.admin_url.clone().unwrap_or_else(|| match config.admin_hosts.first() {
        Some(host) => format!("https://{host}"),
        None => format!("http://{}", config.addr),
    });
    match crate::edit::digest::Mailer::new(config.smtp_url.as_deref(), config.mail_from.as_deref(), &admin_url) {
        Ok(Some(mailer)) => crate::edit::digest::spawn(pool.clone(), feed.directory().clone(), content.clone(), mailer),
        Ok(None) => {}
        Err(e) => return Err(StartError::Config(e)),
    }
    Ok(AppState { pool, config: Arc::new(config), feed, templates, cache, content, search, media, limits, misses, views, feedback_key })
}

/// The background thread of `maintenance`: search misses, rate-limit state and deleted media
/// files every 30 s, retention every hour.
fn spawn_maintenance(
    pool: Pool,
    retention: crate::config::Retention,
    limits: Arc<limits::Limits>,
    misses: Arc<crate::search::misses::MissCounter>,
    views: Option<Arc<crate::statistics::Views>>,
    media: Arc<MediaFiles>,
) {
    let spawned = std::thread::Builder::new().name("meent-maintenance".into()).spawn(move || {
        let mut rounds: u64 = 0;
        loop {
            std::thread::sleep(Duration::from_secs(30));
            limits.shrink();
            let Ok(mut conn) = pool.get() else { continue };
            if let Err(e) = misses.flush(&mut conn) {
                tracing::warn!(error = %e, "cannot write search misses yet");
            }
            if let Some(Err(e)) = views.as_ref().map(|v| v.flush(&mut conn)) {
                tracing::warn!(error = %e, "cannot write page views yet");
            }
            if let Err(e) = crate::media::remove_due(&mut conn, &media, crate::now()) {
                tracing::warn!(error = %e, "cannot remove deleted media files yet");
            }
            if rounds % 120 == 1 {
                match crate::maintenance::purge(&mut conn, &retention, crate::now()) {
                    Ok(purged) if purged.total() > 0 => tracing::info!(?purged, "removed rows past their retention"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "cannot remove rows past their retention"),
                }
            }
            rounds += 1;
        }
    });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the maintenance thread");
    }
}

/// The media storage of the configuration, with its variant worker.
fn media_files(config: &Config) -> Result<MediaFiles, StartError> {
    let files = MediaFiles::for_config(config).map_err(StartError::Media)?;
    files.start_worker().map_err(StartError::Io)?;
    Ok(files)
}

/// Changes a restarted process replays into its search index rather than rebuilding it.
const REPLAY_AT_MOST: i64 = 50_000;

/// Opens the search index and keeps it current from the feed. A missing index, one of another
/// version, or one further behind than the change log can replay is rebuilt in the background
/// while the sites are served; one a little behind gets the changes it missed from the feed.
fn start_search(
    config: &Config,
    pool: &Pool,
    feed: &Arc<Feed>,
    content: &Arc<ContentCache>,
    conn: &mut db::DbConnection,
) -> Result<Arc<SearchIndex>, StartError> {
    let (index, fresh) = SearchIndex::open(&config.data_dir.join("search"))?;
    let search = Arc::new(index);
    let follower = Arc::new(SearchFollower::new(search.clone(), pool.clone(), content.clone()));
    follower.load_thesauri(conn, &feed::current(feed.directory()))?;
    let position = feed.cursor();
    let indexed = search.position().unwrap_or(0);
    // Changes after the index's position that the log no longer has (retention) cannot be
    // replayed.
    let gap = crate::db::models::changes::oldest(conn)?.is_some_and(|oldest| oldest > indexed + 1);
    let rebuild = fresh || (indexed < position && (position - indexed > REPLAY_AT_MOST || gap));
    if rebuild {
        follower.begin_rebuild();
    }
    feed.follow(follower.clone());
    if rebuild {
        let directory = feed::current(feed.directory());
        let spawned = std::thread::Builder::new().name("meent-reindex".into()).spawn(move || {
            let started = std::time::Instant::now();
            match follower.rebuild(&directory, position) {
                Ok(docs) => tracing::info!(docs, seconds = started.elapsed().as_secs_f64(), "search index rebuilt"),
                Err(e) => tracing::error!(error = %e, "cannot rebuild the search index; run `meent reindex`"),
            }
        });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start rebuilding the search index");
        }
    } else {
        search.mark_ready();
    }
    Ok(search)
}

/// The largest form or JSON body accepted (uploads have their own limit): room for the longest
/// text an item may hold (`content::limits::MAX_TEXT_BYTES`), URL-encoded.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// A form body that is too large or unreadable, as an error that says what and how much.
fn form_error(e: actix_web::error::UrlencodedError, _: &actix_web::HttpRequest) -> actix_web::Error {
    use actix_web::error::UrlencodedError;
    match e {
        UrlencodedError::Overflow { size, limit } => {
            AppError::TooLarge(format!("Het formulier is te groot: {size} bytes, de grens is {limit} bytes.")).into()
        }
        other => AppError::BadRequest(format!("Het formulier kan niet worden gelezen: {other}.")).into(),
    }
}

/// The application with every route and middleware.
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(state)
        .app_data(web::FormConfig::default().limit(MAX_BODY_BYTES).error_handler(form_error))
        .app_data(web::PayloadConfig::default().limit(MAX_BODY_BYTES))
        .wrap(ErrorHandlers::new().default_handler(errors_page))
        .wrap(actix_web::middleware::from_fn(admin_hosts))
        .wrap(security_headers())
        .wrap(actix_web::middleware::from_fn(hsts))
        .wrap(actix_web::middleware::from_fn(ops::observe))
        .wrap(Compress::default())
        .configure(ops::routes)
        .configure(admin_api::routes)
        .configure(admin::routes)
        .configure(search::routes)
        .configure(standards::routes)
        .configure(api::routes)
        .configure(media::routes)
        .configure(public::routes)
}

/// Serves until stopped.
pub async fn serve(state: AppState) -> std::io::Result<()> {
    let addr = state.config.addr.clone();
    let workers = state.config.workers;
    let data = web::Data::new(state);
    let mut server = actix_web::HttpServer::new(move || app(data.clone())).bind(&addr)?;
    if workers > 0 {
        server = server.workers(workers);
    }
    tracing::info!(%addr, "serving");
    server.run().await
}

fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; \
             object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        ))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::REFERRER_POLICY, "strict-origin-when-cross-origin"))
        .add((HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=(), interest-cohort=()"))
        .add((HeaderName::from_static("cross-origin-opener-policy"), "same-origin"))
}

/// Paths of the admin pages and the admin API.
fn is_admin_path(path: &str) -> bool {
    path == "/admin" || path.starts_with("/admin/") || path == "/api/v1/admin" || path.starts_with("/api/v1/admin/")
}

/// With admin hosts configured, the admin answers only there (404 elsewhere), so resident
/// pages, which editors fill, never share an origin with it.
async fn admin_hosts(
    req: ServiceRequest,
    next: actix_web::middleware::Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let refused = req.app_data::<web::Data<AppState>>().is_some_and(|state| {
        let hosts = &state.config.admin_hosts;
        // The path as the router sees it (percent-encoded letters decoded): `/%61dmin` is `/admin`.
        if hosts.is_empty() || !is_admin_path(req.match_info().as_str()) {
            return false;
        }
        let origin = site::origin(req.request(), state);
        crate::content::hosts::normalize_host(&origin.host).is_none_or(|h| !hosts.contains(&h))
    });
    if refused {
        return Err(AppError::NotFound.into());
    }
    next.call(req).await
}

/// `Strict-Transport-Security` on every response, when configured.
async fn hsts(
    req: ServiceRequest,
    next: actix_web::middleware::Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let seconds = req.app_data::<web::Data<AppState>>().and_then(|s| s.config.hsts_seconds);
    let mut res = next.call(req).await?;
    if let Some(max_age) = seconds {
        if let Ok(value) = HeaderValue::from_str(&format!("max-age={max_age}; includeSubDomains")) {
            res.headers_mut().insert(header::STRICT_TRANSPORT_SECURITY, value);
        }
    }
    Ok(res)
}

/// Gives every error response its body: JSON under `/api/`, the list of sites for an unknown
/// host (when configured), otherwise the site's own error page.
fn errors_page<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let (req, response) = res.into_parts();
    let status = response.status();
    let kind = response.extensions().get::<ErrorKind>().copied();
    let message = response.extensions().get::<ErrorMessage>().map(|m| m.0.clone());
    let details = response.extensions().get::<error::ErrorDetails>().map(|d| d.0.clone());
    // Pages a handler rendered itself (a form with its problems, a conflict page, the JSON of
    // an unready `/healthz`) stay as they are; only bare errors get a body here.
    let rendered = kind.is_none()
        && response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("text/html") || t.starts_with("application/json"));
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let (Some(state), false) = (state, rendered) else {
        let res = ServiceResponse::new(req, response).map_into_left_body();
        return Ok(ErrorHandlerResponse::Response(res));
    };
    let message = message.unwrap_or_else(|| match status {
        StatusCode::PAYLOAD_TOO_LARGE => format!("De inhoud is te groot: de grens is {MAX_BODY_BYTES} bytes."),
        _ => status.canonical_reason().unwrap_or("Fout").to_owned(),
    });
    let body: HttpResponse<BoxBody> = if req.path().starts_with("/api/") {
        let mut body = serde_json::json!({ "status": status.as_u16(), "error": message });
        if let (Some(obj), Some(serde_json::Value::Object(more))) = (body.as_object_mut(), details) {
            obj.extend(more);
        }
        HttpResponse::build(status).json(body)
    } else if kind == Some(ErrorKind::UnknownHost) {
        public::unknown_host(&state, &req, state.config.unknown_host == UnknownHost::List)
    } else if let Some(moved) = (kind == Some(ErrorKind::NotFound)).then(|| old_url(&req)).flatten() {
        moved
    } else {
        public::error_page(&state, &req, status, &message)
    };
    let mut body = body;
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH && name != header::CONTENT_ENCODING {
            body.headers_mut().insert(name.clone(), value.clone());
        }
    }
    let res = ServiceResponse::new(req, body).map_into_boxed_body().map_into_right_body::<B>();
    let res: ServiceResponse<EitherBody<B, BoxBody>> = res.map_body(|_, b| match b {
        EitherBody::Left { body } => EitherBody::Left { body },
        EitherBody::Right { body } => EitherBody::Right { body },
    });
    Ok(ErrorHandlerResponse::Response(res))
}

/// A site's redirect for a path that is not found: 301 to where it moved, or 410 when gone.
fn old_url(req: &actix_web::HttpRequest) -> Option<HttpResponse> {
    let resident = site::resolve(req).ok()?;
    let path = req.path();
    let target = crate::content::redirects::resolve(&resident.site.redirects, path)
        .or_else(|| crate::content::redirects::resolve(&resident.site.redirects, path.trim_end_matches('/')))?;
    let state = req.app_data::<web::Data<AppState>>()?;
    Some(match target {
        Some(to) => {
            let query = if req.query_string().is_empty() { String::new() } else { format!("?{}", req.query_string()) };
            let mut response = HttpResponse::MovedPermanently().finish();
            if let Ok(value) = HeaderValue::from_str(&format!("{}{to}{query}", resident.base_url)) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            response
        }
        None => public::error_page(state, req, StatusCode::GONE, "Deze pagina bestaat niet meer."),
    })
}

/// The home URL of every site when served on `addr` (for the start-up message).
pub fn site_urls(state: &AppState, addr: &str) -> Vec<String> {
    let port = addr.rsplit_once(':').map(|(_, p)| p).unwrap_or("80");
    directory(state).sites().iter().map(|s| format!("http://{}:{port}/", s.site.canonical_host())).collect()
}

/// The database id of a site, by slug.
pub fn site_id(state: &AppState, slug: &str) -> Option<i64> {
    directory(state).site_by_slug(slug).map(|s| s.id)
}

/// The current directory of sites.
pub(crate) fn directory(state: &AppState) -> Arc<crate::content::directory::Directory> {
    feed::current(state.feed.directory())
}
