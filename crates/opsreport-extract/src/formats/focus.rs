//! AWS Data Exports FOCUS 1.x: Parquet under `billing_period=YYYY-MM/`, line items summed into
//! `billing` by [`super::cost`]. `aws_charges` = Σ `BilledCost`; RI = Σ `EffectiveCost` of
//! `CommitmentDiscountCategory = Usage`, Savings Plans of `Spend`; the product is `ServiceName`;
//! the account `SubAccountId`, the payer `BillingAccountId`.

use super::cost::{CostColumns, CostExport};

/// The FOCUS format.
pub const FOCUS: CostExport = CostExport {
    columns: &CostColumns {
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
    },
    select: "subaccountid, billingaccountid, servicename, billedcost, effectivecost,\n       commitmentdiscountcategory, billing_period",
};
