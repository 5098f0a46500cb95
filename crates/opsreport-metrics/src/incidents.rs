//! `incidents.*`: volumes, MTTA/MTTR, response and resolution SLA adherence, recurring groups,
//! key events, and their 6-month and 12-week trends.
//!
//! Clock rules: response time = `acknowledged_at - created_at`; resolution time =
//! `resolved_at - created_at - customer_wait_minutes` (null wait = 0), floored at 0. An incident
//! is SLA-eligible unless `non_incident` or `best_effort`. For response adherence, an incident with
//! no acknowledgement counts as missed once its deadline (`created_at + target`) is strictly
//! before the period end, and is not counted while the deadline has not passed.

use chrono::Duration;
use opsreport_model::DatasetName;
use opsreport_model::ReportPeriod;
use opsreport_model::metrics::{
    ByPriority, IncidentMetrics, IncidentTrendPoint, IncidentWeekPoint, KeyEvent, OpenIncident, PriorityCounts, ProblemRecord,
    RecurringGroup,
};
use polars::prelude::*;

use crate::frame::{
    Frames, MICROS_PER_MINUTE, PerPeriod, at_least, by_priority, ceil_non_negative, collect, count_where, counts_by, doubles,
    fixed_point, instant, integers, materialize, mean_minutes, micros_between, priority_target, rfc3339_micros, strings, within,
};
use crate::{Result, available, missing};

const SECTION: &str = "incidents";

/// The numbers of one month (the headline month or a trend month).
struct IncidentMonth {
    opened: PriorityCounts,
    resolved: PriorityCounts,
    open_at_end: u64,
    mttr: ByPriority<Option<f64>>,
    mttr_p90: ByPriority<Option<f64>>,
    mtta: ByPriority<Option<f64>>,
    response_sla: ByPriority<Option<f64>>,
    resolution_sla: ByPriority<Option<f64>>,
}

/// Incidents with the derived clock columns.
fn with_clocks(frames: &Frames, incidents: LazyFrame) -> LazyFrame {
    let config = &frames.config.incidents;
    incidents.with_columns([
        col("non_incident").fill_null(lit(false)).not().and(col("best_effort").fill_null(lit(false)).not()).alias("eligible"),
        // Clocks in integer microseconds, so sums and means do not depend on summation order.
        micros_between("created_at", "acknowledged_at").alias("response_micros"),
        at_least(
            micros_between("created_at", "resolved_at")
                - fixed_point(col("customer_wait_minutes").fill_null(lit(0.0)), MICROS_PER_MINUTE),
            lit(0i64),
        )
        .alias("resolution_micros"),
        priority_target(&config.response_target_minutes).alias("response_target"),
        priority_target(&config.resolution_target_minutes).alias("resolution_target"),
    ])
}

/// Resolution time in minutes (from the exact microsecond clock).
fn resolution_minutes() -> Expr {
    (col("resolution_micros").cast(DataType::Float64) / lit(MICROS_PER_MINUTE)).alias("resolution_minutes")
}

/// Response time in minutes.
fn response_minutes() -> Expr {
    col("response_micros").cast(DataType::Float64) / lit(MICROS_PER_MINUTE)
}

/// Nearest-rank percentile of a column inside an aggregation: the value at rank ⌈q·n⌉.
fn nearest_rank(column: &str, quantile: f64) -> Expr {
    let rank = ceil_non_negative(len().cast(DataType::Float64) * lit(quantile)) - lit(1i64);
    col(column).sort(SortOptions::default()).get(at_least(rank, lit(0i64)), true)
}

/// The month of `periods` an incident's times fall in.
const MONTH: &str = "__month";
/// That month's end (microseconds).
const MONTH_END: &str = "__month_end";

/// Which of `periods` a time falls in (null: none of them), and that month's end.
fn month_of(column: &str, periods: &[ReportPeriod]) -> [Expr; 2] {
    let mut index = lit(NULL).cast(DataType::UInt32);
    let mut end = lit(NULL).cast(DataType::Int64);
    for (position, period) in periods.iter().enumerate().rev() {
        let inside = within(column, period.start(), period.end());
        index = when(inside.clone()).then(lit(position as u32)).otherwise(index);
        end = when(inside).then(lit(period.end().timestamp_micros())).otherwise(end);
    }
    [index.alias(MONTH), end.alias(MONTH_END)]
}

/// The incidents opened and resolved in each period, by priority, and those open at its end.
fn month_counts(incidents: &LazyFrame, periods: &[ReportPeriod]) -> Result<PerPeriod> {
    PerPeriod::collect(
        incidents.clone(),
        periods,
        |period| {
            let (start, end) = (period.start(), period.end());
            let mut measures = Vec::new();
            for (name, rows) in [("opened", within("created_at", start, end)), ("resolved", within("resolved_at", start, end))] {
                measures.push((format!("{name}_total"), count_where(rows.clone())));
                for priority in ["High", "Medium", "Low"] {
                    measures
                        .push((format!("{name}_{priority}"), count_where(rows.clone().and(col("priority").eq(lit(priority))))));
                }
            }
            let open_at_end =
                col("created_at").lt(instant(end)).and(col("resolved_at").is_null().or(col("resolved_at").gt_eq(instant(end))));
            measures.push(("open".into(), count_where(open_at_end)));
            measures
        },
        SECTION,
    )
}

/// Eligible incidents grouped by the month of `periods` that `column` falls in and by priority.
fn by_month_and_priority(
    incidents: &LazyFrame,
    periods: &[ReportPeriod],
    column: &str,
    aggregates: Vec<Expr>,
) -> Result<DataFrame> {
    collect(
        incidents
            .clone()
            .filter(col("eligible"))
            .with_columns(month_of(column, periods))
            .filter(col(MONTH).is_not_null())
            .group_by([col(MONTH), col("priority")])
            .agg(aggregates),
        SECTION,
    )
}

/// Resolution times (mean, 90th percentile) and the share resolved within target, by the month
/// resolved and priority.
fn resolution_statistics(incidents: &LazyFrame, periods: &[ReportPeriod]) -> Result<DataFrame> {
    by_month_and_priority(
        incidents,
        periods,
        "resolved_at",
        vec![
            mean_minutes(col("resolution_micros")).alias("mttr"),
            (nearest_rank("resolution_micros", 0.9).cast(DataType::Float64) / lit(MICROS_PER_MINUTE)).alias("p90"),
            resolution_minutes().lt_eq(col("resolution_target")).cast(DataType::Float64).mean().alias("met_share"),
        ],
    )
}

/// Response times and the share acknowledged within target, by the month opened and priority.
fn response_statistics(incidents: &LazyFrame, periods: &[ReportPeriod]) -> Result<DataFrame> {
    let deadline =
        col("created_at").cast(DataType::Int64) + (col("response_target") * lit(MICROS_PER_MINUTE)).cast(DataType::Int64);
    // An unacknowledged incident counts (as missed) once its deadline is before its month's end.
    let response_counted = col("acknowledged_at").is_not_null().or(deadline.lt(col(MONTH_END)));
    by_month_and_priority(
        incidents,
        periods,
        "created_at",
        vec![
            mean_minutes(col("response_micros")).alias("mtta"),
            response_minutes()
                .lt_eq(col("response_target"))
                .fill_null(lit(false))
                .filter(response_counted)
                .cast(DataType::Float64)
                .mean()
                .alias("met_share"),
        ],
    )
}

/// The rows of one month (by its position in the periods).
fn of_month(frame: &DataFrame, position: usize) -> Result<DataFrame> {
    let rows = frame
        .column(MONTH)
        .and_then(|months| months.as_materialized_series().equal(position as u32))
        .map_err(crate::frame::failed(SECTION))?;
    frame.filter(&rows).map_err(crate::frame::failed(SECTION))
}

/// The numbers of each of `periods` (the six trend months, the report month last) in three
/// queries: counts, then resolution and response statistics grouped by month and priority. Every
/// month is computed with the same expressions; only its boundaries differ.
fn months(incidents: &LazyFrame, periods: &[ReportPeriod]) -> Result<Vec<IncidentMonth>> {
    let counts = month_counts(incidents, periods)?;
    let priority_counts = |name: &str, position: usize| {
        let count = |priority: &str| counts.count(position, &format!("{name}_{priority}"));
        PriorityCounts { high: count("High"), medium: count("Medium"), low: count("Low"), total: count("total") }
    };
    let resolution = resolution_statistics(incidents, periods)?;
    let response = response_statistics(incidents, periods)?;
    let to_pct = |shares: Vec<Option<f64>>| shares.into_iter().map(|share| share.map(|share| share * 100.0)).collect::<Vec<_>>();
    (0..periods.len())
        .map(|position| {
            let resolution = of_month(&resolution, position)?;
            let response = of_month(&response, position)?;
            Ok(IncidentMonth {
                opened: priority_counts("opened", position),
                resolved: priority_counts("resolved", position),
                open_at_end: counts.count(position, "open"),
                mttr: by_priority(&resolution, doubles(&resolution, "mttr")),
                mttr_p90: by_priority(&resolution, doubles(&resolution, "p90")),
                resolution_sla: by_priority(&resolution, to_pct(doubles(&resolution, "met_share"))),
                mtta: by_priority(&response, doubles(&response, "mtta")),
                response_sla: by_priority(&response, to_pct(doubles(&response, "met_share"))),
            })
        })
        .collect()
}

fn recurring(frames: &Frames, incidents: &LazyFrame) -> Result<Vec<RecurringGroup>> {
    let settings = &frames.config.incidents;
    let period = &frames.period;
    // The window is counted in local days, so it is DST-correct like every other boundary.
    let end_day = period.end().with_timezone(&period.time_zone()).date_naive();
    let window_start = opsreport_model::period::local_midnight(
        end_day - Duration::days(i64::from(settings.recurring_window_days)),
        period.time_zone(),
    );
    let groups = collect(
        incidents
            .clone()
            .filter(within("created_at", window_start, period.end()))
            .with_columns([
                col("stack_id").fill_null(col("resource_id")).alias("target"),
                col("yuma_category").fill_null(lit("Uncategorised")).alias("category"),
            ])
            .filter(col("target").is_not_null())
            .group_by([col("target"), col("category")])
            .agg([len().alias("count"), col("case_id").sort(SortOptions::default()).alias("case_ids")])
            .filter(col("count").gt_eq(lit(settings.recurring_min_count)))
            .sort_by_exprs(
                [col("count"), col("target"), col("category")],
                SortMultipleOptions::default().with_order_descending_multi([true, false, false]),
            ),
        SECTION,
    )?;
    let case_ids = groups.column("case_ids").map_err(crate::frame::failed(SECTION))?;
    let mut result = Vec::new();
    for (row, ((target, category), count)) in
        strings(&groups, "target").into_iter().zip(strings(&groups, "category")).zip(integers(&groups, "count")).enumerate()
    {
        let ids = match case_ids.get(row).map_err(crate::frame::failed(SECTION))? {
            AnyValue::List(series) => {
                series.str().map(|values| values.iter().flatten().map(str::to_owned).collect()).unwrap_or_default()
            }
            _ => Vec::new(),
        };
        result.push(RecurringGroup {
            target: target.unwrap_or_default(),
            category: category.unwrap_or_default(),
            count: count.unwrap_or(0) as u64,
            case_ids: ids,
        });
    }
    Ok(result)
}

fn key_events(frames: &Frames, incidents: &LazyFrame) -> Result<Vec<KeyEvent>> {
    let events = collect(
        incidents
            .clone()
            .filter(col("priority").eq(lit("High")).and(within("resolved_at", frames.period.start(), frames.period.end())))
            .sort_by_exprs([col("created_at"), col("case_id")], SortMultipleOptions::default())
            .select([
                col("case_id"),
                col("subject"),
                col("created_at").cast(DataType::Int64).alias("created"),
                col("resolved_at").cast(DataType::Int64).alias("resolved"),
                resolution_minutes(),
                col("root_cause"),
                col("rca_status"),
            ]),
        SECTION,
    )?;
    let case_ids = strings(&events, "case_id");
    let subjects = strings(&events, "subject");
    let created = integers(&events, "created");
    let resolved = integers(&events, "resolved");
    let minutes = doubles(&events, "resolution_minutes");
    let causes = strings(&events, "root_cause");
    let statuses = strings(&events, "rca_status");
    Ok((0..events.height())
        .map(|row| KeyEvent {
            case_id: case_ids[row].clone().unwrap_or_default(),
            subject: subjects[row].clone(),
            created_at: rfc3339_micros(created[row].unwrap_or(0)),
            resolved_at: rfc3339_micros(resolved[row].unwrap_or(0)),
            resolution_minutes: minutes[row].unwrap_or(0.0),
            root_cause: causes[row].clone(),
            rca_status: statuses[row].clone(),
        })
        .collect())
}

/// High, Medium, Low as 0, 1, 2 (for sorting).
fn priority_rank() -> Expr {
    when(col("priority").eq(lit("High")))
        .then(lit(0i32))
        .otherwise(when(col("priority").eq(lit("Medium"))).then(lit(1i32)).otherwise(lit(2i32)))
}

/// Incidents open at the end of the period: created before it ends, not resolved by then.
fn open_incidents(frames: &Frames, incidents: &LazyFrame) -> Result<Vec<OpenIncident>> {
    let end = frames.period.end();
    let rows = collect(
        incidents
            .clone()
            .filter(
                col("created_at").lt(instant(end)).and(col("resolved_at").is_null().or(col("resolved_at").gt_eq(instant(end)))),
            )
            .sort_by_exprs([priority_rank(), col("created_at"), col("case_id")], SortMultipleOptions::default())
            .select([
                col("case_id"),
                col("priority"),
                col("status"),
                col("subject"),
                col("created_at").cast(DataType::Int64).alias("created"),
            ]),
        SECTION,
    )?;
    let (ids, priorities, statuses) = (strings(&rows, "case_id"), strings(&rows, "priority"), strings(&rows, "status"));
    let (subjects, created) = (strings(&rows, "subject"), integers(&rows, "created"));
    let end_micros = end.timestamp_micros();
    Ok((0..rows.height())
        .map(|row| {
            let opened = created[row].unwrap_or(end_micros);
            OpenIncident {
                case_id: ids[row].clone().unwrap_or_default(),
                priority: priorities[row].clone().unwrap_or_default(),
                status: statuses[row].clone().unwrap_or_default(),
                subject: subjects[row].clone(),
                created_at: rfc3339_micros(opened),
                open_minutes: (end_micros - opened) as f64 / MICROS_PER_MINUTE,
            }
        })
        .collect())
}

/// Problem records: incidents created before the period ends whose root-cause analysis is pending.
fn problems(frames: &Frames, incidents: &LazyFrame) -> Result<Vec<ProblemRecord>> {
    let rows = collect(
        incidents
            .clone()
            .filter(col("created_at").lt(instant(frames.period.end())).and(col("rca_status").eq(lit("Pending"))))
            .sort_by_exprs([col("created_at"), col("case_id")], SortMultipleOptions::default())
            .select([
                col("case_id"),
                col("priority"),
                col("subject"),
                col("created_at").cast(DataType::Int64).alias("created"),
                col("root_cause"),
            ]),
        SECTION,
    )?;
    let (ids, priorities, subjects) = (strings(&rows, "case_id"), strings(&rows, "priority"), strings(&rows, "subject"));
    let (created, causes) = (integers(&rows, "created"), strings(&rows, "root_cause"));
    Ok((0..rows.height())
        .map(|row| ProblemRecord {
            case_id: ids[row].clone().unwrap_or_default(),
            priority: priorities[row].clone().unwrap_or_default(),
            subject: subjects[row].clone(),
            created_at: rfc3339_micros(created[row].unwrap_or(0)),
            root_cause: causes[row].clone(),
        })
        .collect())
}

fn trend_point(period: &ReportPeriod, numbers: &IncidentMonth) -> IncidentTrendPoint {
    IncidentTrendPoint {
        month: period.id(),
        opened: numbers.opened.clone(),
        resolved: numbers.resolved.clone(),
        mttr_minutes: numbers.mttr.clone(),
        response_sla_pct: numbers.response_sla.clone(),
        resolution_sla_pct: numbers.resolution_sla.clone(),
    }
}

/// Computes `incidents.*`.
pub fn compute(frames: &Frames) -> Result<IncidentMetrics> {
    let config = &frames.config.incidents;
    let targets = |minutes: &opsreport_model::config::PriorityMinutes| ByPriority {
        high: minutes.high,
        medium: minutes.medium,
        low: minutes.low,
    };
    let raw = match frames.event_data(DatasetName::Incidents) {
        Ok(frame) => frame,
        Err(reason) => {
            return Ok(IncidentMetrics {
                status: missing(reason),
                response_target_minutes: targets(&config.response_target_minutes),
                resolution_target_minutes: targets(&config.resolution_target_minutes),
                ..IncidentMetrics::default()
            });
        }
    };
    let incidents = materialize(with_clocks(frames, raw), SECTION)?;
    let period = frames.period;
    let trend_periods = period.trend();
    let mut numbers = months(&incidents, &trend_periods)?;
    let trend_months = trend_periods.iter().zip(&numbers).map(|(month, numbers)| trend_point(month, numbers)).collect();
    // The report period is the last trend period (a month, a week), or spans several (a quarter).
    let headline = match trend_periods.last() {
        Some(last) if *last == period => numbers.pop(),
        _ => months(&incidents, &[period])?.pop(),
    }
    .expect("one period, one set of numbers");
    // The 12 weeks' opened and resolved counts in one query.
    let weeks = period.trend_weeks(12);
    let counts = PerPeriod::collect(
        incidents.clone(),
        &weeks,
        |week| {
            vec![
                ("opened".into(), count_where(within("created_at", week.start, week.end))),
                ("resolved".into(), count_where(within("resolved_at", week.start, week.end))),
            ]
        },
        SECTION,
    )?;
    // A week that ends before the first month of data has no counts (not zeros).
    let data_from = frames.data_from(DatasetName::Incidents);
    let trend_weeks = weeks
        .iter()
        .enumerate()
        .map(|(index, week)| {
            let known = data_from.is_none_or(|from| week.end > from);
            IncidentWeekPoint {
                week_start: week.monday,
                opened: known.then(|| counts.count(index, "opened")),
                resolved: known.then(|| counts.count(index, "resolved")),
            }
        })
        .collect();
    Ok(IncidentMetrics {
        status: available(),
        opened: headline.opened,
        resolved: headline.resolved,
        open_at_end: Some(headline.open_at_end),
        mttr_minutes: headline.mttr,
        mttr_p90_minutes: headline.mttr_p90,
        mtta_minutes: headline.mtta,
        response_sla_pct: headline.response_sla,
        resolution_sla_pct: headline.resolution_sla,
        response_target_minutes: targets(&config.response_target_minutes),
        resolution_target_minutes: targets(&config.resolution_target_minutes),
        recurring: recurring(frames, &incidents)?,
        key_events: key_events(frames, &incidents)?,
        open_incidents: open_incidents(frames, &incidents)?,
        problems: problems(frames, &incidents)?,
        by_category: counts_by(
            incidents.clone().filter(within("created_at", period.start(), period.end())),
            "yuma_category",
            "Uncategorised",
            SECTION,
        )?,
        trend_months,
        trend_weeks,
    })
}
