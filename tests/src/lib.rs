//! Helpers shared by the end-to-end tests: where the repository and the `opsreport` binary are,
//! and a runner that captures exit code, stdout and stderr.

pub mod console;
pub mod fault_proxy;
pub mod moto;
pub mod webdriver;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root. Taken from the `CARGO_MANIFEST_DIR` cargo sets when it runs a test, not
/// the one compiled in: with a shared target directory, a test binary built in another checkout
/// can be reused here, and its compiled-in path would point at that checkout.
pub fn repo_root() -> PathBuf {
    let manifest_dir =
        std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    manifest_dir.parent().expect("tests/ is inside the repository").to_owned()
}

/// The `opsreport` binary cargo built next to this test executable.
pub fn binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>/deps/<test>");
    let binary = profile_dir.join(format!("opsreport{}", std::env::consts::EXE_SUFFIX));
    assert!(binary.exists(), "{} is missing: run the tests with `cargo test --workspace`, which builds it", binary.display());
    binary
}

/// Writes a generated dataset of `accounts` accounts into `<directory>/data` with
/// `opsreport fixtures` and returns its account ids, sorted.
pub fn generated_accounts(directory: &Path, accounts: u32, months: u32, scale: f64, seed: u64) -> Vec<String> {
    let (accounts, months, scale, seed) = (accounts.to_string(), months.to_string(), scale.to_string(), seed.to_string());
    let made = opsreport(
        directory,
        &["fixtures", "--out", "data", "--accounts", &accounts, "--months", &months, "--scale", &scale, "--seed", &seed],
    );
    assert_eq!(made.code, 0, "{}", made.stderr);
    let mut found: Vec<String> = std::fs::read_dir(directory.join("data/incidents"))
        .expect("generated incidents")
        .map(|entry| entry.expect("a folder").file_name().to_string_lossy().trim_start_matches("aws_account_id=").to_owned())
        .collect();
    found.sort();
    found
}

/// What a run of the binary produced.
#[derive(Debug)]
pub struct Run {
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs `opsreport` with `args` in `directory`, without inheriting `OPSREPORT_*` variables.
pub fn opsreport(directory: &Path, args: &[&str]) -> Run {
    opsreport_with_env(directory, args, &[])
}

/// Like [`opsreport`], with extra environment variables.
pub fn opsreport_with_env(directory: &Path, args: &[&str], environment: &[(&str, &str)]) -> Run {
    let mut command = Command::new(binary());
    command.args(args).current_dir(directory);
    for (key, _) in std::env::vars() {
        if key.starts_with("OPSREPORT_") {
            command.env_remove(key);
        }
    }
    for (key, value) in environment {
        command.env(key, value);
    }
    let output = command.output().expect("run opsreport");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Every file below `root`, relative, sorted, with its bytes.
pub fn tree_bytes(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).expect("read folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(root).expect("below root").to_string_lossy().into_owned();
                files.push((relative, std::fs::read(&path).expect("read file")));
            }
        }
    }
    files.sort();
    files
}

/// Copies the folder `from` to `to`, recursively (a scratch copy of a fixture).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the copy's folder");
    for entry in std::fs::read_dir(from).expect("read the fixture folder") {
        let entry = entry.expect("an entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("its type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy a file");
        }
    }
}
