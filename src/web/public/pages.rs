//! Local pages at their tree path (`pages/afval/pmd.md` is `/afval/pmd`), with breadcrumbs
//! and sub-navigation. This is the fallback route: whatever no other route takes.

use std::borrow::Cow;

use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{Layout, context, earliest, home_crumb, not_found, other, render};
use crate::content::language;
use crate::content::model::Lang;
use crate::render::paths;
use crate::cache::Tag;
use crate::content::model::Page;
use crate::content::store;
use crate::render::views::{Link, PageView};
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::respond::{Built, HTML, cached};
use crate::web::site::resolve;

pub async fn page(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return Err(AppError::NotFound);
    }
    let resident = resolve(&req)?;
    let raw = req.path();
    if raw.len() > 1 && raw.ends_with('/') {
        let trimmed = raw.trim_end_matches('/');
        let query = if req.query_string().is_empty() { String::new() } else { format!("?{}", req.query_string()) };
        return Err(AppError::Redirect { location: format!("{}{}{query}", resident.base_url, if trimmed.is_empty() { "/" } else { trimmed }), permanent: true });
    }
    let lang = paths::lang_of(raw);
    let path = match lang {
        Lang::Nl => raw.trim_matches('/').to_owned(),
        _ => raw.trim_start_matches('/').split_once('/').map(|(_, rest)| rest).unwrap_or("").trim_matches('/').to_owned(),
    };
    if path.is_empty() || path.split('/').any(|s| !crate::content::slug::is_slug(s)) {
        return Err(AppError::NotFound);
    }
    cached(&req, state, resident, move |ctx| {
        let all = store::pages(ctx.conn, &ctx.state.content, &ctx.resident.site, ctx.viewer)?;
        // The pages in this language: in English, those with an English text.
        let pages: Vec<Cow<Page>> = all.items.iter().filter_map(|p| language::local_in(p, lang)).collect();
        let Some(current) = pages.iter().find(|p| p.path == path) else { return not_found() };
        let mut breadcrumbs = vec![home_crumb(lang)];
        let mut prefix = String::new();
        for segment in path.split('/').take(path.split('/').count() - 1) {
            prefix = if prefix.is_empty() { segment.to_owned() } else { format!("{prefix}/{segment}") };
            if let Some(ancestor) = pages.iter().find(|p| p.path == prefix) {
                breadcrumbs.push(Link { title: ancestor.title.clone(), url: paths::page(lang, &ancestor.path) });
            }
        }
        let children = sorted_links(pages.iter().map(|p| &**p).filter(|p| parent(&p.path) == path), lang);
        let parent_path = parent(&path);
        let siblings = sorted_links(pages.iter().map(|p| &**p).filter(|p| parent(&p.path) == parent_path && !parent_path.is_empty()), lang);
        let pictures = ctx.pictures([current.body.as_str()], [])?;
        let view = PageView::new(current, &pictures, lang);
        let alternate = all.items.iter().find(|p| p.path == path).filter(|p| language::has_text(p, other(lang))).map(|p| paths::page(other(lang), &p.path));
        let layout = Layout { title: view.title.clone(), description: view.summary.clone(), path: view.url.clone(), nav: "", breadcrumbs, structured: None, lang, alternate };
        let (mut c, alerts_change) = context(ctx, layout)?;
        let (form, form_expires) = super::feedback::form(ctx, &view.url);
        c.insert("feedback", &form);
        c.insert("page", &view);
        c.insert("children", &children);
        c.insert("siblings", &siblings);
        c.insert("parent", &pages.iter().find(|p| p.path == parent_path).map(|p| Link { title: p.title.clone(), url: paths::page(lang, &p.path) }));
        let body = render(ctx, "page.html", &c)?;
        Ok(Built::ok(HTML, body, vec![Tag::Local, Tag::Alerts], earliest([all.next_change, alerts_change, Some(form_expires)])))
    })
    .await
}

/// The path of the parent page ("" for a top-level page).
fn parent(path: &str) -> &str {
    path.rsplit_once('/').map(|(p, _)| p).unwrap_or("")
}

fn sorted_links<'a>(pages: impl Iterator<Item = &'a Page>, lang: Lang) -> Vec<Link> {
    let mut list: Vec<&Page> = pages.collect();
    list.sort_by_cached_key(|p| (p.weight, store::sort_key(&p.title)));
    list.into_iter().map(|p| Link { title: p.title.clone(), url: paths::page(lang, &p.path) }).collect()
}
