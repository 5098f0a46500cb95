//! A report section as the template lays it out: title, availability, intro, figures, charts and
//! tables — the same shape for every section, so adding one is adding a module that fills it.

use opsreport_model::metrics::{Availability, ByPriority};
use serde::Serialize;

use super::table::Table;
use crate::charts::{ChartId, ChartSet};

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

/// One section of the report.
#[derive(Serialize)]
pub(super) struct Section {
    id: SectionId,
    title: &'static str,
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
        .filter(|text| !text.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    Section {
        id,
        title,
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
