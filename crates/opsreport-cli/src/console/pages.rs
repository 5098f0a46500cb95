//! The console's request handlers. Each one takes the signed-in user ([`CurrentUser`]), checks
//! the account against the user's access before reading anything of it, and answers with a page
//! from `views` or a file from the stores.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use askama::Template;
use axum::extract::{Form, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use opsreport_extract::notes::NotesFiles;
use opsreport_model::memory::{self, Noted, Profile};
use opsreport_model::notes::ActionItem;
use opsreport_model::{AccountId, Notes, PeriodKind, ReportPeriod};
use serde::Deserialize;

use super::auth::{Refusal, TOKEN_HEADER, User};
use super::jobs::JobState;
use super::notes_form::{self, FieldErrors, SectionSpec, Values};
use super::reports::{self, ReportEntry};
use super::secret::CSRF_SECONDS;
use super::send::{self, Message};
use super::store::{Expect, StoreError};
use super::views::*;
use super::{Console, Identity};
use crate::choice::FormatFlag;

type Shared = State<Arc<Console>>;

/// The largest PDF the console sends as an attachment (SES takes 40 MB in all).
const ATTACHMENT_MAX_BYTES: usize = 20 * 1024 * 1024;

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

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A rendered page.
fn page(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, format!("the page could not be rendered: {error}")).into_response(),
    }
}

/// A message page.
fn message(
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

/// A store failure as a page.
fn store_failed(user: &User, error: StoreError) -> Response {
    tracing::error!("console: {error}");
    message(StatusCode::BAD_GATEWAY, &user.email, "Storage unavailable", &error.to_string(), "error", Some(("Back", "/")))
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

impl Console {
    /// The account of a request, if the user may see it (checked before anything is read).
    fn account(&self, user: &User, id: &str) -> Result<AccountId, Response> {
        if !self.access.allows(user, id) {
            return Err(no_account(user));
        }
        AccountId::parse(id).map_err(|_| no_account(user))
    }

    fn csrf(&self, user: &User) -> String {
        self.secret.sign("csrf", &user.email, now() + CSRF_SECONDS)
    }

    fn check_csrf(&self, user: &User, token: Option<&str>) -> Result<(), Response> {
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
    fn period(&self, user: &User, kind: &str, label: &str) -> Result<ReportPeriod, Response> {
        ReportPeriod::from_label(label, self.zone)
            .ok()
            .filter(|period| period.label() == label && period.kind().name() == kind)
            .ok_or_else(|| not_found_page(user))
    }

    /// The name of an account from its profile, else its id.
    async fn account_name(&self, account: &AccountId) -> String {
        let profile = match self.notes.get(&format!("{account}/{}", memory::PROFILE_FILE)).await {
            Ok(Some(file)) => Profile::from_bytes(&file.bytes, "profile").ok(),
            _ => None,
        };
        // The account name usually names the customer too.
        profile.and_then(|profile| profile.account_name.or(profile.customer_name)).unwrap_or_else(|| account.to_string())
    }

    /// A complete report of the period, if there is one.
    async fn report_entry(&self, account: &AccountId, period: &ReportPeriod) -> Result<Option<ReportEntry>, StoreError> {
        let entries = reports::reports_of(&self.reports, account.as_str()).await?;
        Ok(entries.into_iter().find(|entry| entry.kind == period.kind() && entry.label == period.label()))
    }
}

fn not_found_page(user: &User) -> Response {
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

/// The accounts a user may see, sorted: the map's, or (with `*`) every account found in the
/// data, the reports and the notes.
async fn visible_accounts(console: &Console, user: &User) -> Result<Vec<AccountId>, StoreError> {
    let mut ids = console.access.named(user);
    if console.access.sees_all(user) {
        ids.extend(console.reports.folders().await?);
        ids.extend(console.notes.folders().await?);
        if let crate::choice::SourceChoice::Folder(root) = &console.source
            && let Ok(local) = opsreport_extract::LocalSource::new(root)
        {
            ids.extend(local.all_accounts().unwrap_or_default().into_iter().map(|id| id.to_string()));
        }
    }
    let mut accounts: Vec<AccountId> =
        ids.iter().filter(|id| console.access.allows(user, id)).filter_map(|id| AccountId::parse(id).ok()).collect();
    accounts.sort();
    accounts.dedup();
    Ok(accounts)
}

fn kind_title(kind: PeriodKind) -> &'static str {
    match kind {
        PeriodKind::Weekly => "Weekly status review",
        PeriodKind::Monthly => "Monthly business review",
        PeriodKind::Quarterly => "Quarterly business review",
    }
}

fn report_href(account: &AccountId, kind: PeriodKind, label: &str) -> String {
    format!("/accounts/{account}/reports/{}/{label}", kind.name())
}

/// A report's status line from its data and the console's latest job of its period.
fn status_of(state: Option<&reports::DataState>, job: Option<&super::jobs::Job>) -> (String, &'static str) {
    match job.map(|job| &job.state) {
        Some(JobState::Queued | JobState::Running) => return ("regenerating".into(), "run"),
        Some(JobState::Failed(reason)) => return (format!("last regeneration failed: {reason}"), "bad"),
        _ => {}
    }
    match state {
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

/// `GET /`.
pub async fn accounts(State(console): Shared, CurrentUser(user): CurrentUser) -> Response {
    let accounts = match visible_accounts(&console, &user).await {
        Ok(accounts) => accounts,
        Err(error) => return store_failed(&user, error),
    };
    let mut rows = Vec::with_capacity(accounts.len());
    for account in accounts {
        let entries = match reports::reports_of(&console.reports, account.as_str()).await {
            Ok(entries) => entries,
            Err(error) => return store_failed(&user, error),
        };
        let mut latest = Vec::new();
        for kind in [PeriodKind::Weekly, PeriodKind::Monthly, PeriodKind::Quarterly] {
            if let Some(entry) = entries.iter().find(|entry| entry.kind == kind) {
                latest.push(Latest { label: entry.label.clone(), href: report_href(&account, kind, &entry.label) });
            }
        }
        let newest = entries.iter().max_by(|left, right| left.generated_on.cmp(&right.generated_on));
        let state = match newest {
            Some(entry) => console
                .reports
                .get(&format!("{}/metrics.json", entry.folder))
                .await
                .ok()
                .flatten()
                .map(|file| reports::data_state(&file.bytes)),
            None => None,
        };
        let jobs = console.jobs.latest(&account);
        let job = newest.and_then(|entry| jobs.get(&entry.label));
        let (status, tone) = match newest {
            Some(_) => status_of(state.as_ref(), job),
            None => ("no report yet".to_owned(), "warn"),
        };
        let freshness = match state.as_ref().and_then(|state| state.newest.clone()) {
            Some(newest) => format!("newest record {newest}"),
            None => "not known until a report is written".to_owned(),
        };
        let name = console.account_name(&account).await;
        rows.push(AccountRow { id: account.to_string(), name, latest, status, tone, freshness });
    }
    page(StatusCode::OK, &AccountsPage { user: user.email, rows })
}

/// `GET /accounts/{account}`.
pub async fn account(State(console): Shared, CurrentUser(user): CurrentUser, Path(id): Path<String>) -> Response {
    let account = match console.account(&user, &id) {
        Ok(account) => account,
        Err(refused) => return refused,
    };
    let (entries, (notes, has_profile)) = match (
        reports::reports_of(&console.reports, account.as_str()).await,
        reports::notes_of(&console.notes, account.as_str()).await,
    ) {
        (Ok(entries), Ok(notes)) => (entries, notes),
        (Err(error), _) | (_, Err(error)) => return store_failed(&user, error),
    };
    let jobs = console.jobs.latest(&account);
    let mut rows = Vec::new();
    for entry in &entries {
        let state = console
            .reports
            .get(&format!("{}/metrics.json", entry.folder))
            .await
            .ok()
            .flatten()
            .map(|file| reports::data_state(&file.bytes));
        let (status, tone) = status_of(state.as_ref(), jobs.get(&entry.label));
        let base = report_href(&account, entry.kind, &entry.label);
        rows.push(ReportRow {
            kind: kind_title(entry.kind),
            period: entry.label.clone(),
            href: base.clone(),
            generated_on: entry.generated_on.clone(),
            status,
            tone,
            pdfs: entry.pdfs().into_iter().map(|file| (file.to_owned(), format!("{base}/files/{file}"))).collect(),
        });
    }
    for job in jobs.values().filter(|job| !entries.iter().any(|entry| entry.label == job.period.label())) {
        let (status, tone) = status_of(None, Some(job));
        let (status, tone) =
            if matches!(job.state, JobState::Written(_)) { ("written".to_owned(), "ok") } else { (status, tone) };
        rows.push(ReportRow {
            kind: kind_title(job.period.kind()),
            period: job.period.label(),
            href: format!("/jobs/{}", job.id),
            generated_on: String::new(),
            status,
            tone,
            pdfs: Vec::new(),
        });
    }
    let suggested = ReportPeriod::previous_full(PeriodKind::Monthly, chrono::Utc::now(), console.zone).label();
    let view = AccountPage {
        user: user.email.clone(),
        name: console.account_name(&account).await,
        id: account.to_string(),
        reports: rows,
        notes,
        has_profile,
        csrf: console.csrf(&user),
        suggested,
    };
    page(StatusCode::OK, &view)
}

/// The regenerate form.
#[derive(Deserialize)]
pub struct RegenerateForm {
    csrf: Option<String>,
    kind: String,
    period: String,
    formats: Option<String>,
}

/// `POST /accounts/{account}/regenerate`: queues the report, then shows its job.
pub async fn regenerate(
    State(console): Shared,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<RegenerateForm>,
) -> Response {
    let account = match console.account(&user, &id) {
        Ok(account) => account,
        Err(refused) => return refused,
    };
    if let Err(refused) = console.check_csrf(&user, form.csrf.as_deref()) {
        return refused;
    }
    let label = form.period.trim();
    let Ok(period) = console.period(&user, &form.kind, label) else {
        let text = format!(
            "{label:?} is not a {} period: write 2026-10 for a month, 2026-W43 for a week, 2026-Q3 for a quarter.",
            form.kind
        );
        return message(
            StatusCode::UNPROCESSABLE_ENTITY,
            &user.email,
            "Not a period",
            &text,
            "error",
            Some(("Back", &format!("/accounts/{account}"))),
        );
    };
    let formats = match form.formats.as_deref().unwrap_or("document") {
        "document" => vec![FormatFlag::Document],
        "slides" => vec![FormatFlag::Slides],
        "document,slides" => vec![FormatFlag::Document, FormatFlag::Slides],
        _ => {
            return message(
                StatusCode::UNPROCESSABLE_ENTITY,
                &user.email,
                "Not a layout",
                "Choose document, slides or both.",
                "error",
                None,
            );
        }
    };
    let job = console.jobs.submit(account.clone(), period, formats, &user.email);
    tracing::info!("console: {} asked to regenerate {} {} (job {job})", user.email, account, period.label());
    Redirect::to(&format!("/jobs/{job}")).into_response()
}

/// `GET /jobs/{job}`: where a regeneration is; the page refreshes itself until it is done.
pub async fn job(State(console): Shared, CurrentUser(user): CurrentUser, Path(id): Path<String>) -> Response {
    let found = id.parse::<u64>().ok().and_then(|id| console.jobs.get(id));
    // A job of an account the user may not see is answered like one that does not exist.
    let Some((job, ahead)) = found.filter(|(job, _)| console.access.allows(&user, job.account.as_str())) else {
        return not_found_page(&user);
    };
    let label = job.period.label();
    let (state, tone, detail) = match &job.state {
        JobState::Queued => {
            ("Queued".to_owned(), "run", format!("Asked for by {}; {ahead} report(s) ahead of it.", job.requested_by))
        }
        JobState::Running => (
            "Running".to_owned(),
            "run",
            format!(
                "Reading the data, computing, laying out: {} s so far.",
                job.started_at.map_or(0, |started| started.elapsed().as_secs())
            ),
        ),
        JobState::Written(None) => {
            ("Written".to_owned(), "ok", format!("Took {:.1} s.", job.took.unwrap_or_default().as_secs_f64()))
        }
        JobState::Written(Some(note)) => ("Written".to_owned(), "warn", format!("Written, but {note}: the report says so.")),
        JobState::Failed(reason) => ("Failed".to_owned(), "bad", reason.clone()),
    };
    let view = JobPage {
        user: user.email,
        id: job.id,
        account: job.account.to_string(),
        heading: format!("{} · {}", kind_title(job.period.kind()), opsreport_render::format::period_label(&label)),
        report: report_href(&job.account, job.period.kind(), &label),
        label,
        state,
        tone,
        detail,
        pending: job.pending(),
    };
    page(StatusCode::OK, &view)
}

/// `GET /accounts/{account}/reports/{kind}/{period}`.
pub async fn report(
    State(console): Shared,
    CurrentUser(user): CurrentUser,
    Path((id, kind, label)): Path<(String, String, String)>,
) -> Response {
    let account = match console.account(&user, &id) {
        Ok(account) => account,
        Err(refused) => return refused,
    };
    let period = match console.period(&user, &kind, &label) {
        Ok(period) => period,
        Err(refused) => return refused,
    };
    let entry = match console.report_entry(&account, &period).await {
        Ok(Some(entry)) => entry,
        Ok(None) => {
            let text = format!("There is no {} report of {label} yet: make it from the account's page.", kind);
            return message(
                StatusCode::NOT_FOUND,
                &user.email,
                "No report yet",
                &text,
                "warn",
                Some(("The account", &format!("/accounts/{account}"))),
            );
        }
        Err(error) => return store_failed(&user, error),
    };
    let base = report_href(&account, period.kind(), &label);
    let state = console
        .reports
        .get(&format!("{}/metrics.json", entry.folder))
        .await
        .ok()
        .flatten()
        .map(|file| reports::data_state(&file.bytes));
    let job = console.jobs.latest(&account).remove(&label);
    let (status, tone) = status_of(state.as_ref(), job.as_ref());
    let pdf = entry.pdfs().first().map(|file| file.to_string());
    let (pages, page_note) = match &pdf {
        Some(file) => match console.reports.get(&format!("{}/{file}", entry.folder)).await {
            Ok(Some(bytes)) => match opsreport_render::preview::page_count(&bytes.bytes) {
                Ok(count) => ((1..=count).map(|number| (number, format!("{base}/pages/{number}"))).collect(), None),
                Err(problem) => (Vec::new(), Some(format!("No page images: {problem}."))),
            },
            _ => (Vec::new(), Some("No page images: the PDF could not be read.".to_owned())),
        },
        None => (Vec::new(), None),
    };
    let formats = match (entry.files.iter().any(|file| file == "report.pdf"), entry.files.iter().any(|file| file == "slides.pdf"))
    {
        (true, true) => "document,slides",
        _ => "document",
    };
    let state = state.unwrap_or_default();
    let view = ReportPage {
        user: user.email.clone(),
        account: account.to_string(),
        name: console.account_name(&account).await,
        heading: format!("{} · {}", kind_title(period.kind()), opsreport_render::format::period_label(&label)),
        kind: period.kind().name(),
        label,
        generated_on: entry.generated_on.clone(),
        status,
        tone,
        csrf: console.csrf(&user),
        formats: formats.to_owned(),
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

/// A file of a report folder, if its manifest lists it (or it is the manifest).
async fn report_file(console: &Console, entry: &ReportEntry, file: &str) -> Result<Option<Vec<u8>>, StoreError> {
    if file != "manifest.json" && !entry.files.iter().any(|listed| listed == file) {
        return Ok(None);
    }
    Ok(console.reports.get(&format!("{}/{file}", entry.folder)).await?.map(|found| found.bytes))
}

/// A file as a download (PDFs open in the browser).
fn file_response(file: &str, bytes: Vec<u8>) -> Response {
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
    CurrentUser(user): CurrentUser,
    Path((id, kind, label, file)): Path<(String, String, String, String)>,
) -> Response {
    let account = match console.account(&user, &id) {
        Ok(account) => account,
        Err(refused) => return refused,
    };
    let period = match console.period(&user, &kind, &label) {
        Ok(period) => period,
        Err(refused) => return refused,
    };
    match console.report_entry(&account, &period).await {
        Ok(Some(entry)) => match report_file(&console, &entry, &file).await {
            Ok(Some(bytes)) => file_response(&file, bytes),
            Ok(None) => not_found_page(&user),
            Err(error) => store_failed(&user, error),
        },
        Ok(None) => not_found_page(&user),
        Err(error) => store_failed(&user, error),
    }
}

/// `GET /accounts/{account}/reports/{kind}/{period}/pages/{page}`: a page of the report as PNG.
pub async fn page_image(
    State(console): Shared,
    CurrentUser(user): CurrentUser,
    Path((id, kind, label, number)): Path<(String, String, String, String)>,
) -> Response {
    let account = match console.account(&user, &id) {
        Ok(account) => account,
        Err(refused) => return refused,
    };
    let period = match console.period(&user, &kind, &label) {
        Ok(period) => period,
        Err(refused) => return refused,
    };
    let Ok(number) = number.trim_end_matches(".png").parse::<usize>() else { return not_found_page(&user) };
    let entry = match console.report_entry(&account, &period).await {
        Ok(Some(entry)) => entry,
        Ok(None) => return not_found_page(&user),
        Err(error) => return store_failed(&user, error),
    };
    let Some(pdf) = entry.pdfs().first().map(|file| file.to_string()) else { return not_found_page(&user) };
    let bytes = match report_file(&console, &entry, &pdf).await {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return not_found_page(&user),
        Err(error) => return store_failed(&user, error),
    };
    let scale = opsreport_render::preview::PREVIEW_SCALE;
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

/// `?period=` of the notes opener.
#[derive(Deserialize)]
pub struct PeriodQuery {
    period: Option<String>,
}

/// `GET /accounts/{account}/notes?period=…`: opens the notes of a period typed in.
pub async fn notes_for(
    State(console): Shared,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    Query(query): Query<PeriodQuery>,
) -> Response {
    let account = match console.account(&user, &id) {
        Ok(account) => account,
        Err(refused) => return refused,
    };
    let label = query.period.unwrap_or_default().trim().to_owned();
    match notes_period(&console, &label) {
        Some(_) => Redirect::to(&format!("/accounts/{account}/notes/{label}")).into_response(),
        None => {
            let text =
                format!("{label:?} is not a period: write 2026-10 for a month, 2026-W43 for a week, 2026-Q3 for a quarter.");
            message(
                StatusCode::UNPROCESSABLE_ENTITY,
                &user.email,
                "Not a period",
                &text,
                "error",
                Some(("Back", &format!("/accounts/{account}"))),
            )
        }
    }
}

/// The period of a notes label (`None` for `profile` or a label that is not a period's).
fn notes_period(console: &Console, label: &str) -> Option<Option<ReportPeriod>> {
    if label == "profile" {
        return Some(None);
    }
    ReportPeriod::from_label(label, console.zone).ok().filter(|period| period.label() == label).map(Some)
}

/// The notes form as the template shows it.
fn section_views(values: &Values, errors: &FieldErrors, profile: bool) -> Vec<SectionView> {
    notes_form::sections(profile)
        .into_iter()
        .map(|section| SectionView {
            title: section.title,
            help: section.help,
            list: section.list,
            labels: section.fields.iter().map(|field| field.label).collect(),
            rows: row_views(section, values, errors),
        })
        .collect()
}

fn row_views(section: &SectionSpec, values: &Values, errors: &FieldErrors) -> Vec<RowView> {
    let cells = |row: Option<usize>| {
        section
            .fields
            .iter()
            .map(|field| {
                let name = notes_form::name(section, row, field);
                CellView {
                    value: values.get(&name).cloned().unwrap_or_default(),
                    error: errors.get(&name).cloned(),
                    label: field.label,
                    kind: field.kind.name(),
                    name,
                }
            })
            .collect()
    };
    if !section.list {
        return vec![RowView { cells: cells(None), remove: None }];
    }
    let mut rows = notes_form::rows(section, values);
    // Two empty rows to add to the list (without JavaScript).
    let next = rows.last().map_or(0, |last| last + 1);
    rows.extend([next, next + 1]);
    rows.into_iter().map(|row| RowView { cells: cells(Some(row)), remove: Some(notes_form::remove_name(section, row)) }).collect()
}

/// What the notes page shows besides the form's values.
struct NotesState {
    values: Values,
    errors: FieldErrors,
    problems: Vec<String>,
    version: String,
    saved: bool,
    /// Submitted statuses of carried items, by identity.
    carried_status: BTreeMap<String, String>,
}

async fn notes_page(
    console: &Console,
    user: &User,
    account: &AccountId,
    label: &str,
    period: Option<ReportPeriod>,
    state: NotesState,
    status: StatusCode,
) -> Response {
    let mut problems = state.problems;
    let carried = match &period {
        Some(period) => match assembled_notes(console, account, period).await {
            Ok(notes) => notes.action_items,
            Err(problem) => {
                problems.push(format!("Earlier notes could not be read for the items they carry over: {problem}"));
                Vec::new()
            }
        },
        None => Vec::new(),
    };
    let carried = carried
        .iter()
        .filter(|item| item.carried)
        .map(|item| {
            let key = memory::identity(item);
            CarriedView {
                status: state.carried_status.get(&key).cloned().unwrap_or_else(|| item.status.clone().unwrap_or_default()),
                key,
                title: item.title.clone(),
                owner: item.owner.clone().unwrap_or_default(),
                due: item.due.clone().unwrap_or_default(),
                since: item.first_noted.clone().unwrap_or_default(),
            }
        })
        .collect();
    let heading = match &period {
        Some(period) => format!("Notes · {}", opsreport_render::format::period_label(&period.label())),
        None => "Account profile".to_owned(),
    };
    let view = NotesPage {
        user: user.email.clone(),
        account: account.to_string(),
        label: label.to_owned(),
        heading,
        location: console.notes.describe(&format!("{account}/{label}.toml")),
        saved: state.saved,
        problems,
        csrf: console.csrf(user),
        version: state.version,
        carried,
        sections: section_views(&state.values, &state.errors, period.is_none()),
    };
    page(status, &view)
}

/// `?saved=1` after a save.
#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// `GET /accounts/{account}/notes/{label}`: the editor of a period's notes or of the profile.
pub async fn notes(
    State(console): Shared,
    CurrentUser(user): CurrentUser,
    Path((id, label)): Path<(String, String)>,
    Query(query): Query<SavedQuery>,
) -> Response {
    let account = match console.account(&user, &id) {
        Ok(account) => account,
        Err(refused) => return refused,
    };
    let Some(period) = notes_period(&console, &label) else { return not_found_page(&user) };
    let path = format!("{account}/{label}.toml");
    let file = match console.notes.get(&path).await {
        Ok(file) => file,
        Err(error) => return store_failed(&user, error),
    };
    let mut problems = Vec::new();
    let (values, version) = match &file {
        Some(file) => {
            if let Err(problem) = validate(&file.bytes, &console.notes.describe(&path), period.is_none()) {
                problems.push(format!("The saved file has a problem the reports refuse, fix it here: {problem}"));
            }
            let table = std::str::from_utf8(&file.bytes).ok().and_then(|text| toml::from_str::<toml::Table>(text).ok());
            (table.map(|table| notes_form::values_of(&table, period.is_none())).unwrap_or_default(), file.version.clone())
        }
        None => (Values::new(), String::new()),
    };
    let state = NotesState {
        values,
        errors: FieldErrors::new(),
        problems,
        version,
        saved: query.saved.is_some(),
        carried_status: BTreeMap::new(),
    };
    notes_page(&console, &user, &account, &label, period, state, StatusCode::OK).await
}

/// The file loader's verdict on a notes or profile file.
fn validate(bytes: &[u8], origin: &str, profile: bool) -> Result<(), String> {
    if profile {
        Profile::from_bytes(bytes, origin).map(|_| ()).map_err(|error| error.message)
    } else {
        Notes::from_bytes(bytes, origin).map(|_| ()).map_err(|error| error.message)
    }
}

/// `POST /accounts/{account}/notes/{label}`: checks the form like the file loader, then saves
/// it if nobody saved the file since it was opened.
pub async fn save_notes(
    State(console): Shared,
    CurrentUser(user): CurrentUser,
    Path((id, label)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let account = match console.account(&user, &id) {
        Ok(account) => account,
        Err(refused) => return refused,
    };
    let Some(period) = notes_period(&console, &label) else { return not_found_page(&user) };
    let field = |name: &str| pairs.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone());
    if let Err(refused) = console.check_csrf(&user, field("csrf").as_deref()) {
        return refused;
    }
    let version = field("version").unwrap_or_default();
    let values: Values = pairs.iter().filter(|(key, _)| !key.starts_with("carried[")).cloned().collect();
    let carried_status = carried_statuses(&pairs);
    let mut state = NotesState {
        values: values.clone(),
        errors: FieldErrors::new(),
        problems: Vec::new(),
        version: version.clone(),
        saved: false,
        carried_status,
    };
    let mut table = match notes_form::table_of(&values, period.is_none()) {
        Ok(table) => table,
        Err(errors) => {
            state.errors = errors;
            state.problems.push("Some fields need a change; they are marked below. Nothing was saved.".into());
            return notes_page(&console, &user, &account, &label, period, state, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    if let Some(period) = &period {
        let carried = assembled_notes(&console, &account, period).await.map(|notes| notes.action_items).unwrap_or_default();
        add_carried_updates(&mut table, &carried, &state.carried_status);
    }
    let path = format!("{account}/{label}.toml");
    let text = notes_text(&table, &account, &label, &user);
    if let Err(problem) = validate(text.as_bytes(), &console.notes.describe(&path), period.is_none()) {
        state.problems.push(format!("The notes were not saved: {problem}"));
        return notes_page(&console, &user, &account, &label, period, state, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let expect = if version.is_empty() { Expect::Absent } else { Expect::Version(version) };
    match console.notes.put(&path, text.into_bytes(), expect).await {
        Ok(_) => {
            tracing::info!("console: {} saved {}", user.email, console.notes.describe(&path));
            Redirect::to(&format!("/accounts/{account}/notes/{label}?saved=1")).into_response()
        }
        Err(StoreError::Conflict(_)) => {
            state.problems.push(
                "Someone else saved these notes since you opened them. Your changes are below and were not saved: open the notes again to see theirs, then repeat your changes.".into(),
            );
            notes_page(&console, &user, &account, &label, period, state, StatusCode::CONFLICT).await
        }
        Err(error) => store_failed(&user, error),
    }
}

/// `carried[i].key` and `carried[i].status` of a submitted form, by identity.
fn carried_statuses(pairs: &[(String, String)]) -> BTreeMap<String, String> {
    let get = |name: String| pairs.iter().find(|(key, _)| *key == name).map(|(_, value)| value.trim().to_owned());
    (0..pairs.len())
        .map_while(|row| Some((get(format!("carried[{row}].key"))?, get(format!("carried[{row}].status")).unwrap_or_default())))
        .collect()
}

/// A carried item whose status was changed goes into the period's notes with its new status
/// (unless the period's own items already name it).
fn add_carried_updates(table: &mut toml::Table, carried: &[ActionItem], statuses: &BTreeMap<String, String>) {
    let own: Vec<String> = table
        .get("action_items")
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|item| toml::Value::try_into::<ActionItem>(item.clone()).ok())
        .map(|item| memory::identity(&item))
        .collect();
    for item in carried.iter().filter(|item| item.carried) {
        let key = memory::identity(item);
        let Some(status) = statuses.get(&key).filter(|status| !status.is_empty()) else { continue };
        if Some(status.as_str()) == item.status.as_deref() || own.contains(&key) {
            continue;
        }
        let mut entry = toml::Table::new();
        if let Some(id) = &item.id {
            entry.insert("id".into(), toml::Value::String(id.clone()));
        }
        entry.insert("title".into(), toml::Value::String(item.title.clone()));
        for (key, value) in [("owner", &item.owner), ("due", &item.due)] {
            if let Some(value) = value {
                entry.insert(key.into(), toml::Value::String(value.clone()));
            }
        }
        entry.insert("status".into(), toml::Value::String(status.clone()));
        let items = table.entry("action_items").or_insert_with(|| toml::Value::Array(Vec::new()));
        if let Some(items) = items.as_array_mut() {
            items.push(toml::Value::Table(entry));
        }
    }
}

/// The saved file: a comment naming who saved it, then the TOML.
fn notes_text(table: &toml::Table, account: &AccountId, label: &str, user: &User) -> String {
    let what = if label == "profile" { "Profile".to_owned() } else { format!("Notes of {label}") };
    let body = toml::to_string(table).unwrap_or_default();
    format!(
        "# {what} for account {account}, saved in the opsreport console by {} on {}.\n{body}",
        user.email,
        chrono::Utc::now().format("%Y-%m-%d")
    )
}

/// The send page's inputs.
#[derive(Deserialize)]
pub struct SendForm {
    csrf: Option<String>,
    to: Option<String>,
    subject: Option<String>,
}

/// What a send page needs beyond the form.
struct Outgoing {
    entry: ReportEntry,
    pdf: String,
    title: String,
    subject: String,
    attendees: Vec<String>,
    items: Vec<ActionItem>,
    sender: String,
}

async fn outgoing(console: &Console, account: &AccountId, period: &ReportPeriod) -> Result<Option<Outgoing>, StoreError> {
    let Some(entry) = console.report_entry(account, period).await? else { return Ok(None) };
    let Some(pdf) = entry.pdfs().first().map(|file| file.to_string()) else { return Ok(None) };
    let label = period.label();
    let notes = assembled_notes(console, account, period).await.unwrap_or_default();
    let attendees = notes
        .attendees
        .iter()
        .filter_map(|attendee| attendee.email.clone())
        .filter(|email| notes_form::is_email(email))
        .collect();
    let name = console.account_name(account).await;
    let kind = kind_title(period.kind());
    let long = opsreport_render::format::period_label(&label);
    Ok(Some(Outgoing {
        title: format!("{} material for {long} ({name})", kind.to_lowercase()),
        subject: format!("{kind} · {long} · {name}"),
        sender: notes.csdm.map(|csdm| csdm.name).unwrap_or_else(|| "Your service delivery manager".into()),
        items: notes.action_items,
        attendees,
        entry,
        pdf,
    }))
}

/// The period's notes as a report reads them: the profile, the period's own notes, and the
/// open action items carried over from earlier notes (marked `carried`).
async fn assembled_notes(console: &Console, account: &AccountId, period: &ReportPeriod) -> Result<Notes, String> {
    let paths = console.notes.list(account.as_str()).await.map_err(|error| error.to_string())?;
    let names: Vec<String> = paths
        .iter()
        .filter_map(|path| path.strip_prefix(&format!("{account}/")))
        .filter(|name| !name.contains('/'))
        .map(str::to_owned)
        .collect();
    let noted = Noted::of_period(period);
    let origin = console.notes.describe(account.as_str());
    let files = NotesFiles::pick(&names, &noted, &origin).map_err(|error| error.to_string())?;
    let wanted: Vec<String> =
        files.profile.iter().chain(files.current.iter()).chain(files.earlier.iter().map(|(_, name)| name)).cloned().collect();
    let mut bytes = HashMap::new();
    for name in wanted {
        if let Some(file) = console.notes.get(&format!("{account}/{name}")).await.map_err(|error| error.to_string())? {
            bytes.insert(name, file.bytes);
        }
    }
    let notes =
        files.read(noted, &origin, |name| Ok(bytes.get(name).cloned().unwrap_or_default())).map_err(|error| error.to_string())?;
    Ok(notes.unwrap_or_default())
}

/// The record of one message sent.
#[derive(serde::Serialize, Deserialize)]
struct SentRecord {
    sent_at: String,
    by: String,
    to: Vec<String>,
    subject: String,
    mode: String,
    file: String,
    file_sha256: String,
    link_expires: Option<String>,
    message_id: String,
}

async fn sent_records(console: &Console, account: &AccountId, label: &str) -> Vec<SentView> {
    let folder = format!("{account}/sent/{label}");
    let mut records = Vec::new();
    for path in console.reports.list(&folder).await.unwrap_or_default().into_iter().rev().filter(|path| path.ends_with(".json")) {
        if let Ok(Some(file)) = console.reports.get(&path).await
            && let Ok(record) = serde_json::from_slice::<SentRecord>(&file.bytes)
        {
            records.push(SentView { when: record.sent_at, by: record.by, to: record.to.join(", "), how: record.mode });
        }
    }
    records
}

fn mode_text(console: &Console) -> String {
    let send = &console.settings.send;
    match send.mode {
        opsreport_model::console::SendMode::Link => {
            format!("The message links to the PDF; the link works for {} hours.", send.link_hours)
        }
        opsreport_model::console::SendMode::Attachment => "The PDF is attached to the message.".to_owned(),
    }
}

/// `GET /accounts/{account}/reports/{kind}/{period}/send`: the message as it will be sent.
pub async fn send_form(
    State(console): Shared,
    CurrentUser(user): CurrentUser,
    Path((id, kind, label)): Path<(String, String, String)>,
) -> Response {
    send_page(console, user, id, kind, label, None).await
}

/// `POST /accounts/{account}/reports/{kind}/{period}/send`.
pub async fn send(
    State(console): Shared,
    CurrentUser(user): CurrentUser,
    Path((id, kind, label)): Path<(String, String, String)>,
    Form(form): Form<SendForm>,
) -> Response {
    send_page(console, user, id, kind, label, Some(form)).await
}

async fn send_page(
    console: Arc<Console>,
    user: User,
    id: String,
    kind: String,
    label: String,
    form: Option<SendForm>,
) -> Response {
    let account = match console.account(&user, &id) {
        Ok(account) => account,
        Err(refused) => return refused,
    };
    let period = match console.period(&user, &kind, &label) {
        Ok(period) => period,
        Err(refused) => return refused,
    };
    if let Some(form) = &form
        && let Err(refused) = console.check_csrf(&user, form.csrf.as_deref())
    {
        return refused;
    }
    let outgoing = match outgoing(&console, &account, &period).await {
        Ok(Some(outgoing)) => outgoing,
        Ok(None) => {
            return message(
                StatusCode::NOT_FOUND,
                &user.email,
                "No report yet",
                "There is no report of this period to send.",
                "warn",
                None,
            );
        }
        Err(error) => return store_failed(&user, error),
    };
    let to_text = form.as_ref().and_then(|form| form.to.clone()).unwrap_or_else(|| outgoing.attendees.join("\n"));
    let subject = form.as_ref().and_then(|form| form.subject.clone()).unwrap_or_else(|| outgoing.subject.clone());
    let link_note = match console.settings.send.mode {
        opsreport_model::console::SendMode::Link => {
            let until = chrono::Utc::now() + chrono::Duration::hours(i64::from(console.settings.send.link_hours));
            Some((
                format!("[a link to {}, made when the message is sent]", outgoing.pdf),
                until.format("%-d %b %Y %H:%M UTC").to_string(),
            ))
        }
        opsreport_model::console::SendMode::Attachment => None,
    };
    let preview_body = |link: Option<(String, String)>| {
        let attached = (link.is_none()).then_some(outgoing.pdf.as_str());
        send::body(
            &outgoing.title,
            link.as_ref().map(|(url, until)| (url.as_str(), until.as_str())),
            attached,
            &outgoing.items,
            &outgoing.sender,
        )
    };
    let mut problem = None;
    let mut done = None;
    let can_send = console.mailer.is_some();
    match &console.mailer {
        None => problem = Some("Sending is off: set [console.send] from to a sender verified in Amazon SES.".to_owned()),
        Some(send::Mailer::Outbox) if done.is_none() => {
            done = Some(
                "Development mode: Send writes the message beside the reports (sent/…/*.eml) instead of mailing it.".to_owned(),
            );
        }
        _ => {}
    }
    if let (Some(_), true) = (&form, can_send) {
        done = None;
        match deliver(&console, &user, &account, &period, &outgoing, &to_text, &subject, &preview_body).await {
            Ok(text) => done = Some(text),
            Err(text) => problem = Some(text),
        }
    }
    let view = SendPage {
        user: user.email.clone(),
        account: account.to_string(),
        heading: outgoing.subject.clone(),
        report: report_href(&account, period.kind(), &label),
        problem,
        done,
        csrf: console.csrf(&user),
        from: console.settings.send.from.clone().unwrap_or_else(|| user.email.clone()),
        to: to_text,
        subject,
        mode: mode_text(&console),
        body: preview_body(link_note),
        can_send,
        sent: sent_records(&console, &account, &label).await,
        label,
    };
    page(StatusCode::OK, &view)
}

/// Sends the message and records it; what to tell the user.
#[allow(clippy::too_many_arguments)]
async fn deliver(
    console: &Console,
    user: &User,
    account: &AccountId,
    period: &ReportPeriod,
    outgoing: &Outgoing,
    to_text: &str,
    subject: &str,
    body: &(dyn Fn(Option<(String, String)>) -> String + Sync),
) -> Result<String, String> {
    let to: Vec<String> =
        to_text.split(['\n', ',', ';']).map(str::trim).filter(|line| !line.is_empty()).map(str::to_owned).collect();
    if let Some(bad) = to.iter().find(|address| !notes_form::is_email(address)) {
        return Err(format!("{bad:?} is not an e-mail address; nothing was sent."));
    }
    if to.is_empty() || to.len() > send::MAX_RECIPIENTS {
        return Err(format!("Give 1 to {} recipients; nothing was sent.", send::MAX_RECIPIENTS));
    }
    let subject = subject.trim();
    if subject.is_empty() || subject.chars().count() > 200 {
        return Err("Give a subject of at most 200 characters; nothing was sent.".into());
    }
    let path = format!("{}/{}", outgoing.entry.folder, outgoing.pdf);
    let pdf = match console.reports.get(&path).await {
        Ok(Some(file)) => file.bytes,
        _ => return Err("The report's PDF could not be read; nothing was sent.".into()),
    };
    let settings = &console.settings.send;
    let hours = i64::from(settings.link_hours);
    let expires = chrono::Utc::now() + chrono::Duration::hours(hours);
    let (text, attachment, link_expires) = match settings.mode {
        opsreport_model::console::SendMode::Attachment => {
            if pdf.len() > ATTACHMENT_MAX_BYTES {
                return Err("The PDF is too large to attach; send a link instead ([console.send] mode = \"link\").".into());
            }
            (body(None), Some((outgoing.pdf.clone(), pdf.clone())), None)
        }
        opsreport_model::console::SendMode::Link => {
            let url = report_link(console, account, period, outgoing, &path, expires).await?;
            let until = expires.format("%-d %b %Y %H:%M UTC").to_string();
            (body(Some((url, until))), None, Some(expires.to_rfc3339()))
        }
    };
    // In the development outbox the user is the sender.
    let from = settings.from.clone().unwrap_or_else(|| user.email.clone());
    let message = Message { from, to: to.clone(), subject: subject.to_owned(), text, attachment };
    let sent_at = chrono::Utc::now();
    let stamp = sent_at.format("%Y%m%dT%H%M%S%.3fZ");
    let folder = format!("{account}/sent/{}", period.label());
    let (message_id, outbox) = match console.mailer.as_ref().ok_or("Sending is off: set [console.send] from.")? {
        send::Mailer::Ses(client, configuration_set) => {
            let id = send::send_with_ses(client, &message, configuration_set.as_deref())
                .await
                .map_err(|error| format!("Amazon SES did not take the message: {error}"))?;
            (id, None)
        }
        send::Mailer::Outbox => {
            let path = format!("{folder}/{stamp}.eml");
            console
                .reports
                .put(&path, message.mime(&format!("opsreport-{stamp}")), Expect::Absent)
                .await
                .map_err(|error| format!("The message could not be written: {error}"))?;
            (format!("outbox:{path}"), Some(console.reports.describe(&path)))
        }
    };
    let record = SentRecord {
        sent_at: sent_at.format("%Y-%m-%d %H:%M:%S").to_string(),
        by: user.email.clone(),
        to: to.clone(),
        subject: subject.to_owned(),
        mode: match settings.mode {
            opsreport_model::console::SendMode::Link => format!("link until {}", expires.format("%Y-%m-%d %H:%M UTC")),
            opsreport_model::console::SendMode::Attachment => "attachment".into(),
        },
        file: path.clone(),
        file_sha256: opsreport_model::format::hex(&<sha2::Sha256 as sha2::Digest>::digest(&pdf)),
        link_expires,
        message_id,
    };
    let record_path = format!("{folder}/{stamp}.json");
    let json = serde_json::to_vec_pretty(&record).unwrap_or_default();
    if let Err(error) = console.reports.put(&record_path, json, Expect::Absent).await {
        tracing::error!("console: sent, but the record was not kept: {error}");
    }
    tracing::info!("console: {} sent {path} to {}", user.email, to.join(", "));
    if let Some(written) = outbox {
        return Ok(format!("Development mode: not mailed; the message to {} is in {written}.", to.join(", ")));
    }
    Ok(format!("Sent to {} at {} UTC.", to.join(", "), sent_at.format("%Y-%m-%d %H:%M")))
}

/// A link to the report that works until `expires` without signing in: presigned for S3, signed
/// by the console for a folder (under `[console.send] public_url`).
async fn report_link(
    console: &Console,
    account: &AccountId,
    period: &ReportPeriod,
    outgoing: &Outgoing,
    path: &str,
    expires: chrono::DateTime<chrono::Utc>,
) -> Result<String, String> {
    let valid = std::time::Duration::from_secs(u64::from(console.settings.send.link_hours) * 3600);
    if let Some(url) = console.reports.presigned(path, valid).await.map_err(|error| error.to_string())? {
        return Ok(url);
    }
    let base = console.settings.send.public_url.as_deref().or(console.dev_url.as_deref()).ok_or(
        "Links to reports kept in a folder go through the console: set [console.send] public_url (or mode = \"attachment\").",
    )?;
    let subject = format!("{account}/{}/{}/{}", period.kind().name(), period.label(), outgoing.pdf);
    let token = console.secret.sign("link", &subject, expires.timestamp());
    Ok(format!("{}/shared/{subject}?token={token}", base.trim_end_matches('/')))
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
    let subject = format!("{id}/{kind}/{label}/{file}");
    let valid = query.token.as_deref().is_some_and(|token| console.secret.check("link", &subject, token, now()));
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
    if !valid {
        return refused();
    }
    let (Ok(account), Ok(period)) = (AccountId::parse(&id), ReportPeriod::from_label(&label, console.zone)) else {
        return refused();
    };
    match console.report_entry(&account, &period).await {
        Ok(Some(entry)) => match report_file(&console, &entry, &file).await {
            Ok(Some(bytes)) => file_response(&file, bytes),
            _ => refused(),
        },
        _ => refused(),
    }
}
