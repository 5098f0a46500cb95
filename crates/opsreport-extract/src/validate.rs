//! Validation: from whatever a source read (files, result parts) to the contract's columns and
//! types, with the data-quality counts the report's appendix prints.
//!
//! Fatal problems (unreadable file, missing required column, wrong type, a required column null
//! in every row, a row of another account, conflicting duplicates) are errors naming the
//! dataset, file and column or row. Recoverable ones are counted and fixed: rows with a null in a
//! required column are excluded, unknown enum values become `Other`/`Unknown`, exact duplicates
//! and superseded re-reports are dropped.

use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use opsreport_model::contract::{
    ACCOUNT_COLUMN, ColumnSpec, ColumnType, DatasetKind, DatasetSpec, EARLIEST_DATA_DATE, LATEST_DATA_DAYS_AFTER_PERIOD, RowRule,
};
use opsreport_model::period::LAST_MONTH;
use opsreport_model::{AccountId, DatasetName, DatasetQuality, ReportPeriod, YearMonth};
use polars::prelude::*;

use crate::kernels;
use crate::source::Dataset;
use crate::{ExtractError, Result};

/// One piece of a dataset as a source read it: a file, or a part of a query result.
pub struct Part {
    /// How to name it in messages: a path relative to the source root, or a result part.
    pub label: String,
    /// The `month=` partition it came from, when the source knows it: every row's partition
    /// column must fall in that (UTC) month, or pruning would silently lose it.
    pub month: Option<YearMonth>,
    /// Its rows, with whatever columns and types it has.
    pub frame: DataFrame,
}

const PART_COLUMN: &str = "__opsreport_part";
const ROW_COLUMN: &str = "__opsreport_row";

/// The Polars type a contract type is held in.
pub fn polars_type(column_type: ColumnType) -> DataType {
    match column_type {
        ColumnType::String => DataType::String,
        ColumnType::Timestamp => DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)),
        ColumnType::Date => DataType::Date,
        ColumnType::Int64 => DataType::Int64,
        ColumnType::Double => DataType::Float64,
        ColumnType::Boolean => DataType::Boolean,
    }
}

/// A date as a date column holds it: days since 1970-01-01.
fn epoch_days(date: NaiveDate) -> i64 {
    (date - NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days()
}

/// The column found in a part, turned into the contract's type, or `None` when that cannot be
/// done without losing information.
fn cast_to_contract(column: &ColumnSpec, found: &Column) -> Option<PolarsResult<Column>> {
    let target = polars_type(column.column_type);
    let cast = match (column.column_type, found.dtype()) {
        (_, DataType::Null) => return Some(Ok(Column::full_null(column.name.into(), found.len(), &target))),
        (ColumnType::String, DataType::String)
        | (ColumnType::Boolean, DataType::Boolean)
        | (ColumnType::Date, DataType::Date) => {
            return Some(Ok(found.clone()));
        }
        // Dictionary-encoded text (a pandas categorical) is text.
        (ColumnType::String, DataType::Categorical(_, _) | DataType::Enum(_, _)) => found.cast(&target),
        (ColumnType::Int64, dtype) if dtype.is_integer() && !matches!(dtype, DataType::UInt64) => found.cast(&target),
        // A whole-number decimal (`decimal(18,0)`) holds a count exactly; a value too large for
        // int64 fails the strict cast and names the column.
        (ColumnType::Int64, DataType::Decimal(_, 0)) => found.strict_cast(&target),
        // Money or hours as `decimal(p,s)`: the nearest double, as a double export would hold it.
        (ColumnType::Double, dtype) if dtype.is_float() || dtype.is_integer() || dtype.is_decimal() => found.cast(&target),
        // A timestamp without a zone is read as UTC (Parquet's isAdjustedToUTC = false from
        // writers that do not set it); one with a zone is an instant already. Either way the
        // cast keeps the instant and changes only the unit and the label.
        (ColumnType::Timestamp, DataType::Datetime(_, _)) => found.cast(&target),
        _ => return None,
    };
    Some(cast)
}

/// Reads every part, checks it against the contract and returns the validated dataset.
pub fn validate(
    dataset: DatasetName,
    account: &AccountId,
    period: &ReportPeriod,
    parts: Vec<Part>,
    months_read: Vec<String>,
) -> Result<Dataset> {
    validate_lacking(dataset, account, period, parts, months_read, &[])
}

/// [`validate`] for a source that does not carry the contract columns `lacks` (a real-format
/// export, `docs/sources.md`): they are null in every row, and a required one among them is
/// neither a missing column nor a reason to exclude a row. They are listed in the data-quality
/// record, so the metrics that need them are null rather than computed from nothing.
pub fn validate_lacking(
    dataset: DatasetName,
    account: &AccountId,
    period: &ReportPeriod,
    parts: Vec<Part>,
    months_read: Vec<String>,
    lacks: &[&str],
) -> Result<Dataset> {
    let split = splits(dataset.spec(), parts.iter().map(|part| part.frame.height()).sum());
    validate_parts(dataset, account, period, parts, months_read, lacks, split)
}

/// The rows read of a dataset from which [`validate`] keeps only the period's rows and counts
/// the rest (`crate::history`), as the local source does from [`BY_MONTH_MIN_BYTES`]: about the
/// rows of 16 MiB of alerts or backup jobs. Sources that hand over decoded parts (Athena, the
/// real-format exports) then hold one period of rows after the check, not every month read.
pub const SPLIT_MIN_ROWS: usize = 1 << 20;

/// Whether `rows` read of `spec` are split into the period's rows and a history.
fn splits(spec: &DatasetSpec, rows: usize) -> bool {
    spec.history.is_some() && rows >= SPLIT_MIN_ROWS
}

/// [`validate_lacking`], with the history split off when `split` (a large dataset checked whole).
fn validate_parts(
    dataset: DatasetName,
    account: &AccountId,
    period: &ReportPeriod,
    parts: Vec<Part>,
    months_read: Vec<String>,
    lacks: &[&str],
    split: bool,
) -> Result<Dataset> {
    let spec = dataset.spec();
    let labels: Vec<String> = parts.iter().map(|part| part.label.clone()).collect();
    let mut quality = DatasetQuality {
        files_read: labels.clone(),
        months_read,
        unavailable_columns: lacks.iter().map(|column| (*column).to_owned()).collect(),
        ..DatasetQuality::new(dataset)
    };
    let started = Instant::now();
    let Some((frame, decode)) = check_parts(spec, account, period, parts, &labels, Columns { lacks, keep: None }, &mut quality)?
    else {
        quality.missing = true;
        quality.missing_reason = Some("no files for this account in the months the report reads".into());
        return Ok(Dataset { name: dataset, frame: None, history: None, quality, decode: started.elapsed() });
    };
    let (frame, history) = finish(spec, account, period, frame, split)?;
    Ok(Dataset { name: dataset, frame: Some(frame), history, quality, decode })
}

/// The size of a dataset's files from which [`validate_by_month`] checks its months apart.
pub const BY_MONTH_MIN_BYTES: u64 = 16 << 20;

/// A part not decoded yet: its name, its `month=` partition and how to decode it (once, or again
/// when [`validate_by_month`] has to check the dataset whole).
pub struct PendingPart<'a> {
    /// As [`Part::label`].
    pub label: String,
    /// As [`Part::month`].
    pub month: Option<YearMonth>,
    /// The size of what it decodes from (bytes of its file).
    pub bytes: u64,
    /// Its rows, decoded.
    pub decode: Box<dyn Fn() -> Result<DataFrame> + 'a>,
}

impl PendingPart<'_> {
    fn decoded(&self) -> Result<(Part, Duration)> {
        let _decode = tracing::debug_span!("check", step = "decode").entered();
        let started = Instant::now();
        let frame = (self.decode)()?;
        Ok((Part { label: self.label.clone(), month: self.month, frame }, started.elapsed()))
    }
}

/// [`validate`] one month at a time, for a dataset with a history (`DatasetSpec::history`): the
/// months' rows are never held at once, only the period's rows and the history's counts. The
/// result is the one [`validate`] gives: every check is a check of a row, a file or a key, and
/// when a key occurs in two months, or a month has values outside an enum (whose ten most
/// frequent must be the whole dataset's), the dataset is checked whole instead. A dataset of one
/// month, without a history, of parts without a month or of fewer than [`BY_MONTH_MIN_BYTES`]
/// is checked whole (its months cost more checked apart than they hold); a large one checked
/// whole has its history split off all the same. When a dataset has
/// several problems, the first found is the first of its earliest month.
pub fn validate_by_month(
    dataset: DatasetName,
    account: &AccountId,
    period: &ReportPeriod,
    parts: Vec<PendingPart<'_>>,
    months_read: Vec<String>,
) -> Result<Dataset> {
    let spec = dataset.spec();
    let large = parts.iter().map(|part| part.bytes).sum::<u64>() >= BY_MONTH_MIN_BYTES;
    let groups =
        month_groups(&parts).filter(|groups| large && groups.len() > 1 && spec.history.is_some() && !spec.unique_key.is_empty());
    if let Some(groups) = groups
        && let Some(checked) = check_by_month(spec, account, period, &parts, &groups, months_read.clone())?
    {
        return Ok(checked);
    }
    let (mut decoded, mut decode) = (Vec::with_capacity(parts.len()), Duration::ZERO);
    for part in &parts {
        let (part, took) = part.decoded()?;
        decoded.push(part);
        decode += took;
    }
    let mut checked = validate_parts(dataset, account, period, decoded, months_read, &[], large)?;
    checked.decode += decode;
    Ok(checked)
}

/// The runs of consecutive parts of one month, or `None` when a part has no month.
fn month_groups(parts: &[PendingPart<'_>]) -> Option<Vec<std::ops::Range<usize>>> {
    let mut groups: Vec<std::ops::Range<usize>> = Vec::new();
    for (index, part) in parts.iter().enumerate() {
        let month = part.month?;
        match groups.last_mut() {
            Some(last) if parts[last.start].month == Some(month) => last.end = index + 1,
            _ => groups.push(index..index + 1),
        }
    }
    Some(groups)
}

/// The months of [`validate_by_month`] checked one by one, or `None` when that would not be
/// the whole dataset's result.
fn check_by_month(
    spec: &DatasetSpec,
    account: &AccountId,
    period: &ReportPeriod,
    parts: &[PendingPart<'_>],
    groups: &[std::ops::Range<usize>],
    months_read: Vec<String>,
) -> Result<Option<Dataset>> {
    let labels: Vec<String> = parts.iter().map(|part| part.label.clone()).collect();
    let mut quality = DatasetQuality { files_read: labels.clone(), months_read, ..DatasetQuality::new(spec.dataset) };
    let (mut frames, mut histories, mut keys) = (Vec::new(), Vec::new(), Vec::new());
    let mut decode = Duration::ZERO;
    // What is read of a month outside the period: its keys (across months), its time (the
    // period's rows, the history) and the history's columns.
    let mut narrow: Vec<&str> = spec.unique_key.to_vec();
    narrow.extend(spec.partition_column);
    narrow.extend(spec.history.unwrap_or_default().iter().copied());
    narrow.sort_unstable();
    narrow.dedup();
    for range in groups {
        let mut decoded = Vec::with_capacity(range.len());
        for part in &parts[range.clone()] {
            let (part, took) = part.decoded()?;
            decoded.push(part);
            decode += took;
        }
        let outside = parts[range.start].month.is_some_and(|month| !overlaps(month, period));
        let columns = Columns { lacks: &[], keep: outside.then_some(narrow.as_slice()) };
        let mut month = DatasetQuality::new(spec.dataset);
        let Some((frame, took)) = check_parts(spec, account, period, decoded, &labels[range.clone()], columns, &mut month)?
        else {
            continue;
        };
        decode += took;
        let hashes = {
            let _step = tracing::debug_span!("check", step = "keys across months").entered();
            key_hashes(&frame, spec.unique_key).map_err(|error| engine(spec, error))?
        };
        let Some(hashes) = hashes else {
            return Ok(None);
        };
        if !month.unknown_values.is_empty() {
            return Ok(None);
        }
        keys.extend(hashes);
        add_counts(&mut quality, &month);
        if outside {
            let (_, history) = crate::history::split(spec, frame, period).map_err(|error| engine(spec, error))?;
            histories.extend(history);
            continue;
        }
        let (frame, history) = finish(spec, account, period, frame, true)?;
        frames.push(frame);
        histories.extend(history);
    }
    if tracing::debug_span!("check", step = "keys across months").in_scope(|| shares_a_key(keys)) {
        return Ok(None);
    }
    let mut frames = frames.into_iter();
    let Some(mut frame) = frames.next() else {
        return Ok(None);
    };
    for next in frames {
        frame.vstack_mut_owned(next).map_err(|error| engine(spec, error))?;
    }
    let history = crate::history::merge(spec, histories).map_err(|error| engine(spec, error))?;
    Ok(Some(Dataset { name: spec.dataset, frame: Some(frame), history, quality, decode }))
}

/// Whether the UTC month of a `month=` partition holds any instant of the period.
fn overlaps(month: YearMonth, period: &ReportPeriod) -> bool {
    let midnight = |date: NaiveDate| date.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
    midnight(month.first_day()) < period.end() && period.start() < midnight(month.next().first_day())
}

/// Adds one month's counts to the dataset's.
fn add_counts(total: &mut DatasetQuality, month: &DatasetQuality) {
    total.rows_read += month.rows_read;
    total.rows_in_period += month.rows_in_period;
    total.duplicates_dropped += month.duplicates_dropped;
    total.rows_with_unknown_values += month.rows_with_unknown_values;
    total.rows_with_required_nulls += month.rows_with_required_nulls;
    // ISO 8601 in one format: the greatest text is the newest.
    total.newest = total.newest.take().max(month.newest.clone());
}

/// Whether two of the months' rows (each month's keys are distinct once checked) may share a key:
/// equal hashes, compared no further (a collision only sends the dataset to the whole check).
fn shares_a_key(mut hashes: Vec<u64>) -> bool {
    hashes.sort_unstable();
    hashes.windows(2).any(|pair| pair[0] == pair[1])
}

/// Which columns [`check_parts`] reads and returns.
#[derive(Clone, Copy)]
struct Columns<'a> {
    /// Contract columns the source does not carry ([`validate_lacking`]).
    lacks: &'a [&'a str],
    /// When given, the only columns the checked rows need to keep (a month outside the period,
    /// of which only the keys and the history's columns are read): dropping superseded reports
    /// then copies those alone.
    keep: Option<&'a [&'a str]>,
}

/// Reads the parts and checks them together: every step of the contract, in order. `None` when
/// there are no parts. The frame keeps the part and row of each row.
fn check_parts(
    spec: &DatasetSpec,
    account: &AccountId,
    period: &ReportPeriod,
    parts: Vec<Part>,
    labels: &[String],
    columns: Columns<'_>,
    quality: &mut DatasetQuality,
) -> Result<Option<(DataFrame, Duration)>> {
    let lacks = columns.lacks;
    let mut combined: Option<DataFrame> = None;
    let mut decode = Duration::ZERO;
    for (index, part) in parts.into_iter().enumerate() {
        let started = Instant::now();
        let frame = read_part(spec, account, index, part, lacks)?;
        decode += started.elapsed();
        match combined.as_mut() {
            None => combined = Some(frame),
            Some(all) => {
                all.vstack_mut_owned(frame).map_err(|error| engine(spec, error))?;
            }
        }
    }
    let Some(frame) = combined else {
        return Ok(None);
    };
    // The parts stay separate chunks: every step below works chunk by chunk, and copying them
    // into one (a rechunk) cost more than it saved.
    quality.rows_read = frame.height() as u64;
    let step = |name: &'static str| tracing::debug_span!("check", step = name).entered();
    {
        let _step = step("row rules");
        check_row_rules(spec, labels, &frame, period)?;
    }
    let frame = {
        let _step = step("required nulls");
        drop_required_nulls(spec, frame, quality, lacks)?
    };
    let frame = {
        let _step = step("enums");
        normalize_enums(spec, frame, quality)?
    };
    let frame = {
        let _step = step("duplicates");
        drop_duplicates(spec, frame, labels, columns.keep, quality)?
    };
    {
        let _step = step("period rows");
        count_period_rows(spec, &frame, period, quality)?;
    }
    Ok(Some((frame, decode)))
}

/// The checked rows as the metrics read them: the account column and the contract's columns,
/// with a dataset's history split off when `split` ([`crate::history`]; only months checked
/// apart are: a small dataset's rows cost less than their split).
fn finish(
    spec: &DatasetSpec,
    account: &AccountId,
    period: &ReportPeriod,
    frame: DataFrame,
    split: bool,
) -> Result<(DataFrame, Option<DataFrame>)> {
    let _step = tracing::debug_span!("check", step = "split").entered();
    let (frame, history) = match split {
        true => crate::history::split(spec, frame, period).map_err(|error| engine(spec, error))?,
        false => (frame, None),
    };
    let mut output_columns = vec![lit(account.as_str()).alias(ACCOUNT_COLUMN)];
    output_columns.extend(spec.columns.iter().map(|column| col(column.name)));
    let frame = frame.lazy().select(output_columns).collect().map_err(|error| engine(spec, error))?;
    Ok((frame, history))
}

fn engine(spec: &DatasetSpec, error: PolarsError) -> ExtractError {
    ExtractError::Engine { dataset: spec.dataset.into(), reason: error.to_string() }
}

fn unreadable(spec: &DatasetSpec, label: &str, error: PolarsError) -> ExtractError {
    let reason: String = error.to_string().lines().next().unwrap_or("unknown error").chars().take(300).collect();
    ExtractError::UnreadableFile { dataset: spec.dataset.into(), file: label.to_owned(), reason }
}

/// Casts one part to the contract's columns and checks what can only be checked per file: the
/// columns and their types, a required column null in every row, rows outside the part's
/// `month=` partition and rows of another account. Works on the columns directly: a query per
/// file would cost more than the checks.
fn read_part(spec: &DatasetSpec, account: &AccountId, index: usize, part: Part, lacks: &[&str]) -> Result<DataFrame> {
    let _decode = tracing::debug_span!("check", step = "file rules").entered();
    let Part { label, month, frame: found } = part;
    let rows = found.height();
    let mut columns = Vec::with_capacity(spec.columns.len() + 2);
    for column in spec.columns {
        let required = column.required && !lacks.contains(&column.name);
        let converted = match found.column(column.name) {
            Err(_) if required => {
                return Err(ExtractError::MissingColumn {
                    dataset: spec.dataset.into(),
                    file: label,
                    column: column.name.to_owned(),
                });
            }
            Err(_) => Column::full_null(column.name.into(), rows, &polars_type(column.column_type)),
            Ok(present) => match cast_to_contract(column, present) {
                Some(converted) => converted.map_err(|error| unreadable(spec, &label, error))?,
                None => {
                    return Err(ExtractError::WrongType {
                        dataset: spec.dataset.into(),
                        file: label,
                        column: column.name.to_owned(),
                        found: present.dtype().to_string(),
                        expected: column.column_type.name().to_owned(),
                    });
                }
            },
        };
        if required && rows > 0 && converted.null_count() == rows {
            return Err(ExtractError::AllNull {
                dataset: spec.dataset.into(),
                file: label,
                column: column.name.to_owned(),
                rows: rows as u64,
            });
        }
        columns.push(converted);
    }
    // In any spelling: an `AWS_ACCOUNT_ID` column holding another account is checked, not ignored.
    for file_account in found.columns().iter().filter(|column| column.name().eq_ignore_ascii_case(ACCOUNT_COLUMN)) {
        check_file_account(spec, &label, file_account, account)?;
    }
    columns.push(Column::new_scalar(PART_COLUMN.into(), Scalar::from(index as u32), rows));
    columns.push(Column::new(ROW_COLUMN.into(), (0..rows as IdxSize).collect::<Vec<IdxSize>>()));
    let frame = DataFrame::new(rows, columns).map_err(|error| engine(spec, error))?;
    if let (Some(month), Some(partition)) = (month, spec.partition_column) {
        check_partition_month(spec, &label, &frame, partition, month)?;
    }
    Ok(frame)
}

/// Fails on the first row whose `aws_account_id` column (when a file has one) names another
/// account than the folder it was found in.
fn check_file_account(spec: &DatasetSpec, label: &str, file_account: &Column, account: &AccountId) -> Result<()> {
    let Ok(values) = file_account.str() else {
        return Err(ExtractError::WrongType {
            dataset: spec.dataset.into(),
            file: label.to_owned(),
            column: ACCOUNT_COLUMN.to_owned(),
            found: file_account.dtype().to_string(),
            expected: "string".to_owned(),
        });
    };
    let Some(row) = kernels::first_different(values, account.as_str()) else {
        return Ok(());
    };
    let found = values.get(row).unwrap_or_default();
    Err(ExtractError::AccountMismatch {
        dataset: spec.dataset.into(),
        file: label.to_owned(),
        row: row as u64,
        found: found.chars().take(64).collect(),
        expected: account.to_string(),
    })
}

/// Fails on the first row whose partition column lies outside the file's `month=` folder. The
/// column's smallest and largest values settle the usual case without a pass over the rows.
fn check_partition_month(spec: &DatasetSpec, label: &str, frame: &DataFrame, partition: &str, month: YearMonth) -> Result<()> {
    let column = frame.column(partition).map_err(|error| engine(spec, error))?;
    // The physical values: microseconds for timestamps, days for dates.
    let (first, last) = match spec.column(partition).expect("partition column").column_type {
        ColumnType::Timestamp => {
            let micros = |date: NaiveDate| date.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp_micros();
            (micros(month.first_day()), micros(month.next().first_day()) - 1)
        }
        _ => (epoch_days(month.first_day()), epoch_days(month.last_day())),
    };
    let physical = column.to_physical_repr().cast(&DataType::Int64).map_err(|error| engine(spec, error))?;
    let values = physical.i64().map_err(|error| engine(spec, error))?;
    let (Some(min), Some(max)) = (values.min(), values.max()) else {
        return Ok(());
    };
    if min >= first && max <= last {
        return Ok(());
    }
    let row = values.iter().position(|value| value.is_some_and(|value| value < first || value > last)).unwrap_or(0);
    let value = column
        .slice(row as i64, 1)
        .cast(&DataType::String)
        .ok()
        .and_then(|text| text.get(0).ok().map(|value| any_value_text(&value)))
        .unwrap_or_default();
    Err(ExtractError::OutsidePartition {
        dataset: spec.dataset.into(),
        file: label.to_owned(),
        row: row as u64,
        column: partition.to_owned(),
        value,
        month: month.to_string(),
    })
}

/// Fails on the first row with an impossible value: a time before 2000 or more than a year
/// after the report month, or a value that breaks one of the dataset's row rules
/// (`DatasetSpec::row_rules`: times in order, counts and sizes not negative, bounded scores).
/// Each rule is a comparison kernel over the columns (no query to plan); a null never breaks a
/// rule. Every row keeps its file and row number, so the error names them.
fn check_row_rules(spec: &DatasetSpec, labels: &[String], frame: &DataFrame, period: &ReportPeriod) -> Result<()> {
    if frame.height() == 0 {
        return Ok(());
    }
    let mut checks = time_checks(spec, frame, period)?;
    checks.extend(number_checks(spec, frame)?);
    if spec.dataset == DatasetName::OodEngagements {
        checks.extend(modification_check(frame));
    }
    checks.extend(rule_checks(spec, frame)?);
    first_broken(spec, labels, frame, checks)
}

/// The latest time a row may hold: event data is bounded by the report it is read for;
/// reference data (an engagement that runs for years) only by the months any report can cover,
/// so an old month can be regenerated with today's reference data.
fn latest_allowed(spec: &DatasetSpec, period: &ReportPeriod) -> chrono::DateTime<chrono::Utc> {
    match spec.kind {
        DatasetKind::Reference => {
            let (year, month) = LAST_MONTH;
            YearMonth::new(year, month)
                .expect("the last month")
                .next()
                .first_day()
                .and_hms_opt(0, 0, 0)
                .expect("midnight")
                .and_utc()
        }
        _ => period.end() + chrono::Duration::days(LATEST_DATA_DAYS_AFTER_PERIOD),
    }
}

/// Times and dates against their physical bounds (microseconds or days since the epoch): not
/// before 2000, not after the latest a report of `period` allows.
fn time_checks<'a>(spec: &'a DatasetSpec, frame: &DataFrame, period: &ReportPeriod) -> Result<Vec<Check<'a>>> {
    let earliest = NaiveDate::parse_from_str(EARLIEST_DATA_DATE, "%Y-%m-%d").expect("a valid constant date");
    let latest = latest_allowed(spec, period);
    let plausible =
        format!("is not a plausible time for a report of {} (allowed: {earliest} to {})", period.label(), latest.date_naive());
    let mut checks = Vec::new();
    for column in spec.columns {
        let (low, high) = match column.column_type {
            ColumnType::Timestamp => {
                (earliest.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp_micros(), latest.timestamp_micros())
            }
            ColumnType::Date => (epoch_days(earliest), epoch_days(latest.date_naive())),
            _ => continue,
        };
        let values = column_series(frame, column.name)
            .and_then(|values| values.to_physical_repr().cast(&DataType::Int64))
            .map_err(|error| engine(spec, error))?;
        let outside = kernels::first_outside(values.i64().map_err(|error| engine(spec, error))?, low, high);
        checks.push((outside, column.name, vec![column.name], plausible.clone()));
    }
    Ok(checks)
}

/// A column as a series (for the comparison kernels).
fn column_series(frame: &DataFrame, name: &str) -> PolarsResult<Series> {
    frame.column(name).map(|column| column.as_materialized_series().clone())
}

/// The dataset's row rules (`DatasetSpec::row_rules`), each as its first broken row.
fn rule_checks<'a>(spec: &'a DatasetSpec, frame: &DataFrame) -> Result<Vec<Check<'a>>> {
    let series = |name: &str| column_series(frame, name);
    let broken = |result: PolarsResult<BooleanChunked>| {
        // `any` reads the bitmap a word at a time; the row is looked for only when there is one.
        result
            .map(|broken| if broken.any() { broken.iter().position(|row| row == Some(true)) } else { None })
            .map_err(|error| engine(spec, error))
    };
    let mut checks = Vec::new();
    for rule in spec.row_rules() {
        let check = match *rule {
            RowRule::FirstOfMonth { column } => {
                let days = series(column)
                    .and_then(|values| values.to_physical_repr().cast(&DataType::Int64))
                    .map_err(|error| engine(spec, error))?;
                (
                    kernels::first_not_first_of_month(days.i64().map_err(|error| engine(spec, error))?),
                    column,
                    vec![column],
                    "must be the first day of a month (an engagement starts on the 1st)".to_owned(),
                )
            }
            RowRule::AtLeast { column, min } => (
                broken(series(column).and_then(|values| values.lt(min)))?,
                column,
                vec![column],
                format!("must be at least {min}"),
            ),
            RowRule::Above { column, min } => (
                broken(series(column).and_then(|values| values.lt_eq(min)))?,
                column,
                vec![column],
                format!("must be more than {min}"),
            ),
            RowRule::AtMost { column, max } => (
                broken(series(column).and_then(|values| values.gt(max)))?,
                column,
                vec![column],
                format!("must be at most {max}"),
            ),
            RowRule::NotAbove { column, other } => (
                broken(series(column).and_then(|values| values.gt(&series(other)?)))?,
                column,
                vec![column, other],
                format!("must not exceed `{other}`"),
            ),
            RowRule::NotBefore { later, earlier } => (
                broken(series(later).and_then(|values| values.lt(&series(earlier)?)))?,
                later,
                vec![later, earlier],
                format!("must not be before `{earlier}`"),
            ),
        };
        checks.push(check);
    }
    Ok(checks)
}

/// The error of the first check that a row breaks, naming its file, row, column and values.
fn first_broken(spec: &DatasetSpec, labels: &[String], frame: &DataFrame, checks: Vec<Check<'_>>) -> Result<()> {
    for (first_broken, column, shown, rule) in checks {
        let Some(index) = first_broken else { continue };
        let value = |name: &str| {
            frame
                .column(name)
                .and_then(|values| values.slice(index as i64, 1).cast(&DataType::String))
                .ok()
                .and_then(|text| text.get(0).ok().map(|value| any_value_text(&value)))
                .unwrap_or_default()
        };
        let values: Vec<String> = shown.iter().map(|name| format!("`{name}` = {}", value(name))).collect();
        let number =
            |name: &str| frame.column(name).ok().and_then(|values| values.get(index).ok()).and_then(|v| v.extract::<u64>());
        return Err(ExtractError::ImplausibleValue {
            dataset: spec.dataset.into(),
            file: number(PART_COLUMN).and_then(|part| labels.get(part as usize).cloned()).unwrap_or_default(),
            row: number(ROW_COLUMN).unwrap_or(0),
            column: column.to_owned(),
            problem: format!("{}: `{column}` {rule}", values.join(", ")),
        });
    }
    Ok(())
}

/// An Operations on Demand modification must name an engagement of the account that is not
/// itself a modification, on the same basis: else its blocks would change nothing, or the wrong
/// engagement's bill.
fn modification_check(frame: &DataFrame) -> Option<Check<'static>> {
    let text = |name: &str| -> Vec<Option<String>> {
        frame
            .column(name)
            .ok()
            .and_then(|column| column.str().ok().map(|values| values.iter().map(|value| value.map(str::to_owned)).collect()))
            .unwrap_or_default()
    };
    let (ids, modifies, bases) = (text("engagement_id"), text("modifies"), text("basis"));
    let basis_of =
        |id: &str| (0..ids.len()).find(|&row| ids[row].as_deref() == Some(id) && modifies[row].is_none()).map(|row| &bases[row]);
    let broken = (0..modifies.len()).find(|&row| match &modifies[row] {
        None => false,
        Some(target) => basis_of(target) != Some(&bases[row]),
    })?;
    Some((
        Some(broken),
        "modifies",
        vec!["engagement_id", "modifies", "basis"],
        "must name an engagement of this account that is not itself a modification, with the same basis".to_owned(),
    ))
}

/// No real export holds a count or size beyond 2^53 (9 PB in bytes) in one row, ...
pub const INT_MAGNITUDE_LIMIT: i64 = (1 << 53) - 1;
/// ... nor a column whose values add up, in magnitude, beyond int64: below that no total the
/// metrics take can wrap.
pub const INT_TOTAL_LIMIT: u64 = i64::MAX as u64;
/// No real export holds NaN, an infinity, or an amount, duration or score beyond 10^15.
pub const DOUBLE_MAGNITUDE_LIMIT: f64 = 1e15;

/// One row check: the first row that breaks it, the column to name, the columns whose values to
/// show, the rule in words.
type Check<'a> = (Option<usize>, &'a str, Vec<&'a str>, String);

/// The number rules every numeric column obeys, as [`check_row_rules`] checks: finite doubles
/// within [`DOUBLE_MAGNITUDE_LIMIT`], integers within [`INT_MAGNITUDE_LIMIT`] whose column total
/// stays within [`INT_TOTAL_LIMIT`].
fn number_checks<'a>(spec: &'a DatasetSpec, frame: &DataFrame) -> Result<Vec<Check<'a>>> {
    let mut checks = Vec::new();
    for column in spec.columns {
        let values = frame.column(column.name).map_err(|error| engine(spec, error))?;
        match column.column_type {
            ColumnType::Double => {
                let values = values.f64().map_err(|error| engine(spec, error))?;
                checks.push((
                    kernels::first_not_finite_or_beyond(values, DOUBLE_MAGNITUDE_LIMIT),
                    column.name,
                    vec![column.name],
                    format!("is not a value a real export can hold (NaN, infinite, or beyond ±{DOUBLE_MAGNITUDE_LIMIT:e})"),
                ));
            }
            ColumnType::Int64 => {
                let values = values.i64().map_err(|error| engine(spec, error))?;
                checks.push((
                    kernels::first_outside(values, -INT_MAGNITUDE_LIMIT, INT_MAGNITUDE_LIMIT),
                    column.name,
                    vec![column.name],
                    format!("is beyond ±{INT_MAGNITUDE_LIMIT} (2^53 - 1), more than a real export holds"),
                ));
                checks.push((
                    kernels::first_total_beyond(values, INT_TOTAL_LIMIT),
                    column.name,
                    vec![column.name],
                    "takes the column's total beyond what a 64-bit sum can hold; the values cannot be real".into(),
                ));
            }
            _ => {}
        }
    }
    Ok(checks)
}

/// Excludes rows with a null in a required column and counts them.
fn drop_required_nulls(spec: &DatasetSpec, frame: DataFrame, quality: &mut DatasetQuality, lacks: &[&str]) -> Result<DataFrame> {
    let required = |column: &&ColumnSpec| column.required && !lacks.contains(&column.name);
    // Arrow keeps each column's null count: a dataset without nulls (the usual case) costs nothing.
    let has_nulls = |name: &str| frame.column(name).map_or(true, |column| column.null_count() > 0);
    if !spec.columns.iter().filter(required).any(|column| has_nulls(column.name)) {
        return Ok(frame);
    }
    let required: Vec<Expr> = spec.columns.iter().filter(required).map(|column| col(column.name).is_not_null()).collect();
    let Some(all_present) = required.into_iter().reduce(|left, right| left.and(right)) else {
        return Ok(frame);
    };
    let before = frame.height();
    let kept = frame.lazy().filter(all_present).collect().map_err(|error| engine(spec, error))?;
    quality.rows_with_required_nulls = (before - kept.height()) as u64;
    Ok(kept)
}

/// Distinct values of an enum column above which the per-row path is used (a column of free
/// text where an enum belongs would otherwise build a huge expression).
const ENUM_DISTINCT_LIMIT: usize = 64;

/// Maps enum-like columns to their canonical spelling (trimmed, case-insensitive) and replaces
/// unknown values, counting them. Works on each column's distinct values: a column already in
/// canonical spelling (the usual case) costs one `unique` and no per-row work.
fn normalize_enums(spec: &DatasetSpec, frame: DataFrame, quality: &mut DatasetQuality) -> Result<DataFrame> {
    let mut replacements = Vec::new();
    let mut unknown_flags = Vec::new();
    for column in spec.columns {
        let Some(values) = column.allowed_values else { continue };
        let found = frame.column(column.name).and_then(|found| found.str()).map_err(|error| engine(spec, error))?;
        let Some(distinct) = kernels::distinct_strings(found, ENUM_DISTINCT_LIMIT) else {
            return normalize_enums_by_row(spec, frame, quality);
        };
        let mut respelled: Vec<(String, &str)> = Vec::new();
        let mut unknown: Vec<String> = Vec::new();
        for raw in distinct.iter().map(String::as_str) {
            let cleaned = raw.trim().to_lowercase();
            match values.iter().find(|value| value.to_lowercase() == cleaned) {
                Some(canonical) if *canonical == raw => {}
                Some(canonical) => respelled.push((raw.to_owned(), canonical)),
                None => unknown.push(raw.to_owned()),
            }
        }
        if respelled.is_empty() && unknown.is_empty() {
            continue;
        }
        // Sorted, so the expression (and anything derived from it) is the same on every run.
        respelled.sort();
        unknown.sort();
        let mut mapped = col(column.name);
        for (raw, canonical) in &respelled {
            mapped = when(col(column.name).eq(lit(raw.as_str()))).then(lit(*canonical)).otherwise(mapped);
        }
        if !unknown.is_empty() {
            let is_unknown =
                unknown.iter().map(|raw| col(column.name).eq(lit(raw.as_str()))).reduce(|a, b| a.or(b)).expect("unknown values");
            mapped = when(is_unknown.clone()).then(lit(spec.unknown_value)).otherwise(mapped);
            unknown_flags.push((column.name, is_unknown.alias(format!("__unknown_{}", column.name))));
        }
        replacements.push(mapped.alias(column.name));
    }
    if replacements.is_empty() {
        return Ok(frame);
    }
    if !unknown_flags.is_empty() {
        let flagged = frame
            .clone()
            .lazy()
            .with_columns(unknown_flags.iter().map(|(_, flag)| flag.clone()).collect::<Vec<_>>())
            .collect()
            .map_err(|error| engine(spec, error))?;
        count_unknown_values(spec, &flagged, &unknown_flags.iter().map(|(name, _)| *name).collect::<Vec<_>>(), quality)?;
    }
    frame.lazy().with_columns(replacements).collect().map_err(|error| engine(spec, error))
}

/// Counts rows with an unknown value in any of `columns` (flagged `__unknown_<column>` in
/// `flagged`) and records the ten most frequent unknown values of each column.
fn count_unknown_values(spec: &DatasetSpec, flagged: &DataFrame, columns: &[&str], quality: &mut DatasetQuality) -> Result<()> {
    let any_unknown = columns.iter().map(|name| col(format!("__unknown_{name}"))).reduce(|a, b| a.or(b)).expect("enum columns");
    let unknown_rows = flagged
        .clone()
        .lazy()
        .filter(any_unknown)
        .select([len().alias("rows")])
        .collect()
        .map_err(|error| engine(spec, error))?;
    quality.rows_with_unknown_values = first_u64(&unknown_rows, "rows");
    if quality.rows_with_unknown_values == 0 {
        return Ok(());
    }
    for name in columns {
        let flag = format!("__unknown_{name}");
        let samples = flagged
            .clone()
            .lazy()
            .filter(col(flag.as_str()))
            .group_by([col(*name)])
            .agg([len().cast(DataType::UInt64).alias("count")])
            .sort_by_exprs([col("count"), col(*name)], SortMultipleOptions::default().with_order_descending_multi([true, false]))
            .limit(10)
            .collect()
            .map_err(|error| engine(spec, error))?;
        if samples.height() == 0 {
            continue;
        }
        let values =
            samples.column(name).map_err(|error| engine(spec, error))?.str().map_err(|error| engine(spec, error))?.clone();
        let counts =
            samples.column("count").map_err(|error| engine(spec, error))?.u64().map_err(|error| engine(spec, error))?.clone();
        let entry = quality.unknown_values.entry((*name).to_owned()).or_default();
        for (value, count) in values.iter().zip(counts.iter()) {
            let value: String = value.unwrap_or_default().chars().take(80).collect();
            entry.insert(value, count.unwrap_or(0));
        }
    }
    Ok(())
}

/// The per-row form of [`normalize_enums`], for columns with many distinct values.
fn normalize_enums_by_row(spec: &DatasetSpec, frame: DataFrame, quality: &mut DatasetQuality) -> Result<DataFrame> {
    let enum_columns: Vec<(&ColumnSpec, &[&str])> =
        spec.columns.iter().filter_map(|column| column.allowed_values.map(|values| (column, values))).collect();
    if enum_columns.is_empty() {
        return Ok(frame);
    }
    // Trim and lower-case each enum column once; the comparisons below read the result.
    let cleaning: Vec<Expr> = enum_columns
        .iter()
        .map(|(column, _)| {
            col(column.name).str().strip_chars(lit(NULL)).str().to_lowercase().alias(format!("__clean_{}", column.name))
        })
        .collect();
    let frame = frame.lazy().with_columns(cleaning).collect().map_err(|error| engine(spec, error))?;
    let mut normalized = Vec::new();
    let mut unknown_flags = Vec::new();
    for (column, values) in &enum_columns {
        let cleaned = col(format!("__clean_{}", column.name));
        let mut mapped =
            when(col(column.name).is_null()).then(lit(NULL).cast(DataType::String)).otherwise(lit(spec.unknown_value));
        for value in values.iter().rev() {
            mapped = when(cleaned.clone().eq(lit(value.to_lowercase()))).then(lit(*value)).otherwise(mapped);
        }
        let known =
            values.iter().map(|value| cleaned.clone().eq(lit(value.to_lowercase()))).reduce(|a, b| a.or(b)).expect("enum values");
        unknown_flags.push(col(column.name).is_not_null().and(known.not()).alias(format!("__unknown_{}", column.name)));
        normalized.push(mapped.alias(column.name));
    }
    let flagged = frame.lazy().with_columns(unknown_flags).collect().map_err(|error| engine(spec, error))?;
    let names: Vec<&str> = enum_columns.iter().map(|(column, _)| column.name).collect();
    count_unknown_values(spec, &flagged, &names, quality)?;
    let flag_names: Vec<String> = enum_columns
        .iter()
        .flat_map(|(column, _)| [format!("__unknown_{}", column.name), format!("__clean_{}", column.name)])
        .collect();
    flagged.lazy().with_columns(normalized).drop(cols(flag_names)).collect().map_err(|error| engine(spec, error))
}

fn first_u64(frame: &DataFrame, column: &str) -> u64 {
    frame.column(column).ok().and_then(|values| values.get(0).ok()).and_then(|value| value.extract::<u64>()).unwrap_or(0)
}

/// Drops exact duplicates and superseded re-reports; rejects conflicting rows. With `keep`, the
/// rows may come back with those columns only.
fn drop_duplicates(
    spec: &DatasetSpec,
    frame: DataFrame,
    labels: &[String],
    keep: Option<&[&str]>,
    quality: &mut DatasetQuality,
) -> Result<DataFrame> {
    let before = frame.height();
    let frame = match spec.latest_wins_by {
        Some(version) if !spec.unique_key.is_empty() => drop_superseded(spec, frame, version, labels, keep)?,
        // No key: only rows equal in every column are duplicates.
        _ if spec.unique_key.is_empty() => drop_exact_duplicates(spec, frame, &[], labels)?,
        // Rows equal in every column share their key: when no key repeats (the usual case)
        // there is nothing to compare row by row, and no conflict.
        _ if !has_repeated_key(spec, &frame, spec.unique_key)? => frame,
        _ => drop_exact_duplicates(spec, frame, spec.unique_key, labels)?,
    };
    quality.duplicates_dropped = (before - frame.height()) as u64;
    Ok(frame)
}

/// Keeps the first of rows equal in every column (in file order), then fails if rows still share
/// `key` (when there is one): they disagree about the same thing.
fn drop_exact_duplicates(spec: &DatasetSpec, frame: DataFrame, key: &[&str], labels: &[String]) -> Result<DataFrame> {
    let content: Vec<String> = spec.columns.iter().map(|column| column.name.to_owned()).collect();
    let frame = frame.unique_stable(Some(&content), UniqueKeepStrategy::First, None).map_err(|error| engine(spec, error))?;
    if !key.is_empty() {
        check_conflicts(spec, &frame, key, labels)?;
    }
    Ok(frame)
}

/// For datasets re-reported over time (`latest_wins_by`): keeps each key's latest report. Keys
/// reported once (most of them) are found by [`repeated_keys`] and kept without a query; each
/// repeated key keeps the row with its latest version. A key with two rows of the same version
/// is an exact duplicate or a conflict, handled as for other datasets. With `keep`, only those
/// columns of the kept rows are copied.
fn drop_superseded(
    spec: &DatasetSpec,
    frame: DataFrame,
    version: &str,
    labels: &[String],
    keep_columns: Option<&[&str]>,
) -> Result<DataFrame> {
    let versions = frame.column(version).map_err(|error| engine(spec, error))?;
    if versions.null_count() > 0 {
        return drop_superseded_by_windows(spec, frame, version, labels);
    }
    let Some(repeated) = repeated_keys(&frame, spec.unique_key).map_err(|error| engine(spec, error))? else {
        return drop_superseded_by_windows(spec, frame, version, labels);
    };
    if repeated.groups.is_empty() {
        return Ok(frame);
    }
    // The physical values (microseconds for a time), in one chunk with no nulls.
    let physical = versions.to_physical_repr().cast(&DataType::Int64).map_err(|error| engine(spec, error))?;
    let physical = physical.i64().map_err(|error| engine(spec, error))?.rechunk();
    let values = physical.cont_slice().map_err(|error| engine(spec, error))?;
    let mut keep = vec![true; frame.height()];
    let mut group_versions = Vec::new();
    for range in &repeated.groups {
        let rows = &repeated.rows[range.clone()];
        group_versions.clear();
        group_versions.extend(rows.iter().map(|&row| values[row as usize]));
        group_versions.sort_unstable();
        if group_versions.windows(2).any(|pair| pair[0] == pair[1]) {
            return drop_repeated_versions(spec, frame, version, labels);
        }
        let latest = *group_versions.last().expect("a repeated key has rows");
        for &row in rows {
            keep[row as usize] = values[row as usize] == latest;
        }
    }
    let frame = match keep_columns {
        Some(columns) => frame.select(columns.iter().copied()).map_err(|error| engine(spec, error))?,
        None => frame,
    };
    frame.filter(&BooleanChunked::from_slice(PlSmallStr::from_static("keep"), &keep)).map_err(|error| engine(spec, error))
}

/// [`drop_superseded`] by Polars, for keys [`repeated_keys`] does not handle and versions with
/// nulls. One pass over the key gives, per row, how often its key occurs, how many distinct
/// versions it has and the latest version (the three windows share one grouping).
fn drop_superseded_by_windows(spec: &DatasetSpec, frame: DataFrame, version: &str, labels: &[String]) -> Result<DataFrame> {
    const REPORTS: &str = "__opsreport_reports";
    const VERSIONS: &str = "__opsreport_versions";
    const LATEST: &str = "__opsreport_latest";
    let key: Vec<Expr> = spec.unique_key.iter().map(|name| col(*name)).collect();
    let window = |expression: Expr, name: &str| expression.over(key.clone()).map(|windowed| windowed.alias(name));
    let windows = [window(len(), REPORTS), window(col(version).n_unique(), VERSIONS), window(col(version).max(), LATEST)]
        .into_iter()
        .collect::<PolarsResult<Vec<Expr>>>()
        .map_err(|error| engine(spec, error))?;
    let summary = frame.clone().lazy().with_columns(windows).collect().map_err(|error| engine(spec, error))?;
    let column = |name: &str| summary.column(name).map(|column| column.as_materialized_series().clone());
    let reports = column(REPORTS).map_err(|error| engine(spec, error))?;
    if reports.max::<u64>().map_err(|error| engine(spec, error))?.unwrap_or(0) <= 1 {
        return Ok(frame);
    }
    let versions = column(VERSIONS).map_err(|error| engine(spec, error))?;
    let repeated_version = versions
        .cast(&DataType::UInt64)
        .and_then(|versions| Ok(versions.lt(&reports.cast(&DataType::UInt64)?)?.any()))
        .map_err(|error| engine(spec, error))?;
    if repeated_version {
        return drop_repeated_versions(spec, frame, version, labels);
    }
    summary
        .lazy()
        .filter(col(version).eq(col(LATEST)))
        .drop(cols([REPORTS, VERSIONS, LATEST]))
        .collect()
        .map_err(|error| engine(spec, error))
}

/// Rare: the same report delivered twice, or two different rows for one key and version. Exact
/// duplicates are dropped (conflicts are fatal), then each key keeps its latest version.
fn drop_repeated_versions(spec: &DatasetSpec, frame: DataFrame, version: &str, labels: &[String]) -> Result<DataFrame> {
    let mut conflict_key = spec.unique_key.to_vec();
    conflict_key.push(version);
    let frame = drop_exact_duplicates(spec, frame, &conflict_key, labels)?;
    let key: Vec<Expr> = spec.unique_key.iter().map(|name| col(*name)).collect();
    let latest = col(version).max().over(key).map_err(|error| engine(spec, error))?;
    frame.lazy().filter(col(version).eq(latest)).collect().map_err(|error| engine(spec, error))
}

fn has_repeated_key(spec: &DatasetSpec, frame: &DataFrame, key: &[&str]) -> Result<bool> {
    if let Some(repeated) = repeated_keys(frame, key).map_err(|error| engine(spec, error))? {
        return Ok(!repeated.groups.is_empty());
    }
    let key: Vec<Expr> = key.iter().map(|name| col(*name)).collect();
    let repeated = frame
        .clone()
        .lazy()
        .group_by(key)
        .agg([len().alias("__count")])
        .filter(col("__count").gt(lit(1u32)))
        .select([len().alias("keys")])
        .collect()
        .map_err(|error| engine(spec, error))?;
    Ok(first_u64(&repeated, "keys") > 0)
}

/// Rows that share a key with another row: `rows` holds them grouped, each group's rows in file
/// order, and `groups` gives each group's range in `rows`. Keys that occur once are left out.
struct RepeatedKeys {
    rows: Vec<IdxSize>,
    groups: Vec<std::ops::Range<usize>>,
}

/// The rows of `frame` that share their `key` with another row, found without a query: rows
/// with equal hashes of their key are grouped ([`kernels::group_equal_hashes`]) and then compared
/// by value, so the answer never depends on the hash. `None` when a key column has a type hashed
/// only by Polars, or two different keys share a hash (vanishingly rare): the caller then asks
/// Polars.
fn repeated_keys(frame: &DataFrame, key: &[&str]) -> PolarsResult<Option<RepeatedKeys>> {
    let Some(hashes) = key_hashes(frame, key)? else {
        return Ok(None);
    };
    let (rows, groups) = kernels::group_equal_hashes(&hashes);
    if groups.is_empty() {
        return Ok(Some(RepeatedKeys { rows, groups }));
    }
    let columns: Vec<KeyValues> = key.iter().map(|name| KeyValues::of(frame.column(name)?)).collect::<PolarsResult<_>>()?;
    let same_key = |left: IdxSize, right: IdxSize| columns.iter().all(|column| column.equal(left as usize, right as usize));
    Ok(checked_by_value(RepeatedKeys { rows, groups }, same_key))
}

/// `groups` when every group's rows have the same key by `same_key`; `None` when a group holds
/// different keys (their hashes collided).
fn checked_by_value(groups: RepeatedKeys, same_key: impl Fn(IdxSize, IdxSize) -> bool) -> Option<RepeatedKeys> {
    let all_equal = groups.groups.iter().all(|range| {
        let group = &groups.rows[range.clone()];
        group[1..].iter().all(|&row| same_key(group[0], row))
    });
    all_equal.then_some(groups)
}

/// A key column in one chunk, typed, so two rows compare without building values.
enum KeyValues {
    Text(StringChunked),
    Integer(Int64Chunked),
    Integer32(Int32Chunked),
    Flag(BooleanChunked),
}

impl KeyValues {
    /// The column's physical values, in one chunk (only called for columns [`key_hashes`] hashed).
    fn of(column: &Column) -> PolarsResult<KeyValues> {
        let series = column.as_materialized_series().to_physical_repr();
        Ok(match series.dtype() {
            DataType::String => KeyValues::Text(series.str()?.rechunk().into_owned()),
            DataType::Int64 => KeyValues::Integer(series.i64()?.rechunk().into_owned()),
            DataType::Int32 => KeyValues::Integer32(series.i32()?.rechunk().into_owned()),
            DataType::Boolean => KeyValues::Flag(series.bool()?.rechunk().into_owned()),
            other => polars_bail!(ComputeError: "no typed key comparison for {other}"),
        })
    }

    /// Whether two rows hold the same value (two nulls are the same).
    fn equal(&self, left: usize, right: usize) -> bool {
        match self {
            KeyValues::Text(values) => values.get(left) == values.get(right),
            KeyValues::Integer(values) => values.get(left) == values.get(right),
            KeyValues::Integer32(values) => values.get(left) == values.get(right),
            KeyValues::Flag(values) => values.get(left) == values.get(right),
        }
    }
}

/// A hash of each row's `key` (equal keys hash alike; the seed is fixed), or `None` when a key
/// column is not a string, integer, date, time or boolean column.
fn key_hashes(frame: &DataFrame, key: &[&str]) -> PolarsResult<Option<Vec<u64>>> {
    let state = polars::polars_utils::aliases::PlSeedableRandomStateQuality::fixed();
    let mut hashes: Vec<u64> = Vec::with_capacity(frame.height());
    for (index, name) in key.iter().enumerate() {
        let series = frame.column(name)?.as_materialized_series().to_physical_repr();
        macro_rules! hash {
            ($values:expr) => {
                if index == 0 {
                    $values.vec_hash(state.clone(), &mut hashes)?
                } else {
                    $values.vec_hash_combine(state.clone(), &mut hashes)?
                }
            };
        }
        match series.dtype() {
            DataType::String => hash!(series.str()?),
            DataType::Int64 => hash!(series.i64()?),
            DataType::Int32 => hash!(series.i32()?),
            DataType::Boolean => hash!(series.bool()?),
            _ => return Ok(None),
        }
    }
    Ok(Some(hashes))
}

fn check_conflicts(spec: &DatasetSpec, frame: &DataFrame, key: &[&str], labels: &[String]) -> Result<()> {
    let key_columns: Vec<Expr> = key.iter().map(|name| col(*name)).collect();
    let conflicts = frame
        .clone()
        .lazy()
        .group_by(key_columns.clone())
        .agg([
            len().cast(DataType::UInt64).alias("__count"),
            col(PART_COLUMN).unique().sort(SortOptions::default()).alias("__parts"),
        ])
        .filter(col("__count").gt(lit(1u64)))
        .sort_by_exprs(key_columns, SortMultipleOptions::default())
        .limit(1)
        .collect()
        .map_err(|error| engine(spec, error))?;
    if conflicts.height() == 0 {
        return Ok(());
    }
    let value = key
        .iter()
        .map(|name| {
            conflicts
                .column(name)
                .ok()
                .and_then(|column| column.get(0).ok().map(|value| any_value_text(&value)))
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(", ");
    let parts =
        conflicts.column("__parts").ok().and_then(|column| column.get(0).ok().map(|value| value.to_string())).unwrap_or_default();
    let files: Vec<String> = parts
        .trim_matches(|c| c == '[' || c == ']')
        .split(',')
        .filter_map(|index| index.trim().parse::<usize>().ok())
        .filter_map(|index| labels.get(index).cloned())
        .collect();
    Err(ExtractError::ConflictingDuplicates {
        dataset: spec.dataset.into(),
        key: key.join(", "),
        value: value.chars().take(120).collect(),
        count: first_u64(&conflicts, "__count"),
        files: files.join(", "),
    })
}

fn any_value_text(value: &AnyValue<'_>) -> String {
    match value {
        AnyValue::String(text) => (*text).to_owned(),
        AnyValue::StringOwned(text) => text.to_string(),
        other => other.to_string(),
    }
}

/// Counts rows whose partition column is in the period and records the newest value, on the
/// column's physical values (microseconds or days since the epoch).
fn count_period_rows(spec: &DatasetSpec, frame: &DataFrame, period: &ReportPeriod, quality: &mut DatasetQuality) -> Result<()> {
    let Some(partition) = spec.partition_column else {
        quality.rows_in_period = frame.height() as u64;
        return Ok(());
    };
    let column_type = spec.column(partition).expect("partition column").column_type;
    // [first, last] in physical units.
    let (first, last) = match column_type {
        ColumnType::Timestamp => (period.start().timestamp_micros(), period.end().timestamp_micros() - 1),
        _ => (epoch_days(period.first_day()), epoch_days(period.last_day())),
    };
    let column = frame.column(partition).map_err(|error| engine(spec, error))?;
    let physical = column.to_physical_repr().cast(&DataType::Int64).map_err(|error| engine(spec, error))?;
    let values = physical.i64().map_err(|error| engine(spec, error))?;
    quality.rows_in_period = kernels::count_within(values, first, last);
    let newest = values.max();
    quality.newest = newest.map(|raw| match column_type {
        ColumnType::Timestamp => DateTime::<Utc>::from_timestamp_micros(raw)
            .map(|instant| instant.format("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_default(),
        _ => (NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch") + chrono::Duration::days(raw)).to_string(),
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator, so the cases are the same on every run.
    struct Lcg(u64);
    impl Lcg {
        fn below(&mut self, bound: u64) -> u64 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (self.0 >> 33) % bound
        }
    }

    fn micros(column: Vec<i64>) -> Column {
        Series::new("dataset_datetime".into(), column)
            .cast(&DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)))
            .expect("a time column")
            .into()
    }

    #[test]
    fn groups_of_colliding_hashes_are_rejected() {
        let grouped = || RepeatedKeys { rows: vec![1, 5, 0, 2, 4], groups: vec![0..2, 2..5] };
        assert!(checked_by_value(grouped(), |_, _| true).is_some());
        // Equal hashes but different keys: the caller must ask Polars instead.
        assert!(checked_by_value(grouped(), |left, right| (left, right) != (1, 5)).is_none());
    }

    #[test]
    fn repeated_keys_over_several_columns_agree_with_a_group_by() {
        let spec = DatasetName::Availability.spec();
        let mut random = Lcg(11);
        for case in 0..30 {
            let rows = 1 + random.below(400) as usize;
            let spread = 1 + random.below(3 * rows as u64);
            let endpoints: Vec<&str> = (0..rows).map(|_| ["console", "api"][random.below(2) as usize]).collect();
            let starts: Vec<i64> = (0..rows).map(|_| random.below(spread) as i64 * 300_000_000).collect();
            let mut frame = DataFrame::new(
                rows,
                vec![Column::new("endpoint".into(), endpoints), micros(starts).with_name("window_start".into())],
            )
            .expect("a frame");
            frame.rechunk_mut();
            let by_hash = repeated_keys(&frame, spec.unique_key).expect("hashable").expect("no collision");
            let by_query = frame
                .clone()
                .lazy()
                .group_by([col("endpoint"), col("window_start")])
                .agg([len().alias("n")])
                .filter(col("n").gt(lit(1u32)))
                .collect()
                .expect("a group by");
            assert_eq!(by_hash.groups.len(), by_query.height(), "case {case}");
            assert_eq!(has_repeated_key(spec, &frame, spec.unique_key).expect("checked"), by_query.height() > 0, "case {case}");
        }
    }

    #[test]
    fn superseded_reports_are_dropped_as_the_windowed_query_drops_them() {
        let spec = DatasetName::BackupJobs.spec();
        let mut random = Lcg(5);
        for case in 0..30 {
            let rows = 1 + random.below(300) as usize;
            let jobs = 1 + random.below(rows as u64);
            let ids: Vec<String> = (0..rows).map(|_| format!("job-{}", random.below(jobs))).collect();
            // Distinct versions, so no key has two rows of one version (that path is shared).
            let versions: Vec<i64> = (0..rows as i64).map(|row| (row * 7919) % 100_003 * 1_000_000).collect();
            let frame = DataFrame::new(rows, vec![Column::new("backup_job_id".into(), ids), micros(versions)]).expect("a frame");
            let fast = drop_superseded(spec, frame.clone(), "dataset_datetime", &[], None).expect("dropped");
            let windowed = drop_superseded_by_windows(spec, frame, "dataset_datetime", &[]).expect("dropped");
            assert!(fast.equals(&windowed), "case {case}: {fast} against {windowed}");
        }
    }

    /// Three months of backup jobs, each job re-reported a few times within its month; some rows
    /// lack a resource type (excluded). `shared` gives an August job's id to an October job;
    /// `unknown` puts a status outside the contract into September.
    fn backup_months(random: &mut Lcg, shared: bool, unknown: bool) -> Vec<(YearMonth, DataFrame)> {
        let mut months = Vec::new();
        for (index, month) in ["2026-08", "2026-09", "2026-10"].into_iter().enumerate() {
            let first = YearMonth::parse(month).expect("a month").first_day().and_hms_opt(0, 0, 0).expect("midnight").and_utc();
            let rows = 20 + random.below(200) as usize;
            let jobs = 1 + random.below(rows as u64);
            let mut ids: Vec<String> = (0..rows).map(|_| format!("job-{month}-{}", random.below(jobs))).collect();
            // Row 3 is always kept (see `kinds`): August's row 3 job, again in October.
            if shared && index == 2 {
                ids[3] = months
                    .first()
                    .map(|(_, august): &(YearMonth, DataFrame)| {
                        august.column("backup_job_id").expect("ids").str().expect("text").get(3).expect("a row").to_owned()
                    })
                    .expect("August first");
            }
            let statuses: Vec<&str> = (0..rows)
                .map(|row| match random.below(4) {
                    _ if unknown && index == 1 && row == 3 => "Weird",
                    0 => "FAILED",
                    1 => "RUNNING",
                    _ => "COMPLETED",
                })
                .collect();
            let created: Vec<i64> =
                (0..rows).map(|_| first.timestamp_micros() + random.below(28 * 86_400) as i64 * 1_000_000).collect();
            let versions: Vec<i64> = created.iter().enumerate().map(|(row, time)| time + (row as i64 + 1) * 60_000_000).collect();
            // Row 3 (the unknown status) always has one: an excluded row is never normalised.
            let kinds: Vec<Option<&str>> = (0..rows).map(|row| (row == 3 || random.below(10) > 0).then_some("EC2")).collect();
            let frame = DataFrame::new(
                rows,
                vec![
                    micros(versions),
                    Column::new("backup_job_id".into(), ids),
                    Column::new("backup_job_status".into(), statuses),
                    micros(created).with_name("creation_dt_utc".into()),
                    Column::new("resource_id".into(), (0..rows).map(|row| format!("vol-{}", row % 7)).collect::<Vec<_>>()),
                    Column::new("resource_type".into(), kinds),
                ],
            )
            .expect("a frame");
            months.push((YearMonth::parse(month).expect("a month"), frame));
        }
        months
    }

    fn pending(months: &[(YearMonth, DataFrame)]) -> Vec<PendingPart<'_>> {
        months
            .iter()
            .map(|(month, frame)| PendingPart {
                label: format!("backup_jobs/month={month}/part.parquet"),
                month: Some(*month),
                bytes: BY_MONTH_MIN_BYTES,
                decode: Box::new(move || Ok(frame.clone())),
            })
            .collect()
    }

    fn sorted_history(dataset: &Dataset) -> DataFrame {
        let history = dataset.history.clone().expect("backup jobs have a history");
        history.sort(["creation_dt_utc", "backup_job_status"], SortMultipleOptions::default()).expect("sorted")
    }

    #[test]
    fn decoded_parts_are_split_from_a_million_rows_of_a_dataset_with_a_history() {
        assert!(splits(DatasetName::Alerts.spec(), SPLIT_MIN_ROWS));
        assert!(splits(DatasetName::BackupJobs.spec(), SPLIT_MIN_ROWS + 1));
        assert!(!splits(DatasetName::BackupJobs.spec(), SPLIT_MIN_ROWS - 1));
        assert!(!splits(DatasetName::Incidents.spec(), 10 * SPLIT_MIN_ROWS), "incidents have no history");
    }

    #[test]
    fn months_checked_one_by_one_give_the_whole_check_and_fall_back_when_they_are_not_apart() {
        let account = AccountId::parse("000000000001").expect("an account");
        let period = ReportPeriod::new(YearMonth::parse("2026-10").expect("a month"), chrono_tz::UTC);
        let spec = DatasetName::BackupJobs.spec();
        let months_read = || vec!["2026-08".to_owned(), "2026-09".to_owned(), "2026-10".to_owned()];
        let mut random = Lcg(23);
        for case in 0..12 {
            let (shared, unknown) = (case % 3 == 1, case % 3 == 2);
            let months = backup_months(&mut random, shared, unknown);
            let parts = pending(&months);
            let groups = month_groups(&parts).expect("every part has a month");
            assert_eq!(groups.len(), 3);
            let apart = check_by_month(spec, &account, &period, &parts, &groups, months_read()).expect("checked");
            assert_eq!(apart.is_some(), !shared && !unknown, "case {case}: months apart only when they are independent");
            let by_month = validate_by_month(DatasetName::BackupJobs, &account, &period, pending(&months), months_read())
                .expect("checked by month");
            let whole_parts = months
                .iter()
                .map(|(month, frame)| Part {
                    label: format!("backup_jobs/month={month}/part.parquet"),
                    month: Some(*month),
                    frame: frame.clone(),
                })
                .collect();
            let whole = validate(DatasetName::BackupJobs, &account, &period, whole_parts, months_read()).expect("checked whole");
            assert!(
                whole.quality.duplicates_dropped > 0 && whole.quality.rows_with_required_nulls > 0,
                "case {case}: a real case"
            );
            assert_eq!(by_month.quality, whole.quality, "case {case}");
            // The whole check keeps every row; split, it is what the months checked apart give.
            let (rows, history) = crate::history::split(spec, whole.frame.expect("rows"), &period).expect("a split");
            assert_eq!(rows.height() as u64, whole.quality.rows_in_period, "case {case}: the period's rows");
            let whole = Dataset { frame: Some(rows), history, ..by_month.clone() };
            assert!(by_month.frame.as_ref().expect("rows").equals_missing(whole.frame.as_ref().expect("rows")), "case {case}");
            assert!(sorted_history(&by_month).equals_missing(&sorted_history(&whole)), "case {case}");
        }
    }
}
