//! What residents tell and do, for a site's editors: answers to "Was deze informatie nuttig?"
//! (counts per page, comments newest first) and page views per month.

use chrono::{NaiveDate, TimeZone};
use serde::{Deserialize, Serialize};

use super::{EditError, EditResult, Editor};
use crate::auth::permissions::Scope;
use crate::content::limits::Problem;
use crate::db::models::feedback::{self, Answer, Filter};
use crate::db::models::page_views::{self, Row};

/// Comments returned at most.
pub const MAX_ANSWERS: i64 = 500;

/// What to read of a site's feedback.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackQuery {
    /// One page's path (`/producten/paspoort`).
    pub url: Option<String>,
    /// `ja` or `nee`.
    pub nuttig: Option<String>,
    /// `YYYY-MM`.
    pub month: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PageCounts {
    pub url: String,
    pub ja: i64,
    pub nee: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct FeedbackReport {
    /// Per page, most "nee" first.
    pub pages: Vec<PageCounts>,
    /// Answers, newest first (at most `MAX_ANSWERS`).
    pub answers: Vec<AnswerOut>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AnswerOut {
    pub url: String,
    pub lang: String,
    pub nuttig: &'static str,
    pub opmerking: Option<String>,
    pub at: String,
}

impl From<Answer> for AnswerOut {
    fn from(a: Answer) -> AnswerOut {
        AnswerOut { url: a.path, lang: a.lang, nuttig: if a.useful { "ja" } else { "nee" }, opmerking: a.comment, at: crate::content::files::rfc3339(a.created_at) }
    }
}

/// The first moment of a month (`YYYY-MM`) in Dutch time and of the month after it.
pub fn month_bounds(month: &str) -> Option<(i64, i64)> {
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").ok().filter(|_| month.len() == 7)?;
    let next = first.checked_add_months(chrono::Months::new(1))?;
    let at = |d: NaiveDate| chrono_tz::Europe::Amsterdam.from_local_datetime(&d.and_hms_opt(0, 0, 0)?).earliest().map(|t| t.timestamp());
    Some((at(first)?, at(next)?))
}

fn invalid(field: &str, message: &str) -> EditError {
    EditError::Invalid(vec![Problem::at(field, message)])
}

impl Editor<'_> {
    fn require_site_reader(&mut self, site: &str, action: &str) -> EditResult<i64> {
        let scope = Scope::Site(site.to_owned());
        let allowed = self.actor.may_edit(&scope, self.directory);
        self.require(allowed, action, site, &scope)?;
        self.directory.site_by_slug(site).map(|s| s.id).ok_or(EditError::NotFound)
    }

    pub fn feedback(&mut self, site: &str, query: &FeedbackQuery) -> EditResult<FeedbackReport> {
        let site_id = self.require_site_reader(site, "feedback.read")?;
        let mut filter = Filter::default();
        if let Some(url) = query.url.as_ref().filter(|u| !u.is_empty()) {
            if !url.starts_with('/') || url.len() > 500 {
                return Err(invalid("/url", "must be a page's path, like /producten/paspoort"));
            }
            filter.path = Some(url.clone());
        }
        filter.useful = match query.nuttig.as_deref() {
            None | Some("") => None,
            Some("ja") => Some(true),
            Some("nee") => Some(false),
            Some(_) => return Err(invalid("/nuttig", "must be ja or nee")),
        };
        if let Some(month) = query.month.as_ref().filter(|m| !m.is_empty()) {
            let (since, until) = month_bounds(month).ok_or_else(|| invalid("/month", "must be a month like 2026-12"))?;
            (filter.since, filter.until) = (Some(since), Some(until));
        }
        let pages = feedback::counts(self.conn, site_id, &Filter { useful: None, ..filter.clone() })?
            .into_iter()
            .map(|(url, ja, nee)| PageCounts { url, ja, nee })
            .collect();
        let answers = feedback::answers(self.conn, site_id, &filter, MAX_ANSWERS)?.into_iter().map(AnswerOut::from).collect();
        Ok(FeedbackReport { pages, answers })
    }

    /// The pages with the most "nee" of a site since `since`, at most `limit`.
    pub fn most_not_useful(&mut self, site_id: i64, since: i64, limit: usize) -> EditResult<Vec<PageCounts>> {
        let filter = Filter { since: Some(since), ..Filter::default() };
        Ok(feedback::counts(self.conn, site_id, &filter)?.into_iter().filter(|(_, _, nee)| *nee > 0).take(limit).map(|(url, ja, nee)| PageCounts { url, ja, nee }).collect())
    }

    /// A site's page views in a month (`YYYY-MM`), most viewed first.
    pub fn statistics(&mut self, site: &str, month: &str) -> EditResult<Vec<Row>> {
        let site_id = self.require_site_reader(site, "statistics.read")?;
        if month_bounds(month).is_none() {
            return Err(invalid("/month", "must be a month like 2026-12"));
        }
        Ok(page_views::month(self.conn, site_id, month)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_in_dutch_time() {
        let (a, b) = month_bounds("2026-12").unwrap();
        assert_eq!(b - a, 31 * 86_400);
        assert_eq!(crate::content::files::rfc3339(a), "2026-11-30T23:00:00Z");
        assert!(month_bounds("2026-13").is_none() && month_bounds("2026-1").is_none() && month_bounds("x").is_none());
    }
}
