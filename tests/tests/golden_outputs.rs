//! Every output byte of the reference reports — both committed synthetic accounts (UTC), the
//! hand-made fixture, a Europe/Berlin and an America/New_York monthly report, and a weekly and a
//! quarterly review with their decks — compared by SHA-256 with the reviewed list in
//! `tests/snapshots/outputs.sha256`, and the text of every PDF (`pdftotext`) with
//! `tests/snapshots/text/`, so a failure shows what changed in words. A refactoring must leave them
//! all identical; an intended change shows up here file by file. After reviewing it (render the
//! pages, diff metrics.json), accept it with `OPSREPORT_UPDATE_SNAPSHOTS=1`.

use std::fmt::Write as _;

use opsreport_tests::{opsreport, repo_root, tree_bytes};
use sha2::{Digest, Sha256};

/// The monthly report of October.
const OCTOBER: &[&str] = &["--month", "2026-10"];

/// (name, source, account, time zone, period and layouts)
const CASES: &[(&str, &str, &str, &str, &[&str])] = &[
    ("synthetic-1-utc", "fixtures/synthetic", "043735371057", "UTC", OCTOBER),
    ("synthetic-2-utc", "fixtures/synthetic", "643641044933", "UTC", OCTOBER),
    ("handmade-utc", "fixtures/handmade", "000000000001", "UTC", OCTOBER),
    ("synthetic-1-berlin", "fixtures/synthetic", "043735371057", "Europe/Berlin", OCTOBER),
    ("synthetic-2-new-york", "fixtures/synthetic", "643641044933", "America/New_York", OCTOBER),
    ("synthetic-1-weekly", "fixtures/synthetic", "043735371057", "UTC", &["--week", "2026-W43", "--format", "document,slides"]),
    (
        "synthetic-1-quarterly",
        "fixtures/synthetic",
        "043735371057",
        "UTC",
        &["--quarter", "2026-Q3", "--format", "document,slides"],
    ),
];

/// The text of a PDF, as `pdftotext` reads it.
fn pdf_text(bytes: &[u8]) -> String {
    let scratch = tempfile::tempdir().unwrap();
    let pdf = scratch.path().join("file.pdf");
    std::fs::write(&pdf, bytes).unwrap();
    let output = std::process::Command::new("pdftotext").args([pdf.to_str().unwrap(), "-"]).output().expect("pdftotext");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The digest listing of every case, and the text of each PDF by its snapshot name.
fn digests() -> (String, Vec<(String, String)>) {
    let scratch = tempfile::tempdir().unwrap();
    let mut listing = String::new();
    let mut texts = Vec::new();
    for (name, source, account, zone, period) in CASES {
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
                "--timezone",
                zone,
                "--out",
                out.to_str().unwrap(),
            ]
            .into_iter()
            .chain(period.iter().copied())
            .collect::<Vec<_>>(),
        );
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        for (path, bytes) in tree_bytes(&out) {
            if path.ends_with("manifest.json") {
                // It lists the digests below; its own bytes add nothing.
                continue;
            }
            let digest: String = Sha256::digest(&bytes).iter().map(|byte| format!("{byte:02x}")).collect();
            writeln!(listing, "{name} {path} {digest}").unwrap();
            if path.ends_with(".pdf") {
                texts.push((format!("{name}-{}.txt", path.replace('/', "-")), pdf_text(&bytes)));
            }
        }
    }
    (listing, texts)
}

/// The first lines where `now` and `before` differ, for the failure message.
fn text_changes(name: &str, before: &str, now: &str) -> Option<String> {
    if before == now {
        return None;
    }
    let (old, new): (Vec<&str>, Vec<&str>) = (before.lines().collect(), now.lines().collect());
    let changes: Vec<String> = (0..old.len().max(new.len()))
        .filter(|line| old.get(*line) != new.get(*line))
        .take(12)
        .map(|line| format!("  line {}: {:?} → {:?}", line + 1, old.get(line).unwrap_or(&""), new.get(line).unwrap_or(&"")))
        .collect();
    Some(format!("{name}:\n{}", changes.join("\n")))
}

#[test]
fn reference_reports_are_byte_identical_to_the_reviewed_ones() {
    let (listing, texts) = digests();
    let path = repo_root().join("tests/snapshots/outputs.sha256");
    let text_folder = repo_root().join("tests/snapshots/text");
    if std::env::var_os("OPSREPORT_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &listing).unwrap();
        std::fs::create_dir_all(&text_folder).unwrap();
        for (name, text) in &texts {
            std::fs::write(text_folder.join(name), text).unwrap();
        }
    }
    let words: Vec<String> = texts
        .iter()
        .filter_map(|(name, text)| {
            let before = std::fs::read_to_string(text_folder.join(name)).unwrap_or_default();
            text_changes(name, &before, text)
        })
        .collect();
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing: run with OPSREPORT_UPDATE_SNAPSHOTS=1", path.display()));
    let changed: Vec<String> = listing
        .lines()
        .filter(|line| !expected.lines().any(|old| old == *line))
        .chain(expected.lines().filter(|old| !listing.lines().any(|line| line == *old)))
        .map(str::to_owned)
        .collect();
    assert!(
        changed.is_empty() && words.is_empty(),
        "outputs differ from {}:\n{}\nin words:\n{}",
        path.display(),
        changed.join("\n"),
        words.join("\n")
    );
}
