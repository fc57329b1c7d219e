//! A site's accessibility statement (`sites/<site>/accessibility.toml`), in the terms of the
//! national model statement (digitoegankelijk.nl): the compliance status A–E, when the
//! statement was made, when and by which report the site was last audited, and the problems
//! known with when each will be fixed. The site renders it at `/toegankelijkheid` and
//! `/en/accessibility`; the editors' dashboard warns when it grows old.
//!
//! One document shape for the file and the admin API ([`StatementDoc`]), checked once
//! ([`StatementDoc::check`]) so both refuse the same things with the same messages.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::content::files::When;
use crate::content::limits::{MAX_SUMMARY, MAX_VALUE, Problem};

/// Known problems in one statement.
pub const MAX_PROBLEMS: usize = 200;

/// The compliance status of the national model (*nalevingsstatus*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    /// Audited in full, no deviations: complies in full.
    A,
    /// Audited in full, deviations with measures and dates: complies in part.
    B,
    /// First measures taken, an audit planned.
    C,
    /// No measures taken.
    D,
    /// No (valid) statement.
    E,
}

impl Status {
    pub fn parse(s: &str) -> Option<Status> {
        Some(match s.trim() {
            "A" => Status::A,
            "B" => Status::B,
            "C" => Status::C,
            "D" => Status::D,
            "E" => Status::E,
            _ => return None,
        })
    }

    pub fn code(self) -> &'static str {
        match self {
            Status::A => "A",
            Status::B => "B",
            Status::C => "C",
            Status::D => "D",
            Status::E => "E",
        }
    }

    /// Whether the model asks for an audit report to back the status.
    pub fn needs_audit(self) -> bool {
        matches!(self, Status::A | Status::B)
    }
}

/// A deviation from the requirements that is known, with its planned fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownProblem {
    /// Dutch, as every text.
    pub description: String,
    /// The English text, where there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_en: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix_by: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    pub status: Status,
    /// When the statement was made or last reviewed.
    pub date: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_url: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<KnownProblem>,
}

/// A statement as written in `accessibility.toml` and sent to the admin API; dates as TOML
/// dates or `YYYY-MM-DD` text.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StatementDoc {
    pub status: String,
    pub date: When,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_date: Option<When>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_url: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<ProblemDoc>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProblemDoc {
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_en: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix_by: Option<When>,
}

fn date(field: &str, value: &When, problems: &mut Vec<Problem>) -> Option<NaiveDate> {
    let text = value.as_text();
    match NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            problems.push(Problem::at(field, format!("{text:?} is not a date like 2026-03-01")));
            None
        }
    }
}

fn text(field: &str, value: &str, max: usize, problems: &mut Vec<Problem>) -> String {
    let value = value.trim();
    if value.is_empty() {
        problems.push(Problem::at(field, "must not be empty"));
    } else if value.chars().count() > max {
        problems.push(Problem::at(field, format!("is longer than {max} characters")));
    } else if value.chars().any(|c| c.is_control() && c != '\n') {
        problems.push(Problem::at(field, "holds control characters"));
    }
    value.to_owned()
}

impl StatementDoc {
    /// The statement, or every problem with its field (`/status`, `/problems/2/fix_by`).
    pub fn check(&self) -> Result<Statement, Vec<Problem>> {
        let mut problems = Vec::new();
        let status = Status::parse(&self.status);
        if status.is_none() {
            problems.push(Problem::at("/status", format!("{:?} is not a status: use \"A\", \"B\", \"C\", \"D\" or \"E\" as in the national model", self.status)));
        }
        let statement_date = date("/date", &self.date, &mut problems);
        let audit_date = self.audit_date.as_ref().and_then(|d| date("/audit_date", d, &mut problems));
        let audit_url = self.audit_url.as_ref().map(|u| u.trim().to_owned()).filter(|u| !u.is_empty());
        if let Some(url) = &audit_url {
            if !(url.starts_with("https://") || url.starts_with("http://")) || !crate::content::files::is_safe_link(url) || url.len() > MAX_VALUE {
                problems.push(Problem::at("/audit_url", format!("{url:?} must be an http:// or https:// URL of the audit report")));
            }
        }
        if let Some(s) = status.filter(|s| s.needs_audit()) {
            if audit_date.is_none() || audit_url.is_none() {
                problems.push(Problem::at(
                    "/status",
                    format!("status {} needs an audit: give audit_date and audit_url (the report), or choose status C", s.code()),
                ));
            }
        }
        if let (Some(made), Some(audited)) = (statement_date, audit_date) {
            if audited > made {
                problems.push(Problem::at("/audit_date", "is after the statement's date: review the statement after the audit"));
            }
        }
        if self.problems.len() > MAX_PROBLEMS {
            problems.push(Problem::at("/problems", format!("more than {MAX_PROBLEMS} problems")));
        }
        if status == Some(Status::A) && !self.problems.is_empty() {
            problems.push(Problem::at("/problems", "status A means no known problems: choose status B, or remove the fixed problems"));
        }
        let known: Vec<KnownProblem> = self
            .problems
            .iter()
            .take(MAX_PROBLEMS)
            .enumerate()
            .map(|(i, p)| KnownProblem {
                description: text(&format!("/problems/{i}/description"), &p.description, MAX_SUMMARY, &mut problems),
                description_en: p.description_en.as_ref().filter(|d| !d.trim().is_empty()).map(|d| text(&format!("/problems/{i}/description_en"), d, MAX_SUMMARY, &mut problems)),
                fix_by: p.fix_by.as_ref().and_then(|d| date(&format!("/problems/{i}/fix_by"), d, &mut problems)),
            })
            .collect();
        match (status, statement_date) {
            (Some(status), Some(date)) if problems.is_empty() => Ok(Statement { status, date, audit_date, audit_url, problems: known }),
            _ => Err(problems),
        }
    }

    pub fn from_model(s: &Statement) -> StatementDoc {
        let day = |d: NaiveDate| When::Text(d.format("%Y-%m-%d").to_string());
        StatementDoc {
            status: s.status.code().to_owned(),
            date: day(s.date),
            audit_date: s.audit_date.map(day),
            audit_url: s.audit_url.clone(),
            problems: s
                .problems
                .iter()
                .map(|p| ProblemDoc { description: p.description.clone(), description_en: p.description_en.clone(), fix_by: p.fix_by.map(day) })
                .collect(),
        }
    }
}

/// What the editors' dashboard says about a site's statement on `today`, if anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Warning {
    /// The site has no statement: it counts as status E.
    Missing,
    /// The statement is more than a year old: the law asks for a yearly review.
    StatementOld { date: NaiveDate },
    /// The audit is more than three years old: it no longer backs status A or B.
    AuditOld { date: NaiveDate },
    /// A known problem's fix date has passed.
    FixOverdue { description: String, fix_by: NaiveDate },
}

impl Warning {
    /// The warning in Dutch, for the editors.
    pub fn text(&self) -> String {
        let day = |d: &NaiveDate| d.format("%d-%m-%Y").to_string();
        match self {
            Warning::Missing => "Deze website heeft nog geen toegankelijkheidsverklaring (status E). Zet accessibility.toml bij de website.".into(),
            Warning::StatementOld { date } => format!("De toegankelijkheidsverklaring is van {}: ouder dan een jaar. Werk haar bij.", day(date)),
            Warning::AuditOld { date } => format!("Het toegankelijkheidsonderzoek is van {}: ouder dan drie jaar. Laat de website opnieuw onderzoeken.", day(date)),
            Warning::FixOverdue { description, fix_by } => format!("Dit probleem zou vóór {} opgelost zijn: {description}", day(fix_by)),
        }
    }
}

/// The warnings for a site's statement (`None`: it has none) on `today`.
pub fn warnings(statement: Option<&Statement>, today: NaiveDate) -> Vec<Warning> {
    let Some(s) = statement else { return vec![Warning::Missing] };
    let mut out = Vec::new();
    if s.date.checked_add_months(chrono::Months::new(12)).is_some_and(|due| due < today) {
        out.push(Warning::StatementOld { date: s.date });
    }
    if let Some(audit) = s.audit_date.filter(|a| a.checked_add_months(chrono::Months::new(36)).is_some_and(|due| due < today)) {
        out.push(Warning::AuditOld { date: audit });
    }
    for p in &s.problems {
        if let Some(fix_by) = p.fix_by.filter(|f| *f < today) {
            out.push(Warning::FixOverdue { description: p.description.clone(), fix_by });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(toml_text: &str) -> StatementDoc {
        toml::from_str(toml_text).unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_statement_reads_with_toml_dates_or_text() {
        let s = doc("status = \"B\"\ndate = 2026-09-01\naudit_date = \"2026-06-15\"\naudit_url = \"https://example.org/rapport.pdf\"\n[[problems]]\ndescription = \"Twee pdf's zijn niet toegankelijk.\"\nfix_by = 2027-03-01\n")
            .check()
            .unwrap();
        assert_eq!((s.status, s.date, s.audit_date), (Status::B, day("2026-09-01"), Some(day("2026-06-15"))));
        assert_eq!(s.problems[0].fix_by, Some(day("2027-03-01")));
        let again = StatementDoc::from_model(&s).check().unwrap();
        assert_eq!(again, s, "the document of a statement gives the statement back");
    }

    #[test]
    fn the_model_rules_are_checked_with_their_fields() {
        let e = doc("status = \"F\"\ndate = \"1 maart\"\n").check().unwrap_err();
        let fields: Vec<&str> = e.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["/status", "/date"]);
        let e = doc("status = \"A\"\ndate = 2026-01-01\n").check().unwrap_err();
        assert!(e[0].message.contains("needs an audit"), "{e:?}");
        let e = doc("status = \"A\"\ndate = 2026-01-01\naudit_date = 2025-12-01\naudit_url = \"https://x.example/r\"\n[[problems]]\ndescription = \"x\"\n").check().unwrap_err();
        assert!(e[0].message.contains("status A means no known problems"), "{e:?}");
        let e = doc("status = \"C\"\ndate = 2026-01-01\naudit_url = \"javascript:alert(1)\"\n[[problems]]\ndescription = \" \"\nfix_by = \"2026-13-01\"\n").check().unwrap_err();
        let fields: Vec<&str> = e.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["/audit_url", "/problems/0/description", "/problems/0/fix_by"]);
        assert!(doc("status = \"D\"\ndate = 2026-01-01\n").check().is_ok(), "status D needs no audit");
        assert!(toml::from_str::<StatementDoc>("status = \"D\"\ndate = 2026-01-01\nextra = 1\n").is_err(), "unknown keys are refused");
    }

    #[test]
    fn old_statements_audits_and_fixes_are_warned_about() {
        let s = doc("status = \"B\"\ndate = 2025-11-01\naudit_date = 2023-10-01\naudit_url = \"https://x.example/r\"\n[[problems]]\ndescription = \"Kaart zonder tekst\"\nfix_by = 2026-06-01\n")
            .check()
            .unwrap();
        assert_eq!(warnings(Some(&s), day("2026-09-30")), vec![Warning::FixOverdue { description: "Kaart zonder tekst".into(), fix_by: day("2026-06-01") }]);
        let all = warnings(Some(&s), day("2026-12-04"));
        assert_eq!(all.len(), 3, "{all:?}");
        assert!(matches!(all[0], Warning::StatementOld { .. }) && matches!(all[1], Warning::AuditOld { .. }));
        assert_eq!(warnings(None, day("2026-12-04")), vec![Warning::Missing]);
    }
}
