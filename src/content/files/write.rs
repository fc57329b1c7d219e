//! Writing content in the directory format: what `meent export` produces and `meent import`
//! reads back unchanged.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::format::{GroupOut, OverrideOut, SectionFront, SiteOut, ThemeFront};
use super::frontmatter;
use crate::content::model::{
    Alert, Group, ItemText, Lang, NewsItem, Owner, Override, Page, Product, SectionChange, SectionMode, Site, Thesaurus, Timestamp, Translation,
};
use crate::content::sections;
use crate::edit::documents::{AlertDoc, NewsDoc, PageDoc, ProductDoc};
use crate::edit::translations::{ItemTextDoc, OverrideTextDoc, ProductTextDoc};

/// Everything to write.
#[derive(Debug, Default)]
pub struct TreeOut {
    pub products: Vec<Product>,
    pub groups: Vec<Group>,
    pub sites: Vec<Site>,
    pub overrides: Vec<(Owner, Override)>,
    pub pages: Vec<Page>,
    pub news: Vec<NewsItem>,
    pub alerts: Vec<Alert>,
    /// The search thesauri, per scope (`None`: the central team's).
    pub thesauri: Vec<(Option<Owner>, Thesaurus)>,
    /// Per site slug.
    pub redirects: Vec<(String, Vec<crate::content::redirects::Redirect>)>,
}

/// The name of the token file written beside site.toml.
const TOKENS_FILE: &str = "tokens.css";

/// Writes `tree` under `root`, which must not exist or be empty, so an export never mixes
/// with older files.
pub fn write_tree(root: &Path, tree: &TreeOut) -> io::Result<usize> {
    if root.exists() && fs::read_dir(root)?.next().is_some() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} is not empty; export into a new or empty directory", root.display()),
        ));
    }
    let mut w = Writer { root: root.to_owned(), files: 0 };
    for (owner, thesaurus) in &tree.thesauri {
        let path = match owner {
            None => "thesaurus.toml".to_owned(),
            Some(Owner::Group(g)) => format!("groups/{g}/thesaurus.toml"),
            Some(Owner::Site(s)) => format!("sites/{s}/thesaurus.toml"),
        };
        let text = crate::content::thesaurus::to_toml(thesaurus).map_err(|e| io::Error::other(format!("cannot write TOML: {e}")))?;
        w.file(&path, &text)?;
    }
    for p in &tree.products {
        w.product(p)?;
    }
    for g in &tree.groups {
        let out = GroupOut { name: &g.name, revision: g.revision, updated: updated(g.updated_at), contact: &g.contact, variables: &g.variables };
        w.file(&format!("groups/{}/group.toml", g.slug), &toml_text(&out)?)?;
    }
    for s in &tree.sites {
        w.site(s)?;
    }
    for (site, list) in &tree.redirects {
        if !list.is_empty() {
            w.file(&format!("sites/{site}/redirects.csv"), &crate::content::redirects::write(list))?;
        }
    }
    for (owner, o) in &tree.overrides {
        w.over(owner, o)?;
    }
    for page in &tree.pages {
        let has_children = tree.pages.iter().any(|other| {
            other.owner == page.owner && other.path.strip_prefix(&page.path).is_some_and(|rest| rest.starts_with('/'))
        });
        w.page(page, has_children)?;
    }
    for n in &tree.news {
        let front = front_matter(&NewsDoc::from_model(0, n), &["id", "slug", "body"])?;
        let rel = format!("{}/news/{}-{}.md", owner_dir(&n.owner), n.date.format("%Y-%m-%d"), n.slug);
        w.markdown(&rel, &front, &n.body)?;
        w.item_translation(&rel, n.english.as_ref())?;
    }
    for a in &tree.alerts {
        let front = front_matter(&AlertDoc::from_model(0, a), &["id", "slug", "body"])?;
        w.markdown(&format!("{}/alerts/{}.md", owner_dir(&a.owner), a.slug), &front, &a.body)?;
    }
    Ok(w.files)
}

/// An item's modification time as export writes it (none when it has none).
fn updated(ts: Timestamp) -> Option<String> {
    (ts > 0).then(|| rfc3339(ts))
}

/// A timestamp as RFC 3339 in UTC, as export writes it.
pub fn rfc3339(ts: Timestamp) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

pub fn owner_dir(owner: &Owner) -> String {
    match owner {
        Owner::Group(g) => format!("groups/{g}"),
        Owner::Site(s) => format!("sites/{s}"),
    }
}

/// A document's front matter in a file: the document as the admin API has it, without the
/// keys the file gives otherwise (`leave_out`: its id, its place, its text) and without values
/// that say nothing (empty lists and tables, `false`, 0).
fn front_matter<T: Serialize>(doc: &T, leave_out: &[&str]) -> io::Result<String> {
    let mut table = toml::Table::try_from(doc).map_err(|e| io::Error::other(format!("cannot write TOML: {e}")))?;
    table.retain(|key, value| {
        let says_nothing = match value {
            toml::Value::Array(a) => a.is_empty(),
            toml::Value::Table(t) => t.is_empty(),
            toml::Value::Boolean(b) => !*b,
            toml::Value::Integer(n) => *n == 0,
            _ => false,
        };
        !leave_out.contains(&key) && !says_nothing
    });
    toml_text(&table)
}

fn toml_text<T: Serialize>(value: &T) -> io::Result<String> {
    toml::to_string(value).map_err(|e| io::Error::other(format!("cannot write TOML: {e}")))
}

struct Writer {
    root: PathBuf,
    files: usize,
}

impl Writer {
    fn file(&mut self, rel: &str, text: &str) -> io::Result<()> {
        let path = self.root.join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::write(&path, text)?;
        self.files += 1;
        Ok(())
    }

    /// A Markdown file: its front matter (TOML text) and its body.
    fn markdown(&mut self, rel: &str, front: &str, body: &str) -> io::Result<()> {
        let mut body = body.trim().to_owned();
        if !body.is_empty() {
            body.push('\n');
        }
        self.file(rel, &frontmatter::join(front, &body))
    }

    fn product(&mut self, p: &Product) -> io::Result<()> {
        let front = front_matter(&ProductDoc::from_model(p), &["slug", "sections"])?;
        let body = sections::join(p.sections.iter().map(|s| (s.key.as_str(), s.heading.as_str(), s.body.as_str())));
        let rel = format!("catalogue/{}.md", p.slug);
        self.markdown(&rel, &front, &body)?;
        if let Some(t) = &p.english {
            let front = front_matter(&ProductTextDoc::from_model(t), &["lang", "sections"])?;
            let body = sections::join(t.text.sections.iter().map(|s| (s.key.as_str(), s.heading.as_str(), s.body.as_str())));
            self.markdown(&translation_name(&rel, t.lang), &front, &body)?;
        }
        Ok(())
    }

    /// A page's or news item's translation beside its Dutch file `rel`.
    fn item_translation(&mut self, rel: &str, t: Option<&Translation<ItemText>>) -> io::Result<()> {
        let Some(t) = t else { return Ok(()) };
        let front = front_matter(&ItemTextDoc::from_model(t), &["lang", "body"])?;
        self.markdown(&translation_name(rel, t.lang), &front, &t.text.body)
    }

    fn site(&mut self, s: &Site) -> io::Result<()> {
        let out = SiteOut {
            name: &s.name,
            hosts: &s.hosts,
            groups: &s.groups,
            municipality_code: s.municipality_code.as_deref(),
            owms_uri: s.owms_uri.as_deref(),
            security_contact: s.security_contact.as_deref(),
            popular: &s.popular,
            revision: s.revision,
            updated: updated(s.updated_at),
            contact: &s.contact,
            variables: &s.variables,
            theme: s.theme_tokens.as_ref().map(|_| ThemeFront { tokens: Some(TOKENS_FILE.into()) }),
            forms_url: s.services.forms_url.as_deref(),
            ombudsman: s.services.ombudsman.as_ref(),
            waste_point: s.services.waste_point.as_ref(),
        };
        self.file(&format!("sites/{}/site.toml", s.slug), &toml_text(&out)?)?;
        if let Some(css) = &s.theme_tokens {
            self.file(&format!("sites/{}/{TOKENS_FILE}", s.slug), css)?;
        }
        if let Some(statement) = &s.accessibility {
            let doc = crate::content::accessibility::StatementDoc::from_model(statement);
            self.file(&format!("sites/{}/accessibility.toml", s.slug), &toml_text(&doc)?)?;
        }
        Ok(())
    }

    fn over(&mut self, owner: &Owner, o: &Override) -> io::Result<()> {
        let modes: BTreeMap<&str, SectionFront> = o
            .sections
            .iter()
            .filter(|c| c.mode != SectionMode::Replace)
            .map(|c| (c.key.as_str(), SectionFront { mode: c.mode }))
            .collect();
        let out = OverrideOut {
            based_on: o.based_on,
            enabled: o.enabled,
            reason: o.reason.as_deref(),
            refer_to: o.refer_to.as_deref(),
            title: o.title.as_deref(),
            summary: o.summary.as_deref(),
            apply_url: o.apply_url.as_deref(),
            keywords: &o.keywords,
            revision: o.revision,
            updated: updated(o.updated_at),
            contact: o.contact.as_ref(),
            variables: &o.variables,
            sections: modes,
        };
        let rel = format!("{}/overrides/{}.md", owner_dir(owner), o.product);
        self.markdown(&rel, &toml_text(&out)?, &override_body(&o.sections))?;
        if let Some(t) = &o.english {
            let mut front = toml::Table::try_from(OverrideTextDoc::from_model(t)).map_err(|e| io::Error::other(format!("cannot write TOML: {e}")))?;
            front.remove("lang");
            front.remove("sections");
            let modes: toml::Table = t.text.sections.iter().filter(|c| c.mode != SectionMode::Replace).filter_map(|c| Some((c.key.clone(), toml::Value::try_from(SectionFront { mode: c.mode }).ok()?))).collect();
            if !modes.is_empty() {
                front.insert("sections".into(), toml::Value::Table(modes));
            }
            self.markdown(&translation_name(&rel, t.lang), &toml_text(&front)?, &override_body(&t.text.sections))?;
        }
        Ok(())
    }

    fn page(&mut self, p: &Page, has_children: bool) -> io::Result<()> {
        let front = front_matter(&PageDoc::from_model(0, p), &["id", "path", "body"])?;
        let rel = if has_children {
            format!("{}/pages/{}/index.md", owner_dir(&p.owner), p.path)
        } else {
            format!("{}/pages/{}.md", owner_dir(&p.owner), p.path)
        };
        self.markdown(&rel, &front, &p.body)?;
        self.item_translation(&rel, p.english.as_ref())
    }
}

/// An override's body: the text of every section it does not hide.
fn override_body(changes: &[SectionChange]) -> String {
    sections::join(changes.iter().filter(|c| c.mode != SectionMode::Hide).map(|c| (c.key.as_str(), c.heading.as_str(), c.body.as_str())))
}

/// The file of a translation in `lang` beside the Dutch file `rel` (`x.md` → `x.en.md`).
pub fn translation_name(rel: &str, lang: Lang) -> String {
    format!("{}.{}.md", rel.strip_suffix(".md").unwrap_or(rel), lang.code())
}
