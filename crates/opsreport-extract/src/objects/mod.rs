//! One home for "a folder or an S3 prefix": the files opsreport writes and reads back by relative
//! path (`<account>/2026-10/report.pdf`, `notes/<account>/2026-10.toml`) — the console's
//! reports, notes and send records, and the report sink's objects and lock — in a local folder,
//! under an S3 prefix, or in memory (for tests).
//!
//! A write can be conditional: on the version read before (`Expect::Version`) or on there being
//! no file yet (`Expect::Absent`), so two people editing the same notes cannot overwrite each
//! other in silence and two runs take turns on a lock. In S3 the condition is the object's ETag
//! (`If-Match`, `If-None-Match: *`); in a folder it is the SHA-256 of the file, checked and
//! replaced under a process-wide lock (one writer process per folder: a folder is for one
//! machine); in memory a counter.
//!
//! Every path is checked first (plain names: no `..`, no root, no empty parts), so nothing
//! outside the store is ever read or written.
//!
//! The exports a run reads (`[datasets.*] location`, absolute places) are read through
//! [`exports::Reader`], the same module's read side with the input budget and a dataset's errors.

pub mod exports;
mod folder;
mod memory;
mod s3;

use std::path::{Component, Path, PathBuf};
use std::time::Duration;

pub use memory::MemoryObjects;
pub use s3::S3Objects;

/// A file and the version it was read at.
#[derive(Clone, Debug)]
pub struct Versioned {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// An opaque version: the ETag without its quotes, the SHA-256 of a folder file's content,
    /// a counter in memory.
    pub version: String,
    /// When it was written, Unix seconds (if the store says).
    pub modified: Option<i64>,
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
    /// Whatever is there.
    Any,
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

/// A folder, an S3 prefix or memory.
#[derive(Clone)]
pub enum Store {
    /// A local folder.
    Folder(PathBuf),
    /// An S3 prefix.
    S3(S3Objects),
    /// Files held in memory (tests).
    Memory(MemoryObjects),
}

impl Store {
    /// How the store is named in messages.
    pub fn describe(&self, path: &str) -> String {
        match self {
            Store::Folder(root) => root.join(path).display().to_string(),
            Store::S3(objects) => objects.location.join(path).to_string(),
            Store::Memory(_) => format!("memory:{path}"),
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
                blocking(move || Ok(folder::listing(&start, &prefix))).await?
            }
            Store::S3(objects) => objects.listing(folder).await?,
            Store::Memory(objects) => objects.listing(folder),
        };
        found.sort_by(|left, right| left.path.cmp(&right.path));
        Ok(found)
    }

    /// The names of the folders directly below the store's root, sorted.
    pub async fn folders(&self) -> Result<Vec<String>, StoreError> {
        let mut names = match self {
            Store::Folder(root) => {
                let root = root.clone();
                blocking(move || folder::folders(&root)).await?
            }
            Store::S3(objects) => objects.folders().await?,
            Store::Memory(objects) => objects.folders(),
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
                blocking(move || folder::get(&file, &described)).await
            }
            Store::S3(objects) => objects.get(path).await,
            Store::Memory(objects) => Ok(objects.get(path)),
        }
    }

    /// Writes `bytes` at `path` if `expect` holds; the new version.
    pub async fn put(&self, path: &str, bytes: Vec<u8>, expect: Expect) -> Result<String, StoreError> {
        check_path(path)?;
        let conflict = || StoreError::Conflict(self.describe(path));
        match self {
            Store::Folder(root) => {
                self.write_in_folder(path, root.join(path), move |target| folder::put(&target, &bytes, &expect)).await
            }
            Store::S3(objects) => objects.put(path, bytes, &expect).await,
            Store::Memory(objects) => objects.put(path, bytes, &expect).ok_or_else(conflict),
        }
    }

    /// Deletes the file at `path`, only at `version` when one is given (a file that is not there
    /// is deleted).
    pub async fn delete(&self, path: &str, version: Option<&str>) -> Result<(), StoreError> {
        check_path(path)?;
        let conflict = || StoreError::Conflict(self.describe(path));
        match self {
            Store::Folder(root) => {
                let version = version.map(str::to_owned);
                self.write_in_folder(path, root.join(path), move |target| folder::delete(&target, version.as_deref())).await
            }
            Store::S3(objects) => objects.delete(path, version).await,
            Store::Memory(objects) => objects.delete(path, version).then_some(()).ok_or_else(conflict),
        }
    }

    /// Runs a folder write of `target` off the async workers, one at a time in this process; a
    /// conflict names `path` as the store names it.
    async fn write_in_folder<T: Send + 'static>(
        &self,
        path: &str,
        target: PathBuf,
        work: impl FnOnce(PathBuf) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let _serialized = folder::WRITES.lock().await;
        blocking(move || work(target)).await.map_err(|error| match error {
            StoreError::Conflict(_) => StoreError::Conflict(self.describe(path)),
            other => other,
        })
    }

    /// How long a link to a file of the store can work, at most `wanted`: in S3 no longer than
    /// the credentials that sign it (a task role's last hours, not the days asked for).
    pub async fn link_validity(
        &self,
        wanted: Duration,
        credentials: Option<&aws_sdk_s3::config::SharedCredentialsProvider>,
    ) -> Duration {
        let (Store::S3(_), Some(credentials)) = (self, credentials) else { return wanted };
        let expiry = crate::s3::credentials_expiry(credentials).await;
        crate::s3::link_validity(wanted, std::time::SystemTime::now(), expiry)
    }

    /// A link to `path` that works for `valid` without signing in, for files in S3 (presigned);
    /// `None` for a folder or memory (the console signs its own links).
    pub async fn presigned(&self, path: &str, valid: Duration) -> Result<Option<String>, StoreError> {
        check_path(path)?;
        let Store::S3(objects) = self else { return Ok(None) };
        objects
            .presigned(path, valid)
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

/// A relative path of plain names: no `..`, no root, no empty parts.
fn check_path(path: &str) -> Result<(), StoreError> {
    let plain = !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && !path.contains('\0')
        && Path::new(path).components().all(|component| matches!(component, Component::Normal(_)));
    if plain { Ok(()) } else { Err(StoreError::BadPath(path.to_owned())) }
}

/// The media type a file is stored with (S3 serves it so).
fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("pdf") => "application/pdf",
        Some("json") => "application/json",
        Some("csv") => "text/csv",
        Some("toml") => "application/toml",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests;
