//! The theme: Tera templates and the stylesheet, built into the binary from
//! `themes/default`, or read from a theme directory (`--theme-dir`) with the same layout:
//! `templates/*.html|*.xml` and `static/meent.css`. A theme directory may leave out any
//! template; the built-in one is used instead.

use std::path::Path;

use actix_web::web::Bytes;
use include_dir::{Dir, include_dir};
use tera::{Context, Tera};

use crate::content::model::Lang;

static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("template error: {0}")]
    Template(String),
    #[error("cannot read theme: {0}")]
    Theme(String),
}

impl From<tera::Error> for RenderError {
    fn from(e: tera::Error) -> Self {
        // Tera nests the useful part of the message in its sources.
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            message.push_str(": ");
            message.push_str(&s.to_string());
            source = s.source();
        }
        RenderError::Template(message)
    }
}

/// A static file served under a content-hashed URL.
#[derive(Debug, Clone)]
pub struct Asset {
    pub body: Bytes,
    /// The first characters of the content hash, used in the URL.
    pub hash: String,
    /// Where pages link it: `{stem}.{hash}.{extension}`.
    pub url: String,
}

impl Asset {
    pub fn new(stem: &str, extension: &str, body: impl Into<Bytes>) -> Asset {
        let body = body.into();
        let hash = blake3::hash(&body).to_hex()[..16].to_owned();
        let url = format!("{stem}.{hash}.{extension}");
        Asset { body, hash, url }
    }
}

/// Escapes text for HTML and XML (text and quoted attributes). Unlike Tera's default, '/'
/// stays as it is, which keeps URLs readable and pages small.
pub fn escape(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + 8);
    let mut start = 0;
    for (i, b) in input.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        // Every byte replaced is ASCII, so `i` is on a character boundary.
        out.push_str(&input[start..i]);
        out.push_str(entity);
        start = i + 1;
    }
    out.push_str(&input[start..]);
    out
}

/// The built-in theme's stylesheet (its token defaults are the base for contrast checks).
pub fn default_stylesheet() -> &'static str {
    DEFAULT_THEME.get_file("static/meent.css").and_then(|f| f.contents_utf8()).unwrap_or("")
}

/// Bytes reserved for a rendered page: more than a typical page (7-12 kB) needs.
const RENDER_CAPACITY: usize = 32 * 1024;

pub struct Templates {
    tera: Tera,
    /// The theme's interface text per language (`ui/<code>.toml`), as templates read it (`t`).
    ui: Vec<(Lang, serde_json::Value)>,
    pub stylesheet: Asset,
    /// The admin pages' additions to the stylesheet.
    pub admin_stylesheet: Asset,
    pub icon: Asset,
}

/// Every template under `dir`, named by its path below `templates/` ("admin/base.html").
fn collect(dir: &Dir<'static>, sources: &mut Vec<(String, String)>) -> Result<(), RenderError> {
    for file in dir.files() {
        let name = file.path().strip_prefix("templates").unwrap_or(file.path()).display().to_string();
        let text = file.contents_utf8().ok_or_else(|| RenderError::Theme(format!("{name} is not UTF-8")))?;
        sources.push((name, text.to_owned()));
    }
    for sub in dir.dirs() {
        collect(sub, sources)?;
    }
    Ok(())
}

impl Templates {
    pub fn load(theme_dir: Option<&Path>) -> Result<Templates, RenderError> {
        let mut sources: Vec<(String, String)> = Vec::new();
        if let Some(templates) = DEFAULT_THEME.get_dir("templates") {
            collect(templates, &mut sources)?;
        }
        let mut css = DEFAULT_THEME
            .get_file("static/meent.css")
            .map(|f| f.contents().to_vec())
            .ok_or_else(|| RenderError::Theme("the built-in theme has no static/meent.css".into()))?;
        let admin_css = DEFAULT_THEME.get_file("static/admin.css").map(|f| f.contents().to_vec()).unwrap_or_default();
        let mut icon = DEFAULT_THEME.get_file("static/favicon.svg").map(|f| f.contents().to_vec()).unwrap_or_default();
        if let Some(dir) = theme_dir {
            if let Ok(own) = std::fs::read(dir.join("static/favicon.svg")) {
                icon = own;
            }
            let templates = dir.join("templates");
            let entries = std::fs::read_dir(&templates).map_err(|e| RenderError::Theme(format!("{}: {e}", templates.display())))?;
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let text = std::fs::read_to_string(entry.path()).map_err(|e| RenderError::Theme(format!("{name}: {e}")))?;
                sources.retain(|(n, _)| n != &name);
                sources.push((name, text));
            }
            if let Ok(own) = std::fs::read(dir.join("static/meent.css")) {
                css = own;
            }
        }
        let ui = interface_text(theme_dir)?;
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html", ".xml"]);
        tera.set_escape_fn(escape);
        tera.add_raw_templates(sources)?;
        Ok(Templates {
            tera,
            ui,
            stylesheet: Asset::new("/static/meent", "css", css),
            admin_stylesheet: Asset::new("/static/admin", "css", admin_css),
            icon: Asset::new("/static/icon", "svg", icon),
        })
    }

    /// The interface text in `lang`, for templates as `t`.
    pub fn ui(&self, lang: Lang) -> &serde_json::Value {
        static NONE: serde_json::Value = serde_json::Value::Null;
        self.ui.iter().find(|(l, _)| *l == lang).map(|(_, t)| t).unwrap_or(&NONE)
    }

    pub fn render(&self, name: &str, context: &Context) -> Result<String, RenderError> {
        // Room for a whole page, so the output is not copied while it grows.
        let mut out = Vec::with_capacity(RENDER_CAPACITY);
        self.tera.render_to(name, context, &mut out)?;
        String::from_utf8(out).map_err(|e| RenderError::Template(format!("{name} gave text that is not UTF-8: {e}")))
    }
}

/// The interface text of every language: the built-in theme's `ui/<code>.toml`, or an
/// operator theme's. Every language must have the keys Dutch has, so no page shows a gap.
fn interface_text(theme_dir: Option<&Path>) -> Result<Vec<(Lang, serde_json::Value)>, RenderError> {
    let mut out = Vec::new();
    for lang in Lang::ALL {
        let name = format!("ui/{}.toml", lang.code());
        let own = theme_dir.and_then(|dir| std::fs::read_to_string(dir.join(&name)).ok());
        let text = match own {
            Some(text) => text,
            None => DEFAULT_THEME.get_file(&name).and_then(|f| f.contents_utf8()).map(str::to_owned).ok_or_else(|| RenderError::Theme(format!("the theme has no {name}")))?,
        };
        let table: toml::Table = text.parse().map_err(|e| RenderError::Theme(format!("{name}: {e}")))?;
        let value = serde_json::to_value(&table).map_err(|e| RenderError::Theme(format!("{name}: {e}")))?;
        out.push((lang, value));
    }
    let keys = |v: &serde_json::Value| v.as_object().map(|o| o.keys().cloned().collect::<std::collections::BTreeSet<_>>()).unwrap_or_default();
    let dutch = keys(&out[0].1);
    for (lang, value) in &out[1..] {
        let missing: Vec<String> = dutch.difference(&keys(value)).cloned().collect();
        if !missing.is_empty() {
            return Err(RenderError::Theme(format!("ui/{}.toml lacks {}", lang.code(), missing.join(", "))));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_for_text_and_attributes() {
        assert_eq!(escape(r#"a <b> & "c" 'd' /e €"#), "a &lt;b&gt; &amp; &quot;c&quot; &#39;d&#39; /e €");
        assert_eq!(escape(""), "");
        assert_eq!(escape("€&€"), "€&amp;€");
    }
}
