//! The report's view model: everything the template prints, built from the `Metrics` tree, the
//! notes and the branding, with numbers already formatted for people. The template only lays it
//! out; it never computes. Strings travel as JSON values, so the template prints them as text —
//! markup characters in notes or data can never run anything.

use opsreport_model::config::BrandingSettings;
use opsreport_model::metrics::{Availability, ByPriority, CostMetrics, Metrics, PriorityCounts};
use opsreport_model::notes::Notes;
use serde::Serialize;
use serde_json::{Value, json};

use crate::charts::ChartSet;
use crate::format::{
    Unit, bytes, count, date_label, minutes, money, month_label, or_na, pct, points_change, relative_change, signed, thousands,
    timestamp_label,
};

/// A table of the report (also written as `tables/<name>.csv`).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Table {
    /// File-name stem of the CSV export.
    pub name: String,
    /// Title above the table.
    pub title: String,
    /// Column headings.
    pub columns: Vec<String>,
    /// `left` or `right` per column.
    pub align: Vec<String>,
    /// Relative column widths.
    pub widths: Vec<f64>,
    /// Cells, already formatted (the PDF's copy is clipped to [`CELL_CHARS`]; the CSV keeps
    /// every character).
    #[serde(serialize_with = "clipped_rows")]
    pub rows: Vec<Vec<String>>,
    /// Printed instead of an empty table.
    pub empty: String,
    /// Rows the PDF prints (the CSV export always has them all).
    pub shown: usize,
    /// Printed under a table the PDF cuts short.
    pub more: String,
}

impl Table {
    fn new(name: &str, title: &str, columns: &[(&str, &str, f64)], empty: &str) -> Self {
        Self {
            name: name.to_owned(),
            title: title.to_owned(),
            columns: columns.iter().map(|(heading, _, _)| (*heading).to_owned()).collect(),
            align: columns.iter().map(|(_, align, _)| (*align).to_owned()).collect(),
            widths: columns.iter().map(|(_, _, width)| *width).collect(),
            rows: Vec::new(),
            empty: empty.to_owned(),
            shown: usize::MAX,
            more: String::new(),
        }
    }

    /// Prints at most `limit` rows in the PDF, with a line pointing to the full CSV.
    fn limited(mut self, limit: usize) -> Self {
        if self.rows.len() > limit {
            self.more = format!(
                "The {limit} first of {} rows; all of them are in tables/{}.csv.",
                thousands(self.rows.len() as i64),
                self.name
            );
        }
        self.shown = limit.min(self.rows.len());
        self
    }

    fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.columns.len());
        self.rows.push(cells);
    }
}

/// Characters of one table cell the PDF prints; a longer text (a pasted log in an incident
/// subject, say) is cut with "…" so it cannot blow up the layout.
pub const CELL_CHARS: usize = 160;

fn clip(text: &str) -> String {
    if text.chars().count() <= CELL_CHARS {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(CELL_CHARS - 1).collect::<String>())
    }
}

fn clipped_rows<S: serde::Serializer>(rows: &[Vec<String>], serializer: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut sequence = serializer.serialize_seq(Some(rows.len()))?;
    for row in rows {
        sequence.serialize_element(&row.iter().map(|cell| clip(cell)).collect::<Vec<_>>())?;
    }
    sequence.end()
}

/// Rows a long table prints in the PDF (failed jobs, stacks, …); the CSV has every row.
const TABLE_ROWS: usize = 25;

fn worst(values: &ByPriority<Option<f64>>) -> Option<f64> {
    [values.high, values.medium, values.low].into_iter().flatten().reduce(f64::min)
}

fn tile(label: &str, value: String, detail: String, change: String, status: &str) -> Value {
    json!({ "label": label, "value": value, "detail": detail, "change": change, "status": status })
}

fn status_of(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "met",
        Some(false) => "missed",
        None => "neutral",
    }
}

/// The inputs of one report besides the metrics.
pub struct ViewInput<'a> {
    /// The metrics.
    pub metrics: &'a Metrics,
    /// The notes, if any.
    pub notes: Option<&'a Notes>,
    /// Branding.
    pub branding: &'a BrandingSettings,
    /// The SLA adherence target (percent).
    pub sla_target_pct: f64,
    /// Patch compliance target.
    pub patch_target_pct: f64,
    /// Backup success target.
    pub backup_target_pct: f64,
    /// RFC success target.
    pub rfc_target_pct: f64,
    /// Whether a logo file is provided (as `assets/logo.<ext>`).
    pub logo: Option<String>,
}

/// Charts drawn as pies (laid out side by side); the rest span the text width.
const PIES: &[&str] =
    &["stacks_by_category", "stacks_by_environment", "stacks_by_type", "storage_by_type", "cost_split", "cost_ri_sp"];

#[allow(clippy::too_many_arguments)]
fn section(
    id: &str,
    title: &str,
    status: &Availability,
    intro: String,
    figures: Vec<(String, String)>,
    charts: &ChartSet,
    chart_names: &[(&str, &str)],
    tables: Vec<Table>,
) -> Value {
    let charts: Vec<Value> = chart_names
        .iter()
        .filter(|(name, _)| charts.contains(name))
        .map(|(name, caption)| json!({ "file": format!("charts/{name}.svg"), "caption": caption, "kind": if PIES.contains(name) { "pie" } else { "wide" } }))
        .collect();
    // What the section's source cannot provide is said after the intro, never shown as 0.
    let intro = std::iter::once(intro)
        .chain(status.not_provided.iter().map(|sentence| format!("{sentence}.")))
        .filter(|text| !text.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    json!({
        "id": id,
        "title": title,
        "available": status.available,
        "missing": status.missing_reason.clone().unwrap_or_else(|| "the data was not delivered".to_owned()),
        "intro": intro,
        "figures": figures.into_iter().map(|(label, value)| json!({"label": label, "value": value})).collect::<Vec<_>>(),
        "charts": charts,
        "tables": tables,
    })
}

/// The cost section's opening sentences; without the managed-service fee (a cost export as the
/// billing source) they speak of AWS charges only.
fn cost_intro(c: &CostMetrics) -> String {
    let reserved = format!(
        "Reserved instances and savings plans account for {} ({} of AWS charges).",
        money(c.ri_sp_charges),
        pct(c.ri_sp_share_pct)
    );
    if c.ams_charges.is_none() {
        return format!("AWS charges {} this month. {reserved}", money(c.aws_charges));
    }
    format!(
        "Total {} this month ({} vs last month): {} of AWS charges and {} of managed-service charges. {reserved}",
        money(c.total),
        or_na(c.mom_change_pct.map(|v| signed(v, Unit::Percent))),
        money(c.aws_charges),
        money(c.ams_charges),
    )
}

/// The cost tiles; without the managed-service fee, the AWS charges and their RI/SP share
/// instead of tiles that could only say "n/a".
fn cost_figures(c: &CostMetrics) -> Vec<(String, String)> {
    if c.ams_charges.is_none() && c.aws_charges.is_some() {
        return vec![
            ("AWS".into(), money(c.aws_charges)),
            ("RI / SP".into(), money(c.ri_sp_charges)),
            ("RI / SP share".into(), pct(c.ri_sp_share_pct)),
        ];
    }
    vec![
        ("Total".into(), money(c.total)),
        ("AWS".into(), money(c.aws_charges)),
        ("AMS".into(), money(c.ams_charges)),
        ("Change".into(), or_na(c.mom_change_pct.map(|v| signed(v, Unit::Percent)))),
    ]
}

fn priority_rows(counts: [&PriorityCounts; 2]) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for (label, pick) in [("P1 (High)", 0), ("P2 (Medium)", 1), ("P3 (Low)", 2), ("Total", 3)] {
        let value = |c: &PriorityCounts| match pick {
            0 => c.high,
            1 => c.medium,
            2 => c.low,
            _ => c.total,
        };
        rows.push(vec![label.to_owned(), thousands(value(counts[0]) as i64), thousands(value(counts[1]) as i64)]);
    }
    rows
}

/// Builds `data/report.json` and the tables.
pub fn build(input: &ViewInput, charts: &ChartSet) -> (Value, Vec<Table>) {
    let m = input.metrics;
    let notes = input.notes.cloned().unwrap_or_default();
    let mut all_tables: Vec<Table> = Vec::new();
    let mut keep = |tables: Vec<Table>| {
        all_tables.extend(tables.iter().cloned());
        tables
    };

    // ---- tiles and call-outs ----
    let previous = |len: usize| len.checked_sub(2);
    let incident_prev = previous(m.incidents.trend_months.len()).map(|i| &m.incidents.trend_months[i]);
    let worst_response = worst(&m.incidents.response_sla_pct);
    let worst_resolution = worst(&m.incidents.resolution_sla_pct);
    let sla_met = match (worst_response, worst_resolution) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(100.0) >= input.sla_target_pct && b.unwrap_or(100.0) >= input.sla_target_pct),
    };
    let sla_value = match (worst_response, worst_resolution) {
        (None, None) => "n/a".to_owned(),
        (a, b) => Unit::Percent.format(a.unwrap_or(100.0).min(b.unwrap_or(100.0))),
    };
    let alerts_prev = previous(m.alerts.trend.len()).map(|i| &m.alerts.trend[i]);
    let patch_prev = previous(m.patching.trend.len()).and_then(|i| m.patching.trend[i].pct);
    let rfc_prev = previous(m.rfcs.trend.len()).map(|i| &m.rfcs.trend[i]);
    let sr_prev = previous(m.service_requests.trend.len()).map(|i| &m.service_requests.trend[i]);
    let console_prev = previous(m.availability.console.trend.len()).and_then(|i| m.availability.console.trend[i].pct);
    let api_prev = previous(m.availability.api.trend.len()).and_then(|i| m.availability.api.trend[i].pct);
    let tiles = vec![
        tile(
            "Incidents resolved",
            if m.incidents.status.available { thousands(m.incidents.resolved.total as i64) } else { "n/a".into() },
            format!("P1 MTTR {}", minutes(m.incidents.mttr_minutes.high)),
            relative_change(
                m.incidents.status.available.then_some(m.incidents.resolved.total as f64),
                incident_prev.map(|p| p.resolved.total as f64),
            ),
            "neutral",
        ),
        tile(
            "SLA adherence (lowest)",
            sla_value,
            format!("target {}", Unit::Percent.format(input.sla_target_pct)),
            format!("response {} · resolution {}", pct(worst_response), pct(worst_resolution)),
            status_of(sla_met),
        ),
        tile(
            "Alerts handled",
            count(m.alerts.total),
            format!("{} auto-remediated", pct(m.alerts.auto_remediated_pct)),
            relative_change(m.alerts.total.map(|v| v as f64), alerts_prev.and_then(|p| p.total.map(|v| v as f64))),
            "neutral",
        ),
        tile(
            "Patch compliance",
            pct(m.patching.compliance_pct),
            format!("target {}", Unit::Percent.format(input.patch_target_pct)),
            points_change(m.patching.compliance_pct, patch_prev),
            status_of(m.patching.compliance_pct.map(|v| v >= input.patch_target_pct)),
        ),
        tile(
            "RFCs executed",
            count(m.rfcs.completed),
            format!("{} successful", pct(m.rfcs.success_rate_pct)),
            relative_change(m.rfcs.completed.map(|v| v as f64), rfc_prev.and_then(|p| p.completed.map(|v| v as f64))),
            status_of(m.rfcs.success_rate_pct.map(|v| v >= input.rfc_target_pct)),
        ),
        tile(
            "Service requests",
            if m.service_requests.status.available { thousands(m.service_requests.resolved.total as i64) } else { "n/a".into() },
            format!("resolved · CSAT {}", or_na(m.service_requests.csat_avg.map(|v| format!("{v:.1}/5")))),
            relative_change(
                m.service_requests.status.available.then_some(m.service_requests.resolved.total as f64),
                sr_prev.and_then(|p| p.resolved.map(|v| v as f64)),
            ),
            status_of(m.service_requests.response_sla_pct.total.map(|v| v >= input.sla_target_pct)),
        ),
        tile(
            "Console availability",
            or_na(m.availability.console.pct.map(|v| format!("{v:.3}%"))),
            format!("target {:.1}%", m.availability.console.target_pct),
            points_change(m.availability.console.pct, console_prev),
            status_of(m.availability.console.target_met),
        ),
        tile(
            "API availability",
            or_na(m.availability.api.pct.map(|v| format!("{v:.3}%"))),
            format!("target {:.1}%", m.availability.api.target_pct),
            points_change(m.availability.api.pct, api_prev),
            status_of(m.availability.api.target_met),
        ),
    ];
    let stacks_callout = if m.stacks.status.available {
        format!(
            "{} stacks under management, {} active{}",
            count(m.stacks.total),
            count(m.stacks.active),
            m.stacks
                .total_change
                .map(|change| format!(" ({} since last month)", signed(change as f64, Unit::Count)))
                .unwrap_or_default()
        )
    } else {
        format!("No stack data for this period: {}", m.stacks.status.missing_reason.clone().unwrap_or_default())
    };
    let patch_callout = if m.patching.status.available {
        format!(
            "{} of {} stacks fully patched; {} of {} instances compliant ({}); {} instances with critical patches overdue",
            count(m.patching.stacks_fully_patched),
            count(m.patching.stacks_with_instances),
            count(m.patching.compliant),
            count(m.patching.instances),
            pct(m.patching.compliance_pct),
            count(m.patching.critical_overdue)
        )
    } else {
        format!("No patching data for this period: {}", m.patching.status.missing_reason.clone().unwrap_or_default())
    };
    let insights: Vec<Value> = m
        .insights
        .iter()
        .map(|insight| {
            let severity =
                serde_json::to_value(insight.severity).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
            json!({ "severity": severity, "section": insight.section.replace('_', " "), "message": insight.message })
        })
        .collect();

    // ---- managed resources ----
    let mut stack_table = Table::new(
        "stacks_by_category",
        "Stacks by category",
        &[("Category", "left", 2.0), ("Stacks", "right", 1.0), ("Share", "right", 1.0)],
        "No stacks.",
    );
    let stack_total: u64 = m.stacks.by_category.values().sum();
    for (category, value) in &m.stacks.by_category {
        stack_table.row(vec![
            category.clone(),
            thousands(*value as i64),
            pct((stack_total > 0).then(|| *value as f64 / stack_total as f64 * 100.0)),
        ]);
    }
    let resources = section(
        "resources",
        "Managed resources",
        &m.stacks.status,
        format!(
            "Snapshot of {}. {}",
            m.stacks.snapshot_date.as_deref().map(date_label).unwrap_or_else(|| "n/a".into()),
            stacks_callout
        ),
        vec![
            ("Total stacks".into(), count(m.stacks.total)),
            ("Active stacks".into(), count(m.stacks.active)),
            ("Created this month".into(), count(m.stacks.created_in_period)),
            ("Change vs last month".into(), or_na(m.stacks.total_change.map(|c| signed(c as f64, Unit::Count)))),
        ],
        charts,
        &[
            ("stacks_by_category", "Stacks by category"),
            ("stacks_by_environment", "Stacks by environment"),
            ("stacks_by_type", "Stacks by type"),
            ("stack_trend", "Total and active stacks, last 6 months"),
            ("patch_by_stack", "Patch compliance of the least compliant stacks"),
        ],
        keep(vec![stack_table]),
    );

    // ---- monitoring ----
    let mut outcome_table = Table::new(
        "alerts_by_outcome",
        "Alerts by outcome",
        &[("Outcome", "left", 2.0), ("Alerts", "right", 1.0), ("Share", "right", 1.0)],
        "No alerts this month.",
    );
    let alert_total = m.alerts.total.unwrap_or(0);
    for (outcome, value) in &m.alerts.by_outcome {
        outcome_table.row(vec![
            outcome.clone(),
            thousands(*value as i64),
            pct((alert_total > 0).then(|| *value as f64 / alert_total as f64 * 100.0)),
        ]);
    }
    let monitoring = section(
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
        keep(vec![outcome_table]),
    );

    // ---- incidents ----
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
    for (label, mtta, mean, p90, target) in [
        (
            "P1 (High)",
            inc.mtta_minutes.high,
            inc.mttr_minutes.high,
            inc.mttr_p90_minutes.high,
            inc.resolution_target_minutes.high,
        ),
        (
            "P2 (Medium)",
            inc.mtta_minutes.medium,
            inc.mttr_minutes.medium,
            inc.mttr_p90_minutes.medium,
            inc.resolution_target_minutes.medium,
        ),
        ("P3 (Low)", inc.mtta_minutes.low, inc.mttr_minutes.low, inc.mttr_p90_minutes.low, inc.resolution_target_minutes.low),
    ] {
        mttr.row(vec![label.into(), minutes(mtta), minutes(mean), minutes(p90), Unit::Minutes.format(target)]);
    }
    let mut key_events = Table::new(
        "key_events",
        "Key events (P1 incidents resolved) and their root cause",
        &[
            ("Case", "left", 1.2),
            ("Subject", "left", 2.6),
            ("Resolved", "left", 1.5),
            ("Time to resolve", "right", 1.0),
            ("Root cause", "left", 2.6),
            ("RCA", "left", 0.9),
        ],
        "No P1 incidents were resolved this month.",
    );
    for event in &inc.key_events {
        key_events.row(vec![
            event.case_id.clone(),
            event.subject.clone().unwrap_or_default(),
            timestamp_label(&event.resolved_at),
            Unit::Minutes.format(event.resolution_minutes),
            event.root_cause.clone().unwrap_or_else(|| "not recorded".into()),
            event.rca_status.clone().unwrap_or_else(|| "None".into()),
        ]);
    }
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
    let incidents = section(
        "incidents",
        "Incidents",
        &inc.status,
        format!(
            "{} incidents were opened and {} resolved this month; {} still open at the end of the month. Resolution time excludes time spent waiting on the customer.",
            thousands(inc.opened.total as i64),
            thousands(inc.resolved.total as i64),
            count(inc.open_at_end)
        ),
        vec![
            ("Opened".into(), thousands(inc.opened.total as i64)),
            ("Resolved".into(), thousands(inc.resolved.total as i64)),
            ("Open at month end".into(), count(inc.open_at_end)),
            ("P1 MTTR".into(), minutes(inc.mttr_minutes.high)),
        ],
        charts,
        &[
            ("incidents_by_priority", "Incidents opened and resolved by priority"),
            ("incident_mttr", "Mean time to resolve by priority, against the resolution target"),
            ("incidents_trend_months", "Incidents opened per month by priority"),
            ("incidents_trend_weeks", "Incidents opened and resolved per week, last 12 weeks"),
        ],
        keep(vec![volume, mttr, key_events.limited(TABLE_ROWS), recurring.limited(TABLE_ROWS)]),
    );

    // ---- SLA ----
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
    for (label, rt, rm, st, sm) in [
        (
            "P1 (High)",
            inc.response_target_minutes.high,
            inc.response_sla_pct.high,
            inc.resolution_target_minutes.high,
            inc.resolution_sla_pct.high,
        ),
        (
            "P2 (Medium)",
            inc.response_target_minutes.medium,
            inc.response_sla_pct.medium,
            inc.resolution_target_minutes.medium,
            inc.resolution_sla_pct.medium,
        ),
        (
            "P3 (Low)",
            inc.response_target_minutes.low,
            inc.response_sla_pct.low,
            inc.resolution_target_minutes.low,
            inc.resolution_sla_pct.low,
        ),
    ] {
        let met = match (rm, sm) {
            (None, None) => "n/a",
            (a, b) if a.unwrap_or(100.0) >= input.sla_target_pct && b.unwrap_or(100.0) >= input.sla_target_pct => "Met",
            _ => "Not met",
        };
        sla_table.row(vec![label.into(), Unit::Minutes.format(rt), pct(rm), Unit::Minutes.format(st), pct(sm), met.into()]);
    }
    let sla = section(
        "sla",
        "SLA adherence",
        &inc.status,
        format!(
            "Share of SLA-eligible incidents (not closed as non-incidents, not best-effort) handled within target; the adherence target is {}. An incident never acknowledged counts as missed once its response deadline has passed.",
            Unit::Percent.format(input.sla_target_pct)
        ),
        vec![
            ("Lowest response adherence".into(), pct(worst_response)),
            ("Lowest resolution adherence".into(), pct(worst_resolution)),
        ],
        charts,
        &[("sla_adherence", "Response and resolution adherence by priority against the target")],
        keep(vec![sla_table]),
    );

    // ---- service requests ----
    let sr = &m.service_requests;
    let mut sr_table = Table::new(
        "service_requests",
        "Service requests by priority",
        &[("Priority", "left", 2.0), ("Opened", "right", 1.0), ("Resolved", "right", 1.0)],
        "No service requests.",
    );
    for row in priority_rows([&sr.opened, &sr.resolved]) {
        sr_table.row(row);
    }
    let service_requests = section(
        "service_requests",
        "Service requests",
        &sr.status,
        format!(
            "Mean first response {}; {} answered within target. Customer satisfaction {} from {} ratings.",
            minutes(sr.mean_response_minutes),
            pct(sr.response_sla_pct.total),
            or_na(sr.csat_avg.map(|v| format!("{v:.2} / 5"))),
            count(sr.csat_responses)
        ),
        vec![
            ("Opened".into(), thousands(sr.opened.total as i64)),
            ("Resolved".into(), thousands(sr.resolved.total as i64)),
            ("Mean first response".into(), minutes(sr.mean_response_minutes)),
            ("CSAT".into(), or_na(sr.csat_avg.map(|v| format!("{v:.2} / 5")))),
        ],
        charts,
        &[
            ("service_requests_trend", "Service requests opened and resolved, last 6 months"),
            ("csat", "Customer satisfaction ratings"),
        ],
        keep(vec![sr_table]),
    );

    // ---- change management ----
    let rfcs = &m.rfcs;
    let mut types = Table::new(
        "rfc_change_types",
        "Most used change types",
        &[("Change type", "left", 1.6), ("Title", "left", 3.0), ("RFCs", "right", 0.8)],
        "No RFCs created this month.",
    );
    for kind in &rfcs.top_change_types {
        types.row(vec![kind.change_type_id.clone(), kind.title.clone().unwrap_or_default(), thousands(kind.count as i64)]);
    }
    let changes = section(
        "changes",
        "Change management",
        &rfcs.status,
        format!(
            "{} RFCs created and {} completed ({} successful, {} automated). Mean execution {}; {} started on time. {} rejected, {} canceled.",
            count(rfcs.created),
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
        &[("rfc_trend", "RFCs completed per month and success rate")],
        keep(vec![types]),
    );

    // ---- patching ----
    let patching_m = &m.patching;
    let mut severity = Table::new(
        "missing_patches",
        "Missing patches by severity",
        &[("Severity", "left", 2.0), ("Missing patches", "right", 1.0)],
        "No missing patches.",
    );
    if let Some(s) = &patching_m.missing_by_severity {
        for (label, value) in [
            ("Critical", s.critical),
            ("High", s.high),
            ("Medium", s.medium),
            ("Low", s.low),
            ("Informational", s.informational),
            ("Unspecified", s.unspecified),
        ] {
            severity.row(vec![label.into(), thousands(value as i64)]);
        }
    }
    let mut by_stack = Table::new(
        "patch_compliance_by_stack",
        "Patch compliance by stack (least compliant first)",
        &[("Stack", "left", 3.0), ("Instances", "right", 1.0), ("Compliant", "right", 1.0), ("Compliance", "right", 1.0)],
        "No instances.",
    );
    for stack in &patching_m.by_stack {
        by_stack.row(vec![
            stack.stack.clone(),
            thousands(stack.instances as i64),
            thousands(stack.compliant as i64),
            Unit::Percent.format(stack.compliance_pct),
        ]);
    }
    let patching = section(
        "patching",
        "Patching",
        &patching_m.status,
        format!(
            "{}. Maintenance windows cover {} of instances; {} patches were installed this month.",
            patch_callout,
            pct(patching_m.mw_coverage_pct),
            count(patching_m.patches_installed)
        ),
        vec![
            ("Compliance".into(), pct(patching_m.compliance_pct)),
            ("Missing patches".into(), count(patching_m.missing_total)),
            ("Critical overdue".into(), count(patching_m.critical_overdue)),
            ("Patches installed".into(), count(patching_m.patches_installed)),
        ],
        charts,
        &[("patch_compliance_trend", "Patch compliance, last 6 months"), ("missing_by_severity", "Missing patches by severity")],
        keep(vec![severity, by_stack.limited(TABLE_ROWS)]),
    );

    // ---- continuity ----
    let b = &m.backups;
    let mut failed = Table::new(
        "failed_backups",
        "Failed backup jobs",
        &[
            ("Started", "left", 1.4),
            ("Resource", "left", 2.4),
            ("Type", "left", 0.8),
            ("Status", "left", 0.9),
            ("Reason", "left", 3.0),
        ],
        "No failed backup jobs.",
    );
    for job in &b.failed_jobs {
        failed.row(vec![
            timestamp_label(&job.created_at),
            job.resource_id.clone(),
            job.resource_type.clone(),
            job.status.clone(),
            job.status_message.clone().unwrap_or_default(),
        ]);
    }
    let mut rpo = Table::new(
        "rpo_breaches",
        "Recovery-point objective breaches",
        &[("Resource", "left", 3.0), ("Type", "left", 1.0), ("Longest gap", "right", 1.0)],
        "No resource exceeded the recovery-point objective.",
    );
    for breach in &b.rpo_breach_resources {
        rpo.row(vec![breach.resource_id.clone(), breach.resource_type.clone(), format!("{:.1} h", breach.longest_gap_hours)]);
    }
    let continuity = section(
        "continuity",
        "Continuity: backup and restore",
        &b.status,
        format!(
            "{} backup jobs ran this month with a success rate of {} (target {}). {} of {} resources have a completed backup ({}); {} exceeded the {:.0}-hour recovery-point objective. {} restore tests, {} successful. {} stored.",
            count(b.jobs),
            pct(b.success_rate_pct),
            Unit::Percent.format(input.backup_target_pct),
            count(b.resources_protected),
            count(b.resources),
            pct(b.coverage_pct),
            count(b.rpo_breaches),
            b.rpo_target_hours,
            count(b.restores),
            count(b.restores_succeeded),
            or_na(b.stored_bytes.map(|v| bytes(v as f64)))
        ),
        vec![
            ("Success rate".into(), pct(b.success_rate_pct)),
            ("Coverage".into(), pct(b.coverage_pct)),
            ("RPO breaches".into(), count(b.rpo_breaches)),
            ("Restores tested".into(), count(b.restores)),
        ],
        charts,
        &[("backup_success_trend", "Backup success rate, last 6 months"), ("backup_status", "Backup jobs by status")],
        keep(vec![failed.limited(TABLE_ROWS), rpo.limited(TABLE_ROWS)]),
    );

    // ---- storage ----
    let s = &m.storage;
    let mut by_type = Table::new(
        "storage_by_type",
        "Storage by type",
        &[("Type", "left", 2.0), ("Used", "right", 1.0), ("Provisioned", "right", 1.0)],
        "No storage.",
    );
    for (kind, used) in s.used_bytes.iter().filter(|(kind, _)| kind.as_str() != "total") {
        by_type.row(vec![kind.clone(), bytes(*used as f64), or_na(s.provisioned_bytes.get(kind).map(|v| bytes(*v as f64)))]);
    }
    let mut near = Table::new(
        "near_capacity",
        "Volumes near capacity",
        &[
            ("Resource", "left", 3.0),
            ("Type", "left", 1.0),
            ("Used", "right", 1.0),
            ("Provisioned", "right", 1.0),
            ("Full", "right", 0.8),
        ],
        "No volume is near capacity.",
    );
    for item in &s.near_capacity {
        near.row(vec![
            item.resource_id.clone(),
            item.storage_type.clone(),
            bytes(item.used_bytes as f64),
            bytes(item.provisioned_bytes as f64),
            format!("{:.0}%", item.ratio * 100.0),
        ]);
    }
    let storage = section(
        "storage",
        "Storage",
        &s.status,
        format!(
            "{} in use on {} ({} vs last month). {} volumes are at or above the near-capacity threshold.",
            or_na(s.used_bytes.get("total").map(|v| bytes(*v as f64))),
            s.snapshot_date.as_deref().map(date_label).unwrap_or_else(|| "n/a".into()),
            or_na(s.growth_pct.map(|v| signed(v, Unit::Percent))),
            thousands(s.near_capacity.len() as i64)
        ),
        vec![
            ("Used".into(), or_na(s.used_bytes.get("total").map(|v| bytes(*v as f64)))),
            ("Growth".into(), or_na(s.growth_pct.map(|v| signed(v, Unit::Percent)))),
            ("Near capacity".into(), thousands(s.near_capacity.len() as i64)),
        ],
        charts,
        &[("storage_by_type", "Used storage by type"), ("storage_trend", "Total used storage, last 6 months")],
        keep(vec![by_type, near.limited(TABLE_ROWS)]),
    );

    // ---- trusted advisor ----
    let ta = &m.trusted_advisor;
    let mut findings = Table::new(
        "trusted_advisor_findings",
        "Trusted Advisor findings (warning or error)",
        &[
            ("Check", "left", 3.2),
            ("Category", "left", 1.5),
            ("Status", "left", 0.8),
            ("Flagged", "right", 0.8),
            ("Savings / month", "right", 1.1),
            ("New", "left", 0.6),
        ],
        "No checks in warning or error.",
    );
    for finding in &ta.findings {
        let new = ta.new_findings.iter().any(|f| f.check_id == finding.check_id);
        findings.row(vec![
            finding.check_name.clone(),
            finding.check_category.replace('_', " "),
            finding.status.clone(),
            thousands(finding.resources_flagged as i64),
            finding.estimated_monthly_savings.map(|v| Unit::Money.format(v)).unwrap_or_default(),
            if new { "new".into() } else { String::new() },
        ]);
    }
    let trusted_advisor = section(
        "trusted_advisor",
        "Trusted Advisor",
        &ta.status,
        format!(
            "{} resources flagged; estimated savings {} per month; {} new findings since last month.",
            count(ta.resources_flagged),
            money(ta.estimated_monthly_savings),
            thousands(ta.new_findings.len() as i64)
        ),
        vec![
            ("Resources flagged".into(), count(ta.resources_flagged)),
            ("Savings / month".into(), money(ta.estimated_monthly_savings)),
            ("New findings".into(), thousands(ta.new_findings.len() as i64)),
        ],
        charts,
        &[("trusted_advisor", "Checks by category and status")],
        keep(vec![findings.limited(TABLE_ROWS)]),
    );

    // ---- availability ----
    let av = &m.availability;
    let mut av_table = Table::new(
        "availability",
        "Availability against target",
        &[
            ("Endpoint", "left", 1.2),
            ("Availability", "right", 1.0),
            ("Target", "right", 0.8),
            ("Downtime", "right", 1.0),
            ("Allowed", "right", 1.0),
            ("Status", "left", 0.8),
        ],
        "No availability probes.",
    );
    for (label, endpoint) in [("Console", &av.console), ("API", &av.api)] {
        av_table.row(vec![
            label.into(),
            or_na(endpoint.pct.map(|v| format!("{v:.3}%"))),
            format!("{:.1}%", endpoint.target_pct),
            minutes(endpoint.downtime_minutes),
            Unit::Minutes.format(endpoint.allowed_downtime_minutes),
            match endpoint.target_met {
                Some(true) => "Met".into(),
                Some(false) => "Not met".into(),
                None => "n/a".into(),
            },
        ]);
    }
    let availability = section(
        "availability",
        "Availability",
        &av.status,
        "Console and API availability from synthetic probes: the share of successful probes, and the minutes of downtime they imply.".into(),
        vec![("Console".into(), or_na(av.console.pct.map(|v| format!("{v:.3}%")))), ("API".into(), or_na(av.api.pct.map(|v| format!("{v:.3}%"))))],
        charts,
        &[("availability_daily", "Daily availability (local days)")],
        keep(vec![av_table]),
    );

    // ---- cost ----
    let c = &m.cost;
    let mut products = Table::new(
        "cost_by_product",
        "Cost by product",
        &[
            ("Product", "left", 3.2),
            ("AWS", "right", 1.0),
            ("AMS", "right", 1.0),
            ("Total", "right", 1.0),
            ("vs last month", "right", 1.0),
        ],
        "No billing rows.",
    );
    for product in &c.by_product {
        products.row(vec![
            product.product_name.clone(),
            Unit::Money.format(product.aws_charges),
            money(product.ams_charges),
            money(product.total),
            product.mom_change_pct.map(|v| signed(v, Unit::Percent)).unwrap_or_else(|| "new".into()),
        ]);
    }
    let mut accounts = Table::new(
        "cost_by_account",
        "Cost by linked account",
        &[("Linked account", "left", 2.0), ("Total", "right", 1.0)],
        "No billing rows.",
    );
    for account in &c.by_linked_account {
        accounts.row(vec![account.linked_account_id.clone(), money(account.total)]);
    }
    // A cost export as the billing source has no managed-service fee: the page shows AWS charges.
    let with_fee = c.ams_charges.is_some() || !c.status.available;
    let cost = section(
        "cost",
        "Cost summary",
        &c.status,
        cost_intro(c),
        cost_figures(c),
        charts,
        &[
            (
                "cost_top_products",
                if with_fee {
                    "Cost by product: top products and the rest"
                } else {
                    "AWS charges by product: top products and the rest"
                },
            ),
            ("cost_split", "AWS and AMS charges"),
            ("cost_trend", if with_fee { "AWS and AMS charges, last 6 months" } else { "AWS charges, last 6 months" }),
            ("cost_ri_sp", "On-demand and RI/SP-covered AWS charges"),
        ],
        keep(vec![products, accounts]),
    );

    // ---- OOD ----
    let o = &m.ood;
    let mut engagements = Table::new(
        "ood_engagements",
        "Operations on Demand engagements active this month",
        &[
            ("Offering", "left", 2.6),
            ("Basis", "left", 0.9),
            ("Started", "left", 1.0),
            ("Blocks", "right", 0.7),
            ("Hours used", "right", 0.9),
            ("Remaining", "right", 0.9),
            ("Billed blocks", "right", 0.9),
            ("Overage", "right", 0.8),
        ],
        "No active engagements this month.",
    );
    for e in &o.engagements {
        engagements.row(vec![
            e.offering.clone(),
            e.basis.replace('_', "-"),
            e.start_date.clone(),
            thousands(e.blocks as i64),
            format!("{:.1} / {:.0}", e.hours_used, e.hours_allocated),
            format!("{:.1}", e.hours_remaining),
            thousands(e.billed_blocks as i64),
            if e.overage_hours > 0.0 { format!("{:.1} h", e.overage_hours) } else { "–".into() },
        ]);
    }
    let ood = section(
        "ood",
        "Operations on Demand",
        &o.status,
        format!(
            "{} engagements active; {} of {} hours used; {} blocks billed this month. A block is 20 hours; monthly engagements are billed only for the blocks used.",
            thousands(o.engagements.len() as i64),
            or_na(o.hours_used.map(|v| format!("{v:.1}"))),
            or_na(o.hours_allocated.map(|v| format!("{v:.0}"))),
            count(o.billed_blocks)
        ),
        vec![
            ("Engagements".into(), thousands(o.engagements.len() as i64)),
            ("Hours used".into(), or_na(o.hours_used.map(|v| format!("{v:.1}")))),
            ("Billed blocks".into(), count(o.billed_blocks)),
        ],
        charts,
        &[("ood_hours", "Hours used against allocation")],
        keep(vec![engagements]),
    );

    // ---- appendix ----
    let mut quality = Table::new(
        "data_quality",
        "Data quality and sources",
        &[
            ("Dataset", "left", 1.6),
            ("Files", "right", 0.6),
            ("Rows read", "right", 0.9),
            ("In period", "right", 0.9),
            ("Duplicates", "right", 0.9),
            ("Unknown values", "right", 0.9),
            ("Excluded", "right", 0.8),
            ("Newest", "left", 1.5),
            ("Status", "left", 1.6),
        ],
        "No datasets.",
    );
    for q in &m.data_quality {
        quality.row(vec![
            q.dataset.clone(),
            thousands(q.files_read.len() as i64),
            thousands(q.rows_read as i64),
            thousands(q.rows_in_period as i64),
            thousands(q.duplicates_dropped as i64),
            thousands(q.rows_with_unknown_values as i64),
            thousands(q.rows_with_required_nulls as i64),
            q.newest.clone().map(|n| n.replace('T', " ").trim_end_matches('Z').to_owned()).unwrap_or_else(|| "–".into()),
            if q.missing { format!("missing: {}", q.missing_reason.clone().unwrap_or_default()) } else { "ok".into() },
        ]);
    }
    let quality = keep(vec![quality]);
    let mut warnings = Vec::new();
    for q in &m.data_quality {
        for (column, values) in &q.unknown_values {
            let listed: Vec<String> = values.iter().map(|(value, n)| format!("{value} ({n})")).collect();
            warnings.push(format!("{}: values outside the contract in {column}: {}", q.dataset, listed.join(", ")));
        }
        if q.rows_with_required_nulls > 0 {
            warnings.push(format!("{}: {} rows without a required value were excluded", q.dataset, q.rows_with_required_nulls));
        }
    }
    // What the source did not deliver, once per warning with the datasets it concerns (a missing
    // UTC month usually concerns every event dataset alike).
    let mut uncovered: Vec<(&str, Vec<&str>)> = Vec::new();
    for q in &m.data_quality {
        for warning in &q.warnings {
            match uncovered.iter_mut().find(|(text, _)| text == warning) {
                Some((_, datasets)) => datasets.push(&q.dataset),
                None => uncovered.push((warning, vec![&q.dataset])),
            }
        }
    }
    warnings.extend(uncovered.into_iter().map(|(warning, datasets)| format!("{}: {warning}", datasets.join(", "))));

    let customer = notes.customer_name.clone().unwrap_or_else(|| format!("Account {}", m.account_id));
    let data = json!({
        "meta": {
            "title": input.branding.report_title,
            "provider": input.branding.provider_name,
            "accent": input.branding.accent_color,
            "logo": input.logo,
            "customer": customer,
            "account_name": notes.account_name.clone().unwrap_or_default(),
            "account_id": m.account_id,
            "month": month_label(&m.month),
            "month_code": m.month,
            "timezone": m.timezone,
            "generated_on": date_label(&m.generated_on),
            "prepared_by": notes.csdm.as_ref().map(|p| p.name.clone()).unwrap_or_default(),
            "prepared_by_email": notes.csdm.as_ref().and_then(|p| p.email.clone()).unwrap_or_default(),
            "generator_version": m.generator_version,
            "input_fingerprint": m.input_fingerprint,
        },
        "summary": {
            "tiles": tiles,
            "callouts": {
                "stacks": stacks_callout,
                "patching": patch_callout,
                "onboarding": notes.onboarding_status.clone(),
            },
            "insights": insights,
        },
        "notes": {
            "issues": notes.issues.iter().map(|i| json!({"title": i.title, "status": i.status.clone().unwrap_or_default(), "detail": i.detail.clone().unwrap_or_default()})).collect::<Vec<_>>(),
            "risks": notes.risks.iter().map(|r| json!({"title": r.title, "mitigation": r.mitigation.clone().unwrap_or_default()})).collect::<Vec<_>>(),
            "upcoming": notes.upcoming.iter().map(|u| json!({"title": u.title, "date": u.date.clone().unwrap_or_default()})).collect::<Vec<_>>(),
            "action_items": notes.action_items.iter().map(|a| json!({"title": a.title, "owner": a.owner.clone().unwrap_or_default(), "due": a.due.clone().unwrap_or_default(), "status": a.status.clone().unwrap_or_default()})).collect::<Vec<_>>(),
            "feature_requests": notes.feature_requests.iter().map(|f| json!({"title": f.title, "status": f.status.clone().unwrap_or_default()})).collect::<Vec<_>>(),
            "scope_changes": notes.scope_changes.clone().unwrap_or_default(),
            "contacts": notes.contacts.iter().map(|c| json!({"role": c.role, "name": c.name, "email": c.email.clone().unwrap_or_default(), "phone": c.phone.clone().unwrap_or_default()})).collect::<Vec<_>>(),
        },
        "resources": resources,
        "performance": [monitoring, incidents, sla, service_requests, changes, patching, continuity, storage, trusted_advisor, availability],
        "cost": cost,
        "ood": ood,
        "appendix": {
            "quality": quality,
            "warnings": warnings,
            "definitions": DEFINITIONS.iter().map(|(term, text)| json!({"term": term, "text": text})).collect::<Vec<_>>(),
        },
    });
    (data, all_tables)
}

/// Short definitions printed in the appendix (the full ones are in docs/metrics.md).
const DEFINITIONS: &[(&str, &str)] = &[
    (
        "Period",
        "The calendar month in the report time zone, from local midnight on the 1st to local midnight on the 1st of the next month.",
    ),
    (
        "SLA-eligible incident",
        "Any incident not closed as a non-incident and not handled best-effort (resources changed outside change management).",
    ),
    (
        "Response time",
        "From creation to first acknowledgement. Unacknowledged incidents count as missed once the deadline passes.",
    ),
    (
        "Resolution time, MTTR",
        "From creation to resolution, minus time waiting on the customer, never below zero; MTTR is its mean over incidents resolved in the month, p90 its 90th percentile (nearest rank).",
    ),
    ("SLA adherence", "The share of eligible incidents handled within the target of their priority; n/a when there were none."),
    ("Auto-remediated", "Alerts resolved by automation before an incident was needed: problems averted."),
    ("Patch compliance", "Non-terminated instances in the latest patch snapshot of the month whose status is COMPLIANT."),
    (
        "Backup success rate",
        "Completed jobs over jobs that reached a final state; a job reported several times counts once, as its latest report.",
    ),
    ("RPO breach", "A resource whose longest gap between completed backups in the month exceeds the recovery-point objective."),
    ("Availability", "Successful probes over all probes; downtime is each window's length times its share of failed probes."),
    ("Cost", "The billing month's AWS and managed-service charges; change is against the previous billing month."),
    (
        "OOD billed blocks",
        "Monthly engagements bill the 20-hour blocks used, up to the blocks bought; one-time engagements bill all blocks in their first month.",
    ),
    ("n/a", "A value with nothing to measure (no data, or a denominator of zero); never shown as zero."),
];
