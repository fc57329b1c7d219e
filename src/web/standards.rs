//! Open standards: the Samenwerkende Catalogi 4.0 export of a site's products, for the
//! national portal to harvest. Each site publishes its own feed, from its own fold.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::AppState;
use super::error::AppError;
use super::public::render;
use super::respond::{Built, XML, cached};
use super::site::Resident;
use crate::cache::Tag;
use crate::content::files::rfc3339;
use crate::content::model::Lang;
use crate::content::store;
use crate::render::paths;
use crate::content::upl::name_from_uri;
use crate::db::models::upl;
use crate::render::markdown::{self, SECTION};
use crate::render::views::is_http_url;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(super::api::read("/api/v1/samenwerkende-catalogi.xml", samenwerkende_catalogi));
}

#[derive(Serialize)]
struct ScProduct {
    identifier: String,
    /// `nl`, or `en` for the entry of a product's English text.
    language: &'static str,
    title: String,
    modified: String,
    audiences: Vec<&'static str>,
    abstract_text: String,
    product_id: String,
    online: &'static str,
    apply_url: Option<String>,
    upl_uri: Option<String>,
    upl_name: String,
    html: String,
}

async fn samenwerkende_catalogi(req: HttpRequest, state: web::Data<AppState>, resident: Resident) -> Result<HttpResponse, AppError> {
    cached(&req, state, resident, |ctx| {
        let site = &ctx.resident.site.site;
        let names: HashMap<String, String> = upl::all(ctx.conn)?.into_iter().map(|p| (p.uri, p.name)).collect();
        // An entry per language a product has a text in (the national portal shows each).
        let mut products: Vec<ScProduct> = Vec::new();
        let mut next_change = None;
        for lang in Lang::ALL {
            let catalogue = store::catalogue_in(ctx.conn, &ctx.state.content, &ctx.resident.site, ctx.viewer, lang)?;
            next_change = super::public::earliest([next_change, catalogue.next_change]);
            products.extend(catalogue.items.iter().map(|r| {
                let mut html = String::new();
                for s in &r.sections {
                    if !s.heading.is_empty() {
                        html.push_str(&format!("<h2>{}</h2>", crate::render::templates::escape(&s.heading)));
                    }
                    html.push_str(&markdown::to_html(&s.body, SECTION));
                }
                let apply_url = r.apply_url.clone().filter(|u| is_http_url(u));
                ScProduct {
                    identifier: format!("{}{}", ctx.resident.base_url, paths::product(lang, &r.slug)),
                    language: lang.code(),
                    title: r.title.clone(),
                    modified: rfc3339(r.modified),
                    audiences: r.audience.iter().map(|a| a.as_str()).collect(),
                    abstract_text: if r.summary.is_empty() { r.title.clone() } else { r.summary.clone() },
                    product_id: match lang {
                        Lang::Nl => format!("{}-{}", site.slug, r.slug),
                        _ => format!("{}-{}-{}", site.slug, r.slug, lang.code()),
                    },
                    online: if apply_url.is_some() { "ja" } else { "nee" },
                    apply_url,
                    upl_name: r.upl.as_ref().map(|u| names.get(u).cloned().unwrap_or_else(|| name_from_uri(u))).unwrap_or_default(),
                    upl_uri: r.upl.clone(),
                    html,
                }
            }));
        }
        let mut c = tera::Context::new();
        c.insert("products", &products);
        c.insert("municipality", site.municipality());
        c.insert("owms_uri", &site.owms_uri);
        let body = render(ctx, "samenwerkende-catalogi.xml", &c)?;
        Ok(Built::ok(XML, body, vec![Tag::Catalogue], next_change))
    })
    .await
}
