//! The view of the report's "Continuity (backup and restore)" part, from `metrics.backups`: its sentences,
//! figures, charts and tables, every number formatted.

use super::prelude::*;

/// The continuity section: backup and restore.
pub(super) fn continuity(cx: &Context) -> Section {
    let (m, input, charts) = (cx.m, cx.input, cx.charts);
    let b = &m.backups;
    let mut failed = Table::new(
        "failed_backups",
        &crate::format::times_in("Failed backup jobs", m.timezone.0),
        &[
            ("Started", "left", 1.6),
            ("Resource", "left", 2.3),
            ("Type", "left", 1.0),
            ("Status", "left", 0.8),
            ("Reason", "left", 2.8),
        ],
        "No failed backup jobs.",
    );
    for job in &b.failed_jobs {
        failed.row(vec![
            crate::format::clock_in(&job.created_at, m.timezone.0),
            job.resource_id.clone(),
            job.resource_type.clone(),
            label(&job.status),
            job.status_message.clone().unwrap_or_default(),
        ]);
    }
    let failed = failed.without_empty(&["Reason"]);
    // A long list is summed up by reason first; the PDF then shows the newest jobs.
    let (reasons, failed) = if b.failed_jobs.len() > FAILED_SHOWN {
        let newest = failed.showing(
            FAILED_SHOWN,
            format!(
                "The newest {FAILED_SHOWN} of {} failed jobs are shown; every one comes with this report as failed_backups.csv.",
                thousands(b.failed_jobs.len() as i64)
            ),
        );
        (Some(failure_reasons(b, m.timezone.0)), newest)
    } else {
        (None, failed)
    };
    let mut rpo = Table::new(
        "rpo_breaches",
        "Recovery-point objective breaches",
        &[("Resource", "left", 3.0), ("Type", "left", 1.0), ("Longest gap", "right", 1.0)],
        "No resource exceeded the recovery-point objective.",
    );
    for breach in &b.rpo_breach_resources {
        rpo.row(vec![breach.resource_id.clone(), breach.resource_type.clone(), hours(breach.longest_gap_hours, 1)]);
    }
    section(
        SectionId::Continuity,
        "Continuity: backup and restore",
        &b.status,
        format!(
            "{} ran {} with a success rate of {} (target {}). {} of {} have a completed backup ({}); {} exceeded the {}-hour recovery-point objective. {} run, {} successful. {}",
            b.jobs.map(|jobs| plural(jobs, "backup job", "backup jobs")).unwrap_or_else(|| "n/a backup jobs".into()),
            cx.words().this,
            pct(b.success_rate_pct),
            Unit::Percent.format(input.backup_target_pct),
            count(b.resources_protected),
            counted(b.resources, "resource", "resources"),
            pct(b.coverage_pct),
            count(b.rpo_breaches),
            decimal(b.rpo_target_hours, 0),
            b.restores
                .map(|restores| plural(restores, "restore test", "restore tests"))
                .unwrap_or_else(|| "n/a restore tests".into()),
            count(b.restores_succeeded),
            stored_sentence(m)
        ),
        vec![
            ("Success rate".into(), pct(b.success_rate_pct)),
            ("Coverage".into(), pct(b.coverage_pct)),
            ("RPO breaches".into(), count(b.rpo_breaches)),
            ("Restores tested".into(), count(b.restores)),
        ],
        charts,
        &[
            (ChartId::BackupSuccessTrend, &format!("Backup success rate against the target, {}", cx.words().trend)),
            (ChartId::BackupStatus, "Backup jobs by status"),
        ],
        reasons.into_iter().chain([failed, rpo.limited(TABLE_ROWS)]).collect(),
    )
}

/// Failed jobs the PDF lists one by one after the summary by reason.
const FAILED_SHOWN: usize = 10;

/// The failed jobs by reason (by final status where the source gives no reason), most first,
/// with the day of the newest of each (in the report's time zone).
fn failure_reasons(b: &opsreport_model::metrics::BackupMetrics, zone: chrono_tz::Tz) -> Table {
    let reason_of = |job: &opsreport_model::metrics::FailedBackup| {
        job.status_message.clone().filter(|reason| !reason.is_empty()).unwrap_or_else(|| label(&job.status))
    };
    // Reason → (jobs, newest start); the jobs come newest first.
    let mut by_reason: std::collections::BTreeMap<String, (u64, &str)> = std::collections::BTreeMap::new();
    for job in &b.failed_jobs {
        by_reason.entry(reason_of(job)).or_insert((0, job.created_at.as_str())).0 += 1;
    }
    let mut by_reason: Vec<_> = by_reason.into_iter().collect();
    by_reason.sort_by(|left, right| right.1.0.cmp(&left.1.0).then_with(|| left.0.cmp(&right.0)));
    let mut table = Table::new(
        "failed_backup_reasons",
        "Failed backup jobs by reason",
        &[("Reason", "left", 4.2), ("Jobs", "right", 0.7), ("Newest on", "left", 1.6)],
        "No failed backup jobs.",
    );
    for (reason, (jobs, newest)) in by_reason {
        let day = crate::format::clock_in(newest, zone);
        table.row(vec![reason, thousands(jobs as i64), day.get(..10).unwrap_or(&day).to_owned()]);
    }
    table.limited(TABLE_ROWS)
}

/// What the completed jobs copied, set beside what the backup vault holds (the storage section):
/// the first counts every job's full size, the second the vault's deduplicated, incremental use.
fn stored_sentence(m: &Metrics) -> String {
    let Some(stored) = m.backups.stored_bytes else { return String::new() };
    let vault = m.storage.used_bytes.get("BackupVault").filter(|_| m.storage.status.available);
    match vault {
        Some(vault) => format!(
            "The completed jobs copied {} of data; the backup vault holds {} (see Storage): a job is counted at the full size of what it protects, while the vault stores recovery points incrementally and only for their retention.",
            bytes(stored as f64),
            bytes(*vault as f64)
        ),
        None => format!("The completed jobs copied {} of data (each job counted at its full size).", bytes(stored as f64)),
    }
}
