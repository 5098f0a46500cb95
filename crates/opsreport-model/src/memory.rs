//! The account's memory: what belongs to the account rather than to one month.
//!
//! `notes/<id>/profile.toml` holds the account's identity (customer and account name, CSDM,
//! contacts); each meeting's notes (`notes/<id>/<period>.toml`: `2026-10` for a month,
//! `2026-W44` for a week, `2026-Q4` for a quarter) add to it. Action items carry over: an item
//! raised in earlier notes of any kind and not closed appears in every later report, with the
//! period it was raised in, until later notes close it — the CRM process reviews the action
//! list at every meeting until each item is done. Notes are ordered by the last day of their
//! period. [`assemble`] is the one place these rules live; the sources only read the files.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::notes::{ActionItem, Contact, Initiative, InitiativeChange, InitiativeStatus, Notes, NotesError, Person};
use chrono::NaiveDate;

use crate::period::{PeriodError, PeriodId, ReportPeriod, YearMonth};

/// Which period a notes file is for: ordered by the period's last day, then by label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Noted {
    /// The period's last day.
    pub last_day: NaiveDate,
    /// The period (its file is `<label>.toml`: `2026-10`, `2026-W44`, `2026-Q4`).
    pub id: PeriodId,
}

impl Ord for Noted {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.last_day, self.id.to_string()).cmp(&(other.last_day, other.id.to_string()))
    }
}

impl PartialOrd for Noted {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Noted {
    /// The period a label names.
    pub fn of_label(label: &str) -> Result<Self, PeriodError> {
        let id = PeriodId::parse(label)?;
        Ok(Self { last_day: id.last_day(), id })
    }

    /// A report's period.
    pub fn of_period(period: &ReportPeriod) -> Self {
        Self { last_day: period.last_day(), id: period.id() }
    }

    /// The oldest notes a report of this period reads: those ending within [`CARRY_MONTHS`].
    pub fn oldest_read(&self) -> NaiveDate {
        YearMonth::of_date(self.last_day).plus_months(-CARRY_MONTHS).first_day()
    }
}

/// How many months of earlier notes a report reads for open action items.
pub const CARRY_MONTHS: i32 = 24;

/// The most open action items of earlier notes one report lists: beyond them the oldest are
/// summarised in one line with their count (`Notes::carried_left_out`), so years of notes
/// cannot make a report of thousands of pages. The period's own items are always listed.
pub const CARRIED_ITEMS_MAX: usize = 30;

/// The name of the profile file in an account's notes folder.
pub const PROFILE_FILE: &str = "profile.toml";

/// Statuses (compared without case) that close an action item.
pub const CLOSED_STATUSES: &[&str] = &["done", "closed", "completed", "complete", "resolved", "cancelled", "canceled"];

/// The account profile: who the customer is, whatever the month.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Profile {
    /// Customer (company) name for the cover.
    pub customer_name: Option<String>,
    /// Account name for the cover.
    pub account_name: Option<String>,
    /// The cloud service delivery manager of the account.
    pub csdm: Option<Person>,
    /// The account's contacts.
    pub contacts: Vec<Contact>,
}

impl Profile {
    /// Parses a profile file; `origin` names it in messages. The same limits as a notes file.
    pub fn from_bytes(bytes: &[u8], origin: &str) -> Result<Self, NotesError> {
        let error = |message: String| NotesError { origin: origin.to_owned(), message };
        let text = std::str::from_utf8(bytes).map_err(|_| error("not UTF-8 text".into()))?;
        // The notes reader checks size and text lengths; a profile is a subset of a notes file.
        Notes::from_toml(text, origin)?;
        toml::from_str(text).map_err(|e| {
            error(format!("{} (a profile holds customer_name, account_name, csdm and contacts)", e.to_string().trim_end()))
        })
    }
}

/// Whether an action item's status closes it.
pub fn is_closed(item: &ActionItem) -> bool {
    item.status.as_deref().is_some_and(|status| CLOSED_STATUSES.contains(&status.trim().to_lowercase().as_str()))
}

/// The identity of an action item across months: its `id` when it has one, else its title
/// without case or repeated spaces.
pub fn identity(item: &ActionItem) -> String {
    identity_of(item.id.as_deref(), &item.title)
}

/// An item's identity from its `id` and title (action items and initiatives alike).
fn identity_of(id: Option<&str>, title: &str) -> String {
    match id {
        Some(id) => format!("id:{}", id.trim()),
        None => format!("title:{}", title.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()),
    }
}

/// The notes of a report's period (`month`): the profile, then the period's own notes over it,
/// and the action items still open from earlier notes (`earlier`, any order; only those before
/// `month` and within the [`CARRY_MONTHS`] before it count). `None` when there is nothing at all.
pub fn assemble(profile: Option<Profile>, earlier: Vec<(Noted, Notes)>, current: Option<Notes>, month: Noted) -> Option<Notes> {
    if profile.is_none() && current.is_none() && earlier.is_empty() {
        return None;
    }
    let mut notes = current.clone().unwrap_or_default();
    if let Some(profile) = profile {
        apply_profile(&mut notes, profile);
    }
    let oldest = month.oldest_read();
    let mut history: Vec<(Noted, Notes)> =
        earlier.into_iter().filter(|(noted, _)| *noted < month && noted.last_day >= oldest).collect();
    history.sort_by(|left, right| left.0.cmp(&right.0));
    notes.initiatives = carried_initiatives(&history, current.as_ref(), &month);
    notes.action_items = carried_items(&history, current.as_ref(), month);
    notes.carried_left_out = leave_out_oldest_carried(&mut notes.action_items);
    Some(notes)
}

/// The profile under the month's notes: a name the month gives wins; contacts are the profile's,
/// with a month's contact of the same role and name replacing it and new ones added.
fn apply_profile(notes: &mut Notes, profile: Profile) {
    notes.customer_name = notes.customer_name.take().or(profile.customer_name);
    notes.account_name = notes.account_name.take().or(profile.account_name);
    notes.csdm = notes.csdm.take().or(profile.csdm);
    let key = |contact: &Contact| (contact.role.trim().to_lowercase(), contact.name.trim().to_lowercase());
    let mut contacts = profile.contacts;
    for contact in std::mem::take(&mut notes.contacts) {
        match contacts.iter_mut().find(|known| key(known) == key(&contact)) {
            Some(known) => *known = contact,
            None => contacts.push(contact),
        }
    }
    notes.contacts = contacts;
}

/// This month's action items, then the open items of earlier months the month does not mention,
/// oldest first. Each carries the month it was first noted; a later mention updates owner, due
/// date and status (what it leaves out keeps its earlier value).
fn carried_items(history: &[(Noted, Notes)], current: Option<&Notes>, month: Noted) -> Vec<ActionItem> {
    let mut known: BTreeMap<String, ActionItem> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mentions = history.iter().map(|(noted, notes)| (noted.clone(), notes)).chain(current.map(|notes| (month.clone(), notes)));
    for (noted, notes) in mentions {
        for item in &notes.action_items {
            let key = identity(item);
            match known.get_mut(&key) {
                Some(earlier) => update(earlier, item),
                None => {
                    let mut first = item.clone();
                    first.first_noted = Some(noted.id);
                    known.insert(key.clone(), first);
                    order.push(key);
                }
            }
        }
    }
    let in_current: Vec<String> = current.map(|notes| notes.action_items.iter().map(identity).collect()).unwrap_or_default();
    let mut items: Vec<ActionItem> = in_current.iter().filter_map(|key| known.get(key).cloned()).collect();
    items.dedup_by(|a, b| identity(a) == identity(b));
    for key in order.iter().filter(|key| !in_current.contains(key)) {
        let item = &known[key];
        if !is_closed(item) {
            let mut carried = item.clone();
            carried.carried = true;
            items.push(carried);
        }
    }
    items
}

/// Keeps the newest [`CARRIED_ITEMS_MAX`] carried items (they come oldest first, after the
/// period's own) and says what was left out.
fn leave_out_oldest_carried(items: &mut Vec<ActionItem>) -> Option<crate::notes::LeftOut> {
    let carried: Vec<usize> = items.iter().enumerate().filter(|(_, item)| item.carried).map(|(index, _)| index).collect();
    let excess = carried.len().checked_sub(CARRIED_ITEMS_MAX).filter(|excess| *excess > 0)?;
    let dropped = &carried[..excess];
    let noted = |index: usize| items[index].first_noted;
    let left_out = crate::notes::LeftOut { count: excess, oldest: noted(dropped[0])?, newest: noted(dropped[excess - 1])? };
    let mut position = 0;
    items.retain(|_| {
        let keep = !dropped.contains(&position);
        position += 1;
        keep
    });
    Some(left_out)
}

/// An initiative as the notes before the report's period left it, and as it is now.
struct Tracked {
    item: Initiative,
    /// Its status at the last mention before the period (`None`: first noted within it).
    before: Option<InitiativeStatus>,
}

/// The period's initiatives: those its own notes mention, then the others of earlier notes,
/// oldest first, that are still open — or that notes within the period closed (a quarter's
/// review shows what its months finished). Each says what the period changed of it: raised in
/// it, or its status before. A later mention updates what it writes; what it leaves out keeps
/// its earlier value.
fn carried_initiatives(history: &[(Noted, Notes)], current: Option<&Notes>, month: &Noted) -> Vec<Initiative> {
    let first_day = month.id.first_day();
    let mut known: BTreeMap<String, Tracked> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mentions = history.iter().map(|(noted, notes)| (noted, notes)).chain(current.map(|notes| (month, notes)));
    for (noted, notes) in mentions {
        let before_period = noted.last_day < first_day;
        for item in &notes.initiatives {
            let key = identity_of(item.id.as_deref(), &item.title);
            let tracked = known.entry(key.clone()).or_insert_with(|| {
                order.push(key);
                let mut first = item.clone();
                first.first_noted = Some(noted.id);
                Tracked { item: first, before: None }
            });
            update_initiative(&mut tracked.item, item);
            if before_period {
                tracked.before = Some(tracked.item.state());
            }
        }
    }
    let in_current: Vec<String> = current
        .map(|notes| notes.initiatives.iter().map(|item| identity_of(item.id.as_deref(), &item.title)).collect())
        .unwrap_or_default();
    let mut listed: Vec<&String> = in_current.iter().collect();
    listed.dedup();
    listed.extend(order.iter().filter(|key| !in_current.contains(*key)).filter(|key| {
        let tracked = &known[*key];
        !tracked.item.state().is_closed() || tracked.before.is_none_or(|before| !before.is_closed())
    }));
    listed
        .into_iter()
        .filter_map(|key| {
            let tracked = known.get(key)?;
            let mut item = tracked.item.clone();
            item.carried = !in_current.contains(key);
            item.change = match tracked.before {
                None => Some(InitiativeChange::Raised),
                Some(before) if before != item.state() => Some(InitiativeChange::StatusFrom(before)),
                Some(_) => None,
            };
            Some(item)
        })
        .collect()
}

/// A later mention of an initiative over the earlier: what it writes wins.
fn update_initiative(earlier: &mut Initiative, later: &Initiative) {
    earlier.title.clone_from(&later.title);
    let texts = [
        (&mut earlier.owner, &later.owner),
        (&mut earlier.recommendation, &later.recommendation),
        (&mut earlier.detail, &later.detail),
    ];
    for (field, value) in texts {
        if value.is_some() {
            field.clone_from(value);
        }
    }
    earlier.status = later.status.or(earlier.status);
    earlier.estimated_cost = later.estimated_cost.or(earlier.estimated_cost);
    earlier.estimated_monthly_saving = later.estimated_monthly_saving.or(earlier.estimated_monthly_saving);
    earlier.target_quarter = later.target_quarter.or(earlier.target_quarter);
    earlier.decided = later.decided.or(earlier.decided);
}

fn update(earlier: &mut ActionItem, later: &ActionItem) {
    earlier.title = later.title.clone();
    for (field, value) in
        [(&mut earlier.owner, &later.owner), (&mut earlier.due, &later.due), (&mut earlier.status, &later.status)]
    {
        if value.is_some() {
            field.clone_from(value);
        }
    }
    if later.raised.is_some() {
        earlier.raised.clone_from(&later.raised);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(text: &str) -> Noted {
        Noted::of_label(text).unwrap()
    }

    fn notes(text: &str) -> Notes {
        Notes::from_toml(text, "n.toml").unwrap()
    }

    #[test]
    fn a_month_without_notes_keeps_the_profile_and_the_open_items() {
        let profile =
            Profile::from_bytes(b"customer_name = \"Northwind\"\n[[contacts]]\nrole = \"CSDM\"\nname = \"Dana\"\n", "p.toml")
                .unwrap();
        let september = notes(
            "[[action_items]]\ntitle = \"Approve the window\"\ndue = 2026-10-10\nstatus = \"Open\"\n[[action_items]]\ntitle = \"Old\"\nstatus = \"Done\"\n",
        );
        let assembled = assemble(Some(profile), vec![(month("2026-09"), september)], None, month("2026-10")).unwrap();
        assert_eq!(assembled.customer_name.as_deref(), Some("Northwind"));
        assert_eq!(assembled.contacts.len(), 1);
        assert_eq!(assembled.action_items.len(), 1, "the closed item is not carried");
        let item = &assembled.action_items[0];
        assert_eq!(
            (item.title.as_str(), item.first_noted.map(|id| id.to_string()), item.carried),
            ("Approve the window", Some("2026-09".to_owned()), true)
        );
    }

    #[test]
    fn a_later_month_updates_and_closes_an_item_by_title_or_id() {
        let august = notes(
            "[[action_items]]\ntitle = \"Rotate  keys\"\nowner = \"Sam\"\nstatus = \"Open\"\n[[action_items]]\nid = \"A-7\"\ntitle = \"Review findings\"\n",
        );
        let september = notes("[[action_items]]\ntitle = \"rotate keys\"\nstatus = \"In progress\"\n");
        let october = notes("[[action_items]]\nid = \"A-7\"\ntitle = \"Review TA findings\"\nstatus = \"Completed\"\n");
        let earlier = vec![(month("2026-09"), september), (month("2026-08"), august)];
        let assembled = assemble(None, earlier, Some(october), month("2026-10")).unwrap();
        type Row<'a> = (&'a str, Option<&'a str>, Option<&'a str>, Option<crate::PeriodId>, bool);
        let august_id = crate::PeriodId::parse("2026-08").unwrap();
        let items: Vec<Row> = assembled
            .action_items
            .iter()
            .map(|i| (i.title.as_str(), i.owner.as_deref(), i.status.as_deref(), i.first_noted, i.carried))
            .collect();
        assert_eq!(
            items,
            [
                ("Review TA findings", None, Some("Completed"), Some(august_id), false),
                ("rotate keys", Some("Sam"), Some("In progress"), Some(august_id), true),
            ],
            "closed this month it is still shown this month; the open one keeps its owner and first month"
        );
        let november = assemble(None, vec![(month("2026-10"), assembled)], None, month("2026-11")).unwrap();
        assert_eq!(november.action_items.len(), 1, "an item closed in October is gone in November");
    }

    #[test]
    fn the_month_wins_over_the_profile_and_items_older_than_the_window_are_not_read() {
        let profile = Profile { customer_name: Some("Old name".into()), ..Profile::default() };
        let current = notes("customer_name = \"New name\"\n");
        let ancient = notes("[[action_items]]\ntitle = \"Ancient\"\n");
        let assembled = assemble(Some(profile), vec![(month("2024-09"), ancient)], Some(current), month("2026-10")).unwrap();
        assert_eq!(assembled.customer_name.as_deref(), Some("New name"));
        assert!(assembled.action_items.is_empty());
        assert!(
            Profile::from_bytes(b"[[issues]]\ntitle = \"x\"\n", "p.toml").unwrap_err().to_string().contains("a profile holds")
        );
        assert_eq!(assemble(None, Vec::new(), None, month("2026-10")), None);
    }

    #[test]
    fn weekly_and_quarterly_notes_carry_items_by_the_last_day_of_their_period() {
        let item = |title: &str| Notes::from_toml(&format!("[[action_items]]\ntitle = \"{title}\"\n"), "n").unwrap();
        // A week ending in October is before the October report; the week ending on 1 November is not.
        let earlier = vec![(month("2026-W43"), item("From week 43")), (month("2026-W44"), item("From week 44"))];
        let october = assemble(None, earlier.clone(), None, month("2026-10")).unwrap();
        let titles: Vec<&str> = october.action_items.iter().map(|item| item.title.as_str()).collect();
        assert_eq!(titles, ["From week 43"]);
        assert_eq!(october.action_items[0].first_noted.map(|id| id.to_string()).as_deref(), Some("2026-W43"));
        // The fourth quarter's review reads every week and month that ends in it, December included.
        let mut quarter_notes = earlier;
        quarter_notes.push((month("2026-12"), item("From December")));
        let quarter = assemble(None, quarter_notes, None, month("2026-Q4")).unwrap();
        assert_eq!(quarter.action_items.len(), 3);
    }

    #[test]
    fn initiatives_carry_across_three_periods_until_done_or_declined() {
        let august = notes(
            "[[initiatives]]\ntitle = \"Rightsize idle instances\"\nestimated_monthly_saving = 1200.0\ntarget_quarter = \"2026-Q4\"\n\
             [[initiatives]]\nid = \"I-2\"\ntitle = \"Second region\"\nestimated_cost = 40000.0\nstatus = \"Proposed\"\n",
        );
        let september = notes(
            "[[initiatives]]\ntitle = \"rightsize  idle instances\"\nstatus = \"approved\"\ndecided = 2026-09-14\nowner = \"Sam\"\n",
        );
        let october = notes(
            "[[initiatives]]\nid = \"I-2\"\ntitle = \"Second region for DR\"\nstatus = \"Declined\"\ndecided = 2026-10-02\n",
        );
        let earlier = vec![(month("2026-08"), august.clone())];
        // September: the first is approved (a change), the second carried as it was.
        let sept = assemble(None, earlier.clone(), Some(september.clone()), month("2026-09")).unwrap();
        type Row = (String, InitiativeStatus, bool, Option<InitiativeChange>);
        let rows = |notes: &Notes| -> Vec<Row> {
            notes.initiatives.iter().map(|i| (i.title.clone(), i.state(), i.carried, i.change)).collect()
        };
        assert_eq!(
            rows(&sept),
            [
                (
                    "rightsize  idle instances".to_owned(),
                    InitiativeStatus::Approved,
                    false,
                    Some(InitiativeChange::StatusFrom(InitiativeStatus::Proposed))
                ),
                ("Second region".to_owned(), InitiativeStatus::Proposed, true, None),
            ]
        );
        let first = &sept.initiatives[0];
        assert_eq!(
            (first.estimated_monthly_saving, first.owner.as_deref()),
            (Some(1200.0), Some("Sam")),
            "kept from August, added in September"
        );
        assert_eq!(first.first_noted.map(|id| id.to_string()).as_deref(), Some("2026-08"));
        // October declines the second; it is shown in October, gone in November.
        let earlier = vec![(month("2026-08"), august.clone()), (month("2026-09"), september.clone())];
        let oct = assemble(None, earlier.clone(), Some(october.clone()), month("2026-10")).unwrap();
        assert_eq!(
            rows(&oct)[0],
            (
                "Second region for DR".to_owned(),
                InitiativeStatus::Declined,
                false,
                Some(InitiativeChange::StatusFrom(InitiativeStatus::Proposed))
            )
        );
        assert_eq!(rows(&oct)[1], ("rightsize  idle instances".to_owned(), InitiativeStatus::Approved, true, None));
        let mut all = earlier;
        all.push((month("2026-10"), october));
        let nov = assemble(None, all.clone(), None, month("2026-11")).unwrap();
        assert_eq!(rows(&nov), [("rightsize  idle instances".to_owned(), InitiativeStatus::Approved, true, None)]);
        // The fourth quarter's review still shows what October declined, as a change of the quarter.
        let quarter = assemble(None, all, None, month("2026-Q4")).unwrap();
        assert_eq!(quarter.initiatives.len(), 2, "{:?}", rows(&quarter));
        assert_eq!(quarter.initiatives[1].change, Some(InitiativeChange::StatusFrom(InitiativeStatus::Proposed)));
        // A status no initiative has is an error naming it.
        let message =
            Notes::from_toml("[[initiatives]]\ntitle = \"x\"\nstatus = \"On hold\"\n", "n.toml").unwrap_err().to_string();
        assert!(message.contains("On hold") && message.contains("Declined"), "{message}");
        let planned = Notes::from_toml("[[initiatives]]\ntitle = \"x\"\nstatus = \"Planned\"\n", "n.toml").unwrap();
        assert_eq!(planned.initiatives[0].state(), InitiativeStatus::Approved, "the console's earlier status");
        let message =
            Notes::from_toml("[[initiatives]]\ntitle = \"x\"\ntarget_quarter = \"2027-01\"\n", "n.toml").unwrap_err().to_string();
        assert!(message.contains("initiatives[0].target_quarter"), "{message}");
        let message =
            Notes::from_toml("[[initiatives]]\ntitle = \"x\"\nestimated_cost = -5.0\n", "n.toml").unwrap_err().to_string();
        assert!(message.contains("initiatives[0].estimated_cost"), "{message}");
    }

    #[test]
    fn open_items_carried_into_one_report_are_bounded_the_oldest_summarised() {
        let earlier: Vec<(Noted, Notes)> = (0..75)
            .map(|index| {
                let label = YearMonth::new(2020, 1).unwrap().plus_months(index).to_string();
                let text = format!("[[action_items]]\ntitle = \"Item of {label}\"\nstatus = \"Open\"\n");
                (month(&label), notes(&text))
            })
            .collect();
        let current = notes("[[action_items]]\ntitle = \"This month's\"\n");
        // 24 months are read: 75 files of which the last 24 count, all open.
        let assembled = assemble(None, earlier.clone(), Some(current.clone()), month("2026-04")).unwrap();
        assert_eq!(assembled.action_items.len(), 1 + 24);
        assert_eq!(assembled.carried_left_out, None);
        // Within one month's reach, 40 weekly notes: 30 listed, the 10 oldest in one line.
        let weeks: Vec<(Noted, Notes)> = (1..=40)
            .map(|week| {
                let label = format!("2026-W{week:02}");
                (month(&label), notes(&format!("[[action_items]]\ntitle = \"Week {week}\"\nstatus = \"Open\"\n")))
            })
            .collect();
        let assembled = assemble(None, weeks, Some(current), month("2026-10")).unwrap();
        assert_eq!(assembled.action_items.len(), 1 + CARRIED_ITEMS_MAX);
        assert_eq!(assembled.action_items[0].title, "This month's", "the period's own items always stay");
        assert_eq!(assembled.action_items[1].title, "Week 11", "the newest carried are kept");
        let left_out = assembled.carried_left_out.unwrap();
        assert_eq!(
            (left_out.count, left_out.oldest.to_string().as_str(), left_out.newest.to_string().as_str()),
            (10, "2026-W01", "2026-W10")
        );
    }
}
