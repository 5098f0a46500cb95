//! What the validation step found in each dataset, for the data-quality appendix.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::contract::DatasetName;

/// Counts and facts about one dataset for one account and report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatasetQuality {
    /// Dataset name.
    pub dataset: DatasetName,
    /// No data at all for the account (no folder or no file in the months read).
    pub missing: bool,
    /// Why it is missing (for the report's "No data for this period" line).
    pub missing_reason: Option<String>,
    /// Files (or result parts) read, relative to the source root.
    pub files_read: Vec<String>,
    /// Months (partitions) read.
    pub months_read: Vec<String>,
    /// Rows read from the files, before anything was dropped.
    pub rows_read: u64,
    /// Rows kept whose partition column falls in the report period.
    pub rows_in_period: u64,
    /// Rows equal to another row in every column, or superseded by a later report of the same
    /// key (`backup_jobs`: latest `dataset_datetime` wins), dropped.
    pub duplicates_dropped: u64,
    /// Rows with at least one enum value outside the contract (kept, value replaced).
    pub rows_with_unknown_values: u64,
    /// Unknown values seen, per column, with counts (at most 10 per column).
    pub unknown_values: BTreeMap<String, BTreeMap<String, u64>>,
    /// Rows with a null in a required column (excluded).
    pub rows_with_required_nulls: u64,
    /// Newest value of the partition column among kept rows, ISO 8601 (freshness).
    pub newest: Option<String>,
    /// The real-format source the rows came from (`docs/sources.md`), e.g. `cur2`; absent for
    /// the contract layout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_format: Option<String>,
    /// Contract columns that source does not carry (null in every row, never invented): the
    /// metrics that need them are null.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unavailable_columns: Vec<String>,
    /// What the source did not deliver that the report would have read (a month partition the
    /// period overlaps, say), in words: printed in the data-quality appendix and the run summary.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The last day an export delivered (its newest daily folder, `YYYY-MM-DD`) when that is
    /// before the report period's end: the days after it are missing, and the cover says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export_ends: Option<String>,
}

impl DatasetQuality {
    /// The record of `dataset` before anything was read.
    pub fn new(dataset: DatasetName) -> Self {
        Self {
            dataset,
            missing: false,
            missing_reason: None,
            files_read: Vec::new(),
            months_read: Vec::new(),
            rows_read: 0,
            rows_in_period: 0,
            duplicates_dropped: 0,
            rows_with_unknown_values: 0,
            unknown_values: BTreeMap::new(),
            rows_with_required_nulls: 0,
            newest: None,
            source_format: None,
            unavailable_columns: Vec::new(),
            warnings: Vec::new(),
            export_ends: None,
        }
    }

    /// Whether the source lacked `column`.
    pub fn lacks(&self, column: &str) -> bool {
        self.unavailable_columns.iter().any(|name| name == column)
    }
}
