//! What the console has read of the reports, by path and version: a manifest and a
//! `metrics.json` are read and parsed once, then served from here while the store lists them at
//! the same version (the ETag in S3, the modification time and size in a folder). A page costs
//! one listing of the account's reports, not a read of every file on every request.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use super::reports::{DataState, ReportEntry};

/// Entries kept per kind of file; a full table starts again.
const CACHED_FILES: usize = 20_000;

/// Parsed values by path, each with the version it was read at.
pub struct Cached<T> {
    entries: Mutex<HashMap<String, (String, T)>>,
    reads: AtomicU64,
}

impl<T> Default for Cached<T> {
    fn default() -> Self {
        Self { entries: Mutex::new(HashMap::new()), reads: AtomicU64::new(0) }
    }
}

impl<T: Clone> Cached<T> {
    /// The value of `path` at `version`, if it was read at that version.
    pub fn get(&self, path: &str, version: &str) -> Option<T> {
        let entries = self.entries.lock().expect("not poisoned");
        entries.get(path).filter(|(read_at, _)| read_at == version).map(|(_, value)| value.clone())
    }

    /// Keeps the value of `path` read at `version`.
    pub fn put(&self, path: &str, version: &str, value: T) {
        self.reads.fetch_add(1, Ordering::Relaxed);
        let mut entries = self.entries.lock().expect("not poisoned");
        if entries.len() >= CACHED_FILES && !entries.contains_key(path) {
            entries.clear();
        }
        entries.insert(path.to_owned(), (version.to_owned(), value));
    }

    /// How many times a file was read (and kept) since the start.
    #[cfg(test)]
    pub fn reads(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }
}

/// The console's caches.
#[derive(Default)]
pub struct Cache {
    /// Manifests: the report they describe, or `None` for a manifest that is not a report.
    pub manifests: Cached<Option<ReportEntry>>,
    /// `metrics.json`: what it says of the data.
    pub states: Cached<DataState>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_served_while_its_version_holds() {
        let cache: Cached<u32> = Cached::default();
        assert_eq!(cache.get("a/manifest.json", "v1"), None);
        cache.put("a/manifest.json", "v1", 7);
        assert_eq!(cache.get("a/manifest.json", "v1"), Some(7));
        assert_eq!(cache.get("a/manifest.json", "v2"), None, "a new version is read again");
        cache.put("a/manifest.json", "v2", 8);
        assert_eq!((cache.get("a/manifest.json", "v2"), cache.reads()), (Some(8), 2));
    }
}
