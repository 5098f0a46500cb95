//! Crash safety: a fleet run killed with SIGKILL part-way leaves no truncated file under a final
//! name and no `manifest.json` for an unfinished account; every manifest that exists matches its
//! files; the next run completes every account and leaves no temporary file behind.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use opsreport_tests::{binary, generated_accounts, opsreport, tree_bytes};
use sha2::{Digest, Sha256};

const MONTH: &str = "2026-10";

/// Checks a report folder: with a manifest, every listed file has its size and SHA-256; without
/// one, every file under a final name is complete. Returns whether the folder is complete.
fn check_folder(folder: &Path) -> bool {
    let files = tree_bytes(folder);
    for (name, bytes) in &files {
        let final_name = !name.rsplit('/').next().unwrap_or(name).starts_with('.');
        if !final_name {
            continue;
        }
        if name.ends_with(".pdf") {
            assert!(
                bytes.starts_with(b"%PDF-") && bytes.trim_ascii_end().ends_with(b"%%EOF"),
                "{}/{name} is truncated",
                folder.display()
            );
        }
        if name.ends_with(".json") {
            serde_json::from_slice::<serde_json::Value>(bytes)
                .unwrap_or_else(|error| panic!("{}/{name} is not whole JSON: {error}", folder.display()));
        }
    }
    let Some((_, manifest)) = files.iter().find(|(name, _)| name == "manifest.json") else {
        return false;
    };
    let manifest: serde_json::Value = serde_json::from_slice(manifest).unwrap();
    for entry in manifest["files"].as_array().unwrap() {
        let path = entry["path"].as_str().unwrap();
        let (_, bytes) =
            files.iter().find(|(name, _)| name == path).unwrap_or_else(|| panic!("{path} is in the manifest but absent"));
        assert_eq!(entry["bytes"].as_u64(), Some(bytes.len() as u64), "{path}");
        let digest: String = Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect();
        assert_eq!(entry["sha256"].as_str(), Some(digest.as_str()), "{path}");
    }
    true
}

#[test]
fn a_run_killed_part_way_leaves_no_truncated_file_and_the_next_run_completes() {
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path();
    generated_accounts(root, 6, 1, 0.05, 5);
    let args = ["generate", "--source", "data", "--all-accounts", "--month", MONTH, "--out", "out", "--jobs", "1"];

    let mut child =
        Command::new(binary()).args(args).current_dir(root).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    // Kill it once the first report is complete (the second is then being made).
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let complete = std::fs::read_dir(root.join("out"))
            .map(|entries| {
                entries.filter(|entry| entry.as_ref().unwrap().path().join(MONTH).join("manifest.json").exists()).count()
            })
            .unwrap_or(0);
        if complete >= 1 {
            break;
        }
        assert!(child.try_wait().unwrap().is_none(), "the run ended before it could be killed");
        assert!(Instant::now() < deadline, "no report after 300 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(150));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let accounts: Vec<_> = std::fs::read_dir(root.join("data/incidents")).unwrap().collect();
    let folders: Vec<_> = std::fs::read_dir(root.join("out")).unwrap().map(|entry| entry.unwrap().path().join(MONTH)).collect();
    let complete = folders.iter().filter(|folder| check_folder(folder)).count();
    assert!(complete >= 1 && complete < accounts.len(), "{complete} of {} complete after the kill", accounts.len());

    let again = opsreport(root, &args);
    assert_eq!(again.code, 0, "{}", again.stderr);
    for entry in std::fs::read_dir(root.join("out")).unwrap() {
        let folder = entry.unwrap().path().join(MONTH);
        assert!(check_folder(&folder), "{} is incomplete after the re-run", folder.display());
        let leftovers: Vec<String> =
            tree_bytes(&folder).into_iter().map(|(name, _)| name).filter(|name| name.contains(".tmp-")).collect();
        assert!(leftovers.is_empty(), "temporary files left in {}: {leftovers:?}", folder.display());
    }
    assert_eq!(std::fs::read_dir(root.join("out")).unwrap().count(), accounts.len());
}
