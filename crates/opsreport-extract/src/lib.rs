//! Sources of opsreport: everything that reads the contract's datasets for one account and
//! report period and hands the metrics stage validated Polars frames.
//!
//! The seam is the [`Source`] trait. The local source reads the Hive layout of Parquet files
//! (`<root>/<dataset>/aws_account_id=<id>/month=<YYYY-MM>/…`), opening only the partitions a
//! report needs; the Athena source runs one query per dataset for a whole fleet and cuts the
//! result into the same per-account, per-month parts. Every source passes what it read through
//! [`validate`], so both backends yield the same columns, types and data-quality counts.

// Errors carry the dataset, file, column and row they name; they are returned once per failed
// load, so their size does not matter and boxing them would only obscure the variants.
#![allow(clippy::result_large_err)]

pub mod athena;
pub mod budget;
pub mod configured;
pub mod error;
pub mod formats;
pub mod history;
mod kernels;
pub mod listing;
pub mod local;
pub mod notes;
pub mod objects;
pub mod parquet;
pub mod queries;
pub mod s3;
pub mod source;
pub mod validate;

pub use athena::{AthenaOptions, AthenaSource};
pub use configured::ConfiguredSource;
pub use error::{ExtractError, Result, Subject};
pub use local::LocalSource;
pub use source::{AccountData, Dataset, ExtractTimings, ReadStatistics, Source, months_to_read};
