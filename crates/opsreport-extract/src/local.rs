//! The local source: Parquet files in the Hive layout of the data contract.
//!
//! `<root>/<dataset>/aws_account_id=<id>/month=<YYYY-MM>/<any file>` (reference data:
//! `<root>/<dataset>/aws_account_id=<id>/<any file>`), notes in
//! `<root>/notes/<id>/<YYYY-MM>.toml`. Partitions are listed here, not discovered by a scan of
//! the whole root, so only the account's folders and the months a report needs are opened
//! (the list of opened files is kept in the data-quality record, which is how tests prove it).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use opsreport_model::config::InputLimits;
use opsreport_model::contract::ACCOUNT_COLUMN;
use opsreport_model::{AccountId, DatasetName, Notes, ReportPeriod, YearMonth};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::budget::InputBudget;
use crate::notes::NotesFiles;
use crate::parquet;
use crate::source::{AccountData, Dataset, ExtractTimings, ReadStatistics, Source, months_to_read};
use crate::validate::{PendingPart, validate_by_month};
use crate::{ExtractError, Result};

/// One loaded dataset, its own input digest and the time its loading took.
type LoadedDataset = (Dataset, [u8; 32], Duration);

/// Threads one account's datasets are loaded on (at most; fewer on fewer cores).
pub const LOAD_THREADS: usize = 4;

/// Parquet files under a dataset root.
#[derive(Clone, Debug)]
pub struct LocalSource {
    root: PathBuf,
    /// Files and bytes read, shared by clones (one run's count).
    counters: Arc<ReadCounters>,
    /// Datasets read from elsewhere (`[datasets.*]`): never planned, listed or read here.
    skipped: BTreeSet<DatasetName>,
    /// What one file and one account's files may hold.
    limits: InputLimits,
}

/// Running totals behind [`Source::statistics`].
#[derive(Debug, Default)]
struct ReadCounters {
    files: AtomicU64,
    bytes: AtomicU64,
}

/// The files of one dataset that a report opens.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PartitionPlan {
    /// Files, sorted by path, each with its `month=` partition (none for reference data).
    pub files: Vec<(PathBuf, Option<YearMonth>)>,
    /// The partition months found among those wanted.
    pub months: Vec<YearMonth>,
    /// Months the report period overlaps that have no partition while others do, in words.
    pub warnings: Vec<String>,
}

impl LocalSource {
    /// A source over `root`, which must be a folder.
    pub fn new(root: impl Into<PathBuf>) -> Result<Self> {
        let root = root.into();
        if !root.is_dir() {
            return Err(ExtractError::RootNotFound { path: root });
        }
        Ok(Self { root, counters: Arc::default(), skipped: BTreeSet::new(), limits: InputLimits::default() })
    }

    /// The same source without `datasets` (they come from another source): they load as
    /// missing and list no accounts.
    pub fn without(mut self, datasets: impl IntoIterator<Item = DatasetName>) -> Self {
        self.skipped.extend(datasets);
        self
    }

    /// The same source with other input limits (`[limits]`).
    pub fn with_limits(mut self, limits: InputLimits) -> Self {
        self.limits = limits;
        self
    }

    /// A fresh budget of one account's input under this source's limits.
    pub fn budget(&self) -> InputBudget {
        InputBudget::new(self.limits)
    }

    /// The root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn account_folder(&self, dataset: DatasetName, account: &AccountId) -> PathBuf {
        self.root.join(dataset.as_str()).join(format!("{ACCOUNT_COLUMN}={account}"))
    }

    /// The files of `dataset` a report of `account` for `period` opens. A month folder without
    /// data files counts as absent; a month the period overlaps that is absent while others are
    /// present is a warning of the plan (its rows are not covered).
    pub fn plan(&self, dataset: DatasetName, account: &AccountId, period: &ReportPeriod) -> Result<PartitionPlan> {
        let Some(folder) = self.existing_account_folder(dataset, account)? else {
            return Ok(PartitionPlan::default());
        };
        if dataset.spec().partition_column.is_none() {
            return Ok(reference_plan(data_files(dataset, &folder)?));
        }
        let present = month_folders(dataset, &folder)?;
        let mut plan = PartitionPlan::default();
        let mut absent = Vec::new();
        for month in months_to_read(dataset, period) {
            let files = match present.get(&month) {
                Some(partition) => data_files(dataset, partition)?,
                None => Vec::new(),
            };
            if files.is_empty() {
                absent.push(month);
                continue;
            }
            plan.files.extend(files.into_iter().map(|file| (file, Some(month))));
            plan.months.push(month);
        }
        if !plan.months.is_empty() {
            plan.warnings = absent.iter().filter_map(|month| uncovered_part(dataset, period, *month)).collect();
        }
        Ok(plan)
    }

    /// Every month partition of `dataset` for `account`, oldest first (for `validate`).
    pub fn plan_all_months(&self, dataset: DatasetName, account: &AccountId) -> Result<PartitionPlan> {
        let Some(folder) = self.existing_account_folder(dataset, account)? else {
            return Ok(PartitionPlan::default());
        };
        if dataset.spec().partition_column.is_none() {
            return Ok(reference_plan(data_files(dataset, &folder)?));
        }
        let mut plan = PartitionPlan::default();
        for (month, partition) in month_folders(dataset, &folder)? {
            let files = data_files(dataset, &partition)?;
            if !files.is_empty() {
                plan.files.extend(files.into_iter().map(|file| (file, Some(month))));
                plan.months.push(month);
            }
        }
        Ok(plan)
    }

    /// The account's folder of `dataset` when it exists (and the dataset is read here). A
    /// folder whose partition name is misspelt (`AWS_ACCOUNT_ID=<this account>`) is an error,
    /// not "no data".
    fn existing_account_folder(&self, dataset: DatasetName, account: &AccountId) -> Result<Option<PathBuf>> {
        let folder = self.account_folder(dataset, account);
        if self.skipped.contains(&dataset) {
            return Ok(None);
        }
        crate::listing::check_link(dataset.into(), &folder, None)?;
        if folder.is_dir() {
            return Ok(Some(folder));
        }
        // Only when the folder is absent: a fleet's usual case costs no listing.
        self.account_folders(dataset)?;
        Ok(None)
    }

    /// Every account with a folder in any dataset, sorted.
    pub fn all_accounts(&self) -> Result<Vec<AccountId>> {
        let mut accounts = BTreeSet::new();
        for dataset in DatasetName::ALL {
            for (account, _) in self.account_folders(dataset)? {
                accounts.insert(account);
            }
        }
        Ok(accounts.into_iter().collect())
    }

    /// The `aws_account_id=<id>` folders of `dataset`. Anything else in the dataset folder but
    /// hidden files and markers is an error naming it: a misspelt partition would otherwise
    /// make an account's data disappear without a word.
    fn account_folders(&self, dataset: DatasetName) -> Result<Vec<(AccountId, PathBuf)>> {
        let folder = self.root.join(dataset.as_str());
        if self.skipped.contains(&dataset) || !folder.is_dir() {
            return Ok(Vec::new());
        }
        let mut found = Vec::new();
        for (name, path) in listed_entries(dataset, &folder, None)? {
            let Some(id) = name.strip_prefix(&format!("{ACCOUNT_COLUMN}=")) else {
                return Err(unexpected(
                    dataset,
                    path,
                    format!(
                        "is not an account folder: a dataset folder holds only {ACCOUNT_COLUMN}=<12 digits> folders (partition names are lower case); rename or remove it"
                    ),
                ));
            };
            let account = AccountId::parse(id).map_err(|error| ExtractError::InvalidPartition {
                dataset: dataset.into(),
                path: path.clone(),
                reason: error.to_string(),
            })?;
            if !path.is_dir() {
                return Err(unexpected(
                    dataset,
                    path,
                    "is not a folder; an account partition is a folder of month folders".into(),
                ));
            }
            found.push((account, path));
        }
        found.sort();
        Ok(found)
    }

    /// Reads and validates the files of one plan. Each file is read once: its bytes feed the
    /// input digest (when given) and Polars, which parses them from memory.
    pub fn load_plan(
        &self,
        dataset: DatasetName,
        account: &AccountId,
        period: &ReportPeriod,
        plan: &PartitionPlan,
        budget: &InputBudget,
        mut digest: Option<&mut Sha256>,
    ) -> Result<Dataset> {
        let mut files = Vec::with_capacity(plan.files.len());
        let mut reading = Duration::ZERO;
        for (file, month) in &plan.files {
            let label = self.relative(file);
            let started = Instant::now();
            let bytes = crate::budget::read_local(budget, dataset.into(), file, &label)?;
            self.counters.files.fetch_add(1, Ordering::Relaxed);
            self.counters.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
            if let Some(digest) = digest.as_deref_mut() {
                digest.update(format!("{dataset}\n{label}\n{}\n", bytes.len()).as_bytes());
                digest.update(&bytes);
            }
            reading += started.elapsed();
            files.push((label, *month, bytes));
        }
        // Each file is decoded when its month is checked, from the bytes read above.
        let parts = files
            .iter()
            .map(|(label, month, bytes)| PendingPart {
                label: label.clone(),
                month: *month,
                bytes: bytes.len() as u64,
                decode: Box::new(move || {
                    parquet::decode(bytes.clone(), None, parquet::EAGER_READ_MAX_BYTES)
                        .map_err(|reason| ExtractError::UnreadableFile { dataset: dataset.into(), file: label.clone(), reason })
                }),
            })
            .collect();
        let months = plan.months.iter().map(ToString::to_string).collect();
        let mut loaded = validate_by_month(dataset, account, period, parts, months)?;
        loaded.quality.warnings.extend(plan.warnings.iter().cloned());
        loaded.decode += reading;
        if loaded.frame.is_none() {
            let folder = self.account_folder(dataset, account);
            loaded.quality.missing_reason = Some(if folder.is_dir() {
                format!("no {dataset} files for account {account} in the months this report reads")
            } else {
                format!("no {dataset} data delivered for account {account} (folder {} is absent)", self.relative(&folder))
            });
        }
        Ok(loaded)
    }

    fn relative(&self, path: &Path) -> String {
        path.strip_prefix(&self.root).unwrap_or(path).to_string_lossy().into_owned()
    }

    /// The notes of an account and month, if it has any: its profile, the month's notes and the
    /// action items still open from earlier months (`crate::notes`).
    pub fn notes(&self, account: &AccountId, period: &ReportPeriod) -> Result<Option<Notes>> {
        self.notes_in(account.as_str(), period)
    }

    /// The notes in `notes/<name>/` (an account's or a customer's folder) for the period.
    fn notes_in(&self, name: &str, period: &ReportPeriod) -> Result<Option<Notes>> {
        let folder = self.root.join("notes").join(name);
        let Ok(entries) = std::fs::read_dir(&folder) else {
            return Ok(None);
        };
        let names: Vec<String> = entries.flatten().map(|entry| entry.file_name().to_string_lossy().into_owned()).collect();
        let origin = self.relative(&folder);
        let noted = opsreport_model::memory::Noted::of_period(period);
        let files = NotesFiles::pick(&names, &noted, &origin)?;
        files.read(noted, &origin, |name| {
            let path = folder.join(name);
            opsreport_model::input::read_file(&path, "notes file", opsreport_model::input::NOTES_MAX_BYTES).map_err(|error| {
                opsreport_model::notes::NotesError { origin: self.relative(&path), message: notes_input_problem(&error) }.into()
            })
        })
    }
}

/// Why a notes file could not be read, in the words of a notes error (which names the file).
fn notes_input_problem(error: &opsreport_model::input::InputError) -> String {
    use opsreport_model::input::InputError;
    match error {
        InputError::NotAFile { .. } => "not a regular file".to_owned(),
        InputError::TooLarge { limit, .. } => {
            format!("more than the {limit} bytes a notes file may have; keep the notes to what the report shows")
        }
        InputError::Io { source, .. } => format!("cannot be read ({source})"),
    }
}

/// Data files in a partition folder, sorted by name: every regular file (or link to one) except
/// hidden ones and markers (`.crc`, `_SUCCESS`). Athena `UNLOAD` writes files without an
/// extension. A folder, a broken link or a special file (a FIFO, a device) among them is an
/// error naming it: it cannot be read, and skipping it would lose its rows without a word.
fn data_files(dataset: DatasetName, folder: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for (_, path) in listed_entries(dataset, folder, Some(folder))? {
        // `metadata` follows a link: a linked file is read like any other.
        match fs::metadata(&path) {
            Ok(metadata) if metadata.is_file() => files.push(path),
            Ok(metadata) if metadata.is_dir() => {
                return Err(unexpected(
                    dataset,
                    path,
                    "is a folder inside a partition, whose files would not be read; move its files up into the partition or remove it".into(),
                ));
            }
            Ok(_) => {
                return Err(unexpected(dataset, path, "is not a regular file (a FIFO, a device or a socket); remove it".into()));
            }
            Err(error) => {
                return Err(unexpected(dataset, path, format!("cannot be opened ({error}); a broken link? fix or remove it")));
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The entries of `folder` the layout looks at (not hidden files or markers), with their names.
/// A symbolic link among them must lead inside `within` (the folder listed, inside an account's
/// folder; [`crate::listing::check_link`]). With `None` (the account folders of a dataset) links
/// are not looked at here: an account folder that is a link is refused when that account is
/// read, so it fails that account alone.
fn listed_entries(dataset: DatasetName, folder: &Path, within: Option<&Path>) -> Result<Vec<(String, PathBuf)>> {
    let io_error = |source| ExtractError::Io { dataset: dataset.into(), path: folder.to_owned(), source };
    let mut entries = Vec::new();
    for entry in fs::read_dir(folder).map_err(io_error)? {
        let entry = entry.map_err(io_error)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with('.') && !name.starts_with('_') {
            if let Some(within) = within
                && entry.file_type().is_ok_and(|kind| kind.is_symlink())
            {
                crate::listing::check_link(dataset.into(), &entry.path(), Some(within))?;
            }
            entries.push((name, entry.path()));
        }
    }
    entries.sort();
    Ok(entries)
}

/// The `month=YYYY-MM` folders of an account folder. Anything else (a file beside them,
/// `MONTH=2026-10`, `month=2026-1`) is an error naming it.
fn month_folders(dataset: DatasetName, folder: &Path) -> Result<BTreeMap<YearMonth, PathBuf>> {
    let mut months = BTreeMap::new();
    for (name, path) in listed_entries(dataset, folder, Some(folder))? {
        let month = name.strip_prefix("month=").map(YearMonth::parse);
        match month {
            Some(Ok(month)) if path.is_dir() => {
                months.insert(month, path);
            }
            Some(Ok(_)) => {
                return Err(unexpected(dataset, path, "is not a folder; a month partition is a folder of files".into()));
            }
            Some(Err(error)) => {
                return Err(unexpected(
                    dataset,
                    path,
                    format!("is not a valid month partition ({error}); rename it month=YYYY-MM"),
                ));
            }
            None => {
                return Err(unexpected(
                    dataset,
                    path,
                    "is not read: an account folder of this dataset holds only month=YYYY-MM folders (lower case); move its data into one or remove it".into(),
                ));
            }
        }
    }
    Ok(months)
}

fn unexpected(dataset: DatasetName, path: PathBuf, reason: String) -> ExtractError {
    ExtractError::UnexpectedEntry { dataset: dataset.into(), path, reason }
}

fn reference_plan(files: Vec<PathBuf>) -> PartitionPlan {
    PartitionPlan { files: files.into_iter().map(|file| (file, None)).collect(), ..PartitionPlan::default() }
}

/// What an absent `month` leaves uncovered of the report period, if it overlaps the period: the
/// UTC hours of a timestamp partition (a New York October reaches into November UTC), or the
/// whole month of a date partition.
fn uncovered_part(dataset: DatasetName, period: &ReportPeriod, month: YearMonth) -> Option<String> {
    let midnight = |date: chrono::NaiveDate| date.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
    let partition = dataset.spec().partition_column.and_then(|name| dataset.spec().column(name))?;
    if partition.column_type != opsreport_model::ColumnType::Timestamp {
        let covered = YearMonth::of_date(period.first_day())..=period.month();
        return covered.contains(&month).then(|| format!("no month={month} partition: the report period has no data"));
    }
    let from = period.start().max(midnight(month.first_day()));
    let to = period.end().min(midnight(month.next().first_day()));
    (from < to).then(|| {
        format!(
            "no month={month} partition: the period's rows from {} to {} (UTC) are not covered",
            from.format("%Y-%m-%d %H:%M"),
            to.format("%Y-%m-%d %H:%M")
        )
    })
}

impl Source for LocalSource {
    fn accounts(&self, period: &ReportPeriod) -> Result<Vec<AccountId>> {
        let mut accounts = BTreeSet::new();
        for dataset in DatasetName::ALL {
            if dataset.spec().partition_column.is_none() {
                continue;
            }
            // A week can straddle two months: an account with data in either has data for it.
            let months = YearMonth::of_date(period.first_day()).through(period.month());
            for (account, folder) in self.account_folders(dataset)? {
                if months.iter().any(|month| folder.join(format!("month={month}")).is_dir()) {
                    accounts.insert(account);
                }
            }
        }
        Ok(accounts.into_iter().collect())
    }

    /// Loads the 15 datasets on up to [`LOAD_THREADS`] threads (each takes the next dataset),
    /// then assembles them in contract order: the input digest is a digest of per-dataset
    /// digests in that order, so it does not depend on which thread finished first.
    fn load_account(&self, account: &AccountId, period: &ReportPeriod) -> Result<AccountData> {
        let started = Instant::now();
        let parent = tracing::Span::current();
        let plans: Vec<PartitionPlan> =
            DatasetName::ALL.iter().map(|dataset| self.plan(*dataset, account, period)).collect::<Result<_>>()?;
        let budget = self.budget();
        let load_one = |index: usize| -> Result<LoadedDataset> {
            let dataset = DatasetName::ALL[index];
            let _span = tracing::debug_span!(parent: &parent, "read", dataset = dataset.as_str()).entered();
            let started = Instant::now();
            let mut digest = Sha256::new();
            let loaded = self.load_plan(dataset, account, period, &plans[index], &budget, Some(&mut digest))?;
            Ok((loaded, digest.finalize().into(), started.elapsed()))
        };
        // A large account's datasets too: their months are checked one after the other
        // (`validate_by_month`), so two of them at once hold two months, not fourteen, and the
        // checks that run on one thread (hashing keys, counting) overlap.
        let threads = std::thread::available_parallelism().map_or(1, usize::from).clamp(1, LOAD_THREADS);
        let loaded = opsreport_pool::for_each_parallel(DatasetName::ALL.len(), threads, load_one, |_, _| {});
        let mut datasets = BTreeMap::new();
        let mut digest = Sha256::new();
        let (mut decode, mut total) = (Duration::ZERO, Duration::ZERO);
        // The first error in contract order, whichever thread met it first.
        for (index, result) in loaded.into_iter().enumerate() {
            let (dataset, dataset_digest, elapsed) =
                result.unwrap_or_else(|panic| panic!("the {} loader panicked: {panic}", DatasetName::ALL[index]))?;
            digest.update(format!("{}\n", DatasetName::ALL[index]).as_bytes());
            digest.update(dataset_digest);
            decode += dataset.decode.min(elapsed);
            total += elapsed;
            datasets.insert(DatasetName::ALL[index], dataset);
        }
        let notes = self.notes(account, period)?;
        if let Some(notes) = &notes {
            digest.update(format!("notes\n{notes:?}\n").as_bytes());
        }
        let input_digest = opsreport_model::format::hex(&digest.finalize());
        // Wall time, split between reading and checking in the proportion the threads spent.
        let wall = started.elapsed();
        let read_share = if total.is_zero() { 0.0 } else { decode.as_secs_f64() / total.as_secs_f64() };
        let read = wall.mul_f64(read_share);
        let timings = ExtractTimings { read, validate: wall.saturating_sub(read) };
        Ok(AccountData { account: account.clone(), period: *period, datasets, notes, input_digest, timings })
    }

    fn customer_notes(&self, customer: &opsreport_model::CustomerId, period: &ReportPeriod) -> Result<Option<Notes>> {
        self.notes_in(customer.as_str(), period)
    }

    fn statistics(&self) -> ReadStatistics {
        ReadStatistics {
            files_read: self.counters.files.load(Ordering::Relaxed),
            bytes_read: self.counters.bytes.load(Ordering::Relaxed),
            ..ReadStatistics::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eager_reader_and_the_lazy_scan_decode_a_file_alike() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/synthetic");
        let source = LocalSource::new(&root).expect("the committed fixtures");
        let account = source.all_accounts().expect("accounts").remove(0);
        let period = ReportPeriod::new(
            YearMonth::parse("2026-10").expect("a month"),
            opsreport_model::period::parse_time_zone("UTC").expect("UTC"),
        );
        let mut compared = 0;
        for dataset in [DatasetName::Incidents, DatasetName::Alerts, DatasetName::BackupJobs, DatasetName::Billing] {
            for (file, _) in source.plan(dataset, &account, &period).expect("a plan").files {
                let bytes = fs::read(&file).expect("readable");
                let eager = parquet::decode(bytes.clone(), None, u64::MAX).expect("eager");
                let lazy = parquet::decode(bytes, None, 0).expect("lazy");
                assert_eq!(eager.schema(), lazy.schema(), "{}", file.display());
                assert!(eager.equals_missing(&lazy), "{}", file.display());
                compared += 1;
            }
        }
        assert!(compared >= 4, "only {compared} files compared");
    }
}
