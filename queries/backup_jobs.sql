-- backup_jobs: exactly the data contract's columns (docs/data-contract.md), cast to the contract's
-- types so raw tables that store strings read the same. Values enter only as execution
-- parameters: the account list (the marked placeholder becomes one placeholder per account)
-- and, for month-partitioned tables, the first and last partition month. The partition
-- columns come first so results can be split into per-account, per-month parts.
SELECT
    aws_account_id,
    month,
    CAST(dataset_datetime AS timestamp) AS dataset_datetime,
    CAST(backup_job_id AS varchar) AS backup_job_id,
    CAST(backup_job_status AS varchar) AS backup_job_status,
    CAST(backup_type AS varchar) AS backup_type,
    CAST(start_by_dt_utc AS timestamp) AS start_by_dt_utc,
    CAST(creation_dt_utc AS timestamp) AS creation_dt_utc,
    CAST(completion_dt_utc AS timestamp) AS completion_dt_utc,
    CAST(backup_size_in_bytes AS bigint) AS backup_size_in_bytes,
    CAST(backup_plan_name AS varchar) AS backup_plan_name,
    CAST(backup_vault_name AS varchar) AS backup_vault_name,
    CAST(resource_id AS varchar) AS resource_id,
    CAST(resource_type AS varchar) AS resource_type,
    CAST(stack_id AS varchar) AS stack_id,
    CAST(status_message AS varchar) AS status_message,
    CAST(recovery_point_is_encrypted AS boolean) AS recovery_point_is_encrypted
FROM backup_jobs
WHERE aws_account_id IN (/* accounts */ ?)
  AND month BETWEEN ? AND ?
