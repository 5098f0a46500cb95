//! Where each dataset comes from: `[datasets.<dataset>]` in `opsreport.toml`.
//!
//! A dataset without an entry is read from `--source` in the contract layout. An entry names a
//! real export's format (the AMS self-service reports, CUR 2.0, FOCUS, a CSV ticket export), its
//! location (a folder or `s3://` prefix, `{account}` standing for the 12-digit id) or the Glue
//! table Athena reads, and, for CSV, how its columns and values map to the contract. This module
//! holds the settings and the rules that can be checked without reading data: which formats can
//! give which datasets, and which contract columns each format cannot provide.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::contract::DatasetName;
use crate::setting::{ConfigError, TimeZoneName};

/// The shape a dataset's files are in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceFormat {
    /// The data contract's own Parquet layout.
    #[default]
    Contract,
    /// AMS self-service reports in a managed account's bucket: JSON lines, every value a string,
    /// under `Date=YYYY-MM-DD/`.
    AmsSsr,
    /// The same reports copied into one bucket by the multi-account aggregator:
    /// `reportdate=YYYY-MM-DD/awsaccountid=<id>/`.
    AmsSsrAggregated,
    /// AWS Data Exports CUR 2.0, Parquet under `billing_period=YYYY-MM/`.
    Cur2,
    /// AWS Data Exports FOCUS 1.x, Parquet under `billing_period=YYYY-MM/`.
    Focus,
    /// Any CSV export (a ticketing tool's), with a column mapping.
    Csv,
}

impl SourceFormat {
    /// The name written in `opsreport.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceFormat::Contract => "contract",
            SourceFormat::AmsSsr => "ams-ssr",
            SourceFormat::AmsSsrAggregated => "ams-ssr-aggregated",
            SourceFormat::Cur2 => "cur2",
            SourceFormat::Focus => "focus",
            SourceFormat::Csv => "csv",
        }
    }

    /// How the format is named in a report ("not available from …").
    pub fn description(self) -> &'static str {
        match self {
            SourceFormat::Contract => "the contract layout",
            SourceFormat::AmsSsr | SourceFormat::AmsSsrAggregated => "the AMS self-service report",
            SourceFormat::Cur2 => "the CUR 2.0 export",
            SourceFormat::Focus => "the FOCUS export",
            SourceFormat::Csv => "the CSV export",
        }
    }

    /// The datasets this format can give.
    pub fn datasets(self) -> &'static [DatasetName] {
        match self {
            SourceFormat::Contract | SourceFormat::Csv => &DatasetName::ALL,
            SourceFormat::AmsSsr | SourceFormat::AmsSsrAggregated => {
                &[DatasetName::BackupJobs, DatasetName::PatchDetails, DatasetName::MissingPatches]
            }
            SourceFormat::Cur2 | SourceFormat::Focus => &[DatasetName::Billing],
        }
    }

    /// Contract columns of `dataset` that this format does not carry: the metrics that need
    /// them are null and the report says which source lacked which field.
    pub fn unavailable_columns(self, dataset: DatasetName) -> &'static [&'static str] {
        match self {
            SourceFormat::AmsSsr | SourceFormat::AmsSsrAggregated => match dataset {
                // The SSR patch details report has missing-patch counts but no installed count,
                // and the stack name only in another report (instance details).
                DatasetName::PatchDetails => &["compliant_total", "instance_stack_name"],
                // The SSR daily backup report has no failure message.
                DatasetName::BackupJobs => &["status_message"],
                _ => &[],
            },
            // Cost exports carry AWS charges only: the managed-service fee is billed apart.
            SourceFormat::Cur2 | SourceFormat::Focus if dataset == DatasetName::Billing => &["ams_charges"],
            SourceFormat::Cur2 | SourceFormat::Focus | SourceFormat::Contract | SourceFormat::Csv => &[],
        }
    }
}

impl fmt::Display for SourceFormat {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// Days after the months a report reads whose SSR daily folders are read too, by default: a
/// backup job created late on the last day is reported in the next day's file.
pub const DEFAULT_SSR_DAYS_AFTER: u32 = 2;

/// `[datasets.<dataset>]`: where one dataset comes from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetSource {
    /// The files' shape.
    #[serde(default)]
    pub format: SourceFormat,
    /// A folder or `s3://bucket/prefix`; `{account}` stands for the 12-digit account id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The Glue table Athena reads for this dataset with `--source athena`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// Contract column → source column (CSV; overrides a built-in mapping).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub columns: BTreeMap<String, String>,
    /// Per contract column, source value → contract value.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, BTreeMap<String, String>>,
    /// The column holding the AWS account id (CSV; CUR and FOCUS have their own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_column: Option<String>,
    /// The zone of timestamps written without one (default UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<TimeZoneName>,
    /// SSR: days after the months a report reads whose daily folders are read too
    /// (default [`DEFAULT_SSR_DAYS_AFTER`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_after: Option<u32>,
}

/// The placeholder for the account id in a `location`.
pub const ACCOUNT_PLACEHOLDER: &str = "{account}";

impl DatasetSource {
    /// SSR days read after the months a report reads.
    pub fn days_after(&self) -> u32 {
        self.days_after.unwrap_or(DEFAULT_SSR_DAYS_AFTER)
    }

    /// Checks an entry for `dataset` (the table's key) without reading data.
    pub fn check(&self, dataset: DatasetName, origin: &str) -> Result<(), ConfigError> {
        let key = |name: &str| format!("datasets.{dataset}.{name}");
        let error = |key: String, value: String, rule: &'static str| ConfigError::OutOfRange {
            origin: origin.to_owned(),
            key,
            value,
            rule,
        };
        if !self.format.datasets().contains(&dataset) {
            return Err(error(key("format"), format!("{:?}", self.format.as_str()), format_rule(self.format)));
        }
        if self.format != SourceFormat::Contract && self.location.is_none() && self.table.is_none() {
            return Err(error(
                key("location"),
                "nothing".into(),
                "a folder or s3:// prefix (or `table`, the Glue table Athena reads): a real-format source needs one",
            ));
        }
        if let Some(location) = &self.location {
            if location.trim().is_empty() {
                return Err(error(key("location"), format!("{location:?}"), "a folder or an s3:// prefix"));
            }
            if location.matches(ACCOUNT_PLACEHOLDER).count() > 1 {
                return Err(error(key("location"), format!("{location:?}"), "at most one {account}"));
            }
        }
        if let Some(table) = &self.table
            && !is_table_name(table)
        {
            return Err(error(
                key("table"),
                format!("{table:?}"),
                "a Glue table name: letters, digits and _, optionally database.table",
            ));
        }
        let spec = dataset.spec();
        for (contract, source) in &self.columns {
            if spec.column(contract).is_none() {
                return Err(error(
                    format!("{}.{contract}", key("columns")),
                    format!("{source:?}"),
                    "a column of the dataset's contract",
                ));
            }
            if source.trim().is_empty() {
                return Err(error(format!("{}.{contract}", key("columns")), format!("{source:?}"), "a source column name"));
            }
        }
        for contract in self.values.keys() {
            if spec.column(contract).is_none() {
                return Err(error(
                    format!("{}.{contract}", key("values")),
                    contract.clone(),
                    "a column of the dataset's contract",
                ));
            }
        }
        if self.account_column.is_some() && self.format != SourceFormat::Csv {
            return Err(error(
                key("account_column"),
                format!("{:?}", self.account_column.as_deref().unwrap_or_default()),
                "only for format = \"csv\" (the other formats name their account column themselves)",
            ));
        }
        if self.format == SourceFormat::Csv
            && self.account_column.is_none()
            && !self.location.as_deref().is_some_and(|location| location.contains(ACCOUNT_PLACEHOLDER))
        {
            return Err(error(
                key("account_column"),
                "nothing".into(),
                "the column holding the AWS account id, or a location with {account}: a shared CSV export must say whose each row is",
            ));
        }
        if self.days_after.is_some_and(|days| days > 31) {
            return Err(error(key("days_after"), format!("{}", self.days_after.unwrap_or_default()), "0 to 31 days"));
        }
        Ok(())
    }
}

fn format_rule(format: SourceFormat) -> &'static str {
    match format {
        SourceFormat::AmsSsr | SourceFormat::AmsSsrAggregated => {
            "a format that has this dataset: the AMS self-service reports give backup_jobs, patch_details and missing_patches (the weekly incident report has no timestamps, so incidents need a ticket export)"
        }
        SourceFormat::Cur2 | SourceFormat::Focus => "a format that has this dataset: CUR 2.0 and FOCUS give billing only",
        SourceFormat::Contract | SourceFormat::Csv => "a format that has this dataset",
    }
}

fn is_table_name(text: &str) -> bool {
    let part = |name: &str| !name.is_empty() && name.len() <= 255 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    match text.split_once('.') {
        Some((database, table)) => part(database) && part(table),
        None => part(text),
    }
}

/// Checks every `[datasets.*]` entry: the key must be a dataset of the contract.
pub fn check_sources(sources: &BTreeMap<String, DatasetSource>, origin: &str) -> Result<(), ConfigError> {
    for (name, source) in sources {
        let Some(dataset) = DatasetName::from_name(name) else {
            return Err(ConfigError::OutOfRange {
                origin: origin.to_owned(),
                key: format!("datasets.{name}"),
                value: format!("{name:?}"),
                rule: "a dataset of the contract (incidents, service_requests, rfcs, alerts, availability, backup_jobs, restore_jobs, billing, ood_hours, stacks, patch_details, missing_patches, storage, trusted_advisor, ood_engagements)",
            });
        };
        source.check(dataset, origin)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;

    #[test]
    fn the_spec_example_parses() {
        let text = r#"
[datasets.patch_details]
format = "ams-ssr"
location = "s3://ams-reporting-data-a{account}/json/patch/patch_details/"

[datasets.billing]
format = "cur2"
location = "s3://cur-bucket/cur2/data/"

[datasets.incidents]
format = "csv"
location = "exports/servicenow/incidents/"
account_column = "u_aws_account_id"
timezone = "America/New_York"
[datasets.incidents.columns]
case_id = "number"
created_at = "opened_at"
[datasets.incidents.values.priority]
"1 - Critical" = "High"
"#;
        let config = Config::from_toml(text, "opsreport.toml").unwrap();
        let incidents = &config.datasets["incidents"];
        assert_eq!(incidents.format, SourceFormat::Csv);
        assert_eq!(incidents.columns["created_at"], "opened_at");
        assert_eq!(incidents.values["priority"]["1 - Critical"], "High");
        assert_eq!(incidents.timezone.unwrap().0.name(), "America/New_York");
        assert_eq!(config.datasets["billing"].format, SourceFormat::Cur2);
    }

    #[test]
    fn mistakes_are_named() {
        let cases = [
            ("[datasets.incident]\nformat = \"csv\"\n", "datasets.incident"),
            ("[datasets.incidents]\nformat = \"cur2\"\nlocation = \"x\"\n", "datasets.incidents.format"),
            ("[datasets.incidents]\nformat = \"ams-ssr\"\nlocation = \"x\"\n", "no timestamps"),
            ("[datasets.billing]\nformat = \"cur2\"\n", "datasets.billing.location"),
            ("[datasets.incidents]\nformat = \"csv\"\nlocation = \"x\"\n", "datasets.incidents.account_column"),
            (
                "[datasets.incidents]\nformat = \"csv\"\nlocation = \"x\"\naccount_column = \"a\"\n[datasets.incidents.columns]\ncase = \"number\"\n",
                "datasets.incidents.columns.case",
            ),
            ("[datasets.billing]\nformat = \"cur2\"\ntable = \"cur; drop\"\n", "datasets.billing.table"),
            ("[datasets.billing]\nformat = \"parquet\"\n", "format"),
            ("[datasets.billing]\nformat = \"cur2\"\nlocation = \"x\"\nextra = 1\n", "extra"),
        ];
        for (text, expected) in cases {
            let message = Config::from_toml(text, "x.toml").unwrap_err().to_string();
            assert!(message.contains(expected), "{text}: {message}");
        }
    }

    #[test]
    fn every_unavailable_column_is_a_contract_column() {
        for format in [
            SourceFormat::Contract,
            SourceFormat::AmsSsr,
            SourceFormat::AmsSsrAggregated,
            SourceFormat::Cur2,
            SourceFormat::Focus,
            SourceFormat::Csv,
        ] {
            for dataset in format.datasets() {
                for column in format.unavailable_columns(*dataset) {
                    assert!(dataset.spec().column(column).is_some(), "{format} {dataset} {column}");
                }
            }
        }
    }
}
