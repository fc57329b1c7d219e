//! `meent export DIR`: everything in the database, drafts included, in the content format.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::files::format::{MediaFileOut, MediaOut};
use super::files::{TreeOut, owner_dir, write_tree};
use super::model::{Owner, Thesaurus};
use crate::db::DbConnection;
use crate::db::models::local::{self, Scope};
use crate::db::models::media::{self, Media};
use crate::db::models::{LayerId, catalogue, layers, overrides, redirects, settings};
use crate::media::MediaFiles;
use crate::media::variants::{Encoding, master_name};

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("database error: {0}")]
    Db(#[from] diesel::result::Error),
    #[error("cannot write the export: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot export the images: {0}")]
    Media(String),
}

/// Reads the whole database into the file model.
pub fn snapshot(conn: &mut DbConnection) -> Result<TreeOut, diesel::result::Error> {
    let groups = layers::groups(conn)?;
    let sites = layers::sites(conn)?;
    let owner = |layer: LayerId| -> Owner {
        match layer {
            LayerId::Group(id) => Owner::Group(groups.iter().find(|(g, _)| *g == id).map(|(_, g)| g.slug.clone()).unwrap_or_default()),
            LayerId::Site(id) => Owner::Site(sites.iter().find(|(s, _)| *s == id).map(|(_, s)| s.slug.clone()).unwrap_or_default()),
        }
    };
    let overrides = overrides::all(conn)?.into_iter().map(|o| (owner(o.layer), o.over)).collect();
    // The central team's thesaurus, then each group's and site's that has one.
    let mut thesauri = Vec::new();
    let scopes = std::iter::once(None)
        .chain(groups.iter().map(|(_, g)| Some(Owner::Group(g.slug.clone()))))
        .chain(sites.iter().map(|(_, s)| Some(Owner::Site(s.slug.clone()))));
    for owner in scopes {
        if let Some((thesaurus, _)) = settings::get::<Thesaurus>(conn, &crate::content::thesaurus::setting_key(owner.as_ref()))? {
            thesauri.push((owner, thesaurus));
        }
    }
    let mut redirect_lists: Vec<(String, Vec<crate::content::redirects::Redirect>)> = Vec::new();
    for (site_id, r) in redirects::all(conn)? {
        let Some(slug) = sites.iter().find(|(id, _)| *id == site_id).map(|(_, s)| s.slug.clone()) else { continue };
        match redirect_lists.last_mut() {
            Some((last, list)) if *last == slug => list.push(r),
            _ => redirect_lists.push((slug, vec![r])),
        }
    }
    Ok(TreeOut {
        thesauri,
        redirects: redirect_lists,
        products: catalogue::all(conn)?.into_iter().map(|(_, p)| p).collect(),
        overrides,
        pages: local::pages(conn, Scope::Everything)?.into_iter().map(|s| s.item).collect(),
        news: local::news(conn, Scope::Everything)?.into_iter().map(|s| s.item).collect(),
        alerts: local::alerts(conn, Scope::Everything)?.into_iter().map(|s| s.item).collect(),
        groups: groups.into_iter().map(|(_, g)| g).collect(),
        sites: sites.into_iter().map(|(_, s)| s).collect(),
    })
}

/// Writes the whole database under `dir`, with the images from `media`; returns the number of
/// files written.
pub fn export_dir(conn: &mut DbConnection, dir: &Path, media: Option<&MediaFiles>) -> Result<usize, ExportError> {
    let tree = snapshot(conn)?;
    let written = write_tree(dir, &tree)?;
    Ok(written + write_images(conn, dir, media)?)
}

/// Every owner's `media.toml` and the files next to it, one image at a time.
fn write_images(conn: &mut DbConnection, dir: &Path, media: Option<&MediaFiles>) -> Result<usize, ExportError> {
    let all = media::all(conn)?;
    if all.is_empty() {
        return Ok(0);
    }
    let files = media.ok_or_else(|| ExportError::Media("the database has images; export with `meent export`, which has the media storage".into()))?;
    let groups: HashMap<i64, String> = layers::groups(conn)?.into_iter().map(|(id, g)| (id, g.slug)).collect();
    let sites: HashMap<i64, String> = layers::sites(conn)?.into_iter().map(|(id, s)| (id, s.slug)).collect();
    let mut by_dir: BTreeMap<String, Vec<&Media>> = BTreeMap::new();
    for m in &all {
        let owner_dir = match (m.group_id, m.site_id) {
            (Some(g), _) => groups.get(&g).map(|slug| owner_dir(&Owner::Group(slug.clone()))),
            (None, Some(s)) => sites.get(&s).map(|slug| owner_dir(&Owner::Site(slug.clone()))),
            (None, None) => Some(String::new()),
        };
        by_dir.entry(owner_dir.unwrap_or_default()).or_default().push(m);
    }
    let mut written = 0;
    for (owner, items) in by_dir {
        let base = if owner.is_empty() { dir.to_owned() } else { dir.join(&owner) };
        std::fs::create_dir_all(base.join("media"))?;
        let mut out = Vec::new();
        for m in items {
            let encoding = Encoding::from_format(&m.format);
            let bytes = files
                .store
                .get(&master_name(&m.hash, encoding))?
                .ok_or_else(|| ExportError::Media(format!("the file of image {:?} is missing from the media storage", m.key)))?;
            let file = format!("media/{}.{}", m.key, encoding.ext());
            std::fs::write(base.join(&file), bytes)?;
            written += 1;
            out.push(MediaOut { key: &m.key, file, name: &m.name, alt: &m.alt, decorative: m.decorative, revision: m.revision });
        }
        let text = toml::to_string(&MediaFileOut { image: out }).map_err(|e| ExportError::Media(e.to_string()))?;
        std::fs::write(base.join("media.toml"), text)?;
        written += 1;
    }
    Ok(written)
}
