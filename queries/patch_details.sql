-- patch_details: exactly the data contract's columns (docs/data-contract.md), cast to the contract's
-- types so raw tables that store strings read the same. Values enter only as execution
-- parameters: the account list (the marked placeholder becomes one placeholder per account)
-- and, for month-partitioned tables, the first and last partition month. The partition
-- columns come first so results can be split into per-account, per-month parts.
SELECT
    aws_account_id,
    month,
    CAST(snapshot_date AS date) AS snapshot_date,
    CAST(instance_id AS varchar) AS instance_id,
    CAST(instance_name AS varchar) AS instance_name,
    CAST(instance_state AS varchar) AS instance_state,
    CAST(instance_platform_type AS varchar) AS instance_platform_type,
    CAST(instance_stack_name AS varchar) AS instance_stack_name,
    CAST(instance_patch_group_type AS varchar) AS instance_patch_group_type,
    CAST(mw_covered_flag AS boolean) AS mw_covered_flag,
    CAST(last_execution_window AS timestamp) AS last_execution_window,
    CAST(patch_status AS varchar) AS patch_status,
    CAST(compliant_total AS bigint) AS compliant_total,
    CAST(noncompliant_critical AS bigint) AS noncompliant_critical,
    CAST(noncompliant_high AS bigint) AS noncompliant_high,
    CAST(noncompliant_medium AS bigint) AS noncompliant_medium,
    CAST(noncompliant_low AS bigint) AS noncompliant_low,
    CAST(noncompliant_informational AS bigint) AS noncompliant_informational,
    CAST(noncompliant_unspecified AS bigint) AS noncompliant_unspecified,
    CAST(noncompliant_total AS bigint) AS noncompliant_total
FROM patch_details
WHERE aws_account_id IN (/* accounts */ ?)
  AND month BETWEEN ? AND ?
