//! The view of the report's "Managed resources" part, from `metrics.stacks`: its sentences,
//! figures, charts and tables, every number formatted.

use super::prelude::*;

/// The managed-resources section: stacks by category, environment and type.
pub(super) fn resources(cx: &Context) -> Section {
    let (m, charts, w) = (cx.m, cx.charts, cx.words());
    let stack_table = Table::shares(
        ("stacks_by_category", "Stacks by category", "No stacks."),
        ("Category", "Stacks"),
        &m.stacks.by_category,
        m.stacks.by_category.values().sum(),
    );
    section(
        SectionId::Resources,
        "Managed resources",
        &m.stacks.status,
        format!(
            "Snapshot of {}. {}",
            m.stacks.snapshot_date.as_deref().map(date_label).unwrap_or_else(|| "n/a".into()),
            super::summary::stacks_callout(m, w)
        ),
        vec![
            ("Total stacks".into(), count(m.stacks.total)),
            ("Active stacks".into(), count(m.stacks.active)),
            (format!("Created {}", w.this), count(m.stacks.created_in_period)),
            (format!("Change vs {}", w.last), or_na(m.stacks.total_change.map(|c| signed(c as f64, Unit::Count)))),
        ],
        charts,
        &[
            (ChartId::StacksByCategory, "Stacks by category"),
            (ChartId::StacksByEnvironment, "Stacks by environment"),
            (ChartId::StacksByType, "Stacks by type"),
            (ChartId::StackTrend, &format!("Total and active stacks, {}", w.trend)),
            (ChartId::PatchByStack, "Patch compliance of the stacks not fully compliant, against the target"),
        ],
        vec![stack_table],
    )
}
