//! Property tests of everything that reads outside input: the search query parser, the
//! Markdown renderer, the front-matter reader, the design-token check and the upload decoder.
//! Generated inputs mix hostile fragments with random text; each property must hold for all
//! of them, and nothing may panic. The number of cases is fixed, so the run is bounded.

mod common;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Pieces attackers and careless editors write, to mix with random text.
const FRAGMENTS: &[&str] = &[
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))", "<a href=\"data:text/html,x\">x</a>",
    "<svg onload=alert(1)>", "<iframe src=//evil>", "<style>body{}</style>", "{{ var.x }}", "{{", "}}", "{{ gemeente }}", "![alt](/media/k)",
    "## Kop {#kop}", "```", "\n", "\r\n", "\u{0}", "\u{1}", "\u{202e}", "é", "ß", "𝔘", "&amp;", "&#x3c;script&#x3e;", "<!--", "-->", "<", ">", "\"",
    "'", "`", "+++", "=", "[", "]", "(", ")", "*", "_", "#", "|", "\\", "/", "a", "paspoort", " ", "\t", "%00", "../", "<img alt=\"\" src=\"x\">",
];

fn mixed(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(prop_oneof![proptest::sample::select(FRAGMENTS).prop_map(str::to_owned), "\\PC{0,12}", any::<char>().prop_map(String::from)], 0..max)
        .prop_map(|parts| parts.concat())
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() })
}

#[test]
fn markdown_is_always_sanitised() {
    use meent::render::markdown::{BODY, SECTION, to_html};
    runner(512)
        .run(&mixed(30), |text| {
            for style in [BODY, SECTION] {
                let html = to_html(&text, style);
                let lower = html.to_ascii_lowercase();
                prop_assert!(!lower.contains("<script") && !lower.contains("<iframe") && !lower.contains("<svg") && !lower.contains("<style"), "{html}");
                // Text is escaped, so every '<' left starts a tag: none may carry an event handler
                // or a script address.
                for tag in lower.split('<').skip(1).map(|t| t.split('>').next().unwrap_or("")) {
                    for attribute in tag.split_whitespace().skip(1) {
                        let (name, value) = attribute.split_once('=').unwrap_or((attribute, ""));
                        prop_assert!(!name.starts_with("on"), "an event handler {name} in {html}");
                        let value = value.trim_matches(['"', '\'']);
                        if name == "href" || name == "src" {
                            prop_assert!(!value.starts_with("javascript:") && !value.starts_with("data:") && !value.starts_with("vbscript:"), "{attribute} in {html}");
                        }
                    }
                }
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn placeholders_never_leak_syntax_or_grow_without_bound() {
    use meent::content::placeholders::{Values, fill, max_filled};
    let vars = std::collections::BTreeMap::from([("x".to_owned(), "W".repeat(1_000)), ("leges".to_owned(), "€ 84,10".to_owned())]);
    let none = std::collections::BTreeMap::new();
    let contact = meent::content::model::Contact { phone: Some("14 020".into()), ..Default::default() };
    let services = meent::content::model::Services::default();
    let values = Values {
        gemeente: "Diemen",
        site_name: "Gemeente Diemen",
        vars: &vars,
        instead: &none,
        contact: &contact,
        services: &services,
        lang: meent::content::model::Lang::Nl,
        apply_url: Some("https://www.diemen.nl/"),
    };
    runner(512)
        .run(&mixed(40), |text| {
            let mut unfilled = Vec::new();
            let out = fill(&text, &values, &mut unfilled);
            prop_assert!(out.len() <= max_filled(text.len()), "{} from {}", out.len(), text.len());
            prop_assert!(!out.contains("{{ var.") || text.contains("\n"), "{out}");
            Ok(())
        })
        .unwrap();
}

#[test]
fn front_matter_and_content_files_give_problems_with_lines_never_panics() {
    use meent::content::files::frontmatter::split;
    runner(512)
        .run(&mixed(30), |text| {
            if let Err((line, _)) = split(&text) {
                prop_assert!(line >= 1 && line <= text.lines().count().max(1) + 1);
            }
            Ok(())
        })
        .unwrap();
    // Whole files through the reader: a catalogue product with a generated front matter and body.
    let front = proptest::collection::vec(
        prop_oneof![
            Just("title = \"Paspoort\"\n".to_owned()),
            Just("summary = \"Een paspoort.\"\n".to_owned()),
            Just("status = \"draft\"\n".to_owned()),
            Just("revision = -3\n".to_owned()),
            Just("[variables.leges]\nlabel = \"Kosten\"\n".to_owned()),
            Just("audience = [\"iedereen\"]\n".to_owned()),
            Just("publish_at = 2026-13-45\n".to_owned()),
            Just("title = \"\u{1}\"\n".to_owned()),
            "[a-z_]{1,8} = \"[^\"\\\\]{0,10}\"\n",
            mixed(4).prop_map(|s| s + "\n"),
        ],
        0..8,
    );
    let file = (front, mixed(20)).prop_map(|(front, body)| format!("+++\n{}+++\n{body}", front.concat()));
    runner(96)
        .run(&file, |text| {
            let dir = tempfile::tempdir().unwrap();
            std::fs::create_dir_all(dir.path().join("catalogue")).unwrap();
            std::fs::write(dir.path().join("catalogue/product.md"), &text).unwrap();
            match meent::content::files::read_tree(dir.path()) {
                Ok(_) => {}
                Err(problems) => {
                    prop_assert!(!problems.is_empty());
                    for p in &problems {
                        prop_assert!(p.file.starts_with("catalogue/") || p.file == ".", "{p:?}");
                    }
                }
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn design_tokens_that_pass_cannot_fetch_or_break_out() {
    use meent::render::tokens::check_css;
    let declaration = prop_oneof![
        Just("--a: #00576e;".to_owned()),
        Just("--b: url(https://t.example/x);".to_owned()),
        Just("--c: image-set(\"https://t.example/x\" 1x);".to_owned()),
        Just("--d: \"</style><script>\";".to_owned()),
        Just("color: red;".to_owned()),
        Just("--e: var(--a, calc(1rem + 2px));".to_owned()),
        Just("@import 'x';".to_owned()),
        Just("--f: \\75 rl(x);".to_owned()),
        Just("--g: \"/*\";".to_owned()),
        Just("*/ body{background:url(https://t.example/p)}".to_owned()),
        Just("--h: '}'; x{".to_owned()),
        "--[a-z]{1,6}: [a-z0-9#() ,.%-]{0,16};",
        mixed(4),
    ];
    let css = (prop_oneof![Just(":root"), Just(".thema"), Just("body"), Just(":root, .x"), Just("")], proptest::collection::vec(declaration, 0..6), mixed(3))
        .prop_map(|(selector, decls, tail)| format!("{selector} {{ {} }}{tail}", decls.join(" ")));
    runner(512)
        .run(&css, |css| {
            if check_css(&css).is_ok() {
                let lower = css.to_ascii_lowercase();
                for forbidden in ["url(", "image-set", "@import", "</", "\\", "expression("] {
                    prop_assert!(!lower.contains(forbidden), "{forbidden} passed in {css:?}");
                }
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_upload_decoder_refuses_or_cleans_whatever_it_is_given() {
    use meent::media::decode::{Declared, Limits, decode};
    let seeds: Vec<(Vec<u8>, &str)> = vec![(common::jpeg(24, 16), "a.jpg"), (png(), "a.png"), (gif(), "a.gif")];
    let limits = Limits { max_bytes: 1 << 20, max_side: 2_000, max_pixels: 1_000_000, max_alloc: 64 << 20 };
    let mutation = (0..seeds.len(), proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..12), any::<prop::sample::Index>(), any::<bool>());
    runner(256)
        .run(&mutation, |(seed, flips, cut, truncate)| {
            let (bytes, name) = &seeds[seed];
            let mut bytes = bytes.clone();
            for (at, value) in flips {
                let i = at.index(bytes.len());
                bytes[i] = value;
            }
            if truncate {
                bytes.truncate(cut.index(bytes.len() + 1));
            }
            if let Ok(clean) = decode(&bytes, Declared { content_type: None, filename: Some(name) }, &limits) {
                prop_assert!(u64::from(clean.image.width()) * u64::from(clean.image.height()) <= limits.max_pixels);
            }
            Ok(())
        })
        .unwrap();
    runner(256)
        .run(&proptest::collection::vec(any::<u8>(), 0..2048), |bytes| {
            let _ = decode(&bytes, Declared { content_type: Some("image/png"), filename: Some("x.png") }, &limits);
            Ok(())
        })
        .unwrap();
}

fn png() -> Vec<u8> {
    let img = image::DynamicImage::ImageRgba8(image::RgbaImage::from_fn(12, 9, |x, y| image::Rgba([(x * 20) as u8, (y * 20) as u8, 7, 200])));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn gif() -> Vec<u8> {
    let img = image::DynamicImage::ImageRgba8(image::RgbaImage::from_fn(8, 8, |x, y| image::Rgba([(x * 30) as u8, (y * 30) as u8, 7, 255])));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Gif).unwrap();
    out.into_inner()
}

#[actix_web::test]
async fn search_answers_any_query_within_its_bounds() {
    let app = common::TestApp::start(&common::fixture("country")).await;
    let site = meent::web::site_id(&app.state, "alpha").unwrap();
    let request = (mixed(30), proptest::option::of("[a-z]{0,8}"), proptest::option::of("[a-z]{0,8}"), 1usize..1200);
    runner(384)
        .run(&request, |(text, kind, theme, page)| {
            let req = meent::search::Request { text: text.clone(), kind, theme, audience: None, page, per_page: 10, ..Default::default() };
            let results = app.state.search.search(site, &req, meent::now()).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(results.hits.len() <= 10);
            prop_assert!(results.query.chars().count() <= 200, "the query is cut: {}", results.query.len());
            for hit in &results.hits {
                let lower = hit.snippet.to_ascii_lowercase();
                prop_assert!(!lower.contains("<script") && !lower.replace("<mark>", "").replace("</mark>", "").contains('<'), "{}", hit.snippet);
            }
            let suggestions = app.state.search.suggest(site, &text, meent::now(), 8, meent::content::model::Lang::Nl).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(suggestions.len() <= 8);
            let logged = meent::search::normalize_for_log(&text);
            prop_assert!(logged.len() <= 100 && !logged.chars().any(|c| c.is_ascii_digit()) && !logged.contains('@'));
            Ok(())
        })
        .unwrap();
}
