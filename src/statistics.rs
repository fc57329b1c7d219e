//! Page views per page, month, device type and (with a GeoIP database) country, as the EU
//! statistics service for the Single Digital Gateway asks for them. Nothing personal is kept:
//! the client address is looked up and dropped, no cookie is set, no identifier stored. Bots
//! are not counted. Views are counted beside the page cache (cached pages count) in memory and
//! written in batches by the maintenance thread (`crate::tally`).

use std::net::IpAddr;
use std::path::Path;

use diesel::QueryResult;
use serde::{Deserialize, Serialize};

use crate::db::DbConnection;
use crate::db::models::page_views;
use crate::tally::Tally;

/// Distinct (site, month, page, device, country) keys held between two flushes.
pub const MAX_PENDING: usize = 50_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Device {
    Desktop,
    Mobile,
    Tablet,
}

impl Device {
    pub fn as_str(self) -> &'static str {
        match self {
            Device::Desktop => "desktop",
            Device::Mobile => "mobile",
            Device::Tablet => "tablet",
        }
    }

    pub fn parse(s: &str) -> Option<Device> {
        Some(match s {
            "desktop" => Device::Desktop,
            "mobile" => Device::Mobile,
            "tablet" => Device::Tablet,
            _ => return None,
        })
    }
}

/// Words in a `User-Agent` that robots (crawlers, monitors, link previews, scripts) use.
const ROBOTS: &[&str] = &[
    "bot", "crawl", "spider", "slurp", "curl", "wget", "python", "java/", "go-http", "okhttp", "httpclient", "libwww", "headless", "lighthouse",
    "pingdom", "uptime", "monitor", "preview", "facebookexternalhit", "whatsapp", "scrapy", "axios", "node-fetch", "postman", "wrk", "apachebench",
    "siteimprove", "validator", "check",
];

/// The device type of a browser by its `User-Agent`; `None` for a robot (or no browser at
/// all), which is not counted.
pub fn device(user_agent: &str) -> Option<Device> {
    let ua = user_agent.to_ascii_lowercase();
    if ua.len() < 10 || !ua.contains("mozilla/") && !ua.contains("opera") || ROBOTS.iter().any(|r| ua.contains(r)) {
        return None;
    }
    if ua.contains("ipad") || ua.contains("tablet") || ua.contains("kindle") || ua.contains("silk/") || ua.contains("android") && !ua.contains("mobile") {
        Some(Device::Tablet)
    } else if ua.contains("mobi") || ua.contains("iphone") || ua.contains("ipod") || ua.contains("android") || ua.contains("windows phone") {
        Some(Device::Mobile)
    } else {
        Some(Device::Desktop)
    }
}

/// Countries of client addresses, from a MaxMind DB file (GeoIP2 or GeoLite2 Country or City).
pub struct GeoIp {
    reader: maxminddb::Reader<Vec<u8>>,
}

#[derive(Deserialize)]
struct CountryRecord {
    country: Option<IsoCode>,
}

#[derive(Deserialize)]
struct IsoCode {
    iso_code: Option<String>,
}

impl GeoIp {
    pub fn open(path: &Path) -> Result<GeoIp, String> {
        maxminddb::Reader::open_readfile(path).map(|reader| GeoIp { reader }).map_err(|e| format!("{}: not a MaxMind DB file: {e}", path.display()))
    }

    /// The ISO 3166 code of the address's country, if the database knows it.
    pub fn country(&self, address: IpAddr) -> Option<[u8; 2]> {
        let record: CountryRecord = self.reader.lookup(address).ok().flatten()?;
        let code = record.country?.iso_code?;
        let bytes = code.as_bytes();
        (bytes.len() == 2 && bytes.iter().all(u8::is_ascii_uppercase)).then(|| [bytes[0], bytes[1]])
    }
}

/// One counted view's key: no address, cookie or identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewKey {
    pub site: i64,
    /// `YYYYMM` in Dutch time.
    pub month: u32,
    pub path: Box<str>,
    pub device: Device,
    /// ISO 3166 code, or none when unknown.
    pub country: Option<[u8; 2]>,
}

/// A view as counted, borrowing its path: a key is made from it only for a new page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViewRef<'a> {
    pub site: i64,
    pub month: u32,
    pub path: &'a str,
    pub device: Device,
    pub country: Option<[u8; 2]>,
}

// `ViewKey` and `ViewRef` hash alike, so a map of keys is searched with a reference.
impl std::hash::Hash for ViewKey {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        ViewRef::from(self).hash(h)
    }
}

impl std::hash::Hash for ViewRef<'_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        (self.site, self.month, self.path, self.device, self.country).hash(h)
    }
}

impl<'a> From<&'a ViewKey> for ViewRef<'a> {
    fn from(k: &'a ViewKey) -> ViewRef<'a> {
        ViewRef { site: k.site, month: k.month, path: &k.path, device: k.device, country: k.country }
    }
}

impl From<&ViewRef<'_>> for ViewKey {
    fn from(r: &ViewRef) -> ViewKey {
        ViewKey { site: r.site, month: r.month, path: r.path.into(), device: r.device, country: r.country }
    }
}

impl hashbrown::Equivalent<ViewKey> for ViewRef<'_> {
    fn equivalent(&self, key: &ViewKey) -> bool {
        *self == ViewRef::from(key)
    }
}

/// One row of the export, in the shape the EU statistics service asks for.
#[derive(Debug, Clone, Serialize)]
pub struct Export {
    pub url: String,
    pub month: String,
    pub device: String,
    pub country: String,
    pub views: i64,
}

/// A site's rows with the page addresses made absolute on `base` (scheme and host).
pub fn export(rows: Vec<page_views::Row>, base: &str) -> Vec<Export> {
    rows.into_iter().map(|r| Export { url: format!("{base}{}", r.path), month: r.month, device: r.device, country: r.country, views: r.views }).collect()
}

/// The export as CSV (RFC 4180), with its header line.
pub fn csv(rows: &[Export]) -> String {
    let field = |s: &str| if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() };
    let mut text = String::from("url,month,device,country,views\r\n");
    for r in rows {
        text.push_str(&format!("{},{},{},{},{}\r\n", field(&r.url), field(&r.month), field(&r.device), field(&r.country), r.views));
    }
    text
}

/// The month (`YYYY-MM`) of a moment in the Netherlands.
pub fn month_of(ts: i64) -> String {
    crate::render::views::dutch_day(ts).format("%Y-%m").to_string()
}

/// The month of a moment as `YYYYMM`.
fn month_code(ts: i64) -> u32 {
    use chrono::Datelike;
    let day = crate::render::views::dutch_day(ts);
    day.year() as u32 * 100 + day.month()
}

/// `YYYYMM` as `YYYY-MM`.
fn month_text(code: u32) -> String {
    format!("{:04}-{:02}", code / 100, code % 100)
}

/// Slots of the cache of device types by `User-Agent`.
const AGENT_SLOTS: usize = 1024;

pub struct Views {
    tally: Tally<ViewKey>,
    geoip: Option<GeoIp>,
    /// The month of the current hour: (hour << 32) | YYYYMM; months change at an hour.
    month: std::sync::atomic::AtomicU64,
    /// Device types of `User-Agent`s seen, direct-mapped by hash: (hash with its low byte
    /// replaced by the answer + 1). Browsers send a handful of strings; classifying one is
    /// dozens of substring searches.
    agents: Box<[std::sync::atomic::AtomicU64]>,
}

impl Views {
    pub fn new(geoip: Option<GeoIp>) -> Views {
        Views {
            tally: Tally::new(MAX_PENDING),
            geoip,
            month: std::sync::atomic::AtomicU64::new(0),
            agents: (0..AGENT_SLOTS).map(|_| std::sync::atomic::AtomicU64::new(0)).collect(),
        }
    }

    fn month(&self, now: i64) -> u32 {
        use std::sync::atomic::Ordering::Relaxed;
        let hour = (now.div_euclid(3600) as u64) & 0xFFFF_FFFF;
        let held = self.month.load(Relaxed);
        if held != 0 && held >> 32 == hour {
            return held as u32;
        }
        let code = month_code(now);
        self.month.store(hour << 32 | u64::from(code), Relaxed);
        code
    }

    /// `device(agent)`, remembered.
    fn device(&self, agent: &str) -> Option<Device> {
        use std::sync::atomic::Ordering::Relaxed;
        let hash = xxhash_rust::xxh3::xxh3_64(agent.as_bytes());
        let slot = &self.agents[(hash as usize) % AGENT_SLOTS];
        let held = slot.load(Relaxed);
        if held != 0 && held >> 8 == hash >> 8 {
            return match held & 0xFF {
                1 => Some(Device::Desktop),
                2 => Some(Device::Mobile),
                3 => Some(Device::Tablet),
                _ => None,
            };
        }
        let found = device(agent);
        let code = match found {
            Some(Device::Desktop) => 1,
            Some(Device::Mobile) => 2,
            Some(Device::Tablet) => 3,
            None => 4,
        };
        slot.store((hash & !0xFF) | code, Relaxed);
        found
    }

    /// Counts a view of `path` on `site` by a client, unless it is a robot. The address is
    /// asked for only when a GeoIP database is set.
    pub fn count(&self, site: i64, path: &str, user_agent: &str, address: impl FnOnce() -> Option<IpAddr>, now: i64) {
        let Some(device) = self.device(user_agent) else { return };
        let country = self.geoip.as_ref().and_then(|g| address().and_then(|a| g.country(a)));
        self.tally.count_ref(&ViewRef { site, month: self.month(now), path, device, country }, now);
    }

    pub fn pending(&self) -> usize {
        self.tally.pending()
    }

    /// Adds what was counted since the last flush to the database, in one transaction.
    pub fn flush(&self, conn: &mut DbConnection) -> QueryResult<usize> {
        self.tally.flush(|batch| {
            let rows: Vec<page_views::Row> = batch
                .iter()
                .map(|(k, c)| page_views::Row {
                    site_id: k.site,
                    month: month_text(k.month),
                    path: k.path.to_string(),
                    device: k.device.as_str().to_owned(),
                    country: k.country.map(|c| String::from_utf8_lossy(&c).into_owned()).unwrap_or_default(),
                    views: c.n,
                })
                .collect();
            page_views::add(conn, &rows)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_types_and_robots() {
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        let ipad = "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        let android_phone = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36";
        let android_tablet = "Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
        let desktop = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
        assert_eq!(device(iphone), Some(Device::Mobile));
        assert_eq!(device(ipad), Some(Device::Tablet));
        assert_eq!(device(android_phone), Some(Device::Mobile));
        assert_eq!(device(android_tablet), Some(Device::Tablet));
        assert_eq!(device(desktop), Some(Device::Desktop));
        for robot in ["Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "curl/8.5.0", "", "python-requests/2.31", "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0"] {
            assert_eq!(device(robot), None, "{robot}");
        }
    }

    #[test]
    fn months_are_dutch_time() {
        // 31 December 2026 23:30 UTC is already January in Amsterdam.
        assert_eq!(month_of(1_798_759_800), "2027-01");
        assert_eq!(month_text(month_code(1_798_759_800)), "2027-01");
        let views = Views::new(None);
        assert_eq!(views.month(1_798_759_800 - 3600), 202612);
        assert_eq!(views.month(1_798_759_800), 202701, "the held month is the hour's");
    }

    #[test]
    fn the_export_is_csv_with_absolute_addresses() {
        let row = |path: &str| page_views::Row { site_id: 1, month: "2026-12".into(), path: path.into(), device: "mobile".into(), country: "NL".into(), views: 3 };
        let out = export(vec![row("/producten/paspoort"), row("/a,b")], "http://diemen.localhost");
        assert_eq!(csv(&out), "url,month,device,country,views\r\nhttp://diemen.localhost/producten/paspoort,2026-12,mobile,NL,3\r\n\"http://diemen.localhost/a,b\",2026-12,mobile,NL,3\r\n");
    }

    #[test]
    fn remembered_device_types_are_the_same() {
        let views = Views::new(None);
        for agent in ["Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) Mobile/15E148", "curl/8", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120"] {
            assert_eq!(views.device(agent), device(agent));
            assert_eq!(views.device(agent), device(agent), "from the cache");
        }
    }
}
