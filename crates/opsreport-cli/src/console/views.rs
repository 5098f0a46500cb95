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
    /// The customer's name from the profile (empty when it has none).
    pub customer: String,
    /// The account's name from the profile (empty when it has none).
    pub name: String,
    pub latest: Vec<Latest>,
    pub status: String,
    pub tone: &'static str,
    pub freshness: String,
    pub freshness_tone: &'static str,
}

/// One customer in the accounts list: its reviews over all its accounts.
pub struct CustomerRow {
    pub id: String,
    pub name: String,
    pub accounts: usize,
    pub latest: Vec<Latest>,
    pub status: String,
    pub tone: &'static str,
}

/// `/`.
#[derive(Template)]
#[template(path = "console/accounts.html")]
pub struct AccountsPage {
    pub user: String,
    pub rows: Vec<AccountRow>,
    /// The customers the user may see (all their accounts, or the customer itself, granted).
    pub customers: Vec<CustomerRow>,
}

/// `/customers/{id}`: a customer's reviews.
#[derive(Template)]
#[template(path = "console/customer.html")]
pub struct CustomerPage {
    pub user: String,
    pub id: String,
    pub name: String,
    /// Its accounts, with the link to each one the user may see.
    pub accounts: Vec<(String, Option<String>)>,
    pub reports: Vec<ReportRow>,
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
    /// The latest periods without a report.
    pub missing: Vec<String>,
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
    /// The account's or customer's id, in the crumbs.
    pub crumb: String,
    /// Its page.
    pub home: String,
    /// An account's report (regenerated and its notes edited here); else a customer's review.
    pub is_account: bool,
    pub name: String,
    pub heading: String,
    pub kind: &'static str,
    pub label: String,
    pub generated_on: String,
    pub status: String,
    pub tone: &'static str,
    pub base: String,
    pub csrf: String,
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
    /// The values a choice offers.
    pub choices: &'static [&'static str],
    /// A choice's value (read from a file) that is not among its choices.
    pub unlisted: bool,
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
    /// Its status is not one the form offers.
    pub unlisted: bool,
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
    /// The statuses a carried item may be given.
    pub statuses: &'static [&'static str],
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
    /// The account's or customer's id, in the crumbs, and its page.
    pub crumb: String,
    pub home: String,
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
    /// Where the link goes in the text.
    pub placeholder: &'static str,
    pub body: String,
    pub can_send: bool,
    /// What to know before sending: the report is sent only when the user confirms.
    pub warnings: Vec<String>,
    pub sent: Vec<SentView>,
}
