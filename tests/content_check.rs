//! The content check of the demo (issue "Demo content a municipal communication advisor would
//! publish"): every page of every demo site, in Dutch and English, as residents get it over
//! HTTP from the real app on the demo content, has no link to a placeholder domain, no raw or
//! doubled placeholder, no reference to a form or a web page without a link, no heading without
//! text; and no product of any demo site falls back to a standard sentence for a missing value.
//!
//! The checks are plain functions over the HTML, tested on their own below, so a failing page
//! names the rule, the page and the sentence.

mod common;

use std::collections::BTreeSet;

use common::TestApp;
use meent::content::fold::Note;
use meent::content::model::Lang;
use meent::content::visibility::Viewer;

/// The part of a page that is the page's own content.
fn main_of(html: &str) -> &str {
    let start = html.find("<main").unwrap_or(0);
    let end = html[start..].find("</main>").map_or(html.len(), |i| start + i);
    &html[start..end]
}

/// Text without tags, entities decoded as far as the checks need.
fn text_of(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&").replace("&nbsp;", " ").replace("&#x27;", "'").replace("&quot;", "\"")
}

/// The values of every `href` and `src` attribute.
fn targets(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            let after = &rest[i + attr.len()..];
            let end = after.find('"').unwrap_or(after.len());
            out.push(&after[..end]);
            rest = &after[end..];
        }
    }
    out
}

/// A link target on a placeholder domain: example.org, example.com (and subdomains), also
/// in an e-mail address.
fn placeholder_target(target: &str) -> bool {
    let host = match target.strip_prefix("mailto:") {
        Some(address) => address.rsplit('@').next().unwrap_or("").to_ascii_lowercase(),
        None => url::Url::parse(target).ok().and_then(|u| u.host_str().map(str::to_ascii_lowercase)).unwrap_or_default(),
    };
    ["example.org", "example.com"].iter().any(|d| host == *d || host.ends_with(&format!(".{d}")))
}

/// Blocks of running text: paragraphs and list items, with their HTML.
fn blocks(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for (open, close) in [("<p", "</p>"), ("<li", "</li>"), ("<dd", "</dd>")] {
        let mut rest = html;
        while let Some(i) = rest.find(open) {
            let after = &rest[i..];
            // `<p` must be the tag itself, not `<param` or `<pre`.
            if !after[open.len()..].starts_with(['>', ' ']) {
                rest = &after[open.len()..];
                continue;
            }
            let end = after.find(close).unwrap_or(after.len());
            out.push(&after[..end]);
            rest = &after[end..];
        }
    }
    out
}

/// A block that refers to a form or to a web page without linking it.
fn unlinked_reference(block: &str, lang: Lang) -> Option<String> {
    if block.contains("<a ") {
        return None;
    }
    let text = text_of(block);
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric() && c != '-').filter(|w| !w.is_empty()).collect();
    let form = match lang {
        Lang::Nl => words.iter().any(|w| w.contains("formulier")),
        Lang::En => words.iter().any(|w| matches!(*w, "form" | "forms" | "formulier")),
    };
    let phrases: &[&str] = match lang {
        Lang::Nl => &["op onze website", "op de website", "via onze website", "via de website", "contactpagina", "op onze site"],
        Lang::En => &["on our website", "on the website", "via our website", "contact page"],
    };
    let page = phrases.iter().any(|p| lower.contains(p));
    // "zonder formulier", "no form needed": nothing to link.
    let none = ["zonder formulier", "geen formulier", "without a form", "no form"].iter().any(|p| lower.contains(p));
    let form = form && !none;
    (form || page).then(|| text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// A word repeated right after itself within a sentence ("extra bedrag extra" is caught on
/// save; "€ € 84,10" or "de de" here), or a placeholder left raw.
fn doubled_or_raw(text: &str) -> Option<String> {
    if text.contains("{{") || text.contains("}}") {
        return Some("raw placeholder".into());
    }
    let tokens: Vec<&str> = text.split_whitespace().collect();
    tokens.windows(2).find_map(|pair| {
        // "… maakt. Maakt u …" is two sentences; "Bergen (NH)" is a name.
        if pair[0].ends_with(|c: char| c.is_ascii_punctuation()) || pair[1].starts_with('(') {
            return None;
        }
        let [a, b] = [pair[0], pair[1]].map(|w| w.trim_matches(|c: char| c.is_ascii_punctuation() && c != '€').to_lowercase());
        (!a.is_empty() && a == b && !a.chars().all(|c| c.is_ascii_digit())).then(|| format!("{a:?} twice: {:?}", pair.join(" ")))
    })
}

/// A heading followed by another heading or by the end of its part of the page.
fn empty_heading(main: &str) -> Option<String> {
    let mut rest = main;
    while let Some(i) = rest.find("<h") {
        let after = &rest[i..];
        let level = after.as_bytes().get(2).copied().filter(|b| (b'1'..=b'6').contains(b));
        let Some(level) = level else {
            rest = &after[2..];
            continue;
        };
        let close = format!("</h{}>", level as char);
        let Some(end) = after.find(&close) else { break };
        let heading = text_of(&after[..end]).trim().to_owned();
        let next = after[end + close.len()..].trim_start();
        let next_heading = next.starts_with("<h") && next.as_bytes().get(2).is_some_and(|b| (b'1'..=level).contains(b));
        if heading.is_empty() || next_heading || next.starts_with("</article") || next.starts_with("</section") || next.is_empty() {
            return Some(heading);
        }
        rest = &after[end..];
    }
    None
}

/// Every page of a site its sitemap lists, in both languages.
fn sitemap_paths(xml: &str) -> BTreeSet<String> {
    let mut paths = BTreeSet::new();
    for marker in ["<loc>", "href=\""] {
        let mut rest = xml;
        while let Some(i) = rest.find(marker) {
            let after = &rest[i + marker.len()..];
            let end = after.find(['<', '"']).unwrap_or(after.len());
            if let Ok(url) = url::Url::parse(&after[..end]) {
                paths.insert(url.path().to_owned());
            }
            rest = &after[end..];
        }
    }
    paths
}

/// Everything wrong with one page.
fn problems_of(html: &str, lang: Lang) -> Vec<String> {
    let mut problems = Vec::new();
    for target in targets(html).into_iter().filter(|t| placeholder_target(t)) {
        problems.push(format!("links to a placeholder domain: {target}"));
    }
    let main = main_of(html);
    if main.contains("{{") || main.contains("}}") {
        problems.push("raw placeholder".into());
    }
    for block in blocks(main) {
        if let Some(why) = doubled_or_raw(&text_of(block)) {
            problems.push(format!("{why} in {:?}", text_of(block).trim()));
        }
        if let Some(sentence) = unlinked_reference(block, lang) {
            problems.push(format!("refers to a form or page without a link: {sentence:?}"));
        }
    }
    if let Some(heading) = empty_heading(main) {
        problems.push(format!("heading without text: {heading:?}"));
    }
    problems
}

#[test]
fn the_checks_find_what_they_look_for() {
    assert!(placeholder_target("https://diemen.example.org/x") && placeholder_target("mailto:info@example.com"));
    assert!(!placeholder_target("https://www.diemen.nl/") && !placeholder_target("/producten/paspoort") && !placeholder_target("https://example.nl/"));
    assert_eq!(unlinked_reference("<p>Vul het online formulier in.</p>", Lang::Nl).as_deref(), Some("Vul het online formulier in."));
    assert_eq!(unlinked_reference("<p>Vul het <a href=\"/x\">online formulier</a> in.</p>", Lang::Nl), None);
    assert!(unlinked_reference("<li>De kaart staat op onze website.</li>", Lang::Nl).is_some());
    assert!(unlinked_reference("<p>Fill in the form.</p>", Lang::En).is_some());
    assert!(unlinked_reference("<p>Information in a clear format.</p>", Lang::En).is_none(), "format is no form");
    assert!(doubled_or_raw("Dit kost € € 84,10.").is_some() && doubled_or_raw("Het is {{ var.x }}.").is_some());
    assert!(doubled_or_raw("Dit kost 2 2 euro.").is_none() && doubled_or_raw("Een paspoort kost € 84,10.").is_none());
    assert!(doubled_or_raw("Dat maakt. Maakt u bezwaar?").is_none() && doubled_or_raw("In Bergen (NH) en Bergen").is_none());
    assert!(unlinked_reference("<p>U verlengt online, zonder formulier.</p>", Lang::Nl).is_none());
    assert_eq!(empty_heading("<h2>Kosten</h2>\n<h2>Aanvragen</h2><p>x</p>").as_deref(), Some("Kosten"));
    assert_eq!(empty_heading("<h2>Kosten</h2><p>Gratis.</p></article>"), None);
    assert_eq!(empty_heading("<h2>Kosten</h2><h3>Voor kinderen</h3><p>Gratis.</p>"), None, "a subheading is text of its section");
    let all = problems_of("<html><a href=\"https://x.example.org/\">x</a><main><h2>Wat</h2></main></html>", Lang::Nl);
    assert_eq!(all.len(), 2, "{all:?}");
}

#[actix_web::test]
async fn every_page_of_every_demo_site_reads_as_published() {
    let app = TestApp::start(&common::demo_content()).await;
    let directory = meent::feed::current(app.state.feed.directory());
    assert!(directory.sites().len() >= 7, "the demo has its municipalities");
    let mut failures = Vec::new();
    let mut pages = 0;
    for site in directory.sites() {
        let host = site.site.canonical_host().to_owned();
        let sitemap = app.get(&host, "/sitemap.xml").await;
        assert_eq!(sitemap.status, 200, "{host}");
        let mut paths = sitemap_paths(&sitemap.body);
        paths.extend(["/toegankelijkheid".to_owned(), "/en/accessibility".to_owned(), "/producten".to_owned(), "/nieuws".to_owned()]);
        for path in &paths {
            let page = app.get(&host, path).await;
            pages += 1;
            if page.status != 200 {
                failures.push(format!("{host}{path}: status {}", page.status));
                continue;
            }
            let lang = if page.body.contains("<html lang=\"en\"") { Lang::En } else { Lang::Nl };
            for problem in problems_of(&page.body, lang) {
                failures.push(format!("{host}{path}: {problem}"));
            }
        }

        // No product of the site stands in a standard sentence for a value it lacks.
        let mut conn = app.state.pool.get().unwrap();
        for lang in [Lang::Nl, Lang::En] {
            let products = meent::content::store::catalogue_in(&mut conn, &app.state.content, site, Viewer::resident(meent::now()), lang).unwrap();
            for product in &products.items {
                for note in &product.notes {
                    if let Note::MissingVariable { name } | Note::MissingSiteField { name } = note {
                        failures.push(format!("{host} {} ({lang:?}): no value for {name}", product.slug));
                    }
                }
            }
        }
    }
    assert!(pages > 500, "the check saw the whole demo ({pages} pages)");
    assert!(failures.is_empty(), "{} problems in the demo:\n{}", failures.len(), failures.join("\n"));
}
