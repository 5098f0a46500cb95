//! The report period: one calendar month in an IANA time zone, as a half-open UTC interval.
//!
//! Every boundary (month, trend month, trend week) is local midnight in the report time zone,
//! converted to a UTC instant by the time-zone database, so DST months are 743 or 745 hours long
//! and nothing assumes a fixed offset.

use std::fmt;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Why a month, time zone or scheduled event could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// Not `YYYY-MM` with a month 01..12.
    #[error("invalid month {0:?}: write the month as YYYY-MM (for example 2026-10) or `previous`")]
    InvalidMonth(String),
    /// A well-formed month or date outside [`FIRST_MONTH`]..=[`LAST_MONTH`].
    #[error("{0} is outside the months a report can cover (2000-01 to 2099-12)")]
    OutOfRange(String),
    /// Not a name in the IANA time-zone database.
    #[error("unknown time zone {0:?}: use an IANA name such as UTC, Europe/Berlin or America/New_York")]
    UnknownTimeZone(String),
    /// The scheduled event is not JSON, or has no usable `time`.
    #[error("invalid scheduled event: {0}")]
    InvalidEvent(String),
}

/// The first month a report can cover: no data of the managed service is older.
pub const FIRST_MONTH: (i32, u32) = (2000, 1);
/// The last month a report can cover. Every date input (a month, an event time, a document date)
/// is checked against this one range, once, where it is read ([`YearMonth::new`],
/// [`check_date`]); nothing later has to handle a year 0 or a year 10000.
pub const LAST_MONTH: (i32, u32) = (2099, 12);

/// `date` if it lies in a month between [`FIRST_MONTH`] and [`LAST_MONTH`] (both included).
pub fn check_date(date: NaiveDate, what: &str) -> Result<NaiveDate, PeriodError> {
    let month = (date.year(), date.month());
    if (FIRST_MONTH..=LAST_MONTH).contains(&month) { Ok(date) } else { Err(PeriodError::OutOfRange(format!("{what} {date}"))) }
}

/// A calendar month, `YYYY-MM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    year: i32,
    month: u32,
}

impl YearMonth {
    /// A month from its year and number (1..=12), between [`FIRST_MONTH`] and [`LAST_MONTH`].
    pub fn new(year: i32, month: u32) -> Result<Self, PeriodError> {
        if !(1..=12).contains(&month) {
            return Err(PeriodError::InvalidMonth(format!("{year:04}-{month:02}")));
        }
        if !(FIRST_MONTH..=LAST_MONTH).contains(&(year, month)) {
            return Err(PeriodError::OutOfRange(format!("month {year:04}-{month:02}")));
        }
        Ok(Self { year, month })
    }

    /// Parses exactly `YYYY-MM`.
    pub fn parse(text: &str) -> Result<Self, PeriodError> {
        let invalid = || PeriodError::InvalidMonth(text.chars().take(32).collect());
        let bytes = text.as_bytes();
        if bytes.len() != 7 || bytes[4] != b'-' {
            return Err(invalid());
        }
        if !bytes[..4].iter().chain(&bytes[5..]).all(u8::is_ascii_digit) {
            return Err(invalid());
        }
        let year: i32 = text[..4].parse().map_err(|_| invalid())?;
        let month: u32 = text[5..].parse().map_err(|_| invalid())?;
        if !(1..=12).contains(&month) {
            return Err(invalid());
        }
        Self::new(year, month)
    }

    /// The month containing `date`.
    pub fn of_date(date: NaiveDate) -> Self {
        Self { year: date.year(), month: date.month() }
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month number, 1..=12.
    pub fn month(self) -> u32 {
        self.month
    }

    /// The first day of the month.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("a valid month has a first day")
    }

    /// The last day of the month.
    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().expect("a month's last day exists")
    }

    /// Adds (or with a negative count subtracts) whole months.
    pub fn plus_months(self, months: i32) -> Self {
        let index = self.year * 12 + (self.month as i32 - 1) + months;
        Self { year: index.div_euclid(12), month: index.rem_euclid(12) as u32 + 1 }
    }

    /// The following month.
    pub fn next(self) -> Self {
        self.plus_months(1)
    }

    /// The preceding month.
    pub fn previous(self) -> Self {
        self.plus_months(-1)
    }

    /// Months from `self` to `last`, both included, oldest first (empty when `last < self`).
    pub fn through(self, last: YearMonth) -> Vec<YearMonth> {
        let mut months = Vec::new();
        let mut month = self;
        while month <= last {
            months.push(month);
            month = month.next();
        }
        months
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{:04}-{:02}", self.year, self.month)
    }
}

impl std::str::FromStr for YearMonth {
    type Err = PeriodError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

/// Parses an IANA time-zone name (`UTC`, `Europe/Berlin`, ...).
pub fn parse_time_zone(name: &str) -> Result<Tz, PeriodError> {
    name.parse::<Tz>().map_err(|_| PeriodError::UnknownTimeZone(name.chars().take(64).collect()))
}

/// The UTC instant of local midnight starting `date` in `zone`.
///
/// Where midnight repeats (a DST fall-back at 00:00) the earlier instant is used; where it does
/// not exist (a spring-forward gap at 00:00, as in some South American zones) the first local
/// time after the gap is used, which is when that day really starts.
pub fn local_midnight(date: NaiveDate, zone: Tz) -> DateTime<Utc> {
    let midnight: NaiveDateTime = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    let mut local = midnight;
    // Gaps are at most a few hours long; probing minute by minute finds the end of any real one.
    for _ in 0..(26 * 60) {
        if let Some(instant) = zone.from_local_datetime(&local).earliest() {
            return instant.with_timezone(&Utc);
        }
        local += Duration::minutes(1);
    }
    unreachable!("the time-zone database has no gap longer than a day")
}

/// One report month in one time zone: the half-open interval `[start, end)` in UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportPeriod {
    month: YearMonth,
    time_zone: Tz,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl ReportPeriod {
    /// The period of `month` in `time_zone`.
    pub fn new(month: YearMonth, time_zone: Tz) -> Self {
        Self {
            month,
            time_zone,
            start: local_midnight(month.first_day(), time_zone),
            end: local_midnight(month.next().first_day(), time_zone),
        }
    }

    /// The last full month before `instant` in `time_zone`: the month before the one that
    /// contains `instant` locally (on the 1st at 00:00 the month that just ended).
    pub fn previous_full_month(instant: DateTime<Utc>, time_zone: Tz) -> Self {
        let local_date = instant.with_timezone(&time_zone).date_naive();
        let mut current = Self::new(YearMonth::of_date(local_date), time_zone);
        // A local date can belong to a month whose start (after a midnight gap) is later than
        // the instant; step back until the month really contains the instant.
        while instant < current.start {
            current = Self::new(current.month.previous(), time_zone);
        }
        Self::new(current.month.previous(), time_zone)
    }

    /// The month before an EventBridge scheduled event's `time`, in `time_zone`.
    ///
    /// Accepts any JSON object with a `time` string in RFC 3339 form, which is what EventBridge
    /// rules and EventBridge Scheduler put in a scheduled event.
    pub fn from_scheduled_event(event_json: &str, time_zone: Tz) -> Result<Self, PeriodError> {
        let time = scheduled_event_time(event_json)?;
        let period = Self::previous_full_month(time, time_zone);
        YearMonth::new(period.month.year, period.month.month)
            .map_err(|_| PeriodError::OutOfRange(format!("the event `time` {time} (report month {})", period.month)))?;
        Ok(period)
    }

    /// The report month.
    pub fn month(&self) -> YearMonth {
        self.month
    }

    /// The report time zone.
    pub fn time_zone(&self) -> Tz {
        self.time_zone
    }

    /// First instant of the period (local midnight on the 1st).
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// First instant after the period (local midnight on the 1st of the next month).
    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }

    /// `start <= instant < end`.
    pub fn contains(&self, instant: DateTime<Utc>) -> bool {
        self.start <= instant && instant < self.end
    }

    /// The same month rules, `months` months earlier (or later, for a negative count).
    pub fn shifted(&self, months: i32) -> Self {
        Self::new(self.month.plus_months(-months), self.time_zone)
    }

    /// The previous month in the same time zone.
    pub fn previous(&self) -> Self {
        self.shifted(1)
    }

    /// The `count` months ending with this one, oldest first (the trend charts' months).
    pub fn trend_months(&self, count: u32) -> Vec<ReportPeriod> {
        (0..count as i32).rev().map(|back| self.shifted(back)).collect()
    }

    /// The `count` weeks (Monday 00:00 local) whose last week contains `end - 1µs`, oldest first.
    pub fn trend_weeks(&self, count: u32) -> Vec<Week> {
        let last_instant = self.end - Duration::microseconds(1);
        let last_local_date = last_instant.with_timezone(&self.time_zone).date_naive();
        let days_since_monday = last_local_date.weekday().num_days_from_monday() as i64;
        let last_monday = last_local_date - Duration::days(days_since_monday);
        (0..count as i64)
            .rev()
            .map(|back| {
                let monday = last_monday - Duration::weeks(back);
                Week {
                    monday,
                    start: local_midnight(monday, self.time_zone),
                    end: local_midnight(monday + Duration::weeks(1), self.time_zone),
                }
            })
            .collect()
    }

    /// The default document date: the day after the period ends (the 1st of the next month).
    pub fn default_generated_on(&self) -> NaiveDate {
        self.month.next().first_day()
    }

    /// The UTC months (partition months) that overlap `[from, self.end)`.
    pub fn utc_months_since(&self, from: DateTime<Utc>) -> Vec<YearMonth> {
        let last = (self.end - Duration::microseconds(1)).date_naive();
        YearMonth::of_date(from.date_naive()).through(YearMonth::of_date(last))
    }
}

impl fmt::Display for ReportPeriod {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{} ({})", self.month, self.time_zone.name())
    }
}

/// A trend week: Monday 00:00 local to the next Monday 00:00 local.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Week {
    /// The Monday that starts the week (local date).
    pub monday: NaiveDate,
    /// Monday 00:00 local, in UTC.
    pub start: DateTime<Utc>,
    /// The next Monday 00:00 local, in UTC.
    pub end: DateTime<Utc>,
}

/// The `time` of an EventBridge scheduled event.
pub fn scheduled_event_time(event_json: &str) -> Result<DateTime<Utc>, PeriodError> {
    let event: serde_json::Value = serde_json::from_str(event_json)
        .map_err(|error| PeriodError::InvalidEvent(format!("not JSON ({error}); pass the event as EventBridge sends it")))?;
    let time = event
        .get("time")
        .ok_or_else(|| PeriodError::InvalidEvent("no `time` field; an EventBridge scheduled event carries one".into()))?
        .as_str()
        .ok_or_else(|| {
            PeriodError::InvalidEvent("`time` is not a string; expected RFC 3339 such as 2026-11-02T06:00:00Z".into())
        })?;
    DateTime::parse_from_rfc3339(time).map(|instant| instant.with_timezone(&Utc)).map_err(|error| {
        PeriodError::InvalidEvent(format!(
            "`time` {:?} is not an RFC 3339 timestamp ({error}); expected for example 2026-11-02T06:00:00Z",
            time.chars().take(64).collect::<String>()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    fn zone(name: &str) -> Tz {
        parse_time_zone(name).unwrap()
    }

    #[test]
    fn utc_month_is_calendar_month() {
        let period = ReportPeriod::new(YearMonth::parse("2026-10").unwrap(), zone("UTC"));
        assert_eq!(period.start(), utc("2026-10-01T00:00:00Z"));
        assert_eq!(period.end(), utc("2026-11-01T00:00:00Z"));
        assert!(period.contains(utc("2026-10-31T23:59:59.999999Z")));
        assert!(!period.contains(utc("2026-11-01T00:00:00Z")));
    }

    #[test]
    fn new_york_march_is_one_hour_shorter_and_starts_at_five_utc() {
        // EST (UTC-5) on 1 March, EDT (UTC-4) from 8 March 2026: 31 days minus one hour.
        let period = ReportPeriod::new(YearMonth::parse("2026-03").unwrap(), zone("America/New_York"));
        assert_eq!(period.start(), utc("2026-03-01T05:00:00Z"));
        assert_eq!(period.end(), utc("2026-04-01T04:00:00Z"));
        assert_eq!((period.end() - period.start()).num_hours(), 31 * 24 - 1);
    }

    #[test]
    fn new_york_november_starts_at_four_utc_and_is_one_hour_longer() {
        let period = ReportPeriod::new(YearMonth::parse("2026-11").unwrap(), zone("America/New_York"));
        assert_eq!(period.start(), utc("2026-11-01T04:00:00Z"));
        assert_eq!(period.end(), utc("2026-12-01T05:00:00Z"));
        assert_eq!((period.end() - period.start()).num_hours(), 30 * 24 + 1);
    }

    #[test]
    fn berlin_october_has_the_fall_back_hour() {
        // CEST (UTC+2) on 1 October, CET (UTC+1) after 25 October 2026.
        let period = ReportPeriod::new(YearMonth::parse("2026-10").unwrap(), zone("Europe/Berlin"));
        assert_eq!(period.start(), utc("2026-09-30T22:00:00Z"));
        assert_eq!(period.end(), utc("2026-10-31T23:00:00Z"));
        assert_eq!((period.end() - period.start()).num_hours(), 31 * 24 + 1);
        let march = ReportPeriod::new(YearMonth::parse("2026-03").unwrap(), zone("Europe/Berlin"));
        assert_eq!((march.end() - march.start()).num_hours(), 31 * 24 - 1);
    }

    #[test]
    fn leap_february_has_29_days() {
        let leap = ReportPeriod::new(YearMonth::parse("2028-02").unwrap(), zone("UTC"));
        assert_eq!((leap.end() - leap.start()).num_days(), 29);
        assert_eq!(YearMonth::parse("2028-02").unwrap().last_day(), NaiveDate::from_ymd_opt(2028, 2, 29).unwrap());
        let common = ReportPeriod::new(YearMonth::parse("2026-02").unwrap(), zone("UTC"));
        assert_eq!((common.end() - common.start()).num_days(), 28);
    }

    #[test]
    fn previous_on_the_first_at_midnight_is_the_month_just_ended() {
        let berlin = zone("Europe/Berlin");
        // 2026-11-01 00:00 in Berlin is 2026-10-31T23:00Z.
        let period = ReportPeriod::previous_full_month(utc("2026-10-31T23:00:00Z"), berlin);
        assert_eq!(period.month().to_string(), "2026-10");
        // One microsecond earlier, October is not over yet: September.
        let earlier = ReportPeriod::previous_full_month(utc("2026-10-31T22:59:59.999999Z"), berlin);
        assert_eq!(earlier.month().to_string(), "2026-09");
        // January rolls back into the previous year.
        let january = ReportPeriod::previous_full_month(utc("2027-01-01T00:00:00Z"), zone("UTC"));
        assert_eq!(january.month().to_string(), "2026-12");
    }

    #[test]
    fn scheduled_events_at_month_boundaries() {
        let new_york = zone("America/New_York");
        // 2026-12-01T04:59Z is still 30 November 23:59 in New York: the previous month is October.
        let event =
            r#"{"version":"0","detail-type":"Scheduled Event","source":"aws.events","time":"2026-12-01T04:59:00Z","detail":{}}"#;
        assert_eq!(ReportPeriod::from_scheduled_event(event, new_york).unwrap().month().to_string(), "2026-10");
        // At 05:00Z it is 1 December 00:00 local: November is complete.
        let event = r#"{"time":"2026-12-01T05:00:00Z"}"#;
        assert_eq!(ReportPeriod::from_scheduled_event(event, new_york).unwrap().month().to_string(), "2026-11");
        // The usual schedule, 06:00 on the 2nd.
        let event = r#"{"time":"2026-11-02T06:00:00Z"}"#;
        assert_eq!(ReportPeriod::from_scheduled_event(event, zone("UTC")).unwrap().month().to_string(), "2026-10");
    }

    #[test]
    fn bad_events_say_what_is_wrong() {
        let utc_zone = zone("UTC");
        for (event, needle) in [
            ("not json", "not JSON"),
            ("{}", "no `time`"),
            (r#"{"time": 5}"#, "not a string"),
            (r#"{"time": "yesterday"}"#, "not an RFC 3339"),
        ] {
            let message = ReportPeriod::from_scheduled_event(event, utc_zone).unwrap_err().to_string();
            assert!(message.contains(needle), "{message}");
        }
    }

    #[test]
    fn months_parse_strictly() {
        assert_eq!(YearMonth::parse("2026-01").unwrap().to_string(), "2026-01");
        for bad in ["2026-13", "2026-00", "2026-1", "26-01", "2026/01", "2026-01-01", "abcd-ef", "", "2026-1a"] {
            assert!(YearMonth::parse(bad).is_err(), "{bad:?}");
        }
        assert!(parse_time_zone("Mars/Olympus").is_err());
        assert!(parse_time_zone("Europe/Berlin").is_ok());
    }

    #[test]
    fn month_arithmetic_crosses_years() {
        let january = YearMonth::parse("2026-01").unwrap();
        assert_eq!(january.previous().to_string(), "2025-12");
        assert_eq!(january.plus_months(-13).to_string(), "2024-12");
        assert_eq!(january.plus_months(12).to_string(), "2027-01");
        assert_eq!(january.through(YearMonth::parse("2026-03").unwrap()).len(), 3);
    }

    #[test]
    fn twelve_weeks_end_with_the_week_of_the_last_instant() {
        // October 2026 ends on Saturday the 31st; its week starts Monday 26 October.
        let period = ReportPeriod::new(YearMonth::parse("2026-10").unwrap(), zone("Europe/Berlin"));
        let weeks = period.trend_weeks(12);
        assert_eq!(weeks.len(), 12);
        assert_eq!(weeks[11].monday, NaiveDate::from_ymd_opt(2026, 10, 26).unwrap());
        assert_eq!(weeks[0].monday, NaiveDate::from_ymd_opt(2026, 8, 10).unwrap());
        // The DST change on 25 October makes the week before the last one 169 hours long.
        assert_eq!((weeks[10].end - weeks[10].start).num_hours(), 169);
        assert_eq!(weeks[10].end, weeks[11].start);
    }

    #[test]
    fn trend_months_are_oldest_first_and_utc_months_cover_the_offset() {
        let period = ReportPeriod::new(YearMonth::parse("2026-11").unwrap(), zone("America/New_York"));
        let months: Vec<String> = period.trend_months(6).iter().map(|p| p.month().to_string()).collect();
        assert_eq!(months, ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]);
        // November in New York ends at 05:00Z on 1 December: the December UTC partition is needed.
        let partitions: Vec<String> = period.utc_months_since(period.start()).iter().map(ToString::to_string).collect();
        assert_eq!(partitions, ["2026-11", "2026-12"]);
        assert_eq!(period.default_generated_on(), NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
    }

    #[test]
    fn midnight_gap_starts_the_day_after_the_gap() {
        // America/Santiago skipped 00:00-01:00 on 2026-09-06 (DST starts at local midnight).
        let start = local_midnight(NaiveDate::from_ymd_opt(2026, 9, 6).unwrap(), zone("America/Santiago"));
        let local = start.with_timezone(&zone("America/Santiago"));
        assert_eq!(local.date_naive(), NaiveDate::from_ymd_opt(2026, 9, 6).unwrap());
        assert!(local.time() <= chrono::NaiveTime::from_hms_opt(1, 0, 0).unwrap());
    }
}
