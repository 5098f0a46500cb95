//! The view of the report's "Outlook" part, from `metrics.forecasts`: the next period's cost,
//! patch compliance and backup success with the range each is sure of, and the volumes that
//! fill soon. A forecast the data cannot give is said in words, with its reason.

use opsreport_model::metrics::{Availability, CapacityForecast, Exhaustion, TrendForecast};

use super::prelude::*;
use crate::format::{day_month, short_period};
use opsreport_model::PeriodKind;

/// How a forecast's value is printed.
#[derive(Clone, Copy)]
enum Measure {
    Money,
    Percent,
}

impl Measure {
    fn format(self, value: f64) -> String {
        match self {
            Measure::Money => money(Some(value)),
            Measure::Percent => pct(Some(value)),
        }
    }

    /// A change per period, rounded to what is printed first (so a tiny slope reads "no change").
    fn change(self, value: f64) -> String {
        match self {
            Measure::Money => signed((value * 100.0).round() / 100.0, Unit::Money),
            Measure::Percent => signed((value * 10.0).round() / 10.0, Unit::Points),
        }
    }
}

/// The outlook section.
pub(super) fn outlook(cx: &Context) -> Section {
    let f = &cx.m.forecasts;
    // A weekly review shows no billing (billing is monthly), so it forecasts none.
    let billed = cx.m.kind != PeriodKind::Weekly;
    let rows = [
        billed.then_some(("Cost (AWS + AMS)", &f.cost, Measure::Money)),
        Some(("Patch compliance", &f.patch_compliance, Measure::Percent)),
        Some(("Backup success", &f.backup_success, Measure::Percent)),
    ];
    let mut table = Table::new(
        "forecasts",
        "Forecasts for the next period",
        &[
            ("Measure", "left", 1.4),
            ("Period", "left", 0.8),
            ("Forecast", "right", 0.9),
            ("95 % range", "right", 1.5),
            ("A period", "right", 0.9),
            ("Based on", "left", 1.8),
        ],
        "No forecast.",
    );
    for (name, forecast, measure) in rows.into_iter().flatten() {
        table.row(forecast_row(name, forecast, measure));
    }
    let storage = &f.storage;
    let mut filling = Table::new(
        "storage_filling",
        &format!("Volumes that fill within {} days", storage.horizon_days),
        &[
            ("Resource", "left", 2.6),
            ("Type", "left", 0.8),
            ("Used", "right", 0.9),
            ("Provisioned", "right", 1.0),
            ("Growth a day", "right", 1.0),
            ("Full on", "right", 1.3),
        ],
        &storage
            .not_made
            .clone()
            .map(|reason| format!("No storage forecast: {reason}."))
            .unwrap_or_else(|| format!("No volume or file system fills within {} days.", storage.horizon_days)),
    );
    for item in &storage.filling {
        filling.row(filling_row(item));
    }
    section(
        SectionId::Outlook,
        "Outlook",
        &Availability { available: true, missing_reason: None, not_provided: Vec::new() },
        intro(cx),
        [
            billed.then(|| ("Cost next period".into(), estimate_value(&f.cost, Measure::Money))),
            Some(("Patch compliance".into(), estimate_value(&f.patch_compliance, Measure::Percent))),
            Some(("Backup success".into(), estimate_value(&f.backup_success, Measure::Percent))),
            Some((format!("Filling in {} days", storage.horizon_days), filling_count(storage))),
        ]
        .into_iter()
        .flatten()
        .collect(),
        cx.charts,
        &[],
        vec![table, filling.limited(TABLE_ROWS)],
    )
}

fn intro(cx: &Context) -> String {
    let storage = &cx.m.forecasts.storage;
    format!(
        "Each forecast is a straight line through the trend's points (least squares), with the range a new point falls in 95 times in 100; \
         with fewer than {} points there is none. Storage: a line through each volume's used bytes over the {} days to the period's end \
         ({} fitted).",
        storage.min_points,
        storage.window_days,
        plural(storage.resources_fitted, "volume", "volumes")
    )
}

/// The volumes that fill, or `n/a` when none could be forecast (never a 0 for no data).
fn filling_count(storage: &CapacityForecast) -> String {
    match storage.not_made {
        Some(_) => "n/a".into(),
        None => thousands(storage.filling.len() as i64),
    }
}

fn estimate_value(forecast: &TrendForecast, measure: Measure) -> String {
    forecast.estimate.as_ref().map(|estimate| measure.format(estimate.value)).unwrap_or_else(|| "no forecast".into())
}

fn forecast_row(name: &str, forecast: &TrendForecast, measure: Measure) -> Vec<String> {
    let period = forecast.period.map(short_period).unwrap_or_else(|| "n/a".into());
    match (&forecast.estimate, forecast.first.zip(forecast.last)) {
        (Some(estimate), Some((first, last))) => vec![
            name.to_owned(),
            period,
            measure.format(estimate.value),
            format!("{} – {}", measure.format(estimate.low), measure.format(estimate.high)),
            measure.change(estimate.change_per_period),
            format!("{} points, {} – {}", forecast.points, short_period(first), short_period(last)),
        ],
        _ => vec![
            name.to_owned(),
            period,
            "no forecast".into(),
            "n/a".into(),
            "n/a".into(),
            forecast.not_made.clone().unwrap_or_else(|| "too few points".into()),
        ],
    }
}

fn filling_row(item: &Exhaustion) -> Vec<String> {
    let full_on = match item.days_left {
        0 => "full now".to_owned(),
        days => format!("{} ({})", day_month(item.full_on), plural(u64::from(days), "day", "days")),
    };
    vec![
        item.resource_id.clone(),
        label(&item.storage_type),
        bytes(item.used_bytes as f64),
        bytes(item.provisioned_bytes as f64),
        bytes(item.growth_bytes_per_day.max(0.0)),
        full_on,
    ]
}
