//! Four eyes: a scope (national, a group, a site) can ask that every change by an editor
//! waits for another editor of that scope before residents see it. A save then becomes a
//! proposal (`db::models::proposals`), checked as a save is, and stops with
//! `EditError::AwaitingApproval`; residents keep the published version. Another editor of the
//! scope, never the author, approves it (it is then saved as the author's edit would have
//! been, conflicts included) or sends it back with a note. An admin of the scope may publish
//! directly with a reason, which the audit log keeps.
//!
//! Gated: products, overrides, pages, news and alerts, created, changed, restored from an old
//! revision or deleted (a deletion is a proposal whose document is `null`), their translations,
//! and thesauri. Not gated (yet): redirects and settings. The same gate stages a change in a
//! release instead (`Publishing::Release`, `edit::releases`).

use serde::Serialize;

use super::{EditError, EditResult, Editor, OverrideDoc, ProductDoc};
use super::{Alerts, News, Pages};
use crate::auth::permissions::Scope;
use crate::content::kind::Kind;
use crate::content::model::{Lang, NewsFields, Owner, PageFields};
use crate::db;
use crate::db::models::accounts::{self, NewAudit};
use crate::db::models::proposals::{self, APPROVED, NewProposal, Proposal, RETURNED, WAITING};
use crate::db::models::settings;

/// How the saves of an `Editor` publish.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Publishing {
    /// As the scope says: at once, or as a proposal where it asks for approval.
    #[default]
    Normal,
    /// An admin publishing directly where approval is asked, for this reason.
    Direct(String),
    /// Saving a proposal another editor approved (or a release being published).
    Approved,
    /// Staging the change in this release (`edit::releases`) instead of saving it.
    Release(i64),
}

/// Longest note or reason.
const MAX_NOTE: usize = 1_000;

/// How many proposals a list shows.
const LIST: i64 = 200;

/// The setting that says whether a scope asks for approval.
pub fn setting_key(scope: &Scope) -> String {
    match scope {
        Scope::National => "approval".to_owned(),
        other => format!("approval:{other}"),
    }
}

/// Which item a proposal changes, as kept in `proposals.target`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Product(String),
    Override(Owner, String),
    /// A page, news item or alert of an owner; `None`: a new one.
    Local(Kind, Owner, Option<i64>),
    /// A scope's search thesaurus (`None`: the central one).
    Thesaurus(Option<Owner>),
    /// The text in another language of a product, override, page or news item.
    Translation(Box<Target>, Lang),
}

impl Target {
    fn kind(&self) -> Kind {
        match self {
            Target::Product(_) => Kind::Product,
            Target::Override(..) => Kind::Override,
            Target::Local(kind, ..) => *kind,
            Target::Thesaurus(_) => Kind::Thesaurus,
            Target::Translation(of, _) => of.kind(),
        }
    }

    fn text(&self) -> String {
        let owner = |o: &Owner| crate::content::import::owner_key(o);
        match self {
            Target::Product(slug) => slug.clone(),
            Target::Override(o, slug) => format!("{}/{slug}", owner(o)),
            Target::Local(_, o, Some(id)) => format!("{}/{id}", owner(o)),
            Target::Local(_, o, None) => format!("{}/new", owner(o)),
            Target::Thesaurus(None) => "national".to_owned(),
            Target::Thesaurus(Some(o)) => owner(o),
            Target::Translation(of, lang) => format!("{}@{}", of.text(), lang.code()),
        }
    }

    pub(super) fn parse(kind: &str, text: &str) -> Option<Target> {
        if let Some((of, code)) = text.rsplit_once('@') {
            return Some(Target::Translation(Box::new(Target::parse(kind, of)?), Lang::parse(code)?));
        }
        let kind = Kind::parse(kind)?;
        if kind == Kind::Product {
            return Some(Target::Product(text.to_owned()));
        }
        if kind == Kind::Thesaurus {
            return match text.split_once('/') {
                None if text == "national" => Some(Target::Thesaurus(None)),
                Some(("group", slug)) => Some(Target::Thesaurus(Some(Owner::Group(slug.to_owned())))),
                Some(("site", slug)) => Some(Target::Thesaurus(Some(Owner::Site(slug.to_owned())))),
                _ => None,
            };
        }
        let mut parts = text.splitn(3, '/');
        let (what, slug, rest) = (parts.next()?, parts.next()?, parts.next()?);
        let owner = match what {
            "group" => Owner::Group(slug.to_owned()),
            "site" => Owner::Site(slug.to_owned()),
            _ => return None,
        };
        match kind {
            Kind::Override => Some(Target::Override(owner, rest.to_owned())),
            Kind::Page | Kind::News | Kind::Alert => Some(Target::Local(kind, owner, if rest == "new" { None } else { Some(rest.parse().ok()?) })),
            _ => None,
        }
    }
}

/// A proposal as editors read it.
#[derive(Debug, Clone, Serialize)]
pub struct ProposalView {
    #[serde(flatten)]
    pub proposal: Proposal,
    /// The document proposed (as the admin API takes it).
    pub document: serde_json::Value,
}

impl ProposalView {
    pub fn new(proposal: Proposal) -> ProposalView {
        let document = serde_json::from_str(&proposal.document).unwrap_or_default();
        ProposalView { proposal, document }
    }
}

/// What waits for this editor, and what of theirs waits or came back.
#[derive(Debug, Clone, Serialize)]
pub struct Approvals {
    /// Others' changes in this editor's scopes, waiting for approval.
    pub to_approve: Vec<ProposalView>,
    /// This editor's own proposals that wait or were sent back.
    pub mine: Vec<ProposalView>,
}

/// Whether a scope asks for approval, as editors see and admins set it.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalSetting {
    pub scope: String,
    pub required: bool,
}

/// A note when sending a change back.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendBack {
    pub note: String,
}

impl Editor<'_> {
    /// Whether changes in `scope` wait for approval.
    pub fn approval_required(&mut self, scope: &Scope) -> EditResult<bool> {
        Ok(settings::get::<bool>(self.conn, &setting_key(scope))?.is_some_and(|(on, _)| on))
    }

    /// Whether a scope asks for approval, for its editors.
    pub fn approval_setting(&mut self, scope: &str) -> EditResult<ApprovalSetting> {
        let scope = Scope::parse(scope).ok_or(EditError::NotFound)?;
        let allowed = self.actor.may_edit(&scope, self.directory);
        self.require(allowed, "approval.read", &setting_key(&scope), &scope)?;
        Ok(ApprovalSetting { required: self.approval_required(&scope)?, scope: scope.to_string() })
    }

    /// Asks for approval in a scope, or stops asking (admins of the scope).
    pub fn set_approval(&mut self, setting: ApprovalSetting) -> EditResult<ApprovalSetting> {
        let scope = Scope::parse(&setting.scope)
            .ok_or_else(|| EditError::Invalid(vec![format!("/scope: {:?} is not national, group:<slug> or site:<slug>", setting.scope).into()]))?;
        let allowed = self.actor.may_administer(&scope, self.directory);
        self.require(allowed, "approval.setting", &setting_key(&scope), &scope)?;
        let exists = match &scope {
            Scope::National => true,
            Scope::Group(g) => crate::db::models::layers::find_group(self.conn, g)?.is_some(),
            Scope::Site(s) => self.directory.site_by_slug(s).is_some(),
        };
        if !exists {
            return Err(EditError::NotFound);
        }
        let (now, author, origin) = (self.now, self.actor.email.clone(), self.origin.to_owned());
        let key = setting_key(&scope);
        db::write_tx(self.conn, |c| -> EditResult<()> {
            let current = settings::get::<bool>(c, &key)?.map_or(0, |(_, r)| r);
            settings::save(c, &key, &setting.required, current, now)?;
            let result = if setting.required { "on" } else { "off" };
            accounts::record_audit(c, &NewAudit { actor: &author, action: "approval.setting", object: &key, result, origin: &origin, scope: &scope.to_string() }, now)?;
            Ok(())
        })?;
        Ok(ApprovalSetting { scope: scope.to_string(), required: setting.required })
    }

    /// Called by every gated save after its checks and before it writes: saves go on where
    /// the scope asks for no approval, an approved proposal is being saved, or an admin
    /// publishes directly with a reason; otherwise the change becomes a proposal.
    pub(super) fn gate(&mut self, scope: &Scope, target: Target, title: &str, document: &impl Serialize, based_on: Option<i64>) -> EditResult<()> {
        if let Publishing::Release(release) = self.publishing {
            return self.stage(release, scope, &target, title, document, based_on);
        }
        if self.publishing == Publishing::Approved || !self.approval_required(scope)? {
            return Ok(());
        }
        let object = format!("{}:{}", target.kind().as_str(), target.text());
        if let Publishing::Direct(reason) = self.publishing.clone() {
            let allowed = self.actor.may_administer(scope, self.directory);
            self.require(allowed, "approval.direct", &object, scope)?;
            let reason = reason.trim();
            if reason.is_empty() || reason.chars().count() > MAX_NOTE {
                return Err(EditError::Invalid(vec![format!("a direct publication needs a reason of 1 to {MAX_NOTE} characters").into()]));
            }
            self.audit("approval.direct", &format!("{object}: {reason}"), "ok", scope)?;
            return Ok(());
        }
        let document = serde_json::to_string(document).map_err(|e| EditError::Internal(e.to_string()))?;
        let (kind, text) = (target.kind().as_str(), target.text());
        let (now, author, origin, scope_text) = (self.now, self.actor.email.clone(), self.origin.to_owned(), scope.to_string());
        let id = db::write_tx(self.conn, |c| -> EditResult<i64> {
            // A newer proposal of the same author for the same item replaces the older one.
            proposals::supersede(c, kind, &text, &author, now)?;
            let new = NewProposal { scope: &scope_text, kind, target: &text, title, document: &document, based_on, author: &author, state: WAITING, created_at: now, release_id: None };
            let id = proposals::insert(c, &new)?;
            accounts::record_audit(c, &NewAudit { actor: &author, action: "approval.propose", object: &format!("{object} #{id}"), result: "ok", origin: &origin, scope: &scope_text }, now)?;
            Ok(id)
        })?;
        Err(EditError::AwaitingApproval { id })
    }

    /// Keeps a change in an open release of the same scope instead of saving it; a change of
    /// the same item staged before in that release is replaced.
    fn stage(&mut self, release: i64, scope: &Scope, target: &Target, title: &str, document: &impl Serialize, based_on: Option<i64>) -> EditResult<()> {
        let found = proposals::release(self.conn, release)?.ok_or_else(|| EditError::Invalid(vec![format!("/release: there is no release {release}").into()]))?;
        if found.scope != scope.to_string() {
            return Err(EditError::Invalid(vec![format!("/release: release {release} is for {}; this change belongs to {scope}", found.scope).into()]));
        }
        if found.state != proposals::OPEN {
            return Err(EditError::Invalid(vec![format!("/release: release {release} is {}, not open: changes can no longer be added", found.state).into()]));
        }
        // Based on the item as it is, as a save must be (and is again when published).
        if let Some(current) = self.target_document(target)? {
            super::check_base(based_on, current["revision"].as_i64().unwrap_or(0))?;
        }
        let document = serde_json::to_string(document).map_err(|e| EditError::Internal(e.to_string()))?;
        let (kind, text) = (target.kind().as_str(), target.text());
        let (now, author, origin, scope_text) = (self.now, self.actor.email.clone(), self.origin.to_owned(), scope.to_string());
        let id = db::write_tx(self.conn, |c| -> EditResult<i64> {
            proposals::unstage(c, release, kind, &text)?;
            let new = NewProposal { scope: &scope_text, kind, target: &text, title, document: &document, based_on, author: &author, state: proposals::STAGED, created_at: now, release_id: Some(release) };
            let id = proposals::insert(c, &new)?;
            let object = format!("release:{release} {kind}:{text}");
            accounts::record_audit(c, &NewAudit { actor: &author, action: "release.stage", object: &object, result: "ok", origin: &origin, scope: &scope_text }, now)?;
            Ok(id)
        })?;
        Err(EditError::Staged { release, id })
    }

    /// The scopes this editor works in, as proposals name them.
    pub(super) fn my_scopes(&mut self) -> EditResult<Vec<String>> {
        let mut scopes = Vec::new();
        if self.actor.may_edit_catalogue() {
            scopes.push(Scope::National.to_string());
        }
        let groups: Vec<String> = crate::db::models::layers::groups(self.conn)?.into_iter().map(|(_, g)| g.slug).collect();
        scopes.extend(self.actor.group_slugs(&groups).into_iter().map(|g| Scope::Group(g).to_string()));
        scopes.extend(self.actor.site_slugs(self.directory).into_iter().map(|s| Scope::Site(s).to_string()));
        Ok(scopes)
    }

    /// What waits for this editor's approval, and their own proposals.
    pub fn approvals(&mut self) -> EditResult<Approvals> {
        let scopes = self.my_scopes()?;
        let me = self.actor.email.clone();
        let to_approve = proposals::in_scopes(self.conn, &scopes, &[WAITING], LIST)?.into_iter().filter(|p| p.author != me).map(ProposalView::new).collect();
        let mine = proposals::by_author(self.conn, &me, &[WAITING, RETURNED], LIST)?.into_iter().map(ProposalView::new).collect();
        Ok(Approvals { to_approve, mine })
    }

    /// One proposal, for an editor of its scope or its author.
    pub fn proposal(&mut self, id: i64) -> EditResult<ProposalView> {
        let (proposal, _) = self.proposal_in_scope(id, "approval.read")?;
        Ok(ProposalView::new(proposal))
    }

    /// The item a proposal changes as it is now (none: a new item, or gone), for the diff.
    pub fn proposal_current(&mut self, view: &ProposalView) -> EditResult<Option<serde_json::Value>> {
        let p = &view.proposal;
        let Some(target) = Target::parse(&p.kind, &p.target) else { return Ok(None) };
        self.target_document(&target)
    }

    /// An item's document as its editors read it now; none when it does not exist.
    pub(super) fn target_document(&mut self, target: &Target) -> EditResult<Option<serde_json::Value>> {
        let value = match target {
            Target::Product(slug) => self.product(slug).map(|d| serde_json::to_value(d)),
            Target::Override(owner, slug) => self.override_doc(owner, slug).map(|d| serde_json::to_value(d)),
            Target::Local(_, _, None) => return Ok(None),
            Target::Local(Kind::Page, owner, Some(id)) => self.local::<Pages>().get(owner, *id).map(|d| serde_json::to_value(d)),
            Target::Local(Kind::News, owner, Some(id)) => self.local::<News>().get(owner, *id).map(|d| serde_json::to_value(d)),
            Target::Local(_, owner, Some(id)) => self.local::<Alerts>().get(owner, *id).map(|d| serde_json::to_value(d)),
            Target::Thesaurus(owner) => self.thesaurus(owner.as_ref()).map(|d| serde_json::to_value(d)),
            Target::Translation(of, lang) => match of.as_ref() {
                Target::Product(slug) => self.product_translation(slug, *lang).map(|d| serde_json::to_value(d)),
                Target::Override(owner, slug) => self.override_translation(owner, slug, *lang).map(|d| serde_json::to_value(d)),
                Target::Local(Kind::Page, owner, Some(id)) => self.item_translation::<Pages, PageFields>(owner, *id, *lang).map(|d| serde_json::to_value(d)),
                Target::Local(Kind::News, owner, Some(id)) => self.item_translation::<News, NewsFields>(owner, *id, *lang).map(|d| serde_json::to_value(d)),
                _ => return Ok(None),
            },
        };
        match value {
            Ok(v) => Ok(v.ok()),
            Err(EditError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn proposal_in_scope(&mut self, id: i64, action: &str) -> EditResult<(Proposal, Scope)> {
        let proposal = proposals::find(self.conn, id)?.ok_or(EditError::NotFound)?;
        let scope = Scope::parse(&proposal.scope).ok_or_else(|| EditError::Internal(format!("proposal {id} has scope {:?}", proposal.scope)))?;
        let allowed = self.actor.may_edit(&scope, self.directory) || proposal.author == self.actor.email;
        self.require(allowed, action, &format!("proposal:{id}"), &scope)?;
        Ok((proposal, scope))
    }

    /// A proposal another editor decides on: waiting, in their scope, not their own.
    fn decidable(&mut self, id: i64, action: &str) -> EditResult<(Proposal, Scope)> {
        let (proposal, scope) = self.proposal_in_scope(id, action)?;
        let allowed = self.actor.may_edit(&scope, self.directory);
        self.require(allowed, action, &format!("proposal:{id}"), &scope)?;
        if proposal.author == self.actor.email {
            self.audit(action, &format!("proposal:{id}"), "refused: own change", &scope)?;
            return Err(EditError::OwnChange);
        }
        if proposal.state != WAITING {
            return Err(EditError::Invalid(vec![format!("/state: proposal {id} is {}, not waiting", proposal.state).into()]));
        }
        Ok((proposal, scope))
    }

    /// Approves a proposal: it is saved now (with the revision it was based on, so a change
    /// made meanwhile is a conflict and nothing is saved), and residents see it.
    pub fn approve(&mut self, id: i64) -> EditResult<ProposalView> {
        let (proposal, scope) = self.decidable(id, "approval.approve")?;
        let target = Target::parse(&proposal.kind, &proposal.target).ok_or_else(|| EditError::Internal(format!("proposal {id} has target {:?}", proposal.target)))?;
        let before = std::mem::replace(&mut self.publishing, Publishing::Approved);
        let saved = self.save_proposed(&target, &proposal);
        self.publishing = before;
        saved?;
        let me = self.actor.email.clone();
        if !proposals::decide(self.conn, id, APPROVED, &me, None, self.now)? {
            return Err(EditError::ChangedMeanwhile);
        }
        self.audit("approval.approve", &format!("proposal:{id} by {}", proposal.author), "ok", &scope)?;
        self.proposal(id)
    }

    /// Sends a proposal back to its author with a note; nothing is saved.
    pub fn send_back(&mut self, id: i64, note: &str) -> EditResult<ProposalView> {
        let (proposal, scope) = self.decidable(id, "approval.send-back")?;
        let note = note.trim();
        if note.is_empty() || note.chars().count() > MAX_NOTE {
            return Err(EditError::Invalid(vec![format!("/note: say what should change, in 1 to {MAX_NOTE} characters").into()]));
        }
        let me = self.actor.email.clone();
        if !proposals::decide(self.conn, id, RETURNED, &me, Some(note), self.now)? {
            return Err(EditError::ChangedMeanwhile);
        }
        self.audit("approval.send-back", &format!("proposal:{id} by {}", proposal.author), "ok", &scope)?;
        self.proposal(id)
    }

    /// Saves what a proposal holds, as its save would have been.
    pub(super) fn save_proposed(&mut self, target: &Target, proposal: &Proposal) -> EditResult<()> {
        let invalid = |e: serde_json::Error| EditError::Internal(format!("proposal {}: {e}", proposal.id));
        let base = proposal.based_on;
        if let Target::Translation(of, lang) = target {
            return self.save_translation(of, *lang, proposal);
        }
        if proposal.document == "null" {
            return match target {
                Target::Product(_) => Err(EditError::Internal(format!("proposal {} deletes a catalogue product", proposal.id))),
                Target::Override(owner, slug) => self.delete_override(owner, slug, base),
                Target::Local(_, _, None) => Err(EditError::Internal(format!("proposal {} deletes an item that has no id", proposal.id))),
                Target::Local(Kind::Page, owner, Some(id)) => self.local::<Pages>().delete(owner, *id, base),
                Target::Local(Kind::News, owner, Some(id)) => self.local::<News>().delete(owner, *id, base),
                Target::Local(_, owner, Some(id)) => self.local::<Alerts>().delete(owner, *id, base),
                Target::Thesaurus(owner) => self.put_thesaurus(owner.as_ref(), Default::default(), None).map(|_| ()),
                Target::Translation(..) => Ok(()),
            };
        }
        match target {
            Target::Product(slug) => {
                self.put_product(slug, serde_json::from_str::<ProductDoc>(&proposal.document).map_err(invalid)?, base)?;
            }
            Target::Override(owner, slug) => {
                self.put_override(owner, slug, serde_json::from_str::<OverrideDoc>(&proposal.document).map_err(invalid)?, base)?;
            }
            Target::Thesaurus(owner) => {
                self.put_thesaurus(owner.as_ref(), serde_json::from_str(&proposal.document).map_err(invalid)?, base)?;
            }
            Target::Translation(..) => {}
            Target::Local(kind, owner, id) => match kind {
                Kind::Page => self.save_local::<Pages>(owner, *id, &proposal.document, base)?,
                Kind::News => self.save_local::<News>(owner, *id, &proposal.document, base)?,
                _ => self.save_local::<Alerts>(owner, *id, &proposal.document, base)?,
            },
        }
        Ok(())
    }

    /// Saves (or, for a `null` document, removes) a translation a proposal holds.
    fn save_translation(&mut self, of: &Target, lang: Lang, proposal: &Proposal) -> EditResult<()> {
        let invalid = |e: serde_json::Error| EditError::Internal(format!("proposal {}: {e}", proposal.id));
        let (base, remove, text) = (proposal.based_on, proposal.document == "null", proposal.document.as_str());
        match of {
            Target::Product(slug) if remove => self.delete_product_translation(slug, lang, base),
            Target::Product(slug) => self.put_product_translation(slug, lang, serde_json::from_str(text).map_err(invalid)?, base).map(|_| ()),
            Target::Override(owner, slug) if remove => self.delete_override_translation(owner, slug, lang, base),
            Target::Override(owner, slug) => self.put_override_translation(owner, slug, lang, serde_json::from_str(text).map_err(invalid)?, base).map(|_| ()),
            Target::Local(Kind::Page, owner, Some(id)) if remove => self.delete_item_translation::<Pages, PageFields>(owner, *id, lang, base),
            Target::Local(Kind::Page, owner, Some(id)) => self.put_item_translation::<Pages, PageFields>(owner, *id, lang, serde_json::from_str(text).map_err(invalid)?, base).map(|_| ()),
            Target::Local(Kind::News, owner, Some(id)) if remove => self.delete_item_translation::<News, NewsFields>(owner, *id, lang, base),
            Target::Local(Kind::News, owner, Some(id)) => self.put_item_translation::<News, NewsFields>(owner, *id, lang, serde_json::from_str(text).map_err(invalid)?, base).map(|_| ()),
            other => Err(EditError::Internal(format!("proposal {} translates {other:?}", proposal.id))),
        }
    }

    fn save_local<K: super::LocalKind>(&mut self, owner: &Owner, id: Option<i64>, document: &str, base: Option<i64>) -> EditResult<()> {
        let doc: K::Doc = serde_json::from_str(document).map_err(|e| EditError::Internal(format!("a proposal's document: {e}")))?;
        match id {
            Some(id) => self.local::<K>().put(owner, id, doc, base).map(|_| ()),
            None => self.local::<K>().create(owner, doc).map(|_| ()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_read_back_from_their_text() {
        for target in [
            Target::Product("paspoort".into()),
            Target::Override(Owner::Group("regio".into()), "paspoort".into()),
            Target::Local(Kind::Page, Owner::Site("alpha".into()), Some(12)),
            Target::Local(Kind::News, Owner::Site("alpha".into()), None),
            Target::Thesaurus(None),
            Target::Thesaurus(Some(Owner::Group("regio".into()))),
            Target::Translation(Box::new(Target::Override(Owner::Site("alpha".into()), "paspoort".into())), Lang::En),
            Target::Translation(Box::new(Target::Local(Kind::Page, Owner::Site("alpha".into()), Some(3))), Lang::En),
        ] {
            assert_eq!(Target::parse(target.kind().as_str(), &target.text()), Some(target.clone()), "{target:?}");
        }
        assert_eq!(Target::parse("page", "site/alpha/x"), None);
        assert_eq!(Target::parse("media", "site/alpha/1"), None);
    }
}
