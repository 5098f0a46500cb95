//! Real exports → the contract: one mapping per format, applied after the read whatever the
//! transport (local files, S3 objects, an Athena result), so a report from SSR, CUR or a ticket
//! export has the numbers of one from contract Parquet holding the same rows.
//!
//! A file is first decoded into a raw frame (`decode`: JSON lines and CSV into text columns,
//! Parquet as it is, each row with its line number), then mapped (`map`): contract column ←
//! source column (the format's own names, overridable with `columns`), text parsed strictly
//! (`text`), `values` applied, rows of other accounts dropped for shared exports. The result goes
//! through the contract's validation unchanged.

mod contract;
pub mod cost;
mod csv;
mod cur2;
mod focus;
mod ssr;
pub mod text;

use std::collections::BTreeMap;

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use opsreport_model::contract::{ACCOUNT_COLUMN, ColumnSpec, ColumnType, DatasetKind};
use opsreport_model::sources::{DatasetSource, SourceFormat};
use opsreport_model::{AccountId, DatasetName, ReportPeriod, YearMonth};
use polars::prelude::*;

use crate::source::{Dataset, months_to_read};
use crate::validate::{Part, polars_type, validate_lacking};
use crate::{ExtractError, Result};

/// A mapped frame with the label validation names it by.
type Labelled = (String, DataFrame);

/// The column a decoded frame keeps each row's line (or result row) number in.
pub const LINE_COLUMN: &str = "__opsreport_line";

/// The SSR tables' partition column holding the report day (`reportdate`).
pub const SSR_DAY_COLUMN: &str = "reportdate";

/// One file (or result part) of a real-format source, decoded but not mapped.
pub struct RawPart {
    /// How to name it in messages.
    pub label: String,
    /// Its columns as read (text for JSON lines and CSV), plus [`LINE_COLUMN`].
    pub frame: DataFrame,
    /// The SSR report day of its folder (`Date=`/`reportdate=`): the snapshot date.
    pub day: Option<NaiveDate>,
    /// The billing period of its folder (`billing_period=`).
    pub billing_period: Option<YearMonth>,
}

/// Everything a mapping needs besides the rows.
pub struct Mapping<'a> {
    /// The dataset.
    pub dataset: DatasetName,
    /// Its `[datasets.<dataset>]` entry.
    pub source: &'a DatasetSource,
    /// The account whose rows are kept.
    pub account: &'a AccountId,
}

impl Mapping<'_> {
    fn zone(&self) -> Tz {
        self.source.timezone.map_or(Tz::UTC, |zone| zone.0)
    }

    /// The source column a contract column is read from.
    pub fn source_column(&self, contract: &str) -> String {
        self.source.columns.get(contract).cloned().unwrap_or_else(|| contract.to_owned())
    }

    /// Contract columns this source does not carry.
    pub fn lacks(&self) -> &'static [&'static str] {
        self.source.format.unavailable_columns(self.dataset)
    }
}

/// How one export format is read: where its files lie, which column names a row's account,
/// how a file is decoded, how its rows become the contract's and how Athena queries its own
/// table. One module per format implements it; [`of`] is the one place that maps a
/// [`SourceFormat`] to its module, so a new format is its module, its variant of the enum (with
/// the facts `opsreport_model::sources` keeps: datasets, lacking columns), a fixture and a test.
pub trait ExportFormat: Sync {
    /// How the files lie under the location.
    fn layout(&self) -> Layout;
    /// How decoded rows become the contract's.
    fn rows(&self) -> Rows;
    /// The row column naming each row's account in a file (`None`: the folder names it, or the
    /// export is one account's).
    fn account_column(&self, source: &DatasetSource) -> Option<String>;
    /// The same column in the export's Athena table, as Athena names it (lower case).
    fn table_account_column(&self, source: &DatasetSource) -> Option<String> {
        self.account_column(source).map(|column| column.to_ascii_lowercase())
    }
    /// One file as a raw frame: only the columns the mapping reads, each row with its line in
    /// [`LINE_COLUMN`]. An error is the reason the file is no export of this format.
    fn decode(&self, source: &DatasetSource, dataset: DatasetName, bytes: &[u8]) -> std::result::Result<DataFrame, String>;
    /// The SQL over the export's own table, binding its partition bounds on `query`.
    fn table_query(&self, query: &mut crate::queries::TableQuery<'_>) -> std::result::Result<String, String>;
}

/// How a format's files lie under its location.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// The data contract's month partitions, read by the contract reader.
    Contract,
    /// One folder per report day, `<key>=YYYY-MM-DD` (a key of `keys`, in any case): the days of
    /// the months a report reads are opened ([`days_read`]), a snapshot's day is its folder's, and
    /// an export whose newest day is before the period's end is said to end early. With
    /// `account_folders`, each day holds one `awsaccountid=<id>/` folder per account.
    Days {
        /// The folder keys of a day.
        keys: &'static [&'static str],
        /// Whether each day holds a folder per account.
        account_folders: bool,
    },
    /// One folder per billing period, `billing_period=YYYY-MM`: the months a report reads.
    BillingPeriods,
    /// Every file under the location; rows outside the months a report reads are left out.
    Flat,
}

/// How a format's decoded rows become the contract's.
#[derive(Clone, Copy)]
pub enum Rows {
    /// Column by column, each file on its own ([`map_columns`]).
    Columns,
    /// Line items summed per account and product over every file of a billing period.
    Costs(&'static cost::CostColumns),
}

/// The module that reads `format`.
pub fn of(format: SourceFormat) -> &'static dyn ExportFormat {
    match format {
        SourceFormat::Contract => &contract::Contract,
        SourceFormat::AmsSsr => &ssr::Ssr { aggregated: false },
        SourceFormat::AmsSsrAggregated => &ssr::Ssr { aggregated: true },
        SourceFormat::Cur2 => &cur2::CUR2,
        SourceFormat::Focus => &focus::FOCUS,
        SourceFormat::Csv => &csv::Csv,
    }
}

/// The report days a daily layout is read for, inclusive: the days of the months a report
/// reads, and for event datasets `days_after` more (a job created late on the last day is
/// reported the next).
pub fn days_read(dataset: DatasetName, period: &ReportPeriod, days_after: u32) -> (NaiveDate, NaiveDate) {
    let months = months_to_read(dataset, period);
    let first = months.first().map_or(period.month().first_day(), |month| month.first_day());
    let last = months.last().map_or(period.month().last_day(), |month| month.last_day());
    let after = if dataset.spec().kind == DatasetKind::Event { i64::from(days_after) } else { 0 };
    (first, last + Duration::days(after))
}

/// Decodes one file of a configured source into a raw frame: only the columns its mapping reads are decoded (a
/// Parquet export's cost columns, a text export's contract columns under their `columns`
/// names), so what a file costs grows with the columns the mapping reads, not with the keys the
/// file happens to use.
pub fn decode_for(source: &DatasetSource, dataset: DatasetName, label: &str, bytes: &[u8]) -> Result<DataFrame> {
    of(source.format).decode(source, dataset, bytes).map_err(|reason| ExtractError::BadExport {
        dataset: dataset.into(),
        file: label.to_owned(),
        format: source.format.as_str().to_owned(),
        reason,
    })
}

/// The source columns a text export of `dataset` is read with: each contract column under its
/// `columns` name, the SSR report day, the CSV account column and the account column (every
/// spelling of which is checked).
fn text_columns(source: &DatasetSource, dataset: DatasetName) -> BTreeSet<String> {
    let mut wanted: BTreeSet<String> = dataset
        .spec()
        .columns
        .iter()
        .map(|column| source.columns.get(column.name).cloned().unwrap_or_else(|| column.name.to_owned()))
        .collect();
    wanted.extend([ACCOUNT_COLUMN.to_owned(), SSR_DAY_COLUMN.to_owned()]);
    wanted.extend(source.account_column.clone());
    wanted
}

/// A text table being built: the wanted columns, one value per row each, and whether the file
/// had the column at all (a key with only nulls is a column of nulls, an absent key none).
struct TextTable {
    names: Vec<String>,
    index: BTreeMap<String, usize>,
    values: Vec<Vec<Option<String>>>,
    present: Vec<bool>,
    lines: Vec<u64>,
}

impl TextTable {
    fn new(names: impl IntoIterator<Item = String>) -> Self {
        let names: Vec<String> = names.into_iter().collect();
        let index = names.iter().enumerate().map(|(position, name)| (name.clone(), position)).collect();
        let values = names.iter().map(|_| Vec::new()).collect();
        let present = vec![false; names.len()];
        Self { names, index, values, present, lines: Vec::new() }
    }

    fn push_row(&mut self, line: u64) {
        self.lines.push(line);
        for column in &mut self.values {
            column.push(None);
        }
    }

    /// Sets a column of the last row; false when the table has no such column.
    fn set(&mut self, name: &str, value: Option<String>) -> bool {
        let Some(&position) = self.index.get(name) else { return false };
        *self.values[position].last_mut().expect("a row") = value;
        self.present[position] = true;
        true
    }

    /// The last row's value of a column.
    fn get(&self, name: &str) -> Option<&str> {
        self.index.get(name).and_then(|position| self.values[*position].last()).and_then(|value| value.as_deref())
    }

    fn into_frame(self) -> std::result::Result<DataFrame, String> {
        let height = self.lines.len();
        let mut columns: Vec<Column> = self
            .names
            .iter()
            .zip(self.values)
            .zip(self.present)
            .filter(|(_, present)| *present)
            .map(|((name, values), _)| Column::new(name.as_str().into(), values))
            .collect();
        columns.push(Column::new(LINE_COLUMN.into(), self.lines));
        DataFrame::new(height, columns).map_err(|error| error.to_string())
    }
}

/// A Parquet file, only the columns of `wanted` it has (others, such as CUR's `product` map, are
/// never decoded), with each row's number.
fn parquet(bytes: &[u8], wanted: &[&str]) -> std::result::Result<DataFrame, String> {
    let mut frame = crate::parquet::decode(bytes.to_vec(), Some(wanted), crate::parquet::EAGER_READ_MAX_BYTES)?;
    let rows = frame.height();
    frame
        .with_column(Column::new(LINE_COLUMN.into(), (1..=rows as u64).collect::<Vec<u64>>()))
        .map_err(|error| error.to_string())?;
    Ok(frame)
}

/// Maps the raw parts of one dataset of one account as they are read, so only mapped rows (and
/// a cost export's sums) are held between files: one frame per file for SSR and CSV (the
/// contract's columns the format carries, plus `aws_account_id`, only the rows of
/// `mapping.account`), one per billing period for the cost exports (all of a period's files
/// summed together).
pub struct Mapper<'a> {
    mapping: &'a Mapping<'a>,
    files: Vec<String>,
    mapped: Vec<(String, DataFrame)>,
    periods: BTreeMap<YearMonth, cost::PeriodSums>,
}

impl<'a> Mapper<'a> {
    /// A mapper for one dataset of one account.
    pub fn new(mapping: &'a Mapping<'a>) -> Self {
        Self { mapping, files: Vec::new(), mapped: Vec::new(), periods: BTreeMap::new() }
    }

    /// Maps one file (or result part).
    pub fn push(&mut self, raw: RawPart) -> Result<()> {
        self.files.push(raw.label.clone());
        match of(self.mapping.source.format).rows() {
            Rows::Costs(columns) => {
                let period = cost::period_of(self.mapping.dataset, &raw)?;
                self.periods.entry(period).or_default().add(self.mapping, columns, raw)
            }
            Rows::Columns => {
                let label = raw.label.clone();
                self.mapped.push((label, map_columns(self.mapping, raw)?));
                Ok(())
            }
        }
    }

    /// The mapped frames with the labels validation names them by, and every file pushed.
    fn finish(self) -> Result<(Vec<Labelled>, Vec<String>)> {
        let mut mapped = self.mapped;
        for (period, sums) in self.periods {
            let label = sums.label(period);
            mapped.push((label, sums.rows(self.mapping, period)?));
        }
        Ok((mapped, self.files))
    }

    /// Keeps the rows of the months a report of `period` reads and validates them as any
    /// source's parts: the one path from a real export to a validated dataset, whatever the
    /// transport.
    pub fn load(self, period: &ReportPeriod) -> Result<Dataset> {
        let started = std::time::Instant::now();
        let (mapping, dataset) = (self.mapping, self.mapping.dataset);
        let (mapped, files) = self.finish()?;
        let mut parts = Vec::with_capacity(mapped.len());
        for (label, frame) in mapped {
            parts.push(Part { label, month: None, frame: within_months_read(dataset, period, frame)? });
        }
        let decode = started.elapsed();
        let months = months_with_rows(dataset, &parts)?;
        let mut loaded = validate_lacking(dataset, mapping.account, period, parts, months, mapping.lacks())?;
        loaded.decode = decode;
        loaded.quality.files_read = files;
        loaded.quality.source_format = Some(mapping.source.format.description().to_owned());
        Ok(loaded)
    }
}

/// The account a row names in `column`: `None` for an empty cell (a row of no account). A value
/// that is not an account id (`91190845155.0`, as a spreadsheet writes a number) is an error
/// naming the file, line, column and value: it could be any account, so it is never dropped.
/// Fewer than 12 digits are left-padded (a spreadsheet drops leading zeros).
pub fn row_account(dataset: DatasetName, label: &str, column: &str, value: Option<&str>, line: u64) -> Result<Option<AccountId>> {
    let Some(value) = value.map(str::trim).filter(|value| !value.is_empty()) else { return Ok(None) };
    AccountId::parse(&normalize_account(value)).map(Some).map_err(|_| ExtractError::BadAccountId {
        dataset: dataset.into(),
        file: label.to_owned(),
        line,
        column: column.to_owned(),
        value: value.chars().take(64).collect(),
    })
}

/// The column-by-column mapping of SSR and CSV sources.
fn map_columns(mapping: &Mapping<'_>, raw: RawPart) -> Result<DataFrame> {
    let RawPart { label, frame, day, .. } = raw;
    let frame = own_rows(mapping, &label, frame)?;
    let spec = mapping.dataset.spec();
    let lines = frame.column(LINE_COLUMN).ok().and_then(|lines| lines.u64().ok().cloned());
    let mut columns = Vec::with_capacity(spec.columns.len() + 1);
    for column in spec.columns {
        if mapping.lacks().contains(&column.name) {
            continue;
        }
        let mut source_name = mapping.source_column(column.name);
        // A daily layout keeps a snapshot's day in its folder name (an Athena table in its
        // `reportdate` partition column), not in the rows.
        if matches!(of(mapping.source.format).layout(), Layout::Days { .. })
            && column.name == "snapshot_date"
            && spec.kind == DatasetKind::Snapshot
            && !mapping.source.columns.contains_key(column.name)
        {
            match day {
                Some(day) => {
                    let days = (day - NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days() as i32;
                    let values = Int32Chunked::full("snapshot_date".into(), days, frame.height());
                    columns.push(values.into_date().into_column());
                    continue;
                }
                None => source_name = SSR_DAY_COLUMN.to_owned(),
            }
        }
        let Ok(found) = frame.column(&source_name) else {
            if column.required {
                return Err(ExtractError::MissingColumn {
                    dataset: mapping.dataset.into(),
                    file: label,
                    column: if source_name == column.name {
                        source_name
                    } else {
                        format!("{source_name}` (mapped to `{}`", column.name)
                    },
                });
            }
            continue;
        };
        let parsed = match found.dtype() {
            DataType::String => {
                parse_text(mapping, &label, column, &source_name, found.str().expect("a text column"), lines.as_ref())?
            }
            _ => found.clone().with_name(column.name.into()),
        };
        columns.push(parsed);
    }
    // Every spelling of the account column is kept, so validation checks each against the
    // account (as it does a contract file's).
    for account in frame.columns().iter().filter(|column| column.name().eq_ignore_ascii_case(ACCOUNT_COLUMN)) {
        columns.push(account.clone());
    }
    DataFrame::new(frame.height(), columns).map_err(|error| engine(mapping.dataset, error))
}

/// For shared exports (CSV with `account_column`): only the account's rows, with the account in
/// `aws_account_id`. Every value of the account column must be an account id
/// ([`row_account`]), and any other column that spells `aws_account_id` (in any case) must name
/// the same account on every row kept: a row is never reported as the account's own when one of
/// its columns says otherwise. Other sources keep their rows; validation then checks any
/// `aws_account_id` they carry, in any spelling, against the account.
fn own_rows(mapping: &Mapping<'_>, label: &str, frame: DataFrame) -> Result<DataFrame> {
    let Some(account_column) = &mapping.source.account_column else {
        return Ok(frame);
    };
    let Ok(accounts) = frame.column(account_column) else {
        return Err(ExtractError::MissingColumn {
            dataset: mapping.dataset.into(),
            file: label.to_owned(),
            column: format!("{account_column}` (the account_column of [datasets.{}]", mapping.dataset),
        });
    };
    let mine = rows_of_account(mapping, label, &frame, account_column, accounts)?;
    let mut kept = frame.filter(&mine).map_err(|error| engine(mapping.dataset, error))?;
    let spellings: Vec<String> = kept
        .get_column_names()
        .into_iter()
        .filter(|name| name.eq_ignore_ascii_case(ACCOUNT_COLUMN) && name.as_str() != account_column)
        .map(ToString::to_string)
        .collect();
    for name in &spellings {
        let values = kept.column(name).map_err(|error| engine(mapping.dataset, error))?.clone();
        let same = rows_of_account(mapping, label, &kept, name, &values)?;
        if let Some(row) = same.iter().position(|same| same != Some(true)) {
            return Err(foreign_row(mapping, label, &kept, name, &values, row));
        }
        let _ = kept.drop_in_place(name);
    }
    let rows = kept.height();
    kept.with_column(Column::new_scalar(ACCOUNT_COLUMN.into(), Scalar::from(PlSmallStr::from(mapping.account.as_str())), rows))
        .map_err(|error| engine(mapping.dataset, error))?;
    Ok(kept)
}

/// Which rows of `frame` name `mapping.account` in `values` (the column `name`).
fn rows_of_account(mapping: &Mapping<'_>, label: &str, frame: &DataFrame, name: &str, values: &Column) -> Result<BooleanChunked> {
    let values = values.cast(&DataType::String).map_err(|error| engine(mapping.dataset, error))?;
    let lines = frame.column(LINE_COLUMN).ok().and_then(|lines| lines.u64().ok().cloned());
    let mut mine = Vec::with_capacity(values.len());
    for (row, value) in values.str().map_err(|error| engine(mapping.dataset, error))?.iter().enumerate() {
        let line = lines.as_ref().and_then(|lines| lines.get(row)).unwrap_or(row as u64 + 1);
        mine.push(row_account(mapping.dataset, label, name, value, line)?.as_ref() == Some(mapping.account));
    }
    Ok(BooleanChunked::from_slice("mine".into(), &mine))
}

/// The error for a kept row whose column `name` names another account (or none).
fn foreign_row(mapping: &Mapping<'_>, label: &str, frame: &DataFrame, name: &str, values: &Column, row: usize) -> ExtractError {
    let line = frame.column(LINE_COLUMN).ok().and_then(|lines| lines.u64().ok().and_then(|lines| lines.get(row)));
    let found =
        values.cast(&DataType::String).ok().and_then(|text| text.str().ok().and_then(|text| text.get(row).map(str::to_owned)));
    ExtractError::ForeignRow {
        dataset: mapping.dataset.into(),
        file: label.to_owned(),
        line: line.unwrap_or(row as u64 + 1),
        column: name.to_owned(),
        value: found.unwrap_or_default().chars().take(64).collect(),
        expected: mapping.account.to_string(),
    }
}

/// An account id as exports write it: trimmed, and left-padded with zeros when a spreadsheet
/// dropped them (`43735371057` is account `043735371057`).
pub fn normalize_account(text: &str) -> String {
    let text = text.trim();
    if !text.is_empty() && text.len() < 12 && text.bytes().all(|b| b.is_ascii_digit()) {
        format!("{text:0>12}")
    } else {
        text.to_owned()
    }
}

/// Parses one text column into its contract type, value by value, after `values`.
fn parse_text(
    mapping: &Mapping<'_>,
    label: &str,
    column: &ColumnSpec,
    source_name: &str,
    found: &StringChunked,
    lines: Option<&UInt64Chunked>,
) -> Result<Column> {
    let replacements = mapping.source.values.get(column.name);
    let value_of = |text: Option<&str>| -> Option<String> {
        let text = text?;
        let replaced = replacements.and_then(|map| map.get(text).or_else(|| map.get(text.trim()))).map_or(text, String::as_str);
        let trimmed = replaced.trim();
        (!trimmed.is_empty()).then(|| trimmed.to_owned())
    };
    let error = |row: usize, text: &str, expected: text::Expected| ExtractError::BadText {
        dataset: mapping.dataset.into(),
        file: label.to_owned(),
        line: lines.and_then(|lines| lines.get(row)).unwrap_or(row as u64 + 1),
        column: source_name.to_owned(),
        contract_column: column.name.to_owned(),
        value: text.chars().take(64).collect(),
        expected: expected.to_owned(),
    };
    let name: PlSmallStr = column.name.into();
    let zone = mapping.zone();
    macro_rules! parse_all {
        ($parse:expr, $expected:expr) => {{
            let mut values = Vec::with_capacity(found.len());
            for (row, text) in found.iter().enumerate() {
                values.push(match value_of(text) {
                    None => None,
                    Some(text) => Some($parse(&text).ok_or_else(|| error(row, &text, $expected))?),
                });
            }
            values
        }};
    }
    let parsed = match column.column_type {
        ColumnType::String => {
            let values: Vec<Option<String>> = found.iter().map(value_of).collect();
            Column::new(name, values)
        }
        ColumnType::Timestamp => {
            let values = parse_all!(|text: &str| text::timestamp_micros(text, zone), text::TIMESTAMP);
            Int64Chunked::new(name, &values).into_datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)).into_column()
        }
        ColumnType::Date => {
            let values = parse_all!(text::date_days, text::DATE);
            Int32Chunked::new(name, &values).into_date().into_column()
        }
        ColumnType::Int64 => Column::new(name, parse_all!(text::integer, text::INTEGER)),
        ColumnType::Double => Column::new(name, parse_all!(text::decimal, text::DECIMAL)),
        ColumnType::Boolean => Column::new(name, parse_all!(text::boolean, text::BOOLEAN)),
    };
    debug_assert_eq!(parsed.dtype(), &polars_type(column.column_type));
    Ok(parsed)
}

/// Maps, keeps the rows of the months read and validates the raw parts of one dataset of one
/// account ([`Mapper`]).
pub fn load(mapping: &Mapping<'_>, period: &ReportPeriod, raws: Vec<RawPart>) -> Result<Dataset> {
    let mut mapper = Mapper::new(mapping);
    for raw in raws {
        mapper.push(raw)?;
    }
    mapper.load(period)
}

/// The rows whose partition column falls in the months a report reads (what the contract
/// layout's partitions would have held); reference data keeps every row.
fn within_months_read(dataset: DatasetName, period: &ReportPeriod, frame: DataFrame) -> Result<DataFrame> {
    let spec = dataset.spec();
    let (Some(column), Some(first), Some(last)) = (
        spec.partition_column,
        months_to_read(dataset, period).first().copied(),
        months_to_read(dataset, period).last().copied(),
    ) else {
        return Ok(frame);
    };
    let Ok(values) = frame.column(column) else { return Ok(frame) };
    let physical = values.to_physical_repr().cast(&DataType::Int64).map_err(|error| engine(dataset, error))?;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch");
    let (low, high) = match spec.column(column).map(|column| column.column_type) {
        Some(ColumnType::Timestamp) => {
            let micros = |date: NaiveDate| date.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp_micros();
            (micros(first.first_day()), micros(last.next().first_day()) - 1)
        }
        _ => ((first.first_day() - epoch).num_days(), (last.last_day() - epoch).num_days()),
    };
    let keep: BooleanChunked = physical
        .i64()
        .map_err(|error| engine(dataset, error))?
        .iter()
        .map(|value| value.is_none_or(|value| (low..=high).contains(&value)))
        .collect();
    frame.filter(&keep).map_err(|error| engine(dataset, error))
}

/// The UTC months of the partition column among the rows read: what the contract layout lists
/// as the month partitions it found.
fn months_with_rows(dataset: DatasetName, parts: &[Part]) -> Result<Vec<String>> {
    let Some(column) = dataset.spec().partition_column else { return Ok(Vec::new()) };
    let mut months = BTreeSet::new();
    for part in parts {
        let Ok(values) = part.frame.column(column) else { continue };
        let physical = values.to_physical_repr().cast(&DataType::Int64).map_err(|error| engine(dataset, error))?;
        let is_timestamp = matches!(values.dtype(), DataType::Datetime(_, _));
        for value in physical.i64().map_err(|error| engine(dataset, error))?.iter().flatten() {
            let day = if is_timestamp {
                chrono::DateTime::from_timestamp_micros(value).map(|instant| instant.date_naive())
            } else {
                NaiveDate::from_ymd_opt(1970, 1, 1).map(|epoch| epoch + Duration::days(value))
            };
            if let Some(day) = day {
                months.insert(YearMonth::of_date(day));
            }
        }
    }
    Ok(months.into_iter().map(|month| month.to_string()).collect())
}

fn engine(dataset: DatasetName, error: PolarsError) -> ExtractError {
    ExtractError::Engine { dataset: dataset.into(), reason: error.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opsreport_model::config::TimeZoneName;

    fn account() -> AccountId {
        AccountId::parse("043735371057").unwrap()
    }

    #[test]
    fn ssr_json_lines_map_with_the_folder_day_as_snapshot_date() {
        let lines = concat!(
            r#"{"dataset_datetime":"2026-10-31 06:00:00","aws_account_id":"043735371057","instance_id":"i-1","instance_state":"running","mw_covered_flag":"True","patch_status":"COMPLIANT","noncompliant_critical":"0","noncompliant_high":"1","noncompliant_medium":"0","noncompliant_low":"0","noncompliant_informational":"0","noncompliant_unspecified":"0","noncompliant_total":"1","extra":"ignored"}"#,
            "\n\n",
            r#"{"aws_account_id":"043735371057","instance_id":"i-2","instance_state":"stopped","mw_covered_flag":"no","patch_status":"NON_COMPLIANT","noncompliant_critical":"","noncompliant_high":"2","noncompliant_medium":"0","noncompliant_low":"0","noncompliant_informational":"0","noncompliant_unspecified":"0","noncompliant_total":"2"}"#,
        );
        let source = DatasetSource { format: SourceFormat::AmsSsr, location: Some("x".into()), ..DatasetSource::default() };
        let account = account();
        let mapping = Mapping { dataset: DatasetName::PatchDetails, source: &source, account: &account };
        let frame = decode_for(&source, DatasetName::PatchDetails, "a.json", lines.as_bytes()).unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 10, 31);
        let mapped = map_columns(&mapping, RawPart { label: "a.json".into(), frame, day, billing_period: None }).unwrap();
        assert_eq!(mapped.height(), 2);
        assert!(mapped.column("compliant_total").is_err(), "SSR has no installed count");
        assert!(mapped.column("extra").is_err());
        let covered: Vec<Option<bool>> = mapped.column("mw_covered_flag").unwrap().bool().unwrap().iter().collect();
        assert_eq!(covered, [Some(true), Some(false)]);
        let critical: Vec<Option<i64>> = mapped.column("noncompliant_critical").unwrap().i64().unwrap().iter().collect();
        assert_eq!(critical, [Some(0), None]);
        let date = mapped.column("snapshot_date").unwrap().cast(&DataType::String).unwrap();
        assert_eq!(date.str().unwrap().get(1), Some("2026-10-31"));
    }

    #[test]
    fn bad_text_names_dataset_file_line_column_and_value() {
        let lines = "{\"instance_id\":\"i-1\",\"patch_id\":\"KB1\",\"days_unpatched\":\"12\"}\n{\"instance_id\":\"i-1\",\"patch_id\":\"KB2\",\"days_unpatched\":\"twelve\"}\n";
        let source = DatasetSource { format: SourceFormat::AmsSsr, location: Some("x".into()), ..DatasetSource::default() };
        let account = account();
        let mapping = Mapping { dataset: DatasetName::MissingPatches, source: &source, account: &account };
        let frame = decode_for(&source, DatasetName::MissingPatches, "Date=2026-10-31/x.json", lines.as_bytes()).unwrap();
        let error = map_columns(
            &mapping,
            RawPart {
                label: "Date=2026-10-31/x.json".into(),
                frame,
                day: NaiveDate::from_ymd_opt(2026, 10, 31),
                billing_period: None,
            },
        )
        .unwrap_err()
        .to_string();
        for part in ["missing_patches", "Date=2026-10-31/x.json", "line 2", "`days_unpatched`", "\"twelve\""] {
            assert!(error.contains(part), "{part} in {error}");
        }
        let broken = decode_for(&source, DatasetName::MissingPatches, "y.json", b"{\"a\":\"1\"}\n{oops\n").unwrap_err();
        assert!(broken.to_string().contains("line 2"), "{broken}");
    }

    #[test]
    fn csv_exports_keep_only_the_account_and_apply_columns_values_and_zone() {
        let text = "number,u_aws_account_id,priority,state,opened_at,resolved_at,short_description\n\
                    INC1,43735371057,1 - Critical,Resolved,2026-10-05 09:00:00,2026-10-05 10:30:00,\"=HYPERLINK(\"\"x\"\")\"\n\
                    INC2,111111111111,3 - Moderate,Resolved,2026-10-06 09:00:00,,canary of another tenant\n";
        let mut source = DatasetSource {
            format: SourceFormat::Csv,
            location: Some("x".into()),
            account_column: Some("u_aws_account_id".into()),
            timezone: Some(TimeZoneName("America/New_York".parse().unwrap())),
            ..DatasetSource::default()
        };
        for (contract, column) in
            [("case_id", "number"), ("status", "state"), ("created_at", "opened_at"), ("subject", "short_description")]
        {
            source.columns.insert(contract.into(), column.into());
        }
        source.values.insert("priority".into(), [("1 - Critical".to_owned(), "High".to_owned())].into_iter().collect());
        let account = account();
        let mapping = Mapping { dataset: DatasetName::Incidents, source: &source, account: &account };
        let frame = decode_for(&source, DatasetName::Incidents, "i.csv", text.as_bytes()).unwrap();
        let mapped = map_columns(&mapping, RawPart { label: "i.csv".into(), frame, day: None, billing_period: None }).unwrap();
        assert_eq!(mapped.height(), 1, "the other tenant's row is dropped");
        assert_eq!(mapped.column("priority").unwrap().str().unwrap().get(0), Some("High"));
        assert_eq!(mapped.column(ACCOUNT_COLUMN).unwrap().str().unwrap().get(0), Some("043735371057"));
        let created = mapped.column("created_at").unwrap().cast(&DataType::Int64).unwrap();
        assert_eq!(text::instant(created.i64().unwrap().get(0).unwrap()).unwrap().to_rfc3339(), "2026-10-05T13:00:00+00:00");
    }

    #[test]
    fn json_lines_keep_only_the_columns_the_mapping_reads() {
        // Every line a key of its own: the frame holds the mapped columns, not 20,000.
        let mut text = String::new();
        for line in 0..20_000 {
            text.push_str(&format!(
                "{{\"instance_id\":\"i-{line}\",\"patch_id\":\"KB1\",\"key_{line}\":\"{}\"}}\n",
                "x".repeat(8)
            ));
        }
        let source = DatasetSource { format: SourceFormat::AmsSsr, location: Some("x".into()), ..DatasetSource::default() };
        let frame = decode_for(&source, DatasetName::MissingPatches, "keys.json", text.as_bytes()).unwrap();
        assert_eq!(frame.height(), 20_000);
        let names: Vec<String> = frame.get_column_names().iter().map(ToString::to_string).collect();
        assert_eq!(names, ["instance_id", "patch_id", LINE_COLUMN]);
    }

    #[test]
    fn the_account_column_in_another_spelling_is_read_and_checked() {
        let source = DatasetSource { format: SourceFormat::AmsSsr, location: Some("x".into()), ..DatasetSource::default() };
        let line = r#"{"AWS_ACCOUNT_ID":"111111111111","instance_id":"i-1","patch_id":"KB1"}"#;
        let frame = decode_for(&source, DatasetName::MissingPatches, "a.json", line.as_bytes()).unwrap();
        assert_eq!(frame.column(ACCOUNT_COLUMN).unwrap().str().unwrap().get(0), Some("111111111111"));
        let both = r#"{"aws_account_id":"043735371057","Aws_Account_Id":"111111111111","instance_id":"i-1"}"#;
        let error = decode_for(&source, DatasetName::MissingPatches, "b.json", both.as_bytes()).unwrap_err().to_string();
        assert!(error.contains("b.json") && error.contains("line 1") && error.contains("different accounts"), "{error}");
    }

    fn incident_csv_source() -> DatasetSource {
        let mut source = DatasetSource {
            format: SourceFormat::Csv,
            location: Some("x".into()),
            account_column: Some("u_account".into()),
            ..DatasetSource::default()
        };
        source.columns.insert("case_id".into(), "number".into());
        source
    }

    #[test]
    fn an_account_cell_that_is_not_an_account_id_is_an_error_never_dropped() {
        let text = "number,u_account,priority,status,created_at\n\
                    INC1,043735371057,High,Resolved,2026-10-05 09:00:00\n\
                    INC2,91190845155.0,High,Resolved,2026-10-05 09:00:00\n";
        let source = incident_csv_source();
        let account = account();
        let mapping = Mapping { dataset: DatasetName::Incidents, source: &source, account: &account };
        let frame = decode_for(&source, DatasetName::Incidents, "i.csv", text.as_bytes()).unwrap();
        let error = map_columns(&mapping, RawPart { label: "i.csv".into(), frame, day: None, billing_period: None })
            .unwrap_err()
            .to_string();
        for part in ["incidents", "i.csv", "line 3", "`u_account`", "\"91190845155.0\"", "12 digits"] {
            assert!(error.contains(part), "{part} in {error}");
        }
    }

    #[test]
    fn a_csv_row_whose_other_account_column_names_another_account_is_refused() {
        for header in ["aws_account_id", "AWS_ACCOUNT_ID"] {
            let text = format!(
                "number,u_account,{header},priority,status,created_at\n\
                 INC1,043735371057,043735371057,High,Resolved,2026-10-05 09:00:00\n\
                 INC2,043735371057,111111111111,High,Resolved,2026-10-05 09:00:00\n"
            );
            let source = incident_csv_source();
            let account = account();
            let mapping = Mapping { dataset: DatasetName::Incidents, source: &source, account: &account };
            let frame = decode_for(&source, DatasetName::Incidents, "i.csv", text.as_bytes()).unwrap();
            let error = map_columns(&mapping, RawPart { label: "i.csv".into(), frame, day: None, billing_period: None })
                .unwrap_err()
                .to_string();
            for part in ["i.csv", "line 3", header, "111111111111", "another account"] {
                assert!(error.contains(part), "{part} in {error}");
            }
        }
    }
}
