//! Plain data shared by every stage of opsreport: the report period, the configuration, the
//! data contract (dataset names, columns, types) and the notes a service delivery manager writes.
//!
//! This crate knows nothing of Polars, AWS or Typst: it is the vocabulary the other crates speak,
//! so that the extract, metrics and render stages cannot disagree on a name or a type.

pub mod account;
pub mod config;
pub mod console;
pub mod contract;
pub mod customer;
pub mod format;
pub mod freshness;
pub mod input;
pub mod manifest;
pub mod memory;
pub mod metrics;
pub mod notes;
pub mod period;
pub mod quality;
pub mod scorecard;
pub mod setting;
pub mod sources;

pub use account::AccountId;
pub use config::Config;
pub use contract::{ColumnSpec, ColumnType, DatasetKind, DatasetName, DatasetSpec};
pub use customer::{CustomerId, Subject};
pub use metrics::Metrics;
pub use notes::Notes;
pub use period::{PeriodId, PeriodKind, ReportPeriod, Week, YearMonth};
pub use quality::DatasetQuality;
