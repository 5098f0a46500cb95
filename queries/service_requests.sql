-- service_requests: exactly the data contract's columns (docs/data-contract.md), cast to the contract's
-- types so raw tables that store strings read the same. Values enter only as execution
-- parameters: the account list (the marked placeholder becomes one placeholder per account)
-- and, for month-partitioned tables, the first and last partition month. The partition
-- columns come first so results can be split into per-account, per-month parts.
SELECT
    aws_account_id,
    month,
    CAST(case_id AS varchar) AS case_id,
    CAST(priority AS varchar) AS priority,
    CAST(category AS varchar) AS category,
    CAST(status AS varchar) AS status,
    CAST(subject AS varchar) AS subject,
    CAST(created_at AS timestamp) AS created_at,
    CAST(first_response_at AS timestamp) AS first_response_at,
    CAST(resolved_at AS timestamp) AS resolved_at,
    CAST(customer_wait_minutes AS double) AS customer_wait_minutes,
    CAST(csat_score AS bigint) AS csat_score
FROM service_requests
WHERE aws_account_id IN (/* accounts */ ?)
  AND month BETWEEN ? AND ?
