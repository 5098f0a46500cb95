//! The view of the report's "Operations on Demand" part, from `metrics.ood`: its sentences,
//! figures, charts and tables, every number formatted.

use super::prelude::*;

/// The Operations on Demand section.
pub(super) fn ood(cx: &Context) -> Section {
    let (m, charts) = (cx.m, cx.charts);
    let o = &m.ood;
    let mut engagements = Table::new(
        "ood_engagements",
        "Operations on Demand engagements active this month",
        &[
            ("Offering", "left", 2.6),
            ("Basis", "left", 0.9),
            ("Started", "left", 1.0),
            ("Blocks", "right", 0.7),
            ("Hours used", "right", 0.9),
            ("Remaining", "right", 0.9),
            ("Billed blocks", "right", 0.9),
            ("Overage", "right", 0.8),
        ],
        "No active engagements this month.",
    );
    for e in &o.engagements {
        engagements.row(vec![
            e.offering.clone(),
            e.basis.replace('_', "-"),
            e.start_date.clone(),
            thousands(e.blocks as i64),
            format!("{} / {:.0}", or_na(e.hours_used.map(|used| format!("{used:.1}"))), e.hours_allocated),
            or_na(e.hours_remaining.map(|remaining| format!("{remaining:.1}"))),
            count(e.billed_blocks),
            match e.overage_hours {
                Some(overage) if overage > 0.0 => format!("{overage:.1} h"),
                Some(_) => "–".into(),
                None => "n/a".into(),
            },
        ]);
    }
    section(
        "ood",
        "Operations on Demand",
        &o.status,
        format!(
            "{} engagements active; {} of {} hours used; {} blocks billed this month. A block is 20 hours of operational time in a calendar month; only the blocks used are billed, and a one-time engagement is for its start month.",
            thousands(o.engagements.len() as i64),
            or_na(o.hours_used.map(|v| format!("{v:.1}"))),
            or_na(o.hours_allocated.map(|v| format!("{v:.0}"))),
            count(o.billed_blocks)
        ),
        vec![
            ("Engagements".into(), thousands(o.engagements.len() as i64)),
            ("Hours used".into(), or_na(o.hours_used.map(|v| format!("{v:.1}")))),
            ("Billed blocks".into(), count(o.billed_blocks)),
        ],
        charts,
        &[("ood_hours", "Hours used against allocation")],
        vec![engagements],
    )
}
