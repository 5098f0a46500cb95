//! The send page's handlers: the message as it will be sent, then sending it (SES or the
//! development outbox) with a time-limited link or the PDF attached, and the record of it.

use std::sync::Arc;

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use opsreport_model::notes::ActionItem;
use opsreport_model::{AccountId, ReportPeriod};
use serde::Deserialize;

use super::Console;
use super::auth::User;
use super::notes_form;
use super::pages::{CurrentUser, Shared, assembled_notes, kind_title, message, page, report_href, store_failed};
use super::reports::ReportEntry;
use super::send::{self, Message};
use super::store::{Expect, StoreError};
use super::views::{SendPage, SentView};

/// The largest PDF the console sends as an attachment (SES takes 40 MB in all).
const ATTACHMENT_MAX_BYTES: usize = 20 * 1024 * 1024;

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
    let (account, period) = match console.report_of(&user, &id, &kind, &label) {
        Ok(found) => found,
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
