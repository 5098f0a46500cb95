//! The view of the report's "Service requests" part, from `metrics.service_requests`: its sentences,
//! figures, charts and tables, every number formatted.

use super::prelude::*;

/// The service requests section.
pub(super) fn service_requests(cx: &Context) -> Section {
    let (m, charts) = (cx.m, cx.charts);
    let sr = &m.service_requests;
    let mut sr_table = Table::new(
        "service_requests",
        "Service requests by priority, and first responses within target",
        &[
            ("Priority", "left", 1.6),
            ("Opened", "right", 0.8),
            ("Resolved", "right", 0.8),
            ("Response target", "right", 1.0),
            ("Answered in time", "right", 1.1),
        ],
        "No service requests.",
    );
    let targets = [sr.response_target_minutes.high, sr.response_target_minutes.medium, sr.response_target_minutes.low];
    let adherence = [sr.response_sla_pct.high, sr.response_sla_pct.medium, sr.response_sla_pct.low, sr.response_sla_pct.total];
    for (index, mut row) in priority_rows([&sr.opened, &sr.resolved]).into_iter().enumerate() {
        row.push(targets.get(index).map(|minutes| Unit::Minutes.format(*minutes)).unwrap_or_default());
        row.push(pct(adherence[index]));
        sr_table.row(row);
    }
    section(
        SectionId::ServiceRequests,
        "Service requests",
        &sr.status,
        format!(
            "Mean first response {}; {} answered within target. Customer satisfaction {} from {}.",
            minutes(sr.mean_response_minutes),
            pct(sr.response_sla_pct.total),
            or_na(sr.csat_avg.map(csat)),
            counted(sr.csat_responses, "rating", "ratings")
        ),
        vec![
            ("Opened".into(), thousands(sr.opened.total as i64)),
            ("Resolved".into(), thousands(sr.resolved.total as i64)),
            ("Mean first response".into(), minutes(sr.mean_response_minutes)),
            ("CSAT".into(), or_na(sr.csat_avg.map(csat))),
        ],
        charts,
        &[
            (ChartId::ServiceRequestsTrend, &format!("Service requests opened and resolved, {}", cx.words().trend)),
            (ChartId::Csat, "Customer satisfaction ratings"),
        ],
        vec![sr_table],
    )
}
