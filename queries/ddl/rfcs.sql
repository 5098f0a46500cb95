-- Glue table for rfcs, partitioned like the local layout, with partition projection so
-- no crawler has to run before a report. Replace the two LOCATION placeholders with your bucket
-- and prefix (the same on both lines).
CREATE EXTERNAL TABLE IF NOT EXISTS rfcs (
    `rfc_id` string,
    `title` string,
    `change_type_id` string,
    `change_type_version` string,
    `status` string,
    `automation_status` string,
    `created_by` string,
    `created_time` timestamp,
    `requested_start_time` timestamp,
    `requested_end_time` timestamp,
    `actual_start_time` timestamp,
    `actual_end_time` timestamp
)
PARTITIONED BY (`aws_account_id` string, `month` string)
STORED AS PARQUET
LOCATION 's3://YOUR-BUCKET/YOUR-PREFIX/rfcs/'
TBLPROPERTIES (
    'projection.enabled' = 'true',
    'projection.aws_account_id.type' = 'injected',
    'projection.month.type' = 'date',
    'projection.month.format' = 'yyyy-MM',
    'projection.month.range' = '2000-01,NOW',
    'projection.month.interval' = '1',
    'projection.month.interval.unit' = 'MONTHS',
    'storage.location.template' = 's3://YOUR-BUCKET/YOUR-PREFIX/rfcs/aws_account_id=${aws_account_id}/month=${month}/'
);
