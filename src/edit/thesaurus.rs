//! Editing the search thesauri: the central team's (catalogue editors), a group's and a
//! site's (that layer's editors). Each is one versioned document; a save names the revision it
//! was based on, like any content item, and reaches every node's search through the feed.

use serde::{Deserialize, Serialize};

use super::{EditError, EditResult, Editor, check_base, check_saved};
use crate::auth::permissions::Scope;
use crate::content::history::{self, Written};
use crate::content::kind::Kind;
use crate::content::model::{Concept, Owner, Pin, Thesaurus};
use crate::content::thesaurus::{check, setting_key};
use crate::db;
use crate::db::models::accounts::{self, NewAudit};
use crate::db::models::settings;

/// A thesaurus as the admin API reads and writes it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThesaurusDoc {
    #[serde(default)]
    pub concepts: Vec<Concept>,
    #[serde(default)]
    pub pins: Vec<Pin>,
    /// The revision read (0: none saved yet); a save based on an older one is a conflict.
    #[serde(default)]
    pub revision: Option<i64>,
}

impl Editor<'_> {
    /// Who may read and edit a scope's thesaurus: catalogue editors the central one, a layer's
    /// editors that layer's. Returns the layer's database columns.
    fn thesaurus_scope(&mut self, owner: Option<&Owner>, action: &str) -> EditResult<(Option<i64>, Option<i64>, Scope)> {
        let object = setting_key(owner);
        match owner {
            None => {
                // Every editor may read the central thesaurus (to add to their own); catalogue editors change it.
                let allowed = self.actor.may_edit_catalogue() || action.ends_with(".read");
                self.require(allowed, action, &object, &Scope::National)?;
                Ok((None, None, Scope::National))
            }
            Some(owner) => {
                let layer = self.require_layer(owner, action, &object)?;
                let (group, site) = layer.columns();
                Ok((group, site, Scope::of(owner)))
            }
        }
    }

    pub fn thesaurus(&mut self, owner: Option<&Owner>) -> EditResult<ThesaurusDoc> {
        self.thesaurus_scope(owner, "thesaurus.read")?;
        let stored = settings::get::<Thesaurus>(self.conn, &setting_key(owner))?;
        let (t, revision) = stored.unwrap_or_default();
        Ok(ThesaurusDoc { concepts: t.concepts, pins: t.pins, revision: Some(revision) })
    }

    pub fn put_thesaurus(&mut self, owner: Option<&Owner>, doc: ThesaurusDoc, if_match: Option<i64>) -> EditResult<ThesaurusDoc> {
        let (group_id, site_id, scope) = self.thesaurus_scope(owner, "thesaurus.save")?;
        let based_on = if_match.or(doc.revision);
        let proposed = ThesaurusDoc { revision: None, ..doc.clone() };
        let mut model = Thesaurus { concepts: doc.concepts, pins: doc.pins };
        let problems = check(&mut model);
        if !problems.is_empty() {
            return Err(EditError::Invalid(problems));
        }
        let title = match owner {
            None => "Landelijke zoekwoorden".to_owned(),
            Some(o) => format!("Zoekwoorden van {}", o.slug()),
        };
        self.gate(&scope, super::approval::Target::Thesaurus(owner.cloned()), &title, &proposed, based_on)?;
        let key = setting_key(owner);
        let author = self.actor.email.clone();
        let (now, origin, scope) = (self.now, self.origin.to_owned(), scope.to_string());
        db::write_tx(self.conn, |c| -> EditResult<()> {
            let checked = settings::get::<Thesaurus>(c, &key)?.map_or(0, |(_, r)| r);
            check_base(based_on.filter(|b| *b > 0 || checked > 0), checked)?;
            let saved = settings::save(c, &key, &model, 0, now)?;
            check_saved(checked, &saved)?;
            history::record(c, Written { saved, kind: Kind::Thesaurus, key: &key, group_id, site_id, item: &model }, Some(&author), now)?;
            let entry = NewAudit { actor: &author, action: "thesaurus.save", object: &key, result: "ok", origin: &origin, scope: &scope };
            accounts::record_audit(c, &entry, now)?;
            Ok(())
        })?;
        self.thesaurus(owner)
    }
}
