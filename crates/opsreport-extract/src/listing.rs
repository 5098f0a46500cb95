//! What lies directly under a folder or an S3 prefix, and which names in it are data: one
//! listing type for the local and the S3 store.

/// What lies directly under a place.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Listing {
    /// Sub-folder names, sorted.
    pub folders: Vec<String>,
    /// Data files (name, size), sorted: hidden files and markers (`.`, `_`) are left out.
    pub files: Vec<(String, u64)>,
}

/// Whether a name is data: not hidden (`.`) and not a marker (`_SUCCESS`, `_committed_…`).
pub fn is_data_name(name: &str) -> bool {
    !(name.starts_with('.') || name.starts_with('_'))
}

/// Refuses a symbolic link at `path` that leads out of `within` (by their real paths), and any
/// link at all when `within` is `None` (an account's own folder): a link into another account's
/// partition would otherwise be read as this account's data. A link that stays inside is
/// followed; a broken one is left to the caller, which names it as such.
pub fn check_link(dataset: crate::Subject, path: &std::path::Path, within: Option<&std::path::Path>) -> crate::Result<()> {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|metadata| metadata.file_type().is_symlink());
    if !is_link {
        return Ok(());
    }
    let Ok(target) = std::fs::canonicalize(path) else { return Ok(()) };
    let inside = within.and_then(|folder| std::fs::canonicalize(folder).ok()).is_some_and(|folder| target.starts_with(folder));
    if inside {
        return Ok(());
    }
    Err(crate::ExtractError::LinkOutside { dataset, path: path.to_owned(), target, within: within.unwrap_or(path).to_owned() })
}
