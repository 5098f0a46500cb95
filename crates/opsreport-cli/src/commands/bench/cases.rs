//! What every benchmark case shares: the generated datasets (made once, reused), and one run of
//! this binary's `generate` with its summary read back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use opsreport_fixtures::{FixtureOptions, generate};
use opsreport_model::YearMonth;

use crate::commands::generate::STAGE_MEMORY_VARIABLE;
use crate::failure::Failure;

/// The month every generated case reports on.
pub(super) const MONTH: &str = "2026-10";

/// Months of data generated: the report month and the six before it (the lookback of most
/// datasets; incidents and OOD hours look back 12 and find fewer months, as for a new customer).
pub(super) const MONTHS: u32 = 7;

/// What one `generate` run measured.
#[derive(Clone, Debug, Default)]
pub(super) struct CaseResult {
    pub(super) name: String,
    pub(super) reports: u64,
    pub(super) failed: u64,
    pub(super) wall: Duration,
    pub(super) peak_rss_mib: u64,
    pub(super) files_read: u64,
    pub(super) queries: u64,
    /// Per stage: mean milliseconds per report, and the stage's peak MiB when measured.
    pub(super) stages: BTreeMap<String, (f64, Option<u64>)>,
}

impl CaseResult {
    pub(super) fn stage_ms(&self, stage: &str) -> f64 {
        self.stages.get(stage).map_or(0.0, |(mean, _)| *mean)
    }
}

/// The generated dataset for `accounts` at `scale` with `months` months of data (ending with the report month).
pub(super) fn dataset_of_months(work: &Path, accounts: u32, scale: f64, months: u32) -> Result<PathBuf, Failure> {
    let folder = if months == MONTHS {
        work.join(format!("data-{accounts}-accounts-scale-{scale}"))
    } else {
        work.join(format!("data-{accounts}-accounts-scale-{scale}-{months}-months"))
    };
    let marker = folder.join("_complete");
    if marker.exists() {
        return Ok(folder);
    }
    if folder.exists() {
        std::fs::remove_dir_all(&folder)
            .map_err(|error| Failure::source_or_sink(anyhow::anyhow!("cannot remove {}: {error}", folder.display())))?;
    }
    let started = Instant::now();
    let options =
        FixtureOptions { accounts, months, scale, seed: 42, last_month: YearMonth::parse(MONTH).map_err(Failure::bad_input)? };
    let summary = generate(&folder, &options).map_err(|error| Failure::source_or_sink(anyhow::anyhow!("{error}")))?;
    std::fs::write(&marker, b"")
        .map_err(|error| Failure::source_or_sink(anyhow::anyhow!("cannot write {}: {error}", marker.display())))?;
    tracing::info!(
        "generated {accounts} account(s) at scale {scale} ({} rows) in {:.1} s into {}",
        summary.rows,
        started.elapsed().as_secs_f64(),
        folder.display()
    );
    Ok(folder)
}

/// A command that runs this binary.
pub(super) fn own_command() -> Result<Command, Failure> {
    let binary = std::env::current_exe().map_err(|error| Failure::source_or_sink(anyhow::anyhow!("no own path: {error}")))?;
    Ok(Command::new(binary))
}

/// Runs this binary's `generate` with `case_args` (and `environment`) and JSON logs, and reads
/// its summary events.
pub(super) fn run_case(name: &str, case_args: &[&str], jobs: usize, environment: &[(&str, &str)]) -> Result<CaseResult, Failure> {
    let mut command = own_command()?;
    command.envs(environment.iter().copied());
    command.arg("generate").args(case_args).args(["--generated-on", "2026-11-02", "--jobs", &jobs.to_string()]);
    command.args(["--log-format", "json"]).env_remove("OPSREPORT_LOG");
    if jobs == 1 {
        command.env(STAGE_MEMORY_VARIABLE, "1");
    }
    let started = Instant::now();
    let output = command.output().map_err(|error| Failure::source_or_sink(anyhow::anyhow!("cannot run generate: {error}")))?;
    let wall = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(Failure::source_or_sink(anyhow::anyhow!("the case {name:?} failed ({}):\n{stderr}", output.status)));
    }
    let mut result = CaseResult { name: name.to_owned(), wall, ..CaseResult::default() };
    for line in stderr.lines() {
        let Ok(event) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        let number = |key: &str| event[key].as_u64().unwrap_or_default();
        match event["message"].as_str() {
            Some("run summary") => {
                result.reports = number("written");
                result.failed = number("failed");
                result.peak_rss_mib = number("peak_rss_mib");
                result.files_read = number("files_read");
                result.queries = number("queries");
            }
            Some("stage time") => {
                let stage = event["stage"].as_str().unwrap_or_default().to_owned();
                // The run summary comes first, so the number of reports is known here.
                let mean = event["total_ms"].as_f64().unwrap_or_default() / result.reports.max(1) as f64;
                result.stages.insert(stage, (mean, event["peak_rss_mib"].as_u64()));
            }
            _ => {}
        }
    }
    tracing::info!("{name}: {} report(s) in {:.2} s", result.reports, wall.as_secs_f64());
    Ok(result)
}
