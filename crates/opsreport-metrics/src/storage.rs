//! `storage.*`: used and provisioned bytes per storage type from the month's latest snapshot,
//! growth against the previous month, and resources near capacity.

use std::collections::BTreeMap;

use opsreport_model::DatasetName;
use opsreport_model::ReportPeriod;
use opsreport_model::metrics::{BytesPoint, NearCapacity, StorageMetrics};
use polars::prelude::*;

use crate::frame::{Accounts, Frames, collect, doubles, first_count, integers, latest_snapshot, strings};
use crate::{Result, available, missing};

const SECTION: &str = "storage";

fn total_used(storage: &LazyFrame, period: &ReportPeriod, accounts: Accounts) -> Result<Option<u64>> {
    match latest_snapshot(storage, period, accounts, SECTION)? {
        Some(snapshot) => Ok(Some(first_count(
            &collect(snapshot.rows(storage).select([col("used_bytes").sum().alias("used")]), SECTION)?,
            "used",
        ))),
        None => Ok(None),
    }
}

fn bytes_by_type(current: &LazyFrame, column: &str) -> Result<BTreeMap<String, u64>> {
    let sums = collect(
        current.clone().filter(col(column).is_not_null()).group_by([col("storage_type")]).agg([col(column).sum().alias("bytes")]),
        SECTION,
    )?;
    let mut map: BTreeMap<String, u64> = strings(&sums, "storage_type")
        .into_iter()
        .zip(integers(&sums, "bytes"))
        .map(|(kind, bytes)| (kind.unwrap_or_default(), bytes.unwrap_or(0).max(0) as u64))
        .collect();
    let total = map.values().sum();
    map.insert("total".to_owned(), total);
    Ok(map)
}

/// Computes `storage.*`.
pub fn compute(frames: &Frames) -> Result<StorageMetrics> {
    let Some(storage) = frames.lazy(DatasetName::Storage) else {
        return Ok(StorageMetrics { status: missing(frames.missing_reason(DatasetName::Storage)), ..StorageMetrics::default() });
    };
    let storage = storage.cache();
    let period = frames.period;
    let trend = period
        .trend()
        .iter()
        .map(|month| Ok(BytesPoint { month: month.id(), bytes: total_used(&storage, month, frames.accounts)? }))
        .collect::<Result<Vec<_>>>()?;
    let Some(snapshot) = latest_snapshot(&storage, &period, frames.accounts, SECTION)? else {
        return Ok(StorageMetrics {
            status: missing(format!("no storage snapshot dated in {}", period.label())),
            trend,
            ..StorageMetrics::default()
        });
    };
    let current = snapshot.rows(&storage);
    let used_bytes = bytes_by_type(&current, "used_bytes")?;
    let provisioned_bytes = bytes_by_type(&current, "provisioned_bytes")?;
    let total = used_bytes["total"];
    let previous = total_used(&storage, &period.previous(), frames.accounts)?;
    let ratio = frames.config.storage.near_capacity_ratio;
    let near = collect(
        current
            .filter(col("provisioned_bytes").gt(lit(0i64)))
            .with_column(
                (col("used_bytes").cast(DataType::Float64) / col("provisioned_bytes").cast(DataType::Float64)).alias("ratio"),
            )
            .filter(col("ratio").gt_eq(lit(ratio)))
            .sort_by_exprs(
                [col("ratio"), col("resource_id")],
                SortMultipleOptions::default().with_order_descending_multi([true, false]),
            ),
        SECTION,
    )?;
    let resources = strings(&near, "resource_id");
    let kinds = strings(&near, "storage_type");
    let used = integers(&near, "used_bytes");
    let provisioned = integers(&near, "provisioned_bytes");
    let ratios = doubles(&near, "ratio");
    let near_capacity = (0..near.height())
        .map(|row| NearCapacity {
            resource_id: resources[row].clone().unwrap_or_default(),
            storage_type: kinds[row].clone().unwrap_or_default(),
            used_bytes: used[row].unwrap_or(0).max(0) as u64,
            provisioned_bytes: provisioned[row].unwrap_or(0).max(0) as u64,
            ratio: ratios[row].unwrap_or(0.0),
        })
        .collect();
    Ok(StorageMetrics {
        status: available(),
        snapshot_date: Some(snapshot.day.to_string()),
        used_bytes,
        provisioned_bytes,
        growth_pct: previous
            .filter(|previous| *previous > 0)
            .map(|previous| (total as f64 - previous as f64) / previous as f64 * 100.0),
        near_capacity,
        trend,
    })
}
