//! The notes editor's form: every field of a notes file (`notes/<id>/<period>.toml`) or of the
//! account profile (`profile.toml`), as HTML form fields named after their TOML key
//! (`customer_name`, `csdm.email`, `action_items[2].owner`), and back.
//!
//! A submitted form becomes a TOML table, then text, which must pass the notes file loader
//! (`Notes::from_toml`) before it is saved: the console can write nothing a report would refuse.
//! Field-level checks come first so their messages stand next to their field: a row with content
//! needs its first field (a title, a name), a text fits the loader's length limit, a horizon is
//! 3, 6, 9 or 12 months, an e-mail address looks like one.

use std::collections::BTreeMap;

use opsreport_model::PeriodKind;
use opsreport_model::notes::{
    ACTION_ITEM_STATUSES, FEATURE_REQUEST_STATUSES, INITIATIVE_STATUSES, ISSUE_STATUSES, NOTE_TEXT_MAX_CHARS,
};

/// How a field is edited and stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// One line of text.
    Text,
    /// A paragraph.
    LongText,
    /// A date, or text such as "mid-December".
    Date,
    /// An e-mail address.
    Email,
    /// 3, 6, 9 or 12 (months), stored as a number.
    Horizon,
    /// Yes, no or not recorded, stored as a boolean.
    YesNo,
    /// One of these texts (a status), stored as written here.
    Choice(&'static [&'static str]),
    /// An amount of money of 0 or more, stored as a number.
    Amount,
    /// A day, `YYYY-MM-DD` only.
    Day,
}

impl FieldKind {
    /// The name the template switches on.
    pub fn name(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::LongText => "long",
            FieldKind::Date => "date",
            FieldKind::Email => "email",
            FieldKind::Horizon => "horizon",
            FieldKind::YesNo => "yesno",
            FieldKind::Choice(_) => "choice",
            FieldKind::Amount => "amount",
            FieldKind::Day => "day",
        }
    }

    /// The texts a choice offers (none for other kinds).
    pub fn choices(self) -> &'static [&'static str] {
        match self {
            FieldKind::Choice(choices) => choices,
            _ => &[],
        }
    }
}

/// The allowed text `text` stands for (any case), if it is one of `choices`.
pub fn choice(choices: &'static [&'static str], text: &str) -> Option<&'static str> {
    choices.iter().copied().find(|allowed| allowed.eq_ignore_ascii_case(text.trim()))
}

/// A field of a section.
#[derive(Clone, Copy, Debug)]
pub struct FieldSpec {
    /// TOML key.
    pub key: &'static str,
    /// Label.
    pub label: &'static str,
    /// How it is edited.
    pub kind: FieldKind,
}

/// A group of fields: top-level keys, one table (`csdm`) or a list of tables (`risks`).
#[derive(Clone, Copy, Debug)]
pub struct SectionSpec {
    /// TOML key of the table or list; empty for top-level keys.
    pub key: &'static str,
    /// Heading.
    pub title: &'static str,
    /// What it is for.
    pub help: &'static str,
    /// A list of rows (`[[key]]`).
    pub list: bool,
    /// Part of the account profile.
    pub profile: bool,
    /// The one kind of meeting whose material shows it (`None`: every kind).
    pub only: Option<PeriodKind>,
    /// The fields; in a list, the first one is required in a row with content.
    pub fields: &'static [FieldSpec],
}

const fn field(key: &'static str, label: &'static str, kind: FieldKind) -> FieldSpec {
    FieldSpec { key, label, kind }
}

use FieldKind::{Amount, Choice, Date, Day, Email, Horizon, LongText, Text, YesNo};

/// Every section of a notes file, in the editor's order.
pub const SECTIONS: &[SectionSpec] = &[
    SectionSpec {
        key: "",
        title: "Names",
        help: "The names on the cover; a period's notes may override the profile's.",
        list: false,
        profile: true,
        only: None,
        fields: &[field("customer_name", "Customer name", Text), field("account_name", "Account name", Text)],
    },
    SectionSpec {
        key: "",
        title: "Meeting",
        help: "",
        list: false,
        profile: false,
        only: None,
        fields: &[
            field("next_meeting", "Next meeting", Date),
            field("onboarding_status", "Onboarding status", Text),
            field("scope_changes", "Changes in scope or terms", LongText),
        ],
    },
    SectionSpec {
        key: "csdm",
        title: "Service delivery manager",
        help: "Who prepared the material.",
        list: false,
        profile: true,
        only: None,
        fields: &[field("name", "Name", Text), field("email", "E-mail", Email)],
    },
    SectionSpec {
        key: "contacts",
        title: "Contacts",
        help: "Who the customer reaches for what.",
        list: true,
        profile: true,
        only: None,
        fields: &[
            field("role", "Role", Text),
            field("name", "Name", Text),
            field("email", "E-mail", Email),
            field("phone", "Phone", Text),
        ],
    },
    SectionSpec {
        key: "agenda",
        title: "Agenda",
        help: "In order; without one the material proposes its meeting's agenda.",
        list: true,
        profile: false,
        only: None,
        fields: &[field("item", "Item", Text), field("owner", "Owner", Text)],
    },
    SectionSpec {
        key: "attendees",
        title: "Attendees",
        help: "Invited, and whether they attended; Send mails the material to those with an e-mail address.",
        list: true,
        profile: false,
        only: None,
        fields: &[
            field("name", "Name", Text),
            field("organisation", "Organisation", Text),
            field("email", "E-mail", Email),
            field("attended", "Attended", YesNo),
        ],
    },
    SectionSpec {
        key: "action_items",
        title: "Action items",
        help: "Open items carry over to later meetings until a status of Done, Closed, Completed, Resolved or Cancelled.",
        list: true,
        profile: false,
        only: None,
        fields: &[
            field("title", "Title", Text),
            field("owner", "Owner", Text),
            field("due", "Due", Date),
            field("status", "Status", Choice(ACTION_ITEM_STATUSES)),
            field("raised", "Raised", Date),
            field("id", "Reference", Text),
        ],
    },
    SectionSpec {
        key: "issues",
        title: "Issues and concerns",
        help: "",
        list: true,
        profile: false,
        only: None,
        fields: &[
            field("title", "Title", Text),
            field("status", "Status", Choice(ISSUE_STATUSES)),
            field("detail", "Detail", LongText),
        ],
    },
    SectionSpec {
        key: "risks",
        title: "Risks",
        help: "",
        list: true,
        profile: false,
        only: None,
        fields: &[field("title", "Title", Text), field("mitigation", "Mitigation", LongText)],
    },
    SectionSpec {
        key: "upcoming",
        title: "Upcoming",
        help: "",
        list: true,
        profile: false,
        only: None,
        fields: &[field("title", "Title", Text), field("date", "Date", Date)],
    },
    SectionSpec {
        key: "feature_requests",
        title: "Feature requests",
        help: "",
        list: true,
        profile: false,
        only: None,
        fields: &[field("title", "Title", Text), field("status", "Status", Choice(FEATURE_REQUEST_STATUSES))],
    },
    SectionSpec {
        key: "weekend_schedule",
        title: "Weekend schedule",
        help: "Changes, patching and on-call of the coming weekend (the weekly review).",
        list: true,
        profile: false,
        only: Some(PeriodKind::Weekly),
        fields: &[field("when", "When", Text), field("what", "What", Text), field("owner", "Owner", Text)],
    },
    SectionSpec {
        key: "plans",
        title: "Plans",
        help: "Plans and migrations ahead, by horizon (the quarterly review).",
        list: true,
        profile: false,
        only: Some(PeriodKind::Quarterly),
        fields: &[
            field("title", "Title", Text),
            field("horizon_months", "Horizon", Horizon),
            field("detail", "Detail", LongText),
        ],
    },
    SectionSpec {
        key: "initiatives",
        title: "Initiatives",
        help: "Improvement initiatives: carried to later meetings until Done or Declined; the quarterly review plans them by target quarter.",
        list: true,
        profile: false,
        only: None,
        fields: &[
            field("title", "Title", Text),
            field("owner", "Owner", Text),
            field("status", "Status", Choice(INITIATIVE_STATUSES)),
            field("estimated_cost", "Estimated cost", Amount),
            field("estimated_monthly_saving", "Saving a month", Amount),
            field("target_quarter", "Target quarter", Text),
            field("decided", "Decided on", Day),
            field("recommendation", "From the recommendation", Text),
            field("detail", "Detail", LongText),
            field("id", "Reference", Text),
        ],
    },
];

/// The sections of a period's notes its kind of meeting shows, and any other that holds values.
pub fn sections_of_kind(kind: PeriodKind, values: &Values) -> Vec<&'static SectionSpec> {
    let has_values = |section: &SectionSpec| {
        section
            .fields
            .iter()
            .any(|field| values.keys().any(|name| without_rows(name) == format!("{}.{}", section.key, field.key)))
    };
    sections(false).into_iter().filter(|section| section.only.is_none_or(|only| only == kind) || has_values(section)).collect()
}

/// The sections of the profile or of a period's notes.
pub fn sections(profile: bool) -> Vec<&'static SectionSpec> {
    SECTIONS.iter().filter(|section| !profile || section.profile).collect()
}

/// Form values by field name, as submitted or as read from a file.
pub type Values = BTreeMap<String, String>;

/// The form name of a field: `key`, `table.key` or `list[row].key`.
pub fn name(section: &SectionSpec, row: Option<usize>, field: &FieldSpec) -> String {
    match (section.key, row) {
        ("", _) => field.key.to_owned(),
        (table, None) => format!("{table}.{}", field.key),
        (list, Some(row)) => format!("{list}[{row}].{}", field.key),
    }
}

/// The name of a row's Remove box.
pub fn remove_name(section: &SectionSpec, row: usize) -> String {
    format!("{}[{row}]._remove", section.key)
}

/// The rows a list has in `values` (their numbers, in order).
pub fn rows(section: &SectionSpec, values: &Values) -> Vec<usize> {
    let prefix = format!("{}[", section.key);
    let mut rows: Vec<usize> =
        values.keys().filter_map(|name| name.strip_prefix(&prefix)?.split_once(']')?.0.parse().ok()).collect();
    rows.sort_unstable();
    rows.dedup();
    rows
}

/// The form values of a notes file's TOML (a file the loader accepted): every value under its
/// form name, for the fields the form has.
pub fn values_of(table: &toml::Table, profile: bool) -> Values {
    let mut values = Values::new();
    flatten(table, "", &mut values);
    let known: Vec<String> = sections(profile)
        .into_iter()
        .flat_map(|section| section.fields.iter().map(move |field| name(section, None, field)))
        .collect();
    values.retain(|name, _| known.contains(&without_rows(name)));
    values
}

/// Every scalar of a table by its form name (`key`, `table.key`, `list[row].key`).
fn flatten(table: &toml::Table, prefix: &str, values: &mut Values) {
    for (key, value) in table {
        let name = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        match value {
            toml::Value::Table(inner) => flatten(inner, &name, values),
            toml::Value::Array(items) => {
                for (row, item) in items.iter().enumerate() {
                    if let toml::Value::Table(inner) = item {
                        flatten(inner, &format!("{name}[{row}]"), values);
                    }
                }
            }
            toml::Value::String(text) => {
                values.insert(name, text.clone());
            }
            toml::Value::Boolean(flag) => {
                values.insert(name, if *flag { "yes" } else { "no" }.to_owned());
            }
            other => {
                values.insert(name, other.to_string());
            }
        }
    }
}

/// A form name without its row numbers (`risks[2].title` → `risks.title`).
fn without_rows(name: &str) -> String {
    let mut plain = String::with_capacity(name.len());
    let mut in_row = false;
    for c in name.chars() {
        match c {
            '[' => in_row = true,
            ']' => in_row = false,
            _ if !in_row => plain.push(c),
            _ => {}
        }
    }
    plain
}

/// The choice values of the saved file that are not among the choices, by field (`risks.status`)
/// and value: a status written by hand stays as it is until the user picks another.
pub type Kept = std::collections::BTreeSet<(String, String)>;

/// The choice values of a saved file's form values that the choices do not offer.
pub fn kept_choices(saved: &Values, profile: bool) -> Kept {
    let choice_fields: Vec<String> = sections(profile)
        .into_iter()
        .flat_map(|section| {
            section.fields.iter().filter(|field| !field.kind.choices().is_empty()).map(move |field| name(section, None, field))
        })
        .collect();
    saved
        .iter()
        .map(|(name, value)| (without_rows(name), value.clone()))
        .filter(|(field, _)| choice_fields.contains(field))
        .collect()
}

/// A problem with one field, by its form name.
pub type FieldErrors = BTreeMap<String, String>;

/// The TOML table a submitted form stands for, or the problems of its fields. Rows without
/// content, or marked Remove, are left out; the others keep their order.
pub fn table_of(values: &Values, profile: bool, kept: &Kept) -> Result<toml::Table, FieldErrors> {
    let mut table = toml::Table::new();
    let mut errors = FieldErrors::new();
    for section in sections(profile) {
        match (section.key, section.list) {
            ("", _) => {
                for field in section.fields {
                    if let Some(value) = typed(values, &name(section, None, field), field, kept, &mut errors) {
                        table.insert(field.key.to_owned(), value);
                    }
                }
            }
            (key, false) => {
                let inner = row_table(values, section, None, kept, &mut errors);
                if !inner.is_empty() {
                    table.insert(key.to_owned(), toml::Value::Table(inner));
                }
            }
            (key, true) => {
                let mut items = Vec::new();
                for row in rows(section, values) {
                    if values.get(&remove_name(section, row)).is_some_and(|flag| flag == "on") {
                        continue;
                    }
                    let inner = row_table(values, section, Some(row), kept, &mut errors);
                    if !inner.is_empty() {
                        items.push(toml::Value::Table(inner));
                    }
                }
                if !items.is_empty() {
                    table.insert(key.to_owned(), toml::Value::Array(items));
                }
            }
        }
    }
    if errors.is_empty() { Ok(table) } else { Err(errors) }
}

/// One table or row; a row with content needs its first field.
fn row_table(values: &Values, section: &SectionSpec, row: Option<usize>, kept: &Kept, errors: &mut FieldErrors) -> toml::Table {
    let mut inner = toml::Table::new();
    for field in section.fields {
        if let Some(value) = typed(values, &name(section, row, field), field, kept, errors) {
            inner.insert(field.key.to_owned(), value);
        }
    }
    let first = &section.fields[0];
    if !inner.is_empty() && !inner.contains_key(first.key) {
        errors.insert(name(section, row, first), format!("{} is needed (or clear the row)", first.label));
    }
    inner
}

/// A field's value as TOML, `None` when empty; a problem is recorded under its name.
fn typed(values: &Values, name: &str, field: &FieldSpec, kept: &Kept, errors: &mut FieldErrors) -> Option<toml::Value> {
    let text = values.get(name).map(|value| value.trim()).filter(|value| !value.is_empty())?;
    let text = text.replace("\r\n", "\n");
    let problem = match field.kind {
        _ if text.chars().count() > NOTE_TEXT_MAX_CHARS => {
            Some(format!("{} characters; at most {NOTE_TEXT_MAX_CHARS} (about a page)", text.chars().count()))
        }
        FieldKind::Horizon => match text.parse::<i64>() {
            Ok(months @ (3 | 6 | 9 | 12)) => return Some(toml::Value::Integer(months)),
            _ => Some("a horizon is 3, 6, 9 or 12 months".to_owned()),
        },
        FieldKind::Amount => match text.replace([',', ' '], "").parse::<f64>() {
            Ok(amount) if (0.0..=1e12).contains(&amount) => return Some(toml::Value::Float(amount)),
            _ => Some("an amount of 0 or more, such as 12000 or 850.50".to_owned()),
        },
        FieldKind::Day if chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d").is_err() => {
            Some("a day written 2026-11-30".to_owned())
        }
        FieldKind::YesNo => match text.as_str() {
            "yes" => return Some(toml::Value::Boolean(true)),
            "no" => return Some(toml::Value::Boolean(false)),
            _ => Some("yes, no or not recorded".to_owned()),
        },
        FieldKind::Choice(choices) => match choice(choices, &text) {
            Some(allowed) => return Some(toml::Value::String(allowed.to_owned())),
            None if kept.contains(&(without_rows(name), text.clone())) => None,
            None => Some(format!("choose one of {}", choices.join(", "))),
        },
        FieldKind::Email if !is_email(&text) => Some("not an e-mail address (name@example.com)".to_owned()),
        FieldKind::Text | FieldKind::Date | FieldKind::Email if text.contains('\n') => Some("one line only".to_owned()),
        _ => None,
    };
    match problem {
        Some(problem) => {
            errors.insert(name.to_owned(), problem);
            None
        }
        None => Some(toml::Value::String(text)),
    }
}

/// A plain e-mail address: one `@`, a dot in the domain, no spaces, quotes, commas or brackets
/// (it may go into a message header).
pub fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else { return false };
    text.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && text
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '<' | '>' | ',' | ';' | '"' | '\'' | '(' | ')' | '[' | ']' | '\\'))
        && !domain.contains('@')
}

#[cfg(test)]
mod tests {
    use super::*;
    use opsreport_model::Notes;

    fn values(pairs: &[(&str, &str)]) -> Values {
        pairs.iter().map(|(name, value)| (name.to_string(), value.to_string())).collect()
    }

    #[test]
    fn a_form_round_trips_through_the_file_loader() {
        let text = r#"
customer_name = "Example <Corp> & \"Sons\""
next_meeting = 2026-11-09
csdm = { name = "Dana", email = "dana@example.com" }
[[action_items]]
title = "Rotate keys"
due = 2026-11-30
status = "Open"
[[attendees]]
name = "Sam"
attended = true
[[plans]]
title = "Migrate"
horizon_months = 6
"#;
        let notes = Notes::from_toml(text, "n.toml").unwrap();
        let table: toml::Table = toml::from_str(text).unwrap();
        let values = values_of(&table, false);
        assert_eq!(values["action_items[0].due"], "2026-11-30");
        assert_eq!(values["attendees[0].attended"], "yes");
        let rebuilt = toml::to_string(&table_of(&values, false, &Kept::new()).unwrap()).unwrap();
        assert_eq!(Notes::from_toml(&rebuilt, "n.toml").unwrap(), notes);
    }

    #[test]
    fn empty_and_removed_rows_go_and_bad_fields_are_named() {
        let form = values(&[
            ("risks[0].title", "Single AZ"),
            ("risks[1].title", ""),
            ("risks[1].mitigation", ""),
            ("risks[2].title", "Old AMI"),
            ("risks[2]._remove", "on"),
            ("risks[3].mitigation", "  "),
        ]);
        let table = table_of(&form, false, &Kept::new()).unwrap();
        assert_eq!(table["risks"].as_array().unwrap().len(), 1);
        let errors = table_of(
            &values(&[
                ("risks[0].mitigation", "without a title"),
                ("plans[0].title", "x"),
                ("plans[0].horizon_months", "5"),
                ("attendees[0].name", "Sam"),
                ("attendees[0].email", "sam@example.com\r\nBcc: eve@example.com"),
                ("scope_changes", &"x".repeat(NOTE_TEXT_MAX_CHARS + 1)),
            ]),
            false,
            &Kept::new(),
        )
        .unwrap_err();
        assert_eq!(
            errors.keys().collect::<Vec<_>>(),
            ["attendees[0].email", "plans[0].horizon_months", "risks[0].title", "scope_changes"]
        );
        assert!(!is_email("a@b"));
        assert!(is_email("dana.lee+ops@example.co.uk"));
    }

    #[test]
    fn statuses_are_choices_and_each_kind_shows_its_sections() {
        let errors =
            table_of(&values(&[("action_items[0].title", "Rotate"), ("action_items[0].status", "Opne")]), false, &Kept::new())
                .unwrap_err();
        assert!(errors["action_items[0].status"].contains("choose one of Open"), "{errors:?}");
        let table = table_of(
            &values(&[("action_items[0].title", "Rotate"), ("action_items[0].status", "in PROGRESS")]),
            false,
            &Kept::new(),
        )
        .unwrap();
        assert_eq!(table["action_items"][0]["status"].as_str(), Some("In progress"));
        let saved = values(&[("action_items[3].status", "Waiting on vendor")]);
        let kept = kept_choices(&saved, false);
        let by_hand = values(&[("action_items[0].title", "Rotate"), ("action_items[0].status", "Waiting on vendor")]);
        assert!(table_of(&by_hand, false, &kept).is_ok(), "a status saved by hand stays");
        assert!(table_of(&by_hand, false, &Kept::new()).is_err());
        let keys = |kind, values: &Values| sections_of_kind(kind, values).iter().map(|section| section.key).collect::<Vec<_>>();
        let empty = Values::new();
        assert!(
            keys(PeriodKind::Weekly, &empty).contains(&"weekend_schedule")
                && !keys(PeriodKind::Weekly, &empty).contains(&"plans")
        );
        assert!(keys(PeriodKind::Quarterly, &empty).contains(&"plans") && !keys(PeriodKind::Monthly, &empty).contains(&"plans"));
        let planned = values(&[("plans[0].title", "Migrate")]);
        assert!(keys(PeriodKind::Monthly, &planned).contains(&"plans"), "a section with values is kept");
    }

    #[test]
    fn the_profile_form_has_the_profile_keys_only() {
        let keys: Vec<&str> = sections(true).iter().map(|section| section.key).collect();
        assert_eq!(keys, ["", "csdm", "contacts"]);
    }
}
