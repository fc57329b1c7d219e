//! Meent: one CMS for the websites of many Dutch municipalities. See ARCHITECTURE.md for
//! the map of this crate.

pub mod auth;
pub mod bench_data;
pub mod cache;
pub mod cli;
pub mod config;
pub mod content;
pub mod db;
pub mod edit;
pub mod feed;
pub mod links;
pub mod maintenance;
pub mod media;
pub mod metrics;
pub mod reference;
pub mod render;
pub mod search;
pub mod slots;
pub mod statistics;
pub mod tally;
pub mod web;

/// The current time in Unix seconds.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}
