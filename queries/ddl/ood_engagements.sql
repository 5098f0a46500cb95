-- Glue table for ood_engagements, partitioned like the local layout, with partition projection so
-- no crawler has to run before a report. Replace the two LOCATION placeholders with your bucket
-- and prefix (the same on both lines).
CREATE EXTERNAL TABLE IF NOT EXISTS ood_engagements (
    `engagement_id` string,
    `offering` string,
    `blocks` bigint,
    `basis` string,
    `approved_at` date,
    `start_override` date,
    `ended_at` date,
    `requested_blocks` bigint,
    `modifies` string
)
PARTITIONED BY (`aws_account_id` string)
STORED AS PARQUET
LOCATION 's3://YOUR-BUCKET/YOUR-PREFIX/ood_engagements/'
TBLPROPERTIES (
    'projection.enabled' = 'true',
    'projection.aws_account_id.type' = 'injected',
    'storage.location.template' = 's3://YOUR-BUCKET/YOUR-PREFIX/ood_engagements/aws_account_id=${aws_account_id}/'
);
