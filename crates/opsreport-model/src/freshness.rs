//! Whether a report's data is current: `[freshness]` (how old each source's newest record may be
//! at the period's end) and what a report found (`metrics.json` `freshness`). A report with a
//! stale source, or a customer's review with an account left out, is *held*: its cover says so,
//! and the console sends it only when the user confirms, and records that they did.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{DatasetKind, DatasetName};

/// `[freshness]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FreshnessSettings {
    /// Days a daily source's newest record may lie before the period's last day (or the day
    /// before the report date, when that is earlier). Daily sources: the snapshots, the
    /// availability probes and the backup report.
    pub lag_days: u32,
    /// A dataset's own lag, in days; an event dataset (incidents, alerts, …) is checked only when
    /// listed here: a quiet week has no new incident and is not stale.
    pub datasets: BTreeMap<DatasetName, u32>,
}

impl Default for FreshnessSettings {
    fn default() -> Self {
        Self { lag_days: 3, datasets: BTreeMap::new() }
    }
}

impl FreshnessSettings {
    /// Whether every setting is its default.
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }

    /// The lag a dataset is held to, if it is checked.
    pub fn lag(&self, dataset: DatasetName) -> Option<u32> {
        self.datasets.get(&dataset).copied().or_else(|| is_daily(dataset).then_some(self.lag_days))
    }

    /// The first setting out of its range.
    pub fn out_of_range(&self) -> Option<(String, String, &'static str)> {
        let rule = "days from 0 to 366";
        if self.lag_days > 366 {
            return Some(("freshness.lag_days".to_owned(), self.lag_days.to_string(), rule));
        }
        let (dataset, days) = self.datasets.iter().find(|(_, days)| **days > 366)?;
        Some((format!("freshness.datasets.{dataset}"), days.to_string(), rule))
    }
}

/// The sources delivered every day, checked by default: the snapshots, the availability probes
/// and the daily backup report. Billing is dated by its month; an event source may be quiet.
pub fn is_daily(dataset: DatasetName) -> bool {
    dataset.spec().kind == DatasetKind::Snapshot || matches!(dataset, DatasetName::Availability | DatasetName::BackupJobs)
}

/// `freshness`: the day the report's data had to reach and the sources that did not.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Freshness {
    /// The day each checked source's newest record is measured against: the period's last day,
    /// or the day before the report date when that is earlier.
    pub due: Option<NaiveDate>,
    /// The checked sources whose newest record is older than their lag allows.
    pub stale: Vec<StaleSource>,
}

impl Freshness {
    /// Whether any source is stale.
    pub fn is_stale(&self) -> bool {
        !self.stale.is_empty()
    }
}

/// A source older than its lag allows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaleSource {
    /// The dataset.
    pub dataset: DatasetName,
    /// The account whose data it is, in a customer's review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<crate::AccountId>,
    /// The day of its newest record (in the report's time zone).
    pub newest: NaiveDate,
    /// Days from that day to the day due.
    pub days_behind: u32,
    /// The lag allowed.
    pub lag_days: u32,
}

/// The checked sources of `quality` whose newest record (its day in `zone`, the report's time
/// zone) lies more than their lag before `due`.
pub fn stale_sources(
    quality: &[crate::DatasetQuality],
    settings: &FreshnessSettings,
    due: NaiveDate,
    zone: chrono_tz::Tz,
) -> Vec<StaleSource> {
    quality
        .iter()
        .filter(|record| !record.missing)
        .filter_map(|record| {
            let lag_days = settings.lag(record.dataset)?;
            let newest = newest_day(record.newest.as_deref()?, zone)?;
            let days_behind = u32::try_from((due - newest).num_days()).ok()?;
            (days_behind > lag_days).then_some(StaleSource {
                dataset: record.dataset,
                account_id: None,
                newest,
                days_behind,
                lag_days,
            })
        })
        .collect()
}

/// The day of a `newest` value: an RFC 3339 time's day in `zone`, or a `YYYY-MM-DD` date.
pub fn newest_day(newest: &str, zone: chrono_tz::Tz) -> Option<NaiveDate> {
    chrono::DateTime::parse_from_rfc3339(newest)
        .map(|time| time.with_timezone(&zone).date_naive())
        .ok()
        .or_else(|| NaiveDate::parse_from_str(newest.get(..10)?, "%Y-%m-%d").ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(dataset: DatasetName, newest: &str) -> crate::DatasetQuality {
        let mut record = crate::DatasetQuality::new(dataset);
        record.newest = Some(newest.to_owned());
        record
    }

    #[test]
    fn a_daily_source_older_than_its_lag_is_stale_an_event_source_only_when_configured() {
        let due = NaiveDate::from_ymd_opt(2026, 10, 31).unwrap();
        let quality = [
            record(DatasetName::PatchDetails, "2026-10-27"),
            record(DatasetName::Storage, "2026-10-28"),
            record(DatasetName::Availability, "2026-10-31T23:55:00Z"),
            record(DatasetName::Incidents, "2026-10-01T08:00:00Z"),
        ];
        let settings = FreshnessSettings::default();
        let stale = stale_sources(&quality, &settings, due, chrono_tz::Tz::UTC);
        assert_eq!(stale.len(), 1, "{stale:?}");
        assert_eq!((stale[0].dataset, stale[0].days_behind, stale[0].lag_days), (DatasetName::PatchDetails, 4, 3));
        let settings: FreshnessSettings = toml::from_str("lag_days = 5\n[datasets]\nincidents = 14\n").unwrap();
        let stale = stale_sources(&quality, &settings, due, chrono_tz::Tz::UTC);
        assert_eq!(stale.iter().map(|s| s.dataset).collect::<Vec<_>>(), [DatasetName::Incidents]);
        assert!(toml::from_str::<FreshnessSettings>("[datasets]\nincident = 1\n").is_err());
        // 23:30 UTC on 27 October is the 28th in Berlin: 3 days behind, not 4.
        let late = [record(DatasetName::Storage, "2026-10-27T23:30:00Z")];
        let berlin = stale_sources(&late, &FreshnessSettings::default(), due, chrono_tz::Europe::Berlin);
        assert!(berlin.is_empty(), "{berlin:?}");
        assert_eq!(stale_sources(&late, &FreshnessSettings::default(), due, chrono_tz::Tz::UTC).len(), 1);
    }
}
