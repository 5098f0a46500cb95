-- Glue table over the AMS self-service report behind `patch_details` (json/patch/patch_details/), as AMS delivers it
-- into each managed account's bucket ams-reporting-data-a<account id>: JSON lines, every column a
-- string (columns as published for the SSR table amsaggregatorpatchdetails). Partition projection on the account
-- (injected: name it in the query) and the report day, so no crawler has to run. opsreport
-- queries it when [datasets.<dataset>] names it as `table` (docs/sources.md).
CREATE EXTERNAL TABLE IF NOT EXISTS ssr_patch_details (
    `dataset_datetime` string,
    `aws_account_id` string,
    `account_name` string,
    `instance_id` string,
    `instance_name` string,
    `prod_account` string,
    `account_status` string,
    `account_sla` string,
    `instance_platform_type` string,
    `instance_stack_type` string,
    `instance_state` string,
    `instance_platform_name` string,
    `instance_patch_group_type` string,
    `instance_patch_group` string,
    `window_id` string,
    `window_state` string,
    `window_type` string,
    `window_next_execution_time` string,
    `last_execution_window` string,
    `window_next_exec_yyyy` string,
    `window_next_exec_mm` string,
    `window_next_exec_d` string,
    `window_next_exec_mmdd` string,
    `window_next_exec_hhmi` string,
    `window_duration` string,
    `mw_covered_flag` string,
    `patch_baseline_id` string,
    `patch_status` string,
    `noncompliant_critical` string,
    `noncompliant_high` string,
    `noncompliant_medium` string,
    `noncompliant_low` string,
    `noncompliant_informational` string,
    `noncompliant_unspecified` string,
    `noncompliant_total` string
)
PARTITIONED BY (`awsaccountid` string, `reportdate` string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES ('ignore.malformed.json' = 'false', 'case.insensitive' = 'true')
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://ams-reporting-data-a000000000000/json/patch/patch_details/'
TBLPROPERTIES (
    'projection.enabled' = 'true',
    'projection.awsaccountid.type' = 'injected',
    'projection.reportdate.type' = 'date',
    'projection.reportdate.format' = 'yyyy-MM-dd',
    'projection.reportdate.range' = '2020-01-01,NOW',
    'projection.reportdate.interval' = '1',
    'projection.reportdate.interval.unit' = 'DAYS',
    'storage.location.template' = 's3://ams-reporting-data-a${awsaccountid}/json/patch/patch_details/Date=${reportdate}/'
);
