//! AMS self-service reports: JSON lines, every value a string, one folder per report day
//! (`Date=YYYY-MM-DD/` in a managed account's bucket; `reportdate=YYYY-MM-DD/awsaccountid=<id>/`
//! when the multi-account aggregator copied them into one bucket). A snapshot's day is its
//! folder's (in an Athena table, the `reportdate` partition column); the account is the folder's
//! too, so no row column names it.

use std::collections::BTreeSet;

use opsreport_model::DatasetName;
use opsreport_model::contract::ACCOUNT_COLUMN;
use opsreport_model::sources::DatasetSource;
use polars::prelude::*;

use super::{ExportFormat, Layout, Rows, SSR_DAY_COLUMN, TextTable, text_columns};
use crate::queries::TableQuery;

/// The folder keys of a report day, matched in any case.
const DAY_KEYS: &[&str] = &["date", "reportdate"];

/// The SSR in a managed account's own bucket (`aggregated: false`) or copied by the aggregator.
pub struct Ssr {
    /// Whether each day's folder holds one `awsaccountid=<id>/` folder per account.
    pub aggregated: bool,
}

impl ExportFormat for Ssr {
    fn layout(&self) -> Layout {
        Layout::Days { keys: DAY_KEYS, account_folders: self.aggregated }
    }

    fn rows(&self) -> Rows {
        Rows::Columns
    }

    fn account_column(&self, _source: &DatasetSource) -> Option<String> {
        None
    }

    fn table_account_column(&self, _source: &DatasetSource) -> Option<String> {
        Some("awsaccountid".into())
    }

    fn decode(&self, source: &DatasetSource, dataset: DatasetName, bytes: &[u8]) -> Result<DataFrame, String> {
        json_lines(bytes, &text_columns(source, dataset))
    }

    fn table_query(&self, query: &mut TableQuery<'_>) -> Result<String, String> {
        let (first, last) = super::days_read(query.dataset, query.period, query.source.days_after());
        query.bind(first);
        query.bind(last);
        Ok(format!(
            "SELECT * FROM {}\nWHERE {} IN ({})\n  AND \"{SSR_DAY_COLUMN}\" BETWEEN ? AND ?",
            query.table, query.account, query.accounts
        ))
    }
}

/// JSON lines: one object per line (blank lines skipped). SSR writes every value as a string;
/// a number or boolean is kept as its JSON text, so the strict parse decides what it means.
/// Only the `wanted` keys are kept (the others are skipped as they are parsed, never held); the
/// account column in another spelling (`AWS_ACCOUNT_ID`) is read as the account column, and two
/// spellings with different values in one object are an error.
fn json_lines(bytes: &[u8], wanted: &BTreeSet<String>) -> Result<DataFrame, String> {
    let text = std::str::from_utf8(bytes).map_err(|error| format!("not UTF-8 text ({error})"))?;
    let mut table = TextTable::new(wanted.iter().cloned());
    for (index, line) in text.lines().enumerate() {
        let line_number = index as u64 + 1;
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.is_empty() {
            continue;
        }
        table.push_row(line_number);
        let mut deserializer = serde_json::Deserializer::from_str(line);
        serde::de::DeserializeSeed::deserialize(JsonRow { table: &mut table }, &mut deserializer)
            .and_then(|()| deserializer.end())
            .map_err(|error| format!("line {line_number}: not a JSON object ({error})"))?;
    }
    table.into_frame()
}

/// One JSON object into the last row of a [`TextTable`].
struct JsonRow<'a> {
    table: &'a mut TextTable,
}

impl<'de> serde::de::DeserializeSeed<'de> for JsonRow<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for JsonRow<'_> {
    type Value = ();

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("a JSON object")
    }

    fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        let mut account_spelling: Option<String> = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            let is_account = key.eq_ignore_ascii_case(ACCOUNT_COLUMN);
            if !is_account && !self.table.index.contains_key(key.as_ref()) {
                map.next_value::<serde::de::IgnoredAny>()?;
                continue;
            }
            let text = match map.next_value::<serde_json::Value>()? {
                serde_json::Value::Null => None,
                serde_json::Value::String(text) => Some(text),
                other => Some(other.to_string()),
            };
            if is_account {
                if let Some(first) = &account_spelling
                    && self.table.get(ACCOUNT_COLUMN) != text.as_deref()
                {
                    return Err(serde::de::Error::custom(format!(
                        "`{first}` and `{key}` name different accounts; a row belongs to one account"
                    )));
                }
                account_spelling = Some(key.into_owned());
                self.table.set(ACCOUNT_COLUMN, text);
            } else {
                self.table.set(&key, text);
            }
        }
        Ok(())
    }
}
