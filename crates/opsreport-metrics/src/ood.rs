//! `ood.*`: Operations on Demand — which engagements are active in the month, hours used against
//! their blocks, billed blocks and overage.
//!
//! As the service terms say ("one block is 20 hours of operational resource time in a given
//! calendar month"; "billing is block-based; unused whole blocks will not be billed"):
//! start month: `start_override` when set; otherwise the month after approval when approved on
//! or before the 20th, else the month after that. A `monthly` engagement is active in every month
//! from its start until it ends; a `one_time` one is a purchase for its start month only. Hours
//! are the engagement's hours in M; billed blocks are min(blocks, ⌈hours / 20⌉) for both bases.
//! A month whose hours data is absent has unknown hours and billed blocks (null), never 0.
//!
//! A modification is a row whose `modifies` names the engagement it changes: its `blocks` (and
//! `requested_blocks`) replace the engagement's from the month it takes effect, by the same rule
//! as a start (`start_override`, else the 20th-of-the-month rule on its `approved_at`); the latest
//! in effect wins. Hours recorded against a modification's id count for its engagement. A partial
//! approval is `blocks` below `requested_blocks`. Where `[ood] block_rates` prices an offering,
//! billed blocks and overage are also money.

use opsreport_model::DatasetName;
use opsreport_model::metrics::{OodEngagement, OodMetrics};
use polars::prelude::*;

use crate::frame::{Frames, MONEY_SCALE, at_least, ceil_non_negative, collect, date_of, doubles, exact_sum, integers, strings};
use crate::{Result, available, missing};

const SECTION: &str = "ood";
/// Why a week's or a quarter's report has no Operations on Demand figures.
const BILLED_MONTHLY: &str = "Operations on Demand is billed per calendar month: the monthly reports show it";
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
    if frames.period.kind() != opsreport_model::PeriodKind::Monthly {
        return Ok(OodMetrics { status: missing(BILLED_MONTHLY.to_owned()), ..OodMetrics::default() });
    }
    let month = frames.period.month();
    let report_index = i64::from(month.year()) * 12 + i64::from(month.month()) - 1;
    let start_index = when(col("start_override").is_not_null()).then(month_index(col("start_override"))).otherwise(
        month_index(col("approved_at")) + when(col("approved_at").dt().day().lt_eq(lit(20))).then(lit(1i64)).otherwise(lit(2i64)),
    );
    let dated = engagements.with_column(start_index.alias("start_index"));
    let active = active_engagements(dated.clone(), report_index);
    let (used, hours_known) = hours_used(frames, dated, report_index);
    let table = collect(engagement_table(active, used, hours_known), SECTION)?;
    let engagements = engagements_of(&table, &frames.config.ood.block_rates);
    let sum = |values: Vec<Option<f64>>| values.into_iter().sum::<Option<f64>>();
    Ok(OodMetrics {
        status: available(),
        billed_blocks: engagements.iter().map(|engagement| engagement.billed_blocks).sum(),
        hours_used: sum(engagements.iter().map(|engagement| engagement.hours_used).collect()),
        hours_allocated: Some(engagements.iter().map(|engagement| engagement.hours_allocated).sum()),
        billed_amount: if engagements.is_empty() {
            None
        } else {
            sum(engagements.iter().map(|engagement| engagement.billed_amount).collect())
        },
        engagements,
    })
}

/// The engagements in effect in the report month (`report_index`), each with its latest
/// modification applied (`blocks_before` the modification's change).
fn active_engagements(dated: LazyFrame, report_index: i64) -> LazyFrame {
    let one_time = col("basis").eq(lit("one_time"));
    let in_effect = [col("start_index"), col("approved_at"), col("engagement_id")];
    let latest = |column: &str| col(column).sort_by(in_effect.clone(), SortMultipleOptions::default()).last();
    let modifications = dated
        .clone()
        .filter(col("modifies").is_not_null().and(col("start_index").lt_eq(lit(report_index))))
        .group_by([col("modifies").alias("modified_engagement")])
        .agg([
            latest("blocks").alias("modified_blocks"),
            latest("requested_blocks").alias("modified_requested"),
            latest("start_index").alias("modified_index"),
            latest("engagement_id").alias("modification_id"),
        ]);
    dated
        .filter(col("modifies").is_null())
        .join(modifications, [col("engagement_id")], [col("modified_engagement")], JoinArgs::new(JoinType::Left))
        .with_columns([
            when(col("modification_id").is_not_null())
                .then(col("blocks"))
                .otherwise(lit(NULL).cast(DataType::Int64))
                .alias("blocks_before"),
            coalesce(&[col("modified_blocks"), col("blocks")]).alias("blocks"),
            when(col("modification_id").is_not_null())
                .then(col("modified_requested"))
                .otherwise(col("requested_blocks"))
                .alias("requested_blocks"),
        ])
        .filter(
            col("start_index")
                .lt_eq(lit(report_index))
                .and(col("ended_at").is_null().or(month_index(col("ended_at")).gt_eq(lit(report_index))))
                .and(one_time.not().or(col("start_index").eq(lit(report_index)))),
        )
}

/// The hours used per engagement in the report month (hours of a modification count for the
/// engagement it modifies), and whether the month's hours were read at all.
fn hours_used(frames: &Frames, dated: LazyFrame, report_index: i64) -> (LazyFrame, bool) {
    let month = frames.period.month();
    // Hours recorded against a modification count for the engagement it modifies.
    let owners = dated
        .filter(col("modifies").is_not_null())
        .select([col("engagement_id").alias("recorded_id"), col("modifies").alias("owner_id")]);
    // The month's hours are known only when its `ood_hours` partition was read.
    let hours_known = frames.read_month(DatasetName::OodHours, month);
    let hours = match frames.lazy(DatasetName::OodHours) {
        Some(hours) => hours
            .select([col("engagement_id").alias("recorded_id"), month_index(col("work_date")).alias("work_index"), col("hours")])
            .join(owners, [col("recorded_id")], [col("recorded_id")], JoinArgs::new(JoinType::Left))
            .select([coalesce(&[col("owner_id"), col("recorded_id")]).alias("engagement_id"), col("work_index"), col("hours")]),
        None => DataFrame::empty_with_schema(&Schema::from_iter([
            Field::new("engagement_id".into(), DataType::String),
            Field::new("work_index".into(), DataType::Int64),
            Field::new("hours".into(), DataType::Float64),
        ]))
        .lazy(),
    };
    let used = hours.filter(col("work_index").eq(lit(report_index))).group_by([col("engagement_id")]).agg([exact_sum(
        col("hours"),
        MONEY_SCALE,
    )
    .alias("hours_used")]);
    (used, hours_known)
}

/// The engagements with their hours, blocks billed, overage and dates, in start order.
fn engagement_table(active: LazyFrame, used: LazyFrame, hours_known: bool) -> LazyFrame {
    let allocated = col("blocks").cast(DataType::Float64) * lit(BLOCK_HOURS);
    let needed = ceil_non_negative(col("hours_used") / lit(BLOCK_HOURS));
    active
        .join(used, [col("engagement_id")], [col("engagement_id")], JoinArgs::new(JoinType::Left))
        .with_columns([
            if hours_known { col("hours_used").fill_null(lit(0.0)) } else { lit(NULL).cast(DataType::Float64) }
                .alias("hours_used"),
            allocated.alias("hours_allocated"),
        ])
        .with_columns([
            at_least(col("hours_allocated") - col("hours_used"), lit(0.0)).alias("hours_remaining"),
            at_least(col("hours_used") - col("hours_allocated"), lit(0.0)).alias("overage_hours"),
            // Unknown hours bill an unknown number of blocks (a null comparison would pick
            // `blocks`).
            when(col("hours_used").is_null())
                .then(lit(NULL).cast(DataType::Int64))
                .when(needed.clone().lt(col("blocks")))
                .then(needed)
                .otherwise(col("blocks"))
                .alias("billed_blocks"),
            (col("start_index") / lit(12i64)).alias("start_year"),
            (col("modified_index") / lit(12i64)).alias("modified_year"),
            (col("modified_index") % lit(12i64) + lit(1i64)).alias("modified_month"),
            (col("start_index") % lit(12i64) + lit(1i64)).alias("start_month"),
            col("ended_at").cast(DataType::Int32).alias("ended_days"),
        ])
        .sort_by_exprs([col("start_index"), col("engagement_id")], SortMultipleOptions::default())
}

/// One engagement per row of the table, priced with the block rates.
fn engagements_of(table: &DataFrame, rates: &std::collections::BTreeMap<String, f64>) -> Vec<OodEngagement> {
    let ids = strings(table, "engagement_id");
    let offerings = strings(table, "offering");
    let bases = strings(table, "basis");
    let years = integers(table, "start_year");
    let months = integers(table, "start_month");
    let ended = integers(table, "ended_days");
    let blocks = integers(table, "blocks");
    let allocated = doubles(table, "hours_allocated");
    let used = doubles(table, "hours_used");
    let remaining = doubles(table, "hours_remaining");
    let billed = integers(table, "billed_blocks");
    let overage = doubles(table, "overage_hours");
    let requested = integers(table, "requested_blocks");
    let before = integers(table, "blocks_before");
    let modification_ids = strings(table, "modification_id");
    let modified_years = integers(table, "modified_year");
    let modified_months = integers(table, "modified_month");
    (0..table.height())
        .map(|row| {
            let allocated = allocated[row].unwrap_or(0.0);
            let used = used[row];
            let offering = offerings[row].clone().unwrap_or_default();
            let rate = rates.get(&offering).copied();
            let billed = billed[row].map(|blocks| blocks.max(0) as u64);
            let modified_from =
                modified_years[row].zip(modified_months[row]).map(|(year, month)| format!("{year:04}-{month:02}-01"));
            OodEngagement {
                engagement_id: ids[row].clone().unwrap_or_default(),
                offering,
                basis: bases[row].clone().unwrap_or_default(),
                start_date: format!("{:04}-{:02}-01", years[row].unwrap_or(0), months[row].unwrap_or(1)),
                ended_at: ended[row].map(|days| date_of(days as i32).to_string()),
                blocks: blocks[row].unwrap_or(0).max(0) as u64,
                hours_allocated: allocated,
                hours_used: used,
                hours_remaining: remaining[row],
                billed_blocks: billed,
                overage_hours: overage[row],
                usage_pct: used.filter(|_| allocated > 0.0).map(|used| used / allocated * 100.0),
                requested_blocks: requested[row].map(|blocks| blocks.max(0) as u64),
                modification_id: modification_ids[row].clone(),
                modified_from,
                blocks_before: before[row].map(|blocks| blocks.max(0) as u64),
                block_rate: rate,
                billed_amount: rate.zip(billed).map(|(rate, blocks)| rate * blocks as f64),
                overage_amount: rate.zip(overage[row]).map(|(rate, hours)| hours / BLOCK_HOURS * rate),
            }
        })
        .collect()
}
