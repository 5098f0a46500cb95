//! The S3 sink: `--out s3://bucket/prefix` writes the same tree as a local run, through the
//! object store (`opsreport_extract::objects`): the same code writes to memory in its tests.
//!
//! An old `manifest.json` is deleted first and the new one is uploaded last, so a report folder
//! is complete exactly when it has a manifest, in S3 as on disk. Files the old manifest lists
//! that this run does not write are deleted after the new manifest, as a folder run does. Credentials come from the AWS
//! default chain only; endpoints the standard way (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_S3`);
//! path-style addressing for S3-compatible stores with `OPSREPORT_S3_FORCE_PATH_STYLE=true` or
//! `[s3] force_path_style`; SSE-KMS with `[s3] sse_kms_key_id`. Transient failures are retried by
//! the SDK's standard retry strategy.

use opsreport_extract::objects::{Expect, S3Objects, Store, StoreError};
use opsreport_extract::s3::S3Uri;
use opsreport_model::Config;
use opsreport_model::manifest::Manifest;

use crate::failure::Failure;
use crate::output::{LOCK_FILE, OutputFile, ReportIdentity, manifest_json};

/// Where a run writes in S3 (the source's own URI type: one parser for every `s3://` setting).
pub type S3Location = S3Uri;

/// Parses `--out`: `None` for a folder, the location for `s3://bucket/prefix`.
pub fn parse_location(text: &str) -> Result<Option<S3Location>, Failure> {
    if !text.starts_with("s3://") {
        return Ok(None);
    }
    S3Uri::parse(text).map(Some).ok_or_else(|| {
        Failure::bad_input(anyhow::anyhow!(
            "invalid --out {text:?}: write s3://<bucket>/<prefix> with a valid bucket name (3-63 lower-case letters, digits, '-' or '.') and no quotes or backslashes in the prefix"
        ))
    })
}

/// Uploads report folders to an object store (S3; memory in tests).
pub struct S3Sink {
    runtime: tokio::runtime::Runtime,
    store: Store,
}

/// How long a report's link works: seven days, the longest a presigned S3 link may last (one
/// signed with temporary credentials stops working when they expire).
pub const LINK_VALIDITY: std::time::Duration =
    std::time::Duration::from_secs(opsreport_model::console::LINK_HOURS_MAX as u64 * 3600);

impl S3Sink {
    /// A sink for `location`, configured from the default AWS chain and the settings.
    pub fn new(location: S3Location, config: &Config) -> Result<Self, Failure> {
        let runtime = crate::aws::runtime()?;
        let shared = crate::aws::sdk_config(&runtime, config);
        let mut objects = S3Objects::new(crate::aws::s3_client(&shared, config), location);
        objects.kms_key.clone_from(&config.s3.sse_kms_key_id);
        Ok(Self { runtime, store: Store::S3(objects) })
    }

    /// A sink writing to `store` (a memory store in tests).
    #[cfg(test)]
    pub fn on(store: Store) -> Result<Self, Failure> {
        Ok(Self { runtime: crate::aws::runtime()?, store })
    }

    /// The manifest of an account's report in `folder` (`output::report_folder`), if there is one
    /// (an error reads as none).
    pub fn manifest(&self, folder: &str) -> Option<Vec<u8>> {
        let path = format!("{folder}/manifest.json");
        self.runtime.block_on(self.store.get(&path)).ok().flatten().map(|file| file.bytes)
    }

    /// Logs a time-limited link to the report's PDF (a presigned GET, [`LINK_VALIDITY`]), so a
    /// CSDM who asked for a report can open it without credentials. Signing needs no network;
    /// a failure to sign only leaves the link out.
    async fn log_link(&self, folder: &str) {
        let path = format!("{folder}/report.pdf");
        match self.store.presigned(&path, LINK_VALIDITY).await {
            Ok(Some(link)) => tracing::info!(
                link = link.as_str(),
                "report {} — link valid for {} days: {link}",
                self.store.describe(&path),
                LINK_VALIDITY.as_secs() / 86_400,
            ),
            Ok(None) => {}
            Err(error) => tracing::debug!("no link to {}: {error}", self.store.describe(&path)),
        }
    }

    /// Uploads one report folder; returns its URI.
    pub fn write_report(&self, identity: &ReportIdentity, files: &[OutputFile]) -> Result<String, Failure> {
        let folder = crate::output::report_folder(identity.subject, identity.period);
        let failure = |error: StoreError| {
            Failure::source_or_sink(anyhow::anyhow!(
                "{error}; check the bucket, the credentials and the endpoint (AWS_ENDPOINT_URL_S3)"
            ))
        };
        self.runtime.block_on(async {
            let lock = format!("{folder}/{LOCK_FILE}");
            let token = lock_token();
            take_lock(&self.store, &lock, &token).await.map_err(failure)?;
            let written = upload(&self.store, &folder, identity, files).await;
            // Released whatever happened; a lock left by a crashed run goes stale.
            release_lock(&self.store, &lock, &token).await;
            written.map_err(failure)?;
            self.log_link(&folder).await;
            Ok(self.store.describe(&folder))
        })
    }
}

/// Takes a report folder's lock object: created only if absent, so two runs writing the same
/// account and period take turns and a manifest always describes the objects beside it. Waits
/// up to [`LOCK_WAIT`] for another run; takes over a lock older than [`LOCK_STALE`] (a run that
/// died holding it), and only the stale lock seen, not one another run took meanwhile.
async fn take_lock(store: &Store, path: &str, token: &str) -> Result<(), StoreError> {
    let started = std::time::Instant::now();
    loop {
        match store.put(path, token.as_bytes().to_vec(), Expect::Absent).await {
            Ok(_) => return Ok(()),
            Err(StoreError::Conflict(_)) => {}
            Err(error) => return Err(error),
        }
        // A lock that cannot be read now is not taken over; the wait goes on.
        if let Ok(Some(held)) = store.get(path).await
            && is_stale_lock(held.modified)
        {
            match store.delete(path, Some(&held.version)).await {
                Ok(()) | Err(StoreError::Conflict(_)) => {}
                Err(error) => return Err(StoreError::Io(format!("cannot take over a stale lock: {error}"))),
            }
        }
        if started.elapsed() > LOCK_WAIT {
            return Err(StoreError::Io(format!(
                "another run has been writing this report for more than {} s (its lock object {} exists); if none is, delete the lock object",
                LOCK_WAIT.as_secs(),
                store.describe(path)
            )));
        }
        tokio::time::sleep(LOCK_RETRY).await;
    }
}

/// Whether a lock written at `modified` (Unix seconds) is older than [`LOCK_STALE`].
fn is_stale_lock(modified: Option<i64>) -> bool {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_secs() as i64;
    modified.is_some_and(|modified| now.saturating_sub(modified) > LOCK_STALE.as_secs() as i64)
}

/// Deletes the lock object if it is still this run's (its content is the run's token): a lock
/// another run took over, after this one was thought dead, stays.
async fn release_lock(store: &Store, path: &str, token: &str) {
    let Ok(Some(held)) = store.get(path).await else { return };
    if held.bytes != token.as_bytes() {
        tracing::warn!("{} is another run's lock now; it is left for that run", store.describe(path));
        return;
    }
    let _ = store.delete(path, Some(&held.version)).await;
}

/// Deletes the old manifest, then what it listed that this run does not write, then uploads
/// the files and last the manifest (the order of a folder run).
async fn upload(store: &Store, folder: &str, identity: &ReportIdentity<'_>, files: &[OutputFile]) -> Result<(), StoreError> {
    let manifest_path = format!("{folder}/manifest.json");
    let previous = store.get(&manifest_path).await?.and_then(|old| Manifest::from_bytes(&old.bytes));
    store.delete(&manifest_path, None).await?;
    for old in previous.into_iter().flat_map(|old| old.files) {
        if is_stale(&old.path, files) {
            let path = format!("{folder}/{}", old.path);
            if let Err(error) = store.delete(&path, None).await {
                tracing::warn!("an earlier run's {} is left: {error}", store.describe(&path));
            }
        }
    }
    for file in files {
        store.put(&format!("{folder}/{}", file.path), file.bytes.clone(), Expect::Any).await?;
    }
    store.put(&manifest_path, manifest_json(identity, files), Expect::Any).await?;
    Ok(())
}

/// Whether an old manifest's `path` names a file of the report this run replaces and does not
/// write ([`crate::output::is_report_path`]: only what a report folder holds).
fn is_stale(path: &str, files: &[OutputFile]) -> bool {
    crate::output::is_report_path(path) && !files.iter().any(|file| file.path == path)
}

/// The content of this run's lock object: the run id, the process and the time, so no other
/// run's lock has the same.
fn lock_token() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
    format!("opsreport run {} process {} at {nanos}\n", crate::aws::run_id(), std::process::id())
}

/// How long a run waits for another run writing the same report folder.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(120);
/// How long a run waits before it tries a held lock again.
const LOCK_RETRY: std::time::Duration = std::time::Duration::from_millis(500);
/// A lock object older than this was left by a run that died: it is taken over.
const LOCK_STALE: std::time::Duration = std::time::Duration::from_secs(15 * 60);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_locations_parse_strictly() {
        let location = parse_location("s3://reports-bucket/monthly/").unwrap().unwrap();
        assert_eq!(location, S3Location { bucket: "reports-bucket".into(), prefix: "monthly".into() });
        assert_eq!(location.join("000000000001/2026-10/report.pdf").prefix, "monthly/000000000001/2026-10/report.pdf");
        assert_eq!(parse_location("out").unwrap(), None);
        for bad in ["s3://", "s3://A_B/x", "s3://ab"] {
            assert!(parse_location(bad).is_err(), "{bad}");
        }
    }

    fn identity(subject: &opsreport_model::Subject) -> ReportIdentity<'_> {
        ReportIdentity {
            subject,
            period: opsreport_model::PeriodId::parse("2026-10").unwrap(),
            month: opsreport_model::YearMonth::parse("2026-10").unwrap(),
            generated_on: "2026-11-01",
            generator_version: "t",
            input_fingerprint: "f",
            held: &[],
        }
    }

    fn file(path: &str, bytes: &[u8]) -> OutputFile {
        OutputFile { path: path.into(), bytes: bytes.to_vec() }
    }

    #[test]
    fn a_report_is_written_manifest_last_and_an_earlier_runs_extra_files_go() {
        let memory = opsreport_extract::objects::MemoryObjects::new();
        let sink = S3Sink::on(Store::Memory(memory.clone())).unwrap();
        let account = opsreport_model::Subject::Account(opsreport_model::AccountId::parse("000000000001").unwrap());
        let first = [file("report.pdf", b"%PDF-1"), file("slides.pdf", b"%PDF-s"), file("tables/a.csv", b"x\n")];
        sink.write_report(&identity(&account), &first).unwrap();
        let manifest = Manifest::from_bytes(&memory.bytes("000000000001/2026-10/manifest.json").unwrap()).unwrap();
        assert_eq!(manifest.files.len(), 3);
        assert!(memory.bytes("000000000001/2026-10/.opsreport.lock").is_none(), "the lock is released");
        sink.write_report(&identity(&account), &first[..1]).unwrap();
        assert!(memory.bytes("000000000001/2026-10/slides.pdf").is_none(), "what the new run does not write goes");
        assert!(memory.bytes("000000000001/2026-10/tables/a.csv").is_none());
        assert_eq!(memory.bytes("000000000001/2026-10/report.pdf").as_deref(), Some(&b"%PDF-1"[..]));
        assert!(sink.manifest("000000000001/2026-10").is_some());
    }

    #[test]
    fn an_old_manifest_never_names_what_a_run_deletes_outside_its_folder() {
        let memory = opsreport_extract::objects::MemoryObjects::new();
        let store = Store::Memory(memory.clone());
        let sink = S3Sink::on(store.clone()).unwrap();
        let theirs = "000000000002/2026-10/report.pdf";
        sink.runtime.block_on(store.put(theirs, b"theirs".to_vec(), Expect::Any)).unwrap();
        let hostile = r#"{"account_id":"000000000001","kind":"monthly","period":"2026-10","month":"2026-10",
            "generated_on":"2026-11-01","generator_version":"t","input_fingerprint":"f",
            "files":[{"path":"../../000000000002/2026-10/report.pdf","bytes":1,"sha256":"a"},
                     {"path":"tables/../../x","bytes":1,"sha256":"b"},{"path":"manifest.json","bytes":1,"sha256":"c"},
                     {"path":".opsreport.lock","bytes":1,"sha256":"d"},{"path":"a\u0000b","bytes":1,"sha256":"e"}]}"#;
        let manifest = "000000000001/2026-10/manifest.json";
        sink.runtime.block_on(store.put(manifest, hostile.as_bytes().to_vec(), Expect::Any)).unwrap();
        let account = opsreport_model::Subject::Account(opsreport_model::AccountId::parse("000000000001").unwrap());
        sink.write_report(&identity(&account), &[file("report.pdf", b"%PDF")]).unwrap();
        assert_eq!(memory.bytes(theirs).as_deref(), Some(&b"theirs"[..]), "another account's file stays");
        assert!(memory.bytes(manifest).is_some(), "the new manifest is not deleted after it is written");
    }

    #[test]
    fn a_stale_lock_is_taken_over_and_another_runs_lock_is_left() {
        let memory = opsreport_extract::objects::MemoryObjects::new();
        let store = Store::Memory(memory.clone());
        let sink = S3Sink::on(store.clone()).unwrap();
        let lock = "000000000001/2026-10/.opsreport.lock";
        sink.runtime.block_on(store.put(lock, b"a dead run".to_vec(), Expect::Absent)).unwrap();
        memory.set_modified(lock, 0);
        let account = opsreport_model::Subject::Account(opsreport_model::AccountId::parse("000000000001").unwrap());
        sink.write_report(&identity(&account), &[file("report.pdf", b"%PDF")]).unwrap();
        assert!(memory.bytes(lock).is_none(), "taken over, then released");
        // A lock another run holds now is not this run's to delete.
        sink.runtime.block_on(store.put(lock, b"another run".to_vec(), Expect::Absent)).unwrap();
        sink.runtime.block_on(release_lock(&store, lock, "this run"));
        assert_eq!(memory.bytes(lock).as_deref(), Some(&b"another run"[..]));
        assert!(!is_stale_lock(None), "a lock of unknown age is not stale");
    }
}
