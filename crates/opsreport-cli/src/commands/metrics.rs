//! `opsreport metrics`: every number of one account's report, printed as `metrics.json`.

use std::path::PathBuf;

use clap::Args;
use opsreport_extract::{LocalSource, Source};
use opsreport_model::{AccountId, Config, Metrics};

use crate::failure::{Failure, Outcome};
use crate::pipeline;
use crate::settings;

/// Flags of `opsreport metrics`.
#[derive(Args, Debug)]
pub struct MetricsArgs {
    /// Dataset root folder (the layout of the data contract).
    #[arg(long, env = "OPSREPORT_SOURCE", value_name = "DIR")]
    source: PathBuf,
    /// The account (12 digits).
    #[arg(long, env = "OPSREPORT_ACCOUNT", value_name = "ID")]
    account: String,
    /// The report month: YYYY-MM, or `previous` for the last full month before now.
    #[arg(long, env = "OPSREPORT_MONTH", default_value = "previous", value_name = "YYYY-MM|previous")]
    month: String,
    /// Report time zone (IANA name). Default: the configuration's, else UTC.
    #[arg(long, env = "OPSREPORT_TIMEZONE", value_name = "IANA")]
    timezone: Option<String>,
    /// The report's document date. Default: the day after the period.
    #[arg(long, env = "OPSREPORT_GENERATED_ON", value_name = "YYYY-MM-DD")]
    generated_on: Option<String>,
}

/// Runs `opsreport metrics`.
pub fn run(config: &Config, args: MetricsArgs) -> Outcome {
    let zone = settings::time_zone(args.timezone.as_deref(), config)?;
    let period = settings::period(&args.month, zone)?;
    let account = AccountId::parse(&args.account).map_err(Failure::bad_input)?;
    let generated_on = settings::generated_on(args.generated_on.as_deref(), &period)?;
    let source = LocalSource::new(&args.source).map_err(Failure::from_extract)?;
    let data = source
        .load_account(&account, &period)
        .map_err(|error| Failure::from_extract(error).context(format!("account {account}")))?;
    let metrics: Metrics = pipeline::metrics(&data, config, generated_on)?;
    println!("{}", pipeline::metrics_json(&metrics)?);
    Ok(0)
}
