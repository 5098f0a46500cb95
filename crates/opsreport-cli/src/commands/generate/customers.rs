//! `generate --customer ID` / `--all-customers`: a customer's review, one report over all the
//! accounts `[customers.<id>]` names, written to `<out>/customers/<id>/<period>/` with the same
//! files as an account's report.
//!
//! The accounts are read as a fleet's are — in `[athena] batch_accounts` batches, each read
//! ahead in one pass, loaded on the run's workers — and held together, since every figure is
//! computed over all their rows (`opsreport_metrics::customer`). An account without data for the
//! period, or whose data cannot be read, is left out and named on the cover and in
//! `metrics.json`: the review is written, marked partial, and the run exits 1. A customer none
//! of whose accounts can be read fails alone; the other customers are still written.

use std::time::Instant;

use opsreport_extract::AccountData;
use opsreport_metrics::MetricsContext;
use opsreport_metrics::customer::{CustomerScope, Part};
use opsreport_model::metrics::AccountNotIncluded;
use opsreport_model::{AccountId, Config, CustomerId, Subject};
use sha2::{Digest, Sha256};
use tracing::info_span;

use super::{GenerateArgs, Plan, Resolved, complete, plan, render_formats, report_files, write};
use crate::failure::{EXIT_SOME_FAILED, Failure, Outcome};
use crate::logging::{self, LogFormat};
use crate::pipeline;
use opsreport_model::format::plural;

/// Every account of `customers`, sorted, each once.
pub(super) fn accounts_of(config: &Config, customers: &[CustomerId]) -> Vec<AccountId> {
    let mut accounts: Vec<AccountId> =
        customers.iter().filter_map(|id| config.customers.get(id)).flat_map(|customer| customer.accounts.clone()).collect();
    accounts.sort();
    accounts.dedup();
    accounts
}

/// How one customer's review turned out.
struct Reviewed {
    folder: String,
    pages: usize,
    included: usize,
    not_included: Vec<AccountNotIncluded>,
}

/// Writes the review of every selected customer, one after the other (each holds all its
/// accounts' data); a customer's failure does not stop the others.
pub(super) fn run(config: &Config, args: &GenerateArgs, resolved: &Resolved, log_format: LogFormat) -> Outcome {
    if args.prepare {
        return Err(Failure::bad_input(anyhow::anyhow!(
            "--prepare goes with --all-accounts; a customer's review reads its accounts in the run's own batches"
        )));
    }
    let plan = plan(config, args, resolved)?;
    opsreport_render::warm_up();
    let generated_on = resolved.generated_on.to_string();
    let (mut failed, mut partial, mut skipped) = (Vec::new(), 0, 0);
    for customer in &resolved.customers {
        let subject = Subject::Customer(customer.clone());
        if args.resume && complete(&plan.sink, &subject, resolved.period.id(), &generated_on) {
            tracing::info!("--resume: the review of customer {customer} for {} is complete, skipped", resolved.period.label());
            skipped += 1;
            continue;
        }
        let span = info_span!("customer", customer_id = customer.as_str(), month = resolved.period.label().as_str());
        match span.in_scope(|| review(config, resolved, &plan, customer)) {
            Ok(reviewed) => {
                partial += usize::from(!reviewed.not_included.is_empty());
                log_review(customer, &reviewed);
            }
            Err(failure) => {
                tracing::error!("customer {customer}: {:#}", failure.error);
                failed.push(failure);
            }
        }
    }
    let count = resolved.customers.len();
    if log_format == LogFormat::Human && count > 1 {
        let written = count - failed.len() - skipped;
        logging::write_stderr(
            format!(
                "{} for {}: {written} written ({partial} partial), {} skipped, {} failed\n",
                plural(count as u64, "customer review", "customer reviews"),
                resolved.period.label(),
                skipped,
                failed.len()
            )
            .as_bytes(),
        );
    }
    Ok(match (failed.first(), partial) {
        (None, 0) => 0,
        (Some(failure), _) if count == 1 => failure.code,
        _ => EXIT_SOME_FAILED,
    })
}

fn log_review(customer: &CustomerId, reviewed: &Reviewed) {
    let total = reviewed.included + reviewed.not_included.len();
    tracing::info!(
        "wrote {} ({} pages): the review of customer {customer} over {} of its {}",
        reviewed.folder,
        reviewed.pages,
        reviewed.included,
        plural(total as u64, "account", "accounts")
    );
    for left in &reviewed.not_included {
        tracing::warn!("customer {customer}: account {} is not in the review: {}", left.account_id, left.reason);
    }
}

/// Reads a customer's accounts, computes its review and writes it.
fn review(config: &Config, resolved: &Resolved, plan: &Plan, customer: &CustomerId) -> Result<Reviewed, Failure> {
    let settings = &config.customers[customer];
    let period = resolved.period;
    let (parts, digests, not_included) = read_accounts(config, resolved, plan, &settings.accounts);
    if parts.is_empty() {
        let reasons: Vec<String> = not_included.iter().map(|left| format!("{}: {}", left.account_id, left.reason)).collect();
        return Err(Failure::bad_input(anyhow::anyhow!(
            "none of its {} has data for {} ({})",
            plural(settings.accounts.len() as u64, "account", "accounts"),
            period.label(),
            reasons.join("; ")
        )));
    }
    let notes = resolved.source.customer_notes(customer, &period).map_err(Failure::from_extract)?;
    let context = MetricsContext {
        subject: Subject::Customer(customer.clone()),
        period,
        config: config.clone(),
        generated_on: resolved.generated_on,
        generator_version: pipeline::generator_version(),
        input_fingerprint: fingerprint(config, customer, &digests, notes.as_ref())?,
    };
    let included = parts.len();
    let scope = CustomerScope { id: customer.clone(), name: settings.name.clone(), not_included };
    let metrics = info_span!("metrics")
        .in_scope(|| opsreport_metrics::customer::compute(scope, parts, &context))
        .map_err(Failure::source_or_sink)?;
    let rendered = info_span!("render").in_scope(|| render_formats(config, plan, &metrics, notes.as_ref()))?;
    let pages = rendered.pages;
    let files = report_files(&metrics, rendered)?;
    let folder = write(plan, &metrics, &files)?;
    let not_included = metrics.customer.map(|rollup| rollup.not_included).unwrap_or_default();
    Ok(Reviewed { folder, pages, included, not_included })
}

/// The accounts' inputs, batch by batch as a fleet reads them: the parts with data, their input
/// digests (account order), and the accounts left out with why.
fn read_accounts(
    config: &Config,
    resolved: &Resolved,
    plan: &Plan,
    accounts: &[AccountId],
) -> (Vec<Part>, Vec<(AccountId, String)>, Vec<AccountNotIncluded>) {
    let mut sorted = accounts.to_vec();
    sorted.sort();
    let size = if resolved.remote { (config.athena.batch_accounts as usize).max(1) } else { sorted.len().max(1) };
    let (mut parts, mut digests, mut not_included) = (Vec::new(), Vec::new(), Vec::new());
    for batch in sorted.chunks(size) {
        let started = Instant::now();
        if let Err(error) = resolved.source.prefetch(batch, &resolved.period) {
            let reason = format!("{:#}", Failure::from_extract(error).error);
            not_included
                .extend(batch.iter().map(|account| AccountNotIncluded { account_id: account.clone(), reason: reason.clone() }));
            continue;
        }
        tracing::debug!(
            "read ahead {} in {:.0} ms",
            plural(batch.len() as u64, "account", "accounts"),
            started.elapsed().as_secs_f64() * 1000.0
        );
        let loaded = crate::fleet::for_each_parallel(
            batch.len(),
            plan.workers,
            |index| resolved.source.load_account(&batch[index], &resolved.period),
            |_, _| {},
        );
        for (account, result) in batch.iter().zip(loaded) {
            match result {
                Ok(Ok(data)) if has_data(&data) => {
                    digests.push((account.clone(), data.input_digest.clone()));
                    parts.push(Part { account: account.clone(), input: pipeline::input(&data) });
                }
                Ok(Ok(_)) => not_included.push(AccountNotIncluded {
                    account_id: account.clone(),
                    reason: format!("no data for {}", resolved.period.label()),
                }),
                Ok(Err(error)) => not_included.push(AccountNotIncluded {
                    account_id: account.clone(),
                    reason: format!("{:#}", Failure::from_extract(error).error),
                }),
                Err(panic) => not_included
                    .push(AccountNotIncluded { account_id: account.clone(), reason: format!("internal error (panic): {panic}") }),
            }
        }
    }
    (parts, digests, not_included)
}

fn has_data(data: &AccountData) -> bool {
    data.datasets.values().any(|dataset| dataset.frame.is_some())
}

/// SHA-256 over the customer's settings, each included account's input digest, the review's
/// notes and the configuration: what the review was made from.
fn fingerprint(
    config: &Config,
    customer: &CustomerId,
    digests: &[(AccountId, String)],
    notes: Option<&opsreport_model::Notes>,
) -> Result<String, Failure> {
    let settings = serde_json::to_string(&config.customers[customer]).map_err(Failure::bad_input)?;
    let config_json = serde_json::to_string(config).map_err(Failure::bad_input)?;
    let mut digest = Sha256::new();
    digest.update(format!("customer {customer}\n{settings}\n").as_bytes());
    for (account, input) in digests {
        digest.update(format!("account {account} {input}\n").as_bytes());
    }
    if let Some(notes) = notes {
        digest.update(format!("notes\n{notes:?}\n").as_bytes());
    }
    digest.update(b"config\n");
    digest.update(config_json.as_bytes());
    Ok(opsreport_model::format::hex(&digest.finalize()))
}
