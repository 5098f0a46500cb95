//! `trusted_advisor.*`: checks per category and status from the month's latest snapshot, flagged
//! resources, estimated savings, and findings new since the previous month's snapshot.

use std::collections::BTreeMap;

use opsreport_model::DatasetName;
use opsreport_model::metrics::{CheckStatusCounts, Finding, TrustedAdvisorMetrics};
use polars::prelude::*;

use crate::frame::{
    Frames, MONEY_SCALE, collect, doubles, exact_sum, first_count, first_double, integers, latest_snapshot, one_of, strings,
};
use crate::{Result, available, missing};

const SECTION: &str = "trusted_advisor";

fn findings(frame: &DataFrame) -> Vec<Finding> {
    let ids = strings(frame, "check_id");
    let names = strings(frame, "check_name");
    let categories = strings(frame, "check_category");
    let statuses = strings(frame, "status");
    let flagged = integers(frame, "resources_flagged");
    let savings = doubles(frame, "estimated_monthly_savings");
    (0..frame.height())
        .map(|row| Finding {
            check_id: ids[row].clone().unwrap_or_default(),
            check_name: names[row].clone().unwrap_or_default(),
            check_category: categories[row].clone().unwrap_or_default(),
            status: statuses[row].clone().unwrap_or_default(),
            resources_flagged: flagged[row].unwrap_or(0).max(0) as u64,
            estimated_monthly_savings: savings[row],
        })
        .collect()
}

/// Computes `trusted_advisor.*`.
pub fn compute(frames: &Frames) -> Result<TrustedAdvisorMetrics> {
    let Some(checks) = frames.lazy(DatasetName::TrustedAdvisor) else {
        return Ok(TrustedAdvisorMetrics {
            status: missing(frames.missing_reason(DatasetName::TrustedAdvisor)),
            ..TrustedAdvisorMetrics::default()
        });
    };
    let checks = checks.cache();
    let period = frames.period;
    let Some(snapshot) = latest_snapshot(&checks, &period, frames.accounts, SECTION)? else {
        return Ok(TrustedAdvisorMetrics {
            status: missing(format!("no trusted_advisor snapshot dated in {}", period.label())),
            ..TrustedAdvisorMetrics::default()
        });
    };
    let current = snapshot.rows(&checks);
    let grid = collect(current.clone().group_by([col("check_category"), col("status")]).agg([len().alias("count")]), SECTION)?;
    let mut by_category: BTreeMap<String, CheckStatusCounts> = BTreeMap::new();
    for ((category, status), count) in
        strings(&grid, "check_category").into_iter().zip(strings(&grid, "status")).zip(integers(&grid, "count"))
    {
        let entry = by_category.entry(category.unwrap_or_default()).or_default();
        let count = count.unwrap_or(0) as u64;
        match status.as_deref() {
            Some("ok") => entry.ok += count,
            Some("warning") => entry.warning += count,
            Some("error") => entry.error += count,
            _ => entry.not_available += count,
        }
    }
    let totals = collect(
        current.clone().select([
            col("resources_flagged").sum().alias("flagged"),
            exact_sum(col("estimated_monthly_savings"), MONEY_SCALE).alias("savings"),
        ]),
        SECTION,
    )?;
    let order = SortMultipleOptions::default().with_order_descending_multi([true, false]);
    let flagged_now = current.filter(one_of("status", &["warning", "error"]));
    let all_findings =
        collect(flagged_now.clone().sort_by_exprs([col("resources_flagged"), col("check_name")], order.clone()), SECTION)?;
    let previous_flagged = match latest_snapshot(&checks, &period.previous(), frames.accounts, SECTION)? {
        // Checks that were not `ok` last month are not new; everything else (ok or absent) is.
        Some(previous) => {
            previous.rows(&checks).filter(col("status").neq(lit("ok"))).select([col("check_id"), lit(true).alias("was_flagged")])
        }
        None => DataFrame::empty_with_schema(&Schema::from_iter([
            Field::new("check_id".into(), DataType::String),
            Field::new("was_flagged".into(), DataType::Boolean),
        ]))
        .lazy(),
    };
    let new = collect(
        flagged_now
            .join(previous_flagged, [col("check_id")], [col("check_id")], JoinArgs::new(JoinType::Left))
            .filter(col("was_flagged").is_null())
            .sort_by_exprs([col("resources_flagged"), col("check_name")], order),
        SECTION,
    )?;
    Ok(TrustedAdvisorMetrics {
        status: available(),
        snapshot_date: Some(snapshot.day.to_string()),
        by_category,
        resources_flagged: Some(first_count(&totals, "flagged")),
        estimated_monthly_savings: Some(first_double(&totals, "savings").unwrap_or(0.0)),
        new_findings: findings(&new),
        findings: findings(&all_findings),
    })
}
