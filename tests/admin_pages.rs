//! The admin pages over real HTTP: sign-in, sessions and their timeouts, throttling, CSRF, no
//! change on GET, scopes, the override editor, "to review" after a central edit, and conflicts.

mod common;

use common::browser::{Browser, SESSION, hidden};
use common::{TestApp, fixture, jpeg};
use meent::auth::accounts;
use meent::auth::permissions::{Role, Scope};

const PASSWORD: &str = "een heel lang wachtwoord";

async fn app() -> TestApp {
    let app = TestApp::start(&fixture("country")).await;
    let mut conn = app.state.pool.get().unwrap();
    for (email, role, scope) in [
        ("alpha@example.org", Role::Editor, "site:alpha"),
        ("central@example.org", Role::Editor, "national"),
        ("beta@example.org", Role::Editor, "site:beta"),
    ] {
        accounts::create_user(&mut conn, email, role, &Scope::parse(scope).unwrap(), Some(PASSWORD), "test", meent::now()).unwrap();
    }
    app
}

#[actix_web::test]
async fn sign_in_sessions_and_cookies() {
    let app = app().await;
    let mut b = Browser::new(&app);
    // A session id the browser brings (or an attacker planted) is never taken over.
    b.cookies.push((SESSION.into(), "aangeboden-door-de-browser".into()));
    let first = b.get("/admin").await;
    assert_eq!(first.status, 302);
    assert!(first.header("location").unwrap().starts_with("/admin/inloggen?terug="));
    assert_eq!(b.login("alpha@example.org", "fout wachtwoord!!").await.status, 401);
    assert_eq!(b.session().as_deref(), Some("aangeboden-door-de-browser"), "a failed login starts nothing");
    let ok = b.login("alpha@example.org", PASSWORD).await;
    assert_eq!(ok.status, 303);
    let cookie = ok.headers.get_all("set-cookie").map(|v| v.to_str().unwrap().to_owned()).find(|c| c.starts_with(&format!("{SESSION}="))).unwrap();
    for flag in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(cookie.contains(flag), "{flag} in {cookie}");
    }
    let session = b.session().unwrap();
    assert_ne!(session, "aangeboden-door-de-browser");
    let dash = b.get("/admin").await;
    assert_eq!(dash.status, 200);
    assert!(dash.body.contains("alpha@example.org"));
    assert_eq!(dash.header("cache-control"), Some("no-store"));
    // A new login is a new session id.
    b.cookies.retain(|(n, _)| n != SESSION);
    b.login("alpha@example.org", PASSWORD).await;
    assert_ne!(b.session().unwrap(), session);
    // Logging out ends the session on the server: the old cookie no longer works.
    let csrf = hidden(&b.get("/admin").await.body, "csrf");
    let old = b.session().unwrap();
    assert_eq!(b.post("/admin/uitloggen", &[("csrf", &csrf)]).await.status, 303);
    let mut replay = Browser::new(&app);
    replay.cookies.push((SESSION.into(), old));
    assert_eq!(replay.get("/admin").await.status, 302);
}

#[actix_web::test]
async fn sessions_time_out_and_end_when_the_account_is_disabled() {
    let app = app().await;
    let mut b = Browser::new(&app);
    b.login("alpha@example.org", PASSWORD).await;
    assert_eq!(b.get("/admin").await.status, 200);
    let mut conn = app.state.pool.get().unwrap();
    let hash = meent::auth::secrets::hash_token(&b.session().unwrap());
    // Idle for longer than the idle timeout.
    diesel::RunQueryDsl::execute(
        diesel::sql_query(format!("UPDATE sessions SET last_seen = last_seen - 7200 WHERE id_hash = '{hash}'")),
        &mut conn,
    )
    .unwrap();
    assert_eq!(b.get("/admin").await.status, 302, "idle timeout");
    b.login("alpha@example.org", PASSWORD).await;
    let hash = meent::auth::secrets::hash_token(&b.session().unwrap());
    diesel::RunQueryDsl::execute(
        diesel::sql_query(format!("UPDATE sessions SET created_at = created_at - 86400 WHERE id_hash = '{hash}'")),
        &mut conn,
    )
    .unwrap();
    assert_eq!(b.get("/admin").await.status, 302, "absolute timeout");
    b.login("alpha@example.org", PASSWORD).await;
    let user = meent::db::models::accounts::user_by_email(&mut conn, "alpha@example.org").unwrap().unwrap();
    meent::db::models::accounts::set_disabled(&mut conn, user.id, true).unwrap();
    assert_eq!(b.get("/admin").await.status, 302, "disabling ends sessions");
    assert_eq!(b.login("alpha@example.org", PASSWORD).await.status, 401, "and logins");
}

#[actix_web::test]
async fn failed_logins_are_throttled_and_audited_without_passwords() {
    let app = app().await;
    let mut b = Browser::new(&app);
    for _ in 0..5 {
        assert_eq!(b.login("alpha@example.org", "verkeerd wachtwoord").await.status, 401);
    }
    let slowed = b.login("alpha@example.org", PASSWORD).await;
    assert_eq!(slowed.status, 429, "an unknown browser waits, even with the right password");
    assert!(slowed.header("retry-after").and_then(|r| r.parse::<i64>().ok()).is_some_and(|s| s > 0), "and is told how long");
    assert_eq!(b.login("central@example.org", PASSWORD).await.status, 303, "other accounts are not locked");
    let mut conn = app.state.pool.get().unwrap();
    let audit = meent::db::models::accounts::audit_entries(&mut conn, None, 100).unwrap();
    assert!(audit.iter().filter(|a| a.action == "login" && a.result == "failed").count() >= 5);
    assert!(audit.iter().any(|a| a.action == "login" && a.result == "throttled"));
    let all = format!("{audit:?}");
    assert!(!all.contains(PASSWORD) && !all.contains("verkeerd wachtwoord"));
}

#[actix_web::test]
async fn forms_need_the_csrf_token_and_get_changes_nothing() {
    let app = app().await;
    let mut b = Browser::new(&app);
    b.login("alpha@example.org", PASSWORD).await;
    let form = b.get("/admin/sites/alpha/producten/paspoort").await;
    assert_eq!(form.status, 200);
    let csrf = hidden(&form.body, "csrf");
    let fields = |token: &'static str| vec![("csrf", token), ("enabled", "off")];
    assert_eq!(b.post("/admin/sites/alpha/producten/paspoort", &fields("")).await.status, 403);
    assert_eq!(b.post("/admin/sites/alpha/producten/paspoort", &fields("0000")).await.status, 403);
    assert_eq!(app.get("alpha.test", "/producten/paspoort").await.status, 200, "nothing changed");
    // Logging out by GET does nothing.
    assert_ne!(b.get("/admin/uitloggen").await.status, 303);
    assert_eq!(b.get("/admin").await.status, 200);
    // The login form has its own token.
    let mut other = Browser::new(&app);
    let res = other.post("/admin/inloggen", &[("email", "alpha@example.org"), ("password", PASSWORD)]).await;
    assert_eq!(res.status, 403);
    let _ = csrf;
}

#[actix_web::test]
async fn editors_see_only_their_own_scope() {
    let app = app().await;
    let mut b = Browser::new(&app);
    b.login("beta@example.org", PASSWORD).await;
    for path in ["/admin/sites/alpha", "/admin/sites/alpha/producten/paspoort", "/admin/sites/alpha/paginas/nieuw", "/admin/groepen/regio", "/admin/catalogus", "/admin/catalogus/paspoort", "/admin/voorbeeld/alpha/producten/paspoort"] {
        assert_eq!(b.get(path).await.status, 403, "{path}");
    }
    let dash = b.get("/admin").await.body;
    assert!(dash.contains("Gemeente Beta") && !dash.contains("Gemeente Alpha"));
    // Catalogue drafts: the central team only.
    let mut central = Browser::new(&app);
    central.login("central@example.org", PASSWORD).await;
    assert_eq!(central.get("/admin/voorbeeld/alpha/producten/geheim-product").await.status, 200);
    let mut alpha = Browser::new(&app);
    alpha.login("alpha@example.org", PASSWORD).await;
    assert_eq!(alpha.get("/admin/voorbeeld/alpha/producten/geheim-product").await.status, 404);
    let preview = alpha.get("/admin/voorbeeld/alpha/producten/paspoort").await;
    assert_eq!(preview.status, 200);
    assert!(preview.body.contains("Voorbeeld voor redacteuren"));
}

/// The form fields of the override editor as they are, with some changed.
fn override_fields(body: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    for name in ["csrf", "based_on", "revision"] {
        if body.contains(&format!("name=\"{name}\" value=\"")) {
            fields.push((name.into(), hidden(body, name)));
        }
    }
    for (k, v) in changes {
        fields.retain(|(n, _)| n != k);
        fields.push(((*k).into(), (*v).into()));
    }
    fields
}

#[actix_web::test]
async fn override_a_fee_for_one_site_then_review_a_central_change() {
    let app = app().await;
    let mut alpha = Browser::new(&app);
    alpha.login("alpha@example.org", PASSWORD).await;
    let form = alpha.get("/admin/sites/alpha/producten/paspoort").await.body;
    let fields = override_fields(&form, &[("variables", "leges = € 77,70\nafspraak_url = https://alpha.example.org/afspraak"), ("mode.kosten", "replace"), ("body.kosten", "Het kost {{ var.leges }}."), ("enabled", "inherit")]);
    let refs: Vec<(&str, &str)> = fields.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let saved = alpha.post("/admin/sites/alpha/producten/paspoort", &refs).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert!(app.get("alpha.test", "/producten/paspoort").await.body.contains("Het kost € 77,70."));
    assert!(!app.get("beta.test", "/producten/paspoort").await.body.contains("77,70"));

    // The central team changes the section alpha replaced.
    let mut central = Browser::new(&app);
    central.login("central@example.org", PASSWORD).await;
    let edit = central.get("/admin/catalogus/paspoort").await.body;
    let body_text = edit.split("<textarea id=\"body\"").nth(1).unwrap();
    let body_text = &body_text[body_text.find('>').unwrap() + 1..body_text.find("</textarea>").unwrap()];
    let new_body = body_text.replace("Een paspoort kost in {{ gemeente }} {{ var.leges }}.", "NIEUWE CENTRALE KOSTENTEKST {{ var.leges }}.").replace("&#39;", "'").replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    let csrf = hidden(&edit, "csrf");
    let revision = hidden(&edit, "revision");
    let res = central
        .post("/admin/catalogus/paspoort", &[("csrf", &csrf), ("revision", &revision), ("title", "Paspoort"), ("summary", "Een paspoort aanvragen in {{ gemeente }}."), ("status", "published"), ("audience.particulier", "1"), ("body", &new_body), ("variables", "leges | Kosten paspoort | een bedrag dat de gemeente vaststelt\nafspraak_url | Link naar de afsprakenpagina |"), ("opslaan", "1")])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(app.get("beta.test", "/producten/paspoort").await.body.contains("NIEUWE CENTRALE KOSTENTEKST"));

    // Alpha's dashboard shows it "to review", side by side.
    let dash = alpha.get("/admin").await.body;
    let review = &dash[dash.find("Te controleren").unwrap()..dash.find("Ontbrekende waarden").unwrap()];
    assert!(review.contains("/admin/sites/alpha/producten/paspoort"), "{review}");
    let page = alpha.get("/admin/sites/alpha/producten/paspoort").await.body;
    assert!(page.contains("Oude centrale tekst") && page.contains("NIEUWE CENTRALE KOSTENTEKST") && page.contains("Het kost {{ var.leges }}."));
    // Keep the local text: reviewed, no longer listed.
    let fields = override_fields(&page, &[("variables", "leges = € 77,70"), ("mode.kosten", "replace"), ("body.kosten", "Het kost {{ var.leges }}."), ("review.kosten", "keep"), ("reviewed", "1"), ("enabled", "inherit")]);
    let refs: Vec<(&str, &str)> = fields.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    assert_eq!(alpha.post("/admin/sites/alpha/producten/paspoort", &refs).await.status, 303);
    let dash = alpha.get("/admin").await.body;
    let review = &dash[dash.find("Te controleren").unwrap()..dash.find("Ontbrekende waarden").unwrap()];
    assert!(!review.contains("/admin/sites/alpha/producten/paspoort"), "{review}");
}

#[actix_web::test]
async fn a_second_save_from_the_same_revision_gets_the_conflict_page() {
    let app = app().await;
    let mut first = Browser::new(&app);
    first.login("alpha@example.org", PASSWORD).await;
    let mut second = Browser::new(&app);
    second.login("alpha@example.org", PASSWORD).await;
    let page_a = first.get("/admin/sites/alpha/producten/paspoort").await.body;
    let page_b = second.get("/admin/sites/alpha/producten/paspoort").await.body;
    let a = override_fields(&page_a, &[("title", "Titel van A"), ("enabled", "inherit")]);
    let b = override_fields(&page_b, &[("title", "Titel van B"), ("enabled", "inherit")]);
    let refs = |f: &Vec<(String, String)>| f.iter().map(|(x, y)| (x.clone(), y.clone())).collect::<Vec<_>>();
    let (ra, rb) = (refs(&a), refs(&b));
    let ra: Vec<(&str, &str)> = ra.iter().map(|(x, y)| (x.as_str(), y.as_str())).collect();
    let rb: Vec<(&str, &str)> = rb.iter().map(|(x, y)| (x.as_str(), y.as_str())).collect();
    assert_eq!(first.post("/admin/sites/alpha/producten/paspoort", &ra).await.status, 303);
    let conflict = second.post("/admin/sites/alpha/producten/paspoort", &rb).await;
    assert_eq!(conflict.status, 409);
    assert!(conflict.body.contains("Titel van A") && conflict.body.contains("Titel van B"), "both versions are shown: {}", conflict.body);
    assert!(app.get("alpha.test", "/producten/paspoort").await.body.contains("Titel van A"), "the first save stays");
}

#[actix_web::test]
async fn pages_are_created_and_published_from_the_admin() {
    let app = app().await;
    let mut b = Browser::new(&app);
    b.login("alpha@example.org", PASSWORD).await;
    let form = b.get("/admin/sites/alpha/paginas/nieuw").await;
    assert_eq!(form.status, 200);
    let csrf = hidden(&form.body, "csrf");
    let res = b.post("/admin/sites/alpha/paginas/nieuw", &[("csrf", &csrf), ("path", "parkeren"), ("title", "Parkeren in Alpha"), ("body", "PARKEERTEKST"), ("status", "draft")]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(app.get("alpha.test", "/parkeren").await.status, 404, "a draft is not public");
    let location = res.header("location").unwrap().split('?').next().unwrap().to_owned();
    let edit = b.get(&location).await.body;
    let res = b.post(&location, &[("csrf", &csrf), ("revision", &hidden(&edit, "revision")), ("path", "parkeren"), ("title", "Parkeren in Alpha"), ("body", "PARKEERTEKST"), ("status", "published")]).await;
    assert_eq!(res.status, 303);
    assert!(app.get("alpha.test", "/parkeren").await.body.contains("PARKEERTEKST"));
    let history = b.get(&format!("{location}/versies")).await;
    assert_eq!(history.status, 200);
    assert!(history.body.contains("Versie 2") && history.body.contains("alpha@example.org"));
    // Restoring revision 1 brings the draft back: the page is gone for residents.
    assert_eq!(b.post(&format!("{location}/versies/1"), &[("csrf", &csrf)]).await.status, 303);
    assert_eq!(app.get("alpha.test", "/parkeren").await.status, 404);
    // A preview shows sanitised text and saves nothing.
    let edit = b.get(&location).await.body;
    let preview = b
        .post(&location, &[("csrf", &csrf), ("revision", &hidden(&edit, "revision")), ("path", "parkeren"), ("title", "Parkeren in Alpha"), ("body", "VOORBEELDTEKST <script>alert(1)</script>"), ("status", "published"), ("voorbeeld", "1")])
        .await;
    assert_eq!(preview.status, 200);
    assert!(preview.body.contains("VOORBEELDTEKST") && !preview.body.contains("<script>alert"));
    assert_eq!(app.get("alpha.test", "/parkeren").await.status, 404, "a preview saves nothing");
}

#[actix_web::test]
async fn media_library_upload_alt_text_and_delete() {
    let app = app().await;
    let mut b = Browser::new(&app);
    b.login("alpha@example.org", PASSWORD).await;
    let library = b.get("/admin/sites/alpha/afbeeldingen").await;
    assert_eq!(library.status, 200);
    assert!(library.body.contains("Nog geen afbeeldingen"));
    let csrf = hidden(&library.body, "csrf");
    let photo = jpeg(800, 600);
    // Without the CSRF token nothing is stored.
    let forged = b.post_multipart("/admin/sites/alpha/afbeeldingen", &[("alt", "x")], ("a.jpg", "image/jpeg", &photo)).await;
    assert_eq!(forged.status, 403);
    // Without alt text: shown on the form, nothing stored.
    let no_alt = b.post_multipart("/admin/sites/alpha/afbeeldingen", &[("csrf", &csrf)], ("a.jpg", "image/jpeg", &photo)).await;
    assert_eq!(no_alt.status, 422);
    assert!(no_alt.body.contains("beschrijf wat er op de afbeelding staat") && no_alt.body.contains("Niet opgeslagen. Pas dit aan:"), "{}", no_alt.body);
    let fake = b.post_multipart("/admin/sites/alpha/afbeeldingen", &[("csrf", &csrf), ("alt", "x")], ("a.jpg", "image/jpeg", b"<html>nep</html>")).await;
    assert_eq!(fake.status, 422);
    assert!(fake.body.contains("De afbeelding is niet opgeslagen"), "{}", fake.body);
    let saved = b.post_multipart("/admin/sites/alpha/afbeeldingen", &[("csrf", &csrf), ("alt", "Het stadhuis")], ("Stadhuis.jpg", "image/jpeg", &photo)).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let item_url = saved.header("location").unwrap().split('?').next().unwrap().to_owned();
    let item = b.get(&item_url).await;
    assert_eq!(item.status, 200);
    assert!(item.body.contains("![Het stadhuis](/media/stadhuis-"), "{}", item.body);
    assert!(item.body.contains("Nergens. Deze afbeelding kan weg."));
    let key = item_url.rsplit('/').next().unwrap().to_owned();
    let thumb = b.get(&format!("/admin/afbeelding-bestand/{key}")).await;
    assert_eq!(thumb.status, 200);
    assert_eq!(thumb.header("content-type"), Some("image/webp"));
    // Searching the library.
    assert!(b.get("/admin/sites/alpha/afbeeldingen?q=stadhuis").await.body.contains(&key));
    assert!(!b.get("/admin/sites/alpha/afbeeldingen?q=zwembad").await.body.contains(&key));
    // Alt text.
    let revision = hidden(&item.body, "revision");
    let alt = b.post(&item_url, &[("csrf", &csrf), ("revision", &revision), ("alt", "Het stadhuis bij avond")]).await;
    assert_eq!(alt.status, 303);
    assert!(b.get(&item_url).await.body.contains("Het stadhuis bij avond"));

    // Another site's editor sees none of it.
    let mut other = Browser::new(&app);
    other.login("beta@example.org", PASSWORD).await;
    assert_eq!(other.get("/admin/sites/alpha/afbeeldingen").await.status, 403);
    assert_eq!(other.get(&format!("/admin/afbeelding-bestand/{key}")).await.status, 404);
    assert!(!other.get("/admin/sites/beta/afbeeldingen").await.body.contains(&key));

    // Deleting.
    let current = hidden(&b.get(&item_url).await.body, "revision");
    let gone = b.post(&format!("{item_url}/verwijderen"), &[("csrf", &csrf), ("revision", &current)]).await;
    assert_eq!(gone.status, 303);
    assert_eq!(b.get(&item_url).await.status, 404);
}

/// A day `days` from now as `yyyy-mm-dd`, in the Netherlands.
fn day_in(days: i64) -> String {
    let at = chrono::DateTime::from_timestamp(meent::now() + days * 86_400, 0).unwrap();
    at.with_timezone(&chrono_tz::Europe::Amsterdam).format("%Y-%m-%d").to_string()
}

#[actix_web::test]
async fn values_with_dates_and_opt_out_reasons_in_the_forms_and_the_dashboard() {
    let app = app().await;
    let soon = day_in(10);
    let mut alpha = Browser::new(&app);
    alpha.login("alpha@example.org", PASSWORD).await;
    let form = alpha.get("/admin/sites/alpha/producten/paspoort").await.body;
    let values = format!("leges = € 77,70\nleges vanaf {soon} = € 79,90\nafspraak_url = https://alpha.example.org/afspraak");
    let fields = override_fields(&form, &[("variables", &values), ("enabled", "inherit")]);
    let refs: Vec<(&str, &str)> = fields.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let saved = alpha.post("/admin/sites/alpha/producten/paspoort", &refs).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert!(app.get("alpha.test", "/producten/paspoort").await.body.contains("€ 77,70"));
    let again = alpha.get("/admin/sites/alpha/producten/paspoort").await.body;
    assert!(again.contains(&format!("leges vanaf {soon} = € 79,90")), "{again}");
    // The dashboard lists what changes within 60 days, with the value now and then.
    let dash = alpha.get("/admin").await.body;
    let coming = &dash[dash.find("Waarden die binnenkort veranderen").unwrap()..dash.find("Te herzien").unwrap()];
    assert!(coming.contains("Gemeente Alpha") && coming.contains("Kosten paspoort") && coming.contains("€ 77,70") && coming.contains("€ 79,90"), "{coming}");
    // A date that is none is a problem in the form, and nothing changes.
    let fields = override_fields(&again, &[("variables", "leges = € 77,70\nleges vanaf morgen = € 80,00")]);
    let refs: Vec<(&str, &str)> = fields.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let refused = alpha.post("/admin/sites/alpha/producten/paspoort", &refs).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("morgen") && refused.body.contains("is not a date"), "{}", refused.body);

    // Beta opts out with a reason and a referral, in the form.
    let mut beta = Browser::new(&app);
    beta.host = "beta.test";
    beta.login("beta@example.org", PASSWORD).await;
    let form = beta.get("/admin/sites/beta/producten/paspoort").await.body;
    let fields = override_fields(&form, &[("enabled", "off"), ("reason", "Het Regioloket maakt uw paspoort."), ("refer_to", "https://regioloket.example.org/")]);
    let refs: Vec<(&str, &str)> = fields.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let saved = beta.post("/admin/sites/beta/producten/paspoort", &refs).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let page = app.get("beta.test", "/producten/paspoort").await;
    assert_eq!(page.status, 404);
    assert!(page.body.contains("Het Regioloket maakt uw paspoort.") && page.body.contains("href=\"https://regioloket.example.org/\""), "{}", page.body);

    // The central team sees it on the product's page.
    let mut central = Browser::new(&app);
    central.login("central@example.org", PASSWORD).await;
    let edit = central.get("/admin/catalogus/paspoort").await.body;
    let part = &edit[edit.find("Niet aangeboden door").expect("the opt-outs")..];
    assert!(part.contains("Gemeente Beta") && part.contains("Het Regioloket maakt uw paspoort."), "{part}");
    // And writes a default with dates and a kind in the variables field.
    let csrf = hidden(&edit, "csrf");
    let revision = hidden(&edit, "revision");
    let body_text = edit.split("<textarea id=\"body\"").nth(1).unwrap();
    let body_text = body_text[body_text.find('>').unwrap() + 1..body_text.find("</textarea>").unwrap()].replace("&#39;", "'").replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    let variables = format!("leges | Kosten paspoort | € 70,00 | amount\nleges vanaf {soon} | € 72,00\nafspraak_url | Link naar de afsprakenpagina | | url");
    let res = central
        .post("/admin/catalogus/paspoort", &[("csrf", &csrf), ("revision", &revision), ("title", "Paspoort"), ("summary", "Een paspoort aanvragen in {{ gemeente }}."), ("status", "published"), ("audience.particulier", "1"), ("body", &body_text), ("variables", &variables), ("opslaan", "1")])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let edit = central.get("/admin/catalogus/paspoort").await.body;
    assert!(edit.contains(&format!("leges | Kosten paspoort | € 70,00 | amount\nleges vanaf {soon} | € 72,00")), "{edit}");
    assert!(edit.contains("afspraak_url | Link naar de afsprakenpagina |  | url"), "the kind is kept: {edit}");
}

#[actix_web::test]
async fn four_eyes_in_the_admin_pages() {
    let app = app().await;
    let mut conn = app.state.pool.get().unwrap();
    for (email, role) in [("beheer@example.org", Role::Admin), ("alpha2@example.org", Role::Editor)] {
        accounts::create_user(&mut conn, email, role, &Scope::parse("site:alpha").unwrap(), Some(PASSWORD), "test", meent::now()).unwrap();
    }
    drop(conn);
    // The admin switches four eyes on for Alpha.
    let mut admin = Browser::new(&app);
    admin.login("beheer@example.org", PASSWORD).await;
    let list = admin.get("/admin/goedkeuren").await.body;
    assert!(list.contains("Vier ogen instellen") && list.contains("site:alpha"), "{list}");
    let csrf = hidden(&list, "csrf");
    assert_eq!(admin.post("/admin/goedkeuren", &[("csrf", &csrf), ("scope", "site:alpha"), ("required", "aan")]).await.status, 303);
    assert!(admin.get("/admin/goedkeuren").await.body.contains("<td>site:alpha</td><td>Aan</td>"));

    // An editor saves: the change waits, and the editor is told so.
    let mut alpha = Browser::new(&app);
    alpha.login("alpha@example.org", PASSWORD).await;
    let form = alpha.get("/admin/sites/alpha/producten/paspoort").await.body;
    let fields = override_fields(&form, &[("title", "Paspoort na vier ogen"), ("enabled", "inherit")]);
    let refs: Vec<(&str, &str)> = fields.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let saved = alpha.post("/admin/sites/alpha/producten/paspoort", &refs).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let location = saved.header("location").unwrap().to_owned();
    assert!(location.starts_with("/admin/goedkeuren/"), "{location}");
    let own = alpha.get(&location).await.body;
    assert!(own.contains("Uw wijziging wacht op goedkeuring") && !own.contains("Goedkeuren en publiceren"), "{own}");
    assert!(own.contains("<ins>") && own.contains("Paspoort na vier ogen"), "the change as a diff: {own}");
    assert!(!app.get("alpha.test", "/producten/paspoort").await.body.contains("Paspoort na vier ogen"));
    // The author's own approval is refused, even when posted.
    let csrf = hidden(&own, "csrf");
    assert_eq!(alpha.post(&format!("{location}/goedkeuren"), &[("csrf", &csrf)]).await.status, 403);

    // The other editor sees it on the dashboard and approves it.
    let mut other = Browser::new(&app);
    other.login("alpha2@example.org", PASSWORD).await;
    let dash = other.get("/admin").await.body;
    assert!(dash.contains(&format!("href=\"{location}\"")) && dash.contains("door alpha@example.org"), "{dash}");
    let page = other.get(&location).await.body;
    let csrf = hidden(&page, "csrf");
    let done = other.post(&format!("{location}/goedkeuren"), &[("csrf", &csrf)]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert!(app.get("alpha.test", "/producten/paspoort").await.body.contains("Paspoort na vier ogen"));
}

#[actix_web::test]
async fn a_release_in_the_admin_pages() {
    let app = app().await;
    let mut central = Browser::new(&app);
    central.login("central@example.org", PASSWORD).await;
    // Start a release of the national catalogue.
    let list = central.get("/admin/releases").await.body;
    let csrf = hidden(&list, "csrf");
    let made = central.post("/admin/releases", &[("csrf", &csrf), ("scope", "national"), ("name", "Nieuwe teksten")]).await;
    assert_eq!(made.status, 303, "{}", made.body);
    let location = made.header("location").unwrap().to_owned();
    let id = location.rsplit('/').next().unwrap().to_owned();
    // Save a product into it from the product form: residents see nothing yet.
    let edit = central.get("/admin/catalogus/paspoort").await.body;
    assert!(edit.contains("Opslaan in release") && edit.contains("Nieuwe teksten"), "{edit}");
    let csrf = hidden(&edit, "csrf");
    let revision = hidden(&edit, "revision");
    let body_text = edit.split("<textarea id=\"body\"").nth(1).unwrap();
    let body_text = body_text[body_text.find('>').unwrap() + 1..body_text.find("</textarea>").unwrap()].replace("&#39;", "'").replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    let fields = [("csrf", csrf.as_str()), ("revision", revision.as_str()), ("title", "Paspoort"), ("summary", "UIT DE RELEASE in {{ gemeente }}."), ("status", "published"), ("audience.particulier", "1"), ("body", body_text.as_str()), ("variables", "leges | Kosten paspoort | een bedrag dat de gemeente vaststelt\nafspraak_url | Link naar de afsprakenpagina |"), ("release", id.as_str()), ("opslaan", "1")];
    let staged = central.post("/admin/catalogus/paspoort", &fields).await;
    assert_eq!(staged.status, 303, "{}", staged.body);
    assert_eq!(staged.header("location").unwrap(), format!("/admin/releases/{id}?toegevoegd=1"));
    assert!(!app.get("beta.test", "/producten/paspoort").await.body.contains("UIT DE RELEASE"));
    // Preview on a site, then publish.
    let preview = central.get(&format!("/admin/releases/{id}?site=beta&product=paspoort")).await.body;
    assert!(preview.contains("Na publicatie op de website van beta") && preview.contains("Nu publiceren"), "{preview}");
    let csrf = hidden(&preview, "csrf");
    let done = central.post(&format!("/admin/releases/{id}/publiceren"), &[("csrf", &csrf)]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert!(app.get("beta.test", "/producten/paspoort").await.body.contains("UIT DE RELEASE in Beta"));
    assert!(app.get("gamma.test", "/producten/paspoort").await.body.contains("UIT DE RELEASE in Gamma"));
    // Undo it from the page.
    let page = central.get(&format!("/admin/releases/{id}")).await.body;
    assert!(page.contains("Release terugdraaien"), "{page}");
    let csrf = hidden(&page, "csrf");
    assert_eq!(central.post(&format!("/admin/releases/{id}/terugdraaien"), &[("csrf", &csrf)]).await.status, 303);
    assert!(!app.get("beta.test", "/producten/paspoort").await.body.contains("UIT DE RELEASE"));
}
