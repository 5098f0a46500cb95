-- missing_patches: exactly the data contract's columns (docs/data-contract.md), cast to the contract's
-- types so raw tables that store strings read the same. Values enter only as execution
-- parameters: the account list (the marked placeholder becomes one placeholder per account)
-- and, for month-partitioned tables, the first and last partition month. The partition
-- columns come first so results can be split into per-account, per-month parts.
SELECT
    aws_account_id,
    month,
    CAST(snapshot_date AS date) AS snapshot_date,
    CAST(instance_id AS varchar) AS instance_id,
    CAST(patch_id AS varchar) AS patch_id,
    CAST(patch_sev AS varchar) AS patch_sev,
    CAST(patch_class AS varchar) AS patch_class,
    CAST(release_dt_utc AS timestamp) AS release_dt_utc,
    CAST(days_unpatched AS bigint) AS days_unpatched
FROM missing_patches
WHERE aws_account_id IN (/* accounts */ ?)
  AND month BETWEEN ? AND ?
