//! The binary as a user runs it: help, version, exit codes, fixtures and validate.

use opsreport_tests::{opsreport, repo_root, tree_bytes};

#[test]
fn help_and_version_everywhere() {
    let root = repo_root();
    let help = opsreport(&root, &["--help"]);
    assert_eq!(help.code, 0);
    for command in ["validate", "fixtures"] {
        assert!(help.stdout.contains(command), "{}", help.stdout);
        let sub = opsreport(&root, &[command, "--help"]);
        assert_eq!(sub.code, 0, "{command} --help: {}", sub.stderr);
        assert!(sub.stdout.contains("Usage: opsreport"), "{}", sub.stdout);
    }
    let version = opsreport(&root, &["--version"]);
    assert_eq!(version.code, 0);
    assert!(version.stdout.starts_with("opsreport "), "{}", version.stdout);
    let sub_version = opsreport(&root, &["validate", "--version"]);
    assert_eq!(sub_version.code, 0);
}

#[test]
fn bad_usage_exits_2() {
    let run = opsreport(&repo_root(), &["validate"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--source"), "{}", run.stderr);
    let run = opsreport(&repo_root(), &["no-such-command"]);
    assert_eq!(run.code, 2);
}

#[test]
fn validate_accepts_the_committed_fixtures() {
    for fixture in ["fixtures/synthetic", "fixtures/handmade"] {
        let run = opsreport(&repo_root(), &["validate", "--source", fixture]);
        assert_eq!(run.code, 0, "{fixture}: {}\n{}", run.stdout, run.stderr);
        assert!(run.stdout.contains("result: valid"), "{}", run.stdout);
        for dataset in ["incidents", "backup_jobs", "ood_engagements", "trusted_advisor"] {
            let line = run
                .stdout
                .lines()
                .find(|line| line.starts_with(dataset))
                .unwrap_or_else(|| panic!("{dataset} row: {}", run.stdout));
            assert!(line.ends_with(" ok"), "{fixture}: {line}");
        }
    }
}

#[test]
fn validate_reports_every_bad_file_and_exits_2() {
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path();
    let generated = opsreport(root, &["fixtures", "--out", "data", "--accounts", "1", "--months", "2", "--scale", "0.02"]);
    assert_eq!(generated.code, 0, "{}", generated.stderr);
    let account_folder = std::fs::read_dir(root.join("data/alerts")).unwrap().next().unwrap().unwrap().path();
    let month_folder = std::fs::read_dir(&account_folder).unwrap().next().unwrap().unwrap().path();
    std::fs::write(month_folder.join("broken.parquet"), b"PAR1 but not really").unwrap();
    let notes_folder = std::fs::read_dir(root.join("data/notes")).unwrap().next().unwrap().unwrap().path();
    std::fs::write(notes_folder.join("2026-01.toml"), "customer_name = [1, 2]\n").unwrap();
    let run = opsreport(root, &["validate", "--source", "data"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("broken.parquet") && run.stdout.contains("not a readable Parquet file"), "{}", run.stdout);
    assert!(run.stdout.contains("2026-01.toml") && run.stdout.contains("customer_name"), "{}", run.stdout);
    assert!(run.stdout.contains("result: invalid"), "{}", run.stdout);
}

#[test]
fn validate_on_a_missing_folder_names_it() {
    let run = opsreport(&repo_root(), &["validate", "--source", "no/such/folder"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no/such/folder") && run.stderr.contains("--source"), "{}", run.stderr);
}

#[test]
fn fixtures_are_deterministic_and_refuse_to_overwrite() {
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path();
    for out in ["one", "two"] {
        let run =
            opsreport(root, &["fixtures", "--out", out, "--accounts", "2", "--months", "3", "--scale", "0.03", "--seed", "9"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let one = tree_bytes(&root.join("one"));
    assert!(one.len() > 30, "{} files", one.len());
    assert_eq!(one, tree_bytes(&root.join("two")), "same seed, same bytes");
    let other_seed =
        opsreport(root, &["fixtures", "--out", "three", "--accounts", "2", "--months", "3", "--scale", "0.03", "--seed", "10"]);
    assert_eq!(other_seed.code, 0);
    assert_ne!(one, tree_bytes(&root.join("three")), "another seed, other data");
    let again = opsreport(root, &["fixtures", "--out", "one", "--accounts", "1", "--months", "1", "--scale", "0.03"]);
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert!(again.stderr.contains("--force"), "{}", again.stderr);
    let forced = opsreport(root, &["fixtures", "--out", "one", "--accounts", "1", "--months", "1", "--scale", "0.03", "--force"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert!(tree_bytes(&root.join("one")).len() < one.len());
}

#[test]
fn fixture_options_out_of_range_exit_2() {
    let scratch = tempfile::tempdir().unwrap();
    for args in [["--scale", "0"], ["--months", "0"], ["--accounts", "0"]] {
        let mut all = vec!["fixtures", "--out", "x"];
        all.extend(args);
        let run = opsreport(scratch.path(), &all);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(args[0]), "{}", run.stderr);
    }
}

#[test]
fn a_config_with_an_unknown_key_is_rejected_by_name() {
    let scratch = tempfile::tempdir().unwrap();
    std::fs::write(scratch.path().join("opsreport.toml"), "[backups]\nrpo_hourz = 3\n").unwrap();
    let run = opsreport(scratch.path(), &["validate", "--source", "."]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("rpo_hourz") && run.stderr.contains("opsreport.toml"), "{}", run.stderr);
}

#[test]
fn the_example_config_is_valid() {
    let run = opsreport(&repo_root(), &["--config", "opsreport.example.toml", "validate", "--source", "fixtures/handmade"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
}
