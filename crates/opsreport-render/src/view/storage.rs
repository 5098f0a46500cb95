//! The view of the report's "Storage" part, from `metrics.storage`: its sentences,
//! figures, charts and tables, every number formatted.

use super::prelude::*;

/// The storage section.
pub(super) fn storage(cx: &Context) -> Section {
    let (m, charts) = (cx.m, cx.charts);
    let s = &m.storage;
    let mut by_type = Table::new(
        "storage_by_type",
        "Storage by type",
        &[("Type", "left", 2.0), ("Used", "right", 1.0), ("Provisioned", "right", 1.0)],
        "No storage.",
    );
    for (kind, used) in s.used_bytes.iter().filter(|(kind, _)| kind.as_str() != "total") {
        by_type.row(vec![label(kind), bytes(*used as f64), or_na(s.provisioned_bytes.get(kind).map(|v| bytes(*v as f64)))]);
    }
    let mut near = Table::new(
        "near_capacity",
        "Volumes near capacity",
        &[
            ("Resource", "left", 3.0),
            ("Type", "left", 1.0),
            ("Used", "right", 1.0),
            ("Provisioned", "right", 1.0),
            ("Full", "right", 0.8),
        ],
        "No volume is near capacity.",
    );
    for item in &s.near_capacity {
        near.row(vec![
            item.resource_id.clone(),
            label(&item.storage_type),
            bytes(item.used_bytes as f64),
            bytes(item.provisioned_bytes as f64),
            percent_places(item.ratio * 100.0, 0),
        ]);
    }
    section(
        SectionId::Storage,
        "Storage",
        &s.status,
        format!(
            "{} in use on {} ({} vs {}). {} at or above the near-capacity threshold.",
            or_na(s.used_bytes.get("total").map(|v| bytes(*v as f64))),
            s.snapshot_date.as_deref().map(date_label).unwrap_or_else(|| "n/a".into()),
            or_na(s.growth_pct.map(|v| signed(v, Unit::Percent))),
            cx.words().last,
            plural(s.near_capacity.len() as u64, "volume is", "volumes are")
        ),
        vec![
            ("Used".into(), or_na(s.used_bytes.get("total").map(|v| bytes(*v as f64)))),
            ("Growth".into(), or_na(s.growth_pct.map(|v| signed(v, Unit::Percent)))),
            ("Near capacity".into(), thousands(s.near_capacity.len() as i64)),
        ],
        charts,
        &[
            (ChartId::StorageByType, "Used storage by type"),
            (ChartId::StorageTrend, &format!("Total used storage, {}", cx.words().trend)),
        ],
        vec![by_type, near.limited(TABLE_ROWS)],
    )
}
