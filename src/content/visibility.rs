//! What residents may see, decided in one place. Every page, listing, feed, sitemap and API
//! response filters through a `Viewer`; no other code looks at status or publish windows.

use super::fold::Resolved;
use super::model::{Alert, NewsItem, Page, Product, Status, Timestamp};

/// Who is looking, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub now: Timestamp,
    /// Editors previewing may see drafts.
    pub drafts: bool,
    /// Whether publish windows apply. The search index holds published items with their
    /// window and applies it when searching (`search::query::site_filter`), so an item
    /// appears and disappears on time without reindexing.
    pub windows: bool,
}

/// Something with a status and an optional publish window.
pub trait Scheduled {
    fn status(&self) -> Status;
    fn publish_at(&self) -> Option<Timestamp>;
    fn unpublish_at(&self) -> Option<Timestamp>;
}

macro_rules! scheduled {
    ($($t:ty),*) => {$(
        impl Scheduled for $t {
            fn status(&self) -> Status { self.status }
            fn publish_at(&self) -> Option<Timestamp> { self.publish_at }
            fn unpublish_at(&self) -> Option<Timestamp> { self.unpublish_at }
        }
    )*};
}
scheduled!(Product, Page, NewsItem);

/// Items held in memory are shared (`content::cache`).
impl<T: Scheduled> Scheduled for std::sync::Arc<T> {
    fn status(&self) -> Status {
        (**self).status()
    }
    fn publish_at(&self) -> Option<Timestamp> {
        (**self).publish_at()
    }
    fn unpublish_at(&self) -> Option<Timestamp> {
        (**self).unpublish_at()
    }
}

impl Viewer {
    pub fn resident(now: Timestamp) -> Viewer {
        Viewer { now, drafts: false, windows: true }
    }

    /// Editors previewing: drafts and scheduled items too.
    pub fn preview(now: Timestamp) -> Viewer {
        Viewer { now, drafts: true, windows: false }
    }

    /// What goes into the search index: published items, whatever their window.
    pub fn indexer(now: Timestamp) -> Viewer {
        Viewer { now, drafts: false, windows: false }
    }

    /// Published (or a draft for a previewing editor), and inside its publish window.
    pub fn sees<T: Scheduled>(&self, item: &T) -> bool {
        (self.drafts || item.status() == Status::Published)
            && (!self.windows || in_window(item.publish_at(), item.unpublish_at(), self.now))
    }

    /// A product a site offers: visible in the catalogue and not opted out by its layers.
    pub fn sees_offered(&self, product: &Product, resolved: &Resolved) -> bool {
        self.sees(product) && resolved.enabled
    }

    /// An alert is shown while published and inside its time window.
    pub fn sees_alert(&self, alert: &Alert) -> bool {
        (self.drafts || alert.status == Status::Published) && in_window(alert.starts, alert.ends, self.now)
    }

    /// The first moment after now at which any of these times makes something appear or
    /// disappear; pages built now are good until then.
    pub fn next_change(&self, times: impl IntoIterator<Item = Option<Timestamp>>) -> Option<Timestamp> {
        times.into_iter().flatten().filter(|&t| t > self.now).min()
    }
}

/// Whether `now` lies in a window that starts at `from` (inclusive) and ends at `until`.
pub fn in_window(from: Option<Timestamp>, until: Option<Timestamp>, now: Timestamp) -> bool {
    from.is_none_or(|t| t <= now) && until.is_none_or(|t| now < t)
}

/// The times at which an item's visibility changes.
pub fn boundaries<T: Scheduled>(item: &T) -> [Option<Timestamp>; 2] {
    [item.publish_at(), item.unpublish_at()]
}

pub fn alert_boundaries(alert: &Alert) -> [Option<Timestamp>; 2] {
    [alert.starts, alert.ends]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::model::{AlertFields, Local, Owner, PageFields, Severity};

    fn local<K>(status: Status, kind: K) -> Local<K> {
        Local { owner: Owner::Site("x".into()), title: "t".into(), summary: String::new(), body: String::new(), status, revision: 1, updated_at: 0, kind, english: None }
    }

    fn page(status: Status, publish_at: Option<i64>, unpublish_at: Option<i64>) -> Page {
        local(status, PageFields { path: "p".into(), weight: 0, publish_at, unpublish_at, review_date: None, content_owner: None })
    }

    #[test]
    fn drafts_and_windows() {
        let r = Viewer::resident(100);
        assert!(r.sees(&page(Status::Published, None, None)));
        assert!(!r.sees(&page(Status::Draft, None, None)));
        assert!(!r.sees(&page(Status::Published, Some(101), None)));
        assert!(r.sees(&page(Status::Published, Some(100), Some(101))));
        assert!(!r.sees(&page(Status::Published, None, Some(100))));
        assert!(Viewer::preview(100).sees(&page(Status::Draft, Some(200), None)));
        assert!(Viewer::indexer(100).sees(&page(Status::Published, Some(200), None)));
        assert!(!Viewer::indexer(100).sees(&page(Status::Draft, None, None)));
    }

    #[test]
    fn alerts_window() {
        let alert = |starts, ends, status| -> Alert { local(status, AlertFields { slug: "a".into(), severity: Severity::Info, starts, ends }) };
        let r = Viewer::resident(100);
        assert!(r.sees_alert(&alert(Some(50), Some(150), Status::Published)));
        assert!(!r.sees_alert(&alert(Some(101), None, Status::Published)));
        assert!(!r.sees_alert(&alert(None, Some(100), Status::Published)));
        assert!(!r.sees_alert(&alert(None, None, Status::Draft)));
        assert_eq!(r.next_change([Some(50), Some(150), None, Some(120)]), Some(120));
    }
}
