//! The Uniforme Productnaamlijst (UPL): the national names of government products, from the
//! CSV that Logius publishes. A product with several legal bases has several rows with the
//! same URI; they are one product here.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UplProduct {
    pub uri: String,
    pub name: String,
    /// Offered by municipalities (`Gemeente` = X).
    pub municipal: bool,
    pub citizens: bool,
    pub businesses: bool,
    /// The EU Single Digital Gateway codes (`SDG` column, e.g. `A1`, `N1`): a product with
    /// one is an SDG product.
    pub sdg: Vec<String>,
    /// The legal bases (`Grondslaglabel`, `Grondslaglink`), one per row of the product.
    pub legal: Vec<LegalBasis>,
}

/// A law or regulation a product rests on, with the link to its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct LegalBasis {
    pub label: String,
    pub link: String,
}

#[derive(Debug, thiserror::Error)]
pub enum UplError {
    #[error("{0}: {1}")]
    Read(String, String),
    #[error("{file}:{line}: {message}")]
    Row { file: String, line: u64, message: String },
}

/// Reads a UPL CSV file.
pub fn read(path: &Path) -> Result<Vec<UplProduct>, UplError> {
    let file = path.display().to_string();
    let text = std::fs::read(path).map_err(|e| UplError::Read(file.clone(), e.to_string()))?;
    parse(&file, &text)
}

/// The list shipped with Meent (`src/reference`).
pub fn national() -> Result<Vec<UplProduct>, UplError> {
    parse(crate::reference::UPL_NAME, crate::reference::UPL_CSV.as_bytes())
}

/// Parses the UPL CSV named `file`; rows of the same URI are merged (a flag set on any row is
/// set).
pub fn parse(file: &str, text: &[u8]) -> Result<Vec<UplProduct>, UplError> {
    let file = file.to_owned();
    let mut reader = csv::Reader::from_reader(text);
    let headers = reader.headers().map_err(|e| UplError::Read(file.clone(), e.to_string()))?.clone();
    let col = |name: &str| {
        headers.iter().position(|h| h.trim() == name).ok_or_else(|| UplError::Read(file.clone(), format!("no column {name:?}")))
    };
    let (name, uri, gemeente, burger, bedrijf) = (col("UniformeProductnaam")?, col("URI")?, col("Gemeente")?, col("Burger")?, col("Bedrijf")?);
    // Older lists lack these columns; their products are then no SDG products.
    let (sdg, label, link) = (col("SDG").ok(), col("Grondslaglabel").ok(), col("Grondslaglink").ok());
    let mut out: Vec<UplProduct> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| UplError::Read(file.clone(), e.to_string()))?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let get = |i: usize| record.get(i).unwrap_or("").trim();
        let row_uri = get(uri);
        if row_uri.is_empty() || get(name).is_empty() {
            return Err(UplError::Row { file: file.clone(), line, message: "a row without name or URI".into() });
        }
        if url::Url::parse(row_uri).is_err() {
            return Err(UplError::Row { file: file.clone(), line, message: format!("{row_uri:?} is not a URI") });
        }
        let flags = (get(gemeente) == "X", get(burger) == "X", get(bedrijf) == "X");
        let i = *index.entry(row_uri.to_owned()).or_insert_with(|| {
            out.push(UplProduct { uri: row_uri.to_owned(), name: get(name).to_owned(), ..UplProduct::default() });
            out.len() - 1
        });
        let p = &mut out[i];
        p.municipal |= flags.0;
        p.citizens |= flags.1;
        p.businesses |= flags.2;
        for code in sdg.map(get).unwrap_or("").split(';').map(str::trim).filter(|c| !c.is_empty()) {
            if !p.sdg.iter().any(|c| c == code) {
                p.sdg.push(code.to_owned());
            }
        }
        let basis = LegalBasis { label: label.map(get).unwrap_or("").to_owned(), link: link.map(get).unwrap_or("").to_owned() };
        // Only links residents can follow; a basis without one is named in the label alone.
        let usable = basis.link.starts_with("https://") || basis.link.starts_with("http://");
        if !basis.label.is_empty() && usable && !p.legal.contains(&basis) {
            p.legal.push(basis);
        }
    }
    Ok(out)
}

/// What `meent upl import` did and found.
#[derive(Debug, Serialize)]
pub struct Coverage {
    pub imported: usize,
    pub municipal: usize,
    /// Catalogue products whose UPL URI is not in the list (unknown or withdrawn): (slug, URI).
    pub unknown: Vec<(String, String)>,
    /// Municipal UPL products no catalogue product refers to yet.
    pub uncovered: Vec<UplProduct>,
}

/// Compares the catalogue with the list.
pub fn coverage(list: &[UplProduct], catalogue: &[(String, Option<String>)]) -> Coverage {
    let known: std::collections::HashSet<&str> = list.iter().map(|p| p.uri.as_str()).collect();
    let used: std::collections::HashSet<&str> = catalogue.iter().filter_map(|(_, u)| u.as_deref()).collect();
    Coverage {
        imported: list.len(),
        municipal: list.iter().filter(|p| p.municipal).count(),
        unknown: catalogue
            .iter()
            .filter_map(|(slug, uri)| uri.as_ref().filter(|u| !known.contains(u.as_str())).map(|u| (slug.clone(), u.clone())))
            .collect(),
        uncovered: list.iter().filter(|p| p.municipal && !used.contains(p.uri.as_str())).cloned().collect(),
    }
}

/// Reads the list (the file given, or the one shipped with Meent) and replaces the imported
/// one, in one transaction with a change-log entry (the Samenwerkende Catalogi export names
/// products with it).
pub fn import(conn: &mut crate::db::DbConnection, path: Option<&Path>, now: i64) -> Result<Coverage, UplError> {
    use crate::db::models::{catalogue, changes, upl};
    let list = match path {
        Some(path) => read(path)?,
        None => national()?,
    };
    let db = |e: diesel::result::Error| UplError::Read("database".into(), e.to_string());
    crate::db::write_tx(conn, |c| {
        upl::replace(c, &list)?;
        changes::record(c, &changes::NewChange { at: now, kind: crate::content::kind::Kind::Upl, item_key: "upl", group_id: None, site_id: None })?;
        Ok::<_, diesel::result::Error>(())
    })
    .map_err(db)?;
    let products = catalogue::all(conn).map_err(db)?;
    let refs: Vec<(String, Option<String>)> = products.into_iter().map(|(_, p)| (p.slug, p.upl)).collect();
    Ok(coverage(&list, &refs))
}

/// A readable name for a UPL URI that is not in the imported list: its last path part.
pub fn name_from_uri(uri: &str) -> String {
    let last = uri.trim_end_matches('/').rsplit('/').next().unwrap_or(uri);
    last.replace(['_', '-'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_of_the_catalogue() {
        let p = |uri: &str, municipal| UplProduct { uri: uri.into(), name: uri.into(), municipal, citizens: true, ..UplProduct::default() };
        let list = [p("u:a", true), p("u:b", true), p("u:c", false)];
        let c = coverage(&list, &[("x".into(), Some("u:a".into())), ("y".into(), Some("u:gone".into())), ("z".into(), None)]);
        assert_eq!(c.unknown, [("y".to_owned(), "u:gone".to_owned())]);
        assert_eq!(c.uncovered.iter().map(|p| p.uri.as_str()).collect::<Vec<_>>(), ["u:b"]);
        assert_eq!((c.imported, c.municipal), (3, 2));
    }

    #[test]
    fn reads_the_real_list() {
        let list = national().unwrap();
        let paspoort = list.iter().find(|p| p.uri == "http://standaarden.overheid.nl/owms/terms/paspoort").unwrap();
        assert!(paspoort.municipal && paspoort.citizens);
        assert_eq!(paspoort.sdg, ["A1"], "the SDG column");
        assert!(paspoort.legal.iter().any(|l| l.label.contains("Paspoortwet") && l.link.starts_with("https://wetten.overheid.nl/")), "{:?}", paspoort.legal);
        let omgeving = list.iter().find(|p| p.uri.ends_with("/omgevingsvergunning")).unwrap();
        assert_eq!(omgeving.sdg, ["N1", "D2"], "codes separated by ';'");
        let uris: std::collections::HashSet<&str> = list.iter().map(|p| p.uri.as_str()).collect();
        assert_eq!(uris.len(), list.len(), "one entry per URI");
        assert!(list.iter().filter(|p| p.municipal).count() > 400);
    }

    #[test]
    fn names_from_uris() {
        assert_eq!(name_from_uri("http://standaarden.overheid.nl/owms/terms/Paspoort"), "Paspoort");
        assert_eq!(name_from_uri("http://standaarden.overheid.nl/owms/terms/aangifte_vertrek"), "aangifte vertrek");
    }
}
