//! The kinds of item a change can touch. Stored as text in the change log, the revision
//! history and the media uses; every follower matches on the enum, so a new kind is a compile
//! error wherever something depends on it, never a silent "invalidate everything".

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Product,
    Override,
    Page,
    News,
    Alert,
    Site,
    Group,
    Thesaurus,
    Redirects,
    Media,
    Upl,
}

impl Kind {
    pub const ALL: [Kind; 11] = [
        Kind::Product,
        Kind::Override,
        Kind::Page,
        Kind::News,
        Kind::Alert,
        Kind::Site,
        Kind::Group,
        Kind::Thesaurus,
        Kind::Redirects,
        Kind::Media,
        Kind::Upl,
    ];

    /// The name stored in the database and shown in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Product => "product",
            Kind::Override => "override",
            Kind::Page => "page",
            Kind::News => "news",
            Kind::Alert => "alert",
            Kind::Site => "site",
            Kind::Group => "group",
            Kind::Thesaurus => "thesaurus",
            Kind::Redirects => "redirects",
            Kind::Media => "media",
            Kind::Upl => "upl",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        // Before the thesaurus had scopes, its changes were logged as "synonyms".
        let text = if text == "synonyms" { "thesaurus" } else { text };
        Kind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<DB: Backend> ToSql<Text, DB> for Kind
where
    str: ToSql<Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        self.as_str().to_sql(out)
    }
}

impl<DB: Backend> FromSql<Text, DB> for Kind
where
    String: FromSql<Text, DB>,
{
    /// A kind this build does not know (written by a newer release) is an error the change
    /// feed reports (`/healthz`), not a change to guess about.
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        let text = String::from_sql(bytes)?;
        Kind::parse(&text).ok_or_else(|| format!("unknown kind of change {text:?}: is a newer release of Meent writing?").into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
        assert_eq!(Kind::parse("everything"), None);
    }
}
