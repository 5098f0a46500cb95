-- storage: exactly the data contract's columns (docs/data-contract.md), cast to the contract's
-- types so raw tables that store strings read the same. Values enter only as execution
-- parameters: the account list (the marked placeholder becomes one placeholder per account)
-- and, for month-partitioned tables, the first and last partition month. The partition
-- columns come first so results can be split into per-account, per-month parts.
SELECT
    aws_account_id,
    month,
    CAST(snapshot_date AS date) AS snapshot_date,
    CAST(resource_id AS varchar) AS resource_id,
    CAST(storage_type AS varchar) AS storage_type,
    CAST(provisioned_bytes AS bigint) AS provisioned_bytes,
    CAST(used_bytes AS bigint) AS used_bytes
FROM storage
WHERE aws_account_id IN (/* accounts */ ?)
  AND month BETWEEN ? AND ?
