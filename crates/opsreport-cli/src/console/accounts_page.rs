//! The accounts list and an account's page: each account with its customer's name, its latest
//! reports, their status and how old their newest data is; an account's reports, the periods
//! whose report is still missing, and the forms to regenerate and to open notes.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use opsreport_model::{AccountId, CustomerId, PeriodKind, ReportPeriod, Subject};

use super::Console;
use super::allowed::Allowed;
use super::auth::User;
use super::jobs::JobState;
use super::pages::{CurrentUser, Shared, page, report_href, status_of, store_failed};
use super::reports::{self, ReportEntry};
use super::store::StoreError;
use super::views::{AccountPage, AccountRow, AccountsPage, Latest, ReportRow};
use super::views::{CustomerPage, CustomerRow};

/// The accounts a user may see, sorted: the map's, or (with `*`) every account found in the
/// data, the reports and the notes.
async fn visible_accounts(console: &Console, user: &User) -> Result<Vec<AccountId>, StoreError> {
    let mut ids = console.access.named(user);
    if console.access.sees_all(user) {
        ids.extend(console.reports.folders().await?);
        ids.extend(console.notes.folders().await?);
        if let crate::choice::SourceChoice::Folder(root) = &console.source {
            let root = root.clone();
            let local = tokio::task::spawn_blocking(move || {
                opsreport_extract::LocalSource::new(&root).and_then(|local| local.all_accounts()).unwrap_or_default()
            });
            ids.extend(local.await.unwrap_or_default().into_iter().map(|id| id.to_string()));
        }
    }
    let mut accounts: Vec<AccountId> =
        ids.iter().filter(|id| console.access.allows(user, id)).filter_map(|id| AccountId::parse(id).ok()).collect();
    accounts.sort();
    accounts.dedup();
    Ok(accounts)
}

/// How old the newest data is at `today`, and whether that is later than `lag_days` allows.
pub(super) fn freshness(newest: Option<&str>, today: chrono::NaiveDate, lag_days: u32) -> (String, &'static str) {
    let Some(newest) = newest else { return ("no data in its latest report".to_owned(), "warn") };
    let day = chrono::DateTime::parse_from_rfc3339(newest)
        .map(|time| time.with_timezone(&chrono::Utc).date_naive())
        .or_else(|_| chrono::NaiveDate::parse_from_str(newest.get(..10).unwrap_or(newest), "%Y-%m-%d"));
    let Ok(day) = day else { return (format!("newest record {newest}"), "warn") };
    let days = (today - day).num_days().max(0);
    let text = match days {
        0 => "newest data from today".to_owned(),
        1 => "newest data 1 day old".to_owned(),
        days => format!("newest data {days} days old"),
    };
    (text, if days > i64::from(lag_days) { "warn" } else { "ok" })
}

/// `GET /`.
pub async fn accounts(State(console): Shared, CurrentUser(user): CurrentUser) -> Response {
    let accounts = match visible_accounts(&console, &user).await {
        Ok(accounts) => accounts,
        Err(error) => return store_failed(&user, error),
    };
    let mut rows = Vec::with_capacity(accounts.len());
    for account in accounts {
        match account_row(&console, account).await {
            Ok(row) => rows.push(row),
            Err(error) => return store_failed(&user, error),
        }
    }
    let mut customers = Vec::new();
    for (id, settings) in &console.customers {
        if console.customer(&user, id.as_str()).is_err() {
            continue;
        }
        match customer_row(&console, id, settings.name.clone(), settings.accounts.len()).await {
            Ok(row) => customers.push(row),
            Err(error) => return store_failed(&user, error),
        }
    }
    page(StatusCode::OK, &AccountsPage { user: user.email, rows, customers })
}

/// One customer of the list: its latest reviews and their status.
async fn customer_row(console: &Console, id: &CustomerId, name: String, accounts: usize) -> Result<CustomerRow, StoreError> {
    let subject = Subject::Customer(id.clone());
    let entries = reports::reports_of(&console.reports, &console.cache, &subject).await?;
    let (status, tone) = match entries.iter().max_by(|left, right| left.generated_on.cmp(&right.generated_on)) {
        Some(entry) => status_of(entry.state.as_ref(), None),
        None => ("no review yet".to_owned(), "warn"),
    };
    Ok(CustomerRow { id: id.to_string(), name, accounts, latest: latest(&subject, &entries), status, tone })
}

/// The latest report of each kind.
fn latest(subject: &Subject, entries: &[ReportEntry]) -> Vec<Latest> {
    [PeriodKind::Weekly, PeriodKind::Monthly, PeriodKind::Quarterly]
        .into_iter()
        .filter_map(|kind| entries.iter().find(|entry| entry.period.kind() == kind))
        .map(|entry| Latest { label: entry.period.to_string(), href: report_href(subject, entry.period) })
        .collect()
}

/// `GET /customers/{customer}`: a customer's reviews.
pub async fn customer(
    State(console): Shared,
    CurrentUser(user): CurrentUser,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    let customer = match console.customer(&user, &id) {
        Ok(customer) => customer,
        Err(refused) => return refused,
    };
    let subject = Subject::Customer(customer.clone());
    let entries = match reports::reports_of(&console.reports, &console.cache, &subject).await {
        Ok(entries) => entries,
        Err(error) => return store_failed(&user, error),
    };
    let settings = &console.customers[&customer];
    let accounts = settings
        .accounts
        .iter()
        .map(|account| {
            let href = console.access.allows(&user, account.as_str()).then(|| format!("/accounts/{account}"));
            (account.to_string(), href)
        })
        .collect();
    let view = CustomerPage {
        user: user.email.clone(),
        id: customer.to_string(),
        name: settings.name.clone(),
        accounts,
        reports: report_rows(&console, &subject, &entries),
    };
    page(StatusCode::OK, &view)
}

/// One account of the list.
async fn account_row(console: &Console, account: AccountId) -> Result<AccountRow, StoreError> {
    let subject = Subject::Account(account.clone());
    let entries = reports::reports_of(&console.reports, &console.cache, &subject).await?;
    let latest = latest(&subject, &entries);
    let newest = entries.iter().max_by(|left, right| left.generated_on.cmp(&right.generated_on));
    let jobs = console.jobs.latest(&account);
    let (status, tone) = match newest {
        Some(entry) => status_of(entry.state.as_ref(), jobs.get(&entry.period)),
        None => ("no report yet".to_owned(), "warn"),
    };
    let (freshness, freshness_tone) = match newest {
        Some(entry) => freshness(
            entry.state.as_ref().and_then(|state| state.newest.as_deref()),
            console.today(),
            console.settings.freshness_lag_days,
        ),
        None => ("not known until a report is written".to_owned(), "muted"),
    };
    let names = console.names(&account).await;
    Ok(AccountRow {
        id: account.to_string(),
        customer: names.customer.unwrap_or_default(),
        name: names.account.unwrap_or_default(),
        latest,
        status,
        tone,
        freshness,
        freshness_tone,
    })
}

/// The latest ended period of each kind the account has reports of (monthly always) that has
/// no report yet: the material of the last meeting is missing.
fn missing_periods(console: &Console, entries: &[ReportEntry]) -> Vec<String> {
    let now = chrono::Utc::now();
    [PeriodKind::Weekly, PeriodKind::Monthly, PeriodKind::Quarterly]
        .into_iter()
        .filter(|kind| *kind == PeriodKind::Monthly || entries.iter().any(|entry| entry.period.kind() == *kind))
        .map(|kind| ReportPeriod::previous_full(kind, now, console.zone))
        .filter(|period| !entries.iter().any(|entry| entry.period == period.id()))
        .map(|period| {
            format!("No {} of {} yet.", period.kind().title().to_lowercase(), opsreport_render::format::period_label(period.id()))
        })
        .collect()
}

/// `GET /accounts/{account}`.
pub async fn account(State(console): Shared, Allowed { user, account }: Allowed) -> Response {
    let (entries, (notes, has_profile)) = match (
        reports::reports_of(&console.reports, &console.cache, &Subject::Account(account.clone())).await,
        reports::notes_of(&console.notes, account.as_str()).await,
    ) {
        (Ok(entries), Ok(notes)) => (entries, notes),
        (Err(error), _) | (_, Err(error)) => return store_failed(&user, error),
    };
    let view = AccountPage {
        user: user.email.clone(),
        name: console.account_name(&account).await,
        id: account.to_string(),
        reports: report_rows(&console, &Subject::Account(account.clone()), &entries),
        missing: missing_periods(&console, &entries),
        notes,
        has_profile,
        csrf: console.csrf(&user),
        suggested: ReportPeriod::previous_full(PeriodKind::Monthly, chrono::Utc::now(), console.zone).label(),
    };
    page(StatusCode::OK, &view)
}

/// The reports, then (an account's) the periods the console is making that have no report yet.
fn report_rows(console: &Console, subject: &Subject, entries: &[ReportEntry]) -> Vec<ReportRow> {
    let jobs = subject.account().map(|account| console.jobs.latest(account)).unwrap_or_default();
    let mut rows: Vec<ReportRow> = entries
        .iter()
        .map(|entry| {
            let (status, tone) = status_of(entry.state.as_ref(), jobs.get(&entry.period));
            let base = report_href(subject, entry.period);
            ReportRow {
                kind: entry.period.kind().title(),
                period: entry.period.to_string(),
                href: base.clone(),
                generated_on: entry.generated_on.clone(),
                status,
                tone,
                pdfs: entry.pdfs().into_iter().map(|file| (file.to_owned(), format!("{base}/files/{file}"))).collect(),
            }
        })
        .collect();
    for job in jobs.values().filter(|job| !entries.iter().any(|entry| entry.period == job.period.id())) {
        let (status, tone) = match &job.state {
            JobState::Written(None) => ("written".to_owned(), "ok"),
            JobState::Written(Some(_)) => ("written from no data".to_owned(), "warn"),
            _ => status_of(None, Some(job)),
        };
        rows.push(ReportRow {
            kind: job.period.kind().title(),
            period: job.period.label(),
            href: format!("/jobs/{}", job.id),
            generated_on: String::new(),
            status,
            tone,
            pdfs: Vec::new(),
        });
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freshness_is_an_age_coloured_by_the_lag() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        assert_eq!(freshness(Some("2026-10-31T22:00:00Z"), today, 45), ("newest data 37 days old".to_owned(), "ok"));
        assert_eq!(freshness(Some("2026-10-31T22:00:00Z"), today, 30).1, "warn");
        assert_eq!(freshness(Some("2026-12-06"), today, 45).0, "newest data 1 day old");
        assert_eq!(freshness(None, today, 45).1, "warn");
    }
}
