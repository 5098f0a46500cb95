//! The `Metrics` tree: every number of the monthly report, defined once (see `docs/metrics.md`).
//!
//! It is what `metrics.json` holds and the only thing the PDF is drawn from, so the two cannot
//! disagree. Counts are integers; percentages are 0..100 at full precision; a metric whose
//! denominator is 0 — or whose dataset is missing — is `null`, never 0. Maps are `BTreeMap`s so
//! the JSON key order is stable; lists are sorted by the rules stated on each field.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::quality::DatasetQuality;

/// A value per AMS priority, keyed `High`, `Medium`, `Low` in JSON.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ByPriority<T> {
    /// P1.
    #[serde(rename = "High")]
    pub high: T,
    /// P2.
    #[serde(rename = "Medium")]
    pub medium: T,
    /// P3.
    #[serde(rename = "Low")]
    pub low: T,
}

/// An AMS priority: its contract value, code and label are defined here once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    /// P1.
    High,
    /// P2.
    Medium,
    /// P3.
    Low,
}

impl Priority {
    /// Every priority, most urgent first.
    pub const ALL: [Priority; 3] = [Priority::High, Priority::Medium, Priority::Low];

    /// The contract's value (`High`, `Medium`, `Low`; the key in `metrics.json`).
    pub fn name(self) -> &'static str {
        match self {
            Priority::High => "High",
            Priority::Medium => "Medium",
            Priority::Low => "Low",
        }
    }

    /// The short code (`P1`, `P2`, `P3`).
    pub fn code(self) -> &'static str {
        match self {
            Priority::High => "P1",
            Priority::Medium => "P2",
            Priority::Low => "P3",
        }
    }

    /// The label tables print (`P1 (High)`).
    pub fn label(self) -> &'static str {
        match self {
            Priority::High => "P1 (High)",
            Priority::Medium => "P2 (Medium)",
            Priority::Low => "P3 (Low)",
        }
    }

    /// The priority a contract value names.
    pub fn from_name(name: &str) -> Option<Priority> {
        Priority::ALL.into_iter().find(|priority| priority.name() == name)
    }
}

impl std::fmt::Display for Priority {
    /// The contract's value.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.name())
    }
}

impl ByPriority<Option<f64>> {
    /// The lowest of the three priorities' values (a headline SLA figure), if any has one.
    pub fn lowest(&self) -> Option<f64> {
        [self.high, self.medium, self.low].into_iter().flatten().reduce(f64::min)
    }
}

impl<T> ByPriority<T> {
    /// The value of a priority.
    pub fn get(&self, priority: Priority) -> &T {
        match priority {
            Priority::High => &self.high,
            Priority::Medium => &self.medium,
            Priority::Low => &self.low,
        }
    }

    /// Mutable access to the value of a priority.
    pub fn get_mut(&mut self, priority: Priority) -> &mut T {
        match priority {
            Priority::High => &mut self.high,
            Priority::Medium => &mut self.medium,
            Priority::Low => &mut self.low,
        }
    }
}

/// Counts per priority and in all.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PriorityCounts {
    /// P1.
    #[serde(rename = "High")]
    pub high: u64,
    /// P2.
    #[serde(rename = "Medium")]
    pub medium: u64,
    /// P3.
    #[serde(rename = "Low")]
    pub low: u64,
    /// All priorities (including values outside the contract, reported as `Other`).
    pub total: u64,
}

/// Whether a section's data was there.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Availability {
    /// False when the dataset (or the period's snapshot) is missing: every metric is then null.
    pub available: bool,
    /// Why the section has no data, for the "No data for this period" line.
    pub missing_reason: Option<String>,
    /// What the section's source cannot provide, in words (the metrics that need it are null),
    /// e.g. "AMS charges are not available from the CUR 2.0 export".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_provided: Vec<String>,
}

/// The whole tree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// The account (written `"account_id": "<12 digits>"`), or the customer whose accounts the
    /// review is over (`"customer_id": "<id>"`).
    #[serde(flatten)]
    pub subject: crate::Subject,
    /// Weekly, monthly or quarterly (written `weekly`, `monthly`, `quarterly`).
    pub kind: crate::PeriodKind,
    /// The period (written as its label: `2026-W44`, `2026-10` or `2026-Q4`).
    pub period: crate::PeriodId,
    /// The month of the period's last day, `YYYY-MM` (a monthly report's month).
    pub month: crate::YearMonth,
    /// The report time zone (written as its IANA name).
    pub timezone: crate::setting::TimeZoneName,
    /// First instant of the period (UTC, RFC 3339).
    pub period_start: String,
    /// First instant after the period (UTC, RFC 3339).
    pub period_end: String,
    /// The report's document date, `YYYY-MM-DD`.
    pub generated_on: chrono::NaiveDate,
    /// `opsreport <version>`.
    pub generator_version: String,
    /// SHA-256 over the data files read, the notes and the configuration.
    pub input_fingerprint: String,
    /// A customer's review: its accounts, each with its own headline figures, ranked by what
    /// needs attention. Absent from an account's report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<CustomerRollup>,
    /// Stacks (key call-outs and managed resources).
    pub stacks: StackMetrics,
    /// Patching.
    pub patching: PatchingMetrics,
    /// Continuity: backups and restores.
    pub backups: BackupMetrics,
    /// Incidents.
    pub incidents: IncidentMetrics,
    /// Service requests.
    pub service_requests: ServiceRequestMetrics,
    /// Change management.
    pub rfcs: RfcMetrics,
    /// Monitoring and events.
    pub alerts: AlertMetrics,
    /// Console and API availability.
    pub availability: AvailabilityMetrics,
    /// Storage.
    pub storage: StorageMetrics,
    /// Trusted Advisor.
    pub trusted_advisor: TrustedAdvisorMetrics,
    /// Cost.
    pub cost: CostMetrics,
    /// Operations on Demand.
    pub ood: OodMetrics,
    /// The next period's cost, patch compliance and backup success, and the volumes that fill
    /// soon, each with its method.
    #[serde(default)]
    pub forecasts: Forecasts,
    /// Whether each headline figure met its target (what the PDF marks met or missed).
    pub verdicts: Verdicts,
    /// A score per area and overall from `[scorecard]`'s weights and thresholds, with its
    /// history and why each area lost points.
    #[serde(default)]
    pub scorecard: crate::scorecard::Scorecard,
    /// Observations and recommendations, sorted by severity then section.
    pub insights: Vec<Insight>,
    /// The sources older than `[freshness]` allows at the period's end (the report is held).
    #[serde(default)]
    pub freshness: crate::freshness::Freshness,
    /// Per dataset: what was read, dropped and how fresh it is.
    pub data_quality: Vec<DatasetQuality>,
}

/// `customer`: who the customer is and how each of its accounts did. Every figure of the
/// review's sections is computed from the rows of all the accounts together; these are each
/// account's own figures, computed from its rows alone exactly as its own report computes them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerRollup {
    /// The customer.
    pub id: crate::CustomerId,
    /// Its display name (`[customers.<id>] name`).
    pub name: String,
    /// Every configured account, ranked: the one that needs attention most first.
    pub accounts: Vec<AccountFigures>,
    /// The accounts whose data is not in the review (none for the period, or unreadable), with
    /// why: the review is partial while there are any.
    pub not_included: Vec<AccountNotIncluded>,
}

/// An account left out of a customer's review, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountNotIncluded {
    /// The account.
    pub account_id: crate::AccountId,
    /// Why, in words ("no data for October 2026", or the error reading it).
    pub reason: String,
}

/// One account's headline figures in its customer's review (null where its report has none).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountFigures {
    /// The account.
    pub account_id: crate::AccountId,
    /// 1 for the account that needs attention most.
    pub rank: u32,
    /// Why it needs attention: its report's critical and warning insights, most serious first
    /// (empty: nothing does).
    pub attention: Vec<Insight>,
    /// Critical insights of its report.
    pub critical: u32,
    /// Warning insights of its report.
    pub warnings: u32,
    /// Targets missed (verdicts false).
    pub targets_missed: u32,
    /// Targets met (verdicts true).
    pub targets_met: u32,
    /// Incidents opened.
    pub incidents_opened: Option<u64>,
    /// P1 (High) incidents opened.
    pub incidents_high: Option<u64>,
    /// Incidents open at the period's end.
    pub incidents_open: Option<u64>,
    /// The lowest response or resolution SLA adherence of any priority, percent.
    pub incident_sla_pct: Option<f64>,
    /// Service requests opened.
    pub service_requests_opened: Option<u64>,
    /// Service requests answered within target, percent.
    pub service_request_response_pct: Option<f64>,
    /// RFCs completed.
    pub rfcs_completed: Option<u64>,
    /// RFC success rate, percent.
    pub rfc_success_pct: Option<f64>,
    /// Alerts.
    pub alerts: Option<u64>,
    /// Security events.
    pub security_events: Option<u64>,
    /// Console availability, percent.
    pub console_pct: Option<f64>,
    /// API availability, percent.
    pub api_pct: Option<f64>,
    /// Managed instances (latest snapshot).
    pub instances: Option<u64>,
    /// Patch compliance, percent.
    pub patch_compliance_pct: Option<f64>,
    /// Critical patches overdue (instances).
    pub critical_overdue: Option<u64>,
    /// Backup jobs.
    pub backup_jobs: Option<u64>,
    /// Backup success, percent.
    pub backup_success_pct: Option<f64>,
    /// Resources past the recovery-point objective.
    pub rpo_breaches: Option<u64>,
    /// Active stacks (latest snapshot).
    pub stacks_active: Option<u64>,
    /// Bytes used, every storage type (latest snapshot).
    pub storage_used_bytes: Option<u64>,
    /// Volumes and file systems near capacity.
    pub storage_near_capacity: Option<u64>,
    /// Trusted Advisor resources flagged.
    pub trusted_advisor_flagged: Option<u64>,
    /// Trusted Advisor estimated monthly savings.
    pub trusted_advisor_savings: Option<f64>,
    /// Total charges (AWS + AMS).
    pub cost_total: Option<f64>,
    /// Operations on Demand hours used.
    pub ood_hours_used: Option<f64>,
    /// Operations on Demand blocks billed.
    pub ood_billed_blocks: Option<u64>,
    /// Its overall score (its own report's `scorecard.overall`).
    #[serde(default)]
    pub score: Option<f64>,
    /// … and grade.
    #[serde(default)]
    pub grade: Option<crate::scorecard::Grade>,
}

/// Whether each headline figure met its target, decided once in the metrics stage by one rule:
/// no value, no verdict (`null`); a verdict over several values (the SLA's priorities and kinds)
/// is met when every value there is meets the target. The PDF's met/missed marks and the
/// insights read these, so `metrics.json` and the report cannot disagree.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Verdicts {
    /// Incident response and resolution adherence of every priority against `[sla]`.
    pub sla_adherence: Option<bool>,
    /// The same per priority.
    pub sla_by_priority: ByPriority<Option<bool>>,
    /// Response adherence of every priority against `[sla]` (part of `sla_adherence`).
    #[serde(default)]
    pub sla_response: Option<bool>,
    /// Resolution adherence of every priority against `[sla]` (part of `sla_adherence`).
    #[serde(default)]
    pub sla_resolution: Option<bool>,
    /// P1 MTTR within the P1 resolution target.
    #[serde(default)]
    pub mttr_high: Option<bool>,
    /// Service requests answered within target, against `[sla]`.
    pub service_request_response: Option<bool>,
    /// Patch compliance against `[patching]`.
    pub patch_compliance: Option<bool>,
    /// Backup success rate against `[backups]`.
    pub backup_success: Option<bool>,
    /// Change success rate against `[rfcs]`.
    pub rfc_success: Option<bool>,
    /// Console availability against `[availability]`.
    pub console_availability: Option<bool>,
    /// API availability against `[availability]`.
    pub api_availability: Option<bool>,
}

impl Verdicts {
    /// The headline verdicts (the SLA's per-priority ones are part of `sla_adherence`).
    pub fn headline(&self) -> [Option<bool>; 7] {
        [
            self.sla_adherence,
            self.service_request_response,
            self.patch_compliance,
            self.backup_success,
            self.rfc_success,
            self.console_availability,
            self.api_availability,
        ]
    }
}

/// `stacks.*`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StackMetrics {
    /// Data present?
    #[serde(flatten)]
    pub status: Availability,
    /// The snapshot day used (`YYYY-MM-DD`).
    pub snapshot_date: Option<String>,
    /// Existing stacks (status other than `DELETE_COMPLETE`).
    pub total: Option<u64>,
    /// Existing stacks in a stable state.
    pub active: Option<u64>,
    /// Existing stacks per category.
    pub by_category: BTreeMap<String, u64>,
    /// Existing stacks per environment (`Unspecified` when null).
    pub by_environment: BTreeMap<String, u64>,
    /// Existing stacks per stack type (`Unspecified` when null).
    pub by_type: BTreeMap<String, u64>,
    /// Existing stacks per CloudFormation status.
    pub by_status: BTreeMap<String, u64>,
    /// Existing stacks created in the period.
    pub created_in_period: Option<u64>,
    /// `total` minus the previous month's `total` (null without a previous snapshot).
    pub total_change: Option<i64>,
    /// `total` and `active` for each of the 6 months ending with this one.
    pub trend: Vec<StackTrendPoint>,
}

/// One month of the stack trend.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StackTrendPoint {
    /// The point's period: a month (`2026-10`), or a week (`2026-W44`) in a weekly review.
    pub month: crate::PeriodId,
    /// As `stacks.total` for that month (null without a snapshot).
    pub total: Option<u64>,
    /// As `stacks.active` for that month.
    pub active: Option<u64>,
}

/// Missing patches by severity.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SeverityCounts {
    /// `noncompliant_critical`.
    pub critical: u64,
    /// `noncompliant_high`.
    pub high: u64,
    /// `noncompliant_medium`.
    pub medium: u64,
    /// `noncompliant_low`.
    pub low: u64,
    /// `noncompliant_informational`.
    pub informational: u64,
    /// `noncompliant_unspecified`.
    pub unspecified: u64,
}

/// `patching.*`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PatchingMetrics {
    /// Data present?
    #[serde(flatten)]
    pub status: Availability,
    /// The snapshot day used.
    pub snapshot_date: Option<String>,
    /// Instances not terminated.
    pub instances: Option<u64>,
    /// Of those, `COMPLIANT`.
    pub compliant: Option<u64>,
    /// compliant / instances × 100.
    pub compliance_pct: Option<f64>,
    /// Sums of the `noncompliant_*` columns.
    pub missing_by_severity: Option<SeverityCounts>,
    /// Sum of `noncompliant_total`.
    pub missing_total: Option<u64>,
    /// Share of instances with a maintenance window.
    pub mw_coverage_pct: Option<f64>,
    /// Stacks all of whose instances are compliant.
    pub stacks_fully_patched: Option<u64>,
    /// Stacks with any instance.
    pub stacks_with_instances: Option<u64>,
    /// Distinct instances missing a Critical patch for more than the overdue threshold (null
    /// when the missing-patches snapshot is absent).
    pub critical_overdue: Option<u64>,
    /// Missing patches whose `patch_class` names security (e.g. `SecurityUpdates`) in the month's
    /// latest missing-patches snapshot; null without that snapshot or when the source gives no
    /// patch class.
    pub missing_security: Option<u64>,
    /// Distinct instances those security patches are missing on.
    pub instances_missing_security: Option<u64>,
    /// Patches installed between the first and the latest snapshot of the period.
    pub patches_installed: Option<u64>,
    /// Compliance per stack, least compliant first.
    pub by_stack: Vec<StackCompliance>,
    /// `compliance_pct` for each of the 6 months.
    pub trend: Vec<PercentPoint>,
}

/// Compliance of one stack.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StackCompliance {
    /// `instance_stack_name`.
    pub stack: String,
    /// Instances.
    pub instances: u64,
    /// Compliant instances.
    pub compliant: u64,
    /// compliant / instances × 100.
    pub compliance_pct: f64,
}

/// A percentage for one month.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PercentPoint {
    /// The point's period: a month (`2026-10`), or a week (`2026-W44`) in a weekly review.
    pub month: crate::PeriodId,
    /// The percentage (null when undefined).
    pub pct: Option<f64>,
}

/// `backups.*`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BackupMetrics {
    /// Data present?
    #[serde(flatten)]
    pub status: Availability,
    /// Jobs created in the period (after deduplication).
    pub jobs: Option<u64>,
    /// Jobs per status.
    pub by_status: BTreeMap<String, u64>,
    /// COMPLETED / terminal × 100.
    pub success_rate_pct: Option<f64>,
    /// Distinct resources with a job.
    pub resources: Option<u64>,
    /// Resources with at least one COMPLETED job.
    pub resources_protected: Option<u64>,
    /// protected / resources × 100.
    pub coverage_pct: Option<f64>,
    /// Resources whose longest gap between completed backups exceeds the RPO.
    pub rpo_breaches: Option<u64>,
    /// The RPO target used, hours.
    pub rpo_target_hours: f64,
    /// Resources breaching the RPO, longest gap first.
    pub rpo_breach_resources: Vec<RpoBreach>,
    /// Bytes of COMPLETED jobs.
    pub stored_bytes: Option<u64>,
    /// Restore jobs created in the period (null when the restore dataset is missing).
    pub restores: Option<u64>,
    /// Of those, COMPLETED.
    pub restores_succeeded: Option<u64>,
    /// Jobs that ended FAILED, ABORTED, EXPIRED or PARTIAL, newest first.
    pub failed_jobs: Vec<FailedBackup>,
    /// `success_rate_pct` for each of the 6 months.
    pub trend: Vec<PercentPoint>,
}

/// A resource whose completed backups were too far apart.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RpoBreach {
    /// `resource_id`.
    pub resource_id: String,
    /// `resource_type`.
    pub resource_type: String,
    /// The longest gap, hours.
    pub longest_gap_hours: f64,
}

/// A failed backup job.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FailedBackup {
    /// Job id.
    pub backup_job_id: String,
    /// Resource.
    pub resource_id: String,
    /// Resource type.
    pub resource_type: String,
    /// Final status.
    pub status: String,
    /// When it started (RFC 3339).
    pub created_at: String,
    /// Why it failed.
    pub status_message: Option<String>,
}

/// `incidents.*`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IncidentMetrics {
    /// Data present?
    #[serde(flatten)]
    pub status: Availability,
    /// Created in the period.
    pub opened: PriorityCounts,
    /// Resolved in the period.
    pub resolved: PriorityCounts,
    /// Created before the end and not resolved before the end.
    pub open_at_end: Option<u64>,
    /// Mean resolution time, SLA-eligible incidents resolved in the period.
    pub mttr_minutes: ByPriority<Option<f64>>,
    /// 90th percentile (nearest rank) of the same.
    pub mttr_p90_minutes: ByPriority<Option<f64>>,
    /// Mean response time, SLA-eligible incidents created in the period and acknowledged.
    pub mtta_minutes: ByPriority<Option<f64>>,
    /// Share of SLA-eligible incidents created in the period responded to within target.
    pub response_sla_pct: ByPriority<Option<f64>>,
    /// Share of SLA-eligible incidents resolved in the period resolved within target.
    pub resolution_sla_pct: ByPriority<Option<f64>>,
    /// The response targets used, minutes.
    pub response_target_minutes: ByPriority<f64>,
    /// The resolution targets used, minutes.
    pub resolution_target_minutes: ByPriority<f64>,
    /// Groups of 3 or more incidents on one stack/resource and category in the 90 days to the end.
    pub recurring: Vec<RecurringGroup>,
    /// High incidents resolved in the period, with root cause.
    pub key_events: Vec<KeyEvent>,
    /// Opened and resolved per category in the period (categories sorted).
    pub by_category: BTreeMap<String, u64>,
    /// Incidents open at the end of the period, High first, then oldest first.
    pub open_incidents: Vec<OpenIncident>,
    /// Problem records: incidents whose root-cause analysis is pending, oldest first.
    pub problems: Vec<ProblemRecord>,
    /// Trend points, oldest first (6 months; 12 weeks for a weekly report).
    pub trend_months: Vec<IncidentTrendPoint>,
    /// The 12 weeks whose last contains the period's last instant.
    pub trend_weeks: Vec<IncidentWeekPoint>,
}

/// A recurring-incident group.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RecurringGroup {
    /// The stack id, or the resource id when the incident names no stack.
    pub target: String,
    /// `yuma_category` (`Uncategorised` when null).
    pub category: String,
    /// Incidents in the window.
    pub count: u64,
    /// Their case ids, sorted.
    pub case_ids: Vec<String>,
}

/// An incident still open at the end of the period (the weekly review's outstanding incidents).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OpenIncident {
    /// Case id.
    pub case_id: String,
    /// Priority.
    pub priority: String,
    /// Status as the ticket says.
    pub status: String,
    /// Subject.
    pub subject: Option<String>,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Open for, minutes, at the end of the period.
    pub open_minutes: f64,
}

/// A problem record: an incident created by the end of the period whose root-cause analysis is
/// still `Pending`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProblemRecord {
    /// Case id.
    pub case_id: String,
    /// Priority.
    pub priority: String,
    /// Subject.
    pub subject: Option<String>,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Root cause, as far as known.
    pub root_cause: Option<String>,
}

/// The alert sources that are security services: their alerts are the security events of the
/// weekly review (compared without regard to case, spaces and hyphens).
pub const SECURITY_SOURCES: &[&str] = &["GuardDuty", "SecurityHub", "Macie", "Inspector", "IAMAccessAnalyzer", "Detective"];

/// An alert from a security service in the period.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SecurityEvent {
    /// Alert id.
    pub alert_id: String,
    /// The service that raised it.
    pub source: String,
    /// Severity.
    pub severity: String,
    /// Resource, if named.
    pub resource_id: Option<String>,
    /// Created (RFC 3339).
    pub created_at: String,
    /// What became of it.
    pub outcome: String,
}

/// A key event (High incident) and its root cause.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct KeyEvent {
    /// Case id.
    pub case_id: String,
    /// Subject.
    pub subject: Option<String>,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Resolved (RFC 3339).
    pub resolved_at: String,
    /// Resolution time, minutes (customer wait excluded, floored at 0).
    pub resolution_minutes: f64,
    /// Root cause.
    pub root_cause: Option<String>,
    /// RCA status.
    pub rca_status: Option<String>,
}

/// One month of the incident trend.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentTrendPoint {
    /// The point's period: a month (`2026-10`), or a week (`2026-W44`) in a weekly review.
    pub month: crate::PeriodId,
    /// Opened per priority.
    pub opened: PriorityCounts,
    /// Resolved per priority.
    pub resolved: PriorityCounts,
    /// MTTR per priority.
    pub mttr_minutes: ByPriority<Option<f64>>,
    /// Response SLA per priority.
    pub response_sla_pct: ByPriority<Option<f64>>,
    /// Resolution SLA per priority.
    pub resolution_sla_pct: ByPriority<Option<f64>>,
}

/// One week of the incident trend.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentWeekPoint {
    /// The Monday that starts the week (local date).
    pub week_start: chrono::NaiveDate,
    /// Opened in the week; null for a week that ends before the data starts.
    pub opened: Option<u64>,
    /// Resolved in the week; null for a week that ends before the data starts.
    pub resolved: Option<u64>,
}

/// `service_requests.*`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ServiceRequestMetrics {
    /// Data present?
    #[serde(flatten)]
    pub status: Availability,
    /// Created in the period.
    pub opened: PriorityCounts,
    /// Resolved in the period.
    pub resolved: PriorityCounts,
    /// Mean first-response time of requests created in the period with a response.
    pub mean_response_minutes: Option<f64>,
    /// Response adherence per priority (as incidents) and over all priorities.
    pub response_sla_pct: ServiceRequestSla,
    /// The response targets used, minutes.
    pub response_target_minutes: ByPriority<f64>,
    /// Mean CSAT of requests resolved in the period that have one.
    pub csat_avg: Option<f64>,
    /// How many ratings.
    pub csat_responses: Option<u64>,
    /// Ratings 1..5 and how many of each.
    pub csat_distribution: BTreeMap<String, u64>,
    /// Opened and resolved for each of the 6 months.
    pub trend: Vec<CountTrendPoint>,
}

/// Response adherence of service requests.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ServiceRequestSla {
    /// P1.
    #[serde(rename = "High")]
    pub high: Option<f64>,
    /// P2.
    #[serde(rename = "Medium")]
    pub medium: Option<f64>,
    /// P3.
    #[serde(rename = "Low")]
    pub low: Option<f64>,
    /// All priorities.
    pub total: Option<f64>,
}

/// Opened and resolved in one month.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CountTrendPoint {
    /// The point's period: a month (`2026-10`), or a week (`2026-W44`) in a weekly review.
    pub month: crate::PeriodId,
    /// Created.
    pub opened: Option<u64>,
    /// Resolved.
    pub resolved: Option<u64>,
}

/// `rfcs.*`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RfcMetrics {
    /// Data present?
    #[serde(flatten)]
    pub status: Availability,
    /// Created in the period.
    pub created: Option<u64>,
    /// `Success` or `Failure` with `actual_end_time` in the period.
    pub completed: Option<u64>,
    /// Completed with `Success`.
    pub succeeded: Option<u64>,
    /// Completed with `Failure`.
    pub failed: Option<u64>,
    /// succeeded / completed × 100.
    pub success_rate_pct: Option<f64>,
    /// `Rejected`, created in the period.
    pub rejected: Option<u64>,
    /// `Canceled`, created in the period.
    pub canceled: Option<u64>,
    /// Share of completed RFCs that were automated.
    pub automated_pct: Option<f64>,
    /// Mean execution time of completed RFCs, minutes.
    pub mean_execution_minutes: Option<f64>,
    /// Of completed RFCs with a requested start, the share started within the grace period.
    pub on_time_pct: Option<f64>,
    /// The 5 most frequent change types among created RFCs.
    pub top_change_types: Vec<ChangeTypeCount>,
    /// Created RFCs per status.
    pub by_status: BTreeMap<String, u64>,
    /// Completed and success rate for each of the 6 months.
    pub trend: Vec<RfcTrendPoint>,
    /// Planned maintenance: RFCs `Scheduled` to start in the month after the report month, by
    /// requested start.
    pub planned: Vec<PlannedChange>,
}

/// A change scheduled for the next month.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PlannedChange {
    /// RFC id.
    pub rfc_id: String,
    /// Title, if any.
    pub title: Option<String>,
    /// Change type.
    pub change_type_id: String,
    /// Requested start (RFC 3339, UTC).
    pub requested_start_time: String,
}

/// A change type and how often it was used.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChangeTypeCount {
    /// `ct-…`.
    pub change_type_id: String,
    /// The most common title seen with it.
    pub title: Option<String>,
    /// RFCs.
    pub count: u64,
}

/// One month of the RFC trend.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RfcTrendPoint {
    /// The point's period: a month (`2026-10`), or a week (`2026-W44`) in a weekly review.
    pub month: crate::PeriodId,
    /// Completed.
    pub completed: Option<u64>,
    /// Success rate.
    pub success_rate_pct: Option<f64>,
}

/// `alerts.*`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertMetrics {
    /// Data present?
    #[serde(flatten)]
    pub status: Availability,
    /// Alerts created in the period.
    pub total: Option<u64>,
    /// Per severity.
    pub by_severity: BTreeMap<String, u64>,
    /// Per source.
    pub by_source: BTreeMap<String, u64>,
    /// Per outcome.
    pub by_outcome: BTreeMap<String, u64>,
    /// AutoRemediated / total × 100: the problems averted.
    pub auto_remediated_pct: Option<f64>,
    /// IncidentCreated / total × 100.
    pub incident_rate_pct: Option<f64>,
    /// FalsePositive / total × 100.
    pub false_positive_pct: Option<f64>,
    /// Alerts of the period raised by a security service ([`SECURITY_SOURCES`]).
    pub security_total: Option<u64>,
    /// The security services' alerts of the period, newest first.
    pub security_events: Vec<SecurityEvent>,
    /// Total and auto-remediated per trend period (6 months; 12 weeks for a weekly report).
    pub trend: Vec<AlertTrendPoint>,
}

/// One month of the alert trend.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertTrendPoint {
    /// The point's period: a month (`2026-10`), or a week (`2026-W44`) in a weekly review.
    pub month: crate::PeriodId,
    /// Alerts.
    pub total: Option<u64>,
    /// Auto-remediated.
    pub auto_remediated: Option<u64>,
}

/// `availability.*`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AvailabilityMetrics {
    /// Data present?
    #[serde(flatten)]
    pub status: Availability,
    /// The console endpoint.
    pub console: EndpointAvailability,
    /// The API endpoint.
    pub api: EndpointAvailability,
}

/// Availability of one endpoint.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EndpointAvailability {
    /// (Σ total − Σ failed) / Σ total × 100.
    pub pct: Option<f64>,
    /// Σ window_minutes × failed / total.
    pub downtime_minutes: Option<f64>,
    /// The target, percent.
    pub target_pct: f64,
    /// `pct >= target` (null without data).
    pub target_met: Option<bool>,
    /// Downtime the target allows over the minutes measured (the windows of the month), minutes.
    pub allowed_downtime_minutes: Option<f64>,
    /// Σ checks_total.
    pub checks_total: Option<u64>,
    /// Σ checks_failed.
    pub checks_failed: Option<u64>,
    /// Per local day of the period.
    pub daily: Vec<DailyAvailability>,
    /// `pct` for each of the 6 months.
    pub trend: Vec<PercentPoint>,
}

/// One day of availability.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DailyAvailability {
    /// Local date `YYYY-MM-DD`.
    pub date: String,
    /// Availability that day.
    pub pct: Option<f64>,
    /// Downtime that day, minutes.
    pub downtime_minutes: f64,
}

/// `storage.*`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StorageMetrics {
    /// Data present?
    #[serde(flatten)]
    pub status: Availability,
    /// The snapshot day used.
    pub snapshot_date: Option<String>,
    /// Used bytes per type, and `total`.
    pub used_bytes: BTreeMap<String, u64>,
    /// Provisioned bytes per type (where known), and `total`.
    pub provisioned_bytes: BTreeMap<String, u64>,
    /// Total used vs the previous month's snapshot, percent.
    pub growth_pct: Option<f64>,
    /// Resources at or above the near-capacity ratio, fullest first.
    pub near_capacity: Vec<NearCapacity>,
    /// Total used bytes for each of the 6 months.
    pub trend: Vec<BytesPoint>,
}

/// A resource close to full.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NearCapacity {
    /// Resource.
    pub resource_id: String,
    /// Type.
    pub storage_type: String,
    /// Used.
    pub used_bytes: u64,
    /// Provisioned.
    pub provisioned_bytes: u64,
    /// used / provisioned.
    pub ratio: f64,
}

/// Bytes in one month.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BytesPoint {
    /// The point's period: a month (`2026-10`), or a week (`2026-W44`) in a weekly review.
    pub month: crate::PeriodId,
    /// Bytes (null without a snapshot).
    pub bytes: Option<u64>,
}

/// Check counts per status.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckStatusCounts {
    /// `ok`.
    pub ok: u64,
    /// `warning`.
    pub warning: u64,
    /// `error`.
    pub error: u64,
    /// `not_available`.
    pub not_available: u64,
}

/// `trusted_advisor.*`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TrustedAdvisorMetrics {
    /// Data present?
    #[serde(flatten)]
    pub status: Availability,
    /// The snapshot day used.
    pub snapshot_date: Option<String>,
    /// Per category, checks per status.
    pub by_category: BTreeMap<String, CheckStatusCounts>,
    /// Σ resources_flagged.
    pub resources_flagged: Option<u64>,
    /// Σ estimated_monthly_savings.
    pub estimated_monthly_savings: Option<f64>,
    /// Checks `warning`/`error` now and `ok` or absent in the previous month's snapshot.
    pub new_findings: Vec<Finding>,
    /// Checks in `warning` or `error`, most flagged resources first.
    pub findings: Vec<Finding>,
}

/// A Trusted Advisor check in a non-ok state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Check id.
    pub check_id: String,
    /// Check name.
    pub check_name: String,
    /// Category.
    pub check_category: String,
    /// Status.
    pub status: String,
    /// Resources flagged.
    pub resources_flagged: u64,
    /// Savings, for cost checks.
    pub estimated_monthly_savings: Option<f64>,
}

/// `cost.*`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CostMetrics {
    /// Data present?
    #[serde(flatten)]
    pub status: Availability,
    /// Σ aws_charges.
    pub aws_charges: Option<f64>,
    /// Σ ams_charges.
    pub ams_charges: Option<f64>,
    /// aws + ams.
    pub total: Option<f64>,
    /// Per product (aws + ams), largest first.
    pub by_product: Vec<ProductCost>,
    /// The report's breakdown: the top products and `Other`.
    pub top_products: Vec<ProductCost>,
    /// Σ (ris_charges + sp_charges).
    pub ri_sp_charges: Option<f64>,
    /// ri_sp_charges / aws_charges × 100.
    pub ri_sp_share_pct: Option<f64>,
    /// Total vs the previous month, percent.
    pub mom_change_pct: Option<f64>,
    /// Per linked account (one row for a single-account report).
    pub by_linked_account: Vec<LinkedAccountCost>,
    /// Totals for each of the 6 months.
    pub trend: Vec<CostTrendPoint>,
}

/// Cost of one product.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProductCost {
    /// Product name.
    pub product_name: String,
    /// AWS charges.
    pub aws_charges: f64,
    /// AMS charges (null when the billing source has no managed-service fee).
    pub ams_charges: Option<f64>,
    /// aws + ams (null without the fee).
    pub total: Option<f64>,
    /// Total vs the previous month, percent (null when the product is new, or without the fee).
    pub mom_change_pct: Option<f64>,
}

/// Cost of one linked account.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LinkedAccountCost {
    /// Linked account.
    pub linked_account_id: String,
    /// aws + ams (null when the billing source has no managed-service fee).
    pub total: Option<f64>,
}

/// Cost in one month.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CostTrendPoint {
    /// The point's period: a month (`2026-10`), or a week (`2026-W44`) in a weekly review.
    pub month: crate::PeriodId,
    /// AWS charges.
    pub aws_charges: Option<f64>,
    /// AMS charges.
    pub ams_charges: Option<f64>,
    /// aws + ams.
    pub total: Option<f64>,
}

/// `ood.*`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OodMetrics {
    /// Data present?
    #[serde(flatten)]
    pub status: Availability,
    /// Active engagements, by start month then id.
    pub engagements: Vec<OodEngagement>,
    /// Σ billed blocks.
    pub billed_blocks: Option<u64>,
    /// Σ hours used.
    pub hours_used: Option<f64>,
    /// Σ hours allocated.
    pub hours_allocated: Option<f64>,
    /// Σ billed blocks × rate, when every engagement has a rate (`[ood] block_rates`) and known
    /// billed blocks; else null.
    pub billed_amount: Option<f64>,
}

/// One active engagement in the month.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OodEngagement {
    /// Id.
    pub engagement_id: String,
    /// Offering.
    pub offering: String,
    /// `monthly` or `one_time`.
    pub basis: String,
    /// First day of the start month.
    pub start_date: String,
    /// Last day, if ended.
    pub ended_at: Option<String>,
    /// Blocks of 20 hours.
    pub blocks: u64,
    /// blocks × 20.
    pub hours_allocated: f64,
    /// Its hours in the month; null when the month's hours data is absent ("no data").
    pub hours_used: Option<f64>,
    /// max(0, allocated − used).
    pub hours_remaining: Option<f64>,
    /// Blocks billed this month: min(blocks, ⌈used / 20⌉) — unused whole blocks are not billed.
    pub billed_blocks: Option<u64>,
    /// max(0, used − allocated).
    pub overage_hours: Option<f64>,
    /// used / allocated × 100.
    pub usage_pct: Option<f64>,
    /// Blocks requested, when the approval was partial or the request is recorded.
    pub requested_blocks: Option<u64>,
    /// The modification in effect this month (its `engagement_id`), if any.
    pub modification_id: Option<String>,
    /// The first day of the month the modification took effect.
    pub modified_from: Option<String>,
    /// The blocks before the modification.
    pub blocks_before: Option<u64>,
    /// The price of one block (`[ood] block_rates`), if configured for the offering.
    pub block_rate: Option<f64>,
    /// billed_blocks × block_rate.
    pub billed_amount: Option<f64>,
    /// overage_hours / 20 × block_rate: the overage at the block's hourly price.
    pub overage_amount: Option<f64>,
}

/// One observation or recommendation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Insight {
    /// `critical`, `warning`, `info` or `positive`.
    pub severity: InsightSeverity,
    /// The report section it belongs to (`incidents`, `availability`, …).
    pub section: String,
    /// One or two sentences for the reader.
    pub message: String,
    /// The metric path it is about.
    pub metric: String,
    /// The metric's value.
    pub value: Option<f64>,
    /// The threshold it was compared with.
    pub threshold: Option<f64>,
}

/// How much an insight matters; the order of the variants is the report's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InsightSeverity {
    /// Needs action now (a missed commitment).
    Critical,
    /// Needs attention.
    Warning,
    /// Worth knowing.
    Info,
    /// What went well: "what we did for you".
    Positive,
}

/// `forecasts.*`: what the trends say of the next period, decided in the metrics stage. Each
/// forecast names its method (a least-squares line through the trend's points) and how many
/// points it had; with fewer than it needs there is no forecast and `not_made` says why.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Forecasts {
    /// Total cost (AWS + AMS) of the point after the cost trend's last.
    pub cost: TrendForecast,
    /// Patch compliance (the share of instances without a patch backlog).
    pub patch_compliance: TrendForecast,
    /// Backup success rate (its complement is the share of failed jobs).
    pub backup_success: TrendForecast,
    /// Volumes and file systems with a provisioned size that fill within the horizon.
    pub storage: CapacityForecast,
}

/// A trend's next point from a least-squares line through its points.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TrendForecast {
    /// The period forecast: the one after the trend's last point (null without a trend).
    pub period: Option<crate::PeriodId>,
    /// Trend points with a value, the line's points.
    pub points: u32,
    /// The fewest points a forecast is made from (`[forecast] min_points`).
    pub min_points: u32,
    /// The first and last period the line went through.
    pub first: Option<crate::PeriodId>,
    /// See `first`.
    pub last: Option<crate::PeriodId>,
    /// The forecast, or null with `not_made`.
    pub estimate: Option<Estimate>,
    /// Why there is no forecast, in words.
    pub not_made: Option<String>,
}

/// A forecast value and the range the line is 95 % sure of.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The line's value at the next point.
    pub value: f64,
    /// The 95 % prediction interval (Student's t over the residuals), clamped to what the
    /// measure can be (a cost at least 0, a percentage within 0–100).
    pub low: f64,
    /// See `low`.
    pub high: f64,
    /// The line's change per trend period.
    pub change_per_period: f64,
}

/// Exhaustion dates of the resources that will fill within the horizon.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CapacityForecast {
    /// Days of snapshots before the period's end each line goes through.
    pub window_days: u32,
    /// The fewest snapshot days a resource's line needs.
    pub min_points: u32,
    /// Days after the period's end within which a resource counts as filling.
    pub horizon_days: u32,
    /// Resources with a provisioned size and enough snapshot days for a line.
    pub resources_fitted: u64,
    /// Resources that fill within the horizon, soonest first.
    pub filling: Vec<Exhaustion>,
    /// Why no resource could be forecast, in words.
    pub not_made: Option<String>,
}

/// A resource's fill date from the line through its used bytes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Exhaustion {
    /// Resource.
    pub resource_id: String,
    /// Type.
    pub storage_type: String,
    /// Used bytes on its latest snapshot day in the window.
    pub used_bytes: u64,
    /// Provisioned bytes that day.
    pub provisioned_bytes: u64,
    /// The line's growth, bytes per day.
    pub growth_bytes_per_day: f64,
    /// Snapshot days the line went through.
    pub points: u32,
    /// The day the line reaches the provisioned size (the latest snapshot day when it is full).
    pub full_on: chrono::NaiveDate,
    /// Days from the period's last day to `full_on` (0 when already full).
    pub days_left: u32,
}
