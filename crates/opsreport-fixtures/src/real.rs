//! The same rows in the shapes real exports have (`opsreport fixtures --format …`): AMS
//! self-service reports (JSON lines, every value a string, per-account `Date=` folders), CUR 2.0
//! and FOCUS (line items under `billing_period=`), and ServiceNow-style CSV ticket exports (one
//! file per table for every account, display times in a local zone, `1 - Critical` priorities).
//!
//! `convert` rewrites datasets of a contract-layout root in place: each converted dataset's
//! contract folder is replaced by its real-format files, and `opsreport.toml` is written with the
//! `[datasets.*]` entries that read them, so the folder runs as it is.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, LocalResult, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use opsreport_model::DatasetName;
use opsreport_model::contract::ACCOUNT_COLUMN;
use polars::prelude::*;

use crate::FixtureError;
use crate::table::write_parquet;

/// A real export shape the fixtures can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RealFormat {
    /// AMS SSR: patch details, missing patches, daily backups.
    AmsSsr,
    /// CUR 2.0: billing.
    Cur2,
    /// FOCUS 1.x: billing.
    Focus,
    /// ServiceNow-style CSV: incidents, service requests, changes.
    ServiceNowCsv,
}

impl RealFormat {
    /// Parses `ams-ssr`, `cur2`, `focus` or `servicenow-csv`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "ams-ssr" => Some(RealFormat::AmsSsr),
            "cur2" => Some(RealFormat::Cur2),
            "focus" => Some(RealFormat::Focus),
            "servicenow-csv" => Some(RealFormat::ServiceNowCsv),
            _ => None,
        }
    }

    /// The datasets it holds.
    pub fn datasets(self) -> &'static [DatasetName] {
        match self {
            RealFormat::AmsSsr => &[DatasetName::PatchDetails, DatasetName::MissingPatches, DatasetName::BackupJobs],
            RealFormat::Cur2 | RealFormat::Focus => &[DatasetName::Billing],
            RealFormat::ServiceNowCsv => &[DatasetName::Incidents, DatasetName::ServiceRequests, DatasetName::Rfcs],
        }
    }
}

/// The zone the CSV exports write their display times in.
pub const CSV_ZONE: &str = "America/New_York";

/// SSR report paths per dataset (`json/<area>/<report>/`).
fn ssr_report(dataset: DatasetName) -> &'static str {
    match dataset {
        DatasetName::PatchDetails => "json/patch/patch_details",
        DatasetName::MissingPatches => "json/patch/windows_missing_patches",
        _ => "json/backup/daily_backup_report",
    }
}

/// ServiceNow-style column names: (contract column, export column), per ticket dataset.
pub fn servicenow_columns(dataset: DatasetName) -> &'static [(&'static str, &'static str)] {
    match dataset {
        DatasetName::Incidents => &[
            ("case_id", "number"),
            ("priority", "priority"),
            ("severity", "u_severity"),
            ("status", "state"),
            ("yuma_category", "category"),
            ("subject", "short_description"),
            ("created_at", "opened_at"),
            ("acknowledged_at", "u_acknowledged_at"),
            ("resolved_at", "resolved_at"),
            ("customer_wait_minutes", "u_customer_wait_minutes"),
            ("non_incident", "u_non_incident"),
            ("best_effort", "u_best_effort"),
            ("resource_id", "cmdb_ci"),
            ("stack_id", "u_stack_id"),
            ("root_cause", "close_code"),
            ("rca_status", "u_rca_status"),
        ],
        DatasetName::ServiceRequests => &[
            ("case_id", "number"),
            ("priority", "priority"),
            ("category", "cat_item"),
            ("status", "state"),
            ("subject", "short_description"),
            ("created_at", "opened_at"),
            ("first_response_at", "u_first_response_at"),
            ("resolved_at", "closed_at"),
            ("customer_wait_minutes", "u_customer_wait_minutes"),
            ("csat_score", "u_csat_score"),
        ],
        _ => &[
            ("rfc_id", "number"),
            ("title", "short_description"),
            ("change_type_id", "u_change_type_id"),
            ("change_type_version", "u_change_type_version"),
            ("status", "state"),
            ("automation_status", "u_automation_status"),
            ("created_by", "opened_by"),
            ("created_time", "opened_at"),
            ("requested_start_time", "start_date"),
            ("requested_end_time", "end_date"),
            ("actual_start_time", "work_start"),
            ("actual_end_time", "work_end"),
        ],
    }
}

/// ServiceNow priorities (contract → export); the configuration maps them back.
const PRIORITIES: [(&str, &str); 3] = [("High", "1 - Critical"), ("Medium", "3 - Moderate"), ("Low", "4 - Low")];

/// The account column of the CSV exports.
pub const CSV_ACCOUNT_COLUMN: &str = "u_aws_account_id";

/// Line items of one cost export file by default: a larger billing period is split over several
/// files (`-00001`, `-00002`, …) as a real export of real size is.
pub const COST_FILE_LINE_ITEMS: usize = 5_000;

/// Rewrites the datasets of `formats` under `root` (a contract-layout root) and writes
/// `root/opsreport.toml`, a cost export's period in files of at most `cost_file_lines` line
/// items. Returns the files written.
pub fn convert(root: &Path, formats: &[RealFormat], cost_file_lines: usize) -> Result<usize, FixtureError> {
    let mut written = 0;
    let mut config = String::from(
        "# The datasets below are read from real-format exports beside this file (docs/sources.md);\n# the others from the contract layout given as --source.\n",
    );
    for format in formats {
        for dataset in format.datasets() {
            let rows = read_dataset(root, *dataset)?;
            written += match format {
                RealFormat::AmsSsr => write_ssr(root, *dataset, &rows)?,
                RealFormat::Cur2 | RealFormat::Focus => write_cost(root, *format, &rows, cost_file_lines)?,
                RealFormat::ServiceNowCsv => write_csv(root, *dataset, &rows)?,
            };
            let folder = root.join(dataset.as_str());
            fs::remove_dir_all(&folder).map_err(|source| FixtureError::Io { path: folder.clone(), source })?;
            config.push_str(&config_entry(*format, *dataset));
        }
    }
    crate::table::write_text(&root.join("opsreport.toml"), &config)?;
    Ok(written + 1)
}

/// One dataset's rows of every account, with `aws_account_id`, sorted by account then file.
fn read_dataset(root: &Path, dataset: DatasetName) -> Result<Vec<(String, DataFrame)>, FixtureError> {
    let mut found = Vec::new();
    let folder = root.join(dataset.as_str());
    for file in files_under(&folder)? {
        let account = file
            .ancestors()
            .filter_map(|ancestor| ancestor.file_name()?.to_str()?.strip_prefix(&format!("{ACCOUNT_COLUMN}=")).map(str::to_owned))
            .next()
            .unwrap_or_default();
        let reader = fs::File::open(&file).map_err(|source| FixtureError::Io { path: file.clone(), source })?;
        let frame = ParquetReader::new(reader).finish().map_err(|source| FixtureError::Polars { path: file.clone(), source })?;
        found.push((account, frame));
    }
    Ok(found)
}

fn files_under(folder: &Path) -> Result<Vec<PathBuf>, FixtureError> {
    let mut files = Vec::new();
    let Ok(entries) = fs::read_dir(folder) else { return Ok(files) };
    for entry in entries {
        let path = entry.map_err(|source| FixtureError::Io { path: folder.to_owned(), source })?.path();
        if path.is_dir() {
            files.extend(files_under(&path)?);
        } else {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// A cell as text: how each export writes values. `None` for null.
fn cell(frame: &DataFrame, column: &str, row: usize, zone: Option<Tz>) -> Option<String> {
    let values = frame.column(column).ok()?;
    let value = values.get(row).ok()?;
    match value {
        AnyValue::Null => None,
        AnyValue::String(text) => Some(text.to_owned()),
        AnyValue::StringOwned(text) => Some(text.to_string()),
        AnyValue::Boolean(flag) => Some(flag.to_string()),
        AnyValue::Int64(number) => Some(number.to_string()),
        AnyValue::Int32(number) => Some(number.to_string()),
        AnyValue::Float64(number) => Some(number.to_string()),
        AnyValue::Date(days) => {
            Some((NaiveDate::from_ymd_opt(1970, 1, 1)? + chrono::Duration::days(i64::from(days))).to_string())
        }
        AnyValue::Datetime(micros, _, _) | AnyValue::DatetimeOwned(micros, _, _) => {
            Some(display_time(DateTime::<Utc>::from_timestamp_micros(micros)?, zone))
        }
        other => Some(other.to_string()),
    }
}

/// `YYYY-MM-DD HH:MM:SS[.ffffff]` in `zone` (UTC when none), with the offset written only where
/// the local time would be ambiguous (the hour a clock is set back runs twice).
fn display_time(instant: DateTime<Utc>, zone: Option<Tz>) -> String {
    let zone = zone.unwrap_or(Tz::UTC);
    let local = instant.with_timezone(&zone);
    let mut text = local.format("%Y-%m-%d %H:%M:%S").to_string();
    if instant.timestamp_subsec_micros() != 0 {
        let _ = write!(text, ".{:06}", instant.timestamp_subsec_micros());
    }
    if let LocalResult::Ambiguous(first, _) = zone.from_local_datetime(&local.naive_local())
        && first != local
    {
        let offset = local.offset().fix().local_minus_utc();
        let _ = write!(text, "{}{:02}:{:02}", if offset < 0 { '-' } else { '+' }, offset.abs() / 3600, offset.abs() % 3600 / 60);
    }
    text
}

fn write_ssr(root: &Path, dataset: DatasetName, rows: &[(String, DataFrame)]) -> Result<usize, FixtureError> {
    let spec = dataset.spec();
    let lacks: &[&str] = match dataset {
        DatasetName::PatchDetails => &["compliant_total", "instance_stack_name", "snapshot_date"],
        DatasetName::MissingPatches => &["snapshot_date"],
        _ => &["status_message"],
    };
    // (account, day) → lines.
    let mut files: BTreeMap<(String, String), String> = BTreeMap::new();
    for (account, frame) in rows {
        for row in 0..frame.height() {
            let day = match dataset {
                DatasetName::BackupJobs => cell(frame, "dataset_datetime", row, None).map(|text| text[..10].to_owned()),
                _ => cell(frame, "snapshot_date", row, None),
            }
            .unwrap_or_default();
            // Written field by field in contract order: a map's key order depends on how the JSON
            // crate was built, and the fixtures must be the same bytes from any build.
            let mut fields: Vec<(&str, Option<String>)> = vec![(ACCOUNT_COLUMN, Some(account.clone()))];
            if dataset != DatasetName::BackupJobs {
                fields.push(("dataset_datetime", Some(format!("{day} 06:00:00"))));
            }
            for column in spec.columns.iter().filter(|column| !lacks.contains(&column.name)) {
                fields.push((column.name, cell(frame, column.name, row, None)));
            }
            let json = |value: &Option<String>| serde_json::to_string(value).expect("a string serializes");
            let line = format!(
                "{{{}}}",
                fields
                    .iter()
                    .map(|(key, value)| format!("{}:{}", json(&Some((*key).to_owned())), json(value)))
                    .collect::<Vec<_>>()
                    .join(",")
            );
            let text = files.entry((account.clone(), day)).or_default();
            text.push_str(&line);
            text.push('\n');
        }
    }
    let report = ssr_report(dataset);
    let name = report.rsplit('/').next().unwrap_or("report");
    for ((account, day), text) in &files {
        let path = root
            .join("ssr")
            .join(format!("ams-reporting-data-a{account}"))
            .join(report)
            .join(format!("Date={day}"))
            .join(format!("{name}.json"));
        crate::table::write_text(&path, text)?;
    }
    Ok(files.len())
}

fn write_cost(root: &Path, format: RealFormat, rows: &[(String, DataFrame)], file_lines: usize) -> Result<usize, FixtureError> {
    // billing period → line items of every account.
    let mut periods: BTreeMap<String, Vec<[Option<String>; 4]>> = BTreeMap::new();
    let mut costs: BTreeMap<String, Vec<[Option<f64>; 2]>> = BTreeMap::new();
    for (_, frame) in rows {
        for row in 0..frame.height() {
            let period = cell(frame, "date", row, None).map(|date| date[..7].to_owned()).unwrap_or_default();
            let account = cell(frame, "linked_account_id", row, None);
            let payer = cell(frame, "payer_account_id", row, None);
            let product = cell(frame, "product_name", row, None);
            let number = |column: &str| cell(frame, column, row, None).and_then(|text| text.parse::<f64>().ok());
            let (usage, reserved, savings) = match format {
                RealFormat::Focus => (None, "Usage", "Spend"),
                _ => (Some("Usage"), "DiscountedUsage", "SavingsPlanCoveredUsage"),
            };
            let items = periods.entry(period.clone()).or_default();
            let amounts = costs.entry(period).or_default();
            items.push([account.clone(), payer.clone(), product.clone(), usage.map(str::to_owned)]);
            amounts.push([number("aws_charges"), Some(0.0)]);
            for (column, kind) in [("ris_charges", reserved), ("sp_charges", savings)] {
                if let Some(value) = number(column) {
                    items.push([account.clone(), payer.clone(), product.clone(), Some(kind.to_owned())]);
                    amounts.push([Some(0.0), Some(value)]);
                }
            }
        }
    }
    let names: [&str; 6] = match format {
        RealFormat::Focus => {
            ["SubAccountId", "BillingAccountId", "ServiceName", "CommitmentDiscountCategory", "BilledCost", "EffectiveCost"]
        }
        _ => [
            "line_item_usage_account_id",
            "bill_payer_account_id",
            "line_item_product_code",
            "line_item_line_item_type",
            "line_item_unblended_cost",
            "reservation_effective_cost",
        ],
    };
    let folder = if format == RealFormat::Focus { "focus" } else { "cur2" };
    let mut written = 0;
    for (period, items) in &periods {
        // Line item i goes to file i mod n, so one product's items straddle the files.
        let files = items.len().div_ceil(file_lines.max(1)).max(1);
        for file in 0..files {
            let picked: Vec<usize> = (file..items.len()).step_by(files).collect();
            let items: Vec<[Option<String>; 4]> = picked.iter().map(|index| items[*index].clone()).collect();
            let amounts: Vec<[Option<f64>; 2]> = picked.iter().map(|index| costs[period][*index]).collect();
            let path = root
                .join(folder)
                .join(format!("billing_period={period}"))
                .join(format!("{folder}-{:05}.snappy.parquet", file + 1));
            write_cost_file(&path, format, names, &items, &amounts)?;
            written += 1;
        }
    }
    Ok(written)
}

/// One cost export file of the given line items.
fn write_cost_file(
    path: &Path,
    format: RealFormat,
    names: [&str; 6],
    items: &[[Option<String>; 4]],
    amounts: &[[Option<f64>; 2]],
) -> Result<(), FixtureError> {
    let text = |index: usize| Column::new(names[index].into(), items.iter().map(|item| item[index].clone()).collect::<Vec<_>>());
    let mut columns: Vec<Column> = (0..4).map(text).collect();
    let billed: Vec<Option<f64>> = amounts.iter().map(|amount| amount[0]).collect();
    let committed: Vec<Option<f64>> = amounts.iter().map(|amount| amount[1]).collect();
    columns.push(Column::new(names[4].into(), billed));
    if format == RealFormat::Focus {
        columns.push(Column::new(names[5].into(), committed));
    } else {
        // RI and Savings Plans effective costs are separate CUR columns.
        let pick = |kind: &str| {
            committed
                .iter()
                .zip(items)
                .map(|(value, item)| if item[3].as_deref() == Some(kind) { *value } else { Some(0.0) })
                .collect::<Vec<_>>()
        };
        columns.push(Column::new(names[5].into(), pick("DiscountedUsage")));
        columns.push(Column::new("savings_plan_savings_plan_effective_cost".into(), pick("SavingsPlanCoveredUsage")));
    }
    let mut frame =
        DataFrame::new(items.len(), columns).map_err(|source| FixtureError::Polars { path: path.to_owned(), source })?;
    write_parquet(path, &mut frame)?;
    Ok(())
}

fn write_csv(root: &Path, dataset: DatasetName, rows: &[(String, DataFrame)]) -> Result<usize, FixtureError> {
    let columns = servicenow_columns(dataset);
    let zone: Tz = CSV_ZONE.parse().expect("a valid zone");
    let mut writer = csv::WriterBuilder::new().from_writer(Vec::new());
    let mut header: Vec<&str> = vec![CSV_ACCOUNT_COLUMN];
    header.extend(columns.iter().map(|(_, export)| *export));
    let csv_error = |error: csv::Error| FixtureError::Io { path: root.to_owned(), source: std::io::Error::other(error) };
    writer.write_record(&header).map_err(csv_error)?;
    for (account, frame) in rows {
        for row in 0..frame.height() {
            let mut record = vec![account.trim_start_matches('0').to_owned()];
            for (contract, _) in columns {
                let mut value = cell(frame, contract, row, Some(zone)).unwrap_or_default();
                if *contract == "priority" {
                    value = PRIORITIES.iter().find(|(ours, _)| *ours == value).map_or(value, |(_, theirs)| (*theirs).to_owned());
                }
                record.push(value);
            }
            writer.write_record(&record).map_err(csv_error)?;
        }
    }
    let bytes = writer
        .into_inner()
        .map_err(|error| FixtureError::Io { path: root.to_owned(), source: std::io::Error::other(error.to_string()) })?;
    let table = match dataset {
        DatasetName::Incidents => "incident",
        DatasetName::ServiceRequests => "sc_req_item",
        _ => "change_request",
    };
    let path = root.join("servicenow").join(table).join(format!("{table}.csv"));
    crate::table::write_text(&path, &String::from_utf8_lossy(&bytes))?;
    Ok(1)
}

/// The `[datasets.<dataset>]` entry that reads what `convert` wrote.
fn config_entry(format: RealFormat, dataset: DatasetName) -> String {
    let mut entry = format!("\n[datasets.{dataset}]\n");
    match format {
        RealFormat::AmsSsr => {
            let _ = writeln!(
                entry,
                "format = \"ams-ssr\"\nlocation = \"ssr/ams-reporting-data-a{{account}}/{}/\"",
                ssr_report(dataset)
            );
        }
        RealFormat::Cur2 => entry.push_str("format = \"cur2\"\nlocation = \"cur2/\"\n"),
        RealFormat::Focus => entry.push_str("format = \"focus\"\nlocation = \"focus/\"\n"),
        RealFormat::ServiceNowCsv => {
            let table = match dataset {
                DatasetName::Incidents => "incident",
                DatasetName::ServiceRequests => "sc_req_item",
                _ => "change_request",
            };
            let _ = writeln!(
                entry,
                "format = \"csv\"\nlocation = \"servicenow/{table}/\"\naccount_column = \"{CSV_ACCOUNT_COLUMN}\"\ntimezone = \"{CSV_ZONE}\""
            );
            let _ = writeln!(entry, "[datasets.{dataset}.columns]");
            for (contract, export) in servicenow_columns(dataset) {
                if contract != export {
                    let _ = writeln!(entry, "{contract} = \"{export}\"");
                }
            }
            if dataset != DatasetName::Rfcs {
                let _ = writeln!(entry, "[datasets.{dataset}.values.priority]");
                for (ours, theirs) in PRIORITIES {
                    let _ = writeln!(entry, "\"{theirs}\" = \"{ours}\"");
                }
            }
        }
    }
    entry
}
