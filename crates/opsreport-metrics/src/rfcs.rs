//! `rfcs.*`: change management — created, completed, success rate, automation, execution time,
//! punctuality against the requested start, and the most used change types.

use opsreport_model::DatasetName;
use opsreport_model::ReportPeriod;
use opsreport_model::metrics::{ChangeTypeCount, PlannedChange, RfcMetrics, RfcTrendPoint};
use polars::prelude::*;

use crate::frame::{
    Frames, MICROS_PER_MINUTE, collect, count, counts_by, first_count, first_double, in_period, integers, mean_minutes,
    micros_between, one_of, percent, strings,
};
use crate::{Result, available, missing};

const SECTION: &str = "rfcs";

struct Completion {
    completed: u64,
    succeeded: u64,
    failed: u64,
}

fn completed(rfcs: &LazyFrame, period: &ReportPeriod) -> LazyFrame {
    rfcs.clone().filter(one_of("status", &["Success", "Failure"]).and(in_period("actual_end_time", period)))
}

fn completion(rfcs: &LazyFrame, period: &ReportPeriod) -> Result<Completion> {
    let summary = collect(
        completed(rfcs, period).select([
            len().alias("completed"),
            col("status").eq(lit("Success")).cast(DataType::UInt32).sum().alias("succeeded"),
            col("status").eq(lit("Failure")).cast(DataType::UInt32).sum().alias("failed"),
        ]),
        SECTION,
    )?;
    Ok(Completion {
        completed: first_count(&summary, "completed"),
        succeeded: first_count(&summary, "succeeded"),
        failed: first_count(&summary, "failed"),
    })
}

/// Computes `rfcs.*`.
pub fn compute(frames: &Frames) -> Result<RfcMetrics> {
    let rfcs = match frames.event_data(DatasetName::Rfcs) {
        Ok(frame) => frame,
        Err(reason) => {
            return Ok(RfcMetrics { status: missing(reason), ..RfcMetrics::default() });
        }
    };
    let rfcs = rfcs.cache();
    let period = frames.period;
    let created = rfcs.clone().filter(in_period("created_time", &period));
    let done = completion(&rfcs, &period)?;
    let details = execution_details(&rfcs, &period, frames.config.rfcs.on_time_grace_minutes)?;
    let top_change_types = top_change_types(&created)?;
    let mut trend = Vec::new();
    for month in period.trend() {
        let numbers = completion(&rfcs, &month)?;
        trend.push(RfcTrendPoint {
            month: month.id(),
            completed: Some(numbers.completed),
            success_rate_pct: percent(numbers.succeeded, numbers.completed),
        });
    }
    let planned = planned(&rfcs, &period)?;
    Ok(RfcMetrics {
        status: available(),
        planned,
        created: Some(count(created.clone(), SECTION)?),
        completed: Some(done.completed),
        succeeded: Some(done.succeeded),
        failed: Some(done.failed),
        success_rate_pct: percent(done.succeeded, done.completed),
        rejected: Some(count(created.clone().filter(col("status").eq(lit("Rejected"))), SECTION)?),
        canceled: Some(count(created.clone().filter(col("status").eq(lit("Canceled"))), SECTION)?),
        automated_pct: percent(first_count(&details, "automated"), done.completed),
        mean_execution_minutes: first_double(&details, "mean_execution"),
        on_time_pct: percent(first_count(&details, "on_time"), first_count(&details, "with_request")),
        top_change_types,
        by_status: counts_by(created, "status", "Other", SECTION)?,
        trend,
    })
}

/// Of the RFCs completed in `period`: how many ran automated, their mean execution time, how
/// many had a requested start and how many started on time (within `grace_minutes`).
fn execution_details(rfcs: &LazyFrame, period: &ReportPeriod, grace_minutes: f64) -> Result<DataFrame> {
    let grace_micros = (grace_minutes * MICROS_PER_MINUTE) as i64;
    collect(
        completed(rfcs, period).select([
            col("automation_status").eq(lit("Automated")).fill_null(lit(false)).cast(DataType::UInt32).sum().alias("automated"),
            mean_minutes(micros_between("actual_start_time", "actual_end_time")).alias("mean_execution"),
            col("requested_start_time").is_not_null().cast(DataType::UInt32).sum().alias("with_request"),
            col("requested_start_time")
                .is_not_null()
                .and(
                    col("actual_start_time")
                        .cast(DataType::Int64)
                        .lt_eq(col("requested_start_time").cast(DataType::Int64) + lit(grace_micros))
                        .fill_null(lit(false)),
                )
                .cast(DataType::UInt32)
                .sum()
                .alias("on_time"),
        ]),
        SECTION,
    )
}

/// The five change types created most, with each one's most common title.
fn top_change_types(created: &LazyFrame) -> Result<Vec<ChangeTypeCount>> {
    let types = collect(
        created
            .clone()
            .group_by([col("change_type_id")])
            .agg([len().alias("count")])
            .sort_by_exprs(
                [col("count"), col("change_type_id")],
                SortMultipleOptions::default().with_order_descending_multi([true, false]),
            )
            .limit(5),
        SECTION,
    )?;
    // The most common title of each change type (ties: alphabetical), for a readable table.
    let titles = collect(
        created
            .clone()
            .filter(col("title").is_not_null())
            .group_by([col("change_type_id"), col("title")])
            .agg([len().alias("uses")])
            .sort_by_exprs(
                [col("change_type_id"), col("uses"), col("title")],
                SortMultipleOptions::default().with_order_descending_multi([false, true, false]),
            )
            .group_by_stable([col("change_type_id")])
            .agg([col("title").first()]),
        SECTION,
    )?;
    let title_of: std::collections::BTreeMap<String, String> = strings(&titles, "change_type_id")
        .into_iter()
        .zip(strings(&titles, "title"))
        .filter_map(|(id, title)| Some((id?, title?)))
        .collect();
    Ok(strings(&types, "change_type_id")
        .into_iter()
        .zip(integers(&types, "count"))
        .map(|(id, count)| {
            let id = id.unwrap_or_default();
            ChangeTypeCount { title: title_of.get(&id).cloned(), change_type_id: id, count: count.unwrap_or(0) as u64 }
        })
        .collect())
}

/// Planned maintenance: the RFCs `Scheduled` to start in the month after `period` (their latest
/// record), by requested start then id.
fn planned(rfcs: &LazyFrame, period: &ReportPeriod) -> Result<Vec<PlannedChange>> {
    // `shifted` counts months back: -1 is the month after.
    let next = period.shifted(-1);
    let found = collect(
        rfcs.clone()
            .filter(col("status").eq(lit("Scheduled")).and(in_period("requested_start_time", &next)))
            .select([
                col("rfc_id"),
                col("title"),
                col("change_type_id"),
                col("requested_start_time").cast(DataType::Int64).alias("start_micros"),
            ])
            .sort_by_exprs([col("start_micros"), col("rfc_id")], SortMultipleOptions::default()),
        SECTION,
    )?;
    let (ids, titles, types, starts) = (
        strings(&found, "rfc_id"),
        strings(&found, "title"),
        strings(&found, "change_type_id"),
        integers(&found, "start_micros"),
    );
    Ok((0..found.height())
        .map(|row| PlannedChange {
            rfc_id: ids[row].clone().unwrap_or_default(),
            title: titles[row].clone(),
            change_type_id: types[row].clone().unwrap_or_default(),
            requested_start_time: crate::frame::rfc3339_micros(starts[row].unwrap_or(0)),
        })
        .collect())
}
