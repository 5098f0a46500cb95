//! `backups.*`: continuity — job outcomes, coverage, recovery-point objective breaches, stored
//! bytes and restore testing.
//!
//! Jobs are those created in the period, already deduplicated by the extract stage (the latest
//! `dataset_datetime` of a job wins). RPO: for each resource with a job in the period, the longest
//! gap between consecutive COMPLETED `completion_dt_utc`, counting from the period start to the
//! first and from the last to `min(end, generation time)`; a resource with no completed job has
//! one gap, the whole span.

use opsreport_model::DatasetName;
use opsreport_model::ReportPeriod;
use opsreport_model::contract::BACKUP_TERMINAL_STATUSES;
use opsreport_model::metrics::{Availability, BackupMetrics, FailedBackup, PercentPoint, RpoBreach};
use polars::prelude::*;

use crate::frame::{
    Frames, PerPeriod, at_least, collect, count, counts_by, doubles, first_count, in_period, integers, materialize, one_of,
    percent, rfc3339_micros, rows, rows_where, strings,
};
use crate::{Result, available, missing};

const SECTION: &str = "backups";
const MICROS_PER_HOUR: f64 = 3_600_000_000.0;

/// Success rate (completed / terminal jobs) in each of `periods`, in one query over the jobs'
/// history ([`Frames::history`]).
fn success_rates(history: &LazyFrame, periods: &[ReportPeriod]) -> Result<Vec<Option<f64>>> {
    let counts = PerPeriod::by_period_of(
        history.clone().filter(one_of("backup_job_status", BACKUP_TERMINAL_STATUSES)),
        "creation_dt_utc",
        periods,
        vec![("terminal".into(), rows()), ("completed".into(), rows_where(col("backup_job_status").eq(lit("COMPLETED"))))],
        SECTION,
    )?;
    Ok((0..periods.len()).map(|index| percent(counts.count(index, "completed"), counts.count(index, "terminal"))).collect())
}

fn rpo_breaches(frames: &Frames, current: &LazyFrame) -> Result<Vec<RpoBreach>> {
    let period = frames.period;
    let horizon = period.end().min(frames.generated_at.max(period.start()));
    let start_micros = period.start().timestamp_micros();
    let horizon_micros = horizon.timestamp_micros();
    let previous = col("done").shift(lit(1)).over([col("resource_id")]).map_err(crate::frame::failed(SECTION))?;
    let resources = current.clone().group_by([col("resource_id")]).agg([col("resource_type").first()]);
    let completions = current
        .clone()
        .filter(col("backup_job_status").eq(lit("COMPLETED")).and(col("completion_dt_utc").is_not_null()))
        .select([col("resource_id"), col("completion_dt_utc").cast(DataType::Int64).alias("done")])
        .sort_by_exprs([col("resource_id"), col("done")], SortMultipleOptions::default())
        .with_column(previous.alias("previous"))
        .with_column((col("done") - col("previous").fill_null(lit(start_micros))).alias("gap"))
        .group_by([col("resource_id")])
        .agg([col("gap").max().alias("inner_gap"), col("done").max().alias("last")]);
    let rpo_micros = frames.config.backups.rpo_hours * MICROS_PER_HOUR;
    let gaps = collect(
        resources
            .join(completions, [col("resource_id")], [col("resource_id")], JoinArgs::new(JoinType::Left))
            .with_column(
                when(col("last").is_null())
                    .then(lit(horizon_micros - start_micros))
                    .otherwise(at_least(col("inner_gap"), lit(horizon_micros) - col("last")))
                    .cast(DataType::Float64)
                    .alias("longest"),
            )
            .filter(col("longest").gt(lit(rpo_micros)))
            .sort_by_exprs(
                [col("longest"), col("resource_id")],
                SortMultipleOptions::default().with_order_descending_multi([true, false]),
            ),
        SECTION,
    )?;
    Ok(strings(&gaps, "resource_id")
        .into_iter()
        .zip(strings(&gaps, "resource_type"))
        .zip(doubles(&gaps, "longest"))
        .map(|((resource, kind), gap)| RpoBreach {
            resource_id: resource.unwrap_or_default(),
            resource_type: kind.unwrap_or_default(),
            longest_gap_hours: gap.unwrap_or(0.0) / MICROS_PER_HOUR,
        })
        .collect())
}

fn failed_jobs(current: &LazyFrame) -> Result<Vec<FailedBackup>> {
    let failed = collect(
        current
            .clone()
            .filter(one_of("backup_job_status", &["FAILED", "ABORTED", "EXPIRED", "PARTIAL"]))
            .sort_by_exprs(
                [col("creation_dt_utc"), col("backup_job_id")],
                SortMultipleOptions::default().with_order_descending_multi([true, false]),
            )
            .select([
                col("backup_job_id"),
                col("resource_id"),
                col("resource_type"),
                col("backup_job_status"),
                col("creation_dt_utc").cast(DataType::Int64).alias("created"),
                col("status_message"),
            ]),
        SECTION,
    )?;
    let ids = strings(&failed, "backup_job_id");
    let resources = strings(&failed, "resource_id");
    let kinds = strings(&failed, "resource_type");
    let statuses = strings(&failed, "backup_job_status");
    let created = integers(&failed, "created");
    let messages = strings(&failed, "status_message");
    Ok((0..failed.height())
        .map(|row| FailedBackup {
            backup_job_id: ids[row].clone().unwrap_or_default(),
            resource_id: resources[row].clone().unwrap_or_default(),
            resource_type: kinds[row].clone().unwrap_or_default(),
            status: statuses[row].clone().unwrap_or_default(),
            created_at: rfc3339_micros(created[row].unwrap_or(0)),
            status_message: messages[row].clone(),
        })
        .collect())
}

/// Computes `backups.*`.
pub fn compute(frames: &Frames) -> Result<BackupMetrics> {
    let rpo_target_hours = frames.config.backups.rpo_hours;
    let period = frames.period;
    let (restores, restores_succeeded) = match frames.lazy(DatasetName::RestoreJobs) {
        Some(restores) => {
            let current = restores.filter(in_period("creation_date", &period));
            (
                Some(count(current.clone(), SECTION)?),
                Some(count(current.filter(col("job_status").eq(lit("COMPLETED"))), SECTION)?),
            )
        }
        None => (None, None),
    };
    let jobs = match frames.event_data(DatasetName::BackupJobs) {
        Ok(frame) => frame,
        Err(reason) => {
            return Ok(BackupMetrics {
                status: missing(reason),
                rpo_target_hours,
                restores,
                restores_succeeded,
                ..BackupMetrics::default()
            });
        }
    };
    let current = materialize(jobs.filter(in_period("creation_dt_utc", &period)), SECTION)?;
    let by_status = counts_by(current.clone(), "backup_job_status", "Other", SECTION)?;
    let coverage = collect(
        current.clone().select([
            col("resource_id").n_unique().alias("resources"),
            col("resource_id").filter(col("backup_job_status").eq(lit("COMPLETED"))).n_unique().alias("protected"),
            col("backup_size_in_bytes").filter(col("backup_job_status").eq(lit("COMPLETED"))).sum().alias("stored"),
        ]),
        SECTION,
    )?;
    let resources = first_count(&coverage, "resources");
    let protected = first_count(&coverage, "protected");
    let breaches = rpo_breaches(frames, &current)?;
    // The report period is the last trend period (a month, a week), or spans several (a quarter).
    let months = period.trend();
    let history = frames.history(DatasetName::BackupJobs).expect("present: its rows were read").cache();
    let rates = success_rates(&history, &months)?;
    // A quarter is not one of its trend months: its rate is its own.
    let success_rate_pct = match months.last() {
        Some(last) if *last == period => rates.last().copied().flatten(),
        _ => success_rates(&history, &[period])?.pop().flatten(),
    };
    let trend = months.iter().zip(rates).map(|(month, pct)| PercentPoint { month: month.id(), pct }).collect();
    Ok(BackupMetrics {
        status: Availability {
            not_provided: frames
                .not_provided(DatasetName::BackupJobs, "status_message", "Failure messages are")
                .into_iter()
                .collect(),
            ..available()
        },
        jobs: Some(by_status.values().sum()),
        success_rate_pct,
        by_status,
        resources: Some(resources),
        resources_protected: Some(protected),
        coverage_pct: percent(protected, resources),
        rpo_breaches: Some(breaches.len() as u64),
        rpo_target_hours,
        rpo_breach_resources: breaches,
        stored_bytes: Some(first_count(&coverage, "stored")),
        restores,
        restores_succeeded,
        failed_jobs: failed_jobs(&current)?,
        trend,
    })
}
