//! The stages of one report, wired together: validated data → metrics → JSON.

use chrono::NaiveDate;
use opsreport_extract::AccountData;
use opsreport_metrics::{MetricsContext, MetricsInput};
use opsreport_model::{Config, Metrics};
use sha2::{Digest, Sha256};

use crate::failure::Failure;

/// `opsreport <version>`.
pub fn generator_version() -> String {
    format!("opsreport {}", env!("CARGO_PKG_VERSION"))
}

/// SHA-256 over the data digest and the configuration: what a report was made from.
pub fn input_fingerprint(data: &AccountData, config: &Config) -> Result<String, Failure> {
    let config_json = serde_json::to_string(config).map_err(Failure::bad_input)?;
    let mut digest = Sha256::new();
    digest.update(data.input_digest.as_bytes());
    digest.update(b"\nconfig\n");
    digest.update(config_json.as_bytes());
    Ok(opsreport_model::format::hex(&digest.finalize()))
}

/// What the metrics stage reads of one account's data.
pub fn input(data: &AccountData) -> MetricsInput {
    MetricsInput { frames: data.frames(), histories: data.histories(), quality: data.quality(), several_accounts: false }
}

/// Computes the metrics of one account.
pub fn metrics(data: &AccountData, config: &Config, generated_on: NaiveDate) -> Result<Metrics, Failure> {
    let input = input(data);
    let context = MetricsContext {
        subject: opsreport_model::Subject::Account(data.account.clone()),
        period: data.period,
        config: config.clone(),
        generated_on,
        generator_version: generator_version(),
        input_fingerprint: input_fingerprint(data, config)?,
    };
    opsreport_metrics::compute(&input, &context)
        .map_err(|error| Failure::source_or_sink(error).context(format!("account {}", data.account)))
}

/// `metrics.json`: pretty, keys in a stable order, a final newline added by the writer.
pub fn metrics_json(metrics: &Metrics) -> Result<String, Failure> {
    serde_json::to_string_pretty(metrics).map_err(Failure::source_or_sink)
}
