//! Reading the small files a run is given (configuration, scheduled event, notes, logo) with a
//! size limit, so `--config /dev/zero` or a FIFO cannot make the job grow or wait without end.
//!
//! Only regular files are read (a symlink to one is fine): a FIFO, a device or a folder is
//! refused before it is opened. A file larger than its limit is an error naming it and the limit.

use std::io::Read;
use std::path::Path;

/// The configuration file.
pub const CONFIG_MAX_BYTES: u64 = 1 << 20;
/// A scheduled event (EventBridge sends well under 1 KiB).
pub const EVENT_MAX_BYTES: u64 = 64 << 10;
/// One notes file (about 80 pages of text).
pub const NOTES_MAX_BYTES: u64 = 256 << 10;
/// The branding logo.
pub const LOGO_MAX_BYTES: u64 = 8 << 20;

/// Why an input file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// A FIFO, a device, a socket or a folder.
    #[error("{what} {path} is not a regular file; pass a file")]
    NotAFile {
        /// What the file is for (`config file`, `event file`, …).
        what: String,
        /// The path as given.
        path: String,
    },
    /// Larger than its limit.
    #[error("{what} {path} is larger than {limit} bytes, more than any real one; check that it is the right file")]
    TooLarge {
        /// What the file is for.
        what: String,
        /// The path as given.
        path: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// An I/O error.
    #[error("cannot read {what} {path}: {source}")]
    Io {
        /// What the file is for.
        what: String,
        /// The path as given.
        path: String,
        /// The error.
        source: std::io::Error,
    },
}

/// The bytes of the regular file `path`, at most `limit` of them.
pub fn read_file(path: &Path, what: &str, limit: u64) -> Result<Vec<u8>, InputError> {
    let shown = path.display().to_string();
    let io = |source| InputError::Io { what: what.to_owned(), path: shown.clone(), source };
    let metadata = std::fs::metadata(path).map_err(io)?;
    if !metadata.is_file() {
        return Err(InputError::NotAFile { what: what.to_owned(), path: shown });
    }
    let file = std::fs::File::open(path).map_err(io)?;
    read_limited(file, what, &shown, limit)
}

/// At most `limit` bytes from `reader` (standard input, say); more is an error.
pub fn read_limited(reader: impl Read, what: &str, shown: &str, limit: u64) -> Result<Vec<u8>, InputError> {
    let mut bytes = Vec::new();
    reader.take(limit + 1).read_to_end(&mut bytes).map_err(|source| InputError::Io {
        what: what.to_owned(),
        path: shown.to_owned(),
        source,
    })?;
    if bytes.len() as u64 > limit {
        return Err(InputError::TooLarge { what: what.to_owned(), path: shown.to_owned(), limit });
    }
    Ok(bytes)
}

/// [`read_file`] as UTF-8 text.
pub fn read_text(path: &Path, what: &str, limit: u64) -> Result<String, InputError> {
    let bytes = read_file(path, what, limit)?;
    String::from_utf8(bytes).map_err(|_| InputError::Io {
        what: what.to_owned(),
        path: path.display().to_string(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_folders_are_refused_and_large_files_are_named() {
        let error = read_file(Path::new("/dev/zero"), "config file", 16).unwrap_err();
        assert!(matches!(error, InputError::NotAFile { .. }), "{error}");
        assert!(matches!(read_file(Path::new("/"), "event file", 16).unwrap_err(), InputError::NotAFile { .. }));
        let error = read_limited(std::io::repeat(b'x'), "event", "-", 1000).unwrap_err();
        assert!(error.to_string().contains("larger than 1000 bytes"), "{error}");
        assert_eq!(read_limited(&b"abc"[..], "event", "-", 3).unwrap(), b"abc");
    }
}
