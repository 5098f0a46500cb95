//! The meeting around the material: its agenda (the notes', or the kind's proposed one), who was
//! invited and who attended, and when the next meeting is. The material opens with the agenda
//! and closes with the action items and the next meeting.

use opsreport_model::PeriodKind;
use serde::Serialize;

use super::prelude::*;

/// The meeting as the template prints it.
#[derive(Serialize)]
pub(super) struct Meeting {
    /// Agenda rows: item, owner.
    agenda: Vec<AgendaRow>,
    /// Whether the agenda is the kind's proposal (the notes have none).
    proposed: bool,
    attendees: Vec<AttendeeRow>,
    /// The next meeting, or a sentence saying it is not set.
    next_meeting: String,
}

#[derive(Serialize)]
struct AgendaRow {
    item: String,
    owner: String,
}

#[derive(Serialize)]
struct AttendeeRow {
    name: String,
    organisation: String,
    attended: String,
}

/// The agenda a kind of meeting proposes when the notes have none: the material's own order.
fn proposed_agenda(kind: PeriodKind) -> &'static [&'static str] {
    match kind {
        PeriodKind::Weekly => &[
            "Actions from the last review",
            "Outstanding incidents and problem records",
            "Security events",
            "Patching and the coming change window",
            "12-week operational trend",
            "Application-operator concerns",
            "Weekend schedule and next review",
        ],
        PeriodKind::Monthly => &[
            "Summary and insights",
            "Service level performance and trends",
            "Financial analysis",
            "Product roadmap and feature requests",
            "Customer satisfaction",
            "Action items and next meeting",
        ],
        PeriodKind::Quarterly => &[
            "Scorecard and SLA performance",
            "Trends over six months",
            "Financials and cost-savings initiatives",
            "Risks and mitigations",
            "Plans for the next 3, 6, 9 and 12 months",
            "Key improvement initiatives and roadmap",
            "Action items and next meeting",
        ],
    }
}

/// The meeting of a report of `kind`.
pub(super) fn meeting(notes: &Notes, kind: PeriodKind) -> Meeting {
    let csdm = notes.csdm.as_ref().map(|person| person.name.clone()).unwrap_or_else(|| "Service delivery manager".to_owned());
    let proposed = notes.agenda.is_empty();
    let agenda = if proposed {
        proposed_agenda(kind).iter().map(|item| AgendaRow { item: (*item).to_owned(), owner: csdm.clone() }).collect()
    } else {
        notes
            .agenda
            .iter()
            .map(|item| AgendaRow { item: item.item.clone(), owner: item.owner.clone().unwrap_or_default() })
            .collect()
    };
    let attendees = notes
        .attendees
        .iter()
        .map(|person| AttendeeRow {
            name: person.name.clone(),
            organisation: person.organisation.clone().unwrap_or_default(),
            attended: match person.attended {
                Some(true) => "Attended",
                Some(false) => "Apologies",
                None => "Invited",
            }
            .to_owned(),
        })
        .collect();
    let next_meeting = match &notes.next_meeting {
        Some(when) => {
            let date = chrono::NaiveDate::parse_from_str(when, "%Y-%m-%d").ok();
            date.map(crate::format::day_label).unwrap_or_else(|| when.clone())
        }
        None => "Not scheduled yet: agree the date before closing this meeting.".to_owned(),
    };
    Meeting { agenda, proposed, attendees, next_meeting }
}
