//! A store in memory, for tests: the same conditions as a folder or S3 (a version per write, a
//! conflict when the condition does not hold), and a modification time a test can set.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use super::{Expect, Listed, Versioned};

/// One file: its bytes, its version and when it was written (Unix seconds, if set).
#[derive(Clone, Debug)]
struct Held {
    bytes: Vec<u8>,
    version: u64,
    modified: Option<i64>,
}

/// Files in memory, shared by every clone.
#[derive(Clone, Debug, Default)]
pub struct MemoryObjects {
    files: Arc<Mutex<(u64, BTreeMap<String, Held>)>>,
}

impl MemoryObjects {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets when the file at `path` was written (a test's stale lock).
    pub fn set_modified(&self, path: &str, unix_secs: i64) {
        if let Some(held) = self.files.lock().expect("not poisoned").1.get_mut(path) {
            held.modified = Some(unix_secs);
        }
    }

    /// The bytes at `path`, if any (a test's view).
    pub fn bytes(&self, path: &str) -> Option<Vec<u8>> {
        self.files.lock().expect("not poisoned").1.get(path).map(|held| held.bytes.clone())
    }

    pub(super) fn listing(&self, folder: &str) -> Vec<Listed> {
        let prefix = if folder.is_empty() { String::new() } else { format!("{}/", folder.trim_end_matches('/')) };
        let files = self.files.lock().expect("not poisoned");
        files
            .1
            .iter()
            .filter(|(path, _)| path.starts_with(&prefix))
            .map(|(path, held)| Listed { path: path.clone(), version: held.version.to_string(), modified: held.modified })
            .collect()
    }

    pub(super) fn folders(&self) -> Vec<String> {
        let files = self.files.lock().expect("not poisoned");
        let mut names: Vec<String> =
            files.1.keys().filter_map(|path| path.split_once('/').map(|(first, _)| first.to_owned())).collect();
        names.dedup();
        names
    }

    pub(super) fn get(&self, path: &str) -> Option<Versioned> {
        let files = self.files.lock().expect("not poisoned");
        files.1.get(path).map(|held| Versioned {
            bytes: held.bytes.clone(),
            version: held.version.to_string(),
            modified: held.modified,
        })
    }

    /// The new version, or `None` when `expect` does not hold.
    pub(super) fn put(&self, path: &str, bytes: Vec<u8>, expect: &Expect) -> Option<String> {
        let mut files = self.files.lock().expect("not poisoned");
        let current = files.1.get(path).map(|held| held.version.to_string());
        let holds = match expect {
            Expect::Any => true,
            Expect::Absent => current.is_none(),
            Expect::Version(version) => current.as_deref() == Some(version.as_str()),
        };
        if !holds {
            return None;
        }
        files.0 += 1;
        let version = files.0;
        files.1.insert(path.to_owned(), Held { bytes, version, modified: None });
        Some(version.to_string())
    }

    /// Whether the file was deleted (or was not there); false when it is at another version.
    pub(super) fn delete(&self, path: &str, version: Option<&str>) -> bool {
        let mut files = self.files.lock().expect("not poisoned");
        let current = files.1.get(path).map(|held| held.version.to_string());
        if let (Some(wanted), Some(current)) = (version, &current)
            && wanted != current
        {
            return false;
        }
        files.1.remove(path);
        true
    }
}
