//! Writing a report's files: `<out>/<account>/<YYYY-MM>/` (a customer's review:
//! `<out>/customers/<id>/<YYYY-MM>/`) with `report.pdf`, `metrics.json`,
//! `tables/*.csv` and, last, `manifest.json` (names, sizes, SHA-256).
//!
//! Every file goes to a temporary name in the same folder and is renamed into place, so an
//! interrupted run never leaves a truncated file under a final name. An old `manifest.json` is
//! removed before anything is replaced, so a folder is complete exactly when it has a manifest.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use opsreport_model::format::hex;
use opsreport_model::manifest::{Manifest, ManifestFile};
use opsreport_model::{PeriodId, PeriodKind, Subject, YearMonth};
use sha2::{Digest, Sha256};

/// One file of a report folder.
pub struct OutputFile {
    /// Path relative to the report folder (`report.pdf`, `tables/incidents.csv`).
    pub path: String,
    /// Content.
    pub bytes: Vec<u8>,
}

/// What identifies a report in its manifest.
pub struct ReportIdentity<'a> {
    /// The account or customer.
    pub subject: &'a Subject,
    /// The period (and so its kind).
    pub period: PeriodId,
    /// The month of the period's last day.
    pub month: YearMonth,
    /// Document date.
    pub generated_on: &'a str,
    /// `opsreport <version>`.
    pub generator_version: &'a str,
    /// Input fingerprint.
    pub input_fingerprint: &'a str,
    /// Why the report is held (`Manifest::held`).
    pub held: &'a [String],
}

/// The lock file of an account folder: runs writing the same account take turns.
pub const LOCK_FILE: &str = ".opsreport.lock";

/// Temporary names of one process, so that two threads never share one.
static TEMPORARY: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Writes `bytes` to `path` through a new temporary file in the same folder (created, never
/// opened through an existing name or link), then renames it into place.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let folder = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(folder)?;
    let name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    let serial = TEMPORARY.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let temporary = folder.join(format!(".{name}.tmp-{}-{serial}", std::process::id()));
    let result = (|| {
        let mut file = fs::OpenOptions::new().write(true).create_new(true).open(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result
}

/// `base/<part>/…`, each part a real folder of the output tree, created when absent. A part
/// that is a symbolic link (or a file) is an error: the job never writes through a link out of
/// its tree, nor into another account's folder.
fn own_folder(base: &Path, parts: &[&str]) -> std::io::Result<PathBuf> {
    let mut folder = base.to_owned();
    for part in parts {
        folder.push(part);
        match fs::symlink_metadata(&folder) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                return Err(std::io::Error::other(format!(
                    "{} is a symbolic link; the job writes only into folders of its own output tree: remove the link",
                    folder.display()
                )));
            }
            Ok(metadata) if metadata.is_dir() => {}
            Ok(_) => return Err(std::io::Error::other(format!("{} is not a folder", folder.display()))),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => match fs::create_dir(&folder) {
                Ok(()) => {}
                // Another run created it in between: check it again.
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                    if !fs::symlink_metadata(&folder)?.is_dir() {
                        return Err(std::io::Error::other(format!("{} is not a folder", folder.display())));
                    }
                }
                Err(error) => return Err(error),
            },
            Err(error) => return Err(error),
        }
    }
    Ok(folder)
}

/// An exclusive lock on an account folder, held until dropped: a second run writing the same
/// account waits, so a manifest always describes the files beside it.
fn lock_account(folder: &Path) -> std::io::Result<fs::File> {
    let path = folder.join(LOCK_FILE);
    if fs::symlink_metadata(&path).is_ok_and(|metadata| !metadata.is_file()) {
        return Err(std::io::Error::other(format!("{} is not a lock file of this job: remove it", path.display())));
    }
    let file = fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path)?;
    file.lock()?;
    Ok(file)
}

/// The folders of a report inside its account's folder: a monthly report's month (`2026-10`),
/// as ever; a weekly or quarterly report's kind and period (`weekly/2026-W44`).
fn period_folders(period: PeriodId) -> Vec<String> {
    match period.kind() {
        PeriodKind::Monthly => vec![period.to_string()],
        PeriodKind::Weekly | PeriodKind::Quarterly => vec![period.kind().name().to_owned(), period.to_string()],
    }
}

/// The folder of a report under the output root: `<account>/<YYYY-MM>` for a monthly report,
/// `<account>/<kind>/<period>` for the others; `customers/<id>/…` for a customer's review.
pub fn report_folder(subject: &Subject, period: PeriodId) -> String {
    subject.folders().into_iter().map(str::to_owned).chain(period_folders(period)).collect::<Vec<_>>().join("/")
}

/// Whether a manifest's bytes describe a complete report of `subject`, `kind` and `period` made
/// with this report date (`generated_on`) by this version of opsreport (what `--resume` skips).
pub fn describes(manifest: &[u8], subject: &Subject, period: PeriodId, generated_on: &str) -> bool {
    Manifest::from_bytes(manifest).is_some_and(|manifest| {
        manifest.subject == *subject
            && manifest.kind == period.kind()
            && manifest.period == period
            && manifest.generated_on == generated_on
            && manifest.generator_version == crate::pipeline::generator_version()
    })
}

/// The files an earlier run listed in `folder`'s manifest: the only old files a run removes.
fn previous_files(folder: &Path) -> Vec<String> {
    let Ok(bytes) = fs::read(folder.join("manifest.json")) else { return Vec::new() };
    let Some(manifest) = Manifest::from_bytes(&bytes) else { return Vec::new() };
    manifest.files.into_iter().map(|file| file.path).filter(|path| is_report_path(path)).collect()
}

/// A file of a report folder an earlier run's manifest may name for removal: `name` or
/// `tables/name`, no other folder, no `..`, never a hidden name (the lock, temporary files) and
/// never the manifest itself (a manifest found there may have been written by anyone).
pub(crate) fn is_report_path(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    let plain = |part: &str| !part.is_empty() && !part.starts_with('.') && !part.contains(['\\', '\0']);
    match parts.as_slice() {
        [name] => plain(name) && *name != "manifest.json",
        ["tables", name] => plain(name),
        _ => false,
    }
}

/// Writes a report folder: the files, then the manifest. Returns the folder. Holds the
/// account's lock throughout; removes only what this job wrote before (the files the old
/// manifest lists that this run does not write, and its own temporary files).
pub fn write_report(out: &Path, identity: &ReportIdentity, files: &[OutputFile]) -> std::io::Result<PathBuf> {
    fs::create_dir_all(out)?;
    let account = own_folder(out, &identity.subject.folders())?;
    let _lock = lock_account(&account)?;
    let folder = own_folder(&account, &period_folders(identity.period).iter().map(String::as_str).collect::<Vec<_>>())?;
    if fs::symlink_metadata(folder.join("tables")).is_ok_and(|metadata| !metadata.is_dir()) {
        // A link or a file: refused before anything is replaced.
        own_folder(&folder, &["tables"])?;
    }
    let previous = previous_files(&folder);
    let manifest_path = folder.join("manifest.json");
    if fs::symlink_metadata(&manifest_path).is_ok() {
        fs::remove_file(&manifest_path)?;
    }
    // Temporary files of a run of this job that was killed before it could rename them.
    let known: Vec<&str> =
        files.iter().map(|file| file.path.as_str()).chain(previous.iter().map(String::as_str)).chain(["manifest.json"]).collect();
    for path in &known {
        let (parent, name) = match path.rsplit_once('/') {
            Some((parent, name)) => (folder.join(parent), name),
            None => (folder.clone(), *path),
        };
        let Ok(entries) = fs::read_dir(&parent) else { continue };
        for entry in entries {
            let entry = entry?;
            let entry_name = entry.file_name().to_string_lossy().into_owned();
            if entry_name.starts_with(&format!(".{name}.tmp-")) && entry.file_type()?.is_file() {
                fs::remove_file(entry.path())?;
            }
        }
    }
    // Files of an earlier run that this run does not write would be stale: remove them (not
    // through a link, and only regular files).
    for path in previous.iter().filter(|path| !files.iter().any(|file| &file.path == *path)) {
        if path.starts_with("tables/") && !tables_owned(&folder) {
            continue;
        }
        let old = folder.join(path);
        if fs::symlink_metadata(&old).is_ok_and(|metadata| metadata.is_file()) {
            fs::remove_file(&old)?;
        }
    }
    for file in files {
        if let Some((parent, _)) = file.path.rsplit_once('/') {
            own_folder(&folder, &[parent])?;
        }
        write_atomically(&folder.join(&file.path), &file.bytes)?;
    }
    write_atomically(&manifest_path, &manifest_json(identity, files))?;
    Ok(folder)
}

/// Whether `folder/tables` is a real folder (not a link), so its files are the job's own.
fn tables_owned(folder: &Path) -> bool {
    fs::symlink_metadata(folder.join("tables")).is_ok_and(|metadata| metadata.is_dir())
}

/// `manifest.json` of a report: identity, and every file with its size and SHA-256, sorted.
pub fn manifest_json(identity: &ReportIdentity, files: &[OutputFile]) -> Vec<u8> {
    let mut entries: Vec<ManifestFile> = files
        .iter()
        .map(|file| ManifestFile {
            path: file.path.clone(),
            bytes: file.bytes.len() as u64,
            sha256: hex(&Sha256::digest(&file.bytes)),
        })
        .collect();
    entries.sort_by(|left, right| left.path.cmp(&right.path));
    let manifest = Manifest {
        subject: identity.subject.clone(),
        kind: identity.period.kind(),
        period: identity.period,
        month: identity.month,
        generated_on: identity.generated_on.to_owned(),
        generator_version: identity.generator_version.to_owned(),
        input_fingerprint: identity.input_fingerprint.to_owned(),
        files: entries,
        held: identity.held.to_vec(),
    };
    manifest.to_bytes()
}

/// A table as CSV (RFC 4180: quoted when needed, CRLF-free for diffs). Every cell follows the
/// PDF's rule for text from the data first (no bidirectional or control characters, a tab a
/// space: `opsreport_render::text::without_controls`), so a table shows what the page shows;
/// then a text cell that a spreadsheet would run as a formula is neutralised (see
/// [`spreadsheet_safe`]) — in that order, so a control character cannot hide a formula.
pub fn csv(columns: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    fn field(text: &str) -> String {
        let text = opsreport_render::text::without_controls(text, true);
        let text = spreadsheet_safe(&text);
        if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.into_owned() }
    }
    let mut out = String::new();
    for line in std::iter::once(columns).chain(rows.iter().map(Vec::as_slice)) {
        out.push_str(&line.iter().map(|cell| field(cell)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    out.into_bytes()
}

/// A cell as a spreadsheet may open it: text that starts with `=`, `+`, `-`, `@`, a tab or a
/// carriage return is a formula to Excel and Sheets (`=HYPERLINK(…)` in an incident subject), so
/// it gets a leading `'`, the standard neutraliser, which the spreadsheet shows as text. A plain
/// number (`-3`, `+2.5`) is left as it is.
pub fn spreadsheet_safe(text: &str) -> std::borrow::Cow<'_, str> {
    // Spreadsheets skip leading spaces before a formula sign (" =1" runs too).
    let trimmed = text.trim_start();
    let risky = trimmed.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && trimmed.parse::<f64>().map_or(true, |number| !number.is_finite()) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_numbers_kept() {
        for (cell, written) in [
            ("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            // The tab becomes a space and the carriage return goes (the PDF's rule); the formula
            // behind them is still neutralised.
            ("\t=1", "' =1"),
            ("\r=1", "'=1"),
            ("  =1", "'  =1"),
            ("-inf", "'-inf"),
            ("-3", "-3"),
            ("+2.5", "+2.5"),
            ("plain", "plain"),
        ] {
            let text = String::from_utf8(csv(&["c".into()], &[vec![cell.into()]])).unwrap();
            assert_eq!(text, format!("c\n{written}\n"), "{cell:?}");
        }
    }

    #[test]
    fn csv_cells_lose_the_bidi_and_control_characters_the_pdf_drops() {
        let cells = ["invoice\u{202E}gnp.exe", "bell\u{7}here", "nul\0byte", "\u{7}=HYPERLINK(\"x\")", "tab\there"];
        let rows = vec![cells.iter().map(|cell| (*cell).to_owned()).collect::<Vec<_>>()];
        let header: Vec<String> = (0..cells.len()).map(|index| format!("c{index}")).collect();
        let text = String::from_utf8(csv(&header, &rows)).unwrap();
        assert_eq!(text.lines().nth(1).unwrap(), "invoicegnp.exe,bellhere,nulbyte,\"'=HYPERLINK(\"\"x\"\")\",tab here");
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let text = String::from_utf8(csv(&["a".into(), "b".into()], &[vec!["x,y".into(), "say \"hi\"".into()]])).unwrap();
        assert_eq!(text, "a,b\n\"x,y\",\"say \"\"hi\"\"\"\n");
    }

    #[test]
    fn a_report_folder_ends_with_its_manifest() {
        let out = tempfile::tempdir().unwrap();
        let subject = Subject::Account(opsreport_model::AccountId::parse("000000000001").unwrap());
        let identity = ReportIdentity {
            subject: &subject,
            period: PeriodId::parse("2026-10").unwrap(),
            month: YearMonth::parse("2026-10").unwrap(),
            generated_on: "2026-11-01",
            generator_version: "t",
            input_fingerprint: "f",
            held: &[],
        };
        let files = vec![
            OutputFile { path: "report.pdf".into(), bytes: b"%PDF".to_vec() },
            OutputFile { path: "tables/a.csv".into(), bytes: b"x\n".to_vec() },
        ];
        let folder = write_report(out.path(), &identity, &files).unwrap();
        assert_eq!(folder, out.path().join("000000000001/2026-10"));
        assert_eq!(report_folder(&subject, PeriodId::parse("2026-W44").unwrap()), "000000000001/weekly/2026-W44");
        let customer = Subject::Customer(opsreport_model::CustomerId::parse("acme").unwrap());
        assert_eq!(report_folder(&customer, PeriodId::parse("2026-Q3").unwrap()), "customers/acme/quarterly/2026-Q3");
        let version = crate::pipeline::generator_version();
        let review = ReportIdentity { subject: &customer, generator_version: &version, ..identity };
        let folder = write_report(out.path(), &review, &files).unwrap();
        assert_eq!(folder, out.path().join("customers/acme/2026-10"));
        let manifest = fs::read(folder.join("manifest.json")).unwrap();
        assert!(String::from_utf8_lossy(&manifest).contains(r#""customer_id": "acme""#));
        assert!(describes(&manifest, &customer, identity.period, "2026-11-01"));
        assert!(!describes(&manifest, &subject, identity.period, "2026-11-01"));
        let folder = out.path().join("000000000001/2026-10");
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
