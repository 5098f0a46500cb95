//! The console's request handlers. Each one takes the signed-in user ([`CurrentUser`]), checks
//! the account against the user's access before reading anything of it, and answers with a page
//! from `views` or a file from the stores.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Form, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use opsreport_extract::notes::NotesFiles;
use opsreport_model::memory::{self, Noted, Profile};
use opsreport_model::{AccountId, Notes, PeriodKind, ReportPeriod};
use serde::Deserialize;

use super::auth::{Refusal, TOKEN_HEADER, User};
use super::jobs::JobState;
use super::reports::{self, ReportEntry};
use super::secret::CSRF_SECONDS;
use super::store::StoreError;
use super::views::*;
use super::{Console, Identity};
use crate::choice::FormatFlag;

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

/// A store failure as a page.
pub(super) fn store_failed(user: &User, error: StoreError) -> Response {
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
    pub(super) fn account(&self, user: &User, id: &str) -> Result<AccountId, Response> {
        if !self.access.allows(user, id) {
            return Err(no_account(user));
        }
        AccountId::parse(id).map_err(|_| no_account(user))
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
    pub(super) fn period(&self, user: &User, kind: &str, label: &str) -> Result<ReportPeriod, Response> {
        ReportPeriod::from_label(label, self.zone)
            .ok()
            .filter(|period| period.label() == label && period.kind().name() == kind)
            .ok_or_else(|| not_found_page(user))
    }

    /// The account and period of a report's path, if the user may see the account (checked
    /// first) and the period is one of that kind.
    pub(super) fn report_of(
        &self,
        user: &User,
        id: &str,
        kind: &str,
        label: &str,
    ) -> Result<(AccountId, ReportPeriod), Response> {
        let account = self.account(user, id)?;
        Ok((account, self.period(user, kind, label)?))
    }

    /// The name of an account from its profile, else its id.
    pub(super) async fn account_name(&self, account: &AccountId) -> String {
        let profile = match self.notes.get(&format!("{account}/{}", memory::PROFILE_FILE)).await {
            Ok(Some(file)) => Profile::from_bytes(&file.bytes, "profile").ok(),
            _ => None,
        };
        // The account name usually names the customer too.
        profile.and_then(|profile| profile.account_name.or(profile.customer_name)).unwrap_or_else(|| account.to_string())
    }

    /// A complete report of the period, if there is one.
    pub(super) async fn report_entry(
        &self,
        account: &AccountId,
        period: &ReportPeriod,
    ) -> Result<Option<ReportEntry>, StoreError> {
        let entries = reports::reports_of(&self.reports, account.as_str()).await?;
        Ok(entries.into_iter().find(|entry| entry.kind == period.kind() && entry.label == period.label()))
    }

    /// A file of the period's complete report, by name, if its manifest lists it (or it is the
    /// manifest); with no name, the report's PDF (the document, else the deck). Its name and bytes.
    pub(super) async fn report_file(
        &self,
        account: &AccountId,
        period: &ReportPeriod,
        file: Option<&str>,
    ) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        let Some(entry) = self.report_entry(account, period).await? else { return Ok(None) };
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

pub(super) fn kind_title(kind: PeriodKind) -> &'static str {
    match kind {
        PeriodKind::Weekly => "Weekly status review",
        PeriodKind::Monthly => "Monthly business review",
        PeriodKind::Quarterly => "Quarterly business review",
    }
}

pub(super) fn report_href(account: &AccountId, kind: PeriodKind, label: &str) -> String {
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
    let (account, period) = match console.report_of(&user, &id, &kind, &label) {
        Ok(found) => found,
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
    CurrentUser(user): CurrentUser,
    Path((id, kind, label, file)): Path<(String, String, String, String)>,
) -> Response {
    let (account, period) = match console.report_of(&user, &id, &kind, &label) {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    match console.report_file(&account, &period, Some(&file)).await {
        Ok(Some((name, bytes))) => file_response(&name, bytes),
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
    let (account, period) = match console.report_of(&user, &id, &kind, &label) {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    let Ok(number) = number.trim_end_matches(".png").parse::<usize>() else { return not_found_page(&user) };
    let bytes = match console.report_file(&account, &period, None).await {
        Ok(Some((_, bytes))) => bytes,
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

/// The period's notes as a report reads them: the profile, the period's own notes, and the
/// open action items carried over from earlier notes (marked `carried`).
pub(super) async fn assembled_notes(console: &Console, account: &AccountId, period: &ReportPeriod) -> Result<Notes, String> {
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
    match console.report_file(&account, &period, Some(&file)).await {
        Ok(Some((name, bytes))) => file_response(&name, bytes),
        _ => refused(),
    }
}
