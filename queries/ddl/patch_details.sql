-- Glue table for patch_details, partitioned like the local layout, with partition projection so
-- no crawler has to run before a report. Replace the two LOCATION placeholders with your bucket
-- and prefix (the same on both lines).
CREATE EXTERNAL TABLE IF NOT EXISTS patch_details (
    `snapshot_date` date,
    `instance_id` string,
    `instance_name` string,
    `instance_state` string,
    `instance_platform_type` string,
    `instance_stack_name` string,
    `instance_patch_group_type` string,
    `mw_covered_flag` boolean,
    `last_execution_window` timestamp,
    `patch_status` string,
    `compliant_total` bigint,
    `noncompliant_critical` bigint,
    `noncompliant_high` bigint,
    `noncompliant_medium` bigint,
    `noncompliant_low` bigint,
    `noncompliant_informational` bigint,
    `noncompliant_unspecified` bigint,
    `noncompliant_total` bigint
)
PARTITIONED BY (`aws_account_id` string, `month` string)
STORED AS PARQUET
LOCATION 's3://YOUR-BUCKET/YOUR-PREFIX/patch_details/'
TBLPROPERTIES (
    'projection.enabled' = 'true',
    'projection.aws_account_id.type' = 'injected',
    'projection.month.type' = 'date',
    'projection.month.format' = 'yyyy-MM',
    'projection.month.range' = '2000-01,NOW',
    'projection.month.interval' = '1',
    'projection.month.interval.unit' = 'MONTHS',
    'storage.location.template' = 's3://YOUR-BUCKET/YOUR-PREFIX/patch_details/aws_account_id=${aws_account_id}/month=${month}/'
);
