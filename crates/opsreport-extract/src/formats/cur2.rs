//! AWS Data Exports CUR 2.0: Parquet under `billing_period=YYYY-MM/`, line items summed into
//! `billing` by [`super::cost`]. `aws_charges` = Σ `line_item_unblended_cost`; RI = Σ
//! `reservation_effective_cost` of `DiscountedUsage` items; Savings Plans = Σ
//! `savings_plan_savings_plan_effective_cost` of `SavingsPlanCoveredUsage` items; the product is
//! `product['product_name']` (selected as `product_product_name`) or else
//! `line_item_product_code`.

use super::cost::{CostColumns, CostExport};

/// The CUR 2.0 format.
pub const CUR2: CostExport = CostExport {
    columns: &CostColumns {
        account: "line_item_usage_account_id",
        payer: "bill_payer_account_id",
        products: &["product_product_name", "line_item_product_code"],
        billed: "line_item_unblended_cost",
        category: "line_item_line_item_type",
        reserved: ("DiscountedUsage", "reservation_effective_cost"),
        savings_plans: ("SavingsPlanCoveredUsage", "savings_plan_savings_plan_effective_cost"),
        read: &[
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
    },
    select: "line_item_usage_account_id, bill_payer_account_id, line_item_product_code,\n       product['product_name'] AS product_product_name, line_item_line_item_type,\n       line_item_unblended_cost, reservation_effective_cost,\n       savings_plan_savings_plan_effective_cost, billing_period",
};
