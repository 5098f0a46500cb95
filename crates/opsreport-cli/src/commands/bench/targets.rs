//! The bench's verdicts: the ratios that do not depend on the machine, then each target with its
//! figure and whether it holds (`met` or `MISSED`).

use std::time::Duration;

use super::cases::CaseResult;
use super::compare::Comparison;
use crate::fleet::Stage;

/// Everything the verdicts read.
pub(super) struct Measurements<'a> {
    pub(super) cases: &'a [CaseResult],
    /// (scale, metrics stage in process, bare scan of the same files and columns).
    pub(super) in_process: &'a [(f64, Duration, Duration)],
    /// (files read, files planned) of the fleet.
    pub(super) fleet_files: Option<(u64, u64)>,
    pub(super) comparison: Option<&'a Comparison>,
    /// The committed fixtures' monthly document first, then the other kinds and layouts.
    pub(super) kinds: &'a [CaseResult],
}

fn mark(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// The lines under the table.
pub(super) fn lines(measured: &Measurements<'_>) -> String {
    let mut text = String::from("\n");
    for (scale, metrics, bare) in measured.in_process {
        let ratio = metrics.as_secs_f64() / bare.as_secs_f64();
        text.push_str(&format!(
            "scale {scale}: metrics {:.0} ms, bare scan of the same files and columns {:.0} ms: ratio {ratio:.2}\n",
            ms(*metrics),
            ms(*bare)
        ));
    }
    text.push_str(&against_duckdb(measured.comparison));
    text.push_str(&largest_scale(measured.cases));
    text.push_str(&committed_fixtures(measured.cases));
    text.push_str(&fleet(measured.cases, measured.fleet_files));
    text.push_str(&kinds(measured.kinds));
    text
}

/// `metrics` against DuckDB on the same files: ≤ 0.8× its time and ≤ 400 MiB.
fn against_duckdb(comparison: Option<&Comparison>) -> String {
    let Some(comparison) = comparison else { return String::new() };
    let ours = comparison.ours;
    match &comparison.duckdb {
        Ok(duckdb) => {
            let ratio = ours.wall.as_secs_f64() / duckdb.wall.as_secs_f64();
            format!(
                "target: metrics at scale {} ≤ 0.8× DuckDB and ≤ 400 MiB: {:.2} s and {} MiB against DuckDB's {:.2} s and {} MiB ({ratio:.2}×) — {}\n",
                comparison.scale,
                ours.wall.as_secs_f64(),
                ours.peak_mib,
                duckdb.wall.as_secs_f64(),
                duckdb.peak_mib,
                mark(ratio <= 0.8 && ours.peak_mib <= 400)
            )
        }
        Err(reason) => format!(
            "target: metrics at scale {} ≤ 0.8× DuckDB and ≤ 400 MiB: {:.2} s and {} MiB; no DuckDB figure: {reason} — MISSED\n",
            comparison.scale,
            ours.wall.as_secs_f64(),
            ours.peak_mib
        ),
    }
}

/// `generate` of the largest single account: ≤ 1 GiB.
fn largest_scale(cases: &[CaseResult]) -> String {
    let largest = cases
        .iter()
        .filter_map(|case| Some((case.name.strip_prefix("1 account, scale ")?.parse::<f64>().ok()?, case)))
        .max_by(|left, right| left.0.total_cmp(&right.0));
    let Some((_, case)) = largest else { return String::new() };
    // A single-account case resets the high-water mark at each stage: its peak is the largest.
    let peak = case.stages.values().filter_map(|(_, peak)| *peak).chain([case.peak_rss_mib]).max().unwrap_or_default();
    format!("target: generate, {} ≤ 1024 MiB: {peak} MiB — {}\n", case.name, mark(peak <= 1024))
}

/// One report on the committed fixtures: ≤ 0.2 s for the process.
fn committed_fixtures(cases: &[CaseResult]) -> String {
    let Some(demo) = cases.iter().find(|case| case.name == "committed fixtures") else { return String::new() };
    let wall = demo.wall.as_secs_f64();
    let typst = demo.stage_ms(Stage::Compile.name()) + demo.stage_ms(Stage::Export.name());
    format!(
        "target: committed fixtures ≤ 0.2 s: {wall:.2} s ({} MiB; typst compile + PDF export {typst:.0} ms) — {}\n",
        demo.peak_rss_mib,
        mark(wall <= 0.2)
    )
}

/// The fleet: ≥ 10 reports/s at ≤ 1 GiB, every file read once.
fn fleet(cases: &[CaseResult], files: Option<(u64, u64)>) -> String {
    let mut text = String::new();
    if let Some(fleet) = cases.iter().find(|case| case.name.starts_with("fleet")) {
        let rate = fleet.reports as f64 / fleet.wall.as_secs_f64();
        text.push_str(&format!(
            "target: {} ≥ 10 reports/s and ≤ 1024 MiB: {rate:.1} reports/s, {} MiB — {}\n",
            fleet.name,
            fleet.peak_rss_mib,
            mark(rate >= 10.0 && fleet.peak_rss_mib <= 1024 && fleet.failed == 0)
        ));
    }
    if let Some((read, planned)) = files {
        text.push_str(&format!(
            "target: every dataset file read once per run: {read} reads of {planned} files — {}\n",
            mark(read == planned)
        ));
    }
    text
}

/// The weekly and quarterly kinds and the slides within 1.5× of the monthly document's time.
fn kinds(kinds: &[CaseResult]) -> String {
    let Some((monthly, others)) = kinds.split_first() else { return String::new() };
    let base = monthly.wall.as_secs_f64();
    others
        .iter()
        .map(|case| {
            let ratio = case.wall.as_secs_f64() / base;
            format!(
                "target: {} ≤ 1.5× the {}: {:.2} s against {base:.2} s ({ratio:.2}×) — {}\n",
                case.name,
                monthly.name,
                case.wall.as_secs_f64(),
                mark(ratio <= 1.5)
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::bench::compare::Measured;

    fn case(name: &str, reports: u64, wall_ms: u64, peak: u64) -> CaseResult {
        CaseResult {
            name: name.into(),
            reports,
            wall: Duration::from_millis(wall_ms),
            peak_rss_mib: peak,
            ..CaseResult::default()
        }
    }

    #[test]
    fn each_target_says_its_figure_and_whether_it_holds() {
        let mut scale_50 = case("1 account, scale 50", 1, 4000, 900);
        scale_50.stages.insert("extract".into(), (1000.0, Some(1500)));
        let cases = [
            case("committed fixtures", 1, 190, 140),
            case("1 account, scale 1", 1, 250, 200),
            scale_50,
            case("fleet of 100 at scale 1, 3 workers", 100, 9000, 700),
        ];
        let kinds = [case("monthly document", 1, 200, 140), case("weekly document", 1, 350, 140)];
        let comparison = Comparison {
            scale: 50.0,
            ours: Measured { wall: Duration::from_millis(2000), peak_mib: 380 },
            duckdb: Ok(Measured { wall: Duration::from_millis(3000), peak_mib: 1300 }),
        };
        let text = lines(&Measurements {
            cases: &cases,
            in_process: &[],
            fleet_files: Some((10, 11)),
            comparison: Some(&comparison),
            kinds: &kinds,
        });
        let line = |start: &str| text.lines().find(|line| line.starts_with(start)).unwrap_or_else(|| panic!("{start}: {text}"));
        assert!(line("target: metrics at scale 50").ends_with("(0.67×) — met"), "{text}");
        assert!(line("target: generate, 1 account, scale 50").contains("1500 MiB — MISSED"), "the largest stage peak counts");
        assert!(line("target: committed fixtures").ends_with("— met"));
        assert!(line("target: fleet").contains("11.1 reports/s, 700 MiB — met"));
        assert!(line("target: every dataset file").ends_with("— MISSED"));
        assert!(line("target: weekly document").contains("(1.75×) — MISSED"));
        let without = Comparison { duckdb: Err("python3 cannot be run".into()), ..comparison };
        let text = against_duckdb(Some(&without));
        assert!(text.contains("no DuckDB figure: python3 cannot be run — MISSED"), "{text}");
    }
}
