//! Reminders by e-mail: an editor may ask for a digest (daily or weekly) of what needs them:
//! changes waiting for their approval, their own proposals sent back, content past its review
//! date, translations behind and broken links in their scopes. What goes in is what their
//! dashboard shows, read through their own permissions; a digest with nothing in it is not
//! sent. The operator configures SMTP (`MEENT_SMTP_URL`, `MEENT_MAIL_FROM`); `send_due` runs
//! on one node a day (`spawn`).

use std::fmt::Write as _;
use std::time::Duration;

use chrono::Datelike;
use serde::{Deserialize, Serialize};

use super::{EditError, EditResult, Editor};
use crate::content::cache::ContentCache;
use crate::content::directory::Directory;
use crate::db::models::{accounts, settings};
use crate::db::{DbConnection, Pool};

/// How often an editor wants the digest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Frequency {
    #[default]
    Off,
    Daily,
    /// On Mondays.
    Weekly,
}

/// An editor's choice, as the API reads and writes it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DigestChoice {
    pub frequency: Frequency,
}

fn key(user_id: i64) -> String {
    format!("digest:{user_id}")
}

/// When the last round of digests went out, and the lease a node takes to send them.
const LAST_SENT: &str = "digest.last_sent";

/// Most lines per part of a digest; the dashboard has the rest.
const MAX_LINES: usize = 20;

impl Editor<'_> {
    /// This editor's choice.
    pub fn digest_choice(&mut self) -> EditResult<DigestChoice> {
        Ok(settings::get::<DigestChoice>(self.conn, &key(self.actor.user_id))?.map(|(c, _)| c).unwrap_or_default())
    }

    /// Changes this editor's choice (their own only).
    pub fn set_digest_choice(&mut self, choice: DigestChoice) -> EditResult<DigestChoice> {
        let key = key(self.actor.user_id);
        let (now, author, origin) = (self.now, self.actor.email.clone(), self.origin.to_owned());
        crate::db::write_tx(self.conn, |c| -> EditResult<()> {
            let revision = settings::get::<DigestChoice>(c, &key)?.map_or(0, |(_, r)| r);
            settings::save(c, &key, &choice, revision, now)?;
            let entry = accounts::NewAudit { actor: &author, action: "digest.setting", object: &key, result: "ok", origin: &origin, scope: "self" };
            accounts::record_audit(c, &entry, now)?;
            Ok(())
        })?;
        self.digest_choice()
    }

    /// The text of this editor's digest, or `None` when nothing needs them.
    pub fn digest_text(&mut self, content: &ContentCache, admin_url: &str) -> EditResult<Option<String>> {
        let approvals = self.approvals()?;
        let dashboard = self.dashboard(content)?;
        let links = self.links_overview()?;
        let returned: Vec<_> = approvals.mine.iter().filter(|p| p.proposal.state == "returned").collect();
        let mut text = String::new();
        let mut part = |heading: &str, lines: Vec<String>| {
            if lines.is_empty() {
                return;
            }
            let _ = writeln!(text, "{heading}");
            for line in lines.iter().take(MAX_LINES) {
                let _ = writeln!(text, "- {line}");
            }
            if lines.len() > MAX_LINES {
                let _ = writeln!(text, "- en nog {} meer", lines.len() - MAX_LINES);
            }
            text.push('\n');
        };
        part(
            "Wacht op uw goedkeuring:",
            approvals.to_approve.iter().map(|p| format!("{} (door {}): {admin_url}/admin/goedkeuren/{}", p.proposal.title, p.proposal.author, p.proposal.id)).collect(),
        );
        part(
            "Uw voorstellen die zijn teruggestuurd:",
            returned.iter().map(|p| format!("{}: {} {admin_url}/admin/goedkeuren/{}", p.proposal.title, p.proposal.note.clone().unwrap_or_default(), p.proposal.id)).collect(),
        );
        part("Te herzien (de herzieningsdatum is voorbij):", dashboard.due.iter().map(|d| format!("{}: {} (sinds {})", d.what, d.title, d.date)).collect());
        part("Vertaling loopt achter:", dashboard.behind.iter().map(|b| b.title.clone()).collect());
        part(
            "Kapotte of verhuisde links:",
            links.iter().flat_map(|s| s.links.iter().map(move |l| format!("{} ({}): {}", l.check.url, s.name, l.check.message))).collect(),
        );
        if text.is_empty() {
            return Ok(None);
        }
        Ok(Some(format!("Goedendag,\n\nDit vraagt uw aandacht in Meent:\n\n{text}Alles staat ook op uw overzicht: {admin_url}/admin\nU krijgt deze e-mail omdat u herinneringen heeft aangezet. Uitzetten kan op {admin_url}/admin/herinneringen.\n")))
    }
}

/// How digests are sent.
#[derive(Clone)]
pub struct Mailer {
    transport: lettre::SmtpTransport,
    from: lettre::message::Mailbox,
    /// Where editors open the admin, for the links in the mail (`https://beheer.example.nl`).
    pub admin_url: String,
}

impl Mailer {
    /// From the operator's settings; `Ok(None)` when no SMTP server is configured.
    pub fn new(smtp_url: Option<&str>, from: Option<&str>, admin_url: &str) -> Result<Option<Mailer>, String> {
        let Some(url) = smtp_url.filter(|u| !u.trim().is_empty()) else { return Ok(None) };
        let transport = lettre::SmtpTransport::from_url(url).map_err(|e| format!("MEENT_SMTP_URL: {e}"))?.timeout(Some(Duration::from_secs(20))).build();
        let from = from.unwrap_or("Meent <noreply@localhost>").parse().map_err(|e| format!("MEENT_MAIL_FROM: {e}"))?;
        Ok(Some(Mailer { transport, from, admin_url: admin_url.trim_end_matches('/').to_owned() }))
    }

    fn send(&self, to: &str, subject: &str, body: String) -> Result<(), String> {
        use lettre::Transport;
        let to: lettre::message::Mailbox = to.parse().map_err(|e| format!("{to}: {e}"))?;
        let message = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| e.to_string())?;
        self.transport.send(&message).map(|_| ()).map_err(|e| e.to_string())
    }
}

/// What a round of digests did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Sent {
    pub sent: usize,
    pub empty: usize,
    pub failed: usize,
}

/// Sends the digests due at `now` (daily ones, and weekly ones on Mondays in the Netherlands):
/// each editor's, read with their own permissions.
pub fn send_due(conn: &mut DbConnection, directory: &Directory, content: &ContentCache, mailer: &Mailer, now: i64) -> EditResult<Sent> {
    let monday = chrono::DateTime::from_timestamp(now, 0).is_some_and(|t| t.with_timezone(&chrono_tz::Europe::Amsterdam).weekday() == chrono::Weekday::Mon);
    let mut done = Sent::default();
    for user in accounts::all_users(conn)?.into_iter().filter(|u| !u.disabled) {
        let choice = settings::get::<DigestChoice>(conn, &key(user.id))?.map(|(c, _)| c).unwrap_or_default();
        let due = match choice.frequency {
            Frequency::Off => false,
            Frequency::Daily => true,
            Frequency::Weekly => monday,
        };
        if !due {
            continue;
        }
        let actor = crate::auth::accounts::actor_of(conn, &user)?;
        let mut editor = Editor { conn, actor: &actor, directory, origin: "digest", now, publishing: Default::default() };
        let text = match editor.digest_text(content, &mailer.admin_url) {
            Ok(text) => text,
            Err(EditError::Forbidden) => None,
            Err(e) => return Err(e),
        };
        let Some(text) = text else {
            done.empty += 1;
            continue;
        };
        match mailer.send(&user.email, "Meent: wat uw aandacht vraagt", text) {
            Ok(()) => done.sent += 1,
            Err(e) => {
                done.failed += 1;
                tracing::warn!(error = %e, user = user.id, "digest not sent");
            }
        }
    }
    Ok(done)
}

/// Sends the digests once a day, from one node (the first to claim the day's round).
pub fn spawn(pool: Pool, directory: crate::feed::SharedDirectory, content: std::sync::Arc<ContentCache>, mailer: Mailer) {
    let spawned = std::thread::Builder::new().name("meent-digest".into()).spawn(move || {
        loop {
            std::thread::sleep(Duration::from_secs(600));
            let Ok(mut conn) = pool.get() else { continue };
            let now = crate::now();
            let claimed = crate::db::write_tx(&mut conn, |c| -> diesel::QueryResult<bool> {
                let (last, revision) = settings::get::<i64>(c, LAST_SENT)?.unwrap_or((0, 0));
                Ok(now - last >= 86_400 - 600 && settings::save(c, LAST_SENT, &now, revision, now).is_ok())
            });
            if !matches!(claimed, Ok(true)) {
                continue;
            }
            let directory = crate::feed::current(&directory);
            match send_due(&mut conn, &directory, &content, &mailer, now) {
                Ok(s) => tracing::info!(sent = s.sent, failed = s.failed, "digests sent"),
                Err(e) => tracing::warn!(error = %e, "digests failed"),
            }
        }
    });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the digest thread");
    }
}
