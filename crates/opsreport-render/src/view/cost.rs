//! The view of the report's "Cost summary" part, from `metrics.cost`: its sentences,
//! figures, charts and tables, every number formatted.

use super::prelude::*;

/// The cost section.
pub(super) fn cost(cx: &Context) -> Section {
    let (m, charts, w) = (cx.m, cx.charts, cx.words());
    let c = &m.cost;
    let mut products = Table::new(
        "cost_by_product",
        "Cost by product",
        &[
            ("Product", "left", 3.2),
            ("AWS", "right", 1.0),
            ("AMS", "right", 1.0),
            ("Total", "right", 1.0),
            (&format!("vs {}", w.last), "right", 1.0),
        ],
        "No billing rows.",
    );
    // "New" only when the previous period was billed and the product's total is known; else its
    // change cannot be told.
    let billed_before = previous_billed(c, cx.m.kind);
    for product in &c.by_product {
        products.row(vec![
            product.product_name.clone(),
            Unit::Money.format(product.aws_charges),
            money(product.ams_charges),
            money(product.total),
            product
                .mom_change_pct
                .map(|v| signed(v, Unit::Percent))
                .unwrap_or_else(|| if billed_before && product.total.is_some() { "new" } else { "n/a" }.to_owned()),
        ]);
    }
    let mut accounts = Table::new(
        "cost_by_account",
        "Cost by linked account",
        &[("Linked account", "left", 2.0), ("Total", "right", 1.0)],
        "No billing rows.",
    );
    for account in &c.by_linked_account {
        accounts.row(vec![account.linked_account_id.clone(), money(account.total)]);
    }
    // A cost export as the billing source has no managed-service fee: the page shows AWS charges.
    let with_fee = c.ams_charges.is_some() || !c.status.available;
    section(
        SectionId::Cost,
        "Cost summary",
        &c.status,
        cost_intro(c, w),
        cost_figures(c),
        charts,
        &[
            (
                ChartId::CostTopProducts,
                if with_fee {
                    "Cost by product: top products and the rest"
                } else {
                    "AWS charges by product: top products and the rest"
                },
            ),
            (ChartId::CostSplit, "AWS and AMS charges"),
            (ChartId::CostTrend, &format!("{}, {}", if with_fee { "AWS and AMS charges" } else { "AWS charges" }, w.trend)),
            (ChartId::CostRiSp, "On-demand and RI/SP-covered AWS charges"),
        ],
        vec![products, accounts],
    )
}

/// The cost section's opening sentences; without the managed-service fee (a cost export as the
/// billing source) they speak of AWS charges only.
fn cost_intro(c: &CostMetrics, w: opsreport_model::period::PeriodWords) -> String {
    let reserved = format!(
        "Reserved instances and savings plans account for {} ({} of AWS charges).",
        money(c.ri_sp_charges),
        pct(c.ri_sp_share_pct)
    );
    if c.ams_charges.is_none() {
        return format!("AWS charges {} {}. {reserved}", money(c.aws_charges), w.this);
    }
    format!(
        "Total {} {} ({} vs {}): {} of AWS charges and {} of managed-service charges. {reserved}",
        money(c.total),
        w.this,
        or_na(c.mom_change_pct.map(|v| signed(v, Unit::Percent))),
        w.last,
        money(c.aws_charges),
        money(c.ams_charges),
    )
}

/// The cost tiles; without the managed-service fee, the AWS charges and their RI/SP share
/// instead of tiles that could only say "n/a".
fn cost_figures(c: &CostMetrics) -> Vec<(String, String)> {
    if c.ams_charges.is_none() && c.aws_charges.is_some() {
        return vec![
            ("AWS".into(), money(c.aws_charges)),
            ("RI / SP".into(), money(c.ri_sp_charges)),
            ("RI / SP share".into(), pct(c.ri_sp_share_pct)),
        ];
    }
    vec![
        ("Total".into(), money(c.total)),
        ("AWS".into(), money(c.aws_charges)),
        ("AMS".into(), money(c.ams_charges)),
        ("Change".into(), or_na(c.mom_change_pct.map(|v| signed(v, Unit::Percent)))),
    ]
}

/// Whether the period before had billing rows: the trend's previous month (a quarter: any month
/// of the previous quarter).
fn previous_billed(c: &CostMetrics, kind: opsreport_model::PeriodKind) -> bool {
    let points = &c.trend;
    let before: &[opsreport_model::metrics::CostTrendPoint] = match kind {
        opsreport_model::PeriodKind::Quarterly => points.get(..points.len().saturating_sub(3)).unwrap_or_default(),
        _ => points.get(points.len().saturating_sub(2)..points.len().saturating_sub(1)).unwrap_or_default(),
    };
    before.iter().any(|point| point.aws_charges.is_some())
}
