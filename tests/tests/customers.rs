//! `opsreport generate --customer` end to end: a customer's review over all its accounts, in
//! `<out>/customers/<id>/<period>/`, its figures recomputed from the accounts' own reports'
//! counts (never a mean of their percentages), an unreadable tenant and an account without data
//! left out, named on the cover and in `metrics.json`, the run exiting 1 — and customers checked
//! before anything is read.

use std::path::Path;
use std::process::Command;

use opsreport_tests::{Run, generated_accounts, opsreport};
use serde_json::Value;

const MONTH: &str = "2026-10";

fn metrics(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))).unwrap()
}

fn number(value: &Value, path: &str) -> f64 {
    path.split('.').fold(value, |value, key| &value[key]).as_f64().unwrap_or_else(|| panic!("{path} is not a number"))
}

fn pdf_text(pdf: &Path) -> String {
    let output = Command::new("pdftotext").args([pdf.to_str().unwrap(), "-"]).output().expect("pdftotext (poppler-utils)");
    String::from_utf8_lossy(&output.stdout).split_whitespace().collect::<Vec<_>>().join(" ")
}

fn generate(root: &Path, args: &[&str]) -> Run {
    let mut all = vec!["--config", "opsreport.toml", "generate", "--source", "data", "--month", MONTH];
    all.extend_from_slice(args);
    opsreport(root, &all)
}

/// Three generated accounts, the last with a file that is not Parquet, and a customer of the
/// three and an account without data. Returns the accounts.
fn northwind(root: &Path) -> Vec<String> {
    let accounts = generated_accounts(root, 3, 2, 0.05, 17);
    let broken = &accounts[2];
    // One tenant's file is not Parquet: that account is left out, the others are reviewed.
    let folder = root.join(format!("data/incidents/aws_account_id={broken}/month={MONTH}"));
    let file = std::fs::read_dir(&folder).unwrap().next().unwrap().unwrap().path();
    std::fs::write(&file, b"not parquet").unwrap();
    let config = format!(
        "[customers.northwind]\nname = \"Northwind Traders\"\naccounts = [\"{}\", \"{}\", \"{broken}\", \"999999999999\"]\n",
        accounts[0], accounts[1]
    );
    std::fs::write(root.join("opsreport.toml"), config).unwrap();
    accounts
}

/// Counts are the accounts' counts added up; rates are over all the rows.
fn check_figures_over_all_rows(customer: &Value, reports: &[Value]) {
    let sum = |path: &str| reports.iter().map(|report| number(report, path)).sum::<f64>();
    for path in [
        "incidents.opened.total",
        "incidents.resolved.total",
        "alerts.total",
        "backups.jobs",
        "patching.instances",
        "patching.compliant",
        "rfcs.completed",
        "rfcs.succeeded",
        "stacks.total",
        "availability.console.checks_total",
        "availability.console.checks_failed",
        "storage.used_bytes.total",
    ] {
        assert_eq!(number(customer, path), sum(path), "{path}");
    }
    assert!((number(customer, "cost.total") - sum("cost.total")).abs() < 1e-6);
    let ratio = |part: &str, whole: &str| sum(part) / sum(whole) * 100.0;
    let close = |path: &str, expected: f64| {
        let value = number(customer, path);
        assert!((value - expected).abs() < 1e-9, "{path}: {value} against {expected} recomputed from the rows");
    };
    close("patching.compliance_pct", ratio("patching.compliant", "patching.instances"));
    close("rfcs.success_rate_pct", ratio("rfcs.succeeded", "rfcs.completed"));
    let (total, failed) = (sum("availability.console.checks_total"), sum("availability.console.checks_failed"));
    close("availability.console.pct", (total - failed) / total * 100.0);
}

/// Each account's own figures, as its own report has them, ranked; the accounts left out, why.
fn check_accounts(customer: &Value, reports: &[Value], accounts: &[String]) {
    let ranked = customer["customer"]["accounts"].as_array().unwrap();
    assert_eq!(ranked.len(), 2);
    for (rank, figures) in ranked.iter().enumerate() {
        assert_eq!(figures["rank"], rank as u64 + 1);
        let index = if figures["account_id"] == accounts[0].as_str() { 0 } else { 1 };
        assert_eq!(figures["incidents_opened"], reports[index]["incidents"]["opened"]["total"]);
        assert_eq!(figures["patch_compliance_pct"], reports[index]["patching"]["compliance_pct"]);
        assert_eq!(figures["cost_total"], reports[index]["cost"]["total"]);
    }
    let missed = |figures: &Value| figures["targets_missed"].as_u64().unwrap();
    assert!(missed(&ranked[0]) >= missed(&ranked[1]), "ranked by targets missed first");
    let left: Vec<(&str, &str)> = customer["customer"]["not_included"]
        .as_array()
        .unwrap()
        .iter()
        .map(|left| (left["account_id"].as_str().unwrap(), left["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(left.iter().any(|(id, reason)| *id == accounts[2] && reason.contains("incidents")), "{left:?}");
    assert!(left.iter().any(|(id, reason)| *id == "999999999999" && reason.contains("no data")), "{left:?}");
}

#[test]
fn a_customers_review_is_over_all_its_accounts_rows_and_names_what_it_left_out() {
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path();
    let accounts = northwind(root);
    let review = generate(root, &["--customer", "northwind", "--out", "out"]);
    assert_eq!(review.code, 1, "a partial review is written and exits 1: {}", review.stderr);
    assert!(review.stderr.contains("over 2 of its 4 accounts"), "{}", review.stderr);
    let folder = root.join(format!("out/customers/northwind/{MONTH}"));
    let manifest = metrics(&folder.join("manifest.json"));
    assert_eq!(manifest["customer_id"], "northwind");
    assert!(manifest.get("account_id").is_none());
    let customer = metrics(&folder.join("metrics.json"));
    assert_eq!(customer["customer_id"], "northwind");
    let own = generate(root, &["--account", &format!("{},{}", accounts[0], accounts[1]), "--out", "own"]);
    assert_eq!(own.code, 0, "{}", own.stderr);
    let reports: Vec<Value> =
        accounts[..2].iter().map(|id| metrics(&root.join(format!("own/{id}/{MONTH}/metrics.json")))).collect();
    check_figures_over_all_rows(&customer, &reports);
    check_accounts(&customer, &reports, &accounts);

    let text = pdf_text(&folder.join("report.pdf"));
    for expected in [
        "Northwind Traders",
        "Partial review: 2 of the customer's 4 accounts are not in it",
        "Accounts by what needs attention",
        "Incidents by account",
        "Patching by account",
        "Accounts not in this review",
    ] {
        assert!(text.contains(expected), "the review's PDF lacks {expected:?}");
    }
    assert!(folder.join("tables/accounts_attention.csv").is_file());

    // The same inputs give the same bytes.
    let again = generate(root, &["--customer", "northwind", "--out", "again"]);
    assert_eq!(again.code, 1, "{}", again.stderr);
    for file in ["metrics.json", "report.pdf", "manifest.json"] {
        let first = std::fs::read(folder.join(file)).unwrap();
        let second = std::fs::read(root.join(format!("again/customers/northwind/{MONTH}/{file}"))).unwrap();
        assert!(first == second, "{file} differs between two runs");
    }
}

#[test]
fn customers_are_checked_before_anything_is_read() {
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path();
    generated_accounts(root, 1, 1, 0.02, 1);
    std::fs::write(root.join("opsreport.toml"), "[customers.acme]\nname = \"Acme\"\naccounts = [\"000000000001\"]\n").unwrap();
    for (args, needle) in [
        (vec!["--customer", "globex"], "customer globex is not in the configuration (it names acme)"),
        (vec!["--customer", "../x"], "invalid customer id"),
        (vec!["--customer", "acme", "--account", "000000000001"], "cannot be used with"),
        (vec!["--all-customers", "--all-accounts"], "cannot be used with"),
    ] {
        let run = generate(root, &args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(needle), "{args:?}: {}", run.stderr);
        assert!(!root.join("out").exists(), "{args:?} wrote something");
    }
    std::fs::write(root.join("opsreport.toml"), "").unwrap();
    let run = generate(root, &["--all-customers"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("names no customer"), "{}", run.stderr);
    std::fs::write(root.join("opsreport.toml"), "[customers.acme]\nname = \"Acme\"\naccounts = []\n").unwrap();
    let run = generate(root, &["--all-customers"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("customers.acme.accounts"), "{}", run.stderr);
    // A customer none of whose accounts has data fails alone, with why.
    std::fs::write(root.join("opsreport.toml"), "[customers.acme]\nname = \"Acme\"\naccounts = [\"000000000001\"]\n").unwrap();
    let run = generate(root, &["--customer", "acme"]);
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("none of its 1 account has data"), "{}", run.stderr);
}
