//! The bad-input corpus: each case breaks one thing in a copy of the hand-made fixture (a file,
//! a value, a flag, the notes, the configuration, the output folder) and runs `opsreport
//! generate` end to end. A fatal case must exit with its code, name what is wrong (dataset, file,
//! column, row or account) and say what to do, and leave no `report.pdf` or `manifest.json` for
//! the account. A recoverable case (unknown enum values, exact duplicates, nulls in required
//! columns) must write the report and count the problem in the data-quality appendix.

use std::path::{Path, PathBuf};

use opsreport_fixtures::table::write_parquet;
use opsreport_tests::{Run, copy_tree, opsreport, repo_root};
use polars::prelude::*;

const ACCOUNT: &str = "000000000001";
const MONTH: &str = "2026-10";
const INDEX: &str = "__case_row";

/// What one case does to the copy and how the run is made.
struct Case {
    name: &'static str,
    /// Changes the dataset copy (root) before the run.
    setup: fn(&Path),
    /// Extra flags after the default selection (`--source data --account … --month …`), or a
    /// whole replacement when `replace_args` is set.
    args: &'static [&'static str],
    replace_args: bool,
    /// Expected exit code.
    code: i32,
    /// Every one of these must be in stderr (what is wrong, and what to do).
    messages: &'static [&'static str],
}

fn file(root: &Path, dataset: &str, month: Option<&str>) -> PathBuf {
    let mut folder = root.join("data").join(dataset).join(format!("aws_account_id={ACCOUNT}"));
    if let Some(month) = month {
        folder = folder.join(format!("month={month}"));
    }
    folder.join("part-00000.parquet")
}

/// Rewrites one file of the copy through `change`.
fn rewrite(root: &Path, dataset: &str, month: Option<&str>, change: impl FnOnce(LazyFrame) -> LazyFrame) {
    let path = file(root, dataset, month);
    let frame = ParquetReader::new(std::io::Cursor::new(std::fs::read(&path).unwrap())).finish().unwrap().lazy();
    let mut changed = change(frame).collect().unwrap();
    write_parquet(&path, &mut changed).unwrap();
}

/// Sets `column` of the first row to `value` in the report month's file of `dataset`.
fn set_first(root: &Path, dataset: &str, month: Option<&str>, column: &'static str, value: Expr) {
    rewrite(root, dataset, month, |frame| {
        frame
            .with_row_index(INDEX, None)
            .with_column(when(col(INDEX).eq(lit(0u32))).then(value).otherwise(col(column)).alias(column))
            .drop(cols([INDEX]))
    });
}

fn micros(text: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(text).unwrap().timestamp_micros()
}

/// A timestamp value of the contract's type (a typed scalar keeps its zone).
fn timestamp(text: &str) -> Expr {
    lit(Scalar::new_datetime(micros(text), TimeUnit::Microseconds, Some(TimeZone::UTC)))
}

/// `column` shifted by `hours` (may be negative), as a timestamp.
fn shifted(column: &str, hours: i64) -> Expr {
    (col(column).cast(DataType::Int64) + lit(hours * 3_600_000_000))
        .cast(DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)))
}

/// A copy of the account's month partition of `dataset` as another account's (999999999999).
fn other_account_partition(root: &Path, dataset: &str) -> PathBuf {
    let theirs = root.join(format!("data/{dataset}/aws_account_id=999999999999/month={MONTH}"));
    std::fs::create_dir_all(&theirs).unwrap();
    std::fs::copy(file(root, dataset, Some(MONTH)), theirs.join("part-00000.parquet")).unwrap();
    theirs
}

fn month_file_bytes(root: &Path, dataset: &str) -> Vec<u8> {
    std::fs::read(file(root, dataset, Some(MONTH))).unwrap()
}

/// A case that changes the data and must fail with `code` and `messages`.
fn fatal(name: &'static str, setup: fn(&Path), code: i32, messages: &'static [&'static str]) -> Case {
    Case { name, setup, args: &[], replace_args: false, code, messages }
}

/// A case of flags alone (they replace the default selection).
fn flags(name: &'static str, args: &'static [&'static str], code: i32, messages: &'static [&'static str]) -> Case {
    Case { name, setup: |_| {}, args, replace_args: true, code, messages }
}

/// Every bad input, in groups of one kind (files, columns, values, layout, notes, flags, dates,
/// endless inputs, configuration, output).
fn cases() -> Vec<Case> {
    let groups: [fn() -> Vec<Case>; 9] = [cases_1, cases_2, cases_3, cases_4, cases_5, cases_6, cases_7, cases_8, cases_9];
    groups.into_iter().flat_map(|group| group()).collect()
}

fn cases_1() -> Vec<Case> {
    vec![
        // Files that are not Parquet.
        fatal(
            "truncated file",
            |root| {
                let bytes = month_file_bytes(root, "incidents");
                std::fs::write(file(root, "incidents", Some(MONTH)), &bytes[..bytes.len() / 2]).unwrap();
            },
            2,
            &["dataset incidents", "month=2026-10/part-00000.parquet", "not a readable Parquet file", "re-export the file"],
        ),
        fatal(
            "text instead of Parquet",
            |root| std::fs::write(file(root, "alerts", Some(MONTH)), "alert_id,source\nA-1,CloudWatch\n").unwrap(),
            2,
            &["dataset alerts", "part-00000.parquet", "not a readable Parquet file"],
        ),
        fatal(
            "empty file",
            |root| std::fs::write(file(root, "rfcs", Some(MONTH)), b"").unwrap(),
            2,
            &["dataset rfcs", "part-00000.parquet", "not a readable Parquet file"],
        ),
        // Columns.
        fatal(
            "missing required column",
            |root| rewrite(root, "incidents", Some(MONTH), |frame| frame.drop(cols(["priority"]))),
            2,
            &["dataset incidents", "required column `priority` is missing", "add it"],
        ),
        fatal(
            "wrong column type",
            |root| rewrite(root, "incidents", Some(MONTH), |frame| frame.with_column(col("created_at").cast(DataType::String))),
            2,
            &["dataset incidents", "column `created_at` has type str", "timestamp", "write it as"],
        ),
        fatal(
            "text where a count belongs",
            |root| {
                rewrite(root, "availability", Some(MONTH), |frame| frame.with_column(col("checks_total").cast(DataType::String)))
            },
            2,
            &["dataset availability", "column `checks_total`", "int64"],
        ),
        fatal(
            "non-UTF-8 text (binary column)",
            |root| rewrite(root, "incidents", Some(MONTH), |frame| frame.with_column(col("subject").cast(DataType::Binary))),
            2,
            &["dataset incidents", "column `subject` has type binary", "string"],
        ),
        fatal(
            "all-null required column",
            |root| {
                rewrite(root, "service_requests", Some(MONTH), |frame| {
                    frame.with_column(lit(NULL).cast(DataType::String).alias("status"))
                })
            },
            2,
            &["dataset service_requests", "required column `status` is null in all", "fill it"],
        ),
    ]
}

fn cases_2() -> Vec<Case> {
    vec![
        fatal(
            "duplicate ids with conflicting values",
            |root| {
                rewrite(root, "incidents", Some(MONTH), |frame| {
                    // The first incident again, with the other priority.
                    let first_changed = frame.clone().limit(1).with_column(
                        when(col("priority").eq(lit("High"))).then(lit("Low")).otherwise(lit("High")).alias("priority"),
                    );
                    concat([frame, first_changed], UnionArgs::default()).unwrap()
                })
            },
            2,
            &["dataset incidents", "case_id", "with different values", "keep one row per case_id"],
        ),
        fatal(
            "a row of another account",
            |root| rewrite(root, "alerts", Some(MONTH), |frame| frame.with_column(lit("999999999999").alias("aws_account_id"))),
            2,
            &["dataset alerts", "row 0", "999999999999", "only hold rows of the account"],
        ),
        fatal(
            "a row in the wrong month folder",
            |root| set_first(root, "incidents", Some(MONTH), "created_at", timestamp("2026-08-15T10:00:00Z")),
            2,
            &["dataset incidents", "row 0", "`created_at`", "outside the file's partition month=2026-10", "move the row"],
        ),
        // Impossible values.
        fatal(
            "timestamp far in the future",
            |root| set_first(root, "alerts", Some(MONTH), "closed_at", timestamp("2099-01-01T00:00:00Z")),
            2,
            &["dataset alerts", "row 0", "`closed_at` = 2099-01-01", "not a plausible time", "fix the row at its source"],
        ),
        fatal(
            "timestamp before 2000",
            |root| set_first(root, "incidents", Some(MONTH), "acknowledged_at", timestamp("1999-12-31T23:00:00Z")),
            2,
            &["dataset incidents", "`acknowledged_at` = 1999-12-31", "not a plausible time"],
        ),
        fatal(
            "resolved before created",
            |root| set_first(root, "incidents", Some(MONTH), "resolved_at", shifted("created_at", -1)),
            2,
            &["dataset incidents", "row 0", "`resolved_at` must not be before `created_at`"],
        ),
        fatal(
            "service request answered before it was opened",
            |root| set_first(root, "service_requests", Some(MONTH), "first_response_at", shifted("created_at", -2)),
            2,
            &["dataset service_requests", "`first_response_at` must not be before `created_at`"],
        ),
        fatal(
            "alert closed before it was raised",
            |root| set_first(root, "alerts", Some(MONTH), "closed_at", shifted("created_at", -1)),
            2,
            &["dataset alerts", "`closed_at` must not be before `created_at`"],
        ),
        fatal(
            "change ended before it started",
            |root| {
                set_first(root, "rfcs", Some(MONTH), "actual_start_time", shifted("created_time", 3));
                set_first(root, "rfcs", Some(MONTH), "actual_end_time", shifted("created_time", 2));
            },
            2,
            &["dataset rfcs", "`actual_end_time` must not be before `actual_start_time`"],
        ),
    ]
}

fn cases_3() -> Vec<Case> {
    vec![
        fatal(
            "backup completed before it started",
            |root| set_first(root, "backup_jobs", Some(MONTH), "completion_dt_utc", shifted("creation_dt_utc", -1)),
            2,
            &["dataset backup_jobs", "`completion_dt_utc` must not be before `creation_dt_utc`"],
        ),
        fatal(
            "restore completed before it started",
            |root| set_first(root, "restore_jobs", Some(MONTH), "completion_date", shifted("creation_date", -1)),
            2,
            &["dataset restore_jobs", "`completion_date` must not be before `creation_date`"],
        ),
        fatal(
            "negative customer wait",
            |root| set_first(root, "incidents", Some(MONTH), "customer_wait_minutes", lit(-30.0)),
            2,
            &["dataset incidents", "`customer_wait_minutes` = -30", "must be at least 0"],
        ),
        fatal(
            "negative Operations-on-Demand hours",
            |root| set_first(root, "ood_hours", Some(MONTH), "hours", lit(-2.5)),
            2,
            &["dataset ood_hours", "`hours` = -2.5", "must be more than 0"],
        ),
        fatal(
            "zero engagement blocks",
            |root| set_first(root, "ood_engagements", None, "blocks", lit(0i64)),
            2,
            &["dataset ood_engagements", "`blocks` = 0", "must be more than 0"],
        ),
        fatal(
            "an engagement start that is not the 1st of a month",
            |root| set_first(root, "ood_engagements", None, "start_override", lit(Scalar::new_date(20_740))),
            2,
            &["dataset ood_engagements", "row 0", "`start_override` = 2026-10-14", "must be the first day of a month"],
        ),
        fatal(
            "an engagement approved for more blocks than requested",
            |root| set_first(root, "ood_engagements", None, "requested_blocks", col("blocks") - lit(1i64)),
            2,
            &["dataset ood_engagements", "row 0", "`requested_blocks` = 1", "must not exceed `requested_blocks`"],
        ),
        fatal(
            "a modification of an engagement the account does not have",
            |root| set_first(root, "ood_engagements", None, "modifies", lit("E-404")),
            2,
            &["dataset ood_engagements", "row 0", "`modifies` = E-404", "must name an engagement of this account"],
        ),
        fatal(
            "a modification of an engagement of another basis",
            |root| set_first(root, "ood_engagements", None, "modifies", lit("E-3")),
            2,
            &["dataset ood_engagements", "row 0", "`basis` = monthly", "with the same basis"],
        ),
        fatal(
            "checks_failed above checks_total",
            |root| set_first(root, "availability", Some(MONTH), "checks_failed", col("checks_total") + lit(1i64)),
            2,
            &["dataset availability", "`checks_failed` must not exceed `checks_total`"],
        ),
        fatal(
            "negative checks_total",
            |root| {
                set_first(root, "availability", Some(MONTH), "checks_failed", lit(0i64));
                set_first(root, "availability", Some(MONTH), "checks_total", lit(-1i64));
            },
            2,
            &["dataset availability", "`checks_total` = -1", "must be at least 0"],
        ),
    ]
}

fn cases_4() -> Vec<Case> {
    vec![
        fatal(
            "zero-minute probe window",
            |root| set_first(root, "availability", Some(MONTH), "window_minutes", lit(0i64)),
            2,
            &["dataset availability", "`window_minutes` = 0", "must be more than 0"],
        ),
        fatal(
            "CSAT above 5",
            |root| set_first(root, "service_requests", Some(MONTH), "csat_score", lit(7i64)),
            2,
            &["dataset service_requests", "`csat_score` = 7", "must be at most 5"],
        ),
        fatal(
            "CSAT below 1",
            |root| set_first(root, "service_requests", Some(MONTH), "csat_score", lit(0i64)),
            2,
            &["dataset service_requests", "`csat_score` = 0", "must be at least 1"],
        ),
        fatal(
            "negative backup size",
            |root| set_first(root, "backup_jobs", Some(MONTH), "backup_size_in_bytes", lit(-1i64)),
            2,
            &["dataset backup_jobs", "`backup_size_in_bytes` = -1"],
        ),
        fatal(
            "negative used storage",
            |root| set_first(root, "storage", Some(MONTH), "used_bytes", lit(-1024i64)),
            2,
            &["dataset storage", "`used_bytes` = -1024"],
        ),
        fatal(
            "negative Trusted Advisor flags",
            |root| set_first(root, "trusted_advisor", Some(MONTH), "resources_flagged", lit(-3i64)),
            2,
            &["dataset trusted_advisor", "`resources_flagged` = -3"],
        ),
        fatal(
            "negative installed patches",
            |root| set_first(root, "patch_details", Some(MONTH), "compliant_total", lit(-5i64)),
            2,
            &["dataset patch_details", "`compliant_total` = -5"],
        ),
        fatal(
            "negative days unpatched",
            |root| set_first(root, "missing_patches", Some(MONTH), "days_unpatched", lit(-1i64)),
            2,
            &["dataset missing_patches", "`days_unpatched` = -1"],
        ),
        // Numbers no real export holds: one rule for every numeric column.
        fatal(
            "NaN in money",
            |root| set_first(root, "billing", Some(MONTH), "aws_charges", lit(f64::NAN)),
            2,
            &["dataset billing", "row 0", "`aws_charges` = NaN", "not a value a real export can hold"],
        ),
        fatal(
            "infinite customer wait",
            |root| set_first(root, "incidents", Some(MONTH), "customer_wait_minutes", lit(f64::INFINITY)),
            2,
            &["dataset incidents", "row 0", "`customer_wait_minutes` = inf"],
        ),
        fatal(
            "NaN Operations-on-Demand hours",
            |root| set_first(root, "ood_hours", Some(MONTH), "hours", lit(f64::NAN)),
            2,
            &["dataset ood_hours", "`hours` = NaN"],
        ),
    ]
}

fn cases_5() -> Vec<Case> {
    vec![
        fatal(
            "NaN savings estimate",
            |root| set_first(root, "trusted_advisor", Some(MONTH), "estimated_monthly_savings", lit(f64::NAN)),
            2,
            &["dataset trusted_advisor", "`estimated_monthly_savings` = NaN"],
        ),
        fatal(
            "money beyond any real bill",
            |root| set_first(root, "billing", Some(MONTH), "ams_charges", lit(1e300)),
            2,
            &["dataset billing", "`ams_charges` = 1e+300", "beyond ±1e15"],
        ),
        fatal(
            "backup sizes that would wrap a 64-bit total",
            |root| {
                rewrite(root, "backup_jobs", Some(MONTH), |frame| frame.with_column(lit(i64::MAX).alias("backup_size_in_bytes")))
            },
            2,
            &["dataset backup_jobs", "row 0", "`backup_size_in_bytes` = 9223372036854775807", "2^53"],
        ),
        // Another account in any spelling of the account column.
        fatal(
            "an upper-case AWS_ACCOUNT_ID column of another account",
            |root| rewrite(root, "alerts", Some(MONTH), |frame| frame.with_column(lit("999999999999").alias("AWS_ACCOUNT_ID"))),
            2,
            &["dataset alerts", "999999999999", "only hold rows of the account"],
        ),
        // The layout: nothing skipped without a word.
        fatal(
            "an upper-case MONTH= partition",
            |root| rename_month(root, "incidents", "MONTH=2026-10"),
            2,
            &["dataset incidents", "MONTH=2026-10", "month=YYYY-MM"],
        ),
        fatal(
            "a one-digit month partition",
            |root| rename_month(root, "incidents", "month=2026-1"),
            2,
            &["dataset incidents", "month=2026-1", "rename it month=YYYY-MM"],
        ),
        fatal(
            "an upper-case AWS_ACCOUNT_ID= folder",
            |root| {
                let dataset = root.join("data/incidents");
                std::fs::rename(
                    dataset.join(format!("aws_account_id={ACCOUNT}")),
                    dataset.join(format!("AWS_ACCOUNT_ID={ACCOUNT}")),
                )
                .unwrap();
            },
            2,
            &["dataset incidents", "AWS_ACCOUNT_ID=000000000001", "is not an account folder", "lower case"],
        ),
        fatal(
            "a data file directly under the account folder",
            |root| {
                let folder = root.join(format!("data/alerts/aws_account_id={ACCOUNT}"));
                std::fs::copy(folder.join(format!("month={MONTH}/part-00000.parquet")), folder.join("part-extra.parquet"))
                    .unwrap();
            },
            2,
            &["dataset alerts", "part-extra.parquet", "holds only month=YYYY-MM folders"],
        ),
        fatal(
            "a folder inside a month partition",
            |root| std::fs::create_dir(file(root, "rfcs", Some(MONTH)).with_file_name("day=01")).unwrap(),
            2,
            &["dataset rfcs", "day=01", "folder inside a partition"],
        ),
    ]
}

fn cases_6() -> Vec<Case> {
    vec![
        fatal(
            "a broken link among the data files",
            |root| {
                std::os::unix::fs::symlink(
                    "/nonexistent/part.parquet",
                    file(root, "rfcs", Some(MONTH)).with_file_name("part-1.parquet"),
                )
                .unwrap()
            },
            2,
            &["dataset rfcs", "part-1.parquet", "broken link"],
        ),
        fatal(
            "a month folder that is a link into another account's partition",
            |root| {
                let month = file(root, "rfcs", Some(MONTH)).parent().unwrap().to_owned();
                let theirs = other_account_partition(root, "rfcs");
                std::fs::remove_dir_all(&month).unwrap();
                std::os::unix::fs::symlink(&theirs, &month).unwrap();
            },
            3,
            &["dataset rfcs", "month=2026-10 is a symbolic link", "aws_account_id=999999999999", "remove the link"],
        ),
        fatal(
            "a data file that is a link to another account's file",
            |root| {
                let theirs = other_account_partition(root, "incidents").join("part-00000.parquet");
                let mine = file(root, "incidents", Some(MONTH));
                std::fs::remove_file(&mine).unwrap();
                std::os::unix::fs::symlink(&theirs, &mine).unwrap();
            },
            3,
            &["dataset incidents", "part-00000.parquet is a symbolic link", "aws_account_id=999999999999", "its own folder"],
        ),
        fatal(
            "an account folder that is a link to another account's",
            |root| {
                let mine = root.join(format!("data/alerts/aws_account_id={ACCOUNT}"));
                let theirs = root.join("data/alerts/aws_account_id=999999999999");
                std::fs::rename(&mine, &theirs).unwrap();
                std::os::unix::fs::symlink(&theirs, &mine).unwrap();
            },
            3,
            &["dataset alerts", "aws_account_id=000000000001 is a symbolic link", "aws_account_id=999999999999"],
        ),
        fatal(
            "a Parquet footer that claims fewer rows than the file holds",
            |root| understate_rows(&file(root, "incidents", Some(MONTH))),
            2,
            &["dataset incidents", "part-00000.parquet", "footer says", "re-export it"],
        ),
        // Notes.
        fatal(
            "notes that are not TOML",
            |root| std::fs::write(root.join(format!("data/notes/{ACCOUNT}/{MONTH}.toml")), "this is = = not toml [").unwrap(),
            2,
            &["notes file", "2026-10.toml", "see docs/notes.md"],
        ),
        fatal(
            "a 10 MB notes field",
            |root| {
                let text = format!("scope_changes = \"{}\"\n", "x".repeat(10 << 20));
                std::fs::write(root.join(format!("data/notes/{ACCOUNT}/{MONTH}.toml")), text).unwrap();
            },
            2,
            &["notes file", "2026-10.toml", "more than the 262144 bytes a notes file may have"],
        ),
    ]
}

fn cases_7() -> Vec<Case> {
    vec![
        fatal(
            "a notes text longer than a page",
            |root| {
                let text = format!("[[risks]]\ntitle = \"{}\"\n", "y".repeat(5_000));
                std::fs::write(root.join(format!("data/notes/{ACCOUNT}/{MONTH}.toml")), text).unwrap();
            },
            2,
            &["notes file", "`risks[0].title` has 5000 characters", "shorten it"],
        ),
        fatal(
            "notes with wrong types",
            |root| std::fs::write(root.join(format!("data/notes/{ACCOUNT}/{MONTH}.toml")), "customer_name = 42\n").unwrap(),
            2,
            &["notes file", "2026-10.toml", "customer_name"],
        ),
        // Selection flags.
        flags(
            "account id with a path",
            &["generate", "--source", "data", "--account", "../x", "--month", MONTH],
            2,
            &["invalid account id \"../x\"", "exactly 12 digits"],
        ),
        flags(
            "account id too short",
            &["generate", "--source", "data", "--account", "123", "--month", MONTH],
            2,
            &["invalid account id \"123\""],
        ),
        flags(
            "account id with an SQL quote",
            &["generate", "--source", "data", "--account", "1' OR '1'='1", "--month", MONTH],
            2,
            &["invalid account id", "exactly 12 digits"],
        ),
        flags(
            "month 13",
            &["generate", "--source", "data", "--account", ACCOUNT, "--month", "2026-13"],
            2,
            &["invalid month \"2026-13\"", "YYYY-MM"],
        ),
        flags(
            "month as a word",
            &["generate", "--source", "data", "--account", ACCOUNT, "--month", "October"],
            2,
            &["invalid month \"October\""],
        ),
        flags(
            "unknown time zone",
            &["generate", "--source", "data", "--account", ACCOUNT, "--month", MONTH, "--timezone", "Mars/Olympus"],
            2,
            &["unknown time zone \"Mars/Olympus\"", "IANA"],
        ),
        flags(
            "invalid document date",
            &["generate", "--source", "data", "--account", ACCOUNT, "--month", MONTH, "--generated-on", "2026-02-30"],
            2,
            &["--generated-on"],
        ),
        // Dates: one accepted range, checked once.
        flags(
            "month 9999-12",
            &["generate", "--source", "data", "--account", ACCOUNT, "--month", "9999-12"],
            2,
            &["month 9999-12 is outside the months a report can cover"],
        ),
    ]
}

fn cases_8() -> Vec<Case> {
    vec![
        flags(
            "month 1999-12",
            &["generate", "--source", "data", "--account", ACCOUNT, "--month", "1999-12"],
            2,
            &["1999-12 is outside the months a report can cover"],
        ),
        flags(
            "document date in year 1",
            &["generate", "--source", "data", "--account", ACCOUNT, "--month", MONTH, "--generated-on", "0001-01-01"],
            2,
            &["--generated-on 0001-01-01 is outside the months a report can cover"],
        ),
        Case {
            name: "event in year 0",
            setup: |root| std::fs::write(root.join("event.json"), r#"{"time": "0000-01-15T06:00:00Z"}"#).unwrap(),
            args: &["generate", "--source", "data", "--account", ACCOUNT, "--event", "event.json"],
            replace_args: true,
            code: 2,
            messages: &["outside the months a report can cover"],
        },
        // Inputs that never end.
        Case {
            name: "event from a device",
            setup: |_| {},
            args: &["generate", "--source", "data", "--account", ACCOUNT, "--event", "/dev/zero"],
            replace_args: true,
            code: 2,
            messages: &["event file /dev/zero is not a regular file"],
        },
        Case {
            name: "config from a device",
            setup: |_| {},
            args: &["--config", "/dev/zero", "generate", "--source", "data", "--account", ACCOUNT, "--month", MONTH],
            replace_args: true,
            code: 2,
            messages: &["config file /dev/zero is not a regular file"],
        },
        Case {
            name: "config from a FIFO",
            setup: |root| {
                let status = std::process::Command::new("mkfifo").arg(root.join("fifo.toml")).status().unwrap();
                assert!(status.success());
            },
            args: &["--config", "fifo.toml", "generate", "--source", "data", "--account", ACCOUNT, "--month", MONTH],
            replace_args: true,
            code: 2,
            messages: &["config file fifo.toml is not a regular file"],
        },
        Case {
            name: "a config file of 2 MB",
            setup: |root| std::fs::write(root.join("big.toml"), format!("# {}\n", "x".repeat(2 << 20))).unwrap(),
            args: &["--config", "big.toml", "generate", "--source", "data", "--account", ACCOUNT, "--month", MONTH],
            replace_args: true,
            code: 2,
            messages: &["config file big.toml is larger than 1048576 bytes"],
        },
        Case {
            name: "event that is not JSON",
            setup: |root| std::fs::write(root.join("event.json"), "{ not json").unwrap(),
            args: &["generate", "--source", "data", "--account", ACCOUNT, "--event", "event.json"],
            replace_args: true,
            code: 2,
            messages: &["invalid scheduled event"],
        },
    ]
}

fn cases_9() -> Vec<Case> {
    vec![
        Case {
            name: "event without a time",
            setup: |root| std::fs::write(root.join("event.json"), r#"{"source": "aws.scheduler"}"#).unwrap(),
            args: &["generate", "--source", "data", "--account", ACCOUNT, "--event", "event.json"],
            replace_args: true,
            code: 2,
            messages: &["invalid scheduled event", "time"],
        },
        // Configuration.
        Case {
            name: "config with an unknown key",
            setup: |root| std::fs::write(root.join("opsreport.toml"), "[backups]\nrpo_hourz = 24\n").unwrap(),
            args: &[],
            replace_args: false,
            code: 2,
            messages: &["rpo_hourz", "opsreport.toml"],
        },
        Case {
            name: "config with a wrong type",
            setup: |root| std::fs::write(root.join("opsreport.toml"), "[sla]\nadherence_target_pct = \"high\"\n").unwrap(),
            args: &[],
            replace_args: false,
            code: 2,
            messages: &["adherence_target_pct", "opsreport.toml"],
        },
        // Output.
        Case {
            name: "output folder is a file",
            setup: |root| std::fs::write(root.join("out"), "a file where the folder should be").unwrap(),
            args: &[],
            replace_args: false,
            code: 3,
            messages: &["cannot write the report for account 000000000001", "out"],
        },
    ]
}

/// Renames the report month's partition folder of `dataset` to `name`.
fn rename_month(root: &Path, dataset: &str, name: &str) {
    let folder = root.join(format!("data/{dataset}/aws_account_id={ACCOUNT}"));
    std::fs::rename(folder.join(format!("month={MONTH}")), folder.join(name)).unwrap();
}

/// Rewrites a Parquet file's footer to claim one row fewer than its row groups hold: the file
/// row count is the `i64` field 3 of the footer (Thrift compact: header byte 0x16, then a
/// zig-zag varint), right before the row-group list (0x19).
fn understate_rows(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let rows = ParquetReader::new(std::io::Cursor::new(bytes.clone())).finish().unwrap().height() as u64;
    assert!((2..64).contains(&rows), "a one-byte varint: {rows} rows");
    let footer_length = u32::from_le_bytes(bytes[bytes.len() - 8..bytes.len() - 4].try_into().unwrap()) as usize;
    let footer_start = bytes.len() - 8 - footer_length;
    let wanted = [0x16, (rows * 2) as u8, 0x19];
    let at = bytes[footer_start..].windows(3).position(|window| window == wanted).expect("the row count in the footer");
    bytes[footer_start + at + 1] = ((rows - 1) * 2) as u8;
    std::fs::write(path, bytes).unwrap();
}

fn run_case(case: &Case) -> (tempfile::TempDir, Run) {
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path();
    copy_tree(&repo_root().join("fixtures/handmade"), &root.join("data"));
    (case.setup)(root);
    let default_args = ["generate", "--source", "data", "--account", ACCOUNT, "--month", MONTH, "--out", "out"];
    let mut args: Vec<&str> = if case.replace_args { case.args.to_vec() } else { default_args.to_vec() };
    if case.replace_args {
        args.extend(["--out", "out"]);
    } else {
        args.extend(case.args);
    }
    let run = opsreport(root, &args);
    (scratch, run)
}

#[test]
fn every_bad_input_fails_alone_with_its_code_a_message_that_says_what_to_do_and_no_report() {
    let cases = cases();
    assert!(cases.len() >= 65, "the corpus has {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let (scratch, run) = run_case(case);
        let mut problems = Vec::new();
        if run.code != case.code {
            problems.push(format!("exit {} instead of {}", run.code, case.code));
        }
        for message in case.messages {
            if !run.stderr.contains(message) {
                problems.push(format!("no {message:?} in the message"));
            }
        }
        if case.code == 2 && run.stderr.lines().filter(|line| line.starts_with("error: ")).count() == 0 {
            problems.push("no error line".into());
        }
        let folder = scratch.path().join(format!("out/{ACCOUNT}/{MONTH}"));
        for name in ["report.pdf", "manifest.json"] {
            if folder.join(name).exists() {
                problems.push(format!("{name} was written"));
            }
        }
        if !problems.is_empty() {
            failures.push(format!("{}: {}\n  stderr: {}", case.name, problems.join("; "), run.stderr.trim()));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

/// Recoverable problems: the report is written and the appendix counts them.
#[test]
fn recoverable_problems_are_counted_and_the_report_is_written() {
    // (case, how the copy is changed, the data-quality counter that must count it)
    type Recoverable = (&'static str, fn(&Path), &'static str);
    let recoverable: [Recoverable; 4] = [
        (
            "unknown enum value",
            |root| set_first(root, "incidents", Some(MONTH), "priority", lit("Urgent!")),
            "rows_with_unknown_values",
        ),
        (
            "exact duplicate rows",
            |root| {
                rewrite(root, "alerts", Some(MONTH), |frame| {
                    concat([frame.clone(), frame.limit(1)], UnionArgs::default()).unwrap()
                })
            },
            "duplicates_dropped",
        ),
        (
            "null in a required column of one row",
            |root| set_first(root, "rfcs", Some(MONTH), "status", lit(NULL).cast(DataType::String)),
            "rows_with_required_nulls",
        ),
        ("a very long text", |root| set_first(root, "incidents", Some(MONTH), "subject", lit("x".repeat(20_000))), "rows_read"),
    ];
    for (name, setup, counter) in recoverable {
        let case = Case { name, setup, args: &[], replace_args: false, code: 0, messages: &[] };
        let (scratch, run) = run_case(&case);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        let folder = scratch.path().join(format!("out/{ACCOUNT}/{MONTH}"));
        assert!(folder.join("manifest.json").exists(), "{name}: no manifest");
        let metrics: serde_json::Value = serde_json::from_slice(&std::fs::read(folder.join("metrics.json")).unwrap()).unwrap();
        let quality = metrics["data_quality"].as_array().or_else(|| metrics["data_quality"]["datasets"].as_array());
        let total: u64 = quality
            .unwrap_or_else(|| panic!("{name}: no data_quality list in metrics.json"))
            .iter()
            .map(|dataset| dataset[counter].as_u64().unwrap_or(0))
            .sum();
        assert!(total > 0, "{name}: {counter} is 0");
        if name == "a very long text" {
            // The text is cut in the PDF (the CSV keeps it whole), so the layout is unchanged.
            let info =
                std::process::Command::new("pdfinfo").arg(folder.join("report.pdf")).output().expect("pdfinfo (poppler-utils)");
            let info = String::from_utf8_lossy(&info.stdout);
            let pages: u32 = info.lines().find_map(|line| line.strip_prefix("Pages:")).unwrap().trim().parse().unwrap();
            assert!(pages <= 30, "{name}: {pages} pages");
        }
    }
}

/// A full disk, simulated without privileges: a file-size limit (`ulimit -f`, with `SIGXFSZ`
/// ignored so the write fails with an error instead of killing the process) makes writing the
/// PDF fail part-way — the same path as `ENOSPC`. Exit 3, the folder is named, no truncated
/// file under a final name, no manifest; without the limit the run completes.
#[test]
fn a_write_that_fails_part_way_leaves_no_truncated_file_and_no_manifest() {
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path();
    copy_tree(&repo_root().join("fixtures/handmade"), &root.join("data"));
    let binary = opsreport_tests::binary();
    let script = format!(
        "ulimit -f 64; trap '' XFSZ; exec '{}' generate --source data --account {ACCOUNT} --month {MONTH} --out out",
        binary.display()
    );
    let output = std::process::Command::new("sh").arg("-c").arg(&script).current_dir(root).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("cannot write the report for account 000000000001") && stderr.contains("too large"), "{stderr}");
    let folder = root.join(format!("out/{ACCOUNT}/{MONTH}"));
    for name in ["report.pdf", "manifest.json"] {
        assert!(!folder.join(name).exists(), "{name} exists after a failed write");
    }
    let leftovers: Vec<_> =
        std::fs::read_dir(&folder).map(|entries| entries.map(|entry| entry.unwrap().file_name()).collect()).unwrap_or_default();
    assert!(leftovers.is_empty(), "files left behind: {leftovers:?}");

    let again = opsreport(root, &["generate", "--source", "data", "--account", ACCOUNT, "--month", MONTH, "--out", "out"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(folder.join("manifest.json").exists());
}

/// Years of notes, every file legal: 75 weekly notes of 40 open action items each and a month's
/// notes of 60 long issues. The carried items are bounded (the oldest summarised in one line)
/// and the notes sections keep to their page budget, so the report stays a report.
#[test]
fn years_of_legal_notes_make_a_report_of_bounded_length() {
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path();
    copy_tree(&repo_root().join("fixtures/handmade"), &root.join("data"));
    let notes = root.join(format!("data/notes/{ACCOUNT}"));
    let mut monday = chrono::NaiveDate::from_ymd_opt(2025, 5, 12).unwrap();
    for week in 0..75 {
        let mut text = String::new();
        for item in 0..40 {
            text.push_str(&format!(
                "[[action_items]]\ntitle = \"Week {week} item {item}: {}\"\nowner = \"Ops\"\nstatus = \"Open\"\n",
                "follow up with the application team ".repeat(4)
            ));
        }
        std::fs::write(notes.join(format!("{}.toml", monday.format("%G-W%V"))), text).unwrap();
        monday += chrono::Duration::days(7);
    }
    let mut month = String::new();
    for issue in 0..60 {
        month.push_str(&format!(
            "[[issues]]\ntitle = \"Issue {issue}\"\nstatus = \"Open\"\ndetail = \"{}\"\n",
            "detail ".repeat(420)
        ));
    }
    std::fs::write(notes.join(format!("{MONTH}.toml")), month).unwrap();
    let run = opsreport(root, &["generate", "--source", "data", "--account", ACCOUNT, "--month", MONTH, "--out", "out"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let pdf = root.join(format!("out/{ACCOUNT}/{MONTH}/report.pdf"));
    let info = std::process::Command::new("pdfinfo").arg(&pdf).output().expect("pdfinfo (poppler-utils)");
    let info = String::from_utf8_lossy(&info.stdout);
    let pages: u32 = info.lines().find_map(|line| line.strip_prefix("Pages:")).unwrap().trim().parse().unwrap();
    assert!(pages <= 40, "{pages} pages");
    let text = std::process::Command::new("pdftotext").arg(&pdf).arg("-").output().expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("older action items raised in the notes of"), "the oldest carried items are summarised");
    assert!(text.contains("more issues not shown here"), "the issues beyond the budget are counted");
}
