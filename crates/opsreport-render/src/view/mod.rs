//! The report's view model: everything the template prints, built from the `Metrics` tree, the
//! notes and the branding, with numbers already formatted for people (through
//! [`crate::format`]). The template only lays it out; it never computes. Strings travel as JSON
//! values, so the template prints them as text — markup characters in notes or data can never
//! run anything.
//!
//! One module per part of the report, mirroring `opsreport-metrics`: each turns its metrics into
//! a typed view ([`section::Section`] for the sections); this module assembles them. Adding a
//! section or a report kind is adding a module, not editing one long function.

mod accounts;
mod alerts;
mod appendix;
mod availability;
mod backups;
mod cost;
mod front;
mod incidents;
mod initiatives;
mod meeting;
mod ood;
mod outlook;
mod patching;
mod quarterly;
mod rfcs;
mod section;
mod service_requests;
mod stacks;
mod storage;
mod summary;
mod table;
mod trusted_advisor;
mod weekly;

use opsreport_model::PeriodKind;
use opsreport_model::config::BrandingSettings;
use opsreport_model::metrics::Metrics;
use opsreport_model::notes::Notes;
use serde::Serialize;
use serde_json::Value;

use crate::charts::ChartSet;
pub use table::{CELL_CHARS, Table};

/// What every part's module uses.
mod prelude {
    pub(super) use super::Context;
    pub(super) use super::section::{Section, SectionId, section, status_of, worst};
    pub(super) use super::table::{TABLE_ROWS, Table, priority_rows};
    pub(super) use crate::charts::ChartId;
    pub(super) use crate::format::{
        Unit, bytes, count, counted, csat, date_label, decimal, hours, label, minutes, money, or_na, pct, percent_places, plural,
        points_change, relative_change, signed, table_month, thousands,
    };
    pub(super) use opsreport_model::metrics::{CostMetrics, Metrics, OodEngagement, OodMetrics};
    pub(super) use opsreport_model::notes::Notes;
}

/// The inputs of one report besides the metrics.
pub struct ViewInput<'a> {
    /// The metrics.
    pub metrics: &'a Metrics,
    /// The notes, if any.
    pub notes: Option<&'a Notes>,
    /// Branding.
    pub branding: &'a BrandingSettings,
    /// The SLA adherence target (percent).
    pub sla_target_pct: f64,
    /// Patch compliance target.
    pub patch_target_pct: f64,
    /// Backup success target.
    pub backup_target_pct: f64,
    /// RFC success target.
    pub rfc_target_pct: f64,
    /// Whether a logo file is provided (as `assets/logo.<ext>`).
    pub logo: Option<String>,
}

/// What a part's module reads: the metrics, the other inputs and the charts drawn.
pub(crate) struct Context<'a> {
    m: &'a Metrics,
    input: &'a ViewInput<'a>,
    charts: &'a ChartSet,
}

impl Context<'_> {
    /// How the report's sentences name its period ("this week", "vs last quarter").
    fn words(&self) -> opsreport_model::period::PeriodWords {
        self.m.kind.words()
    }
}

/// `data/report.json`: the whole report as the template reads it.
#[derive(Serialize)]
struct ReportView {
    meta: front::Meta,
    meeting: meeting::Meeting,
    summary: summary::Summary,
    /// The initiatives: what the period changed, and the plan by target quarter.
    initiatives: initiatives::Initiatives,
    notes: front::NotesView,
    weekly: Option<weekly::Weekly>,
    quarterly: Option<quarterly::Quarterly>,
    resources: Option<section::Section>,
    performance: Vec<section::Section>,
    cost: Option<section::Section>,
    ood: Option<section::Section>,
    /// The forecasts, after everything they are drawn from (every kind).
    outlook: section::Section,
    appendix: appendix::Appendix,
}

/// The sections a kind of report shows, in its order: `(resources, performance, cost, OOD)`.
/// The weekly review looks at operations (no inventory, no billing: billing is monthly); the
/// quarterly review adds the inventory and cost but not Operations on Demand, which is billed
/// and reviewed per month.
type Sections = (Option<section::Section>, Vec<section::Section>, Option<section::Section>, Option<section::Section>);

fn sections(cx: &Context, kind: PeriodKind) -> Sections {
    match kind {
        PeriodKind::Weekly => (
            None,
            vec![
                incidents::incidents(cx),
                incidents::sla(cx),
                alerts::monitoring(cx),
                service_requests::service_requests(cx),
                rfcs::changes(cx),
                patching::patching(cx),
                backups::continuity(cx),
                availability::availability(cx),
            ],
            None,
            None,
        ),
        PeriodKind::Monthly => (
            Some(stacks::resources(cx)),
            vec![
                alerts::monitoring(cx),
                incidents::incidents(cx),
                incidents::sla(cx),
                service_requests::service_requests(cx),
                rfcs::changes(cx),
                patching::patching(cx),
                backups::continuity(cx),
                storage::storage(cx),
                trusted_advisor::trusted_advisor(cx),
                availability::availability(cx),
            ],
            Some(cost::cost(cx)),
            Some(ood::ood(cx)),
        ),
        PeriodKind::Quarterly => (
            Some(stacks::resources(cx)),
            vec![
                incidents::incidents(cx),
                incidents::sla(cx),
                availability::availability(cx),
                service_requests::service_requests(cx),
                rfcs::changes(cx),
                alerts::monitoring(cx),
                patching::patching(cx),
                backups::continuity(cx),
                storage::storage(cx),
                trusted_advisor::trusted_advisor(cx),
            ],
            Some(cost::cost(cx)),
            None,
        ),
    }
}

/// The report date (`generated_on`), the day the meeting reviews the action items.
fn report_date(m: &Metrics) -> chrono::NaiveDate {
    m.generated_on
}

/// Builds `data/report.json` and the tables (in the order the report prints them).
pub fn build(input: &ViewInput, charts: &ChartSet) -> (Value, Vec<Table>) {
    let cx = Context { m: input.metrics, input, charts };
    let notes = input.notes.cloned().unwrap_or_default();
    let kind = input.metrics.kind;
    let period = crate::format::period_label(input.metrics.period);
    let rollup = input.metrics.customer.as_ref();
    let customer_words =
        |section: section::Section| section.with_accounts(rollup).with_freshness(input.metrics).in_customer_words(&period);
    let (resources, mut performance, cost, ood) = sections(&cx, kind);
    // A customer's review opens its sections with its accounts, ranked.
    performance.splice(0..0, accounts::accounts(&cx));
    let view = ReportView {
        meta: front::meta(&cx, &notes),
        meeting: meeting::meeting(&notes, kind),
        summary: summary::summary(&cx, &notes),
        initiatives: initiatives::initiatives(&cx, &notes),
        notes: front::notes(&notes, report_date(input.metrics)),
        weekly: (kind == PeriodKind::Weekly).then(|| weekly::weekly(&cx, &notes)),
        quarterly: (kind == PeriodKind::Quarterly).then(|| quarterly::quarterly(&cx, &notes)),
        resources: resources.map(customer_words),
        performance: performance.into_iter().map(customer_words).collect(),
        cost: cost.map(customer_words),
        ood: ood.map(customer_words),
        outlook: outlook::outlook(&cx),
        appendix: appendix::appendix(input.metrics),
    };
    let sections = view
        .resources
        .iter()
        .chain(&view.performance)
        .chain(view.cost.iter())
        .chain(view.ood.iter())
        .chain(std::iter::once(&view.outlook));
    let own: Vec<Table> = view
        .summary
        .tables()
        .into_iter()
        .chain(view.initiatives.tables(kind == PeriodKind::Quarterly))
        .chain(view.weekly.iter().flat_map(weekly::Weekly::tables))
        .chain(view.quarterly.iter().flat_map(quarterly::Quarterly::tables))
        .collect();
    let tables: Vec<Table> = own
        .into_iter()
        .chain(sections.flat_map(|section| section.tables.iter().cloned()))
        .chain(view.appendix.tables().iter().cloned())
        .collect();
    let data = serde_json::to_value(&view).expect("the view model always serialises");
    (data, tables)
}
