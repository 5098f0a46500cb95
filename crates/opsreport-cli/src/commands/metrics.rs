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
    Ok(0)
}
