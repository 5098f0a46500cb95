//! The view of the report's "Managed resources" part, from `metrics.stacks`: its sentences,
//! figures, charts and tables, every number formatted.

use super::prelude::*;

/// The managed-resources section: stacks by category, environment and type.
pub(super) fn resources(cx: &Context) -> Section {
    let (m, charts) = (cx.m, cx.charts);
    let mut stack_table = Table::new(
        "stacks_by_category",
        "Stacks by category",
        &[("Category", "left", 2.0), ("Stacks", "right", 1.0), ("Share", "right", 1.0)],
        "No stacks.",
    );
    let stack_total: u64 = m.stacks.by_category.values().sum();
    for (category, value) in &m.stacks.by_category {
        stack_table.row(vec![
            category.clone(),
            thousands(*value as i64),
            pct((stack_total > 0).then(|| *value as f64 / stack_total as f64 * 100.0)),
        ]);
    }
    section(
        "resources",
        "Managed resources",
        &m.stacks.status,
        format!(
            "Snapshot of {}. {}",
            m.stacks.snapshot_date.as_deref().map(date_label).unwrap_or_else(|| "n/a".into()),
            super::summary::stacks_callout(m)
        ),
        vec![
            ("Total stacks".into(), count(m.stacks.total)),
            ("Active stacks".into(), count(m.stacks.active)),
            ("Created this month".into(), count(m.stacks.created_in_period)),
            ("Change vs last month".into(), or_na(m.stacks.total_change.map(|c| signed(c as f64, Unit::Count)))),
        ],
        charts,
        &[
            ("stacks_by_category", "Stacks by category"),
            ("stacks_by_environment", "Stacks by environment"),
            ("stacks_by_type", "Stacks by type"),
            ("stack_trend", "Total and active stacks, last 6 months"),
            ("patch_by_stack", "Patch compliance of the least compliant stacks"),
        ],
        vec![stack_table],
    )
}
