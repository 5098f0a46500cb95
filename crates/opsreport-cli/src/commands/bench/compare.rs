//! The metrics stage against DuckDB: `opsreport metrics` of one account and
//! `bench/duckdb_metrics.py` (the same month's aggregations in SQL over the same Parquet files),
//! each in its own process, interleaved, the fastest of `repeat` runs of each kept with its peak
//! memory. Without `python3` and its `duckdb` package the comparison is said to be missing.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use opsreport_model::AccountId;

use super::cases::MONTH;
use crate::commands::generate::STAGE_MEMORY_VARIABLE;
use crate::failure::Failure;

/// The comparison script, relative to the repository root.
pub(super) const DUCKDB_SCRIPT: &str = "bench/duckdb_metrics.py";

/// One process's wall time and peak resident size.
#[derive(Clone, Copy, Debug)]
pub(super) struct Measured {
    pub(super) wall: Duration,
    pub(super) peak_mib: u64,
}

/// `opsreport metrics` and DuckDB on one account at one scale.
#[derive(Debug)]
pub(super) struct Comparison {
    pub(super) scale: f64,
    pub(super) ours: Measured,
    /// DuckDB's run, or why there is none.
    pub(super) duckdb: Result<Measured, String>,
}

/// Runs both `repeat` times, alternating, and keeps each one's fastest run.
pub(super) fn metrics_against_duckdb(data: &Path, account: &AccountId, scale: f64, repeat: u32) -> Result<Comparison, Failure> {
    let data = data.to_str().ok_or_else(|| Failure::bad_input(anyhow::anyhow!("{} is not UTF-8", data.display())))?;
    let mut ours: Option<Measured> = None;
    let mut duckdb: Option<Result<Measured, String>> = None;
    for _ in 0..repeat.max(1) {
        let run = metrics_run(data, account)?;
        ours = Some(fastest(ours, run));
        let theirs = duckdb_run(data, account);
        duckdb = Some(match (duckdb, theirs) {
            (Some(Ok(best)), Ok(run)) => Ok(fastest(Some(best), run)),
            (_, theirs) => theirs,
        });
    }
    Ok(Comparison { scale, ours: ours.expect("one run at least"), duckdb: duckdb.expect("one run at least") })
}

fn fastest(best: Option<Measured>, run: Measured) -> Measured {
    match best {
        Some(best) if best.wall <= run.wall => best,
        _ => run,
    }
}

/// This binary's `metrics`, its output thrown away, its peak from its own log.
fn metrics_run(data: &str, account: &AccountId) -> Result<Measured, Failure> {
    let mut command = super::cases::own_command()?;
    command.args(["metrics", "--source", data, "--account", account.as_str(), "--month", MONTH, "--log-format", "json"]);
    command.env(STAGE_MEMORY_VARIABLE, "1").env_remove("OPSREPORT_LOG").stdout(Stdio::null());
    let started = Instant::now();
    let output = command.output().map_err(|error| Failure::source_or_sink(anyhow::anyhow!("cannot run metrics: {error}")))?;
    let wall = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(Failure::source_or_sink(anyhow::anyhow!("metrics failed ({}):\n{stderr}", output.status)));
    }
    let peak_mib = stderr
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find(|event| event["message"] == "metrics peak")
        .and_then(|event| event["peak_rss_mib"].as_u64())
        .unwrap_or_default();
    Ok(Measured { wall, peak_mib })
}

/// The DuckDB script, timed from outside (interpreter start included, as ours includes the
/// process's), with the peak it reports.
fn duckdb_run(data: &str, account: &AccountId) -> Result<Measured, String> {
    if !Path::new(DUCKDB_SCRIPT).is_file() {
        return Err(format!("{DUCKDB_SCRIPT} is not here (run from the repository root)"));
    }
    let started = Instant::now();
    let output = Command::new("python3")
        .args([DUCKDB_SCRIPT, data, account.as_str(), MONTH])
        .output()
        .map_err(|error| format!("python3 cannot be run: {error}"))?;
    let wall = started.elapsed();
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!("the DuckDB script failed (is the duckdb package installed? pip install duckdb): {}", stderr.trim()));
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&output.stdout).map_err(|error| format!("the DuckDB script printed no summary: {error}"))?;
    Ok(Measured { wall, peak_mib: summary["peak_rss_mib"].as_u64().unwrap_or_default() })
}
