//! The view of the report's "Monitoring and events" part, from `metrics.alerts`: its sentences,
//! figures, charts and tables, every number formatted.

use super::prelude::*;

/// The monitoring section: alerts and their outcomes.
pub(super) fn monitoring(cx: &Context) -> Section {
    let (m, charts) = (cx.m, cx.charts);
    let outcome_table = Table::shares(
        ("alerts_by_outcome", "Alerts by outcome", "No alerts this month."),
        ("Outcome", "Alerts"),
        &m.alerts.by_outcome.iter().map(|(outcome, count)| (label(outcome), *count)).collect(),
        m.alerts.total.unwrap_or(0),
    );
    let source_table = Table::shares(
        ("alerts_by_source", "Alerts by source (security events among them)", "No alerts this month."),
        ("Source", "Alerts"),
        &m.alerts.by_source,
        m.alerts.total.unwrap_or(0),
    );
    section(
        "monitoring",
        "Monitoring and events",
        &m.alerts.status,
        format!(
            "{} alerts were raised this month; {} were remediated automatically (problems averted), {} became incidents and {} were false positives.",
            count(m.alerts.total),
            pct(m.alerts.auto_remediated_pct),
            pct(m.alerts.incident_rate_pct),
            pct(m.alerts.false_positive_pct)
        ),
        vec![
            ("Alerts".into(), count(m.alerts.total)),
            ("Auto-remediated".into(), pct(m.alerts.auto_remediated_pct)),
            ("Incident rate".into(), pct(m.alerts.incident_rate_pct)),
            ("False positives".into(), pct(m.alerts.false_positive_pct)),
        ],
        charts,
        &[("alerts_by_severity", "Alerts by severity"), ("alerts_trend", "Alerts and auto-remediations, last 6 months")],
        vec![outcome_table, source_table],
    )
}
