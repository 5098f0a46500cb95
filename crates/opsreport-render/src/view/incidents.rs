//! The view of the report's "Incidents and SLA adherence" part, from `metrics.incidents`: its sentences,
//! figures, charts and tables, every number formatted.

use opsreport_model::metrics::{IncidentMetrics, Priority};

use super::prelude::*;

/// The incidents section: volumes, times to acknowledge and resolve, key events, recurring problems.
pub(super) fn incidents(cx: &Context) -> Section {
    let (m, charts, w) = (cx.m, cx.charts, cx.words());
    let inc = &m.incidents;
    let mut volume = Table::new(
        "incidents_by_priority",
        "Incidents by priority",
        &[("Priority", "left", 2.0), ("Opened", "right", 1.0), ("Resolved", "right", 1.0)],
        "No incidents.",
    );
    for row in priority_rows([&inc.opened, &inc.resolved]) {
        volume.row(row);
    }
    let mttr = mttr_table(inc);
    let key_events = key_events_table(inc, m.timezone.0, w);
    let recurring = recurring_table(inc);
    section(
        SectionId::Incidents,
        "Incidents",
        &inc.status,
        format!(
            "{} opened and {} resolved {}; {} still open at {}. Resolution time excludes time spent waiting on the customer.",
            plural(inc.opened.total, "incident was", "incidents were"),
            thousands(inc.resolved.total as i64),
            w.this,
            count(inc.open_at_end),
            w.end
        ),
        vec![
            ("Opened".into(), thousands(inc.opened.total as i64)),
            ("Resolved".into(), thousands(inc.resolved.total as i64)),
            (format!("Open at {}", w.period_end), count(inc.open_at_end)),
            ("P1 MTTR".into(), minutes(inc.mttr_minutes.high)),
        ],
        charts,
        &[
            (ChartId::IncidentsByPriority, "Incidents opened and resolved by priority"),
            (ChartId::IncidentMttr, "Mean time to resolve by priority, in hours, against the resolution target"),
            (ChartId::IncidentsTrendMonths, &format!("Incidents opened {} by priority, {}", w.per, w.trend)),
            (ChartId::IncidentMttrTrend, &format!("Mean time to resolve {} by priority, {}", w.per, w.trend)),
            (ChartId::IncidentSlaTrend, &format!("Incidents resolved within target {} by priority, {}", w.per, w.trend)),
            (ChartId::IncidentsTrendWeeks, "Incidents opened and resolved per week (weeks starting Monday), last 12 weeks"),
        ],
        vec![
            volume,
            mttr,
            Table::shares(
                ("incidents_by_category", "Incidents opened by category", &format!("No incidents {}.", w.this)),
                ("Category", "Incidents"),
                &inc.by_category,
                inc.by_category.values().sum(),
            ),
            key_events.limited(TABLE_ROWS),
            recurring.limited(TABLE_ROWS),
        ],
    )
}

/// Mean times to acknowledge and resolve, and the 90th percentile, by priority.
fn mttr_table(inc: &IncidentMetrics) -> Table {
    let mut mttr = Table::new(
        "incident_mttr",
        "Time to acknowledge and resolve (SLA-eligible incidents)",
        &[
            ("Priority", "left", 1.6),
            ("MTTA", "right", 1.0),
            ("MTTR", "right", 1.0),
            ("MTTR p90", "right", 1.0),
            ("Resolution target", "right", 1.2),
        ],
        "No incidents.",
    );
    for priority in Priority::ALL {
        mttr.row(vec![
            priority.label().into(),
            minutes(*inc.mtta_minutes.get(priority)),
            minutes(*inc.mttr_minutes.get(priority)),
            minutes(*inc.mttr_p90_minutes.get(priority)),
            Unit::Minutes.format(*inc.resolution_target_minutes.get(priority)),
        ]);
    }
    mttr
}

/// The P1 incidents resolved, with their root cause.
fn key_events_table(inc: &IncidentMetrics, timezone: chrono_tz::Tz, w: opsreport_model::period::PeriodWords) -> Table {
    let mut key_events = Table::new(
        "key_events",
        &crate::format::times_in("Key events (P1 incidents resolved) and their root cause", timezone),
        &[
            ("Case", "left", 1.35),
            ("Subject", "left", 2.2),
            ("Resolved", "left", 1.9),
            ("Time to resolve", "right", 1.0),
            ("Root cause", "left", 2.3),
            ("RCA", "left", 1.15),
        ],
        &format!("No P1 incidents were resolved {}.", w.this),
    );
    for event in &inc.key_events {
        key_events.row(vec![
            event.case_id.clone(),
            event.subject.clone().unwrap_or_default(),
            crate::format::clock_in(&event.resolved_at, timezone),
            Unit::Minutes.format(event.resolution_minutes),
            event.root_cause.clone().unwrap_or_else(|| "not recorded".into()),
            event.rca_status.clone().unwrap_or_else(|| "None".into()),
        ]);
    }
    key_events
}

/// Recurring problems: stacks with repeated incidents of one category.
fn recurring_table(inc: &IncidentMetrics) -> Table {
    let mut recurring = Table::new(
        "recurring_incidents",
        "Recurring problems (3 or more incidents on one stack and category in 90 days)",
        &[("Stack or resource", "left", 2.0), ("Category", "left", 1.2), ("Incidents", "right", 0.8), ("Cases", "left", 3.5)],
        "No recurring problems.",
    );
    for group in &inc.recurring {
        recurring.row(vec![
            group.target.clone(),
            group.category.clone(),
            thousands(group.count as i64),
            group.case_ids.join(", "),
        ]);
    }
    recurring
}

/// The SLA adherence section, by priority against the target.
pub(super) fn sla(cx: &Context) -> Section {
    let (input, charts) = (cx.input, cx.charts);
    let inc = &cx.m.incidents;

    let mut sla_table = Table::new(
        "sla_adherence",
        "SLA adherence by priority",
        &[
            ("Priority", "left", 1.4),
            ("Response target", "right", 1.1),
            ("Response met", "right", 1.0),
            ("Resolution target", "right", 1.1),
            ("Resolution met", "right", 1.0),
            ("Status", "left", 0.9),
        ],
        "No SLA-eligible incidents.",
    );
    for priority in Priority::ALL {
        let met = match cx.m.verdicts.sla_by_priority.get(priority) {
            None => "n/a",
            Some(true) => "Met",
            Some(false) => "Not met",
        };
        sla_table.row(vec![
            priority.label().into(),
            Unit::Minutes.format(*inc.response_target_minutes.get(priority)),
            pct(*inc.response_sla_pct.get(priority)),
            Unit::Minutes.format(*inc.resolution_target_minutes.get(priority)),
            pct(*inc.resolution_sla_pct.get(priority)),
            met.into(),
        ]);
    }
    section(
        SectionId::Sla,
        "SLA adherence",
        &inc.status,
        format!(
            "Share of SLA-eligible incidents (not closed as non-incidents, not best-effort) handled within target; the adherence target is {}. An incident never acknowledged counts as missed once its response deadline has passed.",
            Unit::Percent.format(input.sla_target_pct)
        ),
        vec![
            ("Lowest response adherence".into(), pct(worst(&inc.response_sla_pct))),
            ("Lowest resolution adherence".into(), pct(worst(&inc.resolution_sla_pct))),
        ],
        charts,
        &[(ChartId::SlaAdherence, "Response and resolution adherence by priority against the target")],
        vec![sla_table],
    )
}
