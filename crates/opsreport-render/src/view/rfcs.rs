//! The view of the report's "Change management" part, from `metrics.rfcs`: its sentences,
//! figures, charts and tables, every number formatted.

use super::prelude::*;

/// The change management section.
pub(super) fn changes(cx: &Context) -> Section {
    let (m, charts) = (cx.m, cx.charts);
    let rfcs = &m.rfcs;
    let mut types = Table::new(
        "rfc_change_types",
        "Most used change types",
        &[("Change type", "left", 1.6), ("Title", "left", 3.0), ("RFCs", "right", 0.8)],
        &format!("No RFCs created {}.", cx.words().this),
    );
    for kind in &rfcs.top_change_types {
        types.row(vec![kind.change_type_id.clone(), kind.title.clone().unwrap_or_default(), thousands(kind.count as i64)]);
    }
    let next_month = crate::format::period_label(m.period.next());
    let mut planned = Table::new(
        "planned_changes",
        &crate::format::times_in(&format!("Planned maintenance: changes scheduled for {next_month}"), m.timezone.0),
        &[("RFC", "left", 1.9), ("Title", "left", 2.3), ("Change type", "left", 1.5), ("Requested start", "left", 1.4)],
        &format!("No changes are scheduled for {next_month} yet."),
    );
    for change in &rfcs.planned {
        planned.row(vec![
            change.rfc_id.clone(),
            change.title.clone().unwrap_or_default(),
            change.change_type_id.clone(),
            crate::format::clock_in(&change.requested_start_time, m.timezone.0),
        ]);
    }
    section(
        SectionId::Changes,
        "Change management",
        &rfcs.status,
        format!(
            "{} created and {} completed ({} successful, {} automated). Mean execution {}; {} started on time. {} rejected, {} canceled.",
            counted(rfcs.created, "RFC", "RFCs"),
            count(rfcs.completed),
            pct(rfcs.success_rate_pct),
            pct(rfcs.automated_pct),
            minutes(rfcs.mean_execution_minutes),
            pct(rfcs.on_time_pct),
            count(rfcs.rejected),
            count(rfcs.canceled)
        ),
        vec![
            ("Completed".into(), count(rfcs.completed)),
            ("Success rate".into(), pct(rfcs.success_rate_pct)),
            ("Automated".into(), pct(rfcs.automated_pct)),
            ("On time".into(), pct(rfcs.on_time_pct)),
        ],
        charts,
        &[
            (ChartId::RfcTrend, &format!("RFCs completed {}, {}", cx.words().per, cx.words().trend)),
            (ChartId::RfcSuccessTrend, &format!("Change success rate against the target, {}", cx.words().trend)),
        ],
        vec![types, planned.limited(TABLE_ROWS)],
    )
}
