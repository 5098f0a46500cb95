//! A customer's review: every figure over the rows of all its accounts together (a customer's
//! SLA is over all its incidents, never a mean of its accounts' percentages), and beside it each
//! account's own figures, computed from its rows alone exactly as its own report computes them,
//! ranked by what needs attention.
//!
//! The accounts' rows are put together by [`merge`]: each dataset's frames one after the other,
//! the ids that are only unique within an account (cases, resources, engagements, checks)
//! written `<account>/<id>` so that two accounts' ids never meet in a join or a group, and each
//! dataset's data-quality record summed over the accounts. Snapshots are read at each account's
//! own latest day (`frame::Accounts::Several`).

use std::collections::BTreeMap;

use opsreport_model::contract::HISTORY_ROWS;
use opsreport_model::metrics::{AccountFigures, AccountNotIncluded, CustomerRollup, InsightSeverity, Metrics};
use opsreport_model::{AccountId, CustomerId, DatasetName, DatasetQuality, Subject};
use polars::prelude::*;

use crate::{MetricsContext, MetricsError, MetricsInput, Result};

const SECTION: &str = "customer";

/// One account's validated input, for its customer's review.
pub struct Part {
    /// The account.
    pub account: AccountId,
    /// Its frames, histories and data-quality records.
    pub input: MetricsInput,
}

/// Who the customer is, and the configured accounts whose data is not in the parts.
pub struct CustomerScope {
    /// The customer.
    pub id: CustomerId,
    /// Its display name.
    pub name: String,
    /// The accounts left out, and why (no data for the period, or unreadable).
    pub not_included: Vec<AccountNotIncluded>,
}

/// Computes a customer's review from its accounts' parts (`context.subject` is the customer):
/// each account's own figures first, then the tree over all their rows.
pub fn compute(scope: CustomerScope, parts: Vec<Part>, context: &MetricsContext) -> Result<Metrics> {
    let mut accounts = Vec::with_capacity(parts.len());
    let mut stale = Vec::new();
    for part in &parts {
        let own = MetricsContext { subject: Subject::Account(part.account.clone()), ..context.clone() };
        let _span = tracing::debug_span!("customer_account", account_id = part.account.as_str()).entered();
        let tree = crate::compute(&part.input, &own)?;
        stale.extend(tree.freshness.stale.iter().cloned().map(|mut source| {
            source.account_id = Some(part.account.clone());
            source
        }));
        accounts.push(figures(&tree));
    }
    rank(&mut accounts);
    let merged = merge(parts)?;
    let mut metrics = crate::compute(&merged, context)?;
    // The accounts' newest records are merged into the newest of all: each account's own are
    // what says whether its data is current.
    stale.sort_by(|left, right| (left.dataset, &left.account_id).cmp(&(right.dataset, &right.account_id)));
    metrics.freshness.stale = stale;
    metrics.customer = Some(CustomerRollup { id: scope.id, name: scope.name, accounts, not_included: scope.not_included });
    Ok(metrics)
}

/// The ids of each dataset that are unique only within an account.
fn account_scoped_ids(dataset: DatasetName) -> &'static [&'static str] {
    match dataset {
        DatasetName::Incidents => &["case_id", "resource_id", "stack_id"],
        DatasetName::ServiceRequests => &["case_id"],
        DatasetName::Rfcs => &["rfc_id"],
        DatasetName::Alerts => &["alert_id", "resource_id", "incident_case_id"],
        DatasetName::BackupJobs => &["backup_job_id", "resource_id", "stack_id"],
        DatasetName::RestoreJobs => &["restore_job_id", "resource_id"],
        DatasetName::OodHours => &["engagement_id"],
        DatasetName::OodEngagements => &["engagement_id", "modifies"],
        DatasetName::Stacks => &["stack_id"],
        DatasetName::PatchDetails | DatasetName::MissingPatches => &["instance_id"],
        DatasetName::Storage => &["resource_id"],
        DatasetName::TrustedAdvisor => &["check_id"],
        DatasetName::Billing | DatasetName::Availability => &[],
    }
}

/// `frame` with its account-scoped ids written `<account>/<id>` (nulls stay null).
fn qualify(dataset: DatasetName, frame: DataFrame, account: &AccountId) -> LazyFrame {
    let prefix = format!("{account}/");
    let present: Vec<Expr> = account_scoped_ids(dataset)
        .iter()
        .filter(|name| frame.schema().get(name).is_some_and(|dtype| *dtype == DataType::String))
        .map(|name| (lit(prefix.clone()) + col(*name)).alias(*name))
        .collect();
    frame.lazy().with_columns(present)
}

/// The accounts' inputs as one: frames and histories one after the other, quality summed.
pub fn merge(parts: Vec<Part>) -> Result<MetricsInput> {
    let mut frames: BTreeMap<DatasetName, Vec<LazyFrame>> = BTreeMap::new();
    let mut histories: BTreeMap<DatasetName, Vec<(DataFrame, bool)>> = BTreeMap::new();
    let mut quality: BTreeMap<DatasetName, Vec<(AccountId, DatasetQuality)>> = BTreeMap::new();
    for Part { account, input } in parts {
        for (dataset, frame) in input.frames {
            // A dataset's trend reads its history when any account kept one, so the others'
            // rows join it as lines of one row each.
            let history = input.histories.get(&dataset).cloned();
            histories.entry(dataset).or_default().push(match history {
                Some(history) => (history, true),
                None => (frame.clone(), false),
            });
            frames.entry(dataset).or_default().push(qualify(dataset, frame, &account));
        }
        for record in input.quality {
            quality.entry(record.dataset).or_default().push((account.clone(), record));
        }
    }
    let mut merged = MetricsInput { several_accounts: true, ..MetricsInput::default() };
    for (dataset, parts) in frames {
        merged.frames.insert(dataset, concatenated(parts)?);
    }
    for (dataset, parts) in histories {
        if let Some(history) = merged_history(parts)? {
            merged.histories.insert(dataset, history);
        }
    }
    merged.quality = DatasetName::ALL
        .iter()
        .filter_map(|dataset| quality.remove(dataset).map(|records| merged_quality(*dataset, records)))
        .collect();
    Ok(merged)
}

fn concatenated(parts: Vec<LazyFrame>) -> Result<DataFrame> {
    let failed = |source| MetricsError { section: SECTION, source };
    concat(parts, UnionArgs { rechunk: false, ..UnionArgs::default() }).map_err(failed)?.collect().map_err(failed)
}

/// One history of the accounts' (`(frame, true)`: a history; `(frame, false)`: an account's rows,
/// counted one line each in the history's columns). `None` when no account kept one.
fn merged_history(parts: Vec<(DataFrame, bool)>) -> Result<Option<DataFrame>> {
    let Some(schema) = parts.iter().find(|(_, is_history)| *is_history).map(|(history, _)| history.schema().clone()) else {
        return Ok(None);
    };
    let lines = parts
        .into_iter()
        .map(|(frame, is_history)| {
            if is_history {
                return frame.lazy();
            }
            let columns: Vec<Expr> = schema
                .iter()
                .map(|(name, dtype)| match name.as_str() {
                    HISTORY_ROWS => lit(1u64).cast(dtype.clone()).alias(HISTORY_ROWS),
                    _ => col(name.clone()).cast(dtype.clone()),
                })
                .collect();
            frame.lazy().select(columns)
        })
        .collect();
    concatenated(lines).map(Some)
}

/// A dataset's data-quality record over the accounts: counts summed, files and warnings of
/// every account (a warning names its account), months and unavailable columns of any, the
/// newest row of all, and the earliest end of an export.
fn merged_quality(dataset: DatasetName, records: Vec<(AccountId, DatasetQuality)>) -> DatasetQuality {
    let mut merged = DatasetQuality::new(dataset);
    merged.missing = records.iter().all(|(_, record)| record.missing);
    if merged.missing {
        merged.missing_reason = Some(format!("no {dataset} data for any of the customer's accounts"));
    }
    let mut formats: Vec<String> = Vec::new();
    for (account, record) in records {
        merged.files_read.extend(record.files_read);
        merged.months_read.extend(record.months_read);
        merged.rows_read += record.rows_read;
        merged.rows_in_period += record.rows_in_period;
        merged.duplicates_dropped += record.duplicates_dropped;
        merged.rows_with_unknown_values += record.rows_with_unknown_values;
        merged.rows_with_required_nulls += record.rows_with_required_nulls;
        for (column, values) in record.unknown_values {
            let counts = merged.unknown_values.entry(column).or_default();
            for (value, count) in values {
                *counts.entry(value).or_default() += count;
            }
        }
        merged.newest = merged.newest.max(record.newest);
        formats.extend(record.source_format);
        merged.unavailable_columns.extend(record.unavailable_columns);
        merged.warnings.extend(record.warnings.into_iter().map(|warning| format!("account {account}: {warning}")));
        merged.export_ends = match (merged.export_ends.take(), record.export_ends) {
            (Some(left), Some(right)) => Some(left.min(right)),
            (left, right) => left.or(right),
        };
    }
    for values in merged.unknown_values.values_mut() {
        // At most 10 values per column, as for one account: the most frequent.
        if values.len() > 10 {
            let mut ranked: Vec<(String, u64)> = std::mem::take(values).into_iter().collect();
            ranked.sort_by(|left, right| right.1.cmp(&left.1).then_with(|| left.0.cmp(&right.0)));
            *values = ranked.into_iter().take(10).collect();
        }
    }
    merged.months_read.sort();
    merged.months_read.dedup();
    merged.unavailable_columns.sort();
    merged.unavailable_columns.dedup();
    formats.sort();
    formats.dedup();
    merged.source_format = (!formats.is_empty()).then(|| formats.join(" and "));
    merged
}

/// An account's headline figures from its own report's tree.
fn figures(m: &Metrics) -> AccountFigures {
    let verdicts = m.verdicts.headline();
    let count = |wanted: bool| verdicts.iter().filter(|verdict| **verdict == Some(wanted)).count() as u32;
    let findings = |severity: InsightSeverity| m.insights.iter().filter(move |insight| insight.severity == severity);
    let incidents = &m.incidents;
    let seen = |available: bool, value: u64| available.then_some(value);
    AccountFigures {
        account_id: m.subject.account().cloned().expect("an account's own tree"),
        rank: 0,
        attention: m
            .insights
            .iter()
            .filter(|insight| matches!(insight.severity, InsightSeverity::Critical | InsightSeverity::Warning))
            .cloned()
            .collect(),
        critical: findings(InsightSeverity::Critical).count() as u32,
        warnings: findings(InsightSeverity::Warning).count() as u32,
        targets_missed: count(false),
        targets_met: count(true),
        incidents_opened: seen(incidents.status.available, incidents.opened.total),
        incidents_high: seen(incidents.status.available, incidents.opened.high),
        incidents_open: incidents.open_at_end,
        incident_sla_pct: incidents
            .response_sla_pct
            .lowest()
            .into_iter()
            .chain(incidents.resolution_sla_pct.lowest())
            .reduce(f64::min),
        service_requests_opened: seen(m.service_requests.status.available, m.service_requests.opened.total),
        service_request_response_pct: m.service_requests.response_sla_pct.total,
        rfcs_completed: m.rfcs.completed,
        rfc_success_pct: m.rfcs.success_rate_pct,
        alerts: m.alerts.total,
        security_events: m.alerts.security_total,
        console_pct: m.availability.console.pct,
        api_pct: m.availability.api.pct,
        instances: m.patching.instances,
        patch_compliance_pct: m.patching.compliance_pct,
        critical_overdue: m.patching.critical_overdue,
        backup_jobs: m.backups.jobs,
        backup_success_pct: m.backups.success_rate_pct,
        rpo_breaches: m.backups.rpo_breaches,
        stacks_active: m.stacks.active,
        storage_used_bytes: m.storage.used_bytes.get("total").copied(),
        storage_near_capacity: m.storage.status.available.then_some(m.storage.near_capacity.len() as u64),
        trusted_advisor_flagged: m.trusted_advisor.resources_flagged,
        trusted_advisor_savings: m.trusted_advisor.estimated_monthly_savings,
        cost_total: m.cost.total,
        ood_hours_used: m.ood.hours_used,
        ood_billed_blocks: m.ood.billed_blocks,
        score: m.scorecard.overall,
        grade: m.scorecard.grade,
    }
}

/// Orders the accounts by what needs attention — targets missed, then critical findings, then
/// warnings, then P1 incidents, most first; then by account id — and numbers them from 1.
pub fn rank(accounts: &mut [AccountFigures]) {
    accounts.sort_by(|left, right| {
        let key = |figures: &AccountFigures| {
            (figures.targets_missed, figures.critical, figures.warnings, figures.incidents_high.unwrap_or(0))
        };
        key(right).cmp(&key(left)).then_with(|| left.account_id.cmp(&right.account_id))
    });
    for (index, figures) in accounts.iter_mut().enumerate() {
        figures.rank = index as u32 + 1;
    }
}
