//! Configuration: command-line flags win over environment variables, which win over the
//! optional config file (`--config`, `MEENT_CONFIG`), which wins over the defaults. clap reads
//! flags and environment variables; figment layers them over the file into one `Settings`.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize, Serializer};

/// What an unknown Host header gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum UnknownHost {
    /// A page that lists the sites this installation serves (good for demos and development).
    #[default]
    List,
    /// A plain 404 (for production).
    #[serde(rename = "404")]
    NotFound,
}

impl std::str::FromStr for UnknownHost {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "list" => Ok(UnknownHost::List),
            "404" => Ok(UnknownHost::NotFound),
            _ => Err(format!("unknown-host must be 'list' or '404', not {s:?}")),
        }
    }
}

/// A trusted proxy: one address or a network in CIDR notation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl Network {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::str::FromStr for Network {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr.trim().parse().map_err(|_| format!("{s:?} is not an IP address or CIDR network"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.trim().parse::<u8>().ok().filter(|&p| p <= max).ok_or_else(|| format!("{s:?} has a bad prefix length"))?,
            None => max,
        };
        Ok(Network { addr, prefix })
    }
}

impl std::fmt::Display for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// As written in the config file and read back (for layering the sources).
fn as_text<T: std::fmt::Display, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(value)
}

impl Serialize for Network {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        as_text(self, s)
    }
}

impl<'de> Deserialize<'de> for Network {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A rate: `requests` per `period`, with bursts up to `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub requests: u32,
    pub period: std::time::Duration,
    pub burst: u32,
}

impl std::str::FromStr for Rate {
    type Err = String;
    /// `60/min`, `10/s`, `100/hour`, optionally with a burst: `60/min+20`.
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("{s:?} is not a rate like 60/min or 60/min+20");
        let (rate, burst) = match s.split_once('+') {
            Some((r, b)) => (r, Some(b.trim().parse::<u32>().map_err(|_| bad())?)),
            None => (s, None),
        };
        let (n, unit) = rate.split_once('/').ok_or_else(bad)?;
        let requests: u32 = n.trim().parse().ok().filter(|&n| n > 0).ok_or_else(bad)?;
        let period = match unit.trim() {
            "s" | "sec" | "second" => 1,
            "m" | "min" | "minute" => 60,
            "h" | "hour" => 3600,
            "d" | "day" => 86_400,
            _ => return Err(bad()),
        };
        Ok(Rate { requests, period: std::time::Duration::from_secs(period), burst: burst.unwrap_or(requests).max(1) })
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = match self.period.as_secs() {
            1 => "s",
            60 => "min",
            3600 => "hour",
            _ => "day",
        };
        write!(f, "{}/{unit}+{}", self.requests, self.burst)
    }
}

/// The rate limits per client network (see `web::limits`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    pub enabled: bool,
    pub search: Rate,
    pub suggest: Rate,
    pub login: Rate,
    pub upload: Rate,
    pub feedback: Rate,
}

impl Default for RateLimits {
    fn default() -> Self {
        let rate = |s: &str| s.parse::<Rate>().unwrap_or(Rate { requests: 1, period: std::time::Duration::from_secs(1), burst: 1 });
        RateLimits {
            enabled: true,
            search: rate("60/min+20"),
            suggest: rate("240/min+40"),
            login: rate("10/min+5"),
            upload: rate("120/hour+30"),
            feedback: rate("10/min+5"),
        }
    }
}

impl std::str::FromStr for RateLimits {
    type Err = String;
    /// `off`, `on`, or `search=60/min+20,login=10/min,…` (unnamed buckets keep their default).
    fn from_str(s: &str) -> Result<Self, String> {
        let mut limits = RateLimits::default();
        match s.trim() {
            "off" | "false" | "0" => limits.enabled = false,
            "on" | "true" | "1" | "" => {}
            list => {
                for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    let (name, rate) = part.split_once('=').ok_or_else(|| format!("{part:?}: write bucket=rate, e.g. search=60/min"))?;
                    let rate: Rate = rate.parse()?;
                    match name.trim() {
                        "search" => limits.search = rate,
                        "suggest" => limits.suggest = rate,
                        "login" => limits.login = rate,
                        "upload" => limits.upload = rate,
                        "feedback" => limits.feedback = rate,
                        other => return Err(format!("{other:?} is not a rate limit: search, suggest, login, upload or feedback")),
                    }
                }
            }
        }
        Ok(limits)
    }
}

impl std::fmt::Display for RateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.enabled {
            return f.write_str("off");
        }
        let (l, d) = (self, RateLimits::default());
        let named = [("search", l.search, d.search), ("suggest", l.suggest, d.suggest), ("login", l.login, d.login), ("upload", l.upload, d.upload), ("feedback", l.feedback, d.feedback)];
        let changed: Vec<String> = named.iter().filter(|(_, mine, default)| mine != default).map(|(name, rate, _)| format!("{name}={rate}")).collect();
        if changed.is_empty() { f.write_str("on") } else { f.write_str(&changed.join(",")) }
    }
}

impl Serialize for RateLimits {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        as_text(self, s)
    }
}

impl<'de> Deserialize<'de> for RateLimits {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// How long rows that grow with traffic are kept, in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Retention {
    /// The audit log.
    pub audit_days: i64,
    /// Counts of searches that found nothing.
    pub search_misses_days: i64,
    /// The change log (a process further behind than this rebuilds its derived state).
    pub changes_days: i64,
    /// Remembered browsers not used for this long.
    pub devices_days: i64,
    /// Expired or revoked API tokens.
    pub tokens_days: i64,
}

impl Default for Retention {
    fn default() -> Self {
        Retention { audit_days: 400, search_misses_days: 90, changes_days: 30, devices_days: 180, tokens_days: 90 }
    }
}

/// The settings every command shares.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub data_dir: PathBuf,
    pub content_dir: PathBuf,
    pub addr: String,
    /// A theme directory to use instead of the built-in `themes/default`.
    pub theme_dir: Option<PathBuf>,
    pub unknown_host: UnknownHost,
    pub trusted_proxies: Vec<Network>,
    /// Keep rendered pages in memory (invalidated from the change feed).
    pub page_cache: bool,
    /// Upper bound for the page cache, in bytes.
    pub page_cache_bytes: usize,
    /// HTTP worker threads (0: one per core).
    pub workers: usize,
    /// Database connections in the pool.
    pub pool_size: u32,
    /// How often the change feed is read for changes by other processes, in milliseconds.
    pub feed_interval_ms: u64,
    /// Log as JSON lines (for log collectors) instead of text.
    pub log_json: bool,
    /// Mark the admin session cookie `Secure` (turn off only for plain-HTTP development on
    /// hosts other than localhost).
    pub secure_cookies: bool,
    /// The largest image file an editor may upload, in bytes.
    pub media_max_bytes: usize,
    pub rate_limits: RateLimits,
    pub retention: Retention,
    /// `Strict-Transport-Security` max-age in seconds (none: not sent).
    pub hsts_seconds: Option<u64>,
    /// Hosts the admin pages and admin API answer on; empty: every host.
    pub admin_hosts: Vec<String>,
    /// Addresses besides loopback that may read `/metrics`.
    pub metrics_allow: Vec<Network>,
    /// A bearer token that may read `/metrics` from anywhere.
    pub metrics_token: Option<String>,
    /// Where uploaded media live: a directory, or `s3://BUCKET/PREFIX` (none: `DATA_DIR/media`).
    pub media_url: Option<String>,
    /// Count page views (`statistics`).
    pub statistics: bool,
    /// A MaxMind DB file for page views per country.
    pub geoip_db: Option<PathBuf>,
    /// Check every link of the content this often, in hours, on one node (0: never).
    pub link_check_hours: u64,
    /// Let the link checker request addresses in private networks (for tests on one machine;
    /// off in production, so an editor's link cannot probe the server's own network).
    pub link_check_private: bool,
    /// The SMTP server for editors' digests (`smtp://host:25`, `smtp://user:pass@host:587?tls=required`,
    /// `smtps://…`); none: no e-mail is sent.
    pub smtp_url: Option<String>,
    /// The sender of digests (`Meent <noreply@example.nl>`).
    pub mail_from: Option<String>,
    /// Where editors open the admin, for links in e-mails (`https://beheer.example.nl`).
    pub admin_url: Option<String>,
}

/// Settings as the sources give them (the config file, environment variables and flags),
/// layered into one by `Settings::layered`; every key is optional, `Config` fills in defaults.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theme_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unknown_host: Option<UnknownHost>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trusted_proxies: Option<Vec<Network>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_cache: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_cache_mb: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workers: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pool_size: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feed_interval_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_json: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secure_cookies: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_max_mb: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limits: Option<RateLimits>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention: Option<Retention>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hsts_seconds: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_hosts: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics_allow: Option<Vec<Network>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statistics: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub geoip_db: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_check_hours: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_check_private: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smtp_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mail_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_url: Option<String>,
}

impl Settings {
    /// One `Settings` from every source: `given` (flags and environment variables, read by
    /// clap) over the config file at `file`, if any. A problem in the file names the file and
    /// the key.
    pub fn layered(file: Option<&Path>, given: Settings) -> Result<Settings, String> {
        use figment::Figment;
        use figment::providers::{Format, Serialized, Toml};
        let mut figment = Figment::new();
        if let Some(path) = file {
            if !path.is_file() {
                return Err(format!("cannot read config file {}: there is no such file", path.display()));
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        figment.merge(Serialized::defaults(given)).extract().map_err(|e| format!("config file: {e}"))
    }
}

impl Config {
    /// The settings with defaults for what no source gave.
    pub fn resolve(given: Settings) -> Config {
        let data_dir = given.data_dir.unwrap_or_else(|| PathBuf::from("data"));
        let database_url = given.database_url.unwrap_or_else(|| data_dir.join("meent.db").display().to_string());
        Config {
            database_url,
            content_dir: given.content_dir.unwrap_or_else(|| PathBuf::from("content")),
            addr: given.addr.unwrap_or_else(|| "127.0.0.1:8080".into()),
            theme_dir: given.theme_dir,
            unknown_host: given.unknown_host.unwrap_or_default(),
            trusted_proxies: given.trusted_proxies.unwrap_or_default(),
            page_cache: given.page_cache.unwrap_or(true),
            page_cache_bytes: given.page_cache_mb.unwrap_or(256) * 1024 * 1024,
            workers: given.workers.unwrap_or(0),
            pool_size: given.pool_size.unwrap_or(8),
            feed_interval_ms: given.feed_interval_ms.unwrap_or(250),
            log_json: given.log_json.unwrap_or(false),
            secure_cookies: given.secure_cookies.unwrap_or(true),
            media_max_bytes: given.media_max_mb.unwrap_or(25).max(1) * 1024 * 1024,
            rate_limits: given.rate_limits.unwrap_or_default(),
            retention: given.retention.unwrap_or_default(),
            hsts_seconds: given.hsts_seconds.filter(|&s| s > 0),
            admin_hosts: given
                .admin_hosts
                .unwrap_or_default()
                .iter()
                .filter_map(|h| crate::content::hosts::normalize_host(h))
                .collect(),
            metrics_allow: given.metrics_allow.unwrap_or_default(),
            metrics_token: given.metrics_token.filter(|t| !t.is_empty()),
            media_url: given.media_url.filter(|u| !u.is_empty()),
            statistics: given.statistics.unwrap_or(true),
            geoip_db: given.geoip_db.filter(|p| !p.as_os_str().is_empty()),
            link_check_hours: given.link_check_hours.unwrap_or(24),
            link_check_private: given.link_check_private.unwrap_or(false),
            smtp_url: given.smtp_url.filter(|u| !u.trim().is_empty()),
            mail_from: given.mail_from.filter(|u| !u.trim().is_empty()),
            admin_url: given.admin_url.filter(|u| !u.trim().is_empty()),
            data_dir,
        }
    }

    /// Defaults for tests and tools: everything under `data_dir`.
    pub fn for_data_dir(data_dir: &Path, database_url: &str) -> Config {
        Config::resolve(Settings { data_dir: Some(data_dir.to_owned()), database_url: Some(database_url.to_owned()), ..Settings::default() })
    }

    /// The port of the configured listening address.
    pub fn public_port(&self) -> Option<u16> {
        self.addr.rsplit_once(':').and_then(|(_, p)| p.parse().ok())
    }

    pub fn is_trusted_proxy(&self, ip: IpAddr) -> bool {
        self.trusted_proxies.iter().any(|n| n.contains(ip))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks() {
        let n: Network = "10.0.0.0/8".parse().unwrap();
        assert!(n.contains("10.1.2.3".parse().unwrap()));
        assert!(!n.contains("11.1.2.3".parse().unwrap()));
        let one: Network = "127.0.0.1".parse().unwrap();
        assert!(one.contains("127.0.0.1".parse().unwrap()));
        assert!(!one.contains("127.0.0.2".parse().unwrap()));
        let v6: Network = "::1".parse().unwrap();
        assert!(v6.contains("::1".parse().unwrap()));
        assert!("10.0.0.0/33".parse::<Network>().is_err());
        let all: Network = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("8.8.8.8".parse().unwrap()));
    }

    #[test]
    fn rates() {
        let r: Rate = "60/min+20".parse().unwrap();
        assert_eq!((r.requests, r.period.as_secs(), r.burst), (60, 60, 20));
        assert_eq!("10/s".parse::<Rate>().unwrap().burst, 10);
        assert!("0/min".parse::<Rate>().is_err() && "ten/min".parse::<Rate>().is_err() && "5/fortnight".parse::<Rate>().is_err());
        assert!(!"off".parse::<RateLimits>().unwrap().enabled);
        let l: RateLimits = "login=3/min,search=100/min+50".parse().unwrap();
        assert_eq!((l.login.requests, l.search.burst, l.suggest), (3, 50, RateLimits::default().suggest));
        assert!("logins=3/min".parse::<RateLimits>().is_err());
    }

    #[test]
    fn precedence() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("meent.toml");
        std::fs::write(&file, "addr = \"0.0.0.0:1\"\ndata_dir = \"/srv\"\nrate_limits = \"login=3/min\"\ntrusted_proxies = [\"10.0.0.0/8\"]\n[retention]\naudit_days = 10\n").unwrap();
        let given = Settings { addr: Some("127.0.0.1:2".into()), ..Settings::default() };
        let c = Config::resolve(Settings::layered(Some(&file), given).unwrap());
        assert_eq!(c.addr, "127.0.0.1:2", "a flag or variable wins over the file");
        assert_eq!(c.database_url, "/srv/meent.db", "the file wins over the defaults");
        assert_eq!((c.rate_limits.login.requests, c.retention.audit_days), (3, 10));
        assert!(c.is_trusted_proxy("10.1.2.3".parse().unwrap()));
        let given = Settings { rate_limits: Some("off".parse().unwrap()), trusted_proxies: Some(vec!["192.168.0.0/16".parse().unwrap()]), ..Settings::default() };
        let c = Config::resolve(Settings::layered(Some(&file), given).unwrap());
        assert!(!c.rate_limits.enabled && !c.is_trusted_proxy("10.1.2.3".parse().unwrap()));

        std::fs::write(&file, "adress = \"x\"\n").unwrap();
        let e = Settings::layered(Some(&file), Settings::default()).unwrap_err();
        assert!(e.contains("adress") && e.contains("meent.toml"), "{e}");
        assert!(Settings::layered(Some(&dir.path().join("none.toml")), Settings::default()).unwrap_err().contains("no such file"));
    }

    #[test]
    fn rates_read_back_as_written() {
        for text in ["off", "on", "login=3/min+1,search=100/min+50", "upload=2/hour+2"] {
            let limits: RateLimits = text.parse().unwrap();
            assert_eq!(limits.to_string().parse::<RateLimits>().unwrap(), limits, "{text}");
        }
    }
}
