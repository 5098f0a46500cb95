//! The metrics stage: validated datasets in, one [`Metrics`] tree out.
//!
//! Pure: no files, no network, no clock — the period, configuration, generation date and input
//! fingerprint are inputs. Every section is computed with lazy Polars expressions over the
//! frames the extract stage validated; a month's numbers come from one function per section that
//! the trend series call again with earlier periods, so a trend point and the headline number of
//! that month can never disagree. Every definition is in `docs/metrics.md`.

mod alerts;
mod availability;
mod backups;
mod cost;
pub mod customer;
mod forecast;
mod frame;
mod incidents;
mod insights;
mod ood;
mod patching;
mod rfcs;
pub mod scorecard;
mod service_requests;
mod stacks;
mod storage;
mod trusted_advisor;
mod verdicts;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use opsreport_model::metrics::{Availability, Metrics};
use opsreport_model::{Config, DatasetName, DatasetQuality, ReportPeriod, Subject};
use polars::prelude::{DataFrame, PolarsError};

pub use frame::Frames;

/// Why metrics could not be computed (a Polars failure: a bug or a resource problem).
#[derive(Debug, thiserror::Error)]
#[error("computing {section} metrics: {source}")]
pub struct MetricsError {
    /// The section being computed.
    pub section: &'static str,
    /// What Polars said.
    pub source: PolarsError,
}

/// Result with [`MetricsError`].
pub type Result<T, E = MetricsError> = std::result::Result<T, E>;

/// Everything the metrics stage needs besides the data.
#[derive(Clone, Debug)]
pub struct MetricsContext {
    /// The account, or the customer whose accounts' rows the input holds.
    pub subject: Subject,
    /// The report period.
    pub period: ReportPeriod,
    /// Targets and thresholds.
    pub config: Config,
    /// The document date (an input, never the clock).
    pub generated_on: NaiveDate,
    /// `opsreport <version>`.
    pub generator_version: String,
    /// SHA-256 of the inputs.
    pub input_fingerprint: String,
}

/// The validated datasets of one account: frames by dataset (absent = missing) and their
/// data-quality records.
#[derive(Clone, Debug, Default)]
pub struct MetricsInput {
    /// Present datasets.
    pub frames: BTreeMap<DatasetName, DataFrame>,
    /// The histories of datasets that have one (`DatasetSpec::history`): every row read, as
    /// counts per quarter hour, while the frame holds the period's rows. A dataset without one
    /// here has all its rows in its frame, and its trend counts them.
    pub histories: BTreeMap<DatasetName, DataFrame>,
    /// One record per dataset (present or missing), contract order.
    pub quality: Vec<DatasetQuality>,
    /// The frames hold several accounts' rows (a customer's, [`customer::merge`]): each
    /// snapshot is read at each account's own snapshot day.
    pub several_accounts: bool,
}

/// Computes the whole tree. The sections are independent, so the event-heavy ones (incidents,
/// service requests, RFCs, alerts) are computed on a second thread while this one does the rest;
/// each section's result does not depend on where it ran.
pub fn compute(input: &MetricsInput, context: &MetricsContext) -> Result<Metrics> {
    let frames = Frames::new(input, context);
    let period = &context.period;
    let events = || -> Result<_> {
        Ok((
            section("incidents", || incidents::compute(&frames))?,
            section("service_requests", || service_requests::compute(&frames))?,
            section("rfcs", || rfcs::compute(&frames))?,
            section("alerts", || alerts::compute(&frames))?,
        ))
    };
    let others = || -> Result<_> {
        Ok((
            section("stacks", || stacks::compute(&frames))?,
            section("patching", || patching::compute(&frames))?,
            section("backups", || backups::compute(&frames))?,
            section("availability", || availability::compute(&frames))?,
            section("storage", || storage::compute(&frames))?,
            section("trusted_advisor", || trusted_advisor::compute(&frames))?,
            section("cost", || cost::compute(&frames))?,
            section("ood", || ood::compute(&frames))?,
        ))
    };
    // The second thread's spans belong to this thread's (the account's).
    let parent = tracing::Span::current();
    let (events, others) = std::thread::scope(|scope| {
        let events = scope.spawn(|| parent.in_scope(events));
        let others = others();
        (events.join().expect("the metrics thread panicked"), others)
    });
    let (incidents, service_requests, rfcs, alerts) = events?;
    let (stacks, patching, backups, availability, storage, trusted_advisor, cost, ood) = others?;
    let mut metrics = Metrics {
        subject: context.subject.clone(),
        customer: None,
        kind: period.kind(),
        period: period.id(),
        month: period.month(),
        timezone: opsreport_model::setting::TimeZoneName(period.time_zone()),
        period_start: frame::rfc3339(period.start()),
        period_end: frame::rfc3339(period.end()),
        generated_on: context.generated_on,
        generator_version: context.generator_version.clone(),
        input_fingerprint: context.input_fingerprint.clone(),
        stacks,
        patching,
        backups,
        incidents,
        service_requests,
        rfcs,
        alerts,
        availability,
        storage,
        trusted_advisor,
        cost,
        ood,
        forecasts: Default::default(),
        verdicts: Default::default(),
        scorecard: Default::default(),
        insights: Vec::new(),
        freshness: freshness(&input.quality, context),
        data_quality: input.quality.clone(),
    };
    metrics.forecasts = section("forecasts", || forecast::compute(&frames, &metrics))?;
    metrics.verdicts = verdicts::derive(&metrics, &context.config);
    metrics.scorecard = scorecard::derive(&metrics, &context.config);
    metrics.insights = insights::derive(&metrics, &context.config);
    Ok(metrics)
}

/// The sources older than `[freshness]` allows: each checked source's newest record against the
/// period's last day, or the day before the report date when that is earlier (a report of a
/// period still running).
fn freshness(quality: &[DatasetQuality], context: &MetricsContext) -> opsreport_model::freshness::Freshness {
    let last_day = context.period.last_day();
    let due = context.generated_on.pred_opt().map_or(last_day, |before| before.min(last_day));
    opsreport_model::freshness::Freshness {
        due: Some(due),
        stale: opsreport_model::freshness::stale_sources(quality, &context.config.freshness, due, context.period.time_zone()),
    }
}

/// Computes one section inside a `section{name}` debug span (the profile of the metrics stage).
fn section<T>(name: &'static str, compute: impl FnOnce() -> Result<T>) -> Result<T> {
    let _span = tracing::debug_span!("section", section = name).entered();
    compute()
}

/// A section with data.
pub(crate) fn available() -> Availability {
    Availability { available: true, missing_reason: None, not_provided: Vec::new() }
}

/// A section without data, and why.
pub(crate) fn missing(reason: impl Into<String>) -> Availability {
    Availability { available: false, missing_reason: Some(reason.into()), not_provided: Vec::new() }
}
