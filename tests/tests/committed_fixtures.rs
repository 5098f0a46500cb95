//! The committed fixtures are exactly what the documented commands produce: anyone can
//! regenerate them, and a change to the generator that alters them is noticed.

use opsreport_tests::{opsreport, repo_root, tree_bytes};

/// The commands in fixtures/README.md, without `--out`.
const SYNTHETIC: &[&str] =
    &["fixtures", "--accounts", "2", "--months", "7", "--scale", "0.1", "--seed", "42", "--last-month", "2026-10"];
const HANDMADE: &[&str] = &["fixtures", "--handmade"];
const REAL_FORMATS: &[&str] = &[
    "fixtures",
    "--accounts",
    "1",
    "--months",
    "1",
    "--scale",
    "0.02",
    "--seed",
    "42",
    "--last-month",
    "2026-10",
    "--format",
    "ams-ssr,cur2,servicenow-csv",
    "--cost-file-lines",
    "6",
];

fn regenerate(args: &[&str], committed: &str) {
    let scratch = tempfile::tempdir().unwrap();
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--out", "regenerated"]);
    let run = opsreport(scratch.path(), &all);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let regenerated = tree_bytes(&scratch.path().join("regenerated"));
    let committed = tree_bytes(&repo_root().join(committed));
    let names = |files: &[(String, Vec<u8>)]| files.iter().map(|(name, _)| name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&regenerated), names(&committed), "{committed:?}: file lists differ");
    for ((name, fresh), (_, stored)) in regenerated.iter().zip(&committed) {
        assert!(fresh == stored, "{name} differs from the committed copy: regenerate with the command in fixtures/README.md");
    }
}

#[test]
fn synthetic_fixtures_regenerate_byte_for_byte() {
    regenerate(SYNTHETIC, "fixtures/synthetic");
}

#[test]
fn real_format_fixtures_regenerate_byte_for_byte() {
    regenerate(REAL_FORMATS, "fixtures/real-formats");
}

#[test]
fn handmade_fixtures_regenerate_byte_for_byte() {
    regenerate(HANDMADE, "fixtures/handmade");
}

#[test]
fn committed_fixtures_stay_small() {
    let total: usize = tree_bytes(&repo_root().join("fixtures")).iter().map(|(_, bytes)| bytes.len()).sum();
    assert!(total < 5 * 1024 * 1024, "fixtures/ holds {total} bytes; keep it under 5 MB");
}
