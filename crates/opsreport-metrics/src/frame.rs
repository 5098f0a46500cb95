//! Shared plumbing of the metrics sections: access to the validated frames, interval and
//! snapshot filters, typed literals, and reading small aggregated results back into Rust.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use opsreport_model::contract::{ACCOUNT_COLUMN, HISTORY_ROWS};
use opsreport_model::{Config, DatasetName, ReportPeriod, YearMonth};
use polars::prelude::*;

use crate::{MetricsContext, MetricsError, MetricsInput, Result};

/// Microseconds in a minute.
pub const MICROS_PER_MINUTE: f64 = 60_000_000.0;

/// The validated frames of one account, with the context the sections need.
pub struct Frames<'a> {
    input: &'a MetricsInput,
    /// The report period.
    pub period: ReportPeriod,
    /// Targets and thresholds.
    pub config: &'a Config,
    /// The instant the report is generated for (local midnight of the document date).
    pub generated_at: DateTime<Utc>,
    /// One account's rows, or several accounts'.
    pub accounts: Accounts,
}

impl<'a> Frames<'a> {
    /// Wraps the input.
    pub fn new(input: &'a MetricsInput, context: &'a MetricsContext) -> Self {
        let generated_at = opsreport_model::period::local_midnight(context.generated_on, context.period.time_zone());
        let accounts = if input.several_accounts { Accounts::Several } else { Accounts::One };
        Self { input, period: context.period, config: &context.config, generated_at, accounts }
    }

    /// The dataset as a lazy frame, or `None` when it is missing.
    pub fn lazy(&self, dataset: DatasetName) -> Option<LazyFrame> {
        self.input.frames.get(&dataset).map(|frame| frame.clone().lazy())
    }

    /// Every row read of a dataset for its trend, as lines with a row count ([`rows`],
    /// [`rows_where`]): its history when the extract stage kept one (`DatasetSpec::history`),
    /// else its rows, each counted once.
    pub fn history(&self, dataset: DatasetName) -> Option<LazyFrame> {
        if let Some(history) = self.input.histories.get(&dataset) {
            return Some(history.clone().lazy());
        }
        self.lazy(dataset).map(|frame| frame.with_column(lit(1u64).alias(HISTORY_ROWS)))
    }

    /// The event dataset, if it is present *and* delivered for the report month: at least one
    /// of the partitions overlapping the period was found. Otherwise `Err` with the reason, so a
    /// month whose data never arrived is reported as missing, not as zero events.
    pub fn event_data(&self, dataset: DatasetName) -> std::result::Result<LazyFrame, String> {
        let Some(frame) = self.lazy(dataset) else {
            return Err(self.missing_reason(dataset));
        };
        let wanted: Vec<String> =
            match dataset.spec().partition_column.and_then(|name| dataset.spec().column(name)).map(|c| c.column_type) {
                Some(opsreport_model::contract::ColumnType::Timestamp) => {
                    self.period.utc_months_since(self.period.start()).iter().map(ToString::to_string).collect()
                }
                _ => YearMonth::of_date(self.period.first_day())
                    .through(self.period.month())
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            };
        let delivered = self
            .input
            .quality
            .iter()
            .find(|quality| quality.dataset == dataset)
            .is_some_and(|quality| quality.months_read.iter().any(|month| wanted.contains(month)));
        if delivered {
            Ok(frame)
        } else {
            Err(format!(
                "no {dataset} data delivered for {} (no month={} partition)",
                self.period.label(),
                wanted.join(" or month=")
            ))
        }
    }

    /// Why a dataset is missing (from validation), for the report.
    pub fn missing_reason(&self, dataset: DatasetName) -> String {
        self.input
            .quality
            .iter()
            .find(|quality| quality.dataset == dataset)
            .and_then(|quality| quality.missing_reason.clone())
            .unwrap_or_else(|| format!("no {dataset} data for this account"))
    }

    /// Whether the dataset's source does not carry `column` (`docs/sources.md`): the metrics
    /// that need it are null, never computed from the all-null column.
    pub fn lacks(&self, dataset: DatasetName, column: &str) -> bool {
        self.quality(dataset).is_some_and(|quality| quality.lacks(column))
    }

    /// "<what> not available from <source>" for a column the dataset's source lacks (the column
    /// itself is named in the data-quality record, not in the customer's sentence).
    pub fn not_provided(&self, dataset: DatasetName, column: &str, what: &str) -> Option<String> {
        let quality = self.quality(dataset).filter(|quality| quality.lacks(column))?;
        let source = quality.source_format.as_deref().unwrap_or("this source");
        Some(format!("{what} not available from {source}"))
    }

    /// Whether the dataset's partition of `month` was read: its rows of that month are known
    /// (possibly none). A source that does not list its months counts when the dataset is there.
    pub fn read_month(&self, dataset: DatasetName, month: opsreport_model::YearMonth) -> bool {
        let present = self.input.frames.contains_key(&dataset);
        match self.quality(dataset) {
            Some(quality) if !quality.months_read.is_empty() => {
                present && quality.months_read.iter().any(|read| *read == month.to_string())
            }
            _ => present,
        }
    }

    /// The start (UTC) of the first month whose partition of `dataset` was read: no count before
    /// it is known. `None` when the dataset is not read by month.
    pub fn data_from(&self, dataset: DatasetName) -> Option<DateTime<Utc>> {
        let first =
            self.quality(dataset)?.months_read.iter().filter_map(|month| opsreport_model::YearMonth::parse(month).ok()).min()?;
        first.first_day().and_hms_opt(0, 0, 0).map(|midnight| midnight.and_utc())
    }

    fn quality(&self, dataset: DatasetName) -> Option<&opsreport_model::DatasetQuality> {
        self.input.quality.iter().find(|quality| quality.dataset == dataset)
    }
}

/// Wraps a Polars error with the section it happened in.
pub fn failed(section: &'static str) -> impl Fn(PolarsError) -> MetricsError {
    move |source| MetricsError { section, source }
}

/// RFC 3339 in UTC, seconds precision (`2026-10-05T10:00:00Z`).
pub fn rfc3339(instant: DateTime<Utc>) -> String {
    instant.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// RFC 3339 of a microsecond timestamp.
pub fn rfc3339_micros(micros: i64) -> String {
    DateTime::<Utc>::from_timestamp_micros(micros).map(rfc3339).unwrap_or_default()
}

/// A timestamp literal of the contract's type (a typed scalar: casting an integer to a zoned
/// datetime would lose the zone).
pub fn instant(value: DateTime<Utc>) -> Expr {
    lit(Scalar::new_datetime(value.timestamp_micros(), TimeUnit::Microseconds, Some(TimeZone::UTC)))
}

/// Days since the epoch.
pub fn epoch_days(date: NaiveDate) -> i32 {
    (date - NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days() as i32
}

/// The date of an epoch-day count.
pub fn date_of(days: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch") + chrono::Duration::days(i64::from(days))
}

/// A date literal.
pub fn date(value: NaiveDate) -> Expr {
    lit(Scalar::new_date(epoch_days(value)))
}

/// `start <= column < end`.
pub fn within(column: &str, start: DateTime<Utc>, end: DateTime<Utc>) -> Expr {
    col(column).gt_eq(instant(start)).and(col(column).lt(instant(end)))
}

/// `column` in the period.
pub fn in_period(column: &str, period: &ReportPeriod) -> Expr {
    within(column, period.start(), period.end())
}

/// A date column within the local days of `period` (a month's, a week's or a quarter's).
pub fn in_days(column: &str, period: &ReportPeriod) -> Expr {
    col(column).gt_eq(date(period.first_day())).and(col(column).lt_eq(date(period.last_day())))
}

/// Collects a lazy frame, naming the section on failure.
pub fn collect(frame: LazyFrame, section: &'static str) -> Result<DataFrame> {
    frame.collect().map_err(failed(section))
}

/// Runs `frame` once and returns its result as a lazy frame. A section asks many small questions
/// of the same derived rows (clock columns, the month's rows); `LazyFrame::cache` only shares work
/// inside one query, so without this every question would derive the rows again.
pub fn materialize(frame: LazyFrame, section: &'static str) -> Result<LazyFrame> {
    Ok(collect(frame, section)?.lazy())
}

/// The rows a group of history lines stands for ([`Frames::history`]).
pub fn rows() -> Expr {
    col(HISTORY_ROWS).sum().cast(DataType::UInt64)
}

/// The rows of history lines where `condition` holds ([`Frames::history`]; nulls do not count).
pub fn rows_where(condition: Expr) -> Expr {
    col(HISTORY_ROWS).filter(condition).sum().cast(DataType::UInt64)
}

/// Rows where `condition` holds, as an aggregate (nulls do not count).
pub fn count_where(condition: Expr) -> Expr {
    // A boolean column sums to its number of `true` values; casting first would copy every row.
    condition.sum().cast(DataType::UInt64)
}

/// Named aggregates of several periods (trend months, weeks) computed in one query: a query has
/// a fixed cost, and one per period and measure added up to hundreds per report.
pub struct PerPeriod(DataFrame);

impl PerPeriod {
    /// Runs `measures(period)` (name, aggregate) for every period over `frame`.
    pub fn collect<P>(
        frame: LazyFrame,
        periods: &[P],
        measures: impl Fn(&P) -> Vec<(String, Expr)>,
        section: &'static str,
    ) -> Result<Self> {
        let expressions: Vec<Expr> = periods
            .iter()
            .enumerate()
            .flat_map(|(index, period)| {
                measures(period).into_iter().map(move |(name, expression)| expression.alias(Self::name(index, &name)))
            })
            .collect();
        Ok(Self(collect(frame.select(expressions), section)?))
    }

    /// The same for periods in order that do not overlap (trend months) and measures that hold for
    /// any period: each row's period is found once by `column` ([`period_index`]) and the measures
    /// are aggregated per period in one grouping, where a filter per period and measure compares
    /// every row again.
    pub fn by_period_of(
        frame: LazyFrame,
        column: &str,
        periods: &[ReportPeriod],
        measures: Vec<(String, Expr)>,
        section: &'static str,
    ) -> Result<Self> {
        const PERIOD: &str = "__opsreport_period";
        let grouped = collect(
            frame
                .with_column(period_index(column, periods).alias(PERIOD))
                .group_by([col(PERIOD)])
                .agg(measures.iter().map(|(name, measure)| measure.clone().alias(name.as_str())).collect::<Vec<_>>()),
            section,
        )?;
        // One row, a column per period and measure, as `collect` gives (periods without rows are
        // absent, and count 0).
        let indexes = integers(&grouped, PERIOD);
        let mut columns = Vec::new();
        for (name, _) in &measures {
            for (row, value) in integers(&grouped, name).into_iter().enumerate() {
                // Rows in none of the periods are grouped under -1.
                let Some(index) = indexes.get(row).copied().flatten().filter(|&index| index >= 0) else { continue };
                columns.push(Column::new(Self::name(index as usize, name).into(), [value]));
            }
        }
        Ok(Self(DataFrame::new(1, columns).map_err(failed(section))?))
    }

    /// The count `name` of the `index`-th period.
    pub fn count(&self, index: usize, name: &str) -> u64 {
        first_count(&self.0, &Self::name(index, name))
    }

    fn name(index: usize, name: &str) -> String {
        format!("{name}_{index}")
    }
}

/// The index in `periods` (in order, not overlapping) of the period each value of the timestamp
/// `column` falls in, and -1 for a value in none of them or null: one pass over the values.
pub fn period_index(column: &str, periods: &[ReportPeriod]) -> Expr {
    let bounds: Vec<(i64, i64)> =
        periods.iter().map(|period| (period.start().timestamp_micros(), period.end().timestamp_micros())).collect();
    col(column).map(
        move |values: Column| {
            // The contract's timestamps are microseconds (see `polars_type` in the extract stage).
            if !matches!(values.dtype(), DataType::Datetime(TimeUnit::Microseconds, _)) {
                polars_bail!(ComputeError: "`{}` is not a microsecond timestamp", values.name());
            }
            let physical = values.to_physical_repr();
            let micros = physical.i64()?;
            // Rows come roughly in time order (a file per month): the last row's period is tried
            // first, then a binary search.
            let mut last = 0;
            let mut locate = |value: i64| -> i32 {
                let (start, end) = bounds.get(last).copied().unwrap_or((0, 0));
                if start <= value && value < end {
                    return last as i32;
                }
                let after = bounds.partition_point(|&(start, _)| start <= value);
                if after > 0 && value < bounds[after - 1].1 {
                    last = after - 1;
                    last as i32
                } else {
                    -1
                }
            };
            let mut indexes: Vec<i32> = Vec::with_capacity(micros.len());
            for array in micros.downcast_iter() {
                let slice = array.values().as_slice();
                match array.validity().filter(|validity| validity.unset_bits() > 0) {
                    None => indexes.extend(slice.iter().map(|&value| locate(value))),
                    Some(validity) => indexes
                        .extend(slice.iter().zip(validity.iter()).map(|(&value, valid)| if valid { locate(value) } else { -1 })),
                }
            }
            Ok(Int32Chunked::from_vec(values.name().clone(), indexes).into_column())
        },
        |_, field| Ok(Field::new(field.name().clone(), DataType::Int32)),
    )
}

/// `part / whole × 100`, null when `whole` is 0.
pub fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64 * 100.0)
}

/// The values of a column as optional strings.
pub fn strings(frame: &DataFrame, column: &str) -> Vec<Option<String>> {
    match frame.column(column).and_then(|values| values.cast(&DataType::String)) {
        Ok(values) => {
            values.str().map(|values| values.iter().map(|value| value.map(str::to_owned)).collect()).unwrap_or_default()
        }
        Err(_) => Vec::new(),
    }
}

/// The values of a column as optional 64-bit integers.
pub fn integers(frame: &DataFrame, column: &str) -> Vec<Option<i64>> {
    match frame.column(column).and_then(|values| values.cast(&DataType::Int64)) {
        Ok(values) => values.i64().map(|values| values.iter().collect()).unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

/// The values of a column as optional doubles.
pub fn doubles(frame: &DataFrame, column: &str) -> Vec<Option<f64>> {
    match frame.column(column).and_then(|values| values.cast(&DataType::Float64)) {
        Ok(values) => values.f64().map(|values| values.iter().collect()).unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

/// The first value of an integer column (0 when empty or null).
pub fn first_count(frame: &DataFrame, column: &str) -> u64 {
    integers(frame, column).first().copied().flatten().unwrap_or(0).max(0) as u64
}

/// The first value of a double column.
pub fn first_double(frame: &DataFrame, column: &str) -> Option<f64> {
    doubles(frame, column).first().copied().flatten()
}

/// Rows per value of `key` (nulls counted under `null_label`), as a sorted map.
pub fn counts_by(frame: LazyFrame, key: &str, null_label: &str, section: &'static str) -> Result<BTreeMap<String, u64>> {
    let counted = collect(
        frame
            .group_by([col(key).cast(DataType::String).fill_null(lit(null_label.to_owned())).alias("key")])
            .agg([len().alias("count")]),
        section,
    )?;
    Ok(strings(&counted, "key")
        .into_iter()
        .zip(integers(&counted, "count"))
        .map(|(key, count)| (key.unwrap_or_default(), count.unwrap_or(0) as u64))
        .collect())
}

/// Rows of a lazy frame.
pub fn count(frame: LazyFrame, section: &'static str) -> Result<u64> {
    Ok(first_count(&collect(frame.select([len().alias("count")]), section)?, "count"))
}

/// Whose rows the frames hold: one account's, or several accounts' together (a customer's
/// review), where every snapshot is read at each account's own snapshot day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accounts {
    /// One account's rows.
    One,
    /// Several accounts' rows.
    Several,
}

/// Which snapshot of a period is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Edge {
    First,
    Latest,
}

/// One snapshot of a snapshot dataset in a period: the day of the latest (or first) snapshot
/// dated in it and, with several accounts' rows, each account's own latest (or first) day — an
/// account whose export stopped early is counted at its last snapshot, not left out.
#[derive(Clone, Copy, Debug)]
pub struct Snapshot {
    /// The day (with several accounts, the latest — or first — of their days).
    pub day: NaiveDate,
    each_account: Option<(ReportPeriod, Edge)>,
}

impl Snapshot {
    /// The snapshot's rows of `frame`.
    pub fn rows(&self, frame: &LazyFrame) -> LazyFrame {
        let Some((period, edge)) = self.each_account else {
            return frame.clone().filter(col("snapshot_date").eq(date(self.day)));
        };
        let day = match edge {
            Edge::First => col("snapshot_date").min(),
            Edge::Latest => col("snapshot_date").max(),
        };
        let each_day = day.over([col(ACCOUNT_COLUMN)]).expect("a window with a partition is valid");
        frame.clone().filter(in_days("snapshot_date", &period)).filter(col("snapshot_date").eq(each_day))
    }
}

/// The latest snapshot within the days of `period`, if any.
pub fn latest_snapshot(
    frame: &LazyFrame,
    period: &ReportPeriod,
    accounts: Accounts,
    section: &'static str,
) -> Result<Option<Snapshot>> {
    snapshot_at(frame, period, accounts, Edge::Latest, section)
}

/// The earliest snapshot within the days of `period`, if any.
pub fn first_snapshot(
    frame: &LazyFrame,
    period: &ReportPeriod,
    accounts: Accounts,
    section: &'static str,
) -> Result<Option<Snapshot>> {
    snapshot_at(frame, period, accounts, Edge::First, section)
}

fn snapshot_at(
    frame: &LazyFrame,
    period: &ReportPeriod,
    accounts: Accounts,
    edge: Edge,
    section: &'static str,
) -> Result<Option<Snapshot>> {
    let day = match edge {
        Edge::First => col("snapshot_date").min(),
        Edge::Latest => col("snapshot_date").max(),
    };
    let found = collect(
        frame.clone().filter(in_days("snapshot_date", period)).select([day.cast(DataType::Int32).alias("day")]),
        section,
    )?;
    let each_account = (accounts == Accounts::Several).then_some((*period, edge));
    Ok(integers(&found, "day").first().copied().flatten().map(|days| Snapshot { day: date_of(days as i32), each_account }))
}

/// A value per priority from a frame with `priority` and `column` columns.
pub fn by_priority<T: Default + Clone>(frame: &DataFrame, values: Vec<T>) -> opsreport_model::metrics::ByPriority<T> {
    let mut result = opsreport_model::metrics::ByPriority::<T>::default();
    for (priority, value) in strings(frame, "priority").into_iter().zip(values) {
        if let Some(priority) = priority.as_deref().and_then(opsreport_model::metrics::Priority::from_name) {
            *result.get_mut(priority) = value;
        }
    }
    result
}

/// Counts per priority plus the total, from a lazy frame of rows.
pub fn priority_counts(frame: LazyFrame, section: &'static str) -> Result<opsreport_model::metrics::PriorityCounts> {
    let counts = counts_by(frame, "priority", "Other", section)?;
    Ok(opsreport_model::metrics::PriorityCounts {
        high: counts.get("High").copied().unwrap_or(0),
        medium: counts.get("Medium").copied().unwrap_or(0),
        low: counts.get("Low").copied().unwrap_or(0),
        total: counts.values().sum(),
    })
}

/// A per-priority target as an expression (null for priorities outside the contract).
pub fn priority_target(targets: &opsreport_model::config::PriorityMinutes) -> Expr {
    when(col("priority").eq(lit("High"))).then(lit(targets.high)).otherwise(
        when(col("priority").eq(lit("Medium")))
            .then(lit(targets.medium))
            .otherwise(when(col("priority").eq(lit("Low"))).then(lit(targets.low)).otherwise(lit(NULL).cast(DataType::Float64))),
    )
}

/// `max(value, floor)` for a numeric expression (nulls stay null).
pub fn at_least(value: Expr, floor: Expr) -> Expr {
    when(value.clone().lt(floor.clone())).then(floor).otherwise(value)
}

/// ⌈value⌉ of a non-negative double, as an integer (nulls stay null).
pub fn ceil_non_negative(value: Expr) -> Expr {
    let truncated = value.clone().cast(DataType::Int64);
    truncated.clone() + when(truncated.cast(DataType::Float64).lt(value)).then(lit(1i64)).otherwise(lit(0i64))
}

/// `column` equals one of `values`.
pub fn one_of(column: &str, values: &[&str]) -> Expr {
    values.iter().map(|value| col(column).eq(lit(*value))).reduce(|left, right| left.or(right)).unwrap_or(lit(false))
}

/// Microseconds from `from` to `to` (both timestamps), as an integer; null if either is null.
pub fn micros_between(from: &str, to: &str) -> Expr {
    col(to).cast(DataType::Int64) - col(from).cast(DataType::Int64)
}

/// A double as a fixed-point integer (`value × scale`, rounded half away from zero).
pub fn fixed_point(value: Expr, scale: f64) -> Expr {
    let scaled = value * lit(scale);
    when(scaled.clone().gt_eq(lit(0.0)))
        .then((scaled.clone() + lit(0.5)).cast(DataType::Int64))
        .otherwise((scaled - lit(0.5)).cast(DataType::Int64))
}

/// Sum of a double column that does not depend on the order Polars adds in: each value is taken
/// to `1/scale` precision as an integer, the integers are summed exactly, and the sum is scaled
/// back once. (Floating-point addition is not associative, and Polars sums chunks in parallel.)
pub fn exact_sum(value: Expr, scale: f64) -> Expr {
    fixed_point(value, scale).sum().cast(DataType::Float64) / lit(scale)
}

/// Money columns are summed to a millionth of the currency unit.
pub const MONEY_SCALE: f64 = 1_000_000.0;

/// Mean, in minutes, of an integer microsecond column (exact sum, one division; null when empty).
pub fn mean_minutes(micros: Expr) -> Expr {
    let count = micros.clone().count();
    when(count.clone().gt(lit(0)))
        .then(micros.sum().cast(DataType::Float64) / count.cast(DataType::Float64) / lit(MICROS_PER_MINUTE))
        .otherwise(lit(NULL).cast(DataType::Float64))
}
