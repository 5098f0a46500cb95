-- Glue table for incidents, partitioned like the local layout, with partition projection so
-- no crawler has to run before a report. Replace the two LOCATION placeholders with your bucket
-- and prefix (the same on both lines).
CREATE EXTERNAL TABLE IF NOT EXISTS incidents (
    `case_id` string,
    `priority` string,
    `severity` string,
    `status` string,
    `yuma_category` string,
    `subject` string,
    `created_at` timestamp,
    `acknowledged_at` timestamp,
    `resolved_at` timestamp,
    `customer_wait_minutes` double,
    `non_incident` boolean,
    `best_effort` boolean,
    `resource_id` string,
    `stack_id` string,
    `root_cause` string,
    `rca_status` string
)
PARTITIONED BY (`aws_account_id` string, `month` string)
STORED AS PARQUET
LOCATION 's3://YOUR-BUCKET/YOUR-PREFIX/incidents/'
TBLPROPERTIES (
    'projection.enabled' = 'true',
    'projection.aws_account_id.type' = 'injected',
    'projection.month.type' = 'date',
    'projection.month.format' = 'yyyy-MM',
    'projection.month.range' = '2000-01,NOW',
    'projection.month.interval' = '1',
    'projection.month.interval.unit' = 'MONTHS',
    'storage.location.template' = 's3://YOUR-BUCKET/YOUR-PREFIX/incidents/aws_account_id=${aws_account_id}/month=${month}/'
);
