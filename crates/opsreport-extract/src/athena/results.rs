//! Turning Athena's answers into Polars frames: Parquet objects an `UNLOAD` wrote (the fast
//! path), or `GetQueryResults` pages typed by their `ResultSetMetadata` (small results).

use aws_sdk_athena::types::ResultSet;
use chrono::{NaiveDate, NaiveDateTime};
use opsreport_model::DatasetName;
use polars::prelude::*;
use sha2::{Digest, Sha256};

use crate::athena::Clients;
use crate::s3::{S3Uri, get_object, list_keys};
use crate::validate::polars_type;
use crate::{ExtractError, Result};

/// One part of a result. Parquet is parsed after the queries, outside the async runtime
/// (Polars' reader must not block inside it).
#[derive(Clone, Debug)]
pub enum ResultPart {
    /// An object an `UNLOAD` wrote: its URI and bytes.
    Parquet {
        /// `s3://bucket/key`.
        uri: String,
        /// The object's bytes.
        bytes: Vec<u8>,
    },
    /// Pages already turned into a frame.
    Frame(DataFrame),
}

/// The Parquet objects an `UNLOAD` wrote under `location`, in key order. Markers and empty
/// objects are skipped (Athena writes no file for an empty result).
pub async fn read_objects(clients: &Clients, dataset: DatasetName, location: &S3Uri) -> Result<Vec<ResultPart>> {
    let mut parts = Vec::new();
    for key in list_keys(&clients.s3, dataset.into(), location).await? {
        let name = key.rsplit('/').next().unwrap_or(&key);
        if name.starts_with('_') || name.starts_with('.') || name.ends_with(".metadata") || name.ends_with("-manifest.csv") {
            continue;
        }
        let Some(bytes) = get_object(&clients.s3, dataset.into(), &location.bucket, &key).await? else {
            continue;
        };
        if !bytes.is_empty() {
            parts.push(ResultPart::Parquet { uri: format!("s3://{}/{key}", location.bucket), bytes });
        }
    }
    Ok(parts)
}

/// Parses one part into a frame (call outside the async runtime).
pub fn part_frame(dataset: DatasetName, part: ResultPart) -> Result<DataFrame> {
    match part {
        ResultPart::Frame(frame) => Ok(frame),
        ResultPart::Parquet { uri, bytes } => crate::parquet::decode(bytes, None, crate::parquet::EAGER_READ_MAX_BYTES)
            .map_err(|reason| ExtractError::UnreadableFile { dataset: dataset.into(), file: uri, reason }),
    }
}

/// How an Athena result type is held in Polars. Types outside this list are kept as text, so
/// validation reports them as a wrong type naming the column.
fn polars_type_of(athena_type: &str) -> DataType {
    use opsreport_model::contract::ColumnType;
    let base = athena_type.split('(').next().unwrap_or(athena_type).trim().to_ascii_lowercase();
    match base.as_str() {
        "bigint" | "integer" | "int" | "smallint" | "tinyint" => polars_type(ColumnType::Int64),
        "double" | "float" | "real" | "decimal" => polars_type(ColumnType::Double),
        "boolean" => polars_type(ColumnType::Boolean),
        "date" => polars_type(ColumnType::Date),
        "timestamp" => polars_type(ColumnType::Timestamp),
        _ => polars_type(ColumnType::String),
    }
}

/// Builds one frame from result pages: the first row of the first page is the header and is
/// skipped; every value is parsed by its column's declared type.
pub fn frame_from_pages(dataset: DatasetName, query_execution_id: &str, pages: &[ResultSet]) -> Result<DataFrame> {
    let Some(metadata) = pages.first().and_then(|page| page.result_set_metadata()) else {
        return Ok(DataFrame::empty());
    };
    let columns_info = metadata.column_info();
    let mut texts: Vec<Vec<Option<&str>>> = vec![Vec::new(); columns_info.len()];
    let mut rows = pages.iter().flat_map(|page| page.rows().iter());
    // The header row repeats the column names.
    let _ = rows.next();
    for row in rows {
        for (index, cells) in texts.iter_mut().enumerate() {
            cells.push(row.data().get(index).and_then(|datum| datum.var_char_value()));
        }
    }
    let mut columns = Vec::with_capacity(columns_info.len());
    for (info, cells) in columns_info.iter().zip(&texts) {
        let target = polars_type_of(info.r#type());
        let bad = |row: usize, value: &str| ExtractError::ResultValue {
            dataset: dataset.into(),
            query_execution_id: query_execution_id.to_owned(),
            row: row as u64,
            column: info.name().to_owned(),
            athena_type: info.r#type().to_owned(),
            value: value.chars().take(64).collect(),
        };
        let name = PlSmallStr::from(info.name());
        let series = match &target {
            DataType::String => Series::new(name, cells.clone()),
            DataType::Int64 => Series::new(name, parse_cells(cells, |text| text.parse::<i64>().ok(), bad)?),
            DataType::Float64 => Series::new(name, parse_cells(cells, parse_double, bad)?),
            DataType::Boolean => Series::new(name, parse_cells(cells, parse_boolean, bad)?),
            DataType::Date => {
                let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch");
                let days = parse_cells(cells, |text| parse_date(text).map(|date| (date - epoch).num_days() as i32), bad)?;
                Series::new(name, days).cast(&target).map_err(|error| engine(dataset, error))?
            }
            _ => {
                let micros = parse_cells(cells, |text| parse_timestamp(text).map(|at| at.and_utc().timestamp_micros()), bad)?;
                Series::new(name, micros).cast(&target).map_err(|error| engine(dataset, error))?
            }
        };
        columns.push(series.into_column());
    }
    DataFrame::new_infer_height(columns).map_err(|error| engine(dataset, error))
}

fn engine(dataset: DatasetName, error: PolarsError) -> ExtractError {
    ExtractError::Engine { dataset: dataset.into(), reason: error.to_string() }
}

fn parse_cells<T>(
    cells: &[Option<&str>],
    parse: impl Fn(&str) -> Option<T>,
    bad: impl Fn(usize, &str) -> ExtractError,
) -> Result<Vec<Option<T>>> {
    cells
        .iter()
        .enumerate()
        .map(|(row, cell)| match cell {
            None => Ok(None),
            Some(text) => parse(text).map(Some).ok_or_else(|| bad(row, text)),
        })
        .collect()
}

fn parse_double(text: &str) -> Option<f64> {
    match text {
        "NaN" => Some(f64::NAN),
        "Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        _ => text.parse().ok(),
    }
}

fn parse_boolean(text: &str) -> Option<bool> {
    match text {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// Athena prints timestamps as `2026-10-03 04:05:06.123` (fraction optional, up to
/// nanoseconds); a `T` separator is accepted too.
fn parse_timestamp(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim_end_matches(" UTC");
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f"))
        .ok()
}

/// Feeds a frame's names, types and values to a digest, independent of how it is chunked.
pub fn digest_frame(frame: &DataFrame, digest: &mut Sha256) -> Result<(), PolarsError> {
    digest.update(format!("{}\n", frame.height()).as_bytes());
    for column in frame.columns() {
        digest.update(format!("{}:{}\n", column.name(), column.dtype()).as_bytes());
        let series = column.as_materialized_series().to_physical_repr().rechunk();
        match series.dtype() {
            DataType::String => {
                for value in series.str()?.iter() {
                    match value {
                        Some(text) => {
                            digest.update((text.len() as u64).to_le_bytes());
                            digest.update(text.as_bytes());
                        }
                        None => digest.update(u64::MAX.to_le_bytes()),
                    }
                }
            }
            DataType::Boolean => {
                for value in series.bool()?.iter() {
                    digest.update([match value {
                        None => 2u8,
                        Some(true) => 1,
                        Some(false) => 0,
                    }]);
                }
            }
            DataType::Float64 => {
                for value in series.f64()?.iter() {
                    digest_option(digest, value.map(f64::to_bits));
                }
            }
            _ => {
                for value in series.cast(&DataType::Int64)?.i64()?.iter() {
                    digest_option(digest, value.map(|value| value as u64));
                }
            }
        }
    }
    Ok(())
}

fn digest_option(digest: &mut Sha256, value: Option<u64>) {
    match value {
        Some(value) => {
            digest.update([1u8]);
            digest.update(value.to_le_bytes());
        }
        None => digest.update([0u8]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_athena::types::{ColumnInfo, Datum, ResultSetMetadata, Row};

    fn page(columns: &[(&str, &str)], rows: &[&[Option<&str>]], header: bool) -> ResultSet {
        let info: Vec<ColumnInfo> =
            columns.iter().map(|(name, kind)| ColumnInfo::builder().name(*name).r#type(*kind).build().unwrap()).collect();
        let mut all_rows = Vec::new();
        if header {
            all_rows.push(
                Row::builder()
                    .set_data(Some(columns.iter().map(|(name, _)| Datum::builder().var_char_value(*name).build()).collect()))
                    .build(),
            );
        }
        for row in rows {
            let data = row.iter().map(|cell| Datum::builder().set_var_char_value(cell.map(str::to_owned)).build()).collect();
            all_rows.push(Row::builder().set_data(Some(data)).build());
        }
        ResultSet::builder()
            .result_set_metadata(ResultSetMetadata::builder().set_column_info(Some(info)).build())
            .set_rows(Some(all_rows))
            .build()
    }

    #[test]
    fn pages_are_typed_by_their_metadata_and_the_header_is_skipped() {
        let columns =
            [("id", "varchar"), ("at", "timestamp"), ("day", "date"), ("n", "bigint"), ("x", "double"), ("ok", "boolean")];
        let first = page(
            &columns,
            &[&[Some("a"), Some("2026-10-03 04:05:06.123"), Some("2026-10-03"), Some("7"), Some("1.5"), Some("true")]],
            true,
        );
        // Later pages have no header row.
        let second = page(&columns, &[&[None, None, None, None, None, Some("false")]], false);
        let frame = frame_from_pages(DatasetName::Alerts, "q-1", &[first, second]).unwrap();
        assert_eq!(frame.height(), 2);
        assert_eq!(frame.column("at").unwrap().dtype(), &polars_type(opsreport_model::contract::ColumnType::Timestamp));
        assert_eq!(frame.column("day").unwrap().dtype(), &DataType::Date);
        assert_eq!(frame.column("n").unwrap().i64().unwrap().get(0), Some(7));
        assert_eq!(frame.column("x").unwrap().f64().unwrap().get(0), Some(1.5));
        assert_eq!(frame.column("ok").unwrap().bool().unwrap().get(1), Some(false));
        assert_eq!(frame.column("id").unwrap().str().unwrap().get(1), None);
        let micros = frame.column("at").unwrap().cast(&DataType::Int64).unwrap().i64().unwrap().get(0).unwrap();
        assert_eq!(micros, 1_791_000_306_123_000);
    }

    #[test]
    fn a_value_that_does_not_parse_names_the_row_and_column() {
        let columns = [("n", "bigint")];
        let first = page(&columns, &[&[Some("1")], &[Some("x")]], true);
        let error = frame_from_pages(DatasetName::Alerts, "q-9", &[first]).unwrap_err().to_string();
        assert!(error.contains("q-9") && error.contains("row 1") && error.contains("`n`") && error.contains("bigint"), "{error}");
    }

    #[test]
    fn the_digest_sees_values_not_chunks() {
        let one = polars::df!("a" => [Some("x"), None], "b" => [1i64, 2]).unwrap();
        let mut two = polars::df!("a" => [Some("x")], "b" => [1i64]).unwrap();
        two.vstack_mut(&polars::df!("a" => [None::<&str>], "b" => [2i64]).unwrap()).unwrap();
        let changed = polars::df!("a" => [Some("x"), None], "b" => [1i64, 3]).unwrap();
        let hash = |frame: &DataFrame| {
            let mut digest = Sha256::new();
            digest_frame(frame, &mut digest).unwrap();
            digest.finalize().to_vec()
        };
        assert_eq!(hash(&one), hash(&two));
        assert_ne!(hash(&one), hash(&changed));
    }
}
