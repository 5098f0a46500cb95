//! `alerts.*`: monitoring and events — volumes by severity, source and outcome, and the share
//! auto-remediated ("problems averted").

use opsreport_model::DatasetName;
use opsreport_model::metrics::{AlertMetrics, AlertTrendPoint};
use polars::prelude::*;

use crate::frame::{Frames, PerPeriod, count_where, counts_by, in_period, materialize, percent};
use crate::{Result, available, missing};

const SECTION: &str = "alerts";

/// Computes `alerts.*`.
pub fn compute(frames: &Frames) -> Result<AlertMetrics> {
    let alerts = match frames.event_data(DatasetName::Alerts) {
        Ok(frame) => frame,
        Err(reason) => {
            return Ok(AlertMetrics { status: missing(reason), ..AlertMetrics::default() });
        }
    };
    let alerts = alerts.cache();
    let period = frames.period;
    // The month's rows, filtered once for the three breakdowns.
    let current = materialize(
        alerts.clone().filter(in_period("created_at", &period)).select([col("outcome"), col("severity"), col("source")]),
        SECTION,
    )?;
    let by_outcome = counts_by(current.clone(), "outcome", "Other", SECTION)?;
    let total: u64 = by_outcome.values().sum();
    let outcome = |name: &str| by_outcome.get(name).copied().unwrap_or(0);
    let months = period.trend_months(6);
    let counts = PerPeriod::by_period_of(
        alerts.clone(),
        "created_at",
        &months,
        vec![
            ("total".into(), len().cast(DataType::UInt64)),
            ("auto".into(), count_where(col("outcome").eq(lit("AutoRemediated")))),
        ],
        SECTION,
    )?;
    let trend = months
        .iter()
        .enumerate()
        .map(|(index, month)| AlertTrendPoint {
            month: month.month().to_string(),
            total: Some(counts.count(index, "total")),
            auto_remediated: Some(counts.count(index, "auto")),
        })
        .collect();
    Ok(AlertMetrics {
        status: available(),
        total: Some(total),
        by_severity: counts_by(current.clone(), "severity", "Other", SECTION)?,
        by_source: counts_by(current, "source", "Other", SECTION)?,
        auto_remediated_pct: percent(outcome("AutoRemediated"), total),
        incident_rate_pct: percent(outcome("IncidentCreated"), total),
        false_positive_pct: percent(outcome("FalsePositive"), total),
        by_outcome,
        trend,
    })
}
