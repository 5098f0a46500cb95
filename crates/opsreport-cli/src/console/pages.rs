//! The signed-in user ([`CurrentUser`]), what every page shares (messages, the account and
//! period checks the `allowed` extractors make, report statuses, names, storage failures without
//! paths), and the handlers of a report: its page, files, page images and shared links.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use opsreport_extract::notes::NotesFiles;
use opsreport_model::memory::{self, Noted, Profile};
use opsreport_model::{AccountId, CustomerId, Notes, PeriodId, PeriodKind, ReportPeriod, Subject};
use serde::Deserialize;

use super::allowed::AllowedReport;
use super::auth::{Refusal, TOKEN_HEADER, User};
use super::jobs::JobState;
use super::reports::{self, ReportEntry};
use super::secret::CSRF_SECONDS;
use super::store::StoreError;
use super::views::*;
use super::{Console, Identity};

pub(super) type Shared = State<Arc<Console>>;

/// The signed-in user of a request.
pub struct CurrentUser(pub User);

impl FromRequestParts<Arc<Console>> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, console: &Arc<Console>) -> Result<Self, Response> {
        let verifier = match &console.identity {
            Identity::Dev(user) => return Ok(CurrentUser(user.clone())),
            Identity::Alb(verifier) => verifier,
        };
        let token = parts.headers.get(TOKEN_HEADER).and_then(|value| value.to_str().ok());
        let verified = match token {
            Some(token) => verifier.verify(token, now()).await,
            None => Err(Refusal::NoToken),
        };
        verified.map(CurrentUser).map_err(|refusal| {
            let status = match refusal {
                Refusal::KeyUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::UNAUTHORIZED,
            };
            tracing::warn!("console: request refused: {refusal}");
            message(status, "", "Not signed in", &refusal.to_string(), "error", None)
        })
    }
}

pub(super) fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A rendered page.
pub(super) fn page(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, format!("the page could not be rendered: {error}")).into_response(),
    }
}

/// A message page.
pub(super) fn message(
    status: StatusCode,
    user: &str,
    heading: &str,
    text: &str,
    tone: &'static str,
    link: Option<(&str, &str)>,
) -> Response {
    let view = MessagePage {
        user: user.to_owned(),
        heading: heading.to_owned(),
        text: text.to_owned(),
        tone,
        link: link.map(|(label, href)| (label.to_owned(), href.to_owned())),
    };
    page(status, &view)
}

/// A store failure as a page: what failed goes to the log under a reference the page gives,
/// never the server's paths or the store's answer.
pub(super) fn store_failed(user: &User, error: StoreError) -> Response {
    let reference = format!("{:08x}", chrono::Utc::now().timestamp_subsec_nanos() ^ std::process::id());
    tracing::error!("console: storage failed (reference {reference}): {error}");
    let text = format!(
        "The reports or notes could not be read or written just now. Try again; if it lasts, give the console's administrator the reference {reference}."
    );
    message(StatusCode::BAD_GATEWAY, &user.email, "Storage unavailable", &text, "error", Some(("Back", "/")))
}

/// A store failure in a sentence for a page; what failed goes to the log.
pub(super) fn unavailable(error: StoreError) -> String {
    tracing::error!("console: storage failed: {error}");
    "the notes could not be read just now (the console's log says why)".to_owned()
}

/// The one answer to an account the user may not see, whether it exists or not.
fn no_account(user: &User) -> Response {
    message(
        StatusCode::FORBIDDEN,
        &user.email,
        "Not available",
        "This account is not shared with you, or does not exist.",
        "error",
        Some(("Your accounts", "/")),
    )
}

/// An account's names from its profile.
#[derive(Clone, Debug, Default)]
pub(super) struct Names {
    /// The customer's name (`customer_name`).
    pub customer: Option<String>,
    /// The account's name (`account_name`).
    pub account: Option<String>,
}

impl Console {
    /// The account of a request, if the user may see it (checked before anything is read).
    pub(super) fn account(&self, user: &User, id: &str) -> Result<AccountId, Response> {
        if !self.access.allows(user, id) {
            return Err(no_account(user));
        }
        AccountId::parse(id).map_err(|_| no_account(user))
    }

    /// The customer of a request, if it is configured and the user may see it: the map grants
    /// its id, or every one of its accounts (a review holds all their data). Checked before
    /// anything is read; a refused, unknown or malformed id gets the account's 403 page.
    pub(super) fn customer(&self, user: &User, id: &str) -> Result<CustomerId, Response> {
        let customer = CustomerId::parse(id).map_err(|_| no_account(user))?;
        let settings = self.customers.get(&customer).ok_or_else(|| no_account(user))?;
        let granted = self.access.allows(user, customer.as_str())
            || settings.accounts.iter().all(|account| self.access.allows(user, account.as_str()));
        if granted { Ok(customer) } else { Err(no_account(user)) }
    }

    /// The name a page gives a report's subject: an account's from its profile, a customer's
    /// from `[customers.<id>] name`.
    pub(super) async fn subject_name(&self, subject: &Subject) -> String {
        match subject {
            Subject::Account(account) => self.account_name(account).await,
            Subject::Customer(customer) => {
                self.customers.get(customer).map_or_else(|| customer.to_string(), |settings| settings.name.clone())
            }
        }
    }

    pub(super) fn csrf(&self, user: &User) -> String {
        self.secret.sign("csrf", &user.email, now() + CSRF_SECONDS)
    }

    pub(super) fn check_csrf(&self, user: &User, token: Option<&str>) -> Result<(), Response> {
        if token.is_some_and(|token| self.secret.check("csrf", &user.email, token, now())) {
            return Ok(());
        }
        Err(message(
            StatusCode::FORBIDDEN,
            &user.email,
            "Form expired",
            "This form has expired or did not come from the console: open the page again and repeat the change.",
            "error",
            Some(("Your accounts", "/")),
        ))
    }

    /// A period of `kind` from its label, or the 404 page.
    pub(super) fn period(&self, user: &User, kind: PeriodKind, label: &str) -> Result<ReportPeriod, Response> {
        ReportPeriod::from_label(label, self.zone)
            .ok()
            .filter(|period| period.label() == label && period.kind() == kind)
            .ok_or_else(|| not_found_page(user))
    }

    /// The customer's and the account's names from the account's profile, when it has them.
    pub(super) async fn names(&self, account: &AccountId) -> Names {
        let profile = match self.notes.get(&format!("{account}/{}", memory::PROFILE_FILE)).await {
            Ok(Some(file)) => Profile::from_bytes(&file.bytes, "profile").ok(),
            _ => None,
        };
        profile.map(|profile| Names { customer: profile.customer_name, account: profile.account_name }).unwrap_or_default()
    }

    /// The name of an account from its profile, else its id.
    pub(super) async fn account_name(&self, account: &AccountId) -> String {
        let names = self.names(account).await;
        // The account name usually names the customer too.
        names.account.or(names.customer).unwrap_or_else(|| account.to_string())
    }

    /// Today in the report time zone.
    pub(super) fn today(&self) -> chrono::NaiveDate {
        chrono::Utc::now().with_timezone(&self.zone).date_naive()
    }

    /// A complete report of the period, if there is one.
    pub(super) async fn report_entry(&self, subject: &Subject, period: &ReportPeriod) -> Result<Option<ReportEntry>, StoreError> {
        let entries = reports::reports_of(&self.reports, &self.cache, subject).await?;
        Ok(entries.into_iter().find(|entry| entry.period == period.id()))
    }

    /// A file of the period's complete report, by name, if its manifest lists it (or it is the
    /// manifest); with no name, the report's PDF (the document, else the deck). Its name and bytes.
    pub(super) async fn report_file(
        &self,
        subject: &Subject,
        period: &ReportPeriod,
        file: Option<&str>,
    ) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        let Some(entry) = self.report_entry(subject, period).await? else { return Ok(None) };
        let Some(file) = file.map(str::to_owned).or_else(|| entry.pdfs().first().map(|pdf| pdf.to_string())) else {
            return Ok(None);
        };
        if file != "manifest.json" && !entry.files.contains(&file) {
            return Ok(None);
        }
        Ok(self.reports.get(&format!("{}/{file}", entry.folder)).await?.map(|found| (file, found.bytes)))
    }
}

pub(super) fn not_found_page(user: &User) -> Response {
    message(StatusCode::NOT_FOUND, &user.email, "Not found", "There is no such page.", "error", Some(("Your accounts", "/")))
}

/// `GET /health`: for the load balancer's health check.
pub async fn health() -> &'static str {
    "ok"
}

/// `GET /static/console.css`.
pub async fn stylesheet() -> Response {
    let mut response = include_str!("../../templates/console/console.css").into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    response
}

/// Any other path.
pub async fn not_found(CurrentUser(user): CurrentUser) -> Response {
    not_found_page(&user)
}

/// The page of an account (`/accounts/<id>`) or a customer (`/customers/<id>`).
pub(super) fn home_href(subject: &Subject) -> String {
    match subject {
        Subject::Account(account) => format!("/accounts/{account}"),
        Subject::Customer(customer) => format!("/customers/{customer}"),
    }
}

pub(super) fn report_href(subject: &Subject, period: PeriodId) -> String {
    format!("{}/reports/{}/{period}", home_href(subject), period.kind().name())
}

/// The folder of a subject's notes in the notes store: the account's, or the customer's
/// (`notes/<customer id>/`, as `generate --customer` reads them).
pub(super) fn notes_folder(subject: &Subject) -> &str {
    match subject {
        Subject::Account(account) => account.as_str(),
        Subject::Customer(customer) => customer.as_str(),
    }
}

/// A report's status line from its data and the console's latest job of its period.
pub(super) fn status_of(state: Option<&reports::DataState>, job: Option<&super::jobs::Job>) -> (String, &'static str) {
    match job.map(|job| &job.state) {
        Some(JobState::Queued | JobState::Running) => return ("regenerating".into(), "run"),
        Some(JobState::Failed(reason)) => return (format!("last regeneration failed: {reason}"), "bad"),
        _ => {}
    }
    match state {
        Some(state) if state.left_out > 0 => (
            format!(
                "written; partial: {} not in the review",
                opsreport_model::format::plural(state.left_out as u64, "account", "accounts")
            ),
            "warn",
        ),
        Some(state) if state.no_data => ("written from no data: no dataset has any for the period".into(), "warn"),
        Some(state) if !state.stale.is_empty() => (
            format!(
                "written; held, data not current: {}",
                state.stale.iter().map(|source| source.dataset.as_str()).collect::<Vec<_>>().join(", ")
            ),
            "warn",
        ),
        Some(state) if !state.missing.is_empty() && state.missing.len() == state.datasets => {
            ("written; no data for the period".into(), "warn")
        }
        Some(state) if state.missing.len() > 3 => {
            (format!("written; data missing for {} of {} datasets", state.missing.len(), state.datasets), "warn")
        }
        Some(state) if !state.missing.is_empty() => (format!("written; data missing: {}", state.missing.join(", ")), "warn"),
        _ => ("written".into(), "ok"),
    }
}

/// `GET /accounts/{account}/reports/{kind}/{period}`.
pub async fn report(State(console): Shared, AllowedReport { user, subject, period }: AllowedReport) -> Response {
    let (kind, label) = (period.kind().name(), period.label());
    let home = home_href(&subject);
    let entry = match console.report_entry(&subject, &period).await {
        Ok(Some(entry)) => entry,
        Ok(None) => {
            let text = format!("There is no {} report of {label} yet: make it from the account's page.", kind);
            return message(StatusCode::NOT_FOUND, &user.email, "No report yet", &text, "warn", Some(("Back", &home)));
        }
        Err(error) => return store_failed(&user, error),
    };
    let base = report_href(&subject, period.id());
    let state = entry.state.clone();
    let job = subject.account().and_then(|account| console.jobs.latest(account).remove(&period.id()));
    let (status, tone) = status_of(state.as_ref(), job.as_ref());
    let pdf = entry.pdfs().first().map(|file| file.to_string());
    let (pages, page_note) = match &pdf {
        Some(file) => match console.reports.get(&format!("{}/{file}", entry.folder)).await {
            Ok(Some(file)) => match tokio::task::spawn_blocking(move || opsreport_render::preview::page_count(&file.bytes))
                .await
                .unwrap_or_else(|_| Err("the PDF could not be read".into()))
            {
                Ok(count) => ((1..=count).map(|number| (number, format!("{base}/pages/{number}"))).collect(), None),
                Err(problem) => (Vec::new(), Some(format!("No page images: {problem}."))),
            },
            _ => (Vec::new(), Some("No page images: the PDF could not be read.".to_owned())),
        },
        None => (Vec::new(), None),
    };
    let state = state.unwrap_or_default();
    let view = ReportPage {
        user: user.email.clone(),
        crumb: notes_folder(&subject).to_owned(),
        is_account: subject.account().is_some(),
        home,
        name: console.subject_name(&subject).await,
        heading: format!("{} · {}", period.kind().title(), opsreport_render::format::period_label(period.id())),
        kind: period.kind().name(),
        label,
        generated_on: entry.generated_on.clone(),
        status,
        tone,
        csrf: console.csrf(&user),
        documents: entry
            .files
            .iter()
            .filter(|file| !file.starts_with("tables/"))
            .chain(std::iter::once(&"manifest.json".to_owned()))
            .map(|file| (file.clone(), format!("{base}/files/{file}")))
            .collect(),
        tables: entry
            .files
            .iter()
            .filter(|file| file.starts_with("tables/"))
            .map(|file| (file.trim_start_matches("tables/").to_owned(), format!("{base}/files/{file}")))
            .collect(),
        newest: state.newest.clone().unwrap_or_else(|| "none".into()),
        missing: state.missing.join(", "),
        pdf: pdf.map(|file| format!("{base}/files/{file}")),
        pages,
        page_note,
        base,
    };
    page(StatusCode::OK, &view)
}

/// A file as a download (PDFs open in the browser).
pub(super) fn file_response(file: &str, bytes: Vec<u8>) -> Response {
    let content_type = match file.rsplit('.').next() {
        Some("pdf") => "application/pdf",
        Some("json") => "application/json",
        Some("csv") => "text/csv; charset=utf-8",
        _ => "application/octet-stream",
    };
    let name = file.rsplit('/').next().unwrap_or(file);
    let disposition = if content_type == "application/pdf" { "inline" } else { "attachment" };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("{disposition}; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    if content_type == "application/pdf" {
        // The browser's PDF viewer needs more than the pages' policy; the file stays framable
        // by the console only.
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("frame-ancestors 'self'"));
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    response
}

/// `GET /accounts/{account}/reports/{kind}/{period}/files/{file}`.
pub async fn file(
    State(console): Shared,
    AllowedReport { user, subject, period }: AllowedReport,
    Path(path): Path<Vec<(String, String)>>,
) -> Response {
    let file = path.into_iter().find(|(key, _)| key == "file").map(|(_, value)| value).unwrap_or_default();
    match console.report_file(&subject, &period, Some(&file)).await {
        Ok(Some((name, bytes))) => file_response(&name, bytes),
        Ok(None) => not_found_page(&user),
        Err(error) => store_failed(&user, error),
    }
}

/// `GET /accounts/{account}/reports/{kind}/{period}/pages/{page}`: a page of the report as PNG.
pub async fn page_image(
    State(console): Shared,
    AllowedReport { user, subject, period }: AllowedReport,
    Path(path): Path<Vec<(String, String)>>,
) -> Response {
    let number = path.into_iter().find(|(key, _)| key == "page").map(|(_, value)| value).unwrap_or_default();
    let Ok(number) = number.trim_end_matches(".png").parse::<usize>() else { return not_found_page(&user) };
    let bytes = match console.report_file(&subject, &period, None).await {
        Ok(Some((_, bytes))) => bytes,
        Ok(None) => return not_found_page(&user),
        Err(error) => return store_failed(&user, error),
    };
    let scale = opsreport_render::preview::PREVIEW_SCALE;
    let Ok(_turn) = console.previews.acquire().await else { return not_found_page(&user) };
    match tokio::task::spawn_blocking(move || opsreport_render::preview::page_png(&bytes, number, scale)).await {
        Ok(Ok(png)) => {
            let mut response = png.into_response();
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=60"));
            response
        }
        _ => not_found_page(&user),
    }
}

/// The period's notes as a report reads them: the profile, the period's own notes, and the
/// open action items carried over from earlier notes (marked `carried`).
pub(super) async fn assembled_notes(console: &Console, account: &str, period: &ReportPeriod) -> Result<Notes, String> {
    let paths = console.notes.list(account).await.map_err(unavailable)?;
    let names: Vec<String> = paths
        .iter()
        .filter_map(|path| path.strip_prefix(&format!("{account}/")))
        .filter(|name| !name.contains('/'))
        .map(str::to_owned)
        .collect();
    let noted = Noted::of_period(period);
    // Named as the user knows the folder, not by its place on the server.
    let origin = format!("notes/{account}");
    let files = NotesFiles::pick(&names, &noted, &origin).map_err(|error| error.to_string())?;
    let wanted: Vec<String> =
        files.profile.iter().chain(files.current.iter()).chain(files.earlier.iter().map(|(_, name)| name)).cloned().collect();
    let mut bytes = HashMap::new();
    for name in wanted {
        if let Some(file) = console.notes.get(&format!("{account}/{name}")).await.map_err(unavailable)? {
            bytes.insert(name, file.bytes);
        }
    }
    let read = move || files.read(noted, &origin, |name| Ok(bytes.get(name).cloned().unwrap_or_default()));
    let notes = tokio::task::spawn_blocking(read).await.map_err(|error| error.to_string())?.map_err(|error| error.to_string())?;
    Ok(notes.unwrap_or_default())
}

/// `?token=` of a shared link.
#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

/// `GET /shared/{account}/{kind}/{period}/{file}?token=…`: a report file by a link the console
/// sent, until the link expires; no sign-in.
pub async fn shared(
    State(console): Shared,
    Path((id, kind, label, file)): Path<(String, String, String, String)>,
    Query(query): Query<TokenQuery>,
) -> Response {
    let subject = AccountId::parse(&id).ok().map(Subject::Account);
    shared_file(&console, subject, &kind, &label, &file, query.token.as_deref()).await
}

/// `GET /shared/customers/{customer}/{kind}/{period}/{file}?token=…`: a customer review's file
/// by a link the console sent.
pub async fn shared_customer(
    State(console): Shared,
    Path((id, kind, label, file)): Path<(String, String, String, String)>,
    Query(query): Query<TokenQuery>,
) -> Response {
    let subject = CustomerId::parse(&id).ok().map(Subject::Customer);
    shared_file(&console, subject, &kind, &label, &file, query.token.as_deref()).await
}

/// The name a link signs: `<subject folder>/<kind>/<period>/<file>`.
pub(super) fn link_subject(subject: &Subject, kind: &str, label: &str, file: &str) -> String {
    format!("{}/{kind}/{label}/{file}", subject.key())
}

/// A file by a signed link, when the token signs exactly this subject, period and file.
async fn shared_file(
    console: &Console,
    subject: Option<Subject>,
    kind: &str,
    label: &str,
    file: &str,
    token: Option<&str>,
) -> Response {
    let valid = subject.as_ref().is_some_and(|subject| {
        let signed = link_subject(subject, kind, label, file);
        token.is_some_and(|token| console.secret.check("link", &signed, token, now()))
    });
    let refused = || {
        message(
            StatusCode::FORBIDDEN,
            "",
            "Link not valid",
            "This link has expired or is not valid: ask for the report again.",
            "error",
            None,
        )
    };
    let (true, Some(subject), Ok(period)) = (valid, subject, ReportPeriod::from_label(label, console.zone)) else {
        return refused();
    };
    match console.report_file(&subject, &period, Some(file)).await {
        Ok(Some((name, bytes))) => file_response(&name, bytes),
        _ => refused(),
    }
}
