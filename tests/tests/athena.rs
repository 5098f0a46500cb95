//! The Athena source against a real Athena and S3 API on loopback: a `moto_server` started by
//! the test on a free port. moto runs no SQL, so each test plays Athena's part with the
//! committed fixtures: for `UNLOAD` it puts the Parquet objects the query would write under
//! the run's prefix; for paging it queues the result sets the queries would return
//! (`/moto-api/static/athena/query-results`, handed out in the order queries start). The same
//! contract checks then run against both backends: the Athena source must give the frames,
//! data-quality counts and `metrics.json` of the local source — one contract, two backends.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate};
use opsreport_extract::athena::{AthenaSource, Clients};
use opsreport_extract::source::Dataset;
use opsreport_extract::{AthenaOptions, LocalSource, Source};
use opsreport_model::config::AthenaSettings;
use opsreport_model::contract::ColumnType;
use opsreport_model::period::parse_time_zone;
use opsreport_model::{AccountId, DatasetName, ReportPeriod, YearMonth};
use opsreport_tests::moto::Moto;
use opsreport_tests::{opsreport_with_env, repo_root};
use polars::prelude::*;
use serde_json::{Value, json};

const MONTH: &str = "2026-10";

fn fixtures() -> LocalSource {
    LocalSource::new(repo_root().join("fixtures/synthetic")).unwrap()
}

fn period() -> ReportPeriod {
    // Berlin: the month starts at 22:00 UTC the day before, so timestamp-partitioned datasets
    // read one more UTC partition than date-partitioned ones.
    ReportPeriod::new(YearMonth::parse(MONTH).unwrap(), parse_time_zone("Europe/Berlin").unwrap())
}

fn sdk_clients(moto: &Moto) -> Clients {
    let credentials = aws_sdk_athena::config::Credentials::new("testing", "testing", None, None, "moto");
    let athena = aws_sdk_athena::Config::builder()
        .behavior_version(aws_sdk_athena::config::BehaviorVersion::latest())
        .region(aws_sdk_athena::config::Region::new("us-east-1"))
        .endpoint_url(moto.endpoint())
        .credentials_provider(credentials.clone())
        .build();
    let s3 = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .endpoint_url(moto.endpoint())
        .credentials_provider(credentials)
        .force_path_style(true)
        .build();
    Clients { athena: aws_sdk_athena::Client::from_conf(athena), s3: aws_sdk_s3::Client::from_conf(s3) }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

/// What Athena's query of `dataset` returns for `accounts`: the rows of the partitions a report
/// reads, with `aws_account_id` and `month` first, as `queries/<dataset>.sql` selects them.
fn fleet_result(local: &LocalSource, dataset: DatasetName, accounts: &[AccountId], period: &ReportPeriod) -> DataFrame {
    let spec = dataset.spec();
    let mut frames = Vec::new();
    for account in accounts {
        for (file, month) in local.plan(dataset, account, period).unwrap().files {
            let bytes = std::fs::read(&file).unwrap();
            let sources = ScanSources::Buffers(Arc::from(vec![bytes.into()]));
            let arguments = ScanArgsParquet { hive_options: HiveOptions::new_disabled(), ..ScanArgsParquet::default() };
            let frame = LazyFrame::scan_parquet_sources(sources, arguments).unwrap();
            let schema = frame.clone().collect_schema().unwrap();
            let mut columns = vec![lit(account.as_str()).alias("aws_account_id")];
            if let Some(month) = month {
                columns.push(lit(month.to_string()).alias("month"));
            }
            for column in spec.columns {
                let target = opsreport_extract::validate::polars_type(column.column_type);
                columns.push(match schema.get(column.name) {
                    Some(_) => col(column.name).cast(target),
                    None => lit(NULL).cast(target).alias(column.name),
                });
            }
            frames.push(frame.select(columns).collect().unwrap());
        }
    }
    let mut all = frames.into_iter().reduce(|mut all, frame| {
        all.vstack_mut_owned(frame).unwrap();
        all
    });
    all.take().unwrap_or_default()
}

fn parquet_bytes(frame: &mut DataFrame) -> Vec<u8> {
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes).finish(frame).unwrap();
    bytes
}

/// Sorted by every column, so frames from sources with different row orders compare.
fn sorted(frame: &DataFrame) -> DataFrame {
    let names: Vec<PlSmallStr> = frame.get_column_names().into_iter().cloned().collect();
    frame.clone().lazy().sort(names, SortMultipleOptions::default()).collect().unwrap()
}

fn assert_same_dataset(account: &AccountId, athena: &Dataset, local: &Dataset) {
    let dataset = athena.name;
    let mut athena_quality = athena.quality.clone();
    let mut local_quality = local.quality.clone();
    assert_eq!(athena_quality.files_read.len(), athena_quality.months_read.len().max(athena_quality.files_read.len().min(1)));
    for quality in [&mut athena_quality, &mut local_quality] {
        quality.files_read.clear();
        quality.missing_reason = None;
    }
    assert_eq!(athena_quality, local_quality, "{account} {dataset}: data quality differs");
    match (&athena.frame, &local.frame) {
        (None, None) => {}
        (Some(athena), Some(local)) => {
            assert!(sorted(athena).equals_missing(&sorted(local)), "{account} {dataset}: rows differ\n{athena}\n{local}");
        }
        _ => panic!("{account} {dataset}: present in one source only"),
    }
}

fn json_body(response: (u16, Vec<u8>)) -> Value {
    assert_eq!(response.0, 200, "{}", String::from_utf8_lossy(&response.1));
    serde_json::from_slice(&response.1).unwrap()
}

fn query_execution_ids(moto: &Moto) -> Vec<String> {
    let listed = json_body(moto.athena("ListQueryExecutions", "{}"));
    listed["QueryExecutionIds"].as_array().unwrap().iter().map(|id| id.as_str().unwrap().to_owned()).collect()
}

#[test]
fn unload_results_match_the_local_source_with_one_query_per_dataset() {
    let moto = Moto::start();
    assert_eq!(moto.http("PUT", "/results").0, 200, "create the results bucket");
    let local = fixtures();
    let accounts = local.all_accounts().unwrap();
    assert_eq!(accounts.len(), 2);
    let period = period();
    for dataset in DatasetName::ALL {
        // Athena writes a result as several objects, rows in no particular order.
        let result = fleet_result(&local, dataset, &accounts, &period).reverse();
        let half = result.height() / 2;
        for (index, mut part) in
            [result.slice(0, half), result.slice(half as i64, result.height() - half)].into_iter().enumerate()
        {
            let key = format!("/results/athena/opsreport-unload/test-run/batch-00000/{dataset}/2026_{index:05}_part");
            assert_eq!(moto.http_with_body("PUT", &key, "application/octet-stream", &parquet_bytes(&mut part)).0, 200);
        }
    }
    // Each query passes through QUEUED and RUNNING before it succeeds: the source must poll.
    let transition = json!({ "model_name": "athena::execution", "transition": { "progression": "manual", "times": 2 } });
    let set = moto.http_with_body(
        "POST",
        "/moto-api/state-manager/set-transition",
        "application/json",
        transition.to_string().as_bytes(),
    );
    assert!(set.0 < 300, "{}", String::from_utf8_lossy(&set.1));
    let settings = AthenaSettings { output_location: Some("s3://results/athena/".into()), ..AthenaSettings::default() };
    let options = AthenaOptions::from_settings(&settings, "test-run").unwrap();
    let source = AthenaSource::new(runtime(), sdk_clients(&moto), options);
    source.prefetch(&accounts, &period).unwrap();
    for account in &accounts {
        let athena = source.load_account(account, &period).unwrap();
        let expected = local.load_account(account, &period).unwrap();
        for dataset in DatasetName::ALL {
            assert_same_dataset(account, athena.dataset(dataset), expected.dataset(dataset));
        }
        assert_eq!(athena.notes, None, "no data_location: no notes");
    }

    // One query per dataset for the whole fleet, each an UNLOAD whose values are parameters.
    let ids = query_execution_ids(&moto);
    assert_eq!(ids.len(), DatasetName::ALL.len());
    assert_eq!(source.queries().len(), DatasetName::ALL.len());
    for id in &ids {
        let execution = json_body(moto.athena("GetQueryExecution", &json!({ "QueryExecutionId": id }).to_string()));
        let execution = &execution["QueryExecution"];
        let sql = execution["Query"].as_str().unwrap();
        assert!(sql.starts_with("UNLOAD (\n"), "{sql}");
        assert!(sql.contains("TO 's3://results/athena/opsreport-unload/test-run/"), "{sql}");
        assert!(sql.contains("aws_account_id IN (?, ?)") && !sql.contains("043735371057"), "{sql}");
        let parameters = execution["ExecutionParameters"].as_array().unwrap();
        assert_eq!(parameters[0], "'043735371057'");
        assert_eq!(parameters[1], "'643641044933'");
        assert_eq!(execution["WorkGroup"], "primary");
        assert_eq!(execution["QueryExecutionContext"]["Database"], "opsreport");
    }

    // The run's UNLOAD objects are removed once read.
    let (status, listing) = moto.http("GET", "/results?list-type=2&prefix=athena/opsreport-unload/");
    assert_eq!(status, 200);
    assert!(!String::from_utf8_lossy(&listing).contains("<Key>"), "{}", String::from_utf8_lossy(&listing));
}

/// Athena's text for each value of a column, as `GetQueryResults` prints it.
fn athena_texts(frame: &DataFrame, name: &str, column_type: ColumnType) -> Vec<Value> {
    let column = frame.column(name).unwrap();
    let text: Vec<Option<String>> = match column_type {
        ColumnType::Timestamp => column
            .cast(&DataType::Int64)
            .unwrap()
            .i64()
            .unwrap()
            .iter()
            .map(|micros| {
                micros.map(|micros| DateTime::from_timestamp_micros(micros).unwrap().format("%Y-%m-%d %H:%M:%S%.3f").to_string())
            })
            .collect(),
        ColumnType::Date => column
            .cast(&DataType::Int32)
            .unwrap()
            .i32()
            .unwrap()
            .iter()
            .map(|days| {
                days.map(|days| {
                    (NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::Days::new(days as u64)).format("%Y-%m-%d").to_string()
                })
            })
            .collect(),
        ColumnType::Int64 => column.i64().unwrap().iter().map(|value| value.map(|value| value.to_string())).collect(),
        ColumnType::Double => column.f64().unwrap().iter().map(|value| value.map(|value| format!("{value:E}"))).collect(),
        ColumnType::Boolean => column.bool().unwrap().iter().map(|value| value.map(|value| value.to_string())).collect(),
        ColumnType::String => column.str().unwrap().iter().map(|value| value.map(str::to_owned)).collect(),
    };
    text.into_iter().map(|value| value.map(|value| json!({ "VarCharValue": value })).unwrap_or_else(|| json!({}))).collect()
}

/// The result set `GetQueryResults` returns for a dataset: header row first, then every row.
fn canned_result(frame: &DataFrame, dataset: DatasetName) -> Value {
    let spec = dataset.spec();
    let mut columns: Vec<(&str, ColumnType, &str)> = vec![("aws_account_id", ColumnType::String, "varchar")];
    if spec.partition_column.is_some() {
        columns.push(("month", ColumnType::String, "varchar"));
    }
    for column in spec.columns {
        let athena_type = match column.column_type {
            ColumnType::String => "varchar",
            ColumnType::Timestamp => "timestamp",
            ColumnType::Date => "date",
            ColumnType::Int64 => "bigint",
            ColumnType::Double => "double",
            ColumnType::Boolean => "boolean",
        };
        columns.push((column.name, column.column_type, athena_type));
    }
    let texts: Vec<Vec<Value>> = columns.iter().map(|(name, kind, _)| athena_texts(frame, name, *kind)).collect();
    let mut rows =
        vec![json!({ "Data": columns.iter().map(|(name, _, _)| json!({ "VarCharValue": name })).collect::<Vec<_>>() })];
    for row in 0..frame.height() {
        rows.push(json!({ "Data": texts.iter().map(|column| column[row].clone()).collect::<Vec<_>>() }));
    }
    let column_info: Vec<Value> = columns
        .iter()
        .map(|(name, _, athena_type)| json!({ "Name": name, "Type": athena_type, "Nullable": "NULLABLE" }))
        .collect();
    json!({ "rows": rows, "column_info": column_info })
}

fn upload_tree(moto: &Moto, root: &Path, bucket_prefix: &str) {
    for (relative, bytes) in opsreport_tests::tree_bytes(root) {
        let path = format!("{bucket_prefix}/{relative}");
        assert_eq!(moto.http_with_body("PUT", &path, "application/octet-stream", &bytes).0, 200, "{path}");
    }
}

/// The same fleet's reports from the local source, with the same configuration, into `out`.
fn local_reports(fixtures_root: &Path, config_text: &str, out: &Path) {
    let (source, out) = (fixtures_root.display().to_string(), out.display().to_string());
    let run = opsreport_with_env(
        &repo_root(),
        &["generate", "--source", &source, "--all-accounts", "--month", MONTH, "--out", &out],
        &[("OPSREPORT_CONFIG", config_text)],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// `metrics.json` without what names where the data came from.
fn comparable_metrics(path: &Path) -> Value {
    let mut metrics: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    metrics.as_object_mut().unwrap().remove("input_fingerprint");
    strip_source_names(&mut metrics);
    metrics
}

fn strip_source_names(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("files_read");
            map.remove("missing_reason");
            map.values_mut().for_each(strip_source_names);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_source_names),
        _ => {}
    }
}

fn pdf_text(pdf: &Path) -> String {
    let output = std::process::Command::new("pdftotext")
        .args(["-layout", pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (Debian's poppler-utils; .ci/run installs it)");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The path and values of the first place two JSON documents differ.
fn first_difference(left: &Value, right: &Value, path: &str) -> Option<String> {
    match (left, right) {
        (Value::Object(left_map), Value::Object(right_map)) => {
            let keys: std::collections::BTreeSet<&String> = left_map.keys().chain(right_map.keys()).collect();
            keys.into_iter().find_map(|key| {
                first_difference(
                    left_map.get(key).unwrap_or(&Value::Null),
                    right_map.get(key).unwrap_or(&Value::Null),
                    &format!("{path}.{key}"),
                )
            })
        }
        (Value::Array(left_items), Value::Array(right_items)) if left_items.len() == right_items.len() => left_items
            .iter()
            .zip(right_items)
            .enumerate()
            .find_map(|(index, (left, right))| first_difference(left, right, &format!("{path}[{index}]"))),
        _ if left == right => None,
        _ => Some(format!("{path}: {left} vs {right}")),
    }
}

#[test]
fn a_paged_fleet_run_writes_the_reports_of_the_local_source() {
    let moto = Moto::start();
    for bucket in ["/results", "/data"] {
        assert_eq!(moto.http("PUT", bucket).0, 200);
    }
    // The dataset layout in S3: --all-accounts lists it, notes are read from it.
    let fixtures_root = repo_root().join("fixtures/synthetic");
    upload_tree(&moto, &fixtures_root, "/data/datasets");
    let local = fixtures();
    let accounts = local.all_accounts().unwrap();
    let period = period();
    // Batches of one account (`batch_accounts = 1`): one query per dataset and batch, the
    // results queued batch by batch in the order the queries start.
    let results: Vec<Value> = accounts
        .iter()
        .flat_map(|account| {
            DatasetName::ALL
                .into_iter()
                .map(|dataset| canned_result(&fleet_result(&local, dataset, std::slice::from_ref(account), &period), dataset))
        })
        .collect();
    let queued = moto.http_with_body(
        "POST",
        "/moto-api/static/athena/query-results",
        "application/json",
        json!({ "results": results }).to_string().as_bytes(),
    );
    assert_eq!(queued.0, 201, "{}", String::from_utf8_lossy(&queued.1));

    let work = tempfile::tempdir().unwrap();
    // One query at a time: moto hands queued results to queries in the order they start.
    let config = work.path().join("opsreport.toml");
    std::fs::write(
        &config,
        "timezone = \"Europe/Berlin\"\n[athena]\nresult_mode = \"paging\"\nconcurrency = 1\nbatch_accounts = 1\noutput_location = \"s3://results/athena\"\ndata_location = \"s3://data/datasets/\"\n",
    )
    .unwrap();
    let environment = moto.environment();
    let mut pairs: Vec<(&str, &str)> = environment.iter().map(|(key, value)| (*key, value.as_str())).collect();
    let config_text = config.display().to_string();
    pairs.push(("OPSREPORT_CONFIG", &config_text));
    let athena_out = work.path().join("athena");
    let local_out = work.path().join("local");
    let athena_out_text = athena_out.display().to_string();
    let run = opsreport_with_env(
        &repo_root(),
        &["generate", "--source", "athena", "--all-accounts", "--month", MONTH, "--out", &athena_out_text],
        &pairs,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr.matches("read 1 account from Athena database opsreport").count(), 2, "{}", run.stderr);
    assert_eq!(query_execution_ids(&moto).len(), 2 * DatasetName::ALL.len(), "one query per dataset and batch of one");

    local_reports(&fixtures_root, &config_text, &local_out);
    for account in &accounts {
        let folder = format!("{account}/{MONTH}");
        let athena_metrics = comparable_metrics(&athena_out.join(&folder).join("metrics.json"));
        let local_metrics = comparable_metrics(&local_out.join(&folder).join("metrics.json"));
        assert_eq!(first_difference(&athena_metrics, &local_metrics, "$"), None, "{account}: metrics.json differs");
        // The PDFs say the same, notes and profile included (read from S3), except where the data
        // came from.
        let athena_text = pdf_text(&athena_out.join(&folder).join("report.pdf"));
        let local_text = pdf_text(&local_out.join(&folder).join("report.pdf"));
        let notes: toml::Value =
            toml::from_str(&std::fs::read_to_string(fixtures_root.join(format!("notes/{account}/profile.toml"))).unwrap())
                .unwrap();
        assert!(athena_text.contains(notes["customer_name"].as_str().unwrap()), "{account}: the profile is missing from the PDF");
        assert!(athena_text.contains("Approve the Multi-AZ change window"), "{account}: the carried action item is missing");
        let comparable = |text: &str| -> Vec<String> {
            text.lines()
                .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|line| !line.starts_with("Input fingerprint"))
                .collect()
        };
        let (athena_lines, local_lines) = (comparable(&athena_text), comparable(&local_text));
        let differing: Vec<(&String, &String)> =
            athena_lines.iter().zip(&local_lines).filter(|(athena, local)| athena != local).collect();
        assert!(differing.is_empty() && athena_lines.len() == local_lines.len(), "{account}: PDF text differs: {differing:#?}");
        let tables = |root: &Path| opsreport_tests::tree_bytes(&root.join(&folder).join("tables"));
        assert_eq!(tables(&athena_out), tables(&local_out), "{account}: detail tables differ");
        assert!(athena_out.join(&folder).join("manifest.json").exists());
    }
}

#[test]
fn athena_settings_errors_name_the_key_and_exit_2() {
    let work = tempfile::tempdir().unwrap();
    let run = opsreport_with_env(
        work.path(),
        &["generate", "--source", "athena", "--account", "043735371057", "--month", MONTH],
        &[("AWS_EC2_METADATA_DISABLED", "true")],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("OPSREPORT_ATHENA_OUTPUT_LOCATION"), "{}", run.stderr);
    let run = opsreport_with_env(
        work.path(),
        &["generate", "--source", "athena", "--all-accounts", "--month", MONTH],
        &[("OPSREPORT_ATHENA_OUTPUT_LOCATION", "s3://results/x"), ("AWS_EC2_METADATA_DISABLED", "true")],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("OPSREPORT_ATHENA_DATA_LOCATION"), "{}", run.stderr);
    let run = opsreport_with_env(
        work.path(),
        &["generate", "--source", "athena", "--month", MONTH],
        &[("OPSREPORT_ATHENA_OUTPUT_LOCATION", "s3://results/x"), ("AWS_EC2_METADATA_DISABLED", "true")],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--account"), "{}", run.stderr);
    assert!(!work.path().join("out").exists(), "nothing written");
}

#[test]
fn a_missing_data_bucket_fails_with_exit_3() {
    let moto = Moto::start();
    let environment = moto.environment();
    let mut pairs: Vec<(&str, &str)> = environment.iter().map(|(key, value)| (*key, value.as_str())).collect();
    pairs.push(("OPSREPORT_ATHENA_OUTPUT_LOCATION", "s3://results/x"));
    pairs.push(("OPSREPORT_ATHENA_DATA_LOCATION", "s3://no-such-bucket/datasets"));
    let work = tempfile::tempdir().unwrap();
    let run = opsreport_with_env(work.path(), &["generate", "--source", "athena", "--all-accounts", "--month", MONTH], &pairs);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("s3://no-such-bucket/datasets/"), "{}", run.stderr);
    assert!(!work.path().join("out").exists(), "nothing written");
}

/// Runs `generate --source athena --account <first fixture account>` in paging mode through
/// `endpoint` (moto, or a fault proxy in front of it), with `extra` settings.
fn run_one_account(moto: &Moto, endpoint: &str, work: &Path, extra: &str) -> opsreport_tests::Run {
    let config = work.join("opsreport.toml");
    std::fs::write(
        &config,
        format!("timezone = \"Europe/Berlin\"\n[athena]\nresult_mode = \"paging\"\nconcurrency = 1\noutput_location = \"s3://results/athena\"\n{extra}"),
    )
    .unwrap();
    let mut environment = moto.environment();
    environment.retain(|(key, _)| *key != "AWS_ENDPOINT_URL");
    environment.push(("AWS_ENDPOINT_URL", endpoint.to_owned()));
    environment.push(("OPSREPORT_CONFIG", config.display().to_string()));
    let pairs: Vec<(&str, &str)> = environment.iter().map(|(key, value)| (*key, value.as_str())).collect();
    let account = fixtures().all_accounts().unwrap()[0].to_string();
    opsreport_with_env(work, &["generate", "--source", "athena", "--account", &account, "--month", MONTH, "--out", "out"], &pairs)
}

/// Athena's answer to `GetQueryExecution`, rewritten by the fault proxy.
fn query_state(request: &opsreport_tests::fault_proxy::Request, state: &str) -> Option<(u16, &'static str, String)> {
    if request.header("x-amz-target") != Some("AmazonAthena.GetQueryExecution") {
        return None;
    }
    let id = serde_json::from_slice::<Value>(&request.body).ok()?["QueryExecutionId"].as_str()?.to_owned();
    let status = json!({"State": state, "StateChangeReason": "injected: HIVE_BAD_DATA in a partition"});
    let body = json!({"QueryExecution": {"QueryExecutionId": id, "Status": status, "Statistics": {}}});
    Some((200, "application/x-amz-json-1.1", body.to_string()))
}

#[test]
fn a_failed_query_or_a_passed_deadline_exits_3_with_nothing_written_and_a_rerun_completes() {
    use opsreport_tests::fault_proxy::FaultProxy;
    let moto = Moto::start();
    assert_eq!(moto.http("PUT", "/results").0, 200);
    let work = tempfile::tempdir().unwrap();

    let failing = FaultProxy::start(moto.port, Box::new(|request| query_state(request, "FAILED")));
    let run = run_one_account(&moto, &failing.endpoint(), work.path(), "");
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("ended FAILED") && run.stderr.contains("HIVE_BAD_DATA"), "{}", run.stderr);
    assert!(run.stderr.contains("then re-run"), "{}", run.stderr);
    assert!(!work.path().join("out").exists(), "nothing is written when a query fails");

    let stuck = FaultProxy::start(moto.port, Box::new(|request| query_state(request, "RUNNING")));
    let run = run_one_account(&moto, &stuck.endpoint(), work.path(), "deadline_seconds = 2\n");
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("did not finish within the run deadline of 2 s"), "{}", run.stderr);
    assert!(!work.path().join("out").exists(), "nothing is written when the deadline passes");

    // The same run without faults completes (moto hands a queued result to each query).
    let local = fixtures();
    let account = local.all_accounts().unwrap()[0].clone();
    let results: Vec<Value> = DatasetName::ALL
        .into_iter()
        .map(|dataset| canned_result(&fleet_result(&local, dataset, std::slice::from_ref(&account), &period()), dataset))
        .collect();
    let body = json!({ "results": results }).to_string();
    let queued = moto.http_with_body("POST", "/moto-api/static/athena/query-results", "application/json", body.as_bytes());
    assert_eq!(queued.0, 201);
    let run = run_one_account(&moto, &moto.endpoint(), work.path(), "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(work.path().join(format!("out/{account}/{MONTH}/manifest.json")).exists());
}

/// What `SELECT * FROM ssr_patch_details` returns: the JSON fields and the partitions, in
/// reverse order.
fn ssr_table_rows(ssr_folder: &Path, account: &AccountId) -> DataFrame {
    use opsreport_extract::formats::{LINE_COLUMN, decode_for};
    use opsreport_model::sources::{DatasetSource, SourceFormat};
    let mut rows: Option<DataFrame> = None;
    let mut days: Vec<_> = std::fs::read_dir(ssr_folder).unwrap().map(|entry| entry.unwrap().path()).collect();
    days.sort();
    for day in days {
        let date = day.file_name().unwrap().to_string_lossy().trim_start_matches("Date=").to_owned();
        for file in std::fs::read_dir(&day).unwrap() {
            let path = file.unwrap().path();
            let ssr = DatasetSource { format: SourceFormat::AmsSsr, ..DatasetSource::default() };
            let mut frame = decode_for(&ssr, DatasetName::PatchDetails, "x", &std::fs::read(&path).unwrap()).unwrap();
            frame = frame.drop(LINE_COLUMN).unwrap();
            let height = frame.height();
            frame.with_column(Column::new("awsaccountid".into(), vec![account.to_string(); height])).unwrap();
            frame.with_column(Column::new("reportdate".into(), vec![date.clone(); height])).unwrap();
            match rows.as_mut() {
                None => rows = Some(frame),
                Some(all) => {
                    all.vstack_mut_owned(frame).unwrap();
                }
            }
        }
    }
    rows.unwrap().reverse()
}

/// What the CUR query returns: the line items of every file of the period (the export splits
/// it over several), with their billing period, in reverse order.
fn cur_table_rows(example: &Path) -> DataFrame {
    let mut cur_files: Vec<_> =
        std::fs::read_dir(example.join("cur2/billing_period=2026-10")).unwrap().map(|entry| entry.unwrap().path()).collect();
    cur_files.sort();
    assert!(cur_files.len() >= 3, "the committed CUR period is split over several files");
    let mut cur_rows: Option<DataFrame> = None;
    for file in cur_files {
        let frame = ParquetReader::new(std::fs::File::open(file).unwrap()).finish().unwrap();
        match cur_rows.as_mut() {
            None => cur_rows = Some(frame),
            Some(all) => {
                all.vstack_mut_owned(frame).unwrap();
            }
        }
    }
    let mut cur_rows = cur_rows.unwrap();
    let height = cur_rows.height();
    cur_rows.with_column(Column::new("billing_period".into(), vec!["2026-10"; height])).unwrap();
    cur_rows.reverse()
}

/// A real export's own table through Athena (`[datasets.*] table`): moto plays the raw query's
/// `UNLOAD` with the SSR files' rows (every value a string, with the table's `awsaccountid` and
/// `reportdate` partitions) and the CUR line items, in reverse order; the one mapping per format
/// must give what reading the files gives.
#[test]
fn real_format_tables_through_athena_give_what_their_files_give() {
    use opsreport_extract::ConfiguredSource;
    use opsreport_extract::objects::exports::Reader as Store;
    use opsreport_model::sources::{DatasetSource, SourceFormat};

    let moto = Moto::start();
    assert_eq!(moto.http("PUT", "/results").0, 200, "create the results bucket");
    let example = repo_root().join("fixtures/real-formats");
    let account = AccountId::parse("043735371057").unwrap();
    let period = ReportPeriod::new(YearMonth::parse(MONTH).unwrap(), parse_time_zone("UTC").unwrap());
    let ssr_folder = example.join(format!("ssr/ams-reporting-data-a{account}/json/patch/patch_details"));
    let ssr_rows = ssr_table_rows(&ssr_folder, &account);
    let cur_rows = cur_table_rows(&example);
    let height = cur_rows.height();
    let half = (height / 2) as i64;
    let mut parts = vec![
        (DatasetName::PatchDetails, "2026_00000_part", ssr_rows),
        (DatasetName::Billing, "2026_00000_part", cur_rows.slice(0, half as usize)),
        (DatasetName::Billing, "2026_00001_part", cur_rows.slice(half, height)),
    ];
    for (dataset, name, frame) in &mut parts {
        let key = format!("/results/athena/opsreport-unload/raw-run/batch-00000/{dataset}/{name}");
        assert_eq!(moto.http_with_body("PUT", &key, "application/octet-stream", &parquet_bytes(frame)).0, 200);
    }

    let tables: std::collections::BTreeMap<DatasetName, DatasetSource> = [
        (
            DatasetName::PatchDetails,
            DatasetSource { format: SourceFormat::AmsSsr, table: Some("ssr_patch_details".into()), ..DatasetSource::default() },
        ),
        (
            DatasetName::Billing,
            DatasetSource { format: SourceFormat::Cur2, table: Some("cur2".into()), ..DatasetSource::default() },
        ),
    ]
    .into_iter()
    .collect();
    let settings = AthenaSettings { output_location: Some("s3://results/athena/".into()), ..AthenaSettings::default() };
    let options = AthenaOptions::from_settings(&settings, "raw-run").unwrap();
    // Every contract dataset left out: only the two raw tables are queried.
    let source = AthenaSource::new(runtime(), sdk_clients(&moto), options).without(DatasetName::ALL).with_raw_tables(tables);
    source.prefetch(std::slice::from_ref(&account), &period).unwrap();
    let athena = source.load_account(&account, &period).unwrap();
    assert_eq!(source.queries().len(), 2, "one query per raw table");

    // The same exports read from their files.
    let files: std::collections::BTreeMap<DatasetName, DatasetSource> = [
        (
            DatasetName::PatchDetails,
            DatasetSource {
                format: SourceFormat::AmsSsr,
                location: Some(ssr_folder.to_string_lossy().replace(account.as_str(), "{account}")),
                ..DatasetSource::default()
            },
        ),
        (
            DatasetName::Billing,
            DatasetSource {
                format: SourceFormat::Cur2,
                location: Some(example.join("cur2").to_string_lossy().into_owned()),
                ..DatasetSource::default()
            },
        ),
    ]
    .into_iter()
    .collect();
    let base = LocalSource::new(&example).unwrap().without(DatasetName::ALL);
    let from_files = ConfiguredSource::new(Box::new(base), files, Store::new(None)).load_account(&account, &period).unwrap();
    for dataset in [DatasetName::PatchDetails, DatasetName::Billing] {
        let athena = athena.dataset(dataset);
        assert!(athena.frame.is_some(), "{dataset}: {:?}", athena.quality.missing_reason);
        assert_same_dataset(&account, athena, from_files.dataset(dataset));
    }
    let ids = query_execution_ids(&moto);
    for id in &ids {
        let execution = json_body(moto.athena("GetQueryExecution", &json!({ "QueryExecutionId": id }).to_string()));
        let sql = execution["QueryExecution"]["Query"].as_str().unwrap().to_owned();
        assert!(sql.contains("FROM \"ssr_patch_details\"") || sql.contains("FROM \"cur2\""), "{sql}");
        assert!(!sql.contains("043735371057"), "values are parameters: {sql}");
    }
}

/// A prepared run: `--prepare` queries once for the whole fleet (one query per dataset and
/// batch) and leaves the results; each shard of the same run id then reads only its batches'
/// results — no query of its own — and writes the reports the local source gives.
#[test]
fn a_prepared_run_queries_once_and_its_shards_only_read_their_batches() {
    let moto = Moto::start();
    for bucket in ["/results", "/data"] {
        assert_eq!(moto.http("PUT", bucket).0, 200);
    }
    let fixtures_root = repo_root().join("fixtures/synthetic");
    upload_tree(&moto, &fixtures_root, "/data/datasets");
    let local = fixtures();
    let accounts = local.all_accounts().unwrap();
    let period = period();
    // moto runs no SQL: the objects each batch's UNLOAD writes (batches of one account).
    for (number, account) in accounts.iter().enumerate() {
        for dataset in DatasetName::ALL {
            let mut result = fleet_result(&local, dataset, std::slice::from_ref(account), &period);
            if result.height() == 0 {
                continue;
            }
            let key = format!("/results/athena/opsreport-unload/prep-run/batch-{number:05}/{dataset}/part-00000");
            assert_eq!(moto.http_with_body("PUT", &key, "application/octet-stream", &parquet_bytes(&mut result)).0, 200);
        }
    }
    let work = tempfile::tempdir().unwrap();
    let config = work.path().join("opsreport.toml");
    std::fs::write(
        &config,
        "[athena]\nbatch_accounts = 1\noutput_location = \"s3://results/athena\"\ndata_location = \"s3://data/datasets/\"\n",
    )
    .unwrap();
    let environment = moto.environment();
    let mut pairs: Vec<(&str, &str)> = environment.iter().map(|(key, value)| (*key, value.as_str())).collect();
    let config_text = config.display().to_string();
    pairs.push(("OPSREPORT_CONFIG", &config_text));
    pairs.push(("OPSREPORT_RUN_ID", "prep-run"));
    let out = work.path().join("out");
    let out_text = out.display().to_string();
    let base = ["generate", "--source", "athena", "--all-accounts", "--month", MONTH, "--out", out_text.as_str()];

    let prepared = opsreport_with_env(&repo_root(), &[&base[..], &["--prepare"]].concat(), &pairs);
    assert_eq!(prepared.code, 0, "{}", prepared.stderr);
    assert!(prepared.stderr.contains("prepared run prep-run for 2026-10: 2 accounts in 2 batches"), "{}", prepared.stderr);
    assert_eq!(query_execution_ids(&moto).len(), 2 * DatasetName::ALL.len(), "one query per dataset and batch, once");
    assert!(!out.exists(), "preparing writes no report");
    let (status, index) = moto.http("GET", "/results/athena/opsreport-unload/prep-run/batches.json");
    assert_eq!(status, 200);
    let index: Value = serde_json::from_slice(&index).unwrap();
    assert_eq!(index["batches"], json!([[accounts[0].as_str()], [accounts[1].as_str()]]));

    for shard in ["0/2", "1/2"] {
        let run = opsreport_with_env(&repo_root(), &[&base[..], &["--shard", shard]].concat(), &pairs);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stderr.contains("a prepared run: reading 1 of its batches' results, no queries"), "{}", run.stderr);
    }
    assert_eq!(query_execution_ids(&moto).len(), 2 * DatasetName::ALL.len(), "the shards query nothing");

    let local_out = work.path().join("local");
    local_reports(&fixtures_root, &config_text, &local_out);
    for account in &accounts {
        let folder = format!("{account}/{MONTH}");
        let athena = comparable_metrics(&out.join(&folder).join("metrics.json"));
        let expected = comparable_metrics(&local_out.join(&folder).join("metrics.json"));
        assert_eq!(first_difference(&athena, &expected, "$"), None, "{account}: metrics.json differs");
    }

    // Preparing twice is refused for another month, not silently mixed.
    let other = opsreport_with_env(
        &repo_root(),
        &["generate", "--source", "athena", "--all-accounts", "--month", "2026-09", "--out", &out_text, "--shard", "0/2"],
        &pairs,
    );
    assert_eq!(other.code, 2, "{}", other.stderr);
    assert!(other.stderr.contains("the run was prepared for \"2026-10\", not 2026-09"), "{}", other.stderr);
}

/// Queues the answers of one query per dataset for `accounts` and `period` (paging mode).
fn queue_fleet_results(moto: &Moto, local: &LocalSource, accounts: &[AccountId], period: &ReportPeriod) {
    let results: Vec<Value> = DatasetName::ALL
        .into_iter()
        .map(|dataset| canned_result(&fleet_result(local, dataset, accounts, period), dataset))
        .collect();
    let queued = moto.http_with_body(
        "POST",
        "/moto-api/static/athena/query-results",
        "application/json",
        json!({ "results": results }).to_string().as_bytes(),
    );
    assert_eq!(queued.0, 201, "{}", String::from_utf8_lossy(&queued.1));
}

#[test]
fn a_quarterly_review_through_athena_gives_the_local_sources_numbers() {
    let moto = Moto::start();
    for bucket in ["/results", "/data"] {
        assert_eq!(moto.http("PUT", bucket).0, 200);
    }
    let fixtures_root = repo_root().join("fixtures/synthetic");
    upload_tree(&moto, &fixtures_root, "/data/datasets");
    let local = fixtures();
    let accounts = local.all_accounts().unwrap();
    // The quarter's partitions: its months, the previous quarter's and the lookback before them.
    let quarter = ReportPeriod::from_label("2026-Q3", parse_time_zone("Europe/Berlin").unwrap()).unwrap();
    queue_fleet_results(&moto, &local, &accounts, &quarter);
    let work = tempfile::tempdir().unwrap();
    let config = work.path().join("opsreport.toml");
    std::fs::write(
        &config,
        "timezone = \"Europe/Berlin\"\n[athena]\nresult_mode = \"paging\"\nconcurrency = 1\noutput_location = \"s3://results/athena\"\ndata_location = \"s3://data/datasets/\"\n",
    )
    .unwrap();
    let environment = moto.environment();
    let mut pairs: Vec<(&str, &str)> = environment.iter().map(|(key, value)| (*key, value.as_str())).collect();
    let config_text = config.display().to_string();
    pairs.push(("OPSREPORT_CONFIG", &config_text));
    let (athena_out, local_out) = (work.path().join("athena"), work.path().join("local"));
    for (source, out) in [("athena".to_owned(), &athena_out), (fixtures_root.display().to_string(), &local_out)] {
        let out_text = out.display().to_string();
        let args = ["generate", "--source", &source, "--all-accounts", "--quarter", "2026-Q3", "--out", &out_text];
        let run = opsreport_with_env(&repo_root(), &args, &pairs);
        assert_eq!(run.code, 0, "{source}: {}", run.stderr);
    }
    assert_eq!(query_execution_ids(&moto).len(), DatasetName::ALL.len(), "one query per dataset for the quarter");
    for account in &accounts {
        let folder = format!("{account}/quarterly/2026-Q3");
        let athena_metrics = comparable_metrics(&athena_out.join(&folder).join("metrics.json"));
        let local_metrics = comparable_metrics(&local_out.join(&folder).join("metrics.json"));
        assert_eq!(first_difference(&athena_metrics, &local_metrics, "$"), None, "{account}: metrics.json differs");
        assert_eq!(athena_metrics["period"], "2026-Q3");
    }
}

#[test]
fn a_customers_review_through_athena_reads_its_accounts_in_one_batch() {
    let moto = Moto::start();
    for bucket in ["/results", "/data"] {
        assert_eq!(moto.http("PUT", bucket).0, 200);
    }
    let fixtures_root = repo_root().join("fixtures/synthetic");
    upload_tree(&moto, &fixtures_root, "/data/datasets");
    let local = fixtures();
    let accounts = local.all_accounts().unwrap();
    queue_fleet_results(&moto, &local, &accounts, &period());
    let work = tempfile::tempdir().unwrap();
    let config = work.path().join("opsreport.toml");
    let ids: Vec<String> = accounts.iter().map(|account| format!("\"{account}\"")).collect();
    std::fs::write(
        &config,
        format!(
            "timezone = \"Europe/Berlin\"\n[athena]\nresult_mode = \"paging\"\nconcurrency = 1\noutput_location = \"s3://results/athena\"\ndata_location = \"s3://data/datasets/\"\n[customers.northwind]\nname = \"Northwind\"\naccounts = [{}]\n",
            ids.join(", ")
        ),
    )
    .unwrap();
    let environment = moto.environment();
    let mut pairs: Vec<(&str, &str)> = environment.iter().map(|(key, value)| (*key, value.as_str())).collect();
    let config_text = config.display().to_string();
    pairs.push(("OPSREPORT_CONFIG", &config_text));
    let (athena_out, local_out) = (work.path().join("athena"), work.path().join("local"));
    for (source, out) in [("athena".to_owned(), &athena_out), (fixtures_root.display().to_string(), &local_out)] {
        let out_text = out.display().to_string();
        let args = ["generate", "--source", &source, "--customer", "northwind", "--month", MONTH, "--out", &out_text];
        let run = opsreport_with_env(&repo_root(), &args, &pairs);
        assert_eq!(run.code, 0, "{source}: {}", run.stderr);
    }
    assert_eq!(query_execution_ids(&moto).len(), DatasetName::ALL.len(), "one query per dataset for the customer's accounts");
    let folder = format!("customers/northwind/{MONTH}/metrics.json");
    let athena_metrics = comparable_metrics(&athena_out.join(&folder));
    let local_metrics = comparable_metrics(&local_out.join(&folder));
    assert_eq!(first_difference(&athena_metrics, &local_metrics, "$"), None, "the review's metrics.json differs");
    assert_eq!(athena_metrics["customer"]["accounts"].as_array().map(Vec::len), Some(accounts.len()));
}
