//! Property tests: random valid datasets (the fixture generator with a random seed, scale,
//! length and report time zone) must give metrics that keep their invariants — rates within
//! 0..100 or null, per-priority counts that add up to their totals, `open_at_end` equal to its
//! definition over the rows, data-quality counts that never exceed the rows read — and the same
//! input twice, or split into the period's rows and a history of counts, must give the same
//! `metrics.json`.

use opsreport_extract::{LocalSource, Source};
use opsreport_fixtures::{FixtureOptions, generate};
use opsreport_metrics::{MetricsContext, MetricsInput, compute};
use opsreport_model::period::parse_time_zone;
use opsreport_model::{Config, DatasetName, ReportPeriod, YearMonth};
use polars::prelude::*;
use proptest::prelude::*;
use serde_json::Value;

/// Keys that are shares of a whole (0..100). Changes and usage against a budget are not.
const RATE_KEYS: &[&str] = &[
    "auto_remediated_pct",
    "automated_pct",
    "compliance_pct",
    "coverage_pct",
    "false_positive_pct",
    "incident_rate_pct",
    "mw_coverage_pct",
    "on_time_pct",
    "resolution_sla_pct",
    "response_sla_pct",
    "ri_sp_share_pct",
    "success_rate_pct",
];

const ZONES: &[&str] = &["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Auckland"];

/// Every problem with the invariants found below `value`, with its JSON path.
fn check_json(path: &str, key: &str, value: &Value, problems: &mut Vec<String>) {
    if RATE_KEYS.contains(&key) {
        let mut rates = Vec::new();
        collect_numbers(value, &mut rates);
        for rate in rates {
            if !(0.0..=100.0).contains(&rate) {
                problems.push(format!("{path} = {rate} is outside 0..100"));
            }
        }
    }
    match value {
        Value::Object(map) => {
            let priorities: Option<Vec<u64>> =
                ["High", "Medium", "Low", "total"].iter().map(|p| map.get(*p).and_then(Value::as_u64)).collect();
            if let (Some(counts), 4) = (priorities, map.len())
                && counts[0] + counts[1] + counts[2] != counts[3]
            {
                problems.push(format!("{path}: {} + {} + {} != total {}", counts[0], counts[1], counts[2], counts[3]));
            }
            for (child_key, child) in map {
                check_json(&format!("{path}.{child_key}"), child_key, child, problems);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                check_json(&format!("{path}[{index}]"), key, item, problems);
            }
        }
        _ => {}
    }
}

fn collect_numbers(value: &Value, found: &mut Vec<f64>) {
    match value {
        Value::Number(number) => found.extend(number.as_f64()),
        Value::Object(map) => map.values().for_each(|child| collect_numbers(child, found)),
        Value::Array(items) => items.iter().for_each(|child| collect_numbers(child, found)),
        _ => {}
    }
}

fn microseconds(instant: chrono::DateTime<chrono::Utc>) -> i64 {
    instant.timestamp_micros()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn metrics_keep_their_invariants_on_random_valid_data(
        seed in any::<u64>(),
        scale in 0.02f64..0.25,
        months in 1u32..4,
        zone in 0usize..ZONES.len(),
    ) {
        let scratch = tempfile::tempdir().unwrap();
        let last_month = YearMonth::parse("2026-10").unwrap();
        let options = FixtureOptions { accounts: 1, months, scale, seed, last_month };
        let summary = generate(scratch.path(), &options).unwrap();
        let account = summary.accounts[0].clone();
        let period = ReportPeriod::new(last_month, parse_time_zone(ZONES[zone]).unwrap());
        let source = LocalSource::new(scratch.path()).unwrap();
        let data = source.load_account(&account, &period).unwrap();
        let input = MetricsInput {
            frames: data.frames(),
        histories: data.histories(),
            quality: data.quality(), several_accounts: false };
        let context = MetricsContext {
            subject: opsreport_model::Subject::Account(account.clone()),
            period,
            config: Config::default(),
            generated_on: period.default_generated_on(),
            generator_version: "opsreport properties".into(),
            input_fingerprint: data.input_digest.clone(),
        };
        let first = serde_json::to_string(&compute(&input, &context).unwrap()).unwrap();
        let second = serde_json::to_string(&compute(&input, &context).unwrap()).unwrap();
        prop_assert_eq!(&first, &second, "the same input gave two different metrics.json");

        // A large account keeps the period's rows and a history of counts (`history.rs`): the
        // same rows, split so, give the same metrics in every zone.
        prop_assert!(input.histories.is_empty(), "a small account is not split");
        let mut split = input.clone();
        for dataset in DatasetName::ALL {
            if let Some(frame) = split.frames.remove(&dataset) {
                let (rows, history) = opsreport_extract::history::split(dataset.spec(), frame, &period).unwrap();
                split.frames.insert(dataset, rows);
                split.histories.extend(history.map(|history| (dataset, history)));
            }
        }
        prop_assert_eq!(split.histories.len(), 2, "alerts and backup jobs have a history");
        let from_split = serde_json::to_string(&compute(&split, &context).unwrap()).unwrap();
        prop_assert_eq!(&first, &from_split, "the split rows gave other metrics");

        let json: Value = serde_json::from_str(&first).unwrap();
        let mut problems = Vec::new();
        check_json("metrics", "", &json, &mut problems);
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));

        // open_at_end, from its definition: created before the end, not resolved before the end.
        let incidents = data.dataset(DatasetName::Incidents).frame.clone().expect("incidents are generated");
        let end = lit(microseconds(period.end())).cast(DataType::Int64);
        let open = incidents
            .lazy()
            .filter(
                col("created_at").cast(DataType::Int64).lt(end.clone())
                    .and(col("resolved_at").is_null().or(col("resolved_at").cast(DataType::Int64).gt_eq(end))),
            )
            .collect()
            .unwrap()
            .height() as u64;
        prop_assert_eq!(json["incidents"]["open_at_end"].as_u64(), Some(open));

        for quality in json["data_quality"].as_array().unwrap() {
            let read = quality["rows_read"].as_u64().unwrap_or(0);
            for counter in ["rows_in_period", "duplicates_dropped", "rows_with_required_nulls", "rows_with_unknown_values"] {
                let value = quality[counter].as_u64().unwrap_or(0);
                prop_assert!(value <= read, "{}: {} = {} > rows_read {}", quality["dataset"], counter, value, read);
            }
        }
    }
}
