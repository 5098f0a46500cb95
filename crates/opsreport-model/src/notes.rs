//! The notes a service delivery manager writes for one account and month
//! (`notes/<aws_account_id>/<YYYY-MM>.toml`): plain text shown in the report, never markup.
//!
//! Unknown keys and wrong types are errors naming the key, so a typo does not silently drop a
//! risk from the customer's report. Dates may be written as TOML dates or as text.

use serde::{Deserialize, Deserializer, Serialize};

/// Why a notes file could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("notes file {origin}: {message}")]
pub struct NotesError {
    /// The file.
    pub origin: String,
    /// What the TOML reader said (key and line).
    pub message: String,
}

/// Text that may be written as a TOML string or a TOML date (`due = 2026-11-30`).
fn text_or_date<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum TextOrDate {
        Text(String),
        Date(toml::value::Datetime),
    }
    match TextOrDate::deserialize(deserializer) {
        Ok(TextOrDate::Text(text)) => Ok(text),
        Ok(TextOrDate::Date(date)) => Ok(date.to_string()),
        Err(_) => Err(serde::de::Error::custom("expected text or a date (2026-11-30)")),
    }
}

fn optional_text_or_date<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    text_or_date(deserializer).map(Some)
}

/// Everything a notes file may hold; every field is optional.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Notes {
    /// Customer (company) name for the cover.
    pub customer_name: Option<String>,
    /// Account name for the cover.
    pub account_name: Option<String>,
    /// Onboarding status; the call-out is shown only when present.
    pub onboarding_status: Option<String>,
    /// The cloud service delivery manager who prepared the report.
    pub csdm: Option<Person>,
    /// Contact information.
    pub contacts: Vec<Contact>,
    /// Customer-specific issues, challenges and concerns.
    pub issues: Vec<NoteIssue>,
    /// Risks and their mitigation.
    pub risks: Vec<Risk>,
    /// Upcoming items.
    pub upcoming: Vec<Upcoming>,
    /// Feature requests and their status.
    pub feature_requests: Vec<FeatureRequest>,
    /// Action items with owner and due date.
    pub action_items: Vec<ActionItem>,
    /// Material changes in scope or terms, including subcontractors.
    pub scope_changes: Option<String>,
    /// The meeting's agenda, in order; without one the material proposes its kind's.
    pub agenda: Vec<AgendaItem>,
    /// Who was invited to the meeting, and whether they attended.
    pub attendees: Vec<Attendee>,
    /// When the next meeting is (a date, or text such as "first Tuesday of December").
    #[serde(deserialize_with = "optional_text_or_date")]
    pub next_meeting: Option<String>,
    /// Improvement initiatives: what each would cost or save, its target quarter, owner and
    /// status. Carried from report to report until done or declined.
    pub initiatives: Vec<Initiative>,
    /// Plans and migrations ahead, by horizon (the quarterly review's 3/6/9/12-month plans).
    pub plans: Vec<Plan>,
    /// The weekend's schedule: changes, patching, on-call (the weekly review).
    pub weekend_schedule: Vec<ScheduleItem>,
    /// The oldest open action items of earlier notes that one report does not list, beyond
    /// [`crate::memory::CARRIED_ITEMS_MAX`] (set when the notes are assembled, never read
    /// from a file).
    #[serde(skip)]
    pub carried_left_out: Option<LeftOut>,
}

/// Open action items a report summarises in one line instead of listing them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeftOut {
    /// How many.
    pub count: usize,
    /// The period of the notes that first hold the oldest of them.
    pub oldest: crate::PeriodId,
    /// … and of the newest of them.
    pub newest: crate::PeriodId,
}

/// An agenda item and who leads it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AgendaItem {
    /// What is discussed.
    pub item: String,
    /// Who leads it.
    pub owner: Option<String>,
}

/// A person invited to the meeting.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Attendee {
    /// Name.
    pub name: String,
    /// Organisation or role (customer, provider, partner).
    pub organisation: Option<String>,
    /// Whether they attended (unset: not recorded yet).
    pub attended: Option<bool>,
    /// E-mail address: the console sends the period's material to the attendees that have one.
    pub email: Option<String>,
}

/// An improvement initiative: a recommendation (one of the report's rules', or the CSDM's own)
/// put to the customer, with what it would cost or save, by when, who drives it and where it
/// stands. It carries over to later reports until it is done or declined
/// ([`crate::memory`]), like an action item.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Initiative {
    /// A stable identifier, when the title may change between periods (else the title is).
    pub id: Option<String>,
    /// The initiative.
    pub title: String,
    /// Who drives it.
    pub owner: Option<String>,
    /// Where it stands (unset: proposed).
    pub status: Option<InitiativeStatus>,
    /// What it would cost once, in the billing currency.
    pub estimated_cost: Option<f64>,
    /// What it would save a month, in the billing currency.
    pub estimated_monthly_saving: Option<f64>,
    /// The quarter it should be done in (`2027-Q1`).
    pub target_quarter: Option<crate::PeriodId>,
    /// The day the customer approved or declined it.
    #[serde(deserialize_with = "optional_day")]
    pub decided: Option<chrono::NaiveDate>,
    /// The recommendation it comes from (an observation of the report, in words).
    pub recommendation: Option<String>,
    /// More about it.
    pub detail: Option<String>,
    /// The period whose notes first hold it (set when the notes are assembled).
    #[serde(skip_deserializing)]
    pub first_noted: Option<crate::PeriodId>,
    /// Whether it comes from earlier notes only (set when the notes are assembled).
    #[serde(skip_deserializing)]
    pub carried: bool,
    /// What the report's period changed of it (set when the notes are assembled).
    #[serde(skip_deserializing)]
    pub change: Option<InitiativeChange>,
}

impl Initiative {
    /// Where it stands: its status, or proposed when none is written.
    pub fn state(&self) -> InitiativeStatus {
        self.status.unwrap_or(InitiativeStatus::Proposed)
    }
}

/// Where an initiative stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InitiativeStatus {
    /// Put to the customer, not decided yet.
    Proposed,
    /// The customer approved it.
    Approved,
    /// Under way.
    InProgress,
    /// Done: no longer carried.
    Done,
    /// The customer declined it: no longer carried.
    Declined,
}

impl InitiativeStatus {
    /// Every status, in the order an initiative goes through them.
    pub const ALL: [InitiativeStatus; 5] = [
        InitiativeStatus::Proposed,
        InitiativeStatus::Approved,
        InitiativeStatus::InProgress,
        InitiativeStatus::Done,
        InitiativeStatus::Declined,
    ];

    /// How the notes and the report write it.
    pub fn label(self) -> &'static str {
        match self {
            InitiativeStatus::Proposed => "Proposed",
            InitiativeStatus::Approved => "Approved",
            InitiativeStatus::InProgress => "In progress",
            InitiativeStatus::Done => "Done",
            InitiativeStatus::Declined => "Declined",
        }
    }

    /// Whether it ends the initiative (it is then no longer carried).
    pub fn is_closed(self) -> bool {
        matches!(self, InitiativeStatus::Done | InitiativeStatus::Declined)
    }

    /// The status a text names, without case, `_` or `-` (`in progress`, `In_Progress`); the
    /// console's earlier `Planned` is approved and `Cancelled` declined.
    pub fn parse(text: &str) -> Option<Self> {
        let plain = text.trim().to_lowercase().replace(['_', '-'], " ");
        match plain.as_str() {
            "planned" => return Some(InitiativeStatus::Approved),
            "cancelled" | "canceled" => return Some(InitiativeStatus::Declined),
            _ => {}
        }
        Self::ALL.into_iter().find(|status| status.label().to_lowercase() == plain)
    }
}

impl Serialize for InitiativeStatus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.label())
    }
}

impl<'de> Deserialize<'de> for InitiativeStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "{text:?} is not an initiative's status: write Proposed, Approved, In progress, Done or Declined"
            ))
        })
    }
}

/// What a report's period changed of an initiative.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InitiativeChange {
    /// First noted in the period.
    Raised,
    /// Its status changed in the period; from this one.
    StatusFrom(InitiativeStatus),
}

/// A day written as a TOML date or as `YYYY-MM-DD` text.
fn optional_day<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<chrono::NaiveDate>, D::Error> {
    let text = text_or_date(deserializer)?;
    chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map(Some)
        .map_err(|_| serde::de::Error::custom(format!("{text:?} is not a day: write it 2026-11-30")))
}

/// A plan or migration ahead.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Plan {
    /// The plan.
    pub title: String,
    /// Within how many months: 3, 6, 9 or 12.
    pub horizon_months: u32,
    /// More about it.
    pub detail: Option<String>,
}

/// The horizons a plan may have, in months.
pub const PLAN_HORIZONS: [u32; 4] = [3, 6, 9, 12];

/// An item of the weekend's schedule.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScheduleItem {
    /// When (a date, or text such as "Saturday 02:00-04:00").
    #[serde(deserialize_with = "text_or_date")]
    pub when: String,
    /// What happens.
    pub what: String,
    /// Who is responsible or on call.
    pub owner: Option<String>,
}

/// A named person with an email address.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Person {
    /// Name.
    pub name: String,
    /// Email.
    pub email: Option<String>,
}

/// A row of the contacts table.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Contact {
    /// Role (e.g. "Cloud Service Delivery Manager").
    pub role: String,
    /// Name.
    pub name: String,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
}

/// An issue, challenge or concern.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NoteIssue {
    /// Title.
    pub title: String,
    /// Status.
    pub status: Option<String>,
    /// Detail.
    pub detail: Option<String>,
}

/// A risk.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Risk {
    /// Title.
    pub title: String,
    /// Mitigation.
    pub mitigation: Option<String>,
}

/// An upcoming item.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Upcoming {
    /// Title.
    pub title: String,
    /// When (text or date).
    #[serde(deserialize_with = "optional_text_or_date")]
    pub date: Option<String>,
}

/// A feature request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FeatureRequest {
    /// Title.
    pub title: String,
    /// Status.
    pub status: Option<String>,
}

/// An action item. It carries over to later months until a month's notes close it
/// ([`crate::memory`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ActionItem {
    /// A stable identifier, when the title may change between months (else the title is).
    pub id: Option<String>,
    /// Title.
    pub title: String,
    /// Owner.
    pub owner: Option<String>,
    /// Due date (text or date).
    #[serde(deserialize_with = "optional_text_or_date")]
    pub due: Option<String>,
    /// Status; `Done`, `Closed`, `Completed`, `Resolved` or `Cancelled` close the item.
    pub status: Option<String>,
    /// When the item was raised (a date), if not the first month that notes it.
    #[serde(deserialize_with = "optional_text_or_date")]
    pub raised: Option<String>,
    /// The period whose notes first hold the item (set when the notes are assembled; written as
    /// its label).
    #[serde(skip_deserializing)]
    pub first_noted: Option<crate::PeriodId>,
    /// Whether the item comes from an earlier month's notes (set when the notes are assembled).
    #[serde(skip_deserializing)]
    pub carried: bool,
}

/// The statuses the console offers for an action item (`Done`, `Closed`, `Resolved` and
/// `Cancelled` close it, [`crate::memory::CLOSED_STATUSES`]).
pub const ACTION_ITEM_STATUSES: &[&str] = &["Open", "In progress", "Blocked", "Done", "Closed", "Resolved", "Cancelled"];
/// The statuses the console offers for an issue or concern.
pub const ISSUE_STATUSES: &[&str] = &["Open", "In progress", "Monitoring", "Resolved", "Closed"];
/// The statuses the console offers for a feature request.
pub const FEATURE_REQUEST_STATUSES: &[&str] = &["Submitted", "Under review", "Planned", "In progress", "Delivered", "Declined"];
/// The statuses the console offers for an initiative ([`InitiativeStatus`]).
pub const INITIATIVE_STATUSES: &[&str] = &["Proposed", "Approved", "In progress", "Done", "Declined"];

/// Characters one notes text may have: about a page of the report. A longer one is an error
/// naming its key, not a silently cut paragraph.
pub const NOTE_TEXT_MAX_CHARS: usize = 4_000;

impl Notes {
    /// Parses a notes file's bytes (UTF-8 TOML); `origin` names it in messages.
    pub fn from_bytes(bytes: &[u8], origin: &str) -> Result<Self, NotesError> {
        let text =
            std::str::from_utf8(bytes).map_err(|_| NotesError { origin: origin.to_owned(), message: "not UTF-8 text".into() })?;
        Self::from_toml(text, origin)
    }

    /// Parses a notes file; `origin` names it in messages. The file is at most
    /// [`crate::input::NOTES_MAX_BYTES`] and each text at most [`NOTE_TEXT_MAX_CHARS`].
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, NotesError> {
        let error = |message: String| NotesError { origin: origin.to_owned(), message };
        if text.len() as u64 > crate::input::NOTES_MAX_BYTES {
            return Err(error(format!(
                "{} bytes, more than the {} bytes a notes file may have; keep the notes to what the report shows",
                text.len(),
                crate::input::NOTES_MAX_BYTES
            )));
        }
        let value: toml::Value = toml::from_str(text).map_err(|e| error(e.to_string().trim_end().to_owned()))?;
        if let Some((key, chars)) = longest_text(&value, String::new()).filter(|(_, chars)| *chars > NOTE_TEXT_MAX_CHARS) {
            return Err(error(format!(
                "`{key}` has {chars} characters; a note may have at most {NOTE_TEXT_MAX_CHARS} (about a page): shorten it"
            )));
        }
        let notes: Notes = toml::from_str(text).map_err(|e| error(e.to_string().trim_end().to_owned()))?;
        if let Some((index, plan)) =
            notes.plans.iter().enumerate().find(|(_, plan)| !PLAN_HORIZONS.contains(&plan.horizon_months))
        {
            return Err(error(format!(
                "`plans[{index}].horizon_months` is {}: a plan's horizon is 3, 6, 9 or 12 months",
                plan.horizon_months
            )));
        }
        if let Some(problem) =
            notes.initiatives.iter().enumerate().find_map(|(index, initiative)| initiative_problem(index, initiative))
        {
            return Err(error(problem));
        }
        Ok(notes)
    }
}

/// What is wrong with an initiative that types cannot say: a target that is not a quarter, an
/// amount that is negative or not a number.
fn initiative_problem(index: usize, initiative: &Initiative) -> Option<String> {
    if let Some(quarter) = initiative.target_quarter.filter(|quarter| quarter.kind() != crate::PeriodKind::Quarterly) {
        return Some(format!("`initiatives[{index}].target_quarter` is {quarter}: write a quarter, 2027-Q1"));
    }
    let amounts =
        [("estimated_cost", initiative.estimated_cost), ("estimated_monthly_saving", initiative.estimated_monthly_saving)];
    let (key, value) = amounts.into_iter().find(|(_, value)| value.is_some_and(|value| !(0.0..=1e12).contains(&value)))?;
    Some(format!("`initiatives[{index}].{key}` is {}: an amount from 0 to 10^12", value.unwrap_or_default()))
}

/// The key path and length (in characters) of the longest string in `value`.
fn longest_text(value: &toml::Value, path: String) -> Option<(String, usize)> {
    match value {
        toml::Value::String(text) => Some((path, text.chars().count())),
        toml::Value::Array(items) => items
            .iter()
            .enumerate()
            .filter_map(|(index, item)| longest_text(item, format!("{path}[{index}]")))
            .max_by_key(|found| found.1),
        toml::Value::Table(table) => table
            .iter()
            .filter_map(|(key, item)| longest_text(item, if path.is_empty() { key.clone() } else { format!("{path}.{key}") }))
            .max_by_key(|found| found.1),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_notes_parse_and_keep_markup_characters_as_text() {
        let notes = Notes::from_toml(
            r##"
customer_name = "Example #1 *Corp* [x] $5 @me"
onboarding_status = "Complete"
scope_changes = "Added a subcontractor"
csdm = { name = "Dana Lee", email = "dana@example.com" }
[[contacts]]
role = "CSDM"
name = "Dana Lee"
[[action_items]]
title = "Rotate keys"
owner = "Customer"
due = 2026-11-30
[[upcoming]]
title = "DR test"
date = "mid-December"
"##,
            "notes/000000000001/2026-10.toml",
        )
        .unwrap();
        assert_eq!(notes.customer_name.as_deref(), Some("Example #1 *Corp* [x] $5 @me"));
        assert_eq!(notes.action_items[0].due.as_deref(), Some("2026-11-30"));
        assert_eq!(notes.upcoming[0].date.as_deref(), Some("mid-December"));
        assert_eq!(notes.csdm.unwrap().name, "Dana Lee");
    }

    #[test]
    fn meeting_notes_parse_and_horizons_are_checked() {
        let notes = Notes::from_toml(
            r#"
next_meeting = 2026-11-09
[[agenda]]
item = "Open incidents"
owner = "Dana Lee"
[[attendees]]
name = "Sam Ortiz"
organisation = "Example Corp"
attended = true
[[plans]]
title = "Migrate the data warehouse"
horizon_months = 6
[[weekend_schedule]]
when = "Saturday 02:00-04:00"
what = "Patch window for production"
"#,
            "notes/1/2026-W44.toml",
        )
        .unwrap();
        assert_eq!(notes.next_meeting.as_deref(), Some("2026-11-09"));
        assert_eq!((notes.agenda[0].owner.as_deref(), notes.attendees[0].attended), (Some("Dana Lee"), Some(true)));
        assert_eq!(notes.plans[0].horizon_months, 6);
        let message = Notes::from_toml("[[plans]]\ntitle = \"x\"\nhorizon_months = 5\n", "n.toml").unwrap_err().to_string();
        assert!(message.contains("plans[0].horizon_months") && message.contains("3, 6, 9 or 12"), "{message}");
    }

    #[test]
    fn unknown_keys_and_wrong_types_name_the_key() {
        let message = Notes::from_toml("customer = \"x\"\n", "n.toml").unwrap_err().to_string();
        assert!(message.contains("customer") && message.contains("n.toml"), "{message}");
        let message = Notes::from_toml("[[risks]]\ntitle = 5\n", "n.toml").unwrap_err().to_string();
        assert!(message.contains("title"), "{message}");
        assert!(Notes::from_toml("this is not toml", "n.toml").is_err());
        let long = format!("[[risks]]\ntitle = \"r\"\nmitigation = \"{}\"\n", "x".repeat(NOTE_TEXT_MAX_CHARS + 1));
        let message = Notes::from_toml(&long, "n.toml").unwrap_err().to_string();
        assert!(message.contains("`risks[0].mitigation` has 4001 characters"), "{message}");
        let huge = format!("scope_changes = \"{}\"\n", "x".repeat(300_000));
        assert!(Notes::from_toml(&huge, "n.toml").unwrap_err().to_string().contains("more than the 262144 bytes"));
    }
}
