//! The pages' view models: one askama template each (`templates/console/`), which escapes
//! every value it prints. Handlers fill these; nothing here reads a store.

use askama::Template;

/// A message page: an error, a refusal, a confirmation.
#[derive(Template)]
#[template(path = "console/message.html")]
pub struct MessagePage {
    pub user: String,
    pub heading: String,
    pub text: String,
    /// `ok`, `warn` or `error`.
    pub tone: &'static str,
    pub link: Option<(String, String)>,
}

/// A report link in the accounts list.
pub struct Latest {
    pub label: String,
    pub href: String,
}

/// One account in the accounts list.
pub struct AccountRow {
    pub id: String,
    pub name: String,
    pub latest: Vec<Latest>,
    pub status: String,
    pub tone: &'static str,
    pub freshness: String,
}

/// `/`.
#[derive(Template)]
#[template(path = "console/accounts.html")]
pub struct AccountsPage {
    pub user: String,
    pub rows: Vec<AccountRow>,
}

/// A report of an account.
pub struct ReportRow {
    pub kind: &'static str,
    pub period: String,
    pub href: String,
    pub generated_on: String,
    pub status: String,
    pub tone: &'static str,
    pub pdfs: Vec<(String, String)>,
}

/// `/accounts/{id}`.
#[derive(Template)]
#[template(path = "console/account.html")]
pub struct AccountPage {
    pub user: String,
    pub id: String,
    pub name: String,
    pub reports: Vec<ReportRow>,
    pub notes: Vec<String>,
    pub has_profile: bool,
    pub csrf: String,
    pub suggested: String,
}

/// `/accounts/{id}/reports/{kind}/{period}`.
#[derive(Template)]
#[template(path = "console/report.html")]
pub struct ReportPage {
    pub user: String,
    pub account: String,
    pub name: String,
    pub heading: String,
    pub kind: &'static str,
    pub label: String,
    pub generated_on: String,
    pub status: String,
    pub tone: &'static str,
    pub base: String,
    pub csrf: String,
    pub formats: String,
    pub documents: Vec<(String, String)>,
    pub tables: Vec<(String, String)>,
    pub newest: String,
    pub missing: String,
    pub pdf: Option<String>,
    pub pages: Vec<(usize, String)>,
    pub page_note: Option<String>,
}

/// `/jobs/{id}`.
#[derive(Template)]
#[template(path = "console/job.html")]
pub struct JobPage {
    pub user: String,
    pub id: u64,
    pub account: String,
    pub label: String,
    pub heading: String,
    pub state: String,
    pub tone: &'static str,
    pub detail: String,
    pub pending: bool,
    pub report: String,
}

/// A form field.
pub struct CellView {
    pub name: String,
    pub label: &'static str,
    pub value: String,
    pub kind: &'static str,
    pub error: Option<String>,
}

/// A row of fields (a list row, or a table's fields).
pub struct RowView {
    pub cells: Vec<CellView>,
    pub remove: Option<String>,
}

/// A section of the notes form.
pub struct SectionView {
    pub title: &'static str,
    pub help: &'static str,
    pub list: bool,
    pub labels: Vec<&'static str>,
    pub rows: Vec<RowView>,
}

/// An action item carried over from earlier notes.
pub struct CarriedView {
    pub key: String,
    pub title: String,
    pub owner: String,
    pub due: String,
    pub since: String,
    pub status: String,
}

/// `/accounts/{id}/notes/{label}`.
#[derive(Template)]
#[template(path = "console/notes.html")]
pub struct NotesPage {
    pub user: String,
    pub account: String,
    pub label: String,
    pub heading: String,
    pub location: String,
    pub saved: bool,
    pub problems: Vec<String>,
    pub csrf: String,
    pub version: String,
    pub carried: Vec<CarriedView>,
    pub sections: Vec<SectionView>,
}

/// A message sent earlier.
pub struct SentView {
    pub when: String,
    pub by: String,
    pub to: String,
    pub how: String,
}

/// `/accounts/{id}/reports/{kind}/{period}/send`.
#[derive(Template)]
#[template(path = "console/send.html")]
pub struct SendPage {
    pub user: String,
    pub account: String,
    pub label: String,
    pub heading: String,
    pub report: String,
    pub problem: Option<String>,
    pub done: Option<String>,
    pub csrf: String,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub mode: String,
    pub body: String,
    pub can_send: bool,
    pub sent: Vec<SentView>,
}
