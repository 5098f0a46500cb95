//! The initiatives of the notes: what the period changed of them (raised, or a new status), on
//! every kind's summary, and the plan by target quarter, in the quarterly review. The notes
//! carry them from report to report until done or declined (`opsreport_model::memory`).

use opsreport_model::notes::{Initiative, InitiativeChange};
use serde::Serialize;

use super::prelude::*;

/// The initiatives' part of a report.
#[derive(Serialize)]
pub(super) struct Initiatives {
    /// Those the period raised or moved.
    changed: Table,
    /// The open ones it did not change, in one sentence (empty when none).
    unchanged: String,
    /// Every one listed, by target quarter (the quarterly review's plan).
    plan: Table,
}

/// What the period changed of an initiative, in words.
fn change(initiative: &Initiative) -> String {
    match initiative.change {
        Some(InitiativeChange::Raised) => format!("Raised · {}", initiative.state().label()),
        Some(InitiativeChange::StatusFrom(before)) => format!("{} → {}", before.label(), initiative.state().label()),
        None => String::new(),
    }
}

fn amount(value: Option<f64>) -> String {
    value.map(|value| money(Some(value))).unwrap_or_default()
}

fn quarter(initiative: &Initiative) -> String {
    initiative.target_quarter.map(crate::format::short_period).unwrap_or_else(|| "Not set".to_owned())
}

fn decided(initiative: &Initiative) -> String {
    initiative.decided.map(crate::format::short_day).unwrap_or_default()
}

fn changed(notes: &Notes, period_words: &str) -> (Table, String) {
    let mut table = Table::new(
        "initiative_changes",
        &format!("Raised or moved {period_words}"),
        &[
            ("Initiative", "left", 2.4),
            ("Change", "left", 1.6),
            ("Target", "left", 0.9),
            ("Cost", "right", 0.85),
            ("Saving a month", "right", 0.85),
            ("Owner", "left", 1.15),
            ("Decided", "left", 0.95),
        ],
        &format!("No initiative was raised or changed status {period_words}."),
    );
    for initiative in notes.initiatives.iter().filter(|initiative| initiative.change.is_some()) {
        table.row(vec![
            initiative.title.clone(),
            change(initiative),
            quarter(initiative),
            amount(initiative.estimated_cost),
            amount(initiative.estimated_monthly_saving),
            initiative.owner.clone().unwrap_or_default(),
            decided(initiative),
        ]);
    }
    let unchanged =
        notes.initiatives.iter().filter(|initiative| initiative.change.is_none() && !initiative.state().is_closed()).count();
    let more = if table.rows.is_empty() { "" } else { "more " };
    let sentence = if unchanged == 0 {
        String::new()
    } else {
        format!(
            "{} did not change {period_words}; the quarterly review lists every initiative by its target quarter.",
            plural(unchanged as u64, &format!("{more}open initiative"), &format!("{more}open initiatives"))
        )
    };
    (table.limited(TABLE_ROWS), sentence)
}

/// Every initiative by target quarter (unset last), then by status and title, with the
/// quarter's estimated cost and monthly saving added up on its first row.
fn plan(notes: &Notes) -> Table {
    let mut table = Table::new(
        "initiatives",
        "Initiatives by target quarter",
        &[
            ("Target", "left", 0.9),
            ("Initiative", "left", 2.25),
            ("Status", "left", 0.95),
            ("Cost", "right", 0.85),
            ("Saving a month", "right", 0.85),
            ("Owner", "left", 1.1),
            ("Decided", "left", 0.95),
            ("This quarter", "left", 1.3),
        ],
        "No improvement initiatives were recorded.",
    );
    let mut ordered: Vec<&Initiative> = notes.initiatives.iter().collect();
    ordered.sort_by(|left, right| {
        (left.target_quarter.is_none(), left.target_quarter.map(|quarter| quarter.first_day()), left.state(), &left.title).cmp(&(
            right.target_quarter.is_none(),
            right.target_quarter.map(|quarter| quarter.first_day()),
            right.state(),
            &right.title,
        ))
    });
    for initiative in ordered {
        table.row(vec![
            quarter(initiative),
            initiative.title.clone(),
            initiative.state().label().to_owned(),
            amount(initiative.estimated_cost),
            amount(initiative.estimated_monthly_saving),
            initiative.owner.clone().unwrap_or_default(),
            decided(initiative),
            change(initiative),
        ]);
    }
    table.limited(TABLE_ROWS * 2)
}

/// The initiatives' part of a report of `kind`.
pub(super) fn initiatives(cx: &Context, notes: &Notes) -> Initiatives {
    let words = cx.words();
    let (changed, unchanged) = changed(notes, words.this);
    Initiatives { changed, unchanged, plan: plan(notes) }
}

impl Initiatives {
    /// Its tables, for the CSV export: what changed, and the plan in a quarterly review.
    pub(super) fn tables(&self, quarterly: bool) -> Vec<Table> {
        let mut tables = vec![self.changed.clone()];
        if quarterly {
            tables.push(self.plan.clone());
        }
        tables
    }
}
