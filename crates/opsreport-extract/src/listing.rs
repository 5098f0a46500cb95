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
