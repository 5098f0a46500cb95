//! Files the console reads and writes — reports, notes, the record of what was sent — in a
//! folder or under an S3 prefix, by relative path (`<account>/2026-10/report.pdf`).
//!
//! A write can be conditional: on the version read before (`Expect::Version`) or on there being
//! no file yet (`Expect::Absent`), so two people editing the same notes cannot overwrite each
//! other in silence. In S3 the condition is the object's ETag (`If-Match`, `If-None-Match: *`);
//! in a folder it is the SHA-256 of the file, checked and replaced under the console's lock
//! (one console per folder: a folder is for one machine).

use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;
use opsreport_extract::s3::{S3Uri, describe};
use sha2::{Digest, Sha256};

/// A file and the version it was read at.
#[derive(Clone, Debug)]
pub struct Versioned {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// An opaque version: the ETag without its quotes, or the SHA-256 of the content.
    pub version: String,
}

/// A file in a listing, with its version: the ETag in S3, the modification time and size in a
/// folder (both change when the file is written again).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    /// Relative to the store.
    pub path: String,
    /// Opaque.
    pub version: String,
    /// When it was written, Unix seconds (if the store says).
    pub modified: Option<i64>,
}

/// The condition of a write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Only if there is no file yet.
    Absent,
    /// Only if the file is still at this version.
    Version(String),
}

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The condition did not hold: someone else wrote first.
    #[error("{0} was changed by someone else since it was opened")]
    Conflict(String),
    /// A path that leaves the store.
    #[error("{0:?} is not a path in the store")]
    BadPath(String),
    /// Reading or writing failed.
    #[error("{0}")]
    Io(String),
}

/// A folder or an S3 prefix.
#[derive(Clone)]
pub enum Store {
    /// A local folder.
    Folder(PathBuf),
    /// An S3 prefix.
    S3 {
        /// The client.
        client: Client,
        /// Where.
        location: S3Uri,
    },
}

/// Local replaces are serialized within the process (check, then rename).
static FOLDER_WRITES: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

impl Store {
    /// How the store is named in messages.
    pub fn describe(&self, path: &str) -> String {
        match self {
            Store::Folder(root) => root.join(path).display().to_string(),
            Store::S3 { location, .. } => location.join(path).to_string(),
        }
    }

    /// The paths of the files below `folder` (relative to the store, sorted).
    pub async fn list(&self, folder: &str) -> Result<Vec<String>, StoreError> {
        Ok(self.listing(folder).await?.into_iter().map(|listed| listed.path).collect())
    }

    /// The files below `folder` with their versions (relative to the store, sorted by path).
    pub async fn listing(&self, folder: &str) -> Result<Vec<Listed>, StoreError> {
        if !folder.is_empty() {
            check_path(folder)?;
        }
        let mut found = match self {
            Store::Folder(root) => {
                let (start, prefix) = (root.join(folder), folder.trim_end_matches('/').to_owned());
                blocking(move || {
                    let mut found = Vec::new();
                    walk(&start, &prefix, &mut found);
                    Ok(found)
                })
                .await?
            }
            Store::S3 { client, location } => list_s3(client, location, folder).await?,
        };
        found.sort_by(|left, right| left.path.cmp(&right.path));
        Ok(found)
    }

    /// The names of the folders directly below the store's root.
    pub async fn folders(&self) -> Result<Vec<String>, StoreError> {
        let mut names = match self {
            Store::Folder(root) => {
                let root = root.clone();
                blocking(move || match std::fs::read_dir(&root) {
                    Ok(entries) => Ok(entries
                        .flatten()
                        .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_dir()))
                        .map(|entry| entry.file_name().to_string_lossy().into_owned())
                        .collect()),
                    Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
                    Err(error) => Err(StoreError::Io(format!("cannot list {}: {error}", root.display()))),
                })
                .await?
            }
            Store::S3 { client, location } => {
                let mut names = Vec::new();
                let mut pages = client
                    .list_objects_v2()
                    .bucket(&location.bucket)
                    .prefix(location.key_prefix())
                    .delimiter("/")
                    .into_paginator()
                    .send();
                while let Some(page) = pages.next().await {
                    let page = page.map_err(|error| StoreError::Io(format!("cannot list {location}: {}", describe(&error))))?;
                    let prefix = location.key_prefix();
                    names.extend(
                        page.common_prefixes()
                            .iter()
                            .filter_map(|common| common.prefix()?.strip_prefix(&prefix)?.strip_suffix('/').map(str::to_owned)),
                    );
                }
                names
            }
        };
        names.sort();
        Ok(names)
    }

    /// The file at `path`, if there is one.
    pub async fn get(&self, path: &str) -> Result<Option<Versioned>, StoreError> {
        check_path(path)?;
        match self {
            Store::Folder(root) => {
                let (file, described) = (root.join(path), self.describe(path));
                blocking(move || match std::fs::read(&file) {
                    Ok(bytes) => Ok(Some(Versioned { version: content_version(&bytes), bytes })),
                    Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(error) => Err(StoreError::Io(format!("cannot read {described}: {error}"))),
                })
                .await
            }
            Store::S3 { client, location } => {
                let key = location.join(path).prefix;
                match client.get_object().bucket(&location.bucket).key(&key).send().await {
                    Ok(object) => {
                        let version = object.e_tag().unwrap_or_default().trim_matches('"').to_owned();
                        let bytes = object.body.collect().await.map_err(|error| StoreError::Io(error.to_string()))?;
                        Ok(Some(Versioned { bytes: bytes.into_bytes().to_vec(), version }))
                    }
                    Err(error) if error.as_service_error().is_some_and(|service| service.is_no_such_key()) => Ok(None),
                    Err(error) => Err(StoreError::Io(format!("cannot read {}: {}", self.describe(path), describe(&error)))),
                }
            }
        }
    }

    /// Writes `bytes` at `path` if `expect` holds; the new version.
    pub async fn put(&self, path: &str, bytes: Vec<u8>, expect: Expect) -> Result<String, StoreError> {
        check_path(path)?;
        match self {
            Store::Folder(root) => {
                let _serialized = FOLDER_WRITES.lock().await;
                let target = root.join(path);
                blocking(move || put_file(&target, &bytes, &expect)).await.map_err(|error| match error {
                    StoreError::Conflict(_) => StoreError::Conflict(self.describe(path)),
                    other => other,
                })
            }
            Store::S3 { client, location } => {
                let key = location.join(path).prefix;
                let mut request = client
                    .put_object()
                    .bucket(&location.bucket)
                    .key(&key)
                    .content_type(content_type(path))
                    .body(ByteStream::from(bytes));
                request = match &expect {
                    Expect::Absent => request.if_none_match("*"),
                    Expect::Version(version) => request.if_match(format!("\"{version}\"")),
                };
                match request.send().await {
                    Ok(done) => Ok(done.e_tag().unwrap_or_default().trim_matches('"').to_owned()),
                    Err(error) if matches!(error.raw_response().map(|raw| raw.status().as_u16()), Some(409 | 412)) => {
                        Err(StoreError::Conflict(self.describe(path)))
                    }
                    Err(error) => Err(StoreError::Io(format!("cannot write {}: {}", self.describe(path), describe(&error)))),
                }
            }
        }
    }

    /// How long a link to a file of the store can work, at most `wanted`: in S3 no longer than
    /// the credentials that sign it (a task role's last hours, not the days asked for).
    pub async fn link_validity(
        &self,
        wanted: Duration,
        credentials: Option<&aws_sdk_s3::config::SharedCredentialsProvider>,
    ) -> Duration {
        let (Store::S3 { .. }, Some(credentials)) = (self, credentials) else { return wanted };
        let expiry = opsreport_extract::s3::credentials_expiry(credentials).await;
        opsreport_extract::s3::link_validity(wanted, std::time::SystemTime::now(), expiry)
    }

    /// A link to `path` that works for `valid` without signing in, for reports in S3 (presigned);
    /// `None` for a folder (the console signs its own links).
    pub async fn presigned(&self, path: &str, valid: Duration) -> Result<Option<String>, StoreError> {
        check_path(path)?;
        let Store::S3 { client, location } = self else { return Ok(None) };
        opsreport_extract::s3::presigned_get(client, &location.bucket, &location.join(path).prefix, valid)
            .await
            .map(Some)
            .map_err(|error| StoreError::Io(format!("cannot sign a link to {}: {error}", self.describe(path))))
    }
}

/// Runs file-system work off the async workers, so a slow disk or a large folder holds up no
/// other request.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T, StoreError> + Send + 'static) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(work).await.map_err(|error| StoreError::Io(format!("a file operation stopped: {error}")))?
}

/// The objects below `folder` of an S3 prefix, with their ETags.
async fn list_s3(client: &Client, location: &S3Uri, folder: &str) -> Result<Vec<Listed>, StoreError> {
    let listed = location.join(folder.trim_end_matches('/'));
    let prefix = format!("{}/", listed.prefix.trim_end_matches('/'));
    let root = location.key_prefix();
    let mut found = Vec::new();
    let mut pages = client.list_objects_v2().bucket(&listed.bucket).prefix(&prefix).into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|error| StoreError::Io(format!("cannot list {listed}: {}", describe(&error))))?;
        for object in page.contents() {
            let Some(path) = object.key().and_then(|key| key.strip_prefix(&root)) else { continue };
            found.push(Listed {
                path: path.to_owned(),
                version: object.e_tag().unwrap_or_default().trim_matches('"').to_owned(),
                modified: object.last_modified().map(|time| time.secs()),
            });
        }
    }
    Ok(found)
}

/// A relative path of plain names: no `..`, no root, no empty parts.
fn check_path(path: &str) -> Result<(), StoreError> {
    let plain = !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && !path.contains('\0')
        && Path::new(path).components().all(|component| matches!(component, Component::Normal(_)));
    if plain { Ok(()) } else { Err(StoreError::BadPath(path.to_owned())) }
}

/// The version of a file in a folder: its SHA-256.
fn content_version(bytes: &[u8]) -> String {
    opsreport_model::format::hex(&Sha256::digest(bytes))
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("toml") => "application/toml",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

/// Files below `folder` (not through links), as `prefix/<relative path>`, with their versions.
fn walk(folder: &Path, prefix: &str, found: &mut Vec<Listed>) {
    let Ok(entries) = std::fs::read_dir(folder) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(kind) = entry.file_type() else { continue };
        let path = if prefix.is_empty() { name.clone() } else { format!("{prefix}/{name}") };
        if kind.is_dir() {
            walk(&entry.path(), &path, found);
        } else if kind.is_file() && !name.starts_with('.') {
            let metadata = entry.metadata().ok();
            let modified = metadata.as_ref().and_then(|metadata| metadata.modified().ok());
            let since_epoch = modified.and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok());
            let size = metadata.map_or(0, |metadata| metadata.len());
            let version = format!("{}-{size}", since_epoch.map_or(0, |time| time.as_nanos()));
            found.push(Listed { path, version, modified: since_epoch.map(|time| time.as_secs() as i64) });
        }
    }
}

/// Writes a file through a temporary file in its folder: renamed over the old one when its
/// version is `expect`'s, linked into place when none may exist yet.
fn put_file(target: &Path, bytes: &[u8], expect: &Expect) -> Result<String, StoreError> {
    let io = |error: std::io::Error| StoreError::Io(format!("cannot write {}: {error}", target.display()));
    let folder = target.parent().ok_or_else(|| StoreError::BadPath(target.display().to_string()))?;
    std::fs::create_dir_all(folder).map_err(io)?;
    if let Expect::Version(version) = expect {
        let current = std::fs::read(target).map(|bytes| content_version(&bytes)).ok();
        if current.as_deref() != Some(version.as_str()) {
            return Err(StoreError::Conflict(target.display().to_string()));
        }
    }
    let name = target.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = folder.join(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::write(&temporary, bytes).map_err(io)?;
    let placed = match expect {
        Expect::Absent => {
            let linked = std::fs::hard_link(&temporary, target);
            let _ = std::fs::remove_file(&temporary);
            match linked {
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                    return Err(StoreError::Conflict(target.display().to_string()));
                }
                other => other,
            }
        }
        Expect::Version(_) => std::fs::rename(&temporary, target),
    };
    placed.map_err(io)?;
    Ok(content_version(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run<T>(future: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(future)
    }

    #[test]
    fn folder_writes_are_conditional_and_paths_stay_inside() {
        let folder = tempfile::tempdir().unwrap();
        let store = Store::Folder(folder.path().to_owned());
        let first = run(store.put("1/2026-10.toml", b"a = 1".to_vec(), Expect::Absent)).unwrap();
        assert!(matches!(run(store.put("1/2026-10.toml", b"b".to_vec(), Expect::Absent)), Err(StoreError::Conflict(_))));
        let read = run(store.get("1/2026-10.toml")).unwrap().unwrap();
        assert_eq!((read.bytes.as_slice(), read.version.as_str()), (&b"a = 1"[..], first.as_str()));
        let second = run(store.put("1/2026-10.toml", b"a = 2".to_vec(), Expect::Version(first.clone()))).unwrap();
        assert!(matches!(
            run(store.put("1/2026-10.toml", b"a = 3".to_vec(), Expect::Version(first))),
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(run(store.get("1/2026-10.toml")).unwrap().unwrap().version, second);
        assert_eq!(run(store.list("1")).unwrap(), ["1/2026-10.toml"]);
        let before = run(store.listing("1")).unwrap();
        run(store.put("1/2026-10.toml", b"a = 22".to_vec(), Expect::Version(second.clone()))).unwrap();
        assert_ne!(run(store.listing("1")).unwrap()[0].version, before[0].version, "a new version is listed");
        assert!(run(store.get("missing.toml")).unwrap().is_none());
        for bad in ["../x", "/etc/passwd", "1/../../x", "a\\b", ""] {
            assert!(matches!(run(store.get(bad)), Err(StoreError::BadPath(_))), "{bad}");
        }
    }
}
