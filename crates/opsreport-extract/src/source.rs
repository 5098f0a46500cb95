//! The `Source` seam: what every backend (local Parquet, Athena) hands the metrics stage for
//! one account and report period.

use std::collections::BTreeMap;
use std::time::Duration;

use opsreport_model::contract::{ColumnType, DatasetKind};
use opsreport_model::{AccountId, CustomerId, DatasetName, DatasetQuality, Notes, ReportPeriod, YearMonth};
use polars::prelude::DataFrame;

use crate::Result;

/// One validated dataset of one account.
#[derive(Clone, Debug)]
pub struct Dataset {
    /// Which dataset.
    pub name: DatasetName,
    /// The contract's columns (contract types), or `None` when the dataset is missing.
    pub frame: Option<DataFrame>,
    /// For a dataset with a history (`DatasetSpec::history`): every row read, counted by
    /// quarter hour and the history columns, while `frame` holds only the period's rows
    /// ([`crate::history`]).
    pub history: Option<DataFrame>,
    /// What validation found.
    pub quality: DatasetQuality,
    /// Time spent reading and decoding its files (the rest of loading it is checking them).
    pub decode: Duration,
}

/// Everything one report reads.
#[derive(Clone, Debug)]
pub struct AccountData {
    /// The account.
    pub account: AccountId,
    /// The period the data was read for.
    pub period: ReportPeriod,
    /// All 15 datasets, present or marked missing.
    pub datasets: BTreeMap<DatasetName, Dataset>,
    /// The notes file for the month, if any.
    pub notes: Option<Notes>,
    /// SHA-256 (hex) over what was read — per dataset in contract order, a digest of its files
    /// (path, size, content) — and the notes: the same inputs give the same digest on any
    /// machine, however the datasets were scheduled.
    pub input_digest: String,
    /// Where loading it spent its time (for the run summary and benchmarks; not an output).
    pub timings: ExtractTimings,
}

/// Time spent loading one account: reading and decoding files, then checking them against the
/// contract (types, nulls, enums, duplicates, partitions).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExtractTimings {
    /// Listing, reading and decoding files (or taking read-ahead parts).
    pub read: Duration,
    /// Validation against the contract.
    pub validate: Duration,
}

impl AccountData {
    /// A dataset (always present in the map; its frame may be `None`).
    pub fn dataset(&self, name: DatasetName) -> &Dataset {
        &self.datasets[&name]
    }

    /// The frames of the present datasets (what the metrics read).
    pub fn frames(&self) -> BTreeMap<DatasetName, DataFrame> {
        self.datasets.iter().filter_map(|(name, dataset)| dataset.frame.clone().map(|frame| (*name, frame))).collect()
    }

    /// The histories of the present datasets that have one ([`crate::history`]).
    pub fn histories(&self) -> BTreeMap<DatasetName, DataFrame> {
        self.datasets.iter().filter_map(|(name, dataset)| dataset.history.clone().map(|history| (*name, history))).collect()
    }

    /// Every dataset's data-quality record, contract order.
    pub fn quality(&self) -> Vec<DatasetQuality> {
        self.datasets.values().map(|dataset| dataset.quality.clone()).collect()
    }
}

/// What a source has read so far in a run: the run summary prints it, and benchmarks use it to
/// prove that every file is read once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadStatistics {
    /// Athena queries run.
    pub queries: u64,
    /// Bytes Athena scanned (what Athena bills).
    pub bytes_scanned: u64,
    /// Dataset files (local) or result objects (Athena `UNLOAD`) read.
    pub files_read: u64,
    /// Bytes of those files and objects.
    pub bytes_read: u64,
}

impl std::fmt::Display for ReadStatistics {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let megabytes = |bytes: u64| bytes as f64 / 1_000_000.0;
        let mut parts = Vec::new();
        if self.queries > 0 {
            parts.push(format!("{} queries, {:.1} MB scanned", self.queries, megabytes(self.bytes_scanned)));
        }
        if self.files_read > 0 || self.queries == 0 {
            parts.push(format!("{} files, {:.1} MB read", self.files_read, megabytes(self.bytes_read)));
        }
        formatter.write_str(&parts.join(", "))
    }
}

/// A backend that reads the contract's datasets.
pub trait Source: Send + Sync {
    /// Accounts with any data in the report month, sorted.
    fn accounts(&self, period: &ReportPeriod) -> Result<Vec<AccountId>>;

    /// Reads ahead for a batch of accounts. Sources that answer many accounts with one query
    /// (Athena) override it; `load_account` for those accounts is then served from what was
    /// read. The default does nothing: the local source reads one account at a time.
    fn prefetch(&self, accounts: &[AccountId], period: &ReportPeriod) -> Result<()> {
        let _ = (accounts, period);
        Ok(())
    }

    /// Runs the fleet's queries once, batch by batch, leaving their results where the shards of
    /// the same run read them (`generate --prepare`); returns the batches. Only Athena can.
    fn prepare_run(&self, accounts: &[AccountId], period: &ReportPeriod, batch: usize) -> Result<Vec<Vec<AccountId>>> {
        let _ = (accounts, period, batch);
        Err(crate::ExtractError::AthenaSetting {
            key: "--prepare".into(),
            reason: "only --source athena prepares a run (its queries' results are read by the shards)".into(),
        })
    }

    /// The batches a prepared run left for `period` (`prepare_run` with this run's id), if any:
    /// a source that has them reads those batches' results instead of querying.
    fn prepared_batches(&self, period: &ReportPeriod) -> Result<Option<Vec<Vec<AccountId>>>> {
        let _ = period;
        Ok(None)
    }

    /// Reads and validates every dataset of `account` that a report for `period` needs.
    fn load_account(&self, account: &AccountId, period: &ReportPeriod) -> Result<AccountData>;

    /// The notes of a customer's review of `period`, from `notes/<customer id>/` beside the
    /// accounts' notes folders (the same files and rules as an account's, `crate::notes`).
    fn customer_notes(&self, customer: &CustomerId, period: &ReportPeriod) -> Result<Option<Notes>>;

    /// What this source has read since it was made.
    fn statistics(&self) -> ReadStatistics;
}

/// The partition months a report for `period` reads of `dataset`, oldest first.
///
/// Event datasets partitioned by a timestamp read every UTC month overlapping
/// `[start of month M - lookback in the report zone, end of M)`; datasets partitioned by a
/// date (billing, OOD hours, snapshots) read the calendar months `M - lookback ..= M`.
/// Reference data is not partitioned by month (empty list).
pub fn months_to_read(dataset: DatasetName, period: &ReportPeriod) -> Vec<YearMonth> {
    let spec = dataset.spec();
    if spec.kind == DatasetKind::Reference {
        return Vec::new();
    }
    let first = period.reach(spec.lookback_months);
    let partition_type = spec
        .partition_column
        .and_then(|column| spec.column(column))
        .map(|column| column.column_type)
        .expect("partitioned datasets name a partition column");
    match partition_type {
        ColumnType::Timestamp => period.utc_months_since(first.start()),
        _ => first.month().through(period.month()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opsreport_model::period::parse_time_zone;

    #[test]
    fn timestamp_partitions_cover_the_zone_offset_and_date_partitions_do_not() {
        let period = ReportPeriod::new(YearMonth::parse("2026-10").unwrap(), parse_time_zone("Asia/Tokyo").unwrap());
        // Alerts look back 6 months: April in Tokyo starts on 31 March UTC.
        let alerts: Vec<String> = months_to_read(DatasetName::Alerts, &period).iter().map(ToString::to_string).collect();
        assert_eq!(alerts, ["2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]);
        let billing: Vec<String> = months_to_read(DatasetName::Billing, &period).iter().map(ToString::to_string).collect();
        assert_eq!(billing, ["2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]);
        assert!(months_to_read(DatasetName::OodEngagements, &period).is_empty());
    }
}
