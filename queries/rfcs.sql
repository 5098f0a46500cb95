-- rfcs: exactly the data contract's columns (docs/data-contract.md), cast to the contract's
-- types so raw tables that store strings read the same. Values enter only as execution
-- parameters: the account list (the marked placeholder becomes one placeholder per account)
-- and, for month-partitioned tables, the first and last partition month. The partition
-- columns come first so results can be split into per-account, per-month parts.
SELECT
    aws_account_id,
    month,
    CAST(rfc_id AS varchar) AS rfc_id,
    CAST(title AS varchar) AS title,
    CAST(change_type_id AS varchar) AS change_type_id,
    CAST(change_type_version AS varchar) AS change_type_version,
    CAST(status AS varchar) AS status,
    CAST(automation_status AS varchar) AS automation_status,
    CAST(created_by AS varchar) AS created_by,
    CAST(created_time AS timestamp) AS created_time,
    CAST(requested_start_time AS timestamp) AS requested_start_time,
    CAST(requested_end_time AS timestamp) AS requested_end_time,
    CAST(actual_start_time AS timestamp) AS actual_start_time,
    CAST(actual_end_time AS timestamp) AS actual_end_time
FROM rfcs
WHERE aws_account_id IN (/* accounts */ ?)
  AND month BETWEEN ? AND ?
