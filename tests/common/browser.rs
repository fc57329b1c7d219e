//! A browser for the admin pages: keeps cookies, sends forms.

use super::{Response, TestApp};

/// The session cookie (with `Secure`, as the tests run).
pub const SESSION: &str = "__Host-meent_session";

/// A browser: keeps cookies, sends forms.
pub struct Browser<'a> {
    app: &'a TestApp,
    /// The host every request goes to.
    pub host: &'static str,
    pub cookies: Vec<(String, String)>,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Browser<'a> {
        Browser { app, host: "alpha.test", cookies: vec![] }
    }

    pub fn remember(&mut self, res: &Response) {
        for value in res.headers.get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (name, val) = pair.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != name);
            if !text.contains("Max-Age=0") && !val.is_empty() {
                self.cookies.push((name.to_owned(), val.to_owned()));
            }
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("; ")
    }

    pub async fn get(&mut self, path: &str) -> Response {
        let cookie = self.cookie_header();
        let res = self.app.request("GET", self.host, path, &[("Cookie", &cookie)]).await;
        self.remember(&res);
        res
    }

    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        let client = awc::Client::builder().disable_redirects().finish();
        let mut res = client
            .post(self.app.server.url(path))
            .insert_header(("Host", self.host))
            .insert_header(("Cookie", self.cookie_header()))
            .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
            .address(self.app.server.addr())
            .send_body(body)
            .await
            .unwrap();
        let bytes = res.body().await.unwrap();
        let res = Response::new(res.status(), res.headers(), &bytes);
        self.remember(&res);
        res
    }

    pub async fn post_multipart(&mut self, path: &str, fields: &[(&str, &str)], file: (&str, &str, &[u8])) -> Response {
        let (content_type, body) = super::multipart(fields, Some(file));
        let cookie = self.cookie_header();
        let res = self.app.send("POST", self.host, path, &[("Cookie", &cookie), ("Content-Type", &content_type)], Some(body)).await;
        self.remember(&res);
        res
    }

    pub async fn login(&mut self, email: &str, password: &str) -> Response {
        let page = self.get("/admin/inloggen").await;
        let token = hidden(&page.body, "login_token");
        self.post("/admin/inloggen", &[("login_token", &token), ("email", email), ("password", password), ("terug", "/admin")]).await
    }

    pub fn session(&self) -> Option<String> {
        self.cookies.iter().find(|(n, _)| n == SESSION).map(|(_, v)| v.clone())
    }
}

/// The value of a hidden form field.
pub fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body.find(&marker).unwrap_or_else(|| panic!("no {name} in {body}")) + marker.len();
    body[start..start + body[start..].find('"').unwrap()].to_owned()
}

