//! The home page: the site's name, active alerts, popular products, themes and latest news.

use std::borrow::Cow;
use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, web};

use super::{Layout, context, earliest, other, render};
use crate::content::language;
use crate::content::model::{Lang, NewsItem};
use crate::render::paths;
use crate::media::picture::Pictures;
use crate::cache::Tag;
use crate::content::fold::Resolved;
use crate::content::store;
use crate::render::views::{NewsView, ProductItem, life_event_url, theme_url};
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::respond::{Built, HTML, cached};
use crate::web::site::Resident;

/// How many popular products and news items the home page shows.
const POPULAR: usize = 8;
const LATEST_NEWS: usize = 3;

pub async fn home(req: HttpRequest, state: web::Data<AppState>, resident: Resident) -> Result<HttpResponse, AppError> {
    let lang = paths::lang_of(req.path());
    cached(&req, state, resident, move |ctx| {
        let catalogue = store::catalogue_in(ctx.conn, &ctx.state.content, &ctx.resident.site, ctx.viewer, lang)?;
        let news = store::news(ctx.conn, &ctx.state.content, &ctx.resident.site, ctx.viewer)?;
        let news_change = news.next_change;
        let news: Vec<Cow<NewsItem>> = news.items.iter().filter_map(|n| language::local_in(n, lang)).collect();
        let site = &ctx.resident.site.site;
        let layout = Layout {
            title: site.name.clone(),
            description: match lang {
                Lang::Nl => format!("De website van {}: producten, diensten en nieuws.", site.name),
                _ => format!("The website of {} in English: products, services and news.", site.name),
            },
            path: paths::home(lang).into(),
            nav: "home",
            breadcrumbs: vec![],
            structured: None,
            lang,
            alternate: Some(paths::home(other(lang)).into()),
        };
        let (mut c, alerts_change) = context(ctx, layout)?;
        c.insert("popular", &popular(&site.popular, &catalogue.items).iter().map(|r| ProductItem::new(r, lang)).collect::<Vec<_>>());
        if lang == Lang::Nl {
            // Themes and life events are the catalogue's Dutch words.
            c.insert("themes", &counted(catalogue.items.iter().flat_map(|r| &r.themes), theme_url));
            c.insert("life_events", &counted(catalogue.items.iter().flat_map(|r| &r.life_events), life_event_url));
        }
        c.insert("news", &news.iter().take(LATEST_NEWS).map(|n| NewsView::new(n, &Pictures::none(), lang)).collect::<Vec<_>>());
        c.insert("product_count", &catalogue.items.len());
        let body = render(ctx, "home.html", &c)?;
        Ok(Built::ok(HTML, body, vec![Tag::Catalogue, Tag::Local, Tag::Alerts], earliest([catalogue.next_change, news_change, alerts_change])))
    })
    .await
}

/// The site's own choice first, then the products the central team marks popular.
fn popular<'a>(chosen: &[String], offered: &'a [Resolved]) -> Vec<&'a Resolved> {
    let mut out: Vec<&Resolved> = chosen.iter().filter_map(|slug| offered.iter().find(|r| &r.slug == slug)).collect();
    for r in offered.iter().filter(|r| r.popular) {
        if out.len() >= POPULAR {
            break;
        }
        if !out.iter().any(|o| o.slug == r.slug) {
            out.push(r);
        }
    }
    out.truncate(POPULAR);
    out
}

#[derive(serde::Serialize)]
pub struct Counted {
    pub title: String,
    pub url: String,
    pub count: usize,
}

/// Names with how often they occur, A-Z, each with its listing link.
pub fn counted<'a>(names: impl Iterator<Item = &'a String>, url: fn(&str) -> String) -> Vec<Counted> {
    let mut counts: BTreeMap<String, (String, usize)> = BTreeMap::new();
    for name in names {
        counts.entry(store::sort_key(name)).or_insert_with(|| (name.clone(), 0)).1 += 1;
    }
    counts.into_values().map(|(title, count)| Counted { url: url(&title), title, count }).collect()
}


/// `/en` is the English home page's address without its slash.
pub async fn to_english_home(resident: Resident) -> Result<HttpResponse, AppError> {
    Err(AppError::Redirect { location: format!("{}{}", resident.base_url, paths::home(Lang::En)), permanent: true })
}
