//! AWS Data Exports FOCUS 1.x: Parquet under `billing_period=YYYY-MM/`, line items summed into
//! `billing` by [`super::cost`]. `aws_charges` = Σ `BilledCost`; RI = Σ `EffectiveCost` of
//! `CommitmentDiscountCategory = Usage`, Savings Plans of `Spend`; the product is `ServiceName`;
//! the account `SubAccountId`, the payer `BillingAccountId`.

use opsreport_model::DatasetName;
use opsreport_model::sources::DatasetSource;
use polars::prelude::*;

use super::cost::CostColumns;
use super::{ExportFormat, Layout, Rows};
use crate::queries::TableQuery;

const COLUMNS: CostColumns = CostColumns {
    account: "SubAccountId",
    payer: "BillingAccountId",
    products: &["ServiceName"],
    billed: "BilledCost",
    category: "CommitmentDiscountCategory",
    reserved: ("Usage", "EffectiveCost"),
    savings_plans: ("Spend", "EffectiveCost"),
    read: &[
        "SubAccountId",
        "BillingAccountId",
        "ServiceName",
        "BilledCost",
        "EffectiveCost",
        "CommitmentDiscountCategory",
        "billing_period",
    ],
};

/// The FOCUS format.
pub struct Focus;

impl ExportFormat for Focus {
    fn layout(&self) -> Layout {
        Layout::BillingPeriods
    }

    fn rows(&self) -> Rows {
        Rows::Costs(&COLUMNS)
    }

    fn account_column(&self, source: &DatasetSource) -> Option<String> {
        Some(COLUMNS.account_column(source))
    }

    fn decode(&self, source: &DatasetSource, _dataset: DatasetName, bytes: &[u8]) -> Result<DataFrame, String> {
        COLUMNS.decode(source, bytes)
    }

    fn table_query(&self, query: &mut TableQuery<'_>) -> Result<String, String> {
        query.bind_months();
        Ok(format!(
            "SELECT subaccountid, billingaccountid, servicename, billedcost, effectivecost,\n       commitmentdiscountcategory, billing_period\nFROM {}\nWHERE {} IN ({})\n  AND billing_period BETWEEN ? AND ?",
            query.table, query.account, query.accounts
        ))
    }
}
