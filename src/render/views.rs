//! Serialize-only views of content for templates and the JSON API. Templates never see the
//! model itself: every text that becomes HTML is sanitised here, once.

use chrono::NaiveDate;
use serde::Serialize;

use super::markdown::{self, BODY, SECTION};
use super::templates::escape;
use crate::media::picture::Pictures;
use crate::content::directory::SiteEntry;
use crate::content::fold::Resolved;
use super::paths;
use crate::content::model::{Alert, Contact, Lang, NewsItem, Page};
use crate::content::slug::slugify;

const MONTHS: [&str; 12] = [
    "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november",
    "december",
];

const MONTHS_EN: [&str; 12] = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December",
];

/// "20 november 2026".
pub fn date_nl(date: NaiveDate) -> String {
    date_in(date, Lang::Nl)
}

/// A date as residents read it: "20 november 2026", "20 November 2026".
pub fn date_in(date: NaiveDate, lang: Lang) -> String {
    use chrono::Datelike;
    let months = match lang {
        Lang::Nl => MONTHS,
        Lang::En => MONTHS_EN,
    };
    format!("{} {} {}", date.day(), months[date.month0() as usize], date.year())
}

/// The day of a moment in the Netherlands (Europe/Amsterdam).
pub fn dutch_day(ts: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp(ts, 0).map(|t| t.with_timezone(&chrono_tz::Europe::Amsterdam).date_naive()).unwrap_or_default()
}

/// What the page of an SDG product adds (EU regulation 2018/1724): who is responsible, when
/// its text last changed in any layer or language, and the laws it rests on.
#[derive(Debug, Clone, Serialize)]
pub struct SdgView {
    pub modified: String,
    pub modified_iso: String,
    pub legal: Vec<crate::content::upl::LegalBasis>,
}

impl SdgView {
    pub fn new(resolved: &Resolved, upl: &crate::content::upl::UplProduct, lang: Lang) -> SdgView {
        let day = dutch_day(resolved.modified);
        SdgView { modified: date_in(day, lang), modified_iso: day.format("%Y-%m-%d").to_string(), legal: upl.legal.clone() }
    }
}

/// A link with a text.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub title: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub slug: String,
    pub name: String,
    pub municipality: String,
    pub contact: Contact,
    /// Scheme and canonical host (with the port the request used), without a trailing slash.
    pub base_url: String,
    /// The URL of the site's design-token stylesheet, if it has one.
    pub tokens_url: Option<String>,
}

impl SiteView {
    pub fn new(entry: &SiteEntry, base_url: &str) -> SiteView {
        let site = &entry.site;
        SiteView {
            slug: site.slug.clone(),
            name: site.name.clone(),
            municipality: site.municipality().to_owned(),
            contact: safe_contact(&site.contact),
            base_url: base_url.to_owned(),
            tokens_url: entry.tokens_hash.as_ref().map(|hash| format!("/theme/tokens.{hash}.css")),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionView {
    pub key: String,
    pub heading: String,
    /// The text as Markdown, placeholders filled.
    pub markdown: String,
    /// The text as sanitised HTML.
    pub html: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProductView {
    pub slug: String,
    pub url: String,
    pub title: String,
    pub summary: String,
    pub audience: Vec<&'static str>,
    pub audience_labels: Vec<&'static str>,
    pub themes: Vec<Link>,
    pub life_events: Vec<Link>,
    pub keywords: Vec<String>,
    pub upl: Option<String>,
    pub sections: Vec<SectionView>,
    pub apply_url: Option<String>,
    pub contact: Contact,
    pub revision: i64,
    /// RFC 3339, the latest change of any layer behind the page.
    pub modified: String,
}

/// The listing URL for a theme.
pub fn theme_url(theme: &str) -> String {
    format!("/producten?thema={}", slugify(theme))
}

pub fn life_event_url(event: &str) -> String {
    format!("/producten?levensgebeurtenis={}", slugify(event))
}

impl ProductView {
    /// `pictures`: the media its texts may show as pictures (none for the API).
    pub fn new(r: &Resolved, pictures: &Pictures, lang: Lang) -> ProductView {
        ProductView {
            slug: r.slug.clone(),
            url: paths::product(lang, &r.slug),
            title: r.title.clone(),
            summary: r.summary.clone(),
            audience: r.audience.iter().map(|a| a.as_str()).collect(),
            audience_labels: r.audience.iter().map(|a| a.label()).collect(),
            themes: r.themes.iter().map(|t| Link { title: t.clone(), url: theme_url(t) }).collect(),
            life_events: r.life_events.iter().map(|t| Link { title: t.clone(), url: life_event_url(t) }).collect(),
            keywords: r.keywords.clone(),
            upl: r.upl.clone(),
            sections: r
                .sections
                .iter()
                .map(|s| SectionView {
                    key: s.key.clone(),
                    heading: s.heading.clone(),
                    html: markdown::to_html_with(&s.body, SECTION, pictures),
                    markdown: s.body.clone(),
                })
                .collect(),
            apply_url: r.apply_url.clone().filter(|u| is_http_url(u)),
            contact: safe_contact(&r.contact),
            revision: r.revision,
            modified: crate::content::files::rfc3339(r.modified),
        }
    }
}

/// A product in a list.
#[derive(Debug, Clone, Serialize)]
pub struct ProductItem {
    pub slug: String,
    pub url: String,
    pub title: String,
    pub summary: String,
    pub audience: Vec<&'static str>,
    pub themes: Vec<String>,
    pub life_events: Vec<String>,
    pub upl: Option<String>,
}

impl ProductItem {
    pub fn new(r: &Resolved, lang: Lang) -> ProductItem {
        ProductItem {
            slug: r.slug.clone(),
            url: paths::product(lang, &r.slug),
            title: r.title.clone(),
            summary: r.summary.clone(),
            audience: r.audience.iter().map(|a| a.as_str()).collect(),
            themes: r.themes.clone(),
            life_events: r.life_events.clone(),
            upl: r.upl.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PageView {
    pub path: String,
    pub url: String,
    pub title: String,
    pub summary: String,
    pub html: String,
    pub markdown: String,
    pub modified: String,
}

impl PageView {
    pub fn new(p: &Page, pictures: &Pictures, lang: Lang) -> PageView {
        PageView {
            path: p.path.clone(),
            url: paths::page(lang, &p.path),
            title: p.title.clone(),
            summary: p.summary.clone(),
            html: markdown::to_html_with(&p.body, BODY, pictures),
            markdown: p.body.clone(),
            modified: crate::content::files::rfc3339(p.updated_at),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct NewsView {
    pub slug: String,
    pub url: String,
    pub title: String,
    pub summary: String,
    pub date: String,
    pub date_nl: String,
    pub html: String,
    pub markdown: String,
    pub modified: String,
    /// A media address (`/media/<key>`).
    pub image: Option<String>,
    /// The image as shown: a picture, or a plain image when it is not one of `pictures`.
    pub image_html: Option<String>,
}

impl NewsView {
    pub fn new(n: &NewsItem, pictures: &Pictures, lang: Lang) -> NewsView {
        let image = n.image.clone().filter(|i| crate::content::model::is_media_address(i));
        NewsView {
            slug: n.slug.clone(),
            url: paths::news_item(lang, &n.slug),
            title: n.title.clone(),
            summary: n.summary.clone(),
            date: n.date.format("%Y-%m-%d").to_string(),
            date_nl: date_in(n.date, lang),
            html: markdown::to_html_with(&n.body, BODY, pictures),
            markdown: n.body.clone(),
            modified: crate::content::files::rfc3339(n.updated_at),
            image_html: image.as_deref().map(|src| {
                // Shown beside the title: decorative unless the library describes it.
                pictures.html(src, "", None).unwrap_or_else(|| format!("<img src=\"{}\" alt=\"\">", escape(src)))
            }),
            image,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AlertView {
    pub slug: String,
    pub title: String,
    pub html: String,
    pub severity: &'static str,
    pub label: &'static str,
}

impl AlertView {
    pub fn new(a: &Alert, pictures: &Pictures) -> AlertView {
        AlertView {
            slug: a.slug.clone(),
            title: a.title.clone(),
            html: markdown::to_html_with(&a.body, BODY, pictures),
            severity: a.severity.as_str(),
            label: a.severity.label(),
        }
    }
}

/// Contact details as shown: a website that is not an http(s) URL is left out.
pub fn safe_contact(contact: &Contact) -> Contact {
    Contact { url: contact.url.clone().filter(|u| is_http_url(u)), ..contact.clone() }
}

/// Only http(s) links become `href`s for residents, whatever was stored.
pub fn is_http_url(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_dates() {
        assert_eq!(date_nl(NaiveDate::from_ymd_opt(2026, 11, 3).unwrap()), "3 november 2026");
    }

    #[test]
    fn links() {
        assert!(is_http_url("https://example.org/x"));
        assert!(!is_http_url("javascript:alert(1)"));
        assert!(!is_http_url("/relative"));
        assert_eq!(theme_url("Reizen en identiteit"), "/producten?thema=reizen-en-identiteit");
    }
}
