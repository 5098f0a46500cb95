//! A fleet run over generated data: accounts are reported in parallel, one account with broken
//! data fails alone (exit 1, named in the summary, no manifest), the others are written, and
//! the outputs are the same bytes whatever the number of workers and however often it re-runs.

use std::path::Path;

use opsreport_tests::{generated_accounts, opsreport, opsreport_with_env, tree_bytes};

const MONTH: &str = "2026-10";

/// The accounts a generated dataset holds, sorted.
fn generate(directory: &Path, out: &str, jobs: &str, extra: &[&str]) -> opsreport_tests::Run {
    let mut args = vec![
        "generate",
        "--source",
        "data",
        "--all-accounts",
        "--month",
        MONTH,
        "--generated-on",
        "2026-11-02",
        "--out",
        out,
        "--jobs",
        jobs,
    ];
    args.extend(extra);
    opsreport(directory, &args)
}

#[test]
fn one_broken_account_fails_alone_and_the_fleet_is_byte_for_byte_reproducible() {
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path();
    let accounts = generated_accounts(root, 4, 2, 0.1, 7);
    assert_eq!(accounts.len(), 4, "{accounts:?}");

    // A transfer cut short: the broken account's incident file of the month is truncated.
    let broken = &accounts[1];
    let folder = root.join(format!("data/incidents/aws_account_id={broken}/month={MONTH}"));
    let file = std::fs::read_dir(&folder).unwrap().next().unwrap().unwrap().path();
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() / 3]).unwrap();

    let run = generate(root, "out-2-workers", "2", &[]);
    assert_eq!(run.code, 1, "one failed account is exit 1: {}", run.stderr);
    assert!(
        run.stderr.contains("summary: 3 report(s) written, 1 failed, 4 account(s), month 2026-10, 2 worker(s)"),
        "{}",
        run.stderr
    );
    let failed_section = run.stderr.split("failed accounts:").nth(1).unwrap_or_else(|| panic!("no failed list: {}", run.stderr));
    assert!(failed_section.contains(&format!("{broken} (exit 2)")), "{}", run.stderr);
    assert!(
        failed_section.contains("incidents") && failed_section.contains(&format!("aws_account_id={broken}")),
        "{}",
        run.stderr
    );
    for stage in ["extract", "validate", "metrics", "charts", "typst compile", "PDF export", "write"] {
        assert!(run.stderr.lines().any(|line| line.trim_start().starts_with(stage)), "no {stage} row: {}", run.stderr);
    }
    for account in &accounts {
        let manifest = root.join(format!("out-2-workers/{account}/{MONTH}/manifest.json"));
        assert_eq!(manifest.exists(), account != broken, "{account}: manifest.json");
    }
    assert!(!root.join(format!("out-2-workers/{broken}")).exists(), "nothing is written for the broken account");

    // One worker, the same bytes; a re-run over the first output replaces it with the same bytes.
    let serial = generate(root, "out-1-worker", "1", &[]);
    assert_eq!(serial.code, 1, "{}", serial.stderr);
    let first = tree_bytes(&root.join("out-2-workers"));
    assert_eq!(first.iter().filter(|(name, _)| name.ends_with("manifest.json")).count(), 3);
    assert_same_tree(&first, &tree_bytes(&root.join("out-1-worker")));
    let again = generate(root, "out-2-workers", "2", &[]);
    assert_eq!(again.code, 1, "{}", again.stderr);
    assert_same_tree(&first, &tree_bytes(&root.join("out-2-workers")));
}

fn assert_same_tree(left: &[(String, Vec<u8>)], right: &[(String, Vec<u8>)]) {
    let names = |files: &[(String, Vec<u8>)]| files.iter().map(|(name, _)| name.clone()).collect::<Vec<_>>();
    assert_eq!(names(left), names(right));
    for ((name, one), (_, other)) in left.iter().zip(right) {
        assert!(one == other, "{name} differs between runs");
    }
}

#[test]
fn json_logs_are_one_object_per_line_with_span_durations_and_the_summary() {
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path();
    let broken = &generated_accounts(root, 2, 1, 0.1, 3)[0];
    let folder = root.join(format!("data/incidents/aws_account_id={broken}/month={MONTH}"));
    let file = std::fs::read_dir(&folder).unwrap().next().unwrap().unwrap().path();
    std::fs::write(&file, b"not parquet").unwrap();

    let run = opsreport_with_env(
        root,
        &["generate", "--source", "data", "--all-accounts", "--month", MONTH, "--out", "out"],
        &[("OPSREPORT_LOG_FORMAT", "json"), ("OPSREPORT_JOBS", "2")],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let events: Vec<serde_json::Value> = run
        .stderr
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|error| panic!("not JSON ({error}): {line}")))
        .collect();
    let with_message = |message: &str| events.iter().filter(|event| event["message"] == message).collect::<Vec<_>>();
    // Every stage of a written report closes its span with a duration and the account's fields.
    for stage in ["extract", "metrics", "render", "write"] {
        let closed = events
            .iter()
            .find(|event| event["message"] == "close" && event["span"]["name"] == stage)
            .unwrap_or_else(|| panic!("no closed {stage} span: {}", run.stderr));
        assert!(closed["time.busy"].is_string(), "{closed}");
        assert_eq!(closed["spans"][0]["name"], "account", "{closed}");
        assert!(closed["spans"][0]["account_id"].as_str().is_some_and(|id| id.len() == 12), "{closed}");
    }
    let account_spans: Vec<_> =
        events.iter().filter(|event| event["message"] == "close" && event["span"]["name"] == "account").collect();
    assert_eq!(account_spans.len(), 2, "{}", run.stderr);
    assert!(account_spans.iter().all(|event| event["span"]["month"] == MONTH));
    let summary = with_message("run summary");
    assert_eq!(summary.len(), 1, "{}", run.stderr);
    assert_eq!((summary[0]["written"].as_u64(), summary[0]["failed"].as_u64()), (Some(1), Some(1)));
    assert!(summary[0]["files_read"].as_u64().unwrap() > 0);
    assert_eq!(with_message("stage time").len(), 7);
    let failed = with_message("account failed");
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["account_id"], broken.as_str());
    assert_eq!(failed[0]["level"], "ERROR");
}

/// When each account's report folder was completed: its manifest's modification time.
fn manifest_times(out: &Path, accounts: &[String]) -> Vec<Option<std::time::SystemTime>> {
    accounts
        .iter()
        .map(|account| {
            std::fs::metadata(out.join(account).join(MONTH).join("manifest.json")).and_then(|meta| meta.modified()).ok()
        })
        .collect()
}

#[test]
fn a_shard_killed_mid_run_and_re_run_with_resume_writes_every_account_once() {
    let scratch = tempfile::tempdir().unwrap();
    let accounts = generated_accounts(scratch.path(), 6, 1, 0.3, 11);
    let out = scratch.path().join("out");
    let out_text = out.to_str().unwrap().to_owned();
    let binary = opsreport_tests::binary();
    // The shard 0/2 of six accounts (positions 0, 2, 4), one worker, killed once its first
    // report is complete.
    let mut child = std::process::Command::new(&binary)
        .current_dir(scratch.path())
        .args(["generate", "--source", "data", "--all-accounts", "--month", MONTH, "--generated-on", "2026-11-02"])
        .args(["--out", &out_text, "--jobs", "1", "--shard", "0/2"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let shard: Vec<String> = accounts.iter().step_by(2).cloned().collect();
    let started = std::time::Instant::now();
    while manifest_times(&out, &shard).iter().all(Option::is_none) {
        assert!(started.elapsed() < std::time::Duration::from_secs(120), "no report was completed");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let before = manifest_times(&out, &shard);
    let finished_before = before.iter().filter(|time| time.is_some()).count();
    assert!(finished_before < shard.len(), "the run was killed before its last report");

    let rerun = generate(scratch.path(), &out_text, "2", &["--shard", "0/2", "--resume"]);
    assert_eq!(rerun.code, 0, "{}", rerun.stderr);
    assert!(
        rerun.stderr.contains(&format!("already complete, skipped (--resume): {finished_before} account(s)")),
        "{}",
        rerun.stderr
    );
    let after = manifest_times(&out, &shard);
    for ((account, before), after) in shard.iter().zip(&before).zip(&after) {
        assert!(after.is_some(), "{account} is written");
        if before.is_some() {
            assert_eq!(before, after, "{account} was complete and is not written again");
        }
    }
    // The other shard is no business of this one.
    assert!(accounts.iter().skip(1).step_by(2).all(|account| !out.join(account).exists()));

    // Another report date is another report: --resume writes it again.
    let other_day = opsreport(
        scratch.path(),
        &[
            "generate",
            "--source",
            "data",
            "--all-accounts",
            "--month",
            MONTH,
            "--generated-on",
            "2026-11-03",
            "--out",
            &out_text,
            "--shard",
            "0/2",
            "--resume",
        ],
    );
    assert_eq!(other_day.code, 0, "{}", other_day.stderr);
    assert!(!other_day.stderr.contains("already complete"), "{}", other_day.stderr);
}

#[test]
fn an_aws_batch_array_child_takes_its_shard_from_its_index() {
    let scratch = tempfile::tempdir().unwrap();
    let accounts = generated_accounts(scratch.path(), 3, 1, 0.1, 5);
    let args = ["generate", "--source", "data", "--all-accounts", "--month", MONTH, "--out", "out", "--shard", "batch/2"];
    let child = opsreport_with_env(scratch.path(), &args, &[("AWS_BATCH_JOB_ARRAY_INDEX", "1")]);
    assert_eq!(child.code, 0, "{}", child.stderr);
    let written: Vec<bool> = accounts.iter().map(|account| scratch.path().join("out").join(account).exists()).collect();
    assert_eq!(written, [false, true, false], "child 1 of 2 writes the account at position 1");
    let outside = opsreport(scratch.path(), &args);
    assert_eq!(outside.code, 2, "{}", outside.stderr);
    assert!(outside.stderr.contains("AWS_BATCH_JOB_ARRAY_INDEX"), "{}", outside.stderr);
}

/// One tenant's hostile input fails that account alone: a file past `[limits]` (exit 2) and an
/// account folder that is a link into another account's partition (exit 3). The others are
/// written and the summary names both.
#[test]
fn hostile_inputs_fail_only_their_own_account_and_the_fleet_is_summarised() {
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path();
    let accounts = generated_accounts(root, 4, 1, 0.05, 11);
    std::fs::write(root.join("opsreport.toml"), "[limits]\ninput_file_max_bytes = 2000000\n").unwrap();
    // A 3 MB file in the first poisoned account's alerts.
    let oversized = &accounts[1];
    let folder = root.join(format!("data/alerts/aws_account_id={oversized}/month={MONTH}"));
    std::fs::write(folder.join("part-99999.parquet"), vec![b'x'; 3_000_000]).unwrap();
    // The second poisoned account's stacks are a link to the last account's.
    let linked = &accounts[2];
    let mine = root.join(format!("data/stacks/aws_account_id={linked}"));
    std::fs::remove_dir_all(&mine).unwrap();
    std::os::unix::fs::symlink(root.join(format!("data/stacks/aws_account_id={}", accounts[3])), &mine).unwrap();

    let run = generate(root, "out", "2", &["--config", "opsreport.toml"]);
    assert_eq!(run.code, 1, "failed accounts are exit 1: {}", run.stderr);
    assert!(run.stderr.contains("summary: 2 report(s) written, 2 failed, 4 account(s)"), "{}", run.stderr);
    let failed = run.stderr.split("failed accounts:").nth(1).unwrap_or_else(|| panic!("no failed list: {}", run.stderr));
    assert!(failed.contains(&format!("{oversized} (exit 2)")) && failed.contains("input_file_max_bytes"), "{}", run.stderr);
    assert!(failed.contains(&format!("{linked} (exit 3)")) && failed.contains("is a symbolic link"), "{}", run.stderr);
    for written in [&accounts[0], &accounts[3]] {
        assert!(root.join(format!("out/{written}/{MONTH}/manifest.json")).is_file(), "{written} written: {}", run.stderr);
    }
    for failed in [oversized, linked] {
        assert!(!root.join(format!("out/{failed}/{MONTH}/manifest.json")).exists(), "{failed} has no report");
    }
}
