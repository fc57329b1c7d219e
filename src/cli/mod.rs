//! The `meent` command line: one binary, one subcommand per job. Every command takes the
//! same global settings as `serve` (see `config`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::config::{Config, Network, RateLimits, Settings, UnknownHost};
use crate::db::{self, DbUrl};

#[derive(Debug, Parser)]
#[command(name = "meent", version, about = "One CMS for the websites of many Dutch municipalities.")]
pub struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(flatten)]
    serve: ServeArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Args)]
struct Global {
    /// SQLite file (or sqlite://PATH) or postgres://… URL [default: DATA_DIR/meent.db]
    #[arg(long, env = "MEENT_DATABASE_URL", global = true)]
    database_url: Option<String>,
    /// Directory for the embedded database, search index, media and caches [default: data]
    #[arg(long, env = "MEENT_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// Content imported on first start into an empty database [default: content]
    #[arg(long, env = "MEENT_CONTENT_DIR", global = true)]
    content_dir: Option<PathBuf>,
    /// A TOML config file with the same settings (flags and environment win)
    #[arg(long, env = "MEENT_CONFIG", global = true)]
    config: Option<PathBuf>,
    /// Log JSON lines instead of text
    #[arg(long, env = "MEENT_LOG_JSON", global = true, value_parser = clap::builder::FalseyValueParser::new())]
    log_json: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve every site (the default)
    Serve,
    /// Import a content directory (all or nothing)
    Import { dir: PathBuf },
    /// Export everything as a content directory
    Export { dir: PathBuf },
    /// Apply database migrations
    Migrate,
    /// Rebuild the search index from the database (stop `serve` on this data dir first)
    Reindex,
    /// Check every link of the content now (as the background check does) and keep the results
    CheckLinks,
    /// The national product list (UPL)
    #[command(subcommand)]
    Upl(UplCommand),
    /// Editor accounts
    #[command(subcommand)]
    User(UserCommand),
    /// Write a synthetic country in the content format, for benchmarks
    BenchData(BenchDataArgs),
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a user (or give an existing one another role); prints an API token
    Create {
        #[arg(long)]
        email: String,
        /// admin or editor
        #[arg(long)]
        role: String,
        /// national, group:<slug> or site:<slug>
        #[arg(long)]
        scope: String,
        /// Read a password for the admin pages from standard input (at least 12 characters)
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable a user: sessions end, tokens stop working
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Revoke an API token, read from standard input
    RevokeToken,
}

#[derive(Debug, Subcommand)]
enum UplCommand {
    /// Load the UPL CSV (replaces the list); reports catalogue products with unknown URIs
    Import {
        /// A UPL CSV as Logius publishes it [default: the list shipped with Meent]
        file: Option<PathBuf>,
    },
    /// List the municipal UPL products the catalogue does not cover yet
    Uncovered,
}

/// Settings of `serve`; accepted by every command so one environment serves them all.
#[derive(Debug, Args, Default)]
struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "MEENT_ADDR", global = true)]
    addr: Option<String>,
    /// A theme directory instead of the built-in theme
    #[arg(long, env = "MEENT_THEME_DIR", global = true)]
    theme_dir: Option<PathBuf>,
    /// What an unknown host gets: `list` (the sites served) or `404`
    #[arg(long, env = "MEENT_UNKNOWN_HOST", global = true)]
    unknown_host: Option<UnknownHost>,
    /// Proxies whose X-Forwarded-Host and X-Forwarded-Proto are trusted (IP or CIDR; repeat or comma-separate)
    #[arg(long, env = "MEENT_TRUSTED_PROXIES", value_delimiter = ',', global = true)]
    trusted_proxy: Vec<Network>,
    /// Render every request (for benchmarks and debugging)
    #[arg(long, env = "MEENT_NO_PAGE_CACHE", global = true, value_parser = clap::builder::FalseyValueParser::new())]
    no_page_cache: bool,
    /// HTTP worker threads [default: one per core]
    #[arg(long, env = "MEENT_WORKERS", global = true)]
    workers: Option<usize>,
    /// Admin session cookies without `Secure`, for plain HTTP on hosts other than *.localhost
    #[arg(long, env = "MEENT_INSECURE_COOKIES", global = true, value_parser = clap::builder::FalseyValueParser::new())]
    insecure_cookies: bool,
    /// The largest image an editor may upload, in MB [default: 25]
    #[arg(long, env = "MEENT_MEDIA_MAX_MB", global = true)]
    media_max_mb: Option<usize>,
    /// Rate limits per client network: `off`, or e.g. `search=60/min+20,login=10/min` (see SECURITY.md)
    #[arg(long, env = "MEENT_RATE_LIMITS", global = true)]
    rate_limits: Option<RateLimits>,
    /// Send Strict-Transport-Security with this max-age in seconds (when no TLS proxy sets it)
    #[arg(long, env = "MEENT_HSTS_SECONDS", global = true)]
    hsts_seconds: Option<u64>,
    /// Hosts the admin pages and admin API answer on (comma-separated); default: every host
    #[arg(long, env = "MEENT_ADMIN_HOSTS", value_delimiter = ',', global = true)]
    admin_host: Vec<String>,
    /// Addresses besides loopback that may read /metrics (IP or CIDR; comma-separated)
    #[arg(long, env = "MEENT_METRICS_ALLOW", value_delimiter = ',', global = true)]
    metrics_allow: Vec<Network>,
    /// A bearer token that may read /metrics from any address
    #[arg(long, env = "MEENT_METRICS_TOKEN", global = true, hide_env_values = true)]
    metrics_token: Option<String>,
    /// Where uploaded media live: a directory, or s3://BUCKET/PREFIX (AWS_* variables) [default: DATA_DIR/media]
    #[arg(long, env = "MEENT_MEDIA_URL", global = true)]
    media_url: Option<String>,
    /// Count page views (per page, month, device type and country; nothing personal): on or off
    #[arg(long, env = "MEENT_STATISTICS", global = true, value_parser = on_off)]
    statistics: Option<bool>,
    /// A GeoIP database in MaxMind DB format, for page views per country
    #[arg(long, env = "MEENT_GEOIP_DB", global = true)]
    geoip_db: Option<PathBuf>,
    /// Check every link of the content this often, in hours, on one node (0: never)
    #[arg(long, env = "MEENT_LINK_CHECK_HOURS", global = true)]
    link_check_hours: Option<u64>,
    /// Let the link checker request addresses in private networks: on or off (tests only)
    #[arg(long, env = "MEENT_LINK_CHECK_PRIVATE", global = true, value_parser = on_off)]
    link_check_private: Option<bool>,
    /// The SMTP server for editors' e-mail digests: smtp://HOST:PORT, smtp://USER:PASS@HOST:587?tls=required or smtps://… (none: no e-mail)
    #[arg(long, env = "MEENT_SMTP_URL", global = true, hide_env_values = true)]
    smtp_url: Option<String>,
    /// The sender of e-mail digests, e.g. "Meent <noreply@example.nl>"
    #[arg(long, env = "MEENT_MAIL_FROM", global = true)]
    mail_from: Option<String>,
    /// Where editors open the admin, for links in e-mails, e.g. https://beheer.example.nl
    #[arg(long, env = "MEENT_ADMIN_URL", global = true)]
    admin_url: Option<String>,
}

fn on_off(s: &str) -> Result<bool, String> {
    match s {
        "on" | "true" | "1" => Ok(true),
        "off" | "false" | "0" => Ok(false),
        other => Err(format!("{other:?}: use on or off")),
    }
}

#[derive(Debug, Args)]
struct BenchDataArgs {
    #[arg(long)]
    sites: usize,
    #[arg(long)]
    products: usize,
    /// Local pages per site
    #[arg(long, default_value_t = 5)]
    pages: usize,
    /// News items per site
    #[arg(long, default_value_t = 5)]
    news: usize,
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Share of the catalogue products with an English text, in percent
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=100))]
    english: u8,
    /// Directory with other owms-gemeenten.xml and upl-actueel-2025-04.csv [default: the ones shipped with Meent]
    #[arg(long)]
    reference: Option<PathBuf>,
    dir: PathBuf,
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let serve = &cli.serve;
    let given = Settings {
        database_url: cli.global.database_url.clone(),
        data_dir: cli.global.data_dir.clone(),
        content_dir: cli.global.content_dir.clone(),
        addr: serve.addr.clone(),
        theme_dir: serve.theme_dir.clone(),
        unknown_host: serve.unknown_host,
        trusted_proxies: (!serve.trusted_proxy.is_empty()).then(|| serve.trusted_proxy.clone()),
        page_cache: serve.no_page_cache.then_some(false),
        workers: serve.workers,
        log_json: cli.global.log_json.then_some(true),
        secure_cookies: serve.insecure_cookies.then_some(false),
        media_max_mb: serve.media_max_mb,
        rate_limits: serve.rate_limits,
        hsts_seconds: serve.hsts_seconds,
        admin_hosts: (!serve.admin_host.is_empty()).then(|| serve.admin_host.clone()),
        metrics_allow: (!serve.metrics_allow.is_empty()).then(|| serve.metrics_allow.clone()),
        metrics_token: serve.metrics_token.clone(),
        media_url: serve.media_url.clone(),
        statistics: serve.statistics,
        geoip_db: serve.geoip_db.clone(),
        link_check_hours: serve.link_check_hours,
        link_check_private: serve.link_check_private,
        smtp_url: serve.smtp_url.clone(),
        mail_from: serve.mail_from.clone(),
        admin_url: serve.admin_url.clone(),
        ..Settings::default()
    };
    let config = match Settings::layered(cli.global.config.as_deref(), given) {
        Ok(settings) => Config::resolve(settings),
        Err(e) => return fail(&e),
    };
    init_logging(config.log_json);
    let result = match cli.command {
        None | Some(Command::Serve) => serve_command(config),
        Some(Command::Import { dir }) => import_command(&config, &dir),
        Some(Command::Export { dir }) => export_command(&config, &dir),
        Some(Command::Migrate) => migrate_command(&config),
        Some(Command::Reindex) => reindex_command(&config),
        Some(Command::CheckLinks) => check_links_command(&config),
        Some(Command::Upl(command)) => upl_command(&config, command),
        Some(Command::User(command)) => user_command(&config, command),
        Some(Command::BenchData(args)) => bench_data_command(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(&message),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("meent: {message}");
    ExitCode::FAILURE
}

fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
}

fn connect(config: &Config) -> Result<db::Conn, String> {
    let url = DbUrl::parse(&config.database_url).map_err(|e| e.to_string())?;
    let pool = db::connect(&url, 2).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    db::migrate(&mut conn).map_err(|e| e.to_string())?;
    Ok(conn)
}

fn serve_command(config: Config) -> Result<(), String> {
    let state = crate::web::build_state(config).map_err(|e| e.to_string())?;
    let addr = state.config.addr.clone();
    let sites: Vec<String> = crate::web::site_urls(&state, &addr);
    if !sites.is_empty() {
        eprintln!("Meent serves {} site(s) on http://{addr}/ — open for example:", sites.len());
        for url in sites.iter().take(10) {
            eprintln!("  {url}");
        }
    }
    actix_web::rt::System::new().block_on(crate::web::serve(state)).map_err(|e| format!("server error: {e}"))
}

fn import_command(config: &Config, dir: &std::path::Path) -> Result<(), String> {
    let mut conn = connect(config)?;
    let media = crate::media::MediaFiles::for_config(config)?;
    let report = crate::content::import::import_dir(&mut conn, dir, Some("meent import"), crate::now(), Some(&media)).map_err(|e| e.to_string())?;
    println!("{report}");
    Ok(())
}

fn export_command(config: &Config, dir: &std::path::Path) -> Result<(), String> {
    let mut conn = connect(config)?;
    let media = crate::media::MediaFiles::for_config(config)?;
    let files = crate::content::export::export_dir(&mut conn, dir, Some(&media)).map_err(|e| e.to_string())?;
    println!("wrote {files} files to {}", dir.display());
    Ok(())
}

fn migrate_command(config: &Config) -> Result<(), String> {
    let url = DbUrl::parse(&config.database_url).map_err(|e| e.to_string())?;
    let pool = db::connect(&url, 1).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let ran = db::migrate(&mut conn).map_err(|e| e.to_string())?;
    println!("applied {ran} migration(s)");
    Ok(())
}

fn check_links_command(config: &Config) -> Result<(), String> {
    let url = DbUrl::parse(&config.database_url).map_err(|e| e.to_string())?;
    let pool = db::connect(&url, 2).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    db::migrate(&mut conn).map_err(|e| e.to_string())?;
    let settings = crate::links::check::Settings { allow_private: config.link_check_private, ..Default::default() };
    let started = std::time::Instant::now();
    let s = crate::links::run(&mut conn, &settings, crate::now()).map_err(|e| e.to_string())?;
    println!("checked {} links ({} places) in {:.1} s: {} broken, {} redirected", s.links, s.uses, started.elapsed().as_secs_f64(), s.broken, s.redirected);
    Ok(())
}

fn reindex_command(config: &Config) -> Result<(), String> {
    let url = DbUrl::parse(&config.database_url).map_err(|e| e.to_string())?;
    let pool = db::connect(&url, 2).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    db::migrate(&mut conn).map_err(|e| e.to_string())?;
    let position = crate::db::models::changes::latest(&mut conn).map_err(|e| e.to_string())?;
    let directory = crate::content::directory::Directory::load(&mut conn).map_err(|e| e.to_string())?;
    drop(conn);
    // Opening takes the index's write lock, so this fails while `serve` uses the same data
    // directory; an unreadable index is replaced by an empty one.
    let (index, _) = crate::search::SearchIndex::open(&config.data_dir.join("search")).map_err(|e| e.to_string())?;
    let follower = crate::search::SearchFollower::new(std::sync::Arc::new(index), pool, std::sync::Arc::default());
    let started = std::time::Instant::now();
    let docs = follower.rebuild(&directory, position).map_err(|e| e.to_string())?;
    println!("indexed {docs} documents for {} sites in {:.1} s", directory.sites().len(), started.elapsed().as_secs_f64());
    Ok(())
}

fn read_stdin_line() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).map_err(|e| format!("cannot read standard input: {e}"))?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

fn user_command(config: &Config, command: UserCommand) -> Result<(), String> {
    use crate::auth::accounts;
    use crate::auth::permissions::{Role, Scope};
    let mut conn = connect(config)?;
    match command {
        UserCommand::Create { email, role, scope, password_stdin } => {
            let role = Role::parse(&role).ok_or_else(|| format!("role must be admin or editor, not {role:?}"))?;
            let scope = Scope::parse(&scope).ok_or_else(|| format!("scope must be national, group:<slug> or site:<slug>, not {scope:?}"))?;
            let password = if password_stdin { Some(read_stdin_line()?) } else { None };
            let token = accounts::create_user(&mut conn, &email, role, &scope, password.as_deref(), "meent user create", crate::now())
                .map_err(|e| e.to_string())?;
            println!("{token}");
        }
        UserCommand::Disable { email } => {
            let user = crate::db::models::accounts::user_by_email(&mut conn, &email.trim().to_lowercase())
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no user {email}"))?;
            crate::db::models::accounts::set_disabled(&mut conn, user.id, true).map_err(|e| e.to_string())?;
            println!("disabled {email}; their sessions have ended and their tokens no longer work");
        }
        UserCommand::RevokeToken => {
            let token = read_stdin_line()?;
            let hash = crate::auth::secrets::hash_token(token.trim());
            if crate::db::models::accounts::revoke_token(&mut conn, &hash, crate::now()).map_err(|e| e.to_string())? {
                println!("revoked");
            } else {
                return Err("no live token like that".into());
            }
        }
    }
    Ok(())
}

fn upl_command(config: &Config, command: UplCommand) -> Result<(), String> {
    let mut conn = connect(config)?;
    let coverage = match command {
        UplCommand::Import { file } => {
            let coverage = crate::content::upl::import(&mut conn, file.as_deref(), crate::now()).map_err(|e| e.to_string())?;
            println!("imported {} UPL products ({} municipal)", coverage.imported, coverage.municipal);
            coverage
        }
        UplCommand::Uncovered => {
            let list = crate::db::models::upl::all(&mut conn).map_err(|e| e.to_string())?;
            if list.is_empty() {
                return Err("no UPL imported yet: run `meent upl import`".into());
            }
            let products = crate::db::models::catalogue::all(&mut conn).map_err(|e| e.to_string())?;
            let refs: Vec<(String, Option<String>)> = products.into_iter().map(|(_, p)| (p.slug, p.upl)).collect();
            let coverage = crate::content::upl::coverage(&list, &refs);
            for p in &coverage.uncovered {
                println!("{}\t{}", p.name, p.uri);
            }
            coverage
        }
    };
    for (slug, uri) in &coverage.unknown {
        eprintln!("warning: catalogue/{slug}.md refers to {uri}, which is not in the UPL (unknown or withdrawn)");
    }
    eprintln!("{} of {} municipal UPL products are not in the catalogue yet", coverage.uncovered.len(), coverage.municipal);
    Ok(())
}

fn bench_data_command(args: BenchDataArgs) -> Result<(), String> {
    let options = crate::bench_data::Options {
        sites: args.sites,
        products: args.products,
        pages: args.pages,
        news: args.news,
        seed: args.seed,
        english: usize::from(args.english),
        reference: args.reference,
    };
    let files = crate::bench_data::write(&options, &args.dir).map_err(|e| e.to_string())?;
    println!("wrote {files} files to {}", args.dir.display());
    Ok(())
}
