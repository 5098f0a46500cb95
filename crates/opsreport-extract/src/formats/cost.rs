//! CUR 2.0 and FOCUS → `billing`: line items summed per account and product for the billing
//! period of their folder.
//!
//! - CUR 2.0: `aws_charges` = Σ `line_item_unblended_cost`; `ris_charges` = Σ
//!   `reservation_effective_cost` of `DiscountedUsage` items; `sp_charges` = Σ
//!   `savings_plan_savings_plan_effective_cost` of `SavingsPlanCoveredUsage` items;
//!   `product_name` = the `product_product_name` column (what `product['product_name']` is
//!   selected as) or else `line_item_product_code`; account = `line_item_usage_account_id`; payer
//!   = `bill_payer_account_id`.
//! - FOCUS 1.x: `aws_charges` = Σ `BilledCost`; RI = Σ `EffectiveCost` of
//!   `CommitmentDiscountCategory = Usage`, Savings Plans of `Spend`; `ServiceName`;
//!   `SubAccountId`; `BillingAccountId`.
//! - `date` = the billing period's first day; `ams_charges` is not available (the managed-service
//!   fee is not in a cost export).
//!
//! Sums are taken over integer nano-dollars in a fixed order, so they do not depend on how rows
//! were spread over files or threads. A sum over no items (no RI usage) is null, not 0.

use std::collections::BTreeMap;

use opsreport_model::YearMonth;
use opsreport_model::contract::ACCOUNT_COLUMN;
use opsreport_model::sources::SourceFormat;
use polars::prelude::*;

use super::{LINE_COLUMN, Mapping, RawPart, engine, normalize_account};
use crate::{ExtractError, Result};

/// Source columns of one cost format.
struct CostColumns {
    account: &'static str,
    payer: &'static str,
    products: &'static [&'static str],
    billed: &'static str,
    category: &'static str,
    /// (category value, cost column) of RI usage, then of Savings Plans usage.
    reserved: (&'static str, &'static str),
    savings_plans: (&'static str, &'static str),
}

const CUR2: CostColumns = CostColumns {
    account: "line_item_usage_account_id",
    payer: "bill_payer_account_id",
    products: &["product_product_name", "line_item_product_code"],
    billed: "line_item_unblended_cost",
    category: "line_item_line_item_type",
    reserved: ("DiscountedUsage", "reservation_effective_cost"),
    savings_plans: ("SavingsPlanCoveredUsage", "savings_plan_savings_plan_effective_cost"),
};

const FOCUS: CostColumns = CostColumns {
    account: "SubAccountId",
    payer: "BillingAccountId",
    products: &["ServiceName"],
    billed: "BilledCost",
    category: "CommitmentDiscountCategory",
    reserved: ("Usage", "EffectiveCost"),
    savings_plans: ("Spend", "EffectiveCost"),
};

impl CostColumns {
    /// The format's names with `columns` applied: a contract column of `billing` mapped there
    /// (`linked_account_id`, `payer_account_id`, `product_name`, `aws_charges`) replaces the
    /// built-in source column it stands for.
    fn overridden(&self, mapping: &Mapping<'_>) -> OwnedColumns {
        let pick =
            |contract: &str, builtin: &str| mapping.source.columns.get(contract).cloned().unwrap_or_else(|| builtin.to_owned());
        OwnedColumns {
            account: pick("linked_account_id", self.account),
            payer: pick("payer_account_id", self.payer),
            products: match mapping.source.columns.get("product_name") {
                Some(product) => vec![product.clone()],
                None => self.products.iter().map(|name| (*name).to_owned()).collect(),
            },
            billed: pick("aws_charges", self.billed),
            category: self.category.to_owned(),
            reserved: self.reserved,
            savings_plans: self.savings_plans,
        }
    }
}

/// [`CostColumns`] after the configuration's overrides.
struct OwnedColumns {
    account: String,
    payer: String,
    products: Vec<String>,
    billed: String,
    category: String,
    reserved: (&'static str, &'static str),
    savings_plans: (&'static str, &'static str),
}

fn columns_of(format: SourceFormat) -> &'static CostColumns {
    if format == SourceFormat::Focus { &FOCUS } else { &CUR2 }
}

/// The columns a cost file is read with (no other column is decoded).
pub fn columns_read(format: SourceFormat) -> &'static [&'static str] {
    match format {
        SourceFormat::Cur2 => &[
            "line_item_usage_account_id",
            "bill_payer_account_id",
            "product_product_name",
            "line_item_product_code",
            "line_item_unblended_cost",
            "line_item_line_item_type",
            "reservation_effective_cost",
            "savings_plan_savings_plan_effective_cost",
            "billing_period",
        ],
        SourceFormat::Focus => &[
            "SubAccountId",
            "BillingAccountId",
            "ServiceName",
            "BilledCost",
            "EffectiveCost",
            "CommitmentDiscountCategory",
            "billing_period",
        ],
        _ => &[],
    }
}

/// Nano-dollars per dollar: sums are exact at this precision.
const NANOS: f64 = 1e9;

/// One (account, product)'s sums.
#[derive(Default)]
struct Sums {
    payer: Option<String>,
    billed: i128,
    reserved: Option<i128>,
    savings_plans: Option<i128>,
}

/// Maps one cost file to `billing` rows of `mapping.account`.
pub fn map(mapping: &Mapping<'_>, raw: RawPart) -> Result<DataFrame> {
    let names = &columns_of(mapping.source.format).overridden(mapping);
    let RawPart { label, frame, billing_period, .. } = raw;
    let dataset = mapping.dataset;
    let text = |name: &str| -> Result<Option<StringChunked>> {
        match column_named(&frame, name) {
            Err(_) => Ok(None),
            Ok(found) => {
                let found = found.cast(&DataType::String).map_err(|error| engine(dataset, error))?;
                Ok(Some(found.str().map_err(|error| engine(dataset, error))?.clone()))
            }
        }
    };
    let money = |name: &str| -> Result<Option<Float64Chunked>> {
        match column_named(&frame, name) {
            Err(_) => Ok(None),
            // A decimal amount (FOCUS and CUR writers use `decimal(p,s)`) becomes the nearest
            // double, then exact nano-dollars like any double amount.
            Ok(found) if found.dtype().is_primitive_numeric() || found.dtype().is_decimal() => {
                let found = found.cast(&DataType::Float64).map_err(|error| engine(dataset, error))?;
                Ok(Some(found.f64().map_err(|error| engine(dataset, error))?.clone()))
            }
            Ok(found) => Err(ExtractError::WrongType {
                dataset: dataset.into(),
                file: label.clone(),
                column: name.to_owned(),
                found: found.dtype().to_string(),
                expected: "a number (double or decimal)".into(),
            }),
        }
    };
    let required = |name: &str, found: Option<StringChunked>| {
        found.ok_or_else(|| ExtractError::MissingColumn { dataset: dataset.into(), file: label.clone(), column: name.to_owned() })
    };
    let accounts = required(&names.account, text(&names.account)?)?;
    let product_column = names.products.iter().find(|name| column_named(&frame, name).is_ok());
    let products =
        required(names.products.join("` or `").as_str(), product_column.map(|name| text(name)).transpose()?.flatten())?;
    let billed = money(&names.billed)?.ok_or_else(|| ExtractError::MissingColumn {
        dataset: dataset.into(),
        file: label.clone(),
        column: names.billed.clone(),
    })?;
    let payers = text(&names.payer)?;
    let categories = text(&names.category)?;
    let reserved = money(names.reserved.1)?;
    let savings_plans = money(names.savings_plans.1)?;
    let lines = frame.column(LINE_COLUMN).ok().and_then(|lines| lines.u64().ok().cloned());
    let period = billing_period.ok_or_else(|| ExtractError::SourceSetting {
        dataset: dataset.into(),
        reason: format!("{label} is not under a billing_period=YYYY-MM folder; point `location` at the folder that holds them"),
    })?;

    let mut sums: BTreeMap<String, Sums> = BTreeMap::new();
    for row in 0..frame.height() {
        if !accounts.get(row).is_some_and(|account| normalize_account(account) == mapping.account.as_str()) {
            continue;
        }
        let nanos = |values: &Float64Chunked| -> Result<Option<i128>> {
            match values.get(row) {
                None => Ok(None),
                Some(value) if value.is_finite() => Ok(Some((value * NANOS).round() as i128)),
                Some(value) => Err(ExtractError::ImplausibleValue {
                    dataset: dataset.into(),
                    file: label.clone(),
                    row: lines.as_ref().and_then(|lines| lines.get(row)).unwrap_or(row as u64 + 1),
                    column: "cost".into(),
                    problem: format!("a cost of {value} is not a number a cost export can hold"),
                }),
            }
        };
        let product = products.get(row).map(str::trim).filter(|name| !name.is_empty()).unwrap_or("Unknown").to_owned();
        let entry = sums.entry(product).or_default();
        if entry.payer.is_none() {
            entry.payer = payers.as_ref().and_then(|payers| payers.get(row)).map(normalize_account);
        }
        entry.billed += nanos(&billed)?.unwrap_or(0);
        let category = categories.as_ref().and_then(|categories| categories.get(row)).map(str::trim);
        for ((kind, _), values, total) in
            [(names.reserved, &reserved, &mut entry.reserved), (names.savings_plans, &savings_plans, &mut entry.savings_plans)]
        {
            if category.is_some_and(|category| category.eq_ignore_ascii_case(kind))
                && let Some(values) = values
            {
                *total = Some(total.unwrap_or(0) + nanos(values)?.unwrap_or(0));
            }
        }
    }
    billing_frame(mapping, period, sums)
}

/// A column by name in any case: Athena returns `subaccountid` for the export's `SubAccountId`.
fn column_named<'a>(frame: &'a DataFrame, name: &str) -> PolarsResult<&'a Column> {
    frame
        .column(name)
        .or_else(|error| frame.columns().iter().find(|column| column.name().eq_ignore_ascii_case(name)).ok_or(error))
}

fn billing_frame(mapping: &Mapping<'_>, period: YearMonth, sums: BTreeMap<String, Sums>) -> Result<DataFrame> {
    let rows = sums.len();
    let dollars = |nanos: i128| nanos as f64 / NANOS;
    let days = (period.first_day() - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days() as i32;
    let mut products = Vec::with_capacity(rows);
    let mut payers = Vec::with_capacity(rows);
    let mut billed = Vec::with_capacity(rows);
    let mut reserved = Vec::with_capacity(rows);
    let mut savings_plans = Vec::with_capacity(rows);
    for (product, sum) in sums {
        products.push(product);
        payers.push(sum.payer);
        billed.push(dollars(sum.billed));
        reserved.push(sum.reserved.map(dollars));
        savings_plans.push(sum.savings_plans.map(dollars));
    }
    let columns = vec![
        Int32Chunked::full("date".into(), days, rows).into_date().into_column(),
        Column::new("payer_account_id".into(), payers),
        Column::new_scalar("linked_account_id".into(), Scalar::from(PlSmallStr::from(mapping.account.as_str())), rows),
        Column::new("product_name".into(), products),
        Column::new("aws_charges".into(), billed),
        Column::new("ris_charges".into(), reserved),
        Column::new("sp_charges".into(), savings_plans),
        Column::new_scalar(ACCOUNT_COLUMN.into(), Scalar::from(PlSmallStr::from(mapping.account.as_str())), rows),
    ];
    DataFrame::new(rows, columns).map_err(|error| engine(mapping.dataset, error))
}

#[cfg(test)]
mod tests {
    use super::*;
    use opsreport_model::sources::DatasetSource;
    use opsreport_model::{AccountId, DatasetName};

    #[test]
    fn cur_line_items_sum_per_product_for_the_account_only() {
        let frame = polars::df!(
            "line_item_usage_account_id" => ["043735371057", "043735371057", "043735371057", "999999999999"],
            "bill_payer_account_id" => ["100000000000"; 4],
            "line_item_product_code" => ["AmazonEC2", "AmazonEC2", "AmazonS3", "AmazonEC2"],
            "line_item_line_item_type" => ["Usage", "DiscountedUsage", "Usage", "Usage"],
            "line_item_unblended_cost" => [10.25, 0.0, 1.5, 1000.0],
            "reservation_effective_cost" => [0.0, 3.75, 0.0, 0.0],
            "savings_plan_savings_plan_effective_cost" => [0.0, 0.0, 0.0, 0.0],
            LINE_COLUMN => [1u64, 2, 3, 4],
        )
        .unwrap();
        let source = DatasetSource { format: SourceFormat::Cur2, location: Some("x".into()), ..DatasetSource::default() };
        let account = AccountId::parse("043735371057").unwrap();
        let mapping = Mapping { dataset: DatasetName::Billing, source: &source, account: &account };
        let raw =
            RawPart { label: "cur.parquet".into(), frame, day: None, billing_period: Some(YearMonth::new(2026, 10).unwrap()) };
        let billing = map(&mapping, raw).unwrap();
        assert_eq!(billing.height(), 2);
        let products: Vec<Option<&str>> = billing.column("product_name").unwrap().str().unwrap().iter().collect();
        assert_eq!(products, [Some("AmazonEC2"), Some("AmazonS3")]);
        let aws: Vec<Option<f64>> = billing.column("aws_charges").unwrap().f64().unwrap().iter().collect();
        assert_eq!(aws, [Some(10.25), Some(1.5)], "the other account's 1000 never counts");
        let ris: Vec<Option<f64>> = billing.column("ris_charges").unwrap().f64().unwrap().iter().collect();
        assert_eq!(ris, [Some(3.75), None], "no RI usage is null, not 0");
        assert!(billing.column("ams_charges").is_err());
    }

    #[test]
    fn columns_rename_the_cost_exports_account_and_product() {
        let frame = polars::df!(
            "usage_account" => ["043735371057", "999999999999"],
            "service" => ["EC2", "EC2"],
            "line_item_unblended_cost" => [2.5, 7.0],
            LINE_COLUMN => [1u64, 2],
        )
        .unwrap();
        let mut source = DatasetSource { format: SourceFormat::Cur2, location: Some("x".into()), ..DatasetSource::default() };
        source.columns.insert("linked_account_id".into(), "usage_account".into());
        source.columns.insert("product_name".into(), "service".into());
        let account = AccountId::parse("043735371057").unwrap();
        let mapping = Mapping { dataset: DatasetName::Billing, source: &source, account: &account };
        let raw =
            RawPart { label: "cur.parquet".into(), frame, day: None, billing_period: Some(YearMonth::new(2026, 10).unwrap()) };
        let billing = map(&mapping, raw).unwrap();
        assert_eq!(billing.column("product_name").unwrap().str().unwrap().get(0), Some("EC2"));
        assert_eq!(billing.column("aws_charges").unwrap().f64().unwrap().get(0), Some(2.5));
        assert_eq!(billing.height(), 1);
    }

    #[test]
    fn decimal_costs_and_dictionary_encoded_names_read_like_doubles_and_text() {
        let mut frame = polars::df!(
            "line_item_usage_account_id" => ["043735371057", "043735371057"],
            "line_item_product_code" => ["AmazonEC2", "AmazonEC2"],
            "line_item_unblended_cost" => [10.25, 0.1],
            LINE_COLUMN => [1u64, 2],
        )
        .unwrap();
        let decimal = frame.column("line_item_unblended_cost").unwrap().cast(&DataType::Decimal(18, 2)).unwrap();
        let categorical = frame
            .column("line_item_product_code")
            .unwrap()
            .cast(&DataType::from_categories(polars::prelude::Categories::global()))
            .unwrap();
        frame.with_column(decimal).unwrap();
        frame.with_column(categorical).unwrap();
        let source = DatasetSource { format: SourceFormat::Cur2, location: Some("x".into()), ..DatasetSource::default() };
        let account = AccountId::parse("043735371057").unwrap();
        let mapping = Mapping { dataset: DatasetName::Billing, source: &source, account: &account };
        let raw =
            RawPart { label: "cur.parquet".into(), frame, day: None, billing_period: Some(YearMonth::new(2026, 10).unwrap()) };
        let billing = map(&mapping, raw).unwrap();
        assert_eq!(billing.column("product_name").unwrap().str().unwrap().get(0), Some("AmazonEC2"));
        assert_eq!(billing.column("aws_charges").unwrap().f64().unwrap().get(0), Some(10.35));
    }
}
