//! Regenerating a report from the console: the request (a period inside the data's window, the
//! layouts the report already has kept), and the job page that follows it.

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use opsreport_model::{PeriodKind, ReportPeriod, Subject};
use serde::Deserialize;

use super::Console;
use super::allowed::Allowed;
use super::jobs::{JobState, Submitted};
use super::pages::{CurrentUser, Shared, message, not_found_page, page, report_href};
use super::views::JobPage;
use crate::choice::FormatFlag;

/// The regenerate form.
#[derive(Deserialize)]
pub struct RegenerateForm {
    csrf: Option<String>,
    kind: PeriodKind,
    period: String,
    formats: Option<String>,
}

/// The layouts a form asks for: `existing` (the default) asks for none beyond those the report
/// already has.
fn chosen_formats(text: &str) -> Option<Vec<FormatFlag>> {
    match text {
        "existing" => Some(Vec::new()),
        "document" => Some(vec![FormatFlag::Document]),
        "slides" => Some(vec![FormatFlag::Slides]),
        "document,slides" => Some(vec![FormatFlag::Document, FormatFlag::Slides]),
        _ => None,
    }
}

/// The layouts of a report's files.
fn formats_of(files: &[String]) -> Vec<FormatFlag> {
    let has = |name: &str| files.iter().any(|file| file == name);
    let pairs = [(has("report.pdf"), FormatFlag::Document), (has("slides.pdf"), FormatFlag::Slides)];
    pairs.into_iter().filter(|(present, _)| *present).map(|(_, format)| format).collect()
}

/// What a regeneration makes: the layouts chosen and every layout the report has already (a
/// regeneration never drops a file), the document when there are none.
pub(super) fn merged_formats(chosen: &[FormatFlag], existing: &[FormatFlag]) -> Vec<FormatFlag> {
    let mut formats: Vec<FormatFlag> = chosen.iter().chain(existing).copied().collect();
    formats.sort();
    formats.dedup();
    if formats.is_empty() {
        formats.push(FormatFlag::Document);
    }
    formats
}

impl Console {
    /// Why a period cannot be regenerated: it has not ended, or it starts before the data's
    /// window (`[console] window_months` before the current month).
    pub(super) fn outside_window(&self, period: &ReportPeriod) -> Option<String> {
        let today = self.today();
        if period.last_day() >= today {
            return Some(format!(
                "{} has not ended yet: a report is made once its period is over.",
                opsreport_render::format::period_label(period.id())
            ));
        }
        let months = self.settings.window_months;
        let current = ReportPeriod::previous_full(PeriodKind::Monthly, chrono::Utc::now(), self.zone).first_day();
        let earliest = current.checked_sub_months(chrono::Months::new(months.saturating_sub(1))).unwrap_or(current);
        (period.first_day() < earliest).then(|| {
            format!(
                "{} is older than the data the console regenerates from ({months} months, since {}).",
                opsreport_render::format::period_label(period.id()),
                earliest.format("%B %Y")
            )
        })
    }
}

fn refused(user: &str, account: &str, status: StatusCode, heading: &str, text: &str) -> Response {
    message(status, user, heading, text, "error", Some(("Back", &format!("/accounts/{account}"))))
}

/// `POST /accounts/{account}/regenerate`: queues the report (or joins the same request already
/// waiting), then shows its job.
pub async fn regenerate(
    State(console): Shared,
    Allowed { user, account }: Allowed,
    Form(form): Form<RegenerateForm>,
) -> Response {
    if let Err(refused) = console.check_csrf(&user, form.csrf.as_deref()) {
        return refused;
    }
    let label = form.period.trim();
    let unprocessable =
        |heading: &str, text: &str| refused(&user.email, account.as_str(), StatusCode::UNPROCESSABLE_ENTITY, heading, text);
    let Ok(period) = console.period(&user, form.kind, label) else {
        let text = format!(
            "{label:?} is not a {} period: write 2026-10 for a month, 2026-W43 for a week, 2026-Q3 for a quarter.",
            form.kind
        );
        return unprocessable("Not a period", &text);
    };
    if let Some(text) = console.outside_window(&period) {
        return unprocessable("Not a period to regenerate", &text);
    }
    let Some(chosen) = chosen_formats(form.formats.as_deref().unwrap_or("existing")) else {
        return unprocessable("Not a layout", "Choose the report's layouts, document, slides or both.");
    };
    let existing = match console.report_entry(&Subject::Account(account.clone()), &period).await {
        Ok(entry) => entry.map(|entry| formats_of(&entry.files)).unwrap_or_default(),
        Err(error) => return super::pages::store_failed(&user, error),
    };
    let formats = merged_formats(&chosen, &existing);
    match console.jobs.submit(account.clone(), period, formats, &user.email) {
        Submitted::Queued(job) | Submitted::Joined(job) => {
            tracing::info!("console: {} asked to regenerate {} {} (job {job})", user.email, account, period.label());
            Redirect::to(&format!("/jobs/{job}")).into_response()
        }
        Submitted::TooMany(waiting) => refused(
            &user.email,
            account.as_str(),
            StatusCode::TOO_MANY_REQUESTS,
            "Too many reports waiting",
            &format!("You have {waiting} reports waiting to be made, the most at once; try again when one is done."),
        ),
    }
}

/// `GET /jobs/{job}`: where a regeneration is; the page refreshes itself until it is done.
pub async fn job(State(console): Shared, CurrentUser(user): CurrentUser, Path(id): Path<String>) -> Response {
    let found = id.parse::<u64>().ok().and_then(|id| console.jobs.get(id));
    // A job of an account the user may not see is answered like one that does not exist.
    let Some((job, ahead)) = found.filter(|(job, _)| console.access.allows(&user, job.account.as_str())) else {
        return not_found_page(&user);
    };
    let label = job.period.label();
    let empty = match &job.state {
        JobState::Written(None) => console
            .report_entry(&Subject::Account(job.account.clone()), &job.period)
            .await
            .ok()
            .flatten()
            .is_some_and(|entry| entry.state.is_some_and(|state| state.no_data)),
        _ => false,
    };
    let (state, tone, detail) = match &job.state {
        JobState::Written(None) if empty => (
            "Written from no data".to_owned(),
            "warn",
            "Written, but no dataset had any data for the period: the report says so.".to_owned(),
        ),
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
        JobState::Written(Some(note)) => {
            ("Written from no data".to_owned(), "warn", format!("Written, but {note}: the report says so."))
        }
        JobState::Failed(reason) => ("Failed".to_owned(), "bad", reason.clone()),
    };
    let view = JobPage {
        user: user.email,
        id: job.id,
        account: job.account.to_string(),
        heading: format!("{} · {}", job.period.kind().title(), opsreport_render::format::period_label(job.period.id())),
        report: report_href(&Subject::Account(job.account.clone()), job.period.id()),
        label,
        state,
        tone,
        detail,
        pending: job.pending(),
    };
    page(StatusCode::OK, &view)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regeneration_keeps_every_layout_the_report_has() {
        use FormatFlag::{Document, Slides};
        assert_eq!(merged_formats(&[Document], &[Document, Slides]), [Document, Slides]);
        assert_eq!(merged_formats(&[], &[Slides]), [Slides]);
        assert_eq!(merged_formats(&[], &[]), [Document]);
        assert_eq!(merged_formats(&[Slides], &[]), [Slides]);
        assert_eq!(formats_of(&["report.pdf".into(), "slides.pdf".into(), "metrics.json".into()]), [Document, Slides]);
        assert_eq!(chosen_formats("existing"), Some(vec![]));
        assert_eq!(chosen_formats("pdf"), None);
    }
}
