//! How every number, date and change reads in the report — one home for sentences, tables and
//! chart labels alike, so a value cannot read one way in a table and another on an axis. (The
//! insights, in the metrics crate, share `opsreport_model::format` with this module.)

use chrono::{Datelike, NaiveDate};
use opsreport_model::format::{dollars, duration_minutes};
pub use opsreport_model::format::{plural, thousands};
use opsreport_model::{PeriodId, PeriodKind, YearMonth};

/// How values are written on axes and labels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Unit {
    /// Whole numbers with thousands separators.
    Count,
    /// Percent with one decimal.
    Percent,
    /// A change of a percentage, in percentage points with one decimal.
    Points,
    /// Minutes, shown as minutes or hours.
    Minutes,
    /// Hours.
    Hours,
    /// Money in dollars.
    Money,
    /// Bytes, shown in binary units.
    Bytes,
    /// Values already in one binary unit (index into `BINARY_UNITS`: 4 = TiB), so an axis
    /// steps by round numbers of it (5, 10, 15 TiB).
    Binary(usize),
}

/// Binary byte units, from bytes up.
pub const BINARY_UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/// The binary unit a largest value of `max` bytes reads best in, and its size in bytes.
pub fn binary_unit(max: f64) -> (usize, f64) {
    let mut unit = 0;
    let mut size = 1.0;
    while max >= size * 1024.0 && unit < BINARY_UNITS.len() - 1 {
        size *= 1024.0;
        unit += 1;
    }
    (unit, size)
}

impl Unit {
    /// A value as text.
    pub fn format(self, value: f64) -> String {
        match self {
            Unit::Count => thousands(value.round() as i64),
            Unit::Percent => format!("{value:.1}%"),
            Unit::Points => format!("{value:.1} pts"),
            Unit::Minutes => duration_minutes(value),
            Unit::Hours => format!("{value:.1} h"),
            Unit::Money if value.abs() >= 10_000.0 => format!("${}", thousands(value.round() as i64)),
            Unit::Money => dollars(value),
            Unit::Bytes => bytes(value),
            Unit::Binary(unit) => format!("{value:.1} {}", BINARY_UNITS[unit.min(BINARY_UNITS.len() - 1)]),
        }
    }

    /// Axis tick text (shorter than labels), with `places` decimals: as many as the axis' step
    /// needs, so neighbouring ticks never read alike ("0.5", "1.0", "1.5" h, not "0, 0, 1").
    pub fn tick(self, value: f64, places: usize) -> String {
        match self {
            Unit::Percent => format!("{value:.places$}%"),
            Unit::Money if places == 0 => format!("${}", thousands(value.round() as i64)),
            Unit::Money => format!("${value:.places$}"),
            Unit::Minutes | Unit::Hours | Unit::Points => format!("{value:.places$}"),
            Unit::Binary(unit) if places == 0 => {
                format!("{} {}", Unit::Count.format(value), BINARY_UNITS[unit.min(BINARY_UNITS.len() - 1)])
            }
            Unit::Binary(unit) => format!("{value:.places$} {}", BINARY_UNITS[unit.min(BINARY_UNITS.len() - 1)]),
            Unit::Count | Unit::Bytes => self.format(value),
        }
    }
}

/// Bytes in binary units (KiB, MiB, GiB, TiB).
pub fn bytes(value: f64) -> String {
    let units = BINARY_UNITS;
    let mut scaled = value;
    let mut unit = 0;
    while scaled.abs() >= 1024.0 && unit < units.len() - 1 {
        scaled /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{} B", thousands(scaled as i64)) } else { format!("{scaled:.1} {}", units[unit]) }
}

/// `n/a` for a null.
pub fn or_na(value: Option<String>) -> String {
    value.unwrap_or_else(|| "n/a".to_owned())
}

/// A percentage with one decimal, `n/a` for a null.
pub fn pct(value: Option<f64>) -> String {
    or_na(value.map(|value| Unit::Percent.format(value)))
}

/// A count with thousands separators, `n/a` for a null.
pub fn count(value: Option<u64>) -> String {
    or_na(value.map(|value| thousands(value as i64)))
}

/// A count with its noun, singular for one: `1 instance`, `3 instances`, `n/a instances`.
pub fn counted(value: Option<u64>, one: &str, many: &str) -> String {
    value.map_or_else(|| format!("n/a {many}"), |value| plural(value, one, many))
}

/// A duration in minutes (minutes or hours), `n/a` for a null.
pub fn minutes(value: Option<f64>) -> String {
    or_na(value.map(|value| Unit::Minutes.format(value)))
}

/// Dollars, `n/a` for a null.
pub fn money(value: Option<f64>) -> String {
    or_na(value.map(|value| Unit::Money.format(value)))
}

/// A change with its sign (`+3`, `−2`, `no change`).
pub fn signed(value: f64, unit: Unit) -> String {
    if value > 0.0 {
        format!("+{}", unit.format(value))
    } else if value < 0.0 {
        format!("−{}", unit.format(-value))
    } else {
        "no change".to_owned()
    }
}

/// The change from `before` to `now` in percent, if both exist and `before` is not 0.
pub fn change_pct(now: Option<f64>, before: Option<f64>) -> Option<f64> {
    match (now, before) {
        (Some(now), Some(before)) if before != 0.0 => Some((now - before) / before * 100.0),
        _ => None,
    }
}

/// A number with `places` decimals (`12.5`, `20`): hours allocated, hours used.
pub fn decimal(value: f64, places: usize) -> String {
    format!("{value:.places$}")
}

/// Hours with `places` decimals and the unit: `12.5 h`.
pub fn hours(value: f64, places: usize) -> String {
    format!("{} h", decimal(value, places))
}

/// A percentage with `places` decimals: `99.950%` (availability), `85%` (a fill ratio).
pub fn percent_places(value: f64, places: usize) -> String {
    format!("{}%", decimal(value, places))
}

/// A mean customer-satisfaction score out of 5: `4.67 / 5`.
pub fn csat(value: f64) -> String {
    format!("{} / 5", decimal(value, 2))
}

/// Period-over-period text for a value that is itself a percentage (points, not percent);
/// `last` names the earlier period (`last month`, [`opsreport_model::PeriodKind::words`]).
pub fn points_change(now: Option<f64>, before: Option<f64>, last: &str) -> String {
    match (now, before) {
        (Some(now), Some(before)) => {
            let delta = now - before;
            if delta.abs() < 0.05 {
                format!("no change vs {last}")
            } else {
                format!("{}{:.1} pts vs {last}", if delta > 0.0 { "+" } else { "−" }, delta.abs())
            }
        }
        _ => "no comparison".into(),
    }
}

/// Period-over-period text for a count or amount (percent); `last` names the earlier period.
pub fn relative_change(now: Option<f64>, before: Option<f64>, last: &str) -> String {
    match change_pct(now, before) {
        Some(change) if change.abs() < 0.05 => format!("no change vs {last}"),
        Some(change) => format!("{}{:.1}% vs {last}", if change > 0.0 { "+" } else { "−" }, change.abs()),
        None => "no comparison".into(),
    }
}

/// `2026-10` as `October 2026`.
pub fn month_label(month: YearMonth) -> String {
    month.first_day().format("%B %Y").to_string()
}

/// `2026-10` as `Oct 26`.
pub fn short_month(month: YearMonth) -> String {
    month.first_day().format("%b %y").to_string()
}

/// `2026-10` as `Oct 2026` (a month in a table, where `Oct 26` could read as a day).
pub fn table_month(month: YearMonth) -> String {
    month.first_day().format("%b %Y").to_string()
}

/// `2026-11-01` as `1 November 2026` (a text that is no date as it is).
pub fn date_label(date: &str) -> String {
    NaiveDate::parse_from_str(date, "%Y-%m-%d").map(day_label).unwrap_or_else(|_| date.to_owned())
}

/// A day as a narrow column prints it: `1 Nov 2026`.
pub fn short_day(date: NaiveDate) -> String {
    format!("{} {}", date.day(), date.format("%b %Y"))
}

/// A day as `1 November 2026`.
pub fn day_label(date: NaiveDate) -> String {
    format!("{} {}", date.day(), date.format("%B %Y"))
}

/// `2026-10-05T10:15:00Z` as `2026-10-05 10:15 UTC`: zero seconds are dropped, the minutes never.
pub fn timestamp_label(text: &str) -> String {
    let text = text.replace('T', " ");
    let text = text.trim_end_matches('Z');
    let text = if text.len() > 16 { text.strip_suffix(":00").unwrap_or(text) } else { text };
    format!("{text} UTC")
}

/// `2026-08-10` as `10 Aug` (a week on a chart axis, whose caption names the year).
pub fn day_month(date: NaiveDate) -> String {
    date.format("%-d %b").to_string()
}

/// A time as a table cell prints it: `2026-10-03 14:05` in `zone`, to the minute, without the
/// zone (the table's title names it once, [`times_in`]); a text that is not a time stays as it is.
pub fn clock_in(text: &str, zone: chrono_tz::Tz) -> String {
    if !text.contains('T') {
        return text.to_owned();
    }
    match chrono::DateTime::parse_from_rfc3339(text) {
        Ok(instant) => instant.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string(),
        Err(_) => timestamp_label(text),
    }
}

/// A table's title with the zone its times are in, once: "Failed backup jobs (times in UTC)".
pub fn times_in(title: &str, zone: chrono_tz::Tz) -> String {
    format!("{title} (times in {})", zone.name())
}

/// A trend point's period on a chart axis: a month as `Oct 26`, a week by its Monday, `19 Oct`.
pub fn axis_period(period: PeriodId) -> String {
    match period.kind() {
        PeriodKind::Weekly => day_month(period.first_day()),
        PeriodKind::Monthly | PeriodKind::Quarterly => short_month(YearMonth::of_date(period.first_day())),
    }
}

/// A period as a table cell: `Oct 2026`, `W43 2026`, `Q3 2026`.
pub fn short_period(period: PeriodId) -> String {
    match period.kind() {
        PeriodKind::Weekly => format!("W{} {}", period.number(), period.year()),
        PeriodKind::Quarterly => format!("Q{} {}", period.number(), period.year()),
        PeriodKind::Monthly => table_month(YearMonth::of_date(period.first_day())),
    }
}

/// A period as the cover prints it: `2026-10` as `October 2026`, `2026-W44` as
/// `Week 44 · 26 Oct – 1 Nov 2026`, `2026-Q4` as `Q4 2026 · October – December`.
pub fn period_label(period: PeriodId) -> String {
    let (first_day, last_day) = (period.first_day(), period.last_day());
    match period.kind() {
        PeriodKind::Monthly => month_label(YearMonth::of_date(first_day)),
        PeriodKind::Weekly => {
            format!("Week {} · {} – {}", period.number(), first_day.format("%-d %b"), last_day.format("%-d %b %Y"))
        }
        PeriodKind::Quarterly => {
            format!("Q{} {} · {} – {}", period.number(), period.year(), first_day.format("%B"), last_day.format("%B"))
        }
    }
}

/// A source older than `[freshness]` allows, in one clause: "Patch details of account
/// 123456789012: newest record of 27 October 2026, 4 days before it was due (3 days allowed)".
pub fn stale_sentence(source: &opsreport_model::freshness::StaleSource) -> String {
    let account = source.account_id.as_ref().map(|id| format!(" of account {id}")).unwrap_or_default();
    format!(
        "{}{account}: newest record of {}, {} before it was due ({} allowed)",
        label(source.dataset.as_str()),
        day_label(source.newest),
        plural(u64::from(source.days_behind), "day", "days"),
        plural(u64::from(source.lag_days), "day", "days"),
    )
}

/// Why a report is held — sent only when its user confirms, and listed by the run that wrote
/// it: accounts left out of a customer's review, sources older than `[freshness]` allows.
pub fn held_reasons(left_out: usize, stale: &[opsreport_model::freshness::StaleSource]) -> Vec<String> {
    let mut reasons = Vec::new();
    if left_out > 0 {
        reasons.push(format!(
            "This review is partial: {} of the customer's not in it.",
            plural(left_out as u64, "account is", "accounts are")
        ));
    }
    if !stale.is_empty() {
        let sources: Vec<String> = stale.iter().take(5).map(stale_sentence).collect();
        let more = stale.len() - sources.len();
        reasons.push(format!(
            "Its data is not current: {}{}.",
            sources.join("; "),
            if more > 0 { format!(" and {more} more") } else { String::new() }
        ));
    }
    reasons
}

/// A priority as every table and chart names it: "P2 (Medium)" for the contract's `Medium`;
/// a value outside the contract as [`label`] writes it.
pub fn priority_label(raw: &str) -> String {
    opsreport_model::metrics::Priority::from_name(raw).map_or_else(|| label(raw), |priority| priority.label().to_owned())
}

/// A name from the contract or the data (`AutoRemediated`, `service_requests`, `ood`) as a reader
/// reads it: the report's own terms by a fixed table, anything else split into words.
pub fn label(raw: &str) -> String {
    let known = match raw {
        "AutoRemediated" => "Auto-remediated",
        "FalsePositive" => "False positive",
        "IncidentCreated" => "Incident created",
        "ood" => "Operations on Demand",
        "ood_hours" => "OOD hours",
        "ood_engagements" => "OOD engagements",
        "rfcs" => "Changes (RFCs)",
        "trusted_advisor" => "Trusted Advisor",
        "sla" => "SLA",
        "one_time" => "One-time",
        "EBSSnapshot" => "EBS snapshots",
        "BackupVault" => "Backup vault",
        "NONPROD" => "Non-production",
        "PROD" => "Production",
        "ok" => "OK",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_owned();
    }
    // Words already (`AMS stack`) and names (`CloudWatch`) stay as they are, but for a capital
    // first letter; abbreviations (EC2, RDS, S3) too; a shouted word (`COMPLETED`) is
    // capitalised; `snake_case` becomes words.
    if raw.contains(' ') {
        return raw.to_owned();
    }
    let letters = raw.chars().filter(|c| c.is_alphabetic()).count();
    if !raw.chars().any(char::is_lowercase) {
        return if letters <= 4 { raw.to_owned() } else { capitalised(&raw.to_lowercase()) };
    }
    if raw.contains('_') {
        return capitalised(&raw.replace('_', " ").to_lowercase());
    }
    capitalised(raw)
}

/// `text` with a capital first letter.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_as_words() {
        assert_eq!(label("AutoRemediated"), "Auto-remediated");
        assert_eq!(label("FalsePositive"), "False positive");
        assert_eq!(label("service_requests"), "Service requests");
        assert_eq!(label("backup_jobs"), "Backup jobs");
        assert_eq!(label("ood"), "Operations on Demand");
        assert_eq!(label("Incident"), "Incident");
        assert_eq!(label("EC2"), "EC2");
        assert_eq!(label("S3"), "S3");
        assert_eq!(label("COMPLETED"), "Completed");
        assert_eq!(label("EBSSnapshot"), "EBS snapshots");
        assert_eq!(label("cost_optimizing"), "Cost optimizing");
        assert_eq!(label("one_time"), "One-time");
        assert_eq!(label("AMS stack"), "AMS stack");
        assert_eq!(label("CloudWatch"), "CloudWatch");
        assert_eq!(label("error"), "Error");
        assert_eq!(label("IncidentCreated"), "Incident created");
        assert_eq!(label(""), "");
    }

    #[test]
    fn values_are_formatted_for_print() {
        assert_eq!(Unit::Count.format(1234567.0), "1,234,567");
        assert_eq!(Unit::Percent.format(99.8765), "99.9%");
        assert_eq!(Unit::Minutes.format(90.0), "90 min");
        assert_eq!(Unit::Minutes.format(150.0), "2.5 h");
        assert_eq!(Unit::Money.format(1234.5), "$1,234.50");
        assert_eq!(Unit::Money.format(25_000.4), "$25,000");
        assert_eq!(bytes(1536.0), "1.5 KiB");
        assert_eq!(bytes(3.0 * 1024.0 * 1024.0 * 1024.0 * 1024.0), "3.0 TiB");
    }

    #[test]
    fn labels_read_well() {
        let id = |label: &str| PeriodId::parse(label).unwrap();
        let october = YearMonth::parse("2026-10").unwrap();
        assert_eq!(month_label(october), "October 2026");
        assert_eq!(short_month(october), "Oct 26");
        assert_eq!(date_label("2026-11-01"), "1 November 2026");
        assert_eq!(timestamp_label("2026-10-05T10:15:00Z"), "2026-10-05 10:15 UTC");
        assert_eq!(timestamp_label("2026-10-31T02:00:00Z"), "2026-10-31 02:00 UTC");
        assert_eq!(timestamp_label("2026-10-31T02:00:07Z"), "2026-10-31 02:00:07 UTC");
        assert_eq!(clock_in("2026-10-05T14:15:00Z", chrono_tz::America::New_York), "2026-10-05 10:15");
        assert_eq!(clock_in("2026-11-05T14:15:07Z", chrono_tz::America::New_York), "2026-11-05 09:15");
        assert_eq!(clock_in("2026-10-05T14:15:00Z", chrono_tz::UTC), "2026-10-05 14:15");
        assert_eq!(clock_in("2026-10-05T14:15:00Z", chrono_tz::Asia::Tokyo), "2026-10-05 23:15");
        assert_eq!(clock_in("2026-10-05", chrono_tz::Asia::Tokyo), "2026-10-05");
        assert_eq!(
            times_in("Failed backup jobs", chrono_tz::America::New_York),
            "Failed backup jobs (times in America/New_York)"
        );
        assert_eq!(points_change(Some(95.0), Some(93.0), "last month"), "+2.0 pts vs last month");
        assert_eq!(
            [short_period(id("2026-10")), short_period(id("2026-W43")), short_period(id("2026-Q3"))],
            ["Oct 2026", "W43 2026", "Q3 2026"]
        );
        assert_eq!(period_label(id("2026-W01")), "Week 1 · 29 Dec – 4 Jan 2026");
        assert_eq!(period_label(id("2026-Q4")), "Q4 2026 · October – December");
        assert_eq!(axis_period(id("2026-W43")), "19 Oct");
        assert_eq!(relative_change(Some(90.0), Some(100.0), "last month"), "−10.0% vs last month");
        assert_eq!(relative_change(Some(1.0), None, "last month"), "no comparison");
    }
}
