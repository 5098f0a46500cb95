-- Glue table for backup_jobs, partitioned like the local layout, with partition projection so
-- no crawler has to run before a report. Replace the two LOCATION placeholders with your bucket
-- and prefix (the same on both lines).
CREATE EXTERNAL TABLE IF NOT EXISTS backup_jobs (
    `dataset_datetime` timestamp,
    `backup_job_id` string,
    `backup_job_status` string,
    `backup_type` string,
    `start_by_dt_utc` timestamp,
    `creation_dt_utc` timestamp,
    `completion_dt_utc` timestamp,
    `backup_size_in_bytes` bigint,
    `backup_plan_name` string,
    `backup_vault_name` string,
    `resource_id` string,
    `resource_type` string,
    `stack_id` string,
    `status_message` string,
    `recovery_point_is_encrypted` boolean
)
PARTITIONED BY (`aws_account_id` string, `month` string)
STORED AS PARQUET
LOCATION 's3://YOUR-BUCKET/YOUR-PREFIX/backup_jobs/'
TBLPROPERTIES (
    'projection.enabled' = 'true',
    'projection.aws_account_id.type' = 'injected',
    'projection.month.type' = 'date',
    'projection.month.format' = 'yyyy-MM',
    'projection.month.range' = '2000-01,NOW',
    'projection.month.interval' = '1',
    'projection.month.interval.unit' = 'MONTHS',
    'storage.location.template' = 's3://YOUR-BUCKET/YOUR-PREFIX/backup_jobs/aws_account_id=${aws_account_id}/month=${month}/'
);
