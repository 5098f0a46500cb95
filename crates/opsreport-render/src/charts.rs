//! The report's charts, drawn from the `Metrics` tree. A chart whose series is empty is not
//! drawn at all; the template then prints the section's "no data" line instead.

use std::collections::BTreeMap;

use opsreport_model::metrics::{IncidentMetrics, Metrics, Priority};

use crate::chart::{Cartesian, Series, horizontal_bars, lines, pie, status, vertical_bars};
use crate::format::{Unit, axis_period};

/// Every chart the report can draw. Its file is `charts/<name>.svg`; a section names the charts
/// it places by these, so a misspelt chart is a compile error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChartId {
    StacksByCategory,
    StacksByEnvironment,
    StacksByType,
    StackTrend,
    PatchByStack,
    AlertsBySeverity,
    AlertsTrend,
    IncidentsByPriority,
    IncidentMttr,
    IncidentsTrendMonths,
    IncidentsTrendWeeks,
    SlaAdherence,
    IncidentMttrTrend,
    IncidentSlaTrend,
    ServiceRequestsTrend,
    Csat,
    RfcTrend,
    RfcSuccessTrend,
    PatchComplianceTrend,
    MissingBySeverity,
    BackupSuccessTrend,
    BackupStatus,
    StorageByType,
    StorageTrend,
    TrustedAdvisor,
    AvailabilityDaily,
    CostTopProducts,
    CostSplit,
    CostRiSp,
    CostTrend,
    OodHours,
}

impl ChartId {
    /// The chart's file name without `.svg`.
    pub fn name(self) -> &'static str {
        match self {
            ChartId::StacksByCategory => "stacks_by_category",
            ChartId::StacksByEnvironment => "stacks_by_environment",
            ChartId::StacksByType => "stacks_by_type",
            ChartId::StackTrend => "stack_trend",
            ChartId::PatchByStack => "patch_by_stack",
            ChartId::AlertsBySeverity => "alerts_by_severity",
            ChartId::AlertsTrend => "alerts_trend",
            ChartId::IncidentsByPriority => "incidents_by_priority",
            ChartId::IncidentMttr => "incident_mttr",
            ChartId::IncidentsTrendMonths => "incidents_trend_months",
            ChartId::IncidentsTrendWeeks => "incidents_trend_weeks",
            ChartId::SlaAdherence => "sla_adherence",
            ChartId::IncidentMttrTrend => "incident_mttr_trend",
            ChartId::IncidentSlaTrend => "incident_sla_trend",
            ChartId::ServiceRequestsTrend => "service_requests_trend",
            ChartId::Csat => "csat",
            ChartId::RfcTrend => "rfc_trend",
            ChartId::RfcSuccessTrend => "rfc_success_trend",
            ChartId::PatchComplianceTrend => "patch_compliance_trend",
            ChartId::MissingBySeverity => "missing_by_severity",
            ChartId::BackupSuccessTrend => "backup_success_trend",
            ChartId::BackupStatus => "backup_status",
            ChartId::StorageByType => "storage_by_type",
            ChartId::StorageTrend => "storage_trend",
            ChartId::TrustedAdvisor => "trusted_advisor",
            ChartId::AvailabilityDaily => "availability_daily",
            ChartId::CostTopProducts => "cost_top_products",
            ChartId::CostSplit => "cost_split",
            ChartId::CostRiSp => "cost_ri_sp",
            ChartId::CostTrend => "cost_trend",
            ChartId::OodHours => "ood_hours",
        }
    }

    /// Whether the chart is a trend over periods: drawn from two points, never from one.
    pub fn is_trend(self) -> bool {
        matches!(
            self,
            ChartId::StackTrend
                | ChartId::AlertsTrend
                | ChartId::IncidentsTrendMonths
                | ChartId::IncidentsTrendWeeks
                | ChartId::IncidentMttrTrend
                | ChartId::IncidentSlaTrend
                | ChartId::ServiceRequestsTrend
                | ChartId::RfcTrend
                | ChartId::RfcSuccessTrend
                | ChartId::PatchComplianceTrend
                | ChartId::BackupSuccessTrend
                | ChartId::StorageTrend
                | ChartId::CostTrend
        )
    }

    /// Whether the chart is a donut (laid out side by side); the others span the text width.
    pub fn is_pie(self) -> bool {
        matches!(
            self,
            ChartId::StacksByCategory
                | ChartId::StacksByEnvironment
                | ChartId::StacksByType
                | ChartId::StorageByType
                | ChartId::CostSplit
                | ChartId::CostRiSp
        )
    }
}

/// A donut of a row: its chart, its slices (label, value) and their unit.
type Pie = (ChartId, Vec<(String, f64)>, Unit);

/// The charts drawn, as SVG text (`charts/<name>.svg` in the template).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChartSet {
    /// Chart → SVG text.
    pub svgs: BTreeMap<ChartId, String>,
    /// A trend with a single point, not drawn → the period of that point (the section says so
    /// in words).
    pub single_points: BTreeMap<ChartId, String>,
}

impl ChartSet {
    /// Whether a chart was drawn.
    pub fn contains(&self, chart: ChartId) -> bool {
        self.svgs.contains_key(&chart)
    }

    /// The sentence that stands for a trend of one point, if `chart` is one.
    pub fn single_point(&self, chart: ChartId, caption: &str) -> Option<String> {
        self.single_points.get(&chart).map(|period| format!("{caption}: not drawn, only {period} has data so far."))
    }

    fn add_cartesian(&mut self, chart: ChartId, spec: Cartesian, draw: fn(&Cartesian) -> String) {
        if spec.is_empty() {
            return;
        }
        let with_values: Vec<usize> = (0..spec.categories.len())
            .filter(|index| spec.series.iter().any(|s| s.values.get(*index).copied().flatten().is_some()))
            .collect();
        if chart.is_trend() && with_values.len() == 1 {
            self.single_points.insert(chart, spec.categories[with_values[0]].clone());
            return;
        }
        self.svgs.insert(chart, draw(&spec));
    }

    /// Donuts shown side by side, as (name, slices, unit): each canvas has room for the longest
    /// legend of the row.
    fn add_pies(&mut self, pies: Vec<Pie>) {
        let pies: Vec<Pie> = pies
            .into_iter()
            .map(|(name, slices, unit)| (name, slices.into_iter().filter(|(_, value)| *value > 0.0).collect::<Vec<_>>(), unit))
            .filter(|(_, slices, _)| !slices.is_empty())
            .collect();
        let rows = pies.iter().map(|(_, slices, _)| slices.len()).max().unwrap_or(0);
        for (name, slices, unit) in pies {
            self.svgs.insert(name, pie(&slices, unit, rows));
        }
    }
}

fn cartesian(axis: &str, categories: Vec<String>, series: Vec<Series>, unit: Unit) -> Cartesian {
    Cartesian {
        value_axis: axis.to_owned(),
        categories,
        series,
        unit,
        stacked: false,
        target: None,
        max: None,
        height: 260,
        gap: String::new(),
    }
}

fn series(name: &str, values: Vec<Option<f64>>) -> Series {
    Series::new(name, values)
}

/// The priorities as every chart names them, as the tables do: "P1 (High)".
fn priority_labels() -> Vec<String> {
    Priority::ALL.iter().map(|priority| priority.label().to_owned()).collect()
}

fn counts(map: &BTreeMap<String, u64>) -> Vec<(String, f64)> {
    let mut entries: Vec<(String, f64)> = map.iter().map(|(key, value)| (crate::format::label(key), *value as f64)).collect();
    entries.sort_by(|left, right| right.1.total_cmp(&left.1).then_with(|| left.0.cmp(&right.0)));
    entries
}

/// Draws every chart the metrics have data for, section by section.
/// The targets the charts draw as lines (percent), from the configuration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Targets {
    /// SLA adherence.
    pub sla_pct: f64,
    /// Patch compliance.
    pub patch_pct: f64,
    /// Backup success.
    pub backup_pct: f64,
    /// RFC success.
    pub rfc_pct: f64,
}

impl Targets {
    /// The targets of a configuration.
    pub fn of(config: &opsreport_model::Config) -> Self {
        Self {
            sla_pct: config.sla.adherence_target_pct,
            patch_pct: config.patching.compliance_target_pct,
            backup_pct: config.backups.success_target_pct,
            rfc_pct: config.rfcs.success_target_pct,
        }
    }
}

/// A target line's value and label.
fn target(pct: f64) -> Option<(f64, String)> {
    Some((pct, format!("target {}", crate::format::Unit::Percent.format(pct).replace(".0%", "%"))))
}

pub fn draw(metrics: &Metrics, targets: &Targets) -> ChartSet {
    let mut set = ChartSet::default();
    stacks(&mut set, metrics, targets);
    alerts(&mut set, metrics);
    incidents(&mut set, metrics, targets.sla_pct);
    service_requests(&mut set, metrics);
    rfcs(&mut set, metrics, targets);
    patching(&mut set, metrics, targets);
    backups(&mut set, metrics, targets);
    storage(&mut set, metrics);
    trusted_advisor(&mut set, metrics);
    availability(&mut set, metrics);
    cost(&mut set, metrics);
    ood(&mut set, metrics);
    set
}

/// The managed-resources charts: stacks by category, environment and type, their trend, and
/// the least patched stacks.
fn stacks(set: &mut ChartSet, m: &Metrics, targets: &Targets) {
    if m.stacks.status.available {
        set.add_pies(vec![
            (ChartId::StacksByCategory, counts(&m.stacks.by_category), Unit::Count),
            (ChartId::StacksByEnvironment, counts(&m.stacks.by_environment), Unit::Count),
            (ChartId::StacksByType, counts(&m.stacks.by_type), Unit::Count),
        ]);
    }
    let months: Vec<String> = m.stacks.trend.iter().map(|point| axis_period(point.month)).collect();
    set.add_cartesian(
        ChartId::StackTrend,
        cartesian(
            "Stacks",
            months,
            vec![
                series("Total", m.stacks.trend.iter().map(|p| p.total.map(|v| v as f64)).collect()),
                series("Active", m.stacks.trend.iter().map(|p| p.active.map(|v| v as f64)).collect()),
            ],
            Unit::Count,
        ),
        lines,
    );
    // Only the stacks not fully compliant: a row at 100 % says nothing the sentence does not.
    let worst_stacks: Vec<_> = m.patching.by_stack.iter().filter(|stack| stack.compliance_pct < 100.0).take(10).collect();
    set.add_cartesian(
        ChartId::PatchByStack,
        Cartesian {
            height: 80 + 34 * worst_stacks.len() as u32,
            max: Some(100.0),
            target: target(targets.patch_pct),
            ..cartesian(
                "Compliant instances (%)",
                worst_stacks.iter().map(|stack| stack.stack.clone()).collect(),
                vec![series("Compliance", worst_stacks.iter().map(|stack| Some(stack.compliance_pct)).collect())],
                Unit::Percent,
            )
        },
        horizontal_bars,
    );
}

/// The monitoring charts: alerts by severity and their trend.
fn alerts(set: &mut ChartSet, m: &Metrics) {
    let order = opsreport_model::contract::ALERT_SEVERITIES.iter().copied().chain(["Other"]);
    let severities: Vec<&str> = order.filter(|s| m.alerts.by_severity.contains_key(*s)).collect();
    set.add_cartesian(
        ChartId::AlertsBySeverity,
        cartesian(
            "Alerts",
            severities.iter().map(|s| (*s).to_owned()).collect(),
            vec![series("Alerts", severities.iter().map(|s| m.alerts.by_severity.get(*s).map(|v| *v as f64)).collect())],
            Unit::Count,
        ),
        vertical_bars,
    );
    set.add_cartesian(
        ChartId::AlertsTrend,
        cartesian(
            "Alerts",
            m.alerts.trend.iter().map(|p| axis_period(p.month)).collect(),
            vec![
                series("All alerts", m.alerts.trend.iter().map(|p| p.total.map(|v| v as f64)).collect()),
                series("Auto-remediated", m.alerts.trend.iter().map(|p| p.auto_remediated.map(|v| v as f64)).collect()),
            ],
            Unit::Count,
        ),
        vertical_bars,
    );
}

/// The incident and SLA charts.
fn incidents(set: &mut ChartSet, m: &Metrics, sla_target_pct: f64) {
    let inc = &m.incidents;
    if inc.status.available {
        incident_volumes(set, inc);
        incident_trends_by_priority(set, m, sla_target_pct);
        incident_trends(set, inc);
        sla_adherence(set, inc, sla_target_pct);
    }
}

/// The month's incidents opened and resolved, and the times to resolve, by priority.
fn incident_volumes(set: &mut ChartSet, inc: &IncidentMetrics) {
    let by = |c: &opsreport_model::metrics::PriorityCounts| vec![Some(c.high as f64), Some(c.medium as f64), Some(c.low as f64)];
    if inc.opened.total + inc.resolved.total > 0 {
        set.add_cartesian(
            ChartId::IncidentsByPriority,
            cartesian(
                "Incidents",
                priority_labels(),
                vec![series("Opened", by(&inc.opened)), series("Resolved", by(&inc.resolved))],
                Unit::Count,
            ),
            vertical_bars,
        );
    }
    let hours = |minutes: Option<f64>| minutes.map(|minutes| minutes / 60.0);
    set.add_cartesian(
        ChartId::IncidentMttr,
        Cartesian {
            gap: "no {} resolved".into(),
            ..cartesian(
                "Hours",
                priority_labels(),
                vec![
                    series(
                        "MTTR",
                        vec![hours(inc.mttr_minutes.high), hours(inc.mttr_minutes.medium), hours(inc.mttr_minutes.low)],
                    ),
                    series(
                        "Resolution target",
                        vec![
                            hours(Some(inc.resolution_target_minutes.high)),
                            hours(Some(inc.resolution_target_minutes.medium)),
                            hours(Some(inc.resolution_target_minutes.low)),
                        ],
                    ),
                ],
                Unit::Hours,
            )
        },
        vertical_bars,
    );
}

/// Incidents opened per month by priority, and opened and resolved per week.
fn incident_trends(set: &mut ChartSet, inc: &IncidentMetrics) {
    set.add_cartesian(
        ChartId::IncidentsTrendMonths,
        Cartesian {
            stacked: true,
            ..cartesian(
                "Incidents opened",
                inc.trend_months.iter().map(|p| axis_period(p.month)).collect(),
                vec![
                    series(Priority::High.label(), inc.trend_months.iter().map(|p| Some(p.opened.high as f64)).collect()),
                    series(Priority::Medium.label(), inc.trend_months.iter().map(|p| Some(p.opened.medium as f64)).collect()),
                    series(Priority::Low.label(), inc.trend_months.iter().map(|p| Some(p.opened.low as f64)).collect()),
                ],
                Unit::Count,
            )
        },
        vertical_bars,
    );
    set.add_cartesian(
        ChartId::IncidentsTrendWeeks,
        cartesian(
            "Incidents",
            inc.trend_weeks.iter().map(|w| crate::format::day_month(w.week_start)).collect(),
            vec![
                series("Opened", inc.trend_weeks.iter().map(|w| w.opened.map(|v| v as f64)).collect()),
                series("Resolved", inc.trend_weeks.iter().map(|w| w.resolved.map(|v| v as f64)).collect()),
            ],
            Unit::Count,
        ),
        lines,
    );
}

/// The share of incidents answered and resolved within target, by priority.
fn sla_adherence(set: &mut ChartSet, inc: &IncidentMetrics, sla_target_pct: f64) {
    set.add_cartesian(
        ChartId::SlaAdherence,
        Cartesian {
            max: Some(100.0),
            target: target(sla_target_pct),
            gap: "no {} incidents".into(),
            ..cartesian(
                "Within target (%)",
                priority_labels(),
                vec![
                    series("Response", vec![inc.response_sla_pct.high, inc.response_sla_pct.medium, inc.response_sla_pct.low]),
                    series(
                        "Resolution",
                        vec![inc.resolution_sla_pct.high, inc.resolution_sla_pct.medium, inc.resolution_sla_pct.low],
                    ),
                ],
                Unit::Percent,
            )
        },
        vertical_bars,
    );
}

/// The 6-month trends per priority the quarterly review reads: MTTR, and resolution within target.
fn incident_trends_by_priority(set: &mut ChartSet, m: &Metrics, sla_target_pct: f64) {
    let trend = &m.incidents.trend_months;
    let months: Vec<String> = trend.iter().map(|p| axis_period(p.month)).collect();
    let per_priority = |pick: &dyn Fn(&opsreport_model::metrics::IncidentTrendPoint, Priority) -> Option<f64>| {
        Priority::ALL
            .iter()
            .map(|priority| series(priority.label(), trend.iter().map(|p| pick(p, *priority)).collect()))
            .collect()
    };
    set.add_cartesian(
        ChartId::IncidentMttrTrend,
        cartesian(
            "MTTR (hours)",
            months.clone(),
            per_priority(&|p, priority| p.mttr_minutes.get(priority).map(|minutes| minutes / 60.0)),
            Unit::Hours,
        ),
        lines,
    );
    set.add_cartesian(
        ChartId::IncidentSlaTrend,
        Cartesian {
            max: Some(100.0),
            target: target(sla_target_pct),
            ..cartesian(
                "Resolved within target (%)",
                months,
                per_priority(&|p, priority| *p.resolution_sla_pct.get(priority)),
                Unit::Percent,
            )
        },
        lines,
    );
}

/// The service-request charts.
fn service_requests(set: &mut ChartSet, m: &Metrics) {
    let sr = &m.service_requests;
    set.add_cartesian(
        ChartId::ServiceRequestsTrend,
        cartesian(
            "Service requests",
            sr.trend.iter().map(|p| axis_period(p.month)).collect(),
            vec![
                series("Opened", sr.trend.iter().map(|p| p.opened.map(|v| v as f64)).collect()),
                series("Resolved", sr.trend.iter().map(|p| p.resolved.map(|v| v as f64)).collect()),
            ],
            Unit::Count,
        ),
        vertical_bars,
    );
    if sr.csat_responses.unwrap_or(0) > 0 {
        let scores = ["1", "2", "3", "4", "5"];
        set.add_cartesian(
            ChartId::Csat,
            Cartesian {
                height: 260,
                ..cartesian(
                    "Ratings",
                    scores.iter().map(|s| format!("{s} / 5")).collect(),
                    vec![series(
                        "Ratings",
                        scores.iter().map(|s| Some(sr.csat_distribution.get(*s).copied().unwrap_or(0) as f64)).collect(),
                    )],
                    Unit::Count,
                )
            },
            vertical_bars,
        );
    }
}

/// The change-management chart.
fn rfcs(set: &mut ChartSet, m: &Metrics, targets: &Targets) {
    let months: Vec<String> = m.rfcs.trend.iter().map(|p| axis_period(p.month)).collect();
    set.add_cartesian(
        ChartId::RfcTrend,
        cartesian(
            "RFCs completed",
            months.clone(),
            vec![series("Completed", m.rfcs.trend.iter().map(|p| p.completed.map(|v| v as f64)).collect())],
            Unit::Count,
        ),
        vertical_bars,
    );
    set.add_cartesian(
        ChartId::RfcSuccessTrend,
        Cartesian {
            max: Some(100.0),
            target: target(targets.rfc_pct),
            ..cartesian(
                "Successful changes (%)",
                months,
                vec![series("Success rate", m.rfcs.trend.iter().map(|p| p.success_rate_pct).collect())],
                Unit::Percent,
            )
        },
        lines,
    );
}

/// The patching charts.
fn patching(set: &mut ChartSet, m: &Metrics, targets: &Targets) {
    set.add_cartesian(
        ChartId::PatchComplianceTrend,
        Cartesian {
            max: Some(100.0),
            target: target(targets.patch_pct),
            ..cartesian(
                "Compliant instances (%)",
                m.patching.trend.iter().map(|p| axis_period(p.month)).collect(),
                vec![series("Compliance", m.patching.trend.iter().map(|p| p.pct).collect())],
                Unit::Percent,
            )
        },
        lines,
    );
    if let Some(missing) = &m.patching.missing_by_severity {
        let labels = ["Critical", "High", "Medium", "Low", "Informational", "Unspecified"];
        let values = [missing.critical, missing.high, missing.medium, missing.low, missing.informational, missing.unspecified];
        if values.iter().any(|v| *v > 0) {
            set.add_cartesian(
                ChartId::MissingBySeverity,
                cartesian(
                    "Missing patches",
                    labels.iter().map(|l| (*l).to_owned()).collect(),
                    vec![series("Missing", values.iter().map(|v| Some(*v as f64)).collect())],
                    Unit::Count,
                ),
                vertical_bars,
            );
        }
    }
}

/// The backup charts.
fn backups(set: &mut ChartSet, m: &Metrics, targets: &Targets) {
    set.add_cartesian(
        ChartId::BackupSuccessTrend,
        Cartesian {
            max: Some(100.0),
            target: target(targets.backup_pct),
            ..cartesian(
                "Successful jobs (%)",
                m.backups.trend.iter().map(|p| axis_period(p.month)).collect(),
                vec![series("Success rate", m.backups.trend.iter().map(|p| p.pct).collect())],
                Unit::Percent,
            )
        },
        lines,
    );
    if m.backups.status.available {
        let statuses = counts(&m.backups.by_status);
        set.add_cartesian(
            ChartId::BackupStatus,
            Cartesian {
                height: 60 + 34 * statuses.len() as u32,
                ..cartesian(
                    "Jobs",
                    statuses.iter().map(|(s, _)| s.clone()).collect(),
                    vec![series("Jobs", statuses.iter().map(|(_, v)| Some(*v)).collect())],
                    Unit::Count,
                )
            },
            horizontal_bars,
        );
    }
}

/// The storage charts.
fn storage(set: &mut ChartSet, m: &Metrics) {
    let used: Vec<(String, f64)> = m
        .storage
        .used_bytes
        .iter()
        .filter(|(k, _)| k.as_str() != "total")
        .map(|(k, v)| (crate::format::label(k), *v as f64))
        .collect();
    set.add_pies(vec![(ChartId::StorageByType, used, Unit::Bytes)]);
    // The trend in one binary unit, so the axis steps by round numbers of it.
    let largest = m.storage.trend.iter().filter_map(|p| p.bytes).max().unwrap_or(0) as f64;
    let (unit, size) = crate::format::binary_unit(largest);
    set.add_cartesian(
        ChartId::StorageTrend,
        cartesian(
            "Used storage",
            m.storage.trend.iter().map(|p| axis_period(p.month)).collect(),
            vec![series("Used", m.storage.trend.iter().map(|p| p.bytes.map(|v| v as f64 / size)).collect())],
            Unit::Binary(unit),
        ),
        lines,
    );
}

/// The Trusted Advisor chart.
fn trusted_advisor(set: &mut ChartSet, m: &Metrics) {
    let ta = &m.trusted_advisor;
    if ta.status.available && !ta.by_category.is_empty() {
        let categories: Vec<&String> = ta.by_category.keys().collect();
        let pick = |f: fn(&opsreport_model::metrics::CheckStatusCounts) -> u64| {
            categories.iter().map(|c| Some(f(&ta.by_category[*c]) as f64)).collect::<Vec<_>>()
        };
        set.add_cartesian(
            ChartId::TrustedAdvisor,
            Cartesian {
                stacked: true,
                ..cartesian(
                    "Checks",
                    categories.iter().map(|c| crate::format::label(c)).collect(),
                    vec![
                        Series { color: Some(status::ERROR), ..series("Error", pick(|c| c.error)) },
                        Series { color: Some(status::WARNING), ..series("Warning", pick(|c| c.warning)) },
                        Series { color: Some(status::OK), ..series("OK", pick(|c| c.ok)) },
                        Series { color: Some(status::NOT_AVAILABLE), ..series("Not available", pick(|c| c.not_available)) },
                    ],
                    Unit::Count,
                )
            },
            vertical_bars,
        );
    }
}

/// Whether the availability chart shows weeks (a quarter's 92 days would be bars too thin to
/// read) rather than days.
pub fn availability_by_week(m: &Metrics) -> bool {
    m.availability.console.daily.len() > 31
}

/// The availability chart: downtime per day in minutes (a day without downtime is an empty
/// column, a dip a bar of its minutes; a percentage axis would squash both near 100 %), or per
/// week from Monday over a quarter. A day without probes has no value.
fn availability(set: &mut ChartSet, m: &Metrics) {
    let av = &m.availability;
    if !av.status.available {
        return;
    }
    let api: BTreeMap<&str, Option<f64>> =
        av.api.daily.iter().map(|d| (d.date.as_str(), d.pct.map(|_| d.downtime_minutes))).collect();
    // (label, console minutes, API minutes) per day or per week.
    let mut buckets: Vec<(String, Option<f64>, Option<f64>)> = Vec::new();
    for day in &av.console.daily {
        let api_minutes = api.get(day.date.as_str()).copied().flatten();
        let console_minutes = day.pct.map(|_| day.downtime_minutes);
        let label = match chrono::NaiveDate::parse_from_str(&day.date, "%Y-%m-%d") {
            Ok(date) if availability_by_week(m) => crate::format::day_month(date.week(chrono::Weekday::Mon).first_day()),
            _ => day.date.get(8..).unwrap_or_default().trim_start_matches('0').to_owned(),
        };
        match buckets.last_mut() {
            Some(last) if last.0 == label => {
                last.1 = add_minutes(last.1, console_minutes);
                last.2 = add_minutes(last.2, api_minutes);
            }
            _ => buckets.push((label, console_minutes, api_minutes)),
        }
    }
    set.add_cartesian(
        ChartId::AvailabilityDaily,
        Cartesian {
            gap: "no probes".into(),
            ..cartesian(
                "Downtime (minutes)",
                buckets.iter().map(|b| b.0.clone()).collect(),
                vec![
                    series("Console", buckets.iter().map(|b| b.1).collect()),
                    series("API", buckets.iter().map(|b| b.2).collect()),
                ],
                Unit::Minutes,
            )
        },
        vertical_bars,
    );
}

/// Minutes of a week so far plus a day's: a day without probes adds nothing, a week with no
/// measured day has no value.
fn add_minutes(week: Option<f64>, day: Option<f64>) -> Option<f64> {
    match (week, day) {
        (None, None) => None,
        (week, day) => Some(week.unwrap_or(0.0) + day.unwrap_or(0.0)),
    }
}

/// The cost charts.
fn cost(set: &mut ChartSet, m: &Metrics) {
    let c = &m.cost;
    if c.status.available {
        set.add_cartesian(
            ChartId::CostTopProducts,
            Cartesian {
                height: 60 + 34 * c.top_products.len() as u32,
                ..cartesian(
                    "US dollars",
                    c.top_products.iter().map(|p| p.product_name.clone()).collect(),
                    // Without the managed-service fee the bars are AWS charges, and say so.
                    vec![match c.ams_charges {
                        Some(_) => series("Total", c.top_products.iter().map(|p| p.total).collect()),
                        None => series("AWS", c.top_products.iter().map(|p| Some(p.aws_charges)).collect()),
                    }],
                    Unit::Money,
                )
            },
            horizontal_bars,
        );
        let mut pies = Vec::new();
        if let Some(ams) = c.ams_charges {
            pies.push((
                ChartId::CostSplit,
                vec![("AWS charges".into(), c.aws_charges.unwrap_or(0.0)), ("AMS charges".into(), ams)],
                Unit::Money,
            ));
        }
        let aws = c.aws_charges.unwrap_or(0.0);
        let covered = c.ri_sp_charges.unwrap_or(0.0).min(aws);
        pies.push((ChartId::CostRiSp, vec![("On-demand".into(), aws - covered), ("RI / SP".into(), covered)], Unit::Money));
        set.add_pies(pies);
    }
    set.add_cartesian(
        ChartId::CostTrend,
        Cartesian {
            stacked: true,
            ..cartesian(
                "US dollars",
                c.trend.iter().map(|p| axis_period(p.month)).collect(),
                std::iter::once(series("AWS", c.trend.iter().map(|p| p.aws_charges).collect()))
                    // No AMS series where the billing source has no managed-service fee.
                    .chain(
                        c.trend
                            .iter()
                            .any(|p| p.ams_charges.is_some())
                            .then(|| series("AMS", c.trend.iter().map(|p| p.ams_charges).collect())),
                    )
                    .collect(),
                Unit::Money,
            )
        },
        vertical_bars,
    );
}

/// The Operations on Demand chart.
fn ood(set: &mut ChartSet, m: &Metrics) {
    let o = &m.ood;
    set.add_cartesian(
        ChartId::OodHours,
        Cartesian {
            gap: "hours used not reported".into(),
            ..cartesian(
                "Hours",
                o.engagements.iter().map(|e| e.offering.clone()).collect(),
                vec![
                    series("Used", o.engagements.iter().map(|e| e.hours_used).collect()),
                    series("Allocated", o.engagements.iter().map(|e| Some(e.hours_allocated)).collect()),
                ],
                Unit::Hours,
            )
        },
        vertical_bars,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trend_of_one_point_is_said_in_words_not_drawn() {
        let trend = |values: Vec<Option<f64>>| {
            cartesian("Stacks", vec!["Sep 26".into(), "Oct 26".into()], vec![series("Total", values)], Unit::Count)
        };
        let mut set = ChartSet::default();
        set.add_cartesian(ChartId::StackTrend, trend(vec![None, Some(4.0)]), lines);
        assert!(!set.contains(ChartId::StackTrend));
        assert_eq!(
            set.single_point(ChartId::StackTrend, "Total stacks").as_deref(),
            Some("Total stacks: not drawn, only Oct 26 has data so far.")
        );
        set.add_cartesian(ChartId::StackTrend, trend(vec![Some(3.0), Some(4.0)]), lines);
        assert!(set.contains(ChartId::StackTrend));
        // A chart that is not a trend is drawn from one category.
        set.add_cartesian(ChartId::AlertsBySeverity, trend(vec![None, Some(4.0)]), vertical_bars);
        assert!(set.contains(ChartId::AlertsBySeverity));
    }

    #[test]
    fn a_week_of_availability_adds_its_measured_days() {
        assert_eq!(add_minutes(None, None), None);
        assert_eq!(add_minutes(None, Some(5.0)), Some(5.0));
        assert_eq!(add_minutes(Some(5.0), None), Some(5.0));
        assert_eq!(add_minutes(Some(5.0), Some(2.0)), Some(7.0));
    }
}
