//! `patching.*`: patch compliance of non-terminated instances in the month's latest
//! `patch_details` snapshot, missing patches by severity, maintenance-window coverage, stacks
//! fully patched, overdue critical patches and patches installed during the month.

use opsreport_model::DatasetName;
use opsreport_model::ReportPeriod;
use opsreport_model::metrics::{Availability, PatchingMetrics, PercentPoint, SeverityCounts, StackCompliance};
use polars::prelude::*;

use crate::frame::{
    Accounts, Frames, Snapshot, at_least, collect, first_count, first_snapshot, integers, latest_snapshot, percent, strings,
};
use crate::{Result, available, missing};

const SECTION: &str = "patching";

fn live(details: &LazyFrame, snapshot: &Snapshot) -> LazyFrame {
    snapshot.rows(details).filter(col("instance_state").neq(lit("terminated")))
}

fn compliance(details: &LazyFrame, period: &ReportPeriod, accounts: Accounts) -> Result<Option<f64>> {
    let Some(snapshot) = latest_snapshot(details, period, accounts, SECTION)? else {
        return Ok(None);
    };
    let summary = collect(
        live(details, &snapshot).select([
            len().alias("instances"),
            col("patch_status").eq(lit("COMPLIANT")).cast(DataType::UInt32).sum().alias("compliant"),
        ]),
        SECTION,
    )?;
    Ok(percent(first_count(&summary, "compliant"), first_count(&summary, "instances")))
}

/// Computes `patching.*`.
pub fn compute(frames: &Frames) -> Result<PatchingMetrics> {
    let Some(details) = frames.lazy(DatasetName::PatchDetails) else {
        return Ok(PatchingMetrics {
            status: missing(frames.missing_reason(DatasetName::PatchDetails)),
            ..PatchingMetrics::default()
        });
    };
    let details = details.cache();
    let period = frames.period;
    let trend = period
        .trend()
        .iter()
        .map(|month| Ok(PercentPoint { month: month.id(), pct: compliance(&details, month, frames.accounts)? }))
        .collect::<Result<Vec<_>>>()?;
    let Some(snapshot) = latest_snapshot(&details, &period, frames.accounts, SECTION)? else {
        return Ok(PatchingMetrics {
            status: missing(format!("no patch_details snapshot dated in {}", period.label())),
            trend,
            ..PatchingMetrics::default()
        });
    };
    let current = live(&details, &snapshot);
    let sum = |name: &str| col(name).sum().alias(name);
    let summary = collect(
        current.clone().select([
            len().alias("instances"),
            col("patch_status").eq(lit("COMPLIANT")).cast(DataType::UInt32).sum().alias("compliant"),
            col("mw_covered_flag").cast(DataType::UInt32).sum().alias("covered"),
            sum("noncompliant_critical"),
            sum("noncompliant_high"),
            sum("noncompliant_medium"),
            sum("noncompliant_low"),
            sum("noncompliant_informational"),
            sum("noncompliant_unspecified"),
            sum("noncompliant_total"),
        ]),
        SECTION,
    )?;
    let instances = first_count(&summary, "instances");
    let compliant = first_count(&summary, "compliant");

    let by_stack = by_stack(&current)?;

    let critical_overdue = critical_overdue(frames)?;
    let (missing_security, instances_missing_security) = security(frames)?;

    let installed = installed(&details, &period, &snapshot, frames.accounts)?;
    let installed_known = !frames.lacks(DatasetName::PatchDetails, "compliant_total");
    // Installed patches are a difference of two snapshots: a period with one (a week of a
    // weekly export) cannot give it, and says so rather than showing 0.
    let one_snapshot = installed_known && installed.is_none();

    let not_provided = not_provided(frames, one_snapshot.then_some(snapshot.day));
    let stacks_known = !frames.lacks(DatasetName::PatchDetails, "instance_stack_name");
    Ok(PatchingMetrics {
        status: Availability { not_provided, ..available() },
        snapshot_date: Some(snapshot.day.to_string()),
        instances: Some(instances),
        compliant: Some(compliant),
        compliance_pct: percent(compliant, instances),
        missing_by_severity: Some(SeverityCounts {
            critical: first_count(&summary, "noncompliant_critical"),
            high: first_count(&summary, "noncompliant_high"),
            medium: first_count(&summary, "noncompliant_medium"),
            low: first_count(&summary, "noncompliant_low"),
            informational: first_count(&summary, "noncompliant_informational"),
            unspecified: first_count(&summary, "noncompliant_unspecified"),
        }),
        missing_total: Some(first_count(&summary, "noncompliant_total")),
        mw_coverage_pct: percent(first_count(&summary, "covered"), instances),
        stacks_fully_patched: stacks_known
            .then(|| by_stack.iter().filter(|stack| stack.compliant == stack.instances).count() as u64),
        stacks_with_instances: stacks_known.then_some(by_stack.len() as u64),
        critical_overdue,
        missing_security,
        instances_missing_security,
        patches_installed: installed.filter(|_| installed_known).map(|installed| first_count(&installed, "installed")),
        by_stack,
        trend,
    })
}

/// What the patch data cannot give: the columns its source lacks, and installed patches when
/// the period has only the snapshot of `one_snapshot`.
fn not_provided(frames: &Frames, one_snapshot: Option<chrono::NaiveDate>) -> Vec<String> {
    [
        frames.not_provided(DatasetName::PatchDetails, "compliant_total", "Installed patch counts are"),
        frames.not_provided(DatasetName::PatchDetails, "instance_stack_name", "Compliance by stack is"),
        one_snapshot.map(|day| {
            format!(
                "Installed patches are not counted: they need two snapshots in the period, and {} has one ({day})",
                frames.period.label()
            )
        }),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Compliance per stack of the snapshot's live instances, least compliant first.
fn by_stack(current: &LazyFrame) -> Result<Vec<StackCompliance>> {
    let stacks = collect(
        current
            .clone()
            .filter(col("instance_stack_name").is_not_null())
            .group_by([col("instance_stack_name")])
            .agg([
                len().alias("instances"),
                col("patch_status").eq(lit("COMPLIANT")).cast(DataType::UInt32).sum().alias("compliant"),
            ])
            .with_column(
                (col("compliant").cast(DataType::Float64) / col("instances").cast(DataType::Float64) * lit(100.0)).alias("pct"),
            )
            .sort_by_exprs([col("pct"), col("instance_stack_name")], SortMultipleOptions::default()),
        SECTION,
    )?;
    Ok(strings(&stacks, "instance_stack_name")
        .into_iter()
        .zip(integers(&stacks, "instances"))
        .zip(integers(&stacks, "compliant"))
        .map(|((stack, instances), compliant)| {
            let instances = instances.unwrap_or(0) as u64;
            let compliant = compliant.unwrap_or(0) as u64;
            StackCompliance {
                stack: stack.unwrap_or_default(),
                instances,
                compliant,
                compliance_pct: percent(compliant, instances).unwrap_or(0.0),
            }
        })
        .collect())
}

/// Instances with a critical patch missing for longer than `critical_overdue_days`, in the
/// month's latest `missing_patches` snapshot (none without that dataset).
fn critical_overdue(frames: &Frames) -> Result<Option<u64>> {
    let Some(missing_patches) = frames.lazy(DatasetName::MissingPatches) else {
        return Ok(None);
    };
    let Some(snapshot) = latest_snapshot(&missing_patches, &frames.period, frames.accounts, SECTION)? else {
        return Ok(None);
    };
    let critical = col("patch_sev").str().strip_chars(lit(NULL)).str().to_lowercase().eq(lit("critical"));
    let overdue = col("days_unpatched").gt(lit(i64::from(frames.config.patching.critical_overdue_days)));
    let found = collect(
        snapshot.rows(&missing_patches).filter(critical.and(overdue)).select([col("instance_id").n_unique().alias("instances")]),
        SECTION,
    )?;
    Ok(Some(first_count(&found, "instances")))
}

/// Security patches apart from the others: missing patches whose `patch_class` contains
/// "security" (any case) in the month's latest missing-patches snapshot, and the instances they
/// are missing on. Unknown (null) without the snapshot, or when no row of it has a class.
fn security(frames: &Frames) -> Result<(Option<u64>, Option<u64>)> {
    let Some(missing_patches) = frames.lazy(DatasetName::MissingPatches) else {
        return Ok((None, None));
    };
    let Some(snapshot) = latest_snapshot(&missing_patches, &frames.period, frames.accounts, SECTION)? else {
        return Ok((None, None));
    };
    let security = col("patch_class").str().to_lowercase().str().contains_literal(lit("security"));
    let found = collect(
        snapshot.rows(&missing_patches).select([
            col("patch_class").is_not_null().cast(DataType::UInt32).sum().alias("classified"),
            security.clone().fill_null(lit(false)).cast(DataType::UInt32).sum().alias("patches"),
            col("instance_id").filter(security.fill_null(lit(false))).n_unique().alias("instances"),
        ]),
        SECTION,
    )?;
    if first_count(&found, "classified") == 0 {
        return Ok((None, None));
    }
    Ok((Some(first_count(&found, "patches")), Some(first_count(&found, "instances"))))
}

/// Patches installed during the month: per instance in both the month's first and latest
/// snapshot, the growth of its installed count (never negative).
/// Patches installed between the period's first and latest snapshot; `None` when they are of
/// one day (one snapshot in the period).
fn installed(details: &LazyFrame, period: &ReportPeriod, latest: &Snapshot, accounts: Accounts) -> Result<Option<DataFrame>> {
    let first = first_snapshot(details, period, accounts, SECTION)?.unwrap_or(*latest);
    if first.day == latest.day {
        return Ok(None);
    }
    collect(
        live(details, latest)
            .select([col("instance_id"), col("compliant_total").alias("latest")])
            .join(
                live(details, &first).select([col("instance_id"), col("compliant_total").alias("first")]),
                [col("instance_id")],
                [col("instance_id")],
                JoinArgs::new(JoinType::Inner),
            )
            .select([at_least(col("latest") - col("first"), lit(0i64)).sum().alias("installed")]),
        SECTION,
    )
    .map(Some)
}
