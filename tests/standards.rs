//! Open standards: the Samenwerkende Catalogi export per site (validated against the XSD with
//! xmllint in `.ci/run`), structured data, and redirects.

mod common;

use common::{TestApp, fixture};

const SC: &str = "http://standaarden.overheid.nl/product/terms/";
const DC: &str = "http://purl.org/dc/terms/";

fn text<'a>(node: roxmltree::Node<'a, 'a>, ns: &str, name: &str) -> Vec<&'a str> {
    node.descendants().filter(|n| n.tag_name().namespace() == Some(ns) && n.tag_name().name() == name).filter_map(|n| n.text()).collect()
}

#[actix_web::test]
async fn samenwerkende_catalogi_export_follows_the_fold_of_each_site() {
    let app = TestApp::start(&fixture("country")).await;
    let res = app.get("alpha.test", "/api/v1/samenwerkende-catalogi.xml").await;
    assert_eq!(res.status, 200);
    assert!(res.header("content-type").unwrap().starts_with("application/xml"));
    let doc = roxmltree::Document::parse(&res.body).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!((root.tag_name().namespace(), root.tag_name().name()), (Some(SC), "scproducten"));
    let products: Vec<_> = root.children().filter(|n| n.is_element()).collect();
    let ids: Vec<&str> = products.iter().flat_map(|p| text(*p, DC, "identifier")).collect();
    assert_eq!(ids, [
        "http://alpha.test/producten/afvalcontainer",
        "http://alpha.test/producten/identiteitskaart",
        "http://alpha.test/producten/parkeervergunning",
        "http://alpha.test/producten/paspoort",
        "http://alpha.test/producten/rijbewijs",
    ]);
    let paspoort = products.iter().find(|p| text(**p, DC, "identifier")[0].ends_with("/paspoort")).unwrap();
    assert_eq!(text(*paspoort, DC, "title"), ["Paspoort in Alpha"]);
    assert_eq!(text(*paspoort, SC, "productID"), ["alpha-paspoort"]);
    assert_eq!(text(*paspoort, SC, "onlineAanvragen"), ["ja"]);
    assert_eq!(text(*paspoort, DC, "abstract").len(), 1, "exactly one abstract");
    let apply = paspoort.descendants().find(|n| n.tag_name().name() == "aanvraagURL").unwrap();
    assert_eq!(apply.attribute("resourceIdentifier"), Some("https://regio.example.org/paspoort"));
    let spatial = paspoort.descendants().find(|n| n.tag_name().name() == "spatial").unwrap();
    assert_eq!(spatial.attribute("resourceIdentifier"), Some("http://standaarden.overheid.nl/owms/terms/Diemen_(gemeente)"));
    assert_eq!(spatial.attribute("scheme"), Some("overheid:Gemeente"));
    let upl = paspoort.descendants().find(|n| n.tag_name().name() == "uniformeProductnaam").unwrap();
    assert_eq!(upl.attribute("resourceIdentifier"), Some("http://standaarden.overheid.nl/owms/terms/paspoort"));
    let html = text(*paspoort, SC, "productHTML").concat();
    assert!(html.contains("ALPHAVERVANGING") && html.contains("<h2>") && !html.contains("Vijf werkdagen"));

    // Another member of the group: its own feed, its own fold.
    let beta = app.get("beta.test", "/api/v1/samenwerkende-catalogi.xml").await.body;
    assert!(!beta.contains("/producten/rijbewijs") && !beta.contains("afvalcontainer") && !beta.contains("ALPHA"));
    assert!(beta.contains("<overheidproduct:productID>beta-paspoort</overheidproduct:productID>"));
    assert!(!beta.contains("geheim"), "no drafts");
}

#[actix_web::test]
async fn upl_names_come_from_the_imported_list() {
    let app = TestApp::start(&fixture("country")).await;
    let mut conn = app.state.pool.get().unwrap();
    let coverage = meent::content::upl::import(&mut conn, None, meent::now()).unwrap();
    assert!(coverage.uncovered.len() > 400, "most municipal products are not in this small catalogue");
    assert!(coverage.unknown.is_empty(), "{:?}", coverage.unknown);
    app.catch_up();
    let xml = app.get("alpha.test", "/api/v1/samenwerkende-catalogi.xml").await.body;
    assert!(xml.contains("resourceIdentifier=\"http://standaarden.overheid.nl/owms/terms/paspoort\">paspoort</overheidproduct:uniformeProductnaam>"));
}

#[actix_web::test]
async fn redirects_apply_before_the_404() {
    let app = TestApp::start(&fixture("country")).await;
    let moved = app.get("alpha.test", "/oude-afvalpagina?x=1").await;
    assert_eq!(moved.status, 301);
    assert_eq!(moved.header("location"), Some("http://alpha.test/afval?x=1"));
    assert_eq!(app.get("alpha.test", "/diensten/paspoort").await.header("location"), Some("http://alpha.test/producten/paspoort"));
    assert_eq!(app.get("alpha.test", "/keten-a").await.header("location"), Some("http://alpha.test/keten-b"));
    assert_eq!(app.get("alpha.test", "/keten-b").await.header("location"), Some("http://alpha.test/afval/pmd"));
    let gone = app.get("alpha.test", "/verdwenen").await;
    assert_eq!(gone.status, 410);
    assert!(gone.body.contains("Gemeente Alpha") && gone.body.contains("bestaat niet meer"));
    assert_eq!(app.get("alpha.test", "/afval").await.status, 200, "a page that exists is served, not redirected");
    assert_eq!(app.get("beta.test", "/oude-afvalpagina").await.status, 404, "redirects belong to their site");
}

#[test]
fn bad_redirect_files_are_refused_with_lines() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("sites/a")).unwrap();
    std::fs::write(dir.path().join("sites/a/site.toml"), "name = \"Gemeente A\"\nhosts = [\"a.test\"]\n").unwrap();
    std::fs::write(dir.path().join("sites/a/redirects.csv"), "from,to\n/a,https://elders.example\n/b,/c\n/c,/b\n").unwrap();
    let db = common::TestDb::new();
    let err = meent::content::import::import_dir(&mut db.conn(), dir.path(), None, 1, None).unwrap_err().to_string();
    assert!(err.contains("sites/a/redirects.csv:2: to \"https://elders.example\" must be a path on this site"), "{err}");
    assert!(err.contains("redirect loop"), "{err}");
}

fn json_ld(body: &str) -> serde_json::Value {
    let start = body.find("<script type=\"application/ld+json\">").expect("JSON-LD") + "<script type=\"application/ld+json\">".len();
    let end = start + body[start..].find("</script>").unwrap();
    serde_json::from_str(&body[start..end]).expect("valid JSON")
}

#[actix_web::test]
async fn structured_data_and_sharing() {
    let app = TestApp::start(&fixture("country")).await;
    let product = app.get("alpha.test", "/producten/paspoort").await.body;
    let data = json_ld(&product);
    let graph = data["@graph"].as_array().unwrap();
    let service = graph.iter().find(|n| n["@type"] == "GovernmentService").expect("GovernmentService");
    assert_eq!(service["name"], "Paspoort in Alpha");
    assert_eq!(service["provider"]["@type"], "GovernmentOrganization");
    assert_eq!(service["provider"]["name"], "Gemeente Alpha");
    let crumbs = graph.iter().find(|n| n["@type"] == "BreadcrumbList").expect("BreadcrumbList");
    assert_eq!(crumbs["itemListElement"][0]["item"], "http://alpha.test/");
    assert!(product.contains("<meta property=\"og:title\" content=\"Paspoort in Alpha\">"));
    assert!(product.contains("<meta name=\"description\" content=\"Een paspoort aanvragen in Alpha.\">"));
    assert!(product.contains("<link rel=\"canonical\" href=\"http://alpha.test/producten/paspoort\">"));
    let news = json_ld(&app.get("alpha.test", "/nieuws/nieuw").await.body);
    assert!(news["@graph"].as_array().unwrap().iter().any(|n| n["@type"] == "NewsArticle" && n["datePublished"] == "2026-02-01"));

    // Whatever a title holds, the JSON-LD stays one script element of data.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("catalogue")).unwrap();
    std::fs::write(dir.path().join("catalogue/vijandig.md"), "+++\ntitle = \"A </script><script>alert(1)</script>\"\nsummary = \"s\"\n+++\n## Wat {#wat}\nx\n").unwrap();
    meent::content::import::import_dir(&mut app.state.pool.get().unwrap(), dir.path(), None, meent::now(), None).unwrap();
    app.catch_up();
    let hostile = app.get("alpha.test", "/producten/vijandig").await.body;
    assert!(!hostile.contains("<script>alert"), "{hostile}");
    assert_eq!(json_ld(&hostile)["@graph"][1]["name"], "A </script><script>alert(1)</script>");
}
