//! `opsreport generate` end to end: the report folder, its manifest, deterministic bytes,
//! PDF/A, and a PDF whose text holds every section and the headline numbers of `metrics.json`.
//! Needs `pdftotext`, `pdfinfo` and `pdffonts` (Debian's poppler-utils; `.ci/run` installs them).

use std::path::Path;
use std::process::Command;

use opsreport_tests::{opsreport, repo_root};
use sha2::{Digest, Sha256};

fn pdf_tool(tool: &str, args: &[&str]) -> String {
    let output = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("{tool} is needed for this test ({error}); install Debian's poppler-utils"));
    assert!(output.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn pdf_text(pdf: &Path) -> String {
    let text = pdf_tool("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]);
    // Zero-width break opportunities and line layout do not matter for content checks.
    text.replace('\u{200b}', "")
}

fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn pages(pdf: &Path) -> usize {
    let info = pdf_tool("pdfinfo", &[pdf.to_str().unwrap()]);
    info.lines().find_map(|line| line.strip_prefix("Pages:")).map(|n| n.trim().parse().unwrap()).unwrap()
}

fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[test]
fn the_demo_report_has_every_section_and_the_headline_numbers() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let run = opsreport(&repo_root(), &["generate", "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.to_lowercase().contains("warning"), "typst warnings: {}", run.stderr);
    let folder = out.join("043735371057").join("2026-10");
    for file in [
        "report.pdf",
        "metrics.json",
        "manifest.json",
        "tables/key_events.csv",
        "tables/failed_backups.csv",
        "tables/cost_by_product.csv",
    ] {
        assert!(folder.join(file).is_file(), "{file} missing");
    }
    // The manifest lists every other file with its size and SHA-256.
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(folder.join("manifest.json")).unwrap()).unwrap();
    let entries = manifest["files"].as_array().unwrap();
    assert!(entries.len() >= 10);
    for entry in entries {
        let bytes = std::fs::read(folder.join(entry["path"].as_str().unwrap())).unwrap();
        assert_eq!(entry["bytes"].as_u64().unwrap() as usize, bytes.len());
        let digest: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(entry["sha256"].as_str().unwrap(), digest);
    }

    let pdf = folder.join("report.pdf");
    let page_count = pages(&pdf);
    assert!((10..=45).contains(&page_count), "{page_count} pages");
    // Body text in Inter; chart labels in the chart subset (a family name that does not match
    // would silently fall back to Inter and cost the time the subset saves).
    let fonts = pdf_tool("pdffonts", &[pdf.to_str().unwrap()]);
    for font in ["Inter-Regular", "Inter-SemiBold", "ReportChartSans-Regular"] {
        assert!(fonts.contains(font), "{font} is not embedded:\n{fonts}");
    }
    let text = squash(&pdf_text(&pdf));
    for heading in [
        "Monthly Service Performance Report",
        "Summary and insights",
        "Key call-outs",
        "Performance at a glance",
        "Observations and recommendations",
        "Issues, challenges, concerns and risks",
        "Upcoming",
        "Agenda",
        "Action items and next meeting",
        "Managed resources",
        "Service performance",
        "Monitoring and events",
        "Incidents",
        "SLA adherence",
        "Service requests",
        "Change management",
        "Patching",
        "Continuity: backup and restore",
        "Storage",
        "Trusted Advisor",
        "Availability",
        "Cost summary",
        "Operations on Demand",
        "Feature requests",
        "Scope changes",
        "Contact information",
        "Appendix: data quality and sources",
        "How the metrics are defined",
    ] {
        assert!(text.contains(heading), "the PDF has no {heading:?}");
    }
    let metrics: serde_json::Value = serde_json::from_slice(&std::fs::read(folder.join("metrics.json")).unwrap()).unwrap();
    let number = |path: &[&str]| path.iter().fold(&metrics, |value, key| &value[*key]).as_u64().unwrap();
    for (label, value) in [
        ("stacks", number(&["stacks", "total"])),
        ("alerts", number(&["alerts", "total"])),
        ("incidents opened", number(&["incidents", "opened", "total"])),
        ("backup jobs", number(&["backups", "jobs"])),
    ] {
        assert!(text.contains(&thousands(value)), "{label} {value} not in the PDF");
    }
    let fingerprint = metrics["input_fingerprint"].as_str().unwrap();
    assert!(text.contains(fingerprint), "input fingerprint not in the appendix");
    assert!(text.contains("Northwind Logistics"), "customer name from the notes");
}

#[test]
fn the_same_inputs_give_the_same_bytes_and_a2b_is_available() {
    let scratch = tempfile::tempdir().unwrap();
    let mut pdfs = Vec::new();
    for name in ["one", "two"] {
        let out = scratch.path().join(name);
        let run = opsreport(&repo_root(), &["generate", "--out", out.to_str().unwrap(), "--generated-on", "2026-11-02"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let folder = out.join("043735371057/2026-10");
        pdfs.push((std::fs::read(folder.join("report.pdf")).unwrap(), std::fs::read(folder.join("manifest.json")).unwrap()));
    }
    assert!(pdfs[0].0 == pdfs[1].0, "report.pdf differs between two runs");
    assert_eq!(pdfs[0].1, pdfs[1].1);
    let out = scratch.path().join("archive");
    let run = opsreport(&repo_root(), &["generate", "--out", out.to_str().unwrap(), "--pdf-standard", "a-2b"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let path = out.join("043735371057/2026-10/report.pdf");
    let check = pdf_tool("qpdf", &["--check", path.to_str().unwrap()]);
    assert!(check.contains("No syntax or stream encoding errors"), "{check}");
    let pdf = std::fs::read(&path).unwrap();
    let raw = String::from_utf8_lossy(&pdf);
    assert!(raw.contains("pdfaid:part") && raw.contains("pdfaid:conformance"), "no PDF/A identification in the metadata");
}

#[test]
fn notes_and_data_print_literally() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let run = opsreport(
        &repo_root(),
        &["generate", "--source", "fixtures/handmade", "--month", "2026-10", "--out", out.to_str().unwrap()],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = squash(&pdf_text(&out.join("000000000001/2026-10/report.pdf")));
    for literal in [
        "Sandbox *bold* _under_ $math$ [link] \\ <tag> @ref `code`",
        "#import \"/etc/passwd\": #read(\"x\") stays text",
        "Ticket #42 [urgent]",
        "Uses * and _ and $ on purpose",
        "Hand-made Ltd #1",
    ] {
        assert!(text.contains(literal), "{literal:?} is not printed literally");
    }
}

#[test]
fn a_month_without_data_says_so() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let run = opsreport(
        &repo_root(),
        &["generate", "--source", "fixtures/handmade", "--month", "2026-11", "--out", out.to_str().unwrap()],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = squash(&pdf_text(&out.join("000000000001/2026-11/report.pdf")));
    assert!(text.matches("No data for this period.").count() >= 8, "{text}");
    assert!(text.contains("No alert data was delivered for November 2026"), "the reason is printed in the customer's words");
}

#[test]
fn bad_selections_exit_2_and_write_nothing() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    for args in [
        vec!["generate", "--account", "12", "--out"],
        vec!["generate", "--month", "2026-99", "--out"],
        vec!["generate", "--shard", "3/2", "--out"],
        vec!["generate", "--source", "no/such/folder", "--out"],
    ] {
        let mut all = args.clone();
        all.push(out.to_str().unwrap());
        let run = opsreport(&repo_root(), &all);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
    }
    assert!(!out.exists());
}

#[test]
fn the_template_compiles_with_the_official_cli() {
    let scratch = tempfile::tempdir().unwrap();
    let exported = scratch.path().join("template");
    let run = opsreport(&repo_root(), &["template", "export", "--out", exported.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for file in [
        "report.typ",
        "page.typ",
        "data/report.json",
        "fonts/Inter-Regular.otf",
        "fonts/ReportChartSans-Regular.otf",
        "fonts/OFL.txt",
        "charts/incidents_by_priority.svg",
        "slides.typ",
    ] {
        assert!(exported.join(file).is_file(), "{file} missing");
    }
    let typst = std::env::var("OPSREPORT_TYPST").unwrap_or_else(|_| "typst".to_owned());
    let version = Command::new(&typst).arg("--version").output();
    if version.is_err() {
        assert!(std::env::var_os("CI").is_none(), "CI must have the typst CLI (.ci/run installs it)");
        eprintln!("typst CLI not installed: compiled in CI only");
        return;
    }
    let pdf = scratch.path().join("cli.pdf");
    let output = Command::new(&typst)
        .args(["compile", "--ignore-system-fonts", "--font-path"])
        .arg(exported.join("fonts"))
        .arg(exported.join("report.typ"))
        .arg(&pdf)
        .output()
        .unwrap();
    assert!(output.status.success(), "typst compile failed: {}", String::from_utf8_lossy(&output.stderr));
    assert!(!String::from_utf8_lossy(&output.stderr).contains("warning"), "{}", String::from_utf8_lossy(&output.stderr));
    let out = scratch.path().join("out");
    let run = opsreport(&repo_root(), &["generate", "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ours = squash(&pdf_text(&out.join("043735371057/2026-10/report.pdf")));
    let theirs = squash(&pdf_text(&pdf));
    assert_eq!(ours, theirs, "the official CLI lays out a different report");
    // The deck of the same data compiles with the official CLI too, to the same slides.
    let deck = scratch.path().join("cli-slides.pdf");
    let output = Command::new(&typst)
        .args(["compile", "--ignore-system-fonts", "--font-path"])
        .arg(exported.join("fonts"))
        .arg(exported.join("slides.typ"))
        .arg(&deck)
        .output()
        .unwrap();
    assert!(output.status.success(), "typst compile slides.typ failed: {}", String::from_utf8_lossy(&output.stderr));
    let run = opsreport(&repo_root(), &["generate", "--format", "slides", "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ours = squash(&pdf_text(&out.join("043735371057/2026-10/report.pdf")));
    assert_eq!(ours, squash(&pdf_text(&deck)), "the official CLI lays out a different deck");
}

#[test]
fn every_page_but_the_cover_is_numbered_in_its_footer() {
    // opsreport lays the page numbers out apart from the report and stamps them onto its pages.
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let run = opsreport(&repo_root(), &["generate", "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let pdf = out.join("043735371057/2026-10/report.pdf");
    let total = pages(&pdf);
    assert!(total > 10, "{total} pages");
    for page in 1..=total {
        let number = page.to_string();
        let text = pdf_tool("pdftotext", &["-layout", "-f", &number, "-l", &number, pdf.to_str().unwrap(), "-"]);
        let footer = format!("Page {page} of {total}");
        if page == 1 {
            assert!(!text.contains("Page "), "the cover has no page number: {text}");
        } else {
            assert_eq!(text.matches(&footer).count(), 1, "page {page} lacks {footer:?}: {text}");
            assert!(text.trim_end().ends_with(&footer), "page {page}: the number is not the last line of the footer");
        }
    }
}

#[test]
fn a_branding_logo_is_embedded_and_a_missing_one_is_named() {
    let scratch = tempfile::tempdir().unwrap();
    let logo = scratch.path().join("logo.svg");
    std::fs::write(&logo, r##"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" fill="#ffffff"/><text x="10" y="28" font-family="Inter" font-size="20" fill="#1F4E79">ACME</text></svg>"##).unwrap();
    let config = scratch.path().join("opsreport.toml");
    std::fs::write(
        &config,
        format!("[branding]\nprovider_name = \"Acme Cloud Operations\"\nlogo = {:?}\n", logo.to_str().unwrap()),
    )
    .unwrap();
    let out = scratch.path().join("out");
    let run = opsreport(&repo_root(), &["--config", config.to_str().unwrap(), "generate", "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let text = squash(&pdf_text(&out.join("043735371057/2026-10/report.pdf")));
    assert!(text.contains("ACME CLOUD OPERATIONS") || text.contains("Acme Cloud Operations"), "provider name from the branding");

    std::fs::write(&config, "[branding]\nlogo = \"/no/such/logo.svg\"\n").unwrap();
    let run = opsreport(&repo_root(), &["--config", config.to_str().unwrap(), "generate", "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("/no/such/logo.svg"), "{}", run.stderr);
}
