//! The view of the report's "Monitoring and events" part, from `metrics.alerts`: its sentences,
//! figures, charts and tables, every number formatted.

use super::prelude::*;

/// The monitoring section: alerts and their outcomes.
pub(super) fn monitoring(cx: &Context) -> Section {
    let (m, charts, w) = (cx.m, cx.charts, cx.words());
    let outcome_table = Table::shares(
        ("alerts_by_outcome", "Alerts by outcome", &format!("No alerts {}.", w.this)),
        ("Outcome", "Alerts"),
        &m.alerts.by_outcome.iter().map(|(outcome, count)| (label(outcome), *count)).collect(),
        m.alerts.total.unwrap_or(0),
    );
    let source_table = Table::shares(
        ("alerts_by_source", "Alerts by source (security events among them)", &format!("No alerts {}.", w.this)),
        ("Source", "Alerts"),
        &m.alerts.by_source,
        m.alerts.total.unwrap_or(0),
    );
    section(
        SectionId::Monitoring,
        "Monitoring and events",
        &m.alerts.status,
        format!(
            "{} raised {}; {} were remediated automatically (problems averted), {} became incidents and {} were false positives.",
            counted(m.alerts.total, "alert was", "alerts were"),
            w.this,
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
        &[
            (ChartId::AlertsBySeverity, "Alerts by severity"),
            (ChartId::AlertsTrend, &format!("Alerts and auto-remediations, {}", w.trend)),
        ],
        vec![outcome_table, source_table],
    )
}
