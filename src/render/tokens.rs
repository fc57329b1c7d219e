//! A site's design tokens: CSS custom properties that restyle the theme without touching
//! templates (NL Design System convention).

use std::collections::HashMap;

/// Largest token file accepted (a whole municipal token package fits).
pub const MAX_TOKENS_BYTES: usize = 512 * 1024;

/// CSS functions a token value may use: colours, arithmetic and references to other tokens.
/// Anything else (`url()`, `image-set()`, `element()`, …) could fetch or show something.
const FUNCTIONS: &[&str] = &[
    "var", "calc", "min", "max", "clamp", "rgb", "rgba", "hsl", "hsla", "hwb", "lab", "lch", "oklab", "oklch", "color-mix",
    "linear-gradient", "radial-gradient", "conic-gradient", "repeating-linear-gradient", "repeating-radial-gradient",
];

/// What is wrong with a token file, and on which line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenError {
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for TokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Checks that a token file holds nothing but custom-property declarations (`--name: value;`)
/// in rules for `:root` or a theme class (`.gemeente-theme`), with values made of words,
/// numbers, colours, quoted font names and the functions in `FUNCTIONS`. Every problem names
/// its line.
pub fn check_css(css: &str) -> Result<(), TokenError> {
    check_rules(css).map_err(|(at, message)| TokenError { line: at.map(|pos| css[..pos.min(css.len())].matches('\n').count() + 1), message })
}

/// The check itself; a problem carries the byte offset it is at.
fn check_rules(css: &str) -> Result<(), (Option<usize>, String)> {
    if css.len() > MAX_TOKENS_BYTES {
        return Err((None, format!("the token file is larger than {MAX_TOKENS_BYTES} bytes")));
    }
    // Comments become spaces of the same length, so positions (and lines) stay. A `/*` inside a
    // quoted string is not a comment, for browsers or here: the check must see what they see.
    let mut text = String::with_capacity(css.len());
    let mut chars = css.char_indices().peekable();
    let mut quote: Option<char> = None;
    while let Some((at, c)) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                text.push(c);
            }
            (Some(_), c) => text.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                text.push(c);
            }
            (None, '/') if chars.peek().is_some_and(|(_, n)| *n == '*') => {
                let Some(end) = css[at + 2..].find("*/").map(|e| at + 2 + e + 2) else {
                    return Err((Some(at), "a comment is not closed".into()));
                };
                for c in css[at..end].chars() {
                    if c == '\n' {
                        text.push('\n');
                    } else {
                        text.extend(std::iter::repeat_n(' ', c.len_utf8()));
                    }
                }
                while chars.peek().is_some_and(|(i, _)| *i < end) {
                    chars.next();
                }
            }
            (None, c) => text.push(c),
        }
    }
    let mut pos = 0;
    while pos < text.len() {
        let Some(open) = text[pos..].find('{').map(|o| pos + o) else {
            let tail = &text[pos..];
            if tail.trim().is_empty() {
                break;
            }
            return Err((Some(pos + tail.len() - tail.trim_start().len()), "only rules like `:root { --name: value; }` are allowed".into()));
        };
        let selector = text[pos..open].trim();
        if !selector.split(',').all(|s| is_token_selector(s.trim())) {
            return Err((Some(open), format!("the selector {selector:?} is not allowed: use :root or a theme class such as .gemeente-theme")));
        }
        let Some(close) = text[open + 1..].find('}').map(|c| open + 1 + c) else {
            return Err((Some(open), "a rule is not closed with '}'".into()));
        };
        let mut decl_start = open + 1;
        for declaration in text[open + 1..close].split(';') {
            let at = decl_start + (declaration.len() - declaration.trim_start().len());
            decl_start += declaration.len() + 1;
            let declaration = declaration.trim();
            if declaration.is_empty() {
                continue;
            }
            check_declaration(declaration).map_err(|why| (Some(at), why))?;
        }
        pos = close + 1;
    }
    Ok(())
}

fn is_token_selector(s: &str) -> bool {
    s == ":root"
        || s.strip_prefix('.').is_some_and(|class| {
            !class.is_empty() && class.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') && !class.starts_with(|c: char| c.is_ascii_digit())
        })
}

/// One `--name: value` declaration.
fn check_declaration(declaration: &str) -> Result<(), String> {
    let Some((name, value)) = declaration.split_once(':') else {
        return Err(format!("{declaration:?} is not a declaration like --name: value"));
    };
    let name = name.trim();
    let valid_name = name.strip_prefix("--").is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    if !valid_name {
        return Err(format!("{name:?} is not a custom property: a token file only sets --names"));
    }
    let value = value.trim();
    if value.is_empty() {
        return Err(format!("{name} has no value"));
    }
    let mut in_quote: Option<char> = None;
    let mut word = String::new();
    for c in value.chars() {
        match in_quote {
            Some(q) if c == q => in_quote = None,
            Some(_) if matches!(c, '\\' | '\n' | '\r' | '<' | '>' | '{' | '}' | '/' | '*' | '@') => {
                return Err(format!("{name}: the character {c:?} is not allowed in a quoted value"));
            }
            Some(_) => {}
            None => match c {
                '"' | '\'' => in_quote = Some(c),
                '(' => {
                    let function = word.to_ascii_lowercase();
                    if !FUNCTIONS.contains(&function.as_str()) {
                        let shown = if function.is_empty() { "(".to_owned() } else { format!("{function}()") };
                        return Err(format!("{name}: {shown} is not allowed in a token value: use colours, sizes, fonts and var()"));
                    }
                    word.clear();
                }
                c if c.is_ascii_alphanumeric() || c == '-' || c == '_' => word.push(c),
                ' ' | '\t' | '\n' | '\r' | ',' | '.' | '#' | '%' | ')' | '+' | '*' | '/' => word.clear(),
                '!' if value.ends_with("!important") => word.clear(),
                other => return Err(format!("{name}: the character {other:?} is not allowed in a token value")),
            },
        }
    }
    if in_quote.is_some() {
        return Err(format!("{name}: a quote is not closed"));
    }
    Ok(())
}

/// Text and background token pairs the theme puts together, with the contrast WCAG 2.1 asks
/// for (1.4.3 for text, 1.4.11 for the focus outline).
const PAIRS: &[(&str, &str, f64)] = &[
    ("--meent-color-text", "--meent-color-background", 4.5),
    ("--meent-color-text-muted", "--meent-color-background", 4.5),
    ("--meent-link-color", "--meent-color-background", 4.5),
    ("--meent-link-hover-color", "--meent-color-background", 4.5),
    ("--meent-header-color", "--meent-header-background", 4.5),
    ("--meent-button-color", "--meent-button-background", 4.5),
    ("--meent-button-color", "--meent-button-hover-background", 4.5),
    ("--meent-footer-color", "--meent-footer-background", 4.5),
    ("--meent-link-color", "--meent-footer-background", 4.5),
    ("--meent-color-text", "--meent-alert-info-background", 4.5),
    ("--meent-color-text", "--meent-alert-warning-background", 4.5),
    ("--meent-color-text", "--meent-alert-error-background", 4.5),
    ("--meent-color-text", "--meent-highlight-background", 4.5),
    ("--meent-focus-outline-color", "--meent-color-background", 3.0),
];

/// Pairs of the theme's colours that a site's tokens bring under the WCAG contrast, as
/// messages naming the pair, the colours and the ratio. `theme` is the theme's stylesheet,
/// whose values apply where the site's file sets nothing.
pub fn contrast_warnings(theme: &str, site: &str) -> Vec<String> {
    let mut tokens = declarations(theme);
    let own = declarations(site);
    tokens.extend(own.clone());
    let mut out = Vec::new();
    for &(fg, bg, min) in PAIRS {
        // Only pairs the site's file has a hand in.
        if !touches(&own, &tokens, fg) && !touches(&own, &tokens, bg) {
            continue;
        }
        let (Some(f), Some(b)) = (color(&resolve(&tokens, fg)), color(&resolve(&tokens, bg))) else { continue };
        let ratio = contrast(f, b);
        if ratio + 1e-9 < min {
            out.push(format!(
                "{fg} ({}) on {bg} ({}) has a contrast of {ratio:.2}:1, below the {min}:1 WCAG 2.1 asks for",
                hex(f),
                hex(b)
            ));
        }
    }
    out
}

/// Whether `name`, or a token it refers to, is set by the site.
fn touches(own: &HashMap<String, String>, all: &HashMap<String, String>, name: &str) -> bool {
    let mut current = name.to_owned();
    for _ in 0..16 {
        if own.contains_key(&current) {
            return true;
        }
        match all.get(&current).and_then(|v| var_name(v)) {
            Some(next) => current = next,
            None => return false,
        }
    }
    false
}

/// Every custom property declared anywhere in `css` (the last declaration wins).
fn declarations(css: &str) -> HashMap<String, String> {
    let mut text = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        text.push_str(&rest[..start]);
        rest = rest[start + 2..].find("*/").map(|end| &rest[start + 2 + end + 2..]).unwrap_or("");
    }
    text.push_str(rest);
    let mut out = HashMap::new();
    for part in text.split([';', '{', '}']) {
        let part = part.trim();
        if let Some((name, value)) = part.split_once(':') {
            let name = name.trim();
            if name.starts_with("--") {
                out.insert(name.to_owned(), value.trim().to_owned());
            }
        }
    }
    out
}

fn var_name(value: &str) -> Option<String> {
    let inner = value.trim().strip_prefix("var(")?.strip_suffix(')')?;
    Some(inner.split(',').next()?.trim().to_owned())
}

/// A token's value with `var(…)` references followed (and their fallbacks used).
fn resolve(tokens: &HashMap<String, String>, name: &str) -> String {
    let mut value = tokens.get(name).cloned().unwrap_or_default();
    for _ in 0..16 {
        let Some(inner) = value.trim().strip_prefix("var(").and_then(|v| v.strip_suffix(')')) else { break };
        let (reference, fallback) = match inner.split_once(',') {
            Some((r, f)) => (r.trim().to_owned(), Some(f.trim().to_owned())),
            None => (inner.trim().to_owned(), None),
        };
        value = match (tokens.get(&reference), fallback) {
            (Some(v), _) => v.clone(),
            (None, Some(f)) => f,
            (None, None) => return String::new(),
        };
    }
    value
}

type Rgb = (f64, f64, f64);

/// Parses `#rgb`, `#rrggbb` (with or without alpha), `rgb()`, `hsl()`, `white` and `black`.
fn color(value: &str) -> Option<Rgb> {
    let v = value.trim().to_ascii_lowercase();
    if let Some(hex) = v.strip_prefix('#') {
        let digits: Vec<u8> = hex.chars().map(|c| c.to_digit(16).map(|d| d as u8)).collect::<Option<_>>()?;
        let (r, g, b) = match digits.len() {
            3 | 4 => (digits[0] * 17, digits[1] * 17, digits[2] * 17),
            6 | 8 => (digits[0] * 16 + digits[1], digits[2] * 16 + digits[3], digits[4] * 16 + digits[5]),
            _ => return None,
        };
        return Some((r as f64 / 255.0, g as f64 / 255.0, b as f64 / 255.0));
    }
    match v.as_str() {
        "white" => return Some((1.0, 1.0, 1.0)),
        "black" => return Some((0.0, 0.0, 0.0)),
        _ => {}
    }
    let (function, args) = v.split_once('(')?;
    let args: Vec<&str> = args.strip_suffix(')')?.split(|c: char| c == ',' || c == '/' || c.is_whitespace()).filter(|a| !a.is_empty()).collect();
    let number = |a: &str| a.trim_end_matches(['%', 'g', 'd', 'e']).parse::<f64>().ok();
    match function.trim() {
        "rgb" | "rgba" if args.len() >= 3 => {
            let channel = |a: &str| if a.ends_with('%') { number(a).map(|n| n / 100.0) } else { number(a).map(|n| n / 255.0) };
            Some((channel(args[0])?, channel(args[1])?, channel(args[2])?))
        }
        "hsl" | "hsla" if args.len() >= 3 => {
            let (h, s, l) = (number(args[0])?, number(args[1])? / 100.0, number(args[2])? / 100.0);
            let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
            let x = c * (1.0 - ((h / 60.0).rem_euclid(2.0) - 1.0).abs());
            let m = l - c / 2.0;
            let (r, g, b) = match (h.rem_euclid(360.0) / 60.0) as u32 {
                0 => (c, x, 0.0),
                1 => (x, c, 0.0),
                2 => (0.0, c, x),
                3 => (0.0, x, c),
                4 => (x, 0.0, c),
                _ => (c, 0.0, x),
            };
            Some((r + m, g + m, b + m))
        }
        _ => None,
    }
}

/// The WCAG 2.1 contrast ratio of two colours.
pub fn contrast(a: Rgb, b: Rgb) -> f64 {
    let luminance = |(r, g, b): Rgb| {
        let c = |v: f64| if v <= 0.03928 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) };
        0.2126 * c(r) + 0.7152 * c(g) + 0.0722 * c(b)
    };
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

fn hex((r, g, b): Rgb) -> String {
    let c = |v: f64| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    format!("#{:02x}{:02x}{:02x}", c(r), c(g), c(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    const THEME: &str = ":root { --meent-color-text: #1a1a1a; --meent-color-background: #ffffff; --meent-link-color: #154273; }";

    #[test]
    fn contrast_ratios() {
        assert!((contrast((0.0, 0.0, 0.0), (1.0, 1.0, 1.0)) - 21.0).abs() < 0.01);
        assert_eq!(color("#fff"), Some((1.0, 1.0, 1.0)));
        assert_eq!(color("rgb(255 0 0)"), Some((1.0, 0.0, 0.0)));
        let hsl = color("hsl(0 100% 50%)").unwrap();
        assert!((hsl.0 - 1.0).abs() < 1e-9 && hsl.1.abs() < 1e-9);
    }

    #[test]
    fn warns_for_weak_pairs_the_site_sets() {
        assert!(contrast_warnings(THEME, ":root { --meent-link-color: #154273; }").is_empty());
        let w = contrast_warnings(THEME, ":root { --brand: #9fc5e8; --meent-link-color: var(--brand); }");
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].starts_with("--meent-link-color (#9fc5e8) on --meent-color-background (#ffffff) has a contrast of 1.81:1"), "{}", w[0]);
        assert!(contrast_warnings(THEME, "").is_empty(), "the theme alone is not the site's doing");
        let fallback = contrast_warnings(THEME, ":root { --meent-color-text: var(--missing, #eeeeee); }");
        assert!(!fallback.is_empty());
    }

    #[test]
    fn accepts_tokens_and_refuses_the_rest() {
        assert!(check_css(":root { --meent-color-primary: #00576e; }").is_ok());
        assert!(check_css(include_str!("../../content/sites/uitgeest/tokens.css")).is_ok());
        assert!(check_css(include_str!("../../tests/e2e/fixtures/utrecht-mapping.css")).is_ok());
        let ok = "/* merk */\n:root, .gemeente-theme {\n  --font: \"Fira Sans\", sans-serif;\n  --space: calc(1rem + 2px);\n  --c: rgb(0 87 110 / 50%);\n  --link: var(--c, #000);\n}\n";
        assert_eq!(check_css(ok), Ok(()));
        for (css, line, word) in [
            ("@import 'x.css';", 1, "rules like"),
            ("a{}\nb { background: URL(http://evil) }", 1, "selector"),
            (":root {\n --x: url(http://evil);\n}", 2, "url()"),
            (":root {\n\n --x: image-set(\"https://t.example/x\" 1x);\n}", 3, "image-set()"),
            (":root { --x: -webkit-image-set(\"https://t.example/x\" 1x); }", 1, "image-set()"),
            (":root { color: red; }", 1, "custom property"),
            (":root { --x: \"</style>\"; }", 1, "quoted"),
            (":root { --x: a\\62 c; }", 1, "character"),
            ("body { --x: red; }", 1, "selector"),
            (":root { --x: red; } :root { content: \"x\" }", 1, "custom property"),
            (":root { --x: red;", 1, "not closed"),
            ("/* open", 1, "comment"),
            (":root { --x: (red); }", 1, "not allowed"),
            (":root { --a: \"/*\"; } body{background:url(https://t.example/p)} :root{ --c: \"*/\"; }", 1, "quote"),
            (":root { --a: '}'; }", 1, "quote"),
        ] {
            let e = check_css(css).unwrap_err().to_string();
            assert!(e.starts_with(&format!("line {line}:")) && e.contains(word), "{css:?}: {e}");
        }
    }
}
