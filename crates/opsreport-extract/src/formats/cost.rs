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
//! Every file of a billing period is summed together (a real export splits a period over
//! `-00001`, `-00002`, … files). Each line item is checked before it is added (finite, at most
//! 10¹⁵ dollars either way) and becomes an exact integer of 10⁻¹⁸ dollars (a double through its
//! shortest decimal text, a decimal through its digits); sums are checked integer additions, so
//! they do not depend on how rows were spread over files or threads, and never wrap. A sum over
//! no items (no RI usage) is null, not 0.

use std::collections::BTreeMap;

use opsreport_model::contract::ACCOUNT_COLUMN;
use opsreport_model::sources::DatasetSource;
use opsreport_model::{DatasetName, YearMonth};
use polars::prelude::*;

use super::{LINE_COLUMN, Mapping, RawPart, engine};
use crate::{ExtractError, Result};

/// Source columns of one cost format (each format's module has its own).
pub struct CostColumns {
    /// The row's account.
    pub account: &'static str,
    /// The row's payer account.
    pub payer: &'static str,
    /// The product's name, the first of these the file has.
    pub products: &'static [&'static str],
    /// The billed cost.
    pub billed: &'static str,
    /// The column telling RI and Savings Plans usage apart.
    pub category: &'static str,
    /// (category value, cost column) of RI usage, then of Savings Plans usage.
    pub reserved: (&'static str, &'static str),
    /// (category value, cost column) of Savings Plans usage.
    pub savings_plans: (&'static str, &'static str),
    /// The columns a file is decoded with (no other column is read).
    pub read: &'static [&'static str],
}

impl CostColumns {
    /// The column that names a row's account: `[datasets.billing.columns] linked_account_id`
    /// when set, else the format's own (`line_item_usage_account_id`, `SubAccountId`). The one
    /// home of that rule, for reading files and for Athena.
    pub fn account_column(&self, source: &DatasetSource) -> String {
        source.columns.get("linked_account_id").cloned().unwrap_or_else(|| self.account.to_owned())
    }

    /// A cost file with only the columns its sums read (and the configured overrides').
    pub fn decode(&self, source: &DatasetSource, bytes: &[u8]) -> std::result::Result<DataFrame, String> {
        let mut wanted: Vec<&str> = self.read.to_vec();
        wanted.extend(source.columns.values().map(String::as_str));
        super::parquet(bytes, &wanted)
    }

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

/// A billing export (CUR 2.0, FOCUS): Parquet under `billing_period=YYYY-MM/`, line items
/// summed per account and product. The formats differ only in their columns and their table's
/// SQL, which their modules give.
pub struct CostExport {
    /// The format's columns.
    pub columns: &'static CostColumns,
    /// The SELECT list of its Athena table (`FROM`, the account filter and the billing periods
    /// follow).
    pub select: &'static str,
}

impl super::ExportFormat for CostExport {
    fn layout(&self) -> super::Layout {
        super::Layout::BillingPeriods
    }

    fn rows(&self) -> super::Rows {
        super::Rows::Costs(self.columns)
    }

    fn account_column(&self, source: &DatasetSource) -> Option<String> {
        Some(self.columns.account_column(source))
    }

    fn decode(&self, source: &DatasetSource, _dataset: DatasetName, bytes: &[u8]) -> std::result::Result<DataFrame, String> {
        self.columns.decode(source, bytes)
    }

    fn table_query(&self, query: &mut crate::queries::TableQuery<'_>) -> std::result::Result<String, String> {
        query.bind_months();
        Ok(format!(
            "SELECT {}\nFROM {}\nWHERE {} IN ({})\n  AND billing_period BETWEEN ? AND ?",
            self.select, query.table, query.account, query.accounts
        ))
    }
}

/// Decimal places money is summed at: each line item becomes an integer number of 10⁻¹⁸
/// dollars, and sums are checked integer additions, so a total is exact and does not depend on
/// how line items are spread over files or threads.
const SCALE: u32 = 18;
/// The largest line item a cost export can hold, in dollars (a larger one is an error).
pub const LINE_ITEM_MAX_DOLLARS: i128 = 1_000_000_000_000_000;

/// One (account, product)'s sums, in 10⁻¹⁸ dollars.
#[derive(Default)]
struct Sums {
    payer: Option<String>,
    billed: i128,
    reserved: Option<i128>,
    savings_plans: Option<i128>,
}

/// A cost column as read: doubles, decimals (with their scale) or integers (whole dollars).
enum Money {
    Float(Float64Chunked),
    Decimal(Int128Chunked, usize),
    Integer(Int64Chunked),
}

impl Money {
    /// The row's amount in 10⁻¹⁸ dollars, or the value as text when it is not one a cost export
    /// can hold (not finite, or beyond ±[`LINE_ITEM_MAX_DOLLARS`]).
    fn units(&self, row: usize) -> std::result::Result<Option<i128>, String> {
        let units = match self {
            Money::Float(values) => match values.get(row) {
                None => return Ok(None),
                Some(value) if !value.is_finite() => return Err(value.to_string()),
                // The shortest text that reads back as the same double is the amount the
                // export meant (`0.1`, not 0.1000000000000000055…).
                Some(value) => decimal_units(&value.to_string()).ok_or_else(|| value.to_string())?,
            },
            Money::Decimal(values, scale) => match values.get(row) {
                None => return Ok(None),
                Some(value) => rescale(value, *scale).ok_or_else(|| decimal_text(value, *scale))?,
            },
            Money::Integer(values) => match values.get(row) {
                None => return Ok(None),
                Some(value) => i128::from(value).checked_mul(10i128.pow(SCALE)).ok_or_else(|| value.to_string())?,
            },
        };
        let limit = LINE_ITEM_MAX_DOLLARS * 10i128.pow(SCALE);
        if units.abs() > limit { Err(self.text(row)) } else { Ok(Some(units)) }
    }

    fn text(&self, row: usize) -> String {
        match self {
            Money::Float(values) => values.get(row).map(|value| value.to_string()),
            Money::Decimal(values, scale) => values.get(row).map(|value| decimal_text(value, *scale)),
            Money::Integer(values) => values.get(row).map(|value| value.to_string()),
        }
        .unwrap_or_default()
    }
}

/// A decimal integer `value` × 10^-`scale` at [`SCALE`] places (rounded half away from zero
/// past them), or `None` when it does not fit.
fn rescale(value: i128, scale: usize) -> Option<i128> {
    let scale = u32::try_from(scale).ok()?;
    if scale <= SCALE {
        value.checked_mul(10i128.checked_pow(SCALE - scale)?)
    } else {
        let divisor = 10i128.checked_pow(scale - SCALE)?;
        let (quotient, remainder) = (value / divisor, value % divisor);
        Some(quotient + if remainder.abs() * 2 >= divisor { remainder.signum() } else { 0 })
    }
}

fn decimal_text(value: i128, scale: usize) -> String {
    let digits = value.unsigned_abs().to_string();
    let sign = if value < 0 { "-" } else { "" };
    if scale == 0 {
        return format!("{sign}{digits}");
    }
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (whole, fraction) = padded.split_at(padded.len() - scale);
    format!("{sign}{whole}.{fraction}")
}

/// `-123.456`, `1e-7` or `1.5e20` (as a double prints) in 10⁻¹⁸ units, or `None` past i128.
fn decimal_units(text: &str) -> Option<i128> {
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, exponent.parse::<i32>().ok()?),
        None => (text, 0),
    };
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mantissa),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: i128 = format!("{whole}{fraction}").parse().ok()?;
    let scale = i32::try_from(fraction.len()).ok()? - exponent;
    let units = if scale >= 0 {
        rescale(digits, usize::try_from(scale).ok()?)?
    } else {
        digits.checked_mul(10i128.checked_pow(SCALE + u32::try_from(-scale).ok()?)?)?
    };
    Some(if negative { -units } else { units })
}

/// 10⁻¹⁸ units as the nearest double (through the decimal text, which rounds correctly).
fn dollars(units: i128) -> f64 {
    decimal_text(units, SCALE as usize).parse().expect("a decimal number")
}

/// The columns of one cost file, read for mapping.
struct CostFile {
    label: String,
    accounts: StringChunked,
    account_column: String,
    products: StringChunked,
    billed: (String, Money),
    payers: Option<StringChunked>,
    categories: Option<StringChunked>,
    reserved: Option<(String, Money)>,
    savings_plans: Option<(String, Money)>,
    lines: Option<UInt64Chunked>,
}

impl CostFile {
    fn read(mapping: &Mapping<'_>, names: &OwnedColumns, raw: RawPart) -> Result<Self> {
        let RawPart { label, frame, .. } = raw;
        let dataset = mapping.dataset;
        let missing = |column: &str| ExtractError::MissingColumn {
            dataset: dataset.into(),
            file: label.clone(),
            column: column.to_owned(),
        };
        let accounts = text(dataset, &frame, &names.account)?.ok_or_else(|| missing(&names.account))?;
        let product_column = names.products.iter().find(|name| column_named(&frame, name).is_ok());
        let products = match product_column {
            Some(name) => text(dataset, &frame, name)?,
            None => None,
        }
        .ok_or_else(|| missing(&names.products.join("` or `")))?;
        let billed = money(dataset, &label, &frame, &names.billed)?.ok_or_else(|| missing(&names.billed))?;
        let optional_money = |name: &str| -> Result<Option<(String, Money)>> {
            Ok(money(dataset, &label, &frame, name)?.map(|values| (name.to_owned(), values)))
        };
        Ok(Self {
            accounts,
            account_column: names.account.clone(),
            products,
            billed: (names.billed.clone(), billed),
            payers: text(dataset, &frame, &names.payer)?,
            categories: text(dataset, &frame, &names.category)?,
            reserved: optional_money(names.reserved.1)?,
            savings_plans: optional_money(names.savings_plans.1)?,
            lines: frame.column(LINE_COLUMN).ok().and_then(|lines| lines.u64().ok().cloned()),
            label,
        })
    }

    fn line(&self, row: usize) -> u64 {
        self.lines.as_ref().and_then(|lines| lines.get(row)).unwrap_or(row as u64 + 1)
    }

    /// The row's amount of `column`, checked.
    fn amount(&self, dataset: DatasetName, row: usize, (name, values): &(String, Money)) -> Result<Option<i128>> {
        values.units(row).map_err(|value| ExtractError::ImplausibleValue {
            dataset: dataset.into(),
            file: self.label.clone(),
            row: self.line(row),
            column: name.clone(),
            problem: format!(
                "`{name}` = {value} is not a line item a cost export can hold (a finite amount of at most {LINE_ITEM_MAX_DOLLARS} dollars either way)"
            ),
        })
    }

    /// Adds this file's line items of `mapping.account` to `sums`.
    fn add_to(&self, mapping: &Mapping<'_>, names: &OwnedColumns, sums: &mut BTreeMap<String, Sums>) -> Result<()> {
        let dataset = mapping.dataset;
        for row in 0..self.accounts.len() {
            let account = super::row_account(dataset, &self.label, &self.account_column, self.accounts.get(row), self.line(row))?;
            if account.as_ref() != Some(mapping.account) {
                continue;
            }
            let product = self.products.get(row).map(str::trim).filter(|name| !name.is_empty()).unwrap_or("Unknown");
            if !sums.contains_key(product) {
                sums.insert(product.to_owned(), Sums::default());
            }
            let entry = sums.get_mut(product).expect("inserted");
            if entry.payer.is_none() {
                entry.payer = self.payers.as_ref().and_then(|payers| payers.get(row)).map(super::normalize_account);
            }
            let overflow = |column: &str| ExtractError::ImplausibleValue {
                dataset: dataset.into(),
                file: self.label.clone(),
                row: self.line(row),
                column: column.to_owned(),
                problem: format!("the sum of `{column}` for {product} passes what a cost total can hold"),
            };
            let billed = self.amount(dataset, row, &self.billed)?.unwrap_or(0);
            entry.billed = entry.billed.checked_add(billed).ok_or_else(|| overflow(&self.billed.0))?;
            let category = self.categories.as_ref().and_then(|categories| categories.get(row)).map(str::trim);
            for ((kind, _), values, total) in [
                (names.reserved, &self.reserved, &mut entry.reserved),
                (names.savings_plans, &self.savings_plans, &mut entry.savings_plans),
            ] {
                if let Some(values) = values
                    && category.is_some_and(|category| category.eq_ignore_ascii_case(kind))
                {
                    let amount = self.amount(dataset, row, values)?.unwrap_or(0);
                    *total = Some(total.unwrap_or(0).checked_add(amount).ok_or_else(|| overflow(&values.0))?);
                }
            }
        }
        Ok(())
    }
}

fn text(dataset: DatasetName, frame: &DataFrame, name: &str) -> Result<Option<StringChunked>> {
    match column_named(frame, name) {
        Err(_) => Ok(None),
        Ok(found) => {
            let found = found.cast(&DataType::String).map_err(|error| engine(dataset, error))?;
            Ok(Some(found.str().map_err(|error| engine(dataset, error))?.clone()))
        }
    }
}

fn money(dataset: DatasetName, label: &str, frame: &DataFrame, name: &str) -> Result<Option<Money>> {
    let engine = |error| engine(dataset, error);
    let Ok(found) = column_named(frame, name) else { return Ok(None) };
    let found = found.as_materialized_series();
    Ok(Some(match found.dtype() {
        DataType::Decimal(_, _) => {
            let decimal = found.decimal().map_err(engine)?;
            Money::Decimal(decimal.physical().clone(), decimal.scale())
        }
        dtype if dtype.is_float() => Money::Float(found.cast(&DataType::Float64).map_err(engine)?.f64().map_err(engine)?.clone()),
        dtype if dtype.is_integer() => {
            Money::Integer(found.cast(&DataType::Int64).map_err(engine)?.i64().map_err(engine)?.clone())
        }
        other => {
            return Err(ExtractError::WrongType {
                dataset: dataset.into(),
                file: label.to_owned(),
                column: name.to_owned(),
                found: other.to_string(),
                expected: "a number (double or decimal)".into(),
            });
        }
    }))
}

/// The sums of one billing period's files so far: files are added one at a time as they are
/// read (an export of real size splits a period into `-00001`, `-00002`, … files, and only the
/// sums are kept between them), and the period's rows are made once all are added.
#[derive(Default)]
pub struct PeriodSums {
    files: Vec<String>,
    sums: BTreeMap<String, Sums>,
}

impl PeriodSums {
    /// Adds one file's line items of `mapping.account`.
    pub fn add(&mut self, mapping: &Mapping<'_>, columns: &CostColumns, raw: RawPart) -> Result<()> {
        let names = columns.overridden(mapping);
        let file = CostFile::read(mapping, &names, raw)?;
        file.add_to(mapping, &names, &mut self.sums)?;
        self.files.push(file.label);
        Ok(())
    }

    /// The label validation names the period's rows by: the file when there is one, else the
    /// period's folder and the number of files.
    pub fn label(&self, period: YearMonth) -> String {
        match self.files.as_slice() {
            [one] => one.clone(),
            files => {
                let folder = files.first().and_then(|file| file.rsplit_once('/')).map_or("", |(folder, _)| folder);
                format!("{folder} ({} files of billing period {period})", files.len())
            }
        }
    }

    /// The `billing` rows of the period: one per product.
    pub fn rows(self, mapping: &Mapping<'_>, period: YearMonth) -> Result<DataFrame> {
        billing_frame(mapping, period, self.sums)
    }
}

/// The billing period of a cost file's folder; a file outside a `billing_period=` folder is an
/// error.
pub fn period_of(dataset: DatasetName, raw: &RawPart) -> Result<YearMonth> {
    raw.billing_period.ok_or_else(|| ExtractError::SourceSetting {
        dataset: dataset.into(),
        reason: format!(
            "{} is not under a billing_period=YYYY-MM folder; point `location` at the folder that holds them",
            raw.label
        ),
    })
}

/// A column by name in any case: Athena returns `subaccountid` for the export's `SubAccountId`.
fn column_named<'a>(frame: &'a DataFrame, name: &str) -> PolarsResult<&'a Column> {
    frame
        .column(name)
        .or_else(|error| frame.columns().iter().find(|column| column.name().eq_ignore_ascii_case(name)).ok_or(error))
}

fn billing_frame(mapping: &Mapping<'_>, period: YearMonth, sums: BTreeMap<String, Sums>) -> Result<DataFrame> {
    let rows = sums.len();
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

    /// The CUR 2.0 columns (what its module sums with).
    fn cur2_columns() -> &'static CostColumns {
        let crate::formats::Rows::Costs(columns) = crate::formats::of(SourceFormat::Cur2).rows() else { panic!("a cost format") };
        columns
    }

    /// Every file of one billing period mapped and summed together, as `Mapper` does.
    fn map_period(mapping: &Mapping<'_>, period: YearMonth, raws: Vec<RawPart>) -> Result<DataFrame> {
        let mut sums = PeriodSums::default();
        for raw in raws {
            let crate::formats::Rows::Costs(columns) = crate::formats::of(mapping.source.format).rows() else {
                panic!("a cost format")
            };
            sums.add(mapping, columns, raw)?;
        }
        sums.rows(mapping, period)
    }
    use opsreport_model::sources::{DatasetSource, SourceFormat};
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
        let billing = map_period(&mapping, YearMonth::new(2026, 10).unwrap(), vec![raw]).unwrap();
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
    fn the_account_column_has_one_rule_for_files_and_athena() {
        let cur2 = crate::formats::of(SourceFormat::Cur2);
        let mut source = DatasetSource { format: SourceFormat::Cur2, ..DatasetSource::default() };
        assert_eq!(cur2.account_column(&source).as_deref(), Some("line_item_usage_account_id"));
        source.columns.insert("linked_account_id".into(), "Usage_Account".into());
        assert_eq!(cur2.account_column(&source).as_deref(), Some("Usage_Account"));
        assert_eq!(cur2.table_account_column(&source).as_deref(), Some("usage_account"), "Athena's lower case");
        let focus = DatasetSource { format: SourceFormat::Focus, ..DatasetSource::default() };
        assert_eq!(crate::formats::of(SourceFormat::Focus).table_account_column(&focus).as_deref(), Some("subaccountid"));
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
        let billing = map_period(&mapping, YearMonth::new(2026, 10).unwrap(), vec![raw]).unwrap();
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
        let billing = map_period(&mapping, YearMonth::new(2026, 10).unwrap(), vec![raw]).unwrap();
        assert_eq!(billing.column("product_name").unwrap().str().unwrap().get(0), Some("AmazonEC2"));
        assert_eq!(billing.column("aws_charges").unwrap().f64().unwrap().get(0), Some(10.35));
    }

    fn cur_mapping_parts() -> (DatasetSource, AccountId) {
        (
            DatasetSource { format: SourceFormat::Cur2, location: Some("x".into()), ..DatasetSource::default() },
            AccountId::parse("043735371057").unwrap(),
        )
    }

    fn cur_part(label: &str, products: &[&str], costs: &[f64]) -> RawPart {
        let rows = products.len();
        let frame = polars::df!(
            "line_item_usage_account_id" => vec!["043735371057"; rows],
            "line_item_product_code" => products,
            "line_item_line_item_type" => vec!["Usage"; rows],
            "line_item_unblended_cost" => costs,
            LINE_COLUMN => (1..=rows as u64).collect::<Vec<_>>(),
        )
        .unwrap();
        RawPart { label: label.into(), frame, day: None, billing_period: Some(YearMonth::new(2026, 10).unwrap()) }
    }

    #[test]
    fn a_period_over_several_files_sums_as_one_file_and_exactly() {
        let (source, account) = cur_mapping_parts();
        let mapping = Mapping { dataset: DatasetName::Billing, source: &source, account: &account };
        let october = YearMonth::new(2026, 10).unwrap();
        let products = ["AmazonEC2", "AmazonS3", "AmazonEC2", "AmazonEC2", "AmazonS3", "AmazonEC2"];
        let costs = [0.1, 0.2, 0.2, 1e-7, 3.3, 0.1];
        let one = map_period(&mapping, october, vec![cur_part("cur2-00001.parquet", &products, &costs)]).unwrap();
        let split = map_period(
            &mapping,
            october,
            vec![
                cur_part("p/cur2-00001.parquet", &products[..2], &costs[..2]),
                cur_part("p/cur2-00002.parquet", &products[2..4], &costs[2..4]),
                cur_part("p/cur2-00003.parquet", &products[4..], &costs[4..]),
            ],
        )
        .unwrap();
        assert_eq!(one, split, "three files give the billing of one file holding the same rows");
        let aws: Vec<Option<f64>> = split.column("aws_charges").unwrap().f64().unwrap().iter().collect();
        // 0.1 + 0.2 + 1e-7 + 0.1 summed exactly (a float sum gives 0.40000010000000003).
        assert_eq!(aws, [Some(0.4000001), Some(3.5)]);
        let mut sums = PeriodSums::default();
        sums.add(&mapping, cur2_columns(), cur_part("p/cur2-00001.parquet", &products[..1], &costs[..1])).unwrap();
        sums.add(&mapping, cur2_columns(), cur_part("p/cur2-00002.parquet", &products[..1], &costs[..1])).unwrap();
        assert_eq!(sums.label(october), "p (2 files of billing period 2026-10)");
    }

    #[test]
    fn a_line_item_no_export_can_hold_is_an_error_naming_file_row_column_and_value() {
        let (source, account) = cur_mapping_parts();
        let mapping = Mapping { dataset: DatasetName::Billing, source: &source, account: &account };
        let october = YearMonth::new(2026, 10).unwrap();
        for (bad, shown) in [(f64::NAN, "NaN"), (f64::INFINITY, "inf"), (-2e15, "-2000000000000000"), (1e300, "1000000000000")] {
            let part = cur_part("cur2-00002.parquet", &["AmazonEC2", "AmazonEC2"], &[1.0, bad]);
            let error = map_period(&mapping, october, vec![part]).unwrap_err().to_string();
            for expected in ["billing", "cur2-00002.parquet", "row 2", "`line_item_unblended_cost`", shown] {
                assert!(error.contains(expected), "{expected} in {error}");
            }
        }
        // 10^15 dollars is the largest line item; 200,000 of them pass what a sum can hold: an
        // error, never a wrapped or saturated total.
        let rows = 200_000;
        let part = cur_part("big.parquet", &vec!["AmazonEC2"; rows], &vec![1e15; rows]);
        let error = map_period(&mapping, october, vec![part]).unwrap_err().to_string();
        assert!(error.contains("passes what a cost total can hold") && error.contains("big.parquet"), "{error}");
    }

    #[test]
    fn decimal_amounts_are_summed_from_their_digits() {
        assert_eq!(decimal_units("0.1"), Some(100_000_000_000_000_000));
        assert_eq!(decimal_units("-1.5e-3"), Some(-1_500_000_000_000_000));
        assert_eq!(decimal_units("2E2"), Some(200 * 10i128.pow(18)));
        assert_eq!(rescale(123_456, 20), Some(1235), "past 18 places rounded half away from zero");
        assert_eq!(rescale(-5, 19), Some(-1));
        assert_eq!(decimal_text(-5, 3), "-0.005");
        assert_eq!(dollars(300_000_000_000_000_000), 0.3);
    }
}
