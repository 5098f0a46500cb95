//! Running a batch of Athena queries: started concurrently up to a limit, polled with backoff,
//! results fetched by `UNLOAD` objects or `GetQueryResults` pages, everything bounded by the
//! run's deadline.
//!
//! Throttling (`TooManyRequestsException`, `ThrottlingException`) and 5xx responses are retried
//! by the SDK's standard retry strategy (exponential backoff with jitter), which the binary
//! configures on the clients; `StartQueryExecution` carries an idempotency token, so a retried
//! start never runs a query twice. What this module adds is the waiting: polling, the deadline,
//! stopping queries that are no longer wanted, and removing the run's `UNLOAD` objects.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_athena::types::{
    QueryExecutionContext, QueryExecutionState, ResultConfiguration, ResultReuseByAgeConfiguration, ResultReuseConfiguration,
};
use opsreport_model::DatasetName;
use opsreport_model::config::AthenaResultMode;
use polars::prelude::DataFrame;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::athena::results::{ResultPart, frame_from_pages, read_objects};
use crate::athena::{AthenaOptions, Clients};
use crate::queries::PreparedQuery;
use crate::s3::describe;
use crate::{ExtractError, Result, Subject};

/// The first wait between two polls of a running query.
pub const POLL_INITIAL: Duration = Duration::from_millis(250);
/// The longest wait between two polls.
pub const POLL_CAP: Duration = Duration::from_secs(5);
/// Rows per `GetQueryResults` page (Athena's maximum).
pub const PAGE_ROWS: i32 = 1000;

/// What one query returned and cost.
#[derive(Clone, Debug)]
pub struct QueryOutcome {
    /// The dataset.
    pub dataset: DatasetName,
    /// Athena's id of the execution.
    pub query_execution_id: String,
    /// Bytes scanned, as Athena reports them.
    pub bytes_scanned: Option<i64>,
    /// The result, in parts (one per `UNLOAD` object, or one for all pages).
    pub parts: Vec<ResultPart>,
}

/// Runs every query, at most `options.concurrency` at a time, within the run deadline.
///
/// On the first failure or when the deadline passes, queries still running are stopped and the
/// error is returned (the caller removes the run's `UNLOAD` prefix either way).
pub async fn run_queries(
    clients: &Clients,
    options: &Arc<AthenaOptions>,
    queries: Vec<PreparedQuery>,
) -> Result<Vec<QueryOutcome>> {
    let started: Arc<Mutex<BTreeMap<DatasetName, String>>> = Arc::default();
    let semaphore = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let mut tasks = JoinSet::new();
    let mut pending: Vec<DatasetName> = queries.iter().map(|query| query.dataset).collect();
    for query in queries {
        let clients = clients.clone();
        let options = Arc::clone(options);
        let semaphore = Arc::clone(&semaphore);
        let started = Arc::clone(&started);
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await.expect("the semaphore is never closed");
            run_one(&clients, &options, query, &started).await
        });
    }
    let deadline = tokio::time::Instant::now() + options.deadline;
    let mut outcomes = Vec::new();
    let failure = loop {
        match tokio::time::timeout_at(deadline, tasks.join_next()).await {
            Err(_) => {
                break ExtractError::Deadline {
                    seconds: options.deadline.as_secs(),
                    pending: pending.iter().map(|dataset| dataset.as_str()).collect::<Vec<_>>().join(", "),
                };
            }
            Ok(None) => {
                outcomes.sort_by_key(|outcome: &QueryOutcome| outcome.dataset);
                return Ok(outcomes);
            }
            Ok(Some(Err(join_error))) => {
                break ExtractError::Engine {
                    dataset: Subject::Athena,
                    reason: format!("a query task ended abnormally: {join_error}"),
                };
            }
            Ok(Some(Ok(Err(error)))) => break error,
            Ok(Some(Ok(Ok(outcome)))) => {
                pending.retain(|dataset| *dataset != outcome.dataset);
                started.lock().expect("not poisoned").remove(&outcome.dataset);
                outcomes.push(outcome);
            }
        }
    };
    tasks.abort_all();
    while tasks.join_next().await.is_some() {}
    let unfinished: Vec<String> = started.lock().expect("not poisoned").values().cloned().collect();
    for query_execution_id in unfinished {
        // Best effort: a stopped query stops costing; a failure to stop it must not hide the
        // error that made the run give up.
        let _ = clients.athena.stop_query_execution().query_execution_id(query_execution_id).send().await;
    }
    Err(failure)
}

/// Starts one query, waits for it and fetches its result.
async fn run_one(
    clients: &Clients,
    options: &AthenaOptions,
    query: PreparedQuery,
    started: &Mutex<BTreeMap<DatasetName, String>>,
) -> Result<QueryOutcome> {
    let dataset = query.dataset;
    let athena_error = |operation: &str, reason: String| ExtractError::Athena {
        dataset: dataset.into(),
        operation: operation.to_owned(),
        reason,
    };
    let target = match (options.result_mode, &options.unload_prefix) {
        (AthenaResultMode::Unload, Some(prefix)) => Some(prefix.join(dataset.as_str())),
        _ => None,
    };
    let sql = match &target {
        // The location is built from the validated output location and a run id of letters,
        // digits and '-', so it holds no quote; values still enter only as parameters.
        Some(location) => {
            format!("UNLOAD (\n{}\n) TO '{}/' WITH (format = 'PARQUET', compression = 'SNAPPY')", query.sql.trim_end(), location)
        }
        None => query.sql.clone(),
    };
    let mut request = clients
        .athena
        .start_query_execution()
        .query_string(sql)
        .set_execution_parameters(Some(query.parameters.clone()))
        .work_group(&options.workgroup)
        .query_execution_context(QueryExecutionContext::builder().database(&options.database).catalog(&options.catalog).build());
    if let Some(location) = &options.output_location {
        request = request.result_configuration(ResultConfiguration::builder().output_location(format!("{location}/")).build());
    }
    if let (Some(minutes), None) = (options.result_reuse_minutes, &target) {
        // Athena reuses results of SELECT queries only; UNLOAD always runs.
        request = request.result_reuse_configuration(
            ResultReuseConfiguration::builder()
                .result_reuse_by_age_configuration(
                    ResultReuseByAgeConfiguration::builder().enabled(true).max_age_in_minutes(minutes as i32).build(),
                )
                .build(),
        );
    }
    let response = request.send().await.map_err(|error| athena_error("StartQueryExecution", describe(&error)))?;
    let query_execution_id = response
        .query_execution_id()
        .ok_or_else(|| athena_error("StartQueryExecution", "the response has no query execution id".into()))?
        .to_owned();
    started.lock().expect("not poisoned").insert(dataset, query_execution_id.clone());

    let bytes_scanned = wait_for(clients, dataset, &query_execution_id).await?;
    let parts = match &target {
        // A prepared run leaves its results for the shards to read.
        Some(_) if !options.read_results => Vec::new(),
        Some(location) => read_objects(clients, dataset, location).await?,
        None => vec![ResultPart::Frame(fetch_pages(clients, dataset, &query_execution_id).await?)],
    };
    Ok(QueryOutcome { dataset, query_execution_id, bytes_scanned, parts })
}

/// Polls until the query succeeds (returning the bytes it scanned) or ends otherwise.
async fn wait_for(clients: &Clients, dataset: DatasetName, query_execution_id: &str) -> Result<Option<i64>> {
    let mut pause = POLL_INITIAL;
    loop {
        let response =
            clients.athena.get_query_execution().query_execution_id(query_execution_id).send().await.map_err(|error| {
                ExtractError::Athena { dataset: dataset.into(), operation: "GetQueryExecution".into(), reason: describe(&error) }
            })?;
        let execution = response.query_execution();
        let status = execution.and_then(|execution| execution.status());
        match status.and_then(|status| status.state()) {
            Some(QueryExecutionState::Succeeded) => {
                return Ok(execution.and_then(|execution| execution.statistics()).and_then(|s| s.data_scanned_in_bytes()));
            }
            Some(state @ (QueryExecutionState::Failed | QueryExecutionState::Cancelled)) => {
                let mut reason = status.and_then(|status| status.state_change_reason()).unwrap_or("").to_owned();
                if let Some(message) = status.and_then(|status| status.athena_error()).and_then(|error| error.error_message())
                    && !reason.contains(message)
                {
                    reason = if reason.is_empty() { message.to_owned() } else { format!("{reason} ({message})") };
                }
                if reason.is_empty() {
                    reason = "Athena gave no reason".into();
                }
                return Err(ExtractError::QueryFailed {
                    dataset: dataset.into(),
                    query_execution_id: query_execution_id.to_owned(),
                    state: state.as_str().to_owned(),
                    reason,
                });
            }
            _ => {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(POLL_CAP);
            }
        }
    }
}

/// Every page of a query's result, as one frame typed by the result metadata.
async fn fetch_pages(clients: &Clients, dataset: DatasetName, query_execution_id: &str) -> Result<DataFrame> {
    let mut pages = Vec::new();
    let mut next_token: Option<String> = None;
    loop {
        let response = clients
            .athena
            .get_query_results()
            .query_execution_id(query_execution_id)
            .max_results(PAGE_ROWS)
            .set_next_token(next_token.take())
            .send()
            .await
            .map_err(|error| ExtractError::Athena {
                dataset: dataset.into(),
                operation: "GetQueryResults".into(),
                reason: describe(&error),
            })?;
        next_token = response.next_token().map(str::to_owned);
        if let Some(result_set) = response.result_set {
            pages.push(result_set);
        }
        if next_token.is_none() {
            break;
        }
    }
    frame_from_pages(dataset, query_execution_id, &pages)
}
