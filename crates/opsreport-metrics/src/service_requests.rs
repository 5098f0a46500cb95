//! `service_requests.*`: volumes, first-response time and adherence, customer satisfaction.
//!
//! Response adherence uses the incident rule with the service-request targets: a request with no
//! first response counts as missed once its deadline is strictly before the period end.

use opsreport_model::DatasetName;
use opsreport_model::metrics::{ByPriority, CountTrendPoint, ServiceRequestMetrics, ServiceRequestSla};
use polars::prelude::*;

use crate::frame::{
    Frames, MICROS_PER_MINUTE, by_priority, collect, count, doubles, first_count, first_double, in_period, integers, materialize,
    mean_minutes, micros_between, priority_counts, priority_target,
};
use crate::{Result, available, missing};

const SECTION: &str = "service_requests";

fn response_met_share(end_micros: i64) -> Expr {
    let deadline =
        col("created_at").cast(DataType::Int64) + (col("response_target") * lit(MICROS_PER_MINUTE)).cast(DataType::Int64);
    let counted = col("first_response_at").is_not_null().or(deadline.lt(lit(end_micros)));
    (col("response_micros").cast(DataType::Float64) / lit(MICROS_PER_MINUTE))
        .lt_eq(col("response_target"))
        .fill_null(lit(false))
        .filter(counted)
        .cast(DataType::Float64)
        .mean()
        .alias("met_share")
}

/// Computes `service_requests.*`.
pub fn compute(frames: &Frames) -> Result<ServiceRequestMetrics> {
    let targets = &frames.config.service_requests.response_target_minutes;
    let target_map = ByPriority { high: targets.high, medium: targets.medium, low: targets.low };
    let raw = match frames.event_data(DatasetName::ServiceRequests) {
        Ok(frame) => frame,
        Err(reason) => {
            return Ok(ServiceRequestMetrics {
                status: missing(reason),
                response_target_minutes: target_map,
                ..ServiceRequestMetrics::default()
            });
        }
    };
    let period = frames.period;
    let requests = raw.with_columns([
        micros_between("created_at", "first_response_at").alias("response_micros"),
        priority_target(targets).alias("response_target"),
    ]);
    let requests = materialize(requests, SECTION)?;
    let created = requests.clone().filter(in_period("created_at", &period));
    let resolved = requests.clone().filter(in_period("resolved_at", &period));
    let end = period.end().timestamp_micros();

    let per_priority = collect(created.clone().group_by([col("priority")]).agg([response_met_share(end)]), SECTION)?;
    let overall =
        collect(created.clone().select([response_met_share(end), mean_minutes(col("response_micros")).alias("mean")]), SECTION)?;
    let shares = by_priority(&per_priority, doubles(&per_priority, "met_share"));
    let pct = |share: Option<f64>| share.map(|share| share * 100.0);

    let rated = resolved.clone().filter(col("csat_score").gt_eq(lit(1i64)).and(col("csat_score").lt_eq(lit(5i64))));
    let csat = collect(
        rated.clone().select([col("csat_score").cast(DataType::Float64).mean().alias("mean"), len().alias("count")]),
        SECTION,
    )?;
    let distribution = collect(rated.group_by([col("csat_score")]).agg([len().alias("count")]), SECTION)?;
    let csat_distribution = integers(&distribution, "csat_score")
        .into_iter()
        .zip(integers(&distribution, "count"))
        .map(|(score, n)| (score.unwrap_or(0).to_string(), n.unwrap_or(0) as u64))
        .collect();
    let csat_responses = first_count(&csat, "count");

    let mut trend = Vec::new();
    for month in period.trend() {
        trend.push(CountTrendPoint {
            month: month.id(),
            opened: Some(count(requests.clone().filter(in_period("created_at", &month)), SECTION)?),
            resolved: Some(count(requests.clone().filter(in_period("resolved_at", &month)), SECTION)?),
        });
    }
    Ok(ServiceRequestMetrics {
        status: available(),
        opened: priority_counts(created, SECTION)?,
        resolved: priority_counts(resolved, SECTION)?,
        mean_response_minutes: first_double(&overall, "mean"),
        response_sla_pct: ServiceRequestSla {
            high: pct(shares.high),
            medium: pct(shares.medium),
            low: pct(shares.low),
            total: pct(first_double(&overall, "met_share")),
        },
        response_target_minutes: target_map,
        csat_avg: if csat_responses > 0 { first_double(&csat, "mean") } else { None },
        csat_responses: Some(csat_responses),
        csat_distribution,
        trend,
    })
}
