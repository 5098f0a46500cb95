//! The Athena side of the contract: one query per dataset (`queries/<dataset>.sql`, embedded in
//! the binary) and the only way values reach them — positional `?` execution parameters.
//!
//! A query selects exactly the contract's columns (cast to the contract's types, so raw tables
//! that store strings read the same) plus `aws_account_id`, and filters on the partition columns
//! so Athena scans only the months a report reads. One query serves a whole fleet: the account
//! list is expanded into one `?` per account, so the number of queries is the number of datasets.

use opsreport_model::sources::DatasetSource;
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

/// A query over a real-format export's own table being built: the quoted table and account
/// column, one `?` per account, and the parameters bound so far (the accounts first).
pub struct TableQuery<'a> {
    /// The dataset.
    pub dataset: DatasetName,
    /// Its `[datasets.<dataset>]` entry.
    pub source: &'a DatasetSource,
    /// The period the report is of.
    pub period: &'a ReportPeriod,
    /// The table, quoted (`"ams"."ssr_backup_jobs"`).
    pub table: String,
    /// The account column, quoted.
    pub account: String,
    /// One `?` per account, comma-separated.
    pub accounts: String,
    parameters: Vec<String>,
}

impl TableQuery<'_> {
    /// Binds the next `?` to `value` (a date or a month: validated values, so quoting is safe).
    pub fn bind(&mut self, value: impl std::fmt::Display) {
        self.parameters.push(format!("'{value}'"));
    }

    /// Binds the first and the last month a report of the period reads (`billing_period
    /// BETWEEN ? AND ?`).
    pub fn bind_months(&mut self) {
        let months = months_to_read(self.dataset, self.period);
        let month = self.period.month();
        self.bind(months.first().copied().unwrap_or(month));
        self.bind(months.last().copied().unwrap_or(month));
    }
}

/// A plain SQL name (letters, digits, `_`), lower-cased and quoted as Athena names it.
fn identifier(name: &str) -> Result<String, String> {
    (!name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        .then(|| format!("\"{}\"", name.to_ascii_lowercase()))
        .ok_or_else(|| format!("{name:?} is not a plain column or table name (letters, digits, _)"))
}

/// The query of a real-format export's own table (`[datasets.<dataset>] table`) for `accounts`:
/// its rows as they are, pruned by the table's partitions (SSR `reportdate` days, CUR/FOCUS
/// `billing_period` months) and the accounts, in the SQL of its format's module. The mapping to
/// the contract is applied to the result after the read, as to files (`formats`), so it is
/// written once.
pub fn prepare_raw(
    dataset: DatasetName,
    source: &DatasetSource,
    accounts: &[AccountId],
    period: &ReportPeriod,
) -> Result<PreparedQuery, String> {
    assert!(!accounts.is_empty(), "a query needs at least one account");
    let format = crate::formats::of(source.format);
    let table = source.table.as_deref().ok_or("no `table` to query")?;
    let table = table.split('.').map(identifier).collect::<Result<Vec<_>, _>>()?.join(".");
    let account = identifier(&format.table_account_column(source).ok_or("a CSV table needs `account_column`")?)?;
    let mut query = TableQuery {
        dataset,
        source,
        period,
        table,
        account,
        accounts: vec!["?"; accounts.len()].join(", "),
        parameters: accounts.iter().map(|account| format!("'{account}'")).collect(),
    };
    let sql = format.table_query(&mut query)?;
    Ok(PreparedQuery { dataset, sql, parameters: query.parameters })
}

#[cfg(test)]
mod tests {
    use super::*;
    use opsreport_model::YearMonth;
    use opsreport_model::period::parse_time_zone;
    use opsreport_model::sources::SourceFormat;

    #[test]
    fn raw_queries_prune_by_the_exports_partitions_and_take_values_as_parameters() {
        let period = ReportPeriod::new(YearMonth::parse("2026-10").unwrap(), parse_time_zone("UTC").unwrap());
        let accounts = [AccountId::parse("043735371057").unwrap()];
        let ssr =
            DatasetSource { format: SourceFormat::AmsSsr, table: Some("ams.ssr_backup_jobs".into()), ..DatasetSource::default() };
        let query = prepare_raw(DatasetName::BackupJobs, &ssr, &accounts, &period).unwrap();
        assert!(query.sql.contains("FROM \"ams\".\"ssr_backup_jobs\""), "{}", query.sql);
        assert_eq!(query.parameters, ["'043735371057'", "'2026-04-01'", "'2026-11-02'"]);
        let cur = DatasetSource { format: SourceFormat::Cur2, table: Some("cur2".into()), ..DatasetSource::default() };
        let query = prepare_raw(DatasetName::Billing, &cur, &accounts, &period).unwrap();
        assert!(query.sql.contains("product['product_name'] AS product_product_name"), "{}", query.sql);
        assert_eq!(query.parameters[1..], ["'2026-04'".to_owned(), "'2026-10'".to_owned()]);
        let csv = DatasetSource {
            format: SourceFormat::Csv,
            table: Some("tickets".into()),
            account_column: Some("u_aws\"; drop".into()),
            ..DatasetSource::default()
        };
        assert!(prepare_raw(DatasetName::Incidents, &csv, &accounts, &period).is_err());
    }
}
