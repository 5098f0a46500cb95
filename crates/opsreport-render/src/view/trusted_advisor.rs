//! The view of the report's "Trusted Advisor" part, from `metrics.trusted_advisor`: its sentences,
//! figures, charts and tables, every number formatted.

use super::prelude::*;

/// The Trusted Advisor section.
pub(super) fn trusted_advisor(cx: &Context) -> Section {
    let (m, charts) = (cx.m, cx.charts);
    let ta = &m.trusted_advisor;
    let mut findings = Table::new(
        "trusted_advisor_findings",
        "Trusted Advisor findings (warning or error)",
        &[
            ("Check", "left", 3.2),
            ("Category", "left", 1.5),
            ("Status", "left", 0.8),
            ("Flagged", "right", 0.8),
            ("Savings / month", "right", 1.1),
            ("New", "left", 0.6),
        ],
        "No checks in warning or error.",
    );
    for finding in &ta.findings {
        let new = ta.new_findings.iter().any(|f| f.check_id == finding.check_id);
        findings.row(vec![
            finding.check_name.clone(),
            label(&finding.check_category),
            label(&finding.status),
            thousands(finding.resources_flagged as i64),
            finding.estimated_monthly_savings.map(|v| Unit::Money.format(v)).unwrap_or_default(),
            if new { "new".into() } else { String::new() },
        ]);
    }
    section(
        SectionId::TrustedAdvisor,
        "Trusted Advisor",
        &ta.status,
        format!(
            "{} flagged; estimated savings {} per month; {} since {}.",
            ta.resources_flagged
                .map(|flagged| plural(flagged, "resource", "resources"))
                .unwrap_or_else(|| "n/a resources".into()),
            money(ta.estimated_monthly_savings),
            plural(ta.new_findings.len() as u64, "new finding", "new findings"),
            cx.words().last
        ),
        vec![
            ("Resources flagged".into(), count(ta.resources_flagged)),
            ("Savings / month".into(), money(ta.estimated_monthly_savings)),
            ("New findings".into(), thousands(ta.new_findings.len() as i64)),
        ],
        charts,
        &[(ChartId::TrustedAdvisor, "Checks by category and status")],
        vec![findings.limited(TABLE_ROWS)],
    )
}
