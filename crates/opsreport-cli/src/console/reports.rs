//! What the console knows of an account's reports: the report folders with a manifest (a
//! complete report, as the batch job writes them), what their `metrics.json` says of the data,
//! and the notes files of the account.

use opsreport_model::manifest::Manifest;
use opsreport_model::{PeriodId, ReportPeriod, Subject};
use serde_json::Value;

use std::collections::HashMap;

use super::cache::Cache;
use super::store::{Listed, Store, StoreError};

/// A complete report folder.
#[derive(Clone, Debug)]
pub struct ReportEntry {
    /// The period (and so its kind).
    pub period: PeriodId,
    /// Its folder (`<account>/2026-10`).
    pub folder: String,
    /// The report date.
    pub generated_on: String,
    /// The files the manifest lists (`report.pdf`, `tables/incidents.csv`, …).
    pub files: Vec<String>,
    /// What its `metrics.json` says of the data (none when it has none).
    pub state: Option<DataState>,
    /// When the manifest was written, Unix seconds (if the store says).
    pub written_at: Option<i64>,
}

impl ReportEntry {
    /// The PDFs it has: the document (`report.pdf`) and the deck (`slides.pdf`), as written.
    pub fn pdfs(&self) -> Vec<&str> {
        self.files.iter().map(String::as_str).filter(|file| file.ends_with(".pdf")).collect()
    }
}

/// The reports of an account or a customer, newest period first within each kind (weekly,
/// monthly, quarterly).
pub async fn reports_of(store: &Store, cache: &Cache, subject: &Subject) -> Result<Vec<ReportEntry>, StoreError> {
    let listing = store.listing(&subject.key()).await?;
    let versions: HashMap<&str, &Listed> = listing.iter().map(|listed| (listed.path.as_str(), listed)).collect();
    let mut entries = Vec::new();
    for listed in &listing {
        let Some(folder) = listed.path.strip_suffix("/manifest.json") else { continue };
        let Some(mut entry) = manifest_entry(store, cache, listed, folder, subject).await? else { continue };
        entry.written_at = listed.modified;
        if let Some(metrics) = versions.get(format!("{folder}/metrics.json").as_str()) {
            entry.state = metrics_state(store, cache, metrics).await?;
        }
        entries.push(entry);
    }
    entries.sort_by(|left, right| left.period.kind().cmp(&right.period.kind()).then_with(|| right.period.cmp(&left.period)));
    Ok(entries)
}

/// The report a listed manifest describes: from the cache while its version holds, else read.
async fn manifest_entry(
    store: &Store,
    cache: &Cache,
    listed: &Listed,
    folder: &str,
    subject: &Subject,
) -> Result<Option<ReportEntry>, StoreError> {
    if let Some(entry) = cache.manifests.get(&listed.path, &listed.version) {
        return Ok(entry);
    }
    let Some(read) = store.get(&listed.path).await? else { return Ok(None) };
    let entry = entry_of(folder, &read.bytes, subject);
    cache.manifests.put(&listed.path, &listed.version, entry.clone());
    Ok(entry)
}

/// What a listed `metrics.json` says of the data: from the cache while its version holds, else
/// read and parsed off the async workers (the file can be large).
async fn metrics_state(store: &Store, cache: &Cache, listed: &Listed) -> Result<Option<DataState>, StoreError> {
    if let Some(state) = cache.states.get(&listed.path, &listed.version) {
        return Ok(Some(state));
    }
    let Some(read) = store.get(&listed.path).await? else { return Ok(None) };
    let state = tokio::task::spawn_blocking(move || data_state(&read.bytes)).await.unwrap_or_default();
    cache.states.put(&listed.path, &listed.version, state.clone());
    Ok(Some(state))
}

/// The entry a manifest describes, when it is the manifest of that subject's report in that
/// folder (a stray or foreign manifest is not a report).
fn entry_of(folder: &str, manifest: &[u8], subject: &Subject) -> Option<ReportEntry> {
    let manifest = Manifest::from_bytes(manifest)?;
    let expected = crate::output::report_folder(subject, manifest.period);
    if manifest.subject != *subject || manifest.kind != manifest.period.kind() || folder != expected {
        return None;
    }
    Some(ReportEntry {
        period: manifest.period,
        folder: folder.to_owned(),
        generated_on: manifest.generated_on,
        files: manifest.files.into_iter().map(|file| file.path).collect(),
        state: None,
        written_at: None,
    })
}

/// What a report's `metrics.json` says of its data: the datasets with data missing and the
/// newest record read.
#[derive(Clone, Debug, Default)]
pub struct DataState {
    /// Datasets the report had no data for, or not for the whole period (their data-quality
    /// warnings say which part).
    pub missing: Vec<String>,
    /// Datasets the report read.
    pub datasets: usize,
    /// The newest record time of any dataset, as written in the metrics.
    pub newest: Option<String>,
    /// Whether no dataset had rows of the period (reference data aside): the report was written
    /// from no data.
    pub no_data: bool,
    /// A customer's review: the accounts left out of it (it is partial when there are any).
    pub left_out: usize,
    /// The sources older than `[freshness]` allowed when the report was written.
    pub stale: Vec<opsreport_model::freshness::StaleSource>,
}

impl DataState {
    /// Why the report is held — sent only when the user confirms: a stale source, accounts left
    /// out of a customer's review. Empty when it is not held.
    pub fn held(&self) -> Vec<String> {
        opsreport_render::format::held_reasons(self.left_out, &self.stale)
    }
}

/// The data state of a report, from its `metrics.json` bytes.
pub fn data_state(metrics: &[u8]) -> DataState {
    let Ok(metrics) = serde_json::from_slice::<Value>(metrics) else { return DataState::default() };
    let datasets = metrics["data_quality"].as_array().cloned().unwrap_or_default();
    let missing = datasets
        .iter()
        .filter(|dataset| {
            dataset["missing"] == true || dataset["warnings"].as_array().is_some_and(|warnings| !warnings.is_empty())
        })
        .filter_map(|dataset| dataset["dataset"].as_str())
        .map(str::to_owned)
        .collect();
    let newest = datasets.iter().filter_map(|dataset| dataset["newest"].as_str()).max().map(str::to_owned);
    // Reference data (read whatever the period, no months) does not count as the period's data.
    let of_period = |dataset: &&Value| {
        dataset["missing"] != true
            && dataset["months_read"].as_array().is_some_and(|months| !months.is_empty())
            && dataset["rows_in_period"].as_u64().is_some_and(|rows| rows > 0)
    };
    let no_data = !datasets.is_empty() && !datasets.iter().any(|dataset| of_period(&dataset));
    let left_out = metrics["customer"]["not_included"].as_array().map_or(0, Vec::len);
    let stale = serde_json::from_value(metrics["freshness"]["stale"].clone()).unwrap_or_default();
    DataState { missing, datasets: datasets.len(), newest, no_data, left_out, stale }
}

/// The periods an account has notes for (labels, newest first), and whether it has a profile.
pub async fn notes_of(store: &Store, account: &str) -> Result<(Vec<String>, bool), StoreError> {
    let mut labels = Vec::new();
    let mut profile = false;
    for path in store.list(account).await? {
        let Some(name) = path.strip_prefix(&format!("{account}/")).and_then(|name| name.strip_suffix(".toml")) else { continue };
        if name == "profile" {
            profile = true;
        } else if name.contains('/') {
            continue;
        } else if ReportPeriod::from_label(name, chrono_tz::Tz::UTC).is_ok_and(|period| period.label() == name) {
            labels.push(name.to_owned());
        }
    }
    // Newest period first, whatever its kind.
    labels.sort_by_key(|label| {
        std::cmp::Reverse(
            ReportPeriod::from_label(label, chrono_tz::Tz::UTC).map(|period| (period.last_day(), period.kind())).ok(),
        )
    });
    Ok((labels, profile))
}

#[cfg(test)]
mod tests {
    use super::*;
    use opsreport_model::PeriodKind;

    fn account(id: &str) -> Subject {
        Subject::Account(opsreport_model::AccountId::parse(id).unwrap())
    }

    #[test]
    fn only_a_manifest_of_its_own_folder_is_a_report() {
        let manifest = br#"{"account_id":"111111111111","kind":"weekly","period":"2026-W43","month":"2026-10",
            "generated_on":"2026-10-26","generator_version":"opsreport 1","input_fingerprint":"f",
            "files":[{"path":"report.pdf","bytes":1,"sha256":"a"},{"path":"slides.pdf","bytes":1,"sha256":"b"},
            {"path":"metrics.json","bytes":1,"sha256":"c"}]}"#;
        let entry = entry_of("111111111111/weekly/2026-W43", manifest, &account("111111111111")).unwrap();
        assert_eq!(
            (entry.period.kind(), entry.period.to_string(), entry.pdfs()),
            (PeriodKind::Weekly, "2026-W43".to_owned(), vec!["report.pdf", "slides.pdf"])
        );
        assert!(entry_of("111111111111/2026-10", manifest, &account("111111111111")).is_none());
        assert!(entry_of("222222222222/weekly/2026-W43", manifest, &account("222222222222")).is_none());
        let mislabelled = std::str::from_utf8(manifest).unwrap().replace("\"kind\":\"weekly\"", "\"kind\":\"monthly\"");
        assert!(
            entry_of("111111111111/weekly/2026-W43", mislabelled.as_bytes(), &account("111111111111")).is_none(),
            "a kind its period is not"
        );
        // A customer's review is its own: an account's manifest in a customer's folder is not.
        let acme = Subject::Customer(opsreport_model::CustomerId::parse("acme").unwrap());
        assert!(entry_of("customers/acme/weekly/2026-W43", manifest, &acme).is_none());
        let review = std::str::from_utf8(manifest).unwrap().replace(r#""account_id":"111111111111""#, r#""customer_id":"acme""#);
        assert!(entry_of("customers/acme/weekly/2026-W43", review.as_bytes(), &acme).is_some());
        assert!(entry_of("111111111111/weekly/2026-W43", review.as_bytes(), &account("111111111111")).is_none());
        let state = data_state(br#"{"data_quality":[{"dataset":"alerts","missing":true},{"dataset":"incidents","missing":false,"newest":"2026-10-31T22:00:00Z"}]}"#);
        assert_eq!((state.missing, state.newest.as_deref()), (vec!["alerts".to_owned()], Some("2026-10-31T22:00:00Z")));
        assert_eq!(state.datasets, 2);
    }
}
