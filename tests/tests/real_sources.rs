//! Real-format sources end to end (`docs/sources.md`): the same generated rows written once in
//! the contract layout and once as AMS self-service reports, a CUR 2.0 (or FOCUS) export and
//! ServiceNow-style CSV ticket exports must give the same `metrics.json` — but for what a real
//! format cannot provide, which must be null and said, never 0 — in UTC and in New York time.
//! Shared exports keep tenants apart; bad text is a named error and nothing is written.

use std::path::Path;

use opsreport_tests::{opsreport, tree_bytes};
use serde_json::Value;

const MONTH: &str = "2026-10";

/// Writes the contract dataset to `contract/` and the same rows, partly in real formats, to
/// `real/`; returns the accounts.
fn both_layouts(root: &Path, formats: &str) -> Vec<String> {
    let common = ["--accounts", "2", "--months", "7", "--scale", "0.2", "--seed", "5"];
    let mut contract = vec!["fixtures", "--out", "contract"];
    contract.extend(common);
    let made = opsreport(root, &contract);
    assert_eq!(made.code, 0, "{}", made.stderr);
    let mut real = vec!["fixtures", "--out", "real", "--format", formats];
    real.extend(common);
    let made = opsreport(root, &real);
    assert_eq!(made.code, 0, "{}", made.stderr);
    let mut accounts: Vec<String> = std::fs::read_dir(root.join("contract/alerts"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().trim_start_matches("aws_account_id=").to_owned())
        .collect();
    accounts.sort();
    accounts
}

fn metrics(root: &Path, source: &str, config: Option<&str>, account: &str, zone: &str) -> Value {
    let mut args = vec!["metrics", "--source", source, "--account", account, "--month", MONTH, "--timezone", zone];
    args.extend(["--generated-on", "2026-11-02"]);
    if let Some(config) = config {
        args.extend(["--config", config]);
    }
    let run = opsreport(root, &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

/// Removes the keys a real format is allowed to change: the input fingerprint, where the data
/// quality says the rows came from, and the numbers that need a field the format lacks.
fn comparable(mut metrics: Value) -> Value {
    let object = metrics.as_object_mut().unwrap();
    object.remove("input_fingerprint");
    for quality in object["data_quality"].as_array_mut().unwrap() {
        let quality = quality.as_object_mut().unwrap();
        // `warnings`: the contract-layout copy has no month after the last report month, which a
        // New York report reaches into; the real exports carry their days after the period.
        for key in ["files_read", "missing_reason", "source_format", "unavailable_columns", "warnings"] {
            quality.remove(key);
        }
    }
    for section in ["cost", "patching", "backups"] {
        object[section].as_object_mut().unwrap().remove("not_provided");
    }
    // Needs the AMS fee, which no cost export carries.
    let cost = object["cost"].as_object_mut().unwrap();
    for key in ["ams_charges", "total", "mom_change_pct", "by_product", "top_products", "by_linked_account", "trend"] {
        cost.remove(key);
    }
    // The cost forecast is of the total, which needs the fee too (the real side says why not).
    object["forecasts"].as_object_mut().unwrap().remove("cost");
    // Need the installed count and the stack name, which the SSR patch details report lacks.
    let patching = object["patching"].as_object_mut().unwrap();
    for key in ["patches_installed", "by_stack", "stacks_fully_patched", "stacks_with_instances"] {
        patching.remove(key);
    }
    // The failure messages the SSR daily backup report lacks.
    for job in object["backups"]["failed_jobs"].as_array_mut().unwrap() {
        job.as_object_mut().unwrap().remove("status_message");
    }
    // The scorecard's cost area is the total's growth, which needs the fee; the overall score and
    // its history are over it.
    let scorecard = object["scorecard"].as_object_mut().unwrap();
    for key in ["overall", "grade", "history", "weight_scored"] {
        scorecard.remove(key);
    }
    scorecard["areas"].as_array_mut().unwrap().retain(|area| area["area"] != "cost");
    // Insights quoting the cost total or the stacks can differ for the same reason.
    object["insights"]
        .as_array_mut()
        .unwrap()
        .retain(|insight| !matches!(insight["section"].as_str(), Some("cost" | "patching")));
    metrics
}

#[test]
fn real_formats_give_the_contract_numbers_for_the_same_rows() {
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path();
    let accounts = both_layouts(root, "ams-ssr,cur2,servicenow-csv");
    for zone in ["UTC", "America/New_York"] {
        for account in &accounts {
            let contract = metrics(root, "contract", None, account, zone);
            let real = metrics(root, "real", Some("real/opsreport.toml"), account, zone);
            // The sections that came from real formats have data.
            for section in ["patching", "backups", "incidents", "service_requests", "rfcs", "cost"] {
                assert_eq!(real[section]["available"], Value::Bool(true), "{account} {zone} {section}: {}", real[section]);
            }
            // What a format lacks is null and said, never 0.
            assert_eq!(real["cost"]["ams_charges"], Value::Null);
            assert_eq!(real["cost"]["total"], Value::Null);
            assert!(contract["cost"]["ams_charges"].is_number());
            let said = real["cost"]["not_provided"].to_string();
            assert!(said.contains("AMS charges are not available from the CUR 2.0 export"), "{said}");
            assert_eq!(real["patching"]["patches_installed"], Value::Null);
            assert_eq!(real["forecasts"]["cost"]["estimate"], Value::Null, "no total, no cost forecast");
            assert!(real["forecasts"]["cost"]["not_made"].is_string(), "{}", real["forecasts"]["cost"]);
            assert_eq!(real["cost"]["aws_charges"], contract["cost"]["aws_charges"], "{account} {zone}");
            let (contract, real) = (comparable(contract), comparable(real));
            if contract != real {
                let differing: Vec<&String> =
                    contract.as_object().unwrap().keys().filter(|key| contract[key.as_str()] != real[key.as_str()]).collect();
                panic!("{account} {zone}: {differing:?} differ");
            }
        }
    }
}

#[test]
fn focus_billing_gives_the_contract_aws_charges() {
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path();
    let accounts = both_layouts(root, "focus");
    let contract = metrics(root, "contract", None, &accounts[0], "UTC");
    let real = metrics(root, "real", Some("real/opsreport.toml"), &accounts[0], "UTC");
    for key in ["aws_charges", "ri_sp_charges", "ri_sp_share_pct"] {
        assert_eq!(contract["cost"][key], real["cost"][key], "{key}");
    }
    assert!(real["cost"]["not_provided"].to_string().contains("FOCUS"), "{}", real["cost"]);
}

#[test]
fn shared_exports_keep_other_tenants_out_and_bad_text_writes_nothing() {
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path();
    let accounts = both_layouts(root, "ams-ssr,cur2,servicenow-csv");
    // A tenant outside the fleet in the shared CSV export: its rows must reach no other report.
    let csv = root.join("real/servicenow/incident/incident.csv");
    let mut text = std::fs::read_to_string(&csv).unwrap();
    text.push_str(
        "999999999999,INC_CANARY,1 - Critical,,Resolved,,CANARY_OTHER_TENANT,2026-10-05 09:00:00,,2026-10-05 10:00:00,,,,,,,\n",
    );
    std::fs::write(&csv, text).unwrap();
    let run = opsreport(
        root,
        &["generate", "--config", "real/opsreport.toml", "--source", "real", "--all-accounts", "--month", MONTH, "--out", "out"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut written: Vec<String> = std::fs::read_dir(root.join("out"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    let mut expected = accounts.clone();
    expected.push("999999999999".into());
    assert_eq!(written, expected, "--all-accounts lists the accounts of the shared exports");
    for account in &accounts {
        for (name, bytes) in tree_bytes(&root.join("out").join(account)) {
            assert!(
                !String::from_utf8_lossy(&bytes).contains("CANARY_OTHER_TENANT"),
                "{account}/{name} holds another tenant's incident"
            );
        }
    }

    // One bad value in an SSR file: exit 2, the error names dataset, file, line, column and
    // value, and no report folder is written.
    let ssr = root.join("real/ssr").join(format!("ams-reporting-data-a{}", accounts[0])).join("json/patch/patch_details");
    let day = std::fs::read_dir(&ssr).unwrap().map(|entry| entry.unwrap().path()).max().unwrap();
    let file = std::fs::read_dir(&day).unwrap().next().unwrap().unwrap().path();
    let text = std::fs::read_to_string(&file).unwrap();
    let broken = text.replacen("\"noncompliant_total\":\"", "\"noncompliant_total\":\"many", 1);
    std::fs::write(&file, broken).unwrap();
    let run = opsreport(
        root,
        &[
            "generate",
            "--config",
            "real/opsreport.toml",
            "--source",
            "real",
            "--account",
            &accounts[0],
            "--month",
            MONTH,
            "--out",
            "bad",
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    for part in ["patch_details", "line 1", "`noncompliant_total`", "\"many"] {
        assert!(run.stderr.contains(part), "{part} in {}", run.stderr);
    }
    assert!(!root.join("bad").join(&accounts[0]).join(MONTH).join("report.pdf").exists());
}

/// Every file below `folder`, relative to it.
fn files(folder: &Path) -> Vec<(String, Vec<u8>)> {
    tree_bytes(folder)
}

#[test]
fn real_formats_read_from_s3_give_the_local_numbers_and_validate_checks_them() {
    let moto = opsreport_tests::moto::Moto::start();
    let example = opsreport_tests::repo_root().join("fixtures/real-formats");
    let account = "043735371057";
    let ssr_bucket = format!("ams-reporting-data-a{account}");
    for bucket in [ssr_bucket.as_str(), "cur-bucket", "ticket-exports"] {
        assert_eq!(moto.http("PUT", &format!("/{bucket}")).0, 200, "create {bucket}");
    }
    let uploads = [
        (example.join("ssr").join(&ssr_bucket), ssr_bucket.clone()),
        (example.join("cur2"), "cur-bucket/cur2".to_owned()),
        (example.join("servicenow"), "ticket-exports/servicenow".to_owned()),
    ];
    for (folder, prefix) in &uploads {
        for (name, bytes) in files(folder) {
            let (status, body) = moto.http_with_body("PUT", &format!("/{prefix}/{name}"), "application/octet-stream", &bytes);
            assert_eq!(status, 200, "{name}: {}", String::from_utf8_lossy(&body));
        }
    }
    // The example's configuration with every location in S3 instead.
    let scratch = tempfile::tempdir().unwrap();
    let local_config = std::fs::read_to_string(example.join("opsreport.toml")).unwrap();
    let s3_config = local_config
        .replace("\"ssr/ams-reporting-data-a{account}/", "\"s3://ams-reporting-data-a{account}/")
        .replace("\"cur2/\"", "\"s3://cur-bucket/cur2/\"")
        .replace("\"servicenow/", "\"s3://ticket-exports/servicenow/");
    assert_eq!(s3_config.matches("s3://").count(), 7, "{s3_config}");
    std::fs::write(scratch.path().join("s3.toml"), s3_config).unwrap();
    let environment = moto.environment();
    let environment: Vec<(&str, &str)> = environment.iter().map(|(key, value)| (*key, value.as_str())).collect();
    let source = example.to_string_lossy().into_owned();
    let run = |config: &str| {
        let args = [
            "metrics",
            "--config",
            config,
            "--source",
            &source,
            "--account",
            account,
            "--month",
            MONTH,
            "--generated-on",
            "2026-11-02",
        ];
        let run = opsreport_tests::opsreport_with_env(scratch.path(), &args, &environment);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let mut metrics: Value = serde_json::from_str(&run.stdout).unwrap();
        metrics.as_object_mut().unwrap().remove("input_fingerprint");
        for quality in metrics["data_quality"].as_array_mut().unwrap() {
            quality.as_object_mut().unwrap().remove("files_read");
            quality.as_object_mut().unwrap().remove("missing_reason");
        }
        metrics
    };
    let from_s3 = run("s3.toml");
    let from_files = run(&example.join("opsreport.toml").to_string_lossy());
    assert_eq!(from_s3["backups"]["available"], Value::Bool(true));
    assert!(from_s3 == from_files, "S3 and local reads of the same exports differ");

    // validate checks the real-format datasets too, and names a bad value.
    let validated = opsreport(
        scratch.path(),
        &["validate", "--config", &example.join("opsreport.toml").to_string_lossy(), "--source", &source, "--month", MONTH],
    );
    assert_eq!(validated.code, 0, "{}{}", validated.stdout, validated.stderr);
    assert!(validated.stdout.contains("result: valid"), "{}", validated.stdout);
    let copy = scratch.path().join("copy");
    for (name, bytes) in tree_bytes(&example) {
        let path = copy.join(&name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let csv = copy.join("servicenow/incident/incident.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    let broken = text.replacen("2026-10-", "2026-1O-", 1);
    assert_ne!(text, broken);
    std::fs::write(&csv, broken).unwrap();
    let validated =
        opsreport(scratch.path(), &["validate", "--config", "copy/opsreport.toml", "--source", "copy", "--month", MONTH]);
    assert_eq!(validated.code, 2, "{}{}", validated.stdout, validated.stderr);
    assert!(validated.stdout.contains("incident.csv") && validated.stdout.contains("2026-1O-"), "{}", validated.stdout);
}

/// An export that ends before the period: the SSR backup report's daily folders stop on the
/// 20th. The report is written (exit 0, as documented), the days after are named in the
/// appendix and the run log, and the cover says the data ends early.
#[test]
fn an_export_that_ends_before_the_period_is_named_on_the_cover_and_in_the_appendix() {
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path().join("example");
    opsreport_tests::copy_tree(&opsreport_tests::repo_root().join("fixtures/real-formats"), &root);
    let backups = root.join("ssr/ams-reporting-data-a043735371057/json/backup/daily_backup_report");
    for entry in std::fs::read_dir(&backups).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap().to_string_lossy().as_ref() > "Date=2026-10-20" {
            std::fs::remove_dir_all(path).unwrap();
        }
    }
    let run = opsreport(
        scratch.path(),
        &["generate", "--config", "example/opsreport.toml", "--source", "example", "--month", MONTH, "--out", "out"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("the export ends on 2026-10-20: no daily report for 2026-10-21 to 2026-10-31 (11 days"),
        "{}",
        run.stderr
    );
    let folder = scratch.path().join(format!("out/043735371057/{MONTH}"));
    let metrics: serde_json::Value = serde_json::from_slice(&std::fs::read(folder.join("metrics.json")).unwrap()).unwrap();
    let quality = metrics["data_quality"].as_array().unwrap();
    let backups = quality.iter().find(|q| q["dataset"] == "backup_jobs").unwrap();
    assert_eq!(backups["export_ends"], "2026-10-20");
    let text = std::process::Command::new("pdftotext").arg(folder.join("report.pdf")).arg("-").output().expect("pdftotext");
    let raw = String::from_utf8_lossy(&text.stdout).into_owned();
    let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let cover = words(raw.split('\u{c}').next().unwrap_or_default());
    let text = words(&raw);
    assert!(cover.contains("Data ends before this period does: Backup jobs: the export ends on 20 October 2026"), "{cover}");
    assert!(text.contains("2026-10-21 to 2026-10-31"), "the appendix names the missing days");
}
