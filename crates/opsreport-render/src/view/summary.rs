//! The view of the summary page: the headline tiles against their targets, the call-outs and
//! the insights.

use serde::Serialize;

use super::prelude::*;

/// The summary page.
#[derive(Serialize)]
pub(super) struct Summary {
    /// A run with no data for its period says so first (empty otherwise).
    banner: String,
    tiles: Vec<Tile>,
    scorecard: ScorecardView,
    callouts: Callouts,
    insights: Vec<InsightView>,
}

#[derive(Serialize)]
struct Callouts {
    stacks: String,
    patching: String,
    onboarding: Option<String>,
}

/// One headline tile.
#[derive(Serialize)]
struct Tile {
    label: &'static str,
    value: String,
    detail: String,
    change: String,
    /// `met`, `missed` or `neutral`.
    status: &'static str,
}

impl Tile {
    /// A tile; one without a value says so in words instead of a line of "n/a"s.
    fn new(label: &'static str, value: String, detail: String, change: String, status: &'static str) -> Self {
        if value == "n/a" {
            return Self { label, value, detail: "No data for this period".into(), change: String::new(), status };
        }
        Self { label, value, detail, change, status }
    }
}

#[derive(Serialize)]
struct InsightView {
    severity: String,
    section: String,
    message: String,
}

/// The summary page of a report.
pub(super) fn summary(cx: &Context, notes: &Notes) -> Summary {
    let m = cx.m;
    Summary {
        banner: super::front::no_data_banner(m).unwrap_or_default(),
        tiles: tiles(cx),
        scorecard: scorecard(m),
        callouts: Callouts {
            stacks: stacks_callout(m, cx.words()),
            patching: patch_callout(m),
            onboarding: onboarding_callout(notes),
        },
        insights: m
            .insights
            .iter()
            .filter(|insight| shown_in(m.kind, &insight.section))
            .map(|insight| {
                let severity =
                    serde_json::to_value(insight.severity).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
                InsightView { severity, section: label(&insight.section), message: insight.message.clone() }
            })
            .collect(),
    }
}

impl Summary {
    /// The summary's tables, for the CSV export: the scorecard.
    pub(super) fn tables(&self) -> Vec<Table> {
        vec![self.scorecard.table.clone()]
    }
}

/// Whether a kind's material shows the section an insight is about: a weekly review has no
/// cost, Operations on Demand, storage, Trusted Advisor or inventory; a quarterly one no
/// Operations on Demand (each is reviewed in the kinds that show it).
fn shown_in(kind: opsreport_model::PeriodKind, section: &str) -> bool {
    match kind {
        opsreport_model::PeriodKind::Weekly => !matches!(section, "cost" | "ood" | "storage" | "trusted_advisor" | "stacks"),
        opsreport_model::PeriodKind::Quarterly => section != "ood",
        opsreport_model::PeriodKind::Monthly => true,
    }
}

/// The previous period's value of each tile that compares with it.
struct Previous {
    incidents: Option<f64>,
    alerts: Option<f64>,
    patching: Option<f64>,
    rfcs: Option<f64>,
    service_requests: Option<f64>,
    console: Option<f64>,
    api: Option<f64>,
}

/// The previous period's values: the trend point before the last — or, for a quarter, whose
/// trend is its months and the previous quarter's, the sum of the previous quarter's counts (a
/// percentage of a quarter is not the mean of its months, so it is not compared).
fn previous_values(m: &Metrics) -> Previous {
    let quarterly = m.kind == opsreport_model::PeriodKind::Quarterly;
    let previous_count = |values: Vec<Option<f64>>| -> Option<f64> {
        if quarterly {
            super::quarterly::quarter_sum(&values, 0)
        } else {
            values.len().checked_sub(2).and_then(|index| values[index])
        }
    };
    let previous_pct = |values: Vec<Option<f64>>| -> Option<f64> {
        if quarterly { None } else { values.len().checked_sub(2).and_then(|index| values[index]) }
    };
    let counts = |values: Vec<Option<u64>>| values.into_iter().map(|value| value.map(|value| value as f64)).collect::<Vec<_>>();
    let percents = |points: &[opsreport_model::metrics::PercentPoint]| points.iter().map(|point| point.pct).collect::<Vec<_>>();
    let incidents = previous_count(counts(m.incidents.trend_months.iter().map(|p| Some(p.resolved.total)).collect()));
    let alerts = previous_count(counts(m.alerts.trend.iter().map(|p| p.total).collect()));
    let patching = previous_pct(percents(&m.patching.trend));
    let rfcs = previous_count(counts(m.rfcs.trend.iter().map(|p| p.completed).collect()));
    let service_requests = previous_count(counts(m.service_requests.trend.iter().map(|p| p.resolved).collect()));
    let console = previous_pct(percents(&m.availability.console.trend));
    let api = previous_pct(percents(&m.availability.api.trend));
    Previous { incidents, alerts, patching, rfcs, service_requests, console, api }
}

/// The eight headline tiles, each against its target where it has one.
fn tiles(cx: &Context) -> Vec<Tile> {
    let (m, input, w) = (cx.m, cx.input, cx.words());
    let worst_response = worst(&m.incidents.response_sla_pct);
    let worst_resolution = worst(&m.incidents.resolution_sla_pct);
    let sla_value = match (worst_response, worst_resolution) {
        (None, None) => "n/a".to_owned(),
        (a, b) => Unit::Percent.format(a.unwrap_or(100.0).min(b.unwrap_or(100.0))),
    };
    let previous = previous_values(m);
    vec![
        Tile::new(
            "Incidents resolved",
            if m.incidents.status.available { thousands(m.incidents.resolved.total as i64) } else { "n/a".into() },
            format!("P1 MTTR {}", minutes(m.incidents.mttr_minutes.high)),
            relative_change(
                m.incidents.status.available.then_some(m.incidents.resolved.total as f64),
                previous.incidents,
                w.last,
            ),
            "neutral",
        ),
        Tile::new(
            "SLA adherence (lowest)",
            sla_value,
            format!("target {}", Unit::Percent.format(input.sla_target_pct)),
            format!("response {} · resolution {}", pct(worst_response), pct(worst_resolution)),
            status_of(m.verdicts.sla_adherence),
        ),
        Tile::new(
            "Alerts handled",
            count(m.alerts.total),
            format!("{} auto-remediated", pct(m.alerts.auto_remediated_pct)),
            relative_change(m.alerts.total.map(|v| v as f64), previous.alerts, w.last),
            "neutral",
        ),
        Tile::new(
            "Patch compliance",
            pct(m.patching.compliance_pct),
            format!("target {}", Unit::Percent.format(input.patch_target_pct)),
            points_change(m.patching.compliance_pct, previous.patching, w.last),
            status_of(m.verdicts.patch_compliance),
        ),
        Tile::new(
            "RFCs executed",
            count(m.rfcs.completed),
            format!("{} successful", pct(m.rfcs.success_rate_pct)),
            relative_change(m.rfcs.completed.map(|v| v as f64), previous.rfcs, w.last),
            status_of(m.verdicts.rfc_success),
        ),
        Tile::new(
            "Service requests",
            if m.service_requests.status.available { thousands(m.service_requests.resolved.total as i64) } else { "n/a".into() },
            format!(
                "resolved · {} answered in time (target {})",
                pct(m.service_requests.response_sla_pct.total),
                Unit::Percent.format(input.sla_target_pct)
            ),
            relative_change(
                m.service_requests.status.available.then_some(m.service_requests.resolved.total as f64),
                previous.service_requests,
                w.last,
            ),
            status_of(m.verdicts.service_request_response),
        ),
        Tile::new(
            "Console availability",
            or_na(m.availability.console.pct.map(|v| percent_places(v, 3))),
            format!("target {}", percent_places(m.availability.console.target_pct, 1)),
            points_change(m.availability.console.pct, previous.console, w.last),
            status_of(m.verdicts.console_availability),
        ),
        Tile::new(
            "API availability",
            or_na(m.availability.api.pct.map(|v| percent_places(v, 3))),
            format!("target {}", percent_places(m.availability.api.target_pct, 1)),
            points_change(m.availability.api.pct, previous.api, w.last),
            status_of(m.verdicts.api_availability),
        ),
    ]
}

/// "N stacks under management, …", or why there is no stack data.
pub(super) fn stacks_callout(m: &Metrics, w: opsreport_model::period::PeriodWords) -> String {
    if m.stacks.status.available {
        format!(
            "{} under management, {} active{}",
            counted(m.stacks.total, "stack", "stacks"),
            count(m.stacks.active),
            m.stacks
                .total_change
                .map(|change| format!(" ({} since {})", signed(change as f64, Unit::Count), w.last))
                .unwrap_or_default()
        )
    } else {
        format!("No stack data was delivered for {}", crate::format::period_label(m.period))
    }
}

/// The patching call-out, or why there is no patching data.
pub(super) fn patch_callout(m: &Metrics) -> String {
    if m.patching.status.available {
        format!(
            "{} of {} fully patched; {} of {} compliant ({}); {} with critical patches overdue",
            count(m.patching.stacks_fully_patched),
            counted(m.patching.stacks_with_instances, "stack", "stacks"),
            count(m.patching.compliant),
            counted(m.patching.instances, "instance", "instances"),
            pct(m.patching.compliance_pct),
            counted(m.patching.critical_overdue, "instance", "instances")
        )
    } else {
        format!("No patching data was delivered for {}", crate::format::period_label(m.period))
    }
}

/// The onboarding call-out, only while onboarding lasts: a status that says it is complete
/// (`Complete…`, `Completed`, `Done`) is no longer a call-out.
fn onboarding_callout(notes: &Notes) -> Option<String> {
    let status = notes.onboarding_status.as_ref()?;
    let lower = status.trim().to_lowercase();
    let over = lower.starts_with("complete") || lower.starts_with("done") || lower.starts_with("finished");
    (!over && !lower.is_empty()).then(|| status.clone())
}

/// The scorecard: the overall score and grade, each area's with its history, and why points
/// were lost.
#[derive(Serialize)]
pub(super) struct ScorecardView {
    /// The overall score ("82.4"), or "n/a".
    overall: String,
    /// Its grade's letter (empty without a score).
    grade: String,
    /// What the overall score is over, in one sentence.
    basis: String,
    /// Area, weight, score, grade and the history's periods.
    pub(super) table: Table,
    /// Why each area lost points or is not scored.
    reasons: Vec<ReasonView>,
}

#[derive(Serialize)]
struct ReasonView {
    area: &'static str,
    grade: String,
    text: String,
}

fn score(value: Option<f64>) -> String {
    or_na(value.map(|value| decimal(value, 1)))
}

fn grade(value: Option<opsreport_model::scorecard::Grade>) -> String {
    value.map(|grade| grade.letter().to_owned()).unwrap_or_default()
}

fn scorecard(m: &Metrics) -> ScorecardView {
    let card = &m.scorecard;
    let periods: Vec<opsreport_model::PeriodId> = card.history.iter().map(|point| point.period).collect();
    let mut columns: Vec<(String, &str, f64)> = vec![
        ("Area".to_owned(), "left", 1.7),
        ("Weight".to_owned(), "right", 0.6),
        ("Score".to_owned(), "right", 0.6),
        ("Grade".to_owned(), "left", 0.55),
    ];
    columns.extend(periods.iter().map(|period| (crate::format::axis_period(*period), "right", 0.6)));
    let columns: Vec<(&str, &str, f64)> = columns.iter().map(|(name, align, width)| (name.as_str(), *align, *width)).collect();
    let mut table = Table::new("scorecard", "", &columns, "No area could be scored.");
    for area in &card.areas {
        let mut row = vec![area.area.title().to_owned(), decimal(area.weight, 0), score(area.score), grade(area.grade)];
        row.extend(area.history.iter().map(|point| score(point.score)));
        table.row(row);
    }
    let mut overall_row = vec![
        "Overall".to_owned(),
        decimal(card.areas.iter().map(|area| area.weight).sum(), 0),
        score(card.overall),
        grade(card.grade),
    ];
    overall_row.extend(card.history.iter().map(|point| score(point.score)));
    table.row(overall_row);
    let unscored: Vec<&str> = card.areas.iter().filter(|area| area.score.is_none()).map(|area| area.area.title()).collect();
    let basis = match (card.overall, unscored.is_empty()) {
        (None, _) => "No area could be scored for this period.".to_owned(),
        (Some(_), true) => {
            "The weighted mean of the six areas' scores; each area scores 100 at its target and nothing at its threshold."
                .to_owned()
        }
        (Some(_), false) => format!(
            "The weighted mean of the areas scored ({} of the weight); each scores 100 at its target and nothing at its threshold. Not scored: {}.",
            percent_places(card.weight_scored, 0),
            unscored.join(", ")
        ),
    };
    ScorecardView {
        overall: score(card.overall),
        grade: grade(card.grade),
        basis,
        table,
        reasons: card
            .areas
            .iter()
            .filter_map(|area| {
                area.reason.as_ref().map(|text| ReasonView {
                    area: area.area.title(),
                    grade: grade(area.grade),
                    text: text.clone(),
                })
            })
            .collect(),
    }
}
