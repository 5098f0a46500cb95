//! The view of the report's "Operations on Demand" part, from `metrics.ood`: its sentences,
//! figures, charts and tables, every number formatted.

use super::prelude::*;

/// The Operations on Demand section.
pub(super) fn ood(cx: &Context) -> Section {
    let (m, charts) = (cx.m, cx.charts);
    let o = &m.ood;
    let priced = o.engagements.iter().any(|e| e.block_rate.is_some());
    let mut columns = vec![
        ("Offering", "left", 2.2),
        ("Basis", "left", 0.85),
        ("Since", "left", 1.0),
        ("Blocks", "right", 0.65),
        ("Hours", "right", 0.7),
        ("Used", "right", 0.85),
        ("Left", "right", 0.85),
        ("Billed blocks", "right", 0.75),
        ("Overage", "right", if priced { 1.2 } else { 0.8 }),
    ];
    if priced {
        columns.push(("Billed", "right", 1.05));
    }
    let mut engagements =
        Table::new("ood_engagements", "Engagements active this month", &columns, "No active engagements this month.");
    for e in &o.engagements {
        let mut row = vec![
            e.offering.clone(),
            label(&e.basis),
            start_month(&e.start_date),
            thousands(e.blocks as i64),
            hours(e.hours_allocated, 0),
            or_na(e.hours_used.map(|used| hours(used, 1))),
            or_na(e.hours_remaining.map(|remaining| hours(remaining, 1))),
            count(e.billed_blocks),
            overage(e),
        ];
        if priced {
            row.push(match (e.block_rate, e.billed_amount) {
                (Some(_), amount) => money(amount),
                (None, _) => "no rate".into(),
            });
        }
        engagements.row(row);
    }
    section(
        SectionId::Ood,
        "Operations on Demand",
        &o.status,
        intro(o),
        vec![
            ("Engagements".into(), thousands(o.engagements.len() as i64)),
            ("Hours used".into(), or_na(o.hours_used.map(|v| decimal(v, 1)))),
            ("Billed blocks".into(), count(o.billed_blocks)),
        ]
        .into_iter()
        .chain(o.billed_amount.map(|amount| ("Billed".to_owned(), money(Some(amount)))))
        .collect(),
        charts,
        &[(ChartId::OodHours, "Hours used against allocation")],
        vec![engagements],
    )
}

/// The section's sentences: what is active and billed, the rule, and each engagement's partial
/// approval or modification in words.
fn intro(o: &OodMetrics) -> String {
    let engagements = o.engagements.len();
    let mut text = format!(
        "{} active; {} of {} hours used this month; {} billed{}. A block is 20 hours of operational time in a calendar month; only the blocks used are billed (unused whole blocks are not), and a one-time engagement is for its start month.",
        plural(engagements as u64, "engagement", "engagements"),
        or_na(o.hours_used.map(|v| decimal(v, 1))),
        or_na(o.hours_allocated.map(|v| decimal(v, 0))),
        match o.billed_blocks {
            Some(blocks) => plural(blocks, "block", "blocks"),
            None => "an unknown number of blocks (no hours data for the month)".to_owned(),
        },
        o.billed_amount.map(|amount| format!(" ({})", money(Some(amount)))).unwrap_or_default(),
    );
    for e in &o.engagements {
        if let Some(requested) = e.requested_blocks.filter(|requested| *requested > e.blocks) {
            text.push_str(&format!(" {}: {} of {requested} requested blocks approved.", e.offering, e.blocks));
        }
        if let (Some(before), Some(from)) = (e.blocks_before, &e.modified_from) {
            text.push_str(&format!(
                " {}: modified from {} to {} from {}.",
                e.offering,
                plural(before, "block", "blocks"),
                plural(e.blocks, "block", "blocks"),
                date_label(from)
            ));
        }
    }
    text
}

/// An engagement's overage: hours beyond its blocks, and their price where a rate is set.
fn overage(e: &OodEngagement) -> String {
    match (e.overage_hours, e.overage_amount) {
        (Some(overage), Some(amount)) if overage > 0.0 => format!("{} ({})", hours(overage, 1), money(Some(amount))),
        (Some(overage), None) if overage > 0.0 => hours(overage, 1),
        (Some(_), _) => "none".into(),
        (None, _) => "n/a".into(),
    }
}

/// An engagement's start (the first day of its month, as the metrics write it) as `Oct 2026`.
fn start_month(start_date: &str) -> String {
    start_date
        .get(..7)
        .and_then(|month| opsreport_model::YearMonth::parse(month).ok())
        .map_or_else(|| start_date.to_owned(), table_month)
}
