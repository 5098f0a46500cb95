//! The whole `metrics.json` of each committed synthetic account for 2026-10, compared with the
//! reviewed copy in `tests/snapshots/`. A change to any number shows up as a diff to review;
//! after checking it, rerun with `OPSREPORT_UPDATE_SNAPSHOTS=1` to accept it.

use opsreport_tests::{opsreport, repo_root};

fn check(account: &str, month: &str, zone: &str) {
    let run = opsreport(
        &repo_root(),
        &["metrics", "--source", "fixtures/synthetic", "--account", account, "--month", month, "--timezone", zone],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let path = repo_root().join("tests/snapshots").join(format!("metrics-{account}-{month}-{}.json", zone.replace('/', "-")));
    if std::env::var_os("OPSREPORT_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &run.stdout).unwrap();
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing: run with OPSREPORT_UPDATE_SNAPSHOTS=1", path.display()));
    if run.stdout != expected {
        let fresh = path.with_extension("json.new");
        std::fs::write(&fresh, &run.stdout).unwrap();
        panic!(
            "metrics differ from {}; the new output is in {} (diff them, then accept with OPSREPORT_UPDATE_SNAPSHOTS=1)",
            path.display(),
            fresh.display()
        );
    }
}

#[test]
fn first_account_october() {
    check("043735371057", "2026-10", "UTC");
}

#[test]
fn second_account_october_in_berlin() {
    check("643641044933", "2026-10", "Europe/Berlin");
}

#[test]
fn metrics_are_identical_across_runs() {
    let args = ["metrics", "--source", "fixtures/synthetic", "--account", "043735371057", "--month", "2026-09"];
    let first = opsreport(&repo_root(), &args);
    let second = opsreport(&repo_root(), &args);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(first.stdout, second.stdout);
}

#[test]
fn metrics_flags_are_checked() {
    let root = repo_root();
    for (args, needle) in [
        (vec!["metrics", "--source", "fixtures/synthetic", "--account", "123", "--month", "2026-10"], "12 digits"),
        (vec!["metrics", "--source", "fixtures/synthetic", "--account", "043735371057", "--month", "2026-13"], "YYYY-MM"),
        (
            vec![
                "metrics",
                "--source",
                "fixtures/synthetic",
                "--account",
                "043735371057",
                "--month",
                "2026-10",
                "--timezone",
                "Mars/Base",
            ],
            "IANA",
        ),
        (
            vec![
                "metrics",
                "--source",
                "fixtures/synthetic",
                "--account",
                "043735371057",
                "--month",
                "2026-10",
                "--generated-on",
                "1.11.2026",
            ],
            "YYYY-MM-DD",
        ),
    ] {
        let run = opsreport(&root, &args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(needle), "{args:?}: {}", run.stderr);
    }
}
