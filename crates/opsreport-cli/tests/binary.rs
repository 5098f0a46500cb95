//! The built binary answers `--version` and `--help`. Having an integration test here also makes
//! `cargo test --workspace` build the `opsreport` binary, which the end-to-end tests in `tests/`
//! run (cargo builds a package's binaries only for that package's own integration tests).

use std::process::Command;

#[test]
fn the_binary_reports_its_version_and_subcommands() {
    let binary = env!("CARGO_BIN_EXE_opsreport");
    let version = Command::new(binary).arg("--version").output().unwrap();
    assert!(version.status.success());
    assert_eq!(String::from_utf8_lossy(&version.stdout).trim(), format!("opsreport {}", env!("CARGO_PKG_VERSION")));
    let help = Command::new(binary).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for subcommand in ["generate", "metrics", "validate", "fixtures", "template"] {
        assert!(help.contains(subcommand), "{help}");
    }
}
