//! The view of the appendix: the data-quality table, the warnings about what the source did
//! not deliver, and the short definitions of the report's terms.

use serde::Serialize;

use super::prelude::*;

/// The appendix.
#[derive(Serialize)]
pub(super) struct Appendix {
    quality: Vec<Table>,
    warnings: Vec<String>,
    definitions: Vec<Definition>,
}

#[derive(Serialize)]
struct Definition {
    term: &'static str,
    text: String,
}

impl Appendix {
    /// Its tables (for the CSV export).
    pub(super) fn tables(&self) -> &[Table] {
        &self.quality
    }
}

/// The appendix of a report.
pub(super) fn appendix(m: &Metrics) -> Appendix {
    Appendix { quality: vec![quality_table(m)], warnings: warnings(m), definitions: definitions(m.kind) }
}

/// Per dataset: files, rows, what was dropped or replaced, freshness and status.
fn quality_table(m: &Metrics) -> Table {
    let zone = m.timezone.0;
    let mut quality = Table::new(
        "data_quality",
        &crate::format::times_in("Data quality and sources", zone),
        &[
            ("Dataset", "left", 1.5),
            ("Files", "right", 0.6),
            ("Rows read", "right", 0.9),
            ("In period", "right", 0.9),
            ("Duplicates", "right", 0.9),
            ("Unknown values", "right", 0.9),
            ("Excluded", "right", 0.8),
            ("Newest", "left", 1.9),
            ("Status", "left", 1.4),
        ],
        "No datasets.",
    );
    for q in &m.data_quality {
        quality.row(vec![
            label(q.dataset.as_str()),
            thousands(q.files_read.len() as i64),
            thousands(q.rows_read as i64),
            thousands(q.rows_in_period as i64),
            thousands(q.duplicates_dropped as i64),
            thousands(q.rows_with_unknown_values as i64),
            thousands(q.rows_with_required_nulls as i64),
            q.newest.as_deref().map(|newest| crate::format::clock_in(newest, zone)).unwrap_or_else(|| "–".into()),
            status(q),
        ]);
    }
    quality
}

/// A dataset's status: missing and why, no rows of the period (only earlier months' were
/// read), or OK. Reference data, read whatever the period, has no months.
fn status(q: &opsreport_model::DatasetQuality) -> String {
    if q.missing {
        format!("Missing: {}", q.missing_reason.clone().unwrap_or_default())
    } else if q.rows_in_period == 0 && !q.months_read.is_empty() {
        "No rows in the period".to_owned()
    } else {
        "OK".to_owned()
    }
}

/// What the data-quality table cannot say in a number: values outside the contract, excluded
/// rows, and what the source did not deliver.
fn warnings(m: &Metrics) -> Vec<String> {
    let mut warnings = Vec::new();
    for q in &m.data_quality {
        for (column, values) in &q.unknown_values {
            let listed: Vec<String> = values.iter().map(|(value, n)| format!("{value} ({n})")).collect();
            warnings.push(format!(
                "{}: values outside the contract in {column}: {}",
                label(q.dataset.as_str()),
                listed.join(", ")
            ));
        }
        if q.rows_with_required_nulls > 0 {
            warnings.push(format!(
                "{}: {} excluded",
                label(q.dataset.as_str()),
                plural(q.rows_with_required_nulls, "row without a required value was", "rows without a required value were")
            ));
        }
    }
    // What the source did not deliver, once per warning with the datasets it concerns (a missing
    // UTC month usually concerns every event dataset alike).
    let mut uncovered: Vec<(&str, Vec<&str>)> = Vec::new();
    for q in &m.data_quality {
        for warning in &q.warnings {
            match uncovered.iter_mut().find(|(text, _)| text == warning) {
                Some((_, datasets)) => datasets.push(q.dataset.as_str()),
                None => uncovered.push((warning, vec![q.dataset.as_str()])),
            }
        }
    }
    warnings.extend(uncovered.into_iter().map(|(warning, datasets)| {
        let named: Vec<String> = datasets.iter().map(|dataset| label(dataset)).collect();
        format!("{}: {warning}", named.join(", "))
    }));
    warnings
}

/// Short definitions printed in the appendix (the full ones are in docs/metrics.md), in the
/// words of the report's kind: `{p}` is its period ("week", "month", "quarter"). A term of a part
/// the kind does not show is left out.
const DEFINITIONS: &[(&str, &str)] = &[
    (
        "SLA-eligible incident",
        "Any incident not closed as a non-incident and not handled best-effort (resources changed outside change management).",
    ),
    (
        "Response time",
        "From creation to first acknowledgement. Unacknowledged incidents count as missed once the deadline passes.",
    ),
    (
        "Resolution time, MTTR",
        "From creation to resolution, minus time waiting on the customer, never below zero; MTTR is its mean over incidents resolved in the {p}, p90 its 90th percentile (nearest rank).",
    ),
    ("SLA adherence", "The share of eligible incidents handled within the target of their priority; n/a when there were none."),
    ("Auto-remediated", "Alerts resolved by automation before an incident was needed: problems averted."),
    ("Patch compliance", "Non-terminated instances in the latest patch snapshot of the {p} whose status is COMPLIANT."),
    (
        "Backup success rate",
        "Completed jobs over jobs that reached a final state; a job reported several times counts once, as its latest report.",
    ),
    ("RPO breach", "A resource whose longest gap between completed backups in the {p} exceeds the recovery-point objective."),
    ("Availability", "Successful probes over all probes; downtime is each window's length times its share of failed probes."),
    (
        "Scorecard",
        "Each area scores 100 at its target and nothing at its threshold, in a straight line between; the overall score is the weighted mean of the areas scored, graded A to D.",
    ),
    (
        "Data as of",
        "The day of the newest record of a section's sources; a daily source older at the {p}'s end than the configured lag is marked not current.",
    ),
];

/// The definitions of a kind's report: its period first, then the shared terms in its words,
/// with cost (monthly and quarterly) and Operations on Demand (monthly) where it shows them.
fn definitions(kind: opsreport_model::PeriodKind) -> Vec<Definition> {
    use opsreport_model::PeriodKind::{Monthly, Quarterly, Weekly};
    let (word, period) = match kind {
        Weekly => {
            ("week", "The ISO week in the report time zone, from local midnight on Monday to local midnight on the next Monday.")
        }
        Monthly => (
            "month",
            "The calendar month in the report time zone, from local midnight on the 1st to local midnight on the 1st of the next month.",
        ),
        Quarterly => (
            "quarter",
            "The calendar quarter in the report time zone, from local midnight on the 1st of its first month to local midnight on the 1st of the month after it.",
        ),
    };
    let mut list = vec![Definition { term: "Period", text: period.to_owned() }];
    list.extend(DEFINITIONS.iter().map(|(term, text)| Definition { term, text: text.replace("{p}", word) }));
    let cost = match kind {
        Weekly => None,
        Monthly => Some("The billing month's AWS and managed-service charges; change is against the previous billing month."),
        Quarterly => {
            Some("The quarter's three billing months' AWS and managed-service charges; change is against the previous quarter's.")
        }
    };
    if let Some(cost) = cost {
        list.push(Definition { term: "Cost", text: cost.to_owned() });
    }
    if kind == Monthly {
        list.push(Definition {
            term: "OOD billed blocks",
            text: "The 20-hour blocks used in the month, up to the blocks bought (unused whole blocks are not billed); a one-time engagement is for its start month only.".to_owned(),
        });
    }
    list.push(Definition {
        term: "n/a",
        text: "A value with nothing to measure (no data, or a denominator of zero); never shown as zero.".to_owned(),
    });
    list
}
