//! Operations on Demand as the service terms say (`docs/metrics.md`, "Operations on Demand"):
//! "Billing is block-based; unused whole blocks will not be billed"; "one block is equal to 20
//! hours of operational resource time in a given calendar month"; an engagement (and a
//! modification) begins on the first day of the month after approval, or of the second month
//! when approved after the 20th; partial approval; a block rate turns blocks into money. Each
//! case is built in memory and worked out by hand.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use opsreport_metrics::{MetricsContext, MetricsInput, compute};
use opsreport_model::metrics::{OodEngagement, OodMetrics};
use opsreport_model::period::parse_time_zone;
use opsreport_model::{AccountId, Config, DatasetName, ReportPeriod, YearMonth};
use polars::prelude::*;

/// One row of `ood_engagements`: id, offering, blocks, basis, approved, start_override, ended,
/// requested_blocks, modifies.
type Row<'a> = (&'a str, &'a str, i64, &'a str, &'a str, Option<&'a str>, Option<&'a str>, Option<i64>, Option<&'a str>);

fn days(date: &str) -> i32 {
    (NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap() - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days() as i32
}

fn date_column(name: &str, values: Vec<Option<&str>>) -> Column {
    Column::new(name.into(), values.into_iter().map(|value| value.map(days)).collect::<Vec<_>>()).cast(&DataType::Date).unwrap()
}

fn engagements(rows: &[Row]) -> DataFrame {
    DataFrame::new_infer_height(vec![
        Column::new("aws_account_id".into(), rows.iter().map(|_| "000000000001").collect::<Vec<_>>()),
        Column::new("engagement_id".into(), rows.iter().map(|row| row.0).collect::<Vec<_>>()),
        Column::new("offering".into(), rows.iter().map(|row| row.1).collect::<Vec<_>>()),
        Column::new("blocks".into(), rows.iter().map(|row| row.2).collect::<Vec<_>>()),
        Column::new("basis".into(), rows.iter().map(|row| row.3).collect::<Vec<_>>()),
        date_column("approved_at", rows.iter().map(|row| Some(row.4)).collect()),
        date_column("start_override", rows.iter().map(|row| row.5).collect()),
        date_column("ended_at", rows.iter().map(|row| row.6).collect()),
        Column::new("requested_blocks".into(), rows.iter().map(|row| row.7).collect::<Vec<_>>()),
        Column::new("modifies".into(), rows.iter().map(|row| row.8).collect::<Vec<_>>()),
    ])
    .unwrap()
}

fn hours(rows: &[(&str, &str, f64)]) -> DataFrame {
    DataFrame::new_infer_height(vec![
        Column::new("aws_account_id".into(), rows.iter().map(|_| "000000000001").collect::<Vec<_>>()),
        Column::new("engagement_id".into(), rows.iter().map(|row| row.0).collect::<Vec<_>>()),
        date_column("work_date", rows.iter().map(|row| Some(row.1)).collect()),
        Column::new("hours".into(), rows.iter().map(|row| row.2).collect::<Vec<_>>()),
        Column::new("description".into(), rows.iter().map(|_| None::<&str>).collect::<Vec<_>>()),
    ])
    .unwrap()
}

fn ood(month: &str, rows: &[Row], worked: Option<&[(&str, &str, f64)]>, rates: &[(&str, f64)]) -> OodMetrics {
    let mut frames = BTreeMap::new();
    frames.insert(DatasetName::OodEngagements, engagements(rows));
    if let Some(worked) = worked {
        frames.insert(DatasetName::OodHours, hours(worked));
    }
    let mut config = Config::default();
    config.ood.block_rates = rates.iter().map(|(offering, rate)| (offering.to_string(), *rate)).collect();
    let period = ReportPeriod::new(YearMonth::parse(month).unwrap(), parse_time_zone("UTC").unwrap());
    let context = MetricsContext {
        subject: opsreport_model::Subject::Account(AccountId::parse("000000000001").unwrap()),
        period,
        config,
        generated_on: period.default_generated_on(),
        generator_version: "opsreport test".into(),
        input_fingerprint: "test".into(),
    };
    compute(&MetricsInput { frames, ..MetricsInput::default() }, &context).unwrap().ood
}

fn ids(metrics: &OodMetrics) -> Vec<&str> {
    metrics.engagements.iter().map(|engagement| engagement.engagement_id.as_str()).collect()
}

fn only(metrics: &OodMetrics) -> &OodEngagement {
    assert_eq!(metrics.engagements.len(), 1, "{:?}", ids(metrics));
    &metrics.engagements[0]
}

const EKS: &str = "Amazon EKS maintenance";

#[test]
fn december_approvals_start_in_january_or_february_and_the_year_turns() {
    let rows: [Row; 3] = [
        ("on-20th", EKS, 2, "monthly", "2026-12-20", None, None, None, None),
        ("after-20th", EKS, 1, "monthly", "2026-12-21", None, None, None, None),
        ("one-time", EKS, 3, "one_time", "2026-12-10", None, None, None, None),
    ];
    let worked = [("on-20th", "2026-12-28", 5.0), ("on-20th", "2027-01-05", 21.0), ("one-time", "2027-01-12", 30.0)];
    // December: nothing has started; hours worked before the start bill nothing.
    assert!(ood("2026-12", &rows, Some(&worked), &[]).engagements.is_empty());
    // January 2027: the one approved on 20 December and the one-time purchase start.
    let january = ood("2027-01", &rows, Some(&worked), &[]);
    assert_eq!(ids(&january), ["on-20th", "one-time"]);
    // 21 h of 40: ⌈21/20⌉ = 2 blocks; December's 5 h are not January's.
    let monthly = &january.engagements[0];
    assert_eq!((monthly.start_date.as_str(), monthly.hours_used, monthly.billed_blocks), ("2027-01-01", Some(21.0), Some(2)));
    // One-time, 3 blocks, 30 h used: ⌈30/20⌉ = 2 blocks billed — the unused whole block is not.
    let one_time = &january.engagements[1];
    assert_eq!((one_time.hours_used, one_time.hours_remaining, one_time.billed_blocks), (Some(30.0), Some(30.0), Some(2)));
    assert_eq!(january.billed_blocks, Some(4));
    // February: approved on 21 December starts; the one-time purchase is over.
    let february = ood("2027-02", &rows, Some(&worked), &[]);
    assert_eq!(ids(&february), ["on-20th", "after-20th"]);
    assert_eq!(february.engagements[1].start_date, "2027-02-01");
    // No hours recorded in February: 0 h, nothing billed (the month's hours data is present).
    assert_eq!(february.billed_blocks, Some(0));
}

#[test]
fn a_month_without_hours_data_bills_an_unknown_number_of_blocks() {
    let rows: [Row; 1] = [("e", EKS, 2, "monthly", "2026-09-01", None, None, None, None)];
    let metrics = ood("2026-10", &rows, None, &[(EKS, 1000.0)]);
    let engagement = only(&metrics);
    assert_eq!((engagement.hours_used, engagement.billed_blocks, engagement.billed_amount), (None, None, None));
    assert_eq!((metrics.billed_blocks, metrics.billed_amount), (None, None));
}

#[test]
fn overage_is_hours_beyond_the_blocks_and_money_follows_the_rate() {
    let rows: [Row; 2] = [
        ("e", EKS, 2, "monthly", "2026-09-01", None, None, None, None),
        ("t", "AWS Control Tower operations", 1, "monthly", "2026-09-01", None, None, None, None),
    ];
    let worked = [("e", "2026-10-03", 30.0), ("e", "2026-10-20", 15.5), ("t", "2026-10-09", 4.0)];
    let metrics = ood("2026-10", &rows, Some(&worked), &[(EKS, 1200.0)]);
    let eks = &metrics.engagements[0];
    // 45.5 h of 40: all 2 blocks billed, 5.5 h overage; $1,200 a block → $2,400 billed and
    // 5.5 / 20 × 1,200 = $330 of overage.
    assert_eq!((eks.billed_blocks, eks.overage_hours, eks.hours_remaining), (Some(2), Some(5.5), Some(0.0)));
    assert_eq!((eks.block_rate, eks.billed_amount, eks.overage_amount), (Some(1200.0), Some(2400.0), Some(330.0)));
    // No rate for Control Tower: blocks and hours only, and no total in money.
    let tower = &metrics.engagements[1];
    assert_eq!((tower.billed_blocks, tower.billed_amount), (Some(1), None));
    assert_eq!(metrics.billed_amount, None);
}

#[test]
fn a_modification_takes_effect_by_the_twentieth_rule_and_hours_on_its_id_count() {
    let rows: [Row; 3] = [
        ("e", EKS, 2, "monthly", "2026-06-10", None, None, None, None),
        // Approved 15 September → 4 blocks from October.
        ("e-up", EKS, 4, "monthly", "2026-09-15", None, None, None, Some("e")),
        // Approved 25 October → 1 block from December, not November.
        ("e-down", EKS, 1, "monthly", "2026-10-25", None, None, None, Some("e")),
    ];
    let worked = [("e", "2026-09-04", 40.0), ("e-up", "2026-10-04", 50.0), ("e", "2026-11-04", 61.0), ("e", "2026-12-04", 25.0)];
    let september = ood("2026-09", &rows, Some(&worked), &[]);
    let before = only(&september);
    assert_eq!((before.blocks, before.modification_id.as_deref(), before.billed_blocks), (2, None, Some(2)));
    let october = ood("2026-10", &rows, Some(&worked), &[]);
    let raised = only(&october);
    // 4 blocks (80 h) from 1 October; 50 h recorded against the modification: ⌈50/20⌉ = 3 blocks.
    assert_eq!((raised.blocks, raised.blocks_before, raised.modified_from.as_deref()), (4, Some(2), Some("2026-10-01")));
    assert_eq!((raised.modification_id.as_deref(), raised.hours_used, raised.billed_blocks), (Some("e-up"), Some(50.0), Some(3)));
    // November: still 4 blocks (the reduction approved after the 20th waits a month): 61 h → 4.
    let november = ood("2026-11", &rows, Some(&worked), &[]);
    assert_eq!((only(&november).blocks, only(&november).billed_blocks), (4, Some(4)));
    // December: 1 block; 25 h → min(1, ⌈25/20⌉) = 1 billed, 5 h overage.
    let december = ood("2026-12", &rows, Some(&worked), &[]);
    let lowered = only(&december);
    assert_eq!((lowered.blocks, lowered.billed_blocks, lowered.overage_hours), (1, Some(1), Some(5.0)));
    assert_eq!(lowered.modification_id.as_deref(), Some("e-down"));
}

#[test]
fn a_partial_approval_bills_the_approved_blocks() {
    // 4 blocks requested, 3 approved; 70 h worked: ⌈70/20⌉ = 4, but only the 3 approved are
    // billed, and the 10 h beyond the 60 approved are overage.
    let rows: [Row; 1] = [("p", EKS, 3, "monthly", "2026-09-01", None, None, Some(4), None)];
    let metrics = ood("2026-10", &rows, Some(&[("p", "2026-10-07", 70.0)]), &[]);
    let partial = only(&metrics);
    assert_eq!(
        (partial.requested_blocks, partial.blocks, partial.billed_blocks, partial.overage_hours),
        (Some(4), 3, Some(3), Some(10.0))
    );
}

#[test]
fn an_agreed_start_overrides_the_twentieth_rule() {
    // Approved 25 September (→ November by the rule) but both sides agreed on 1 October.
    let rows: [Row; 1] = [("o", EKS, 1, "one_time", "2026-09-25", Some("2026-10-01"), None, None, None)];
    assert_eq!(ids(&ood("2026-10", &rows, Some(&[]), &[])), ["o"]);
    assert!(ood("2026-11", &rows, Some(&[]), &[]).engagements.is_empty(), "a one-time purchase is for its start month only");
}
