//! The benchmark's data helpers, kept out of the sources: the floor (what reading a report's
//! files costs with no checks and no computation, to compare the metrics stage with) and the
//! objects an Athena `UNLOAD` would write for a simulated fleet (`opsreport bench --athena-fleet`).

use std::fs;
use std::sync::Arc;

use opsreport_model::{AccountId, DatasetName, ReportPeriod};
use polars::prelude::{DataFrame, IntoLazy, LazyFrame, NULL, ParquetWriter, ScanSources, col, lit};

use opsreport_extract::local::LocalSource;
use opsreport_extract::{ExtractError, Result, parquet};

/// A planned file of `dataset`, scanned lazily, with its schema.
fn scan_file(dataset: DatasetName, file: &std::path::Path) -> Result<(LazyFrame, polars::prelude::SchemaRef)> {
    let bytes =
        fs::read(file).map_err(|error| ExtractError::Io { dataset: dataset.into(), path: file.to_owned(), source: error })?;
    let sources = ScanSources::Buffers(Arc::from(vec![bytes.into()]));
    LazyFrame::scan_parquet_sources(sources, parquet::scan_arguments())
        .and_then(|mut frame| frame.collect_schema().map(|schema| (frame, schema)))
        .map_err(|error| ExtractError::UnreadableFile {
            dataset: dataset.into(),
            file: file.display().to_string(),
            reason: error.to_string(),
        })
}

/// The files a report of `account` reads from `source`, scanned lazily with the contract's
/// columns selected and collected. Returns the rows read.
pub fn bare_scan(source: &LocalSource, account: &AccountId, period: &ReportPeriod) -> Result<u64> {
    let mut rows = 0;
    for dataset in DatasetName::ALL {
        for (file, _) in &source.plan(dataset, account, period)?.files {
            let (frame, schema) = scan_file(dataset, file)?;
            // The contract's columns the file has (an optional column may be absent, as for a report).
            let columns: Vec<_> =
                dataset.spec().column_names().into_iter().filter(|name| schema.contains(name)).map(col).collect();
            let frame = frame.select(columns).collect().map_err(|error| ExtractError::UnreadableFile {
                dataset: dataset.into(),
                file: file.display().to_string(),
                reason: error.to_string(),
            })?;
            rows += frame.height() as u64;
        }
    }
    Ok(rows)
}

/// The rows Athena's query of `dataset` returns for a fleet, as `UNLOAD` would write them (one
/// Parquet object): `aws_account_id`, `month` (partitioned datasets) and the contract's columns,
/// for every account of `fleet`, each a copy of the data of `base[index % base.len()]` under its
/// own id. A simulated fleet of thousands of accounts costs the data of a few. `None` when there
/// is no row (Athena writes no object then).
pub fn unload_object(
    source: &LocalSource,
    dataset: DatasetName,
    base: &[AccountId],
    fleet: &[AccountId],
    period: &ReportPeriod,
) -> Result<Option<Vec<u8>>> {
    let spec = dataset.spec();
    let engine = |error: polars::error::PolarsError| ExtractError::Engine { dataset: dataset.into(), reason: error.to_string() };
    let mut per_base = Vec::with_capacity(base.len());
    for account in base {
        let mut frames = Vec::new();
        for (file, month) in &source.plan(dataset, account, period)?.files {
            let (frame, schema) = scan_file(dataset, file)?;
            let mut columns = Vec::new();
            if let Some(month) = month {
                columns.push(lit(month.to_string()).alias("month"));
            }
            for column in spec.columns {
                let target = opsreport_extract::validate::polars_type(column.column_type);
                columns.push(match schema.get(column.name) {
                    Some(_) => col(column.name).cast(target),
                    None => lit(NULL).cast(target).alias(column.name),
                });
            }
            frames.push(frame.select(columns).collect().map_err(engine)?);
        }
        per_base.push(frames);
    }
    let mut all: Option<DataFrame> = None;
    for (index, account) in fleet.iter().enumerate() {
        for frame in &per_base[index % per_base.len().max(1)] {
            let with_id = frame
                .clone()
                .lazy()
                .select([
                    lit(account.as_str()).alias(opsreport_model::contract::ACCOUNT_COLUMN),
                    polars::prelude::all().as_expr(),
                ])
                .collect()
                .map_err(engine)?;
            match all.as_mut() {
                None => all = Some(with_id),
                Some(all) => {
                    all.vstack_mut_owned(with_id).map_err(engine)?;
                }
            }
        }
    }
    let Some(mut frame) = all.filter(|frame| frame.height() > 0) else { return Ok(None) };
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes).finish(&mut frame).map_err(engine)?;
    Ok(Some(bytes))
}
