//! The send page's handlers: the message as it will be sent (its text editable), then sending it
//! (SES or the development outbox) with a time-limited link or the PDF attached, and the record
//! of it. Recipients are the period's attendees or addresses of the allowed domains; each user
//! and each account has an hourly limit; a report written from no data, or older than its notes,
//! is sent only when the user confirms.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::Response;
use opsreport_model::console::SendMode;
use opsreport_model::notes::ActionItem;
use opsreport_model::{ReportPeriod, Subject};
use serde::Deserialize;

use super::Console;
use super::allowed::AllowedReport;
use super::auth::User;
use super::notes_form;
use super::pages::{Shared, assembled_notes, home_href, link_subject, message, notes_folder, page, report_href, store_failed};
use super::reports::ReportEntry;
use super::send::{self, LINK_PLACEHOLDER, Message};
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
    message: Option<String>,
    confirm: Option<String>,
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
    /// Why the report may not be the one to send (written from no data, older than its notes).
    warnings: Vec<String>,
}

async fn outgoing(console: &Console, subject: &Subject, period: &ReportPeriod) -> Result<Option<Outgoing>, StoreError> {
    let Some(entry) = console.report_entry(subject, period).await? else { return Ok(None) };
    let Some(pdf) = entry.pdfs().first().map(|file| file.to_string()) else { return Ok(None) };
    let label = period.label();
    let notes = assembled_notes(console, notes_folder(subject), period).await.unwrap_or_default();
    let attendees = notes
        .attendees
        .iter()
        .filter_map(|attendee| attendee.email.clone())
        .filter(|email| notes_form::is_email(email))
        .map(|email| email.to_lowercase())
        .collect();
    let name = console.subject_name(subject).await;
    let kind = period.kind().title();
    let long = opsreport_render::format::period_label(period.id());
    let warnings = warnings(console, notes_folder(subject), &label, &entry).await?;
    Ok(Some(Outgoing {
        title: format!("{} material for {long} ({name})", kind.to_lowercase()),
        subject: format!("{kind} · {long} · {name}"),
        sender: notes.csdm.map(|csdm| csdm.name).unwrap_or_else(|| "Your service delivery manager".into()),
        items: notes.action_items,
        attendees,
        entry,
        pdf,
        warnings,
    }))
}

/// What the user should know before sending, each of which holds the report until they confirm:
/// a report written from no data, one whose data is not current or a customer's review that
/// leaves accounts out (`DataState::held`), and one written before the period's notes were last
/// saved (it does not show them).
async fn warnings(console: &Console, account: &str, label: &str, entry: &ReportEntry) -> Result<Vec<String>, StoreError> {
    let mut warnings = Vec::new();
    if entry.state.as_ref().is_some_and(|state| state.no_data) {
        warnings.push("This report was written from no data: no dataset had any for the period.".to_owned());
    }
    warnings.extend(entry.state.as_ref().map(super::reports::DataState::held).unwrap_or_default());
    let notes_path = format!("{account}/{label}.toml");
    let notes_saved = console.notes.listing(account).await?.into_iter().find(|listed| listed.path == notes_path);
    if let (Some(notes), Some(written)) = (notes_saved.and_then(|listed| listed.modified), entry.written_at)
        && notes > written
    {
        warnings.push("The period's notes were saved after this report was written: regenerate it to show them.".to_owned());
    }
    Ok(warnings)
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
    /// The text as the user sent it (the link stands as its placeholder: a record is no key).
    #[serde(default)]
    text: String,
    /// What held the report that the user confirmed sending anyway (stale data, a partial
    /// review, no data, notes newer than the report); empty when nothing did.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    confirmed: Vec<String>,
}

/// Where the records of a subject's messages of a period are: `<account>/sent/<period>`, or
/// `customers/<id>/sent/<period>`.
fn sent_folder(subject: &Subject, label: &str) -> String {
    format!("{}/sent/{label}", subject.key())
}

async fn sent_records(console: &Console, subject: &Subject, label: &str) -> Vec<SentView> {
    let folder = sent_folder(subject, label);
    let mut records = Vec::new();
    for path in console.reports.list(&folder).await.unwrap_or_default().into_iter().rev().filter(|path| path.ends_with(".json")) {
        if let Ok(Some(file)) = console.reports.get(&path).await
            && let Ok(record) = serde_json::from_slice::<SentRecord>(&file.bytes)
        {
            let how = if record.confirmed.is_empty() {
                record.mode
            } else {
                format!("{} · sent anyway, confirmed: {}", record.mode, record.confirmed.join(" "))
            };
            records.push(SentView { when: record.sent_at, by: record.by, to: record.to.join(", "), how });
        }
    }
    records
}

/// How long a link made now works, and what the page says of it.
struct LinkTerms {
    valid: Duration,
    until: chrono::DateTime<chrono::Utc>,
    note: String,
}

async fn link_terms(console: &Console) -> LinkTerms {
    let hours = console.settings.send.link_hours;
    let wanted = Duration::from_secs(u64::from(hours) * 3600);
    let valid = console.reports.link_validity(wanted, console.credentials.as_ref()).await;
    let until = chrono::Utc::now() + chrono::Duration::seconds(valid.as_secs() as i64);
    let until_text = until.format("%-d %b %Y %H:%M UTC");
    let mut note = if valid < wanted {
        format!(
            "The message links to the PDF. The link works until {until_text}, not {hours} hours: the credentials that sign it expire then."
        )
    } else {
        format!("The message links to the PDF; the link works for {hours} hours, until {until_text}.")
    };
    if matches!(console.reports, super::store::Store::Folder(_)) && !console.lasting_secret {
        note.push_str(" The console signs it with a key drawn at start: it stops working when the console restarts (set OPSREPORT_CONSOLE_SECRET).");
    }
    LinkTerms { valid, until, note }
}

/// `GET /accounts/{account}/reports/{kind}/{period}/send`: the message as it will be sent.
pub async fn send_form(State(console): Shared, report: AllowedReport) -> Response {
    send_page(console, report, None).await
}

/// `POST /accounts/{account}/reports/{kind}/{period}/send`.
pub async fn send(State(console): Shared, report: AllowedReport, Form(form): Form<SendForm>) -> Response {
    send_page(console, report, Some(form)).await
}

/// The message text as the page first shows it.
fn default_text(console: &Console, outgoing: &Outgoing) -> String {
    match console.settings.send.mode {
        SendMode::Link => send::body(&outgoing.title, Some(LINK_PLACEHOLDER), None, &outgoing.items, &outgoing.sender),
        SendMode::Attachment => send::body(&outgoing.title, None, Some(&outgoing.pdf), &outgoing.items, &outgoing.sender),
    }
}

async fn send_page(console: Arc<Console>, report: AllowedReport, form: Option<SendForm>) -> Response {
    let AllowedReport { user, subject, period } = report;
    let label = period.label();
    if let Some(form) = &form
        && let Err(refused) = console.check_csrf(&user, form.csrf.as_deref())
    {
        return refused;
    }
    let outgoing = match outgoing(&console, &subject, &period).await {
        Ok(Some(outgoing)) => outgoing,
        Ok(None) => {
            let text = "There is no report of this period to send.";
            return message(StatusCode::NOT_FOUND, &user.email, "No report yet", text, "warn", None);
        }
        Err(error) => return store_failed(&user, error),
    };
    let field = |pick: fn(&SendForm) -> &Option<String>| form.as_ref().and_then(|form| pick(form).clone());
    let request = Request {
        to: field(|form| &form.to).unwrap_or_else(|| outgoing.attendees.join("\n")),
        subject: field(|form| &form.subject).unwrap_or_else(|| outgoing.subject.clone()),
        text: field(|form| &form.message).unwrap_or_else(|| default_text(&console, &outgoing)),
        confirmed: field(|form| &form.confirm).is_some_and(|confirm| confirm == "yes"),
    };
    let terms = link_terms(&console).await;
    let (mut problem, mut done, mut status) = (None, None, StatusCode::OK);
    match &console.mailer {
        None => problem = Some("Sending is off: set [console.send] from to a sender verified in Amazon SES.".to_owned()),
        Some(send::Mailer::Outbox) if form.is_none() => {
            done = Some(
                "Development mode: Send writes the message beside the reports (sent/…/*.eml) instead of mailing it.".to_owned(),
            );
        }
        _ => {}
    }
    if form.is_some() && console.mailer.is_some() {
        match deliver(&console, &user, &subject, &period, &outgoing, &request, &terms).await {
            Ok(text) => done = Some(text),
            Err(text) => (problem, status) = (Some(text), StatusCode::UNPROCESSABLE_ENTITY),
        }
    }
    let mode = match console.settings.send.mode {
        SendMode::Link => terms.note.clone(),
        SendMode::Attachment => "The PDF is attached to the message.".to_owned(),
    };
    let view = SendPage {
        user: user.email.clone(),
        crumb: notes_folder(&subject).to_owned(),
        home: home_href(&subject),
        heading: outgoing.subject.clone(),
        report: report_href(&subject, period.id()),
        problem,
        done,
        csrf: console.csrf(&user),
        from: console.settings.send.from.clone().unwrap_or_else(|| user.email.clone()),
        to: request.to,
        subject: request.subject,
        mode,
        placeholder: LINK_PLACEHOLDER,
        body: request.text,
        can_send: console.mailer.is_some(),
        warnings: outgoing.warnings.clone(),
        sent: sent_records(&console, &subject, &label).await,
        label,
    };
    page(status, &view)
}

/// What the user asked to send.
struct Request {
    to: String,
    subject: String,
    text: String,
    confirmed: bool,
}

/// The recipients of a request, each an attendee of the period or of an allowed domain.
fn recipients(to_text: &str, attendees: &[String], allowed_domains: &[String]) -> Result<Vec<String>, String> {
    let to: Vec<String> =
        to_text.split(['\n', ',', ';']).map(str::trim).filter(|line| !line.is_empty()).map(str::to_lowercase).collect();
    if let Some(bad) = to.iter().find(|address| !notes_form::is_email(address)) {
        return Err(format!("{bad:?} is not an e-mail address; nothing was sent."));
    }
    if to.is_empty() || to.len() > send::MAX_RECIPIENTS {
        return Err(format!("Give 1 to {} recipients; nothing was sent.", send::MAX_RECIPIENTS));
    }
    let allowed = |address: &String| {
        let domain = address.rsplit('@').next().unwrap_or_default();
        attendees.contains(address) || allowed_domains.iter().any(|allowed| allowed.eq_ignore_ascii_case(domain))
    };
    if let Some(stranger) = to.iter().find(|address| !allowed(address)) {
        return Err(format!(
            "{stranger} is neither an attendee of the period (add them in the notes) nor of an allowed domain ([console.send] allowed_domains); nothing was sent."
        ));
    }
    let mut unique: Vec<String> = Vec::with_capacity(to.len());
    for address in to {
        if !unique.contains(&address) {
            unique.push(address);
        }
    }
    Ok(unique)
}

/// Checks the request, sends the message and records it; what to tell the user.
async fn deliver(
    console: &Console,
    user: &User,
    account: &Subject,
    period: &ReportPeriod,
    outgoing: &Outgoing,
    request: &Request,
    terms: &LinkTerms,
) -> Result<String, String> {
    let settings = &console.settings.send;
    let to = recipients(&request.to, &outgoing.attendees, &settings.allowed_domains)?;
    let subject = request.subject.trim();
    if subject.is_empty() || subject.chars().count() > 200 {
        return Err("Give a subject of at most 200 characters; nothing was sent.".into());
    }
    let text = send::clean_text(&request.text)
        .ok_or_else(|| format!("Write a message of at most {} characters; nothing was sent.", send::TEXT_MAX_CHARS))?;
    if !outgoing.warnings.is_empty() && !request.confirmed {
        return Err(format!("{} Tick \"Send anyway\" to send it as it is; nothing was sent.", outgoing.warnings.join(" ")));
    }
    console.send_limits.take(
        &user.email,
        account,
        settings.per_user_per_hour,
        settings.per_account_per_hour,
        std::time::Instant::now(),
    )?;
    let checked = Checked { to, subject: subject.to_owned(), text };
    let sent = send_and_record(console, user, account, period, outgoing, checked, terms).await;
    if sent.is_err() {
        console.send_limits.give_back(&user.email, account);
    }
    sent
}

/// A message that passed the checks: its recipients, subject and text.
struct Checked {
    to: Vec<String>,
    subject: String,
    text: String,
}

/// Sends the checked message (the link made now, or the PDF attached) and records it.
async fn send_and_record(
    console: &Console,
    user: &User,
    account: &Subject,
    period: &ReportPeriod,
    outgoing: &Outgoing,
    checked: Checked,
    terms: &LinkTerms,
) -> Result<String, String> {
    let settings = &console.settings.send;
    let Checked { to, subject, text } = checked;
    let subject = subject.as_str();
    let path = format!("{}/{}", outgoing.entry.folder, outgoing.pdf);
    let pdf = match console.reports.get(&path).await {
        Ok(Some(file)) => file.bytes,
        _ => return Err("The report's PDF could not be read; nothing was sent.".into()),
    };
    let (body, attachment, link_expires) = match settings.mode {
        SendMode::Attachment => {
            if pdf.len() > ATTACHMENT_MAX_BYTES {
                return Err("The PDF is too large to attach; send a link instead ([console.send] mode = \"link\").".into());
            }
            (text.clone(), Some((outgoing.pdf.clone(), pdf.clone())), None)
        }
        SendMode::Link => {
            let url = report_link(console, account, period, outgoing, &path, terms).await?;
            let until = terms.until.format("%-d %b %Y %H:%M UTC");
            (send::with_link(&text, &url, &until.to_string()), None, Some(terms.until))
        }
    };
    // In the development outbox the user is the sender.
    let from = settings.from.clone().unwrap_or_else(|| user.email.clone());
    let message = Message { from, to: to.clone(), subject: subject.to_owned(), text: body, attachment };
    let sent_at = chrono::Utc::now();
    let folder = sent_folder(account, &period.label());
    let (message_id, outbox) = post(console, &message, &folder, sent_at).await?;
    let record = SentRecord {
        sent_at: sent_at.format("%Y-%m-%d %H:%M:%S").to_string(),
        by: user.email.clone(),
        to: to.clone(),
        subject: subject.to_owned(),
        mode: match link_expires {
            Some(until) => format!("link until {}", until.format("%Y-%m-%d %H:%M UTC")),
            None => "attachment".into(),
        },
        file: path.clone(),
        file_sha256: opsreport_model::format::hex(&<sha2::Sha256 as sha2::Digest>::digest(&pdf)),
        link_expires: link_expires.map(|until| until.to_rfc3339()),
        message_id,
        text,
        confirmed: outgoing.warnings.clone(),
    };
    let record_path = format!("{folder}/{}.json", sent_at.format("%Y%m%dT%H%M%S%.3fZ"));
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

/// Hands the message to SES, or writes it to the development outbox: the message id, and the
/// outbox file (relative to the reports) when it was not mailed.
async fn post(
    console: &Console,
    message: &Message,
    folder: &str,
    sent_at: chrono::DateTime<chrono::Utc>,
) -> Result<(String, Option<String>), String> {
    let stamp = sent_at.format("%Y%m%dT%H%M%S%.3fZ");
    match console.mailer.as_ref().ok_or("Sending is off: set [console.send] from.")? {
        send::Mailer::Ses(client, configuration_set) => {
            let id = send::send_with_ses(client, message, configuration_set.as_deref())
                .await
                .map_err(|error| format!("Amazon SES did not take the message: {error}"))?;
            Ok((id, None))
        }
        send::Mailer::Outbox => {
            let path = format!("{folder}/{stamp}.eml");
            console.reports.put(&path, message.mime(&format!("opsreport-{stamp}")), Expect::Absent).await.map_err(|error| {
                tracing::error!("console: the message could not be written: {error}");
                "The message could not be written beside the reports.".to_owned()
            })?;
            Ok((format!("outbox:{path}"), Some(path)))
        }
    }
}

/// A link to the report that works for the terms' time without signing in: presigned for S3,
/// signed by the console for a folder (under `[console.send] public_url`).
async fn report_link(
    console: &Console,
    account: &Subject,
    period: &ReportPeriod,
    outgoing: &Outgoing,
    path: &str,
    terms: &LinkTerms,
) -> Result<String, String> {
    if terms.valid < Duration::from_secs(600) {
        return Err("The credentials that would sign the link expire within minutes; try again shortly.".into());
    }
    let presigned = console.reports.presigned(path, terms.valid).await.map_err(|error| {
        tracing::error!("console: {error}");
        "A link to the report could not be signed; nothing was sent.".to_owned()
    })?;
    if let Some(url) = presigned {
        return Ok(url);
    }
    let base = console.settings.send.public_url.as_deref().or(console.dev_url.as_deref()).ok_or(
        "Links to reports kept in a folder go through the console: set [console.send] public_url (or mode = \"attachment\").",
    )?;
    let subject = link_subject(account, period.kind().name(), &period.label(), &outgoing.pdf);
    let token = console.secret.sign("link", &subject, terms.until.timestamp());
    Ok(format!("{}/shared/{subject}?token={token}", base.trim_end_matches('/')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_are_attendees_or_of_an_allowed_domain() {
        let attendees = vec!["sam@customer.example".to_owned()];
        let domains = vec!["provider.example".to_owned()];
        assert_eq!(
            recipients("Sam@Customer.example\nlee@PROVIDER.example, sam@customer.example", &attendees, &domains).unwrap(),
            ["sam@customer.example", "lee@provider.example"]
        );
        assert!(recipients("eve@attacker.example", &attendees, &domains).unwrap_err().contains("neither an attendee"));
        assert!(recipients("eve@customer.example", &attendees, &[]).is_err(), "an attendee's domain is not allowed");
        assert!(recipients("sam@customer.example\r\nBcc: eve@attacker.example", &attendees, &domains).is_err());
        assert!(recipients("", &attendees, &domains).is_err());
    }

    #[test]
    fn a_link_lives_no_longer_than_the_credentials_that_sign_it() {
        use opsreport_extract::s3::link_validity;
        let now = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let day = Duration::from_secs(86_400);
        assert_eq!(link_validity(3 * day, now, None), 3 * day);
        assert_eq!(link_validity(3 * day, now, Some(now + 7 * day)), 3 * day);
        assert_eq!(link_validity(3 * day, now, Some(now + Duration::from_secs(3600))), Duration::from_secs(3540));
        assert_eq!(link_validity(3 * day, now, Some(now - Duration::from_secs(5))), Duration::ZERO);
    }
}
