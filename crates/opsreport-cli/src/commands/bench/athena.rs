//! `opsreport bench --athena-fleet 100,1000,5000`: the Athena path at fleet scale, on this
//! machine. A `moto_server` on loopback plays S3 and Athena (as the tests do): moto runs no SQL,
//! so before each run the objects every batch's `UNLOAD` would write are put where the run will
//! read them (`<output>/opsreport-unload/<run id>/batch-<NNNNN>/<dataset>/`), each simulated
//! account a copy of one of a few generated accounts under its own id. Then a whole
//! `generate --source athena` of this binary runs over the fleet in a child process; its peak
//! memory, query count and throughput are one line per size.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use opsreport_extract::LocalSource;
use opsreport_extract::objects::{Expect, S3Objects, Store};
use opsreport_extract::s3::S3Uri;
use opsreport_model::{AccountId, Config, DatasetName, ReportPeriod};

use crate::failure::Failure;

/// Accounts generated as the simulated fleet's data (each simulated account copies one).
const BASE_ACCOUNTS: u32 = 20;
/// Their scale and months (the report month and the one before): small accounts, so the run
/// measures the path rather than the data (availability probes, a row every 5 minutes per
/// endpoint, do not shrink with the scale).
const BASE_SCALE: f64 = 0.02;
const BASE_MONTHS: u32 = 2;
/// The bucket and prefix of the simulated query results.
const OUTPUT_LOCATION: &str = "s3://results/athena";

/// A `moto_server` on a free loopback port, stopped when dropped.
struct MotoServer {
    child: Child,
    port: u16,
}

impl MotoServer {
    fn start() -> Result<Self, Failure> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map_err(|error| Failure::source_or_sink(anyhow::anyhow!("no free loopback port: {error}")))?
            .port();
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|error| {
                Failure::source_or_sink(anyhow::anyhow!(
                    "--athena-fleet needs moto_server on PATH (pip install 'moto[server]'): {error}"
                ))
            })?;
        let server = Self { child, port };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(30) {
                return Err(Failure::source_or_sink(anyhow::anyhow!("moto_server did not start on port {port}")));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(server)
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One simulated fleet's run.
pub struct AthenaFleetResult {
    /// Accounts in the fleet.
    pub accounts: usize,
    /// Reports written.
    pub reports: u64,
    /// Peak resident memory of the run, MiB.
    pub peak_mib: u64,
    /// Athena queries the run made.
    pub queries: u64,
    /// The queries the formula says: datasets × ⌈accounts / batch⌉.
    pub expected_queries: u64,
    /// Wall time.
    pub wall: Duration,
}

impl AthenaFleetResult {
    /// `athena fleet N: peak M MiB, Q queries, R reports/s`.
    pub fn line(&self) -> String {
        format!(
            "athena fleet {}: peak {} MiB, {} queries, {:.1} reports/s (queries by the formula: {})",
            self.accounts,
            self.peak_mib,
            self.queries,
            self.reports as f64 / self.wall.as_secs_f64(),
            self.expected_queries
        )
    }
}

/// Runs one simulated Athena fleet per size.
pub fn run(
    config: &Config,
    work: &Path,
    sizes: &[u32],
    jobs: usize,
    period: &ReportPeriod,
) -> Result<Vec<AthenaFleetResult>, Failure> {
    let data = super::cases::dataset_of_months(work, BASE_ACCOUNTS, BASE_SCALE, BASE_MONTHS)?;
    let local = LocalSource::new(&data).map_err(Failure::from_extract)?;
    let base = local.all_accounts().map_err(Failure::from_extract)?;
    let moto = MotoServer::start()?;
    let runtime = crate::aws::runtime()?;
    let s3 = crate::aws::local_s3_client(&moto.endpoint());
    runtime
        .block_on(s3.create_bucket().bucket("results").send())
        .map_err(|error| Failure::source_or_sink(anyhow::anyhow!("moto: cannot create the results bucket: {error:?}")))?;
    let bucket = S3Uri::parse("s3://results").expect("a valid bucket name");
    let results_bucket = Store::S3(S3Objects::new(s3, bucket));
    let batch = (config.athena.batch_accounts as usize).max(1);
    let mut results = Vec::new();
    for &size in sizes {
        let fleet: Vec<AccountId> = (0..size)
            .map(|index| AccountId::parse(&format!("{:012}", 700_000_000_000u64 + u64::from(index))))
            .collect::<Result<_, _>>()
            .map_err(Failure::bad_input)?;
        let run_id = format!("bench-fleet-{size}");
        let started = Instant::now();
        for (number, accounts) in fleet.chunks(batch).enumerate() {
            for dataset in DatasetName::ALL {
                let object =
                    super::baseline::unload_object(&local, dataset, &base, accounts, period).map_err(Failure::from_extract)?;
                let Some(bytes) = object else { continue };
                let key = format!("athena/opsreport-unload/{run_id}/batch-{number:05}/{dataset}/part-00000");
                runtime
                    .block_on(results_bucket.put(&key, bytes, Expect::Any))
                    .map_err(|error| Failure::source_or_sink(anyhow::anyhow!("moto: cannot put {key}: {error}")))?;
            }
        }
        tracing::info!(
            "athena fleet {size}: the UNLOAD objects of {} batches put in {:.1} s",
            size.div_ceil(batch as u32),
            started.elapsed().as_secs_f64()
        );
        results.push(run_fleet(&moto, work, &fleet, &run_id, jobs, period)?);
        let expected = DatasetName::ALL.len() as u64 * u64::from(size).div_ceil(batch as u64);
        results.last_mut().expect("just pushed").expected_queries = expected;
    }
    Ok(results)
}

/// `generate --source athena` over `fleet` in a child process of this binary, against moto.
fn run_fleet(
    moto: &MotoServer,
    work: &Path,
    fleet: &[AccountId],
    run_id: &str,
    jobs: usize,
    period: &ReportPeriod,
) -> Result<AthenaFleetResult, Failure> {
    let out = work.join(format!("out-athena-{}", fleet.len()));
    if out.exists() {
        std::fs::remove_dir_all(&out)
            .map_err(|error| Failure::source_or_sink(anyhow::anyhow!("cannot remove {}: {error}", out.display())))?;
    }
    let month = period.month().to_string();
    let out_text = out.to_str().ok_or_else(|| Failure::bad_input(anyhow::anyhow!("{} is not UTF-8", out.display())))?;
    let mut args: Vec<String> = ["--source", "athena", "--month", month.as_str(), "--out", out_text].map(String::from).to_vec();
    for account in fleet {
        args.extend(["--account".to_owned(), account.as_str().to_owned()]);
    }
    let endpoint = moto.endpoint();
    let environment = [
        ("AWS_ENDPOINT_URL", endpoint.as_str()),
        ("AWS_ACCESS_KEY_ID", "bench"),
        ("AWS_SECRET_ACCESS_KEY", "bench"),
        ("AWS_REGION", "us-east-1"),
        ("OPSREPORT_S3_FORCE_PATH_STYLE", "true"),
        ("OPSREPORT_ATHENA_OUTPUT_LOCATION", OUTPUT_LOCATION),
        ("OPSREPORT_RUN_ID", run_id),
    ];
    let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let case = super::cases::run_case(&format!("athena fleet of {}", fleet.len()), &arg_refs, jobs, &environment)?;
    Ok(AthenaFleetResult {
        accounts: fleet.len(),
        reports: case.reports,
        peak_mib: case.peak_rss_mib,
        queries: case.queries,
        expected_queries: 0,
        wall: case.wall,
    })
}
