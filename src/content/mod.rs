//! The heart of Meent: the content model, the fold of layers, visibility, and moving content
//! between files and the database. Nothing here knows about HTTP.

pub mod accessibility;
pub mod cache;
pub mod dated;
pub mod directory;
pub mod drift;
pub mod export;
pub mod files;
pub mod fold;
pub mod history;
pub mod hosts;
pub mod import;
pub mod kind;
pub mod language;
pub mod limits;
pub mod model;
pub mod placeholders;
pub mod redirects;
pub mod sections;
pub mod slug;
pub mod store;
pub mod thesaurus;
pub mod upl;
pub mod visibility;
