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
    /// What the report is about, in the running footer ("Account 123456789012", "Customer
    /// review · 3 accounts").
    scope: String,
    /// The cover's label and value for it ("Account ID" and the id, or "Accounts" and which).
    scope_label: String,
    scope_value: String,
    month: String,
    month_code: String,
    timezone: String,
    generated_on: String,
    prepared_by: String,
    prepared_by_email: String,
    generator_version: String,
    input_fingerprint: String,
    /// Exports that end before the period does, in one sentence (empty when none).
    data_warning: String,
}

/// The cover's warnings: a customer's review that leaves accounts out, and exports that end
/// before the period does.
fn data_warning(m: &Metrics) -> String {
    let partial = m.customer.as_ref().filter(|rollup| !rollup.not_included.is_empty()).map(|rollup| {
        let left: Vec<String> = rollup
            .not_included
            .iter()
            .take(5)
            .map(|left| format!("{} ({})", left.account_id, cut_reason(&left.reason)))
            .collect();
        let more = rollup.not_included.len().saturating_sub(left.len());
        let count = rollup.not_included.len();
        format!(
            "Partial review: {count} of the customer's {} {} not in it: {}{}.",
            plural((count + rollup.accounts.len()) as u64, "account", "accounts"),
            if count == 1 { "is" } else { "are" },
            left.join("; "),
            if more > 0 { format!(" and {more} more") } else { String::new() }
        )
    });
    let exports = export_warning(m);
    // With no data at all, saying which sources are behind would only repeat it.
    let behind = match no_data_banner(m) {
        Some(banner) => Some(banner),
        None => stale_warning(m),
    };
    partial.into_iter().chain((!exports.is_empty()).then_some(exports)).chain(behind).collect::<Vec<_>>().join(" ")
}

/// When no dataset has a row of the period (reference data aside): what the newest data is and
/// which period to choose instead ("No data for November 2026: the newest record is of 31
/// October 2026. Choose a period the data covers, e.g. --month 2026-10.").
pub(super) fn no_data_banner(m: &Metrics) -> Option<String> {
    let has_rows = |q: &&opsreport_model::DatasetQuality| !q.missing && !q.months_read.is_empty() && q.rows_in_period > 0;
    if m.data_quality.iter().any(|q| has_rows(&q)) {
        return None;
    }
    let zone = m.timezone.0;
    let newest = m
        .data_quality
        .iter()
        .filter(|q| !q.missing && !q.months_read.is_empty())
        .filter_map(|q| opsreport_model::freshness::newest_day(q.newest.as_deref()?, zone))
        .max();
    let period = crate::format::period_label(m.period);
    Some(match newest {
        Some(day) => {
            let latest = opsreport_model::ReportPeriod::of_kind(m.kind, day, zone);
            format!(
                "No data for {period}: no source has a record in it, and the newest record is of {}. Choose a period the data covers, e.g. --{} {}.",
                date_label(&day.to_string()),
                m.kind.flag(),
                latest.label()
            )
        }
        None => format!("No data for {period}: no source delivered any record."),
    })
}

/// The cover's warning when a source is older than `[freshness]` allows.
fn stale_warning(m: &Metrics) -> Option<String> {
    let stale = &m.freshness.stale;
    if stale.is_empty() {
        return None;
    }
    let listed: Vec<String> = stale.iter().take(5).map(crate::format::stale_sentence).collect();
    let more = stale.len() - listed.len();
    Some(format!(
        "Data not current: {}{}. Send it only after checking the sources.",
        listed.join("; "),
        if more > 0 { format!(" and {more} more") } else { String::new() }
    ))
}

/// A reason shortened for the cover (the appendix and `metrics.json` keep it whole).
fn cut_reason(reason: &str) -> String {
    const MAX: usize = 90;
    if reason.chars().count() <= MAX { reason.to_owned() } else { format!("{}…", reason.chars().take(MAX).collect::<String>()) }
}

/// The cover's warning when an export ends before the period: which, on which day.
fn export_warning(m: &Metrics) -> String {
    let early: Vec<String> = m
        .data_quality
        .iter()
        .filter_map(|q| {
            q.export_ends.as_ref().map(|day| format!("{}: the export ends on {}", label(q.dataset.as_str()), date_label(day)))
        })
        .collect();
    if early.is_empty() {
        return String::new();
    }
    format!("Data ends before this period does: {}. The days after are missing; the appendix names them.", early.join("; "))
}

/// The customer's name when the notes give none: a review's configured name, or "Account <id>".
fn default_customer(m: &Metrics) -> String {
    match (&m.customer, &m.subject) {
        (Some(rollup), _) => rollup.name.clone(),
        (None, subject) => format!("Account {}", subject.key()),
    }
}

/// The line under the customer's name when the notes give none: a review's accounts.
fn default_account_name(m: &Metrics) -> String {
    m.customer.as_ref().map(|rollup| format!("Customer review of {}", accounts_in(rollup))).unwrap_or_default()
}

/// "3 accounts", or "3 of its 4 accounts" when some are not in the review.
fn accounts_in(rollup: &opsreport_model::metrics::CustomerRollup) -> String {
    let total = (rollup.accounts.len() + rollup.not_included.len()) as u64;
    if rollup.not_included.is_empty() {
        plural(total, "account", "accounts")
    } else {
        format!("{} of its {}", rollup.accounts.len(), plural(total, "account", "accounts"))
    }
}

fn scope(m: &Metrics) -> String {
    match &m.customer {
        Some(rollup) => format!("Customer review · {}", accounts_in(rollup)),
        None => format!("Account {}", m.subject.key()),
    }
}

/// The cover's value: the account id, or the review's accounts (listed when a few).
fn scope_value(m: &Metrics) -> String {
    let Some(rollup) = &m.customer else { return m.subject.key() };
    let mut ids: Vec<String> = rollup.accounts.iter().map(|figures| figures.account_id.to_string()).collect();
    ids.sort();
    if ids.len() <= 4 {
        format!("{}: {}", accounts_in(rollup), ids.join(", "))
    } else {
        format!("{}, listed in Accounts", accounts_in(rollup))
    }
}

/// The identity of a report.
pub(super) fn meta(cx: &Context, notes: &Notes) -> Meta {
    let (m, branding) = (cx.m, cx.input.branding);
    Meta {
        kind: m.kind.name().to_owned(),
        title: match m.kind {
            opsreport_model::PeriodKind::Weekly => "Weekly Status Review".to_owned(),
            opsreport_model::PeriodKind::Quarterly => "Quarterly Business Review".to_owned(),
            opsreport_model::PeriodKind::Monthly => branding.report_title.clone(),
        },
        provider: branding.provider_name.clone(),
        accent: branding.accent_color.clone(),
        logo: cx.input.logo.clone(),
        customer: notes.customer_name.clone().unwrap_or_else(|| default_customer(m)),
        account_name: notes.account_name.clone().unwrap_or_else(|| default_account_name(m)),
        scope: scope(m),
        scope_label: if m.customer.is_some() { "Accounts" } else { "Account ID" }.to_owned(),
        scope_value: scope_value(m),
        month: crate::format::period_label(m.period),
        month_code: m.period.to_string(),
        timezone: m.timezone.0.name().to_owned(),
        generated_on: crate::format::day_label(m.generated_on),
        prepared_by: notes.csdm.as_ref().map(|person| person.name.clone()).unwrap_or_default(),
        prepared_by_email: notes.csdm.as_ref().and_then(|person| person.email.clone()).unwrap_or_default(),
        generator_version: m.generator_version.clone(),
        input_fingerprint: m.input_fingerprint.clone(),
        data_warning: data_warning(m),
    }
}

/// The notes, each optional text as an empty string. Each list's `*_more` says what it leaves
/// out (empty when nothing is).
#[derive(Serialize)]
pub(super) struct NotesView {
    issues: Vec<IssueView>,
    issues_more: String,
    risks: Vec<RiskView>,
    risks_more: String,
    upcoming: Vec<UpcomingView>,
    upcoming_more: String,
    action_items: Vec<ActionView>,
    action_items_more: String,
    feature_requests: Vec<FeatureView>,
    feature_requests_more: String,
    scope_changes: String,
    contacts: Vec<ContactView>,
}

/// Characters of notes text the notes sections print at most, every list together (about six
/// pages of tables), so legal notes files cannot make a report of thousands of pages.
pub const NOTES_BUDGET_CHARS: usize = 20_000;
/// Rows of one notes list the PDF prints at most.
pub const NOTES_LIST_MAX_ROWS: usize = 40;

/// What is left of the notes' page budget, shared by the lists in the order they print.
struct NotesBudget {
    chars: usize,
}

impl NotesBudget {
    /// The rows of `items` that fit (at most [`NOTES_LIST_MAX_ROWS`], and the characters left),
    /// and the sentence for the rest (empty when all fit).
    fn take<T, V>(
        &mut self,
        items: &[T],
        what: (&str, &str),
        size: impl Fn(&T) -> usize,
        view: impl Fn(&T) -> V,
    ) -> (Vec<V>, String) {
        let mut shown = Vec::new();
        for item in items.iter().take(NOTES_LIST_MAX_ROWS) {
            let chars = size(item);
            if chars > self.chars {
                break;
            }
            self.chars -= chars;
            shown.push(view(item));
        }
        let left = items.len() - shown.len();
        let more = if left == 0 {
            String::new()
        } else {
            format!(
                "{} not shown here: the report prints at most {NOTES_LIST_MAX_ROWS} rows of a list and about six pages of notes; the notes files hold them all.",
                plural(left as u64, &format!("more {}", what.0), &format!("more {}", what.1))
            )
        };
        (shown, more)
    }
}

fn chars(texts: &[&str]) -> usize {
    texts.iter().map(|text| text.chars().count()).sum::<usize>() + 40
}

/// The line for the oldest carried action items a report does not list.
fn carried_left_out(notes: &Notes) -> Option<String> {
    let left_out = notes.carried_left_out.as_ref()?;
    let span = if left_out.oldest == left_out.newest {
        format!("in the notes of {}", crate::format::short_period(left_out.oldest))
    } else {
        format!(
            "in the notes of {} to {}",
            crate::format::short_period(left_out.oldest),
            crate::format::short_period(left_out.newest)
        )
    };
    Some(format!(
        "{} raised {span} are still open and not listed here (a report lists the newest {} carried items); close or review them in the notes.",
        plural(left_out.count as u64, "older action item", "older action items"),
        opsreport_model::memory::CARRIED_ITEMS_MAX
    ))
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
    let first_noted = item.first_noted.map(opsreport_model::PeriodId::first_day);
    let raised_on = date(&item.raised).or(first_noted);
    let raised = match (&item.raised, &item.first_noted) {
        (Some(raised), _) => raised.clone(),
        (None, Some(noted)) => crate::format::short_period(*noted),
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

/// The notes of a report, within the notes' page budget.
pub(super) fn notes(notes: &Notes, today: NaiveDate) -> NotesView {
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let optional = |value: &Option<String>| value.as_deref().unwrap_or_default().chars().count();
    let mut budget = NotesBudget { chars: NOTES_BUDGET_CHARS.saturating_sub(optional(&notes.scope_changes)) };
    // The action items first: the meeting reviews them whatever else the notes hold.
    let (action_items, mut action_items_more) = budget.take(
        &notes.action_items,
        ("action item", "action items"),
        |a| chars(&[&a.title]) + optional(&a.owner) + optional(&a.status) + optional(&a.due),
        |item| action_view(item, today),
    );
    let (issues, issues_more) = budget.take(
        &notes.issues,
        ("issue", "issues"),
        |i| chars(&[&i.title]) + optional(&i.status) + optional(&i.detail),
        |i| IssueView { title: i.title.clone(), status: text(&i.status), detail: text(&i.detail) },
    );
    let (risks, risks_more) = budget.take(
        &notes.risks,
        ("risk", "risks"),
        |r| chars(&[&r.title]) + optional(&r.mitigation),
        |r| RiskView { title: r.title.clone(), mitigation: text(&r.mitigation) },
    );
    let (upcoming, upcoming_more) = budget.take(
        &notes.upcoming,
        ("upcoming item", "upcoming items"),
        |u| chars(&[&u.title]) + optional(&u.date),
        |u| UpcomingView { title: u.title.clone(), date: text(&u.date) },
    );
    let (feature_requests, feature_requests_more) = budget.take(
        &notes.feature_requests,
        ("feature request", "feature requests"),
        |f| chars(&[&f.title]) + optional(&f.status),
        |f| FeatureView { title: f.title.clone(), status: text(&f.status) },
    );
    if let Some(line) = carried_left_out(notes) {
        action_items_more = if action_items_more.is_empty() { line } else { format!("{action_items_more} {line}") };
    }
    NotesView {
        issues,
        issues_more,
        risks,
        risks_more,
        upcoming,
        upcoming_more,
        action_items,
        action_items_more,
        feature_requests,
        feature_requests_more,
        scope_changes: text(&notes.scope_changes),
        contacts: notes
            .contacts
            .iter()
            .map(|c| ContactView { role: c.role.clone(), name: c.name.clone(), email: text(&c.email), phone: text(&c.phone) })
            .collect(),
    }
}
