//! The data contract's own Parquet layout at another location than `--source`: read as the
//! local source reads it (its month partitions, its validation), so it has no mapping of its own
//! and no Athena table query (Athena reads the contract through the shipped `queries/`).

use opsreport_model::DatasetName;
use opsreport_model::sources::DatasetSource;
use polars::prelude::*;

use super::{ExportFormat, Layout, Rows};
use crate::queries::TableQuery;

/// The contract layout.
pub struct Contract;

impl ExportFormat for Contract {
    fn layout(&self) -> Layout {
        Layout::Contract
    }

    fn rows(&self) -> Rows {
        Rows::Columns
    }

    fn account_column(&self, _source: &DatasetSource) -> Option<String> {
        None
    }

    fn decode(&self, _source: &DatasetSource, _dataset: DatasetName, _bytes: &[u8]) -> Result<DataFrame, String> {
        Err("the contract layout is read by the contract reader, not decoded file by file".into())
    }

    fn table_query(&self, _query: &mut TableQuery<'_>) -> Result<String, String> {
        Err("the contract layout is read by its own queries".into())
    }
}
