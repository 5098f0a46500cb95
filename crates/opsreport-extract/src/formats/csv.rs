//! A CSV export (a ticketing tool's): one header row, every cell text, mapped column by column
//! (`columns`, `values`). It has no partitions: every file under the location is read and rows
//! outside the months a report reads are left out. A shared export names each row's account in
//! `account_column` (padded to 12 digits, as a spreadsheet drops leading zeros).

use std::collections::BTreeSet;

use opsreport_model::DatasetName;
use opsreport_model::contract::ACCOUNT_COLUMN;
use opsreport_model::sources::DatasetSource;
use polars::prelude::*;

use super::{ExportFormat, Layout, Rows, TextTable, text_columns};
use crate::queries::TableQuery;

/// The CSV format.
pub struct Csv;

impl ExportFormat for Csv {
    fn layout(&self) -> Layout {
        Layout::Flat
    }

    fn rows(&self) -> Rows {
        Rows::Columns
    }

    fn account_column(&self, source: &DatasetSource) -> Option<String> {
        source.account_column.clone()
    }

    fn decode(&self, source: &DatasetSource, dataset: DatasetName, bytes: &[u8]) -> Result<DataFrame, String> {
        csv_text(bytes, &text_columns(source, dataset))
    }

    fn table_query(&self, query: &mut TableQuery<'_>) -> Result<String, String> {
        Ok(format!("SELECT * FROM {}\nWHERE lpad(trim({}), 12, '0') IN ({})", query.table, query.account, query.accounts))
    }
}

/// CSV with a header row (a byte-order mark is ignored); every cell is text. Only the `wanted`
/// columns and every spelling of the account column are kept.
fn csv_text(bytes: &[u8], wanted: &BTreeSet<String>) -> Result<DataFrame, String> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut reader = ::csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(bytes);
    let headers: Vec<String> =
        reader.headers().map_err(|error| format!("header: {error}"))?.iter().map(|name| name.trim().to_owned()).collect();
    let mut seen = BTreeSet::new();
    for name in &headers {
        if !seen.insert(name.as_str()) {
            return Err(format!("column {name:?} appears twice in the header"));
        }
    }
    let kept: Vec<String> =
        headers.iter().filter(|name| wanted.contains(*name) || name.eq_ignore_ascii_case(ACCOUNT_COLUMN)).cloned().collect();
    let mut table = TextTable::new(kept);
    // A header names its columns even when no row follows.
    table.present.fill(true);
    for record in reader.records() {
        let record = record.map_err(|error| error.to_string())?;
        let line = record.position().map_or(0, ::csv::Position::line);
        table.push_row(line);
        for (name, value) in headers.iter().zip(record.iter()) {
            table.set(name, Some(value.to_owned()));
        }
    }
    table.into_frame()
}
