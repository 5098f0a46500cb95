//! What one account's input may cost (`[limits]`, docs/sources.md): every data file is measured
//! before it is read, one file may hold at most `input_file_max_bytes` and all the files of one
//! account's report together at most `account_input_max_bytes`. A file past either is an error
//! of its account, naming the file, its size and the limit — so one tenant's export cannot
//! exhaust the memory the other accounts of a fleet share. The buffer a file is read into is
//! reserved fallibly: a machine that cannot give it fails the account, not the process.

use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use opsreport_model::config::InputLimits;

use crate::{ExtractError, Result, Subject};

/// One account's input budget: shared by the threads loading its datasets.
#[derive(Debug)]
pub struct InputBudget {
    limits: InputLimits,
    used: AtomicU64,
}

impl InputBudget {
    /// A budget with nothing used yet.
    pub fn new(limits: InputLimits) -> Self {
        Self { limits, used: AtomicU64::new(0) }
    }

    /// Admits one file of `size` bytes, or says which limit it passes.
    pub fn admit(&self, dataset: Subject, file: &str, size: u64) -> Result<()> {
        let too_large = |what: String, size: u64, limit: u64, key: &'static str| ExtractError::InputTooLarge {
            dataset,
            file: file.to_owned(),
            what,
            size,
            limit,
            key,
        };
        if size > self.limits.input_file_max_bytes {
            return Err(too_large("the file".into(), size, self.limits.input_file_max_bytes, "input_file_max_bytes"));
        }
        let total = self.used.fetch_add(size, Ordering::Relaxed).saturating_add(size);
        if total > self.limits.account_input_max_bytes {
            return Err(too_large(
                "the account's input with this file".into(),
                total,
                self.limits.account_input_max_bytes,
                "account_input_max_bytes",
            ));
        }
        Ok(())
    }
}

/// Reads a local data file after admitting it: the file's size is taken before the read, the
/// buffer reserved fallibly, and a file that grew past its admitted size while being read is an
/// error (never a read of more than was admitted).
pub fn read_local(budget: &InputBudget, dataset: Subject, path: &Path, label: &str) -> Result<Vec<u8>> {
    let io = |source| ExtractError::Io { dataset, path: path.to_owned(), source };
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    budget.admit(dataset, label, size)?;
    let mut bytes = reserve(dataset, label, size)?;
    file.take(size.saturating_add(1)).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > size {
        return Err(io(std::io::Error::other("the file grew while it was read; read it again once it is complete")));
    }
    Ok(bytes)
}

/// An empty buffer for `size` bytes, or an error when the memory cannot be had.
pub fn reserve(dataset: Subject, label: &str, size: u64) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let wanted = usize::try_from(size).unwrap_or(usize::MAX);
    bytes.try_reserve_exact(wanted).map_err(|error| ExtractError::Io {
        dataset,
        path: label.into(),
        source: std::io::Error::other(format!("no memory to read its {size} bytes ({error})")),
    })?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use opsreport_model::DatasetName;

    #[test]
    fn a_file_past_either_limit_is_refused_by_name_before_it_is_read() {
        let budget = InputBudget::new(InputLimits { input_file_max_bytes: 100, account_input_max_bytes: 150 });
        let dataset = Subject::Dataset(DatasetName::Alerts);
        budget.admit(dataset, "a.parquet", 100).unwrap();
        let error = budget.admit(dataset, "b.parquet", 101).unwrap_err().to_string();
        for part in ["b.parquet", "101 bytes", "100 bytes", "input_file_max_bytes"] {
            assert!(error.contains(part), "{part} in {error}");
        }
        let error = budget.admit(dataset, "c.parquet", 60).unwrap_err().to_string();
        assert!(error.contains("account_input_max_bytes") && error.contains("160 bytes"), "{error}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.json");
        std::fs::write(&path, vec![b'x'; 120]).unwrap();
        let fresh = InputBudget::new(InputLimits { input_file_max_bytes: 100, account_input_max_bytes: 1000 });
        assert!(read_local(&fresh, dataset, &path, "d.json").unwrap_err().to_string().contains("120 bytes"));
        assert!(reserve(dataset, "huge", u64::MAX).unwrap_err().to_string().contains("no memory"));
    }
}
