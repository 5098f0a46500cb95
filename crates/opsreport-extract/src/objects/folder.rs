//! A store in a local folder: files by relative path, versions by content (SHA-256), writes
//! through a temporary file in the same folder, never through a link (listing does not follow
//! links either).

use std::path::Path;

use sha2::{Digest, Sha256};

use super::{Expect, Listed, StoreError, Versioned};

/// Local replaces are serialized within the process (check, then rename).
pub(super) static WRITES: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The version of a file in a folder: its SHA-256.
fn content_version(bytes: &[u8]) -> String {
    opsreport_model::format::hex(&Sha256::digest(bytes))
}

/// Unix seconds of a file's modification time.
fn modified_secs(metadata: &std::fs::Metadata) -> Option<i64> {
    let since_epoch = metadata.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
    Some(since_epoch.as_secs() as i64)
}

/// Files below `folder` (not through links), as `prefix/<relative path>`, with their versions.
pub(super) fn listing(folder: &Path, prefix: &str) -> Vec<Listed> {
    let mut found = Vec::new();
    walk(folder, prefix, &mut found);
    found
}

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

/// The names of the folders directly in `root` (none when it does not exist).
pub(super) fn folders(root: &Path) -> Result<Vec<String>, StoreError> {
    match std::fs::read_dir(root) {
        Ok(entries) => Ok(entries
            .flatten()
            .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_dir()))
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(error) => Err(StoreError::Io(format!("cannot list {}: {error}", root.display()))),
    }
}

/// The file at `file`, if there is one (`described` names it in an error).
pub(super) fn get(file: &Path, described: &str) -> Result<Option<Versioned>, StoreError> {
    match std::fs::read(file) {
        Ok(bytes) => {
            let modified = std::fs::metadata(file).ok().as_ref().and_then(modified_secs);
            Ok(Some(Versioned { version: content_version(&bytes), bytes, modified }))
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(StoreError::Io(format!("cannot read {described}: {error}"))),
    }
}

/// Whether the file at `target` is at the version `expect` wants (`Absent` is checked by the
/// write itself).
fn holds(target: &Path, expect: &Expect) -> bool {
    match expect {
        Expect::Version(version) => {
            std::fs::read(target).map(|bytes| content_version(&bytes)).ok().as_deref() == Some(version.as_str())
        }
        Expect::Any | Expect::Absent => true,
    }
}

/// Writes a file through a temporary file in its folder: renamed over the old one when its
/// version is `expect`'s (or whatever it is), linked into place when none may exist yet.
pub(super) fn put(target: &Path, bytes: &[u8], expect: &Expect) -> Result<String, StoreError> {
    let io = |error: std::io::Error| StoreError::Io(format!("cannot write {}: {error}", target.display()));
    let folder = target.parent().ok_or_else(|| StoreError::BadPath(target.display().to_string()))?;
    std::fs::create_dir_all(folder).map_err(io)?;
    if !holds(target, expect) {
        return Err(StoreError::Conflict(target.display().to_string()));
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
        Expect::Any | Expect::Version(_) => std::fs::rename(&temporary, target),
    };
    placed.map_err(io)?;
    Ok(content_version(bytes))
}

/// Deletes a regular file, only at `version` when one is given; a file that is not there is
/// deleted already.
pub(super) fn delete(target: &Path, version: Option<&str>) -> Result<(), StoreError> {
    match std::fs::symlink_metadata(target) {
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Ok(metadata) if !metadata.is_file() => {
            return Err(StoreError::Io(format!("{} is not a file of the store", target.display())));
        }
        _ => {}
    }
    if let Some(version) = version
        && !holds(target, &Expect::Version(version.to_owned()))
    {
        return Err(StoreError::Conflict(target.display().to_string()));
    }
    std::fs::remove_file(target).map_err(|error| StoreError::Io(format!("cannot delete {}: {error}", target.display())))
}
