-- Glue table for trusted_advisor, partitioned like the local layout, with partition projection so
-- no crawler has to run before a report. Replace the two LOCATION placeholders with your bucket
-- and prefix (the same on both lines).
CREATE EXTERNAL TABLE IF NOT EXISTS trusted_advisor (
    `snapshot_date` date,
    `check_id` string,
    `check_name` string,
    `check_category` string,
    `status` string,
    `resources_flagged` bigint,
    `resources_ignored` bigint,
    `estimated_monthly_savings` double
)
PARTITIONED BY (`aws_account_id` string, `month` string)
STORED AS PARQUET
LOCATION 's3://YOUR-BUCKET/YOUR-PREFIX/trusted_advisor/'
TBLPROPERTIES (
    'projection.enabled' = 'true',
    'projection.aws_account_id.type' = 'injected',
    'projection.month.type' = 'date',
    'projection.month.format' = 'yyyy-MM',
    'projection.month.range' = '2000-01,NOW',
    'projection.month.interval' = '1',
    'projection.month.interval.unit' = 'MONTHS',
    'storage.location.template' = 's3://YOUR-BUCKET/YOUR-PREFIX/trusted_advisor/aws_account_id=${aws_account_id}/month=${month}/'
);
