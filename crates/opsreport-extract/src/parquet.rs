//! Decoding one Parquet file, for every source (local files, S3 objects, Athena `UNLOAD`
//! results): the one place that decides how a file becomes a frame and what makes it unreadable.
//!
//! Beyond what the reader checks, a file must hold the rows its footer promises: the file's row
//! count must equal the sum of its row groups', every flat column chunk must hold one value per
//! row of its group, and the decoded frame must have that many rows. A footer that claims fewer
//! rows than the column chunks hold would otherwise be read short without a word. A reader that
//! panics on a file (a type it cannot decode) is an unreadable file, not a crashed run.

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use polars::io::mmap::MmapBytesReader;
use polars::io::parquet::read::FileMetadata;
use polars::prelude::{
    DataFrame, HiveOptions, LazyFrame, ParallelStrategy, ParquetReader, PolarsResult, ScanArgsParquet, ScanSources, SerReader,
};

/// Files up to this size are decoded by the eager reader on the calling thread; larger ones by a
/// lazy scan, which decodes on several threads.
pub const EAGER_READ_MAX_BYTES: u64 = 4 << 20;

/// Decodes a Parquet file held in memory, only `columns` when given (those the file lacks are
/// skipped). The error is one line saying why the file cannot be read.
pub fn decode(bytes: Vec<u8>, columns: Option<&[&str]>, eager_max: u64) -> Result<DataFrame, String> {
    match catch_unwind(AssertUnwindSafe(|| decode_checked(bytes, columns, eager_max))) {
        Ok(result) => result,
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("no message");
            Err(format!("the Parquet reader could not decode it ({})", one_line(message)))
        }
    }
}

fn one_line(text: &str) -> String {
    text.lines().next().unwrap_or("unknown error").chars().take(300).collect()
}

fn decode_checked(bytes: Vec<u8>, columns: Option<&[&str]>, eager_max: u64) -> Result<DataFrame, String> {
    let (frame, promised) = if bytes.len() as u64 > eager_max {
        let mut footer_reader = ParquetReader::new(Cursor::new(bytes.as_slice()));
        let (promised, selected) = footer(&mut footer_reader, columns)?;
        (scan(bytes, selected), promised)
    } else {
        // The eager reader keeps the footer parsed here, and decodes on the calling thread: the
        // datasets are already read in parallel (and a fleet's accounts too), and handing a small
        // file's columns to the shared pool costs more than decoding them here.
        let mut reader = ParquetReader::new(Cursor::new(bytes));
        let (promised, selected) = footer(&mut reader, columns)?;
        (reader.with_columns(selected).read_parallel(ParallelStrategy::None).finish(), promised)
    };
    let frame = frame.map_err(|error| one_line(&error.to_string()))?;
    if frame.height() != promised && frame.width() > 0 {
        return Err(format!("{promised} rows promised by its footer but {} decoded; re-export the file", frame.height()));
    }
    Ok(frame)
}

/// Reads a file's footer: the rows it promises (checked by [`check_row_counts`]) and which of
/// `columns` it has.
fn footer<R: MmapBytesReader>(
    reader: &mut ParquetReader<R>,
    columns: Option<&[&str]>,
) -> Result<(usize, Option<Vec<String>>), String> {
    let polars = |error: polars::error::PolarsError| one_line(&error.to_string());
    let promised = check_row_counts(reader.get_metadata().map_err(polars)?)?;
    let schema = reader.schema().map_err(polars)?;
    let selected = columns.map(|wanted| {
        let mut present: Vec<String> =
            wanted.iter().filter(|name| schema.contains(name)).map(|name| (*name).to_owned()).collect();
        present.sort();
        present.dedup();
        present
    });
    Ok((promised, selected))
}

/// The rows a file's row groups hold, when the footer, the row groups and every flat column
/// chunk agree on them.
fn check_row_counts(metadata: &FileMetadata) -> Result<usize, String> {
    let promised: usize = metadata.row_groups.iter().map(|group| group.num_rows()).sum();
    if metadata.num_rows != promised {
        return Err(format!(
            "its footer says {} rows but its row groups hold {promised}; the file is damaged: re-export it",
            metadata.num_rows
        ));
    }
    for (index, group) in metadata.row_groups.iter().enumerate() {
        for chunk in group.parquet_columns() {
            let flat = chunk.descriptor().descriptor.max_rep_level == 0;
            if flat && chunk.num_values() != group.num_rows() as i64 {
                return Err(format!(
                    "row group {index} says {} rows but column `{}` holds {} values; the file is damaged: re-export it",
                    group.num_rows(),
                    chunk.descriptor().path_in_schema.join("."),
                    chunk.num_values()
                ));
            }
        }
    }
    Ok(promised)
}

/// A large file through the lazy scan, whose engine decodes on every core.
fn scan(bytes: Vec<u8>, columns: Option<Vec<String>>) -> PolarsResult<DataFrame> {
    let sources = ScanSources::Buffers(Arc::from(vec![bytes.into()]));
    let mut frame = LazyFrame::scan_parquet_sources(sources, scan_arguments())?;
    if let Some(columns) = columns {
        frame = frame.select(columns.iter().map(|name| polars::prelude::col(name.as_str())).collect::<Vec<_>>());
    }
    frame.collect()
}

/// How a file is scanned: the partition values come from the folder names the sources parse, so
/// Polars must not add its own columns from the path.
pub fn scan_arguments() -> ScanArgsParquet {
    ScanArgsParquet { hive_options: HiveOptions::new_disabled(), ..ScanArgsParquet::default() }
}
