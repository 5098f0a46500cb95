//! Inputs a hostile or unlucky user produces that must be read correctly or reported, never
//! turned into a different number without a word: real writers' column types, links and empty
//! folders in the data tree, months the source did not deliver, output folders that are links,
//! two runs writing one account at once, other accounts' billing rows, spoofing text, spreadsheet
//! formulas, an account without any data. (Fatal cases with one message each are in
//! `bad_input.rs`.)

use std::path::{Path, PathBuf};

use opsreport_fixtures::table::write_parquet;
use opsreport_tests::{Run, copy_tree, opsreport, repo_root};
use polars::prelude::*;

const ACCOUNT: &str = "000000000001";
const MONTH: &str = "2026-10";

/// A scratch folder with the hand-made fixture in `data/`.
fn scratch() -> tempfile::TempDir {
    let scratch = tempfile::tempdir().unwrap();
    copy_tree(&repo_root().join("fixtures/handmade"), &scratch.path().join("data"));
    scratch
}

fn month_file(root: &Path, dataset: &str, month: Option<&str>) -> PathBuf {
    let mut folder = root.join("data").join(dataset).join(format!("aws_account_id={ACCOUNT}"));
    if let Some(month) = month {
        folder = folder.join(format!("month={month}"));
    }
    folder.join("part-00000.parquet")
}

fn rewrite(path: &Path, change: impl FnOnce(LazyFrame) -> LazyFrame) {
    let frame = ParquetReader::new(std::io::Cursor::new(std::fs::read(path).unwrap())).finish().unwrap().lazy();
    let mut changed = change(frame).collect().unwrap();
    write_parquet(path, &mut changed).unwrap();
}

/// Sets `column` of the first row.
fn set_first(path: &Path, column: &'static str, value: Expr) {
    rewrite(path, |frame| {
        frame
            .with_row_index("__row", None)
            .with_column(when(col("__row").eq(lit(0u32))).then(value).otherwise(col(column)).alias(column))
            .drop(cols(["__row"]))
    });
}

fn generate(root: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["generate", "--source", "data", "--account", ACCOUNT, "--month", MONTH, "--out", "out"];
    args.extend(extra);
    opsreport(root, &args)
}

fn report_folder(root: &Path) -> PathBuf {
    root.join(format!("out/{ACCOUNT}/{MONTH}"))
}

fn metrics(root: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(report_folder(root).join("metrics.json")).unwrap()).unwrap()
}

/// metrics.json without what identifies the inputs (fingerprint, files read).
fn numbers(root: &Path) -> serde_json::Value {
    let mut value = metrics(root);
    let object = value.as_object_mut().unwrap();
    object.remove("input_fingerprint");
    object.remove("data_quality");
    value
}

fn pdf_text(folder: &Path) -> String {
    let output = std::process::Command::new("pdftotext")
        .arg(folder.join("report.pdf"))
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn baseline() -> serde_json::Value {
    let clean = scratch();
    let run = generate(clean.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    numbers(clean.path())
}

#[test]
fn decimal_and_dictionary_columns_read_as_the_contract_types_with_the_same_numbers() {
    let expected = baseline();
    let changed = scratch();
    let root = changed.path();
    // Money as decimal(18,2), hours as decimal(9,2), blocks as decimal(9,0), text dictionary-encoded.
    for month in ["2026-09", MONTH] {
        rewrite(&month_file(root, "billing", Some(month)), |frame| {
            frame.with_columns([
                col("aws_charges").cast(DataType::Decimal(18, 2)),
                col("ams_charges").cast(DataType::Decimal(18, 2)),
                col("product_name").cast(DataType::from_categories(Categories::global())),
            ])
        });
        rewrite(&month_file(root, "ood_hours", Some(month)), |frame| {
            frame.with_column(col("hours").cast(DataType::Decimal(9, 2)))
        });
    }
    rewrite(&month_file(root, "ood_engagements", None), |frame| frame.with_column(col("blocks").cast(DataType::Decimal(9, 0))));
    rewrite(&month_file(root, "incidents", Some(MONTH)), |frame| {
        frame.with_column(col("priority").cast(DataType::from_categories(Categories::global())))
    });
    let schema = ParquetReader::new(std::fs::File::open(month_file(root, "billing", Some(MONTH))).unwrap()).schema().unwrap();
    assert!(format!("{schema:?}").contains("Decimal"), "the test file holds decimals: {schema:?}");
    let run = generate(root, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(numbers(root), expected);
}

#[test]
fn a_link_inside_its_partition_is_read_one_out_of_it_refused_and_an_empty_month_folder_is_no_data() {
    let expected = baseline();
    let linked = scratch();
    let root = linked.path();
    // The month's incidents through a link to a (hidden) file of the same partition: the same
    // numbers.
    let file = month_file(root, "incidents", Some(MONTH));
    let beside = file.with_file_name(".stored.parquet");
    std::fs::rename(&file, &beside).unwrap();
    std::os::unix::fs::symlink(&beside, &file).unwrap();
    let run = generate(root, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(numbers(root), expected);
    // A link out of the partition is never read as the account's data: a source failure.
    let elsewhere = root.join("incidents-elsewhere.parquet");
    std::fs::rename(&beside, &elsewhere).unwrap();
    std::fs::remove_file(&file).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &file).unwrap();
    let run = generate(root, &[]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("is a symbolic link") && run.stderr.contains("incidents-elsewhere.parquet"), "{}", run.stderr);

    // An emptied month folder is "no data", not 0.
    let empty = scratch();
    let root = empty.path();
    for month in ["2026-08", "2026-09", MONTH] {
        std::fs::remove_file(month_file(root, "incidents", Some(month))).unwrap();
    }
    let run = generate(root, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let metrics = metrics(root);
    assert_eq!(metrics["incidents"]["available"], false, "{}", metrics["incidents"]);
    let reason = metrics["incidents"]["missing_reason"].as_str().unwrap_or_default().to_owned();
    assert!(reason.contains("no incidents files"), "{}", metrics["incidents"]);
}

#[test]
fn a_utc_month_the_period_reaches_into_but_the_source_lacks_is_a_warning() {
    let scratch = scratch();
    let root = scratch.path();
    let run = generate(root, &["--timezone", "America/New_York"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let warning = "no month=2026-11 partition: the period's rows from 2026-11-01 00:00 to 2026-11-01 04:00 (UTC) are not covered";
    assert!(run.stderr.contains(&format!("incidents: {warning}")), "{}", run.stderr);
    let quality = metrics(root)["data_quality"].clone();
    let incidents = quality.as_array().unwrap().iter().find(|dataset| dataset["dataset"] == "incidents").unwrap().clone();
    assert_eq!(incidents["warnings"][0], warning);
    let text = pdf_text(&report_folder(root)).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("no month=2026-11 partition"), "the appendix says so");
    // In UTC the month is complete: no warning.
    let utc = generate(root, &[]);
    assert!(!utc.stderr.contains("partition: the period"), "{}", utc.stderr);
}

#[test]
fn reference_data_that_runs_for_years_does_not_stop_a_backfill() {
    let scratch = scratch();
    let root = scratch.path();
    let date = chrono::NaiveDate::from_ymd_opt(2029, 6, 30).unwrap();
    let days = (date - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days() as i32;
    set_first(&month_file(root, "ood_engagements", None), "ended_at", lit(Scalar::new_date(days)));
    let run = opsreport(root, &["generate", "--source", "data", "--account", ACCOUNT, "--month", "2026-09", "--out", "out"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn output_links_are_never_followed_and_nothing_the_job_did_not_write_is_deleted() {
    let scratch = scratch();
    let root = scratch.path();
    // `tables` is a link to a folder of someone else's files.
    let theirs = root.join("theirs");
    std::fs::create_dir_all(&theirs).unwrap();
    std::fs::write(theirs.join("incidents.csv"), "precious").unwrap();
    std::fs::write(theirs.join("keep.txt"), "precious").unwrap();
    std::fs::create_dir_all(report_folder(root)).unwrap();
    std::os::unix::fs::symlink(&theirs, report_folder(root).join("tables")).unwrap();
    let run = generate(root, &[]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("tables is a symbolic link"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(theirs.join("incidents.csv")).unwrap(), "precious");
    assert_eq!(std::fs::read_dir(&theirs).unwrap().count(), 2);
    assert!(!report_folder(root).join("manifest.json").exists());

    // An account folder linked to another account's folder.
    std::fs::remove_file(report_folder(root).join("tables")).unwrap();
    let other = root.join("out/000000000002");
    std::fs::create_dir_all(other.join(MONTH)).unwrap();
    std::fs::write(other.join(MONTH).join("report.pdf"), "the other account's report").unwrap();
    std::fs::remove_dir_all(root.join(format!("out/{ACCOUNT}"))).unwrap();
    std::os::unix::fs::symlink(&other, root.join(format!("out/{ACCOUNT}"))).unwrap();
    let run = generate(root, &[]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("000000000001 is a symbolic link"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(other.join(MONTH).join("report.pdf")).unwrap(), "the other account's report");

    // A file of the user's in the report folder stays; a table the job wrote before and no
    // longer writes goes.
    std::fs::remove_file(root.join(format!("out/{ACCOUNT}"))).unwrap();
    assert_eq!(generate(root, &[]).code, 0);
    let folder = report_folder(root);
    std::fs::write(folder.join("tables/my-notes.csv"), "mine").unwrap();
    let mut manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(folder.join("manifest.json")).unwrap()).unwrap();
    manifest["files"].as_array_mut().unwrap().push(serde_json::json!({"path": "tables/retired.csv", "bytes": 3, "sha256": ""}));
    std::fs::write(folder.join("manifest.json"), serde_json::to_vec(&manifest).unwrap()).unwrap();
    std::fs::write(folder.join("tables/retired.csv"), "old").unwrap();
    assert_eq!(generate(root, &[]).code, 0);
    assert_eq!(std::fs::read_to_string(folder.join("tables/my-notes.csv")).unwrap(), "mine");
    assert!(!folder.join("tables/retired.csv").exists());
}

#[test]
fn two_runs_writing_one_account_at_once_take_turns_and_the_manifest_matches_the_files() {
    let scratch = scratch();
    let root = scratch.path();
    let binary = opsreport_tests::binary();
    for round in 0..3 {
        let spawn = |generated_on: &str| {
            std::process::Command::new(&binary)
                .args(["generate", "--source", "data", "--account", ACCOUNT, "--month", MONTH, "--out", "out"])
                .args(["--generated-on", generated_on])
                .current_dir(root)
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let runs = [spawn("2026-11-02"), spawn("2026-11-03")];
        for run in runs {
            let output = run.wait_with_output().unwrap();
            assert!(output.status.success(), "round {round}: {}", String::from_utf8_lossy(&output.stderr));
        }
        let folder = report_folder(root);
        let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(folder.join("manifest.json")).unwrap()).unwrap();
        for file in manifest["files"].as_array().unwrap() {
            let bytes = std::fs::read(folder.join(file["path"].as_str().unwrap())).unwrap();
            let digest: String = sha2::Digest::finalize(<sha2::Sha256 as sha2::Digest>::new_with_prefix(&bytes))
                .iter()
                .map(|byte| format!("{byte:02x}"))
                .collect();
            assert_eq!(file["sha256"].as_str().unwrap(), digest, "round {round}: {}", file["path"]);
        }
        let leftovers: Vec<String> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.contains(".tmp-"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}

#[test]
fn another_linked_accounts_charges_and_id_stay_out_of_the_report_unless_asked_for() {
    let scratch = scratch();
    let root = scratch.path();
    set_first(&month_file(root, "billing", Some(MONTH)), "linked_account_id", lit("999999999999"));
    let run = generate(root, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let metrics = metrics(root);
    let folder = report_folder(root);
    let everything = format!(
        "{}{}{}",
        serde_json::to_string(&metrics["cost"]).unwrap(),
        pdf_text(&folder),
        std::fs::read_dir(folder.join("tables"))
            .unwrap()
            .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
            .collect::<String>()
    );
    assert!(!everything.contains("999999999999"), "another account's id is shown");
    assert_eq!(metrics["cost"]["by_linked_account"].as_array().unwrap().len(), 1);
    let sentence = metrics["cost"]["not_provided"][0].as_str().unwrap_or_default().to_owned();
    assert!(sentence.contains("1 row of 1 other linked account; they are left out"), "{}", metrics["cost"]);

    // A payer account reporting on its own organisation asks for every linked account.
    std::fs::write(root.join("opsreport.toml"), "[cost]\nlinked_accounts = \"all\"\n").unwrap();
    let run = generate(root, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let all = self::metrics(root);
    let ids: Vec<String> = all["cost"]["by_linked_account"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["linked_account_id"].as_str().unwrap().to_owned())
        .collect();
    assert!(ids.contains(&"999999999999".to_owned()), "{ids:?}");
}

#[test]
fn an_account_without_any_data_is_written_but_warned_and_exits_1() {
    let scratch = scratch();
    let root = scratch.path();
    let run = opsreport(root, &["generate", "--source", "data", "--account", "000000000777", "--month", MONTH, "--out", "out"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("account 000000000777: no dataset has any data for 2026-10"), "{}", run.stderr);
    assert!(
        run.stderr.contains("accounts without any data for 2026-10 (reports written, exit 1): 000000000777"),
        "{}",
        run.stderr
    );
    // In a fleet the others are written and the run still says so.
    let run = opsreport(
        root,
        &["generate", "--source", "data", "--account", ACCOUNT, "--account", "000000000777", "--month", MONTH, "--out", "out"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("accounts without any data"), "{}", run.stderr);
    assert!(report_folder(root).join("manifest.json").exists());
}

#[test]
fn spoofing_and_control_characters_never_reach_the_pdf_and_formulas_are_neutralised_in_csv() {
    let scratch = scratch();
    let root = scratch.path();
    let incidents = month_file(root, "incidents", Some(MONTH));
    let subject = format!("=HYPERLINK(\"http://x\") invoice\u{202E}gnp.exe\u{7}\u{1b} {}", "Z".repeat(400));
    set_first(&incidents, "subject", lit(subject.as_str()));
    let run = generate(root, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let folder = report_folder(root);
    let text = pdf_text(&folder);
    assert!(text.contains("invoicegnp.exe"), "the subject is shown without its override");
    for unwanted in ['\u{202E}', '\u{7}', '\u{1b}'] {
        assert!(!text.contains(unwanted), "{unwanted:?} in the PDF text");
    }
    let csvs: String = std::fs::read_dir(folder.join("tables"))
        .unwrap()
        .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
        .collect();
    assert!(csvs.contains("\"'=HYPERLINK("), "the formula is neutralised");
    assert!(!csvs.contains(",\"=HYPERLINK(") && !csvs.contains(",=HYPERLINK("), "no live formula");
}
