//! Old URLs of a site: a path that moved to a new path on the same site, or that is gone
//! (410). Kept in `sites/<site>/redirects.csv` with the columns `from,to` (`to` empty or `410`
//! for gone), applied before a 404.

use std::collections::HashMap;

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redirect {
    pub from: String,
    /// `None`: the page is gone.
    pub to: Option<String>,
}

/// Longest chain of redirects followed when looking for loops.
const MAX_CHAIN: usize = 20;

/// A path on the site: starts with one '/', no scheme, host, spaces or fragment.
pub fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains("://")
        && !path.chars().any(|c| c.is_whitespace() || c.is_control() || c == '#' || c == '\\')
        && path.len() <= 500
}

/// Parses the CSV; problems are (line, message).
pub fn parse(csv_text: &str) -> Result<Vec<Redirect>, Vec<(usize, String)>> {
    let mut problems = Vec::new();
    let mut out: Vec<Redirect> = Vec::new();
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(csv_text.as_bytes());
    match reader.headers() {
        Ok(h) if h.iter().map(str::trim).eq(["from", "to"]) => {}
        Ok(_) => problems.push((1, "the first line must be the header `from,to`".into())),
        Err(e) => problems.push((1, e.to_string())),
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                problems.push((line, format!("not a `from,to` row: {e}")));
                continue;
            }
        };
        let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
        let from = record.get(0).unwrap_or("").trim().to_owned();
        let to = record.get(1).unwrap_or("").trim();
        if !is_local_path(&from) {
            problems.push((line, format!("from {from:?} must be a path on this site, starting with '/'")));
            continue;
        }
        let to = match to {
            "" | "410" => None,
            t if is_local_path(t) => Some(t.to_owned()),
            t => {
                problems.push((line, format!("to {t:?} must be a path on this site (external targets are refused), or empty or 410 for a page that is gone")));
                continue;
            }
        };
        if to.as_deref() == Some(from.as_str()) {
            problems.push((line, format!("{from} redirects to itself")));
            continue;
        }
        if let Some(other) = seen.insert(from.clone(), line) {
            problems.push((line, format!("{from} is already redirected on line {other}")));
            continue;
        }
        out.push(Redirect { from, to });
    }
    let map: HashMap<&str, Option<&str>> = out.iter().map(|r| (r.from.as_str(), r.to.as_deref())).collect();
    for r in &out {
        let mut at = r.from.as_str();
        for _ in 0..MAX_CHAIN {
            match map.get(at) {
                Some(Some(next)) => {
                    at = next;
                    if at == r.from {
                        problems.push((seen[&r.from], format!("{} leads back to itself (a redirect loop)", r.from)));
                        break;
                    }
                }
                _ => break,
            }
        }
    }
    if problems.is_empty() { Ok(out) } else { Err(problems) }
}

/// Writes the CSV that `parse` reads back.
pub fn write(redirects: &[Redirect]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["from", "to"]);
    for r in redirects {
        let _ = w.write_record([r.from.as_str(), r.to.as_deref().unwrap_or("410")]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Where a path goes. One step only: a target is itself redirected only if it is not found
/// (redirects apply before a 404, and the site may have a page there by now).
pub fn resolve<'a>(map: &'a HashMap<String, Option<String>>, path: &str) -> Option<Option<&'a str>> {
    map.get(path).map(|t| t.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses() {
        let ok = parse("from,to\n/oud,/nieuw\n/weg,\n/ook-weg,410\n").unwrap();
        assert_eq!(ok[0], Redirect { from: "/oud".into(), to: Some("/nieuw".into()) });
        assert_eq!(ok[1].to, None);
        assert_eq!(ok[2].to, None);
        let bad = parse("from,to\n/a,https://evil.example\n/b,//evil.example\n/c,/c\n/d,/e\n/e,/d\noud,/x\n/d,/f\n").unwrap_err();
        let lines: Vec<usize> = bad.iter().map(|(l, _)| *l).collect();
        assert!(lines.contains(&2) && lines.contains(&3) && lines.contains(&4) && lines.contains(&7) && lines.contains(&8));
        assert!(bad.iter().any(|(_, m)| m.contains("loop")));
        assert!(parse("van,naar\n").is_err());
    }

    #[test]
    fn round_trip_and_chains() {
        let list = parse("from,to\n/a,/b\n/b,/c\n/x,410\n").unwrap();
        assert_eq!(parse(&write(&list)).unwrap(), list);
        let map: HashMap<String, Option<String>> = list.into_iter().map(|r| (r.from, r.to)).collect();
        assert_eq!(resolve(&map, "/a"), Some(Some("/b")));
        assert_eq!(resolve(&map, "/x"), Some(None));
        assert_eq!(resolve(&map, "/y"), None);
    }
}
