-- Glue table for storage, partitioned like the local layout, with partition projection so
-- no crawler has to run before a report. Replace the two LOCATION placeholders with your bucket
-- and prefix (the same on both lines).
CREATE EXTERNAL TABLE IF NOT EXISTS storage (
    `snapshot_date` date,
    `resource_id` string,
    `storage_type` string,
    `provisioned_bytes` bigint,
    `used_bytes` bigint
)
PARTITIONED BY (`aws_account_id` string, `month` string)
STORED AS PARQUET
LOCATION 's3://YOUR-BUCKET/YOUR-PREFIX/storage/'
TBLPROPERTIES (
    'projection.enabled' = 'true',
    'projection.aws_account_id.type' = 'injected',
    'projection.month.type' = 'date',
    'projection.month.format' = 'yyyy-MM',
    'projection.month.range' = '2000-01,NOW',
    'projection.month.interval' = '1',
    'projection.month.interval.unit' = 'MONTHS',
    'storage.location.template' = 's3://YOUR-BUCKET/YOUR-PREFIX/storage/aws_account_id=${aws_account_id}/month=${month}/'
);
