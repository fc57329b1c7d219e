//! Meent: one CMS for the websites of many Dutch municipalities. See ARCHITECTURE.md for
//! the map of this crate.

/// Every binary that links Meent (the server, tests, benchmarks) allocates through mimalloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod auth;
pub mod bench_data;
pub mod cache;
pub mod cli;
pub mod config;
pub mod content;
pub mod db;
pub mod edit;
pub mod feed;
pub mod maintenance;
pub mod media;
pub mod metrics;
pub mod render;
pub mod search;
pub mod slots;
pub mod web;

/// The current time in Unix seconds.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}
