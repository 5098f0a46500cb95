//! Every CRM meeting's material from the committed fixtures: the weekly status review, the
//! monthly business review and the quarterly business review, each as an A4 document and a 16:9
//! deck. Checks the folders (`<account>/<kind>/<period>/`), the periods the flags and events
//! pick, the headings and numbers in the PDFs' text, that a quarter's figures are the quarter's
//! (not its last month's), that slides are 16:9 and never spill onto a second page even with
//! notes far longer than a slide holds, and that a re-run writes the same bytes. Needs poppler's
//! `pdftotext` and `pdfinfo`.

use std::path::{Path, PathBuf};
use std::process::Command;

use opsreport_tests::{copy_tree, opsreport, repo_root, tree_bytes};

const ACCOUNT: &str = "043735371057";

fn text(pdf: &Path) -> String {
    let output = Command::new("pdftotext").args([pdf.to_str().unwrap(), "-"]).output().expect("pdftotext (poppler-utils)");
    assert!(output.status.success(), "pdftotext {}", pdf.display());
    String::from_utf8_lossy(&output.stdout).replace('\u{200b}', "")
}

/// `(pages, width, height)` in points.
fn page_info(pdf: &Path) -> (usize, f64, f64) {
    let output = Command::new("pdfinfo").arg(pdf).output().expect("pdfinfo (poppler-utils)");
    let info = String::from_utf8_lossy(&output.stdout).into_owned();
    let field = |name: &str| {
        info.lines().find_map(|line| line.strip_prefix(name)).unwrap_or_else(|| panic!("{name} in {info}")).trim().to_owned()
    };
    let pages = field("Pages:").parse().unwrap();
    let size = field("Page size:");
    let numbers: Vec<f64> = size.split_whitespace().filter_map(|word| word.parse().ok()).collect();
    (pages, numbers[0], numbers[1])
}

fn metrics(folder: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(folder.join("metrics.json")).unwrap()).unwrap()
}

/// Generates one kind in both formats from the committed fixtures into `out`; returns its folder.
fn generate(out: &Path, extra: &[&str], folder: &str) -> PathBuf {
    let run =
        opsreport(&repo_root(), &[&["generate", "--out", out.to_str().unwrap(), "--format", "document,slides"], extra].concat());
    assert_eq!(run.code, 0, "{extra:?}: {}", run.stderr);
    let folder = out.join(ACCOUNT).join(folder);
    for file in ["report.pdf", "slides.pdf", "metrics.json", "manifest.json"] {
        assert!(folder.join(file).is_file(), "{} has no {file}", folder.display());
    }
    folder
}

#[test]
fn weekly_review_covers_the_week_with_twelve_week_trends_and_what_is_open() {
    let scratch = tempfile::tempdir().unwrap();
    let folder = generate(scratch.path(), &["--kind", "weekly"], "weekly/2026-W43");
    let m = metrics(&folder);
    assert_eq!((m["kind"].as_str(), m["period"].as_str()), (Some("weekly"), Some("2026-W43")));
    assert_eq!(m["period_start"], "2026-10-19T00:00:00Z");
    assert_eq!(m["period_end"], "2026-10-26T00:00:00Z");
    let weeks: Vec<&str> =
        m["incidents"]["trend_months"].as_array().unwrap().iter().map(|p| p["month"].as_str().unwrap()).collect();
    assert_eq!(weeks.len(), 12);
    assert_eq!((weeks[0], weeks[11]), ("2026-W32", "2026-W43"));
    assert_eq!(m["alerts"]["trend"].as_array().unwrap().len(), 12);
    // Billing and Operations on Demand are monthly: said in words, never a weekly 0.
    assert_eq!(m["cost"]["available"], false);
    assert!(m["cost"]["missing_reason"].as_str().unwrap().contains("billing is monthly"));
    assert!(m["cost"]["total"].is_null());
    assert_eq!(m["ood"]["available"], false);
    assert!(m["ood"]["billed_blocks"].is_null());

    let document = text(&folder.join("report.pdf"));
    for heading in [
        "Weekly Status Review",
        "Week 43 · 19 Oct – 25 Oct 2026",
        "Agenda",
        "Outstanding incidents and problems",
        "Security events",
        "Patching and the coming window",
        "Weekend schedule",
        "Action items and next meeting",
    ] {
        assert!(document.contains(heading), "the weekly document lacks {heading:?}");
    }
    // The notes' agenda and next meeting, the open incidents and the security count from metrics.json.
    assert!(document.contains("Application-operator concerns") && document.contains("2 November 2026"));
    for incident in m["incidents"]["open_incidents"].as_array().unwrap() {
        assert!(document.contains(incident["case_id"].as_str().unwrap()), "open incident {incident} not listed");
    }
    let security = m["alerts"]["security_total"].as_u64().unwrap();
    assert!(document.contains(&format!("{security} security events")), "security count {security}");
    assert!(!document.contains("Cost summary") && !document.contains("vs last month"), "a week speaks of weeks");

    let slides = text(&folder.join("slides.pdf"));
    for title in
        ["Agenda", "At a glance", "Outstanding incidents", "Security events", "Weekend schedule", "Action items", "Next meeting"]
    {
        assert!(slides.contains(title), "the weekly deck lacks {title:?}");
    }
}

#[test]
fn quarterly_review_figures_are_the_quarters_and_compare_with_the_previous_quarter() {
    let scratch = tempfile::tempdir().unwrap();
    let folder = generate(scratch.path(), &["--quarter", "2026-Q3"], "quarterly/2026-Q3");
    let m = metrics(&folder);
    assert_eq!(
        (m["kind"].as_str(), m["period"].as_str(), m["month"].as_str()),
        (Some("quarterly"), Some("2026-Q3"), Some("2026-09"))
    );
    let months = m["incidents"]["trend_months"].as_array().unwrap();
    let labels: Vec<&str> = months.iter().map(|p| p["month"].as_str().unwrap()).collect();
    assert_eq!(labels, ["2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09"]);
    // The quarter's count is its three months' counts, not its last month's.
    let sum: u64 = months[3..].iter().map(|p| p["opened"]["total"].as_u64().unwrap()).sum();
    assert_eq!(m["incidents"]["opened"]["total"].as_u64().unwrap(), sum);
    assert!(sum > months[5]["opened"]["total"].as_u64().unwrap());
    // Cost: the quarter's three billing months.
    let cost: f64 = m["cost"]["trend"].as_array().unwrap()[3..].iter().map(|p| p["total"].as_f64().unwrap()).sum();
    assert!((m["cost"]["total"].as_f64().unwrap() - cost).abs() < 0.01, "quarter cost {} vs {cost}", m["cost"]["total"]);

    let document = text(&folder.join("report.pdf"));
    for heading in [
        "Quarterly Business Review",
        "Q3 2026 · July – September",
        "Scorecard",
        "This quarter against the previous one",
        "Cost savings",
        "Targets month by month",
        "Risks, plans and initiatives",
        "Multi-AZ conversion of the orders database",
        "Initiatives by target quarter",
        "Next meeting",
    ] {
        assert!(document.contains(heading), "the quarterly document lacks {heading:?}");
    }
    assert!(!document.contains("Operations on Demand\n"), "OOD is reviewed per month");
    let slides = text(&folder.join("slides.pdf"));
    for title in [
        "Targets: two quarters month by month",
        "Scorecard",
        "Initiatives by target quarter",
        "This quarter against the previous one",
        "Plans for the next 3, 6, 9 and 12 months",
        "Risks and mitigations",
    ] {
        assert!(slides.contains(title), "the quarterly deck lacks {title:?}");
    }
}

#[test]
fn monthly_material_opens_with_the_agenda_and_closes_with_actions_and_the_next_meeting() {
    let scratch = tempfile::tempdir().unwrap();
    let folder = generate(scratch.path(), &["--month", "2026-10"], "2026-10");
    let document = text(&folder.join("report.pdf"));
    let position = |needle: &str| document.find(needle).unwrap_or_else(|| panic!("no {needle:?}"));
    assert!(position("Agenda") < position("Summary and insights"));
    assert!(position("Action items and next meeting") < position("Appendix: data quality and sources"));
    // An action item raised in the weekly review of week 43 carries into October's review.
    assert!(document.contains("Share the cache-resize load test results"));
    // The scorecard on the summary, and what October changed of the initiatives carried from
    // August, September and the third quarter's review.
    assert!(
        position("Summary and insights") < position("Scorecard") && position("Scorecard") < position("Where points were lost")
    );
    let m = metrics(&folder);
    assert_eq!(m["scorecard"]["areas"].as_array().unwrap().len(), 6);
    assert!(m["scorecard"]["overall"].as_f64().is_some() && m["scorecard"]["grade"].as_str().is_some(), "{}", m["scorecard"]);
    // A table cell wraps its text over lines: compare words.
    let words = document.split_whitespace().collect::<Vec<_>>().join(" ");
    for change in ["Raised or moved this month", "Approved → In progress", "Proposed → Declined", "Proposed → Approved"] {
        assert!(words.contains(change), "the October review lacks {change:?}");
    }
    let changes = std::fs::read_to_string(folder.join("tables/initiative_changes.csv")).unwrap();
    assert!(changes.contains("Rightsize idle EC2 instances flagged by Trusted Advisor,Approved → In progress"), "{changes}");
    assert!(changes.contains("\"$48,000.00\"") || changes.contains("$48,000"), "the declined one's estimate: {changes}");
    assert!(document.contains("Data as of 31 October 2026"), "each section dates its data");
    let (pages, width, height) = page_info(&folder.join("slides.pdf"));
    assert!(pages >= 10, "{pages} slides");
    assert!((width / height - 16.0 / 9.0).abs() < 0.01, "slides are {width} × {height}");
    let (_, width, height) = page_info(&folder.join("report.pdf"));
    assert!((width - 595.3).abs() < 1.0 && (height - 841.9).abs() < 1.0, "A4, not {width} × {height}");
}

#[test]
fn slides_never_spill_over_however_long_the_notes() {
    let scratch = tempfile::tempdir().unwrap();
    let source = scratch.path().join("fixtures");
    copy_tree(&repo_root().join("fixtures/synthetic"), &source);
    let long = "A very long agenda item that keeps going ".repeat(14);
    let mut notes = String::from("next_meeting = \"");
    notes.push_str(&"the first Tuesday after the change freeze, in the big room ".repeat(8));
    notes.push_str("\"\n");
    for index in 0..30 {
        notes.push_str(&format!("[[agenda]]\nitem = \"{index} {long}\"\nowner = \"{long}\"\n\n"));
        notes.push_str(&format!("[[action_items]]\ntitle = \"Action {index} {long}\"\nowner = \"Owner\"\nstatus = \"Open\"\n\n"));
        notes.push_str(&format!("[[weekend_schedule]]\nwhen = \"Saturday\"\nwhat = \"{long}\"\n\n"));
        notes.push_str(&format!("[[attendees]]\nname = \"{long}\"\norganisation = \"{long}\"\nattended = true\n\n"));
    }
    std::fs::write(source.join(format!("notes/{ACCOUNT}/2026-W43.toml")), notes).unwrap();
    let out = scratch.path().join("out");
    let run = opsreport(
        &repo_root(),
        &[
            "generate",
            "--source",
            source.to_str().unwrap(),
            "--account",
            ACCOUNT,
            "--week",
            "2026-W43",
            "--format",
            "slides",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Asked alone, the deck is the report: `report.pdf`.
    let slides = out.join(format!("{ACCOUNT}/weekly/2026-W43/report.pdf"));
    let text = text(&slides);
    assert!(text.contains("more items in the document") && text.contains("more in the document"), "what does not fit is said");
    // Every page is a slide: its title's slide count equals the page count (the template fails
    // the build otherwise), and the deck has the same slides as with short notes.
    let (pages, _, _) = page_info(&slides);
    let short = scratch.path().join("short");
    let run =
        opsreport(&repo_root(), &["generate", "--week", "2026-W43", "--format", "slides", "--out", short.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(pages, page_info(&short.join(format!("{ACCOUNT}/weekly/2026-W43/report.pdf"))).0);
}

#[test]
fn periods_come_from_flags_and_events_and_a_wrong_pair_is_refused() {
    let scratch = tempfile::tempdir().unwrap();
    let event = scratch.path().join("event.json");
    // Monday 26 October 06:00 UTC: the week just ended is W43; the quarter just ended is Q3.
    std::fs::write(&event, r#"{"time":"2026-10-26T06:00:00Z"}"#).unwrap();
    for (kind, folder) in [("weekly", "weekly/2026-W43"), ("quarterly", "quarterly/2026-Q3")] {
        let out = scratch.path().join(kind);
        let run = opsreport(
            &repo_root(),
            &["generate", "--kind", kind, "--event", event.to_str().unwrap(), "--out", out.to_str().unwrap()],
        );
        assert_eq!(run.code, 0, "{kind}: {}", run.stderr);
        assert!(out.join(ACCOUNT).join(folder).join("report.pdf").is_file(), "{kind}");
    }
    // Week 44 runs from 26 October to 1 November: the fixtures' accounts have data in its first
    // days (October), none in November, and are found; the missing days are said as a warning.
    let out = scratch.path().join("w44");
    let args = ["generate", "--source", "fixtures/synthetic", "--all-accounts", "--week", "2026-W44", "--out"];
    let run = opsreport(&repo_root(), &[&args[..], &[out.to_str().unwrap()]].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("no month=2026-11 partition"), "{}", run.stderr);
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 2, "both accounts");
    let run = opsreport(
        &repo_root(),
        &["generate", "--kind", "weekly", "--month", "2026-10", "--out", scratch.path().join("x").to_str().unwrap()],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--kind weekly does not go with a monthly period"), "{}", run.stderr);
    for bad in [&["--week", "2026-W54"][..], &["--quarter", "2026-Q5"][..], &["--week", "2026-10"][..]] {
        let run = opsreport(&repo_root(), &[&["generate", "--out", scratch.path().join("y").to_str().unwrap()], bad].concat());
        assert_eq!(run.code, 2, "{bad:?}: {}", run.stderr);
    }
}

#[test]
fn every_kind_and_format_is_the_same_bytes_on_a_rerun() {
    let scratch = tempfile::tempdir().unwrap();
    for (extra, folder) in [
        (&["--week", "2026-W43"][..], "weekly/2026-W43"),
        (&["--quarter", "2026-Q3", "--timezone", "America/New_York"][..], "quarterly/2026-Q3"),
    ] {
        let first = generate(&scratch.path().join("first"), extra, folder);
        let second = generate(&scratch.path().join("second"), extra, folder);
        assert_eq!(tree_bytes(&first), tree_bytes(&second), "{extra:?}");
    }
}
