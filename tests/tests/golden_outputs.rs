//! Every output byte of four reference reports — both committed synthetic accounts (UTC), the
//! hand-made fixture, a Europe/Berlin and an America/New_York report — compared by SHA-256 with
//! the reviewed list in `tests/snapshots/outputs.sha256`. A refactoring must leave them all
//! identical; an intended change shows up here file by file. After reviewing it (render the
//! pages, diff metrics.json), accept it with `OPSREPORT_UPDATE_SNAPSHOTS=1`.

use std::fmt::Write as _;

use opsreport_tests::{opsreport, repo_root, tree_bytes};
use sha2::{Digest, Sha256};

/// (name, source, account, time zone)
const CASES: &[(&str, &str, &str, &str)] = &[
    ("synthetic-1-utc", "fixtures/synthetic", "043735371057", "UTC"),
    ("synthetic-2-utc", "fixtures/synthetic", "643641044933", "UTC"),
    ("handmade-utc", "fixtures/handmade", "000000000001", "UTC"),
    ("synthetic-1-berlin", "fixtures/synthetic", "043735371057", "Europe/Berlin"),
    ("synthetic-2-new-york", "fixtures/synthetic", "643641044933", "America/New_York"),
];

fn digests() -> String {
    let scratch = tempfile::tempdir().unwrap();
    let mut listing = String::new();
    for (name, source, account, zone) in CASES {
        let out = scratch.path().join(name);
        let source = repo_root().join(source);
        let run = opsreport(
            &repo_root(),
            &[
                "generate",
                "--source",
                source.to_str().unwrap(),
                "--account",
                account,
                "--month",
                "2026-10",
                "--timezone",
                zone,
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        for (path, bytes) in tree_bytes(&out) {
            if path.ends_with("manifest.json") {
                // It lists the digests below; its own bytes add nothing.
                continue;
            }
            let digest: String = Sha256::digest(&bytes).iter().map(|byte| format!("{byte:02x}")).collect();
            writeln!(listing, "{name} {path} {digest}").unwrap();
        }
    }
    listing
}

#[test]
fn reference_reports_are_byte_identical_to_the_reviewed_ones() {
    let listing = digests();
    let path = repo_root().join("tests/snapshots/outputs.sha256");
    if std::env::var_os("OPSREPORT_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &listing).unwrap();
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing: run with OPSREPORT_UPDATE_SNAPSHOTS=1", path.display()));
    let changed: Vec<String> = listing
        .lines()
        .filter(|line| !expected.lines().any(|old| old == *line))
        .chain(expected.lines().filter(|old| !listing.lines().any(|line| line == *old)))
        .map(str::to_owned)
        .collect();
    assert!(changed.is_empty(), "outputs differ from {}:\n{}", path.display(), changed.join("\n"));
}
