//! Configuration: command-line flags win over environment variables, which win over the
//! optional config file (`--config`, `MEENT_CONFIG`), which wins over the defaults.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// What an unknown Host header gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
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

impl<'de> Deserialize<'de> for Network {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
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
}

/// Settings as one source gives them (the config file, or flags and environment variables);
/// every key is optional.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub database_url: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub content_dir: Option<PathBuf>,
    pub addr: Option<String>,
    pub theme_dir: Option<PathBuf>,
    pub unknown_host: Option<UnknownHost>,
    pub trusted_proxies: Option<Vec<Network>>,
    pub page_cache: Option<bool>,
    pub page_cache_mb: Option<usize>,
    pub workers: Option<usize>,
    pub pool_size: Option<u32>,
    pub feed_interval_ms: Option<u64>,
    pub log_json: Option<bool>,
    pub secure_cookies: Option<bool>,
    pub media_max_mb: Option<usize>,
}

impl Settings {
    pub fn read(path: &Path) -> Result<Settings, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read config file {}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| format!("config file {}: {}", path.display(), e.message()))
    }
}

impl Config {
    /// `flags` (flags and environment) win over `file`, which wins over the defaults.
    pub fn resolve(flags: Settings, file: Settings) -> Config {
        let data_dir = flags.data_dir.or(file.data_dir).unwrap_or_else(|| PathBuf::from("data"));
        let database_url = flags
            .database_url
            .or(file.database_url)
            .unwrap_or_else(|| data_dir.join("meent.db").display().to_string());
        Config {
            database_url,
            content_dir: flags.content_dir.or(file.content_dir).unwrap_or_else(|| PathBuf::from("content")),
            addr: flags.addr.or(file.addr).unwrap_or_else(|| "127.0.0.1:8080".into()),
            theme_dir: flags.theme_dir.or(file.theme_dir),
            unknown_host: flags.unknown_host.or(file.unknown_host).unwrap_or_default(),
            trusted_proxies: flags.trusted_proxies.or(file.trusted_proxies).unwrap_or_default(),
            page_cache: flags.page_cache.or(file.page_cache).unwrap_or(true),
            page_cache_bytes: flags.page_cache_mb.or(file.page_cache_mb).unwrap_or(256) * 1024 * 1024,
            workers: flags.workers.or(file.workers).unwrap_or(0),
            pool_size: flags.pool_size.or(file.pool_size).unwrap_or(8),
            feed_interval_ms: flags.feed_interval_ms.or(file.feed_interval_ms).unwrap_or(250),
            log_json: flags.log_json.or(file.log_json).unwrap_or(false),
            secure_cookies: flags.secure_cookies.or(file.secure_cookies).unwrap_or(true),
            media_max_bytes: flags.media_max_mb.or(file.media_max_mb).unwrap_or(25).max(1) * 1024 * 1024,
            data_dir,
        }
    }

    /// Defaults for tests and tools: everything under `data_dir`.
    pub fn for_data_dir(data_dir: &Path, database_url: &str) -> Config {
        Config::resolve(
            Settings { data_dir: Some(data_dir.to_owned()), database_url: Some(database_url.to_owned()), ..Settings::default() },
            Settings::default(),
        )
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
    fn precedence() {
        let file = Settings { addr: Some("0.0.0.0:1".into()), data_dir: Some("/srv".into()), ..Settings::default() };
        let c = Config::resolve(Settings { addr: Some("127.0.0.1:2".into()), ..Settings::default() }, file);
        assert_eq!(c.addr, "127.0.0.1:2");
        assert_eq!(c.database_url, "/srv/meent.db");
    }
}
