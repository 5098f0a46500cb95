//! The view of what frames the numbers: the cover's identity (`meta`) and the service delivery
//! manager's notes, as plain text.

use chrono::NaiveDate;
use opsreport_model::notes::ActionItem;
use serde::Serialize;

use super::prelude::*;

/// The report's identity: title, customer, account, month, who prepared it, its provenance.
#[derive(Serialize)]
pub(super) struct Meta {
    kind: String,
    title: String,
    provider: String,
    accent: String,
    logo: Option<String>,
    customer: String,
    account_name: String,
    account_id: String,
    month: String,
    month_code: String,
    timezone: String,
    generated_on: String,
    prepared_by: String,
    prepared_by_email: String,
    generator_version: String,
    input_fingerprint: String,
}

/// The identity of a report.
pub(super) fn meta(cx: &Context, notes: &Notes) -> Meta {
    let (m, branding) = (cx.m, cx.input.branding);
    Meta {
        kind: m.kind.clone(),
        title: match m.kind.as_str() {
            "weekly" => "Weekly Status Review".to_owned(),
            "quarterly" => "Quarterly Business Review".to_owned(),
            _ => branding.report_title.clone(),
        },
        provider: branding.provider_name.clone(),
        accent: branding.accent_color.clone(),
        logo: cx.input.logo.clone(),
        customer: notes.customer_name.clone().unwrap_or_else(|| format!("Account {}", m.account_id)),
        account_name: notes.account_name.clone().unwrap_or_default(),
        account_id: m.account_id.clone(),
        month: crate::format::period_label(&m.period),
        month_code: m.period.clone(),
        timezone: m.timezone.clone(),
        generated_on: date_label(&m.generated_on),
        prepared_by: notes.csdm.as_ref().map(|person| person.name.clone()).unwrap_or_default(),
        prepared_by_email: notes.csdm.as_ref().and_then(|person| person.email.clone()).unwrap_or_default(),
        generator_version: m.generator_version.clone(),
        input_fingerprint: m.input_fingerprint.clone(),
    }
}

/// The notes, each optional text as an empty string.
#[derive(Serialize)]
pub(super) struct NotesView {
    issues: Vec<IssueView>,
    risks: Vec<RiskView>,
    upcoming: Vec<UpcomingView>,
    action_items: Vec<ActionView>,
    feature_requests: Vec<FeatureView>,
    scope_changes: String,
    contacts: Vec<ContactView>,
}

#[derive(Serialize)]
struct IssueView {
    title: String,
    status: String,
    detail: String,
}

#[derive(Serialize)]
struct RiskView {
    title: String,
    mitigation: String,
}

#[derive(Serialize)]
struct UpcomingView {
    title: String,
    date: String,
}

#[derive(Serialize)]
struct ActionView {
    title: String,
    owner: String,
    due: String,
    status: String,
    /// When it was raised: a date, or the month whose notes first hold it.
    raised: String,
    /// Days open on the report date.
    age: String,
    /// Open and past its due date on the report date.
    overdue: bool,
}

/// An action item as the meeting reviews it on the report date `today`: since when it is open,
/// how long, and whether it is overdue (due before `today` and not closed).
fn action_view(item: &ActionItem, today: NaiveDate) -> ActionView {
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let date = |value: &Option<String>| value.as_deref().and_then(|text| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok());
    // The first day of the period whose notes first hold the item (a month, a week, a quarter).
    let first_noted = item
        .first_noted
        .as_deref()
        .and_then(|label| opsreport_model::period::parse_label(label).ok())
        .map(|(_, first_day)| first_day);
    let raised_on = date(&item.raised).or(first_noted);
    let raised = match (&item.raised, &item.first_noted) {
        (Some(raised), _) => raised.clone(),
        (None, Some(label)) => crate::format::short_period(label),
        (None, None) => String::new(),
    };
    let closed = opsreport_model::memory::is_closed(item);
    let age = match raised_on {
        Some(raised_on) if !closed && raised_on <= today => {
            let days = (today - raised_on).num_days();
            if days == 1 { "1 day".to_owned() } else { format!("{days} days") }
        }
        _ => String::new(),
    };
    let overdue = !closed && date(&item.due).is_some_and(|due| due < today);
    let mut status = text(&item.status);
    if overdue {
        status = if status.is_empty() { "Overdue".to_owned() } else { format!("{status} · overdue") };
    }
    ActionView { title: item.title.clone(), owner: text(&item.owner), due: text(&item.due), status, raised, age, overdue }
}

#[derive(Serialize)]
struct FeatureView {
    title: String,
    status: String,
}

#[derive(Serialize)]
struct ContactView {
    role: String,
    name: String,
    email: String,
    phone: String,
}

/// The notes of a report.
pub(super) fn notes(notes: &Notes, today: NaiveDate) -> NotesView {
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    NotesView {
        issues: notes
            .issues
            .iter()
            .map(|i| IssueView { title: i.title.clone(), status: text(&i.status), detail: text(&i.detail) })
            .collect(),
        risks: notes.risks.iter().map(|r| RiskView { title: r.title.clone(), mitigation: text(&r.mitigation) }).collect(),
        upcoming: notes.upcoming.iter().map(|u| UpcomingView { title: u.title.clone(), date: text(&u.date) }).collect(),
        action_items: notes.action_items.iter().map(|item| action_view(item, today)).collect(),
        feature_requests: notes
            .feature_requests
            .iter()
            .map(|f| FeatureView { title: f.title.clone(), status: text(&f.status) })
            .collect(),
        scope_changes: text(&notes.scope_changes),
        contacts: notes
            .contacts
            .iter()
            .map(|c| ContactView { role: c.role.clone(), name: c.name.clone(), email: text(&c.email), phone: text(&c.phone) })
            .collect(),
    }
}
