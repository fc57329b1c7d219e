//! The `content/` directory format (PRODUCT.md, "Files"): reading a tree into the model,
//! with every problem reported by file and line, and writing the model back.

pub mod format;
pub mod frontmatter;
mod read;
mod write;

use std::fmt;

pub use format::When;
pub use read::{RESERVED_PATHS, is_safe_link, read_tree, read_tree_and_problems};
pub use write::{TreeOut, owner_dir, rfc3339, translation_name, write_tree};

use crate::content::model::{Alert, Group, NewsItem, Owner, Override, Page, Product, Site, Thesaurus};
use crate::content::redirects::Redirect;

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// Relative to the content directory, with '/' separators.
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl Problem {
    pub fn new(file: &str, line: Option<usize>, message: impl Into<String>) -> Problem {
        Problem { file: file.to_owned(), line, message: message.into() }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// An item with the file (and line) it came from, so later checks can point at it.
#[derive(Debug, Clone)]
pub struct Sourced<T> {
    pub item: T,
    pub file: String,
    /// The line most problems about this item should point at.
    pub line: usize,
}

/// A reference from one file to something that must exist (a group, a product).
#[derive(Debug, Clone)]
pub struct Reference {
    pub slug: String,
    pub file: String,
    pub line: usize,
}

/// An image of the content directory: its library entry and where its file is.
#[derive(Debug, Clone)]
pub struct MediaEntry {
    /// `None`: the national team's.
    pub owner: Option<Owner>,
    pub key: String,
    /// The file, relative to the content directory.
    pub file: String,
    pub name: String,
    pub alt: String,
    pub decorative: bool,
    pub revision: i64,
}

/// A whole content directory, parsed. Revisions that the files leave out are 0.
#[derive(Debug, Default)]
pub struct Tree {
    pub products: Vec<Sourced<Product>>,
    pub groups: Vec<Sourced<Group>>,
    pub sites: Vec<Sourced<Site>>,
    pub overrides: Vec<Sourced<(Owner, Override)>>,
    pub pages: Vec<Sourced<Page>>,
    pub news: Vec<Sourced<NewsItem>>,
    pub alerts: Vec<Sourced<Alert>>,
    /// Redirect lists of sites that have `redirects.csv`: (site slug, list).
    pub redirects: Vec<Sourced<(String, Vec<Redirect>)>>,
    /// Images listed in `media.toml` files.
    pub media: Vec<Sourced<MediaEntry>>,
    /// The search thesauri: the central team's (`None`) and those of groups and sites, from
    /// their `thesaurus.toml`.
    pub thesauri: Vec<Sourced<(Option<Owner>, Thesaurus)>>,
    /// Groups named in site.toml files.
    pub group_refs: Vec<Reference>,
    /// Products named by `popular` lists and override file names.
    pub product_refs: Vec<Reference>,
    /// Every host, with where it was declared.
    pub host_refs: Vec<Reference>,
    /// Things that are allowed but probably not meant (reported, not refused).
    pub warnings: Vec<Problem>,
    /// Products whose file has a problem (reported): references to them are not problems too.
    pub unreadable_products: Vec<String>,
    /// Groups and sites whose settings file has a problem (reported), likewise.
    pub unreadable_layers: Vec<Owner>,
}

impl Tree {
    pub fn is_empty(&self) -> bool {
        self.products.is_empty() && self.groups.is_empty() && self.sites.is_empty()
    }
}
