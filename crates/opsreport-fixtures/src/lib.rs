//! Deterministic synthetic data in the data contract's layout, for demos, tests and benchmarks.
//!
//! `generate` writes all 15 datasets plus notes files for N accounts and M months ending with a
//! fixed month, at a scale where 1.0 is a typical account (hundreds of stacks, tens of thousands
//! of alerts a month). Every value comes from a SplitMix64 stream keyed by the seed, the account,
//! the dataset and the month, so the same options always give the same bytes. The data is shaped
//! so that every report section has something to show (see `docs/fixtures.md`).

mod generate;
pub mod handmade;
mod notes;
pub mod real;
pub mod rng;
pub mod table;

use std::path::PathBuf;

pub use generate::{FixtureSummary, generate};
use opsreport_model::YearMonth;

/// What to generate.
#[derive(Clone, Debug, PartialEq)]
pub struct FixtureOptions {
    /// Number of accounts.
    pub accounts: u32,
    /// Number of months, ending with `last_month`.
    pub months: u32,
    /// Volume multiplier: 1.0 is a typical account; volumes grow linearly.
    pub scale: f64,
    /// Seed of every random stream.
    pub seed: u64,
    /// The newest month generated (fixed, not the clock, so output never depends on the date).
    pub last_month: YearMonth,
}

impl Default for FixtureOptions {
    fn default() -> Self {
        Self { accounts: 2, months: 7, scale: 1.0, seed: 42, last_month: YearMonth::new(2026, 10).expect("valid month") }
    }
}

/// Why fixtures could not be written.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    /// Options out of range.
    #[error("invalid fixture options: {0}")]
    Options(String),
    /// Writing failed.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Building or writing a frame failed.
    #[error("cannot write {}: {source}", path.display())]
    Polars {
        /// The path.
        path: PathBuf,
        /// Polars' error.
        source: polars::prelude::PolarsError,
    },
}
