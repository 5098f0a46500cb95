//! A table of the report: the PDF prints it (cells clipped, long tables cut short) and the
//! CSV export keeps every row and character.

use serde::Serialize;

use std::collections::BTreeMap;

use crate::format::{pct, thousands};
use opsreport_model::metrics::{Priority, PriorityCounts};

/// A table of the report (also written as `tables/<name>.csv`).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Table {
    /// File-name stem of the CSV export.
    pub name: String,
    /// Title above the table.
    pub title: String,
    /// Column headings.
    pub columns: Vec<String>,
    /// `left` or `right` per column.
    pub align: Vec<String>,
    /// Relative column widths.
    pub widths: Vec<f64>,
    /// Cells, already formatted (the PDF's copy is clipped to [`CELL_CHARS`]; the CSV keeps
    /// every character).
    #[serde(serialize_with = "clipped_rows")]
    pub rows: Vec<Vec<String>>,
    /// Printed instead of an empty table.
    pub empty: String,
    /// Rows the PDF prints (the CSV export always has them all).
    pub shown: usize,
    /// Printed under a table the PDF cuts short.
    pub more: String,
    /// Printed under the table: what it leaves out and why (a column its source never fills).
    pub note: String,
}

impl Table {
    pub(super) fn new(name: &str, title: &str, columns: &[(&str, &str, f64)], empty: &str) -> Self {
        Self {
            name: name.to_owned(),
            title: title.to_owned(),
            columns: columns.iter().map(|(heading, _, _)| (*heading).to_owned()).collect(),
            align: columns.iter().map(|(_, align, _)| (*align).to_owned()).collect(),
            widths: columns.iter().map(|(_, _, width)| *width).collect(),
            rows: Vec::new(),
            empty: empty.to_owned(),
            shown: usize::MAX,
            more: String::new(),
            note: String::new(),
        }
    }

    /// Without the columns among `optional` that no row fills (a failed backup's reason, which
    /// a self-service report never gives), each named in the note under the table rather than
    /// shown empty.
    pub(super) fn without_empty(mut self, optional: &[&str]) -> Self {
        if self.rows.is_empty() {
            return self;
        }
        let empty: Vec<usize> = (0..self.columns.len())
            .filter(|column| optional.contains(&self.columns[*column].as_str()))
            .filter(|column| self.rows.iter().all(|row| row[*column].is_empty()))
            .collect();
        let dropped: Vec<String> = empty.iter().map(|column| self.columns[*column].to_lowercase()).collect();
        for column in empty.into_iter().rev() {
            self.columns.remove(column);
            self.align.remove(column);
            self.widths.remove(column);
            self.rows.iter_mut().for_each(|row| {
                row.remove(column);
            });
        }
        if !dropped.is_empty() {
            self.note = format!("The source gives no {} for any of these rows; the column is left out.", dropped.join(" or "));
        }
        self
    }

    /// Prints at most `limit` rows in the PDF, with a line pointing to the full CSV.
    pub(super) fn limited(mut self, limit: usize) -> Self {
        if self.rows.len() > limit {
            self.more = format!(
                "The first {limit} of {} rows are shown; the full list comes with this report as {}.csv.",
                thousands(self.rows.len() as i64),
                self.name
            );
        }
        self.shown = limit.min(self.rows.len());
        self
    }

    /// Prints only the first `shown` rows in the PDF, with `more` under them (or instead of the
    /// table when none is shown); the CSV export keeps every row.
    pub(super) fn showing(mut self, shown: usize, more: String) -> Self {
        self.shown = shown.min(self.rows.len());
        if self.shown < self.rows.len() {
            self.more = more;
        }
        self
    }

    /// A table of counts by name with each one's share of `total`: `(name, title, empty text)`,
    /// `(name heading, count heading)`.
    pub(super) fn shares(
        (name, title, empty): (&str, &str, &str),
        (key, counted): (&str, &str),
        counts: &BTreeMap<String, u64>,
        total: u64,
    ) -> Self {
        let mut table = Table::new(name, title, &[(key, "left", 2.0), (counted, "right", 1.0), ("Share", "right", 1.0)], empty);
        for (label, value) in counts {
            let share = (total > 0).then(|| *value as f64 / total as f64 * 100.0);
            table.row(vec![crate::format::label(label), thousands(*value as i64), pct(share)]);
        }
        table
    }

    pub(super) fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.columns.len());
        self.rows.push(cells);
    }
}

/// Characters of one table cell the PDF prints; a longer text (a pasted log in an incident
/// subject, say) is cut with "…" so it cannot blow up the layout.
pub const CELL_CHARS: usize = 160;

fn clip(text: &str) -> String {
    if text.chars().count() <= CELL_CHARS {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(CELL_CHARS - 1).collect::<String>())
    }
}

fn clipped_rows<S: serde::Serializer>(rows: &[Vec<String>], serializer: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut sequence = serializer.serialize_seq(Some(rows.len()))?;
    for row in rows {
        sequence.serialize_element(&row.iter().map(|cell| clip(cell)).collect::<Vec<_>>())?;
    }
    sequence.end()
}

/// Rows a long table prints in the PDF (failed jobs, stacks, …); the CSV has every row.
pub(super) const TABLE_ROWS: usize = 25;

/// Opened and resolved counts by priority, with the total.
pub(super) fn priority_rows(counts: [&PriorityCounts; 2]) -> Vec<Vec<String>> {
    let cells = |pick: fn(&PriorityCounts) -> u64| counts.map(|count| thousands(pick(count) as i64));
    let mut rows: Vec<Vec<String>> = Priority::ALL
        .into_iter()
        .map(|priority| {
            let [opened, resolved] = cells(match priority {
                Priority::High => |count| count.high,
                Priority::Medium => |count| count.medium,
                Priority::Low => |count| count.low,
            });
            vec![priority.label().to_owned(), opened, resolved]
        })
        .collect();
    let [opened, resolved] = cells(|count| count.total);
    rows.push(vec!["Total".to_owned(), opened, resolved]);
    rows
}
