//! The view of the report's "Managed resources" part, from `metrics.stacks`: its sentences,
//! figures, charts and tables, every number formatted.

use super::prelude::*;

/// The managed-resources section: stacks by category, environment and type.
pub(super) fn resources(cx: &Context) -> Section {
    let (m, charts) = (cx.m, cx.charts);
    let stack_table = Table::shares(
        ("stacks_by_category", "Stacks by category", "No stacks."),
        ("Category", "Stacks"),
        &m.stacks.by_category,
        m.stacks.by_category.values().sum(),
    );
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
            ("patch_by_stack", "Patch compliance of the stacks not fully compliant, against the target"),
        ],
        vec![stack_table],
    )
}
