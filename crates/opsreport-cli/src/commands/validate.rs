//! `opsreport validate`: check every file of a dataset root against the contract.
//!
//! Every account and every month partition is read (not only a report's window), all problems
//! are listed rather than only the first, and a table per dataset summarises rows, duplicates,
//! unknown values, excluded rows and freshness. Exit 0 only when nothing is fatal. Datasets read
//! from real exports (`[datasets.*]`) are checked over the files a report of `--month` reads.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;
use opsreport_extract::{ConfiguredSource, LocalSource};
use opsreport_model::{AccountId, DatasetName, DatasetQuality, ReportPeriod, YearMonth};

use crate::choice::MonthChoice;
use crate::failure::{EXIT_BAD_INPUT, Failure, Outcome};
use crate::settings;

/// Flags of `opsreport validate`.
#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// Dataset root folder (the layout of the data contract).
    #[arg(long, env = "OPSREPORT_SOURCE", value_name = "DIR")]
    source: PathBuf,
    /// Only these accounts (repeatable). Default: every account found.
    #[arg(long = "account", value_name = "ID")]
    accounts: Vec<String>,
    /// Time zone used to count "rows in period" for the newest month.
    #[arg(long, env = "OPSREPORT_TIMEZONE", value_name = "IANA")]
    timezone: Option<String>,
    /// For datasets read from real exports (`[datasets.*]`): the report month whose files are
    /// checked (a report's window of that month). Default: the previous full month.
    #[arg(long, env = "OPSREPORT_MONTH", value_name = "YYYY-MM|previous")]
    month: Option<MonthChoice>,
}

#[derive(Default)]
struct Totals {
    accounts: usize,
    files: usize,
    rows: u64,
    duplicates: u64,
    unknown: u64,
    nulls: u64,
    newest: Option<String>,
    errors: usize,
}

/// Runs `opsreport validate`.
pub fn run(config: &opsreport_model::Config, args: ValidateArgs) -> Outcome {
    let zone = settings::time_zone(args.timezone.as_deref(), config)?;
    let configured = settings::configured_datasets(config);
    let source = LocalSource::new(&args.source)
        .map_err(Failure::from_extract)?
        .without(configured.keys().copied())
        .with_limits(config.limits);
    let report_period = args.month.unwrap_or(MonthChoice::Previous).period(zone);
    let real = (!configured.is_empty())
        .then(|| -> Result<ConfiguredSource, Failure> {
            Ok(ConfiguredSource::new(Box::new(source.clone()), configured.clone(), crate::aws::store(config)?)
                .with_limits(config.limits))
        })
        .transpose()?;
    let accounts = if args.accounts.is_empty() {
        let mut all: std::collections::BTreeSet<AccountId> =
            source.all_accounts().map_err(Failure::from_extract)?.into_iter().collect();
        if let Some(real) = &real {
            all.extend(real.configured_accounts(&report_period).map_err(Failure::from_extract)?);
        }
        all.into_iter().collect()
    } else {
        args.accounts.iter().map(|id| AccountId::parse(id)).collect::<Result<Vec<_>, _>>().map_err(Failure::bad_input)?
    };
    if accounts.is_empty() {
        return Err(Failure::bad_input(anyhow::anyhow!(
            "{} holds no dataset folder with aws_account_id=<id> partitions; is it the dataset root?",
            args.source.display()
        )));
    }
    let mut totals: BTreeMap<DatasetName, Totals> = BTreeMap::new();
    let mut problems: Vec<Problem> = Vec::new();
    let mut fatal = false;
    for account in &accounts {
        for dataset in DatasetName::ALL {
            let entry = totals.entry(dataset).or_default();
            if let Some(real) = real.as_ref().filter(|_| configured.contains_key(&dataset)) {
                match real.load_configured(dataset, account, &report_period) {
                    Ok(loaded) => add(entry, &loaded.quality, &mut problems, account),
                    Err(error) => {
                        fatal = true;
                        entry.errors += 1;
                        problems.push(Problem::error(format!("account {account}: {error}")));
                    }
                }
                continue;
            }
            let result = source.plan_all_months(dataset, account).and_then(|plan| {
                // "Rows in period" is counted for the newest month found. Reference data has no
                // month: its dates are checked against the current one.
                let newest = plan.months.last().copied().unwrap_or_else(|| YearMonth::of_date(chrono::Utc::now().date_naive()));
                let period = ReportPeriod::new(newest, zone);
                source.load_plan(dataset, account, &period, &plan, &source.budget(), None)
            });
            match result {
                Ok(loaded) => add(entry, &loaded.quality, &mut problems, account),
                Err(error) => {
                    fatal = true;
                    entry.errors += 1;
                    problems.push(Problem::error(format!("account {account}: {error}")));
                }
            }
        }
        fatal |= check_all_notes(&source, account, &mut problems);
    }
    print_table(&totals);
    for problem in &problems {
        println!("{problem}");
    }
    if fatal {
        println!(
            "result: invalid ({} fatal problem(s)); fix the files named above and run validate again",
            problems.iter().filter(|problem| problem.severity == Severity::Error).count()
        );
        Ok(EXIT_BAD_INPUT)
    } else {
        println!("result: valid ({} accounts)", accounts.len());
        Ok(0)
    }
}

fn add(entry: &mut Totals, quality: &DatasetQuality, problems: &mut Vec<Problem>, account: &AccountId) {
    if !quality.missing {
        entry.accounts += 1;
    }
    entry.files += quality.files_read.len();
    entry.rows += quality.rows_read;
    entry.duplicates += quality.duplicates_dropped;
    entry.unknown += quality.rows_with_unknown_values;
    entry.nulls += quality.rows_with_required_nulls;
    if let Some(newest) = &quality.newest
        && entry.newest.as_ref().is_none_or(|current| newest > current)
    {
        entry.newest = Some(newest.clone());
    }
    for (column, values) in &quality.unknown_values {
        let listed: Vec<String> = values.iter().map(|(value, count)| format!("{value:?} ×{count}")).collect();
        problems.push(Problem::warning(format!(
            "account {account}: dataset {}: column `{column}` has values outside the contract ({}); they are reported as {}",
            quality.dataset,
            listed.join(", "),
            quality.dataset.spec().unknown_value
        )));
    }
    if quality.rows_with_required_nulls > 0 {
        problems.push(Problem::warning(format!(
            "account {account}: dataset {}: {} row(s) with a null in a required column are excluded",
            quality.dataset, quality.rows_with_required_nulls
        )));
    }
    for warning in &quality.warnings {
        problems.push(Problem::warning(format!("account {account}: dataset {}: {warning}", quality.dataset)));
    }
}

/// Parses every notes file of the account (all months).
fn check_all_notes(source: &LocalSource, account: &AccountId, problems: &mut Vec<Problem>) -> bool {
    let folder = source.root().join("notes").join(account.as_str());
    let Ok(entries) = std::fs::read_dir(&folder) else {
        return false;
    };
    let mut fatal = false;
    let mut names: Vec<String> =
        entries.filter_map(|entry| entry.ok()).map(|entry| entry.file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    for name in names {
        let Some(month) = name.strip_suffix(".toml").and_then(|month| YearMonth::parse(month).ok()) else {
            problems.push(Problem::warning(format!(
                "account {account}: notes/{account}/{name} is not named <YYYY-MM>.toml and is ignored"
            )));
            continue;
        };
        let period = ReportPeriod::new(month, chrono_tz::Tz::UTC);
        if let Err(error) = source.notes(account, &period) {
            problems.push(Problem::error(format!("account {account}: {error}")));
            fatal = true;
        }
    }
    fatal
}

fn print_table(totals: &BTreeMap<DatasetName, Totals>) {
    println!(
        "{:<18} {:>8} {:>6} {:>10} {:>10} {:>9} {:>10}  {:<20} status",
        "dataset", "accounts", "files", "rows", "duplicates", "unknown", "null-req", "newest"
    );
    for (dataset, entry) in totals {
        let status = if entry.errors > 0 {
            "ERROR"
        } else if entry.accounts == 0 {
            "missing"
        } else if entry.unknown > 0 || entry.nulls > 0 {
            "warnings"
        } else {
            "ok"
        };
        println!(
            "{:<18} {:>8} {:>6} {:>10} {:>10} {:>9} {:>10}  {:<20} {}",
            dataset.as_str(),
            entry.accounts,
            entry.files,
            entry.rows,
            entry.duplicates,
            entry.unknown,
            entry.nulls,
            entry.newest.as_deref().unwrap_or("-"),
            status
        );
    }
}

/// How bad a problem `validate` found is: an error makes the data invalid (exit 2), a warning
/// is counted and reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Severity {
    Error,
    Warning,
}

/// One line of `validate`'s findings.
struct Problem {
    severity: Severity,
    message: String,
}

impl Problem {
    fn error(message: String) -> Self {
        Self { severity: Severity::Error, message }
    }

    fn warning(message: String) -> Self {
        Self { severity: Severity::Warning, message }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(formatter, "{label}: {}", self.message)
    }
}
