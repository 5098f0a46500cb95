//! Writing a report's files: `<out>/<account>/<YYYY-MM>/` with `report.pdf`, `metrics.json`,
//! `tables/*.csv` and, last, `manifest.json` (names, sizes, SHA-256).
//!
//! Every file goes to a temporary name in the same folder and is renamed into place, so an
//! interrupted run never leaves a truncated file under a final name. An old `manifest.json` is
//! removed before anything is replaced, so a folder is complete exactly when it has a manifest.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

/// One file of a report folder.
pub struct OutputFile {
    /// Path relative to the report folder (`report.pdf`, `tables/incidents.csv`).
    pub path: String,
    /// Content.
    pub bytes: Vec<u8>,
}

#[derive(Serialize)]
struct ManifestEntry<'a> {
    path: &'a str,
    bytes: usize,
    sha256: String,
}

#[derive(Serialize)]
struct Manifest<'a> {
    account_id: &'a str,
    month: &'a str,
    generated_on: &'a str,
    generator_version: &'a str,
    input_fingerprint: &'a str,
    files: Vec<ManifestEntry<'a>>,
}

/// What identifies a report in its manifest.
pub struct ReportIdentity<'a> {
    /// Account.
    pub account_id: &'a str,
    /// Month.
    pub month: &'a str,
    /// Document date.
    pub generated_on: &'a str,
    /// `opsreport <version>`.
    pub generator_version: &'a str,
    /// Input fingerprint.
    pub input_fingerprint: &'a str,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Writes `bytes` to `path` through a temporary file in the same folder, then renames it.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let folder = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(folder)?;
    let name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = folder.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut file = fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result
}

/// The folder of one report.
pub fn report_folder(out: &Path, account: &str, month: &str) -> PathBuf {
    out.join(account).join(month)
}

/// Writes a report folder: the files, then the manifest. Returns the folder.
pub fn write_report(out: &Path, identity: &ReportIdentity, files: &[OutputFile]) -> std::io::Result<PathBuf> {
    let folder = report_folder(out, identity.account_id, identity.month);
    fs::create_dir_all(&folder)?;
    let manifest_path = folder.join("manifest.json");
    if manifest_path.exists() {
        fs::remove_file(&manifest_path)?;
    }
    // Temporary files of a run that was killed before it could rename them.
    for entry in fs::read_dir(&folder)? {
        let path = entry?.path();
        let name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
        if name.starts_with('.') && name.contains(".tmp-") && path.is_file() {
            fs::remove_file(&path)?;
        }
    }
    // Tables from an earlier run that this run does not write would be stale: remove them.
    let tables = folder.join("tables");
    if tables.is_dir() {
        for entry in fs::read_dir(&tables)? {
            let path = entry?.path();
            let relative =
                format!("tables/{}", path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default());
            if !files.iter().any(|file| file.path == relative) {
                fs::remove_file(&path)?;
            }
        }
    }
    for file in files {
        write_atomically(&folder.join(&file.path), &file.bytes)?;
    }
    write_atomically(&manifest_path, &manifest_json(identity, files))?;
    Ok(folder)
}

/// `manifest.json` of a report: identity, and every file with its size and SHA-256, sorted.
pub fn manifest_json(identity: &ReportIdentity, files: &[OutputFile]) -> Vec<u8> {
    let mut entries: Vec<ManifestEntry> = files
        .iter()
        .map(|file| ManifestEntry { path: &file.path, bytes: file.bytes.len(), sha256: hex(&Sha256::digest(&file.bytes)) })
        .collect();
    entries.sort_by(|left, right| left.path.cmp(right.path));
    let manifest = Manifest {
        account_id: identity.account_id,
        month: identity.month,
        generated_on: identity.generated_on,
        generator_version: identity.generator_version,
        input_fingerprint: identity.input_fingerprint,
        files: entries,
    };
    let mut json = serde_json::to_vec_pretty(&manifest).expect("a manifest always serialises");
    json.push(b'\n');
    json
}

/// A table as CSV (RFC 4180: quoted when needed, CRLF-free for diffs).
pub fn csv(columns: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    fn field(text: &str) -> String {
        if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_owned() }
    }
    let mut out = String::new();
    for line in std::iter::once(columns).chain(rows.iter().map(Vec::as_slice)) {
        out.push_str(&line.iter().map(|cell| field(cell)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let text = String::from_utf8(csv(&["a".into(), "b".into()], &[vec!["x,y".into(), "say \"hi\"".into()]])).unwrap();
        assert_eq!(text, "a,b\n\"x,y\",\"say \"\"hi\"\"\"\n");
    }

    #[test]
    fn a_report_folder_ends_with_its_manifest() {
        let out = tempfile::tempdir().unwrap();
        let identity = ReportIdentity {
            account_id: "000000000001",
            month: "2026-10",
            generated_on: "2026-11-01",
            generator_version: "t",
            input_fingerprint: "f",
        };
        let files = vec![
            OutputFile { path: "report.pdf".into(), bytes: b"%PDF".to_vec() },
            OutputFile { path: "tables/a.csv".into(), bytes: b"x\n".to_vec() },
        ];
        let folder = write_report(out.path(), &identity, &files).unwrap();
        let manifest: serde_json::Value = serde_json::from_slice(&fs::read(folder.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(manifest["files"][0]["path"], "report.pdf");
        assert_eq!(manifest["files"][0]["sha256"], hex(&Sha256::digest(b"%PDF")));
        // A re-run without a table removes the stale one; no temporary files are left.
        write_report(out.path(), &identity, &files[..1]).unwrap();
        assert!(!folder.join("tables/a.csv").exists());
        let leftovers: Vec<_> = fs::read_dir(&folder)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
            .collect();
        assert!(leftovers.is_empty());
    }
}
