//! The data contract in code: the 15 datasets, their columns, types, required flags, enum
//! values, unique keys, partition columns and how far back a report reads each of them.
//!
//! Every reader (local Parquet, Athena) and the fixture generator take their column lists from
//! here; `docs/data-contract.md` says the same thing in prose for users, and a test checks that
//! the two agree column for column.

use std::fmt;

/// A logical column type of the contract (Parquet physical types in brackets).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ColumnType {
    /// UTF-8 string.
    String,
    /// `TIMESTAMP(MICROS, UTC)`.
    Timestamp,
    /// `DATE`.
    Date,
    /// `INT64`.
    Int64,
    /// `DOUBLE`.
    Double,
    /// `BOOLEAN`.
    Boolean,
}

impl ColumnType {
    /// The name used in docs and error messages.
    pub fn name(self) -> &'static str {
        match self {
            ColumnType::String => "string",
            ColumnType::Timestamp => "timestamp",
            ColumnType::Date => "date",
            ColumnType::Int64 => "int64",
            ColumnType::Double => "double",
            ColumnType::Boolean => "boolean",
        }
    }
}

/// One column of a dataset.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ColumnSpec {
    /// snake_case name (SSR names kept).
    pub name: &'static str,
    /// Logical type.
    pub column_type: ColumnType,
    /// A required column must exist and rows with a null in it are excluded (and counted).
    pub required: bool,
    /// For enum-like columns: the canonical spellings. Values are matched trimmed and
    /// case-insensitively; anything else becomes [`DatasetSpec::unknown_value`] and is counted.
    pub allowed_values: Option<&'static [&'static str]>,
}

/// How a dataset's rows relate to time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatasetKind {
    /// Rows happen at a time; partitioned by the UTC month of the partition column.
    Event,
    /// One row per thing per snapshot day; partitioned by the month of `snapshot_date`.
    Snapshot,
    /// Not partitioned by month (`aws_account_id=<id>/` only).
    Reference,
}

/// The 15 datasets of the contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DatasetName {
    /// Incidents and their clocks.
    Incidents,
    /// Service requests.
    ServiceRequests,
    /// Change requests (RFCs).
    Rfcs,
    /// Monitoring alerts and events.
    Alerts,
    /// Console and API availability probes.
    Availability,
    /// SSR daily backup report.
    BackupJobs,
    /// AWS Backup restore jobs.
    RestoreJobs,
    /// SSR monthly billing report.
    Billing,
    /// Operations on Demand hours.
    OodHours,
    /// Stacks snapshot.
    Stacks,
    /// SSR patch details snapshot.
    PatchDetails,
    /// SSR missing patches snapshot.
    MissingPatches,
    /// Storage snapshot.
    Storage,
    /// Trusted Advisor check summary snapshot.
    TrustedAdvisor,
    /// Operations on Demand engagements (reference data).
    OodEngagements,
}

impl DatasetName {
    /// All datasets, in contract order.
    pub const ALL: [DatasetName; 15] = [
        DatasetName::Incidents,
        DatasetName::ServiceRequests,
        DatasetName::Rfcs,
        DatasetName::Alerts,
        DatasetName::Availability,
        DatasetName::BackupJobs,
        DatasetName::RestoreJobs,
        DatasetName::Billing,
        DatasetName::OodHours,
        DatasetName::Stacks,
        DatasetName::PatchDetails,
        DatasetName::MissingPatches,
        DatasetName::Storage,
        DatasetName::TrustedAdvisor,
        DatasetName::OodEngagements,
    ];

    /// The directory and table name, e.g. `backup_jobs`.
    pub fn as_str(self) -> &'static str {
        self.spec().name
    }

    /// Looks a dataset up by its directory name.
    pub fn from_name(name: &str) -> Option<DatasetName> {
        DatasetName::ALL.into_iter().find(|dataset| dataset.as_str() == name)
    }

    /// The dataset's full specification.
    pub fn spec(self) -> &'static DatasetSpec {
        DATASETS.iter().find(|spec| spec.dataset == self).expect("every dataset has a spec")
    }
}

impl fmt::Display for DatasetName {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// In JSON (`metrics.json`'s `data_quality[].dataset`) a dataset is its contract name.
impl serde::Serialize for DatasetName {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for DatasetName {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        DatasetName::from_name(&name).ok_or_else(|| serde::de::Error::custom(format!("unknown dataset {name:?}")))
    }
}

/// One dataset of the contract.
#[derive(Debug, PartialEq)]
pub struct DatasetSpec {
    /// Which dataset.
    pub dataset: DatasetName,
    /// Directory / table name.
    pub name: &'static str,
    /// Event, snapshot or reference.
    pub kind: DatasetKind,
    /// The column whose (UTC) month is the `month=` partition; `None` for reference data.
    pub partition_column: Option<&'static str>,
    /// Columns that identify a row; rows equal in every column are duplicates (dropped and
    /// counted), rows equal in the key but different elsewhere are a conflict (an error), except
    /// where `latest_wins_by` says which one is current.
    pub unique_key: &'static [&'static str],
    /// For datasets whose rows are re-reported (SSR daily files): among rows with the same key
    /// the one with the greatest value of this column wins.
    pub latest_wins_by: Option<&'static str>,
    /// For datasets whose months before the period are read only for a trend: the columns (besides
    /// the partition column) that trend reads. The extract stage keeps the period's rows whole and
    /// every row read only as a count per 15 minutes of the partition column and these columns
    /// ([`HISTORY_ROWS`]), so months of rows are never held at once (`docs/data-contract.md`).
    pub history: Option<&'static [&'static str]>,
    /// Months before the report month that a report reads (trends, comparisons, lookbacks).
    pub lookback_months: u32,
    /// The value unknown enum values are replaced with.
    pub unknown_value: &'static str,
    /// Columns in contract order (`aws_account_id` is implicit: it comes from the partition).
    pub columns: &'static [ColumnSpec],
}

impl DatasetSpec {
    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<&ColumnSpec> {
        self.columns.iter().find(|column| column.name == name)
    }

    /// Names of all columns, contract order.
    pub fn column_names(&self) -> Vec<&'static str> {
        self.columns.iter().map(|column| column.name).collect()
    }
}

/// A rule every row of a dataset must satisfy (null values are not checked). A row that breaks
/// one is an error naming the file, the row and the value: a number built on it would be wrong.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RowRule {
    /// A date on the first day of its month (an engagement's `start_override`: engagements
    /// start on the 1st, and moving another day to it would change the month billed).
    FirstOfMonth {
        /// The date column.
        column: &'static str,
    },
    /// `column` ≥ `min`.
    AtLeast {
        /// The column.
        column: &'static str,
        /// The smallest allowed value.
        min: f64,
    },
    /// `column` > `min`.
    Above {
        /// The column.
        column: &'static str,
        /// The value it must exceed.
        min: f64,
    },
    /// `column` ≤ `max`.
    AtMost {
        /// The column.
        column: &'static str,
        /// The largest allowed value.
        max: f64,
    },
    /// `column` ≤ `other` in the same row.
    NotAbove {
        /// The column.
        column: &'static str,
        /// The column that bounds it.
        other: &'static str,
    },
    /// `later` is not before `earlier` in the same row (timestamps or dates).
    NotBefore {
        /// The column that must come second.
        later: &'static str,
        /// The column that must come first.
        earlier: &'static str,
    },
}

/// No timestamp or date in the data may be earlier than this day (UTC).
pub const EARLIEST_DATA_DATE: &str = "2000-01-01";
/// Nor later than this many days after the end of the report month.
pub const LATEST_DATA_DAYS_AFTER_PERIOD: i64 = 366;

impl DatasetSpec {
    /// The dataset's row rules, beyond types and required values.
    pub fn row_rules(&self) -> &'static [RowRule] {
        use RowRule::{Above, AtLeast, AtMost, FirstOfMonth, NotAbove, NotBefore};
        match self.dataset {
            DatasetName::Incidents => &[
                NotBefore { later: "acknowledged_at", earlier: "created_at" },
                NotBefore { later: "resolved_at", earlier: "created_at" },
                AtLeast { column: "customer_wait_minutes", min: 0.0 },
            ],
            DatasetName::ServiceRequests => &[
                NotBefore { later: "first_response_at", earlier: "created_at" },
                NotBefore { later: "resolved_at", earlier: "created_at" },
                AtLeast { column: "customer_wait_minutes", min: 0.0 },
                AtLeast { column: "csat_score", min: 1.0 },
                AtMost { column: "csat_score", max: 5.0 },
            ],
            DatasetName::Rfcs => &[
                NotBefore { later: "actual_end_time", earlier: "actual_start_time" },
                NotBefore { later: "requested_end_time", earlier: "requested_start_time" },
            ],
            DatasetName::Alerts => &[NotBefore { later: "closed_at", earlier: "created_at" }],
            DatasetName::Availability => &[
                Above { column: "window_minutes", min: 0.0 },
                AtLeast { column: "checks_total", min: 0.0 },
                AtLeast { column: "checks_failed", min: 0.0 },
                NotAbove { column: "checks_failed", other: "checks_total" },
            ],
            DatasetName::BackupJobs => &[
                NotBefore { later: "completion_dt_utc", earlier: "creation_dt_utc" },
                AtLeast { column: "backup_size_in_bytes", min: 0.0 },
            ],
            DatasetName::RestoreJobs => &[NotBefore { later: "completion_date", earlier: "creation_date" }],
            DatasetName::OodHours => &[Above { column: "hours", min: 0.0 }],
            DatasetName::OodEngagements => &[
                Above { column: "blocks", min: 0.0 },
                NotAbove { column: "blocks", other: "requested_blocks" },
                NotBefore { later: "ended_at", earlier: "approved_at" },
                FirstOfMonth { column: "start_override" },
            ],
            DatasetName::PatchDetails => &[
                AtLeast { column: "compliant_total", min: 0.0 },
                AtLeast { column: "noncompliant_critical", min: 0.0 },
                AtLeast { column: "noncompliant_high", min: 0.0 },
                AtLeast { column: "noncompliant_medium", min: 0.0 },
                AtLeast { column: "noncompliant_low", min: 0.0 },
                AtLeast { column: "noncompliant_informational", min: 0.0 },
                AtLeast { column: "noncompliant_unspecified", min: 0.0 },
            ],
            DatasetName::MissingPatches => &[AtLeast { column: "days_unpatched", min: 0.0 }],
            DatasetName::Storage => {
                &[AtLeast { column: "used_bytes", min: 0.0 }, AtLeast { column: "provisioned_bytes", min: 0.0 }]
            }
            DatasetName::TrustedAdvisor => &[
                AtLeast { column: "resources_flagged", min: 0.0 },
                AtLeast { column: "resources_ignored", min: 0.0 },
                AtLeast { column: "estimated_monthly_savings", min: 0.0 },
            ],
            DatasetName::Billing | DatasetName::Stacks => &[],
        }
    }
}

/// The account column every dataset carries.
pub const ACCOUNT_COLUMN: &str = "aws_account_id";

/// The count of rows in each line of a dataset's history ([`DatasetSpec::history`]).
pub const HISTORY_ROWS: &str = "__opsreport_rows";

/// The width of a history line's time bucket: every period a trend counts (a local week, month
/// or quarter) starts and ends on a multiple of it in UTC, as every time zone's offset is a
/// multiple of 15 minutes. A period that does not is counted from the rows' own times.
pub const HISTORY_BUCKET_MICROS: i64 = 15 * 60 * 1_000_000;

const fn required(name: &'static str, column_type: ColumnType) -> ColumnSpec {
    ColumnSpec { name, column_type, required: true, allowed_values: None }
}

const fn optional(name: &'static str, column_type: ColumnType) -> ColumnSpec {
    ColumnSpec { name, column_type, required: false, allowed_values: None }
}

const fn required_enum(name: &'static str, values: &'static [&'static str]) -> ColumnSpec {
    ColumnSpec { name, column_type: ColumnType::String, required: true, allowed_values: Some(values) }
}

const fn optional_enum(name: &'static str, values: &'static [&'static str]) -> ColumnSpec {
    ColumnSpec { name, column_type: ColumnType::String, required: false, allowed_values: Some(values) }
}

use ColumnType::{Boolean, Date, Double, Int64, String as Text, Timestamp};

/// AMS priorities (P1, P2, P3).
pub const PRIORITIES: &[&str] = &["High", "Medium", "Low"];
/// RFC statuses (`RfcSummary.Status`).
pub const RFC_STATUSES: &[&str] =
    &["Editing", "PendingApproval", "Scheduled", "InProgress", "Rejected", "Canceled", "Success", "Failure"];
/// Alert severities.
pub const ALERT_SEVERITIES: &[&str] = &["Critical", "High", "Medium", "Low", "Informational"];

/// Where an alert severity sorts, most severe first (an unknown one last): the order of
/// [`ALERT_SEVERITIES`].
pub fn alert_severity_rank(severity: &str) -> usize {
    ALERT_SEVERITIES.iter().position(|known| *known == severity).unwrap_or(ALERT_SEVERITIES.len())
}
/// Alert outcomes.
pub const ALERT_OUTCOMES: &[&str] = &["AutoRemediated", "IncidentCreated", "FalsePositive", "Informational", "Open"];
/// Backup job statuses.
pub const BACKUP_STATUSES: &[&str] = &["CREATED", "PENDING", "RUNNING", "COMPLETED", "FAILED", "ABORTED", "EXPIRED", "PARTIAL"];
/// Terminal backup job statuses.
pub const BACKUP_TERMINAL_STATUSES: &[&str] = &["COMPLETED", "FAILED", "ABORTED", "EXPIRED", "PARTIAL"];
/// Restore job statuses.
pub const RESTORE_STATUSES: &[&str] = &["PENDING", "RUNNING", "COMPLETED", "ABORTED", "FAILED"];
/// CloudFormation stack statuses.
pub const STACK_STATUSES: &[&str] = &[
    "CREATE_IN_PROGRESS",
    "CREATE_FAILED",
    "CREATE_COMPLETE",
    "ROLLBACK_IN_PROGRESS",
    "ROLLBACK_FAILED",
    "ROLLBACK_COMPLETE",
    "DELETE_IN_PROGRESS",
    "DELETE_FAILED",
    "DELETE_COMPLETE",
    "UPDATE_IN_PROGRESS",
    "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
    "UPDATE_COMPLETE",
    "UPDATE_FAILED",
    "UPDATE_ROLLBACK_IN_PROGRESS",
    "UPDATE_ROLLBACK_FAILED",
    "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
    "UPDATE_ROLLBACK_COMPLETE",
    "REVIEW_IN_PROGRESS",
    "IMPORT_IN_PROGRESS",
    "IMPORT_COMPLETE",
    "IMPORT_ROLLBACK_IN_PROGRESS",
    "IMPORT_ROLLBACK_FAILED",
    "IMPORT_ROLLBACK_COMPLETE",
];
/// Stable stack states ("active").
pub const STACK_STABLE_STATUSES: &[&str] = &["CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE"];
/// EC2 instance states.
pub const INSTANCE_STATES: &[&str] = &["pending", "running", "shutting-down", "terminated", "stopping", "stopped"];
/// Storage types.
pub const STORAGE_TYPES: &[&str] = &["EBS", "EBSSnapshot", "S3", "EFS", "BackupVault"];
/// Trusted Advisor categories.
pub const TRUSTED_ADVISOR_CATEGORIES: &[&str] =
    &["cost_optimizing", "security", "fault_tolerance", "performance", "service_limits", "operational_excellence"];
/// Trusted Advisor check statuses.
pub const TRUSTED_ADVISOR_STATUSES: &[&str] = &["ok", "warning", "error", "not_available"];

/// The whole contract, in contract order.
pub static DATASETS: [DatasetSpec; 15] = [
    DatasetSpec {
        dataset: DatasetName::Incidents,
        name: "incidents",
        kind: DatasetKind::Event,
        partition_column: Some("created_at"),
        unique_key: &["case_id"],
        latest_wins_by: None,
        history: None,
        lookback_months: 12,
        unknown_value: "Other",
        columns: &[
            required("case_id", Text),
            required_enum("priority", PRIORITIES),
            optional("severity", Text),
            required("status", Text),
            optional("yuma_category", Text),
            optional("subject", Text),
            required("created_at", Timestamp),
            optional("acknowledged_at", Timestamp),
            optional("resolved_at", Timestamp),
            optional("customer_wait_minutes", Double),
            optional("non_incident", Boolean),
            optional("best_effort", Boolean),
            optional("resource_id", Text),
            optional("stack_id", Text),
            optional("root_cause", Text),
            optional_enum("rca_status", &["None", "Pending", "Completed"]),
        ],
    },
    DatasetSpec {
        dataset: DatasetName::ServiceRequests,
        name: "service_requests",
        kind: DatasetKind::Event,
        partition_column: Some("created_at"),
        unique_key: &["case_id"],
        latest_wins_by: None,
        history: None,
        lookback_months: 6,
        unknown_value: "Other",
        columns: &[
            required("case_id", Text),
            required_enum("priority", PRIORITIES),
            optional("category", Text),
            required("status", Text),
            optional("subject", Text),
            required("created_at", Timestamp),
            optional("first_response_at", Timestamp),
            optional("resolved_at", Timestamp),
            optional("customer_wait_minutes", Double),
            optional("csat_score", Int64),
        ],
    },
    DatasetSpec {
        dataset: DatasetName::Rfcs,
        name: "rfcs",
        kind: DatasetKind::Event,
        partition_column: Some("created_time"),
        unique_key: &["rfc_id"],
        latest_wins_by: None,
        history: None,
        lookback_months: 6,
        unknown_value: "Other",
        columns: &[
            required("rfc_id", Text),
            optional("title", Text),
            required("change_type_id", Text),
            optional("change_type_version", Text),
            required_enum("status", RFC_STATUSES),
            optional_enum("automation_status", &["Automated", "Manual"]),
            optional("created_by", Text),
            required("created_time", Timestamp),
            optional("requested_start_time", Timestamp),
            optional("requested_end_time", Timestamp),
            optional("actual_start_time", Timestamp),
            optional("actual_end_time", Timestamp),
        ],
    },
    DatasetSpec {
        dataset: DatasetName::Alerts,
        name: "alerts",
        kind: DatasetKind::Event,
        partition_column: Some("created_at"),
        unique_key: &["alert_id"],
        latest_wins_by: None,
        history: Some(&["outcome"]),
        lookback_months: 6,
        unknown_value: "Other",
        columns: &[
            required("alert_id", Text),
            required("source", Text),
            required_enum("severity", ALERT_SEVERITIES),
            optional("resource_id", Text),
            required("created_at", Timestamp),
            optional("closed_at", Timestamp),
            required_enum("outcome", ALERT_OUTCOMES),
            optional("incident_case_id", Text),
        ],
    },
    DatasetSpec {
        dataset: DatasetName::Availability,
        name: "availability",
        kind: DatasetKind::Event,
        partition_column: Some("window_start"),
        unique_key: &["endpoint", "window_start"],
        latest_wins_by: None,
        history: None,
        lookback_months: 6,
        unknown_value: "Other",
        columns: &[
            required_enum("endpoint", &["console", "api"]),
            required("window_start", Timestamp),
            required("window_minutes", Int64),
            required("checks_total", Int64),
            required("checks_failed", Int64),
        ],
    },
    DatasetSpec {
        dataset: DatasetName::BackupJobs,
        name: "backup_jobs",
        kind: DatasetKind::Event,
        partition_column: Some("creation_dt_utc"),
        unique_key: &["backup_job_id"],
        latest_wins_by: Some("dataset_datetime"),
        history: Some(&["backup_job_status"]),
        lookback_months: 6,
        unknown_value: "Other",
        columns: &[
            required("dataset_datetime", Timestamp),
            required("backup_job_id", Text),
            required_enum("backup_job_status", BACKUP_STATUSES),
            optional("backup_type", Text),
            optional("start_by_dt_utc", Timestamp),
            required("creation_dt_utc", Timestamp),
            optional("completion_dt_utc", Timestamp),
            optional("backup_size_in_bytes", Int64),
            optional("backup_plan_name", Text),
            optional("backup_vault_name", Text),
            required("resource_id", Text),
            required("resource_type", Text),
            optional("stack_id", Text),
            optional("status_message", Text),
            optional("recovery_point_is_encrypted", Boolean),
        ],
    },
    DatasetSpec {
        dataset: DatasetName::RestoreJobs,
        name: "restore_jobs",
        kind: DatasetKind::Event,
        partition_column: Some("creation_date"),
        unique_key: &["restore_job_id"],
        latest_wins_by: None,
        history: None,
        lookback_months: 6,
        unknown_value: "Other",
        columns: &[
            required("restore_job_id", Text),
            required_enum("job_status", RESTORE_STATUSES),
            optional("resource_type", Text),
            required("creation_date", Timestamp),
            optional("completion_date", Timestamp),
        ],
    },
    DatasetSpec {
        dataset: DatasetName::Billing,
        name: "billing",
        kind: DatasetKind::Event,
        partition_column: Some("date"),
        unique_key: &["date", "linked_account_id", "product_name"],
        latest_wins_by: None,
        history: None,
        lookback_months: 6,
        unknown_value: "Other",
        columns: &[
            required("date", Date),
            optional("payer_account_id", Text),
            required("linked_account_id", Text),
            required("product_name", Text),
            required("aws_charges", Double),
            optional("ris_charges", Double),
            optional("sp_charges", Double),
            required("ams_charges", Double),
        ],
    },
    DatasetSpec {
        dataset: DatasetName::OodHours,
        name: "ood_hours",
        kind: DatasetKind::Event,
        partition_column: Some("work_date"),
        unique_key: &[],
        latest_wins_by: None,
        history: None,
        lookback_months: 12,
        unknown_value: "Other",
        columns: &[
            required("engagement_id", Text),
            required("work_date", Date),
            required("hours", Double),
            optional("description", Text),
        ],
    },
    DatasetSpec {
        dataset: DatasetName::Stacks,
        name: "stacks",
        kind: DatasetKind::Snapshot,
        partition_column: Some("snapshot_date"),
        unique_key: &["snapshot_date", "stack_id"],
        latest_wins_by: None,
        history: None,
        lookback_months: 6,
        unknown_value: "Other",
        columns: &[
            required("snapshot_date", Date),
            required("stack_id", Text),
            optional("stack_name", Text),
            optional_enum("instance_stack_type", &["AMS stack", "Customer stack"]),
            required("category", Text),
            optional_enum("environment", &["PROD", "NONPROD"]),
            required_enum("stack_status", STACK_STATUSES),
            optional("created_time", Timestamp),
        ],
    },
    DatasetSpec {
        dataset: DatasetName::PatchDetails,
        name: "patch_details",
        kind: DatasetKind::Snapshot,
        partition_column: Some("snapshot_date"),
        unique_key: &["snapshot_date", "instance_id"],
        latest_wins_by: None,
        history: None,
        lookback_months: 6,
        unknown_value: "Unknown",
        columns: &[
            required("snapshot_date", Date),
            required("instance_id", Text),
            optional("instance_name", Text),
            required_enum("instance_state", INSTANCE_STATES),
            optional_enum("instance_platform_type", &["Linux", "Windows", "N/A"]),
            optional("instance_stack_name", Text),
            optional_enum("instance_patch_group_type", &["DEFAULT", "CUSTOMER", "NOT_ASSIGNED"]),
            required("mw_covered_flag", Boolean),
            optional("last_execution_window", Timestamp),
            required_enum("patch_status", &["COMPLIANT", "NON_COMPLIANT"]),
            required("compliant_total", Int64),
            required("noncompliant_critical", Int64),
            required("noncompliant_high", Int64),
            required("noncompliant_medium", Int64),
            required("noncompliant_low", Int64),
            required("noncompliant_informational", Int64),
            required("noncompliant_unspecified", Int64),
            required("noncompliant_total", Int64),
        ],
    },
    DatasetSpec {
        dataset: DatasetName::MissingPatches,
        name: "missing_patches",
        kind: DatasetKind::Snapshot,
        partition_column: Some("snapshot_date"),
        unique_key: &["snapshot_date", "instance_id", "patch_id"],
        latest_wins_by: None,
        history: None,
        lookback_months: 1,
        unknown_value: "Other",
        columns: &[
            required("snapshot_date", Date),
            required("instance_id", Text),
            required("patch_id", Text),
            optional("patch_sev", Text),
            optional("patch_class", Text),
            optional("release_dt_utc", Timestamp),
            required("days_unpatched", Int64),
        ],
    },
    DatasetSpec {
        dataset: DatasetName::Storage,
        name: "storage",
        kind: DatasetKind::Snapshot,
        partition_column: Some("snapshot_date"),
        unique_key: &["snapshot_date", "resource_id"],
        latest_wins_by: None,
        history: None,
        lookback_months: 6,
        unknown_value: "Other",
        columns: &[
            required("snapshot_date", Date),
            required("resource_id", Text),
            required_enum("storage_type", STORAGE_TYPES),
            optional("provisioned_bytes", Int64),
            required("used_bytes", Int64),
        ],
    },
    DatasetSpec {
        dataset: DatasetName::TrustedAdvisor,
        name: "trusted_advisor",
        kind: DatasetKind::Snapshot,
        partition_column: Some("snapshot_date"),
        unique_key: &["snapshot_date", "check_id"],
        latest_wins_by: None,
        history: None,
        lookback_months: 1,
        unknown_value: "Other",
        columns: &[
            required("snapshot_date", Date),
            required("check_id", Text),
            required("check_name", Text),
            required_enum("check_category", TRUSTED_ADVISOR_CATEGORIES),
            required_enum("status", TRUSTED_ADVISOR_STATUSES),
            required("resources_flagged", Int64),
            optional("resources_ignored", Int64),
            optional("estimated_monthly_savings", Double),
        ],
    },
    DatasetSpec {
        dataset: DatasetName::OodEngagements,
        name: "ood_engagements",
        kind: DatasetKind::Reference,
        partition_column: None,
        unique_key: &["engagement_id"],
        latest_wins_by: None,
        history: None,
        lookback_months: 0,
        unknown_value: "Other",
        columns: &[
            required("engagement_id", Text),
            required("offering", Text),
            required("blocks", Int64),
            required_enum("basis", &["monthly", "one_time"]),
            required("approved_at", Date),
            optional("start_override", Date),
            optional("ended_at", Date),
            optional("requested_blocks", Int64),
            optional("modifies", Text),
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_rules_name_columns_of_their_dataset_with_a_comparable_type() {
        let mut rules = 0;
        for spec in &DATASETS {
            for rule in spec.row_rules() {
                rules += 1;
                let (column, other) = match *rule {
                    RowRule::FirstOfMonth { column } => {
                        let found = spec.column(column).unwrap_or_else(|| panic!("{}: no column {column}", spec.name));
                        assert_eq!(found.column_type, ColumnType::Date, "{}: {column}", spec.name);
                        continue;
                    }
                    RowRule::AtLeast { column, .. } | RowRule::Above { column, .. } | RowRule::AtMost { column, .. } => {
                        (column, None)
                    }
                    RowRule::NotAbove { column, other } => (column, Some(other)),
                    RowRule::NotBefore { later, earlier } => (later, Some(earlier)),
                };
                let found = spec.column(column).unwrap_or_else(|| panic!("{}: no column {column}", spec.name));
                match (rule, other) {
                    (RowRule::NotBefore { .. }, Some(other)) => {
                        let earlier = spec.column(other).unwrap_or_else(|| panic!("{}: no column {other}", spec.name));
                        assert!(matches!(found.column_type, ColumnType::Timestamp | ColumnType::Date), "{column}");
                        assert_eq!(found.column_type, earlier.column_type, "{}: {column} and {other}", spec.name);
                    }
                    (_, other) => {
                        assert!(matches!(found.column_type, ColumnType::Int64 | ColumnType::Double), "{}: {column}", spec.name);
                        if let Some(other) = other {
                            assert!(spec.column(other).is_some(), "{}: no column {other}", spec.name);
                        }
                    }
                }
            }
        }
        assert!(rules >= 30, "{rules} rules");
    }

    #[test]
    fn every_dataset_is_specified_once_in_order() {
        for (index, dataset) in DatasetName::ALL.iter().enumerate() {
            assert_eq!(DATASETS[index].dataset, *dataset);
            assert_eq!(DatasetName::from_name(dataset.as_str()), Some(*dataset));
        }
    }

    #[test]
    fn keys_and_partition_columns_are_required_columns() {
        for spec in &DATASETS {
            for key in spec.unique_key.iter().chain(spec.partition_column.iter()).chain(spec.latest_wins_by.iter()) {
                let column = spec.column(key).unwrap_or_else(|| panic!("{}: {key} is not a column", spec.name));
                assert!(column.required, "{}: {key} must be required", spec.name);
            }
            let mut names = spec.column_names();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), spec.columns.len(), "{}: duplicate column", spec.name);
        }
    }
}
