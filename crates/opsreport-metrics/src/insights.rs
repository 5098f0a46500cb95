//! `insights`: observations and recommendations derived from the finished metrics with the
//! thresholds of the configuration. Pure and deterministic: the same metrics give the same list,
//! in the same order (severity, then section, then metric, then message), with the same words.

use opsreport_model::Config;
use opsreport_model::format::{dollars as money, duration_minutes as hours, plural, thousands};
use opsreport_model::metrics::{ByPriority, Insight, InsightSeverity, Metrics, Priority};

use crate::verdicts::meets;

fn insight(
    severity: InsightSeverity,
    section: &str,
    metric: &str,
    message: String,
    value: Option<f64>,
    threshold: Option<f64>,
) -> Insight {
    Insight { severity, section: section.to_owned(), message, metric: metric.to_owned(), value, threshold }
}

/// Each priority, its code and its value.
fn priorities<T: Clone>(values: &ByPriority<T>) -> [(Priority, &'static str, T); 3] {
    Priority::ALL.map(|priority| (priority, priority.code(), values.get(priority).clone()))
}

/// Derives the insights of a report: each kind of finding by its own function, then sorted
/// (severity, section, metric, message), so the order never depends on which ran first.
pub fn derive(metrics: &Metrics, config: &Config) -> Vec<Insight> {
    let mut list = Vec::new();
    sla_misses(metrics, config, &mut list);
    availability_misses(metrics, &mut list);
    patching_risks(metrics, config, &mut list);
    backup_risks(metrics, config, &mut list);
    mttr_increases(metrics, config, &mut list);
    cost_changes(metrics, config, &mut list);
    savings(metrics, &mut list);
    storage_capacity(metrics, config, &mut list);
    ood_usage(metrics, config, &mut list);
    rfc_misses(metrics, config, &mut list);
    positives(metrics, &mut list);
    list.sort_by(|left, right| {
        left.severity
            .cmp(&right.severity)
            .then_with(|| left.section.cmp(&right.section))
            .then_with(|| left.metric.cmp(&right.metric))
            .then_with(|| left.message.cmp(&right.message))
    });
    list
}

/// Incident response or resolution SLA below the target, per priority.
fn sla_misses(metrics: &Metrics, config: &Config, list: &mut Vec<Insight>) {
    let incidents = &metrics.incidents;
    let sla_target = config.sla.adherence_target_pct;
    for (kind, values) in [("response", &incidents.response_sla_pct), ("resolution", &incidents.resolution_sla_pct)] {
        for (priority, label, value) in priorities(values) {
            if let Some(value) = value.filter(|value| meets([Some(*value)], sla_target) == Some(false)) {
                list.push(insight(
                    InsightSeverity::Critical,
                    "incidents",
                    &format!("incidents.{kind}_sla_pct.{priority}"),
                    format!(
                        "{label} incident {kind} SLA was met for {value:.1}% of incidents, below the {sla_target:.1}% target. Review the {kind} misses with the operations team and agree corrective actions."
                    ),
                    Some(value),
                    Some(sla_target),
                ));
            }
        }
    }
}

/// Console or API availability below its target.
fn availability_misses(metrics: &Metrics, list: &mut Vec<Insight>) {
    for (name, label, endpoint) in
        [("console", "Console", &metrics.availability.console), ("api", "API", &metrics.availability.api)]
    {
        if let (Some(pct), Some(false)) = (endpoint.pct, endpoint.target_met) {
            list.push(insight(
                InsightSeverity::Critical,
                "availability",
                &format!("availability.{name}.pct"),
                format!(
                    "{label} availability was {pct:.3}% against a {:.1}% target ({} of downtime, {} allowed).",
                    endpoint.target_pct,
                    hours(endpoint.downtime_minutes.unwrap_or(0.0)),
                    endpoint.allowed_downtime_minutes.map(hours).unwrap_or_else(|| "none".to_owned())
                ),
                Some(pct),
                Some(endpoint.target_pct),
            ));
        }
    }
}

/// Patch compliance below the target; critical patches overdue.
fn patching_risks(metrics: &Metrics, config: &Config, list: &mut Vec<Insight>) {
    let patching = &metrics.patching;
    let patch_target = config.patching.compliance_target_pct;
    if let Some(pct) = patching.compliance_pct.filter(|_| metrics.verdicts.patch_compliance == Some(false)) {
        list.push(insight(
            InsightSeverity::Warning,
            "patching",
            "patching.compliance_pct",
            format!(
                "Patch compliance is {pct:.1}% ({} of {} instances), below the {patch_target:.0}% target. Schedule the missing patches in the next maintenance windows.",
                patching.compliant.unwrap_or(0),
                patching.instances.unwrap_or(0)
            ),
            Some(pct),
            Some(patch_target),
        ));
    }
    if let Some(overdue) = patching.critical_overdue.filter(|overdue| *overdue > 0) {
        list.push(insight(
            InsightSeverity::Warning,
            "patching",
            "patching.critical_overdue",
            format!(
                "{} critical patches missing for more than {} days. Patch them out of cycle or record an exception.",
                plural(overdue, "instance has", "instances have"),
                config.patching.critical_overdue_days
            ),
            Some(overdue as f64),
            Some(0.0),
        ));
    }
}

/// Backup success below the target; recovery-point objective breaches.
fn backup_risks(metrics: &Metrics, config: &Config, list: &mut Vec<Insight>) {
    let backups = &metrics.backups;
    let backup_target = config.backups.success_target_pct;
    if let Some(rate) = backups.success_rate_pct.filter(|_| metrics.verdicts.backup_success == Some(false)) {
        list.push(insight(
            InsightSeverity::Warning,
            "backups",
            "backups.success_rate_pct",
            format!(
                "Backup success rate was {rate:.1}%, below the {backup_target:.0}% target ({}). See the failed-jobs table for causes.",
                plural(backups.failed_jobs.len() as u64, "failed job", "failed jobs")
            ),
            Some(rate),
            Some(backup_target),
        ));
    }
    if let Some(breaches) = backups.rpo_breaches.filter(|breaches| *breaches > 0) {
        list.push(insight(
            InsightSeverity::Warning,
            "backups",
            "backups.rpo_breaches",
            format!(
                "{} longer than the {:.0}-hour recovery-point objective without a completed backup. Check their backup plans and schedules.",
                plural(breaches, "resource went", "resources went"),
                backups.rpo_target_hours
            ),
            Some(breaches as f64),
            Some(0.0),
        ));
    }
}

/// A priority whose MTTR rose well above its mean of the three months before.
fn mttr_increases(metrics: &Metrics, config: &Config, list: &mut Vec<Insight>) {
    let incidents = &metrics.incidents;
    let increase = config.incidents.mttr_increase_warning_pct;
    if incidents.trend_months.len() >= 4 {
        let months = &incidents.trend_months;
        let previous = &months[months.len() - 4..months.len() - 1];
        for (priority, label, current) in priorities(&incidents.mttr_minutes) {
            let earlier: Vec<f64> = previous.iter().filter_map(|point| *point.mttr_minutes.get(priority)).collect();
            if let (Some(current), false) = (current, earlier.is_empty()) {
                let mean = earlier.iter().sum::<f64>() / earlier.len() as f64;
                let limit = mean * (1.0 + increase / 100.0);
                if mean > 0.0 && current > limit {
                    list.push(insight(
                        InsightSeverity::Warning,
                        "incidents",
                        &format!("incidents.mttr_minutes.{priority}"),
                        format!(
                            "{label} mean time to resolve rose to {} from a 3-month average of {} (+{:.0}%). Look for slower root causes or staffing gaps.",
                            hours(current),
                            hours(mean),
                            (current / mean - 1.0) * 100.0
                        ),
                        Some(current),
                        Some(limit),
                    ));
                }
            }
        }
    }
    for group in &incidents.recurring {
        list.push(insight(
            InsightSeverity::Warning,
            "incidents",
            "incidents.recurring",
            format!(
                "{} {} incidents on {} in the last {} days. Open a problem record and fix the root cause.",
                group.count, group.category, group.target, config.incidents.recurring_window_days
            ),
            Some(group.count as f64),
            Some(f64::from(config.incidents.recurring_min_count)),
        ));
    }
}

/// A month-over-month cost increase above the configured share.
fn cost_changes(metrics: &Metrics, config: &Config, list: &mut Vec<Insight>) {
    let cost = &metrics.cost;
    if let Some(change) = cost.mom_change_pct.filter(|change| *change > config.cost.increase_info_pct) {
        // A change is only computed with the managed-service fee, so every total is known here.
        let growth = |product: &opsreport_model::metrics::ProductCost| {
            let total = product.total.unwrap_or(0.0);
            match product.mom_change_pct {
                Some(pct) => total - total / (1.0 + pct / 100.0),
                None => total,
            }
        };
        let grower = cost.by_product.iter().max_by(|left, right| {
            growth(left).total_cmp(&growth(right)).then_with(|| right.product_name.cmp(&left.product_name))
        });
        let named = grower
            .map(|product| format!(" {} grew most (+{}).", product.product_name, money(growth(product))))
            .unwrap_or_default();
        list.push(insight(
            InsightSeverity::Info,
            "cost",
            "cost.mom_change_pct",
            format!("Total cost rose {change:.1}% month over month to {}.{named}", money(cost.total.unwrap_or(0.0))),
            Some(change),
            Some(config.cost.increase_info_pct),
        ));
    }
}

/// Trusted Advisor savings to take.
fn savings(metrics: &Metrics, list: &mut Vec<Insight>) {
    if let Some(savings) = metrics.trusted_advisor.estimated_monthly_savings.filter(|savings| *savings > 0.0) {
        list.push(insight(
            InsightSeverity::Info,
            "trusted_advisor",
            "trusted_advisor.estimated_monthly_savings",
            format!(
                "Trusted Advisor estimates {} a month of savings from its cost checks. Review the flagged resources.",
                money(savings)
            ),
            Some(savings),
            Some(0.0),
        ));
    }
}

/// Volumes near capacity.
fn storage_capacity(metrics: &Metrics, config: &Config, list: &mut Vec<Insight>) {
    if let Some(fullest) = metrics.storage.near_capacity.first() {
        let count = metrics.storage.near_capacity.len();
        list.push(insight(
            InsightSeverity::Warning,
            "storage",
            "storage.near_capacity",
            format!(
                "{} at or above {:.0}% of their capacity; the fullest, {}, is at {:.0}%. Extend them or clean up before they fill.",
                plural(count as u64, "volume is", "volumes are"),
                config.storage.near_capacity_ratio * 100.0,
                fullest.resource_id,
                fullest.ratio * 100.0
            ),
            Some(count as f64),
            Some(config.storage.near_capacity_ratio),
        ));
    }
}

/// Operations on Demand engagements over or near their allocation.
fn ood_usage(metrics: &Metrics, config: &Config, list: &mut Vec<Insight>) {
    for engagement in &metrics.ood.engagements {
        // A month without hours data says nothing about usage.
        let (Some(used), Some(overage), Some(usage_pct)) =
            (engagement.hours_used, engagement.overage_hours, engagement.usage_pct)
        else {
            continue;
        };
        if overage > 0.0 {
            list.push(insight(
                InsightSeverity::Info,
                "ood",
                "ood.engagements.overage_hours",
                format!(
                    "{} used {used:.1} of {:.0} hours: {overage:.1} hours over its allocation. Consider adding a block.",
                    engagement.offering, engagement.hours_allocated
                ),
                Some(overage),
                Some(0.0),
            ));
        } else if usage_pct > config.ood.usage_info_pct {
            list.push(insight(
                InsightSeverity::Info,
                "ood",
                "ood.engagements.usage_pct",
                format!("{} used {usage_pct:.0}% of its {:.0} hours.", engagement.offering, engagement.hours_allocated),
                Some(usage_pct),
                Some(config.ood.usage_info_pct),
            ));
        }
    }
}

/// Change success below the target.
fn rfc_misses(metrics: &Metrics, config: &Config, list: &mut Vec<Insight>) {
    let rfc_target = config.rfcs.success_target_pct;
    if let Some(rate) = metrics.rfcs.success_rate_pct.filter(|_| metrics.verdicts.rfc_success == Some(false)) {
        list.push(insight(
            InsightSeverity::Warning,
            "rfcs",
            "rfcs.success_rate_pct",
            format!(
                "{rate:.1}% of completed changes succeeded, below the {rfc_target:.0}% target ({} failed). Review the failed change types.",
                metrics.rfcs.failed.unwrap_or(0)
            ),
            Some(rate),
            Some(rfc_target),
        ));
    }
}

/// What went well: problems averted, patches installed, changes and restore tests that succeeded.
fn positives(metrics: &Metrics, list: &mut Vec<Insight>) {
    let (patching, backups) = (&metrics.patching, &metrics.backups);
    let averted = metrics.alerts.by_outcome.get("AutoRemediated").copied().unwrap_or(0);
    if averted > 0 {
        list.push(insight(
            InsightSeverity::Positive,
            "alerts",
            "alerts.auto_remediated_pct",
            format!(
                "{} alerts were remediated automatically before they became incidents ({:.1}% of all alerts).",
                thousands(averted as i64),
                metrics.alerts.auto_remediated_pct.unwrap_or(0.0)
            ),
            metrics.alerts.auto_remediated_pct,
            None,
        ));
    }
    if let Some(installed) = patching.patches_installed.filter(|installed| *installed > 0) {
        list.push(insight(
            InsightSeverity::Positive,
            "patching",
            "patching.patches_installed",
            format!("{} patches were installed on managed instances {}.", thousands(installed as i64), metrics.kind.words().this),
            Some(installed as f64),
            None,
        ));
    }
    if let Some(succeeded) = metrics.rfcs.succeeded.filter(|succeeded| *succeeded > 0) {
        list.push(insight(
            InsightSeverity::Positive,
            "rfcs",
            "rfcs.succeeded",
            format!("{} changes were executed successfully.", thousands(succeeded as i64)),
            Some(succeeded as f64),
            None,
        ));
    }
    if let Some(restores) = backups.restores.filter(|restores| *restores > 0) {
        list.push(insight(
            InsightSeverity::Positive,
            "backups",
            "backups.restores",
            format!(
                "{} run, {} succeeded.",
                plural(restores, "restore test", "restore tests"),
                backups.restores_succeeded.unwrap_or(0)
            ),
            Some(restores as f64),
            None,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_formatted_for_people() {
        assert_eq!(hours(90.0), "90 min");
        assert_eq!(hours(150.0), "2.5 h");
    }
}
