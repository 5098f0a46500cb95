-- Glue table over the AMS self-service report behind `backup_jobs` (json/backup/daily_backup_report/), as AMS delivers it
-- into each managed account's bucket ams-reporting-data-a<account id>: JSON lines, every column a
-- string (columns as published for the SSR table amsaggregatordailybackup). Partition projection on the account
-- (injected: name it in the query) and the report day, so no crawler has to run. opsreport
-- queries it when [datasets.<dataset>] names it as `table` (docs/sources.md).
CREATE EXTERNAL TABLE IF NOT EXISTS ssr_backup_jobs (
    `dataset_datetime` string,
    `aws_account_id` string,
    `account_name` string,
    `account_sla` string,
    `malz_flag` string,
    `malz_role` string,
    `access_restrictions` string,
    `resource_arn` string,
    `resource_id` string,
    `resource_region` string,
    `resource_type` string,
    `recovery_point_arn` string,
    `recovery_point_id` string,
    `start_by_dt_utc` string,
    `creation_dt_utc` string,
    `completion_dt_utc` string,
    `expiration_dt_utc` string,
    `backup_job_status` string,
    `backup_type` string,
    `backup_job_id` string,
    `backup_size_in_bytes` string,
    `backup_plan_arn` string,
    `backup_plan_id` string,
    `backup_plan_name` string,
    `backup_plan_version` string,
    `backup_rule_id` string,
    `backup_vault_arn` string,
    `backup_vault_name` string,
    `iam_role_arn` string,
    `recovery_point_status` string,
    `recovery_point_delete_after_days` string,
    `recovery_point_move_to_cold_storage_after_days` string,
    `recovery_point_is_encrypted` string,
    `recovery_point_encryption_key_arn` string,
    `volume_state` string,
    `instance_id` string,
    `instance_state` string,
    `stack_id` string,
    `stack_name` string,
    `tag_ams_default_patch_group` string,
    `tag_app_id` string,
    `tag_app_name` string,
    `tag_backup` string,
    `tag_compliance_framework` string,
    `tag_cost_center` string,
    `tag_customer` string,
    `tag_data_classification` string,
    `tag_environment_type` string,
    `tag_hours_of_operation` string,
    `tag_owner_team` string,
    `tag_owner_team_email` string,
    `tag_patch_group` string,
    `tag_support_priority` string
)
PARTITIONED BY (`awsaccountid` string, `reportdate` string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES ('ignore.malformed.json' = 'false', 'case.insensitive' = 'true')
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://ams-reporting-data-a000000000000/json/backup/daily_backup_report/'
TBLPROPERTIES (
    'projection.enabled' = 'true',
    'projection.awsaccountid.type' = 'injected',
    'projection.reportdate.type' = 'date',
    'projection.reportdate.format' = 'yyyy-MM-dd',
    'projection.reportdate.range' = '2020-01-01,NOW',
    'projection.reportdate.interval' = '1',
    'projection.reportdate.interval.unit' = 'DAYS',
    'storage.location.template' = 's3://ams-reporting-data-a${awsaccountid}/json/backup/daily_backup_report/Date=${reportdate}/'
);
