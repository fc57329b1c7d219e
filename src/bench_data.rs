//! `meent bench-data`: a synthetic country in the content format, for benchmarks. Real
//! municipality names and OWMS URIs (from the OWMS value list), real product names (the
//! municipal rows of the UPL), realistic text lengths, groups of 2-5 sites, and overrides on
//! about a fifth of the products of every site. Deterministic for a given seed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::content::files::{TreeOut, write_tree};
use crate::content::model::{
    Alert, AlertFields, Audience, Contact, Group, Lang, NewsFields, NewsItem, Override, Owner, Page, PageFields, Product,
    ProductText, Section, SectionChange, SectionMode, Severity, Site, Status, Translation, Variable,
};
use crate::content::slug::slugify;
use crate::content::upl::UplProduct;

#[derive(Debug, Clone)]
pub struct Options {
    pub sites: usize,
    pub products: usize,
    pub pages: usize,
    pub news: usize,
    pub seed: u64,
    /// The share of catalogue products with an English text, in percent (0-100).
    pub english: usize,
    /// A directory with other `owms-gemeenten.xml` and `upl-actueel-2025-04.csv` than the
    /// ones shipped with Meent.
    pub reference: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum BenchDataError {
    #[error("cannot read {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("{0} is not valid: {1}")]
    Parse(PathBuf, String),
    #[error("{0}")]
    Limit(String),
    #[error("cannot write: {0}")]
    Write(#[from] std::io::Error),
}

/// A current municipality from the OWMS list.
#[derive(Debug, Clone)]
pub struct Municipality {
    pub name: String,
    pub uri: String,
}

pub fn municipalities(reference: Option<&Path>) -> Result<Vec<Municipality>, BenchDataError> {
    let (name, text) = match reference {
        Some(dir) => {
            let path = dir.join("owms-gemeenten.xml");
            let text = std::fs::read_to_string(&path).map_err(|e| BenchDataError::Read(path.clone(), e))?;
            (path, std::borrow::Cow::Owned(text))
        }
        None => (PathBuf::from(crate::reference::MUNICIPALITIES_NAME), std::borrow::Cow::Borrowed(crate::reference::MUNICIPALITIES_XML)),
    };
    let doc = roxmltree::Document::parse(&text).map_err(|e| BenchDataError::Parse(name, e.to_string()))?;
    let mut out = Vec::new();
    for value in doc.descendants().filter(|n| n.has_tag_name("value")) {
        let child = |name: &str| value.children().find(|c| c.has_tag_name(name)).and_then(|c| c.text()).map(str::trim);
        if child("endDate").is_some() {
            continue;
        }
        if let (Some(name), Some(uri)) = (child("prefLabel"), child("resourceIdentifier")) {
            out.push(Municipality { name: name.to_owned(), uri: uri.to_owned() });
        }
    }
    Ok(out)
}

/// The municipal products of the UPL.
pub fn upl_products(reference: Option<&Path>) -> Result<Vec<UplProduct>, BenchDataError> {
    let all = match reference {
        Some(dir) => crate::content::upl::read(&dir.join("upl-actueel-2025-04.csv")),
        None => crate::content::upl::national(),
    };
    let all = all.map_err(|e| BenchDataError::Parse(reference.map(Path::to_path_buf).unwrap_or_default(), e.to_string()))?;
    Ok(all.into_iter().filter(|p| p.municipal && !p.name.starts_with("UPL-naam")).collect())
}

const THEMES: &[&str] = &[
    "Reizen en identiteit", "Verhuizen en adres", "Afval", "Parkeren en verkeer", "Wonen en bouwen", "Werk en inkomen",
    "Zorg en ondersteuning", "Belastingen", "Ondernemen", "Geboorte, huwelijk en overlijden", "Openbare ruimte",
    "Onderwijs",
];

const SENTENCES: &[&str] = &[
    "U regelt dit bij de gemeente waar u staat ingeschreven.",
    "Maak eerst een afspraak via de website of bel ons.",
    "Neem een geldig identiteitsbewijs mee naar de afspraak.",
    "De kosten betaalt u bij de aanvraag, met pinpas of contant.",
    "Binnen vijf werkdagen krijgt u bericht over uw aanvraag.",
    "Bent u jonger dan 18 jaar? Dan heeft u toestemming van uw ouders nodig.",
    "Wij controleren uw gegevens in de Basisregistratie Personen.",
    "U kunt de aanvraag ook digitaal doen met DigiD.",
    "Soms hebben wij meer informatie nodig. Wij nemen dan contact met u op.",
    "Is uw situatie anders? Neem dan contact op met de gemeente.",
    "Het besluit krijgt u per post of in de Berichtenbox van MijnOverheid.",
    "Bent u het niet eens met het besluit? Dan kunt u bezwaar maken.",
    "Voor ondernemers gelden soms andere regels.",
    "Kijk voor de voorwaarden ook op de website van de Rijksoverheid.",
];

/// Sentences of the English texts; the Dutch ones are drawn from another generator, so a
/// country with English texts has the same Dutch texts as one without.
const ENGLISH_SENTENCES: &[&str] = &[
    "You arrange this with the municipality where you are registered.",
    "Make an appointment on the website first, or call us.",
    "Bring a valid proof of identity to the appointment.",
    "You pay the costs at the desk, by debit card.",
    "You receive the decision by post or in your MijnOverheid message box.",
    "Do you disagree with the decision? Then you can object.",
    "Other rules sometimes apply to businesses.",
    "See the website of the national government for the conditions.",
];

const ENGLISH_HEADINGS: &[(&str, &str)] = &[
    ("wat", "What is it?"),
    ("voorwaarden", "Conditions"),
    ("aanvragen", "How do I apply?"),
    ("meenemen", "What do I bring?"),
    ("kosten", "Costs"),
    ("termijn", "How long does it take?"),
];

const SECTIONS: &[(&str, &str)] = &[
    ("wat", "Wat is het?"),
    ("voorwaarden", "Voorwaarden"),
    ("aanvragen", "Hoe vraag ik het aan?"),
    ("meenemen", "Wat moet ik meenemen?"),
    ("kosten", "Kosten"),
    ("termijn", "Hoe lang duurt het?"),
];

struct Rng(fastrand::Rng);

impl Rng {
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.0.usize(..items.len())]
    }

    fn text(&mut self, min: usize, max: usize) -> String {
        let n = self.0.usize(min..=max);
        (0..n).map(|_| *self.pick(SENTENCES)).collect::<Vec<_>>().join(" ")
    }

    fn chance(&mut self, p: f64) -> bool {
        self.0.f64() < p
    }
}

/// Builds the synthetic country in memory.
pub fn generate(options: &Options) -> Result<TreeOut, BenchDataError> {
    let municipalities = municipalities(options.reference.as_deref())?;
    let upl = upl_products(options.reference.as_deref())?;
    if options.sites > municipalities.len() {
        return Err(BenchDataError::Limit(format!("--sites {} is more than the {} current municipalities", options.sites, municipalities.len())));
    }
    if options.products > upl.len() {
        return Err(BenchDataError::Limit(format!("--products {} is more than the {} municipal UPL products", options.products, upl.len())));
    }
    let mut rng = Rng(fastrand::Rng::with_seed(options.seed));
    let mut english_rng = Rng(fastrand::Rng::with_seed(options.seed.wrapping_add(1)));
    let now = crate::now();
    let mut tree = TreeOut::default();

    for (i, item) in upl.iter().take(options.products).enumerate() {
        let mut title = item.name.clone();
        if let Some(first) = title.get(..1) {
            title = first.to_uppercase() + &title[1..];
        }
        let mut audience = Vec::new();
        if item.citizens || !item.businesses {
            audience.push(Audience::Particulier);
        }
        if item.businesses {
            audience.push(Audience::Ondernemer);
        }
        let sections = SECTIONS
            .iter()
            .map(|(key, heading)| {
                let body = match *key {
                    "kosten" => "In {{ gemeente }} kost dit {{ var.leges }}.\n\n".to_owned() + &rng.text(1, 3),
                    "aanvragen" => rng.text(3, 6) + "\n\n- Maak een afspraak.\n- Vul het formulier in.\n- Betaal de kosten.",
                    _ => rng.text(2, 7),
                };
                Section { key: (*key).into(), heading: (*heading).into(), body }
            })
            .collect();
        let english = (i % 100 < options.english).then(|| {
            let sections = ENGLISH_HEADINGS
                .iter()
                .map(|(key, heading)| {
                    let n = english_rng.0.usize(2..=6);
                    let mut body = (0..n).map(|_| *english_rng.pick(ENGLISH_SENTENCES)).collect::<Vec<_>>().join(" ");
                    if *key == "kosten" {
                        body = format!("In {{{{ gemeente }}}} this costs {{{{ var.leges }}}}.\n\n{body}");
                    }
                    Section { key: (*key).into(), heading: (*heading).into(), body }
                })
                .collect();
            Translation {
                lang: Lang::En,
                text: ProductText { title: format!("{} (in English)", item.name), summary: format!("All about {} at your municipality.", item.name), sections },
                based_on_nl: 1,
                revision: 1,
                updated_at: now,
            }
        });
        tree.products.push(Product {
            english,
            slug: unique_slug(&item.name, i, &tree.products.iter().map(|p| p.slug.clone()).collect::<Vec<_>>()),
            title,
            summary: format!("Alles over {} bij uw gemeente.", item.name),
            audience,
            upl: Some(item.uri.clone()),
            themes: vec![(*rng.pick(THEMES)).to_owned()],
            life_events: vec![],
            keywords: vec![],
            popular: i < 8,
            variables: vec![Variable { name: "leges".into(), label: "Kosten".into(), default: Some("een bedrag dat de gemeente vaststelt".into()), kind: Default::default() }],
            sections,
            status: Status::Published,
            publish_at: None,
            unpublish_at: None,
            revision: 1,
            updated_at: now,
            review_date: None,
            content_owner: None,
        });
    }

    // Sites, in groups of 2-5 for about two thirds of them.
    let chosen: Vec<&Municipality> = municipalities.iter().take(options.sites).collect();
    let mut site_slugs: Vec<String> = Vec::new();
    for m in &chosen {
        let mut slug = slugify(&m.name);
        while site_slugs.contains(&slug) {
            slug.push_str("-2");
        }
        site_slugs.push(slug);
    }
    let mut group_of: BTreeMap<usize, String> = BTreeMap::new();
    let mut index = 0;
    while index < chosen.len() {
        let size = rng.0.usize(2..=5).min(chosen.len() - index);
        if size >= 2 && rng.chance(0.66) {
            let slug = format!("samenwerking-{}", tree.groups.len() + 1);
            tree.groups.push(Group {
                slug: slug.clone(),
                name: format!("Samenwerking {}", tree.groups.len() + 1),
                contact: Contact::default(),
                variables: BTreeMap::new(),
                revision: 1,
                updated_at: now,
            });
            for i in index..index + size {
                group_of.insert(i, slug.clone());
            }
        }
        index += size.max(1);
    }
    for g in &tree.groups {
        for p in &tree.products {
            if rng.chance(0.1) {
                tree.overrides.push((Owner::Group(g.slug.clone()), synthetic_override(&mut rng, p, now)));
            }
        }
    }
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
    for (i, m) in chosen.iter().enumerate() {
        let slug = site_slugs[i].clone();
        let owner = Owner::Site(slug.clone());
        tree.sites.push(Site {
            slug: slug.clone(),
            name: format!("Gemeente {}", m.name),
            hosts: vec![format!("{slug}.localhost")],
            groups: group_of.get(&i).cloned().into_iter().collect(),
            municipality_code: Some(format!("GM{:04}", i + 1)),
            owms_uri: Some(m.uri.clone()),
            security_contact: None,
            contact: Contact { phone: Some("14 0000".into()), email: Some(format!("info@{slug}.example.org")), ..Contact::default() },
            variables: BTreeMap::from([("leges".into(), format!("€ {},{:02}", rng.0.u32(10..100), rng.0.u32(0..100)).into())]),
            popular: vec![],
            theme_tokens: None,
            services: Default::default(),
            accessibility: Some(crate::content::accessibility::Statement {
                status: crate::content::accessibility::Status::C,
                date: start,
                audit_date: None,
                audit_url: None,
                problems: vec![],
            }),
            revision: 1,
            updated_at: now,
        });
        for p in &tree.products {
            if rng.chance(0.2) {
                tree.overrides.push((owner.clone(), synthetic_override(&mut rng, p, now)));
            }
        }
        for n in 0..options.pages {
            let parent = n % 5 != 0 && n >= 5;
            let path = if parent { format!("onderwerp-{}/pagina-{n}", n % 5) } else { format!("onderwerp-{n}") };
            tree.pages.push(Page {
                english: None,
                owner: owner.clone(),
                title: format!("Onderwerp {n}"),
                summary: rng.text(1, 1),
                body: format!("{}\n\n## Meer weten\n\n{}", rng.text(3, 8), rng.text(2, 5)),
                status: Status::Published,
                revision: 1,
                updated_at: now,
                kind: PageFields { path, weight: 0, publish_at: None, unpublish_at: None, review_date: None, content_owner: None },
            });
        }
        for n in 0..options.news {
            tree.news.push(NewsItem {
                english: None,
                owner: owner.clone(),
                title: format!("Nieuwsbericht {n} uit {}", m.name),
                summary: rng.text(1, 1),
                body: rng.text(4, 10),
                status: Status::Published,
                revision: 1,
                updated_at: now,
                kind: NewsFields {
                    slug: format!("bericht-{n}"),
                    date: start + chrono::Days::new((n as u64 * 3) % 320),
                    publish_at: None,
                    unpublish_at: None,
                    review_date: None,
                    content_owner: None,
                    image: None,
                },
            });
        }
        if rng.chance(0.3) {
            tree.alerts.push(Alert {
                english: None,
                owner: owner.clone(),
                title: "Storing in de online dienstverlening".into(),
                summary: String::new(),
                body: rng.text(1, 2),
                status: Status::Published,
                revision: 1,
                updated_at: now,
                kind: AlertFields { slug: "storing".into(), severity: Severity::Warning, starts: Some(now - 86_400), ends: Some(now + 30 * 86_400) },
            });
        }
    }
    Ok(tree)
}

fn unique_slug(name: &str, index: usize, taken: &[String]) -> String {
    let slug = slugify(name);
    let slug = if slug.is_empty() { format!("product-{index}") } else { slug };
    if taken.contains(&slug) { format!("{slug}-{index}") } else { slug }
}

fn synthetic_override(rng: &mut Rng, p: &Product, now: i64) -> Override {
    let mut sections = Vec::new();
    let modes = [SectionMode::Replace, SectionMode::Append, SectionMode::Prepend, SectionMode::Hide];
    for (key, heading) in SECTIONS {
        if !rng.chance(0.3) {
            continue;
        }
        let mode = *rng.pick(&modes);
        let body = if mode == SectionMode::Hide { String::new() } else { rng.text(1, 4) };
        sections.push(SectionChange { key: (*key).into(), mode, heading: (*heading).into(), body });
    }
    if rng.chance(0.2) {
        sections.push(SectionChange { key: "lokaal".into(), mode: SectionMode::Replace, heading: "Lokale informatie".into(), body: rng.text(2, 4) });
    }
    Override {
        english: None,
        product: p.slug.clone(),
        based_on: p.revision,
        enabled: if rng.chance(0.03) { Some(false) } else { None },
        reason: None,
        refer_to: None,
        title: None,
        summary: if rng.chance(0.1) { Some(format!("{} in onze gemeente.", p.title)) } else { None },
        apply_url: if rng.chance(0.5) { Some(format!("https://formulieren.example.org/{}", p.slug)) } else { None },
        keywords: vec![],
        contact: None,
        variables: if rng.chance(0.3) { BTreeMap::from([("leges".into(), format!("€ {},00", rng.0.u32(10..200)).into())]) } else { BTreeMap::new() },
        sections,
        revision: 1,
        updated_at: now,
    }
}

/// Writes the synthetic country to `dir`; returns the number of files.
pub fn write(options: &Options, dir: &Path) -> Result<usize, BenchDataError> {
    let tree = generate(options)?;
    Ok(write_tree(dir, &tree)?)
}
