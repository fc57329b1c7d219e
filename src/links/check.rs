//! Checking links over HTTP, politely: one request at a time per host with a pause between
//! them, a bounded number of hosts at once, a timeout per request, HEAD first and GET where
//! HEAD is refused or an HTML page must be read for a soft 404, redirects followed one hop at
//! a time (each hop checked again) and reported. `mailto:` and `tel:` are checked for form
//! only. Addresses in private networks are not requested unless the operator allows it (an
//! editor's link must not make the server probe its own network).

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::Duration;

use futures_util::StreamExt;
use serde::Serialize;

/// How the checker behaves.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Hosts checked at once.
    pub hosts_at_once: usize,
    /// Pause between two requests to one host.
    pub per_host_pause: Duration,
    pub timeout: Duration,
    pub max_redirects: usize,
    /// Request addresses in private networks too (tests on this machine).
    pub allow_private: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings { hosts_at_once: 8, per_host_pause: Duration::from_millis(1_000), timeout: Duration::from_secs(10), max_redirects: 5, allow_private: false }
    }
}

/// What a check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Ok,
    /// Works, through redirects: the link should point at `final_url`.
    Redirected,
    Broken,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::Redirected => "redirected",
            State::Broken => "broken",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checked {
    pub url: String,
    pub state: State,
    /// The last HTTP status.
    pub status: Option<u16>,
    /// Where redirects ended.
    pub final_url: Option<String>,
    /// Why, in Dutch for editors.
    pub message: String,
}

impl Checked {
    fn new(url: &str, state: State, status: Option<u16>, final_url: Option<String>, message: impl Into<String>) -> Checked {
        Checked { url: url.to_owned(), state, status, final_url, message: message.into() }
    }
}

/// Words in a page's title or first heading that say it is an error page served as 200.
const SOFT_404: [&str; 6] = ["404", "niet gevonden", "not found", "bestaat niet", "niet meer beschikbaar", "kan niet worden gevonden"];

/// The most of a page read to look for a soft 404.
const READ_BYTES: usize = 32 * 1024;

/// Checks every link; the answer has one entry per distinct link, in no particular order.
pub async fn check_all(urls: Vec<String>, settings: &Settings) -> Vec<Checked> {
    let client = match reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout)
        .user_agent(concat!("Meent-linkcontrole/", env!("CARGO_PKG_VERSION"), " (+https://github.com/meent)"))
        .build()
    {
        Ok(client) => client,
        Err(e) => return urls.iter().map(|u| Checked::new(u, State::Broken, None, None, format!("niet gecontroleerd: {e}"))).collect(),
    };
    let mut by_host: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut done = Vec::new();
    let mut distinct = urls;
    distinct.sort();
    distinct.dedup();
    for url in distinct {
        match form_only(&url) {
            Some(checked) => done.push(checked),
            None => match url::Url::parse(&url) {
                Ok(parsed) => by_host.entry(parsed.host_str().unwrap_or("").to_owned()).or_default().push(url),
                Err(e) => done.push(Checked::new(&url, State::Broken, None, None, format!("geen geldig adres: {e}"))),
            },
        }
    }
    let per_host = futures_util::stream::iter(by_host.into_values())
        .map(|urls| {
            let client = client.clone();
            async move {
                let mut found = Vec::new();
                for (i, url) in urls.iter().enumerate() {
                    if i > 0 {
                        tokio::time::sleep(settings.per_host_pause).await;
                    }
                    found.push(check_one(&client, url, settings).await);
                }
                found
            }
        })
        .buffer_unordered(settings.hosts_at_once.max(1));
    let checked: Vec<Vec<Checked>> = per_host.collect().await;
    done.extend(checked.into_iter().flatten());
    done
}

/// `mailto:` and `tel:` links: their form only (nothing is sent or dialled).
fn form_only(url: &str) -> Option<Checked> {
    let lower = url.to_ascii_lowercase();
    if let Some(address) = lower.strip_prefix("mailto:") {
        let address = address.split('?').next().unwrap_or("");
        let address = percent_decoded(address);
        let ok = address.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') && !address.contains(char::is_whitespace) && address.matches('@').count() == 1
        });
        return Some(if ok { Checked::new(url, State::Ok, None, None, "e-mailadres") } else { Checked::new(url, State::Broken, None, None, "geen geldig e-mailadres") });
    }
    if let Some(number) = lower.strip_prefix("tel:") {
        let number = percent_decoded(number);
        let digits = number.chars().filter(char::is_ascii_digit).count();
        let ok = digits >= 3 && digits <= 15 && number.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
        return Some(if ok { Checked::new(url, State::Ok, None, None, "telefoonnummer") } else { Checked::new(url, State::Broken, None, None, "geen geldig telefoonnummer") });
    }
    None
}

fn percent_decoded(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
}

/// Whether an address is one the checker should not reach by default.
fn private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_private() || v4.is_loopback() || v4.is_link_local() || v4.is_unspecified() || v4.is_broadcast() || (a == 100 && (64..128).contains(&b)) || a == 0
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback() || v6.is_unspecified() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80 || v6.to_ipv4_mapped().is_some_and(|v4| private(IpAddr::V4(v4)))
        }
    }
}

/// Refuses a host in a private network (every address it resolves to is looked at).
async fn reachable(url: &url::Url, settings: &Settings) -> Result<(), String> {
    if settings.allow_private {
        return Ok(());
    }
    let host = url.host_str().unwrap_or("");
    let port = url.port_or_known_default().unwrap_or(443);
    let addresses = tokio::net::lookup_host((host.trim_start_matches('[').trim_end_matches(']'), port)).await.map_err(|e| format!("onbekende host: {e}"))?;
    let mut any = false;
    for address in addresses {
        any = true;
        if private(address.ip()) {
            return Err("het adres ligt in een intern netwerk en wordt niet gecontroleerd".to_owned());
        }
    }
    if any { Ok(()) } else { Err("onbekende host".to_owned()) }
}

async fn check_one(client: &reqwest::Client, url: &str, settings: &Settings) -> Checked {
    let Ok(mut current) = url::Url::parse(url) else { return Checked::new(url, State::Broken, None, None, "geen geldig adres") };
    let mut hops = 0;
    loop {
        if !matches!(current.scheme(), "http" | "https") {
            return Checked::new(url, State::Broken, None, Some(current.to_string()), "verwijst door naar een adres dat geen webpagina is");
        }
        if let Err(why) = reachable(&current, settings).await {
            return Checked::new(url, State::Broken, None, (hops > 0).then(|| current.to_string()), why);
        }
        let answer = match fetch(client, &current).await {
            Ok(answer) => answer,
            Err(why) => return Checked::new(url, State::Broken, None, (hops > 0).then(|| current.to_string()), why),
        };
        let status = answer.status;
        if (300..400).contains(&status) {
            let Some(next) = answer.location.and_then(|l| current.join(&l).ok()) else {
                return Checked::new(url, State::Broken, Some(status), None, format!("doorverwijzing ({status}) zonder geldig nieuw adres"));
            };
            hops += 1;
            if hops > settings.max_redirects {
                return Checked::new(url, State::Broken, Some(status), Some(next.to_string()), format!("meer dan {} doorverwijzingen", settings.max_redirects));
            }
            current = next;
            continue;
        }
        let final_url = (hops > 0).then(|| current.to_string());
        if status >= 400 {
            return Checked::new(url, State::Broken, Some(status), final_url, format!("de pagina geeft foutcode {status}"));
        }
        if answer.soft_404 {
            return Checked::new(url, State::Broken, Some(status), final_url, "de pagina zegt dat ze niet bestaat (foutpagina met code 200)");
        }
        let original = url::Url::parse(url).ok();
        if hops > 0 && current.path() == "/" && original.as_ref().is_some_and(|o| o.path() != "/") {
            return Checked::new(url, State::Broken, Some(status), final_url, "verwijst door naar de homepage: de pagina bestaat waarschijnlijk niet meer");
        }
        return match final_url {
            Some(to) => Checked::new(url, State::Redirected, Some(status), Some(to.clone()), format!("werkt, maar verwijst door naar {to}")),
            None => Checked::new(url, State::Ok, Some(status), None, "werkt"),
        };
    }
}

struct Answer {
    status: u16,
    location: Option<String>,
    soft_404: bool,
}

/// HEAD, then GET where HEAD is refused or fails, or where an HTML page answered 200 (the
/// start of its text is read for a soft 404).
async fn fetch(client: &reqwest::Client, url: &url::Url) -> Result<Answer, String> {
    let head = client.head(url.as_str()).send().await;
    let needs_get = match &head {
        Ok(r) => {
            let s = r.status().as_u16();
            let html = r.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| t.contains("html"));
            s >= 400 || ((200..300).contains(&s) && html)
        }
        Err(_) => true,
    };
    if !needs_get {
        let r = head.map_err(|e| describe(&e))?;
        return Ok(Answer { status: r.status().as_u16(), location: location(&r), soft_404: false });
    }
    let mut r = client.get(url.as_str()).header(reqwest::header::RANGE, format!("bytes=0-{}", READ_BYTES - 1)).send().await.map_err(|e| describe(&e))?;
    let status = r.status().as_u16();
    let location = location(&r);
    let mut text = Vec::new();
    if (200..300).contains(&status) {
        while text.len() < READ_BYTES {
            match r.chunk().await {
                Ok(Some(chunk)) => text.extend_from_slice(&chunk),
                _ => break,
            }
        }
    }
    // 206 for a range is a 200 here.
    let status = if status == 206 { 200 } else { status };
    Ok(Answer { status, location, soft_404: soft_404(&String::from_utf8_lossy(&text)) })
}

fn location(r: &reqwest::Response) -> Option<String> {
    r.headers().get(reqwest::header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "geen antwoord binnen de tijd".to_owned()
    } else if e.is_connect() {
        "geen verbinding met de server".to_owned()
    } else {
        format!("niet bereikbaar: {e}")
    }
}

/// Whether the title or first heading of a page says it is an error page.
fn soft_404(html: &str) -> bool {
    let lower = html.to_lowercase();
    let between = |open: &str, close: &str| -> Option<String> {
        let start = lower.find(open)?;
        let after = lower[start..].find('>')? + start + 1;
        let end = lower[after..].find(close)? + after;
        Some(lower[after..end].to_owned())
    };
    [between("<title", "</title>"), between("<h1", "</h1>")].into_iter().flatten().any(|t| SOFT_404.iter().any(|w| t.contains(w)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_and_phone_links_are_checked_for_form() {
        assert_eq!(form_only("mailto:info@gemeente.nl").map(|c| c.state), Some(State::Ok));
        assert_eq!(form_only("mailto:info@gemeente.nl?subject=Vraag").map(|c| c.state), Some(State::Ok));
        assert_eq!(form_only("mailto:info@gemeente").map(|c| c.state), Some(State::Broken));
        assert_eq!(form_only("mailto:info gemeente.nl").map(|c| c.state), Some(State::Broken));
        assert_eq!(form_only("tel:14020").map(|c| c.state), Some(State::Ok));
        assert_eq!(form_only("tel:+31%2020%20123%204567").map(|c| c.state), Some(State::Ok));
        assert_eq!(form_only("tel:bel-ons").map(|c| c.state), Some(State::Broken));
        assert_eq!(form_only("https://x.nl"), None);
    }

    #[test]
    fn private_networks_are_recognised() {
        for ip in ["127.0.0.1", "10.1.2.3", "192.168.1.1", "172.16.0.1", "169.254.169.254", "100.64.0.1", "::1", "fd00::1", "fe80::1", "::ffff:10.0.0.1", "0.0.0.0"] {
            assert!(private(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["145.21.1.1", "2a00:1450::1"] {
            assert!(!private(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn error_pages_served_as_200_are_recognised() {
        assert!(soft_404("<html><head><title>Pagina niet gevonden - Gemeente</title></head>"));
        assert!(soft_404("<title>Home</title><h1 class=\"x\">404: Not Found</h1>"));
        assert!(!soft_404("<title>Paspoort aanvragen</title><h1>Paspoort</h1><p>Niet gevonden wat u zocht? Bel ons.</p>"));
    }
}
