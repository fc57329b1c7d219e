//! `/nieuws` (newest first, in pages), `/nieuws/<slug>` and the Atom feed.

use actix_web::{HttpRequest, HttpResponse, web};

use super::{Layout, context, earliest, home_crumb, not_found, other, param, render, ui_text};
use std::borrow::Cow;

use crate::content::language;
use crate::content::model::{Lang, NewsItem};
use crate::render::paths;
use crate::media::picture::Pictures;
use crate::cache::Tag;
use crate::content::store;
use crate::render::views::{Link, NewsView};
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::respond::{ATOM, Built, HTML, cached, cached_reading};
use crate::web::site::Resident;

const PER_PAGE: usize = 10;
const FEED_ITEMS: usize = 20;

pub async fn list(req: HttpRequest, state: web::Data<AppState>, resident: Resident) -> Result<HttpResponse, AppError> {
    let page: usize = match param(&req, "pagina") {
        None => 1,
        // Only the canonical number ("2", not "02" or "+2"): each page has one URL.
        Some(p) => p.parse().ok().filter(|&n: &usize| n >= 1 && n.to_string() == p).ok_or(AppError::NotFound)?,
    };
    let lang = paths::lang_of(req.path());
    cached_reading(&req, state, resident, &["pagina"], move |ctx| {
        let news = store::news(ctx.conn, &ctx.state.content, &ctx.resident.site, ctx.viewer)?;
        let in_lang: Vec<Cow<NewsItem>> = news.items.iter().filter_map(|n| language::local_in(n, lang)).collect();
        let pages = in_lang.len().div_ceil(PER_PAGE).max(1);
        if page > pages {
            return not_found();
        }
        let items: Vec<NewsView> = in_lang.iter().skip((page - 1) * PER_PAGE).take(PER_PAGE).map(|n| NewsView::new(n, &Pictures::none(), lang)).collect();
        let title = ui_text(ctx.state, lang, "nav_news");
        let list = paths::news(lang);
        let layout = Layout {
            title: if page > 1 { format!("{title} ({page})") } else { title },
            description: match lang {
                Lang::Nl => format!("Nieuws van {}.", ctx.resident.site.site.name),
                _ => format!("News from {} in English.", ctx.resident.site.site.name),
            },
            path: if page > 1 { format!("{list}?pagina={page}") } else { list.into() },
            nav: "nieuws",
            breadcrumbs: vec![home_crumb(lang)],
            structured: None,
            lang,
            alternate: (page == 1).then(|| paths::news(other(lang)).into()),
        };
        let (mut c, alerts_change) = context(ctx, layout)?;
        c.insert("items", &items);
        c.insert("list_url", list);
        c.insert("page", &page);
        c.insert("pages", &pages);
        let body = render(ctx, "news_list.html", &c)?;
        Ok(Built::ok(HTML, body, vec![Tag::Local, Tag::Alerts], earliest([news.next_change, alerts_change])))
    })
    .await
}

pub async fn item(req: HttpRequest, state: web::Data<AppState>, resident: Resident, slug: web::Path<String>) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let lang = paths::lang_of(req.path());
    cached(&req, state, resident, move |ctx| {
        let news = store::news_item(ctx.conn, &ctx.state.content, &ctx.resident.site, &slug, ctx.viewer)?;
        let Some(dutch) = news.items.first() else { return not_found() };
        let Some(item) = language::local_in(dutch, lang) else { return not_found() };
        let alternate = language::has_text(dutch, other(lang)).then(|| paths::news_item(other(lang), &dutch.slug));
        let pictures = ctx.pictures([item.body.as_str()], item.image.as_deref())?;
        let view = NewsView::new(&item, &pictures, lang);
        let layout = Layout {
            lang,
            alternate,
            title: view.title.clone(),
            description: view.summary.clone(),
            path: view.url.clone(),
            nav: "nieuws",
            breadcrumbs: vec![home_crumb(lang), Link { title: ui_text(ctx.state, lang, "nav_news"), url: paths::news(lang).into() }],
            structured: Some(serde_json::json!({
                "@type": "NewsArticle",
                "headline": view.title,
                "description": view.summary,
                "datePublished": view.date,
                "dateModified": view.modified,
                "inLanguage": lang.code(),
                "mainEntityOfPage": format!("{}{}", ctx.resident.base_url, view.url),
                "publisher": super::organization(&ctx.resident.site.site, &ctx.resident.base_url),
                "author": super::organization(&ctx.resident.site.site, &ctx.resident.base_url),
                "image": view.image.as_ref().map(|i| format!("{}{i}", ctx.resident.base_url)),
            })),
        };
        let image = view.image.as_ref().map(|i| format!("{}{i}", ctx.resident.base_url));
        let (mut c, alerts_change) = context(ctx, layout)?;
        let (form, form_expires) = super::feedback::form(ctx, &paths::news_item(lang, &slug));
        c.insert("feedback", &form);
        c.insert("item", &view);
        c.insert("og_image", &image);
        let body = render(ctx, "news_item.html", &c)?;
        Ok(Built::ok(HTML, body, vec![Tag::Local, Tag::Alerts], earliest([news.next_change, alerts_change, Some(form_expires)])))
    })
    .await
}

pub async fn feed(req: HttpRequest, state: web::Data<AppState>, resident: Resident) -> Result<HttpResponse, AppError> {
    cached(&req, state, resident, |ctx| {
        let news = store::news(ctx.conn, &ctx.state.content, &ctx.resident.site, ctx.viewer)?;
        let items: Vec<NewsView> = news.items.iter().take(FEED_ITEMS).map(|n| NewsView::new(n, &Pictures::none(), Lang::Nl)).collect();
        let updated = news
            .items
            .iter()
            .take(FEED_ITEMS)
            .map(|n| n.updated_at)
            .max()
            .max(Some(ctx.resident.site.site.updated_at))
            .map(crate::content::files::rfc3339)
            .unwrap_or_default();
        let mut c = tera::Context::new();
        c.insert("site", &crate::render::views::SiteView::new(&ctx.resident.site, &ctx.resident.base_url));
        c.insert("items", &items);
        c.insert("updated", &updated);
        let body = render(ctx, "feed.xml", &c)?;
        Ok(Built::ok(ATOM, body, vec![Tag::Local], news.next_change))
    })
    .await
}
