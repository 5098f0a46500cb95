//! `forecasts.*`: what the trends say of the next period, and when each volume fills. One
//! method for all: a least-squares line, with a 95 % prediction interval from Student's t over
//! its residuals. Too few points, no forecast, and the reason in words — never a guess.
//! The trend forecasts read the finished sections (the same points the report charts); the
//! storage forecast reads the storage snapshots.

use chrono::NaiveDate;
use opsreport_model::metrics::{CapacityForecast, Estimate, Exhaustion, Forecasts, PercentPoint, StorageMetrics, TrendForecast};
use opsreport_model::{DatasetName, Metrics, PeriodId};
use polars::prelude::*;

use crate::Result;
use crate::frame::{Frames, collect, date, epoch_days, integers, strings};

const SECTION: &str = "forecasts";

/// A least-squares line through points `(x, y)`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Line {
    slope: f64,
    intercept: f64,
    points: usize,
    mean_x: f64,
    /// Σ (x − mean x)².
    spread_x: f64,
    /// The residuals' standard error (n − 2 degrees of freedom).
    residual_error: f64,
}

impl Line {
    /// The line through `points`, or `None` with fewer than three points or one x only.
    fn fit(points: &[(f64, f64)]) -> Option<Line> {
        if points.len() < 3 {
            return None;
        }
        let count = points.len() as f64;
        let mean_x = points.iter().map(|(x, _)| x).sum::<f64>() / count;
        let mean_y = points.iter().map(|(_, y)| y).sum::<f64>() / count;
        let spread_x: f64 = points.iter().map(|(x, _)| (x - mean_x).powi(2)).sum();
        if spread_x <= 0.0 {
            return None;
        }
        let slope = points.iter().map(|(x, y)| (x - mean_x) * (y - mean_y)).sum::<f64>() / spread_x;
        let intercept = mean_y - slope * mean_x;
        let squares: f64 = points.iter().map(|(x, y)| (y - (intercept + slope * x)).powi(2)).sum();
        let residual_error = (squares / (count - 2.0)).sqrt();
        Some(Line { slope, intercept, points: points.len(), mean_x, spread_x, residual_error })
    }

    /// The line's value at `x`.
    fn at(&self, x: f64) -> f64 {
        self.intercept + self.slope * x
    }

    /// Half the width of the 95 % prediction interval of a new point at `x`.
    fn margin(&self, x: f64) -> f64 {
        let count = self.points as f64;
        let leverage = 1.0 + 1.0 / count + (x - self.mean_x).powi(2) / self.spread_x;
        student_t_975(self.points - 2) * self.residual_error * leverage.sqrt()
    }
}

/// The 97.5 % quantile of Student's t with `freedom` degrees of freedom (a two-sided 95 %
/// interval): the table to 30, then the Cornish–Fisher expansion (within 0.001 there).
fn student_t_975(freedom: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110,
        2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];
    match freedom {
        0 => f64::INFINITY,
        1..=30 => TABLE[freedom - 1],
        _ => {
            let (z, n) = (1.959_964_f64, freedom as f64);
            z + (z.powi(3) + z) / (4.0 * n) + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * n * n)
        }
    }
}

/// The bounds a forecast measure can take.
#[derive(Clone, Copy)]
struct Bounds {
    low: f64,
    high: f64,
}

const PERCENT: Bounds = Bounds { low: 0.0, high: 100.0 };
const MONEY: Bounds = Bounds { low: 0.0, high: f64::INFINITY };

/// The next point of a trend (its periods in order, a value or none each): the line through
/// the points with a value, at the position after the last period.
fn next_point(series: &[(PeriodId, Option<f64>)], min_points: u32, bounds: Bounds) -> TrendForecast {
    let points: Vec<(f64, f64)> =
        series.iter().enumerate().filter_map(|(index, (_, value))| value.map(|value| (index as f64, value))).collect();
    let with_value: Vec<PeriodId> = series.iter().filter(|(_, value)| value.is_some()).map(|(period, _)| *period).collect();
    let mut forecast = TrendForecast {
        period: series.last().map(|(period, _)| period.next()),
        points: points.len() as u32,
        min_points,
        first: with_value.first().copied(),
        last: with_value.last().copied(),
        estimate: None,
        not_made: None,
    };
    let line = (points.len() >= min_points as usize).then(|| Line::fit(&points)).flatten();
    let Some(line) = line else {
        forecast.not_made = Some(match series.len() {
            0 => "no trend to draw a line through".to_owned(),
            periods if points.is_empty() => format!("none of the {periods} trend periods has a value"),
            periods => format!("only {} of {periods} trend periods have a value ({min_points} needed)", points.len()),
        });
        return forecast;
    };
    let next = series.len() as f64;
    let (value, margin) = (line.at(next), line.margin(next));
    let clamp = |value: f64| value.clamp(bounds.low, bounds.high);
    forecast.estimate = Some(Estimate {
        value: clamp(value),
        low: clamp(value - margin),
        high: clamp(value + margin),
        change_per_period: line.slope,
    });
    forecast
}

fn percent_series(trend: &[PercentPoint]) -> Vec<(PeriodId, Option<f64>)> {
    trend.iter().map(|point| (point.month, point.pct)).collect()
}

/// Computes `forecasts.*` from the finished sections and the storage snapshots.
pub fn compute(frames: &Frames, metrics: &Metrics) -> Result<Forecasts> {
    let settings = frames.config.forecast;
    let cost: Vec<(PeriodId, Option<f64>)> = metrics.cost.trend.iter().map(|point| (point.month, point.total)).collect();
    Ok(Forecasts {
        cost: next_point(&cost, settings.min_points, MONEY),
        patch_compliance: next_point(&percent_series(&metrics.patching.trend), settings.min_points, PERCENT),
        backup_success: next_point(&percent_series(&metrics.backups.trend), settings.min_points, PERCENT),
        storage: storage(frames, &metrics.storage)?,
    })
}

/// One resource's snapshot days in the window: `(day, used, provisioned)`, oldest first.
type Snapshots = Vec<(NaiveDate, i64, i64)>;

/// When each volume or file system with a provisioned size fills, from the line through its
/// used bytes over the window's snapshot days.
fn storage(frames: &Frames, section: &StorageMetrics) -> Result<CapacityForecast> {
    let settings = frames.config.forecast;
    let mut forecast = CapacityForecast {
        window_days: settings.storage_window_days,
        min_points: settings.min_points,
        horizon_days: settings.storage_horizon_days,
        ..CapacityForecast::default()
    };
    let Some(frame) = frames.lazy(DatasetName::Storage) else {
        forecast.not_made = Some(format!("no storage data: {}", frames.missing_reason(DatasetName::Storage)));
        return Ok(forecast);
    };
    let last_day = frames.period.last_day();
    let resources = snapshots_by_resource(frame, last_day, settings.storage_window_days)?;
    for (resource_id, storage_type, snapshots) in resources {
        if snapshots.len() < settings.min_points as usize {
            continue;
        }
        forecast.resources_fitted += 1;
        if let Some(exhaustion) = exhaustion(resource_id, storage_type, &snapshots, last_day)
            && exhaustion.days_left <= settings.storage_horizon_days
        {
            forecast.filling.push(exhaustion);
        }
    }
    forecast.filling.sort_by(|a, b| a.days_left.cmp(&b.days_left).then_with(|| a.resource_id.cmp(&b.resource_id)));
    if forecast.resources_fitted == 0 {
        forecast.not_made = Some(match section.status.available {
            true => format!(
                "no volume or file system with a provisioned size has {} snapshot days in the {} days to {last_day}",
                settings.min_points, settings.storage_window_days
            ),
            false => format!("no storage snapshot: {}", section.status.missing_reason.clone().unwrap_or_default()),
        });
    }
    Ok(forecast)
}

/// The window's snapshots of each resource with a provisioned size, by resource id.
fn snapshots_by_resource(frame: LazyFrame, last_day: NaiveDate, window_days: u32) -> Result<Vec<(String, String, Snapshots)>> {
    let first_day = last_day - chrono::Duration::days(i64::from(window_days) - 1);
    let rows = collect(
        frame
            .filter(col("snapshot_date").gt_eq(date(first_day)).and(col("snapshot_date").lt_eq(date(last_day))))
            .filter(col("provisioned_bytes").gt(lit(0i64)))
            .select([col("resource_id"), col("storage_type"), col("snapshot_date"), col("used_bytes"), col("provisioned_bytes")])
            .sort(["resource_id", "snapshot_date"], SortMultipleOptions::default()),
        SECTION,
    )?;
    let ids = strings(&rows, "resource_id");
    let kinds = strings(&rows, "storage_type");
    let days = integers(&rows, "snapshot_date");
    let used = integers(&rows, "used_bytes");
    let provisioned = integers(&rows, "provisioned_bytes");
    let mut resources: Vec<(String, String, Snapshots)> = Vec::new();
    for row in 0..rows.height() {
        let (id, kind) = (ids[row].clone().unwrap_or_default(), kinds[row].clone().unwrap_or_default());
        let day = crate::frame::date_of(days[row].unwrap_or_default() as i32);
        let snapshot = (day, used[row].unwrap_or(0), provisioned[row].unwrap_or(0));
        match resources.last_mut() {
            Some((last, _, snapshots)) if *last == id => snapshots.push(snapshot),
            _ => resources.push((id, kind, vec![snapshot])),
        }
    }
    Ok(resources)
}

/// The day a resource fills: the line through its used bytes reaching its latest provisioned
/// size. `None` when it does not grow.
fn exhaustion(resource_id: String, storage_type: String, snapshots: &Snapshots, last_day: NaiveDate) -> Option<Exhaustion> {
    let &(latest_day, used, provisioned) = snapshots.last()?;
    let x = |day: NaiveDate| f64::from(epoch_days(day) - epoch_days(last_day));
    let points: Vec<(f64, f64)> = snapshots.iter().map(|(day, used, _)| (x(*day), *used as f64)).collect();
    let line = Line::fit(&points)?;
    let full = used >= provisioned;
    if !full && line.slope <= 0.0 {
        return None;
    }
    // The first whole day at or after the line's crossing, never before the period's end.
    let days_left = if full { 0.0 } else { ((provisioned as f64 - line.intercept) / line.slope).ceil().max(0.0) };
    let days_left = days_left.min(f64::from(u32::MAX)) as u32;
    let full_on = if full { latest_day } else { last_day + chrono::Duration::days(i64::from(days_left)) };
    Some(Exhaustion {
        resource_id,
        storage_type,
        used_bytes: used.max(0) as u64,
        provisioned_bytes: provisioned.max(0) as u64,
        growth_bytes_per_day: line.slope,
        points: snapshots.len() as u32,
        full_on,
        days_left,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn months(values: &[Option<f64>]) -> Vec<(PeriodId, Option<f64>)> {
        let mut period = PeriodId::parse("2026-05").expect("a month");
        values
            .iter()
            .map(|value| {
                let point = (period, *value);
                period = period.next();
                point
            })
            .collect()
    }

    #[test]
    fn a_linear_series_is_forecast_exactly_with_no_range() {
        // 100, 110, …, 150: the next month is 160, and a perfect line is sure of it.
        let series = months(&[Some(100.0), Some(110.0), Some(120.0), Some(130.0), Some(140.0), Some(150.0)]);
        let forecast = next_point(&series, 3, MONEY);
        assert_eq!(forecast.period, Some(PeriodId::parse("2026-11").unwrap()));
        let estimate = forecast.estimate.expect("six points");
        assert!((estimate.value - 160.0).abs() < 1e-9, "{estimate:?}");
        assert!((estimate.change_per_period - 10.0).abs() < 1e-9);
        assert!((estimate.high - estimate.low).abs() < 1e-9);
        assert_eq!(
            (forecast.points, forecast.first, forecast.last),
            (6, series.first().map(|p| p.0), series.last().map(|p| p.0))
        );
    }

    #[test]
    fn a_gap_keeps_the_periods_apart_and_the_range_follows_the_residuals() {
        // y = 2x + 1 with ±1 noise, x = 0, 1, 3, 4 (the third month has no value).
        let series = months(&[Some(2.0), Some(2.0), None, Some(8.0), Some(8.0)]);
        let forecast = next_point(&series, 3, MONEY);
        let estimate = forecast.estimate.expect("four points");
        // Least squares by hand: mean x 2, mean y 5, slope 18/10, intercept 1.4; residuals
        // 0.6, −1.2, 1.2, −0.6 → s = sqrt(3.6 / 2); at x = 5: 10.4 ± t(2) s sqrt(1 + 1/4 + 9/10).
        assert!((estimate.value - 10.4).abs() < 1e-9, "{estimate:?}");
        let margin = 4.303 * (3.6f64 / 2.0).sqrt() * (1.0f64 + 0.25 + 0.9).sqrt();
        assert!((estimate.high - (10.4 + margin)).abs() < 1e-9 && (estimate.low - (10.4 - margin)).abs() < 1e-9);
        assert_eq!(forecast.points, 4);
    }

    #[test]
    fn too_few_points_give_no_forecast_and_say_why() {
        let forecast = next_point(&months(&[None, Some(99.0), None, Some(98.0)]), 3, PERCENT);
        assert_eq!(forecast.estimate, None);
        assert_eq!(forecast.not_made.as_deref(), Some("only 2 of 4 trend periods have a value (3 needed)"));
        let forecast = next_point(&months(&[Some(99.0), Some(98.0), Some(97.0)]), 4, PERCENT);
        assert!(forecast.estimate.is_none() && forecast.not_made.is_some());
        assert!(next_point(&[], 3, PERCENT).not_made.is_some());
    }

    #[test]
    fn percentages_stay_within_0_and_100() {
        let forecast = next_point(&months(&[Some(97.0), Some(98.5), Some(100.0)]), 3, PERCENT);
        let estimate = forecast.estimate.expect("three points");
        assert_eq!((estimate.value, estimate.high), (100.0, 100.0));
    }

    #[test]
    fn a_volume_growing_a_gib_a_day_fills_on_the_day_its_line_reaches_its_size() {
        const GIB: i64 = 1 << 30;
        let last_day = NaiveDate::from_ymd_opt(2026, 10, 31).unwrap();
        // Used = 50 GiB on 1 October, + 1 GiB a day (80 GiB on the 31st); provisioned 100 GiB:
        // full 20 days after the period, on 20 November.
        let snapshots: Snapshots = [1u32, 8, 15, 22, 31]
            .iter()
            .map(|day| (NaiveDate::from_ymd_opt(2026, 10, *day).unwrap(), (50 + i64::from(*day) - 1) * GIB, 100 * GIB))
            .collect();
        let found = exhaustion("vol-1".into(), "EBS".into(), &snapshots, last_day).expect("it grows");
        assert_eq!((found.full_on, found.days_left), (NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(), 20));
        assert!((found.growth_bytes_per_day - GIB as f64).abs() < 1.0);
        // A shrinking volume never fills; a full one is full on its latest day.
        let shrinking: Snapshots = snapshots.iter().rev().enumerate().map(|(i, s)| (snapshots[i].0, s.1, s.2)).collect();
        assert!(exhaustion("vol-2".into(), "EBS".into(), &shrinking, last_day).is_none());
        let full: Snapshots = snapshots.iter().map(|(day, _, size)| (*day, *size, *size)).collect();
        let found = exhaustion("vol-3".into(), "EBS".into(), &full, last_day).expect("full");
        assert_eq!((found.days_left, found.full_on), (0, NaiveDate::from_ymd_opt(2026, 10, 31).unwrap()));
    }

    #[test]
    fn the_t_quantiles_join_the_table_and_the_expansion() {
        assert_eq!(student_t_975(4), 2.776);
        assert!((student_t_975(31) - 2.040).abs() < 0.001, "{}", student_t_975(31));
        assert!((student_t_975(120) - 1.980).abs() < 0.001);
        assert!(student_t_975(0).is_infinite());
    }
}
