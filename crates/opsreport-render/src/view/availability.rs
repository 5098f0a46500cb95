//! The view of the report's "Availability" part, from `metrics.availability`: its sentences,
//! figures, charts and tables, every number formatted.

use super::prelude::*;

/// The availability section.
pub(super) fn availability(cx: &Context) -> Section {
    let (m, charts) = (cx.m, cx.charts);
    let av = &m.availability;
    let mut av_table = Table::new(
        "availability",
        "Availability against target",
        &[
            ("Endpoint", "left", 1.2),
            ("Availability", "right", 1.0),
            ("Target", "right", 0.8),
            ("Downtime", "right", 1.0),
            ("Allowed", "right", 1.0),
            ("Status", "left", 0.8),
        ],
        "No availability probes.",
    );
    for (label, endpoint) in [("Console", &av.console), ("API", &av.api)] {
        av_table.row(vec![
            label.into(),
            or_na(endpoint.pct.map(|v| percent_places(v, 3))),
            percent_places(endpoint.target_pct, 1),
            minutes(endpoint.downtime_minutes),
            or_na(endpoint.allowed_downtime_minutes.map(|allowed| Unit::Minutes.format(allowed))),
            match endpoint.target_met {
                Some(true) => "Met".into(),
                Some(false) => "Not met".into(),
                None => "n/a".into(),
            },
        ]);
    }
    section(
        SectionId::Availability,
        "Availability",
        &av.status,
        "Console and API availability from synthetic probes: the share of successful probes, and the minutes of downtime they imply.".into(),
        vec![("Console".into(), or_na(av.console.pct.map(|v| percent_places(v, 3)))), ("API".into(), or_na(av.api.pct.map(|v| percent_places(v, 3))))],
        charts,
        &[(
            ChartId::AvailabilityDaily,
            if crate::charts::availability_by_week(m) {
                "Downtime per week in minutes, console and API (weeks from Monday, in the report's time zone)"
            } else {
                "Downtime per day in minutes, console and API (days in the report's time zone)"
            },
        )],
        vec![av_table],
    )
}
