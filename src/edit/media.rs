//! The media library of a scope: upload (checked and cleaned by `media`), alt text, replacing
//! a file everywhere it is shown, and deleting what nothing uses any more. Media follow scopes
//! like all content: a site's editors see their site's media and what its groups and the
//! national team share with it, never another site's.

use serde::{Deserialize, Serialize};

use super::{EditError, EditResult, Editor, check_base, check_delete_base};
use crate::content::kind::Kind;
use crate::auth::permissions::Scope;
use crate::content::directory::SiteEntry;
use crate::content::history::{self, Written};
use crate::db::models::accounts::{self, NewAudit};
use crate::db::models::media::{self, Media, NewMedia};
use crate::db::models::{Saved, layers};
use crate::db::{self};
use crate::media::picture::file_url;
use crate::media::variants::Encoding;
use crate::media::{Declared, MediaFiles};

/// The longest alt text; screen readers read it in full, so it should stay short.
const MAX_ALT: usize = 500;

/// An uploaded file with what the uploader said about it.
#[derive(Debug, Default)]
pub struct Upload {
    pub bytes: Vec<u8>,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub alt: String,
    pub decorative: bool,
}

/// Alt text and the decorative mark, the editable part of a media item.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaText {
    #[serde(default)]
    pub alt: String,
    #[serde(default)]
    pub decorative: bool,
    #[serde(default)]
    pub revision: Option<i64>,
}

/// A media item as editors and the admin API see it.
#[derive(Debug, Clone, Serialize)]
pub struct MediaDoc {
    pub key: String,
    /// The scope that owns it.
    pub scope: String,
    /// The stable URL to use in texts and as a news image.
    pub url: String,
    /// The current file (changes when the file is replaced).
    pub file_url: String,
    /// A small variant, for lists.
    pub thumbnail_url: String,
    pub name: String,
    pub alt: String,
    pub decorative: bool,
    pub width: i32,
    pub height: i32,
    pub bytes: i64,
    pub format: String,
    pub revision: i64,
    pub created_at: i64,
    pub updated_at: i64,
    /// Owned by a wider scope (a group or the national team) and shared here: usable, not
    /// editable from this scope.
    pub shared: bool,
    pub use_count: usize,
    /// Where it is used (only when one item is asked for).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uses: Option<Vec<Use>>,
}

/// One item that shows a media item.
#[derive(Debug, Clone, Serialize)]
pub struct Use {
    pub kind: Kind,
    pub key: String,
}

/// The database columns of a scope's owner.
type OwnerColumns = (Option<i64>, Option<i64>);

/// Whether residents of a site may be shown a media item: it belongs to the site, to one of
/// its groups, or to the national team.
pub fn visible_on(m: &Media, site: &SiteEntry) -> bool {
    match (m.group_id, m.site_id) {
        (None, None) => true,
        (Some(g), _) => site.groups.iter().any(|e| e.id == g),
        (None, Some(s)) => s == site.id,
    }
}

impl Editor<'_> {
    fn media_owner(&mut self, scope: &Scope) -> EditResult<OwnerColumns> {
        match scope {
            Scope::National => Ok((None, None)),
            Scope::Group(g) => Ok((Some(layers::find_group(self.conn, g)?.ok_or(EditError::NotFound)?.0), None)),
            Scope::Site(s) => Ok((None, Some(self.directory.site_by_slug(s).ok_or(EditError::NotFound)?.id))),
        }
    }

    /// May work on the media of this scope (refusals are audited).
    pub fn require_media(&mut self, scope: &Scope, action: &str) -> EditResult<OwnerColumns> {
        let allowed = match scope {
            Scope::National => self.actor.may_edit_catalogue(),
            other => self.actor.may_edit(other, self.directory),
        };
        self.require(allowed, action, &format!("media:{scope}"), scope)?;
        self.media_owner(scope)
    }

    /// The owners whose media a scope can use: itself and the scopes above it.
    fn usable_owners(&mut self, scope: &Scope, own: OwnerColumns) -> Vec<OwnerColumns> {
        let mut owners = vec![own];
        if let Scope::Site(s) = scope {
            if let Some(site) = self.directory.site_by_slug(s) {
                owners.extend(site.groups.iter().map(|g| (Some(g.id), None)));
            }
        }
        if *scope != Scope::National {
            owners.push((None, None));
        }
        owners
    }

    fn scope_of(&mut self, owner: OwnerColumns) -> EditResult<Scope> {
        Ok(match owner {
            (None, None) => Scope::National,
            (Some(g), _) => Scope::Group(layers::group_slug(self.conn, g)?.ok_or(EditError::NotFound)?),
            (None, Some(s)) => Scope::Site(self.directory.site(s).ok_or(EditError::NotFound)?.site.slug.clone()),
        })
    }

    fn media_doc(&mut self, m: &Media, own: OwnerColumns, use_count: usize, uses: Option<Vec<Use>>) -> EditResult<MediaDoc> {
        let owner = (m.group_id, m.site_id);
        let encoding = Encoding::from_format(&m.format);
        let thumb = crate::media::variants::widths_for(u32::try_from(m.width).unwrap_or(0)).first().copied();
        Ok(MediaDoc {
            key: m.key.clone(),
            scope: self.scope_of(owner)?.to_string(),
            url: format!("/media/{}", m.key),
            file_url: file_url(m, None, encoding),
            thumbnail_url: file_url(m, thumb, encoding),
            name: m.name.clone(),
            alt: m.alt.clone(),
            decorative: m.decorative,
            width: m.width,
            height: m.height,
            bytes: m.bytes,
            format: m.format.clone(),
            revision: m.revision,
            created_at: m.created_at,
            updated_at: m.updated_at,
            shared: owner != own,
            use_count,
            uses,
        })
    }

    /// The media a scope can use, its own first; `query` matches name, alt text or key.
    pub fn media_list(&mut self, scope: &Scope, query: Option<&str>) -> EditResult<Vec<MediaDoc>> {
        let own = self.require_media(scope, "media.list")?;
        let mut found = Vec::new();
        for owner in self.usable_owners(scope, own) {
            found.extend(media::of_owner(self.conn, owner.0, owner.1, query)?);
        }
        let keys: Vec<&str> = found.iter().map(|m| m.key.as_str()).collect();
        let counts: std::collections::HashMap<String, i64> = media::use_counts(self.conn, &keys)?.into_iter().collect();
        found
            .iter()
            .map(|m| {
                let count = counts.get(&m.key).copied().unwrap_or(0);
                self.media_doc(m, own, usize::try_from(count).unwrap_or(0), None)
            })
            .collect()
    }

    /// A media item this scope can use, with where it is used; `NotFound` for others.
    fn usable_media(&mut self, scope: &Scope, key: &str, action: &str) -> EditResult<(OwnerColumns, Media)> {
        let own = self.require_media(scope, action)?;
        let m = media::by_key(self.conn, key)?.ok_or(EditError::NotFound)?;
        if !self.usable_owners(scope, own).contains(&(m.group_id, m.site_id)) {
            return Err(EditError::NotFound);
        }
        Ok((own, m))
    }

    /// A media item this scope owns (and so may change).
    fn owned_media(&mut self, scope: &Scope, key: &str, action: &str) -> EditResult<Media> {
        let (own, m) = self.usable_media(scope, key, action)?;
        if (m.group_id, m.site_id) != own {
            self.audit(action, &format!("media:{key}"), "forbidden", scope)?;
            return Err(EditError::Forbidden);
        }
        Ok(m)
    }

    /// A media item for showing to an editor who can use it from any of their scopes.
    pub fn media_preview(&mut self, key: &str) -> EditResult<Media> {
        let m = media::by_key(self.conn, key)?.ok_or(EditError::NotFound)?;
        let directory = self.directory;
        let usable = match (m.group_id, m.site_id) {
            (None, None) => true,
            (Some(g), _) => {
                let group = layers::group_slug(self.conn, g)?.unwrap_or_default();
                self.actor.may_edit(&Scope::Group(group), directory)
                    || self.actor.site_slugs(directory).iter().any(|s| directory.site_by_slug(s).is_some_and(|e| visible_on(&m, e)))
            }
            (None, Some(s)) => directory.site(s).is_some_and(|e| self.actor.may_edit(&Scope::Site(e.site.slug.clone()), directory)),
        };
        if usable { Ok(m) } else { Err(EditError::Forbidden) }
    }

    pub fn media_item(&mut self, scope: &Scope, key: &str) -> EditResult<MediaDoc> {
        let (own, m) = self.usable_media(scope, key, "media.read")?;
        let uses: Vec<Use> = media::uses_of(self.conn, key)?.into_iter().map(|(kind, key)| Use { kind, key }).collect();
        self.media_doc(&m, own, uses.len(), Some(uses))
    }

    /// Checks, cleans and stores an upload, and records it in the scope's library.
    pub fn upload_media(&mut self, scope: &Scope, upload: Upload, files: &MediaFiles) -> EditResult<MediaDoc> {
        let own = self.require_media(scope, "media.upload")?;
        let alt = checked_alt(&upload.alt, upload.decorative)?;
        let declared = Declared { content_type: upload.content_type.as_deref(), filename: upload.filename.as_deref() };
        let ingested = files.ingest(&upload.bytes, declared)?;
        let name = display_name(upload.filename.as_deref());
        let (author, now, origin, scope_name) = (self.actor.email.clone(), self.now, self.origin.to_owned(), scope.to_string());
        let key = db::write_tx(self.conn, |c| -> EditResult<String> {
            let mut attempt = 0;
            let key = loop {
                let key = crate::media::key_for(&name, &ingested.facts.hash, attempt);
                if media::by_key(c, &key)?.is_none() {
                    break key;
                }
                attempt += 1;
            };
            let new = NewMedia { key: &key, group_id: own.0, site_id: own.1, file: &ingested.facts, name: &name, alt: &alt, decorative: upload.decorative };
            let id = media::insert(c, &new, now)?;
            record(c, id, &key, own, &author, now)?;
            accounts::record_audit(c, &NewAudit { actor: &author, action: "media.upload", object: &format!("media:{key}"), result: "ok", origin: &origin, scope: &scope_name }, now)?;
            Ok(key)
        })?;
        files.schedule_variants(&ingested.facts.hash, ingested.encoding);
        self.media_item(scope, &key)
    }

    /// Changes the alt text or the decorative mark.
    pub fn update_media(&mut self, scope: &Scope, key: &str, text: MediaText, if_match: Option<i64>) -> EditResult<MediaDoc> {
        let m = self.owned_media(scope, key, "media.save")?;
        let alt = checked_alt(&text.alt, text.decorative)?;
        let based_on = if_match.or(text.revision);
        let (author, now, origin, scope_name) = (self.actor.email.clone(), self.now, self.origin.to_owned(), scope.to_string());
        let owner = (m.group_id, m.site_id);
        db::write_tx(self.conn, |c| -> EditResult<()> {
            let current = media::by_key(c, key)?.ok_or(EditError::NotFound)?;
            check_base(based_on, current.revision)?;
            if current.alt != alt || current.decorative != text.decorative {
                media::update_text(c, current.id, current.revision, &alt, text.decorative, now)?;
                record(c, current.id, key, owner, &author, now)?;
            }
            accounts::record_audit(c, &NewAudit { actor: &author, action: "media.save", object: &format!("media:{key}"), result: "ok", origin: &origin, scope: &scope_name }, now)?;
            Ok(())
        })?;
        self.media_item(scope, key)
    }

    /// Puts another file behind a media item: every text that shows it shows the new file.
    pub fn replace_media(&mut self, scope: &Scope, key: &str, upload: Upload, files: &MediaFiles, if_match: Option<i64>) -> EditResult<MediaDoc> {
        let m = self.owned_media(scope, key, "media.replace")?;
        let ingested = files.ingest(&upload.bytes, Declared { content_type: upload.content_type.as_deref(), filename: upload.filename.as_deref() })?;
        let name = display_name(upload.filename.as_deref());
        let (author, now, origin, scope_name) = (self.actor.email.clone(), self.now, self.origin.to_owned(), scope.to_string());
        let owner = (m.group_id, m.site_id);
        db::write_tx(self.conn, |c| -> EditResult<()> {
            let current = media::by_key(c, key)?.ok_or(EditError::NotFound)?;
            check_base(if_match, current.revision)?;
            media::replace_file(c, current.id, current.revision, &ingested.facts, &name, now)?;
            if current.hash != ingested.facts.hash {
                media::schedule_removal(c, &current, now + crate::media::REMOVAL_GRACE)?;
            }
            record(c, current.id, key, owner, &author, now)?;
            accounts::record_audit(c, &NewAudit { actor: &author, action: "media.replace", object: &format!("media:{key}"), result: "ok", origin: &origin, scope: &scope_name }, now)?;
            Ok(())
        })?;
        files.schedule_variants(&ingested.facts.hash, ingested.encoding);
        // The old file stays for a while: pages cached elsewhere may still point at it until
        // they follow the change feed; then `media::remove_due` takes it away.
        self.media_item(scope, key)
    }

    /// Deletes a media item nothing uses; one that is still used is refused with where. Its
    /// file goes after `media::REMOVAL_GRACE` unless another item stands for it by then.
    pub fn delete_media(&mut self, scope: &Scope, key: &str, if_match: Option<i64>) -> EditResult<()> {
        let m = self.owned_media(scope, key, "media.delete")?;
        let (author, now, origin, scope_name) = (self.actor.email.clone(), self.now, self.origin.to_owned(), scope.to_string());
        let owner = (m.group_id, m.site_id);
        db::write_tx(self.conn, |c| -> EditResult<()> {
            // No item may start using the file between the check and the delete.
            db::hold_still(c, db::LockedTable::MediaUses)?;
            let current = media::by_key(c, key)?.ok_or(EditError::NotFound)?;
            check_delete_base(if_match, current.revision)?;
            let uses = media::uses_of(c, key)?;
            if !uses.is_empty() {
                return Err(EditError::InUse(uses.into_iter().map(|(kind, item)| format!("{kind} {item}")).collect()));
            }
            media::delete(c, current.id, current.revision)?;
            media::schedule_removal(c, &current, now + crate::media::REMOVAL_GRACE)?;
            history::record_deletion(c, Kind::Media, key, owner.0, owner.1, now)?;
            accounts::record_audit(c, &NewAudit { actor: &author, action: "media.delete", object: &format!("media:{key}"), result: "ok", origin: &origin, scope: &scope_name }, now)?;
            Ok(())
        })?;
        Ok(())
    }
}

/// Records a saved media item in the change log and its history.
fn record(c: &mut db::DbConnection, id: i64, key: &str, owner: OwnerColumns, author: &str, now: i64) -> EditResult<()> {
    let saved = media::by_key(c, key)?.ok_or(EditError::NotFound)?;
    let written = Written { saved: Saved { id, revision: saved.revision, changed: true }, kind: Kind::Media, key, group_id: owner.0, site_id: owner.1, item: &saved };
    history::record(c, written, Some(author), now)?;
    Ok(())
}

fn checked_alt(alt: &str, decorative: bool) -> EditResult<String> {
    let alt = alt.split_whitespace().collect::<Vec<_>>().join(" ");
    if alt.is_empty() && !decorative {
        return Err(EditError::Invalid(vec![
            "alt: beschrijf wat er op de afbeelding staat, of geef aan dat de afbeelding alleen decoratief is".into(),
        ]));
    }
    if alt.chars().count() > MAX_ALT {
        return Err(EditError::Invalid(vec![format!("alt: de tekst is te lang (meer dan {MAX_ALT} tekens)").into()]));
    }
    Ok(if decorative { String::new() } else { alt })
}

/// The uploaded file's name without any path, for finding it back in the library.
fn display_name(filename: Option<&str>) -> String {
    let name = filename.unwrap_or("").rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
    if clean.trim().is_empty() { "afbeelding".into() } else { clean.trim().to_owned() }
}
