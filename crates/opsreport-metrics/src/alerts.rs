//! `alerts.*`: monitoring and events — volumes by severity, source and outcome, and the share
//! auto-remediated ("problems averted").

use opsreport_model::DatasetName;
use opsreport_model::metrics::{AlertMetrics, AlertTrendPoint, SECURITY_SOURCES, SecurityEvent};
use polars::prelude::*;

use crate::frame::{
    Frames, PerPeriod, collect, counts_by, in_period, integers, materialize, one_of, percent, rfc3339_micros, rows, rows_where,
    strings,
};
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
    let period = frames.period;
    // The month's rows, filtered once for the three breakdowns.
    // The period's rows, with the columns the breakdowns and the security events read.
    let columns = ["outcome", "severity", "source", "alert_id", "resource_id", "created_at"].map(col);
    let current = materialize(alerts.filter(in_period("created_at", &period)).select(columns), SECTION)?;
    let security_events = security_events(current.clone())?;
    let by_outcome = counts_by(current.clone(), "outcome", "Other", SECTION)?;
    let total: u64 = by_outcome.values().sum();
    let outcome = |name: &str| by_outcome.get(name).copied().unwrap_or(0);
    let months = period.trend();
    let counts = PerPeriod::by_period_of(
        frames.history(DatasetName::Alerts).expect("present: its rows were read"),
        "created_at",
        &months,
        vec![("total".into(), rows()), ("auto".into(), rows_where(col("outcome").eq(lit("AutoRemediated"))))],
        SECTION,
    )?;
    let trend = months
        .iter()
        .enumerate()
        .map(|(index, month)| AlertTrendPoint {
            month: month.id(),
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
        security_total: Some(security_events.len() as u64),
        security_events,
        trend,
    })
}

/// A source name compared without case, spaces, underscores and hyphens ("Security Hub" is
/// "SecurityHub").
fn squeezed(source: &str) -> String {
    source.to_lowercase().chars().filter(|c| !matches!(c, ' ' | '_' | '-')).collect()
}

/// The period's alerts raised by a security service, newest first. The period's few distinct
/// sources are compared with the services' names, not every row's.
fn security_events(current: LazyFrame) -> Result<Vec<SecurityEvent>> {
    let names: Vec<String> = SECURITY_SOURCES.iter().map(|name| name.to_lowercase()).collect();
    let distinct = collect(current.clone().select([col("source").unique()]), SECTION)?;
    let sources: Vec<String> =
        strings(&distinct, "source").into_iter().flatten().filter(|source| names.contains(&squeezed(source))).collect();
    let security = one_of("source", &sources.iter().map(String::as_str).collect::<Vec<_>>());
    let rows = collect(
        current
            .filter(security)
            .sort_by_exprs([col("created_at"), col("alert_id")], SortMultipleOptions::default().with_order_descending(true))
            .select([
                col("alert_id"),
                col("source"),
                col("severity"),
                col("resource_id"),
                col("created_at").cast(DataType::Int64).alias("created"),
                col("outcome"),
            ]),
        SECTION,
    )?;
    let (ids, sources, severities) = (strings(&rows, "alert_id"), strings(&rows, "source"), strings(&rows, "severity"));
    let (resources, created, outcomes) = (strings(&rows, "resource_id"), integers(&rows, "created"), strings(&rows, "outcome"));
    Ok((0..rows.height())
        .map(|row| SecurityEvent {
            alert_id: ids[row].clone().unwrap_or_default(),
            source: sources[row].clone().unwrap_or_default(),
            severity: severities[row].clone().unwrap_or_default(),
            resource_id: resources[row].clone(),
            created_at: rfc3339_micros(created[row].unwrap_or(0)),
            outcome: outcomes[row].clone().unwrap_or_default(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_services_are_found_in_any_spelling_and_others_are_not() {
        let sources = ["Security Hub", "guardduty", "IAM-Access_Analyzer", "CloudWatch", "Macie2"];
        let rows = sources.len();
        let created = Series::new("created_at".into(), (0..rows as i64).map(|row| row * 1_000_000).collect::<Vec<_>>())
            .cast(&DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)))
            .expect("a time column");
        let frame = DataFrame::new(
            rows,
            vec![
                Column::new("alert_id".into(), (0..rows).map(|row| format!("a-{row}")).collect::<Vec<_>>()),
                Column::new("source".into(), sources.to_vec()),
                Column::new("severity".into(), vec!["High"; rows]),
                Column::new("resource_id".into(), vec![Some("i-1"); rows]),
                created.into(),
                Column::new("outcome".into(), vec!["Open"; rows]),
            ],
        )
        .expect("a frame");
        let events = security_events(frame.lazy()).expect("events");
        let found: Vec<&str> = events.iter().map(|event| event.source.as_str()).collect();
        assert_eq!(found, ["IAM-Access_Analyzer", "guardduty", "Security Hub"], "newest first, as spelt in the data");
    }
}
