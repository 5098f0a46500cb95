-- Glue table over the AMS self-service report behind `missing_patches` (json/patch/windows_missing_patches/), as AMS delivers it
-- into each managed account's bucket ams-reporting-data-a<account id>: JSON lines, every column a
-- string (columns as published for the SSR table amsaggregatorwindowsmissingpatches). Partition projection on the account
-- (injected: name it in the query) and the report day, so no crawler has to run. opsreport
-- queries it when [datasets.<dataset>] names it as `table` (docs/sources.md).
CREATE EXTERNAL TABLE IF NOT EXISTS ssr_missing_patches (
    `dataset_datetime` string,
    `aws_account_id` string,
    `account_name` string,
    `customer_name_parent` string,
    `customer_name` string,
    `prod_account` string,
    `account_status` string,
    `account_type` string,
    `account_sla` string,
    `instance_id` string,
    `instance_name` string,
    `instance_platform_type` string,
    `instance_state` string,
    `patch_id` string,
    `patch_sev` string,
    `patch_class` string,
    `release_dt_utc` string,
    `install_state` string,
    `days_unpatched` string,
    `days_unpatched_bucket` string
)
PARTITIONED BY (`awsaccountid` string, `reportdate` string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES ('ignore.malformed.json' = 'false', 'case.insensitive' = 'true')
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://ams-reporting-data-a000000000000/json/patch/windows_missing_patches/'
TBLPROPERTIES (
    'projection.enabled' = 'true',
    'projection.awsaccountid.type' = 'injected',
    'projection.reportdate.type' = 'date',
    'projection.reportdate.format' = 'yyyy-MM-dd',
    'projection.reportdate.range' = '2020-01-01,NOW',
    'projection.reportdate.interval' = '1',
    'projection.reportdate.interval.unit' = 'DAYS',
    'storage.location.template' = 's3://ams-reporting-data-a${awsaccountid}/json/patch/windows_missing_patches/Date=${reportdate}/'
);
