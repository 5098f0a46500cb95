//! Column builders and the atomic Parquet writer of the generator.
//!
//! Columns are collected as plain vectors and turned into a Polars frame of the contract's
//! types, checked against the contract before writing so the generator cannot drift from it.

use std::fs;
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use opsreport_model::DatasetName;
use opsreport_model::contract::ColumnType;
use polars::prelude::*;

use crate::FixtureError;

/// One column's values.
pub enum Values {
    /// Strings (null = `None`).
    Text(Vec<Option<String>>),
    /// Timestamps.
    Timestamp(Vec<Option<DateTime<Utc>>>),
    /// Dates.
    Date(Vec<Option<NaiveDate>>),
    /// Integers.
    Int(Vec<Option<i64>>),
    /// Doubles.
    Double(Vec<Option<f64>>),
    /// Booleans.
    Bool(Vec<Option<bool>>),
}

/// A dataset's rows, column by column, in contract order.
pub struct Table {
    dataset: DatasetName,
    columns: Vec<(String, Values)>,
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")
}

impl Table {
    /// An empty table with every contract column.
    pub fn new(dataset: DatasetName) -> Self {
        let columns = dataset
            .spec()
            .columns
            .iter()
            .map(|column| {
                let values = match column.column_type {
                    ColumnType::String => Values::Text(Vec::new()),
                    ColumnType::Timestamp => Values::Timestamp(Vec::new()),
                    ColumnType::Date => Values::Date(Vec::new()),
                    ColumnType::Int64 => Values::Int(Vec::new()),
                    ColumnType::Double => Values::Double(Vec::new()),
                    ColumnType::Boolean => Values::Bool(Vec::new()),
                };
                (column.name.to_owned(), values)
            })
            .collect();
        Self { dataset, columns }
    }

    fn values(&mut self, name: &str) -> &mut Values {
        let dataset = self.dataset;
        &mut self
            .columns
            .iter_mut()
            .find(|(column, _)| column == name)
            .unwrap_or_else(|| panic!("{dataset} has no column {name}"))
            .1
    }

    /// Appends a string (or null).
    pub fn text(&mut self, name: &str, value: Option<impl Into<String>>) -> &mut Self {
        match self.values(name) {
            Values::Text(values) => values.push(value.map(Into::into)),
            _ => panic!("{name} is not a string column"),
        }
        self
    }

    /// Appends a timestamp.
    pub fn timestamp(&mut self, name: &str, value: Option<DateTime<Utc>>) -> &mut Self {
        match self.values(name) {
            Values::Timestamp(values) => values.push(value),
            _ => panic!("{name} is not a timestamp column"),
        }
        self
    }

    /// Appends a date.
    pub fn date(&mut self, name: &str, value: Option<NaiveDate>) -> &mut Self {
        match self.values(name) {
            Values::Date(values) => values.push(value),
            _ => panic!("{name} is not a date column"),
        }
        self
    }

    /// Appends an integer.
    pub fn int(&mut self, name: &str, value: Option<i64>) -> &mut Self {
        match self.values(name) {
            Values::Int(values) => values.push(value),
            _ => panic!("{name} is not an int64 column"),
        }
        self
    }

    /// Appends a double.
    pub fn double(&mut self, name: &str, value: Option<f64>) -> &mut Self {
        match self.values(name) {
            Values::Double(values) => values.push(value),
            _ => panic!("{name} is not a double column"),
        }
        self
    }

    /// Appends a boolean.
    pub fn boolean(&mut self, name: &str, value: Option<bool>) -> &mut Self {
        match self.values(name) {
            Values::Bool(values) => values.push(value),
            _ => panic!("{name} is not a boolean column"),
        }
        self
    }

    /// The dataset the table is for.
    pub fn dataset(&self) -> DatasetName {
        self.dataset
    }

    /// Rows so far (all columns must have the same length).
    pub fn len(&self) -> usize {
        let lengths: Vec<usize> = self.columns.iter().map(|(_, values)| values_len(values)).collect();
        let first = lengths.first().copied().unwrap_or(0);
        assert!(lengths.iter().all(|length| *length == first), "{}: ragged columns {lengths:?}", self.dataset);
        first
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The table as a Polars frame of the contract's types.
    pub fn into_frame(self) -> PolarsResult<DataFrame> {
        // Fails loudly on ragged columns (a generator bug) before Polars sees them.
        self.len();
        let mut columns = Vec::with_capacity(self.columns.len());
        for (name, values) in self.columns {
            let name = PlSmallStr::from_string(name);
            let column = match values {
                Values::Text(values) => Column::new(name, values),
                Values::Timestamp(values) => {
                    let micros: Vec<Option<i64>> =
                        values.into_iter().map(|value| value.map(|instant| instant.timestamp_micros())).collect();
                    // Integer to zoned datetime drops the zone in Polars: go through a naive datetime.
                    Column::new(name, micros)
                        .cast(&DataType::Datetime(TimeUnit::Microseconds, None))?
                        .cast(&DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)))?
                }
                Values::Date(values) => {
                    let days: Vec<Option<i32>> =
                        values.into_iter().map(|value| value.map(|date| (date - epoch()).num_days() as i32)).collect();
                    Column::new(name, days).cast(&DataType::Date)?
                }
                Values::Int(values) => Column::new(name, values),
                Values::Double(values) => Column::new(name, values),
                Values::Bool(values) => Column::new(name, values),
            };
            columns.push(column);
        }
        DataFrame::new_infer_height(columns)
    }
}

fn values_len(values: &Values) -> usize {
    match values {
        Values::Text(values) => values.len(),
        Values::Timestamp(values) => values.len(),
        Values::Date(values) => values.len(),
        Values::Int(values) => values.len(),
        Values::Double(values) => values.len(),
        Values::Bool(values) => values.len(),
    }
}

/// Writes a frame as Parquet (zstd, single-threaded for stable bytes) to `path`, through a
/// temporary file renamed into place.
pub fn write_parquet(path: &Path, frame: &mut DataFrame) -> Result<(), FixtureError> {
    let folder = path.parent().expect("a file path has a folder");
    fs::create_dir_all(folder).map_err(|source| FixtureError::Io { path: folder.to_owned(), source })?;
    let temporary = path.with_extension("parquet.tmp");
    let file = fs::File::create(&temporary).map_err(|source| FixtureError::Io { path: temporary.clone(), source })?;
    ParquetWriter::new(file)
        .with_compression(ParquetCompression::Zstd(None))
        .set_parallel(false)
        .finish(frame)
        .map_err(|source| FixtureError::Polars { path: path.to_owned(), source })?;
    fs::rename(&temporary, path).map_err(|source| FixtureError::Io { path: path.to_owned(), source })
}

/// Writes text through a temporary file renamed into place.
pub fn write_text(path: &Path, text: &str) -> Result<(), FixtureError> {
    let folder = path.parent().expect("a file path has a folder");
    fs::create_dir_all(folder).map_err(|source| FixtureError::Io { path: folder.to_owned(), source })?;
    let temporary = path.with_extension("tmp");
    fs::write(&temporary, text).map_err(|source| FixtureError::Io { path: temporary.clone(), source })?;
    fs::rename(&temporary, path).map_err(|source| FixtureError::Io { path: path.to_owned(), source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_instants_in_microseconds() {
        let mut table = Table::new(DatasetName::Availability);
        let instant = DateTime::parse_from_rfc3339("2026-10-01T00:05:00Z").unwrap().with_timezone(&Utc);
        table
            .text("endpoint", Some("api"))
            .timestamp("window_start", Some(instant))
            .int("window_minutes", Some(5))
            .int("checks_total", Some(5))
            .int("checks_failed", Some(0));
        let frame = table.into_frame().unwrap();
        let column = frame.column("window_start").unwrap();
        assert_eq!(column.dtype(), &DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)));
        assert_eq!(column.cast(&DataType::Int64).unwrap().i64().unwrap().get(0), Some(instant.timestamp_micros()));
    }
}
