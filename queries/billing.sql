-- billing: exactly the data contract's columns (docs/data-contract.md), cast to the contract's
-- types so raw tables that store strings read the same. Values enter only as execution
-- parameters: the account list (the marked placeholder becomes one placeholder per account)
-- and, for month-partitioned tables, the first and last partition month. The partition
-- columns come first so results can be split into per-account, per-month parts.
SELECT
    aws_account_id,
    month,
    CAST(date AS date) AS date,
    CAST(payer_account_id AS varchar) AS payer_account_id,
    CAST(linked_account_id AS varchar) AS linked_account_id,
    CAST(product_name AS varchar) AS product_name,
    CAST(aws_charges AS double) AS aws_charges,
    CAST(ris_charges AS double) AS ris_charges,
    CAST(sp_charges AS double) AS sp_charges,
    CAST(ams_charges AS double) AS ams_charges
FROM billing
WHERE aws_account_id IN (/* accounts */ ?)
  AND month BETWEEN ? AND ?
