//! The `meent` binary: commands, exit codes and messages, as operators use them.

mod common;

use std::process::{Command, Output};

use common::{TestDb, fixture};

/// Runs the binary in the test's own directory, far from the repository, as an operator would.
fn meent(db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_meent"))
        .args(args)
        .current_dir(db.dir.path())
        .env("MEENT_DATABASE_URL", &db.url)
        .env("MEENT_DATA_DIR", db.dir.path())
        .env("RUST_LOG", "warn")
        .output()
        .expect("run meent")
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

#[test]
fn migrate_import_export() {
    let db = TestDb::new();
    let out = meent(&db, &["migrate"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("applied ") && !text(&out.stdout).starts_with("applied 0"));
    assert!(text(&meent(&db, &["migrate"]).stdout).contains("applied 0 migration"), "migrate twice is harmless");

    let out = meent(&db, &["import", fixture("country").to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("7 product"), "{}", text(&out.stdout));

    let dir = db.dir.path().join("export");
    let out = meent(&db, &["export", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(dir.join("catalogue/paspoort.md").is_file());
    let again = meent(&db, &["export", dir.to_str().unwrap()]);
    assert!(!again.status.success(), "export refuses a non-empty directory");
    assert!(text(&again.stderr).contains("not empty"));
}

#[test]
fn a_bad_import_fails_with_every_problem_and_changes_nothing() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("catalogue")).unwrap();
    std::fs::write(dir.path().join("catalogue/a.md"), "+++\ntitle = 1\n+++\n").unwrap();
    std::fs::write(dir.path().join("catalogue/b.md"), "+++\ntitle = \"b\"\nsummary = \"b\"\nnope = 1\n+++\n").unwrap();
    let out = meent(&db, &["import", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("catalogue/a.md:2:") && err.contains("catalogue/b.md:4:") && err.contains("nothing was imported"), "{err}");
    let export = db.dir.path().join("export");
    assert!(meent(&db, &["export", export.to_str().unwrap()]).status.success());
    assert!(!export.join("catalogue").exists(), "the database stayed empty");
}

#[test]
fn bench_data_writes_an_importable_country() {
    let db = TestDb::new();
    let dir = db.dir.path().join("country");
    let out = meent(&db, &["bench-data", "--sites", "12", "--products", "30", "--pages", "7", "--news", "3", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let sites: Vec<_> = std::fs::read_dir(dir.join("sites")).unwrap().collect();
    assert_eq!(sites.len(), 12);
    assert_eq!(std::fs::read_dir(dir.join("catalogue")).unwrap().count(), 30);
    let aa = std::fs::read_to_string(dir.join("sites/aa-en-hunze/site.toml")).unwrap();
    assert!(aa.contains("owms_uri = \"http://standaarden.overheid.nl/owms/terms/Aa_en_Hunze\""), "{aa}");
    let out = meent(&db, &["import", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(report.contains("12 site") && report.contains("30 product") && report.contains("84 page"), "{report}");
}

#[test]
fn upl_import_needs_no_file() {
    let db = TestDb::new();
    assert!(meent(&db, &["import", fixture("country").to_str().unwrap()]).status.success());
    // Run far from the repository: the list shipped with Meent is inside the binary.
    let out = meent(&db, &["upl", "import"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(report.starts_with("imported ") && report.contains("municipal"), "{report}");
    let out = meent(&db, &["upl", "uncovered"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("http://standaarden.overheid.nl/owms/terms/"), "the municipal products not in the catalogue yet");
    let missing = meent(&db, &["upl", "import", "no-such-file.csv"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing.stderr).contains("no-such-file.csv"), "{}", text(&missing.stderr));
}
