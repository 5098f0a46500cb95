//! The report as the customer's business manager reads it, checked on the laid-out PDF of five
//! reports (the committed fixtures' October in UTC and in New York, November, a month without
//! data or notes, the weekly review of week 43 and the quarterly review of Q3 in Tokyo), and on
//! their decks: no text runs into other text or past the margin, no page but the last of the
//! body and of the appendix is less than a quarter full, and no raw data name (`snake_case`, a
//! contract enum value like `AutoRemediated`) is printed. Needs poppler's `pdftotext`.

use std::path::{Path, PathBuf};
use std::process::Command;

use opsreport_model::contract::DATASETS;
use opsreport_tests::{opsreport, repo_root};

/// A word of the PDF with its box (points, y down).
#[derive(Debug, Clone)]
struct Word {
    text: String,
    x_min: f64,
    y_min: f64,
    x_max: f64,
    y_max: f64,
}

struct Page {
    number: usize,
    width: f64,
    height: f64,
    words: Vec<Word>,
}

fn attribute(tag: &str, name: &str) -> f64 {
    let start = tag.find(&format!("{name}=\"")).unwrap_or_else(|| panic!("{name} in {tag}")) + name.len() + 2;
    tag[start..].split('"').next().unwrap().parse().unwrap()
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

/// Every page's words with their boxes (`pdftotext -bbox`).
fn pages(pdf: &Path) -> Vec<Page> {
    let output =
        Command::new("pdftotext").args(["-bbox", pdf.to_str().unwrap(), "-"]).output().expect("pdftotext (poppler-utils)");
    assert!(output.status.success());
    let html = String::from_utf8_lossy(&output.stdout).into_owned();
    let mut pages = Vec::new();
    for line in html.lines().map(str::trim) {
        if line.starts_with("<page ") {
            pages.push(Page {
                number: pages.len() + 1,
                width: attribute(line, "width"),
                height: attribute(line, "height"),
                words: Vec::new(),
            });
        } else if let Some(rest) = line.strip_prefix("<word ") {
            let (tag, text) = rest.split_once('>').unwrap();
            let text = unescape(text.trim_end_matches("</word>")).replace('\u{200b}', "");
            let word = Word {
                text,
                x_min: attribute(tag, "xMin"),
                y_min: attribute(tag, "yMin"),
                x_max: attribute(tag, "xMax"),
                y_max: attribute(tag, "yMax"),
            };
            pages.last_mut().expect("a word on a page").words.push(word);
        }
    }
    pages
}

/// The three reports, generated once for all tests of this file.
fn reports() -> &'static [(String, PathBuf)] {
    static REPORTS: std::sync::OnceLock<(tempfile::TempDir, Vec<(String, PathBuf)>)> = std::sync::OnceLock::new();
    &REPORTS
        .get_or_init(|| {
            let scratch = tempfile::tempdir().unwrap();
            let mut made = Vec::new();
            for (name, extra, folder) in [
                ("October, UTC", &["--month", "2026-10"][..], "2026-10"),
                ("October, New York", &["--month", "2026-10", "--timezone", "America/New_York"][..], "2026-10"),
                ("November, no data", &["--month", "2026-11"][..], "2026-11"),
                ("Week 43", &["--week", "2026-W43"][..], "weekly/2026-W43"),
                ("Q3, Tokyo", &["--quarter", "2026-Q3", "--timezone", "Asia/Tokyo"][..], "quarterly/2026-Q3"),
            ] {
                let out = scratch.path().join(name.replace([',', ' '], "-"));
                let run = opsreport(
                    &repo_root(),
                    &[&["generate", "--format", "document,slides", "--out", out.to_str().unwrap()], extra].concat(),
                );
                assert_eq!(run.code, 0, "{name}: {}", run.stderr);
                let pdf = out.join(format!("043735371057/{folder}/report.pdf"));
                // The charts, as the template reads them (`charts_of`).
                let export = opsreport(
                    &repo_root(),
                    &[&["template", "export", "--out", charts_of(&pdf).parent().unwrap().to_str().unwrap()], extra].concat(),
                );
                assert_eq!(export.code, 0, "{name}: {}", export.stderr);
                made.push((name.to_owned(), pdf));
            }
            (scratch, made)
        })
        .1
}

/// The folder of a report's chart SVGs (written beside it by `template export`).
fn charts_of(pdf: &Path) -> PathBuf {
    pdf.with_file_name("template").join("charts")
}

/// Body of a page: between the running header and footer (the cover has neither).
fn body(page: &Page) -> impl Iterator<Item = &Word> {
    let (top, bottom) = (2.4 * 28.3465, page.height - 2.2 * 28.3465);
    // A large heading's box reaches a little above the margin; the running header and footer
    // sit well outside it.
    page.words.iter().filter(move |word| word.y_min >= top - 15.0 && word.y_max <= bottom + 10.0)
}

#[test]
fn no_text_runs_into_other_text_or_past_the_margins() {
    for (name, pdf) in reports() {
        for page in pages(pdf) {
            let right = page.width - 2.0 * 28.3465 + 1.5;
            for word in &page.words {
                assert!(
                    word.x_max <= right && word.x_min >= 2.0 * 28.3465 - 1.5 || page.number == 1,
                    "{name}, page {}: {:?} crosses the margin ({:.1} to {:.1} of {:.1})",
                    page.number,
                    word.text,
                    word.x_min,
                    word.x_max,
                    page.width
                );
            }
            for (index, first) in page.words.iter().enumerate() {
                for second in &page.words[index + 1..] {
                    let across = first.x_max.min(second.x_max) - first.x_min.max(second.x_min);
                    let down = first.y_max.min(second.y_max) - first.y_min.max(second.y_min);
                    assert!(
                        across <= 0.8 || down <= 0.8,
                        "{name}, page {}: {:?} and {:?} overlap ({across:.1} × {down:.1} pt)",
                        page.number,
                        first.text,
                        second.text
                    );
                }
            }
        }
    }
}

/// Words that overlap, or cross the page's side margins (`margin` points), on any page but the
/// first (the cover) of `pdf`.
fn layout_problems(name: &str, pdf: &Path, margin: f64) -> Vec<String> {
    let mut problems = Vec::new();
    for page in pages(pdf).into_iter().skip(1) {
        for word in &page.words {
            if word.x_min < margin - 1.5 || word.x_max > page.width - margin + 1.5 {
                problems.push(format!("{name}, page {}: {:?} crosses the margin", page.number, word.text));
            }
        }
        for (index, first) in page.words.iter().enumerate() {
            for second in &page.words[index + 1..] {
                let across = first.x_max.min(second.x_max) - first.x_min.max(second.x_min);
                let down = first.y_max.min(second.y_max) - first.y_min.max(second.y_min);
                if across > 0.8 && down > 0.8 {
                    problems.push(format!("{name}, page {}: {:?} and {:?} overlap", page.number, first.text, second.text));
                }
            }
        }
    }
    problems
}

#[test]
fn no_slide_has_text_over_text_or_past_its_margins() {
    for (name, pdf) in reports() {
        let slides = pdf.with_file_name("slides.pdf");
        let problems = layout_problems(name, &slides, 1.5 * 28.3465);
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        let page = &pages(&slides)[1];
        assert!((page.width / page.height - 16.0 / 9.0).abs() < 0.01, "{name}: slides are 16:9");
    }
}

#[test]
fn no_page_is_less_than_a_quarter_full_but_the_last_of_the_body_and_of_the_appendix() {
    for (name, pdf) in reports() {
        let pages = pages(pdf);
        let starts_appendix =
            |page: &Page| body(page).take(2).map(|word| word.text.as_str()).collect::<Vec<_>>() == ["Appendix:", "data"];
        for (index, page) in pages.iter().enumerate().skip(1) {
            let last_of_body = pages.get(index + 1).is_none_or(starts_appendix);
            if last_of_body {
                continue;
            }
            let (top, bottom) = (2.4 * 28.3465, page.height - 2.2 * 28.3465);
            let lowest = body(page).map(|word| word.y_max).fold(top, f64::max);
            let filled = (lowest - top) / (bottom - top);
            assert!(filled >= 0.25, "{name}, page {}: only {:.0} % of the page is used", page.number, filled * 100.0);
        }
    }
}

/// The contract's enum values a reader would see as code: `snake_case` and `CamelCase`, with data
/// values of the same kind the fixtures hold. (Shouted words are not among them: the template sets
/// figure labels in capitals.)
fn raw_names() -> Vec<String> {
    let mut names: Vec<String> = DATASETS
        .iter()
        .flat_map(|spec| spec.columns.iter())
        .flat_map(|column| column.allowed_values.unwrap_or(&[]).iter())
        .filter(|value| {
            let inner_capital = value.chars().skip(1).any(char::is_uppercase) && value.chars().any(char::is_lowercase);
            value.contains('_') || inner_capital
        })
        .map(|value| (*value).to_owned())
        .collect();
    names.extend(["NONPROD", "EBSSnapshot", "BackupVault"].map(String::from));
    names.sort();
    names.dedup();
    names
}

#[test]
fn no_raw_enum_values_or_snake_case_names_are_printed() {
    let names = raw_names();
    assert!(names.iter().any(|name| name == "AutoRemediated") && names.iter().any(|name| name == "one_time"), "{names:?}");
    for (name, pdf) in reports() {
        for page in pages(pdf) {
            for word in &page.words {
                let bare = word.text.trim_matches(|c: char| !c.is_alphanumeric() && c != '_');
                // File names the reader is pointed to (`failed_backups.csv`) are meant as they are.
                let file = word.text.contains(".csv") || word.text.contains(".toml");
                let snake = bare.contains('_') && bare.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit());
                assert!(!snake || file, "{name}, page {}: {:?} is a snake_case name", page.number, word.text);
                assert!(!names.iter().any(|raw| raw == bare), "{name}, page {}: {:?} is a raw value", page.number, word.text);
            }
        }
    }
}

#[test]
fn operations_on_demand_is_shown_in_money_where_a_rate_is_configured() {
    let scratch = tempfile::tempdir().unwrap();
    let config = scratch.path().join("opsreport.toml");
    std::fs::write(&config, "[ood]\nblock_rates = { \"Amazon EKS maintenance\" = 1200.0 }\n").unwrap();
    let out = scratch.path().join("out");
    let run = opsreport(&repo_root(), &["generate", "--config", config.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text: String = pages(&out.join("043735371057/2026-10/report.pdf"))
        .iter()
        .flat_map(|page| page.words.iter().map(|word| word.text.clone()))
        .collect::<Vec<_>>()
        .join(" ");
    // EKS: 18 h used of 2 blocks → 1 block billed at $1,200; Control Tower has no rate.
    assert!(text.contains("2 40 h 18.0 h 22.0 h 1 none $1,200.00"), "{text}");
    assert!(text.contains("none no rate"), "an offering without a rate says so");
    assert!(text.contains("3 of 4 requested blocks approved"), "the partial approval is said in words");
}

/// A document's and its deck's text, words joined by single spaces (cells wrap over lines).
fn words_of(pdf: &Path) -> String {
    pages(pdf).iter().flat_map(|page| page.words.iter().map(|word| word.text.clone())).collect::<Vec<_>>().join(" ")
}

/// The cells of one CSV line the report writes (RFC 4180 quoting).
fn csv_cells(line: &str) -> Vec<String> {
    let (mut cells, mut cell, mut quoted) = (Vec::new(), String::new(), false);
    let mut characters = line.chars().peekable();
    while let Some(character) = characters.next() {
        match (character, quoted) {
            ('"', true) if characters.peek() == Some(&'"') => {
                cell.push('"');
                characters.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(std::mem::take(&mut cell)),
            (other, _) => cell.push(other),
        }
    }
    cells.push(cell);
    cells
}

#[test]
fn words_fit_the_count_and_the_kind() {
    let plurals = ["instances", "stacks", "RFCs", "alerts", "patches", "ratings", "resources", "rows", "incidents", "jobs"];
    for (name, pdf) in reports() {
        for file in [pdf.clone(), pdf.with_file_name("slides.pdf")] {
            let text = words_of(&file);
            // "1 instances", "1 RFCs": one is singular (a number before it, "21 RFCs", is not one).
            for noun in plurals {
                let wrong = format!(" 1 {noun} ");
                assert!(!format!(" {text} ").contains(&wrong), "{name}, {}: {wrong:?}", file.display());
            }
            assert!(!text.contains("n/a of n/a"), "{name}: \"n/a of n/a\" says nothing");
            // A time is printed to the minute, its zone once in the table's title, never after
            // every time ("14:05 UTC", "09:15:07 EST").
            for zone in ["UTC", "EDT", "EST", "JST", "CET", "CEST"] {
                let after_time = text.match_indices(&format!(" {zone}")).any(|(at, _)| {
                    let before = &text.as_bytes()[..at];
                    before.len() >= 3
                        && before[before.len() - 3] == b':'
                        && before[before.len() - 2..].iter().all(u8::is_ascii_digit)
                });
                assert!(!after_time, "{name}, {}: a time followed by its zone {zone}", file.display());
            }
            // A week's observations are of the sections a week shows (no cost, storage, Trusted
            // Advisor or Operations on Demand).
            if name.starts_with("Week") {
                assert!(!text.contains("Trusted Advisor estimates"), "{name}: an observation of a section it does not show");
            }
            // A week's or a quarter's appendix defines its own period.
            if name.starts_with("Week") || name.starts_with("Q3") {
                assert!(!text.contains("calendar month in the report time zone"), "{name}: a month's definition");
            }
        }
    }
}

#[test]
fn a_period_without_data_says_so_first_and_names_the_period_to_choose() {
    let (_, pdf) = reports().iter().find(|(name, _)| name.starts_with("November")).unwrap();
    let pages = pages(pdf);
    let page_text = |page: &Page| page.words.iter().map(|word| word.text.clone()).collect::<Vec<_>>().join(" ");
    let banner = "No data for November 2026: no source has a record in it, and the newest record is of 31 October 2026. Choose a period the data covers, e.g. --month 2026-10.";
    assert!(page_text(&pages[0]).contains(banner), "the cover: {}", page_text(&pages[0]));
    let summary = pages.iter().find(|page| page_text(page).contains("Summary and insights")).unwrap();
    assert!(page_text(summary).contains(banner), "the summary");
    // The appendix never calls a dataset OK that had no rows of the period.
    let quality = std::fs::read_to_string(pdf.with_file_name("tables/data_quality.csv")).unwrap();
    for line in quality.lines().skip(1) {
        let cells = csv_cells(line);
        let (in_period, status) = (cells[3].as_str(), cells[cells.len() - 1].as_str());
        assert!(!(in_period == "0" && status == "OK") || cells[0] == "OOD engagements", "{line}");
    }
}

#[test]
fn every_quarterly_target_row_has_its_verdict() {
    let (_, pdf) = reports().iter().find(|(name, _)| name.starts_with("Q3")).unwrap();
    let targets = std::fs::read_to_string(pdf.with_file_name("tables/targets_by_month.csv")).unwrap();
    for line in targets.lines().skip(1) {
        let cells = csv_cells(line);
        let (quarter, verdict) = (cells[cells.len() - 2].as_str(), cells[cells.len() - 1].as_str());
        assert!(
            quarter == "n/a" || verdict == "Met" || verdict == "Not met",
            "a row with a value and a target has its verdict: {line}"
        );
    }
}

/// Each text of a chart SVG: its attributes and its text.
fn svg_texts(svg: &str) -> Vec<(String, String)> {
    svg.split("<text")
        .skip(1)
        .filter_map(|part| {
            let (attributes, rest) = part.split_once('>')?;
            let (text, _) = rest.split_once("</text>")?;
            Some((attributes.to_owned(), unescape(text.trim())))
        })
        .collect()
}

/// The value-axis ticks of a chart (muted texts anchored at their end, centred on their line).
fn value_ticks(svg: &str) -> Vec<String> {
    svg_texts(svg)
        .into_iter()
        .filter(|(attributes, _)| {
            attributes.contains("text-anchor=\"end\"") && attributes.contains("#6B7280") && attributes.contains("dy=\"0.5ex\"")
        })
        .map(|(_, text)| text)
        .collect()
}

#[test]
fn charts_tell_the_story() {
    for (name, pdf) in reports() {
        let folder = charts_of(pdf);
        let entries = std::fs::read_dir(&folder).unwrap();
        let metrics: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(pdf.with_file_name("metrics.json")).unwrap()).unwrap();
        for entry in entries {
            let path = entry.unwrap().path();
            let chart = path.file_stem().unwrap().to_string_lossy().into_owned();
            let svg = std::fs::read_to_string(&path).unwrap();
            // Ticks that read alike ("0, 0, 1, 1, 2") say nothing.
            let ticks = value_ticks(&svg);
            let mut distinct = ticks.clone();
            distinct.sort();
            distinct.dedup();
            assert_eq!(distinct.len(), ticks.len(), "{name}, {chart}: ticks {ticks:?}");
            // A percentage trend is fitted to its data and target: not 0-100 when it stays high.
            if chart.ends_with("_trend") && ticks.iter().any(|tick| tick == "100%") {
                let lowest =
                    ticks.iter().filter_map(|tick| tick.trim_end_matches('%').parse::<f64>().ok()).fold(f64::MAX, f64::min);
                let values = svg_texts(&svg).into_iter().filter_map(|(_, text)| text.strip_suffix('%')?.parse::<f64>().ok());
                let low_value = values.fold(f64::MAX, f64::min);
                assert!(lowest <= low_value, "{name}, {chart}: a value below the axis");
                if low_value >= 60.0 {
                    assert!(lowest > 0.0, "{name}, {chart}: 0-100 for values all above {low_value}");
                }
            }
        }
        // Status colours mean their status: Trusted Advisor's errors are red, OK green.
        if let Ok(svg) = std::fs::read_to_string(folder.join("trusted_advisor.svg")) {
            for colour in ["#B02A2A", "#D98C3F", "#2E7D4F"] {
                assert!(svg.contains(colour), "{name}: Trusted Advisor without {colour}");
            }
        }
        // A priority without incidents is a labelled gap in the SLA and MTTR charts.
        for (index, priority) in ["High", "Medium", "Low"].into_iter().enumerate() {
            let code = format!("P{}", index + 1);
            let no_sla = metrics["incidents"]["resolution_sla_pct"][priority].is_null()
                && metrics["incidents"]["response_sla_pct"][priority].is_null();
            let no_mttr = metrics["incidents"]["mttr_minutes"][priority].is_null();
            for (empty, chart) in [(no_sla, "sla_adherence"), (no_mttr, "incident_mttr")] {
                if let (true, Ok(svg)) = (empty, std::fs::read_to_string(folder.join(format!("{chart}.svg")))) {
                    assert!(svg.contains(&format!("no {code} (")), "{name}: {chart}'s empty {code} slot is not labelled");
                }
            }
        }
    }
}

#[test]
fn tables_are_summed_up_and_copy_intact() {
    for (name, pdf) in reports() {
        let tables = pdf.with_file_name("tables");
        // A long list of failed backups is summed up by reason first, the counts adding up.
        if let Ok(failed) = std::fs::read_to_string(tables.join("failed_backups.csv")) {
            let jobs = failed.lines().skip(1).count();
            let reasons = std::fs::read_to_string(tables.join("failed_backup_reasons.csv"));
            if jobs > 10 {
                let reasons = reasons.unwrap_or_else(|_| panic!("{name}: {jobs} failed jobs without a summary by reason"));
                let total: usize =
                    reasons.lines().skip(1).map(|line| csv_cells(line)[1].replace(',', "").parse::<usize>().unwrap()).sum();
                assert_eq!(total, jobs, "{name}: the reasons count every failed job");
            }
            // A column no row fills is left out, not printed empty.
            let header = csv_cells(failed.lines().next().unwrap());
            for (column, heading) in header.iter().enumerate() {
                let filled = failed.lines().skip(1).any(|line| !csv_cells(line)[column].is_empty());
                assert!(filled || jobs == 0, "{name}: failed_backups' {heading} is empty in every row");
            }
        }
        // An RFC's or a case's id is never broken across lines.
        let words: std::collections::HashSet<String> =
            pages(pdf).into_iter().flat_map(|page| page.words).map(|word| word.text).collect();
        for table in ["coming_changes", "planned_changes", "open_incidents", "problem_records", "key_events"] {
            let Ok(csv) = std::fs::read_to_string(tables.join(format!("{table}.csv"))) else { continue };
            for line in csv.lines().skip(1).take(10) {
                let id = csv_cells(line)[0].clone();
                assert!(words.contains(&id), "{name}: {table}'s {id} is broken across lines");
            }
        }
        // A table's time ("2026-10-31 14:30") stays on one line: every clock has its date just
        // before it on the same line.
        // (A weekend schedule's "Sunday 06:00" is a day too.)
        let weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
        let is_date = |text: &str| {
            (text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-' && text[..4].parse::<u32>().is_ok())
                || weekdays.contains(&text)
        };
        let is_clock = |text: &str| {
            text.len() == 5 && text.as_bytes()[2] == b':' && text[..2].parse::<u32>().is_ok() && text[3..].parse::<u32>().is_ok()
        };
        for page in pages(pdf) {
            for clock in page.words.iter().filter(|word| is_clock(&word.text)) {
                let dated = page.words.iter().any(|word| {
                    is_date(&word.text)
                        && (word.y_min - clock.y_min).abs() < 2.0
                        && word.x_max <= clock.x_min
                        && clock.x_min - word.x_max < 8.0
                });
                assert!(dated, "{name}, page {}: a time {} without its date beside it", page.number, clock.text);
            }
        }
        // Ids and ARNs copy from the PDF as they are: no invisible character inside them.
        let raw = Command::new("pdftotext").args([pdf.to_str().unwrap(), "-"]).output().unwrap();
        let text = String::from_utf8_lossy(&raw.stdout);
        assert!(!text.contains('\u{200b}'), "{name}: a zero-width space in the copied text");
    }
}

#[test]
fn a_measure_the_period_cannot_give_is_not_a_zero() {
    for (name, pdf) in reports() {
        let metrics: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(pdf.with_file_name("metrics.json")).unwrap()).unwrap();
        let patching = &metrics["patching"];
        if patching["status"]["available"] == true && patching["patches_installed"].is_null() {
            let text = words_of(pdf);
            assert!(text.contains("they need two snapshots in the period"), "{name}: installed patches n/a without the reason");
            assert!(!text.contains("n/a patches were installed"), "{name}");
        }
    }
}
