-- restore_jobs: exactly the data contract's columns (docs/data-contract.md), cast to the contract's
-- types so raw tables that store strings read the same. Values enter only as execution
-- parameters: the account list (the marked placeholder becomes one placeholder per account)
-- and, for month-partitioned tables, the first and last partition month. The partition
-- columns come first so results can be split into per-account, per-month parts.
SELECT
    aws_account_id,
    month,
    CAST(restore_job_id AS varchar) AS restore_job_id,
    CAST(job_status AS varchar) AS job_status,
    CAST(resource_type AS varchar) AS resource_type,
    CAST(creation_date AS timestamp) AS creation_date,
    CAST(completion_date AS timestamp) AS completion_date
FROM restore_jobs
WHERE aws_account_id IN (/* accounts */ ?)
  AND month BETWEEN ? AND ?
