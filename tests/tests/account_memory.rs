//! The account's memory: the profile keeps a month without notes on the customer's name and
//! contacts, and action items carry over, with their age, until a month closes them; an overdue
//! one is marked. Needs `pdftotext` (poppler-utils).

use std::path::Path;
use std::process::Command;

use opsreport_tests::{copy_tree, opsreport, repo_root};

fn pdf_text(pdf: &Path) -> String {
    let output =
        Command::new("pdftotext").args(["-layout", pdf.to_str().unwrap(), "-"]).output().expect("pdftotext (poppler-utils)");
    String::from_utf8_lossy(&output.stdout).split_whitespace().collect::<Vec<_>>().join(" ")
}

fn report(month: &str) -> String {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let run = opsreport(&repo_root(), &["generate", "--month", month, "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    pdf_text(&out.join(format!("043735371057/{month}/report.pdf")))
}

#[test]
fn the_latest_month_shows_closed_new_and_carried_items() {
    let text = report("2026-10");
    // Closed this month: still shown, as done, with no age.
    assert!(text.contains("Review Trusted Advisor security findings Sam Okafor Sep 2026 2026-10-20 Done"), "{text}");
    // Raised this month, due next month: open for the month's 31 days to the report date.
    assert!(text.contains("Confirm the disaster-recovery test date Dana Whitfield Oct 2026 2026-11-05 31 days Open"), "{text}");
    // Raised in August, never mentioned again: carried, 92 days old on 1 November, overdue.
    assert!(text.contains("Approve the Multi-AZ change window Priya Raman Aug 2026 2026-09-10 92 days Open · overdue"), "{text}");
    assert!(!text.contains("Onboarding In progress"), "onboarding is over in the latest month");
}

#[test]
fn a_month_without_notes_keeps_the_customer_and_the_open_items() {
    let text = report("2026-11");
    assert!(
        text.contains("Northwind Logistics Northwind Logistics - production (primary)"),
        "the cover keeps the customer: {text}"
    );
    assert!(text.contains("Dana Whitfield dana.whitfield@example.com +1 206 555 0100"), "the contacts stay");
    assert!(
        text.contains("Approve the Multi-AZ change window Priya Raman Aug 2026 2026-09-10 122 days Open · overdue"),
        "{text}"
    );
    assert!(text.contains("Confirm the disaster-recovery test date Dana Whitfield Oct 2026 2026-11-05 61 days Open · overdue"));
    assert!(!text.contains("Review Trusted Advisor security findings"), "an item closed in October is gone in November");
}

#[test]
fn an_earlier_month_with_onboarding_shows_the_call_out() {
    assert!(report("2026-09").contains("Onboarding In progress: 2 of 3 workloads onboarded"));
}

#[test]
fn a_misnamed_notes_file_is_an_error_naming_it() {
    let scratch = tempfile::tempdir().unwrap();
    let source = scratch.path().join("data");
    copy_tree(&repo_root().join("fixtures/synthetic"), &source);
    std::fs::write(source.join("notes/043735371057/2026-9.toml"), "customer_name = \"x\"\n").unwrap();
    std::fs::write(source.join("notes/043735371057/2026-10.toml~"), "an editor's backup is not read").unwrap();
    let out = scratch.path().join("out");
    let run = opsreport(
        scratch.path(),
        &[
            "generate",
            "--source",
            source.to_str().unwrap(),
            "--account",
            "043735371057",
            "--month",
            "2026-10",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("2026-9.toml") && run.stderr.contains("<YYYY-MM>.toml"), "{}", run.stderr);
    std::fs::remove_file(source.join("notes/043735371057/2026-9.toml")).unwrap();
    std::fs::write(source.join("notes/043735371057/profile.toml"), "[[issues]]\ntitle = \"not a profile key\"\n").unwrap();
    let run = opsreport(
        scratch.path(),
        &[
            "generate",
            "--source",
            source.to_str().unwrap(),
            "--account",
            "043735371057",
            "--month",
            "2026-10",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("profile.toml") && run.stderr.contains("issues"), "{}", run.stderr);
}
