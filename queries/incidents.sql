-- incidents: exactly the data contract's columns (docs/data-contract.md), cast to the contract's
-- types so raw tables that store strings read the same. Values enter only as execution
-- parameters: the account list (the marked placeholder becomes one placeholder per account)
-- and, for month-partitioned tables, the first and last partition month. The partition
-- columns come first so results can be split into per-account, per-month parts.
SELECT
    aws_account_id,
    month,
    CAST(case_id AS varchar) AS case_id,
    CAST(priority AS varchar) AS priority,
    CAST(severity AS varchar) AS severity,
    CAST(status AS varchar) AS status,
    CAST(yuma_category AS varchar) AS yuma_category,
    CAST(subject AS varchar) AS subject,
    CAST(created_at AS timestamp) AS created_at,
    CAST(acknowledged_at AS timestamp) AS acknowledged_at,
    CAST(resolved_at AS timestamp) AS resolved_at,
    CAST(customer_wait_minutes AS double) AS customer_wait_minutes,
    CAST(non_incident AS boolean) AS non_incident,
    CAST(best_effort AS boolean) AS best_effort,
    CAST(resource_id AS varchar) AS resource_id,
    CAST(stack_id AS varchar) AS stack_id,
    CAST(root_cause AS varchar) AS root_cause,
    CAST(rca_status AS varchar) AS rca_status
FROM incidents
WHERE aws_account_id IN (/* accounts */ ?)
  AND month BETWEEN ? AND ?
