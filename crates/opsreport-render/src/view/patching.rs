//! The view of the report's "Patching" part, from `metrics.patching`: its sentences,
//! figures, charts and tables, every number formatted.

use super::prelude::*;

/// The patching section.
pub(super) fn patching(cx: &Context) -> Section {
    let (m, charts) = (cx.m, cx.charts);
    let patching_m = &m.patching;
    let mut severity = Table::new(
        "missing_patches",
        "Missing patches by severity",
        &[("Severity", "left", 2.0), ("Missing patches", "right", 1.0)],
        "No missing patches.",
    );
    if let Some(s) = &patching_m.missing_by_severity {
        for (label, value) in [
            ("Critical", s.critical),
            ("High", s.high),
            ("Medium", s.medium),
            ("Low", s.low),
            ("Informational", s.informational),
            ("Unspecified", s.unspecified),
        ] {
            severity.row(vec![label.into(), thousands(value as i64)]);
        }
    }
    let mut by_stack = Table::new(
        "patch_compliance_by_stack",
        "Patch compliance by stack (least compliant first)",
        &[("Stack", "left", 3.0), ("Instances", "right", 1.0), ("Compliant", "right", 1.0), ("Compliance", "right", 1.0)],
        "No instances.",
    );
    for stack in &patching_m.by_stack {
        by_stack.row(vec![
            stack.stack.clone(),
            thousands(stack.instances as i64),
            thousands(stack.compliant as i64),
            Unit::Percent.format(stack.compliance_pct),
        ]);
    }
    section(
        "patching",
        "Patching",
        &patching_m.status,
        format!(
            "{}. Maintenance windows cover {} of instances; {} patches were installed this month.",
            super::summary::patch_callout(m),
            pct(patching_m.mw_coverage_pct),
            count(patching_m.patches_installed)
        ),
        vec![
            ("Compliance".into(), pct(patching_m.compliance_pct)),
            ("Missing patches".into(), count(patching_m.missing_total)),
            ("Critical overdue".into(), count(patching_m.critical_overdue)),
            ("Patches installed".into(), count(patching_m.patches_installed)),
        ],
        charts,
        &[("patch_compliance_trend", "Patch compliance, last 6 months"), ("missing_by_severity", "Missing patches by severity")],
        vec![severity, by_stack.limited(TABLE_ROWS)],
    )
}
