//! Where links are: every link of the content as written, with the scope whose editors wrote
//! it. Central texts are the national scope's, so a link in a catalogue product is one use,
//! not one per site; an override's, page's or setting's links are their group's or site's.

use pulldown_cmark::{Event, Parser, Tag};
use serde::Serialize;

use crate::auth::permissions::Scope;
use crate::content::files::TreeOut;
use crate::content::model::{Contact, Dated, Owner};

/// One place a link is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Use {
    pub url: String,
    /// Whose editors fix it: `national`, `group:<slug>`, `site:<slug>`.
    pub scope: String,
    /// `product`, `override`, `page`, `news`, `alert`, `site`, `group`.
    pub kind: &'static str,
    /// The item: a product slug, a page path, a news or alert slug; empty for settings.
    pub item: String,
    pub title: String,
    /// Where in the item: a section key, `body`, `apply_url`, `contact.url`, `variables.<name>`.
    pub field: String,
}

/// The links of a Markdown text, in order: link and image destinations, and bare `<https://…>`
/// autolinks. Relative links and anchors are the site's own and not checked here.
pub fn in_markdown(text: &str) -> Vec<String> {
    Parser::new(text)
        .filter_map(|event| match event {
            Event::Start(Tag::Link { dest_url, .. }) => Some(dest_url.to_string()),
            _ => None,
        })
        .filter(|url| checkable(url))
        .collect()
}

/// Whether a link is one the checker looks at: absolute `http(s)`, `mailto:` or `tel:`, and
/// no placeholder (a `{{ var.x }}` is checked as the values it is filled with).
pub fn checkable(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    !url.contains("{{") && ["http://", "https://", "mailto:", "tel:"].iter().any(|p| lower.starts_with(p))
}

struct Collector {
    uses: Vec<Use>,
}

impl Collector {
    fn add(&mut self, url: &str, scope: &str, kind: &'static str, item: &str, title: &str, field: &str) {
        if checkable(url) {
            self.uses.push(Use { url: url.trim().to_owned(), scope: scope.to_owned(), kind, item: item.to_owned(), title: title.to_owned(), field: field.to_owned() });
        }
    }

    fn markdown(&mut self, text: &str, scope: &str, kind: &'static str, item: &str, title: &str, field: &str) {
        for url in in_markdown(text) {
            self.add(&url, scope, kind, item, title, field);
        }
    }

    fn contact(&mut self, contact: &Contact, scope: &str, kind: &'static str, item: &str, title: &str) {
        if let Some(url) = &contact.url {
            self.add(url, scope, kind, item, title, "contact.url");
        }
        if let Some(email) = &contact.email {
            self.add(&format!("mailto:{email}"), scope, kind, item, title, "contact.email");
        }
    }

    fn values<'a>(&mut self, values: impl Iterator<Item = (&'a String, &'a Dated)>, scope: &str, kind: &'static str, item: &str, title: &str) {
        for (name, value) in values {
            for v in value.values() {
                self.add(v, scope, kind, item, title, &format!("variables.{name}"));
            }
        }
    }
}

fn scope_of(owner: &Owner) -> String {
    Scope::of(owner).to_string()
}

/// Every link of the content, with where it is.
pub fn uses(tree: &TreeOut) -> Vec<Use> {
    let mut c = Collector { uses: Vec::new() };
    let national = Scope::National.to_string();
    for p in &tree.products {
        for s in &p.sections {
            c.markdown(&s.body, &national, "product", &p.slug, &p.title, &s.key);
        }
        c.markdown(&p.summary, &national, "product", &p.slug, &p.title, "summary");
        for v in &p.variables {
            if let Some(d) = &v.default {
                for value in d.values() {
                    c.add(value, &national, "product", &p.slug, &p.title, &format!("variables.{}.default", v.name));
                }
            }
        }
        if let Some(en) = &p.english {
            for s in &en.text.sections {
                c.markdown(&s.body, &national, "product", &p.slug, &p.title, &format!("{} (en)", s.key));
            }
        }
    }
    for (owner, o) in &tree.overrides {
        let scope = scope_of(owner);
        let title = o.title.clone().unwrap_or_else(|| o.product.clone());
        for s in &o.sections {
            c.markdown(&s.body, &scope, "override", &o.product, &title, &s.key);
        }
        if let Some(en) = &o.english {
            for s in &en.text.sections {
                c.markdown(&s.body, &scope, "override", &o.product, &title, &format!("{} (en)", s.key));
            }
        }
        if let Some(url) = &o.apply_url {
            c.add(url, &scope, "override", &o.product, &title, "apply_url");
        }
        if let Some(to) = &o.refer_to {
            c.add(to, &scope, "override", &o.product, &title, "refer_to");
        }
        if let Some(contact) = &o.contact {
            c.contact(contact, &scope, "override", &o.product, &title);
        }
        c.values(o.variables.iter(), &scope, "override", &o.product, &title);
    }
    for p in &tree.pages {
        c.markdown(&p.body, &scope_of(&p.owner), "page", &p.path, &p.title, "body");
        if let Some(en) = &p.english {
            c.markdown(&en.text.body, &scope_of(&p.owner), "page", &p.path, &p.title, "body (en)");
        }
    }
    for n in &tree.news {
        c.markdown(&n.body, &scope_of(&n.owner), "news", &n.slug, &n.title, "body");
        if let Some(en) = &n.english {
            c.markdown(&en.text.body, &scope_of(&n.owner), "news", &n.slug, &n.title, "body (en)");
        }
    }
    for a in &tree.alerts {
        c.markdown(&a.body, &scope_of(&a.owner), "alert", &a.slug, &a.title, "body");
    }
    for g in &tree.groups {
        let scope = Scope::Group(g.slug.clone()).to_string();
        c.contact(&g.contact, &scope, "group", "", &g.name);
        c.values(g.variables.iter(), &scope, "group", "", &g.name);
    }
    for s in &tree.sites {
        let scope = Scope::Site(s.slug.clone()).to_string();
        c.contact(&s.contact, &scope, "site", "", &s.name);
        c.values(s.variables.iter(), &scope, "site", "", &s.name);
        if let Some(forms) = &s.services.forms_url {
            c.add(forms, &scope, "site", "", &s.name, "forms_url");
        }
    }
    c.uses
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_absolute_links_but_not_placeholders_or_relative_ones() {
        let text = "Zie [de regels](https://wetten.overheid.nl/x) en <https://example.nl/a>.\n\n[Bel](tel:14020), [mail](mailto:info@gemeente.nl), [intern](/producten), [var]({{ var.url }}), ![foto](https://x.nl/f.jpg)";
        assert_eq!(in_markdown(text), ["https://wetten.overheid.nl/x", "https://example.nl/a", "tel:14020", "mailto:info@gemeente.nl"]);
    }
}
