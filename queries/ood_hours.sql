-- ood_hours: exactly the data contract's columns (docs/data-contract.md), cast to the contract's
-- types so raw tables that store strings read the same. Values enter only as execution
-- parameters: the account list (the marked placeholder becomes one placeholder per account)
-- and, for month-partitioned tables, the first and last partition month. The partition
-- columns come first so results can be split into per-account, per-month parts.
SELECT
    aws_account_id,
    month,
    CAST(engagement_id AS varchar) AS engagement_id,
    CAST(work_date AS date) AS work_date,
    CAST(hours AS double) AS hours,
    CAST(description AS varchar) AS description
FROM ood_hours
WHERE aws_account_id IN (/* accounts */ ?)
  AND month BETWEEN ? AND ?
