//! A report section as the template lays it out: title, availability, intro, figures, charts and
//! tables — the same shape for every section, so adding one is adding a module that fills it.

use opsreport_model::PeriodKind;
use opsreport_model::metrics::{Availability, ByPriority};
use serde::Serialize;

use super::table::Table;
use crate::charts::ChartSet;

/// One section of the report.
#[derive(Serialize)]
pub(super) struct Section {
    id: &'static str,
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

/// Charts drawn as pies (laid out side by side); the rest span the text width.
const PIES: &[&str] =
    &["stacks_by_category", "stacks_by_environment", "stacks_by_type", "storage_by_type", "cost_split", "cost_ri_sp"];

/// A section from its parts; the charts that were drawn among `chart_names` are placed, and
/// what the section's source cannot provide is said after the intro, never shown as 0.
#[allow(clippy::too_many_arguments)]
pub(super) fn section(
    id: &'static str,
    title: &'static str,
    status: &Availability,
    intro: String,
    figures: Vec<(String, String)>,
    charts: &ChartSet,
    chart_names: &[(&str, &'static str)],
    tables: Vec<Table>,
) -> Section {
    let charts = chart_names
        .iter()
        .filter(|(name, _)| charts.contains(name))
        .map(|(name, caption)| ChartRef {
            file: format!("charts/{name}.svg"),
            caption: (*caption).to_owned(),
            kind: if PIES.contains(name) { "pie" } else { "wide" },
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

/// The report's own sentences are written for a month; a week's or a quarter's report words
/// them for its period ("this week", "vs last quarter", "last 12 weeks"). Only text opsreport
/// writes goes through here — never a note or a value from the data.
pub(super) fn reword(text: &str, kind: PeriodKind) -> String {
    let pairs: &[(&str, &str)] = match kind {
        PeriodKind::Monthly => return text.to_owned(),
        PeriodKind::Weekly => &[
            ("last 6 months", "last 12 weeks"),
            ("per month", "per week"),
            ("this month", "this week"),
            ("last month", "last week"),
            ("end of the month", "end of the week"),
            ("month end", "week end"),
            ("this month", "this week"),
        ],
        PeriodKind::Quarterly => &[
            ("this month", "this quarter"),
            ("last month", "last quarter"),
            ("end of the month", "end of the quarter"),
            ("month end", "quarter end"),
        ],
    };
    pairs.iter().fold(text.to_owned(), |text, (from, to)| text.replace(from, to))
}

impl Section {
    /// The section's own words for a report of `kind` ([`reword`]).
    pub(super) fn for_kind(mut self, kind: PeriodKind) -> Self {
        self.intro = reword(&self.intro, kind);
        for figure in &mut self.figures {
            figure.label = reword(&figure.label, kind);
        }
        for chart in &mut self.charts {
            chart.caption = reword(&chart.caption, kind);
        }
        for table in &mut self.tables {
            table.title = reword(&table.title, kind);
            table.empty = reword(&table.empty, kind);
            table.more = reword(&table.more, kind);
            for column in &mut table.columns {
                *column = reword(column, kind);
            }
        }
        self
    }

    /// Says in the customer's words why the section is empty ("No backup data was delivered for
    /// November 2026"); the technical reason stays in the data-quality appendix.
    pub(super) fn in_customer_words(mut self, month: &str) -> Self {
        if !self.available {
            self.missing = format!(
                "No {} data was delivered for {month}; the data-quality appendix at the end lists what was read.",
                subject(self.id)
            );
        }
        self
    }
}

/// What a section's data is about, as a customer would name it.
fn subject(id: &str) -> &'static str {
    match id {
        "resources" => "stack",
        "monitoring" => "alert",
        "incidents" | "sla" => "incident",
        "service_requests" => "service request",
        "changes" => "change request",
        "patching" => "patching",
        "continuity" => "backup",
        "storage" => "storage",
        "trusted_advisor" => "Trusted Advisor",
        "availability" => "availability",
        "cost" => "billing",
        "ood" => "Operations on Demand",
        _ => "monitoring",
    }
}

/// The lowest of the three priorities' values (the headline SLA figure).
pub(super) fn worst(values: &ByPriority<Option<f64>>) -> Option<f64> {
    [values.high, values.medium, values.low].into_iter().flatten().reduce(f64::min)
}

/// A tile's status from a verdict: `met`, `missed`, or `neutral` when there is none.
pub(super) fn status_of(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "met",
        Some(false) => "missed",
        None => "neutral",
    }
}
