//! `opsreport fixtures`: write the deterministic synthetic dataset (or the hand-made one).

use std::fs;
use std::path::PathBuf;

use clap::Args;
use opsreport_fixtures::handmade::write_handmade;
use opsreport_fixtures::real::{RealFormat, convert};
use opsreport_fixtures::{FixtureError, FixtureOptions, generate};
use opsreport_model::{DatasetName, YearMonth};

use crate::failure::{Failure, Outcome};

/// Flags of `opsreport fixtures`.
#[derive(Args, Debug)]
pub struct FixturesArgs {
    /// Folder to write the dataset root into.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Number of accounts.
    #[arg(long, default_value_t = 2)]
    accounts: u32,
    /// Number of months, ending with --last-month.
    #[arg(long, default_value_t = 7)]
    months: u32,
    /// Volume multiplier: 1 is a typical account (hundreds of stacks, tens of thousands of
    /// alerts a month); volumes grow linearly.
    #[arg(long, default_value_t = 1.0)]
    scale: f64,
    /// Seed of the random streams: the same seed gives the same bytes.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// The newest month to generate (fixed by default so output never depends on the date).
    #[arg(long, default_value = "2026-10", value_name = "YYYY-MM")]
    last_month: String,
    /// Write the tiny hand-made dataset used by the unit tests instead.
    #[arg(long)]
    handmade: bool,
    /// Replace the dataset folders if --out already holds data.
    #[arg(long)]
    force: bool,
    /// Also write the datasets these real exports hold in their real shape (docs/sources.md):
    /// ams-ssr (patching, backups), cur2 or focus (billing), servicenow-csv (tickets), with an
    /// opsreport.toml in --out that reads them. Comma-separated.
    #[arg(long, value_name = "FORMAT", value_delimiter = ',')]
    format: Vec<String>,
    /// With --format cur2 or focus: line items per cost export file; a billing period with more
    /// is split over several files (`cur2-00001…`, `-00002…`), as a real export of real size is.
    #[arg(long, value_name = "N", default_value_t = opsreport_fixtures::real::COST_FILE_LINE_ITEMS as u64,
          value_parser = clap::value_parser!(u64).range(1..))]
    cost_file_lines: u64,
}

/// Runs `opsreport fixtures`.
pub fn run(args: FixturesArgs) -> Outcome {
    let last_month = YearMonth::parse(&args.last_month).map_err(Failure::bad_input)?;
    prepare_output(&args.out, args.force)?;
    if args.handmade {
        let files = write_handmade(&args.out).map_err(fixture_failure)?;
        println!("wrote the hand-made dataset ({files} files) to {}", args.out.display());
        return Ok(0);
    }
    let options = FixtureOptions { accounts: args.accounts, months: args.months, scale: args.scale, seed: args.seed, last_month };
    let formats = args
        .format
        .iter()
        .map(|name| {
            RealFormat::parse(name.trim()).ok_or_else(|| {
                Failure::bad_input(anyhow::anyhow!("unknown --format {name:?}: use ams-ssr, cur2, focus or servicenow-csv"))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if formats.contains(&RealFormat::Cur2) && formats.contains(&RealFormat::Focus) {
        return Err(Failure::bad_input(anyhow::anyhow!("--format cur2 and focus both hold billing: choose one")));
    }
    let summary = generate(&args.out, &options).map_err(fixture_failure)?;
    if !formats.is_empty() {
        let files =
            convert(&args.out, &formats, usize::try_from(args.cost_file_lines).unwrap_or(usize::MAX)).map_err(fixture_failure)?;
        println!(
            "rewrote {} in real formats ({files} files) with {}",
            args.format.join(", "),
            args.out.join("opsreport.toml").display()
        );
    }
    let accounts: Vec<String> = summary.accounts.iter().map(ToString::to_string).collect();
    println!(
        "wrote {} files, {} rows to {}: accounts {}, months {} to {}",
        summary.files,
        summary.rows,
        args.out.display(),
        accounts.join(", "),
        summary.months[0],
        summary.months[summary.months.len() - 1]
    );
    Ok(0)
}

fn fixture_failure(error: FixtureError) -> Failure {
    match error {
        FixtureError::Options(_) => Failure::bad_input(error),
        other => Failure::source_or_sink(other),
    }
}

/// Refuses to mix a new dataset into an old one: with data present, `--force` removes the
/// dataset and notes folders first (and nothing else).
fn prepare_output(out: &std::path::Path, force: bool) -> Result<(), Failure> {
    let owned: Vec<PathBuf> = DatasetName::ALL
        .iter()
        .map(|dataset| out.join(dataset.as_str()))
        .chain(["notes", "ssr", "cur2", "focus", "servicenow", "opsreport.toml"].map(|name| out.join(name)))
        .collect();
    let existing: Vec<&PathBuf> = owned.iter().filter(|path| path.exists()).collect();
    if existing.is_empty() {
        return Ok(());
    }
    if !force {
        return Err(Failure::bad_input(anyhow::anyhow!(
            "{} already holds a dataset ({} exists); pass --force to replace it or choose another --out",
            out.display(),
            existing[0].display()
        )));
    }
    for path in existing {
        if path.is_file() {
            fs::remove_file(path)
                .map_err(|error| Failure::source_or_sink(anyhow::anyhow!("cannot remove {}: {error}", path.display())))?;
            continue;
        }
        fs::remove_dir_all(path)
            .map_err(|error| Failure::source_or_sink(anyhow::anyhow!("cannot remove {}: {error}", path.display())))?;
    }
    Ok(())
}
