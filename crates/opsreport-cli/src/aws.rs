//! The AWS clients of a run, configured once: credentials from the default chain only, the
//! region from `[athena] region` or the chain, endpoints the standard way (`AWS_ENDPOINT_URL`,
//! `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL_ATHENA`), path-style S3 on request, and the
//! standard retry strategy (exponential backoff with jitter for throttling and 5xx).

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region};
use opsreport_extract::athena::Clients;
use opsreport_extract::{AthenaOptions, AthenaSource};
use opsreport_model::Config;

use crate::failure::Failure;

/// Attempts per AWS call (the first try included) before a call fails.
pub const MAX_ATTEMPTS: u32 = 8;
/// First retry backoff; it doubles (with jitter) up to [`MAX_BACKOFF`].
pub const INITIAL_BACKOFF: Duration = Duration::from_millis(200);
/// Longest retry backoff.
pub const MAX_BACKOFF: Duration = Duration::from_secs(20);

/// A runtime for the SDK's futures; the pipeline itself is synchronous.
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| Failure::source_or_sink(anyhow::anyhow!("cannot start the AWS client runtime: {error}")))
}

/// The shared SDK configuration.
pub fn sdk_config(runtime: &tokio::runtime::Runtime, config: &Config) -> aws_config::SdkConfig {
    let retry = RetryConfig::standard()
        .with_max_attempts(MAX_ATTEMPTS)
        .with_initial_backoff(INITIAL_BACKOFF)
        .with_max_backoff(MAX_BACKOFF);
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).retry_config(retry);
    if let Some(region) = &config.athena.region {
        loader = loader.region(Region::new(region.clone()));
    }
    runtime.block_on(loader.load())
}

/// An S3 client with the path-style switch applied.
pub fn s3_client(shared: &aws_config::SdkConfig, config: &Config) -> aws_sdk_s3::Client {
    let s3_config = aws_sdk_s3::config::Builder::from(shared).force_path_style(config.s3.force_path_style).build();
    aws_sdk_s3::Client::from_conf(s3_config)
}

/// An SES client for the console's Send.
pub fn ses_client(shared: &aws_config::SdkConfig) -> aws_sdk_sesv2::Client {
    aws_sdk_sesv2::Client::new(shared)
}

/// An S3 client for a local S3 API (the benchmark's moto server): fixed test credentials, one
/// region, path-style addressing.
pub fn local_s3_client(endpoint: &str) -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::config::Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .force_path_style(true)
        .credentials_provider(aws_sdk_s3::config::Credentials::new("bench", "bench", None, None, "opsreport-bench"))
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// The variable that names a run (letters, digits, `-`): the shards of one fleet share it, and
/// a simulated fleet knows where its `UNLOAD` objects go.
pub const RUN_ID_VARIABLE: &str = "OPSREPORT_RUN_ID";

/// This run's id: `OPSREPORT_RUN_ID` when set; in an AWS Batch array child, the array job's id
/// (`AWS_BATCH_JOB_ID` without its `:index`), which all its children share; else one unique
/// enough to name this run's `UNLOAD` prefix: UTC time, process id and a few bits of the clock's
/// nanoseconds.
pub fn run_id() -> String {
    if let Ok(id) = std::env::var(RUN_ID_VARIABLE)
        && !id.is_empty()
    {
        return id;
    }
    if let Ok(job) = std::env::var("AWS_BATCH_JOB_ID") {
        let parent: String =
            job.split(':').next().unwrap_or_default().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        if !parent.is_empty() {
            return parent;
        }
    }
    let now = chrono::Utc::now();
    format!("{}-{}-{:08x}", now.format("%Y%m%dT%H%M%SZ"), std::process::id(), now.timestamp_subsec_nanos())
}

/// S3 access for real-format sources whose `location` is in S3 (`[datasets.*]`), or `None`
/// when every location is local (no AWS configuration is loaded then).
pub fn store(config: &Config) -> Result<opsreport_extract::objects::exports::Reader, Failure> {
    let in_s3 = config.datasets.values().any(|source| source.location.as_deref().is_some_and(|place| place.starts_with("s3://")));
    if !in_s3 {
        return Ok(opsreport_extract::objects::exports::Reader::new(None));
    }
    let runtime = runtime()?;
    let shared = sdk_config(&runtime, config);
    Ok(opsreport_extract::objects::exports::Reader::new(Some((runtime, s3_client(&shared, config)))))
}

/// The Athena source, from the configuration (with `OPSREPORT_*` variables applied). The shards
/// of one run share its id, so each unloads below `<run id>-shard-<I>-of-<N>`.
pub fn athena_source(config: &Config, shard: Option<crate::choice::Shard>) -> Result<AthenaSource, Failure> {
    let mut options = AthenaOptions::from_settings(&config.athena, &run_id()).map_err(Failure::from_extract)?;
    if let Some(shard) = shard {
        options = options.for_shard(&shard.to_string().replace('/', "-of-"));
    }
    let runtime = runtime()?;
    let shared = sdk_config(&runtime, config);
    let clients = Clients { athena: aws_sdk_athena::Client::new(&shared), s3: s3_client(&shared, config) };
    Ok(AthenaSource::new(runtime, clients, options))
}
