//! A source with per-dataset origins (`[datasets.<dataset>]`, `docs/sources.md`): the datasets
//! without an entry come from the base source (the contract layout under `--source`, or Athena),
//! the others from their real-format export, read by the plan of its format, mapped to the
//! contract (`formats`) and validated like any other part.
//!
//! Partitions of the source prune what is opened: SSR `Date=`/`reportdate=` days of the months a
//! report reads (event datasets: and `days_after` days more, for jobs reported the next day),
//! CUR/FOCUS `billing_period=` months. A CSV export has no partitions: every file is read and
//! rows outside the months a report reads are left out, as unread partitions would be.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use chrono::{Duration, NaiveDate};
use opsreport_model::config::InputLimits;
use opsreport_model::sources::{ACCOUNT_PLACEHOLDER, DatasetSource};
use opsreport_model::{AccountId, DatasetName, ReportPeriod, YearMonth};
use polars::prelude::*;
use sha2::{Digest, Sha256};

use crate::LocalSource;
use crate::budget::InputBudget;
use crate::formats::{self, Layout, Mapper, Mapping, RawPart};
use crate::objects::exports::{Place, Reader};
use crate::source::{AccountData, Dataset, ReadStatistics, Source, months_to_read};
use crate::{ExtractError, Result, Subject};

/// One file a report of a configured dataset opens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedFile {
    /// Where it is.
    pub place: Place,
    /// The SSR report day of its folder.
    pub day: Option<NaiveDate>,
    /// The billing period of its folder.
    pub billing_period: Option<YearMonth>,
    /// Its size as listed.
    pub size: u64,
}

/// The base source plus the datasets configured elsewhere.
pub struct ConfiguredSource {
    base: Box<dyn Source>,
    sources: BTreeMap<DatasetName, DatasetSource>,
    store: Reader,
    files: AtomicU64,
    bytes: AtomicU64,
    limits: InputLimits,
}

impl ConfiguredSource {
    /// Wraps `base` (which must already leave the configured datasets out) with the entries of
    /// `sources` whose format is not `contract`.
    pub fn new(base: Box<dyn Source>, sources: BTreeMap<DatasetName, DatasetSource>, store: Reader) -> Self {
        Self { base, sources, store, files: AtomicU64::new(0), bytes: AtomicU64::new(0), limits: InputLimits::default() }
    }

    /// The same source with other input limits (`[limits]`).
    pub fn with_limits(mut self, limits: InputLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The datasets read from their own source.
    pub fn configured(&self) -> impl Iterator<Item = DatasetName> + '_ {
        self.sources.keys().copied()
    }

    /// The files a report of `account` for `period` opens for `dataset`, sorted.
    pub fn plan(&self, dataset: DatasetName, account: &AccountId, period: &ReportPeriod) -> Result<Vec<PlannedFile>> {
        let source = &self.sources[&dataset];
        let root = root_of(dataset, source, account)?;
        let name = Subject::from(dataset);
        let planned = |place, size, day, billing_period| PlannedFile { place, day, billing_period, size };
        let mut files = Vec::new();
        match formats::of(source.format).layout() {
            Layout::Days { keys, account_folders } => {
                let (first, last) = formats::days_read(dataset, period, source.days_after());
                for folder in self.store.list(name, &root)?.folders {
                    let Some(day) = partition_value(&folder, keys).and_then(parse_day) else { continue };
                    if day < first || day > last {
                        continue;
                    }
                    let mut place = root.join(&folder);
                    if account_folders {
                        place = place.join(&format!("awsaccountid={account}"));
                    }
                    files.extend(
                        self.files_in(name, &place)?.into_iter().map(|(place, size)| planned(place, size, Some(day), None)),
                    );
                }
            }
            Layout::BillingPeriods => {
                let wanted = months_to_read(dataset, period);
                for (month, folder) in self.billing_periods(name, &root)? {
                    if wanted.contains(&month) {
                        let found = self.files_in(name, &root.join(&folder))?;
                        files.extend(found.into_iter().map(|(place, size)| planned(place, size, None, Some(month))));
                    }
                }
            }
            Layout::Flat | Layout::Contract => {
                files.extend(self.files_in(name, &root)?.into_iter().map(|(place, size)| planned(place, size, None, None)));
            }
        }
        Ok(files)
    }

    /// The `billing_period=YYYY-MM` folders under `root`, with their months.
    fn billing_periods(&self, name: Subject, root: &Place) -> Result<Vec<(YearMonth, String)>> {
        Ok(self
            .store
            .list(name, root)?
            .folders
            .into_iter()
            .filter_map(|folder| {
                let month = partition_value(&folder, &["billing_period"]).and_then(|text| YearMonth::parse(text).ok())?;
                Some((month, folder))
            })
            .collect())
    }

    fn files_in(&self, dataset: Subject, place: &Place) -> Result<Vec<(Place, u64)>> {
        Ok(self.store.list(dataset, place)?.files.into_iter().map(|(name, size)| (place.join(&name), size)).collect())
    }

    /// Reads, maps and validates one configured dataset of one account for a report of
    /// `period` (what `validate` checks).
    pub fn load_configured(&self, dataset: DatasetName, account: &AccountId, period: &ReportPeriod) -> Result<Dataset> {
        self.load_dataset(dataset, account, period, &InputBudget::new(self.limits), &mut Sha256::new())
    }

    /// The accounts the configured datasets can list for `period` (`docs/sources.md`).
    pub fn configured_accounts(&self, period: &ReportPeriod) -> Result<BTreeSet<AccountId>> {
        let mut found = BTreeSet::new();
        for dataset in self.sources.keys() {
            found.extend(self.listed_accounts(*dataset, period)?);
        }
        Ok(found)
    }

    /// Reads, maps and validates one configured dataset of one account.
    fn load_dataset(
        &self,
        dataset: DatasetName,
        account: &AccountId,
        period: &ReportPeriod,
        budget: &InputBudget,
        digest: &mut Sha256,
    ) -> Result<Dataset> {
        let source = &self.sources[&dataset];
        let layout = formats::of(source.format).layout();
        if layout == Layout::Contract {
            // Another contract root for this dataset: read as the local source reads it.
            let root = root_of(dataset, source, account)?;
            let Place::Local(root) = root else {
                return Err(ExtractError::SourceSetting {
                    dataset: dataset.into(),
                    reason: format!("{root}: a contract-layout location must be a local folder (use --source athena for S3)"),
                });
            };
            let local = LocalSource::new(root)?.with_limits(self.limits);
            let plan = local.plan(dataset, account, period)?;
            return local.load_plan(dataset, account, period, &plan, budget, Some(digest));
        }
        let mapping = Mapping { dataset, source, account };
        let started = Instant::now();
        let mut mapper = Mapper::new(&mapping);
        for file in self.plan(dataset, account, period)? {
            let label = file.place.to_string();
            let bytes = self.store.read_admitted(dataset.into(), &file.place, file.size, budget)?;
            self.files.fetch_add(1, Ordering::Relaxed);
            self.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
            digest.update(format!("{dataset}\n{label}\n{}\n", bytes.len()).as_bytes());
            digest.update(&bytes);
            let frame = formats::decode_for(source, dataset, &label, &bytes)?;
            mapper.push(RawPart { label, frame, day: file.day, billing_period: file.billing_period })?;
        }
        let reading = started.elapsed();
        let mut loaded = mapper.load(period)?;
        loaded.decode += reading;
        if let Layout::Days { keys, .. } = layout {
            self.note_export_end(dataset, source, account, period, keys, &mut loaded)?;
        }
        if loaded.frame.is_none() {
            let root = root_of(dataset, source, account)?;
            loaded.quality.missing_reason =
                Some(format!("no {dataset} rows for account {account} in {} at {root}", source.format.description()));
        }
        Ok(loaded)
    }

    /// An SSR export whose newest daily folder is before the report period's last day ends
    /// early: the days after it are named as missing (a warning of the dataset, printed in the
    /// appendix, the cover and the run summary), never silently absent.
    fn note_export_end(
        &self,
        dataset: DatasetName,
        source: &DatasetSource,
        account: &AccountId,
        period: &ReportPeriod,
        keys: &[&str],
        loaded: &mut Dataset,
    ) -> Result<()> {
        let root = root_of(dataset, source, account)?;
        let newest = self
            .store
            .list(dataset.into(), &root)?
            .folders
            .iter()
            .filter_map(|folder| partition_value(folder, keys).and_then(parse_day))
            .max();
        let last = period.last_day();
        let Some(newest) = newest.filter(|newest| *newest < last) else { return Ok(()) };
        let first_missing = (newest + Duration::days(1)).max(period.first_day());
        let days = (last - first_missing).num_days() + 1;
        loaded.quality.export_ends = Some(newest.to_string());
        loaded.quality.warnings.push(format!(
            "the export ends on {newest}: no daily report for {first_missing} to {last} ({} of the period)",
            opsreport_model::format::plural(days as u64, "day", "days")
        ));
        Ok(())
    }

    /// Accounts a configured dataset can list for the month (see `docs/sources.md`): a daily
    /// layout with a folder per account by those folders, the others by their account column; a
    /// per-account location (`{account}`) cannot be listed.
    fn listed_accounts(&self, dataset: DatasetName, period: &ReportPeriod) -> Result<BTreeSet<AccountId>> {
        let source = &self.sources[&dataset];
        let Some(location) = &source.location else { return Ok(BTreeSet::new()) };
        if location.contains(ACCOUNT_PLACEHOLDER) {
            return Ok(BTreeSet::new());
        }
        let root = root_of(dataset, source, &AccountId::parse("000000000000").expect("a valid id"))?;
        let format = formats::of(source.format);
        let name = Subject::from(dataset);
        let files = match format.layout() {
            Layout::Days { keys, account_folders: true } => return self.account_folders(name, &root, keys, period),
            Layout::Days { account_folders: false, .. } | Layout::Contract => return Ok(BTreeSet::new()),
            Layout::Flat => self.files_in(name, &root)?,
            Layout::BillingPeriods => {
                match self.billing_periods(name, &root)?.into_iter().find(|(month, _)| *month == period.month()) {
                    Some((_, folder)) => self.files_in(name, &root.join(&folder))?,
                    None => Vec::new(),
                }
            }
        };
        let Some(column) = format.account_column(source) else { return Ok(BTreeSet::new()) };
        let mut found = BTreeSet::new();
        for (place, size) in files {
            found.extend(self.accounts_in(dataset, source, &column, &place, size)?);
        }
        Ok(found)
    }

    /// The `awsaccountid=` folders of the period's month's days.
    fn account_folders(&self, name: Subject, root: &Place, keys: &[&str], period: &ReportPeriod) -> Result<BTreeSet<AccountId>> {
        let mut found = BTreeSet::new();
        for folder in self.store.list(name, root)?.folders {
            let Some(day) = partition_value(&folder, keys).and_then(parse_day) else { continue };
            if YearMonth::of_date(day) != period.month() {
                continue;
            }
            for inner in self.store.list(name, &root.join(&folder))?.folders {
                if let Some(account) = partition_value(&inner, &["awsaccountid"]).and_then(|id| AccountId::parse(id).ok()) {
                    found.insert(account);
                }
            }
        }
        Ok(found)
    }

    /// The accounts one file's rows name in `column` (a file without the column names none).
    fn accounts_in(
        &self,
        dataset: DatasetName,
        source: &DatasetSource,
        column: &str,
        place: &Place,
        size: u64,
    ) -> Result<BTreeSet<AccountId>> {
        let label = place.to_string();
        let bytes = self.store.read_admitted(dataset.into(), place, size, &InputBudget::new(self.limits))?;
        let frame = formats::decode_for(source, dataset, &label, &bytes)?;
        let mut found = BTreeSet::new();
        let Ok(values) = frame.column(column) else { return Ok(found) };
        let values = values.cast(&DataType::String).map_err(|error| engine(dataset, error))?;
        for (row, value) in values.str().map_err(|error| engine(dataset, error))?.iter().enumerate() {
            found.extend(formats::row_account(dataset, &label, column, value, row as u64 + 1)?);
        }
        Ok(found)
    }
}

/// The location of `dataset` for `account`.
fn root_of(dataset: DatasetName, source: &DatasetSource, account: &AccountId) -> Result<Place> {
    let location = source.location.as_deref().ok_or_else(|| ExtractError::SourceSetting {
        dataset: dataset.into(),
        reason: "no `location` to read from (a `table` is read only with --source athena); set `location` to the export's folder or s3:// prefix".into(),
    })?;
    let resolved = location.replace(ACCOUNT_PLACEHOLDER, account.as_str());
    Place::parse(&resolved).ok_or_else(|| ExtractError::SourceSetting {
        dataset: dataset.into(),
        reason: format!("location {resolved:?} is not a folder or an s3://bucket/prefix URI"),
    })
}

/// `key=value` of a partition folder, the key matched in any case (`BILLING_PERIOD=`, `Date=`).
fn partition_value<'a>(folder: &'a str, keys: &[&str]) -> Option<&'a str> {
    let (key, value) = folder.split_once('=')?;
    keys.iter().any(|wanted| key.eq_ignore_ascii_case(wanted)).then_some(value)
}

fn parse_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().filter(|_| text.len() == 10)
}

fn engine(dataset: DatasetName, error: PolarsError) -> ExtractError {
    ExtractError::Engine { dataset: dataset.into(), reason: error.to_string() }
}

impl Source for ConfiguredSource {
    fn accounts(&self, period: &ReportPeriod) -> Result<Vec<AccountId>> {
        let mut accounts: BTreeSet<AccountId> = self.base.accounts(period)?.into_iter().collect();
        accounts.extend(self.configured_accounts(period)?);
        Ok(accounts.into_iter().collect())
    }

    fn prefetch(&self, accounts: &[AccountId], period: &ReportPeriod) -> Result<()> {
        self.base.prefetch(accounts, period)
    }

    fn prepare_run(&self, accounts: &[AccountId], period: &ReportPeriod, batch: usize) -> Result<Vec<Vec<AccountId>>> {
        self.base.prepare_run(accounts, period, batch)
    }

    fn prepared_batches(&self, period: &ReportPeriod) -> Result<Option<Vec<Vec<AccountId>>>> {
        self.base.prepared_batches(period)
    }

    fn load_account(&self, account: &AccountId, period: &ReportPeriod) -> Result<AccountData> {
        let mut data = self.base.load_account(account, period)?;
        let started = Instant::now();
        let mut digest = Sha256::new();
        digest.update(data.input_digest.as_bytes());
        let budget = InputBudget::new(self.limits);
        for dataset in self.sources.keys() {
            let _span = tracing::debug_span!("read", dataset = dataset.as_str()).entered();
            let mut dataset_digest = Sha256::new();
            let loaded = self.load_dataset(*dataset, account, period, &budget, &mut dataset_digest)?;
            digest.update(format!("\n{dataset}\n").as_bytes());
            digest.update(dataset_digest.finalize());
            data.timings.read += loaded.decode;
            data.datasets.insert(*dataset, loaded);
        }
        data.timings.validate += started.elapsed().saturating_sub(data.timings.read.min(started.elapsed()));
        data.input_digest = opsreport_model::format::hex(&digest.finalize());
        Ok(data)
    }

    fn customer_notes(
        &self,
        customer: &opsreport_model::CustomerId,
        period: &ReportPeriod,
    ) -> Result<Option<opsreport_model::Notes>> {
        self.base.customer_notes(customer, period)
    }

    fn statistics(&self) -> ReadStatistics {
        let base = self.base.statistics();
        ReadStatistics {
            files_read: base.files_read + self.files.load(Ordering::Relaxed),
            bytes_read: base.bytes_read + self.bytes.load(Ordering::Relaxed),
            ..base
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opsreport_model::period::parse_time_zone;
    use opsreport_model::sources::SourceFormat;

    /// A source whose base has no data: only the configured datasets are read.
    fn ssr_source(root: &std::path::Path, days_after: Option<u32>) -> ConfiguredSource {
        let base = LocalSource::new(root).unwrap().without([DatasetName::BackupJobs]);
        let settings = DatasetSource {
            format: SourceFormat::AmsSsr,
            location: Some(
                root.join("ams-reporting-data-a{account}/json/backup/daily_backup_report").to_string_lossy().into_owned(),
            ),
            days_after,
            ..DatasetSource::default()
        };
        ConfiguredSource::new(Box::new(base), [(DatasetName::BackupJobs, settings)].into_iter().collect(), Reader::new(None))
    }

    fn backup_line(job: &str, status: &str, created: &str, reported: &str) -> String {
        format!(
            r#"{{"dataset_datetime":"{reported}","aws_account_id":"043735371057","backup_job_id":"{job}","backup_job_status":"{status}","creation_dt_utc":"{created}","resource_id":"vol-1","resource_type":"EBS","backup_size_in_bytes":"1024","recovery_point_is_encrypted":"true","unused_extra":"x"}}"#
        ) + "\n"
    }

    #[test]
    fn a_job_created_late_on_the_last_day_is_counted_and_unrelated_days_are_never_opened() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("ams-reporting-data-a043735371057/json/backup/daily_backup_report");
        let write = |day: &str, text: &str| {
            std::fs::create_dir_all(folder.join(format!("Date={day}"))).unwrap();
            std::fs::write(folder.join(format!("Date={day}/report.json")), text).unwrap();
        };
        write("2026-10-31", &backup_line("job-1", "RUNNING", "2026-10-31 23:30:00", "2026-10-31 23:45:00"));
        // Reported complete in the next day's file; another job of November in the same file.
        write(
            "2026-11-01",
            &(backup_line("job-1", "COMPLETED", "2026-10-31 23:30:00", "2026-11-01 00:30:00")
                + &backup_line("job-2", "COMPLETED", "2026-11-01 01:00:00", "2026-11-01 02:00:00")),
        );
        // Days no October report needs: unreadable, so opening one would fail the load.
        write("2026-11-15", "this is not JSON\n");
        write("2026-03-31", "this is not JSON\n");
        let account = AccountId::parse("043735371057").unwrap();
        let period = ReportPeriod::new(YearMonth::parse("2026-10").unwrap(), parse_time_zone("UTC").unwrap());
        let data = ssr_source(dir.path(), None).load_account(&account, &period).unwrap();
        let backups = data.dataset(DatasetName::BackupJobs);
        let frame = backups.frame.as_ref().expect("backups read");
        assert_eq!(frame.height(), 1, "job-1 once (the later report wins), job-2 outside the months read");
        assert_eq!(frame.column("backup_job_status").unwrap().str().unwrap().get(0), Some("COMPLETED"));
        assert_eq!(backups.quality.files_read.len(), 2, "{:?}", backups.quality.files_read);
        assert_eq!(backups.quality.unavailable_columns, ["status_message"]);
        // Without the day after, the job is still running as far as October's files say.
        let data = ssr_source(dir.path(), Some(0)).load_account(&account, &period).unwrap();
        let frame = data.dataset(DatasetName::BackupJobs).frame.clone().unwrap();
        assert_eq!(frame.column("backup_job_status").unwrap().str().unwrap().get(0), Some("RUNNING"));
    }

    #[test]
    fn ssr_days_cover_the_months_read_and_the_days_after_for_events_only() {
        let period = ReportPeriod::new(YearMonth::parse("2026-10").unwrap(), parse_time_zone("UTC").unwrap());
        let day = |text| NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
        assert_eq!(formats::days_read(DatasetName::BackupJobs, &period, 2), (day("2026-04-01"), day("2026-11-02")));
        assert_eq!(formats::days_read(DatasetName::MissingPatches, &period, 2), (day("2026-09-01"), day("2026-10-31")));
        assert_eq!(partition_value("BILLING_PERIOD=2026-10", &["billing_period"]), Some("2026-10"));
        assert_eq!(partition_value("Date=2026-10-01", &["date"]), Some("2026-10-01"));
        assert_eq!(partition_value("month=2026-10", &["date"]), None);
    }
}
