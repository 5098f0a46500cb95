//! Architecture invariants, checked as ordinary tests (see ARCHITECTURE.md):
//! the crates' allowed dependencies, a `//!` line opening every Rust file, no ignored tests,
//! metrics without IO or clock, and only the binary printing, reading the environment and
//! picking exit codes.

use std::collections::BTreeMap;
use std::path::Path;

use opsreport_tests::repo_root;

fn dependencies(manifest: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(manifest).unwrap();
    let value: toml::Table = text.parse().unwrap();
    value.get("dependencies").and_then(|deps| deps.as_table()).map(|deps| deps.keys().cloned().collect()).unwrap_or_default()
}

#[test]
fn crates_depend_only_on_what_their_layer_allows() {
    let allowed: BTreeMap<&str, &[&str]> = BTreeMap::from([
        // Plain data: no Polars, no AWS, no Typst, no IO frameworks.
        ("opsreport-model", &["chrono", "chrono-tz", "serde", "serde_json", "thiserror", "toml"][..]),
        // The only crate that reads datasets.
        (
            "opsreport-extract",
            &[
                "opsreport-model",
                // The worker pool an account's datasets load on.
                "opsreport-pool",
                "aws-sdk-athena",
                "aws-sdk-s3",
                "chrono",
                "chrono-tz",
                // Real exports: CSV and JSON lines (docs/sources.md); serde to skip the keys
                // of a JSON line the mapping does not read as they are parsed.
                "csv",
                "polars",
                "serde",
                "serde_json",
                "sha2",
                "thiserror",
                "tokio",
                "toml",
                "tracing",
            ][..],
        ),
        // Pure computation: no IO crates, no AWS, no rendering.
        ("opsreport-metrics", &["opsreport-model", "chrono", "chrono-tz", "polars", "thiserror", "tracing"][..]),
        // Metrics in, PDF bytes out: never Polars or AWS types.
        (
            "opsreport-render",
            &[
                "opsreport-model",
                "chrono",
                // Timestamps in the report's time zone.
                "chrono-tz",
                // Fallback fonts are memory-mapped from the font folders (`fonts.rs`).
                "memmap2",
                // Page images of a finished PDF for the console's preview (`preview.rs`).
                "hayro",
                "image",
                "plotters",
                "serde",
                "serde_json",
                "thiserror",
                "typst",
                "typst-layout",
                "typst-pdf",
            ][..],
        ),
        // Threads over numbered items: the standard library only.
        ("opsreport-pool", &[][..]),
        (
            "opsreport-fixtures",
            &["opsreport-model", "chrono", "chrono-tz", "csv", "polars", "serde", "serde_json", "thiserror", "toml"][..],
        ),
    ]);
    for (name, allowed) in allowed {
        let manifest = repo_root().join("crates").join(name).join("Cargo.toml");
        for dependency in dependencies(&manifest) {
            assert!(allowed.contains(&dependency.as_str()), "{name} must not depend on {dependency} (see ARCHITECTURE.md)");
        }
    }
}

fn rust_files(folder: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn every_rust_file_says_why_it_exists_and_no_test_is_ignored() {
    let mut files = Vec::new();
    rust_files(&repo_root().join("crates"), &mut files);
    rust_files(&repo_root().join("tests"), &mut files);
    assert!(files.len() > 10);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.starts_with("//!"), "{} must start with a //! line saying what it is for", file.display());
        let ignore_attribute = concat!("#[", "ignore");
        assert!(!text.contains(ignore_attribute), "{} has an ignored test: fix it or delete it", file.display());
        let unfinished = concat!("todo", "!(");
        assert!(!text.contains(unfinished), "{} has an unfinished path", file.display());
    }
}

#[test]
fn metrics_does_no_io_and_never_reads_the_clock() {
    let mut files = Vec::new();
    rust_files(&repo_root().join("crates/opsreport-metrics/src"), &mut files);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for forbidden in ["std::fs", "File::", "Utc::now", "Local::now", "SystemTime", "std::env", "scan_parquet"] {
            assert!(!text.contains(forbidden), "{} uses {forbidden}: metrics is DataFrames in, Metrics out", file.display());
        }
    }
}

#[test]
fn only_the_binary_prints() {
    let mut files = Vec::new();
    for library in
        ["opsreport-model", "opsreport-pool", "opsreport-extract", "opsreport-fixtures", "opsreport-metrics", "opsreport-render"]
    {
        rust_files(&repo_root().join("crates").join(library).join("src"), &mut files);
    }
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for macro_name in ["println!", "eprintln!", "print!(", "dbg!"] {
            assert!(!text.contains(macro_name), "{} uses {macro_name}: only opsreport-cli prints", file.display());
        }
    }
}

#[test]
fn only_the_binary_reads_the_environment_and_picks_exit_codes() {
    let mut files = Vec::new();
    for library in
        ["opsreport-model", "opsreport-pool", "opsreport-extract", "opsreport-fixtures", "opsreport-metrics", "opsreport-render"]
    {
        rust_files(&repo_root().join("crates").join(library).join("src"), &mut files);
    }
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for forbidden in ["std::env", "env::var", "process::exit", "std::process::ExitCode"] {
            assert!(
                !text.contains(forbidden),
                "{} uses {forbidden}: only opsreport-cli reads the environment and picks exit codes",
                file.display()
            );
        }
    }
}
