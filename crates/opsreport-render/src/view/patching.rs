//! The view of the report's "Patching" part, from `metrics.patching`: its sentences,
//! figures, charts and tables, every number formatted.

use opsreport_model::metrics::PatchingMetrics;

use super::prelude::*;

/// The patching section.
pub(super) fn patching(cx: &Context) -> Section {
    let (m, charts, w) = (cx.m, cx.charts, cx.words());
    let patching_m = &m.patching;
    let severity = severity_table(patching_m);
    let by_stack = by_stack_table(patching_m);
    section(
        SectionId::Patching,
        "Patching",
        &patching_m.status,
        format!(
            "{}. Maintenance windows cover {} of instances{}. {}",
            super::summary::patch_callout(m),
            pct(patching_m.mw_coverage_pct),
            // Without a count the section says why, after the intro.
            patching_m
                .patches_installed
                .map(|installed| format!("; {} installed {}", plural(installed, "patch was", "patches were"), w.this))
                .unwrap_or_default(),
            match (patching_m.missing_security, patching_m.instances_missing_security) {
                (Some(0), _) => "No security patch is missing.".to_owned(),
                (Some(patches), Some(instances)) => format!(
                    "Security: {} missing on {}.",
                    plural(patches, "patch", "patches"),
                    plural(instances, "instance", "instances")
                ),
                _ => "The patch data gives no patch class, so security patches cannot be told apart.".to_owned(),
            }
        ),
        vec![
            ("Compliance".into(), pct(patching_m.compliance_pct)),
            ("Missing patches".into(), count(patching_m.missing_total)),
            ("Security patches missing".into(), count(patching_m.missing_security)),
            ("Critical overdue".into(), count(patching_m.critical_overdue)),
            ("Patches installed".into(), count(patching_m.patches_installed)),
        ],
        charts,
        &[
            (ChartId::PatchComplianceTrend, &format!("Patch compliance against the target, {}", w.trend)),
            (ChartId::MissingBySeverity, "Missing patches by severity"),
        ],
        vec![severity, by_stack],
    )
}

/// The missing patches by severity.
fn severity_table(patching_m: &PatchingMetrics) -> Table {
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
    severity
}

/// The stacks not fully compliant, least compliant first; the others counted in a sentence.
fn by_stack_table(patching_m: &PatchingMetrics) -> Table {
    let mut by_stack = Table::new(
        "patch_compliance_by_stack",
        "Stacks not fully compliant (least compliant first)",
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
    // Only the stacks below 100 % are printed; the rest are counted in a sentence.
    let partial = patching_m.by_stack.iter().filter(|stack| stack.compliance_pct < 100.0).count().min(TABLE_ROWS);
    let full = patching_m.by_stack.iter().filter(|stack| stack.compliance_pct >= 100.0).count();
    by_stack.showing(
        partial,
        format!(
            "{} fully compliant{}; every stack is listed in patch_compliance_by_stack.csv, which comes with this report.",
            plural(full as u64, "other stack is", "other stacks are").replacen(
                "other ",
                if partial == 0 { "" } else { "other " },
                1
            ),
            if partial == 0 { " (all of them)" } else { "" },
        ),
    )
}
