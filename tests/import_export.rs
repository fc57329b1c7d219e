//! Import and export of the content format, on a real database: round trips, and bad input
//! refused with every problem named by file and line, with nothing imported.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use common::{TestDb, demo_content, fixture};
use meent::content::export::export_dir;
use meent::content::import::{ImportError, import_dir};
use meent::db::models::{catalogue, changes, layers};

/// Every file under `root`, by relative path.
fn read_all(root: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().display().to_string();
                out.insert(rel, fs::read_to_string(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn round_trip(source: &Path) {
    let first = TestDb::new();
    let mut conn = first.conn();
    import_dir(&mut conn, source, None, 1_700_000_000, None).expect("import");
    let a = first.dir.path().join("a");
    export_dir(&mut conn, &a, None).expect("export");

    let second = TestDb::new();
    let mut conn2 = second.conn();
    import_dir(&mut conn2, &a, None, 1_800_000_000, None).expect("import the export");
    let b = second.dir.path().join("b");
    export_dir(&mut conn2, &b, None).expect("export again");

    let (files_a, files_b) = (read_all(&a), read_all(&b));
    assert!(!files_a.is_empty());
    assert_eq!(files_a.keys().collect::<Vec<_>>(), files_b.keys().collect::<Vec<_>>());
    for (name, text) in &files_a {
        assert_eq!(text, &files_b[name], "{name} differs after export, import, export");
    }
    // Importing the same content again changes nothing.
    let again = import_dir(&mut conn2, &a, None, 1_900_000_000, None).expect("re-import");
    assert!(again.changed.is_empty(), "{again}");
}

#[test]
fn demo_content_round_trips() {
    round_trip(&demo_content());
}

#[test]
fn fixture_round_trips() {
    round_trip(&fixture("country"));
}

#[test]
fn export_keeps_every_kind_and_value() {
    let db = TestDb::new();
    let mut conn = db.conn();
    import_dir(&mut conn, &fixture("country"), None, 1_700_000_000, None).unwrap();
    let out = db.dir.path().join("out");
    export_dir(&mut conn, &out, None).unwrap();
    let files = read_all(&out);
    let paspoort = &files["catalogue/paspoort.md"];
    assert!(paspoort.contains("revision = 2") && paspoort.contains("[variables.leges]") && paspoort.contains("## Kosten {#kosten}"));
    let over = &files["sites/alpha/overrides/paspoort.md"];
    assert!(over.contains("based_on = 2") && over.contains("[sections.termijn]") && over.contains("mode = \"hide\""));
    assert!(over.contains("## Parkeren {#parkeren}") && !over.contains("{#termijn}"));
    assert!(files.contains_key("sites/alpha/pages/afval/index.md"));
    assert!(files.contains_key("sites/alpha/pages/afval/pmd.md"));
    assert!(files.contains_key("groups/regio/news/2026-01-10-groepsnieuws.md"));
    assert!(files["sites/alpha/alerts/later.md"].contains("starts = \"2098-12-31T23:00:00Z\""));
    assert!(files["catalogue/geheim-product.md"].contains("status = \"draft\""));
    assert!(files["sites/alpha/site.toml"].contains("hosts = [\"alpha.test\", \"www.alpha.test\"]"));
}

/// Writes files under a temp content dir: (relative path, text).
fn content(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in files {
        let path = dir.path().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir
}

fn problems(dir: &Path, db: &TestDb) -> Vec<String> {
    let mut conn = db.conn();
    match import_dir(&mut conn, dir, None, 1_700_000_000, None) {
        Err(ImportError::Problems(p)) => p.iter().map(ToString::to_string).collect(),
        other => panic!("expected problems, got {other:?}"),
    }
}

const PRODUCT: &str = "+++\ntitle = \"Paspoort\"\nsummary = \"s\"\n+++\n## Wat {#wat}\nTekst.\n";
const SITE: &str = "name = \"Gemeente A\"\nhosts = [\"a.test\"]\n";

#[test]
fn bad_files_are_all_reported_with_file_and_line_and_nothing_is_imported() {
    let dir = content(&[
        ("catalogue/paspoort.md", PRODUCT),
        ("catalogue/kapot.md", "+++\ntitle = \"x\"\nsummary = \n+++\n"),
        ("catalogue/onbekend.md", "+++\ntitle = \"x\"\nsummary = \"y\"\ncolour = \"blauw\"\n+++\n"),
        ("catalogue/geen-voorwerk.md", "## Wat {#wat}\n"),
        ("catalogue/status.md", "+++\ntitle = \"x\"\nsummary = \"y\"\nstatus = \"live\"\n+++\n"),
        ("catalogue/dubbel.md", "+++\ntitle = \"x\"\nsummary = \"y\"\n+++\n## A {#a}\n\n## B {#a}\n"),
        ("groups/g/group.toml", "name = \"G\"\n"),
        ("sites/a/site.toml", "name = \"Gemeente A\"\nhosts = [\"a.test\"]\ngroups = [\"g\", \"bestaat-niet\"]\n"),
        ("sites/b/site.toml", "name = \"Gemeente B\"\n\nhosts = [\"b.test\", \"a.test\"]\n"),
        ("sites/a/overrides/onbekend-product.md", "+++\nbased_on = 1\n+++\n"),
        ("sites/a/overrides/paspoort.md", "+++\nbased_on = 7\n+++\n"),
        ("sites/a/news/2026-13-45-fout.md", "+++\ntitle = \"x\"\n+++\n"),
        ("sites/a/news/2026-01-02-datum.md", "+++\ntitle = \"x\"\ndate = \"gisteren\"\n+++\n"),
        ("sites/a/alerts/storing.md", "+++\ntitle = \"x\"\nseverity = \"info\"\nstarts = \"morgen\"\n+++\n"),
        ("sites/a/alerts/omgekeerd.md", "+++\ntitle = \"x\"\nseverity = \"info\"\nstarts = \"2026-01-02T00:00:00Z\"\nends = \"2026-01-01T00:00:00Z\"\n+++\n"),
        ("sites/a/overrides/paspoort-link.md", "+++\napply_url = \"javascript:alert(1)\"\n+++\n"),
        ("sites/c/site.toml", "name = \"Gemeente C\"\nhosts = [\"c.test\"]\n[contact]\nurl = \"javascript:alert(1)\"\n"),
        ("sites/c/pages/afval.md", "+++\ntitle = \"Afval\"\n+++\n"),
        ("catalogue/spoed.md", "+++\ntitle = \"Spoed\"\nsummary = \"s\"\n[variables.extra_kosten]\nlabel = \"Spoed\"\nkind = \"amount\"\ndefault = \"een extra bedrag\"\n[variables.link]\nlabel = \"Link\"\nkind = \"url\"\ndefault = \"https://www.example.org/formulier\"\n+++\n## Kosten {#kosten}\nSpoed kost {{ var.extra_kosten }} extra.\n"),
        ("sites/a/overrides/spoed.md", "+++\nbased_on = 1\n[variables]\nextra_kosten = \"€ 10 extra\"\n+++\n"),
        ("sites/c/accessibility.toml", "status = \"A\"\ndate = 2026-01-01\n\n[[problems]]\ndescription = \"Kaart\"\nfix_by = \"volgend jaar\"\n"),
        ("sites/c/pages/toegankelijkheid.md", "+++\ntitle = \"Toegankelijkheid\"\n+++\n"),
        ("sites/c/pages/afval/index.md", "+++\ntitle = \"Afval\"\n+++\n"),
        ("sites/c/pages/later.md", "+++\ntitle = \"x\"\npublish_at = \"2026-02-01T00:00:00Z\"\nunpublish_at = \"2026-01-01T00:00:00Z\"\n+++\n"),
    ]);
    let db = TestDb::new();
    let all = problems(dir.path(), &db);
    let text = all.join("\n");
    let expect = [
        "catalogue/kapot.md:3:",
        "catalogue/onbekend.md:4: unknown field `colour`",
        "catalogue/geen-voorwerk.md:1:",
        "catalogue/status.md:4:",
        "catalogue/dubbel.md:7: section key 'a' is used twice",
        "sites/b/site.toml:3: host 'a.test' is also used by sites/a/site.toml",
        "sites/a/news/2026-13-45-fout.md:",
        "sites/a/news/2026-01-02-datum.md:3: date: \"gisteren\" is not a date",
        "sites/a/alerts/storing.md:4: starts: \"morgen\" is not a date and time",
        "sites/a/alerts/omgekeerd.md:5: ends: is not after starts",
        "sites/a/overrides/paspoort-link.md:2: apply_url: must be an http:// or https:// URL",
        "sites/c/site.toml:4: contact/url: \"javascript:alert(1)\" must be an http:// or https:// URL",
        "is also defined by sites/c/pages/afval",
        "sites/c/pages/later.md:4: unpublish_at: is not after publish_at",
        "sites/c/accessibility.toml:6: problems/0/fix_by: \"volgend jaar\" is not a date",
        "sites/c/accessibility.toml:1: status: status A needs an audit",
        "sites/c/accessibility.toml:4: problems: status A means no known problems",
        "/toegankelijkheid is a path Meent uses itself",
        "catalogue/spoed.md:7: variables/extra_kosten/default: \"een extra bedrag\" is not an amount",
        "catalogue/spoed.md:7: variables/extra_kosten/default: with \"een extra bedrag\" a sentence reads \"Spoed kost een extra bedrag extra.\" (\"extra\" twice)",
        "catalogue/spoed.md:11: variables/link/default: \"https://www.example.org/formulier\" is a placeholder address",
    ];
    for e in expect {
        assert!(text.contains(e), "missing {e:?} in:\n{text}");
    }
    // Nothing was written.
    let mut conn = db.conn();
    assert!(catalogue::all(&mut conn).unwrap().is_empty());
    assert!(layers::sites(&mut conn).unwrap().is_empty());
    assert_eq!(changes::latest(&mut conn).unwrap(), 0);
}

/// One run reports the problems of every phase: the files themselves, the references between
/// them and against the database, the images; a file with a problem causes no second,
/// derived problem (its product or layer is not "unknown" as well).
#[test]
fn an_import_reports_every_kind_of_mistake_at_once() {
    let db = TestDb::new();
    // The database already has a site with a host the tree tries to take.
    import_dir(&mut db.conn(), content(&[("catalogue/paspoort.md", PRODUCT), ("sites/a/site.toml", SITE)]).path(), None, 1, None).unwrap();
    let dir = content(&[
        ("catalogue/paspoort.md", PRODUCT),
        // A broken front matter (parse error) and a bad value (checked field by field).
        ("catalogue/kapot.md", "+++\ntitle = \"Kapot\"\nsummary = \n+++\n"),
        ("catalogue/leeg.md", "+++\ntitle = \" \"\nsummary = \"s\"\nupdated = \"gisteren\"\n+++\n"),
        // References: an unknown group, and a group whose own file is broken (reported once).
        ("groups/stuk/group.toml", "name = 3\n"),
        ("sites/b/site.toml", "name = \"Gemeente B\"\nhosts = [\"b.test\"]\ngroups = [\"stuk\", \"bestaat-niet\"]\n"),
        ("sites/b/overrides/kapot.md", "+++\nbased_on = 1\n+++\n## Wat {#wat}\nLokaal.\n"),
        ("sites/b/overrides/weg.md", "+++\nbased_on = 1\n+++\n## Wat {#wat}\nLokaal.\n"),
        ("sites/b/pages/info.md", "+++\ntitle = \"Info\"\npublish_at = \"morgen\"\n+++\nTekst.\n"),
        // Against the database: a host that belongs to another site.
        ("sites/c/site.toml", "name = \"Gemeente C\"\nhosts = [\"a.test\"]\n"),
        // An image that is not one.
        ("sites/b/media.toml", "[[image]]\nkey = \"foto\"\nfile = \"media/foto.jpg\"\nalt = \"Een foto\"\n"),
        ("sites/b/media/foto.jpg", "dit is geen foto"),
    ]);
    let mut conn = db.conn();
    let media = meent::media::MediaFiles::new(std::sync::Arc::new(meent::media::store::DirStore::new(&db.dir.path().join("media"))), Default::default());
    let found = match import_dir(&mut conn, dir.path(), None, 2, Some(&media)) {
        Err(ImportError::Problems(p)) => p.iter().map(ToString::to_string).collect::<Vec<_>>(),
        other => panic!("expected problems, got {other:?}"),
    };
    let text = found.join("\n");
    for expected in [
        "catalogue/kapot.md:3:",
        "catalogue/leeg.md:2: title: must not be empty",
        "catalogue/leeg.md:4: updated: \"gisteren\" is not a date and time",
        "groups/stuk/group.toml:1:",
        "sites/b/site.toml:3: unknown group 'bestaat-niet'",
        "sites/b/overrides/weg.md:1: unknown product 'weg'",
        "sites/b/pages/info.md:3: publish_at: \"morgen\" is not a date and time",
        "sites/c/site.toml:2: host 'a.test' already belongs to site 'a'",
        "sites/b/media.toml:1: sites/b/media/foto.jpg:",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(!text.contains("unknown group 'stuk'") && !text.contains("unknown product 'kapot'") && !text.contains("unknown product 'leeg'"), "no derived problems:\n{text}");
    assert!(!catalogue::all(&mut conn).unwrap().iter().any(|(_, p)| p.slug == "kapot"), "nothing imported");
    assert_eq!(layers::sites(&mut conn).unwrap().len(), 1, "nothing imported");
}

/// An export imported into an empty database keeps every date and revision: the second
/// installation's items are the first one's.
#[test]
fn a_restore_keeps_modification_dates_and_revisions() {
    let first = TestDb::new();
    import_dir(&mut first.conn(), &demo_content(), None, 1_700_000_000, None).unwrap();
    // One item changed later than the rest.
    let later = content(&[("catalogue/paspoort.md", PRODUCT)]);
    let _ = import_dir(&mut first.conn(), later.path(), None, 1_750_000_000, None);
    let dir = first.dir.path().join("export");
    export_dir(&mut first.conn(), &dir, None).unwrap();
    let second = TestDb::new();
    import_dir(&mut second.conn(), &dir, None, 1_800_000_000, None).unwrap();
    let (a, b) = (meent::content::export::snapshot(&mut first.conn()).unwrap(), meent::content::export::snapshot(&mut second.conn()).unwrap());
    assert_eq!(format!("{a:?}"), format!("{b:?}"), "the same items, dates and revisions");
    assert!(a.products.iter().all(|p| p.updated_at == 1_700_000_000 || p.updated_at == 1_750_000_000));
    assert!(a.pages.iter().chain(b.pages.iter()).all(|p| p.updated_at == 1_700_000_000));
}

#[test]
fn references_are_checked_against_the_tree_and_the_database() {
    let dir = content(&[
        ("catalogue/paspoort.md", PRODUCT),
        ("groups/g/group.toml", "name = \"G\"\n"),
        ("sites/a/site.toml", "name = \"Gemeente A\"\nhosts = [\"a.test\"]\ngroups = [\"g\", \"bestaat-niet\"]\npopular = [\"paspoort\", \"weg\"]\n"),
        ("sites/a/overrides/onbekend-product.md", "+++\nbased_on = 1\n+++\n"),
        ("sites/a/overrides/paspoort.md", "+++\nbased_on = 7\n+++\n"),
    ]);
    let db = TestDb::new();
    let text = problems(dir.path(), &db).join("\n");
    for e in [
        "sites/a/site.toml:3: unknown group 'bestaat-niet'",
        "sites/a/site.toml:4: unknown product 'weg'",
        "sites/a/overrides/onbekend-product.md:1: unknown product 'onbekend-product'",
        "sites/a/overrides/paspoort.md:2: based_on = 7 but catalogue/paspoort.md is at revision 1",
    ] {
        assert!(text.contains(e), "missing {e:?} in:\n{text}");
    }
    let mut conn = db.conn();
    assert!(catalogue::all(&mut conn).unwrap().is_empty(), "all or nothing");

    // Placeholders in links are allowed; what they become is checked when shown.
    let ok = content(&[("catalogue/paspoort.md", PRODUCT), ("sites/a/site.toml", SITE), ("sites/a/overrides/paspoort.md", "+++\napply_url = \"{{ var.afspraak_url }}\"\n+++\n")]);
    import_dir(&mut db.conn(), ok.path(), None, 1, None).expect("a placeholder link");
    let fresh = TestDb::new();
    let mut conn = fresh.conn();

    // A later import may refer to what the database already has.
    import_dir(&mut conn, content(&[("catalogue/paspoort.md", PRODUCT), ("sites/a/site.toml", SITE)]).path(), None, 1, None).unwrap();
    let later = content(&[("sites/a/overrides/paspoort.md", "+++\nbased_on = 1\n+++\n## Wat {#wat}\nLokaal.\n")]);
    let report = import_dir(&mut conn, later.path(), None, 2, None).unwrap();
    assert_eq!(report.changed.get("override"), Some(&1));
    // A host already taken by another site in the database is refused.
    let clash = content(&[("sites/b/site.toml", "name = \"Gemeente B\"\nhosts = [\"a.test\"]\n")]);
    let text = problems(clash.path(), &fresh).join("\n");
    assert!(text.contains("sites/b/site.toml:2: host 'a.test' already belongs to site 'a'"), "{text}");
}

#[test]
fn changes_bump_revisions_and_append_to_the_change_log() {
    let db = TestDb::new();
    let mut conn = db.conn();
    let v1 = content(&[("catalogue/paspoort.md", PRODUCT)]);
    import_dir(&mut conn, v1.path(), None, 1, None).unwrap();
    let after_first = changes::latest(&mut conn).unwrap();
    assert_eq!(catalogue::find(&mut conn, "paspoort").unwrap().unwrap().1.revision, 1);
    let v2 = content(&[("catalogue/paspoort.md", &PRODUCT.replace("Tekst.", "Nieuwe tekst."))]);
    import_dir(&mut conn, v2.path(), None, 2, None).unwrap();
    let (_, p) = catalogue::find(&mut conn, "paspoort").unwrap().unwrap();
    assert_eq!((p.revision, p.updated_at), (2, 2));
    let log = changes::since(&mut conn, after_first, 10).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!((log[0].kind, log[0].item_key.as_str()), (meent::content::kind::Kind::Product, "paspoort"));
    let history = meent::db::models::revisions::history(&mut conn, meent::content::kind::Kind::Product, "paspoort").unwrap();
    assert_eq!(history.iter().map(|r| r.revision).collect::<Vec<_>>(), [2, 1]);
    assert!(history[1].data.contains("Tekst.") && history[0].data.contains("Nieuwe tekst."));
}

#[test]
fn unexpected_files_and_bad_encoding_are_reported() {
    let dir = content(&[
        ("catalogue/notities.txt", "x"),
        ("sites/a/site.toml", SITE),
        ("sites/a/foto's/x.md", "x"),
        ("sites/a/pages/index.md", "+++\ntitle = \"Home\"\n+++\n"),
        ("sites/a/pages/producten.md", "+++\ntitle = \"Botst\"\n+++\n"),
        ("extra/x.md", "x"),
    ]);
    fs::write(dir.path().join("catalogue/binair.md"), [b'+', b'+', b'+', b'\n', 0xff, 0xfe, b'\n']).unwrap();
    let db = TestDb::new();
    let text = problems(dir.path(), &db).join("\n");
    for e in [
        "catalogue/notities.txt: unexpected file",
        "catalogue/binair.md:2: file is not valid UTF-8",
        "sites/a/foto's: unexpected entry",
        "sites/a/pages/index.md: pages/index.md would be the home page",
        "sites/a/pages/producten.md: /producten is a path Meent uses itself",
        "extra: unexpected entry",
    ] {
        assert!(text.contains(e), "missing {e:?} in:\n{text}");
    }
}

/// A synthetic country (the benchmarks' `bench-data`) round-trips as the demo does.
#[test]
fn a_synthetic_country_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let options = meent::bench_data::Options { sites: 6, products: 40, pages: 6, news: 4, seed: 7, english: 33, reference: None };
    meent::bench_data::write(&options, dir.path()).unwrap();
    round_trip(dir.path());
}

/// Export, then import into an empty installation: every page residents see is the same,
/// byte for byte (dates of last change included).
#[actix_web::test]
async fn a_restored_export_serves_the_same_pages() {
    let first = common::TestApp::start(&demo_content()).await;
    let dir = tempfile::tempdir().unwrap();
    export_dir(&mut first.state.pool.get().unwrap(), dir.path(), Some(&first.state.media)).unwrap();
    // A second later, so a date that was not kept would show.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let second = common::TestApp::start(dir.path()).await;
    let sites = meent::db::models::layers::sites(&mut first.state.pool.get().unwrap()).unwrap();
    let mut compared = 0;
    for (_, site) in &sites {
        let host = site.canonical_host();
        let sitemap = first.get(host, "/sitemap.xml").await;
        assert_eq!(sitemap.status, 200);
        let mut paths: Vec<String> = sitemap
            .body
            .split("<loc>")
            .skip(1)
            .filter_map(|rest| rest.split("</loc>").next())
            .filter_map(|url| url.splitn(4, '/').nth(3).map(|p| format!("/{p}")))
            .collect();
        // Not search: its ranking also weighs the index's statistics, which count replaced
        // documents until tantivy merges their segments; that is the node's state, not content.
        paths.extend(["/api/v1/products", "/api/v1/samenwerkende-catalogi.xml", "/nieuws/feed.xml"].map(String::from));
        // The feedback forms' tokens are signed with each installation's own key: that is the
        // installation's secret, not content.
        let unsigned = |body: String| {
            let marker = "name=\"token\" value=\"";
            match body.find(marker) {
                Some(at) => {
                    let start = at + marker.len();
                    let end = body[start..].find('"').map_or(body.len(), |e| start + e);
                    format!("{}{}", &body[..start], &body[end..])
                }
                None => body,
            }
        };
        for path in paths {
            let (mut a, mut b) = (first.get(host, &path).await, second.get(host, &path).await);
            (a.body, b.body) = (unsigned(a.body), unsigned(b.body));
            assert_eq!(a.status, b.status, "{host}{path}");
            if a.body != b.body {
                let at = a.body.bytes().zip(b.body.bytes()).position(|(x, y)| x != y).unwrap_or(a.body.len().min(b.body.len()));
                let around = |t: &str| t.get(at.saturating_sub(300)..(at + 300).min(t.len())).unwrap_or("").to_owned();
                panic!("{host}{path} differs after export and import:\n{}\n-----\n{}", around(&a.body), around(&b.body));
            }
            compared += 1;
        }
    }
    assert!(compared > 100, "every resident page of every demo site ({compared})");
}

#[test]
fn translations_round_trip_beside_their_dutch_files() {
    round_trip(&fixture("english"));
    let db = TestDb::new();
    let mut conn = db.conn();
    import_dir(&mut conn, &fixture("english"), None, 1_700_000_000, None).unwrap();
    let (_, paspoort) = catalogue::find(&mut conn, "paspoort").unwrap().unwrap();
    let english = paspoort.english.expect("the product's English text");
    assert_eq!(english.text.title, "Apply for a passport");
    assert_eq!((english.based_on_nl, paspoort.revision), (2, 3), "the translation says which Dutch revision it translates");
    assert!(catalogue::find(&mut conn, "rijbewijs").unwrap().unwrap().1.english.is_none());
    let out = db.dir.path().join("out");
    export_dir(&mut conn, &out, None).unwrap();
    let files = read_all(&out);
    for name in ["catalogue/paspoort.en.md", "sites/alpha/overrides/paspoort.en.md", "sites/alpha/pages/afval.en.md", "sites/alpha/news/2026-02-01-nieuw.en.md"] {
        assert!(files.contains_key(name), "{name} is exported: {:?}", files.keys());
    }
    assert!(!files.contains_key("catalogue/rijbewijs.en.md") && !files.contains_key("sites/alpha/pages/parkeren.en.md"));
    let over = &files["sites/alpha/overrides/paspoort.en.md"];
    assert!(over.contains("based_on = 1") && over.contains("based_on_nl = 1") && over.contains("mode = \"append\"") && over.contains("## Parking {#parkeren}"), "{over}");
    assert!(!over.contains("termijn"), "hiding is the Dutch override's: {over}");
    assert!(files["sites/alpha/pages/afval.en.md"].contains("Put plastic in the orange bin."));
}

#[test]
fn bad_translations_are_all_reported_and_nothing_is_imported() {
    let dir = content(&[
        ("catalogue/paspoort.md", PRODUCT),
        ("catalogue/paspoort.en.md", "+++\ntitle = \"Passport\"\nlang = \"en\"\n+++\n## What {#wat}\nText.\n"),
        ("catalogue/rijbewijs.md", PRODUCT),
        ("catalogue/rijbewijs.en.md", "+++\ntitle = \"\"\n+++\n## What {#wat}\nText.\n\n## Extra {#extra}\nNot in Dutch.\n"),
        ("catalogue/weg.en.md", "+++\ntitle = \"Gone\"\n+++\n"),
        ("catalogue/id.md", PRODUCT),
        ("sites/a/site.toml", SITE),
        ("sites/a/overrides/id.md", "+++\n+++\n## Wat {#wat}\nLokaal.\n"),
        ("sites/a/overrides/id.en.md", "+++\n+++\n## What {#wat}\nLocal.\n"),
        ("sites/a/overrides/rijbewijs.md", "+++\n[sections.wat]\nmode = \"append\"\n+++\n## Wat {#wat}\nLokaal.\n"),
        ("sites/a/overrides/rijbewijs.en.md", "+++\n[sections.wat]\nmode = \"prepend\"\n+++\n## What {#wat}\nLocal.\n"),
        ("sites/a/pages/info.md", "+++\ntitle = \"Info\"\n+++\nTekst.\n"),
        ("sites/a/pages/info.en.md", "+++\ntitle = \"Info\"\nbased_on_nl = 7\n+++\nText.\n"),
        ("sites/a/pages/los.en.md", "+++\ntitle = \"Alone\"\n+++\nText.\n"),
    ]);
    let db = TestDb::new();
    let text = problems(dir.path(), &db).join("\n");
    for expected in [
        "catalogue/paspoort.en.md:3: lang: is not written in a file",
        "catalogue/rijbewijs.en.md:2: title: must not be empty",
        "catalogue/rijbewijs.en.md:7: sections/extra: \"extra\" is not a section of the Dutch text",
        "catalogue/weg.en.md: a translation stands beside its Dutch file, and weg.md is not here",
        "sites/a/overrides/id.en.md:1: lang: the product \"id\" has no en text yet",
        "sections/wat/mode: is \"prepend\", the Dutch override's is \"append\"",
        "sites/a/pages/info.en.md: based_on_nl = 7 but sites/a/pages/info.md is at revision 1",
        "sites/a/pages/los.en.md: a translation stands beside its Dutch file, and los.md is not here",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    let mut conn = db.conn();
    assert!(catalogue::all(&mut conn).unwrap().is_empty(), "nothing is imported");
}
