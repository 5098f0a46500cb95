//! Fleet fan-out and the run summary: accounts are handed to a fixed number of worker threads,
//! one account at a time per worker (so memory is bounded by `workers ×` one account's data,
//! whatever the fleet's size), and the time each report spent in each stage is added up so the
//! summary can say where the run's time went.

use std::time::Duration;

use opsreport_extract::ReadStatistics;
use opsreport_model::AccountId;
pub use opsreport_pool::for_each_parallel;

/// A stage of one report, in pipeline order. `Extract` is listing, reading and decoding files;
/// `Validate` is checking them against the contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// Listing, reading and decoding files.
    Extract,
    /// Checking them against the contract.
    Validate,
    /// Computing the metrics.
    Metrics,
    /// Drawing the charts.
    Charts,
    /// Laying the report out (Typst).
    Compile,
    /// Writing the PDF bytes.
    Export,
    /// Writing the report folder.
    Write,
}

impl Stage {
    /// Every stage, in pipeline order.
    pub const ALL: [Stage; 7] =
        [Stage::Extract, Stage::Validate, Stage::Metrics, Stage::Charts, Stage::Compile, Stage::Export, Stage::Write];

    /// Its name in the run summary, the logs and the benchmark.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Extract => "extract",
            Stage::Validate => "validate",
            Stage::Metrics => "metrics",
            Stage::Charts => "charts",
            Stage::Compile => "typst compile",
            Stage::Export => "PDF export",
            Stage::Write => "write",
        }
    }
}

/// One value per [`Stage`], indexed by the stage (never by position).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PerStage<T>([T; Stage::ALL.len()]);

impl<T> PerStage<T> {
    /// The value of each stage from `value(stage)`.
    pub fn from_fn(mut value: impl FnMut(Stage) -> T) -> Self {
        Self(Stage::ALL.map(&mut value))
    }
}

impl<T> std::ops::Index<Stage> for PerStage<T> {
    type Output = T;

    fn index(&self, stage: Stage) -> &T {
        &self.0[stage as usize]
    }
}

/// Time one report spent in each stage.
pub type StageTimes = PerStage<Duration>;

impl StageTimes {
    /// The whole report.
    pub fn total(&self) -> Duration {
        self.0.iter().sum()
    }
}

/// Peak resident memory of the process during each stage of one report, in bytes, when
/// measured (one worker and `OPSREPORT_STAGE_MEMORY=1`: the benchmark).
pub type StagePeaks = PerStage<Option<u64>>;

/// An account that failed, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailedAccount {
    /// The account.
    pub account: AccountId,
    /// The exit code its failure maps to (2 input data, 3 source or sink, 1 internal).
    pub code: u8,
    /// The message, with its context chain on one line.
    pub message: String,
}

/// Everything the end-of-run summary says.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// The report month (`YYYY-MM`).
    pub month: String,
    /// Accounts selected.
    pub accounts: usize,
    /// Worker threads used.
    pub workers: usize,
    /// Wall-clock time of the whole run.
    pub wall: Duration,
    /// Time of the fleet-wide read before the reports (Athena), if any.
    pub read_ahead: Option<Duration>,
    /// What the source read.
    pub statistics: ReadStatistics,
    /// Peak resident memory of the whole run, in bytes (where the system says).
    pub peak_rss: Option<u64>,
    /// Reports written, with their stage times and peaks, in account order.
    pub written: Vec<(AccountId, StageTimes, StagePeaks)>,
    /// Accounts that failed, in account order.
    pub failed: Vec<FailedAccount>,
    /// Written accounts whose data did not cover everything, with the warnings.
    pub warned: Vec<(AccountId, Vec<String>)>,
    /// Written accounts without any data at all (the run exits 1).
    pub no_data: Vec<AccountId>,
    /// Accounts whose report was already complete (`--resume`): not read, not written again.
    pub skipped: Vec<AccountId>,
    /// The run's id (`OPSREPORT_RUN_ID`, shared by the shards of one fleet), when set.
    pub run_id: Option<String>,
    /// The shard this run is (`--shard I/N`), when sharded.
    pub shard: Option<String>,
}

/// One row of the stage table.
#[derive(Clone, Debug, PartialEq)]
pub struct StageRow {
    /// Stage name.
    pub stage: &'static str,
    /// Summed over the written reports (worker time, not wall time).
    pub total: Duration,
    /// Share of all the stages' time, in percent.
    pub share_pct: f64,
    /// Mean per written report.
    pub mean: Duration,
    /// The slowest report in this stage.
    pub slowest: Option<(AccountId, Duration)>,
    /// The highest peak memory of any report in this stage, when measured.
    pub peak: Option<u64>,
}

impl Summary {
    /// Where the time went, stage by stage (empty when no report was written).
    pub fn stage_rows(&self) -> Vec<StageRow> {
        if self.written.is_empty() {
            return Vec::new();
        }
        let all: Duration = self.written.iter().map(|(_, times, _)| times.total()).sum();
        Stage::ALL
            .into_iter()
            .map(|stage| {
                let total: Duration = self.written.iter().map(|(_, times, _)| times[stage]).sum();
                // The first account wins a tie, so the table is the same on every run.
                let slowest =
                    self.written.iter().fold(None::<(AccountId, Duration)>, |slowest, (account, times, _)| match slowest {
                        Some((_, longest)) if longest >= times[stage] => slowest,
                        _ => Some((account.clone(), times[stage])),
                    });
                StageRow {
                    stage: stage.name(),
                    total,
                    share_pct: if all.is_zero() { 0.0 } else { 100.0 * total.as_secs_f64() / all.as_secs_f64() },
                    mean: total / self.written.len() as u32,
                    slowest,
                    peak: self.written.iter().filter_map(|(_, _, peaks)| peaks[stage]).max(),
                }
            })
            .collect()
    }

    /// The summary as text for a terminal.
    pub fn to_text(&self) -> String {
        let ms = |duration: Duration| format!("{:.0} ms", duration.as_secs_f64() * 1000.0);
        let mut text = format!(
            "summary: {} report(s) written, {} failed, {} account(s), month {}, {} worker(s), {:.1} s\n",
            self.written.len(),
            self.failed.len(),
            self.accounts,
            self.month,
            self.workers,
            self.wall.as_secs_f64()
        );
        if !self.skipped.is_empty() {
            text.push_str(&format!("  already complete, skipped (--resume): {} account(s)\n", self.skipped.len()));
        }
        let mut source = format!("  source: {}", self.statistics);
        if let Some(read_ahead) = self.read_ahead {
            source.push_str(&format!(", fleet read {}", ms(read_ahead)));
        }
        if let Some(peak) = self.peak_rss {
            source.push_str(&format!("; peak memory {:.0} MiB", crate::memory::mebibytes(peak)));
        }
        text.push_str(&source);
        text.push('\n');
        let rows = self.stage_rows();
        if !rows.is_empty() {
            let peaks = rows.iter().any(|row| row.peak.is_some());
            let peak_header = if peaks { format!(" {:>9}", "peak MiB") } else { String::new() };
            text.push_str(&format!(
                "  {:<14} {:>10} {:>7} {:>12}{peak_header}   {}\n",
                "stage", "total", "share", "per report", "slowest (account)"
            ));
            for row in rows {
                let slowest = row.slowest.map(|(account, time)| format!("{} ({account})", ms(time))).unwrap_or_default();
                let peak = match (peaks, row.peak) {
                    (true, Some(peak)) => format!(" {:>9.0}", crate::memory::mebibytes(peak)),
                    (true, None) => format!(" {:>9}", "-"),
                    (false, _) => String::new(),
                };
                text.push_str(&format!(
                    "  {:<14} {:>10} {:>6.1}% {:>12}{peak}   {}\n",
                    row.stage,
                    ms(row.total),
                    row.share_pct,
                    ms(row.mean),
                    slowest
                ));
            }
        }
        if !self.warned.is_empty() {
            text.push_str("  data warnings (in each report's data-quality appendix):\n");
            for (account, warnings) in &self.warned {
                for warning in warnings {
                    text.push_str(&format!("    {account}: {warning}\n"));
                }
            }
        }
        if !self.no_data.is_empty() {
            let accounts: Vec<String> = self.no_data.iter().map(ToString::to_string).collect();
            text.push_str(&format!(
                "  accounts without any data for {} (reports written, exit 1): {}\n",
                self.month,
                accounts.join(", ")
            ));
        }
        if !self.failed.is_empty() {
            text.push_str("  failed accounts:\n");
            for failed in &self.failed {
                text.push_str(&format!("    {} (exit {}): {}\n", failed.account, failed.code, failed.message));
            }
        }
        text
    }

    /// The summary as log events (for `--log-format json`): one for the run, one per stage,
    /// one per failed account.
    pub fn log(&self) {
        let ms = |duration: Duration| (duration.as_secs_f64() * 1000.0).round() as u64;
        tracing::info!(
            month = self.month.as_str(),
            accounts = self.accounts,
            written = self.written.len(),
            failed = self.failed.len(),
            skipped = self.skipped.len(),
            run_id = self.run_id.as_deref().unwrap_or_default(),
            shard = self.shard.as_deref().unwrap_or_default(),
            workers = self.workers,
            wall_ms = ms(self.wall),
            read_ahead_ms = self.read_ahead.map(ms).unwrap_or_default(),
            queries = self.statistics.queries,
            bytes_scanned = self.statistics.bytes_scanned,
            files_read = self.statistics.files_read,
            bytes_read = self.statistics.bytes_read,
            peak_rss_mib = self.peak_rss.map(crate::memory::mebibytes).unwrap_or_default().round() as u64,
            "run summary"
        );
        for row in self.stage_rows() {
            let (slowest_account, slowest_ms) =
                row.slowest.map(|(account, time)| (account.to_string(), ms(time))).unwrap_or_default();
            let share_pct = (row.share_pct * 10.0).round() / 10.0;
            tracing::info!(
                stage = row.stage,
                total_ms = ms(row.total),
                share_pct,
                mean_ms = ms(row.mean),
                slowest_account = slowest_account.as_str(),
                slowest_ms,
                // Recorded only when measured (an `Option` field is left out when `None`).
                peak_rss_mib = row.peak.map(|peak| crate::memory::mebibytes(peak).round() as u64),
                "stage time"
            );
        }
        for failed in &self.failed {
            tracing::error!(
                account_id = failed.account.as_str(),
                exit_code = failed.code,
                error = failed.message.as_str(),
                "account failed"
            );
        }
        for account in &self.no_data {
            tracing::warn!(account_id = account.as_str(), "account without any data");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(n: u64) -> AccountId {
        AccountId::parse(&format!("{n:012}")).unwrap()
    }

    #[test]
    fn the_summary_says_where_the_time_went_and_names_the_failures() {
        // Account 1: 10+0+20+30+40+50+50 = 200 ms; account 2: 30+0+20+10+40+50+50 = 200 ms.
        // Extract: 40 of 400 ms = 10.0 %, mean 20 ms, slowest account 2 (30 ms).
        let times = |extract: u64, charts: u64| {
            StageTimes::from_fn(|stage| {
                Duration::from_millis(match stage {
                    Stage::Extract => extract,
                    Stage::Validate => 0,
                    Stage::Metrics => 20,
                    Stage::Charts => charts,
                    Stage::Compile => 40,
                    Stage::Export | Stage::Write => 50,
                })
            })
        };
        let summary = Summary {
            month: "2026-10".into(),
            accounts: 3,
            workers: 2,
            wall: Duration::from_millis(1500),
            read_ahead: None,
            statistics: ReadStatistics { files_read: 30, bytes_read: 2_500_000, ..ReadStatistics::default() },
            peak_rss: Some(200 << 20),
            written: vec![(account(1), times(10, 30), StagePeaks::default()), (account(2), times(30, 10), StagePeaks::default())],
            failed: vec![FailedAccount { account: account(3), code: 2, message: "incidents: column priority missing".into() }],
            warned: vec![(account(2), vec!["incidents: no month=2026-11 partition".into()])],
            no_data: vec![account(1)],
            skipped: vec![account(4)],
            run_id: Some("run-1".into()),
            shard: Some("0/2".into()),
        };
        assert!(summary.to_text().contains("already complete, skipped (--resume): 1 account(s)"));
        let rows = summary.stage_rows();
        assert_eq!(rows.len(), Stage::ALL.len());
        assert_eq!(rows[0].total, Duration::from_millis(40));
        assert!((rows[0].share_pct - 10.0).abs() < 1e-9);
        assert_eq!(rows[0].mean, Duration::from_millis(20));
        assert_eq!(rows[0].slowest, Some((account(2), Duration::from_millis(30))));
        // A tie goes to the first account.
        assert_eq!(rows[2].slowest, Some((account(1), Duration::from_millis(20))));
        let text = summary.to_text();
        assert!(
            text.starts_with("summary: 2 report(s) written, 1 failed, 3 account(s), month 2026-10, 2 worker(s), 1.5 s\n"),
            "{text}"
        );
        assert!(text.contains("source: 30 files, 2.5 MB read; peak memory 200 MiB"), "{text}");
        assert!(text.contains("  extract             40 ms   10.0%        20 ms   30 ms (000000000002)"), "{text}");
        assert!(text.contains("000000000003 (exit 2): incidents: column priority missing"), "{text}");
        assert!(text.contains("    000000000002: incidents: no month=2026-11 partition\n"), "{text}");
        assert!(text.contains("accounts without any data for 2026-10 (reports written, exit 1): 000000000001"), "{text}");
    }
}
