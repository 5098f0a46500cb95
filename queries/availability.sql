-- availability: exactly the data contract's columns (docs/data-contract.md), cast to the contract's
-- types so raw tables that store strings read the same. Values enter only as execution
-- parameters: the account list (the marked placeholder becomes one placeholder per account)
-- and, for month-partitioned tables, the first and last partition month. The partition
-- columns come first so results can be split into per-account, per-month parts.
SELECT
    aws_account_id,
    month,
    CAST(endpoint AS varchar) AS endpoint,
    CAST(window_start AS timestamp) AS window_start,
    CAST(window_minutes AS bigint) AS window_minutes,
    CAST(checks_total AS bigint) AS checks_total,
    CAST(checks_failed AS bigint) AS checks_failed
FROM availability
WHERE aws_account_id IN (/* accounts */ ?)
  AND month BETWEEN ? AND ?
