//! `availability.*`: console and API availability from probe windows, downtime against the
//! target, and a per-day series in the report time zone.

use opsreport_model::DatasetName;
use opsreport_model::ReportPeriod;
use opsreport_model::metrics::{AvailabilityMetrics, DailyAvailability, EndpointAvailability, PercentPoint};
use polars::prelude::*;

use crate::frame::{
    Frames, MICROS_PER_MINUTE, PerPeriod, collect, doubles, exact_sum, first_count, first_double, in_period, integers,
    materialize, strings,
};
use crate::{Result, available, missing};

const SECTION: &str = "availability";

/// Per-window downtime: window_minutes × failed / total (0 for an empty window).
fn window_downtime() -> Expr {
    when(col("checks_total").gt(lit(0i64)))
        .then(
            col("window_minutes").cast(DataType::Float64) * col("checks_failed").cast(DataType::Float64)
                / col("checks_total").cast(DataType::Float64),
        )
        .otherwise(lit(0.0))
}

fn sums() -> [Expr; 4] {
    [
        col("window_minutes").sum().cast(DataType::Float64).alias("measured"),
        col("checks_total").sum().alias("total"),
        col("checks_failed").sum().alias("failed"),
        exact_sum(window_downtime(), MICROS_PER_MINUTE).alias("downtime"),
    ]
}

fn pct(total: u64, failed: u64) -> Option<f64> {
    (total > 0).then(|| (total as f64 - failed as f64) / total as f64 * 100.0)
}

/// The endpoint's availability in each of the six months ending with the period's, in one query
/// (`windows`: the endpoint's).
fn trend(windows: &LazyFrame, period: &ReportPeriod) -> Result<Vec<PercentPoint>> {
    let months = period.trend();
    let sums = PerPeriod::by_period_of(
        windows.clone(),
        "window_start",
        &months,
        vec![("total".into(), col("checks_total").sum()), ("failed".into(), col("checks_failed").sum())],
        SECTION,
    )?;
    Ok(months
        .iter()
        .enumerate()
        .map(|(index, month)| PercentPoint {
            month: month.id(),
            pct: pct(sums.count(index, "total"), sums.count(index, "failed")),
        })
        .collect())
}

fn endpoint(frames: &Frames, windows: &LazyFrame, name: &str, target_pct: f64) -> Result<EndpointAvailability> {
    let period = frames.period;
    // The endpoint's windows, picked out once for the trend, then the period's for the summary and
    // the days.
    let windows = materialize(
        windows.clone().filter(col("endpoint").eq(lit(name))).select([
            col("window_start"),
            col("window_minutes"),
            col("checks_total"),
            col("checks_failed"),
        ]),
        SECTION,
    )?;
    let current = materialize(windows.clone().filter(in_period("window_start", &period)), SECTION)?;
    let summary = collect(current.clone().select(sums()), SECTION)?;
    let total = first_count(&summary, "total");
    let failed = first_count(&summary, "failed");
    let zone = period.time_zone().name().to_owned();
    let daily = collect(
        current
            .with_column(
                col("window_start")
                    .dt()
                    .convert_time_zone(TimeZone::opt_try_new(Some(zone)).ok().flatten().unwrap_or(TimeZone::UTC))
                    .dt()
                    .date()
                    .alias("day"),
            )
            .group_by([col("day")])
            .agg(sums())
            .sort(["day"], SortMultipleOptions::default()),
        SECTION,
    )?;
    let days = strings(&daily, "day");
    let day_totals = integers(&daily, "total");
    let day_failed = integers(&daily, "failed");
    let day_downtime = doubles(&daily, "downtime");
    let daily = (0..daily.height())
        .map(|row| DailyAvailability {
            date: days[row].clone().unwrap_or_default(),
            pct: pct(day_totals[row].unwrap_or(0) as u64, day_failed[row].unwrap_or(0) as u64),
            downtime_minutes: day_downtime[row].unwrap_or(0.0),
        })
        .collect();
    let value = pct(total, failed);
    // The allowance over the same windows the percentage is taken from.
    let measured = first_double(&summary, "measured").filter(|_| total > 0);
    let trend = trend(&windows, &period)?;
    Ok(EndpointAvailability {
        pct: value,
        downtime_minutes: (total > 0).then(|| first_double(&summary, "downtime").unwrap_or(0.0)),
        target_pct,
        target_met: crate::verdicts::meets([value], target_pct),
        allowed_downtime_minutes: measured.map(|minutes| minutes * (100.0 - target_pct) / 100.0),
        checks_total: Some(total),
        checks_failed: Some(failed),
        daily,
        trend,
    })
}

/// Computes `availability.*`.
pub fn compute(frames: &Frames) -> Result<AvailabilityMetrics> {
    let targets = &frames.config.availability;
    let windows = match frames.event_data(DatasetName::Availability) {
        Ok(frame) => frame,
        Err(reason) => {
            let empty = |target_pct: f64| EndpointAvailability { target_pct, ..EndpointAvailability::default() };
            return Ok(AvailabilityMetrics {
                status: missing(reason),
                console: empty(targets.console_target_pct),
                api: empty(targets.api_target_pct),
            });
        }
    };
    let windows = windows.cache();
    Ok(AvailabilityMetrics {
        status: available(),
        console: endpoint(frames, &windows, "console", targets.console_target_pct)?,
        api: endpoint(frames, &windows, "api", targets.api_target_pct)?,
    })
}
