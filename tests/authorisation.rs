//! The authorisation matrix, generated from the route tables (`meent::web::admin_routes`):
//! every admin page and admin API route, every method, for every actor (anonymous; editor and
//! admin of a site, of a group and national; a disabled account; an expired and a revoked
//! token) on every target it can have (own site, a member site of the own group, a site outside
//! it, the group, the national scope, accounts of each scope). Each cell is either allowed, or
//! refused (401, 403, 404, or for pages a redirect to the login) with nothing changed: accounts,
//! grants, tokens, sessions, media, settings, redirects, content and revisions are compared
//! before and after. A route without cells here fails the test.

mod common;

use std::collections::BTreeMap;

use common::browser::{Browser, hidden};
use common::{Response, TestApp, fixture, multipart};
use diesel::prelude::*;
use meent::auth::accounts;
use meent::auth::permissions::{Role, Scope};
use meent::db::schema;

const PASSWORD: &str = "een heel lang wachtwoord";
const HOST: &str = "alpha.test";

/// Who asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Actor {
    Anonymous,
    SiteEditor,
    SiteAdmin,
    GroupEditor,
    GroupAdmin,
    NationalEditor,
    NationalAdmin,
    Disabled,
    Expired,
    Revoked,
}

const ACTORS: [Actor; 10] = [
    Actor::Anonymous,
    Actor::SiteEditor,
    Actor::SiteAdmin,
    Actor::GroupEditor,
    Actor::GroupAdmin,
    Actor::NationalEditor,
    Actor::NationalAdmin,
    Actor::Disabled,
    Actor::Expired,
    Actor::Revoked,
];

impl Actor {
    /// Email, role and scope of its account.
    fn account(self) -> Option<(&'static str, Role, &'static str)> {
        Some(match self {
            Actor::Anonymous => return None,
            Actor::SiteEditor => ("site-editor@example.org", Role::Editor, "site:alpha"),
            Actor::SiteAdmin => ("site-admin@example.org", Role::Admin, "site:alpha"),
            Actor::GroupEditor => ("group-editor@example.org", Role::Editor, "group:regio"),
            Actor::GroupAdmin => ("group-admin@example.org", Role::Admin, "group:regio"),
            Actor::NationalEditor => ("national-editor@example.org", Role::Editor, "national"),
            Actor::NationalAdmin => ("national-admin@example.org", Role::Admin, "national"),
            Actor::Disabled => ("disabled@example.org", Role::Admin, "national"),
            Actor::Expired => ("expired@example.org", Role::Admin, "national"),
            Actor::Revoked => ("revoked@example.org", Role::Admin, "national"),
        })
    }

    /// Whether it gets in at all.
    fn live(self) -> bool {
        !matches!(self, Actor::Anonymous | Actor::Disabled | Actor::Expired | Actor::Revoked)
    }

    fn scope(self) -> Option<Scope> {
        self.account().map(|(_, _, s)| Scope::parse(s).unwrap())
    }

    fn is_admin(self) -> bool {
        self.account().is_some_and(|(_, r, _)| r == Role::Admin)
    }

    /// The test's own model of scopes: the region group has alpha and beta; gamma is alone.
    fn covers(self, target: &Scope) -> bool {
        match (self.scope(), target) {
            (Some(Scope::National), _) => true,
            (Some(Scope::Group(g)), Scope::Group(t)) => &g == t,
            (Some(Scope::Group(g)), Scope::Site(s)) => g == "regio" && (s == "alpha" || s == "beta"),
            (Some(Scope::Site(a)), Scope::Site(b)) => &a == b,
            _ => false,
        }
    }

    fn edits_catalogue(self) -> bool {
        self.scope() == Some(Scope::National)
    }
}

/// What a cell works on.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// No target beyond the route itself.
    None,
    /// A site or group layer, or the national scope (for media).
    Layer(Scope),
    /// An account of this scope (not one of the actors).
    Account(Scope),
    /// The actor's own token.
    OwnToken,
}

/// Who may do it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    Public,
    SignedIn,
    Catalogue,
    /// Editors of the target layer (the catalogue's editors for national media).
    Layer,
    /// Editors who can use a media item of the target scope (thumbnails): its layer's
    /// editors, and for a group's item the editors of its member sites.
    UseMedia,
    /// Admins of any scope.
    AnyAdmin,
    /// Admins of the target scope.
    AdminOf,
    /// Admins of every scope the target account holds.
    ManagesAccount,
}

fn allowed(rule: Rule, actor: Actor, target: &Target) -> bool {
    if rule == Rule::Public {
        return true;
    }
    if !actor.live() {
        return false;
    }
    match (rule, target) {
        (Rule::SignedIn, _) => true,
        (Rule::Catalogue, _) => actor.edits_catalogue(),
        (Rule::Layer, Target::Layer(Scope::National)) => actor.edits_catalogue(),
        (Rule::Layer, Target::Layer(s)) => actor.covers(s),
        (Rule::UseMedia, Target::Layer(Scope::National)) => true,
        (Rule::UseMedia, Target::Layer(Scope::Group(g))) => actor.covers(&Scope::Group(g.clone())) || actor.covers(&Scope::Site("alpha".into())),
        (Rule::UseMedia, Target::Layer(s)) => actor.covers(s),
        (Rule::AnyAdmin, _) => actor.is_admin(),
        (Rule::AdminOf, Target::Layer(s)) | (Rule::ManagesAccount, Target::Account(s)) => actor.is_admin() && actor.covers(s),
        (Rule::ManagesAccount, Target::OwnToken) => true,
        (r, t) => panic!("no rule {r:?} for {t:?}"),
    }
}

fn site(s: &str) -> Scope {
    Scope::Site(s.into())
}

fn layers() -> Vec<Target> {
    vec![Target::Layer(site("alpha")), Target::Layer(site("beta")), Target::Layer(site("gamma")), Target::Layer(Scope::Group("regio".into()))]
}

fn media_scopes() -> Vec<Target> {
    let mut all = layers();
    all.push(Target::Layer(Scope::National));
    all
}

fn accounts_of_scopes() -> Vec<Target> {
    vec![Target::Account(site("alpha")), Target::Account(site("beta")), Target::Account(site("gamma")), Target::Account(Scope::Group("regio".into())), Target::Account(Scope::National)]
}

/// The rule and targets of a route; `None` for a route the matrix does not know yet.
fn cells_of(method: &str, path: &str) -> Option<(Rule, Vec<Target>)> {
    let p = path.trim_start_matches("/api/v1/admin").trim_start_matches("/admin");
    let api = path.starts_with("/api/");
    let one = vec![Target::None];
    Some(match (method, p) {
        (_, "/inloggen") => (Rule::Public, one),
        (_, "" | "/" | "/uitloggen" | "/sleutels" | "/me" | "/tokens" | "/me/digest" | "/herinneringen") => (Rule::SignedIn, one),
        (_, "/sleutels/{id}/intrekken" | "/tokens/{id}") => (Rule::ManagesAccount, { let mut t = accounts_of_scopes(); t.push(Target::OwnToken); t }),
        (_, "/gebruikers" | "/logboek" | "/audit") if method != "POST" || p != "/gebruikers" => (Rule::AnyAdmin, one),
        (_, "/users") if method != "POST" => (Rule::AnyAdmin, one),
        ("POST", "/gebruikers" | "/users") => (Rule::AdminOf, vec![Target::Layer(site("alpha")), Target::Layer(site("gamma")), Target::Layer(Scope::Group("regio".into())), Target::Layer(Scope::National)]),
        (_, "/gebruikers/{id}" | "/gebruikers/{id}/uitzetten" | "/gebruikers/{id}/wachtwoord" | "/users/{id}/disable" | "/users/{id}/reset" | "/users/{id}/tokens") => {
            (Rule::ManagesAccount, accounts_of_scopes())
        }
        ("GET" | "HEAD", "/catalogue/{slug}") if api => (Rule::SignedIn, one),
        (_, p) if p.starts_with("/catalogus") || p.starts_with("/catalogue") => (Rule::Catalogue, one),
        (_, "/sdg") => (Rule::SignedIn, one),
        ("GET" | "HEAD", "/goedkeuren" | "/approvals" | "/releases") => (Rule::SignedIn, one),
        ("POST", "/releases") => (Rule::Layer, media_scopes()),
        (_, p) if p.starts_with("/releases/{id}") => (Rule::Layer, media_scopes()),
        ("POST", "/goedkeuren") | ("PUT", "/approval/{scope}") => (Rule::AdminOf, vec![Target::Layer(site("alpha")), Target::Layer(Scope::Group("regio".into())), Target::Layer(Scope::National)]),
        (_, "/approval/{scope}" | "/links/{scope}") => (Rule::Layer, media_scopes()),
        (_, "/goedkeuren/{id}" | "/goedkeuren/{id}/goedkeuren" | "/goedkeuren/{id}/terugsturen" | "/approvals/{id}" | "/approvals/{id}/approve" | "/approvals/{id}/send-back") => {
            (Rule::Layer, media_scopes())
        }
        ("GET" | "HEAD", "/thesaurus" | "/zoeken") => (Rule::SignedIn, one),
        (_, "/thesaurus" | "/zoeken") => (Rule::Catalogue, one),
        (_, "/sites/{site}/sdg" | "/sites/{site}/feedback" | "/sites/{site}/statistics" | "/sites/{site}/reacties" | "/sites/{site}/statistieken" | "/sites/{site}/statistieken.csv") => (Rule::Layer, vec![Target::Layer(site("alpha")), Target::Layer(site("beta")), Target::Layer(site("gamma"))]),
        (_, "/voorbeeld/{site}/producten/{slug}") => (Rule::Layer, vec![Target::Layer(site("alpha")), Target::Layer(site("beta")), Target::Layer(site("gamma"))]),
        (_, "/afbeelding-bestand/{key}") => (Rule::UseMedia, media_scopes()),
        (_, p) if p.starts_with("/afbeeldingen") || p.starts_with("/media") => (Rule::Layer, vec![Target::Layer(Scope::National)]),
        (_, p) if p.starts_with("/{kind}/{layer}/afbeeldingen") || p.starts_with("/{kind}/{layer}/media") => (Rule::Layer, layers()),
        (_, p) if p.contains("omleidingen") || p.contains("redirects") => {
            (Rule::Layer, vec![Target::Layer(site("alpha")), Target::Layer(site("beta")), Target::Layer(site("gamma"))])
        }
        (_, p) if p.starts_with("/{kind}/{layer}") => (Rule::Layer, layers()),
        _ => return None,
    })
}

/// The fixture: the app, an account per actor, and how each actor asks.
struct World {
    app: TestApp,
    tokens: BTreeMap<&'static str, String>,
    national: String,
    /// A national editor who is none of the actors: the author of the proposals cells decide.
    author: String,
    counter: std::cell::Cell<u32>,
}

impl World {
    async fn new() -> World {
        let app = TestApp::start(&fixture("country")).await;
        let mut tokens = BTreeMap::new();
        {
            let mut conn = app.state.pool.get().unwrap();
            for actor in ACTORS {
                let Some((email, role, scope)) = actor.account() else { continue };
                let token = accounts::create_user(&mut conn, email, role, &Scope::parse(scope).unwrap(), Some(PASSWORD), "test", meent::now()).unwrap();
                tokens.insert(email, token);
            }
            let user = |c: &mut meent::db::Conn, email: &str| meent::db::models::accounts::user_by_email(c, email).unwrap().unwrap().id;
            let disabled = user(&mut conn, "disabled@example.org");
            meent::db::models::accounts::set_disabled(&mut conn, disabled, true).unwrap();
            let expired = user(&mut conn, "expired@example.org");
            diesel::update(schema::api_tokens::table.filter(schema::api_tokens::user_id.eq(expired)))
                .set(schema::api_tokens::expires_at.eq(meent::now() - 1))
                .execute(&mut conn)
                .unwrap();
            let revoked = tokens["revoked@example.org"].clone();
            meent::db::models::accounts::revoke_token(&mut conn, &meent::auth::secrets::hash_token(&revoked), meent::now()).unwrap();
        }
        let national = tokens["national-admin@example.org"].clone();
        let author = {
            let mut conn = app.state.pool.get().unwrap();
            accounts::create_user(&mut conn, "auteur@example.org", Role::Editor, &Scope::National, None, "test", meent::now()).unwrap()
        };
        World { app, tokens, national, author, counter: std::cell::Cell::new(0) }
    }

    fn next(&self) -> u32 {
        self.counter.set(self.counter.get() + 1);
        self.counter.get()
    }

    async fn api(&self, token: &str, method: &str, path: &str, body: Option<Vec<u8>>, headers: &[(&str, &str)]) -> Response {
        let auth = format!("Bearer {token}");
        let mut all: Vec<(&str, &str)> = vec![("Authorization", &auth), ("Content-Type", "application/json")];
        all.extend_from_slice(headers);
        self.app.send(method, HOST, path, &all, body).await
    }

    /// A change in `scope` to save: the passport's summary for national, the layer's override of
    /// the passport otherwise (`mark` makes it differ from the last one).
    async fn change_of(&self, scope: &Scope, mark: &str) -> (String, serde_json::Value) {
        let path = match scope {
            Scope::National => "/api/v1/admin/catalogue/paspoort".to_owned(),
            layer => {
                let (k, l) = layer_segments(layer, true);
                format!("/api/v1/admin/{k}/{l}/overrides/paspoort")
            }
        };
        let current = self.api(&self.national, "GET", &path, None, &[]).await;
        let mut doc = if current.status == 200 { current.json() } else { serde_json::json!({}) };
        match scope {
            Scope::National => doc["summary"] = serde_json::json!(format!("Een paspoort aanvragen ({mark}).")),
            _ => doc["variables"] = serde_json::json!({ "leges": format!("€ {mark}") }),
        }
        (path, doc)
    }

    /// A change by the author that waits for approval in `scope` (a product for national, the
    /// layer's override of the passport otherwise). Approval is asked only while it is made,
    /// so the other cells publish as always.
    async fn proposal(&self, scope: &Scope, n: u32) -> i64 {
        let setting = format!("/api/v1/admin/approval/{scope}");
        self.setup("PUT", &setting, serde_json::json!({ "required": true })).await;
        let (path, doc) = self.change_of(scope, &format!("{n}7")).await;
        let res = self.api(&self.author, "PUT", &path, Some(doc.to_string().into_bytes()), &[]).await;
        assert_eq!(res.status, 202, "setup proposal {path}: {}", res.body);
        self.setup("PUT", &setting, serde_json::json!({ "required": false })).await;
        res.json()["proposal"].as_i64().unwrap()
    }

    /// A release of `scope` (as the national admin) with one staged change; published when
    /// `published`.
    async fn release(&self, scope: &Scope, n: u32, published: bool) -> i64 {
        let made = self.setup("POST", "/api/v1/admin/releases", serde_json::json!({ "scope": scope.to_string(), "name": format!("Matrix {n}") })).await;
        let id = made["id"].as_i64().unwrap();
        let (path, doc) = self.change_of(scope, &format!("{n}6")).await;
        let header = id.to_string();
        let res = self.api(&self.national, "PUT", &path, Some(doc.to_string().into_bytes()), &[("X-Release", &header)]).await;
        assert_eq!(res.status, 202, "setup release change {path}: {}", res.body);
        if published {
            self.setup("POST", &format!("/api/v1/admin/releases/{id}/publish"), serde_json::json!({})).await;
        }
        id
    }

    /// A call by the national admin that must work (setting up a cell).
    async fn setup(&self, method: &str, path: &str, body: serde_json::Value) -> serde_json::Value {
        let res = self.api(&self.national, method, path, Some(body.to_string().into_bytes()), &[]).await;
        assert!(res.status < 300, "setup {method} {path}: {} {}", res.status, res.body);
        if res.body.is_empty() { serde_json::Value::Null } else { res.json() }
    }

    /// Saves `doc` at `path` over whatever is there (as the national admin); its revision.
    async fn put_latest(&self, path: &str, doc: serde_json::Value) -> i64 {
        let current = self.api(&self.national, "GET", path, None, &[]).await;
        let base = if current.status == 200 { vec![("If-Match".to_owned(), format!("\"{}\"", current.json()["revision"]))] } else { vec![] };
        let headers: Vec<(&str, &str)> = base.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let res = self.api(&self.national, "PUT", path, Some(doc.to_string().into_bytes()), &headers).await;
        assert_eq!(res.status, 200, "setup PUT {path}: {}", res.body);
        res.json()["revision"].as_i64().unwrap()
    }

    async fn upload(&self, scope_path: &str) -> String {
        let (content_type, body) = multipart(&[("alt", "Een testbeeld")], Some(("test.png", "image/png", &png())));
        let path = format!("/api/v1/admin{scope_path}");
        let res = self.api(&self.national, "POST", &path, Some(body), &[("Content-Type", &content_type)]).await;
        assert_eq!(res.status, 201, "upload {path}: {}", res.body);
        res.json()["key"].as_str().unwrap().to_owned()
    }

    /// A new account in a scope, with a token; returns (id, email, token id).
    fn account(&self, scope: &Scope) -> (i64, String, i64) {
        let mut conn = self.app.state.pool.get().unwrap();
        let email = format!("doel-{}@example.org", self.next());
        accounts::create_user(&mut conn, &email, Role::Editor, scope, None, "test", meent::now()).unwrap();
        let user = meent::db::models::accounts::user_by_email(&mut conn, &email).unwrap().unwrap();
        let token = meent::db::models::accounts::tokens_of(&mut conn, user.id).unwrap()[0].id;
        (user.id, email, token)
    }

    fn own_token(&self, actor: Actor) -> i64 {
        let mut conn = self.app.state.pool.get().unwrap();
        // Someone without an account asks about someone else's token.
        let (email, _, _) = actor.account().unwrap_or(("national-admin@example.org", Role::Admin, "national"));
        let user = meent::db::models::accounts::user_by_email(&mut conn, email).unwrap().unwrap();
        let (_, token) = accounts::mint_token(&mut conn, user.id, "eigen", 30, meent::now()).unwrap();
        token.id
    }
}

fn png() -> Vec<u8> {
    let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(16, 16, |x, y| image::Rgb([(x * 16) as u8, (y * 16) as u8, 90])));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Everything a refused request must leave as it was.
fn fingerprint(app: &TestApp) -> String {
    use schema::*;
    let mut conn = app.state.pool.get().unwrap();
    let c = &mut *conn;
    let accounts: Vec<(i64, String, Option<String>, bool)> =
        users::table.select((users::id, users::email, users::password_hash, users::disabled)).order(users::id).load(c).unwrap();
    let grants: Vec<(i64, String, String)> = grants::table.select((grants::user_id, grants::role, grants::scope)).order((grants::user_id, grants::scope, grants::role)).load(c).unwrap();
    let tokens: Vec<(i64, i64, Option<i64>, Option<i64>)> =
        api_tokens::table.select((api_tokens::id, api_tokens::user_id, api_tokens::revoked_at, api_tokens::expires_at)).order(api_tokens::id).load(c).unwrap();
    let sessions: Vec<(String, i64)> = sessions::table.select((sessions::id_hash, sessions::user_id)).order(sessions::id_hash).load(c).unwrap();
    let devices: Vec<String> = trusted_devices::table.select(trusted_devices::token_hash).order(trusted_devices::token_hash).load(c).unwrap();
    let media_rows: Vec<(String, String, String, bool, i64)> =
        media::table.select((media::key, media::hash, media::alt, media::decorative, media::revision)).order(media::key).load(c).unwrap();
    let settings_rows: Vec<(String, String)> = settings::table.select((settings::key, settings::value)).order(settings::key).load(c).unwrap();
    let revisions: i64 = revisions::table.count().get_result(c).unwrap();
    let changes: Option<i64> = changes::table.select(diesel::dsl::max(changes::id)).first(c).unwrap();
    let tree = meent::content::export::snapshot(c).unwrap();
    format!(
        "{accounts:?}{grants:?}{tokens:?}{sessions:?}{devices:?}{media_rows:?}{settings_rows:?}{revisions}{changes:?}{:?}{:?}{:?}{:?}{:?}{:?}{:?}{:?}",
        tree.products, tree.overrides, tree.pages, tree.news, tree.alerts, tree.redirects, tree.groups, tree.sites
    )
}

/// A request ready to send: the path with its parameters, and a body.
struct Prepared {
    path: String,
    json: Option<serde_json::Value>,
    form: Vec<(String, String)>,
    upload: bool,
    if_match: Option<i64>,
}

/// The URL segment of a layer.
fn layer_segments(scope: &Scope, api: bool) -> (String, String) {
    match scope {
        Scope::Site(s) => ("sites".into(), s.clone()),
        Scope::Group(g) => (if api { "groups".into() } else { "groepen".into() }, g.clone()),
        Scope::National => panic!("no layer segment for the national scope"),
    }
}

/// Prepares one cell: makes what it works on (as the national admin) and fills the path.
async fn prepare(w: &World, method: &str, pattern: &str, target: &Target, actor: Actor) -> Prepared {
    let api = pattern.starts_with("/api/");
    let mut path = pattern.to_owned();
    let mut json = None;
    let mut form: Vec<(String, String)> = Vec::new();
    let mut if_match = None;
    let n = w.next();
    let layer_api_base = |scope: &Scope| {
        let (k, l) = layer_segments(scope, true);
        format!("/api/v1/admin/{k}/{l}")
    };
    if let Target::Layer(scope) = target {
        if path.contains("{kind}") {
            let (k, l) = layer_segments(scope, api);
            path = path.replace("{kind}", &k).replace("{layer}", &l);
        }
        if let Scope::Site(s) = scope {
            path = path.replace("{site}", s);
        }
    }
    // The kind of local item a route is about, by its API or admin segment.
    let local = [("pages", "/pages"), ("pages", "/paginas"), ("news", "/news"), ("news", "/nieuws"), ("alerts", "/alerts"), ("alerts", "/meldingen")]
        .into_iter()
        .find(|(_, segment)| pattern.contains(segment))
        .map(|(kind, _)| kind);
    let local_doc = |kind: &str, n: u32| match kind {
        "pages" => serde_json::json!({ "path": format!("matrix/p{n}"), "title": "Matrixpagina", "body": "Tekst." }),
        "news" => serde_json::json!({ "slug": format!("matrix-{n}"), "date": "2026-11-30", "title": "Matrixnieuws", "body": "Tekst." }),
        _ => serde_json::json!({ "slug": format!("matrix-{n}"), "title": "Matrixmelding", "severity": "info", "body": "Tekst." }),
    };
    let local_form = |kind: &str, n: u32| -> Vec<(String, String)> {
        match kind {
            "pages" => vec![("path".into(), format!("matrix/f{n}")), ("title".into(), "Matrixpagina".into()), ("body".into(), "Tekst.".into())],
            "news" => vec![("slug".into(), format!("matrix-f{n}")), ("date".into(), "2026-11-30".into()), ("title".into(), "Matrixnieuws".into()), ("body".into(), "Tekst.".into())],
            _ => vec![("slug".into(), format!("matrix-f{n}")), ("title".into(), "Matrixmelding".into()), ("severity".into(), "info".into()), ("body".into(), "Tekst.".into())],
        }
    };
    // Proposals and the approval setting of a scope.
    let bare = pattern.trim_start_matches("/api/v1/admin").trim_start_matches("/admin");
    if let Target::Layer(scope) = target {
        if bare == "/releases" {
            json = Some(serde_json::json!({ "scope": scope.to_string(), "name": format!("Matrix {n}") }));
            form = vec![("scope".into(), scope.to_string()), ("name".into(), format!("Matrix {n}"))];
        }
        if bare.starts_with("/releases/{id}") {
            let id = w.release(scope, n, bare.ends_with("/undo")).await;
            path = path.replace("{id}", &id.to_string()).replace("{site}", "alpha").replace("{slug}", "paspoort").replace("{action}", "publiceren");
            if bare.ends_with("/schedule") {
                let at = chrono::DateTime::from_timestamp(meent::now() + 86_400, 0).unwrap().to_rfc3339();
                json = Some(serde_json::json!({ "publish_at": at }));
            }
        }
        if bare.starts_with("/goedkeuren/{id}") || bare.starts_with("/approvals/{id}") {
            path = path.replace("{id}", &w.proposal(scope, n).await.to_string());
            json = Some(serde_json::json!({ "note": format!("Matrix {n}") }));
            form = vec![("note".into(), format!("Matrix {n}"))];
        }
        path = path.replace("{scope}", &scope.to_string());
        if bare == "/goedkeuren" || bare == "/approval/{scope}" && method == "PUT" {
            json = Some(serde_json::json!({ "required": false }));
            form = vec![("scope".into(), scope.to_string()), ("required".into(), "uit".into())];
        }
    }
    // Items addressed by id.
    if path.contains("{id}") {
        let id = match (target, local) {
            (Target::Layer(scope), Some(kind)) => {
                let made = w.setup("POST", &format!("{}/{kind}", layer_api_base(scope)), local_doc(kind, n)).await;
                if_match = made["revision"].as_i64();
                made["id"].as_i64().unwrap()
            }
            (Target::Account(scope), _) => {
                let (user, _, token) = w.account(scope);
                if pattern.contains("/sleutels/") || pattern.contains("/tokens/") { token } else { user }
            }
            (Target::OwnToken, _) => w.own_token(actor),
            other => panic!("no id for {pattern} {other:?}"),
        };
        path = path.replace("{id}", &id.to_string());
    } else if path.ends_with("/nieuw") {
        // A new item's form.
    }
    if let (Target::Layer(scope), Some(kind)) = (target, local) {
        if method == "POST" && !path.contains("/versies") && !path.contains("/revisions") {
            if api {
                json = Some(local_doc(kind, n));
            } else {
                form = local_form(kind, n);
            }
        }
        if method == "PUT" {
            json = Some(local_doc(kind, n));
        }
        if !api && method == "POST" && path.contains("/nieuw") {
            form = local_form(kind, n);
        }
        if !api && method == "POST" && !path.contains("/nieuw") && !path.contains("/versies") {
            form.push(("revision".into(), if_match.unwrap_or(1).to_string()));
        }
        let _ = scope;
    }
    if path.contains("{revision}") {
        // A revision the history has: the newest of the product or override, or 1 of an item
        // made above.
        let history = if pattern.contains("/catalog") {
            Some("/api/v1/admin/catalogue/paspoort/revisions".to_owned())
        } else if let (true, Target::Layer(scope)) = (pattern.contains("overrides"), target) {
            Some(format!("{}/overrides/paspoort/revisions", layer_api_base(scope)))
        } else {
            None
        };
        let revision = match history {
            Some(h) => w.api(&w.national, "GET", &h, None, &[]).await.json()[0]["revision"].as_i64().unwrap_or(1),
            None => 1,
        };
        path = path.replace("{revision}", &revision.to_string());
    }
    // Products and overrides.
    if path.contains("{slug}") {
        path = path.replace("{slug}", "paspoort");
        if pattern.contains("overrides") || pattern.contains("/producten/") {
            if let Target::Layer(scope) = target {
                if !pattern.contains("voorbeeld") {
                    let base = format!("{}/overrides/paspoort", layer_api_base(scope));
                    let current = w.api(&w.national, "GET", &base, None, &[]).await;
                    let headers: Vec<(String, String)> = if current.status == 200 { vec![("If-Match".into(), format!("\"{}\"", current.json()["revision"]))] } else { vec![] };
                    let h: Vec<(&str, &str)> = headers.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
                    let doc = serde_json::json!({ "variables": { "leges": format!("€ {n}") } });
                    let res = w.api(&w.national, "PUT", &base, Some(doc.to_string().into_bytes()), &h).await;
                    assert_eq!(res.status, 200, "setup override: {}", res.body);
                    if_match = res.json()["revision"].as_i64();
                    json = Some(serde_json::json!({ "variables": { "leges": format!("€ {n}9") } }));
                    form = vec![("revision".into(), if_match.unwrap().to_string()), ("variables".into(), format!("leges = € {n}8"))];
                }
            }
        } else {
            let current = w.api(&w.national, "GET", "/api/v1/admin/catalogue/paspoort", None, &[]).await.json();
            if_match = current["revision"].as_i64();
            json = Some(current.clone());
            form = vec![
                ("revision".into(), if_match.unwrap().to_string()),
                ("title".into(), "Paspoort".into()),
                ("summary".into(), current["summary"].as_str().unwrap_or("").to_owned()),
                ("status".into(), "published".into()),
                ("body".into(), "## Wat is het? {#wat}\nEen paspoort.".into()),
            ];
        }
    }
    // Translations: the Dutch item exists (made above) and gets an English text, and so does
    // the product, so reading, saving and removing the translation have something to act on.
    if path.contains("{lang}") {
        path = path.replace("{lang}", "en");
        let product = serde_json::json!({ "title": format!("Passport {n}"), "sections": [{ "key": "wat", "heading": "What is it?", "body": "A passport." }] });
        let catalogue = "/api/v1/admin/catalogue/paspoort/translations/en";
        let doc = if pattern.contains("/catalogue") {
            product.clone()
        } else if pattern.contains("/overrides") {
            serde_json::json!({ "title": format!("Passport here {n}") })
        } else {
            serde_json::json!({ "title": format!("Matrix {n}"), "body": "Text." })
        };
        w.put_latest(catalogue, product).await;
        if_match = Some(w.put_latest(&path, doc.clone()).await);
        json = Some(serde_json::json!({ "title": format!("Changed {n}") }));
    }
        // Media items.
    if path.contains("{key}") {
        let scope_path = match target {
            Target::Layer(Scope::National) => "/media".to_owned(),
            Target::Layer(scope) => {
                let (k, l) = layer_segments(scope, true);
                format!("/{k}/{l}/media")
            }
            other => panic!("no media for {other:?}"),
        };
        let key = w.upload(&scope_path).await;
        path = path.replace("{key}", &key);
        if_match = Some(1);
        if method == "PUT" && !path.ends_with("/file") {
            json = Some(serde_json::json!({ "alt": format!("Beschrijving {n}") }));
        }
        if !api && method == "POST" {
            form = vec![("revision".into(), "1".into()), ("alt".into(), format!("Beschrijving {n}"))];
        }
    }
    let upload = method == "POST" && (pattern.ends_with("/afbeeldingen") || pattern.ends_with("/bestand") || pattern.ends_with("/media"))
        || method == "PUT" && pattern.ends_with("/file");
    // Accounts and tokens.
    match (method, pattern.trim_start_matches("/api/v1/admin").trim_start_matches("/admin")) {
        ("POST", "/users" | "/gebruikers") => {
            let Target::Layer(scope) = target else { panic!() };
            let email = format!("nieuw-{n}@example.org");
            json = Some(serde_json::json!({ "email": email, "role": "editor", "scope": scope.to_string() }));
            form = vec![("email".into(), email), ("role".into(), "editor".into()), ("scope".into(), scope.to_string())];
        }
        ("POST", "/tokens" | "/sleutels") => {
            json = Some(serde_json::json!({ "name": format!("sleutel {n}") }));
            form = vec![("name".into(), format!("sleutel {n}"))];
        }
        ("POST", "/users/{id}/reset" | "/gebruikers/{id}/wachtwoord") => {
            json = Some(serde_json::json!({ "password": "een nieuw lang wachtwoord" }));
            form = vec![("password".into(), "een nieuw lang wachtwoord".into())];
        }
        ("PUT", "/sites/{site}/redirects") => json = Some(serde_json::json!({ "csv": format!("from,to\n/oud-{n},/producten\n") })),
        ("POST", "/{kind}/{layer}/omleidingen") => form = vec![("csv".into(), format!("from,to\n/oud-{n},/producten\n"))],
        ("PUT", "/thesaurus" | "/{kind}/{layer}/thesaurus") => {
            let current = w.api(&w.national, "GET", &path, None, &[]).await;
            assert_eq!(current.status, 200, "setup thesaurus: {}", current.body);
            if_match = current.json()["revision"].as_i64();
            json = Some(serde_json::json!({ "concepts": [{ "words": [format!("matrix{n}")], "everyday": [format!("matrixwoord{n}")] }] }));
        }
        ("POST", "/zoeken" | "/{kind}/{layer}/zoeken") => {
            let api_path = path.replacen("/admin/", "/api/v1/admin/", 1).replace("/groepen/", "/groups/").replace("/zoeken", "/thesaurus");
            let current = w.api(&w.national, "GET", &api_path, None, &[]).await;
            assert_eq!(current.status, 200, "setup thesaurus: {}", current.body);
            let revision = current.json()["revision"].as_i64().unwrap_or(0);
            form = vec![("revision".into(), revision.to_string()), ("toml".into(), format!("[[concept]]\nwords = [\"matrix{n}\"]\neveryday = [\"matrixwoord{n}\"]\n"))];
        }
        ("PUT", "/me/digest") => json = Some(serde_json::json!({ "frequency": "weekly" })),
        ("POST", "/herinneringen") => form = vec![("frequentie".into(), "dagelijks".into())],
        ("POST", "/inloggen") => form = vec![("email".into(), "niemand@example.org".into()), ("password".into(), "fout wachtwoord".into())],
        _ => {}
    }
    Prepared { path, json, form, upload, if_match }
}

/// Sends a prepared cell as the actor: a token for the API, a signed-in browser for pages.
async fn send(w: &World, browsers: &mut BTreeMap<String, Browser<'_>>, actor: Actor, method: &str, p: &Prepared) -> Response {
    if p.path.starts_with("/api/") {
        let token = match actor.account() {
            None => String::new(),
            Some((email, _, _)) => w.tokens[email].clone(),
        };
        let if_match = p.if_match.map(|r| format!("\"{r}\""));
        let mut headers: Vec<(&str, &str)> = Vec::new();
        if let Some(m) = &if_match {
            headers.push(("If-Match", m));
        }
        if p.upload {
            let (content_type, body) = multipart(&[("alt", "Een testbeeld")], Some(("nieuw.png", "image/png", &png())));
            headers.push(("Content-Type", &content_type));
            return w.api(&token, method, &p.path, Some(body), &headers).await;
        }
        let body = p.json.as_ref().map(|j| j.to_string().into_bytes());
        return w.api(&token, method, &p.path, body, &headers).await;
    }
    let key = format!("{actor:?}");
    let browser = browsers.get_mut(&key).expect("a browser per actor");
    if method == "GET" || method == "HEAD" {
        let cookie = browser.cookie_header();
        return w.app.request(method, HOST, &p.path, &[("Cookie", &cookie)]).await;
    }
    let csrf = browser.cookies.iter().find(|(n, _)| n == "csrf").map(|(_, v)| v.clone()).unwrap_or_default();
    let mut fields: Vec<(String, String)> = p.form.clone();
    fields.push(("csrf".into(), csrf.clone()));
    if p.path.ends_with("/inloggen") {
        // The login form, as a browser without a session sees it.
        let mut fresh = Browser::new(&w.app);
        let page = fresh.get("/admin/inloggen").await;
        fields.push(("login_token".into(), hidden(&page.body, "login_token")));
        let refs: Vec<(&str, &str)> = fields.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        return fresh.post(&p.path, &refs).await;
    }
    if p.upload {
        let refs: Vec<(&str, &str)> = fields.iter().map(|(a, b)| (a.as_str(), b.as_str())).chain([("alt", "Een testbeeld")]).collect();
        return browser.post_multipart(&p.path, &refs, ("nieuw.png", "image/png", &png())).await;
    }
    let refs: Vec<(&str, &str)> = fields.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    browser.post(&p.path, &refs).await
}

#[actix_web::test]
async fn every_admin_route_for_every_actor_and_target() {
    let w = World::new().await;
    let routes = meent::web::admin_routes();
    let unknown: Vec<_> = routes.iter().filter(|(m, p)| cells_of(m, p).is_none()).collect();
    assert!(unknown.is_empty(), "routes without cells in the authorisation matrix: {unknown:?}");

    // A signed-in browser per actor (the disabled one signs in before it is disabled, so its
    // session must have ended), with the CSRF token of its session kept as a pseudo-cookie.
    let mut browsers: BTreeMap<String, Browser> = BTreeMap::new();
    for actor in ACTORS {
        let mut b = Browser::new(&w.app);
        if let Some((email, _, _)) = actor.account() {
            if actor.live() {
                let res = b.login(email, PASSWORD).await;
                assert_eq!(res.status, 303, "{actor:?} signs in: {}", res.body);
                let csrf = hidden(&b.get("/admin").await.body, "csrf");
                b.cookies.push(("csrf".into(), csrf));
            }
        }
        browsers.insert(format!("{actor:?}"), b);
    }

    let mut cells = 0;
    let mut refused_seen = 0;
    // The fingerprint after the last refused cell is the one before the next, unless something
    // ran in between (a setup or an allowed cell).
    let mut known: Option<String> = None;
    for (method, pattern) in &routes {
        let (rule, targets) = cells_of(method, pattern).unwrap();
        for target in &targets {
            // Refused cells share one prepared item; an allowed cell may use it up, so the
            // next actor gets a fresh one.
            let mut prepared: Option<Prepared> = None;
            for actor in ACTORS {
                if prepared.is_none() || *target == Target::OwnToken {
                    prepared = Some(prepare(&w, method, pattern, target, actor).await);
                    known = None;
                }
                let p = prepared.as_ref().unwrap();
                let expect = allowed(rule, actor, target);
                let before = if expect { None } else { Some(known.take().unwrap_or_else(|| fingerprint(&w.app))) };
                let res = send(&w, &mut browsers, actor, method, p).await;
                let cell = format!("{actor:?} {method} {} ({pattern}, {target:?})", p.path);
                cells += 1;
                if rule == Rule::Public {
                    known = None;
                    assert!(res.status < 500, "{cell}: {} {}", res.status, res.body);
                } else if expect {
                    known = None;
                    assert!(res.status < 500 && ![401, 403, 404].contains(&res.status), "{cell}: allowed, got {} {}", res.status, res.body);
                    let to_login = res.header("location").is_some_and(|l| l.starts_with("/admin/inloggen"));
                    assert!(!to_login || rule == Rule::Public || pattern.ends_with("/uitloggen") || pattern.ends_with("/wachtwoord"), "{cell}: allowed, sent to the login");
                    if method != "GET" && method != "HEAD" || pattern.ends_with("/inloggen") {
                        prepared = None;
                    }
                    // Signing out or resetting one's own password ends the session: sign in again.
                    if pattern.ends_with("/uitloggen") || to_login {
                        let (email, _, _) = actor.account().unwrap();
                        let b = browsers.get_mut(&format!("{actor:?}")).unwrap();
                        b.cookies.clear();
                        assert_eq!(b.login(email, PASSWORD).await.status, 303);
                        let csrf = hidden(&b.get("/admin").await.body, "csrf");
                        b.cookies.push(("csrf".into(), csrf));
                    }
                } else {
                    refused_seen += 1;
                    let api = pattern.starts_with("/api/");
                    let ok = if actor.live() {
                        [403, 404].contains(&res.status)
                    } else if api {
                        res.status == 401
                    } else {
                        res.status == 302 && res.header("location").is_some_and(|l| l.starts_with("/admin/inloggen"))
                    };
                    assert!(ok, "{cell}: refused, got {} {}", res.status, res.body);
                    let after = fingerprint(&w.app);
                    assert_eq!(before.unwrap(), after, "{cell}: refused, but something changed");
                    known = Some(after);
                }
            }
        }
    }
    eprintln!("{cells} cells, {refused_seen} refused");
    assert!(cells > 2000 && refused_seen > 1000, "{cells} cells, {refused_seen} refused");
}
