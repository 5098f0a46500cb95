//! `opsreport.toml`: every setting that is not a per-run flag, each with a default.
//!
//! Unknown keys and wrong types are errors that name the key (a typo in a threshold must not
//! silently fall back to the default). The documented example is `opsreport.example.toml`
//! at the repository root; a test keeps it parseable and equal to the defaults.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use crate::setting::{ConfigError, TimeZoneName};
use crate::sources::{DatasetSource, check_sources};

/// Minutes per AMS priority (P1 High, P2 Medium, P3 Low).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorityMinutes {
    /// P1.
    pub high: f64,
    /// P2.
    pub medium: f64,
    /// P3.
    pub low: f64,
}

/// The whole configuration. Every section and key is optional.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Report time zone (IANA name) when `--timezone` is not given.
    pub timezone: TimeZoneName,
    /// Incident SLA targets and the recurring-incident rule.
    pub incidents: IncidentSettings,
    /// Service-request response targets.
    pub service_requests: ServiceRequestSettings,
    /// The SLA adherence an account is held to.
    pub sla: SlaSettings,
    /// Console and API availability targets.
    pub availability: AvailabilitySettings,
    /// Backup success and recovery-point objective.
    pub backups: BackupSettings,
    /// Patch compliance thresholds.
    pub patching: PatchingSettings,
    /// Change-management thresholds.
    pub rfcs: RfcSettings,
    /// Cost thresholds.
    pub cost: CostSettings,
    /// Storage thresholds.
    pub storage: StorageSettings,
    /// Operations on Demand thresholds.
    pub ood: OodSettings,
    /// How forecasts are made. Left out of the serialized form at its defaults, so a
    /// configuration without it fingerprints as before.
    #[serde(skip_serializing_if = "ForecastSettings::is_default")]
    pub forecast: ForecastSettings,
    /// The graded scorecard's weights and thresholds (`docs/metrics.md`, `scorecard`). Left out
    /// of the serialized form at its defaults.
    #[serde(skip_serializing_if = "crate::scorecard::ScorecardSettings::is_default")]
    pub scorecard: crate::scorecard::ScorecardSettings,
    /// How old each source may be at the period's end before the report is held
    /// (`docs/metrics.md`, `freshness`). Left out of the serialized form at its defaults.
    #[serde(skip_serializing_if = "crate::freshness::FreshnessSettings::is_default")]
    pub freshness: crate::freshness::FreshnessSettings,
    /// Look of the report.
    pub branding: BrandingSettings,
    /// Amazon Athena (the production source).
    pub athena: AthenaSettings,
    /// Amazon S3 (production data and the report sink).
    pub s3: S3Settings,
    /// Where datasets come from when not from `--source` in the contract layout (see
    /// `docs/sources.md`), by dataset name. Left out of the serialized form when empty, so a
    /// configuration without it fingerprints as before.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub datasets: BTreeMap<String, DatasetSource>,
    /// `[customers.<id>]`: the customers whose accounts are reviewed together. Never part of an
    /// account report's fingerprint (it changes no account's report); a customer's review
    /// fingerprints its own settings.
    #[serde(skip_serializing)]
    pub customers: BTreeMap<crate::CustomerId, crate::customer::CustomerSettings>,
    /// The web console (`opsreport serve`). Never part of a report's fingerprint: it changes no
    /// report.
    #[serde(skip_serializing)]
    pub console: crate::console::ConsoleSettings,
    /// What one input file and one account's input may cost. Never part of a report's
    /// fingerprint: a limit changes no number, it only refuses an input.
    #[serde(skip_serializing)]
    pub limits: InputLimits,
}

/// `[limits]`: the most one input file, and one account's input files together, may hold. A
/// file past them is an error of its account (named with the file, its size and the limit),
/// refused before it is read, so one tenant's file cannot exhaust the memory every other
/// account of a fleet shares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InputLimits {
    /// Bytes of one input file (a Parquet file, a JSON-lines or CSV export, an S3 object).
    pub input_file_max_bytes: u64,
    /// Bytes of all the files one account's report reads, every dataset together.
    pub account_input_max_bytes: u64,
}

impl Default for InputLimits {
    fn default() -> Self {
        Self { input_file_max_bytes: 1 << 30, account_input_max_bytes: 4 << 30 }
    }
}

/// `[incidents]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IncidentSettings {
    /// Response (first acknowledgement) target per priority, minutes.
    pub response_target_minutes: PriorityMinutes,
    /// Resolution target per priority, minutes (customer wait excluded).
    pub resolution_target_minutes: PriorityMinutes,
    /// Incidents in one group that make it "recurring".
    pub recurring_min_count: u32,
    /// Window, in days ending at the period end, in which recurring incidents are counted.
    pub recurring_window_days: u32,
    /// MTTR above the mean of the 3 previous months by more than this percentage is a warning.
    pub mttr_increase_warning_pct: f64,
}

impl Default for IncidentSettings {
    fn default() -> Self {
        Self {
            response_target_minutes: PriorityMinutes { high: 15.0, medium: 60.0, low: 240.0 },
            resolution_target_minutes: PriorityMinutes { high: 240.0, medium: 720.0, low: 2880.0 },
            recurring_min_count: 3,
            recurring_window_days: 90,
            mttr_increase_warning_pct: 25.0,
        }
    }
}

/// `[service_requests]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServiceRequestSettings {
    /// First-response target per priority, minutes.
    pub response_target_minutes: PriorityMinutes,
}

impl Default for ServiceRequestSettings {
    fn default() -> Self {
        Self { response_target_minutes: PriorityMinutes { high: 60.0, medium: 240.0, low: 1440.0 } }
    }
}

/// `[sla]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SlaSettings {
    /// Adherence below this percentage (any priority, response or resolution) is critical.
    pub adherence_target_pct: f64,
}

impl Default for SlaSettings {
    fn default() -> Self {
        Self { adherence_target_pct: 95.0 }
    }
}

/// `[availability]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AvailabilitySettings {
    /// Console availability target, percent.
    pub console_target_pct: f64,
    /// API availability target, percent.
    pub api_target_pct: f64,
}

impl Default for AvailabilitySettings {
    fn default() -> Self {
        Self { console_target_pct: 99.9, api_target_pct: 99.9 }
    }
}

/// `[backups]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackupSettings {
    /// Recovery-point objective: the longest allowed gap between completed backups, hours.
    pub rpo_hours: f64,
    /// Backup success rate below this percentage is a warning.
    pub success_target_pct: f64,
}

impl Default for BackupSettings {
    fn default() -> Self {
        Self { rpo_hours: 24.0, success_target_pct: 98.0 }
    }
}

/// `[patching]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PatchingSettings {
    /// Patch compliance below this percentage is a warning.
    pub compliance_target_pct: f64,
    /// A critical patch missing for more than this many days is overdue.
    pub critical_overdue_days: u32,
}

impl Default for PatchingSettings {
    fn default() -> Self {
        Self { compliance_target_pct: 95.0, critical_overdue_days: 30 }
    }
}

/// `[rfcs]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RfcSettings {
    /// RFC success rate below this percentage is a warning.
    pub success_target_pct: f64,
    /// An RFC started at most this many minutes after its requested start is on time.
    pub on_time_grace_minutes: f64,
}

impl Default for RfcSettings {
    fn default() -> Self {
        Self { success_target_pct: 90.0, on_time_grace_minutes: 15.0 }
    }
}

/// `[cost]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CostSettings {
    /// Total cost up by more than this percentage month over month is reported.
    pub increase_info_pct: f64,
    /// Products shown by name in the cost breakdown; the rest is "Other".
    pub top_products: u32,
    /// Whose charges a report shows when the billing data names other linked accounts.
    pub linked_accounts: LinkedAccounts,
}

impl Default for CostSettings {
    fn default() -> Self {
        Self { increase_info_pct: 20.0, top_products: 5, linked_accounts: LinkedAccounts::Own }
    }
}

/// `[cost] linked_accounts`: which linked accounts' charges belong to a report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkedAccounts {
    /// Only the report's own account: billing rows of another linked account (which may be
    /// another customer's report account) are left out, and the cost page says how many, never
    /// which.
    #[default]
    Own,
    /// Every linked account the account's billing data names (a payer account reporting on its
    /// own organisation): the cost page lists each.
    All,
}

/// `[storage]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageSettings {
    /// used / provisioned at or above this ratio is "near capacity".
    pub near_capacity_ratio: f64,
}

impl Default for StorageSettings {
    fn default() -> Self {
        Self { near_capacity_ratio: 0.85 }
    }
}

/// `[forecast]`: the lines the forecasts are drawn with (`docs/metrics.md`, `forecasts`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ForecastSettings {
    /// The fewest points (trend periods, or a resource's snapshot days) a line is drawn through.
    pub min_points: u32,
    /// Days of storage snapshots before the period's end a resource's line goes through.
    pub storage_window_days: u32,
    /// A resource that fills within this many days after the period is listed.
    pub storage_horizon_days: u32,
}

impl Default for ForecastSettings {
    fn default() -> Self {
        Self { min_points: 3, storage_window_days: 90, storage_horizon_days: 90 }
    }
}

impl ForecastSettings {
    fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// `[ood]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OodSettings {
    /// Hours used above this share of the allocation are reported.
    pub usage_info_pct: f64,
    /// The price of one block per offering (the billing currency, US dollars): billed blocks and
    /// overage are shown in money for the offerings listed, in blocks and hours for the others.
    pub block_rates: BTreeMap<String, f64>,
}

impl Default for OodSettings {
    fn default() -> Self {
        Self { usage_info_pct: 80.0, block_rates: BTreeMap::new() }
    }
}

/// `[branding]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BrandingSettings {
    /// The provider's name on the cover and in the footer.
    pub provider_name: String,
    /// Report title on the cover.
    pub report_title: String,
    /// Logo (SVG, PNG or JPEG) for the cover; a relative path is read from the working directory.
    pub logo: Option<PathBuf>,
    /// Accent colour, `#RRGGBB`.
    pub accent_color: String,
}

impl Default for BrandingSettings {
    fn default() -> Self {
        Self {
            provider_name: "Managed Services".into(),
            report_title: "Monthly Service Performance Report".into(),
            logo: None,
            accent_color: "#1F4E79".into(),
        }
    }
}

/// How Athena results come back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AthenaResultMode {
    /// `UNLOAD` to Parquet under a per-run prefix (the fast path, for large results).
    #[default]
    Unload,
    /// `GetQueryResults` paging (small results).
    Paging,
}

/// `[athena]`. The `OPSREPORT_ATHENA_*` environment variables override these.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AthenaSettings {
    /// AWS region; unset means the default chain's region.
    pub region: Option<String>,
    /// Athena workgroup.
    pub workgroup: String,
    /// Glue database holding the contract's tables.
    pub database: String,
    /// Data catalog.
    pub catalog: String,
    /// `s3://` location for query results and UNLOAD prefixes.
    pub output_location: Option<String>,
    /// `s3://` root of the dataset layout (the Glue tables' locations are below it): where
    /// `--all-accounts` finds accounts and where notes are read (`notes/<id>/<YYYY-MM>.toml`).
    pub data_location: Option<String>,
    /// Reuse query results up to this age, minutes (unset: no reuse).
    pub result_reuse_minutes: Option<u32>,
    /// Queries running at once.
    pub concurrency: u32,
    /// Result transport.
    pub result_mode: AthenaResultMode,
    /// Give up waiting on Athena after this many seconds for a whole run.
    pub deadline_seconds: u64,
    /// Accounts read per batch of queries. A run reads its accounts batch by batch (one query per
    /// dataset and batch), reading the next batch while the workers write the current one, so its
    /// memory holds at most two batches whatever the fleet's size.
    pub batch_accounts: u32,
}

impl Default for AthenaSettings {
    fn default() -> Self {
        Self {
            region: None,
            workgroup: "primary".into(),
            database: "opsreport".into(),
            catalog: "AwsDataCatalog".into(),
            output_location: None,
            data_location: None,
            result_reuse_minutes: None,
            concurrency: 5,
            result_mode: AthenaResultMode::Unload,
            deadline_seconds: 1800,
            batch_accounts: 30,
        }
    }
}

/// `[s3]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct S3Settings {
    /// Path-style addressing, for S3-compatible stores (MinIO, moto).
    pub force_path_style: bool,
    /// KMS key for SSE-KMS on report objects (unset: the bucket's default encryption).
    pub sse_kms_key_id: Option<String>,
}

/// A setting out of its range: its key, value and rule.
type OutOfRange = (String, String, &'static str);

impl Config {
    /// Parses and checks a configuration; `origin` names the file in messages.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|error| ConfigError::Parse {
            origin: origin.to_owned(),
            message: error.to_string().trim_end().to_owned(),
        })?;
        config.check(origin)?;
        Ok(config)
    }

    /// Range checks that types cannot express: the first setting out of range, else the
    /// dataset sources.
    fn check(&self, origin: &str) -> Result<(), ConfigError> {
        let checks: [fn(&Config) -> Option<OutOfRange>; 8] = [
            Self::sizes_out_of_range,
            Self::targets_out_of_range,
            Self::counts_out_of_range,
            Self::forecast_out_of_range,
            Self::texts_out_of_range,
            Self::customers_out_of_range,
            |config| config.scorecard.out_of_range(),
            |config| config.freshness.out_of_range(),
        ];
        if let Some((key, value, rule)) = checks.iter().find_map(|check| check(self)) {
            return Err(ConfigError::OutOfRange { origin: origin.to_owned(), key, value, rule });
        }
        check_sources(&self.datasets, origin)
    }

    /// Sizes and percentages.
    fn sizes_out_of_range(&self) -> Option<OutOfRange> {
        let bad = |key: &str, value: String, rule: &'static str| Some((key.to_owned(), value, rule));
        for (key, value) in [
            ("limits.input_file_max_bytes", self.limits.input_file_max_bytes),
            ("limits.account_input_max_bytes", self.limits.account_input_max_bytes),
        ] {
            if value == 0 {
                return bad(key, value.to_string(), "bytes greater than 0");
            }
        }
        let percentages = [
            ("sla.adherence_target_pct", self.sla.adherence_target_pct),
            ("availability.console_target_pct", self.availability.console_target_pct),
            ("availability.api_target_pct", self.availability.api_target_pct),
            ("backups.success_target_pct", self.backups.success_target_pct),
            ("patching.compliance_target_pct", self.patching.compliance_target_pct),
            ("rfcs.success_target_pct", self.rfcs.success_target_pct),
            ("ood.usage_info_pct", self.ood.usage_info_pct),
        ];
        let (key, value) = percentages.into_iter().find(|(_, value)| !(0.0..=100.0).contains(value))?;
        bad(key, value.to_string(), "a percentage from 0 to 100")
    }

    /// Targets in minutes, prices and other amounts.
    fn targets_out_of_range(&self) -> Option<OutOfRange> {
        let bad = |key: &str, value: String, rule: &'static str| Some((key.to_owned(), value, rule));
        let positive = [
            ("incidents.response_target_minutes", &self.incidents.response_target_minutes),
            ("incidents.resolution_target_minutes", &self.incidents.resolution_target_minutes),
            ("service_requests.response_target_minutes", &self.service_requests.response_target_minutes),
        ];
        for (key, minutes) in positive {
            for (priority, value) in [("high", minutes.high), ("medium", minutes.medium), ("low", minutes.low)] {
                if !(value > 0.0 && value.is_finite()) {
                    return bad(&format!("{key}.{priority}"), value.to_string(), "minutes greater than 0");
                }
            }
        }
        for (offering, rate) in &self.ood.block_rates {
            if !(0.0..=1e9).contains(rate) {
                return bad(&format!("ood.block_rates.{offering:?}"), rate.to_string(), "a price from 0 to 10^9");
            }
        }
        let non_negative = [
            ("incidents.mttr_increase_warning_pct", self.incidents.mttr_increase_warning_pct),
            ("cost.increase_info_pct", self.cost.increase_info_pct),
            ("rfcs.on_time_grace_minutes", self.rfcs.on_time_grace_minutes),
        ];
        if let Some((key, value)) = non_negative.into_iter().find(|(_, value)| !(*value >= 0.0 && value.is_finite())) {
            return bad(key, value.to_string(), "a number of 0 or more");
        }
        if !(self.backups.rpo_hours > 0.0 && self.backups.rpo_hours.is_finite()) {
            return bad("backups.rpo_hours", self.backups.rpo_hours.to_string(), "hours greater than 0");
        }
        let ratio = self.storage.near_capacity_ratio;
        if !(ratio > 0.0 && ratio <= 1.0) {
            return bad("storage.near_capacity_ratio", ratio.to_string(), "a ratio greater than 0 and at most 1");
        }
        None
    }

    /// The console's settings and the counts.
    fn counts_out_of_range(&self) -> Option<OutOfRange> {
        if let Some((key, value, rule)) = self.console.out_of_range() {
            return Some((key.to_owned(), value, rule));
        }
        let bad = |key: &str, value: String, rule: &'static str| Some((key.to_owned(), value, rule));
        if self.incidents.recurring_min_count < 2 {
            return bad("incidents.recurring_min_count", self.incidents.recurring_min_count.to_string(), "2 or more");
        }
        let at_least_one = [
            ("incidents.recurring_window_days", u64::from(self.incidents.recurring_window_days), "1 or more days"),
            ("cost.top_products", u64::from(self.cost.top_products), "1 or more"),
            ("athena.concurrency", u64::from(self.athena.concurrency), "1 or more"),
            ("athena.batch_accounts", u64::from(self.athena.batch_accounts), "1 or more"),
        ];
        let (key, _, rule) = at_least_one.into_iter().find(|(_, value, _)| *value == 0)?;
        bad(key, "0".into(), rule)
    }

    /// `[forecast]`: a line needs three points for a range (one degree of freedom), and its
    /// windows are days within a year.
    fn forecast_out_of_range(&self) -> Option<OutOfRange> {
        let forecast = &self.forecast;
        let checks = [
            ("forecast.min_points", forecast.min_points, 3..=60, "a number of points from 3 to 60"),
            ("forecast.storage_window_days", forecast.storage_window_days, 7..=366, "days from 7 to 366"),
            ("forecast.storage_horizon_days", forecast.storage_horizon_days, 1..=366, "days from 1 to 366"),
        ];
        let (key, value, _, rule) = checks.into_iter().find(|(_, value, range, _)| !range.contains(value))?;
        Some((key.to_owned(), value.to_string(), rule))
    }

    /// `[customers.<id>]`: a name and distinct accounts each.
    fn customers_out_of_range(&self) -> Option<OutOfRange> {
        self.customers.iter().find_map(|(id, customer)| {
            customer.out_of_range().map(|(key, value, rule)| (format!("customers.{id}.{key}"), value, rule))
        })
    }

    /// The accent colour and the S3 locations.
    fn texts_out_of_range(&self) -> Option<OutOfRange> {
        let bad = |key: &str, value: String, rule: &'static str| Some((key.to_owned(), value, rule));
        let color = &self.branding.accent_color;
        if !(color.len() == 7 && color.starts_with('#') && color[1..].bytes().all(|byte| byte.is_ascii_hexdigit())) {
            return bad("branding.accent_color", format!("{color:?}"), "a colour written #RRGGBB");
        }
        for (key, value) in
            [("athena.output_location", &self.athena.output_location), ("athena.data_location", &self.athena.data_location)]
        {
            if let Some(location) = value
                && !location.starts_with("s3://")
            {
                return bad(key, format!("{location:?}"), "an s3:// URI");
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forecast_settings_are_checked_and_left_out_of_the_fingerprint_at_their_defaults() {
        for (text, key) in [
            ("[forecast]\nmin_points = 2\n", "forecast.min_points"),
            ("[forecast]\nstorage_window_days = 3\n", "forecast.storage_window_days"),
            ("[forecast]\nstorage_horizon_days = 0\n", "forecast.storage_horizon_days"),
        ] {
            let message = Config::from_toml(text, "x.toml").unwrap_err().to_string();
            assert!(message.contains(key), "{message}");
        }
        let changed = Config::from_toml("[forecast]\nmin_points = 4\n", "x.toml").unwrap();
        assert_eq!(changed.forecast.min_points, 4);
        let json = |config: &Config| serde_json::to_string(config).unwrap();
        assert!(!json(&Config::default()).contains("forecast"));
        assert!(json(&changed).contains("\"forecast\":{\"min_points\":4"));
    }

    #[test]
    fn empty_file_gives_the_defaults() {
        assert_eq!(Config::from_toml("", "opsreport.toml").unwrap(), Config::default());
    }

    #[test]
    fn values_override_defaults() {
        let config = Config::from_toml(
            "timezone = \"Europe/Berlin\"\n[incidents.response_target_minutes]\nhigh = 10\nmedium = 30\nlow = 120\n[backups]\nrpo_hours = 12\n",
            "opsreport.toml",
        )
        .unwrap();
        assert_eq!(config.timezone.0.name(), "Europe/Berlin");
        assert_eq!(config.incidents.response_target_minutes.high, 10.0);
        assert_eq!(config.backups.rpo_hours, 12.0);
        assert_eq!(config.incidents.resolution_target_minutes.high, 240.0);
    }

    #[test]
    fn unknown_key_is_named() {
        let message = Config::from_toml("[backups]\nrpo_hour = 12\n", "x.toml").unwrap_err().to_string();
        assert!(message.contains("rpo_hour"), "{message}");
        assert!(message.contains("x.toml"), "{message}");
        let message = Config::from_toml("colour = 1\n", "x.toml").unwrap_err().to_string();
        assert!(message.contains("colour"), "{message}");
    }

    #[test]
    fn wrong_type_is_named() {
        let message = Config::from_toml("[availability]\napi_target_pct = \"high\"\n", "x.toml").unwrap_err().to_string();
        assert!(message.contains("api_target_pct"), "{message}");
    }

    #[test]
    fn bad_time_zone_and_ranges_are_named() {
        let message = Config::from_toml("timezone = \"Mars/Base\"\n", "x.toml").unwrap_err().to_string();
        assert!(message.contains("Mars/Base") && message.contains("IANA"), "{message}");
        let message = Config::from_toml("[sla]\nadherence_target_pct = 120\n", "x.toml").unwrap_err().to_string();
        assert!(message.contains("sla.adherence_target_pct"), "{message}");
        let message = Config::from_toml("[incidents.response_target_minutes]\nhigh = 0\nmedium = 1\nlow = 1\n", "x.toml")
            .unwrap_err()
            .to_string();
        assert!(message.contains("incidents.response_target_minutes.high"), "{message}");
        let message = Config::from_toml("[branding]\naccent_color = \"blue\"\n", "x.toml").unwrap_err().to_string();
        assert!(message.contains("branding.accent_color"), "{message}");
    }

    #[test]
    fn customers_are_read_checked_and_left_out_of_the_fingerprint() {
        let text = "[customers.acme]\nname = \"Acme\"\naccounts = [\"000000000001\", \"000000000002\"]\n";
        let config = Config::from_toml(text, "x.toml").unwrap();
        let acme = &config.customers[&crate::CustomerId::parse("acme").unwrap()];
        assert_eq!(acme.name, "Acme");
        assert_eq!(acme.accounts.len(), 2);
        assert_eq!(serde_json::to_string(&config).unwrap(), serde_json::to_string(&Config::default()).unwrap());
        for (text, needle) in [
            ("[customers.Acme]\nname = \"A\"\naccounts = [\"000000000001\"]\n", "invalid customer id"),
            ("[customers.acme]\nname = \"A\"\naccounts = [\"1\"]\n", "invalid account id"),
            ("[customers.acme]\nname = \"A\"\naccounts = []\n", "customers.acme.accounts"),
            ("[customers.acme]\nname = \"\"\naccounts = [\"000000000001\"]\n", "customers.acme.name"),
            ("[customers.acme]\nname = \"A\"\naccounts = [\"000000000001\"]\ntag = \"x\"\n", "unknown field"),
        ] {
            let message = Config::from_toml(text, "x.toml").unwrap_err().to_string();
            assert!(message.contains(needle), "{text}: {message}");
        }
    }
}
