//! Every script a customer writes in prints as letters: a customer, account, contact and issue in
//! Japanese, Chinese, Korean, Arabic, Hebrew, Cyrillic and Greek are drawn with real glyphs (the
//! Noto fallback fonts, `crates/opsreport-render/src/fonts.rs`), and a character no font covers
//! is named in a warning instead of printing as an empty box (glyph 0) in silence.
//! Needs Debian's `fonts-noto-cjk` and `fonts-noto-core` (`.ci/run` installs them) and poppler.

use std::path::Path;
use std::process::Command;

use opsreport_tests::{copy_tree, opsreport, opsreport_with_env, repo_root};

const CUSTOMER: &str = "北風ロジスティクス株式会社";
const ACCOUNT_NAME: &str = "شركة الرياح الشمالية";
const CONTACTS: &[&str] = &["김민준", "王小明", "Дмитрий Соколов", "Γιώργος Παπαδόπουλος"];
const ISSUE: &str = "旧AMIがまだ使用中";
const RISK: &str = "מסד נתונים באזור זמינות יחיד";

fn fonts_installed() -> bool {
    let present =
        ["/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf"]
            .iter()
            .all(|path| Path::new(path).exists());
    if !present {
        assert!(std::env::var_os("CI").is_none(), "CI must have fonts-noto-cjk and fonts-noto-core (.ci/run installs them)");
        eprintln!("the Noto fonts are not installed: checked in CI only");
    }
    present
}

/// The committed fixtures, with the October notes of the first account rewritten in other scripts.
fn fixtures_in_other_scripts(scratch: &Path) -> std::path::PathBuf {
    let source = scratch.join("data");
    copy_tree(&repo_root().join("fixtures/synthetic"), &source);
    let profile = source.join("notes/043735371057/profile.toml");
    let mut text = std::fs::read_to_string(&profile).unwrap();
    text = text.replace("customer_name = \"Northwind Logistics\"", &format!("customer_name = \"{CUSTOMER}\""));
    text = text
        .replace("account_name = \"Northwind Logistics - production (primary)\"", &format!("account_name = \"{ACCOUNT_NAME}\""));
    for (english, other) in ["Dana Whitfield", "Sam Okafor", "Priya Raman", "Operations on call"].iter().zip(CONTACTS) {
        text = text.replace(&format!("name = \"{english}\""), &format!("name = \"{other}\""));
    }
    std::fs::write(&profile, text).unwrap();
    let notes = source.join("notes/043735371057/2026-10.toml");
    let mut text = std::fs::read_to_string(&notes).unwrap();
    text = text.replace("title = \"Legacy AMI still in use\"", &format!("title = \"{ISSUE}\""));
    text = text.replace("title = \"Single-AZ database for the orders service\"", &format!("title = \"{RISK}\""));
    std::fs::write(&notes, text).unwrap();
    source
}

/// The PDF's text without any white space (pdftotext puts a space between runs of two scripts)
/// or the marks of a right-to-left run.
fn pdf_text(pdf: &Path) -> String {
    let output = Command::new("pdftotext").args([pdf.to_str().unwrap(), "-"]).output().expect("pdftotext (poppler-utils)");
    String::from_utf8_lossy(&output.stdout)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '\u{200b}' | '\u{202a}'..='\u{202e}'))
        .collect()
}

fn squashed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn names_in_seven_scripts_print_as_letters_and_no_glyph_is_missing() {
    if !fonts_installed() {
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let source = fixtures_in_other_scripts(scratch.path());
    let out = scratch.path().join("out");
    let args = ["generate", "--source", source.to_str().unwrap(), "--account", "043735371057", "--month", "2026-10"];
    let run = opsreport(scratch.path(), &[&args[..], &["--out", out.to_str().unwrap()]].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("empty boxes"), "every character has a glyph: {}", run.stderr);
    let text = pdf_text(&out.join("043735371057/2026-10/report.pdf"));
    for name in [CUSTOMER, ISSUE].iter().chain(CONTACTS) {
        assert!(text.contains(&squashed(name)), "{name} is in the PDF's text");
    }
    // Right-to-left runs: each word is in the text (the order of words is the reader's concern).
    for word in ACCOUNT_NAME.split(' ').chain(RISK.split(' ')) {
        assert!(text.contains(word), "{word} is in the PDF's text");
    }

    // Without fallback fonts the same report draws glyph 0 — and says so, naming the characters.
    let bare = scratch.path().join("bare");
    let run = opsreport_with_env(
        scratch.path(),
        &[&args[..], &["--out", bare.to_str().unwrap()]].concat(),
        &[("OPSREPORT_FONT_DIR", "")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("print as empty boxes") && run.stderr.contains("U+05D0"),
        "the missing glyphs are named: {}",
        run.stderr
    );
}

#[test]
fn the_template_export_carries_the_fallback_fonts_it_needs() {
    if !fonts_installed() {
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let source = fixtures_in_other_scripts(scratch.path());
    let export = scratch.path().join("export");
    let run = opsreport(
        scratch.path(),
        &[
            "template",
            "export",
            "--source",
            source.to_str().unwrap(),
            "--account",
            "043735371057",
            "--month",
            "2026-10",
            "--out",
            export.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let fonts: Vec<String> = std::fs::read_dir(export.join("fonts"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for needed in ["NotoSansCJK-Regular.ttc", "NotoSansArabic-Regular.ttf", "NotoSansHebrew-Regular.ttf"] {
        assert!(fonts.iter().any(|font| font == needed), "{needed} is exported: {fonts:?}");
    }
    assert!(!fonts.iter().any(|font| font.starts_with("NotoSansThai")), "only the fonts the report uses are exported: {fonts:?}");
}
