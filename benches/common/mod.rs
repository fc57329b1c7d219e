//! What the benchmarks share: their arguments and an installation over a content tree.
#![allow(dead_code)]

pub mod postgres;

use std::path::PathBuf;
use std::time::Instant;

use meent::config::Config;
use meent::web::{AppState, build_state};

/// Benchmarks allocate as the `meent` binary does (`src/main.rs`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The value after `name` on the command line (`cargo bench --bench X -- --name value`).
pub fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

/// `--content DIR`, or the demo content.
pub fn content_dir() -> PathBuf {
    arg("--content").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("content"))
}

/// A new SQLite installation in a temporary directory with `content` imported.
pub struct Installation {
    pub config: Config,
    pub state: AppState,
    /// Holds the installation's files; they go when it is dropped.
    pub dir: tempfile::TempDir,
}

impl Installation {
    pub fn new(content: &std::path::Path, page_cache: bool) -> Installation {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = dir.path().join("bench.db").display().to_string();
        let mut config = Config::for_data_dir(dir.path(), &url);
        config.content_dir = content.to_owned();
        config.page_cache = page_cache;
        let started = Instant::now();
        let state = build_state(config.clone()).expect("state");
        println!("content: {} (import {:.1} s)", content.display(), started.elapsed().as_secs_f64());
        // The search index is built in the background at start; wait, so it neither shares
        // the cores with what is measured nor holds the index lock when the state is dropped.
        while !state.search.is_ready() {
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        Installation { config, state, dir }
    }
}
