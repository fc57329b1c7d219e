//! The repository stands alone: a clone of it, with nothing beside it, builds and passes
//! `cargo test`. Every path the code, the tests and the benchmarks read must lie inside the
//! repository, and the reference data the product uses must ship in it.

use std::path::{Component, Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every Rust and build file that `cargo build`, `cargo test` or `cargo bench` reads.
fn sources() -> Vec<PathBuf> {
    let mut out = vec![root().join("Cargo.toml")];
    let mut stack: Vec<PathBuf> = ["src", "tests", "benches"].iter().map(|d| root().join(d)).collect();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                // Browser tests' npm packages are installed there by `.ci/run`, not read by cargo.
                if name != "node_modules" {
                    stack.push(path);
                }
            } else if (name.ends_with(".rs") || name.ends_with(".toml")) && path != Path::new(file!()) && !path.ends_with(file!()) {
                out.push(path);
            }
        }
    }
    out
}

/// The string literals of a Rust file with the line each starts on (plain `"…"` literals;
/// enough to see paths).
fn literals(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut current: Option<String> = None;
    let (mut line, mut start) = (1, 1);
    while let Some(c) = chars.next() {
        if c == '\n' {
            line += 1;
        }
        match (&mut current, c) {
            (None, '"') => {
                current = Some(String::new());
                start = line;
            }
            (None, '\'') => {
                // A char literal such as '"' must not open a string; a lifetime has no closing quote.
                let rest: String = chars.clone().take(3).collect();
                if rest.starts_with("\"'") || rest.starts_with("\\\"'") {
                    chars.nth(rest.find('\'').unwrap_or(0));
                }
            }
            (Some(s), '\\') => {
                if let Some(next) = chars.next() {
                    s.push(next);
                }
            }
            (Some(_), '"') => out.push((start, current.take().unwrap())),
            (Some(s), c) => s.push(c),
            (None, _) => {}
        }
    }
    out
}

/// Whether a path, taken from the repository's root (where cargo runs tests and benchmarks),
/// climbs out of it to name something there. A bare `..` names nothing.
fn leaves_repository(path: &str) -> bool {
    if !Path::new(path).components().any(|c| matches!(c, Component::Normal(_))) {
        return false;
    }
    let mut depth: i32 = 0;
    for part in Path::new(path).components() {
        match part {
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            Component::RootDir | Component::Prefix(_) => return false,
            Component::CurDir => {}
        }
        if depth < 0 {
            return true;
        }
    }
    false
}

#[test]
fn nothing_reads_outside_the_repository() {
    let mut found = Vec::new();
    for file in sources() {
        let text = std::fs::read_to_string(&file).unwrap();
        let rel = file.strip_prefix(root()).unwrap().display().to_string();
        let lines: Vec<&str> = text.lines().collect();
        for (line, literal) in literals(&text) {
            // Files a macro embeds are relative to the source file: the next test checks them.
            // Hostile names in tests of path checks say so on their line.
            let source = lines.get(line - 1).copied().unwrap_or("");
            if ["include_str!(", "include_bytes!(", "include_dir!("].iter().any(|m| source.contains(m)) || source.contains("// not a path") {
                continue;
            }
            let shared = literal.contains("shared/data") || literal.contains("shared/reviews") || literal.contains("PRODUCT.md");
            let climbs = literal.starts_with("..") && leaves_repository(&literal);
            if shared || climbs {
                found.push(format!("{rel}:{line}: {literal:?}"));
            }
        }
        for line in text.lines().filter(|l| l.contains("CARGO_MANIFEST_DIR") && l.contains("\"..")) {
            found.push(format!("{rel}: {}", line.trim()));
        }
    }
    assert!(found.is_empty(), "paths outside the repository:\n{}", found.join("\n"));
}

#[test]
fn files_the_build_embeds_are_in_the_repository() {
    let mut missing = Vec::new();
    for file in sources() {
        let text = std::fs::read_to_string(&file).unwrap();
        for macro_name in ["include_str!(\"", "include_bytes!(\""] {
            for (at, _) in text.match_indices(macro_name) {
                let rest = &text[at + macro_name.len()..];
                let target = &rest[..rest.find('"').unwrap()];
                let resolved = file.parent().unwrap().join(target);
                let inside = resolved.canonicalize().map(|p| p.starts_with(root().canonicalize().unwrap())).unwrap_or(false);
                if !inside {
                    missing.push(format!("{}: {target}", file.display()));
                }
            }
        }
    }
    assert!(missing.is_empty(), "embedded files missing or outside the repository: {missing:?}");
}

#[test]
fn the_reference_data_ships_inside() {
    // The product's own copies: the UPL and the municipalities are compiled into the binary.
    let upl = meent::content::upl::national().expect("the built-in UPL parses");
    assert!(upl.iter().filter(|p| p.municipal).count() > 400, "the whole municipal list");
    assert!(meent::reference::MUNICIPALITIES_XML.contains("Aa_en_Hunze"));
    assert!(root().join("tests/fixtures/sc-4.0-xsd").is_dir(), "the Samenwerkende Catalogi schemas for the export tests");
}

#[test]
fn the_path_check_catches_what_it_must() {
    assert!(leaves_repository("../elsewhere/data/x.csv"));
    assert!(leaves_repository("src/../../x"));
    assert!(!leaves_repository("src/../content"));
    assert!(!leaves_repository("../"));
    let found = literals("let a = \"../x\";\nlet c = '\"'; let b = \"y\\\"z\";");
    assert_eq!(found, [(1, "../x".to_owned()), (2, "y\"z".to_owned())]);
}
