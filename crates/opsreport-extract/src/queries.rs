//! The Athena side of the contract: one query per dataset (`queries/<dataset>.sql`, embedded in
//! the binary) and the only way values reach them — positional `?` execution parameters.
//!
//! A query selects exactly the contract's columns (cast to the contract's types, so raw tables
//! that store strings read the same) plus `aws_account_id`, and filters on the partition columns
//! so Athena scans only the months a report reads. One query serves a whole fleet: the account
//! list is expanded into one `?` per account, so the number of queries is the number of datasets.

use opsreport_model::{AccountId, DatasetName, ReportPeriod};

use crate::source::months_to_read;

/// Marks the account list in a query; replaced by one `?` per account.
pub const ACCOUNTS_MARKER: &str = "/* accounts */ ?";

/// The SQL of a dataset's query, as shipped in `queries/`.
pub fn query_text(dataset: DatasetName) -> &'static str {
    match dataset {
        DatasetName::Incidents => include_str!("../../../queries/incidents.sql"),
        DatasetName::ServiceRequests => include_str!("../../../queries/service_requests.sql"),
        DatasetName::Rfcs => include_str!("../../../queries/rfcs.sql"),
        DatasetName::Alerts => include_str!("../../../queries/alerts.sql"),
        DatasetName::Availability => include_str!("../../../queries/availability.sql"),
        DatasetName::BackupJobs => include_str!("../../../queries/backup_jobs.sql"),
        DatasetName::RestoreJobs => include_str!("../../../queries/restore_jobs.sql"),
        DatasetName::Billing => include_str!("../../../queries/billing.sql"),
        DatasetName::OodHours => include_str!("../../../queries/ood_hours.sql"),
        DatasetName::Stacks => include_str!("../../../queries/stacks.sql"),
        DatasetName::PatchDetails => include_str!("../../../queries/patch_details.sql"),
        DatasetName::MissingPatches => include_str!("../../../queries/missing_patches.sql"),
        DatasetName::Storage => include_str!("../../../queries/storage.sql"),
        DatasetName::TrustedAdvisor => include_str!("../../../queries/trusted_advisor.sql"),
        DatasetName::OodEngagements => include_str!("../../../queries/ood_engagements.sql"),
    }
}

/// A query ready to start: SQL with positional `?`s and their values, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreparedQuery {
    /// The dataset.
    pub dataset: DatasetName,
    /// SQL with one `?` per parameter.
    pub sql: String,
    /// Execution parameters, as Athena takes them (SQL literals). They are built only from
    /// validated values — 12-digit account ids and `YYYY-MM` months — so quoting is safe.
    pub parameters: Vec<String>,
}

/// The query of `dataset` for `accounts` and the partitions a report for `period` reads.
pub fn prepare(dataset: DatasetName, accounts: &[AccountId], period: &ReportPeriod) -> PreparedQuery {
    assert!(!accounts.is_empty(), "a query needs at least one account");
    let text = query_text(dataset);
    let placeholders = vec!["?"; accounts.len()].join(", ");
    let sql = text.replacen(ACCOUNTS_MARKER, &placeholders, 1);
    let mut parameters: Vec<String> = accounts.iter().map(|account| format!("'{account}'")).collect();
    let months = months_to_read(dataset, period);
    if let (Some(first), Some(last)) = (months.first(), months.last()) {
        parameters.push(format!("'{first}'"));
        parameters.push(format!("'{last}'"));
    }
    PreparedQuery { dataset, sql, parameters }
}

/// The Glue table DDL of a dataset (`queries/ddl/<dataset>.sql`).
pub fn table_ddl(dataset: DatasetName) -> &'static str {
    match dataset {
        DatasetName::Incidents => include_str!("../../../queries/ddl/incidents.sql"),
        DatasetName::ServiceRequests => include_str!("../../../queries/ddl/service_requests.sql"),
        DatasetName::Rfcs => include_str!("../../../queries/ddl/rfcs.sql"),
        DatasetName::Alerts => include_str!("../../../queries/ddl/alerts.sql"),
        DatasetName::Availability => include_str!("../../../queries/ddl/availability.sql"),
        DatasetName::BackupJobs => include_str!("../../../queries/ddl/backup_jobs.sql"),
        DatasetName::RestoreJobs => include_str!("../../../queries/ddl/restore_jobs.sql"),
        DatasetName::Billing => include_str!("../../../queries/ddl/billing.sql"),
        DatasetName::OodHours => include_str!("../../../queries/ddl/ood_hours.sql"),
        DatasetName::Stacks => include_str!("../../../queries/ddl/stacks.sql"),
        DatasetName::PatchDetails => include_str!("../../../queries/ddl/patch_details.sql"),
        DatasetName::MissingPatches => include_str!("../../../queries/ddl/missing_patches.sql"),
        DatasetName::Storage => include_str!("../../../queries/ddl/storage.sql"),
        DatasetName::TrustedAdvisor => include_str!("../../../queries/ddl/trusted_advisor.sql"),
        DatasetName::OodEngagements => include_str!("../../../queries/ddl/ood_engagements.sql"),
    }
}
