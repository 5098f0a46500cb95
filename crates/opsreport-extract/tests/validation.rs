//! The local source against bad and unusual files: each kind of fatal problem names the
//! dataset, file and column (or row); each recoverable one is counted; unrelated partitions are
//! never opened.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use opsreport_extract::{ExtractError, LocalSource, Source};
use opsreport_fixtures::table::{Table, write_parquet};
use opsreport_model::period::parse_time_zone;
use opsreport_model::{AccountId, DatasetName, ReportPeriod, YearMonth};
use polars::prelude::*;

const ACCOUNT: &str = "000111222333";

fn account() -> AccountId {
    AccountId::parse(ACCOUNT).unwrap()
}

fn october() -> ReportPeriod {
    ReportPeriod::new(YearMonth::parse("2026-10").unwrap(), parse_time_zone("UTC").unwrap())
}

fn ts(text: &str) -> Option<DateTime<Utc>> {
    Some(DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc))
}

fn partition(root: &Path, dataset: &str, account: &str, month: &str) -> PathBuf {
    root.join(dataset).join(format!("aws_account_id={account}")).join(format!("month={month}"))
}

/// One valid alert row per (id, severity, outcome).
fn alerts(rows: &[(&str, &str, &str)]) -> DataFrame {
    let mut table = Table::new(DatasetName::Alerts);
    for (id, severity, outcome) in rows {
        table
            .text("alert_id", Some(*id))
            .text("source", Some("CloudWatch"))
            .text("severity", Some(*severity))
            .text("resource_id", None::<String>)
            .timestamp("created_at", ts("2026-10-05T10:00:00Z"))
            .timestamp("closed_at", None)
            .text("outcome", Some(*outcome))
            .text("incident_case_id", None::<String>);
    }
    table.into_frame().unwrap()
}

fn write(root: &Path, dataset: &str, month: &str, name: &str, frame: &mut DataFrame) -> String {
    let path = partition(root, dataset, ACCOUNT, month).join(name);
    write_parquet(&path, frame).unwrap();
    path.strip_prefix(root).unwrap().to_string_lossy().into_owned()
}

fn load_error(root: &Path) -> String {
    let source = LocalSource::new(root).unwrap();
    let error = source.load_account(&account(), &october()).expect_err("the load must fail");
    assert!(error.is_bad_input(), "{error}");
    error.to_string()
}

#[test]
fn missing_required_column_names_dataset_file_and_column() {
    let root = tempfile::tempdir().unwrap();
    let mut frame = alerts(&[("a1", "High", "Open")]).drop("outcome").unwrap();
    let file = write(root.path(), "alerts", "2026-10", "part.parquet", &mut frame);
    let message = load_error(root.path());
    assert!(message.contains("dataset alerts") && message.contains(&file) && message.contains("`outcome`"), "{message}");
    assert!(message.contains("docs/data-contract.md"), "says what to do: {message}");
}

#[test]
fn wrong_type_names_the_column_and_both_types() {
    let root = tempfile::tempdir().unwrap();
    let mut frame = alerts(&[("a1", "High", "Open")]);
    frame.replace("severity", Column::new("severity".into(), [3i64])).unwrap();
    write(root.path(), "alerts", "2026-10", "part.parquet", &mut frame);
    let message = load_error(root.path());
    assert!(
        message.contains("`severity`") && message.contains("i64") && message.contains("the contract says string"),
        "{message}"
    );
}

#[test]
fn garbage_empty_and_truncated_files_are_unreadable() {
    for (name, bytes) in [
        ("garbage", b"this is not parquet at all, just text".to_vec()),
        ("empty", Vec::new()),
        ("truncated", {
            let scratch = tempfile::tempdir().unwrap();
            let path = scratch.path().join("x.parquet");
            write_parquet(&path, &mut alerts(&[("a1", "High", "Open"), ("a2", "Low", "Open")])).unwrap();
            let bytes = fs::read(&path).unwrap();
            bytes[..bytes.len() / 2].to_vec()
        }),
    ] {
        let root = tempfile::tempdir().unwrap();
        let folder = partition(root.path(), "alerts", ACCOUNT, "2026-10");
        fs::create_dir_all(&folder).unwrap();
        fs::write(folder.join(format!("{name}.parquet")), bytes).unwrap();
        let message = load_error(root.path());
        assert!(
            message.contains("not a readable Parquet file") && message.contains(&format!("{name}.parquet")),
            "{name}: {message}"
        );
    }
}

#[test]
fn all_null_required_column_is_fatal() {
    let root = tempfile::tempdir().unwrap();
    let mut frame = alerts(&[("a1", "High", "Open"), ("a2", "Low", "Open")]);
    frame.replace("source", Column::new("source".into(), [None::<&str>, None])).unwrap();
    write(root.path(), "alerts", "2026-10", "part.parquet", &mut frame);
    let message = load_error(root.path());
    assert!(message.contains("`source` is null in all 2 rows"), "{message}");
}

#[test]
fn rows_of_another_account_are_fatal() {
    let root = tempfile::tempdir().unwrap();
    let mut frame = alerts(&[("a1", "High", "Open"), ("a2", "Low", "Open")]);
    frame.with_column(Column::new("aws_account_id".into(), [ACCOUNT, "999999999999"])).unwrap();
    write(root.path(), "alerts", "2026-10", "part.parquet", &mut frame);
    let message = load_error(root.path());
    assert!(message.contains("row 1") && message.contains("999999999999") && message.contains(ACCOUNT), "{message}");
}

#[test]
fn conflicting_duplicates_are_fatal_and_name_both_files() {
    let root = tempfile::tempdir().unwrap();
    write(root.path(), "alerts", "2026-10", "a.parquet", &mut alerts(&[("a1", "High", "Open")]));
    write(root.path(), "alerts", "2026-10", "b.parquet", &mut alerts(&[("a1", "Low", "Open")]));
    let message = load_error(root.path());
    assert!(message.contains("alert_id a1 appears 2 times"), "{message}");
    assert!(message.contains("a.parquet") && message.contains("b.parquet"), "{message}");
}

#[test]
fn recoverable_problems_are_counted_not_fatal() {
    let root = tempfile::tempdir().unwrap();
    // a2 is an exact duplicate of a1's file row; " high " and "LOW" normalise; "Severe" and
    // "Maybe" are unknown; a5 has a null required column.
    let mut first = alerts(&[("a1", " high ", "open"), ("a2", "LOW", "AutoRemediated"), ("a3", "Severe", "Maybe")]);
    let mut again = alerts(&[("a2", "LOW", "AutoRemediated"), ("a5", "Low", "Open")]);
    again.replace("source", Column::new("source".into(), [Some("CloudWatch"), None])).unwrap();
    write(root.path(), "alerts", "2026-10", "a.parquet", &mut first);
    write(root.path(), "alerts", "2026-10", "b.parquet", &mut again);
    let source = LocalSource::new(root.path()).unwrap();
    let data = source.load_account(&account(), &october()).unwrap();
    let dataset = data.dataset(DatasetName::Alerts);
    let quality = &dataset.quality;
    assert_eq!(quality.rows_read, 5);
    assert_eq!(quality.rows_with_required_nulls, 1);
    assert_eq!(quality.duplicates_dropped, 1);
    assert_eq!(quality.rows_with_unknown_values, 1);
    assert_eq!(quality.unknown_values["severity"]["Severe"], 1);
    assert_eq!(quality.unknown_values["outcome"]["Maybe"], 1);
    assert_eq!(quality.rows_in_period, 3);
    let frame = dataset.frame.as_ref().unwrap();
    let severities: Vec<Option<&str>> = frame.column("severity").unwrap().str().unwrap().iter().collect();
    assert_eq!(severities, [Some("High"), Some("Low"), Some("Other")]);
    let outcomes: Vec<Option<&str>> = frame.column("outcome").unwrap().str().unwrap().iter().collect();
    assert_eq!(outcomes, [Some("Open"), Some("AutoRemediated"), Some("Other")]);
    assert_eq!(frame.column("aws_account_id").unwrap().str().unwrap().get(0), Some(ACCOUNT));
}

#[test]
fn an_enum_column_with_many_distinct_values_is_normalised_row_by_row() {
    // 70 distinct severities (more than the distinct-value path takes): " high " still reads as
    // High, the 69 others are unknown, and the ten most frequent are listed (all once: by name).
    let root = tempfile::tempdir().unwrap();
    let severities: Vec<String> = std::iter::once(" high ".to_owned()).chain((0..69).map(|n| format!("level-{n:02}"))).collect();
    let ids: Vec<String> = (0..70).map(|n| format!("a{n}")).collect();
    let rows: Vec<(&str, &str, &str)> =
        ids.iter().zip(&severities).map(|(id, severity)| (id.as_str(), severity.as_str(), "Open")).collect();
    write(root.path(), "alerts", "2026-10", "a.parquet", &mut alerts(&rows));
    let data = LocalSource::new(root.path()).unwrap().load_account(&account(), &october()).unwrap();
    let dataset = data.dataset(DatasetName::Alerts);
    assert_eq!(dataset.quality.rows_with_unknown_values, 69);
    let listed: Vec<&String> = dataset.quality.unknown_values["severity"].keys().collect();
    assert_eq!(listed.len(), 10);
    assert_eq!(listed[0], "level-00");
    let frame = dataset.frame.as_ref().unwrap();
    let severity = frame.column("severity").unwrap().str().unwrap();
    assert_eq!(severity.iter().filter(|value| *value == Some("High")).count(), 1);
    assert_eq!(severity.iter().filter(|value| *value == Some("Other")).count(), 69);
}

#[test]
fn a_backup_job_reported_twice_keeps_the_latest_report() {
    let root = tempfile::tempdir().unwrap();
    let mut table = Table::new(DatasetName::BackupJobs);
    for (reported, status) in [("2026-10-02T06:00:00Z", "COMPLETED"), ("2026-10-01T06:00:00Z", "RUNNING")] {
        table
            .timestamp("dataset_datetime", ts(reported))
            .text("backup_job_id", Some("JOB-1"))
            .text("backup_job_status", Some(status))
            .text("backup_type", None::<String>)
            .timestamp("start_by_dt_utc", None)
            .timestamp("creation_dt_utc", ts("2026-10-01T02:00:00Z"))
            .timestamp("completion_dt_utc", None)
            .int("backup_size_in_bytes", None)
            .text("backup_plan_name", None::<String>)
            .text("backup_vault_name", None::<String>)
            .text("resource_id", Some("i-1"))
            .text("resource_type", Some("EC2"))
            .text("stack_id", None::<String>)
            .text("status_message", None::<String>)
            .boolean("recovery_point_is_encrypted", None);
    }
    let mut frame = table.into_frame().unwrap();
    write(root.path(), "backup_jobs", "2026-10", "daily.parquet", &mut frame);
    let data = LocalSource::new(root.path()).unwrap().load_account(&account(), &october()).unwrap();
    let dataset = data.dataset(DatasetName::BackupJobs);
    assert_eq!(dataset.quality.duplicates_dropped, 1);
    let frame = dataset.frame.as_ref().unwrap();
    assert_eq!(frame.height(), 1);
    assert_eq!(frame.column("backup_job_status").unwrap().str().unwrap().get(0), Some("COMPLETED"));
}

#[test]
fn losslessly_castable_types_are_accepted() {
    let root = tempfile::tempdir().unwrap();
    let mut frame = Table::new(DatasetName::Availability);
    frame
        .text("endpoint", Some("console"))
        .timestamp("window_start", ts("2026-10-01T00:00:00Z"))
        .int("window_minutes", Some(5))
        .int("checks_total", Some(5))
        .int("checks_failed", Some(1));
    let mut frame = frame.into_frame().unwrap();
    // int32 counts and a naive nanosecond timestamp (read as UTC).
    let narrow = frame.column("checks_total").unwrap().cast(&DataType::Int32).unwrap();
    frame.replace("checks_total", narrow).unwrap();
    let naive = frame
        .column("window_start")
        .unwrap()
        .cast(&DataType::Int64)
        .unwrap()
        .as_materialized_series()
        .i64()
        .unwrap()
        .apply_values(|micros| micros * 1000)
        .into_series()
        .cast(&DataType::Datetime(TimeUnit::Nanoseconds, None))
        .unwrap();
    frame.replace("window_start", naive.with_name("window_start".into()).into_column()).unwrap();
    write(root.path(), "availability", "2026-10", "p.parquet", &mut frame);
    let data = LocalSource::new(root.path()).unwrap().load_account(&account(), &october()).unwrap();
    let loaded = data.dataset(DatasetName::Availability).frame.clone().unwrap();
    assert_eq!(loaded.column("checks_total").unwrap().dtype(), &DataType::Int64);
    let window = loaded.column("window_start").unwrap();
    assert_eq!(window.dtype(), &DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)));
    let micros = window.cast(&DataType::Int64).unwrap().i64().unwrap().get(0).unwrap();
    assert_eq!(micros, ts("2026-10-01T00:00:00Z").unwrap().timestamp_micros());
    assert_eq!(data.dataset(DatasetName::Availability).quality.rows_in_period, 1);
}

#[test]
fn unrelated_partitions_are_never_opened() {
    let root = tempfile::tempdir().unwrap();
    let wanted = write(root.path(), "alerts", "2026-10", "part.parquet", &mut alerts(&[("a1", "High", "Open")]));
    // Poison: partitions a report for 2026-10 must not open. Reading any of them would fail.
    for (account, month) in [(ACCOUNT, "2026-03"), (ACCOUNT, "2026-11"), ("999999999999", "2026-10")] {
        let folder = partition(root.path(), "alerts", account, month);
        fs::create_dir_all(&folder).unwrap();
        fs::write(folder.join("poison.parquet"), b"not parquet").unwrap();
    }
    let data = LocalSource::new(root.path()).unwrap().load_account(&account(), &october()).unwrap();
    let quality = &data.dataset(DatasetName::Alerts).quality;
    assert_eq!(quality.files_read, vec![wanted]);
    assert_eq!(quality.months_read, vec!["2026-10".to_owned()]);
}

#[test]
fn hidden_and_marker_files_are_skipped_and_missing_datasets_are_marked() {
    let root = tempfile::tempdir().unwrap();
    write(root.path(), "alerts", "2026-10", "part.parquet", &mut alerts(&[("a1", "High", "Open")]));
    let folder = partition(root.path(), "alerts", ACCOUNT, "2026-10");
    fs::write(folder.join("_SUCCESS"), b"").unwrap();
    fs::write(folder.join(".part.parquet.crc"), b"x").unwrap();
    let data = LocalSource::new(root.path()).unwrap().load_account(&account(), &october()).unwrap();
    assert_eq!(data.dataset(DatasetName::Alerts).quality.files_read.len(), 1);
    let incidents = data.dataset(DatasetName::Incidents);
    assert!(incidents.frame.is_none() && incidents.quality.missing);
    assert!(incidents.quality.missing_reason.as_deref().unwrap().contains("absent"));
}

#[test]
fn accounts_lists_only_accounts_with_data_in_the_month() {
    let root = tempfile::tempdir().unwrap();
    write(root.path(), "alerts", "2026-10", "part.parquet", &mut alerts(&[("a1", "High", "Open")]));
    let folder = partition(root.path(), "alerts", "123456789012", "2026-09");
    fs::create_dir_all(&folder).unwrap();
    let source = LocalSource::new(root.path()).unwrap();
    assert_eq!(source.accounts(&october()).unwrap(), vec![account()]);
    fs::create_dir_all(root.path().join("alerts").join("aws_account_id=../x")).ok();
    fs::create_dir_all(root.path().join("alerts").join("aws_account_id=123")).unwrap();
    let error = source.accounts(&october()).unwrap_err();
    assert!(matches!(error, ExtractError::InvalidPartition { .. }), "{error}");
    // Entries are listed in name order: `aws_account_id=..` is the first bad one.
    assert!(error.to_string().contains("aws_account_id=.."), "{error}");
}

#[test]
fn a_missing_root_says_what_to_pass() {
    let error = LocalSource::new("/definitely/not/here").unwrap_err().to_string();
    assert!(error.contains("/definitely/not/here") && error.contains("--source"), "{error}");
}

#[test]
fn notes_with_wrong_types_name_the_file_and_key() {
    let root = tempfile::tempdir().unwrap();
    write(root.path(), "alerts", "2026-10", "part.parquet", &mut alerts(&[("a1", "High", "Open")]));
    let notes = root.path().join("notes").join(ACCOUNT);
    fs::create_dir_all(&notes).unwrap();
    fs::write(notes.join("2026-10.toml"), "customer_name = 42\n").unwrap();
    let message = load_error(root.path());
    assert!(message.contains("notes/000111222333/2026-10.toml") && message.contains("customer_name"), "{message}");
}

#[test]
fn a_row_in_the_wrong_month_folder_is_fatal() {
    let root = tempfile::tempdir().unwrap();
    // The alert is from 5 October, filed under September.
    let file = write(root.path(), "alerts", "2026-09", "part.parquet", &mut alerts(&[("a1", "High", "Open")]));
    let message = load_error(root.path());
    assert!(message.contains(&file) && message.contains("row 0") && message.contains("month=2026-09"), "{message}");
    assert!(message.contains("2026-10-05"), "{message}");
}
