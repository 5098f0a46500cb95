-- alerts: exactly the data contract's columns (docs/data-contract.md), cast to the contract's
-- types so raw tables that store strings read the same. Values enter only as execution
-- parameters: the account list (the marked placeholder becomes one placeholder per account)
-- and, for month-partitioned tables, the first and last partition month. The partition
-- columns come first so results can be split into per-account, per-month parts.
SELECT
    aws_account_id,
    month,
    CAST(alert_id AS varchar) AS alert_id,
    CAST(source AS varchar) AS source,
    CAST(severity AS varchar) AS severity,
    CAST(resource_id AS varchar) AS resource_id,
    CAST(created_at AS timestamp) AS created_at,
    CAST(closed_at AS timestamp) AS closed_at,
    CAST(outcome AS varchar) AS outcome,
    CAST(incident_case_id AS varchar) AS incident_case_id
FROM alerts
WHERE aws_account_id IN (/* accounts */ ?)
  AND month BETWEEN ? AND ?
