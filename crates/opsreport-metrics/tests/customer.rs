//! A customer's review over its accounts' rows (`opsreport_metrics::customer`): one account's
//! input taken twice, as two accounts whose every id is the same, must give exactly twice every
//! count and the same every rate — ids that meet across accounts would join or group two
//! accounts' rows, and a mean of means would show — and an account whose snapshots stop early
//! is counted at its own latest snapshot.

use opsreport_extract::{LocalSource, Source};
use opsreport_fixtures::{FixtureOptions, generate};
use opsreport_metrics::customer::{CustomerScope, Part, compute as review};
use opsreport_metrics::{MetricsContext, MetricsInput, compute};
use opsreport_model::contract::ACCOUNT_COLUMN;
use opsreport_model::metrics::Metrics;
use opsreport_model::period::parse_time_zone;
use opsreport_model::{AccountId, Config, CustomerId, DatasetName, ReportPeriod, Subject, YearMonth};
use polars::prelude::*;

fn context(subject: Subject, period: ReportPeriod) -> MetricsContext {
    MetricsContext {
        subject,
        period,
        config: Config::default(),
        generated_on: period.default_generated_on(),
        generator_version: "opsreport customer test".into(),
        input_fingerprint: "f".into(),
    }
}

/// The input of a generated account for October 2026 in `zone`.
fn account_input(directory: &std::path::Path, zone: &str) -> (AccountId, MetricsInput, ReportPeriod) {
    let last_month = YearMonth::parse("2026-10").unwrap();
    let summary = generate(directory, &FixtureOptions { accounts: 1, months: 4, scale: 0.08, seed: 11, last_month }).unwrap();
    let account = summary.accounts[0].clone();
    let period = ReportPeriod::new(last_month, parse_time_zone(zone).unwrap());
    let data = LocalSource::new(directory).unwrap().load_account(&account, &period).unwrap();
    let input =
        MetricsInput { frames: data.frames(), histories: data.histories(), quality: data.quality(), several_accounts: false };
    (account, input, period)
}

/// `input` as another account's: its account column rewritten, and its billing rows the new
/// account's own charges.
fn as_account(input: &MetricsInput, account: &AccountId) -> MetricsInput {
    let mut other = input.clone();
    for (dataset, frame) in other.frames.iter_mut() {
        let mut columns = vec![lit(account.to_string()).alias(ACCOUNT_COLUMN)];
        if *dataset == DatasetName::Billing {
            columns.push(lit(account.to_string()).alias("linked_account_id"));
        }
        *frame = frame.clone().lazy().with_columns(columns).collect().unwrap();
    }
    other
}

/// `input` without the rows of the latest snapshot day of the snapshot datasets: an account
/// whose snapshot export stopped a day early.
fn without_latest_snapshot(input: &MetricsInput) -> MetricsInput {
    let mut other = input.clone();
    for dataset in [DatasetName::PatchDetails, DatasetName::Storage, DatasetName::Stacks, DatasetName::TrustedAdvisor] {
        if let Some(frame) = other.frames.get_mut(&dataset) {
            let latest = col("snapshot_date").max();
            *frame = frame.clone().lazy().filter(col("snapshot_date").lt(latest)).collect().unwrap();
        }
    }
    other
}

fn customer_review(parts: Vec<Part>, period: ReportPeriod) -> Metrics {
    let id = CustomerId::parse("acme").unwrap();
    let scope = CustomerScope { id: id.clone(), name: "Acme".into(), not_included: Vec::new() };
    review(scope, parts, &context(Subject::Customer(id), period)).unwrap()
}

fn twice(count: Option<u64>) -> Option<u64> {
    count.map(|count| count * 2)
}

fn close(left: Option<f64>, right: Option<f64>, what: &str) {
    match (left, right) {
        (Some(left), Some(right)) => assert!((left - right).abs() < 1e-6, "{what}: {left} against {right}"),
        (left, right) => assert_eq!(left, right, "{what}"),
    }
}

#[test]
fn an_account_twice_is_every_count_twice_and_every_rate_the_same() {
    let scratch = tempfile::tempdir().unwrap();
    let (account, input, period) = account_input(scratch.path(), "Europe/Berlin");
    let one = compute(&input, &context(Subject::Account(account.clone()), period)).unwrap();
    let copy = AccountId::parse("999999999999").unwrap();
    let parts = vec![
        Part { account: account.clone(), input: input.clone() },
        Part { account: copy.clone(), input: as_account(&input, &copy) },
    ];
    let both = customer_review(parts, period);
    assert_eq!(both.subject, Subject::Customer(CustomerId::parse("acme").unwrap()));
    assert_eq!(both.incidents.opened.total, one.incidents.opened.total * 2);
    assert_eq!(both.incidents.open_at_end, twice(one.incidents.open_at_end));
    assert_eq!(both.alerts.total, twice(one.alerts.total));
    assert_eq!(both.backups.jobs, twice(one.backups.jobs));
    assert_eq!(both.backups.rpo_breaches, twice(one.backups.rpo_breaches));
    assert_eq!(both.backups.rpo_breach_resources.len(), one.backups.rpo_breach_resources.len() * 2);
    assert_eq!(both.patching.instances, twice(one.patching.instances));
    assert_eq!(both.patching.patches_installed, twice(one.patching.patches_installed));
    assert_eq!(both.patching.critical_overdue, twice(one.patching.critical_overdue));
    assert_eq!(both.stacks.total, twice(one.stacks.total));
    assert_eq!(both.storage.used_bytes["total"], one.storage.used_bytes["total"] * 2);
    assert_eq!(both.storage.near_capacity.len(), one.storage.near_capacity.len() * 2);
    assert_eq!(both.trusted_advisor.resources_flagged, twice(one.trusted_advisor.resources_flagged));
    assert_eq!(both.trusted_advisor.new_findings.len(), one.trusted_advisor.new_findings.len() * 2);
    assert_eq!(both.ood.engagements.len(), one.ood.engagements.len() * 2);
    assert_eq!(both.ood.billed_blocks, twice(one.ood.billed_blocks));
    assert_eq!(both.availability.console.checks_total, twice(one.availability.console.checks_total));
    close(both.ood.hours_used, one.ood.hours_used.map(|hours| hours * 2.0), "OOD hours");
    close(both.cost.total, one.cost.total.map(|total| total * 2.0), "cost");
    close(both.patching.compliance_pct, one.patching.compliance_pct, "patch compliance");
    close(both.backups.success_rate_pct, one.backups.success_rate_pct, "backup success");
    close(both.availability.console.pct, one.availability.console.pct, "console availability");
    close(both.incidents.response_sla_pct.high, one.incidents.response_sla_pct.high, "P1 response SLA");
    close(both.rfcs.success_rate_pct, one.rfcs.success_rate_pct, "RFC success");
    assert!(both.ood.engagements.iter().any(|engagement| engagement.engagement_id.starts_with("999999999999/")));
    for (trend, single) in both.alerts.trend.iter().zip(&one.alerts.trend) {
        assert_eq!(trend.total, twice(single.total), "alerts of {}", trend.month);
    }
    let rollup = both.customer.as_ref().unwrap();
    assert_eq!(rollup.accounts.len(), 2);
    for figures in &rollup.accounts {
        assert_eq!(figures.incidents_opened, Some(one.incidents.opened.total));
        close(figures.patch_compliance_pct, one.patching.compliance_pct, "an account's own compliance");
        close(figures.cost_total, one.cost.total, "an account's own cost");
    }
    // Equal accounts rank by id.
    assert_eq!(rollup.accounts[0].account_id, account);
    assert_eq!((rollup.accounts[0].rank, rollup.accounts[1].rank), (1, 2));
    let quality = both.data_quality.iter().find(|quality| quality.dataset == DatasetName::Incidents).unwrap();
    let single = one.data_quality.iter().find(|quality| quality.dataset == DatasetName::Incidents).unwrap();
    assert_eq!(quality.rows_read, single.rows_read * 2);
    assert_eq!(quality.files_read.len(), single.files_read.len() * 2);
}

#[test]
fn an_account_whose_snapshots_stop_early_is_counted_at_its_own_latest_snapshot() {
    let scratch = tempfile::tempdir().unwrap();
    let (account, input, period) = account_input(scratch.path(), "UTC");
    let late = AccountId::parse("999999999999").unwrap();
    let early = without_latest_snapshot(&as_account(&input, &late));
    let one = compute(&input, &context(Subject::Account(account.clone()), period)).unwrap();
    let other = compute(&early, &context(Subject::Account(late.clone()), period)).unwrap();
    assert!(other.patching.snapshot_date < one.patching.snapshot_date, "the copy's snapshots end a day early");
    let parts = vec![Part { account, input }, Part { account: late, input: early }];
    let both = customer_review(parts, period);
    let sum = |left: Option<u64>, right: Option<u64>| Some(left.unwrap() + right.unwrap());
    assert_eq!(both.patching.instances, sum(one.patching.instances, other.patching.instances));
    assert_eq!(both.patching.compliant, sum(one.patching.compliant, other.patching.compliant));
    assert_eq!(both.stacks.total, sum(one.stacks.total, other.stacks.total));
    assert_eq!(both.storage.used_bytes["total"], one.storage.used_bytes["total"] + other.storage.used_bytes["total"]);
    assert_eq!(
        both.trusted_advisor.resources_flagged,
        sum(one.trusted_advisor.resources_flagged, other.trusted_advisor.resources_flagged)
    );
    // The review's snapshot is the latest of its accounts'.
    assert_eq!(both.patching.snapshot_date, one.patching.snapshot_date);
    let compliant = (one.patching.compliant.unwrap() + other.patching.compliant.unwrap()) as f64;
    let instances = (one.patching.instances.unwrap() + other.patching.instances.unwrap()) as f64;
    close(both.patching.compliance_pct, Some(compliant / instances * 100.0), "compliance over all instances");
}

/// `input` split as a large account's is: the period's rows and a history of counts.
fn split(input: &MetricsInput, period: &ReportPeriod) -> MetricsInput {
    let mut split = input.clone();
    for dataset in DatasetName::ALL {
        if let Some(frame) = split.frames.remove(&dataset) {
            let (rows, history) = opsreport_extract::history::split(dataset.spec(), frame, period).unwrap();
            split.frames.insert(dataset, rows);
            split.histories.extend(history.map(|history| (dataset, history)));
        }
    }
    split
}

#[test]
fn a_large_account_s_history_and_a_small_account_s_rows_make_one_trend() {
    let scratch = tempfile::tempdir().unwrap();
    let (account, input, period) = account_input(scratch.path(), "America/New_York");
    let one = compute(&input, &context(Subject::Account(account.clone()), period)).unwrap();
    let small = AccountId::parse("999999999999").unwrap();
    let large = split(&input, &period);
    assert_eq!(large.histories.len(), 2, "alerts and backup jobs keep a history");
    let parts = vec![Part { account, input: large }, Part { account: small.clone(), input: as_account(&input, &small) }];
    let both = customer_review(parts, period);
    for (trend, single) in both.alerts.trend.iter().zip(&one.alerts.trend) {
        assert_eq!(trend.total, twice(single.total), "alerts of {}", trend.month);
        assert_eq!(trend.auto_remediated, twice(single.auto_remediated), "auto-remediated alerts of {}", trend.month);
    }
    for (trend, single) in both.backups.trend.iter().zip(&one.backups.trend) {
        close(trend.pct, single.pct, "backup success trend");
    }
    assert_eq!(both.backups.jobs, twice(one.backups.jobs));
}
