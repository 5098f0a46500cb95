//! The Athena source: the production backend of the same contract the local source reads.
//!
//! Each dataset is one query (`queries/<dataset>.sql`) for *all* requested accounts — the
//! number of queries is the number of datasets, not datasets × accounts. Results come back as
//! Parquet objects an `UNLOAD` writes under a per-run prefix (default; removed afterwards) or as
//! `GetQueryResults` pages. They are then cut into per-account, per-month parts — the shape of
//! the local layout — and go through the same [`validate`] as local files, so both backends
//! yield the same frames and data-quality counts.
//!
//! Rows come back from Athena in no particular order; each part is sorted by every column
//! before validation, so a report is the same bytes whatever order Athena chose.
//!
//! Account discovery (`--all-accounts`) and notes read the dataset layout in S3 directly
//! (`athena.data_location`): with partition projection on an injected account id, Athena
//! itself cannot list the accounts a table holds.

pub mod query;
pub mod results;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use opsreport_model::config::{AthenaResultMode, AthenaSettings};
use opsreport_model::contract::ACCOUNT_COLUMN;
use opsreport_model::sources::DatasetSource;
use opsreport_model::{AccountId, DatasetName, Notes, ReportPeriod, YearMonth};
use polars::prelude::*;
use sha2::{Digest, Sha256};

use crate::notes::NotesFiles;
use crate::queries::{prepare, prepare_raw};
use crate::s3::S3Uri;
use crate::source::Dataset;
use crate::source::{AccountData, ExtractTimings, ReadStatistics, Source, months_to_read};
use crate::validate::{Part, validate};
use crate::{ExtractError, Result, Subject};

/// The partition column the queries of month-partitioned tables return.
const MONTH_COLUMN: &str = "month";

/// How the source talks to Athena, resolved from `[athena]` and its environment variables.
#[derive(Clone, Debug)]
pub struct AthenaOptions {
    /// Workgroup.
    pub workgroup: String,
    /// Glue database.
    pub database: String,
    /// Data catalog.
    pub catalog: String,
    /// Where query results go (unset: the workgroup's setting).
    pub output_location: Option<S3Uri>,
    /// Reuse SELECT results up to this age, minutes.
    pub result_reuse_minutes: Option<u32>,
    /// Queries running at once.
    pub concurrency: usize,
    /// Result transport.
    pub result_mode: AthenaResultMode,
    /// Longest wait for a whole batch of queries.
    pub deadline: Duration,
    /// This run's `UNLOAD` prefix (`<output>/opsreport-unload/<run id>`, a shard's own below
    /// `<run id>-shard-<I>-of-<N>`); each batch of accounts unloads below it, into
    /// `batch-<NNNNN>/<dataset>/`, removed once read.
    pub unload_prefix: Option<S3Uri>,
    /// The run's prefix, shared by its shards: where a prepared run (`--prepare`) leaves its
    /// batches' results and their index, `batches.json`.
    pub run_prefix: Option<S3Uri>,
    /// Whether queries read their results (false while preparing a run for its shards).
    pub read_results: bool,
    /// The dataset layout in S3, for account discovery and notes.
    pub data_location: Option<S3Uri>,
}

impl AthenaOptions {
    /// Resolves the settings for a run named `run_id` (letters, digits, `-`; unique per run).
    pub fn from_settings(settings: &AthenaSettings, run_id: &str) -> Result<Self> {
        let setting = |key: &str, reason: String| ExtractError::AthenaSetting { key: key.to_owned(), reason };
        let location = |key: &str, value: &Option<String>| -> Result<Option<S3Uri>> {
            value
                .as_deref()
                .map(|text| {
                    S3Uri::parse(text).ok_or_else(|| {
                        setting(key, format!("{text:?} is not an s3://bucket/prefix URI (no quotes or backslashes)"))
                    })
                })
                .transpose()
        };
        if run_id.is_empty() || !run_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(setting("run id", format!("{run_id:?} must be letters, digits and '-'")));
        }
        let output_location = location("athena.output_location (OPSREPORT_ATHENA_OUTPUT_LOCATION)", &settings.output_location)?;
        let data_location = location("athena.data_location (OPSREPORT_ATHENA_DATA_LOCATION)", &settings.data_location)?;
        let unload_prefix = match (settings.result_mode, &output_location) {
            (AthenaResultMode::Unload, Some(output)) => Some(output.join("opsreport-unload").join(run_id)),
            (AthenaResultMode::Unload, None) => {
                return Err(setting(
                    "athena.output_location (OPSREPORT_ATHENA_OUTPUT_LOCATION)",
                    "result_mode = \"unload\" writes Parquet under this location: set it to an s3:// URI the job may write, or set athena.result_mode = \"paging\"".into(),
                ));
            }
            (AthenaResultMode::Paging, _) => None,
        };
        Ok(Self {
            workgroup: settings.workgroup.clone(),
            database: settings.database.clone(),
            catalog: settings.catalog.clone(),
            output_location,
            result_reuse_minutes: settings.result_reuse_minutes,
            concurrency: settings.concurrency.max(1) as usize,
            result_mode: settings.result_mode,
            deadline: Duration::from_secs(settings.deadline_seconds),
            run_prefix: unload_prefix.clone(),
            unload_prefix,
            data_location,
            read_results: true,
        })
    }

    /// The options of one shard of the run: its own `UNLOAD` prefix, the run's prefix kept.
    pub fn for_shard(mut self, shard: &str) -> Self {
        if let Some(run) = &self.run_prefix {
            let name = run.prefix.rsplit('/').next().unwrap_or_default().to_owned();
            let parent = run.prefix.rsplit_once('/').map_or(String::new(), |(parent, _)| parent.to_owned());
            let own = format!("{name}-shard-{shard}");
            self.unload_prefix = Some(S3Uri {
                bucket: run.bucket.clone(),
                prefix: if parent.is_empty() { own } else { format!("{parent}/{own}") },
            });
        }
        self
    }
}

/// Batches whose queries a prepared run (`--prepare`) runs at once: with `concurrency` queries
/// each, 4 × 5 = 20 by default, within Athena's usual quota of active queries.
const PREPARE_BATCHES_AT_ONCE: usize = 4;

/// The name of a prepared run's index under its prefix: `{"month": "YYYY-MM", "batches":
/// [[account, …], …]}`, the accounts of each batch in batch order.
const PREPARED_INDEX: &str = "batches.json";

/// The SDK clients a source uses (cheap to clone).
#[derive(Clone, Debug)]
pub struct Clients {
    /// Athena.
    pub athena: aws_sdk_athena::Client,
    /// S3 (UNLOAD results, account discovery, notes).
    pub s3: aws_sdk_s3::Client,
}

/// One query of a run, for the run's log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryRecord {
    /// Dataset.
    pub dataset: DatasetName,
    /// Athena's id of the execution.
    pub query_execution_id: String,
    /// Bytes Athena scanned.
    pub bytes_scanned: Option<i64>,
    /// Rows returned (all accounts).
    pub rows: u64,
    /// `UNLOAD` result objects read (none when paging).
    pub objects: u64,
    /// Their bytes.
    pub object_bytes: u64,
}

/// Rows of one account read ahead, per dataset: `(month, rows)` parts.
type AccountParts = BTreeMap<DatasetName, Vec<(Option<YearMonth>, DataFrame)>>;

/// What a fleet query brought back, waiting for `load_account`.
#[derive(Default)]
struct ReadAhead {
    period: Option<ReportPeriod>,
    accounts: BTreeMap<AccountId, AccountParts>,
}

/// Reads the contract's datasets through Athena.
pub struct AthenaSource {
    runtime: tokio::runtime::Runtime,
    clients: Clients,
    options: Arc<AthenaOptions>,
    read_ahead: Mutex<ReadAhead>,
    queries: Mutex<Vec<QueryRecord>>,
    /// The batches of a prepared run, once found (`prepared_batches`).
    prepared: Mutex<Option<Vec<Vec<AccountId>>>>,
    /// Batches of accounts read so far (numbers each batch's `UNLOAD` prefix).
    batches_read: std::sync::atomic::AtomicUsize,
    /// Datasets read from elsewhere (`[datasets.*]`): no contract query is run for them.
    skipped: BTreeSet<DatasetName>,
    /// Datasets read from a real export's own table (`[datasets.*] table`), mapped after the read.
    raw: BTreeMap<DatasetName, DatasetSource>,
}

impl AthenaSource {
    /// A source with its own runtime (the caller builds the clients from the AWS default chain).
    pub fn new(runtime: tokio::runtime::Runtime, clients: Clients, options: AthenaOptions) -> Self {
        Self {
            runtime,
            clients,
            options: Arc::new(options),
            read_ahead: Mutex::default(),
            queries: Mutex::default(),
            prepared: Mutex::default(),
            batches_read: std::sync::atomic::AtomicUsize::new(0),
            skipped: BTreeSet::new(),
            raw: BTreeMap::new(),
        }
    }

    /// Reads these datasets from their export's own Glue table (`table`) instead: one query per
    /// dataset for the fleet, pruned by the export's partitions and the accounts, the rows then
    /// mapped to the contract like files of that format (`docs/sources.md`).
    pub fn with_raw_tables(mut self, sources: BTreeMap<DatasetName, DatasetSource>) -> Self {
        self.skipped.extend(sources.keys().copied());
        self.raw = sources;
        self
    }

    /// The same source without `datasets` (they come from another source): no query is run for
    /// them and they load as missing.
    pub fn without(mut self, datasets: impl IntoIterator<Item = DatasetName>) -> Self {
        self.skipped.extend(datasets);
        self
    }

    /// The options in use.
    pub fn options(&self) -> &AthenaOptions {
        &self.options
    }

    /// Every query run so far, in dataset order per batch.
    pub fn queries(&self) -> Vec<QueryRecord> {
        self.queries.lock().expect("not poisoned").clone()
    }

    /// The options of the next batch of accounts: its own `UNLOAD` prefix below the run's.
    fn batch_options(&self) -> Arc<AthenaOptions> {
        let number = self.batches_read.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let prefix = self.options.unload_prefix.as_ref().map(|prefix| prefix.join(&format!("batch-{number:05}")));
        Arc::new(AthenaOptions { unload_prefix: prefix, ..(*self.options).clone() })
    }

    /// The queries of one batch of accounts: one per contract dataset, and one per real export
    /// read from its own table.
    fn batch_queries(&self, accounts: &[AccountId], period: &ReportPeriod) -> Result<Vec<crate::queries::PreparedQuery>> {
        let mut queries: Vec<_> = DatasetName::ALL
            .into_iter()
            .filter(|dataset| !self.skipped.contains(dataset))
            .map(|dataset| prepare(dataset, accounts, period))
            .collect();
        for (dataset, source) in &self.raw {
            queries.push(
                prepare_raw(*dataset, source, accounts, period).map_err(|reason| ExtractError::SourceSetting {
                    dataset: dataset.into(),
                    reason: format!("table: {reason}"),
                })?,
            );
        }
        Ok(queries)
    }

    /// The prepared batch holding every one of `accounts`, with its number, if the run is
    /// prepared.
    fn prepared_batch(&self, accounts: &[AccountId]) -> Option<usize> {
        let prepared = self.prepared.lock().expect("not poisoned");
        prepared.as_ref()?.iter().position(|batch| accounts.iter().all(|account| batch.contains(account)))
    }

    /// The results a prepared run left for batch `number`: each dataset's `UNLOAD` objects.
    fn read_prepared(&self, number: usize) -> Result<Vec<query::QueryOutcome>> {
        let run = self.options.run_prefix.as_ref().ok_or_else(|| ExtractError::AthenaSetting {
            key: "athena.output_location (OPSREPORT_ATHENA_OUTPUT_LOCATION)".into(),
            reason: "a prepared run's results are read from its UNLOAD prefix: set it".into(),
        })?;
        let batch = run.join(&format!("batch-{number:05}"));
        let datasets: Vec<DatasetName> = DatasetName::ALL
            .into_iter()
            .filter(|dataset| !self.skipped.contains(dataset))
            .chain(self.raw.keys().copied())
            .collect();
        self.runtime.block_on(async {
            let mut outcomes = Vec::with_capacity(datasets.len());
            for dataset in datasets {
                let parts = results::read_objects(&self.clients, dataset, &batch.join(dataset.as_str())).await?;
                outcomes.push(query::QueryOutcome {
                    dataset,
                    query_execution_id: format!("prepared:{}", batch),
                    bytes_scanned: None,
                    parts,
                });
            }
            Ok(outcomes)
        })
    }

    /// Runs the 15 dataset queries once for `accounts` (a batch) and keeps each account's rows;
    /// in a prepared run, reads the batch's results instead.
    fn read_accounts(&self, accounts: &[AccountId], period: &ReportPeriod) -> Result<()> {
        if let Some(number) = self.prepared_batch(accounts) {
            let outcomes = self.read_prepared(number)?;
            return self.keep_accounts(accounts, period, outcomes, false);
        }
        let options = self.batch_options();
        let queries = self.batch_queries(accounts, period)?;
        let outcomes = self.runtime.block_on(async {
            let outcomes = query::run_queries(&self.clients, &options, queries).await;
            if let Some(prefix) = &options.unload_prefix {
                // The objects are in memory now (or the run failed): the prefix is not needed.
                crate::s3::remove_prefix(&self.clients.s3, Subject::Athena, prefix).await?;
            }
            outcomes
        })?;
        self.keep_accounts(accounts, period, outcomes, true)
    }

    /// Keeps each account's rows of a batch's results for `load_account`, and records the
    /// queries (`counted`: run by this source, not read from a prepared run).
    fn keep_accounts(
        &self,
        accounts: &[AccountId],
        period: &ReportPeriod,
        outcomes: Vec<query::QueryOutcome>,
        counted: bool,
    ) -> Result<()> {
        let mut read: BTreeMap<AccountId, AccountParts> =
            accounts.iter().map(|account| (account.clone(), BTreeMap::new())).collect();
        let mut records = Vec::new();
        for outcome in outcomes {
            let dataset = outcome.dataset;
            let (objects, object_bytes) = outcome.parts.iter().fold((0, 0), |(count, bytes), part| match part {
                results::ResultPart::Parquet { bytes: content, .. } => (count + 1, bytes + content.len() as u64),
                results::ResultPart::Frame(_) => (count, bytes),
            });
            // All parts of a result together, so each (account, month) becomes one sorted part
            // however Athena spread the rows over objects.
            let mut combined: Option<DataFrame> = None;
            for part in outcome.parts {
                let part = results::part_frame(dataset, part)?;
                match combined.as_mut() {
                    None => combined = Some(part),
                    Some(all) => {
                        all.vstack_mut_owned(part).map_err(|error| ExtractError::Engine {
                            dataset: dataset.into(),
                            reason: format!("the result's objects do not share one schema: {error}"),
                        })?;
                    }
                }
            }
            let rows = combined.as_ref().map_or(0, |frame| frame.height() as u64);
            if let Some(result) = combined {
                let pieces = match self.raw.get(&dataset) {
                    Some(source) => split_raw_by_account(dataset, source, result)?,
                    None => split_by_account_and_month(dataset, result)?,
                };
                for (account, month, frame) in pieces {
                    // Rows of accounts not asked for reach no one.
                    if let Some(parts) = read.get_mut(&account) {
                        parts.entry(dataset).or_default().push((month, frame));
                    }
                }
            }
            tracing::debug!(
                dataset = dataset.as_str(),
                query_execution_id = outcome.query_execution_id.as_str(),
                bytes_scanned = outcome.bytes_scanned.unwrap_or_default(),
                rows,
                objects,
                "athena query read"
            );
            records.push(QueryRecord {
                dataset,
                query_execution_id: outcome.query_execution_id,
                bytes_scanned: outcome.bytes_scanned,
                rows,
                objects,
                object_bytes,
            });
        }
        if counted {
            self.queries.lock().expect("not poisoned").extend(records);
        }
        let mut read_ahead = self.read_ahead.lock().expect("not poisoned");
        if read_ahead.period != Some(*period) {
            *read_ahead = ReadAhead { period: Some(*period), accounts: BTreeMap::new() };
        }
        read_ahead.accounts.extend(read);
        Ok(())
    }

    /// The notes of an account and month from `<data_location>/notes/<id>/`: its profile, the
    /// month's notes and the earlier months' open action items (`crate::notes`).
    fn notes(&self, account: &AccountId, period: &ReportPeriod) -> Result<Option<Notes>> {
        self.notes_in(account.as_str(), period)
    }

    /// The notes in `<data_location>/notes/<name>/` (an account's or a customer's folder).
    fn notes_in(&self, name: &str, period: &ReportPeriod) -> Result<Option<Notes>> {
        let Some(location) = &self.options.data_location else {
            return Ok(None);
        };
        let folder = location.join("notes").join(name);
        let keys = self.runtime.block_on(crate::s3::list_keys(&self.clients.s3, Subject::Notes, &folder))?;
        let prefix = folder.key_prefix();
        let names: Vec<String> = keys
            .iter()
            .filter_map(|key| key.strip_prefix(&prefix))
            .filter(|name| !name.contains('/'))
            .map(str::to_owned)
            .collect();
        let origin = folder.to_string();
        let noted = opsreport_model::memory::Noted::of_period(period);
        let files = NotesFiles::pick(&names, &noted, &origin)?;
        files.read(noted, &origin, |name| {
            let key = format!("{prefix}{name}");
            let bytes = self.runtime.block_on(crate::s3::get_object(&self.clients.s3, Subject::Notes, &folder.bucket, &key))?;
            Ok(bytes.unwrap_or_default())
        })
    }

    /// The accounts with a `month=` partition of `month` in any dataset, from the S3 layout.
    async fn discover_accounts(&self, location: &S3Uri, months: &[YearMonth]) -> Result<Vec<AccountId>> {
        let mut found = BTreeSet::new();
        let mut candidates = BTreeSet::new();
        let partitioned: Vec<DatasetName> = DatasetName::ALL
            .into_iter()
            .filter(|dataset| dataset.spec().partition_column.is_some() && !self.skipped.contains(dataset))
            .collect();
        for dataset in &partitioned {
            for folder in list_folders(&self.clients, dataset.into(), &location.join(dataset.as_str())).await? {
                let Some(id) = folder.strip_prefix(&format!("{ACCOUNT_COLUMN}=")) else { continue };
                let account = AccountId::parse(id).map_err(|error| ExtractError::InvalidPartition {
                    dataset: dataset.into(),
                    path: location.join(dataset.as_str()).join(&folder).to_string().into(),
                    reason: error.to_string(),
                })?;
                candidates.insert((account, *dataset));
            }
        }
        for ((account, dataset), month) in
            candidates.into_iter().flat_map(|candidate| months.iter().map(move |month| (candidate.clone(), *month)))
        {
            if found.contains(&account) {
                continue;
            }
            let partition =
                location.join(dataset.as_str()).join(&format!("{ACCOUNT_COLUMN}={account}")).join(&format!("month={month}"));
            if crate::s3::has_objects(&self.clients.s3, dataset.into(), &partition).await? {
                found.insert(account);
            }
        }
        Ok(found.into_iter().collect())
    }
}

impl AthenaSource {
    /// One account's rows of a real export's table, mapped and validated like files of it.
    fn load_raw(
        &self,
        dataset: DatasetName,
        source: &DatasetSource,
        account: &AccountId,
        period: &ReportPeriod,
        pieces: Vec<(Option<YearMonth>, DataFrame)>,
        digest: &mut Sha256,
    ) -> Result<Dataset> {
        let engine = |error: PolarsError| ExtractError::Engine { dataset: dataset.into(), reason: error.to_string() };
        let table = source.table.as_deref().unwrap_or_default();
        let mut raws = Vec::new();
        for (_, frame) in pieces {
            // Cost exports are summed per billing period: one part per period.
            let periods: Vec<Option<YearMonth>> = match frame.column("billing_period") {
                Ok(values) if matches!(crate::formats::of(source.format).rows(), crate::formats::Rows::Costs(_)) => {
                    let values = values.cast(&DataType::String).map_err(engine)?;
                    let mut found: Vec<Option<YearMonth>> = values
                        .str()
                        .map_err(engine)?
                        .iter()
                        .map(|text| text.and_then(|text| YearMonth::parse(text).ok()))
                        .collect();
                    found.sort();
                    found.dedup();
                    found
                }
                _ => vec![None],
            };
            for billing_period in periods {
                let mut part = match billing_period {
                    Some(month) => {
                        let values = frame.column("billing_period").map_err(engine)?.cast(&DataType::String).map_err(engine)?;
                        let month_text = month.to_string();
                        let keep: BooleanChunked =
                            values.str().map_err(engine)?.iter().map(|text| text == Some(month_text.as_str())).collect();
                        frame.filter(&keep).map_err(engine)?
                    }
                    None => frame.clone(),
                };
                let label = match billing_period {
                    Some(month) => format!("athena:{table}/account={account}/billing_period={month}"),
                    None => format!("athena:{table}/account={account}"),
                };
                digest.update(format!("{dataset}\n{label}\n").as_bytes());
                results::digest_frame(&part, digest).map_err(engine)?;
                let rows = part.height() as u64;
                part.with_column(Column::new(crate::formats::LINE_COLUMN.into(), (1..=rows).collect::<Vec<u64>>()))
                    .map_err(engine)?;
                raws.push(crate::formats::RawPart { label, frame: part, day: None, billing_period });
            }
        }
        let mapping = crate::formats::Mapping { dataset, source, account };
        let mut loaded = crate::formats::load(&mapping, period, raws)?;
        if loaded.frame.is_none() {
            loaded.quality.missing_reason = Some(format!(
                "no {dataset} rows for account {account} in {} (Athena table {table})",
                source.format.description()
            ));
        }
        Ok(loaded)
    }
}

/// Cuts a real-format table's result into per-account pieces, each sorted by every column
/// (Athena's row order is arbitrary). Rows of accounts not asked for are dropped by the caller.
fn split_raw_by_account(
    dataset: DatasetName,
    source: &DatasetSource,
    result: DataFrame,
) -> Result<Vec<(AccountId, Option<YearMonth>, DataFrame)>> {
    let engine = |error: PolarsError| ExtractError::Engine { dataset: dataset.into(), reason: error.to_string() };
    let wanted = crate::formats::of(source.format).table_account_column(source).unwrap_or_default();
    let Some(column) = result.get_column_names().into_iter().find(|name| name.eq_ignore_ascii_case(&wanted)).cloned() else {
        return Err(ExtractError::MissingColumn {
            dataset: dataset.into(),
            file: format!("athena:{}", source.table.as_deref().unwrap_or_default()),
            column: wanted,
        });
    };
    let names: Vec<PlSmallStr> = result.get_column_names().into_iter().cloned().collect();
    let sorted = result
        .lazy()
        .sort(names, SortMultipleOptions::default().with_nulls_last(true).with_maintain_order(true))
        .collect()
        .map_err(engine)?;
    let accounts = sorted.column(&column).map_err(engine)?.cast(&DataType::String).map_err(engine)?;
    let label = format!("athena:{}", source.table.as_deref().unwrap_or_default());
    let mut by_account: BTreeMap<AccountId, Vec<IdxSize>> = BTreeMap::new();
    for (row, text) in accounts.str().map_err(engine)?.iter().enumerate() {
        // A value that is no account id is an error, not a row of nobody.
        let Some(account) = crate::formats::row_account(dataset, &label, &column, text, row as u64 + 1)? else { continue };
        by_account.entry(account).or_default().push(row as IdxSize);
    }
    by_account
        .into_iter()
        .map(|(account, rows)| {
            let rows = IdxCa::from_vec("rows".into(), rows);
            Ok((account, None, sorted.take(&rows).map_err(engine)?))
        })
        .collect()
}

/// The sub-folder names directly under a prefix (ListObjectsV2 with a `/` delimiter).
async fn list_folders(clients: &Clients, dataset: Subject, location: &S3Uri) -> Result<Vec<String>> {
    Ok(crate::s3::list_folder(&clients.s3, dataset, location).await?.folders)
}

/// Cuts one result part into `(account, month, rows)` pieces, each sorted by every column.
fn split_by_account_and_month(dataset: DatasetName, part: DataFrame) -> Result<Vec<(AccountId, Option<YearMonth>, DataFrame)>> {
    let engine = |error: PolarsError| ExtractError::Engine { dataset: dataset.into(), reason: error.to_string() };
    if part.height() == 0 {
        return Ok(Vec::new());
    }
    let schema = part.schema();
    let by_month = dataset.spec().partition_column.is_some();
    for key in std::iter::once(ACCOUNT_COLUMN).chain(by_month.then_some(MONTH_COLUMN)) {
        match schema.get(key) {
            Some(DataType::String) => {}
            found => {
                return Err(ExtractError::WrongType {
                    dataset: dataset.into(),
                    file: format!("athena:{dataset}"),
                    column: key.to_owned(),
                    found: found.map(ToString::to_string).unwrap_or_else(|| "nothing (column absent)".into()),
                    expected: "string".into(),
                });
            }
        }
    }
    let mut order: Vec<PlSmallStr> = vec![ACCOUNT_COLUMN.into()];
    if by_month {
        order.push(MONTH_COLUMN.into());
    }
    let rest: Vec<PlSmallStr> = part.get_column_names().into_iter().filter(|name| !order.contains(*name)).cloned().collect();
    order.extend(rest);
    let sorted = part
        .lazy()
        .sort(order, SortMultipleOptions::default().with_nulls_last(true).with_maintain_order(true))
        .collect()
        .map_err(engine)?;
    let accounts = sorted.column(ACCOUNT_COLUMN).map_err(engine)?.str().map_err(engine)?.clone();
    let months = if by_month { Some(sorted.column(MONTH_COLUMN).map_err(engine)?.str().map_err(engine)?.clone()) } else { None };
    let key_at = |row: usize| (accounts.get(row), months.as_ref().and_then(|months| months.get(row)));
    let mut pieces = Vec::new();
    let mut start = 0;
    for row in 1..=sorted.height() {
        if row < sorted.height() && key_at(row) == key_at(start) {
            continue;
        }
        let (account, month) = key_at(start);
        let account = AccountId::parse(account.unwrap_or_default()).map_err(|error| ExtractError::InvalidPartition {
            dataset: dataset.into(),
            path: format!("athena:{dataset}").into(),
            reason: format!("result rows with aws_account_id {:?}: {error}", account.unwrap_or_default()),
        })?;
        let month = match (by_month, month) {
            (false, _) => None,
            (true, text) => Some(YearMonth::parse(text.unwrap_or_default()).map_err(|error| ExtractError::InvalidPartition {
                dataset: dataset.into(),
                path: format!("athena:{dataset}/{ACCOUNT_COLUMN}={account}").into(),
                reason: format!("result rows with month {:?}: {error}", text.unwrap_or_default()),
            })?),
        };
        pieces.push((account, month, sorted.slice(start as i64, row - start)));
        start = row;
    }
    Ok(pieces)
}

impl Source for AthenaSource {
    fn customer_notes(&self, customer: &opsreport_model::CustomerId, period: &ReportPeriod) -> Result<Option<Notes>> {
        self.notes_in(customer.as_str(), period)
    }

    fn statistics(&self) -> ReadStatistics {
        let queries = self.queries.lock().expect("not poisoned");
        ReadStatistics {
            queries: queries.len() as u64,
            bytes_scanned: queries.iter().filter_map(|query| query.bytes_scanned).map(|bytes| bytes.max(0) as u64).sum(),
            files_read: queries.iter().map(|query| query.objects).sum(),
            bytes_read: queries.iter().map(|query| query.object_bytes).sum(),
        }
    }

    fn accounts(&self, period: &ReportPeriod) -> Result<Vec<AccountId>> {
        let Some(location) = &self.options.data_location else {
            return Err(ExtractError::AthenaSetting {
                key: "athena.data_location (OPSREPORT_ATHENA_DATA_LOCATION)".into(),
                reason: "--all-accounts over Athena lists the accounts of the dataset layout in S3: set it to the s3:// root the Glue tables' LOCATIONs are under, or pass --account".into(),
            });
        };
        // A week can straddle two months: an account with data in either has data for it.
        let months = YearMonth::of_date(period.first_day()).through(period.month());
        self.runtime.block_on(self.discover_accounts(location, &months))
    }

    fn prefetch(&self, accounts: &[AccountId], period: &ReportPeriod) -> Result<()> {
        if accounts.is_empty() {
            return Ok(());
        }
        self.read_accounts(accounts, period)
    }

    fn prepare_run(&self, accounts: &[AccountId], period: &ReportPeriod, batch: usize) -> Result<Vec<Vec<AccountId>>> {
        let run = self.options.run_prefix.clone().ok_or_else(|| ExtractError::AthenaSetting {
            key: "athena.result_mode".into(),
            reason: "--prepare leaves UNLOAD results for the shards: use result_mode = \"unload\" with an output_location".into(),
        })?;
        let batches: Vec<Vec<AccountId>> = accounts.chunks(batch.max(1)).map(<[AccountId]>::to_vec).collect();
        // Nothing is read back, so several batches' queries run at once: up to
        // PREPARE_BATCHES_AT_ONCE batches, each with `concurrency` queries running.
        let numbered: Vec<(usize, &Vec<AccountId>)> = batches.iter().enumerate().collect();
        for wave in numbered.chunks(PREPARE_BATCHES_AT_ONCE) {
            let mut tasks = tokio::task::JoinSet::new();
            for (number, accounts) in wave {
                let queries = self.batch_queries(accounts, period)?;
                let options = Arc::new(AthenaOptions {
                    unload_prefix: Some(run.join(&format!("batch-{number:05}"))),
                    read_results: false,
                    ..(*self.options).clone()
                });
                let clients = self.clients.clone();
                tasks.spawn_on(async move { query::run_queries(&clients, &options, queries).await }, self.runtime.handle());
            }
            let outcomes = self.runtime.block_on(async {
                let mut all = Vec::new();
                while let Some(joined) = tasks.join_next().await {
                    let outcomes = joined.map_err(|error| ExtractError::Engine {
                        dataset: Subject::Athena,
                        reason: format!("a batch's queries stopped: {error}"),
                    })??;
                    all.extend(outcomes);
                }
                Ok::<_, ExtractError>(all)
            })?;
            let records = outcomes.into_iter().map(|outcome| QueryRecord {
                dataset: outcome.dataset,
                query_execution_id: outcome.query_execution_id,
                bytes_scanned: outcome.bytes_scanned,
                rows: 0,
                objects: 0,
                object_bytes: 0,
            });
            self.queries.lock().expect("not poisoned").extend(records);
        }
        // The index last: a run is prepared once every batch's results are in place.
        let index = serde_json::json!({
            "month": period.label(),
            "batches": batches.iter().map(|batch| batch.iter().map(AccountId::as_str).collect::<Vec<_>>()).collect::<Vec<_>>(),
        });
        let key = format!("{}{PREPARED_INDEX}", run.key_prefix());
        self.runtime.block_on(crate::s3::put_object(
            &self.clients.s3,
            Subject::Athena,
            &run.bucket,
            &key,
            index.to_string().into_bytes(),
        ))?;
        Ok(batches)
    }

    fn prepared_batches(&self, period: &ReportPeriod) -> Result<Option<Vec<Vec<AccountId>>>> {
        let Some(run) = &self.options.run_prefix else { return Ok(None) };
        let key = format!("{}{PREPARED_INDEX}", run.key_prefix());
        let Some(bytes) = self.runtime.block_on(crate::s3::get_object(&self.clients.s3, Subject::Athena, &run.bucket, &key))?
        else {
            return Ok(None);
        };
        let problem = |reason: String| ExtractError::AthenaSetting { key: format!("s3://{}/{key}", run.bucket), reason };
        let index: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|error| problem(format!("not a prepared run's index: {error}")))?;
        if index["month"] != period.label() {
            return Err(problem(format!(
                "the run was prepared for {}, not {}: use another run id",
                index["month"],
                period.label()
            )));
        }
        let batches = index["batches"]
            .as_array()
            .ok_or_else(|| problem("no batches".into()))?
            .iter()
            .map(|batch| {
                batch
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|id| AccountId::parse(id.as_str().unwrap_or_default()).map_err(|error| problem(error.to_string())))
                    .collect::<Result<Vec<_>>>()
            })
            .collect::<Result<Vec<_>>>()?;
        *self.prepared.lock().expect("not poisoned") = Some(batches.clone());
        Ok(Some(batches))
    }

    fn load_account(&self, account: &AccountId, period: &ReportPeriod) -> Result<AccountData> {
        let taken = {
            let mut read_ahead = self.read_ahead.lock().expect("not poisoned");
            if read_ahead.period == Some(*period) { read_ahead.accounts.remove(account) } else { None }
        };
        let mut parts_by_dataset = match taken {
            Some(parts) => parts,
            None => {
                self.read_accounts(std::slice::from_ref(account), period)?;
                self.read_ahead.lock().expect("not poisoned").accounts.remove(account).unwrap_or_default()
            }
        };
        let mut digest = Sha256::new();
        let mut datasets = BTreeMap::new();
        let mut timings = ExtractTimings::default();
        for dataset in DatasetName::ALL {
            let started = Instant::now();
            let pieces = parts_by_dataset.remove(&dataset).unwrap_or_default();
            if let Some(source) = self.raw.get(&dataset) {
                let loaded = self.load_raw(dataset, source, account, period, pieces, &mut digest)?;
                timings.read += loaded.decode;
                datasets.insert(dataset, loaded);
                continue;
            }
            let mut parts = Vec::with_capacity(pieces.len());
            let mut months = Vec::new();
            for (month, frame) in pieces {
                let label = match month {
                    Some(month) => format!("athena:{dataset}/{ACCOUNT_COLUMN}={account}/month={month}"),
                    None => format!("athena:{dataset}/{ACCOUNT_COLUMN}={account}"),
                };
                digest.update(format!("{dataset}\n{label}\n").as_bytes());
                results::digest_frame(&frame, &mut digest)
                    .map_err(|error| ExtractError::Engine { dataset: dataset.into(), reason: error.to_string() })?;
                if let Some(month) = month {
                    months.push(month.to_string());
                }
                parts.push(Part { label, month, frame });
            }
            let mut loaded = validate(dataset, account, period, parts, months)?;
            if loaded.frame.is_none() {
                let wanted = months_to_read(dataset, period);
                let range = match (wanted.first(), wanted.last()) {
                    (Some(first), Some(last)) => format!(" in months {first}..{last}"),
                    _ => String::new(),
                };
                loaded.quality.missing_reason = Some(format!(
                    "no {dataset} rows for account {account}{range} in Athena table {}.{dataset}",
                    self.options.database
                ));
            }
            let total = started.elapsed();
            timings.read += loaded.decode.min(total);
            timings.validate += total.saturating_sub(loaded.decode);
            datasets.insert(dataset, loaded);
        }
        let notes = self.notes(account, period)?;
        if let Some(notes) = &notes {
            digest.update(format!("notes\n{notes:?}\n").as_bytes());
        }
        let input_digest = opsreport_model::format::hex(&digest.finalize());
        Ok(AccountData { account: account.clone(), period: *period, datasets, notes, input_digest, timings })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_uris_parse_and_refuse_what_could_break_a_statement() {
        let uri = S3Uri::parse("s3://results-bucket/athena/out/").unwrap();
        assert_eq!(uri, S3Uri { bucket: "results-bucket".into(), prefix: "athena/out".into() });
        assert_eq!(uri.join("opsreport-unload").to_string(), "s3://results-bucket/athena/out/opsreport-unload");
        assert_eq!(S3Uri::parse("s3://bucket").unwrap().key_prefix(), "");
        for bad in ["/tmp/x", "s3://B", "s3://bucket/it's", "s3://bucket/a\\b", "s3://bucket/a\nb", "s3://x"] {
            assert!(S3Uri::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn unload_needs_an_output_location_and_a_clean_run_id() {
        let settings = AthenaSettings::default();
        let error = AthenaOptions::from_settings(&settings, "run-1").unwrap_err().to_string();
        assert!(error.contains("OPSREPORT_ATHENA_OUTPUT_LOCATION"), "{error}");
        let settings = AthenaSettings { output_location: Some("s3://results/x".into()), ..AthenaSettings::default() };
        let options = AthenaOptions::from_settings(&settings, "run-1").unwrap();
        assert_eq!(options.unload_prefix.unwrap().to_string(), "s3://results/x/opsreport-unload/run-1");
        assert!(AthenaOptions::from_settings(&settings, "run'1").is_err());
        let paging = AthenaSettings { result_mode: AthenaResultMode::Paging, ..AthenaSettings::default() };
        assert!(AthenaOptions::from_settings(&paging, "run-1").unwrap().unload_prefix.is_none());
    }

    #[test]
    fn results_split_into_sorted_parts_per_account_and_month() {
        let part = polars::df!(
            "aws_account_id" => ["000000000002", "000000000001", "000000000001", "000000000002", "000000000001"],
            "month" => ["2026-10", "2026-10", "2026-09", "2026-10", "2026-10"],
            "alert_id" => ["d", "c", "a", "e", "b"],
        )
        .unwrap();
        let pieces = split_by_account_and_month(DatasetName::Alerts, part).unwrap();
        let summary: Vec<(String, String, Vec<String>)> = pieces
            .iter()
            .map(|(account, month, frame)| {
                let ids = frame.column("alert_id").unwrap().str().unwrap().iter().map(|id| id.unwrap().to_owned()).collect();
                (account.to_string(), month.unwrap().to_string(), ids)
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("000000000001".into(), "2026-09".into(), vec!["a".to_owned()]),
                ("000000000001".into(), "2026-10".into(), vec!["b".to_owned(), "c".to_owned()]),
                ("000000000002".into(), "2026-10".into(), vec!["d".to_owned(), "e".to_owned()]),
            ]
        );
        let bad = polars::df!("aws_account_id" => ["../x"], "month" => ["2026-10"], "alert_id" => ["a"]).unwrap();
        assert!(split_by_account_and_month(DatasetName::Alerts, bad).unwrap_err().to_string().contains("../x"));
    }
}
