//! A report section as the template lays it out: title, availability, intro, figures, charts and
//! tables — the same shape for every section, so adding one is adding a module that fills it.

use opsreport_model::DatasetName;
use opsreport_model::metrics::{Availability, ByPriority, Metrics};
use serde::Serialize;

use super::table::Table;
use crate::charts::{ChartId, ChartSet};
use crate::format::plural;

/// The report's sections (written in `data/report.json` as their snake-case names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum SectionId {
    Accounts,
    Resources,
    Monitoring,
    Incidents,
    Sla,
    ServiceRequests,
    Changes,
    Patching,
    Continuity,
    Storage,
    TrustedAdvisor,
    Availability,
    Cost,
    Ood,
    Outlook,
}

impl SectionId {
    /// What the section's data is about, as a customer would name it ("No backup data was
    /// delivered …").
    fn subject(self) -> &'static str {
        match self {
            SectionId::Accounts => "account",
            SectionId::Resources => "stack",
            SectionId::Monitoring => "alert",
            SectionId::Incidents | SectionId::Sla => "incident",
            SectionId::ServiceRequests => "service request",
            SectionId::Changes => "change request",
            SectionId::Patching => "patching",
            SectionId::Continuity => "backup",
            SectionId::Storage => "storage",
            SectionId::TrustedAdvisor => "Trusted Advisor",
            SectionId::Availability => "availability",
            SectionId::Cost => "billing",
            SectionId::Ood => "Operations on Demand",
            SectionId::Outlook => "forecast",
        }
    }
}

impl SectionId {
    /// The datasets the section is drawn from (none: made from the finished tree).
    fn datasets(self) -> &'static [DatasetName] {
        use DatasetName as D;
        match self {
            SectionId::Accounts | SectionId::Outlook => &[],
            SectionId::Resources => &[D::Stacks],
            SectionId::Monitoring => &[D::Alerts],
            SectionId::Incidents | SectionId::Sla => &[D::Incidents],
            SectionId::ServiceRequests => &[D::ServiceRequests],
            SectionId::Changes => &[D::Rfcs],
            SectionId::Patching => &[D::PatchDetails, D::MissingPatches],
            SectionId::Continuity => &[D::BackupJobs, D::RestoreJobs],
            SectionId::Storage => &[D::Storage],
            SectionId::TrustedAdvisor => &[D::TrustedAdvisor],
            SectionId::Availability => &[D::Availability],
            SectionId::Cost => &[D::Billing],
            SectionId::Ood => &[D::OodHours],
        }
    }
}

/// One section of the report.
#[derive(Serialize)]
pub(super) struct Section {
    id: SectionId,
    title: &'static str,
    /// "Data as of …": the newest record of each of its sources (empty: none has one).
    as_of: String,
    /// A source of it is older than `[freshness]` allows.
    stale: bool,
    available: bool,
    /// Why there is no data (printed instead of the section when `available` is false).
    missing: String,
    intro: String,
    figures: Vec<Figure>,
    charts: Vec<ChartRef>,
    pub(super) tables: Vec<Table>,
}

/// A headline figure of a section.
#[derive(Serialize)]
struct Figure {
    label: String,
    value: String,
}

/// A chart the template places: its SVG file, caption and layout.
#[derive(Serialize)]
struct ChartRef {
    file: String,
    caption: String,
    /// `pie` (laid out side by side) or `wide`.
    kind: &'static str,
}

/// A section from its parts; the charts that were drawn among `chart_names` are placed, and
/// what the section's source cannot provide is said after the intro, never shown as 0.
#[allow(clippy::too_many_arguments)]
pub(super) fn section(
    id: SectionId,
    title: &'static str,
    status: &Availability,
    intro: String,
    figures: Vec<(String, String)>,
    charts: &ChartSet,
    chart_names: &[(ChartId, &str)],
    tables: Vec<Table>,
) -> Section {
    let single_points: Vec<String> =
        chart_names.iter().filter_map(|(chart, caption)| charts.single_point(*chart, caption)).collect();
    let charts = chart_names
        .iter()
        .filter(|(chart, _)| charts.contains(*chart))
        .map(|(chart, caption)| ChartRef {
            file: format!("charts/{}.svg", chart.name()),
            caption: (*caption).to_owned(),
            kind: if chart.is_pie() { "pie" } else { "wide" },
        })
        .collect();
    let intro = std::iter::once(intro)
        .chain(status.not_provided.iter().map(|sentence| format!("{sentence}.")))
        .chain(single_points)
        .filter(|text| !text.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    Section {
        id,
        title,
        as_of: String::new(),
        stale: false,
        available: status.available,
        missing: status.missing_reason.clone().unwrap_or_else(|| "the data was not delivered".to_owned()),
        intro,
        figures: figures.into_iter().map(|(label, value)| Figure { label, value }).collect(),
        charts,
        tables,
    }
}

impl SectionId {
    /// The snake-case name the section is written under in `data/report.json`.
    pub(super) fn name(self) -> String {
        serde_json::to_value(self).ok().and_then(|value| value.as_str().map(str::to_owned)).unwrap_or_default()
    }
}

/// The status of a part that is always there (it is made from the finished tree).
pub(super) fn available_status() -> Availability {
    Availability { available: true, missing_reason: None, not_provided: Vec::new() }
}

impl Section {
    /// In a customer's review, the section's per-account table after its own tables.
    pub(super) fn with_accounts(mut self, rollup: Option<&opsreport_model::metrics::CustomerRollup>) -> Self {
        if let Some(table) =
            rollup.filter(|_| self.available).and_then(|rollup| super::accounts::breakdown(self.id, self.title, rollup))
        {
            self.tables.push(table);
        }
        self
    }

    /// Says how current the section's data is: "Data as of 31 October 2026", each source's
    /// newest record (in the report's time zone) when they differ, and which are older than
    /// `[freshness]` allows.
    pub(super) fn with_freshness(mut self, m: &Metrics) -> Self {
        let zone = m.timezone.0;
        let mut days: Vec<(DatasetName, chrono::NaiveDate)> = Vec::new();
        for dataset in self.id.datasets() {
            let record = m.data_quality.iter().find(|record| record.dataset == *dataset && !record.missing);
            if let Some(day) = record
                .and_then(|record| record.newest.as_deref())
                .and_then(|newest| opsreport_model::freshness::newest_day(newest, zone))
            {
                days.push((*dataset, day));
            }
        }
        let stale: Vec<&opsreport_model::freshness::StaleSource> =
            m.freshness.stale.iter().filter(|source| self.id.datasets().contains(&source.dataset)).collect();
        self.stale = !stale.is_empty();
        let same_day = days.windows(2).all(|pair| pair[0].1 == pair[1].1);
        self.as_of = match days.as_slice() {
            [] => String::new(),
            [(_, day), ..] if same_day => format!("Data as of {}", crate::format::day_label(*day)),
            _ => format!(
                "Data as of {}",
                days.iter()
                    .map(|(dataset, day)| format!(
                        "{} ({})",
                        crate::format::day_label(*day),
                        crate::format::label(dataset.as_str()).to_lowercase()
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        if let Some(worst) = stale.iter().map(|source| source.days_behind).max() {
            let allowed = stale.iter().map(|source| source.lag_days).min().unwrap_or_default();
            let accounts = stale.iter().filter(|source| source.account_id.is_some()).count();
            let whose =
                if accounts > 0 { format!(" for {}", plural(accounts as u64, "account", "accounts")) } else { String::new() };
            self.as_of = format!(
                "{}{}not current: {} behind{whose} ({allowed} allowed)",
                self.as_of,
                if self.as_of.is_empty() { "" } else { " · " },
                plural(u64::from(worst), "day", "days")
            );
        }
        self
    }

    /// Says in the customer's words why the section is empty ("No backup data was delivered for
    /// November 2026"); the technical reason stays in the data-quality appendix.
    pub(super) fn in_customer_words(mut self, month: &str) -> Self {
        if !self.available {
            self.missing = format!(
                "No {} data was delivered for {month}; the data-quality appendix at the end lists what was read.",
                self.id.subject()
            );
        }
        self
    }
}

/// The lowest of the three priorities' values (the headline SLA figure).
pub(super) fn worst(values: &ByPriority<Option<f64>>) -> Option<f64> {
    values.lowest()
}

/// A tile's status from a verdict: `met`, `missed`, or `neutral` when there is none.
pub(super) fn status_of(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "met",
        Some(false) => "missed",
        None => "neutral",
    }
}
