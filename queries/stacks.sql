-- stacks: exactly the data contract's columns (docs/data-contract.md), cast to the contract's
-- types so raw tables that store strings read the same. Values enter only as execution
-- parameters: the account list (the marked placeholder becomes one placeholder per account)
-- and, for month-partitioned tables, the first and last partition month. The partition
-- columns come first so results can be split into per-account, per-month parts.
SELECT
    aws_account_id,
    month,
    CAST(snapshot_date AS date) AS snapshot_date,
    CAST(stack_id AS varchar) AS stack_id,
    CAST(stack_name AS varchar) AS stack_name,
    CAST(instance_stack_type AS varchar) AS instance_stack_type,
    CAST(category AS varchar) AS category,
    CAST(environment AS varchar) AS environment,
    CAST(stack_status AS varchar) AS stack_status,
    CAST(created_time AS timestamp) AS created_time
FROM stacks
WHERE aws_account_id IN (/* accounts */ ?)
  AND month BETWEEN ? AND ?
