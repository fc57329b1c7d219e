//! The dashboard: per scope, what needs attention — overrides whose central text changed since
//! they were written, variables without a local value, content past its review date, and
//! searches that found nothing. `Editor::dashboard` gathers it; this turns it into links.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{admin_context, page, signed_in, with_editor};
use crate::content::drift::Drift;
use crate::content::kind::Kind;
use crate::content::model::Owner;
use crate::edit::behind::Moved;
use crate::web::AppState;
use crate::web::error::AppError;

#[derive(Serialize)]
pub struct LayerLink {
    pub name: String,
    pub url: String,
}

#[derive(Serialize)]
struct Review {
    layer: String,
    product: String,
    url: String,
    sections: Vec<Drift>,
}

#[derive(Serialize)]
struct Missing {
    site: String,
    product: String,
    url: String,
    variables: Vec<String>,
    views: i64,
}

#[derive(Serialize)]
struct Due {
    what: &'static str,
    title: String,
    url: String,
    date: String,
}

#[derive(Serialize)]
struct Behind {
    what: &'static str,
    title: String,
    layer: String,
    url: String,
    why: String,
    diff: String,
}

/// The URL segment of a layer kind in admin URLs.
pub fn kind_segment(owner: &Owner) -> &'static str {
    match owner {
        Owner::Group(_) => "groepen",
        Owner::Site(_) => "sites",
    }
}

/// A proposal on the dashboard: for others to approve, or the editor's own.
#[derive(Serialize)]
struct Proposal {
    url: String,
    title: String,
    author: String,
    returned: bool,
    note: Option<String>,
}

impl Proposal {
    fn new(v: &crate::edit::approval::ProposalView, mine: bool) -> Proposal {
        let p = &v.proposal;
        Proposal {
            url: format!("/admin/goedkeuren/{}", p.id),
            title: p.title.clone(),
            author: if mine { String::new() } else { p.author.clone() },
            returned: p.state == "returned",
            note: p.note.clone(),
        }
    }
}

#[derive(Serialize)]
struct Coming {
    site: String,
    url: String,
    product: String,
    variable: String,
    when: String,
    before: String,
    after: String,
}

/// A moment as editors read it: "1 januari 2027", with the time when it is not midnight.
fn moment_nl(at: i64) -> String {
    let local = chrono::DateTime::from_timestamp(at, 0).map(|t| t.with_timezone(&chrono_tz::Europe::Amsterdam));
    match local {
        Some(t) if t.format("%H:%M").to_string() != "00:00" => format!("{} om {}", crate::render::views::date_nl(t.date_naive()), t.format("%H:%M")),
        Some(t) => crate::render::views::date_nl(t.date_naive()),
        None => String::new(),
    }
}

pub async fn dashboard(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    let (d, approvals, links) = with_editor(&req, &state, &signed, |ed, st| Ok((ed.dashboard(&st.content)?, ed.approvals()?, ed.links_overview()?))).await?;
    let waiting: Vec<Proposal> = approvals.to_approve.iter().map(|p| Proposal::new(p, false)).collect();
    let mine: Vec<Proposal> = approvals.mine.iter().map(|p| Proposal::new(p, true)).collect();
    let groups: Vec<LayerLink> = d.groups.into_iter().map(|(slug, name)| LayerLink { url: format!("/admin/groepen/{slug}"), name }).collect();
    let sites: Vec<LayerLink> = d.sites.into_iter().map(|(slug, name)| LayerLink { url: format!("/admin/sites/{slug}"), name }).collect();
    let review: Vec<Review> = d
        .review
        .into_iter()
        .map(|r| Review {
            layer: r.owner.slug().to_owned(),
            url: format!("/admin/{}/{}/producten/{}", kind_segment(&r.owner), r.owner.slug(), r.slug),
            product: r.product,
            sections: r.sections,
        })
        .collect();
    let missing: Vec<Missing> = d
        .missing
        .into_iter()
        .map(|m| Missing { url: format!("/admin/sites/{}/producten/{}", m.site_slug, m.slug), site: m.site, product: m.product, variables: m.variables, views: m.views })
        .collect();
    let coming: Vec<Coming> = d
        .coming
        .into_iter()
        .map(|m| Coming {
            url: format!("/admin/sites/{}/producten/{}", m.site_slug, m.slug),
            site: m.site,
            product: m.product,
            variable: m.variable,
            when: moment_nl(m.at),
            before: m.before,
            after: m.after,
        })
        .collect();
    let due: Vec<Due> = d
        .due
        .into_iter()
        .map(|d| {
            let url = match &d.owner {
                None => format!("/admin/catalogus/{}", d.item),
                Some(o) => format!("/admin/{}/{}/{}/{}", kind_segment(o), o.slug(), if d.what == "Nieuws" { "nieuws" } else { "paginas" }, d.item),
            };
            Due { what: d.what, title: d.title, url, date: d.date }
        })
        .collect();
    let behind: Vec<Behind> = d
        .behind
        .into_iter()
        .map(|b| {
            let (what, url) = match (&b.owner, b.kind) {
                (None, _) => ("Product", format!("/admin/catalogus/{}", b.item)),
                (Some(o), Kind::Override) => ("Aanpassing", format!("/admin/{}/{}/producten/{}", kind_segment(o), o.slug(), b.item)),
                (Some(o), Kind::News) => ("Nieuws", format!("/admin/{}/{}/nieuws/{}", kind_segment(o), o.slug(), b.item)),
                (Some(o), _) => ("Pagina", format!("/admin/{}/{}/paginas/{}", kind_segment(o), o.slug(), b.item)),
            };
            let why = match b.moved {
                Moved::Dutch => format!("De Nederlandse tekst is veranderd (versie {} naar {}).", b.from, b.to),
                Moved::Central => format!("De centrale Engelse tekst is veranderd (versie {} naar {}).", b.from, b.to),
            };
            Behind { what, title: b.title, layer: b.owner.as_ref().map(|o| o.slug().to_owned()).unwrap_or_else(|| "landelijk".into()), url, why, diff: b.diff }
        })
        .collect();
    let mut c = admin_context(&state, Some(&signed), "Overzicht", vec![]);
    c.insert("behind", &behind);
    c.insert("groups", &groups);
    c.insert("sites", &sites);
    c.insert("review", &review);
    c.insert("missing", &missing);
    c.insert("waiting", &waiting);
    c.insert("links", &links);
    c.insert("mine", &mine);
    c.insert("coming", &coming);
    c.insert("coming_days", &crate::edit::COMING_DAYS);
    c.insert("due", &due);
    c.insert("misses", &d.misses);
    c.insert("accessibility", &d.accessibility);
    c.insert("not_useful", &d.not_useful);
    c.insert("more_sites", &d.more_sites);
    page(&state, StatusCode::OK, "admin/dashboard.html", &c)
}
