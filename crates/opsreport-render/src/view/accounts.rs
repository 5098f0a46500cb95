//! A customer's review, from `metrics.customer`: the "Accounts" part (every account ranked by
//! what needs attention, with why) and the per-account table each section ends with — each
//! account's own figure beside the section's figure over all of them.

use opsreport_model::metrics::{AccountFigures, CustomerRollup};

use super::prelude::*;
use crate::format::bytes;

/// The "Accounts" part of a customer's review; `None` in an account's report.
pub(super) fn accounts(cx: &Context) -> Option<Section> {
    let rollup = cx.m.customer.as_ref()?;
    let mut ranking = Table::new(
        "accounts_attention",
        "Accounts by what needs attention",
        &[
            ("Rank", "right", 0.5),
            ("Account", "left", 1.3),
            ("Score", "right", 0.7),
            ("Targets missed", "right", 0.9),
            ("Needs attention", "left", 3.6),
        ],
        "No account of the customer has data for this period.",
    );
    for figures in &rollup.accounts {
        ranking.row(vec![
            figures.rank.to_string(),
            figures.account_id.to_string(),
            score(figures),
            format!("{} of {}", figures.targets_missed, figures.targets_missed + figures.targets_met),
            attention(figures),
        ]);
    }
    let mut left_out =
        Table::new("accounts_not_included", "Accounts not in this review", &[("Account", "left", 1.3), ("Why", "left", 5.0)], "");
    for left in &rollup.not_included {
        left_out.row(vec![left.account_id.to_string(), left.reason.clone()]);
    }
    let needing = rollup.accounts.iter().filter(|figures| !figures.attention.is_empty()).count() as u64;
    let mut tables = vec![ranking];
    if !rollup.not_included.is_empty() {
        tables.push(left_out);
    }
    Some(section(
        SectionId::Accounts,
        "Accounts",
        &super::section::available_status(),
        intro(rollup, needing),
        vec![
            ("Accounts in the review".into(), thousands(rollup.accounts.len() as i64)),
            ("Needing attention".into(), thousands(needing as i64)),
            ("Not in the review".into(), thousands(rollup.not_included.len() as i64)),
        ],
        cx.charts,
        &[],
        tables,
    ))
}

fn intro(rollup: &CustomerRollup, needing: u64) -> String {
    let left_out = match rollup.not_included.len() {
        0 => String::new(),
        1 => " (1 account of the customer's is not in it: see below)".to_owned(),
        count => format!(" ({count} accounts of the customer's are not in it: see below)"),
    };
    format!(
        "{}{left_out}: every figure of this review is over all their rows, and each section ends with each account's own figures. {} of them {} attention, ranked by targets missed, then critical findings, then warnings, then P1 incidents; each account's own report lists its findings.",
        match rollup.accounts.len() {
            1 => "1 account is reviewed".to_owned(),
            count => format!("{count} accounts are reviewed together"),
        },
        needing,
        if needing == 1 { "needs" } else { "need" },
    )
}

/// An account's own overall score and grade ("82.4 B"), or "n/a".
fn score(figures: &AccountFigures) -> String {
    match (figures.score, figures.grade) {
        (Some(score), Some(grade)) => format!("{} {}", decimal(score, 1), grade.letter()),
        _ => "n/a".to_owned(),
    }
}

/// How many findings, and the areas they are in (in the order of the findings).
fn attention(figures: &AccountFigures) -> String {
    if figures.attention.is_empty() {
        return "Nothing below target".to_owned();
    }
    let mut areas: Vec<String> = Vec::new();
    for insight in &figures.attention {
        let area = label(&insight.section);
        if !areas.contains(&area) {
            areas.push(area);
        }
    }
    format!("{}: {}", plural(figures.attention.len() as u64, "finding", "findings"), areas.join(", "))
}

/// A column of a section's per-account table: heading, alignment, width and the cell of one
/// account.
type Column = (&'static str, &'static str, f64, fn(&AccountFigures) -> String);

/// The per-account columns of a section, if it has them.
fn columns(id: SectionId) -> Option<&'static [Column]> {
    const INCIDENTS: &[Column] = &[
        ("Opened", "right", 0.8, |f| count(f.incidents_opened)),
        ("P1", "right", 0.6, |f| count(f.incidents_high)),
        ("Open at end", "right", 0.9, |f| count(f.incidents_open)),
    ];
    const SLA: &[Column] = &[("Lowest SLA", "right", 1.0, |f| pct(f.incident_sla_pct))];
    const SERVICE_REQUESTS: &[Column] = &[
        ("Opened", "right", 0.8, |f| count(f.service_requests_opened)),
        ("Answered in target", "right", 1.2, |f| pct(f.service_request_response_pct)),
    ];
    const CHANGES: &[Column] =
        &[("Completed", "right", 0.9, |f| count(f.rfcs_completed)), ("Success", "right", 0.8, |f| pct(f.rfc_success_pct))];
    const MONITORING: &[Column] =
        &[("Alerts", "right", 0.8, |f| count(f.alerts)), ("Security events", "right", 1.1, |f| count(f.security_events))];
    const PATCHING: &[Column] = &[
        ("Instances", "right", 0.9, |f| count(f.instances)),
        ("Compliance", "right", 1.0, |f| pct(f.patch_compliance_pct)),
        ("Critical overdue", "right", 1.1, |f| count(f.critical_overdue)),
    ];
    const CONTINUITY: &[Column] = &[
        ("Jobs", "right", 0.8, |f| count(f.backup_jobs)),
        ("Success", "right", 0.8, |f| pct(f.backup_success_pct)),
        ("Past RPO", "right", 0.8, |f| count(f.rpo_breaches)),
    ];
    const STORAGE: &[Column] = &[
        ("Used", "right", 1.0, |f| or_na(f.storage_used_bytes.map(|used| bytes(used as f64)))),
        ("Near capacity", "right", 1.0, |f| count(f.storage_near_capacity)),
    ];
    const TRUSTED_ADVISOR: &[Column] = &[
        ("Resources flagged", "right", 1.1, |f| count(f.trusted_advisor_flagged)),
        ("Savings / month", "right", 1.1, |f| money(f.trusted_advisor_savings)),
    ];
    const AVAILABILITY: &[Column] = &[
        ("Console", "right", 0.9, |f| or_na(f.console_pct.map(|value| percent_places(value, 3)))),
        ("API", "right", 0.9, |f| or_na(f.api_pct.map(|value| percent_places(value, 3)))),
    ];
    const RESOURCES: &[Column] = &[("Active stacks", "right", 1.0, |f| count(f.stacks_active))];
    const COST: &[Column] = &[("Total", "right", 1.0, |f| money(f.cost_total))];
    const OOD: &[Column] = &[
        ("Hours used", "right", 0.9, |f| or_na(f.ood_hours_used.map(|value| hours(value, 1)))),
        ("Blocks billed", "right", 0.9, |f| count(f.ood_billed_blocks)),
    ];
    Some(match id {
        SectionId::Incidents => INCIDENTS,
        SectionId::Sla => SLA,
        SectionId::ServiceRequests => SERVICE_REQUESTS,
        SectionId::Changes => CHANGES,
        SectionId::Monitoring => MONITORING,
        SectionId::Patching => PATCHING,
        SectionId::Continuity => CONTINUITY,
        SectionId::Storage => STORAGE,
        SectionId::TrustedAdvisor => TRUSTED_ADVISOR,
        SectionId::Availability => AVAILABILITY,
        SectionId::Resources => RESOURCES,
        SectionId::Cost => COST,
        SectionId::Ood => OOD,
        SectionId::Accounts | SectionId::Outlook => return None,
    })
}

/// A section's per-account table in a customer's review (accounts by id).
pub(super) fn breakdown(id: SectionId, title: &str, rollup: &CustomerRollup) -> Option<Table> {
    let columns = columns(id)?;
    let headings: Vec<(&str, &str, f64)> = std::iter::once(("Account", "left", 1.3))
        .chain(columns.iter().map(|(heading, align, width, _)| (*heading, *align, *width)))
        .collect();
    let mut table =
        Table::new(&format!("accounts_{}", id.name()), &format!("{title} by account"), &headings, "No account has data.");
    let mut accounts: Vec<&AccountFigures> = rollup.accounts.iter().collect();
    accounts.sort_by(|left, right| left.account_id.cmp(&right.account_id));
    for figures in accounts {
        table.row(
            std::iter::once(figures.account_id.to_string()).chain(columns.iter().map(|column| (column.3)(figures))).collect(),
        );
    }
    Some(table.limited(TABLE_ROWS))
}
