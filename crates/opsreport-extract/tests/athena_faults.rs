//! The Athena source's handling of responses a loopback server cannot produce: results paged
//! with `NextToken`, queries that end `FAILED` with a reason, throttling and 5xx bursts, and a
//! deadline that passes while a query runs. The Athena client is `aws-smithy-mocks`' (real SDK,
//! canned HTTP responses); everything else is the production code path.

use std::time::Duration;

use aws_sdk_athena::Client;
use aws_sdk_athena::config::retry::RetryConfig;
use aws_sdk_athena::config::{AsyncSleep, Sleep};
use aws_sdk_athena::operation::get_query_execution::GetQueryExecutionOutput;
use aws_sdk_athena::operation::get_query_results::GetQueryResultsOutput;
use aws_sdk_athena::operation::start_query_execution::StartQueryExecutionOutput;
use aws_sdk_athena::operation::stop_query_execution::StopQueryExecutionOutput;
use aws_sdk_athena::types::{
    AthenaError, ColumnInfo, Datum, QueryExecution, QueryExecutionState, QueryExecutionStatus, ResultSet, ResultSetMetadata, Row,
};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use opsreport_extract::athena::{AthenaSource, Clients};
use opsreport_extract::{AthenaOptions, ExtractError, Source};
use opsreport_model::config::{AthenaResultMode, AthenaSettings};
use opsreport_model::period::parse_time_zone;
use opsreport_model::{AccountId, DatasetName, ReportPeriod, YearMonth};

/// Retry backoff without waiting, so bursts of errors cost no test time.
#[derive(Debug)]
struct NoSleep;

impl AsyncSleep for NoSleep {
    fn sleep(&self, _duration: Duration) -> Sleep {
        Sleep::new(std::future::ready(()))
    }
}

const ACCOUNT: &str = "000000000001";

fn period() -> ReportPeriod {
    ReportPeriod::new(YearMonth::parse("2026-10").unwrap(), parse_time_zone("UTC").unwrap())
}

fn source(athena: Client, configure: impl FnOnce(&mut AthenaOptions)) -> AthenaSource {
    let settings = AthenaSettings { result_mode: AthenaResultMode::Paging, ..AthenaSettings::default() };
    let mut options = AthenaOptions::from_settings(&settings, "test").unwrap();
    configure(&mut options);
    // Never called in these tests (paging, no data location), but the source needs one.
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::Config::builder()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(aws_sdk_s3::config::Region::new("us-east-1"))
            .build(),
    );
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    AthenaSource::new(runtime, Clients { athena, s3 }, options)
}

fn execution(state: QueryExecutionState, reason: Option<&str>) -> GetQueryExecutionOutput {
    let mut status = QueryExecutionStatus::builder().state(state.clone()).set_state_change_reason(reason.map(str::to_owned));
    if state == QueryExecutionState::Failed {
        status = status.athena_error(AthenaError::builder().error_category(2).error_message("TABLE_NOT_FOUND").build());
    }
    GetQueryExecutionOutput::builder()
        .query_execution(QueryExecution::builder().query_execution_id("q-1").status(status.build()).build())
        .build()
}

fn row(values: &[Option<&str>]) -> Row {
    values
        .iter()
        .fold(Row::builder(), |row, value| row.data(Datum::builder().set_var_char_value(value.map(str::to_owned)).build()))
        .build()
}

/// An `ood_engagements` result page (reference data: no month column).
fn engagements_page(header: bool, rows: &[[&str; 2]], next_token: Option<&str>) -> GetQueryResultsOutput {
    let columns = [
        ("aws_account_id", "varchar"),
        ("engagement_id", "varchar"),
        ("offering", "varchar"),
        ("blocks", "bigint"),
        ("basis", "varchar"),
        ("approved_at", "date"),
        ("start_override", "date"),
        ("ended_at", "date"),
    ];
    let column_info: Vec<ColumnInfo> =
        columns.iter().map(|(name, kind)| ColumnInfo::builder().name(*name).r#type(*kind).build().unwrap()).collect();
    let mut all_rows = Vec::new();
    if header {
        all_rows.push(row(&columns.iter().map(|(name, _)| Some(*name)).collect::<Vec<_>>()));
    }
    for [engagement_id, blocks] in rows {
        all_rows.push(row(&[
            Some(ACCOUNT),
            Some(engagement_id),
            Some("Migration"),
            Some(blocks),
            Some("monthly"),
            Some("2026-09-20"),
            None,
            None,
        ]));
    }
    GetQueryResultsOutput::builder()
        .set_next_token(next_token.map(str::to_owned))
        .result_set(
            ResultSet::builder()
                .result_set_metadata(ResultSetMetadata::builder().set_column_info(Some(column_info)).build())
                .set_rows(Some(all_rows))
                .build(),
        )
        .build()
}

fn empty_page() -> GetQueryResultsOutput {
    GetQueryResultsOutput::builder().result_set(ResultSet::builder().build()).build()
}

#[test]
fn pages_are_followed_and_the_header_is_read_once() {
    let start = mock!(Client::start_query_execution)
        .then_output(|| StartQueryExecutionOutput::builder().query_execution_id("q-1").build());
    let status = mock!(Client::get_query_execution).then_output(|| execution(QueryExecutionState::Succeeded, None));
    let engagements_query = |request: &aws_sdk_athena::operation::get_query_results::GetQueryResultsInput| {
        request.query_execution_id() == Some("q-engagements")
    };
    let start_engagements = mock!(Client::start_query_execution)
        .match_requests(|request| request.query_string().is_some_and(|sql| sql.contains("FROM ood_engagements")))
        .then_output(|| StartQueryExecutionOutput::builder().query_execution_id("q-engagements").build());
    let first = mock!(Client::get_query_results)
        .match_requests(move |request| {
            engagements_query(request) && request.next_token().is_none() && request.max_results() == Some(1000)
        })
        .then_output(|| engagements_page(true, &[["E-2", "4"]], Some("page-2")));
    let second = mock!(Client::get_query_results)
        .match_requests(move |request| engagements_query(request) && request.next_token() == Some("page-2"))
        .then_output(|| engagements_page(false, &[["E-1", "2"]], None));
    let other = mock!(Client::get_query_results).then_output(empty_page);
    let client = mock_client!(aws_sdk_athena, RuleMode::MatchAny, [&start_engagements, &start, &status, &first, &second, &other]);
    let source = source(client, |_| {});
    let data = source.load_account(&AccountId::parse(ACCOUNT).unwrap(), &period()).unwrap();
    let engagements = data.dataset(DatasetName::OodEngagements);
    let frame = engagements.frame.as_ref().expect("engagements read");
    assert_eq!(frame.height(), 2, "{frame}");
    let ids: Vec<&str> = frame.column("engagement_id").unwrap().str().unwrap().iter().map(Option::unwrap).collect();
    assert_eq!(ids, ["E-1", "E-2"], "sorted, header not taken for a row");
    let blocks: Vec<i64> = frame.column("blocks").unwrap().i64().unwrap().iter().map(Option::unwrap).collect();
    assert_eq!(blocks, [2, 4], "typed by the result metadata");
    assert_eq!((first.num_calls(), second.num_calls()), (1, 1));
    assert_eq!(start.num_calls() + start_engagements.num_calls(), DatasetName::ALL.len());
    assert!(data.dataset(DatasetName::Incidents).frame.is_none());
    assert!(
        data.dataset(DatasetName::Incidents)
            .quality
            .missing_reason
            .as_deref()
            .unwrap()
            .contains("Athena table opsreport.incidents")
    );
}

#[test]
fn a_failed_query_names_the_dataset_and_athenas_reason_and_stops_the_others() {
    let start_alerts = mock!(Client::start_query_execution)
        .match_requests(|request| request.query_string().is_some_and(|sql| sql.contains("FROM alerts")))
        .then_output(|| StartQueryExecutionOutput::builder().query_execution_id("q-alerts").build());
    let start = mock!(Client::start_query_execution)
        .then_output(|| StartQueryExecutionOutput::builder().query_execution_id("q-other").build());
    let failed = mock!(Client::get_query_execution)
        .match_requests(|request| request.query_execution_id() == Some("q-alerts"))
        .then_output(|| execution(QueryExecutionState::Failed, Some("line 1:8: Table 'opsreport.alerts' does not exist")));
    let running = mock!(Client::get_query_execution).then_output(|| execution(QueryExecutionState::Running, None));
    let stop = mock!(Client::stop_query_execution).then_output(|| StopQueryExecutionOutput::builder().build());
    let client = mock_client!(aws_sdk_athena, RuleMode::MatchAny, [&start_alerts, &start, &failed, &running, &stop]);
    let source = source(client, |_| {});
    let error = source.load_account(&AccountId::parse(ACCOUNT).unwrap(), &period()).unwrap_err();
    assert!(matches!(error, ExtractError::QueryFailed { .. }), "{error}");
    assert!(!error.is_bad_input(), "a source failure: exit 3");
    let message = error.to_string();
    assert!(
        message.contains("dataset alerts")
            && message.contains("q-alerts")
            && message.contains("FAILED")
            && message.contains("Table 'opsreport.alerts' does not exist")
            && message.contains("TABLE_NOT_FOUND"),
        "{message}"
    );
    assert!(stop.num_calls() >= 1, "queries still running are stopped");
}

#[test]
fn throttling_and_5xx_bursts_are_retried_and_the_run_succeeds() {
    let throttled =
        r#"{"__type":"TooManyRequestsException","Message":"Too many queries","Reason":"CONCURRENT_QUERY_LIMIT_EXCEEDED"}"#;
    let start = mock!(Client::start_query_execution)
        .sequence()
        .http_status(400, Some(throttled.into()))
        .times(2)
        .http_status(503, None)
        .output(|| StartQueryExecutionOutput::builder().query_execution_id("q-1").build())
        .times(DatasetName::ALL.len())
        .build();
    let status = mock!(Client::get_query_execution)
        .sequence()
        .http_status(500, None)
        .output(|| execution(QueryExecutionState::Queued, None))
        .output(|| execution(QueryExecutionState::Running, None))
        .output(|| execution(QueryExecutionState::Succeeded, None))
        .times(DatasetName::ALL.len() + 1)
        .build();
    let results = mock!(Client::get_query_results)
        .sequence()
        .http_status(502, None)
        .output(empty_page)
        .times(DatasetName::ALL.len())
        .build();
    let client = mock_client!(aws_sdk_athena, RuleMode::MatchAny, [&start, &status, &results], |builder| {
        // The binary's policy: up to 8 attempts per call.
        builder.sleep_impl(NoSleep).retry_config(RetryConfig::standard().with_max_attempts(8))
    });
    let source = source(client, |options| options.concurrency = 1);
    let data = source.load_account(&AccountId::parse(ACCOUNT).unwrap(), &period()).unwrap();
    assert!(data.datasets.values().all(|dataset| dataset.frame.is_none()));
    assert_eq!(start.num_calls(), 3 + DatasetName::ALL.len(), "two throttles and a 503 retried, then every dataset started");
    assert_eq!(results.num_calls(), 1 + DatasetName::ALL.len());
    assert_eq!(source.queries().len(), DatasetName::ALL.len());
}

#[test]
fn a_passed_deadline_stops_the_queries_and_says_what_was_pending() {
    let start = mock!(Client::start_query_execution)
        .then_output(|| StartQueryExecutionOutput::builder().query_execution_id("q-slow").build());
    let running = mock!(Client::get_query_execution).then_output(|| execution(QueryExecutionState::Running, None));
    let stop = mock!(Client::stop_query_execution)
        .match_requests(|request| request.query_execution_id() == Some("q-slow"))
        .then_output(|| StopQueryExecutionOutput::builder().build());
    let client = mock_client!(aws_sdk_athena, RuleMode::MatchAny, [&start, &running, &stop]);
    let source = source(client, |options| {
        options.deadline = Duration::from_millis(700);
        options.concurrency = 2;
    });
    let started = std::time::Instant::now();
    let error = source.load_account(&AccountId::parse(ACCOUNT).unwrap(), &period()).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5), "gave up at the deadline");
    assert!(matches!(error, ExtractError::Deadline { .. }), "{error}");
    let message = error.to_string();
    assert!(message.contains("athena.deadline_seconds") && message.contains("incidents"), "{message}");
    assert_eq!(stop.num_calls(), 2, "the two running queries are stopped");
}
