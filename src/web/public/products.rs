//! `/producten`: the A-Z list (filtered by theme, audience or life event), and
//! `/producten/<slug>`: one product as this site shows it.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::home::counted;
use super::{Layout, context, earliest, home_crumb, not_found, other as other_lang, param, render, ui_text};
use crate::cache::Tag;
use crate::content::model::{Audience, Lang};
use crate::render::paths;
use crate::content::slug::slugify;
use crate::content::fold::Resolved;
use crate::content::language;
use crate::content::store;
use crate::render::views::{Link, ProductItem, ProductView, SdgView, life_event_url, theme_url};
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::respond::{Built, Ctx, HTML, cached, cached_reading};
use crate::web::site::Resident;

#[derive(Serialize)]
struct Letter {
    letter: String,
    id: String,
    products: Vec<ProductItem>,
}

pub async fn list(req: HttpRequest, state: web::Data<AppState>, resident: Resident) -> Result<HttpResponse, AppError> {
    let lang = paths::lang_of(req.path());
    let theme = param(&req, "thema");
    let audience = param(&req, "doelgroep");
    let event = param(&req, "levensgebeurtenis");
    // Themes, life events and audiences are the catalogue's Dutch words: the English list is
    // the A-Z list alone.
    if lang != Lang::Nl && (theme.is_some() || audience.is_some() || event.is_some()) {
        return Err(AppError::NotFound);
    }
    cached_reading(&req, state, resident, &["thema", "doelgroep", "levensgebeurtenis"], move |ctx| {
        let catalogue = store::catalogue_in(ctx.conn, &ctx.state.content, &ctx.resident.site, ctx.viewer, lang)?;
        let all = &catalogue.items;
        let audience = match audience.as_deref() {
            Some(a) => Some(Audience::parse(a).ok_or(AppError::NotFound)?),
            None => None,
        };
        let theme_name = theme.as_deref().map(|t| all.iter().flat_map(|r| &r.themes).find(|n| slugify(n) == t).cloned().ok_or(AppError::NotFound)).transpose()?;
        let event_name = event.as_deref().map(|e| all.iter().flat_map(|r| &r.life_events).find(|n| slugify(n) == e).cloned().ok_or(AppError::NotFound)).transpose()?;
        let shown: Vec<_> = all
            .iter()
            .filter(|r| theme_name.as_ref().is_none_or(|t| r.themes.contains(t)))
            .filter(|r| event_name.as_ref().is_none_or(|e| r.life_events.contains(e)))
            .filter(|r| audience.is_none_or(|a| r.audience.contains(&a)))
            .collect();
        let mut letters: BTreeMap<String, Vec<ProductItem>> = BTreeMap::new();
        for r in &shown {
            let first = store::sort_key(&r.title).chars().next().filter(char::is_ascii_alphabetic).map(|c| c.to_ascii_uppercase().to_string()).unwrap_or_else(|| "#".into());
            letters.entry(first).or_default().push(ProductItem::new(r, lang));
        }
        let filter = theme_name.clone().or(event_name.clone()).or(audience.map(|a| a.label().to_owned()));
        let all_title = ui_text(ctx.state, lang, "nav_products");
        let title = match &filter {
            Some(f) => format!("{all_title}: {f}"),
            None => all_title.clone(),
        };
        let mut breadcrumbs = vec![home_crumb(lang)];
        if filter.is_some() {
            breadcrumbs.push(Link { title: all_title, url: paths::products(lang).into() });
        }
        let site_name = &ctx.resident.site.site.name;
        let layout = Layout {
            description: match lang {
                Lang::Nl => format!("Alle producten en diensten van {site_name} van A tot Z."),
                _ => format!("The products and services of {site_name} in English, from A to Z."),
            },
            title,
            path: match lang {
                Lang::Nl => req_path(&theme, &audience, &event),
                _ => paths::products(lang).into(),
            },
            nav: "producten",
            breadcrumbs,
            structured: None,
            lang,
            alternate: filter.is_none().then(|| paths::products(other_lang(lang)).to_owned()),
        };
        let (mut c, alerts_change) = context(ctx, layout)?;
        c.insert("letters", &letters.into_iter().map(|(letter, products)| Letter { id: if letter == "#" { "letter-overig".into() } else { format!("letter-{}", letter.to_lowercase()) }, letter, products }).collect::<Vec<_>>());
        c.insert("count", &shown.len());
        c.insert("filtered", &filter.is_some());
        if lang == Lang::Nl {
            c.insert("themes", &counted(all.iter().flat_map(|r| &r.themes), theme_url));
            c.insert("life_events", &counted(all.iter().flat_map(|r| &r.life_events), life_event_url));
            let audiences: Vec<Link> = Audience::ALL
                .iter()
                .filter(|a| all.iter().any(|r| r.audience.contains(a)))
                .map(|a| Link { title: a.label().into(), url: format!("/producten?doelgroep={}", a.as_str()) })
                .collect();
            c.insert("audiences", &audiences);
        }
        let body = render(ctx, "products.html", &c)?;
        Ok(Built::ok(HTML, body, vec![Tag::Catalogue, Tag::Alerts], earliest([catalogue.next_change, alerts_change])))
    })
    .await
}

fn req_path(theme: &Option<String>, audience: &Option<Audience>, event: &Option<String>) -> String {
    if let Some(t) = theme {
        format!("/producten?thema={t}")
    } else if let Some(e) = event {
        format!("/producten?levensgebeurtenis={e}")
    } else if let Some(a) = audience {
        format!("/producten?doelgroep={}", a.as_str())
    } else {
        "/producten".into()
    }
}

pub async fn product(req: HttpRequest, state: web::Data<AppState>, resident: Resident, slug: web::Path<String>) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let lang = paths::lang_of(req.path());
    cached(&req, state, resident, move |ctx| {
        let found = store::product_in(ctx.conn, &ctx.state.content, &ctx.resident.site, &slug, ctx.viewer, lang)?;
        let Some(resolved) = found.items.first() else { return opted_out_page(ctx, &slug, lang) };
        // The other language's page, where the product has one.
        let catalogue = ctx.state.content.catalogue(ctx.conn)?;
        let translated = catalogue.find(&slug).is_some_and(|(_, p)| language::has_text(p, other_lang(lang)));
        let alternate = translated.then(|| paths::product(other_lang(lang), &resolved.slug));
        let (body, alerts_change) = product_page(ctx, resolved, false, lang, alternate)?;
        Ok(Built::ok(HTML, body, vec![Tag::Product(slug.clone()), Tag::Alerts], earliest([found.next_change, alerts_change])))
    })
    .await
}

/// Where residents can go instead of a product the site does not offer.
#[derive(Serialize)]
struct Referral {
    title: String,
    url: String,
    /// The language of the page referred to, when it is not the page's own.
    lang: Option<&'static str>,
}

/// The answer at the address of a product one of the site's layers opted out of: 404 with
/// the reason and the referral (PRODUCT.md), never a bare 404. Any other missing product is
/// the plain 404.
fn opted_out_page(ctx: &mut Ctx, slug: &str, lang: Lang) -> Result<Built, AppError> {
    let site = &ctx.resident.site;
    let Some(resolved) = store::opted_out(ctx.conn, &ctx.state.content, site, slug, ctx.viewer, lang)? else { return not_found() };
    let Some(why) = resolved.opt_out.clone() else { return not_found() };
    // An English page without an English reason gives the Dutch one, marked as Dutch.
    let (reason, reason_lang) = match (&why.reason, lang) {
        (Some(r), _) => (Some(r.clone()), None),
        (None, Lang::Nl) => (None, None),
        (None, _) => {
            let dutch = store::opted_out(ctx.conn, &ctx.state.content, site, slug, ctx.viewer, Lang::Nl)?;
            (dutch.and_then(|d| d.opt_out).and_then(|o| o.reason), Some(Lang::Nl.code()))
        }
    };
    let referral = match why.refer_to.as_deref() {
        None => None,
        Some(to) if to.contains("://") => Some(Referral { title: to.to_owned(), url: to.to_owned(), lang: None }),
        // Another product, where the site offers it: in this language, or else in Dutch.
        Some(other) => {
            let mut found = None;
            for in_lang in [lang, Lang::Nl] {
                if let Some(p) = store::product_in(ctx.conn, &ctx.state.content, site, other, ctx.viewer, in_lang)?.items.into_iter().next() {
                    found = Some(Referral { title: p.title, url: paths::product(in_lang, other), lang: (in_lang != lang).then(|| in_lang.code()) });
                    break;
                }
            }
            found
        }
    };
    let lead = ui_text(ctx.state, lang, "opted_out_lead").replace("{site}", &site.site.name);
    let layout = Layout {
        title: resolved.title.clone(),
        description: lead.clone(),
        path: paths::product(lang, slug),
        nav: "producten",
        breadcrumbs: vec![home_crumb(lang), Link { title: ui_text(ctx.state, lang, "nav_products"), url: paths::products(lang).into() }],
        structured: None,
        lang,
        alternate: None,
    };
    let (mut c, _) = context(ctx, layout)?;
    c.insert("lead", &lead);
    c.insert("reason", &reason);
    c.insert("reason_lang", &reason_lang);
    c.insert("referral", &referral);
    let body = render(ctx, "opted_out.html", &c)?;
    Ok(Built { status: actix_web::http::StatusCode::NOT_FOUND, content_type: HTML, body, tags: vec![], next_change: None })
}

/// A product page (for residents, or an editor's preview) in `lang`, linking the page in the
/// other language (`alternate`); also when its alerts next change.
pub fn product_page(ctx: &mut Ctx, resolved: &Resolved, preview: bool, lang: Lang, alternate: Option<String>) -> Result<(String, Option<i64>), AppError> {
    let pictures = ctx.pictures(resolved.sections.iter().map(|s| s.body.as_str()), [])?;
    let view = ProductView::new(resolved, &pictures, lang);
    let view_url = view.url.clone();
    let layout = Layout {
        title: view.title.clone(),
        description: view.summary.clone(),
        path: view.url.clone(),
        nav: "producten",
        breadcrumbs: vec![home_crumb(lang), Link { title: ui_text(ctx.state, lang, "nav_products"), url: paths::products(lang).into() }],
        lang,
        alternate,
        structured: Some(serde_json::json!({
            "@type": "GovernmentService",
            "name": view.title,
            "description": view.summary,
            "url": format!("{}{}", ctx.resident.base_url, view.url),
            "serviceType": view.title,
            "audience": view.audience_labels.iter().map(|a| serde_json::json!({"@type": "Audience", "audienceType": a})).collect::<Vec<_>>(),
            "areaServed": {"@type": "AdministrativeArea", "name": ctx.resident.site.site.municipality()},
            "provider": super::organization(&ctx.resident.site.site, &ctx.resident.base_url),
            "availableChannel": view.apply_url.as_ref().map(|u| serde_json::json!({"@type": "ServiceChannel", "serviceUrl": u})),
            "dateModified": view.modified,
            "inLanguage": lang.code(),
        })),
    };
    let upl = ctx.state.content.upl(ctx.conn)?;
    let sdg = upl.sdg(resolved.upl.as_deref()).map(|u| SdgView::new(resolved, u, lang));
    let (mut c, alerts_change) = context(ctx, layout)?;
    c.insert("sdg", &sdg);
    if lang != Lang::Nl {
        // The catalogue's themes are Dutch words.
        c.insert("product", &ProductView { themes: vec![], ..view });
    } else {
        c.insert("product", &view);
    }
    c.insert("preview", &preview);
    // Editors' previews take no feedback.
    let mut expires = alerts_change;
    if !preview {
        let (form, form_expires) = super::feedback::form(ctx, &view_url);
        c.insert("feedback", &form);
        expires = earliest([alerts_change, Some(form_expires)]);
    }
    Ok((render(ctx, "product.html", &c)?, expires))
}
