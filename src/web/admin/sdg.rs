//! The SDG overview in the admin: per site the SDG products it offers, how many lack a
//! procedure element or English, sortable by each (links, no JavaScript); and per site the
//! products with what they lack, linking to where it is written.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{admin_context, page, signed_in, with_editor};
use crate::edit::sdg::{ELEMENTS, English, Order, SiteReport};
use crate::render::views::Link;
use crate::web::AppState;
use crate::web::error::AppError;

#[derive(Serialize)]
struct GapView {
    title: String,
    url: String,
    missing: Vec<&'static str>,
    english: &'static str,
}

#[derive(Serialize)]
struct SiteView {
    name: String,
    url: String,
    products: usize,
    incomplete: usize,
    no_english: usize,
    english_behind: usize,
    gaps: Vec<GapView>,
}

fn view(r: SiteReport) -> SiteView {
    let label = |key: &str| ELEMENTS.iter().find(|(k, _)| *k == key).map_or("", |(_, l)| *l);
    SiteView {
        url: format!("/admin/sdg?site={}", r.site),
        gaps: r
            .gaps
            .into_iter()
            .map(|g| GapView {
                url: format!("/admin/sites/{}/producten/{}", r.site, g.slug),
                title: g.title,
                missing: g.missing.iter().map(|k| label(k)).collect(),
                english: match g.english {
                    English::Current => "",
                    English::Missing => "Geen Engelse tekst",
                    English::Behind => "Engels loopt achter",
                },
            })
            .collect(),
        name: r.name,
        products: r.products,
        incomplete: r.incomplete,
        no_english: r.no_english,
        english_behind: r.english_behind,
    }
}

pub async fn overview(req: HttpRequest, state: web::Data<AppState>, query: web::Query<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    let order = query.get("sorteer").and_then(|s| Order::parse(s)).unwrap_or_default();
    let chosen = query.get("site").cloned();
    let reports = with_editor(&req, &state, &signed, move |ed, st| match &chosen {
        Some(site) => Ok(vec![ed.sdg_site(&st.content, site)?]),
        None => Ok(ed.sdg_overview(&st.content, order)?),
    })
    .await?;
    let one = reports.len() == 1;
    let sites: Vec<SiteView> = reports.into_iter().map(view).collect();
    let crumbs = vec![Link { title: "Overzicht".into(), url: "/admin".into() }];
    let mut c = admin_context(&state, Some(&signed), "SDG-producten", crumbs);
    c.insert("sites", &sites);
    c.insert("one", &one);
    c.insert("elements", &ELEMENTS.iter().map(|(k, l)| (*k, *l)).collect::<Vec<_>>());
    c.insert(
        "order",
        match order {
            Order::Name => "naam",
            Order::Incomplete => "onvolledig",
            Order::NoEnglish => "zonder-engels",
            Order::EnglishBehind => "engels-achter",
        },
    );
    page(&state, StatusCode::OK, "admin/sdg.html", &c)
}
