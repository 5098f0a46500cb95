-- trusted_advisor: exactly the data contract's columns (docs/data-contract.md), cast to the contract's
-- types so raw tables that store strings read the same. Values enter only as execution
-- parameters: the account list (the marked placeholder becomes one placeholder per account)
-- and, for month-partitioned tables, the first and last partition month. The partition
-- columns come first so results can be split into per-account, per-month parts.
SELECT
    aws_account_id,
    month,
    CAST(snapshot_date AS date) AS snapshot_date,
    CAST(check_id AS varchar) AS check_id,
    CAST(check_name AS varchar) AS check_name,
    CAST(check_category AS varchar) AS check_category,
    CAST(status AS varchar) AS status,
    CAST(resources_flagged AS bigint) AS resources_flagged,
    CAST(resources_ignored AS bigint) AS resources_ignored,
    CAST(estimated_monthly_savings AS double) AS estimated_monthly_savings
FROM trusted_advisor
WHERE aws_account_id IN (/* accounts */ ?)
  AND month BETWEEN ? AND ?
