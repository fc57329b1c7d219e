//! Values with dates (PRODUCT.md): a variable value is a string, or a list of values each
//! holding from a moment on (`{ value = "€ 86,00", from = 2027-01-01 }`). A date means
//! midnight in Europe/Amsterdam; an RFC 3339 time means that moment. An entry without `from`
//! holds from the beginning; the value in force is the one whose `from` passed last, and
//! before the first `from` has passed a layer has no value (the layer before it shows).
//!
//! The fold asks for the value `at` a moment and for the `next` moment a value changes, so
//! pages built now know how long they stay true.

use chrono::TimeZone;
use serde::{Deserialize, Serialize};

use super::model::Timestamp;

/// Most entries one value may list: a fee for this year and the next few is plenty.
pub const MAX_STEPS: usize = 20;

/// One value and the moment it starts to hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub value: String,
    /// As written (`2027-01-01`, `2027-01-01T06:00:00+01:00`); `None`: from the beginning.
    pub from: Option<String>,
    /// `from` as a moment; `None` for no `from`, or a `from` that is not a date or a time
    /// (which `problems` reports: stored content never has one).
    at: Option<Timestamp>,
}

impl Step {
    pub fn new(value: impl Into<String>, from: Option<String>) -> Step {
        let at = from.as_deref().and_then(moment);
        Step { value: value.into(), from, at }
    }

    /// When this value starts to hold (`None`: from the beginning).
    pub fn starts(&self) -> Option<Timestamp> {
        self.at
    }
}

/// A variable's value over time, in the order written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dated {
    steps: Vec<Step>,
}

impl Dated {
    /// A value that always holds.
    pub fn plain(value: impl Into<String>) -> Dated {
        Dated { steps: vec![Step::new(value, None)] }
    }

    pub fn new(steps: Vec<Step>) -> Dated {
        Dated { steps }
    }

    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Every value it lists, for checks that look at each.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.steps.iter().map(|s| s.value.as_str())
    }

    /// A single value without a date.
    pub fn as_plain(&self) -> Option<&str> {
        match self.steps.as_slice() {
            [only] if only.from.is_none() => Some(&only.value),
            _ => None,
        }
    }

    /// The value in force at `now`: the one whose start passed last; `None` before any has.
    pub fn at(&self, now: Timestamp) -> Option<&str> {
        self.steps
            .iter()
            .filter(|s| s.from.is_none() || s.at.is_some_and(|t| t <= now))
            .max_by_key(|s| s.at.unwrap_or(Timestamp::MIN))
            .map(|s| s.value.as_str())
    }

    /// The first moment after `now` at which another value starts.
    pub fn next(&self, now: Timestamp) -> Option<Timestamp> {
        self.steps.iter().filter_map(|s| s.at).filter(|&t| t > now).min()
    }

    /// What is wrong with it, as (where, why): `where` is `""` for the whole value or
    /// `/<index>/from`, `/<index>/value` for one entry.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut found = Vec::new();
        if self.steps.is_empty() {
            found.push((String::new(), "lists no value: give a text or at least one { value, from }".to_owned()));
        }
        if self.steps.len() > MAX_STEPS {
            found.push((String::new(), format!("lists {} values; at most {MAX_STEPS}", self.steps.len())));
        }
        let mut seen: Vec<Option<Timestamp>> = Vec::new();
        for (i, step) in self.steps.iter().enumerate() {
            match (&step.from, step.at) {
                (Some(text), None) => found.push((
                    format!("/{i}/from"),
                    format!("'{text}' is not a date (2027-01-01, midnight in the Netherlands) or an RFC 3339 time (2027-01-01T09:00:00+01:00)"),
                )),
                (from, at) => {
                    let key = if from.is_none() { None } else { at };
                    if seen.contains(&key) {
                        let what = if key.is_none() { "more than one value without 'from'".to_owned() } else { "two values start at the same moment".to_owned() };
                        found.push((format!("/{i}/from"), what));
                    }
                    seen.push(key);
                }
            }
        }
        found
    }
}

impl From<&str> for Dated {
    fn from(value: &str) -> Dated {
        Dated::plain(value)
    }
}

impl From<String> for Dated {
    fn from(value: String) -> Dated {
        Dated::plain(value)
    }
}

/// A date (midnight in Europe/Amsterdam), an RFC 3339 time, or a local date-time (read as
/// Dutch local time), as Unix seconds.
pub fn moment(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(t.timestamp());
    }
    let local = if let Ok(day) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        day.and_hms_opt(0, 0, 0)?
    } else {
        ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
            .iter()
            .find_map(|f| chrono::NaiveDateTime::parse_from_str(text, f).ok())?
    };
    // A time skipped by summer time starts at the first moment after the jump.
    let zone = chrono_tz::Europe::Amsterdam;
    zone.from_local_datetime(&local)
        .earliest()
        .or_else(|| zone.from_local_datetime(&(local + chrono::Duration::hours(1))).earliest())
        .map(|t| t.timestamp())
}

/// A moment as written in a TOML file or JSON: a string, or a TOML date or date-time.
#[derive(Deserialize)]
#[serde(untagged)]
enum FromIn {
    Text(String),
    Toml(toml::value::Datetime),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepIn {
    value: String,
    from: Option<FromIn>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum DatedIn {
    Plain(String),
    Steps(Vec<StepIn>),
}

impl<'de> Deserialize<'de> for Dated {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match DatedIn::deserialize(deserializer).map_err(|_| {
            serde::de::Error::custom("a value is a string, or a list of tables { value = \"…\", from = 2027-01-01 }")
        })? {
            DatedIn::Plain(value) => Ok(Dated::plain(value)),
            DatedIn::Steps(steps) => Ok(Dated::new(
                steps
                    .into_iter()
                    .map(|s| {
                        let from = s.from.map(|f| match f {
                            FromIn::Text(t) => t,
                            FromIn::Toml(dt) => dt.to_string(),
                        });
                        Step::new(s.value, from)
                    })
                    .collect(),
            )),
        }
    }
}

#[derive(Serialize)]
struct StepOut<'a> {
    value: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<&'a str>,
}

impl Serialize for Dated {
    /// A value without dates as a plain string, otherwise the list; `from` as text (JSON has
    /// no dates, and a file written from it reads back the same).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.as_plain() {
            Some(v) => serializer.serialize_str(v),
            None => serializer.collect_seq(self.steps.iter().map(|s| StepOut { value: &s.value, from: s.from.as_deref() })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Timestamp {
        moment(s).expect("a date")
    }

    #[test]
    fn a_date_is_midnight_in_amsterdam() {
        // Winter: UTC+1; summer: UTC+2.
        assert_eq!(day("2027-01-01"), chrono::Utc.with_ymd_and_hms(2026, 12, 31, 23, 0, 0).unwrap().timestamp());
        assert_eq!(day("2027-07-01"), chrono::Utc.with_ymd_and_hms(2027, 6, 30, 22, 0, 0).unwrap().timestamp());
        assert_eq!(day("2027-01-01T00:00:00Z"), chrono::Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap().timestamp());
        assert_eq!(moment("1 januari"), None);
        assert_eq!(moment("2027-02-30"), None);
    }

    #[test]
    fn the_value_whose_start_passed_last_holds() {
        let fee = Dated::new(vec![
            Step::new("€ 90", Some("2028-01-01".into())),
            Step::new("€ 84", None),
            Step::new("€ 86", Some("2027-01-01".into())),
        ]);
        assert_eq!(fee.at(day("2026-12-31T22:59:59Z")), Some("€ 84"));
        assert_eq!(fee.at(day("2027-01-01")), Some("€ 86"));
        assert_eq!(fee.at(day("2028-01-01") + 5), Some("€ 90"));
        assert_eq!(fee.next(day("2026-06-01")), Some(day("2027-01-01")));
        assert_eq!(fee.next(day("2027-01-01")), Some(day("2028-01-01")));
        assert_eq!(fee.next(day("2028-01-01")), None);
        assert!(fee.problems().is_empty());
    }

    #[test]
    fn before_its_first_start_a_value_is_not_there() {
        let later = Dated::new(vec![Step::new("€ 86", Some("2027-01-01".into()))]);
        assert_eq!(later.at(day("2026-12-01")), None);
        assert_eq!(later.at(day("2027-01-02")), Some("€ 86"));
    }

    #[test]
    fn reads_strings_and_lists_from_toml_and_json() {
        #[derive(Deserialize)]
        struct Doc {
            v: std::collections::BTreeMap<String, Dated>,
        }
        let doc: Doc = toml::from_str(
            "[v]\na = \"x\"\nb = [{ value = \"€ 84\" }, { value = \"€ 86\", from = 2027-01-01 }, { value = \"€ 88\", from = \"2027-07-01T09:00:00+02:00\" }]\n",
        )
        .expect("toml");
        assert_eq!(doc.v["a"], Dated::plain("x"));
        assert_eq!(doc.v["b"].steps()[1].from.as_deref(), Some("2027-01-01"));
        assert_eq!(doc.v["b"].steps()[2].starts(), Some(day("2027-07-01T07:00:00Z")));
        let json = serde_json::to_string(&doc.v["b"]).expect("json");
        assert_eq!(
            json,
            r#"[{"value":"€ 84"},{"value":"€ 86","from":"2027-01-01"},{"value":"€ 88","from":"2027-07-01T09:00:00+02:00"}]"#
        );
        let back: Dated = serde_json::from_str(&json).expect("back");
        assert_eq!(back, doc.v["b"]);
        assert_eq!(serde_json::to_string(&doc.v["a"]).expect("json"), "\"x\"");
        assert!(serde_json::from_str::<Dated>("12").is_err());
        assert!(serde_json::from_str::<Dated>(r#"[{"value":"x","form":"2027-01-01"}]"#).is_err());
    }

    #[test]
    fn reports_bad_and_doubled_dates() {
        let bad = Dated::new(vec![
            Step::new("a", None),
            Step::new("b", None),
            Step::new("c", Some("2027-01-01".into())),
            Step::new("d", Some("2027-01-01T00:00:00+01:00".into())),
            Step::new("e", Some("volgend jaar".into())),
        ]);
        let wheres: Vec<String> = bad.problems().into_iter().map(|(w, _)| w).collect();
        assert_eq!(wheres, ["/1/from", "/3/from", "/4/from"]);
        assert!(!Dated::new(vec![]).problems().is_empty());
    }
}
