//! The read side for real-format exports: a configured location (`[datasets.*] location`, a
//! folder or an `s3://` prefix, absolute) listed one level at a time and read under the input
//! budget, with the errors of a dataset (a link out of the export, a FIFO, an object gone). The
//! reading plan of each format is written once for both kinds of place.

use std::fmt;
use std::fs;
use std::path::PathBuf;

use aws_sdk_s3::Client;

use crate::budget::InputBudget;
use crate::listing::{Listing, is_data_name};
use crate::s3::{S3Uri, get_object, list_folder};
use crate::{ExtractError, Result, Subject};

/// A folder or file of a store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// On this machine.
    Local(PathBuf),
    /// In S3.
    S3(S3Uri),
}

impl Place {
    /// `s3://bucket/prefix` or a local path.
    pub fn parse(text: &str) -> Option<Self> {
        if text.starts_with("s3://") { S3Uri::parse(text).map(Place::S3) } else { Some(Place::Local(PathBuf::from(text))) }
    }

    /// A place below this one.
    pub fn join(&self, name: &str) -> Self {
        match self {
            Place::Local(path) => Place::Local(path.join(name)),
            Place::S3(uri) => Place::S3(uri.join(name)),
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Local(path) => write!(formatter, "{}", path.display()),
            Place::S3(uri) => write!(formatter, "{uri}"),
        }
    }
}

/// Reads places: local folders always, S3 when clients were given.
pub struct Reader {
    s3: Option<(tokio::runtime::Runtime, Client)>,
}

impl Reader {
    /// A reader for local folders and, with `s3`, S3 prefixes.
    pub fn new(s3: Option<(tokio::runtime::Runtime, Client)>) -> Self {
        Self { s3 }
    }

    fn s3(&self, dataset: Subject, place: &Place) -> Result<&(tokio::runtime::Runtime, Client)> {
        self.s3.as_ref().ok_or_else(|| ExtractError::SourceSetting {
            dataset,
            reason: format!("{place} is in S3, but this run has no S3 access"),
        })
    }

    /// Lists a place; an absent place lists as empty.
    pub fn list(&self, dataset: Subject, place: &Place) -> Result<Listing> {
        let mut listing = match place {
            Place::Local(path) => list_local(dataset, path)?,
            Place::S3(uri) => {
                let (runtime, client) = self.s3(dataset, place)?;
                runtime.block_on(list_folder(client, dataset, uri))?
            }
        };
        listing.folders.sort();
        listing.files.sort();
        Ok(listing)
    }

    /// Reads one file of an account's input, admitted by `budget` (`[limits]`) before it is read:
    /// a local file by its size on disk, an S3 object by its listed size.
    pub fn read_admitted(&self, dataset: Subject, place: &Place, listed: u64, budget: &InputBudget) -> Result<Vec<u8>> {
        match place {
            Place::Local(path) => crate::budget::read_local(budget, dataset, path, &place.to_string()),
            Place::S3(_) => {
                budget.admit(dataset, &place.to_string(), listed)?;
                self.read(dataset, place)
            }
        }
    }

    /// Reads one file.
    pub fn read(&self, dataset: Subject, place: &Place) -> Result<Vec<u8>> {
        match place {
            Place::Local(path) => fs::read(path).map_err(|source| ExtractError::Io { dataset, path: path.clone(), source }),
            Place::S3(uri) => {
                let (runtime, client) = self.s3(dataset, place)?;
                runtime.block_on(get_object(client, dataset, &uri.bucket, &uri.prefix))?.ok_or_else(|| ExtractError::S3 {
                    dataset,
                    operation: "read".into(),
                    uri: uri.to_string(),
                    reason: "the object was listed but is gone".into(),
                })
            }
        }
    }
}

fn list_local(dataset: Subject, path: &std::path::Path) -> Result<Listing> {
    let io_error = |source| ExtractError::Io { dataset, path: path.to_owned(), source };
    let mut listing = Listing::default();
    let entries = match fs::read_dir(path) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(listing),
        Err(error) => return Err(io_error(error)),
    };
    for entry in entries {
        let entry = entry.map_err(io_error)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !is_data_name(&name) {
            continue;
        }
        // A link is followed only when it leads inside the folder listed: never into another
        // account's export (`{account}` locations) or out of a shared one.
        if entry.file_type().is_ok_and(|kind| kind.is_symlink()) {
            crate::listing::check_link(dataset, &entry.path(), Some(path))?;
        }
        let metadata = fs::metadata(entry.path()).map_err(io_error)?;
        if metadata.is_dir() {
            listing.folders.push(name);
        } else if metadata.is_file() {
            listing.files.push((name, metadata.len()));
        } else {
            return Err(ExtractError::UnexpectedEntry {
                dataset,
                path: entry.path(),
                reason: "is not a regular file (a FIFO, a device or a socket); remove it".into(),
            });
        }
    }
    Ok(listing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use opsreport_model::DatasetName;

    #[test]
    fn local_listing_skips_markers_and_tolerates_absence() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("Date=2026-10-01")).unwrap();
        fs::write(dir.path().join("a.json"), "{}").unwrap();
        fs::write(dir.path().join("_SUCCESS"), "").unwrap();
        fs::write(dir.path().join(".a.json.crc"), "").unwrap();
        let store = Reader::new(None);
        let listing = store.list(DatasetName::PatchDetails.into(), &Place::Local(dir.path().to_owned())).unwrap();
        assert_eq!(listing.folders, ["Date=2026-10-01"]);
        assert_eq!(listing.files, [("a.json".to_owned(), 2)]);
        assert_eq!(store.list(DatasetName::Stacks.into(), &Place::Local(dir.path().join("absent"))).unwrap(), Listing::default());
        let s3 = Place::parse("s3://bucket/prefix").unwrap();
        assert!(store.list(DatasetName::Billing.into(), &s3).unwrap_err().to_string().contains("no S3 access"));
    }
}
