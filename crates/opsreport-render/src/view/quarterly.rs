//! The quarterly business review's own parts: the targets month by month (six months — the previous quarter
//! and this one — against the targets, and the quarter's own figure and verdict), the quarter's
//! volumes against the previous quarter's, the savings Trusted Advisor sees, and the plans,
//! and risks from the notes (the initiatives' plan is `initiatives.rs`). Its sections are the monthly report's, over the quarter.

use serde::Serialize;

use super::prelude::*;
use opsreport_model::metrics::ByPriority;

/// The quarterly review's parts.
#[derive(Serialize)]
pub(super) struct Quarterly {
    targets: Table,
    comparison: Table,
    savings: String,
    plans: Table,
}

/// One row of the targets month by month: the measure, its six monthly values, its target, the quarter's value and
/// the quarter's verdict.
struct Score {
    measure: &'static str,
    /// How its values print (a percentage, or a duration for MTTR).
    show: fn(Option<f64>) -> String,
    months: Vec<Option<f64>>,
    target: String,
    quarter: Option<f64>,
    met: Option<bool>,
}

/// Availability to three decimals, as its tiles show it (99.992 % is not 100.0 %).
fn availability_pct(value: Option<f64>) -> String {
    or_na(value.map(|value| percent_places(value, 3)))
}

fn worst(values: &ByPriority<Option<f64>>) -> Option<f64> {
    super::section::worst(values)
}

fn scores(cx: &Context) -> Vec<Score> {
    let (m, input) = (cx.m, cx.input);
    let target = |pct: f64| format!("≥ {}", crate::format::pct(Some(pct)));
    let incidents = &m.incidents.trend_months;
    let percents = |points: &[opsreport_model::metrics::PercentPoint]| points.iter().map(|point| point.pct).collect::<Vec<_>>();
    vec![
        Score {
            measure: "Incidents resolved within target",
            show: pct,
            months: incidents.iter().map(|point| worst(&point.resolution_sla_pct)).collect(),
            target: target(input.sla_target_pct),
            quarter: worst(&m.incidents.resolution_sla_pct),
            met: m.verdicts.sla_resolution,
        },
        Score {
            measure: "Incidents answered within target",
            show: pct,
            months: incidents.iter().map(|point| worst(&point.response_sla_pct)).collect(),
            target: target(input.sla_target_pct),
            quarter: worst(&m.incidents.response_sla_pct),
            met: m.verdicts.sla_response,
        },
        Score {
            measure: "Mean time to resolve, P1",
            show: minutes,
            months: incidents.iter().map(|point| point.mttr_minutes.high).collect(),
            target: format!("≤ {}", minutes(Some(m.incidents.resolution_target_minutes.high))),
            quarter: m.incidents.mttr_minutes.high,
            met: m.verdicts.mttr_high,
        },
        Score {
            measure: "Console availability",
            show: availability_pct,
            months: percents(&m.availability.console.trend),
            target: target(m.availability.console.target_pct),
            quarter: m.availability.console.pct,
            met: m.verdicts.console_availability,
        },
        Score {
            measure: "API availability",
            show: availability_pct,
            months: percents(&m.availability.api.trend),
            target: target(m.availability.api.target_pct),
            quarter: m.availability.api.pct,
            met: m.verdicts.api_availability,
        },
        Score {
            measure: "Patch compliance",
            show: pct,
            months: percents(&m.patching.trend),
            target: target(input.patch_target_pct),
            quarter: m.patching.compliance_pct,
            met: m.verdicts.patch_compliance,
        },
        Score {
            measure: "Backup success",
            show: pct,
            months: percents(&m.backups.trend),
            target: target(input.backup_target_pct),
            quarter: m.backups.success_rate_pct,
            met: m.verdicts.backup_success,
        },
        Score {
            measure: "Change success",
            show: pct,
            months: m.rfcs.trend.iter().map(|point| point.success_rate_pct).collect(),
            target: target(input.rfc_target_pct),
            quarter: m.rfcs.success_rate_pct,
            met: m.verdicts.rfc_success,
        },
    ]
}

/// The months of the targets table's columns (the incidents' trend months: the six of the review).
fn months(m: &Metrics) -> Vec<opsreport_model::PeriodId> {
    m.incidents.trend_months.iter().map(|point| point.month).collect()
}

fn targets(cx: &Context) -> Table {
    let months = months(cx.m);
    let mut columns: Vec<(String, &str, f64)> = vec![("Measure".to_owned(), "left", 2.6)];
    columns.extend(months.iter().map(|month| (crate::format::axis_period(*month), "right", 0.8)));
    columns.extend([
        ("Target".to_owned(), "right", 0.9),
        ("Quarter".to_owned(), "right", 0.9),
        ("Verdict".to_owned(), "left", 1.0),
    ]);
    let columns: Vec<(&str, &str, f64)> = columns.iter().map(|(name, align, width)| (name.as_str(), *align, *width)).collect();
    let mut table = Table::new(
        "targets_by_month",
        "Targets: the last two quarters month by month",
        &columns,
        "No data to compare with the targets.",
    );
    for score in scores(cx) {
        let mut row = vec![score.measure.to_owned()];
        row.extend((0..months.len()).map(|index| (score.show)(score.months.get(index).copied().flatten())));
        row.push(score.target);
        row.push((score.show)(score.quarter));
        row.push(
            match score.met {
                Some(true) => "Met",
                Some(false) => "Not met",
                None => "",
            }
            .to_owned(),
        );
        table.row(row);
    }
    table
}

/// The sum of the three months of a quarter within six trend values (`first` 0: the previous
/// quarter, 3: this one); unknown when any month is.
pub(super) fn quarter_sum(values: &[Option<f64>], first: usize) -> Option<f64> {
    let months = values.get(first..first + 3)?;
    months.iter().copied().sum::<Option<f64>>()
}

fn comparison(m: &Metrics) -> Table {
    let mut table = Table::new(
        "quarter_comparison",
        "This quarter against the previous one",
        &[("Measure", "left", 2.6), ("Previous quarter", "right", 1.2), ("This quarter", "right", 1.2), ("Change", "right", 1.0)],
        "No volumes to compare.",
    );
    let counts = |values: Vec<Option<u64>>| values.into_iter().map(|value| value.map(|value| value as f64)).collect::<Vec<_>>();
    let rows: [(&str, Vec<Option<f64>>, bool); 6] = [
        ("Incidents opened", counts(m.incidents.trend_months.iter().map(|p| Some(p.opened.total)).collect()), false),
        ("Incidents resolved", counts(m.incidents.trend_months.iter().map(|p| Some(p.resolved.total)).collect()), false),
        ("Service requests opened", counts(m.service_requests.trend.iter().map(|p| p.opened).collect()), false),
        ("Changes completed", counts(m.rfcs.trend.iter().map(|p| p.completed).collect()), false),
        ("Alerts", counts(m.alerts.trend.iter().map(|p| p.total).collect()), false),
        ("Charges (AWS and AMS)", m.cost.trend.iter().map(|p| p.total.or(p.aws_charges)).collect(), true),
    ];
    for (measure, values, is_money) in rows {
        if values.len() != 6 {
            continue;
        }
        let (before, now) = (quarter_sum(&values, 0), quarter_sum(&values, 3));
        let shown = |value: Option<f64>| if is_money { money(value) } else { count(value.map(|value| value.round() as u64)) };
        let change = crate::format::change_pct(now, before).map(|change| signed(change, Unit::Percent));
        table.row(vec![measure.to_owned(), shown(before), shown(now), or_na(change)]);
    }
    table
}

fn savings(m: &Metrics) -> String {
    let advisor = &m.trusted_advisor;
    match advisor.estimated_monthly_savings {
        Some(savings) if advisor.status.available => format!(
            "Trusted Advisor estimates {} a month of savings at its latest check ({}): {} in all; the cost-optimizing findings are listed in the Trusted Advisor section.",
            money(Some(savings)),
            advisor.snapshot_date.as_deref().map(date_label).unwrap_or_default(),
            plural(advisor.findings.len() as u64, "open finding", "open findings"),
        ),
        _ => "No Trusted Advisor snapshot was delivered for this quarter, so no savings estimate is shown.".to_owned(),
    }
}

pub(super) fn quarterly(cx: &Context, notes: &Notes) -> Quarterly {
    let mut plans = Table::new(
        "plans",
        "Plans and migrations ahead",
        &[("Within", "left", 1.0), ("Plan", "left", 2.8), ("Detail", "left", 3.0)],
        "No plans were recorded for the coming year.",
    );
    let mut ordered: Vec<_> = notes.plans.iter().collect();
    ordered.sort_by_key(|plan| plan.horizon_months);
    for plan in ordered {
        plans.row(vec![format!("{} months", plan.horizon_months), plan.title.clone(), plan.detail.clone().unwrap_or_default()]);
    }
    Quarterly { targets: targets(cx), comparison: comparison(cx.m), savings: savings(cx.m), plans }
}

impl Quarterly {
    /// The quarterly tables, for the CSV export.
    pub(super) fn tables(&self) -> Vec<Table> {
        [&self.targets, &self.comparison, &self.plans].into_iter().cloned().collect()
    }
}
