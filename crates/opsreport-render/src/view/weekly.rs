//! The weekly status review's own parts: what is open now (incidents, problem records), the
//! security events of the week, the coming change window and patching, the weekend's schedule.
//! Its sections are the monthly report's, over the week, with 12-week trends.

use serde::Serialize;

use super::prelude::*;

/// The weekly review's parts.
#[derive(Serialize)]
pub(super) struct Weekly {
    open_incidents: Table,
    problems: Table,
    security: Table,
    security_intro: String,
    coming: Table,
    patching: String,
    weekend: Table,
}

/// Rows the weekly tables print (the CSVs keep every row).
const WEEKLY_ROWS: usize = 15;

pub(super) fn weekly(cx: &Context, notes: &Notes) -> Weekly {
    let m = cx.m;
    let zone = m.timezone.0;
    Weekly {
        open_incidents: open_incidents(m, zone).limited(WEEKLY_ROWS),
        problems: problem_records(m, zone).limited(WEEKLY_ROWS),
        security: security_events(m, zone).limited(WEEKLY_ROWS),
        security_intro: security_intro(m),
        coming: coming_changes(m, zone).limited(WEEKLY_ROWS),
        patching: patching_sentence(m),
        weekend: weekend_schedule(notes),
    }
}

/// The incidents open at the end of the week.
fn open_incidents(m: &Metrics, zone: chrono_tz::Tz) -> Table {
    let mut open = Table::new(
        "open_incidents",
        &crate::format::times_in("Incidents open at the end of the week", zone),
        &[
            ("Case", "left", 1.2),
            ("Priority", "left", 1.2),
            ("Status", "left", 1.0),
            ("Subject", "left", 2.4),
            ("Opened", "left", 1.4),
            ("Open for", "right", 1.0),
        ],
        if m.incidents.status.available {
            "No incident was open at the end of the week."
        } else {
            "No incident data for this week."
        },
    );
    for incident in &m.incidents.open_incidents {
        open.row(vec![
            incident.case_id.clone(),
            crate::format::priority_label(&incident.priority),
            label(&incident.status),
            incident.subject.clone().unwrap_or_default(),
            crate::format::clock_in(&incident.created_at, zone),
            open_for(incident.open_minutes),
        ]);
    }
    open
}

/// The problem records whose root-cause analysis is pending.
fn problem_records(m: &Metrics, zone: chrono_tz::Tz) -> Table {
    let mut problems = Table::new(
        "problem_records",
        &crate::format::times_in("Problem records: root-cause analysis pending", zone),
        &[
            ("Case", "left", 1.2),
            ("Priority", "left", 0.8),
            ("Subject", "left", 2.8),
            ("Opened", "left", 1.4),
            ("Root cause so far", "left", 2.0),
        ],
        "No root-cause analysis is pending.",
    );
    for problem in &m.incidents.problems {
        problems.row(vec![
            problem.case_id.clone(),
            crate::format::priority_label(&problem.priority),
            problem.subject.clone().unwrap_or_default(),
            crate::format::clock_in(&problem.created_at, zone),
            problem.root_cause.clone().unwrap_or_default(),
        ]);
    }
    problems
}

/// The security events of the week.
fn security_events(m: &Metrics, zone: chrono_tz::Tz) -> Table {
    let mut security = Table::new(
        "security_events",
        &crate::format::times_in("Security events of the week, most severe first", zone),
        &[
            ("Raised", "left", 1.4),
            ("Source", "left", 1.0),
            ("Severity", "left", 0.8),
            ("Resource", "left", 2.6),
            ("Outcome", "left", 1.2),
        ],
        if m.alerts.status.available { "No security service raised an alert this week." } else { "No alert data for this week." },
    );
    // Most severe first, then newest (the order they come in).
    let mut events: Vec<_> = m.alerts.security_events.iter().collect();
    events.sort_by_key(|event| opsreport_model::contract::alert_severity_rank(&event.severity));
    for event in events {
        security.row(vec![
            crate::format::clock_in(&event.created_at, zone),
            event.source.clone(),
            label(&event.severity),
            event.resource_id.clone().unwrap_or_default(),
            label(&event.outcome),
        ]);
    }
    security
}

/// The sentence above the security events: how many, from which services, of how many alerts.
fn security_intro(m: &Metrics) -> String {
    match m.alerts.security_total {
        Some(total) if m.alerts.status.available => format!(
            "{} from GuardDuty, Security Hub, Macie, Inspector, IAM Access Analyzer and Detective this week, of {} in all.",
            plural(total, "security event", "security events"),
            plural(m.alerts.total.unwrap_or(0), "alert", "alerts")
        ),
        _ => "No alert data was delivered for this week.".to_owned(),
    }
}

/// The changes scheduled for the coming week.
fn coming_changes(m: &Metrics, zone: chrono_tz::Tz) -> Table {
    let mut coming = Table::new(
        "coming_changes",
        &crate::format::times_in("Changes scheduled for the coming week", zone),
        &[("RFC", "left", 1.9), ("Title", "left", 2.3), ("Change type", "left", 1.5), ("Requested start", "left", 1.4)],
        "No change is scheduled for the coming week yet.",
    );
    for change in &m.rfcs.planned {
        coming.row(vec![
            change.rfc_id.clone(),
            change.title.clone().unwrap_or_default(),
            change.change_type_id.clone(),
            crate::format::clock_in(&change.requested_start_time, zone),
        ]);
    }
    coming
}

/// The weekend schedule from the notes.
fn weekend_schedule(notes: &Notes) -> Table {
    let mut weekend = Table::new(
        "weekend_schedule",
        "Weekend schedule",
        &[("When", "left", 1.6), ("What", "left", 3.4), ("Owner", "left", 1.4)],
        "Nothing is scheduled for the weekend.",
    );
    for item in &notes.weekend_schedule {
        weekend.row(vec![item.when.clone(), item.what.clone(), item.owner.clone().unwrap_or_default()]);
    }
    weekend
}

/// How long an incident has been open: minutes or hours (as MTTR is shown) up to two days, then days.
fn open_for(minutes_open: f64) -> String {
    if minutes_open < 2.0 * 24.0 * 60.0 {
        minutes(Some(minutes_open))
    } else {
        plural((minutes_open / (24.0 * 60.0)) as u64, "day", "days")
    }
}

/// Where patching stands at the week's latest snapshot.
fn patching_sentence(m: &Metrics) -> String {
    let p = &m.patching;
    if !p.status.available {
        return "No patching snapshot was delivered for this week.".to_owned();
    }
    let critical = p
        .critical_overdue
        .filter(|overdue| *overdue > 0)
        .map(|overdue| format!(" {} past the critical-patch deadline.", plural(overdue, "instance is", "instances are")));
    format!(
        "{} of instances compliant at the latest snapshot ({}); {} missing, {} in a maintenance window.{}",
        pct(p.compliance_pct),
        p.snapshot_date.as_deref().map(date_label).unwrap_or_default(),
        plural(p.missing_total.unwrap_or(0), "patch", "patches"),
        pct(p.mw_coverage_pct),
        critical.unwrap_or_default()
    )
}

impl Weekly {
    /// The weekly tables, for the CSV export.
    pub(super) fn tables(&self) -> Vec<Table> {
        [&self.open_incidents, &self.problems, &self.security, &self.coming, &self.weekend].into_iter().cloned().collect()
    }
}
