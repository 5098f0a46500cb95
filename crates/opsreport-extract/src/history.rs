//! A dataset's history: what its trend reads from the months before the report period, kept as
//! counts instead of rows (`DatasetSpec::history`).
//!
//! A trend of six months of backup jobs or alerts counts rows by period and by one or two enum
//! columns; holding the months' rows for that is most of a large account's memory. So a dataset
//! with a history keeps the period's rows whole (every column, for the section's lists and
//! breakdowns) and every row it read (the period's too) as one line per 15 minutes of its
//! partition column and value of the history columns, with the line's row count in
//! [`HISTORY_ROWS`]. A count over any period that starts and ends on a bucket boundary is the
//! same from the lines as from the rows; when a trend period does not (no time zone has such an
//! offset today), the lines are per distinct time instead.

use opsreport_model::ReportPeriod;
use opsreport_model::contract::{ColumnType, DatasetSpec, HISTORY_BUCKET_MICROS, HISTORY_ROWS};
use polars::prelude::*;

/// The time column a history counts by, and the columns beside it.
struct HistoryShape {
    time: &'static str,
    columns: &'static [&'static str],
}

fn shape(spec: &DatasetSpec) -> Option<HistoryShape> {
    let columns = spec.history?;
    let time = spec.partition_column.filter(|name| spec.column(name).is_some_and(|c| c.column_type == ColumnType::Timestamp))?;
    Some(HistoryShape { time, columns })
}

/// The width of a history line for `period`: [`HISTORY_BUCKET_MICROS`] when the period and every
/// trend period start and end on a multiple of it, else one microsecond (a line per instant).
fn bucket_micros(period: &ReportPeriod) -> i64 {
    let aligned = |instant: chrono::DateTime<chrono::Utc>| instant.timestamp_micros() % HISTORY_BUCKET_MICROS == 0;
    let mut periods = period.trend();
    periods.push(*period);
    if periods.iter().all(|each| aligned(each.start()) && aligned(each.end())) { HISTORY_BUCKET_MICROS } else { 1 }
}

/// Splits a validated frame of a dataset with a history into the period's rows and the history
/// of all its rows. A dataset without one is returned whole, with no history.
pub fn split(spec: &DatasetSpec, frame: DataFrame, period: &ReportPeriod) -> PolarsResult<(DataFrame, Option<DataFrame>)> {
    let Some(shape) = shape(spec) else {
        return Ok((frame, None));
    };
    let history = {
        let _step = tracing::debug_span!("history", step = "counts").entered();
        let bucket = bucket_micros(period);
        match dense_counts(&shape, &frame, bucket)? {
            Some(lines) => lines,
            None => counts(&shape, frame.clone().lazy(), bucket).collect()?,
        }
    };
    let _step = tracing::debug_span!("history", step = "period rows").entered();
    Ok((period_rows(&shape, frame, period)?, Some(history)))
}

/// The rows of `frame` in the period. A month wholly inside the period or wholly outside (the
/// usual case, told by its first and last time) is kept or emptied without a pass over its rows.
fn period_rows(shape: &HistoryShape, frame: DataFrame, period: &ReportPeriod) -> PolarsResult<DataFrame> {
    let (start, end) = (period.start().timestamp_micros(), period.end().timestamp_micros());
    let times = frame.column(shape.time)?.to_physical_repr().cast(&DataType::Int64)?;
    let times = times.i64()?;
    match (times.min(), times.max()) {
        (Some(first), Some(last)) if times.null_count() == 0 && start <= first && last < end => return Ok(frame),
        (Some(first), Some(last)) if times.null_count() == 0 && (last < start || end <= first) => return Ok(frame.clear()),
        _ => {}
    }
    let micros = col(shape.time).cast(DataType::Int64);
    frame.lazy().filter(micros.clone().gt_eq(lit(start)).and(micros.lt(lit(end)))).collect()
}

/// Cells of [`dense_counts`] at most (8 bytes each): seven months of quarter hours by a dozen
/// values is 250,000.
const DENSE_CELLS_MAX: usize = 1 << 22;

/// [`counts`] as one pass over the rows into a table of every quarter hour between the first and
/// the last time by every value of the one history column (an enum: a handful of values), in
/// line order (time, then value). `None` when the shape does not fit (another bucket, several
/// columns, a time missing, more than 64 values or [`DENSE_CELLS_MAX`] cells): then Polars
/// groups them.
fn dense_counts(shape: &HistoryShape, frame: &DataFrame, bucket: i64) -> PolarsResult<Option<DataFrame>> {
    let [name] = shape.columns else {
        return Ok(None);
    };
    let times = frame.column(shape.time)?.to_physical_repr().cast(&DataType::Int64)?;
    let times = times.i64()?;
    let values = frame.column(name)?.str()?;
    let (Some(first), Some(last)) = (times.min(), times.max()) else {
        return Ok(None);
    };
    let distinct = match crate::kernels::distinct_strings(values, 64) {
        Some(distinct) if bucket == HISTORY_BUCKET_MICROS && times.null_count() == 0 => distinct,
        _ => return Ok(None),
    };
    let origin = first - first.rem_euclid(bucket);
    // One more value: null.
    let width = distinct.len() + 1;
    let buckets = ((last - origin) / bucket + 1) as usize;
    if buckets.saturating_mul(width) > DENSE_CELLS_MAX {
        return Ok(None);
    }
    let mut cells = vec![0u64; buckets * width];
    for (time, value) in times.into_no_null_iter().zip(values.iter()) {
        let index = value.and_then(|value| distinct.iter().position(|known| known == value)).unwrap_or(distinct.len());
        cells[((time - origin) / bucket) as usize * width + index] += 1;
    }
    let (mut starts, mut texts, mut rows) = (Vec::new(), Vec::new(), Vec::new());
    for (cell, &count) in cells.iter().enumerate().filter(|(_, count)| **count > 0) {
        starts.push(origin + (cell / width) as i64 * bucket);
        texts.push(distinct.get(cell % width).map(String::as_str));
        rows.push(count);
    }
    let starts = Series::new(shape.time.into(), starts).cast(&DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)))?;
    let lines = starts.len();
    DataFrame::new(lines, vec![starts.into(), Column::new((*name).into(), texts), Column::new(HISTORY_ROWS.into(), rows)])
        .map(Some)
}

/// One line per bucket of the time column and value of the history columns, with its rows.
fn counts(shape: &HistoryShape, rows: LazyFrame, bucket: i64) -> LazyFrame {
    // Times are after 2000 (a row rule): the remainder is the time past the bucket's start.
    let micros = col(shape.time).cast(DataType::Int64);
    let start = (micros.clone() - micros % lit(bucket))
        .cast(DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)))
        .alias(shape.time);
    let mut keys = vec![start];
    keys.extend(shape.columns.iter().map(|name| col(*name)));
    rows.group_by(keys).agg([len().cast(DataType::UInt64).alias(HISTORY_ROWS)])
}

/// Histories of parts of one dataset (months validated one by one) as one: lines of the same
/// bucket and values add up.
pub fn merge(spec: &DatasetSpec, histories: Vec<DataFrame>) -> PolarsResult<Option<DataFrame>> {
    let Some(shape) = shape(spec) else {
        return Ok(None);
    };
    let mut histories = histories.into_iter();
    let Some(first) = histories.next() else {
        return Ok(None);
    };
    let mut all = first;
    for next in histories {
        all.vstack_mut_owned(next)?;
    }
    let mut keys = vec![col(shape.time)];
    keys.extend(shape.columns.iter().map(|name| col(*name)));
    all.lazy().group_by(keys).agg([col(HISTORY_ROWS).sum().alias(HISTORY_ROWS)]).collect().map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use opsreport_model::{DatasetName, YearMonth};

    fn october(zone: &str) -> ReportPeriod {
        ReportPeriod::new(
            YearMonth::parse("2026-10").expect("a month"),
            opsreport_model::period::parse_time_zone(zone).expect("a zone"),
        )
    }

    fn alerts(times: &[&str], outcomes: &[&str]) -> DataFrame {
        let micros: Vec<i64> =
            times.iter().map(|time| chrono::DateTime::parse_from_rfc3339(time).expect("a time").timestamp_micros()).collect();
        let created = Series::new("created_at".into(), micros)
            .cast(&DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)))
            .expect("a time column");
        DataFrame::new(
            times.len(),
            vec![
                Series::new("alert_id".into(), (0..times.len()).map(|index| format!("a-{index}")).collect::<Vec<_>>()).into(),
                created.into(),
                Series::new("outcome".into(), outcomes.to_vec()).into(),
            ],
        )
        .expect("a frame")
    }

    fn total(history: &DataFrame) -> u64 {
        history.column(HISTORY_ROWS).expect("counts").as_materialized_series().sum::<u64>().expect("a sum")
    }

    #[test]
    fn the_period_keeps_its_rows_and_the_history_counts_every_row_by_quarter_hour() {
        let frame = alerts(
            &[
                "2026-09-30T23:59:59Z",
                "2026-10-01T00:00:00Z",
                "2026-10-01T00:14:59Z",
                "2026-10-31T23:59:59Z",
                "2026-11-01T00:00:00Z",
            ],
            &["Closed", "Closed", "Closed", "AutoRemediated", "Closed"],
        );
        let (rows, history) = split(DatasetName::Alerts.spec(), frame, &october("UTC")).expect("a split");
        assert_eq!(rows.height(), 3, "October's rows, whole");
        assert_eq!(rows.width(), 3);
        let history = history.expect("alerts have a history");
        assert_eq!(total(&history), 5, "every row read is counted");
        // 00:00:00 and 00:14:59 on 1 October share a line.
        assert_eq!(history.height(), 4);
    }

    #[test]
    fn zones_on_the_quarter_hour_count_by_bucket_and_datasets_without_a_history_stay_whole() {
        assert_eq!(bucket_micros(&october("Asia/Kolkata")), HISTORY_BUCKET_MICROS, "+05:30 is on the quarter hour");
        assert_eq!(bucket_micros(&october("Asia/Kathmandu")), HISTORY_BUCKET_MICROS, "+05:45 too");
        let frame = alerts(&["2026-10-01T00:00:00Z"], &["Closed"]);
        let (rows, history) = split(DatasetName::Incidents.spec(), frame.clone(), &october("UTC")).expect("a split");
        assert!(history.is_none());
        assert!(rows.equals_missing(&frame));
    }

    #[test]
    fn merged_histories_add_up_lines_of_the_same_bucket() {
        let spec = DatasetName::Alerts.spec();
        let period = october("UTC");
        let first = split(spec, alerts(&["2026-10-01T00:01:00Z"], &["Closed"]), &period).expect("a split").1.expect("a history");
        let second =
            split(spec, alerts(&["2026-10-01T00:02:00Z", "2026-10-01T00:03:00Z"], &["Closed", "FalsePositive"]), &period)
                .expect("a split")
                .1
                .expect("a history");
        let merged = merge(spec, vec![first, second]).expect("a merge").expect("a history");
        assert_eq!(merged.height(), 2);
        assert_eq!(total(&merged), 3);
    }
}
