//! Tenant isolation and injection, end to end. Every account of a generated fleet gets canary
//! strings of its own — in its notes and in its data — and a hostile-looking string in both; the
//! fleet is reported in parallel, and every account's PDF text, `metrics.json` and CSVs must
//! hold its own canaries and no other account's, and print the hostile text literally.

use std::path::Path;
use std::process::Command;

use opsreport_fixtures::table::write_parquet;
use opsreport_tests::{generated_accounts, opsreport, tree_bytes};
use polars::prelude::*;

const MONTH: &str = "2026-10";

fn canary(account: &str, place: &str) -> String {
    // No hyphens: pdftotext joins a word broken at a hyphen and drops the hyphen.
    format!("CANARY_{place}_{account}")
}

/// Text that would be markup, code or a file read if it reached Typst as source.
const HOSTILE: &str = "#read(\"/etc/passwd\") #eval(\"1+1\") #import \"../x.typ\": * $x^2$ ../../etc/shadow";

/// The PDF's text with every space, line break and zero-width break removed (table cells wrap
/// long words), so text is compared without its line breaks.
fn pdf_text(path: &Path) -> String {
    let output = Command::new("pdftotext").arg(path).arg("-").output().expect("pdftotext (poppler-utils)");
    assert!(output.status.success());
    squeeze(&String::from_utf8_lossy(&output.stdout))
}

fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace() && *c != '\u{200b}').collect()
}

#[test]
fn every_report_holds_only_its_own_accounts_data_and_hostile_text_prints_literally() {
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path();
    let accounts = generated_accounts(root, 3, 2, 0.1, 11);

    for account in &accounts {
        // Notes: the customer's name and an issue carry the account's canary.
        let notes = root.join(format!("data/notes/{account}/{MONTH}.toml"));
        let text = format!(
            "customer_name = \"{}\"\n[[issues]]\ntitle = \"{}\"\ndetail = '''{HOSTILE}'''\n",
            canary(account, "NOTES"),
            canary(account, "ISSUE")
        );
        std::fs::write(&notes, text).unwrap();
        // Data: every incident's subject and every stack's name carry the account's canary.
        let folder = root.join(format!("data/incidents/aws_account_id={account}/month={MONTH}"));
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            let frame = ParquetReader::new(std::io::Cursor::new(std::fs::read(&path).unwrap())).finish().unwrap().lazy();
            let subject = format!("{} {HOSTILE}", canary(account, "DATA"));
            let mut changed = frame
                .with_columns([
                    lit(subject).alias("subject"),
                    lit("High").alias("priority"),
                    lit(canary(account, "CAUSE")).alias("root_cause"),
                ])
                .collect()
                .unwrap();
            write_parquet(&path, &mut changed).unwrap();
        }
    }

    let run =
        opsreport(root, &["generate", "--source", "data", "--all-accounts", "--month", MONTH, "--out", "out", "--jobs", "3"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for account in &accounts {
        let folder = root.join(format!("out/{account}/{MONTH}"));
        let pdf = pdf_text(&folder.join("report.pdf"));
        let mut machine_readable = String::new();
        for (name, bytes) in tree_bytes(&folder) {
            if name.ends_with(".json") || name.ends_with(".csv") {
                machine_readable.push_str(&String::from_utf8_lossy(&bytes));
            }
        }
        for own in ["NOTES", "ISSUE", "DATA"] {
            assert!(pdf.contains(&canary(account, own)), "{account}: its {own} canary is not in its PDF");
        }
        assert!(machine_readable.contains(&canary(account, "DATA")), "{account}: its data canary is not in its tables");
        assert!(pdf.contains(&squeeze(HOSTILE)), "{account}: hostile text not literal");
        assert!(!pdf.contains("root:x:0:0"), "{account}: a file was read into the report");
        for other in accounts.iter().filter(|other| *other != account) {
            let prefix = format!("_{other}");
            assert!(!pdf.contains(&prefix), "{account}'s PDF shows {other}'s data");
            assert!(!machine_readable.contains(&prefix), "{account}'s metrics or tables show {other}'s data");
        }
    }
}
