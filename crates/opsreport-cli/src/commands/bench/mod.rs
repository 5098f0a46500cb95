//! `opsreport bench`: the performance benchmark. It generates synthetic data with the fixture
//! generator (kept between runs under `--work`), times whole `generate` runs of this binary in
//! child processes (so each case's peak memory is its own), and prints one table: per stage the
//! mean time per report and the stage's peak memory, for the committed fixtures (each kind and
//! layout), one account at each `--scales`, and a fleet. Below it, the ratios that do not depend
//! on the machine (metrics against a bare scan of the same files), `opsreport metrics` against
//! DuckDB on the same files at the largest scale (`compare.rs`), and each target, met or missed
//! (`targets.rs`).
//! Run it on a release build; BENCHMARKS.md records the results.

mod athena;
mod baseline;
mod cases;
mod compare;
mod targets;

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Args;
use opsreport_extract::{LocalSource, Source};
use opsreport_model::{AccountId, Config, DatasetName, ReportPeriod, YearMonth};

use crate::commands::generate::DEMO_SOURCE;
use crate::failure::{Failure, Outcome};
use crate::fleet::Stage;
use crate::pipeline;

use self::cases::{CaseResult, MONTH, MONTHS, dataset_of_months, run_case};

/// Flags of `opsreport bench`.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Folder for generated data and reports; data is reused by later runs.
    #[arg(long, default_value = "target/bench", value_name = "DIR")]
    work: PathBuf,
    /// Scales of the single-account cases (the fixture generator's --scale).
    #[arg(long, value_delimiter = ',', default_value = "1,5,10,50", value_name = "S,S,...")]
    scales: Vec<f64>,
    /// Accounts in the fleet case (at --fleet-scale); 0 skips it.
    #[arg(long, default_value_t = 100, value_name = "N")]
    fleet: u32,
    /// Scale of the fleet's accounts.
    #[arg(long, default_value_t = 1.0, value_name = "S")]
    fleet_scale: f64,
    /// Workers for the fleet case. Default: as `generate` (one per core, plus one).
    #[arg(long, value_name = "N")]
    jobs: Option<NonZeroUsize>,
    /// Repetitions of the committed-fixtures run (a half-second run, where a busy machine's
    /// noise is as large as the figure) and of the in-process timings (metrics, bare scan); the
    /// fastest is kept.
    #[arg(long, default_value_t = 3, value_name = "N")]
    repeat: u32,
    /// Sizes of simulated Athena fleets (`moto_server` on PATH plays S3 and Athena): only these
    /// runs, one line each, instead of the table above.
    #[arg(long, value_delimiter = ',', value_name = "N,N,...")]
    athena_fleet: Vec<u32>,
}

/// Runs `opsreport bench`.
pub fn run(config: &Config, args: BenchArgs) -> Outcome {
    if cfg!(debug_assertions) {
        tracing::warn!("this is a debug build: build with --release for figures worth recording");
    }
    let io = |what: String| move |error: std::io::Error| Failure::source_or_sink(anyhow::anyhow!("{what}: {error}"));
    std::fs::create_dir_all(&args.work).map_err(io(format!("cannot create {}", args.work.display())))?;
    let month = YearMonth::parse(MONTH).map_err(Failure::bad_input)?;
    let period = ReportPeriod::new(month, config.timezone.0);
    let workers = args.jobs.map_or_else(super::generate::default_workers, usize::from);
    if !args.athena_fleet.is_empty() {
        for result in athena::run(config, &args.work, &args.athena_fleet, workers, &period)? {
            println!("{}", result.line());
        }
        return Ok(0);
    }
    let mut cases = Vec::new();
    let mut in_process = Vec::new();

    let kinds = if Path::new(DEMO_SOURCE).is_dir() {
        cases.extend(best_of("committed fixtures", &["--out", path_str(&args.work.join("out-demo"))?], args.repeat)?);
        committed_kinds(&args.work, args.repeat)?
    } else {
        tracing::warn!("{DEMO_SOURCE} is not here: run from the repository root to include the committed fixtures");
        Vec::new()
    };
    for &scale in &args.scales {
        let data = dataset(&args.work, 1, scale)?;
        let account = first_account(&data)?;
        let out = args.work.join(format!("out-scale-{scale}"));
        let name = format!("1 account, scale {scale}");
        let case_args = ["--source", path_str(&data)?, "--account", account.as_str(), "--month", MONTH, "--out", path_str(&out)?];
        cases.push(run_case(&name, &case_args, 1, &[])?);
        let measured = measure_in_process(config, &data, &account, &period, args.repeat)?;
        in_process.push((scale, measured.metrics, measured.bare_scan));
    }
    let largest = args.scales.iter().copied().reduce(f64::max);
    let comparison = match largest {
        Some(scale) => {
            let data = dataset(&args.work, 1, scale)?;
            Some(compare::metrics_against_duckdb(&data, &first_account(&data)?, scale, args.repeat)?)
        }
        None => None,
    };
    let mut fleet_files = None;
    if args.fleet > 0 {
        let data = dataset(&args.work, args.fleet, args.fleet_scale)?;
        let out = args.work.join("out-fleet");
        let name = format!("fleet of {} at scale {}, {workers} workers", args.fleet, args.fleet_scale);
        let case_args = ["--source", path_str(&data)?, "--all-accounts", "--month", MONTH, "--out", path_str(&out)?];
        let case = run_case(&name, &case_args, workers, &[])?;
        fleet_files = Some((case.files_read, planned_files(&data, &period)?));
        cases.push(case);
    }
    cases.extend(kinds.iter().skip(1).cloned());
    print!("{}", table(&cases));
    let measured = targets::Measurements {
        cases: &cases,
        in_process: &in_process,
        fleet_files,
        comparison: comparison.as_ref(),
        kinds: &kinds,
    };
    print!("{}", targets::lines(&measured));
    Ok(0)
}

/// The fastest of `repeat` runs of a `generate` case.
fn best_of(name: &str, case_args: &[&str], repeat: u32) -> Result<Option<CaseResult>, Failure> {
    let mut best: Option<CaseResult> = None;
    for _ in 0..repeat.max(1) {
        let case = run_case(name, case_args, 1, &[])?;
        if best.as_ref().is_none_or(|best| case.wall < best.wall) {
            best = Some(case);
        }
    }
    Ok(best)
}

/// The committed fixtures' report of each kind and layout, monthly document first (the others
/// are compared with it).
fn committed_kinds(work: &Path, repeat: u32) -> Result<Vec<CaseResult>, Failure> {
    let kinds: [(&str, &[&str]); 4] = [
        ("monthly document", &["--month", MONTH, "--format", "document"]),
        ("weekly document", &["--week", "2026-W43", "--format", "document"]),
        ("quarterly document", &["--quarter", "2026-Q3", "--format", "document"]),
        ("monthly slides", &["--month", MONTH, "--format", "slides"]),
    ];
    let mut results = Vec::new();
    for (name, period) in kinds {
        let out = work.join(format!("out-demo-{}", name.replace(' ', "-")));
        let mut case_args = vec!["--out", path_str(&out)?];
        case_args.extend_from_slice(period);
        results.extend(best_of(&format!("committed fixtures, {name}"), &case_args, repeat)?);
    }
    Ok(results)
}

fn path_str(path: &Path) -> Result<&str, Failure> {
    path.to_str().ok_or_else(|| Failure::bad_input(anyhow::anyhow!("{} is not UTF-8: choose another --work", path.display())))
}

/// The generated dataset for `accounts` at `scale`, made once and reused (a marker file says it
/// is complete).
fn dataset(work: &Path, accounts: u32, scale: f64) -> Result<PathBuf, Failure> {
    dataset_of_months(work, accounts, scale, MONTHS)
}

fn first_account(data: &Path) -> Result<AccountId, Failure> {
    let source = LocalSource::new(data).map_err(Failure::from_extract)?;
    source
        .all_accounts()
        .map_err(Failure::from_extract)?
        .into_iter()
        .next()
        .ok_or_else(|| Failure::bad_input(anyhow::anyhow!("{} holds no account", data.display())))
}

/// Every file the reports of every account in `data` need (each should be read exactly once).
fn planned_files(data: &Path, period: &ReportPeriod) -> Result<u64, Failure> {
    let source = LocalSource::new(data).map_err(Failure::from_extract)?;
    let mut files = 0;
    for account in source.accounts(period).map_err(Failure::from_extract)? {
        for dataset in DatasetName::ALL {
            files += source.plan(dataset, &account, period).map_err(Failure::from_extract)?.files.len() as u64;
        }
    }
    Ok(files)
}

/// In-process timings of one account: the metrics stage and a bare scan of the same files
/// (best of `repeat`).
struct InProcess {
    metrics: Duration,
    bare_scan: Duration,
}

fn measure_in_process(
    config: &Config,
    data: &Path,
    account: &AccountId,
    period: &ReportPeriod,
    repeat: u32,
) -> Result<InProcess, Failure> {
    let source = LocalSource::new(data).map_err(Failure::from_extract)?;
    let loaded = source.load_account(account, period).map_err(Failure::from_extract)?;
    let generated_on = period.default_generated_on();
    let best = |mut run: Box<dyn FnMut() -> Result<(), Failure> + '_>| -> Result<Duration, Failure> {
        let mut best = Duration::MAX;
        for _ in 0..repeat.max(1) {
            let started = Instant::now();
            run()?;
            best = best.min(started.elapsed());
        }
        Ok(best)
    };
    let metrics = best(Box::new(|| pipeline::metrics(&loaded, config, generated_on).map(drop)))?;
    let bare_scan = best(Box::new(|| baseline::bare_scan(&source, account, period).map(drop).map_err(Failure::from_extract)))?;
    Ok(InProcess { metrics, bare_scan })
}

fn table(cases: &[CaseResult]) -> String {
    let mut text = String::from("| case | reports | wall s | reports/s | peak MiB |");
    for stage in Stage::ALL.map(Stage::name) {
        text.push_str(&format!(" {stage} ms (MiB) |"));
    }
    text.push_str("\n|---|---:|---:|---:|---:|");
    text.push_str(&"---:|".repeat(Stage::ALL.len()));
    text.push('\n');
    for case in cases {
        let wall = case.wall.as_secs_f64();
        text.push_str(&format!(
            "| {} | {} | {:.2} | {:.1} | {} |",
            case.name,
            case.reports,
            wall,
            case.reports as f64 / wall,
            case.peak_rss_mib
        ));
        for stage in Stage::ALL.map(Stage::name) {
            match case.stages.get(stage) {
                Some((mean, Some(peak))) => text.push_str(&format!(" {mean:.0} ({peak}) |")),
                Some((mean, None)) => text.push_str(&format!(" {mean:.0} |")),
                None => text.push_str(" - |"),
            }
        }
        text.push('\n');
    }
    text
}
