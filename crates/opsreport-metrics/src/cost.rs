//! `cost.*`: the month's billing rows (billing months are calendar months, whatever the report
//! time zone) — AWS and AMS charges, by product with the top products and "Other", RI and
//! savings-plan charges, change against the previous month, per linked account, 6-month trend.

use std::collections::BTreeMap;

use opsreport_model::DatasetName;
use opsreport_model::ReportPeriod;
use opsreport_model::config::LinkedAccounts;
use opsreport_model::contract::ACCOUNT_COLUMN;
use opsreport_model::metrics::{Availability, CostMetrics, CostTrendPoint, LinkedAccountCost, ProductCost};
use polars::prelude::*;

use crate::frame::{Frames, MONEY_SCALE, collect, date, doubles, exact_sum, first_count, first_double, strings};
use crate::{Result, available, missing};

const SECTION: &str = "cost";

/// The billing rows of the period's months (billing is dated the 1st of its month).
fn month_rows(billing: &LazyFrame, period: &ReportPeriod) -> LazyFrame {
    let firsts = period.whole_months().iter().fold(lit(false), |any, month| any.or(col("date").eq(date(month.first_day()))));
    billing.clone().filter(firsts)
}

/// Why the period has no cost: a week (billing is monthly), or the first of its months without
/// billing rows (a quarter's total is never a sum of fewer months).
fn unbilled(billing: &LazyFrame, period: &ReportPeriod) -> Result<Option<String>> {
    if period.whole_months().is_empty() {
        return Ok(Some("billing is monthly, so a week has no cost of its own: the monthly report shows it".to_owned()));
    }
    for month in period.whole_months() {
        if totals(billing, &ReportPeriod::new(month, period.time_zone()))?.rows == 0 {
            return Ok(Some(format!("no billing rows dated {}", month.first_day())));
        }
    }
    Ok(None)
}

struct Totals {
    rows: u64,
    aws: f64,
    ams: f64,
    ri_sp: f64,
}

fn totals(billing: &LazyFrame, period: &ReportPeriod) -> Result<Totals> {
    let summary = collect(
        month_rows(billing, period).select([
            len().alias("rows"),
            exact_sum(col("aws_charges"), MONEY_SCALE).alias("aws"),
            exact_sum(col("ams_charges"), MONEY_SCALE).alias("ams"),
            exact_sum(col("ris_charges").fill_null(lit(0.0)) + col("sp_charges").fill_null(lit(0.0)), MONEY_SCALE).alias("ri_sp"),
        ]),
        SECTION,
    )?;
    Ok(Totals {
        rows: first_count(&summary, "rows"),
        aws: first_double(&summary, "aws").unwrap_or(0.0),
        ams: first_double(&summary, "ams").unwrap_or(0.0),
        ri_sp: first_double(&summary, "ri_sp").unwrap_or(0.0),
    })
}

/// Cost per product, largest first. Without the managed-service fee (`fee` false: the source
/// has no `ams_charges`) the AMS column and the total are null and products rank by AWS charges.
fn by_product(billing: &LazyFrame, period: &ReportPeriod, fee: bool) -> Result<Vec<ProductCost>> {
    let rank = if fee { col("aws_charges") + col("ams_charges") } else { col("aws_charges") };
    let products = collect(
        month_rows(billing, period)
            .group_by([col("product_name")])
            .agg([
                exact_sum(col("aws_charges"), MONEY_SCALE).alias("aws"),
                exact_sum(col("ams_charges"), MONEY_SCALE).alias("ams"),
                exact_sum(rank, MONEY_SCALE).alias("rank"),
            ])
            .sort_by_exprs(
                [col("rank"), col("product_name")],
                SortMultipleOptions::default().with_order_descending_multi([true, false]),
            ),
        SECTION,
    )?;
    Ok(strings(&products, "product_name")
        .into_iter()
        .zip(doubles(&products, "aws"))
        .zip(doubles(&products, "ams"))
        .map(|((name, aws), ams)| {
            let aws = aws.unwrap_or(0.0);
            let ams = fee.then(|| ams.unwrap_or(0.0));
            ProductCost {
                product_name: name.unwrap_or_default(),
                aws_charges: aws,
                ams_charges: ams,
                total: ams.map(|ams| aws + ams),
                mom_change_pct: None,
            }
        })
        .collect())
}

/// The billing rows a report shows under `[cost] linked_accounts`, and, when rows of other
/// linked accounts were left out, a sentence saying how many (never which: they may be another
/// customer's).
fn linked_accounts(billing: LazyFrame, setting: LinkedAccounts) -> Result<(LazyFrame, Option<String>)> {
    if setting == LinkedAccounts::All {
        return Ok((billing, None));
    }
    let own = col("linked_account_id").eq(col(ACCOUNT_COLUMN));
    let others = collect(
        billing
            .clone()
            .filter(own.clone().not())
            .select([len().alias("rows"), col("linked_account_id").n_unique().alias("accounts")]),
        SECTION,
    )?;
    let count = |name: &str| others.column(name).ok().and_then(|column| column.get(0).ok()).and_then(|v| v.extract::<u64>());
    let (rows, accounts) = (count("rows").unwrap_or(0), count("accounts").unwrap_or(0));
    if rows == 0 {
        return Ok((billing, None));
    }
    let rows_text = if rows == 1 { "1 row".to_owned() } else { format!("{rows} rows") };
    let accounts_text =
        if accounts == 1 { "1 other linked account".to_owned() } else { format!("{accounts} other linked accounts") };
    let sentence = format!(
        "The billing data also holds {rows_text} of {accounts_text}; they are left out, as a report shows only its own account's charges (setting [cost] linked_accounts)"
    );
    Ok((billing.filter(own), Some(sentence)))
}

fn change_pct(now: f64, before: f64) -> Option<f64> {
    (before != 0.0).then(|| (now - before) / before * 100.0)
}

/// The charges of each trend month (none for a month without billing rows).
fn trend(billing: &LazyFrame, period: &ReportPeriod, fee: bool) -> Result<Vec<CostTrendPoint>> {
    let mut trend = Vec::new();
    for month in period.trend() {
        let numbers = totals(billing, &month)?;
        trend.push(if numbers.rows == 0 {
            CostTrendPoint { month: month.id(), aws_charges: None, ams_charges: None, total: None }
        } else {
            CostTrendPoint {
                month: month.id(),
                aws_charges: Some(numbers.aws),
                ams_charges: fee.then_some(numbers.ams),
                total: fee.then_some(numbers.aws + numbers.ams),
            }
        });
    }
    Ok(trend)
}

/// The `shown` costliest products, then the others summed up as "Other".
fn top_products(
    products: &[ProductCost],
    previous_products: &BTreeMap<String, f64>,
    shown: usize,
    fee: bool,
) -> Vec<ProductCost> {
    let mut top_products: Vec<ProductCost> = products.iter().take(shown).cloned().collect();
    if products.len() > shown {
        let rest = &products[shown..];
        let aws = rest.iter().map(|product| product.aws_charges).sum::<f64>();
        let ams = fee.then(|| rest.iter().filter_map(|product| product.ams_charges).sum::<f64>());
        let before: f64 = rest.iter().filter_map(|product| previous_products.get(&product.product_name)).sum();
        let total = ams.map(|ams| aws + ams);
        top_products.push(ProductCost {
            product_name: "Other".to_owned(),
            aws_charges: aws,
            ams_charges: ams,
            total,
            mom_change_pct: total.and_then(|total| change_pct(total, before)),
        });
    }
    top_products
}

/// The period's charges of each linked account (with the AMS fee, so `None` without it).
fn by_linked_account(billing: &LazyFrame, period: &ReportPeriod, fee: bool) -> Result<Vec<LinkedAccountCost>> {
    let accounts = collect(
        month_rows(billing, period)
            .group_by([col("linked_account_id")])
            .agg([exact_sum(col("aws_charges") + col("ams_charges"), MONEY_SCALE).alias("total")])
            .sort(["linked_account_id"], SortMultipleOptions::default()),
        SECTION,
    )?;
    Ok(strings(&accounts, "linked_account_id")
        .into_iter()
        .zip(doubles(&accounts, "total"))
        .map(|(account, total)| LinkedAccountCost {
            linked_account_id: account.unwrap_or_default(),
            total: fee.then(|| total.unwrap_or(0.0)),
        })
        .collect())
}

/// Computes `cost.*`.
pub fn compute(frames: &Frames) -> Result<CostMetrics> {
    let Some(billing) = frames.lazy(DatasetName::Billing) else {
        return Ok(CostMetrics { status: missing(frames.missing_reason(DatasetName::Billing)), ..CostMetrics::default() });
    };
    let period = frames.period;
    let (billing, left_out) = linked_accounts(billing, frames.config.cost.linked_accounts)?;
    let billing = billing.cache();
    let mut not_provided: Vec<String> =
        frames.not_provided(DatasetName::Billing, "ams_charges", "AMS charges are").into_iter().collect();
    let fee = not_provided.is_empty();
    let trend = trend(&billing, &period, fee)?;
    if let Some(reason) = unbilled(&billing, &period)? {
        return Ok(CostMetrics { status: missing(reason), trend, ..CostMetrics::default() });
    }
    let current = totals(&billing, &period)?;
    let previous = totals(&billing, &period.previous())?;
    let previous_products: BTreeMap<String, f64> = by_product(&billing, &period.previous(), fee)?
        .into_iter()
        .filter_map(|product| product.total.map(|total| (product.product_name, total)))
        .collect();
    let mut products = by_product(&billing, &period, fee)?;
    for product in &mut products {
        product.mom_change_pct = product
            .total
            .and_then(|total| previous_products.get(&product.product_name).and_then(|before| change_pct(total, *before)));
    }
    let top_products = top_products(&products, &previous_products, frames.config.cost.top_products as usize, fee);
    let by_linked_account = by_linked_account(&billing, &period, fee)?;
    let total = current.aws + current.ams;
    not_provided.extend(left_out);
    Ok(CostMetrics {
        status: Availability { not_provided, ..available() },
        aws_charges: Some(current.aws),
        ams_charges: fee.then_some(current.ams),
        total: fee.then_some(total),
        by_product: products,
        top_products,
        ri_sp_charges: Some(current.ri_sp),
        ri_sp_share_pct: (current.aws != 0.0).then(|| current.ri_sp / current.aws * 100.0),
        mom_change_pct: if previous.rows == 0 || !fee { None } else { change_pct(total, previous.aws + previous.ams) },
        by_linked_account,
        trend,
    })
}
