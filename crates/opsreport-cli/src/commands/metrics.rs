//! `opsreport metrics`: every number of one account's report, printed as `metrics.json`.
//!
//! Takes the same selection flags as `generate` (source, account, month or event, time zone,
//! document date) and prints to stdout; logs and errors go to stderr.

use clap::Args;
use opsreport_model::{Config, Metrics};

use crate::commands::generate::{Selection, resolve};
use crate::failure::{Failure, Outcome};
use crate::pipeline;

/// Flags of `opsreport metrics`.
#[derive(Args, Debug)]
pub struct MetricsArgs {
    #[command(flatten)]
    selection: Selection,
}

/// Runs `opsreport metrics`.
pub fn run(config: &Config, args: MetricsArgs) -> Outcome {
    let resolved = resolve(config, &args.selection)?;
    let account = match resolved.accounts.as_slice() {
        [account] => account,
        [] => return Err(Failure::bad_input(anyhow::anyhow!("no account selected; pass --account"))),
        more => {
            return Err(Failure::bad_input(anyhow::anyhow!(
                "metrics prints one account's metrics.json, but {} accounts are selected; pass one --account",
                more.len()
            )));
        }
    };
    let data = resolved
        .source
        .load_account(account, &resolved.period)
        .map_err(|error| Failure::from_extract(error).context(format!("account {account}")))?;
    let metrics: Metrics = pipeline::metrics(&data, config, resolved.generated_on)?;
    println!("{}", pipeline::metrics_json(&metrics)?);
    if std::env::var(crate::commands::generate::STAGE_MEMORY_VARIABLE).is_ok_and(|value| value == "1") {
        // For `opsreport bench`: this process's peak, the figure it compares.
        let peak_rss_mib = crate::memory::peak_rss_bytes().unwrap_or_default() / (1024 * 1024);
        tracing::info!(peak_rss_mib, "metrics peak");
    }
    Ok(0)
}
