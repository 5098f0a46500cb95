//! The benchmark's floor, kept out of the sources' path: what reading a report's files costs
//! with no checks and no computation, to compare the metrics stage with (`opsreport bench`).

use std::fs;
use std::sync::Arc;

use opsreport_model::{AccountId, DatasetName, ReportPeriod};
use polars::prelude::{LazyFrame, ScanSources, col};

use crate::local::LocalSource;
use crate::{ExtractError, Result, parquet};

/// The files a report of `account` reads from `source`, scanned lazily with the contract's
/// columns selected and collected. Returns the rows read.
pub fn bare_scan(source: &LocalSource, account: &AccountId, period: &ReportPeriod) -> Result<u64> {
    let mut rows = 0;
    for dataset in DatasetName::ALL {
        for (file, _) in &source.plan(dataset, account, period)?.files {
            let bytes = fs::read(file).map_err(|error| ExtractError::Io {
                dataset: dataset.into(),
                path: file.clone(),
                source: error,
            })?;
            let sources = ScanSources::Buffers(Arc::from(vec![bytes.into()]));
            // The contract's columns the file has (an optional column may be absent, as for a report).
            let frame = LazyFrame::scan_parquet_sources(sources, parquet::scan_arguments())
                .and_then(|mut frame| {
                    let schema = frame.collect_schema()?;
                    let columns: Vec<_> =
                        dataset.spec().column_names().into_iter().filter(|name| schema.contains(name)).map(col).collect();
                    frame.select(columns).collect()
                })
                .map_err(|error| ExtractError::UnreadableFile {
                    dataset: dataset.into(),
                    file: file.display().to_string(),
                    reason: error.to_string(),
                })?;
            rows += frame.height() as u64;
        }
    }
    Ok(rows)
}
