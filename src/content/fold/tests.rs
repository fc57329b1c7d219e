use std::collections::BTreeMap;

use super::*;
use crate::content::dated::Step;
use crate::content::model::{Dated, Lang, Section, Services, SectionChange, Status, VarKind, Variable};

fn product() -> Product {
    Product {
        english: None,
        slug: "paspoort".into(),
        title: "Paspoort aanvragen".into(),
        summary: "Een paspoort in {{ gemeente }}.".into(),
        audience: vec![Audience::Particulier],
        upl: Some("http://standaarden.overheid.nl/owms/terms/paspoort".into()),
        themes: vec!["Reizen".into()],
        life_events: vec![],
        keywords: vec!["reisdocument".into()],
        popular: false,
        variables: vec![
            Variable { name: "leges".into(), label: "Kosten".into(), default: Some("zie gemeente".into()), kind: Default::default() },
            Variable { name: "url".into(), label: "Link".into(), default: None, kind: Default::default() },
        ],
        sections: vec![
            section("wat", "Wat is het?", "Een reisdocument."),
            section("meenemen", "Meenemen", "Een pasfoto."),
            section("kosten", "Kosten", "In {{ gemeente }} kost het {{ var.leges }}."),
            section("termijn", "Termijn", "Vijf dagen."),
        ],
        status: Status::Published,
        publish_at: None,
        unpublish_at: None,
        revision: 3,
        updated_at: 100,
        review_date: None,
        content_owner: None,
    }
}

fn section(key: &str, heading: &str, body: &str) -> Section {
    Section { key: key.into(), heading: heading.into(), body: body.into() }
}

fn change(key: &str, mode: SectionMode, heading: &str, body: &str) -> SectionChange {
    SectionChange { key: key.into(), mode, heading: heading.into(), body: body.into() }
}

fn over(sections: Vec<SectionChange>) -> Override {
    Override { product: "paspoort".into(), based_on: 3, sections, ..Override::default() }
}

const SITE: SiteFields = SiteFields { name: "Gemeente Diemen", municipality: "Diemen", lang: Lang::Nl, services: &Services { forms_url: None, ombudsman: None, waste_point: None }, now: 0 };

struct Fixture {
    vars: BTreeMap<String, Dated>,
    contact: Contact,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture { vars: BTreeMap::new(), contact: Contact::default() }
    }

    fn layer<'a>(&'a self, name: &'a str, over: Option<&'a Override>) -> Layer<'a> {
        Layer { name, variables: &self.vars, contact: &self.contact, over, updated_at: 0 }
    }
}

fn keys(r: &Resolved) -> Vec<&str> {
    r.sections.iter().map(|s| s.key.as_str()).collect()
}

fn body<'a>(r: &'a Resolved, key: &str) -> &'a str {
    &r.sections.iter().find(|s| s.key == key).unwrap().body
}

#[test]
fn no_layers_gives_the_catalogue_with_defaults() {
    let r = fold(&product(), &[], SITE);
    assert!(r.enabled);
    assert_eq!(r.title, "Paspoort aanvragen");
    assert_eq!(r.summary, "Een paspoort in Diemen.");
    assert_eq!(keys(&r), ["wat", "meenemen", "kosten", "termijn"]);
    assert_eq!(body(&r, "kosten"), "In Diemen kost het zie gemeente.");
    assert!(r.sections.iter().all(|s| s.origin == Origin::Central));
    assert!(r.notes.contains(&Note::DefaultUsed { name: "leges".into() }));
    assert_eq!(r.variables[1].source, ValueSource::Missing);
    assert_eq!(r.modified, 100);
}

#[test]
fn empty_layers_change_nothing() {
    let f = Fixture::new();
    let empty = over(vec![]);
    let plain = fold(&product(), &[], SITE);
    let with_layers = fold(
        &product(),
        &[f.layer("group:a", None), f.layer("group:b", Some(&empty)), f.layer("site:x", None)],
        SITE,
    );
    assert_eq!(plain, with_layers);
}

#[test]
fn replace_swaps_heading_and_text() {
    let f = Fixture::new();
    let o = over(vec![change("meenemen", SectionMode::Replace, "Wat neemt u mee?", "Uw oude paspoort.")]);
    let r = fold(&product(), &[f.layer("site:diemen", Some(&o))], SITE);
    let s = &r.sections[1];
    assert_eq!((s.heading.as_str(), s.body.as_str()), ("Wat neemt u mee?", "Uw oude paspoort."));
    assert_eq!(s.origin, Origin::Replaced { by: "site:diemen".into() });
    assert_eq!(keys(&r), ["wat", "meenemen", "kosten", "termijn"], "order is kept");
}

#[test]
fn replace_without_heading_keeps_the_central_heading() {
    let f = Fixture::new();
    let o = over(vec![change("wat", SectionMode::Replace, "", "Anders.")]);
    let r = fold(&product(), &[f.layer("site:x", Some(&o))], SITE);
    assert_eq!(r.sections[0].heading, "Wat is het?");
    assert_eq!(r.sections[0].body, "Anders.");
}

#[test]
fn append_and_prepend_keep_the_central_text_and_heading() {
    let f = Fixture::new();
    let o = over(vec![
        change("meenemen", SectionMode::Append, "Genegeerd", "Ook uw oude paspoort."),
        change("wat", SectionMode::Prepend, "Genegeerd", "Let op:"),
    ]);
    let r = fold(&product(), &[f.layer("site:x", Some(&o))], SITE);
    assert_eq!(body(&r, "meenemen"), "Een pasfoto.\n\nOok uw oude paspoort.");
    assert_eq!(body(&r, "wat"), "Let op:\n\nEen reisdocument.");
    assert_eq!(r.sections[1].heading, "Meenemen");
    assert_eq!(r.sections[0].heading, "Wat is het?");
    assert_eq!(r.sections[1].origin, Origin::Extended { by: vec!["site:x".into()] });
}

#[test]
fn hide_removes_a_section() {
    let f = Fixture::new();
    let o = over(vec![change("termijn", SectionMode::Hide, "", "")]);
    let r = fold(&product(), &[f.layer("site:x", Some(&o))], SITE);
    assert_eq!(keys(&r), ["wat", "meenemen", "kosten"]);
}

#[test]
fn a_later_replace_shows_a_hidden_section_again() {
    let f = Fixture::new();
    let group = over(vec![change("termijn", SectionMode::Hide, "", "")]);
    let site = over(vec![change("termijn", SectionMode::Replace, "Hoe lang duurt het?", "Drie dagen.")]);
    let r = fold(&product(), &[f.layer("group:g", Some(&group)), f.layer("site:x", Some(&site))], SITE);
    assert_eq!(keys(&r), ["wat", "meenemen", "kosten", "termijn"]);
    assert_eq!(body(&r, "termijn"), "Drie dagen.");
}

#[test]
fn appending_to_a_hidden_section_keeps_it_hidden() {
    let f = Fixture::new();
    let group = over(vec![change("termijn", SectionMode::Hide, "", "")]);
    let site = over(vec![change("termijn", SectionMode::Append, "", "Extra.")]);
    let r = fold(&product(), &[f.layer("group:g", Some(&group)), f.layer("site:x", Some(&site))], SITE);
    assert_eq!(keys(&r), ["wat", "meenemen", "kosten"]);
}

#[test]
fn unknown_keys_become_local_sections_after_the_others_in_layer_order() {
    let f = Fixture::new();
    let group = over(vec![change("parkeren", SectionMode::Replace, "Parkeren", "Achter het gemeentehuis.")]);
    let site = over(vec![
        change("openingstijden", SectionMode::Append, "Openingstijden", "Ma-vr 9-17."),
        change("wat", SectionMode::Append, "", "Meer."),
    ]);
    let r = fold(&product(), &[f.layer("group:g", Some(&group)), f.layer("site:x", Some(&site))], SITE);
    assert_eq!(keys(&r), ["wat", "meenemen", "kosten", "termijn", "parkeren", "openingstijden"]);
    assert_eq!(r.sections[4].origin, Origin::Local { by: "group:g".into() });
    assert_eq!(r.sections[5].heading, "Openingstijden");
    assert_eq!(r.sections[5].body, "Ma-vr 9-17.");
}

#[test]
fn a_site_can_change_a_group_local_section() {
    let f = Fixture::new();
    let group = over(vec![change("parkeren", SectionMode::Replace, "Parkeren", "Achter het gemeentehuis.")]);
    let site = over(vec![change("parkeren", SectionMode::Append, "", "Gratis.")]);
    let r = fold(&product(), &[f.layer("group:g", Some(&group)), f.layer("site:x", Some(&site))], SITE);
    assert_eq!(body(&r, "parkeren"), "Achter het gemeentehuis.\n\nGratis.");
    assert_eq!(keys(&r).len(), 5);
}

#[test]
fn hiding_an_unknown_key_is_noted_and_harmless() {
    let f = Fixture::new();
    let o = over(vec![change("bestaat-niet", SectionMode::Hide, "", "")]);
    let r = fold(&product(), &[f.layer("site:x", Some(&o))], SITE);
    assert_eq!(keys(&r), ["wat", "meenemen", "kosten", "termijn"]);
    assert!(r.notes.contains(&Note::HidesUnknownSection { layer: "site:x".into(), key: "bestaat-niet".into() }));
}

#[test]
fn group_order_decides_and_the_site_wins() {
    let f = Fixture::new();
    let a = Override { title: Some("A".into()), summary: Some("sa".into()), apply_url: Some("https://a".into()), ..over(vec![]) };
    let b = Override { title: Some("B".into()), ..over(vec![]) };
    let r = fold(&product(), &[f.layer("group:a", Some(&a)), f.layer("group:b", Some(&b))], SITE);
    assert_eq!((r.title.as_str(), r.summary.as_str()), ("B", "sa"));
    assert_eq!(r.apply_url.as_deref(), Some("https://a"));
    let r = fold(&product(), &[f.layer("group:b", Some(&b)), f.layer("group:a", Some(&a))], SITE);
    assert_eq!(r.title, "A");
    let site = Override { title: Some("S".into()), apply_url: Some("https://s".into()), ..over(vec![]) };
    let r = fold(
        &product(),
        &[f.layer("group:a", Some(&a)), f.layer("group:b", Some(&b)), f.layer("site:x", Some(&site))],
        SITE,
    );
    assert_eq!((r.title.as_str(), r.apply_url.as_deref()), ("S", Some("https://s")));
}

#[test]
fn group_replacements_then_site_appends_in_order() {
    let f = Fixture::new();
    let a = over(vec![change("wat", SectionMode::Replace, "A", "a")]);
    let b = over(vec![change("wat", SectionMode::Append, "", "b")]);
    let s = over(vec![change("wat", SectionMode::Prepend, "", "s")]);
    let r = fold(
        &product(),
        &[f.layer("group:a", Some(&a)), f.layer("group:b", Some(&b)), f.layer("site:x", Some(&s))],
        SITE,
    );
    assert_eq!(body(&r, "wat"), "s\n\na\n\nb");
    assert_eq!(r.sections[0].heading, "A");
    assert_eq!(r.sections[0].origin, Origin::Replaced { by: "group:a".into() });
}

#[test]
fn opt_out_at_group_level_and_back_in_at_site_level() {
    let f = Fixture::new();
    let out = Override { enabled: Some(false), ..over(vec![]) };
    let back = Override { enabled: Some(true), ..over(vec![]) };
    let silent = over(vec![]);
    let r = fold(&product(), &[f.layer("group:g", Some(&out))], SITE);
    assert!(!r.enabled);
    let r = fold(&product(), &[f.layer("group:g", Some(&out)), f.layer("site:x", Some(&silent))], SITE);
    assert!(!r.enabled, "a site override that says nothing inherits the opt-out");
    let r = fold(&product(), &[f.layer("group:g", Some(&out)), f.layer("site:x", Some(&back))], SITE);
    assert!(r.enabled);
    let r = fold(&product(), &[f.layer("group:g", Some(&back)), f.layer("site:x", Some(&out))], SITE);
    assert!(!r.enabled);
}

#[test]
fn variables_fold_default_group_site_and_override() {
    let mut group = Fixture::new();
    group.vars.insert("leges".into(), "€ 80".into());
    let mut site = Fixture::new();
    let r = fold(&product(), &[group.layer("group:g", None), site.layer("site:x", None)], SITE);
    assert_eq!(body(&r, "kosten"), "In Diemen kost het € 80.");
    assert_eq!(r.variables[0].source, ValueSource::Layer { name: "group:g".into() });
    assert!(!r.notes.contains(&Note::DefaultUsed { name: "leges".into() }));

    let group_over = Override { variables: BTreeMap::from([("leges".into(), "€ 81".into())]), ..over(vec![]) };
    let r = fold(&product(), &[group.layer("group:g", Some(&group_over)), site.layer("site:x", None)], SITE);
    assert_eq!(r.variables[0].value, "€ 81", "the group's product override beats its general value");

    site.vars.insert("leges".into(), "€ 82".into());
    let r = fold(&product(), &[group.layer("group:g", Some(&group_over)), site.layer("site:x", None)], SITE);
    assert_eq!(r.variables[0].value, "€ 82", "the site beats the group");

    let site_over = Override { variables: BTreeMap::from([("leges".into(), "€ 83".into())]), ..over(vec![]) };
    let r = fold(&product(), &[group.layer("group:g", Some(&group_over)), site.layer("site:x", Some(&site_over))], SITE);
    assert_eq!(r.variables[0].value, "€ 83");
    assert_eq!(body(&r, "kosten"), "In Diemen kost het € 83.");
}

#[test]
fn missing_variables_never_show_raw_syntax() {
    let f = Fixture::new();
    let o = over(vec![change("kosten", SectionMode::Append, "", "Aanvragen: {{ var.url }} {{ var.onbekend }} {{ iets }}")]);
    let r = fold(&product(), &[f.layer("site:x", Some(&o))], SITE);
    let text = body(&r, "kosten");
    assert!(!text.contains("{{") && !text.contains("}}"), "{text}");
    assert!(r.notes.contains(&Note::MissingVariable { name: "url".into() }));
    assert!(r.notes.contains(&Note::MissingVariable { name: "onbekend".into() }));
    assert!(r.notes.contains(&Note::UnknownPlaceholder { text: "iets".into() }));
}

#[test]
fn placeholders_are_filled_in_override_text_titles_and_links() {
    let mut f = Fixture::new();
    f.vars.insert("url".into(), "https://diemen.example/paspoort".into());
    let o = Override {
        english: None,
        title: Some("Paspoort in {{ gemeente }}".into()),
        apply_url: Some("{{ var.url }}".into()),
        ..over(vec![change("lokaal", SectionMode::Replace, "Bij {{ site.name }}", "Kijk op {{ var.url }}.")])
    };
    let r = fold(&product(), &[f.layer("site:x", Some(&o))], SITE);
    assert_eq!(r.title, "Paspoort in Diemen");
    assert_eq!(r.apply_url.as_deref(), Some("https://diemen.example/paspoort"));
    assert_eq!(r.sections[4].heading, "Bij Gemeente Diemen");
    assert_eq!(r.sections[4].body, "Kijk op https://diemen.example/paspoort.");
}

#[test]
fn undeclared_values_still_fill_override_text() {
    let mut f = Fixture::new();
    f.vars.insert("extra".into(), "x".into());
    let o = over(vec![change("wat", SectionMode::Append, "", "{{ var.extra }}")]);
    let r = fold(&product(), &[f.layer("site:x", Some(&o))], SITE);
    assert!(body(&r, "wat").ends_with("\n\nx"));
    assert_eq!(r.variables.len(), 2, "only declared variables are listed");
}

#[test]
fn contact_general_then_product_specific() {
    let group = Fixture {
        vars: BTreeMap::new(),
        contact: Contact { phone: Some("14 020".into()), email: Some("g@example.org".into()), ..Contact::default() },
    };
    let site = Fixture {
        vars: BTreeMap::new(),
        contact: Contact { email: Some("s@example.org".into()), address: Some("Plein 1".into()), ..Contact::default() },
    };
    let r = fold(&product(), &[group.layer("group:g", None), site.layer("site:x", None)], SITE);
    assert_eq!(r.contact.phone.as_deref(), Some("14 020"));
    assert_eq!(r.contact.email.as_deref(), Some("s@example.org"));
    assert_eq!(r.contact.address.as_deref(), Some("Plein 1"));

    let specific = Override {
        english: None,
        contact: Some(Contact { phone: Some("020 123".into()), ..Contact::default() }),
        ..over(vec![])
    };
    let r = fold(&product(), &[group.layer("group:g", Some(&specific)), site.layer("site:x", None)], SITE);
    assert_eq!(r.contact.phone.as_deref(), Some("020 123"), "a product-specific number beats the general one");
    assert_eq!(r.contact.email.as_deref(), Some("s@example.org"));
}

#[test]
fn keywords_are_extended_without_duplicates() {
    let f = Fixture::new();
    let o = Override { keywords: vec!["reisdocument".into(), "pas".into()], ..over(vec![]) };
    let r = fold(&product(), &[f.layer("site:x", Some(&o))], SITE);
    assert_eq!(r.keywords, ["reisdocument", "pas"]);
}

#[test]
fn modified_is_the_latest_change_of_any_layer() {
    let f = Fixture::new();
    let o = Override { updated_at: 500, ..over(vec![]) };
    let layer = Layer { updated_at: 300, ..f.layer("group:g", None) };
    let r = fold(&product(), &[layer, f.layer("site:x", Some(&o))], SITE);
    assert_eq!(r.modified, 500);
}

#[test]
fn typed_variables_without_a_value_give_a_whole_sentence() {
    let mut p = product();
    p.variables = vec![
        Variable { name: "leges".into(), label: "Kosten".into(), default: None, kind: VarKind::Amount },
        Variable { name: "aanvraag_url".into(), label: "Link".into(), default: None, kind: VarKind::Url },
        Variable { name: "loket".into(), label: "Loket".into(), default: None, kind: VarKind::Text },
    ];
    p.sections = vec![
        Section { key: "kosten".into(), heading: "Kosten".into(), body: "Een paspoort kost {{ var.leges }}. Betalen kan met pin.\n\n- Voor kinderen kost het {{ var.leges }} extra.\n- Spoed kan ook.".into() },
        Section { key: "aanvragen".into(), heading: "Aanvragen".into(), body: "Maak een afspraak.\n\n[Online aanvragen]({{ var.aanvraag_url }})\n\nGa naar {{ var.loket }}.".into() },
    ];
    let r = fold(&p, &[], SITE);
    let body = |key: &str| r.sections.iter().find(|s| s.key == key).unwrap().body.clone();
    assert_eq!(body("kosten"), "Vraag de gemeente wat dit kost. Betalen kan met pin.\n\n- Vraag de gemeente wat dit kost.\n- Spoed kan ook.");
    assert_eq!(body("aanvragen"), "Maak een afspraak.\n\nVraag de gemeente hoe u dit regelt.\n\nGa naar .", "a text variable is left out, as before");
    assert!(r.notes.contains(&Note::MissingVariable { name: "leges".into() }), "editors still see what is missing");
    let english = fold(&p, &[], SiteFields { lang: Lang::En, ..SITE });
    assert!(english.sections[0].body.starts_with("Ask the municipality what this costs. Betalen"));
    // With a value, nothing changes.
    let values = BTreeMap::from([("leges".to_owned(), Dated::plain("€ 84,10"))]);
    let contact = Contact::default();
    let layer = Layer { name: "site", over: None, variables: &values, contact: &contact, updated_at: 1 };
    let r = fold(&p, &[layer], SITE);
    assert!(r.sections[0].body.starts_with("Een paspoort kost € 84,10. Betalen"));
}

/// 1 January 2027, midnight in the Netherlands.
const NEW_YEAR: i64 = 1_798_758_000;

fn fee_from_new_year() -> Dated {
    Dated::new(vec![Step::new("€ 84", None), Step::new("€ 86", Some("2027-01-01".into()))])
}

#[test]
fn a_value_with_dates_changes_at_its_moment() {
    assert_eq!(crate::content::dated::moment("2027-01-01"), Some(NEW_YEAR));
    let mut site = Fixture::new();
    site.vars.insert("leges".into(), fee_from_new_year());
    let before = fold(&product(), &[site.layer("site:x", None)], SiteFields { now: NEW_YEAR - 1, ..SITE });
    assert_eq!(body(&before, "kosten"), "In Diemen kost het € 84.");
    assert_eq!(before.next_change, Some(NEW_YEAR), "pages built before know when they stop being true");
    let after = fold(&product(), &[site.layer("site:x", None)], SiteFields { now: NEW_YEAR, ..SITE });
    assert_eq!(body(&after, "kosten"), "In Diemen kost het € 86.");
    assert_eq!(after.next_change, None);
}

#[test]
fn a_value_that_starts_later_leaves_the_layer_before_it_until_then() {
    let mut group = Fixture::new();
    group.vars.insert("leges".into(), Dated::plain("€ 80"));
    let site_over = Override { variables: BTreeMap::from([("leges".into(), Dated::new(vec![Step::new("€ 90", Some("2027-01-01".into()))]))]), ..over(vec![]) };
    let site = Fixture::new();
    let layers = [group.layer("group:g", None), site.layer("site:x", Some(&site_over))];
    let r = fold(&product(), &layers, SiteFields { now: NEW_YEAR - 60, ..SITE });
    assert_eq!(r.variables[0].value, "€ 80");
    assert_eq!(r.variables[0].source, ValueSource::Layer { name: "group:g".into() });
    let r = fold(&product(), &layers, SiteFields { now: NEW_YEAR + 60, ..SITE });
    assert_eq!(r.variables[0].value, "€ 90");
    assert_eq!(r.variables[0].source, ValueSource::Layer { name: "site:x".into() });
}

#[test]
fn a_default_with_dates_holds_where_no_layer_sets_a_value() {
    let mut p = product();
    p.variables[0].default = Some(fee_from_new_year());
    let r = fold(&p, &[], SiteFields { now: NEW_YEAR - 1, ..SITE });
    assert_eq!(r.variables[0].value, "€ 84");
    assert_eq!(r.next_change, Some(NEW_YEAR));
    assert_eq!(fold(&p, &[], SiteFields { now: NEW_YEAR + 1, ..SITE }).variables[0].value, "€ 86");
}

#[test]
fn an_opt_out_brings_its_reason_and_a_later_layer_can_offer_again() {
    let f = Fixture::new();
    let group_out = Override { enabled: Some(false), reason: Some("De regio regelt dit.".into()), refer_to: Some("https://regio.example/".into()), ..over(vec![]) };
    let r = fold(&product(), &[f.layer("group:g", Some(&group_out)), f.layer("site:x", None)], SITE);
    assert!(!r.enabled);
    let why = r.opt_out.expect("an opt-out");
    assert_eq!((why.by.as_str(), why.reason.as_deref(), why.refer_to.as_deref()), ("group:g", Some("De regio regelt dit."), Some("https://regio.example/")));
    let site_in = Override { enabled: Some(true), ..over(vec![]) };
    let r = fold(&product(), &[f.layer("group:g", Some(&group_out)), f.layer("site:x", Some(&site_in))], SITE);
    assert!(r.enabled && r.opt_out.is_none(), "the site offers it again");
}
