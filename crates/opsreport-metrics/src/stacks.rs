//! `stacks.*`: the key call-outs — total and active stacks from the latest snapshot of the month,
//! their breakdowns, and the change against the previous month.

use opsreport_model::DatasetName;
use opsreport_model::ReportPeriod;
use opsreport_model::contract::STACK_STABLE_STATUSES;
use opsreport_model::metrics::{StackMetrics, StackTrendPoint};
use polars::prelude::*;

use crate::frame::{Accounts, Frames, collect, counts_by, first_count, in_period, latest_snapshot, one_of};
use crate::{Result, available, missing};

const SECTION: &str = "stacks";

/// Existing stacks of the month's latest snapshot, and its date.
fn existing(stacks: &LazyFrame, period: &ReportPeriod, accounts: Accounts) -> Result<Option<(chrono::NaiveDate, LazyFrame)>> {
    Ok(latest_snapshot(stacks, period, accounts, SECTION)?
        .map(|snapshot| (snapshot.day, snapshot.rows(stacks).filter(col("stack_status").neq(lit("DELETE_COMPLETE"))))))
}

fn totals(existing: &LazyFrame) -> Result<(u64, u64)> {
    let summary = collect(
        existing.clone().select([
            len().alias("total"),
            one_of("stack_status", STACK_STABLE_STATUSES).cast(DataType::UInt32).sum().alias("active"),
        ]),
        SECTION,
    )?;
    Ok((first_count(&summary, "total"), first_count(&summary, "active")))
}

/// Computes `stacks.*`.
pub fn compute(frames: &Frames) -> Result<StackMetrics> {
    let Some(stacks) = frames.lazy(DatasetName::Stacks) else {
        return Ok(StackMetrics { status: missing(frames.missing_reason(DatasetName::Stacks)), ..StackMetrics::default() });
    };
    let stacks = stacks.cache();
    let period = frames.period;
    let mut trend = Vec::new();
    for month in period.trend() {
        let point = match existing(&stacks, &month, frames.accounts)? {
            Some((_, rows)) => {
                let (total, active) = totals(&rows)?;
                StackTrendPoint { month: month.id(), total: Some(total), active: Some(active) }
            }
            None => StackTrendPoint { month: month.id(), total: None, active: None },
        };
        trend.push(point);
    }
    let Some((day, current)) = existing(&stacks, &period, frames.accounts)? else {
        return Ok(StackMetrics {
            status: missing(format!("no stacks snapshot dated in {}", period.label())),
            trend,
            ..StackMetrics::default()
        });
    };
    let (total, active) = totals(&current)?;
    let previous_total = match existing(&stacks, &period.previous(), frames.accounts)? {
        Some((_, rows)) => Some(totals(&rows)?.0),
        None => None,
    };
    Ok(StackMetrics {
        status: available(),
        snapshot_date: Some(day.to_string()),
        total: Some(total),
        active: Some(active),
        by_category: counts_by(current.clone(), "category", "Unspecified", SECTION)?,
        by_environment: counts_by(current.clone(), "environment", "Unspecified", SECTION)?,
        by_type: counts_by(current.clone(), "instance_stack_type", "Unspecified", SECTION)?,
        by_status: counts_by(current.clone(), "stack_status", "Other", SECTION)?,
        created_in_period: Some(crate::frame::count(current.filter(in_period("created_time", &period)), SECTION)?),
        total_change: previous_total.map(|previous| total as i64 - previous as i64),
        trend,
    })
}
