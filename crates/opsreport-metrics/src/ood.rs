//! `ood.*`: Operations on Demand — which engagements are active in the month, hours used against
//! their blocks, billed blocks and overage.
//!
//! Start month: `start_override` when set; otherwise the month after approval when approved on
//! or before the 20th, else the month after that. Active in M: started by M and not ended before
//! M. Hours: `monthly` counts the month's hours; `one_time` counts every hour since its start up
//! to the end of M. Billing: `monthly` bills min(blocks, ⌈hours/20⌉) (unused whole blocks are not
//! billed); `one_time` bills all its blocks once, in its start month.

use opsreport_model::DatasetName;
use opsreport_model::metrics::{OodEngagement, OodMetrics};
use polars::prelude::*;

use crate::frame::{Frames, MONEY_SCALE, at_least, ceil_non_negative, collect, date_of, doubles, exact_sum, integers, strings};
use crate::{Result, available, missing};

const SECTION: &str = "ood";
/// Hours in a block.
pub const BLOCK_HOURS: f64 = 20.0;

/// `year × 12 + month − 1` of a date column: months compare as integers.
fn month_index(column: Expr) -> Expr {
    column.clone().dt().year().cast(DataType::Int64) * lit(12i64) + column.dt().month().cast(DataType::Int64) - lit(1i64)
}

/// Computes `ood.*`.
pub fn compute(frames: &Frames) -> Result<OodMetrics> {
    let Some(engagements) = frames.lazy(DatasetName::OodEngagements) else {
        return Ok(OodMetrics { status: missing(frames.missing_reason(DatasetName::OodEngagements)), ..OodMetrics::default() });
    };
    let month = frames.period.month();
    let report_index = i64::from(month.year()) * 12 + i64::from(month.month()) - 1;
    let start_index = when(col("start_override").is_not_null()).then(month_index(col("start_override"))).otherwise(
        month_index(col("approved_at")) + when(col("approved_at").dt().day().lt_eq(lit(20))).then(lit(1i64)).otherwise(lit(2i64)),
    );
    let active = engagements.with_column(start_index.alias("start_index")).filter(
        col("start_index")
            .lt_eq(lit(report_index))
            .and(col("ended_at").is_null().or(month_index(col("ended_at")).gt_eq(lit(report_index)))),
    );
    let hours = match frames.lazy(DatasetName::OodHours) {
        Some(hours) => hours.select([col("engagement_id"), month_index(col("work_date")).alias("work_index"), col("hours")]),
        None => DataFrame::empty_with_schema(&Schema::from_iter([
            Field::new("engagement_id".into(), DataType::String),
            Field::new("work_index".into(), DataType::Int64),
            Field::new("hours".into(), DataType::Float64),
        ]))
        .lazy(),
    };
    let counted = col("work_index").lt_eq(lit(report_index)).and(
        when(col("basis").eq(lit("one_time")))
            .then(col("work_index").gt_eq(col("start_index")))
            .otherwise(col("work_index").eq(lit(report_index))),
    );
    let used = active
        .clone()
        .select([col("engagement_id"), col("basis"), col("start_index")])
        .join(hours, [col("engagement_id")], [col("engagement_id")], JoinArgs::new(JoinType::Inner))
        .filter(counted)
        .group_by([col("engagement_id")])
        .agg([exact_sum(col("hours"), MONEY_SCALE).alias("hours_used")]);
    let allocated = col("blocks").cast(DataType::Float64) * lit(BLOCK_HOURS);
    let table = collect(
        active
            .join(used, [col("engagement_id")], [col("engagement_id")], JoinArgs::new(JoinType::Left))
            .with_columns([col("hours_used").fill_null(lit(0.0)), allocated.alias("hours_allocated")])
            .with_columns([
                at_least(col("hours_allocated") - col("hours_used"), lit(0.0)).alias("hours_remaining"),
                at_least(col("hours_used") - col("hours_allocated"), lit(0.0)).alias("overage_hours"),
                when(col("basis").eq(lit("one_time")))
                    .then(when(col("start_index").eq(lit(report_index))).then(col("blocks")).otherwise(lit(0i64)))
                    .otherwise({
                        let needed = ceil_non_negative(col("hours_used") / lit(BLOCK_HOURS));
                        when(needed.clone().lt(col("blocks"))).then(needed).otherwise(col("blocks"))
                    })
                    .alias("billed_blocks"),
                (col("start_index") / lit(12i64)).alias("start_year"),
                (col("start_index") % lit(12i64) + lit(1i64)).alias("start_month"),
                col("ended_at").cast(DataType::Int32).alias("ended_days"),
            ])
            .sort_by_exprs([col("start_index"), col("engagement_id")], SortMultipleOptions::default()),
        SECTION,
    )?;
    let ids = strings(&table, "engagement_id");
    let offerings = strings(&table, "offering");
    let bases = strings(&table, "basis");
    let years = integers(&table, "start_year");
    let months = integers(&table, "start_month");
    let ended = integers(&table, "ended_days");
    let blocks = integers(&table, "blocks");
    let allocated = doubles(&table, "hours_allocated");
    let used = doubles(&table, "hours_used");
    let remaining = doubles(&table, "hours_remaining");
    let billed = integers(&table, "billed_blocks");
    let overage = doubles(&table, "overage_hours");
    let engagements: Vec<OodEngagement> = (0..table.height())
        .map(|row| {
            let allocated = allocated[row].unwrap_or(0.0);
            let used = used[row].unwrap_or(0.0);
            OodEngagement {
                engagement_id: ids[row].clone().unwrap_or_default(),
                offering: offerings[row].clone().unwrap_or_default(),
                basis: bases[row].clone().unwrap_or_default(),
                start_date: format!("{:04}-{:02}-01", years[row].unwrap_or(0), months[row].unwrap_or(1)),
                ended_at: ended[row].map(|days| date_of(days as i32).to_string()),
                blocks: blocks[row].unwrap_or(0).max(0) as u64,
                hours_allocated: allocated,
                hours_used: used,
                hours_remaining: remaining[row].unwrap_or(0.0),
                billed_blocks: billed[row].unwrap_or(0).max(0) as u64,
                overage_hours: overage[row].unwrap_or(0.0),
                usage_pct: if allocated > 0.0 { used / allocated * 100.0 } else { 0.0 },
            }
        })
        .collect();
    Ok(OodMetrics {
        status: available(),
        billed_blocks: Some(engagements.iter().map(|engagement| engagement.billed_blocks).sum()),
        hours_used: Some(engagements.iter().map(|engagement| engagement.hours_used).sum()),
        hours_allocated: Some(engagements.iter().map(|engagement| engagement.hours_allocated).sum()),
        engagements,
    })
}
