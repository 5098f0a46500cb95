//! `manifest.json`: what a complete report folder holds, written last by the report writers
//! (the folder and the S3 sink) and read by `--resume` and the console. One type for both, so a
//! field read is a field written.

use serde::{Deserialize, Serialize};

use crate::{PeriodKind, Subject};

/// A report folder's manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The account (`"account_id"`) or the customer (`"customer_id"`) the report is about.
    #[serde(flatten)]
    pub subject: Subject,
    /// Weekly, monthly or quarterly.
    pub kind: PeriodKind,
    /// The period (written as its label: `2026-W43`, `2026-10`, `2026-Q3`).
    pub period: crate::PeriodId,
    /// The month of the period's last day (`YYYY-MM`).
    pub month: crate::YearMonth,
    /// The report date.
    pub generated_on: String,
    /// The version of opsreport that wrote it.
    pub generator_version: String,
    /// The SHA-256 of everything the report was made from.
    pub input_fingerprint: String,
    /// Every file of the folder but the manifest, by path.
    pub files: Vec<ManifestFile>,
    /// Why the report is held (its data not current, a customer's review partial): the console
    /// sends it only when its user confirms. Absent when it is not held.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub held: Vec<String>,
}

/// One file of a report folder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    /// Its path in the folder (`report.pdf`, `tables/incidents.csv`).
    pub path: String,
    /// Its size.
    pub bytes: u64,
    /// Its SHA-256, in hex.
    pub sha256: String,
}

impl Manifest {
    /// The manifest in `bytes`, if they are one.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        serde_json::from_slice(bytes).ok()
    }

    /// The manifest as written: pretty JSON and a final newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut json = serde_json::to_vec_pretty(self).expect("a manifest always serialises");
        json.push(b'\n');
        json
    }
}
