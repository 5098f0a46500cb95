//! `opsreport generate`: the main job — for each selected account, the month's report folder
//! (`report.pdf`, `metrics.json`, `tables/*.csv`, `manifest.json`).
//!
//! With no arguments it builds the demo: the committed fixtures, their first account and latest
//! month, into `out/`. Accounts are reported in parallel by `--jobs` workers; one account's
//! failure does not stop the others: they are written, the failures are listed in the run
//! summary, and the exit code is 1.

use std::io::IsTerminal;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use opsreport_extract::{ConfiguredSource, LocalSource, Source};
use opsreport_model::{AccountId, Config, CustomerId, PeriodKind, ReportPeriod, Subject, YearMonth, input};
use opsreport_render::PdfFlavour;

use tracing::info_span;

use crate::choice::{FormatFlag, KindFlag, MonthChoice, PeriodChoice, Shard, SourceChoice};
use crate::failure::{EXIT_SOME_FAILED, Failure, Outcome};
use crate::fleet::{self, FailedAccount, Stage, StagePeaks, StageTimes};
use crate::logging::{self, LogFormat};
use crate::memory;
use crate::output::{OutputFile, ReportIdentity, csv, write_report};
use crate::pipeline;
use crate::s3::{S3Sink, parse_location};
use crate::settings;
use opsreport_model::format::plural;

mod customers;

/// Where reports go.
enum Sink {
    /// A local folder.
    Folder(PathBuf),
    /// An S3 prefix.
    S3(S3Sink),
}

/// The committed demo dataset.
pub const DEMO_SOURCE: &str = "fixtures/synthetic";

/// `--pdf-standard`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PdfStandardFlag {
    /// Plain PDF.
    None,
    /// PDF/A-2b, for archiving.
    #[value(name = "a-2b")]
    A2b,
}

/// Which accounts and month a run is for (shared by `generate` and `template export`).
#[derive(Args, Debug, Clone)]
pub struct Selection {
    /// Dataset root folder, or `athena` (settings in `[athena]` / `OPSREPORT_ATHENA_*`).
    /// Default: the committed demo fixtures.
    #[arg(long, env = "OPSREPORT_SOURCE", value_name = "DIR|athena")]
    pub source: Option<SourceChoice>,
    /// Account (12 digits); repeatable. Default: the first account of the source.
    #[arg(long = "account", env = "OPSREPORT_ACCOUNT", value_name = "ID", value_delimiter = ',')]
    pub accounts: Vec<String>,
    /// Every account with data in the period.
    #[arg(long, env = "OPSREPORT_ALL_ACCOUNTS", conflicts_with = "accounts")]
    pub all_accounts: bool,
    /// A customer's review (`[customers.<id>]` in the configuration): one report over all its
    /// accounts, in `<out>/customers/<id>/`; repeatable.
    #[arg(long = "customer", env = "OPSREPORT_CUSTOMER", value_name = "ID", value_delimiter = ',', conflicts_with_all = ["accounts", "all_accounts"])]
    pub customers: Vec<String>,
    /// Every configured customer's review.
    #[arg(long, env = "OPSREPORT_ALL_CUSTOMERS", conflicts_with_all = ["accounts", "all_accounts", "customers"])]
    pub all_customers: bool,
    /// Which meeting's material: `weekly` (status review), `monthly` (business review) or
    /// `quarterly` (business review). Default: monthly, or the kind --week / --quarter name.
    #[arg(long, env = "OPSREPORT_KIND", value_enum, value_name = "KIND")]
    pub kind: Option<KindFlag>,
    /// YYYY-MM, or `previous` (the last full month before now). Default: `previous`, or the
    /// latest month of the demo fixtures when --source is not given.
    #[arg(long, env = "OPSREPORT_MONTH", value_name = "YYYY-MM|previous", conflicts_with_all = ["week", "quarter"])]
    pub month: Option<MonthChoice>,
    /// An ISO week (in the report time zone), or `previous` (the last full week): a weekly report.
    #[arg(long, env = "OPSREPORT_WEEK", value_name = "YYYY-Www|previous", value_parser = PeriodChoice::week, conflicts_with = "quarter")]
    pub week: Option<PeriodChoice>,
    /// A calendar quarter, or `previous` (the last full quarter): a quarterly report.
    #[arg(long, env = "OPSREPORT_QUARTER", value_name = "YYYY-Qn|previous", value_parser = PeriodChoice::quarter)]
    pub quarter: Option<PeriodChoice>,
    /// An EventBridge scheduled event (JSON file, or - for stdin): the last full period of the
    /// kind before its `time` (the month, week or quarter before).
    #[arg(long, env = "OPSREPORT_EVENT", value_name = "FILE|-", conflicts_with_all = ["month", "week", "quarter"])]
    pub event: Option<String>,
    /// Report time zone (IANA name). Default: the configuration's, else UTC.
    #[arg(long, env = "OPSREPORT_TIMEZONE", value_name = "IANA")]
    pub timezone: Option<String>,
    /// Only accounts whose position in the sorted list is ≡ I mod N.
    #[arg(long, env = "OPSREPORT_SHARD", value_name = "I/N")]
    pub shard: Option<Shard>,
    /// The report's document date. Default: the day after the period.
    #[arg(long, env = "OPSREPORT_GENERATED_ON", value_name = "YYYY-MM-DD")]
    pub generated_on: Option<String>,
}

/// Flags of `opsreport generate`.
#[derive(Args, Debug)]
pub struct GenerateArgs {
    #[command(flatten)]
    selection: Selection,
    /// Output folder, or `s3://bucket/prefix`.
    #[arg(long, env = "OPSREPORT_OUT", default_value = "out", value_name = "DIR|s3://BUCKET/PREFIX")]
    out: String,
    /// PDF flavour.
    #[arg(long, env = "OPSREPORT_PDF_STANDARD", value_enum, default_value = "none")]
    pdf_standard: PdfStandardFlag,
    /// `document` (A4) or `slides` (16:9 deck), written as `report.pdf`; or both,
    /// `document,slides`: the document as `report.pdf` and the deck as `slides.pdf`.
    #[arg(long, env = "OPSREPORT_FORMAT", value_enum, value_delimiter = ',', default_value = "document")]
    format: Vec<FormatFlag>,
    /// Reports made at once (worker threads; each holds one account's data). Default: one per core, plus one.
    #[arg(long, env = "OPSREPORT_JOBS", value_name = "N")]
    jobs: Option<NonZeroUsize>,
    /// Skip the accounts whose report of this month is already complete in --out (a manifest of
    /// the same month, report date and opsreport version): a re-run of a shard killed mid-run
    /// writes only what is missing, and a finished account is never written twice.
    #[arg(long, env = "OPSREPORT_RESUME")]
    resume: bool,
    /// With --source athena --all-accounts: run the fleet's queries once, batch by batch, and
    /// leave their results for the shards of the same run (OPSREPORT_RUN_ID) to read, instead of
    /// writing reports. Each shard (`--shard I/N`) then reads only its batches' results, with no
    /// query of its own.
    #[arg(long, env = "OPSREPORT_PREPARE")]
    prepare: bool,
}

/// A resolved selection.
pub struct Resolved {
    /// The source.
    pub source: Box<dyn Source>,
    /// How to name the source in messages.
    pub source_name: String,
    /// True for Athena (the fleet is read in one pass before the reports).
    pub remote: bool,
    /// The period.
    pub period: ReportPeriod,
    /// The accounts, sorted (a customers' run: every account of its customers).
    pub accounts: Vec<AccountId>,
    /// The customers whose reviews the run writes, sorted (none: the run writes accounts' reports).
    pub customers: Vec<CustomerId>,
    /// The document date.
    pub generated_on: chrono::NaiveDate,
    /// The batches of a prepared run this shard reads (`--prepare` ran first), if any.
    pub prepared: Option<Vec<Vec<AccountId>>>,
}

/// The newest `month=` partition of any dataset in a source (for the demo default).
fn latest_month(source: &LocalSource) -> Result<Option<YearMonth>, Failure> {
    let mut latest = None;
    for account in source.all_accounts().map_err(Failure::from_extract)? {
        for dataset in opsreport_model::DatasetName::ALL {
            let plan = source.plan_all_months(dataset, &account).map_err(Failure::from_extract)?;
            latest = latest.max(plan.months.last().copied());
        }
    }
    Ok(latest)
}

/// Resolves source, period, accounts and document date.
pub fn resolve(config: &Config, selection: &Selection) -> Result<Resolved, Failure> {
    let demo = selection.source.is_none();
    let choice = selection.source.clone().unwrap_or_else(|| SourceChoice::Folder(PathBuf::from(DEMO_SOURCE)));
    let (source, local, source_name) = open_source(config, &choice, selection.shard)?;
    let zone = settings::time_zone(selection.timezone.as_deref(), config)?;
    let kind = selection.period_kind()?;
    let period = match (&selection.event, selection.period_choice()) {
        (Some(event), _) => event_period(kind, event, zone)?,
        (None, Some(choice)) => choice.period(zone),
        (None, None) if demo => demo_period(kind, local.as_ref().expect("the demo reads local fixtures"), zone)?,
        (None, None) => PeriodChoice::Previous(kind).period(zone),
    };
    let mut customers = selected_customers(config, selection)?;
    let mut accounts = if customers.is_empty() {
        selected_accounts(selection, source.as_ref(), local.as_ref(), &period)?
    } else {
        customers::accounts_of(config, &customers)
    };
    if let Some(shard) = selection.shard {
        if customers.is_empty() {
            accounts = shard.of(accounts);
        } else {
            customers = shard.of(customers);
            accounts = customers::accounts_of(config, &customers);
        }
    }
    if accounts.is_empty() && selection.shard.is_none() {
        return Err(Failure::bad_input(anyhow::anyhow!(
            "no account has data for {} in {source_name}; check --source and the period",
            period.label(),
        )));
    }
    let generated_on = settings::generated_on(selection.generated_on.as_deref(), &period)?;
    Ok(Resolved { source, source_name, remote: local.is_none(), period, accounts, customers, generated_on, prepared: None })
}

/// An opened source, the local source when it is one, and the source's name for messages.
type OpenedSource = (Box<dyn Source>, Option<LocalSource>, String);

/// The source a choice names, wrapped for the datasets read from real exports (`[datasets.*]`);
/// the local source too when it is one (for the demo and account defaults); and its name for
/// messages.
fn open_source(config: &Config, choice: &SourceChoice, shard: Option<Shard>) -> Result<OpenedSource, Failure> {
    let mut configured = settings::configured_datasets(config);
    let elsewhere = configured.keys().copied().collect::<Vec<_>>();
    let (base, local, name): (Box<dyn Source>, Option<LocalSource>, String) = match choice {
        SourceChoice::Athena => {
            // Exports with a Glue `table` are queried through Athena; the others read from `location`.
            let (tables, files) = configured.into_iter().partition(|(_, source)| source.table.is_some());
            configured = files;
            let athena = crate::aws::athena_source(config, shard)?.without(elsewhere).with_raw_tables(tables);
            (Box::new(athena), None, format!("Athena database {}", config.athena.database))
        }
        SourceChoice::Folder(root) => {
            let local = LocalSource::new(root).map_err(Failure::from_extract)?.without(elsewhere).with_limits(config.limits);
            (Box::new(local.clone()), Some(local), root.display().to_string())
        }
    };
    let source: Box<dyn Source> = if configured.is_empty() {
        base
    } else {
        Box::new(ConfiguredSource::new(base, configured, crate::aws::store(config)?).with_limits(config.limits))
    };
    Ok((source, local, name))
}

impl Selection {
    /// The kind of report: `--kind`, or the kind `--week` / `--quarter` names (monthly when none
    /// is given); a period flag of another kind than `--kind` is an error.
    pub fn period_kind(&self) -> Result<PeriodKind, Failure> {
        let named = self.period_choice().map(PeriodChoice::kind);
        match (self.kind.map(PeriodKind::from), named) {
            (Some(kind), Some(named)) if kind != named => Err(Failure::bad_input(anyhow::anyhow!(
                "--kind {kind} does not go with a {named} period: pass {}",
                match kind {
                    PeriodKind::Weekly => "--week YYYY-Www|previous",
                    PeriodKind::Monthly => "--month YYYY-MM|previous",
                    PeriodKind::Quarterly => "--quarter YYYY-Qn|previous",
                }
            ))),
            (Some(kind), _) => Ok(kind),
            (None, named) => Ok(named.unwrap_or_default()),
        }
    }

    /// The period flag given, if any.
    pub fn period_choice(&self) -> Option<PeriodChoice> {
        self.month.map(PeriodChoice::from).or(self.week).or(self.quarter)
    }
}

/// The last full period of `kind` before a scheduled event's `time` (a file, or `-` for
/// standard input).
fn event_period(kind: PeriodKind, event: &str, zone: chrono_tz::Tz) -> Result<ReportPeriod, Failure> {
    let bytes = if event == "-" {
        input::read_limited(std::io::stdin(), "event", "from standard input", input::EVENT_MAX_BYTES)
    } else {
        input::read_file(Path::new(event), "event file", input::EVENT_MAX_BYTES)
    };
    let bytes = bytes.map_err(|error| Failure::bad_input(anyhow::anyhow!("{error}")))?;
    ReportPeriod::from_event_of_kind(kind, &String::from_utf8_lossy(&bytes), zone).map_err(Failure::bad_input)
}

/// The demo's period: the last full period of `kind` by the end of the newest month in the
/// committed fixtures (that month itself for a monthly report).
fn demo_period(kind: PeriodKind, local: &LocalSource, zone: chrono_tz::Tz) -> Result<ReportPeriod, Failure> {
    match latest_month(local)? {
        Some(month) => Ok(ReportPeriod::previous_full(kind, ReportPeriod::new(month, zone).end(), zone)),
        None => Err(Failure::bad_input(anyhow::anyhow!(
            "the demo fixtures in {DEMO_SOURCE} hold no data; run from the repository root"
        ))),
    }
}

/// `--customer`s (each configured), or every configured customer (`--all-customers`); sorted,
/// without repeats.
fn selected_customers(config: &Config, selection: &Selection) -> Result<Vec<CustomerId>, Failure> {
    if selection.all_customers {
        if config.customers.is_empty() {
            return Err(Failure::bad_input(anyhow::anyhow!(
                "--all-customers: the configuration names no customer; add a [customers.<id>] table with name and accounts"
            )));
        }
        return Ok(config.customers.keys().cloned().collect());
    }
    let mut customers = Vec::new();
    for id in &selection.customers {
        let id = CustomerId::parse(id.trim()).map_err(Failure::bad_input)?;
        if !config.customers.contains_key(&id) {
            let known: Vec<&str> = config.customers.keys().map(CustomerId::as_str).collect();
            return Err(Failure::bad_input(anyhow::anyhow!(
                "customer {id} is not in the configuration ({}); add [customers.{id}] with name and accounts",
                if known.is_empty() { "it names no customer".to_owned() } else { format!("it names {}", known.join(", ")) }
            )));
        }
        customers.push(id);
    }
    customers.sort();
    customers.dedup();
    Ok(customers)
}

/// `--account`s, or every account with data (`--all-accounts`), or a local source's first;
/// sorted, without repeats.
fn selected_accounts(
    selection: &Selection,
    source: &dyn Source,
    local: Option<&LocalSource>,
    period: &ReportPeriod,
) -> Result<Vec<AccountId>, Failure> {
    let mut accounts: Vec<AccountId> = if !selection.accounts.is_empty() {
        selection.accounts.iter().map(|id| AccountId::parse(id.trim())).collect::<Result<_, _>>().map_err(Failure::bad_input)?
    } else if selection.all_accounts {
        source.accounts(period).map_err(Failure::from_extract)?
    } else if let Some(local) = local {
        local.all_accounts().map_err(Failure::from_extract)?.into_iter().take(1).collect()
    } else {
        return Err(Failure::bad_input(anyhow::anyhow!("with --source athena, pass --account <ID> or --all-accounts")));
    };
    accounts.sort();
    accounts.dedup();
    Ok(accounts)
}

/// Worker threads when `--jobs` is not given: one per core, plus one. A worker is sometimes
/// idle within a report (syncing files to disk, waiting for the thread pools that lay out pages
/// and run queries, which the workers share); the extra worker keeps every core busy. On two
/// cores, 40 scale-1 reports took 9.6–9.8 s with three workers against 11.1 s with two, for
/// about 150 MiB more peak memory (each worker holds one account's data).
pub fn default_workers() -> usize {
    std::thread::available_parallelism().map(usize::from).unwrap_or(1) + 1
}

/// Runs `opsreport generate`: resolve what to report on, plan how, read ahead for the fleet,
/// run the fleet, summarize and pick the exit code.
pub fn run(config: &Config, args: GenerateArgs, log_format: LogFormat) -> Outcome {
    let run_started = Instant::now();
    let mut resolved = resolve(config, &args.selection)?;
    if !resolved.customers.is_empty() {
        return customers::run(config, &args, &resolved, log_format);
    }
    if args.prepare {
        return prepare(config, &args, &resolved);
    }
    use_prepared(&mut resolved, &args.selection)?;
    let plan = plan(config, &args, &resolved)?;
    let skipped = if args.resume { take_complete(&mut resolved, &plan.sink) } else { Vec::new() };
    opsreport_render::warm_up();
    let (results, read_ahead) = run_fleet(config, &resolved, &plan, log_format)?;
    let mut summary = summarize(&resolved, &plan, read_ahead, results);
    summary.accounts += skipped.len();
    summary.skipped = skipped;
    summary.run_id = std::env::var(crate::aws::RUN_ID_VARIABLE).ok().filter(|id| !id.is_empty());
    summary.shard = args.selection.shard.map(|shard| shard.to_string());
    summary.wall = run_started.elapsed();
    summary.peak_rss = memory::peak_rss_bytes();
    let count = resolved.accounts.len();
    // A person running one report has its line already; logs for machines always get the summary.
    match log_format {
        LogFormat::Human if count > 1 || !summary.failed.is_empty() || !summary.no_data.is_empty() => {
            logging::write_stderr(summary.to_text().as_bytes())
        }
        LogFormat::Human => {}
        LogFormat::Json => summary.log(),
    }
    Ok(exit_code(&summary, count))
}

/// One account's report of one period, asked for by the console's Regenerate.
pub struct OneReport {
    /// Where the data is.
    pub source: SourceChoice,
    /// The account.
    pub account: AccountId,
    /// The period (its kind, and its first day in the report time zone).
    pub period: ReportPeriod,
    /// Output folder, or `s3://bucket/prefix`.
    pub out: String,
    /// The layouts to write.
    pub formats: Vec<FormatFlag>,
}

/// How a regenerated report turned out: written (with a note when the account had no data in
/// the period, which its report says), or the failure's message.
pub type OneOutcome = Result<Option<String>, String>;

/// Writes one account's report of one period with the pipeline of a `generate` run (the same
/// reading, metrics, layout and atomic writing), for the console.
pub fn one_report(config: &Config, request: OneReport) -> OneOutcome {
    let kind = request.period.kind();
    let first_day = request.period.first_day();
    let selection = Selection {
        source: Some(request.source),
        accounts: vec![request.account.to_string()],
        all_accounts: false,
        customers: Vec::new(),
        all_customers: false,
        kind: Some(kind.into()),
        month: (kind == PeriodKind::Monthly).then(|| MonthChoice::Month(request.period.month())),
        week: (kind == PeriodKind::Weekly).then_some(PeriodChoice::Starting(kind, first_day)),
        quarter: (kind == PeriodKind::Quarterly).then_some(PeriodChoice::Starting(kind, first_day)),
        event: None,
        timezone: None,
        shard: None,
        generated_on: None,
    };
    let args = GenerateArgs {
        selection,
        out: request.out,
        pdf_standard: PdfStandardFlag::None,
        format: request.formats,
        jobs: NonZeroUsize::new(1),
        resume: false,
        prepare: false,
    };
    let described = |failure: Failure| format!("{:#}", failure.error);
    let resolved = resolve(config, &args.selection).map_err(described)?;
    let plan = plan(config, &args, &resolved).map_err(described)?;
    opsreport_render::warm_up();
    let (results, read_ahead) = run_fleet(config, &resolved, &plan, LogFormat::Human).map_err(described)?;
    let summary = summarize(&resolved, &plan, read_ahead, results);
    if let Some(failed) = summary.failed.first() {
        return Err(failed.message.clone());
    }
    Ok((!summary.no_data.is_empty()).then(|| format!("the account has no data for {}", resolved.period.label())))
}

/// `--prepare`: the fleet's queries, once, their results left for the shards of this run.
fn prepare(config: &Config, args: &GenerateArgs, resolved: &Resolved) -> Outcome {
    if !resolved.remote || !args.selection.all_accounts || args.selection.shard.is_some() {
        return Err(Failure::bad_input(anyhow::anyhow!(
            "--prepare goes with --source athena --all-accounts and no --shard: it queries for the whole fleet once"
        )));
    }
    let started = Instant::now();
    let batches = resolved
        .source
        .prepare_run(&resolved.accounts, &resolved.period, config.athena.batch_accounts as usize)
        .map_err(|error| Failure::from_extract(error).context(format!("cannot prepare {}", resolved.period.label())))?;
    tracing::info!(
        run_id = crate::aws::run_id().as_str(),
        batches = batches.len(),
        accounts = resolved.accounts.len(),
        "prepared run {} for {}: {} in {} batches, {} ({:.1} s); its shards read these results",
        crate::aws::run_id(),
        resolved.period.label(),
        plural(resolved.accounts.len() as u64, "account", "accounts"),
        batches.len(),
        resolved.source.statistics(),
        started.elapsed().as_secs_f64()
    );
    Ok(0)
}

/// A shard of a prepared run (`--prepare` ran with this run id) takes its batches of the run —
/// batch k when k ≡ I mod N — instead of its accounts by position, and reads their results.
/// Only for `--all-accounts`: a run for named accounts (on demand) queries for them.
fn use_prepared(resolved: &mut Resolved, selection: &Selection) -> Result<(), Failure> {
    if !resolved.remote || !selection.all_accounts {
        return Ok(());
    }
    let Some(batches) = resolved.source.prepared_batches(&resolved.period).map_err(Failure::from_extract)? else {
        return Ok(());
    };
    let mine: Vec<Vec<AccountId>> = batches
        .into_iter()
        .enumerate()
        .filter(|(number, _)| selection.shard.is_none_or(|shard| shard.owns(*number)))
        .map(|(_, batch)| batch)
        .collect();
    tracing::info!("a prepared run: reading {} of its batches' results, no queries", mine.len());
    resolved.accounts = mine.iter().flatten().cloned().collect();
    resolved.accounts.sort();
    resolved.prepared = Some(mine);
    Ok(())
}

/// Takes out of the run the accounts whose report of this period is already complete in the
/// sink (`--resume`), and returns them.
fn take_complete(resolved: &mut Resolved, sink: &Sink) -> Vec<AccountId> {
    let period = resolved.period.id();
    let generated_on = resolved.generated_on.to_string();
    let complete = |account: &AccountId| complete(sink, &Subject::Account(account.clone()), period, &generated_on);
    let (done, todo): (Vec<AccountId>, Vec<AccountId>) = std::mem::take(&mut resolved.accounts).into_iter().partition(complete);
    if let Some(batches) = &mut resolved.prepared {
        for batch in batches.iter_mut() {
            batch.retain(|account| !done.contains(account));
        }
        batches.retain(|batch| !batch.is_empty());
    }
    if !done.is_empty() {
        tracing::info!(
            "--resume: {} of {} account(s) already complete for {period}, skipped",
            done.len(),
            done.len() + todo.len()
        );
    }
    resolved.accounts = todo;
    done
}

/// Whether the sink holds a complete report of `subject` for `period` made with this report date
/// and version (what `--resume` skips).
fn complete(sink: &Sink, subject: &Subject, period: opsreport_model::PeriodId, generated_on: &str) -> bool {
    let folder = crate::output::report_folder(subject, period);
    let manifest = match sink {
        Sink::Folder(out) => std::fs::read(out.join(&folder).join("manifest.json")).ok(),
        Sink::S3(s3) => s3.manifest(&folder),
    };
    manifest.is_some_and(|bytes| crate::output::describes(&bytes, subject, period, generated_on))
}

/// How the reports of a run are made and where they go.
struct Plan {
    flavour: PdfFlavour,
    /// The formats to render, sorted, without repeats (the document first).
    formats: Vec<FormatFlag>,
    logo: Option<(String, Vec<u8>)>,
    sink: Sink,
    workers: usize,
    /// Per-stage peak memory is measured (the benchmark: one worker, `OPSREPORT_STAGE_MEMORY=1`).
    stage_memory: bool,
}

fn plan(config: &Config, args: &GenerateArgs, resolved: &Resolved) -> Result<Plan, Failure> {
    let flavour = match args.pdf_standard {
        PdfStandardFlag::None => PdfFlavour::Standard,
        PdfStandardFlag::A2b => PdfFlavour::A2b,
    };
    let sink = match parse_location(&args.out)? {
        Some(location) => Sink::S3(S3Sink::new(location, config)?),
        None => Sink::Folder(PathBuf::from(&args.out)),
    };
    let workers = args.jobs.map_or_else(default_workers, usize::from).min(resolved.accounts.len()).max(1);
    // Per-stage peaks need the process to itself: one worker only.
    let stage_memory = workers == 1 && std::env::var(STAGE_MEMORY_VARIABLE).is_ok_and(|value| value == "1");
    let mut formats = args.format.clone();
    formats.sort();
    formats.dedup();
    Ok(Plan { flavour, formats, logo: settings::logo(config)?, sink, workers, stage_memory })
}

/// One pass over the source for a batch of accounts where the source can (Athena: one query per
/// dataset); a failure here is the source's, so no account of the batch can be written. Returns
/// its time.
fn read_ahead(resolved: &Resolved, batch: &[AccountId]) -> Result<Duration, Failure> {
    let started = Instant::now();
    let month = resolved.period.label();
    info_span!("read_ahead", month = month.as_str(), accounts = batch.len())
        .in_scope(|| resolved.source.prefetch(batch, &resolved.period))
        .map_err(|error| {
            Failure::from_extract(error).context(format!("cannot read {} for {}", resolved.source_name, resolved.period.label()))
        })?;
    let took = started.elapsed();
    if resolved.remote {
        tracing::info!(
            "read {} from {} in {:.0} ms: {}",
            plural(batch.len() as u64, "account", "accounts"),
            resolved.source_name,
            took.as_secs_f64() * 1000.0,
            resolved.source.statistics()
        );
    }
    Ok(took)
}

/// The batches a run reads its accounts in: a remote source's by `[athena] batch_accounts`, so
/// memory holds at most two batches (the one being written and the next, read meanwhile); a
/// local source reads each account as its worker takes it, so one batch of all.
fn batches<'a>(config: &Config, resolved: &'a Resolved) -> Vec<&'a [AccountId]> {
    if let Some(prepared) = &resolved.prepared {
        return prepared.iter().map(Vec::as_slice).collect();
    }
    let size = if resolved.remote { (config.athena.batch_accounts as usize).max(1) } else { resolved.accounts.len().max(1) };
    resolved.accounts.chunks(size).collect()
}

/// A progress bar for a fleet on a terminal.
fn progress_bar(count: usize, log_format: LogFormat) -> Option<ProgressBar> {
    (count > 1 && log_format == LogFormat::Human && std::io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::new(count as u64).with_style(
            ProgressStyle::with_template("{elapsed_precise} [{bar:32}] {pos}/{len} accounts, {msg}, ETA {eta}")
                .expect("a valid template")
                .progress_chars("=> "),
        );
        bar.set_message("0 failed");
        logging::show_progress(bar.clone());
        bar
    })
}

/// One result per account: its report, its failure, or the panic that stopped it.
type AccountResults = Vec<Result<Result<Done, Failure>, String>>;

/// Writes every account's report on the plan's workers, batch by batch, while a reader thread
/// reads the next batch ahead; one result per account, in account order, and the time spent
/// reading ahead (remote sources). The first batch failing to read fails the run with nothing
/// written (the source is at fault); a later one fails its accounts.
fn run_fleet(
    config: &Config,
    resolved: &Resolved,
    plan: &Plan,
    log_format: LogFormat,
) -> Result<(AccountResults, Option<Duration>), Failure> {
    let batches = batches(config, resolved);
    let progress = progress_bar(resolved.accounts.len(), log_format);
    let mut failed_so_far = 0;
    let mut results = Vec::with_capacity(resolved.accounts.len());
    let mut reading = Duration::ZERO;
    let outcome = std::thread::scope(|scope| -> Result<(), Failure> {
        // A rendezvous channel: the reader reads batch k + 1 while batch k is written, then
        // waits, so no more than two batches are ever held.
        let (sender, receiver) = std::sync::mpsc::sync_channel(0);
        let reader_batches = batches.clone();
        scope.spawn(move || {
            for (number, batch) in reader_batches.into_iter().enumerate() {
                let read = read_ahead(resolved, batch);
                // The first batch failing ends the run: no need to read on.
                let stop = number == 0 && read.is_err();
                if sender.send(read).is_err() || stop {
                    break;
                }
            }
        });
        for (number, (batch, read)) in batches.iter().zip(receiver).enumerate() {
            match read {
                Ok(took) => reading += took,
                Err(failure) if number == 0 => return Err(failure),
                Err(failure) => {
                    let message = format!("{:#}", failure.error);
                    tracing::error!("{message}");
                    for _ in batch.iter() {
                        results.push(Ok(Err(Failure { code: failure.code, error: anyhow::anyhow!("{message}") })));
                        failed_so_far += 1;
                    }
                    if let Some(bar) = &progress {
                        bar.set_message(format!("{failed_so_far} failed"));
                        bar.inc(batch.len() as u64);
                    }
                    continue;
                }
            }
            results.extend(write_batch(config, resolved, plan, batch, |result| {
                if !matches!(result, Ok(Ok(_))) {
                    failed_so_far += 1;
                }
                if let Some(bar) = &progress {
                    bar.set_message(format!("{failed_so_far} failed"));
                    bar.inc(1);
                }
            }));
        }
        Ok(())
    });
    logging::hide_progress();
    outcome?;
    Ok((results, resolved.remote.then_some(reading)))
}

/// Writes one batch's reports on the plan's workers, calling `finished` as each completes.
fn write_batch(
    config: &Config,
    resolved: &Resolved,
    plan: &Plan,
    batch: &[AccountId],
    mut finished: impl FnMut(&Result<Result<Done, Failure>, String>),
) -> AccountResults {
    let month = resolved.period.label();
    fleet::for_each_parallel(
        batch.len(),
        plan.workers,
        |index| {
            let account = &batch[index];
            let span = info_span!("account", account_id = account.as_str(), month = month.as_str());
            let _entered = span.enter();
            let result = report(config, resolved, account, plan);
            log_report(account, &result);
            result
        },
        |_, result| finished(result),
    )
}

/// The log lines of one account's report: its warnings and stage times, or its error.
fn log_report(account: &AccountId, result: &Result<Done, Failure>) {
    match result {
        Ok(done) => {
            for warning in &done.warnings {
                tracing::warn!("account {account}: typst: {warning}");
            }
            for warning in &done.data_warnings {
                tracing::warn!("account {account}: {warning}");
            }
            let ms = |duration: Duration| duration.as_secs_f64() * 1000.0;
            let stages: Vec<String> =
                Stage::ALL.iter().map(|stage| format!("{} {:.0}", stage.name(), ms(done.times[*stage]))).collect();
            tracing::info!(
                "wrote {} ({} pages) in {:.0} ms: {} ms",
                done.folder,
                done.pages,
                ms(done.times.total()),
                stages.join(", ")
            );
        }
        Err(failure) => tracing::error!("account {account}: {:#}", failure.error),
    }
}

/// The run summary from every account's result.
fn summarize(
    resolved: &Resolved,
    plan: &Plan,
    read_ahead: Option<Duration>,
    results: Vec<Result<Result<Done, Failure>, String>>,
) -> fleet::Summary {
    let mut summary = fleet::Summary {
        month: resolved.period.label(),
        accounts: resolved.accounts.len(),
        workers: plan.workers,
        read_ahead,
        statistics: resolved.source.statistics(),
        ..fleet::Summary::default()
    };
    for (account, result) in resolved.accounts.iter().zip(results) {
        match result {
            Ok(Ok(done)) => {
                if !done.data_warnings.is_empty() {
                    summary.warned.push((account.clone(), done.data_warnings.clone()));
                }
                if done.no_data {
                    summary.no_data.push(account.clone());
                }
                summary.written.push((account.clone(), done.times, done.peaks));
            }
            Ok(Err(failure)) => summary.failed.push(FailedAccount {
                account: account.clone(),
                code: failure.code,
                message: format!("{:#}", failure.error),
            }),
            Err(panic) => {
                let panic = format!("internal error (panic): {panic}; please report it with the account's data");
                tracing::error!("account {account}: {panic}");
                summary.failed.push(FailedAccount { account: account.clone(), code: EXIT_SOME_FAILED, message: panic });
            }
        }
    }
    summary
}

/// The exit policy: 0 when every report was written with data; a single account's own failure
/// code; otherwise 1. An account without any data is written (its report says so) but is not a
/// success: a scheduler must see it.
fn exit_code(summary: &fleet::Summary, count: usize) -> u8 {
    match (summary.written.len(), summary.failed.first()) {
        (_, None) if summary.no_data.is_empty() => 0,
        (0, Some(failed)) if count == 1 => failed.code,
        _ => EXIT_SOME_FAILED,
    }
}

/// Set to `1` (with one worker) to measure each stage's peak memory, as the benchmark does.
pub const STAGE_MEMORY_VARIABLE: &str = "OPSREPORT_STAGE_MEMORY";

/// What writing one report produced, and where the time and memory went.
struct Done {
    folder: String,
    pages: usize,
    /// Typst's warnings.
    warnings: Vec<String>,
    /// What the data did not cover (`dataset: warning`), and whether there was none at all.
    data_warnings: Vec<String>,
    no_data: bool,
    times: StageTimes,
    peaks: StagePeaks,
}

/// Peak memory per stage when asked for: the mark is reset as a stage starts and read as it ends.
struct StageMemory {
    enabled: bool,
}

impl StageMemory {
    fn start(&self) {
        if self.enabled {
            memory::reset_peak();
        }
    }

    fn end(&self) -> Option<u64> {
        if self.enabled { memory::peak_rss_bytes() } else { None }
    }
}

fn report(config: &Config, resolved: &Resolved, account: &AccountId, plan: &Plan) -> Result<Done, Failure> {
    let probe = StageMemory { enabled: plan.stage_memory };
    probe.start();
    let data = info_span!("extract")
        .in_scope(|| resolved.source.load_account(account, &resolved.period))
        .map_err(Failure::from_extract)?;
    let extract = data.timings;
    let extract_peak = probe.end();
    probe.start();
    let started = Instant::now();
    let metrics = info_span!("metrics").in_scope(|| pipeline::metrics(&data, config, resolved.generated_on))?;
    let metrics_time = started.elapsed();
    let metrics_peak = probe.end();
    probe.start();
    let mut rendered = info_span!("render").in_scope(|| render_formats(config, plan, &metrics, data.notes.as_ref()))?;
    let render_peak = probe.end();
    let (mut data_warnings, no_data) = data_warnings(&data);
    data_warnings.extend(held(&metrics).into_iter().map(|reason| format!("held: {reason}")));
    if no_data {
        tracing::warn!(
            "account {account}: no dataset has any data for {}; the report is written and says so, and the run exits 1",
            resolved.period.label()
        );
    }
    drop(data);
    let (pages, warnings, timings) =
        (rendered.pages, std::mem::take(&mut rendered.warnings), std::mem::take(&mut rendered.timings));
    let files = report_files(&metrics, rendered)?;
    probe.start();
    let started = Instant::now();
    let folder = write(plan, &metrics, &files)?;
    let (write_time, write_peak) = (started.elapsed(), probe.end());
    Ok(Done {
        folder,
        pages,
        warnings,
        data_warnings,
        no_data,
        times: StageTimes::from_fn(|stage| match stage {
            Stage::Extract => extract.read,
            Stage::Validate => extract.validate,
            Stage::Metrics => metrics_time,
            Stage::Charts => timings.charts,
            Stage::Compile => timings.compile,
            Stage::Export => timings.export,
            Stage::Write => write_time,
        }),
        // Extract and validate are one call, as are the three render stages: they share a peak.
        peaks: StagePeaks::from_fn(|stage| match stage {
            Stage::Extract | Stage::Validate => extract_peak,
            Stage::Metrics => metrics_peak,
            Stage::Charts | Stage::Compile | Stage::Export => render_peak,
            Stage::Write => write_peak,
        }),
    })
}

/// A report's files: the documents first, then the numbers and tables (an interrupted upload
/// leaves no manifest either way; this order keeps the largest files first).
fn report_files(metrics: &opsreport_model::Metrics, rendered: RenderedFormats) -> Result<Vec<OutputFile>, Failure> {
    let mut metrics_json = pipeline::metrics_json(metrics)?.into_bytes();
    metrics_json.push(b'\n');
    let mut files: Vec<OutputFile> =
        rendered.pdfs.into_iter().map(|(path, bytes)| OutputFile { path: path.into(), bytes }).collect();
    files.push(OutputFile { path: "metrics.json".into(), bytes: metrics_json });
    for table in &rendered.tables {
        files.push(OutputFile { path: format!("tables/{}.csv", table.name), bytes: csv(&table.columns, &table.rows) });
    }
    Ok(files)
}

/// Writes a report's files to the plan's sink, in the folder of the report's subject and
/// period; returns where.
fn write(plan: &Plan, metrics: &opsreport_model::Metrics, files: &[OutputFile]) -> Result<String, Failure> {
    let held = held(metrics);
    let identity = ReportIdentity {
        subject: &metrics.subject,
        period: metrics.period,
        month: metrics.month,
        generated_on: &metrics.generated_on.to_string(),
        generator_version: &metrics.generator_version,
        input_fingerprint: &metrics.input_fingerprint,
        held: &held,
    };
    info_span!("write").in_scope(|| match &plan.sink {
        Sink::Folder(out) => write_report(out, &identity, files)
            .map_err(|error| {
                Failure::source_or_sink(anyhow::anyhow!(
                    "cannot write the report for {} under {}: {error}",
                    metrics.subject,
                    out.display()
                ))
            })
            .map(|folder| folder.display().to_string()),
        Sink::S3(s3) => s3.write_report(&identity, files),
    })
}

/// Why a report is held: written, but sent only when its user confirms (`Manifest::held`).
pub(crate) fn held(metrics: &opsreport_model::Metrics) -> Vec<String> {
    let left_out = metrics.customer.as_ref().map_or(0, |rollup| rollup.not_included.len());
    opsreport_render::format::held_reasons(left_out, &metrics.freshness.stale)
}

/// What rendering an account's report in the run's formats produced.
struct RenderedFormats {
    /// `(file name, PDF)` per format, the document first.
    pdfs: Vec<(&'static str, Vec<u8>)>,
    /// The report's tables (the same in every format).
    tables: Vec<opsreport_render::Table>,
    /// Typst's warnings of every format.
    warnings: Vec<String>,
    /// Pages of the first format.
    pages: usize,
    /// The time of every format added up.
    timings: opsreport_render::RenderTimings,
}

/// Renders the report in each format the run asks for (`--format`).
fn render_formats(
    config: &Config,
    plan: &Plan,
    metrics: &opsreport_model::Metrics,
    notes: Option<&opsreport_model::Notes>,
) -> Result<RenderedFormats, Failure> {
    let mut out = RenderedFormats {
        pdfs: Vec::new(),
        tables: Vec::new(),
        warnings: Vec::new(),
        pages: 0,
        timings: opsreport_render::RenderTimings::default(),
    };
    for format in &plan.formats {
        let layout = match format {
            FormatFlag::Document => opsreport_render::Layout::Document,
            FormatFlag::Slides => opsreport_render::Layout::Slides,
        };
        let rendered = opsreport_render::render(&opsreport_render::ReportInput {
            metrics,
            notes,
            config,
            logo: plan.logo.clone(),
            flavour: plan.flavour,
            layout,
        })
        .map_err(Failure::source_or_sink)?;
        if out.pdfs.is_empty() {
            out.pages = rendered.pages;
            out.tables = rendered.tables;
        }
        out.warnings.extend(rendered.warnings);
        out.timings.charts += rendered.timings.charts;
        out.timings.compile += rendered.timings.compile;
        out.timings.export += rendered.timings.export;
        // One format is the report (`report.pdf`, whichever it is); with both, the deck is
        // `slides.pdf` beside the document.
        let name = if plan.formats.len() == 1 { "report.pdf" } else { layout.file_name() };
        out.pdfs.push((name, rendered.pdf));
    }
    Ok(out)
}

/// The data-quality warnings of an account's datasets (`dataset: warning`), and whether no
/// dataset had any data at all.
fn data_warnings(data: &opsreport_extract::AccountData) -> (Vec<String>, bool) {
    let warnings = data
        .datasets
        .values()
        .flat_map(|dataset| dataset.quality.warnings.iter().map(|warning| format!("{}: {warning}", dataset.quality.dataset)))
        .collect();
    (warnings, data.datasets.values().all(|dataset| dataset.frame.is_none()))
}
