-- Glue table for restore_jobs, partitioned like the local layout, with partition projection so
-- no crawler has to run before a report. Replace the two LOCATION placeholders with your bucket
-- and prefix (the same on both lines).
CREATE EXTERNAL TABLE IF NOT EXISTS restore_jobs (
    `restore_job_id` string,
    `job_status` string,
    `resource_type` string,
    `creation_date` timestamp,
    `completion_date` timestamp
)
PARTITIONED BY (`aws_account_id` string, `month` string)
STORED AS PARQUET
LOCATION 's3://YOUR-BUCKET/YOUR-PREFIX/restore_jobs/'
TBLPROPERTIES (
    'projection.enabled' = 'true',
    'projection.aws_account_id.type' = 'injected',
    'projection.month.type' = 'date',
    'projection.month.format' = 'yyyy-MM',
    'projection.month.range' = '2000-01,NOW',
    'projection.month.interval' = '1',
    'projection.month.interval.unit' = 'MONTHS',
    'storage.location.template' = 's3://YOUR-BUCKET/YOUR-PREFIX/restore_jobs/aws_account_id=${aws_account_id}/month=${month}/'
);
