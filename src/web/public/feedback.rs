//! "Was deze informatie nuttig?" under product pages, local pages and news items, and
//! `POST /feedback` that takes the answer. It works without JavaScript and cookies and stores
//! no address or other personal data: the page's path, its language, yes or no and an optional
//! comment of at most 1,000 characters. Against spam without a third-party service: the form
//! carries a token signed for the site, the page and the day (a forged or stale form is
//! refused), a field only robots fill (`website`, hidden from people), and the rate limit per
//! client network. A refused answer stores nothing.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{Layout, context, home_crumb, render, ui_text};
use crate::content::language;
use crate::content::model::Lang;
use crate::content::store;
use crate::db::models::feedback::{self, NewFeedback};
use crate::render::paths;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::limits::{self, Bucket};
use crate::web::respond::{Built, Ctx, HTML, fresh};
use crate::web::site::Resident;

/// Characters in a comment.
pub const MAX_COMMENT: usize = 1_000;
/// Bytes in a posted form: a full comment in any script, percent-encoded, and the rest.
const MAX_FORM_BYTES: usize = 16 * 1024;
const DAY: i64 = 86_400;

/// What the form under a page carries.
#[derive(Debug, Clone, Serialize)]
pub struct FeedbackForm {
    pub url: String,
    pub token: String,
}

fn mac(key: &[u8; 32], site: i64, path: &str, day: i64) -> blake3::Hash {
    blake3::keyed_hash(key, format!("feedback\n{site}\n{day}\n{path}").as_bytes())
}

/// The form for the page at `path`, and when it expires: its token is signed for today, so a
/// cached page is built again at the next day.
pub fn form(ctx: &Ctx, path: &str) -> (FeedbackForm, i64) {
    let day = ctx.viewer.now.div_euclid(DAY);
    let token = format!("{day}.{}", mac(&ctx.state.feedback_key, ctx.resident.site.id, path, day).to_hex());
    (FeedbackForm { url: path.to_owned(), token }, (day + 1) * DAY)
}

/// Whether `token` was signed for this site and page today or yesterday.
fn valid_token(key: &[u8; 32], site: i64, path: &str, token: &str, now: i64) -> bool {
    let Some((day, hex)) = token.split_once('.') else { return false };
    let (Ok(day), Ok(given)) = (day.parse::<i64>(), blake3::Hash::from_hex(hex)) else { return false };
    let today = now.div_euclid(DAY);
    // `Hash` compares in constant time.
    (day == today || day == today - 1) && mac(key, site, path, day) == given
}

/// Why an answer was not taken.
enum Refused {
    /// Something a person can put right, in their language.
    Invalid(&'static str),
    /// A forged or stale form, or a robot: said plainly, nothing stored.
    Suspect,
    /// The check itself failed (the database): an error, not the resident's.
    Failed(AppError),
}

/// Whether residents can see a page with a feedback form at `path` on this site.
fn page_exists(ctx: &mut Ctx, path: &str, lang: Lang) -> Result<bool, AppError> {
    let rest = match lang {
        Lang::Nl => path.strip_prefix('/'),
        Lang::En => path.strip_prefix("/en/"),
    };
    let Some(rest) = rest.filter(|r| !r.is_empty() && r.split('/').all(crate::content::slug::is_slug)) else { return Ok(false) };
    let (products, news) = match lang {
        Lang::Nl => ("producten/", "nieuws/"),
        Lang::En => ("products/", "news/"),
    };
    let site = &ctx.resident.site;
    if let Some(slug) = rest.strip_prefix(products) {
        return Ok(!store::product_in(ctx.conn, &ctx.state.content, site, slug, ctx.viewer, lang)?.items.is_empty());
    }
    if let Some(slug) = rest.strip_prefix(news) {
        let items = store::news(ctx.conn, &ctx.state.content, site, ctx.viewer)?;
        return Ok(items.items.iter().any(|n| n.slug == slug && language::has_text(&**n, lang)));
    }
    let pages = store::pages(ctx.conn, &ctx.state.content, site, ctx.viewer)?;
    Ok(pages.items.iter().any(|p| p.path == rest && language::has_text(&**p, lang)))
}

fn check(ctx: &mut Ctx, form: &[(String, String)]) -> Result<(String, Lang, bool, Option<String>), Refused> {
    let field = |name: &str| form.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    if field("website").is_some_and(|v| !v.is_empty()) {
        return Err(Refused::Suspect);
    }
    let path = field("url").unwrap_or("").trim().to_owned();
    let lang = paths::lang_of(&path);
    let key = &ctx.state.feedback_key;
    if path.len() > 500 || !valid_token(key, ctx.resident.site.id, &path, field("token").unwrap_or(""), ctx.viewer.now) {
        return Err(Refused::Suspect);
    }
    let useful = match field("nuttig") {
        Some("ja") => true,
        Some("nee") => false,
        _ => return Err(Refused::Invalid("feedback_choose")),
    };
    let comment = field("opmerking").map(str::trim).filter(|c| !c.is_empty());
    if let Some(c) = comment {
        if c.chars().count() > MAX_COMMENT {
            return Err(Refused::Invalid("feedback_too_long"));
        }
    }
    // Control characters have no place in a comment; line breaks stay.
    let comment = comment.map(|c| c.chars().filter(|ch| !ch.is_control() || *ch == '\n').collect::<String>());
    match page_exists(ctx, &path, lang) {
        Ok(true) => Ok((path, lang, useful, comment)),
        Ok(false) => Err(Refused::Suspect),
        Err(e) => Err(Refused::Failed(e)),
    }
}

pub async fn submit(req: HttpRequest, state: web::Data<AppState>, resident: Resident, body: web::Bytes) -> Result<HttpResponse, AppError> {
    limits::check(&req, &state, Bucket::Feedback)?;
    if body.len() > MAX_FORM_BYTES {
        return Err(AppError::TooLarge(format!("Een reactie is hoogstens {MAX_COMMENT} tekens.")));
    }
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    fresh(&req, state, resident, move |ctx| {
        let checked = check(ctx, &form);
        let lang = match &checked {
            Ok((_, lang, _, _)) => *lang,
            Err(_) => paths::lang_of(form.iter().find(|(k, _)| k == "url").map_or("", |(_, v)| v.as_str())),
        };
        let (status, message, back) = match checked {
            Ok((path, lang, useful, comment)) => {
                let new = NewFeedback { site_id: ctx.resident.site.id, path: &path, lang: lang.code(), useful, comment: comment.as_deref(), created_at: ctx.viewer.now };
                feedback::insert(ctx.conn, &new)?;
                (StatusCode::OK, None, Some(path))
            }
            Err(Refused::Invalid(key)) => {
                let back = form.iter().find(|(k, _)| k == "url").map(|(_, v)| v.clone()).filter(|u| u.starts_with('/') && !u.starts_with("//"));
                (StatusCode::UNPROCESSABLE_ENTITY, Some(key), back)
            }
            Err(Refused::Suspect) => (StatusCode::BAD_REQUEST, Some("feedback_refused"), None),
            Err(Refused::Failed(e)) => return Err(e),
        };
        let title = ui_text(ctx.state, lang, if status == StatusCode::OK { "feedback_thanks" } else { "feedback_not_sent" });
        let layout = Layout {
            title: title.clone(),
            description: title,
            path: "/feedback".into(),
            nav: "",
            breadcrumbs: vec![home_crumb(lang)],
            structured: None,
            lang,
            alternate: None,
        };
        let (mut c, _) = context(ctx, layout)?;
        c.insert("problem", &message.map(|k| ui_text(ctx.state, lang, k)));
        c.insert("back", &back);
        let body = render(ctx, "feedback.html", &c)?;
        Ok(Built { status, content_type: HTML, body, tags: vec![], next_change: None })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_hold_for_their_site_page_and_two_days() {
        let key = [7u8; 32];
        let now = 20_000 * DAY + 100;
        let token = |site, path: &str, day: i64| format!("{day}.{}", mac(&key, site, path, day).to_hex());
        assert!(valid_token(&key, 1, "/producten/paspoort", &token(1, "/producten/paspoort", 20_000), now));
        assert!(valid_token(&key, 1, "/producten/paspoort", &token(1, "/producten/paspoort", 19_999), now), "yesterday's page still works");
        assert!(!valid_token(&key, 1, "/producten/paspoort", &token(1, "/producten/paspoort", 19_998), now), "older is stale");
        assert!(!valid_token(&key, 2, "/producten/paspoort", &token(1, "/producten/paspoort", 20_000), now), "another site's");
        assert!(!valid_token(&key, 1, "/producten/rijbewijs", &token(1, "/producten/paspoort", 20_000), now), "another page's");
        assert!(!valid_token(&[8u8; 32], 1, "/producten/paspoort", &token(1, "/producten/paspoort", 20_000), now), "another key's");
        assert!(!valid_token(&key, 1, "/x", "", now) && !valid_token(&key, 1, "/x", "20000.zz", now));
    }
}
