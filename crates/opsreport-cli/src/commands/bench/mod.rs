//! `opsreport bench`: the performance benchmark. It generates synthetic data with the fixture
//! generator (kept between runs under `--work`), times whole `generate` runs of this binary in
//! child processes (so each case's peak memory is its own), and prints one table: per stage the
//! mean time per report and the stage's peak memory, for the committed fixtures, one account at
//! each `--scales`, and a fleet. Below it, the ratios that do not depend on the machine (metrics
//! against a bare scan of the same files, growth with scale) and each target, met or missed.
//! Run it on a release build; BENCHMARKS.md records the results.

mod athena;
mod baseline;
mod cases;

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

    if Path::new(DEMO_SOURCE).is_dir() {
        let out = args.work.join("out-demo");
        let mut best: Option<CaseResult> = None;
        for _ in 0..args.repeat.max(1) {
            let case = run_case("committed fixtures", &["--out", path_str(&out)?], 1, &[])?;
            if best.as_ref().is_none_or(|best| case.wall < best.wall) {
                best = Some(case);
            }
        }
        cases.extend(best);
    } else {
        tracing::warn!("{DEMO_SOURCE} is not here: run from the repository root to include the committed fixtures");
    }
    for &scale in &args.scales {
        let data = dataset(&args.work, 1, scale)?;
        let account = first_account(&data)?;
        let out = args.work.join(format!("out-scale-{scale}"));
        let name = format!("1 account, scale {scale}");
        let case_args = ["--source", path_str(&data)?, "--account", account.as_str(), "--month", MONTH, "--out", path_str(&out)?];
        cases.push(run_case(&name, &case_args, 1, &[])?);
        in_process.push((scale, measure_in_process(config, &data, &account, &period, args.repeat)?));
    }
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
    print!("{}", table(&cases));
    print!("{}", ratios_and_targets(&cases, &in_process, fleet_files));
    Ok(0)
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

fn ratios_and_targets(cases: &[CaseResult], in_process: &[(f64, InProcess)], fleet_files: Option<(u64, u64)>) -> String {
    let mut text = String::from("\n");
    let mark = |met: bool| if met { "met" } else { "MISSED" };
    let ms = |duration: Duration| duration.as_secs_f64() * 1000.0;
    for (scale, measured) in in_process {
        let ratio = measured.metrics.as_secs_f64() / measured.bare_scan.as_secs_f64();
        text.push_str(&format!(
            "scale {scale}: metrics {:.0} ms, bare scan of the same files and columns {:.0} ms: ratio {ratio:.2}\n",
            ms(measured.metrics),
            ms(measured.bare_scan)
        ));
    }
    let largest = in_process.iter().max_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((scale, measured)) = largest {
        let ratio = measured.metrics.as_secs_f64() / measured.bare_scan.as_secs_f64();
        text.push_str(&format!("target: metrics at scale {scale} ≤ 2× a bare scan: {ratio:.2}× — {}\n", mark(ratio <= 2.0)));
    }
    let at = |scale: f64| in_process.iter().find(|(s, _)| (*s - scale).abs() < 1e-9).map(|(_, measured)| measured);
    if let (Some(five), Some(fifty)) = (at(5.0), at(50.0)) {
        let ratio = fifty.metrics.as_secs_f64() / five.metrics.as_secs_f64();
        text.push_str(&format!("target: metrics at scale 50 ≤ 11× scale 5: {ratio:.1}× — {}\n", mark(ratio <= 11.0)));
    }
    if let Some(demo) = cases.iter().find(|case| case.name == "committed fixtures") {
        let wall = demo.wall.as_secs_f64();
        text.push_str(&format!(
            "target: committed fixtures ≤ 0.5 s and ≤ 250 MiB: {wall:.2} s, {} MiB — {}\n",
            demo.peak_rss_mib,
            mark(wall <= 0.5 && demo.peak_rss_mib <= 250)
        ));
        let typst = demo.stage_ms(Stage::Compile.name()) + demo.stage_ms(Stage::Export.name());
        text.push_str(&format!("target: typst compile + PDF export ≤ 250 ms: {typst:.0} ms — {}\n", mark(typst <= 250.0)));
    }
    if let Some(fleet) = cases.iter().find(|case| case.name.starts_with("fleet")) {
        let rate = fleet.reports as f64 / fleet.wall.as_secs_f64();
        text.push_str(&format!(
            "target: fleet ≥ 5 reports/s and ≤ 1024 MiB: {rate:.1} reports/s, {} MiB — {}\n",
            fleet.peak_rss_mib,
            mark(rate >= 5.0 && fleet.peak_rss_mib <= 1024 && fleet.failed == 0)
        ));
    }
    if let Some((read, planned)) = fleet_files {
        text.push_str(&format!(
            "target: every dataset file read once per run: {read} reads of {planned} files — {}\n",
            mark(read == planned)
        ));
    }
    text
}
