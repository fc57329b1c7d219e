//! Reading a content directory. Every file is read and checked even after a problem, so one
//! run reports every problem; nothing is returned unless there are none.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::Path;

use chrono::{DateTime, NaiveDate};
use serde::de::DeserializeOwned;
use toml::Spanned;

use super::format::{GroupIn, MediaFileIn, OverrideIn, OverrideTextIn, SiteIn, When};
use super::write::translation_name;
use super::frontmatter::{self, line_of};
use super::{MediaEntry, Problem, Reference, Sourced, Tree};
use crate::content::accessibility::{Statement, StatementDoc};
use crate::content::hosts::normalize_host;
use crate::content::model::{
    Contact, Group, ItemText, Ombudsman, Services, WastePoint, Lang, Local, Override, OverrideText, Owner, Product, ProductText, SectionMode, Site, Timestamp, Translation,
};
use crate::content::{limits, placeholders};
use crate::edit::documents::{AlertDoc, NewsDoc, OverrideDoc, OverrideSectionDoc, PageDoc, ProductDoc, Problems, SectionDoc};
use crate::edit::translations::{ItemTextDoc, OverrideTextDoc, ProductTextDoc};
use crate::content::sections::{self, INTRO};
use crate::content::slug::is_slug;

/// Largest content file accepted.
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;

/// Reads and checks the whole tree under `root`.
pub fn read_tree(root: &Path) -> Result<Tree, Vec<Problem>> {
    let (tree, problems) = read_tree_and_problems(root);
    if problems.is_empty() { Ok(tree) } else { Err(problems) }
}

/// Reads and checks the whole tree under `root`: every file that could be read, and every
/// problem of every file, so a caller can check the readable part further (the import checks
/// it against the database) and report everything at once.
pub fn read_tree_and_problems(root: &Path) -> (Tree, Vec<Problem>) {
    let mut reader = Reader { root, tree: Tree::default(), problems: Vec::new(), page_files: HashMap::new() };
    if !root.is_dir() {
        return (Tree::default(), vec![Problem::new(&root.display().to_string(), None, "is not a directory")]);
    }
    for entry in reader.list("") {
        let name = entry.as_str();
        match name {
            "catalogue" => reader.catalogue(),
            "groups" => reader.layers("groups", Layer::Group),
            "sites" => reader.layers("sites", Layer::Site),
            "thesaurus.toml" => reader.thesaurus("", None),
            "media.toml" => reader.media("", None),
            "media" if reader.is_dir("media") => {}
            _ if ignorable(name) => {}
            _ => reader.problem(name, None, "unexpected entry: the content directory holds `catalogue`, `groups`, `sites`, `thesaurus.toml`, `media.toml` and `media`"),
        }
    }
    reader.check_tree();
    let Reader { mut tree, mut problems, .. } = reader;
    tree.warnings.sort();
    problems.sort();
    problems.dedup();
    (tree, problems)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Layer {
    Group,
    Site,
}

fn ignorable(name: &str) -> bool {
    name.starts_with('.') || name.eq_ignore_ascii_case("README.md")
}

struct Reader<'a> {
    root: &'a Path,
    tree: Tree,
    problems: Vec<Problem>,
    /// Which file defines each page path, per owner.
    page_files: HashMap<(Owner, String), String>,
}

/// A parsed front matter with the offsets needed to point at lines.
struct Front<'t, T> {
    value: T,
    toml: &'t str,
    front_line: usize,
}

impl<T> Front<'_, T> {
    fn line_at<U>(&self, spanned: &Spanned<U>) -> usize {
        self.front_line + line_of(self.toml, spanned.span().start) - 1
    }
}

impl<'a> Reader<'a> {
    fn problem(&mut self, file: &str, line: Option<usize>, message: impl Into<String>) {
        self.problems.push(Problem::new(file, line, message));
    }

    /// Sorted names in a directory (relative path `rel`), or nothing after reporting why.
    fn list(&mut self, rel: &str) -> Vec<String> {
        let path = self.root.join(rel);
        // A linked directory would bring in files from outside the package.
        if !rel.is_empty() && self.is_symlink(rel) {
            return Vec::new();
        }
        let entries = match fs::read_dir(&path) {
            Ok(entries) => entries,
            Err(e) => {
                self.problem(display(rel), None, format!("cannot read directory: {e}"));
                return Vec::new();
            }
        };
        let mut names = Vec::new();
        for entry in entries {
            match entry {
                Ok(entry) => match entry.file_name().into_string() {
                    Ok(name) => names.push(name),
                    Err(name) => self.problem(
                        display(rel),
                        None,
                        format!("file name {name:?} is not valid UTF-8"),
                    ),
                },
                Err(e) => self.problem(display(rel), None, format!("cannot read directory: {e}")),
            }
        }
        names.sort();
        names
    }

    fn is_dir(&self, rel: &str) -> bool {
        fs::symlink_metadata(self.root.join(rel)).is_ok_and(|m| m.is_dir())
    }

    /// Refuses (and reports) a symbolic link: a content package must not make the import read
    /// files outside it.
    fn is_symlink(&mut self, rel: &str) -> bool {
        let link = fs::symlink_metadata(self.root.join(rel)).is_ok_and(|m| m.file_type().is_symlink());
        if link {
            self.problem(rel, None, "is a symbolic link: a content directory holds plain files and directories only");
        }
        link
    }

    fn read(&mut self, rel: &str) -> Option<String> {
        let path = self.root.join(rel);
        if self.is_symlink(rel) {
            return None;
        }
        match fs::metadata(&path) {
            Ok(meta) if meta.len() > MAX_FILE_BYTES => {
                self.problem(rel, None, format!("file is larger than {} bytes", MAX_FILE_BYTES));
                return None;
            }
            Err(e) => {
                self.problem(rel, None, format!("cannot read file: {e}"));
                return None;
            }
            Ok(_) => {}
        }
        match fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => Some(text),
                Err(e) => {
                    let line = e.as_bytes()[..e.utf8_error().valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
                    self.problem(rel, Some(line), "file is not valid UTF-8 text");
                    None
                }
            },
            Err(e) => {
                self.problem(rel, None, format!("cannot read file: {e}"));
                None
            }
        }
    }

    /// Parses TOML text that starts at `first_line` of file `rel`.
    fn parse_toml<'t, T: DeserializeOwned>(&mut self, rel: &str, toml: &'t str, first_line: usize) -> Option<Front<'t, T>> {
        match toml::from_str::<T>(toml) {
            Ok(value) => Some(Front { value, toml, front_line: first_line }),
            Err(e) => {
                let line = e.span().map(|s| first_line + line_of(toml, s.start) - 1);
                let message = e.message().trim().replace('\n', " ");
                self.problem(rel, line, message);
                None
            }
        }
    }

    /// Reads a Markdown file with front matter.
    fn markdown<T: DeserializeOwned>(&mut self, rel: &str) -> Option<(T, Parsed)> {
        let text = self.read(rel)?;
        let doc = match frontmatter::split(&text) {
            Ok(doc) => doc,
            Err((line, message)) => {
                self.problem(rel, Some(line), message);
                return None;
            }
        };
        let front = self.parse_toml::<T>(rel, doc.front, doc.front_line)?;
        let parsed = Parsed { body: doc.body.to_owned(), body_line: doc.body_line, toml: doc.front.to_owned(), front_line: doc.front_line };
        Some((front.value, parsed))
    }

    /// A date and time in RFC 3339 form on `line`; `None` after reporting a bad one.
    fn time_at(&mut self, rel: &str, line: usize, value: &When, key: &str) -> Option<Timestamp> {
        let text = value.as_text();
        match DateTime::parse_from_rfc3339(&text) {
            Ok(dt) => Some(dt.timestamp()),
            Err(_) => {
                self.problem(
                    rel,
                    Some(line),
                    format!("{key}: {text:?} is not a date and time in RFC 3339 form, e.g. \"2026-11-01T08:00:00+01:00\""),
                );
                None
            }
        }
    }

    /// A site's services, checked as the admin checks them; problems at the line of their table.
    fn services(&mut self, rel: &str, lines: [(&str, Option<usize>); 3], forms_url: Option<Spanned<String>>, ombudsman: Option<Spanned<Ombudsman>>, waste_point: Option<Spanned<WastePoint>>) -> Option<Services> {
        let services = Services { forms_url: forms_url.map(Spanned::into_inner), ombudsman: ombudsman.map(Spanned::into_inner), waste_point: waste_point.map(Spanned::into_inner) };
        let problems = crate::edit::documents::services_problems(&services);
        for p in &problems {
            let line = lines.iter().find(|(table, _)| p.field.starts_with(table)).and_then(|(_, line)| *line);
            self.problem(rel, line, p.to_string());
        }
        problems.is_empty().then_some(services)
    }

    /// A site's or group's contact and variables, checked as an override's are; problems at
    /// the lines of their keys.
    fn check_values(&mut self, rel: &str, text: &str, contact: Option<&Contact>, variables: &BTreeMap<String, crate::content::model::Dated>) -> bool {
        let problems = crate::edit::documents::layer_values(contact, variables);
        for p in &problems {
            self.problem(rel, field_line(text, &p.field), p.to_string());
        }
        problems.is_empty()
    }

    fn redirects(&mut self, rel: &str, site: &str) {
        let Some(text) = self.read(rel) else { return };
        match crate::content::redirects::parse(&text) {
            Ok(list) => self.tree.redirects.push(Sourced { item: (site.to_owned(), list), file: rel.to_owned(), line: 1 }),
            Err(problems) => {
                for (line, message) in problems {
                    self.problem(rel, Some(line), message);
                }
            }
        }
    }

    /// `media.toml` in `dir` (`""`: the top, the national team's images).
    fn media(&mut self, dir: &str, owner: Option<Owner>) {
        let rel = if dir.is_empty() { "media.toml".to_owned() } else { format!("{dir}/media.toml") };
        let Some(text) = self.read(&rel) else { return };
        let Some(front) = self.parse_toml::<MediaFileIn>(&rel, &text, 1) else { return };
        for spanned in &front.value.image {
            let line = front.line_at(spanned);
            let m = spanned.get_ref();
            if !is_slug(&m.key) {
                self.problem(&rel, Some(line), format!("key {:?} is not valid: use lowercase letters, digits and hyphens", m.key));
                continue;
            }
            let name = m.file.strip_prefix("media/").filter(|n| !n.is_empty() && !n.contains(['/', '\\']) && !n.starts_with('.'));
            let Some(name) = name else {
                self.problem(&rel, Some(line), format!("file {:?} must be a file in the media/ directory next to media.toml, like \"media/{}.jpg\"", m.file, m.key));
                continue;
            };
            let file = if dir.is_empty() { format!("media/{name}") } else { format!("{dir}/media/{name}") };
            match fs::symlink_metadata(self.root.join(&file)) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    self.problem(&rel, Some(line), format!("file {:?} is a symbolic link: give the image itself", m.file));
                    continue;
                }
                Ok(meta) if meta.is_file() => {}
                _ => {
                    self.problem(&rel, Some(line), format!("file {:?} does not exist", m.file));
                    continue;
                }
            }
            if m.alt.trim().is_empty() && !m.decorative {
                self.problem(&rel, Some(line), "alt is empty: describe what the image shows, or set decorative = true");
                continue;
            }
            if let Some(other) = self.tree.media.iter().find(|e| e.item.key == m.key) {
                self.problem(&rel, Some(line), format!("key {:?} is also used in {}:{}", m.key, other.file, other.line));
                continue;
            }
            let entry = MediaEntry {
                owner: owner.clone(),
                key: m.key.clone(),
                file,
                name: if m.name.trim().is_empty() { name.to_owned() } else { m.name.trim().to_owned() },
                alt: if m.decorative { String::new() } else { m.alt.split_whitespace().collect::<Vec<_>>().join(" ") },
                decorative: m.decorative,
                revision: m.revision.unwrap_or(0),
            };
            self.tree.media.push(Sourced { item: entry, file: rel.clone(), line });
        }
    }

    /// `thesaurus.toml` in `dir` (`""`: the top, the central team's).
    fn thesaurus(&mut self, dir: &str, owner: Option<Owner>) {
        let rel = if dir.is_empty() { "thesaurus.toml".to_owned() } else { format!("{dir}/thesaurus.toml") };
        let Some(text) = self.read(&rel) else { return };
        match crate::content::thesaurus::from_toml(&text) {
            Ok(thesaurus) => self.tree.thesauri.push(Sourced { item: (owner, thesaurus), file: rel, line: 1 }),
            Err(problems) => {
                for (line, message) in problems {
                    self.problem(&rel, line, message);
                }
            }
        }
    }

    fn catalogue(&mut self) {
        let names = self.list("catalogue");
        self.lone_translations("catalogue", &names);
        for name in names {
            let rel = format!("catalogue/{name}");
            if ignorable(&name) || translation_of(&name).is_some() {
                continue;
            }
            let Some(slug) = md_slug(&name) else {
                self.problem(&rel, None, "unexpected file: the catalogue holds <product-slug>.md files");
                continue;
            };
            if !is_slug(slug) {
                self.problem(&rel, None, format!("'{slug}' is not a valid slug: use lowercase letters, digits and hyphens"));
                continue;
            }
            match self.product(&rel, slug) {
                Some(product) => self.tree.products.push(product),
                None => self.tree.unreadable_products.push(slug.to_owned()),
            }
        }
    }

    fn product(&mut self, rel: &str, slug: &str) -> Option<Sourced<Product>> {
        let (mut doc, parsed) = self.markdown::<ProductDoc>(rel)?;
        if !self.only_front_keys(rel, &parsed, &["slug", "sections"], "the slug is the file's name, the sections follow the front matter") {
            return None;
        }
        let split = self.sections(rel, &parsed)?;
        for section in &split {
            for used in placeholders::variables_used(&section.body).into_iter().chain(placeholders::variables_used(&section.heading)) {
                if !doc.variables.contains_key(&used) {
                    self.tree.warnings.push(Problem::new(
                        rel,
                        Some(parsed.body_line + section.line - 1),
                        format!("{{{{ var.{used} }}}} is used but not declared under [variables.{used}]"),
                    ));
                }
            }
        }
        doc.sections = split.into_iter().map(|s| SectionDoc { key: s.key, heading: s.heading, body: s.body }).collect();
        let mut product = self.checked(rel, &parsed, doc.into_model(slug))?;
        product.english = self.product_translation(rel, &product);
        Some(Sourced { item: product, file: rel.to_owned(), line: 1 })
    }

    /// The translation beside the product file `rel`, if there is one and it is sound.
    fn product_translation(&mut self, rel: &str, product: &Product) -> Option<Translation<ProductText>> {
        let rel = self.translation_file(rel, Lang::En)?;
        let (mut doc, parsed) = self.markdown::<ProductTextDoc>(&rel)?;
        if !self.only_front_keys(&rel, &parsed, &["lang", "sections"], "the language is in the file's name, the sections follow the front matter") {
            return None;
        }
        let split = self.sections(&rel, &parsed)?;
        doc.sections = split.into_iter().map(|s| SectionDoc { key: s.key, heading: s.heading, body: s.body }).collect();
        doc.lang = Some(Lang::En);
        self.checked(&rel, &parsed, doc.into_model(product))
    }

    /// The translation in `lang` of a page or news item, beside its Dutch file `rel`.
    fn item_translation<K: Clone>(&mut self, rel: &str, item: &Local<K>, check: fn(&Local<K>) -> Vec<limits::Problem>) -> Option<Translation<ItemText>> {
        let rel = self.translation_file(rel, Lang::En)?;
        let (mut doc, parsed) = self.markdown::<ItemTextDoc>(&rel)?;
        if !self.only_front_keys(&rel, &parsed, &["lang", "body"], "the language is in the file's name, the text follows the front matter") {
            return None;
        }
        doc.body = parsed.body.clone();
        doc.lang = Some(Lang::En);
        self.checked(&rel, &parsed, doc.into_model(item, check))
    }

    /// The translation beside the override file `rel`: the modes of its sections are the Dutch
    /// override's, written again or left out.
    fn override_translation(&mut self, rel: &str, dutch: &Override) -> Option<Translation<OverrideText>> {
        let rel = self.translation_file(rel, Lang::En)?;
        let (front, parsed) = self.markdown::<OverrideTextIn>(&rel)?;
        let split = self.sections(&rel, &parsed)?;
        let mut ok = true;
        let mut sections = Vec::new();
        for section in split {
            if section.key == INTRO {
                self.problem(&rel, Some(parsed.body_line + section.line - 1), "text before the first section heading: start every part of a translation with `## Heading {#key}`");
                ok = false;
                continue;
            }
            let written = front.sections.get(&section.key).map(|s| s.get_ref().mode);
            let mode = written.or_else(|| dutch.sections.iter().find(|d| d.key == section.key).map(|d| d.mode)).unwrap_or_default();
            sections.push(OverrideSectionDoc { key: section.key, mode, heading: section.heading, body: section.body });
        }
        for (key, spec) in &front.sections {
            if !sections.iter().any(|s| &s.key == key) {
                let line = parsed.line_at(spec);
                self.problem(&rel, Some(line), format!("[sections.{key}] has no `## … {{#{key}}}` section with its text: a translation gives text for every section it names"));
                ok = false;
            }
        }
        let doc = OverrideTextDoc {
            lang: Some(Lang::En),
            based_on: front.based_on,
            based_on_nl: front.based_on_nl,
            title: front.title,
            summary: front.summary,
            reason: front.reason,
            sections,
            revision: front.revision,
            updated: front.updated.map(Spanned::into_inner),
        };
        let translation = self.checked(&rel, &parsed, doc.into_model(dutch))?;
        ok.then_some(translation)
    }

    /// The file of the translation in `lang` beside the Dutch file `rel`, if it is there.
    fn translation_file(&self, rel: &str, lang: Lang) -> Option<String> {
        let name = translation_name(rel, lang);
        fs::symlink_metadata(self.root.join(&name)).is_ok_and(|m| m.is_file()).then_some(name)
    }

    /// Reports the translations among `names` (the files of `dir`) that stand beside no
    /// Dutch file; the others are read with their Dutch item.
    fn lone_translations(&mut self, dir: &str, names: &[String]) {
        for name in names {
            if let Some(dutch) = translation_of(name).filter(|dutch| !names.contains(dutch)) {
                self.problem(&format!("{dir}/{name}"), None, format!("a translation stands beside its Dutch file, and {dutch} is not here"));
            }
        }
    }

    fn sections(&mut self, rel: &str, parsed: &Parsed) -> Option<Vec<sections::SplitSection>> {
        match sections::split(&parsed.body) {
            Ok(s) => Some(s),
            Err(problems) => {
                for p in problems {
                    self.problem(rel, Some(parsed.body_line + p.line - 1), p.message);
                }
                None
            }
        }
    }

    fn layers(&mut self, dir: &str, layer: Layer) {
        for name in self.list(dir) {
            if ignorable(&name) {
                continue;
            }
            let rel = format!("{dir}/{name}");
            if !self.is_dir(&rel) {
                self.problem(&rel, None, format!("unexpected file: `{dir}` holds one directory per {}", if layer == Layer::Site { "site" } else { "group" }));
                continue;
            }
            if !is_slug(&name) {
                self.problem(&rel, None, format!("'{name}' is not a valid slug: use lowercase letters, digits and hyphens"));
                continue;
            }
            let owner = match layer {
                Layer::Group => Owner::Group(name.clone()),
                Layer::Site => Owner::Site(name.clone()),
            };
            let settings = if layer == Layer::Site { "site.toml" } else { "group.toml" };
            for entry in self.list(&rel) {
                let path = format!("{rel}/{entry}");
                match entry.as_str() {
                    e if e == settings => {
                        let read = (self.tree.groups.len(), self.tree.sites.len());
                        match layer {
                            Layer::Group => self.group(&path, &name),
                            Layer::Site => self.site(&path, &rel, &name),
                        }
                        if read == (self.tree.groups.len(), self.tree.sites.len()) {
                            self.tree.unreadable_layers.push(owner.clone());
                        }
                    }
                    "overrides" => self.overrides(&path, &owner),
                    "pages" => self.pages(&path, "", &owner),
                    "news" => self.news(&path, &owner),
                    "alerts" => self.alerts(&path, &owner),
                    "redirects.csv" if layer == Layer::Site => self.redirects(&path, &name),
                    "media.toml" => self.media(&rel, Some(owner.clone())),
                    "thesaurus.toml" => self.thesaurus(&rel, Some(owner.clone())),
                    "media" if self.is_dir(&path) => {} // the files of media.toml
                    e if ignorable(e) => {}
                    e if layer == Layer::Site && e.ends_with(".css") => {} // design tokens, read with site.toml
                    "accessibility.toml" if layer == Layer::Site => {} // read with site.toml
                    _ => self.problem(&path, None, format!("unexpected entry: a {} directory holds {settings}, overrides/, pages/, news/, alerts/, thesaurus.toml, media.toml and media/", if layer == Layer::Site { "site" } else { "group" })),
                }
            }
            // A layer without its settings file must already exist in the database; the
            // import checks that for every item in it.
        }
    }

    fn group(&mut self, rel: &str, slug: &str) {
        let Some(text) = self.read(rel) else { return };
        let Some(front) = self.parse_toml::<GroupIn>(rel, &text, 1) else { return };
        let updated_at = front.value.updated.as_ref().and_then(|u| self.time_at(rel, front.line_at(u), u.get_ref(), "updated")).unwrap_or(0);
        let g = front.value;
        if g.name.trim().is_empty() {
            self.problem(rel, Some(1), "name is empty");
            return;
        }
        if !self.check_values(rel, &text, g.contact.as_ref(), &g.variables) {
            return;
        }
        self.tree.groups.push(Sourced {
            item: Group {
                slug: slug.to_owned(),
                name: g.name.trim().to_owned(),
                contact: g.contact.unwrap_or_default(),
                variables: g.variables,
                revision: g.revision.unwrap_or(0),
                updated_at,
            },
            file: rel.to_owned(),
            line: 1,
        });
    }

    /// `accessibility.toml` beside `site.toml`, if there is one; `Err` after reporting its
    /// problems at their lines.
    fn accessibility(&mut self, dir: &str) -> Result<Option<Statement>, ()> {
        let rel = format!("{dir}/accessibility.toml");
        if fs::symlink_metadata(self.root.join(&rel)).is_err() {
            return Ok(None);
        }
        let text = self.read(&rel).ok_or(())?;
        let front = self.parse_toml::<StatementDoc>(&rel, &text, 1).ok_or(())?;
        front.value.check().map(Some).map_err(|problems| {
            for p in problems {
                let line = statement_line(&text, &p.field);
                self.problem(&rel, line, p.to_string());
            }
        })
    }

    fn site(&mut self, rel: &str, dir: &str, slug: &str) {
        let Some(text) = self.read(rel) else { return };
        let Some(front) = self.parse_toml::<SiteIn>(rel, &text, 1) else { return };
        let mut ok = true;
        let mut hosts = Vec::new();
        if front.value.hosts.get_ref().is_empty() {
            let line = front.line_at(&front.value.hosts);
            self.problem(rel, Some(line), "hosts is empty: a site needs at least one host name");
            ok = false;
        }
        for host in front.value.hosts.get_ref() {
            let line = front.line_at(host);
            match normalize_host(host.get_ref()) {
                Some(h) if h == host.get_ref().trim() => {
                    if hosts.contains(&h) {
                        self.problem(rel, Some(line), format!("host '{h}' is listed twice"));
                        ok = false;
                    }
                    self.tree.host_refs.push(Reference { slug: h.clone(), file: rel.to_owned(), line });
                    hosts.push(h);
                }
                _ => {
                    self.problem(rel, Some(line), format!("'{}' is not a host name: write it in lowercase, without scheme, port or path (e.g. \"diemen.localhost\")", host.get_ref()));
                    ok = false;
                }
            }
        }
        let mut groups = Vec::new();
        for group in &front.value.groups {
            let line = front.line_at(group);
            let g = group.get_ref().clone();
            if groups.contains(&g) {
                self.problem(rel, Some(line), format!("group '{g}' is listed twice"));
                ok = false;
            }
            self.tree.group_refs.push(Reference { slug: g.clone(), file: rel.to_owned(), line });
            groups.push(g);
        }
        let mut popular = Vec::new();
        for p in &front.value.popular {
            let line = front.line_at(p);
            self.tree.product_refs.push(Reference { slug: p.get_ref().clone(), file: rel.to_owned(), line });
            popular.push(p.get_ref().clone());
        }
        if let Some(code) = &front.value.municipality_code {
            let c = code.get_ref();
            if !(c.len() == 6 && c.starts_with("GM") && c[2..].chars().all(|d| d.is_ascii_digit())) {
                self.problem(rel, Some(front.line_at(code)), format!("municipality_code = {c:?} is not a CBS code like \"GM0384\""));
                ok = false;
            }
        }
        if let Some(contact) = &front.value.security_contact {
            let c = contact.get_ref();
            if !(c.starts_with("mailto:") || c.starts_with("https://")) {
                self.problem(rel, Some(front.line_at(contact)), "security_contact must be a mailto: or https:// URI");
                ok = false;
            }
        }
        let mut theme_tokens = None;
        if let Some(theme) = &front.value.theme {
            if let Some(tokens) = &theme.get_ref().tokens {
                let line = front.line_at(theme);
                let valid = tokens.ends_with(".css") && !tokens.contains('/') && !tokens.contains('\\') && !tokens.starts_with('.');
                if !valid {
                    self.problem(rel, Some(line), format!("theme tokens = {tokens:?} must name a .css file beside site.toml"));
                    ok = false;
                } else {
                    let css_rel = format!("{dir}/{tokens}");
                    match self.read(&css_rel) {
                        Some(css) => match crate::render::tokens::check_css(&css) {
                            Ok(()) => {
                                let theme = crate::render::templates::default_stylesheet();
                                for warning in crate::render::tokens::contrast_warnings(theme, &css) {
                                    self.tree.warnings.push(Problem::new(&css_rel, None, warning));
                                }
                                theme_tokens = Some(css)
                            }
                            Err(e) => {
                                self.problem(&css_rel, e.line, e.message);
                                ok = false;
                            }
                        },
                        None => ok = false,
                    }
                }
            }
        }
        let accessibility = self.accessibility(dir);
        ok &= accessibility.is_ok();
        let updated_at = front.value.updated.as_ref().and_then(|u| self.time_at(rel, front.line_at(u), u.get_ref(), "updated")).unwrap_or(0);
        let service_lines = [
            ("/forms_url", front.value.forms_url.as_ref().map(|u| front.line_at(u))),
            ("/ombudsman", front.value.ombudsman.as_ref().map(|o| front.line_at(o))),
            ("/waste_point", front.value.waste_point.as_ref().map(|w| front.line_at(w))),
        ];
        let f = front.value;
        if f.name.trim().is_empty() {
            self.problem(rel, Some(1), "name is empty");
            ok = false;
        }
        ok &= self.check_values(rel, &text, f.contact.as_ref(), &f.variables);
        let services = self.services(rel, service_lines, f.forms_url, f.ombudsman, f.waste_point);
        ok &= services.is_some();
        if !ok {
            return;
        }
        self.tree.sites.push(Sourced {
            item: Site {
                slug: slug.to_owned(),
                name: f.name.trim().to_owned(),
                hosts,
                groups,
                municipality_code: f.municipality_code.map(Spanned::into_inner),
                owms_uri: f.owms_uri,
                security_contact: f.security_contact.map(Spanned::into_inner),
                contact: f.contact.unwrap_or_default(),
                variables: f.variables,
                popular,
                theme_tokens,
                accessibility: accessibility.ok().flatten(),
                services: services.unwrap_or_default(),
                revision: f.revision.unwrap_or(0),
                updated_at,
            },
            file: rel.to_owned(),
            line: 1,
        });
    }

    fn overrides(&mut self, dir: &str, owner: &Owner) {
        let names = self.list(dir);
        self.lone_translations(dir, &names);
        for name in names {
            if ignorable(&name) || translation_of(&name).is_some() {
                continue;
            }
            let rel = format!("{dir}/{name}");
            let Some(slug) = md_slug(&name) else {
                self.problem(&rel, None, "unexpected file: overrides/ holds <product-slug>.md files");
                continue;
            };
            let slug = slug.to_owned();
            let Some((front, parsed)) = self.markdown::<OverrideIn>(&rel) else { continue };
            let Some(split) = self.sections(&rel, &parsed) else { continue };
            self.tree.product_refs.push(Reference { slug: slug.clone(), file: rel.clone(), line: 1 });
            // The file gives a section's mode in the front matter and its text in the body;
            // the document has both in one list.
            let mut ok = true;
            let mut sections = Vec::new();
            for section in split {
                if section.key == INTRO {
                    let line = parsed.body_line + section.line - 1;
                    self.problem(&rel, Some(line), "text before the first section heading: start every part of an override with `## Heading {#key}`");
                    ok = false;
                    continue;
                }
                let mode = front.sections.get(&section.key).map(|s| s.get_ref().mode).unwrap_or_default();
                sections.push(OverrideSectionDoc { key: section.key, mode, heading: section.heading, body: section.body });
            }
            for (key, spec) in &front.sections {
                let mode = spec.get_ref().mode;
                if sections.iter().any(|s| &s.key == key) {
                    continue;
                }
                if mode == SectionMode::Hide || !crate::content::slug::is_key(key) {
                    sections.push(OverrideSectionDoc { key: key.clone(), mode, heading: String::new(), body: String::new() });
                } else {
                    let line = parsed.line_at(spec);
                    self.problem(&rel, Some(line), format!("[sections.{key}] has mode = \"{}\" but the body has no `## … {{#{key}}}` section with its text", mode.as_str()));
                    ok = false;
                }
            }
            let based_on_line = front.based_on.as_ref().map(|b| parsed.line_at(b)).unwrap_or(1);
            // A referral to a product must name one the catalogue has (checked at import).
            if let Some(to) = front.refer_to.as_ref().filter(|t| crate::content::slug::is_slug(t.get_ref())) {
                self.tree.product_refs.push(Reference { slug: to.get_ref().clone(), file: rel.clone(), line: parsed.line_at(to) });
            }
            let doc = OverrideDoc {
                based_on: front.based_on.map(Spanned::into_inner),
                enabled: front.enabled,
                reason: front.reason,
                refer_to: front.refer_to.as_ref().map(|r| r.get_ref().clone()),
                title: front.title,
                summary: front.summary,
                apply_url: front.apply_url.map(Spanned::into_inner),
                keywords: front.keywords,
                contact: front.contact,
                variables: front.variables,
                sections,
                revision: front.revision,
                updated: front.updated.map(Spanned::into_inner),
            };
            let Some(mut over) = self.checked(&rel, &parsed, doc.into_model(&slug, None)) else { continue };
            over.english = self.override_translation(&rel, &over);
            if ok {
                self.tree.overrides.push(Sourced { item: (owner.clone(), over), file: rel, line: based_on_line });
            }
        }
    }

    fn pages(&mut self, dir: &str, prefix: &str, owner: &Owner) {
        let names = self.list(dir);
        self.lone_translations(dir, &names);
        for name in names {
            if ignorable(&name) || translation_of(&name).is_some() {
                continue;
            }
            let rel = format!("{dir}/{name}");
            if self.is_dir(&rel) {
                if !is_slug(&name) {
                    self.problem(&rel, None, format!("'{name}' is not a valid page path segment: use lowercase letters, digits and hyphens"));
                    continue;
                }
                self.pages(&rel, &join_path(prefix, &name), owner);
                continue;
            }
            let Some(stem) = md_slug(&name) else {
                self.problem(&rel, None, "unexpected file: pages/ holds .md files and directories");
                continue;
            };
            let path = if stem == "index" { prefix.to_owned() } else { join_path(prefix, stem) };
            if stem != "index" && !is_slug(stem) {
                self.problem(&rel, None, format!("'{stem}' is not a valid page path segment: use lowercase letters, digits and hyphens"));
                continue;
            }
            if path.is_empty() {
                self.problem(&rel, None, "pages/index.md would be the home page, which Meent makes itself: put this page in a directory");
                continue;
            }
            if RESERVED_PATHS.contains(&path.split('/').next().unwrap_or("")) {
                self.problem(&rel, None, format!("/{path} is a path Meent uses itself; choose another name"));
                continue;
            }
            if let Some(other) = self.page_files.insert((owner.clone(), path.clone()), rel.clone()) {
                self.problem(&rel, None, format!("/{path} is also defined by {other}"));
                continue;
            }
            let Some((mut doc, parsed)) = self.markdown::<PageDoc>(&rel) else { continue };
            if !self.only_front_keys(&rel, &parsed, &["id", "path", "body"], "the path is the file's place under pages/, the text follows the front matter") {
                continue;
            }
            doc.path = path;
            doc.body = parsed.body.clone();
            let Some(mut page) = self.checked(&rel, &parsed, doc.into_model(owner.clone())) else { continue };
            page.english = self.item_translation(&rel, &page, limits::page);
            self.tree.pages.push(Sourced {
                item: page,
                file: rel,
                line: 1,
            });
        }
    }

    fn news(&mut self, dir: &str, owner: &Owner) {
        let mut seen: HashMap<String, String> = HashMap::new();
        let names = self.list(dir);
        self.lone_translations(dir, &names);
        for name in names {
            if ignorable(&name) || translation_of(&name).is_some() {
                continue;
            }
            let rel = format!("{dir}/{name}");
            let parsed_name = md_slug(&name).and_then(|stem| {
                let (date, slug) = (stem.get(..10)?, stem.get(11..)?);
                let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
                (stem.as_bytes().get(10) == Some(&b'-') && is_slug(slug)).then(|| (date, slug.to_owned()))
            });
            let Some((file_date, slug)) = parsed_name else {
                self.problem(&rel, None, "news files are named <yyyy-mm-dd>-<slug>.md, e.g. 2026-11-20-nieuwe-milieustraat.md");
                continue;
            };
            if let Some(other) = seen.insert(slug.clone(), rel.clone()) {
                self.problem(&rel, None, format!("news slug '{slug}' is also used by {other}"));
                continue;
            }
            let Some((mut doc, parsed)) = self.markdown::<NewsDoc>(&rel) else { continue };
            if !self.only_front_keys(&rel, &parsed, &["id", "slug", "body"], "the slug is in the file's name, the text follows the front matter") {
                continue;
            }
            doc.slug = slug;
            doc.date = doc.date.or_else(|| Some(When::Text(file_date.format("%Y-%m-%d").to_string())));
            doc.body = parsed.body.clone();
            let Some(mut item) = self.checked(&rel, &parsed, doc.into_model(owner.clone())) else { continue };
            item.english = self.item_translation(&rel, &item, limits::news);
            self.tree.news.push(Sourced {
                item,
                file: rel,
                line: 1,
            });
        }
    }

    fn alerts(&mut self, dir: &str, owner: &Owner) {
        for name in self.list(dir) {
            if ignorable(&name) {
                continue;
            }
            let rel = format!("{dir}/{name}");
            let Some(slug) = md_slug(&name).filter(|s| is_slug(s)).map(str::to_owned) else {
                self.problem(&rel, None, "alerts/ holds <slug>.md files (lowercase letters, digits and hyphens)");
                continue;
            };
            let Some((mut doc, parsed)) = self.markdown::<AlertDoc>(&rel) else { continue };
            if !self.only_front_keys(&rel, &parsed, &["id", "slug", "body"], "the slug is the file's name, the text follows the front matter") {
                continue;
            }
            doc.slug = slug;
            doc.body = parsed.body.clone();
            let Some(item) = self.checked(&rel, &parsed, doc.into_model(owner.clone())) else { continue };
            self.tree.alerts.push(Sourced {
                item,
                file: rel,
                line: 1,
            });
        }
    }

    /// The item a document's validator (the admin API's) made, or nothing after reporting
    /// each of its problems at the line of its field.
    fn checked<T>(&mut self, rel: &str, parsed: &Parsed, checked: Result<T, Problems>) -> Option<T> {
        match checked {
            Ok(item) => Some(item),
            Err(problems) => {
                for p in problems {
                    self.problem(rel, parsed.field_line(&p), p.to_string());
                }
                None
            }
        }
    }

    /// Whether the front matter leaves out the document's keys that a file gives otherwise
    /// (read from the parsed table: a key written as a table or quoted counts too).
    fn only_front_keys(&mut self, rel: &str, parsed: &Parsed, keys: &[&str], why: &str) -> bool {
        let table: toml::Table = parsed.toml.parse().unwrap_or_default();
        let mut ok = true;
        for key in keys.iter().filter(|k| table.contains_key(**k)) {
            let line = parsed.find_key(key).or_else(|| field_line(&parsed.toml, &format!("/{key}")).map(|l| parsed.front_line + l - 1));
            self.problem(rel, line, format!("{key}: is not written in a file: {why}"));
            ok = false;
        }
        ok
    }

    /// Checks between files that need no database: references to groups and products in
    /// the tree are checked again at import, against the tree and the database together.
    fn check_tree(&mut self) {
        self.check_limits();
        let mut hosts: BTreeMap<String, String> = BTreeMap::new();
        let refs = std::mem::take(&mut self.tree.host_refs);
        for r in &refs {
            if let Some(other) = hosts.get(&r.slug) {
                if other != &r.file {
                    self.problem(&r.file, Some(r.line), format!("host '{}' is also used by {other}", r.slug));
                }
            } else {
                hosts.insert(r.slug.clone(), r.file.clone());
            }
        }
        self.tree.host_refs = refs;
    }
}

impl Reader<'_> {
    /// Every text item against `content::limits`, the same checks the admin API makes.
    fn check_limits(&mut self) {
        let mut found: Vec<(String, Vec<limits::Problem>)> = Vec::new();
        found.extend(self.tree.groups.iter().map(|s| (s.file.clone(), limits::layer_values(&s.item.name, &s.item.contact, &s.item.variables))));
        found.extend(self.tree.sites.iter().map(|s| (s.file.clone(), limits::layer_values(&s.item.name, &s.item.contact, &s.item.variables))));
        for (file, problems) in found {
            if problems.is_empty() {
                continue;
            }
            let text = fs::read_to_string(self.root.join(&file)).unwrap_or_default();
            for p in problems {
                let line = field_line(&text, &p.field).map(|l| l + p.line.map_or(0, |within| within - 1));
                self.problem(&file, line, p.to_string());
            }
        }
    }
}

/// The line of a file a field of its item is on: the section's heading for
/// `/sections/<key>/…`, the first line of the body for `/body`, else the front-matter key.
fn field_line(text: &str, field: &str) -> Option<usize> {
    let mut parts = field.trim_start_matches('/').split('/');
    let first = parts.next()?;
    let position = |pred: &dyn Fn(&str) -> bool| text.lines().position(|l| pred(l)).map(|i| i + 1);
    match first {
        "sections" => {
            let key = parts.next()?;
            let marker = format!("{{#{key}}}");
            // A section's text starts on the line after its heading.
            let body = usize::from(parts.next() == Some("body"));
            position(&|l: &str| l.starts_with('#') && l.contains(&marker))
                .map(|l| l + body)
                .or_else(|| position(&|l: &str| l.trim() == format!("[sections.{key}]")))
        }
        "body" => {
            let closing = text.lines().enumerate().filter(|(_, l)| l.trim() == "+++").nth(1).map(|(i, _)| i + 2);
            closing.or(Some(1))
        }
        "variables" | "contact" => {
            let key = parts.next().unwrap_or("");
            // `variables/NAME/default`: the key in the `[variables.NAME]` table.
            if let Some(inner) = parts.next() {
                let is_key = |l: &str, k: &str| l.trim_start().strip_prefix(k).is_some_and(|r| r.trim_start().starts_with('='));
                let table = text.lines().position(|l| l.trim() == format!("[{first}.{key}]"));
                if let Some(t) = table {
                    let found = text.lines().enumerate().skip(t + 1).take_while(|(_, l)| !l.trim_start().starts_with('[')).find(|(_, l)| is_key(l, inner));
                    return Some(found.map_or(t, |(i, _)| i) + 1);
                }
            }
            position(&|l: &str| l.trim_start().strip_prefix(key).is_some_and(|r| r.trim_start().starts_with('=')))
                .or_else(|| position(&|l: &str| l.trim().starts_with(&format!("[{first}"))))
        }
        key => position(&|l: &str| l.trim_start().strip_prefix(key).is_some_and(|r| r.trim_start().starts_with('='))),
    }
}

/// Paths of the resident site that local pages may not take.
pub const RESERVED_PATHS: &[&str] =
    &["producten", "nieuws", "zoeken", "toegankelijkheid", "feedback", "en", "api", "admin", "static", "theme", "media", "sitemap.xml", "robots.txt", "healthz", "metrics"];

/// The parts of a parsed Markdown file that later checks need.
struct Parsed {
    body: String,
    body_line: usize,
    toml: String,
    front_line: usize,
}

impl Parsed {
    fn line_at<U>(&self, spanned: &Spanned<U>) -> usize {
        self.front_line + line_of(&self.toml, spanned.span().start) - 1
    }

    /// The line of a top-level `key =` in the front matter, if it is there.
    fn find_key(&self, key: &str) -> Option<usize> {
        self.toml
            .lines()
            .position(|l| l.trim_start().strip_prefix(key).is_some_and(|r| r.trim_start().starts_with('=')))
            .map(|i| self.front_line + i)
    }

    /// The line a problem of a document's field is on: in the body for `/body` (with the line
    /// within the text) and for a section, else the line of its front-matter key or table;
    /// none for what the file's name gives.
    fn field_line(&self, p: &limits::Problem) -> Option<usize> {
        let within = p.line.map_or(0, |l| l.saturating_sub(1));
        match p.field_name().split('/').next().unwrap_or("") {
            "" => None,
            "body" => Some(self.body_line + within),
            "sections" => field_line(&self.body, &p.field)
                .map(|l| self.body_line + l - 1 + within)
                .or_else(|| field_line(&self.toml, &p.field).map(|l| self.front_line + l - 1)),
            _ => field_line(&self.toml, &p.field).map(|l| self.front_line + l - 1),
        }
    }
}

/// The line of a statement's field (`/problems/2/fix_by`): the key's line, within the n-th
/// `[[problems]]` table for a problem's.
fn statement_line(text: &str, field: &str) -> Option<usize> {
    let parts: Vec<&str> = field.trim_start_matches('/').split('/').collect();
    let is_key = |l: &str, key: &str| l.trim_start().strip_prefix(key).is_some_and(|r| r.trim_start().starts_with('='));
    match parts.as_slice() {
        ["problems", n, key] => {
            let n: usize = n.parse().ok()?;
            let start = text.lines().enumerate().filter(|(_, l)| l.trim() == "[[problems]]").nth(n)?.0;
            let within = text.lines().enumerate().skip(start + 1).take_while(|(_, l)| !l.trim_start().starts_with('[')).find(|(_, l)| is_key(l, key));
            Some(within.map_or(start, |(i, _)| i) + 1)
        }
        ["problems", ..] => text.lines().position(|l| l.trim() == "[[problems]]").map(|i| i + 1),
        [key] => text.lines().position(|l| is_key(l, key)).map(|i| i + 1),
        _ => None,
    }
}

fn md_slug(name: &str) -> Option<&str> {
    name.strip_suffix(".md")
}

/// The Dutch file a translation's file name stands beside (`x.en.md` → `x.md`).
fn translation_of(name: &str) -> Option<String> {
    Lang::TRANSLATED.into_iter().find_map(|lang| name.strip_suffix(&format!(".{}.md", lang.code())).map(|stem| format!("{stem}.md")))
}

fn join_path(prefix: &str, name: &str) -> String {
    if prefix.is_empty() { name.to_owned() } else { format!("{prefix}/{name}") }
}

fn display(rel: &str) -> &str {
    if rel.is_empty() { "." } else { rel }
}

/// Whether a link editors give may be used as `href` for residents.
/// Placeholders are allowed (`{{ var.url }}`); what is filled in is checked again when shown.
pub fn is_safe_link(url: &str) -> bool {
    let mut plain = String::new();
    let mut rest = url.trim();
    while let Some(start) = rest.find("{{") {
        let Some(end) = rest[start..].find("}}") else { break };
        plain.push_str(&rest[..start]);
        plain.push_str("x");
        rest = &rest[start + end + 2..];
    }
    plain.push_str(rest);
    let lower = plain.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://") || (lower == "x" && url.trim().starts_with("{{")))
        && !plain.chars().any(|c| c.is_whitespace() || c == '"' || c == '<' || c == '>')
}
