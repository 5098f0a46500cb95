//! The report period: one ISO week, calendar month or calendar quarter in an IANA time zone, as
//! a half-open UTC interval.
//!
//! Every boundary (period, trend month, trend week) is local midnight in the report time zone,
//! converted to a UTC instant by the time-zone database, so DST months are 743 or 745 hours long,
//! DST weeks 167 or 169, and nothing assumes a fixed offset. The kind of a period decides its
//! length, its label (`2026-W44`, `2026-10`, `2026-Q4`), the period before it and its trend (12
//! weeks for a week; 6 months for a month and for a quarter: the quarter and the one before).

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
    /// Not `YYYY-Www` with an ISO week that exists in that year.
    #[error("invalid week {0:?}: write the ISO week as YYYY-Www (for example 2026-W44) or `previous`")]
    InvalidWeek(String),
    /// Not `YYYY-Qn` with a quarter 1..4.
    #[error("invalid quarter {0:?}: write the quarter as YYYY-Qn (for example 2026-Q4) or `previous`")]
    InvalidQuarter(String),
}

/// The kind of report, and so the length of its period (written `weekly`, `monthly`,
/// `quarterly`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodKind {
    /// An ISO week, Monday to Sunday: the weekly status review.
    Weekly,
    /// A calendar month: the monthly business review.
    #[default]
    Monthly,
    /// A calendar quarter: the quarterly business review.
    Quarterly,
}

impl PeriodKind {
    /// Every kind, shortest period first.
    pub const ALL: [PeriodKind; 3] = [PeriodKind::Weekly, PeriodKind::Monthly, PeriodKind::Quarterly];

    /// `weekly`, `monthly` or `quarterly` (flags, folders, `metrics.json`).
    pub fn name(self) -> &'static str {
        match self {
            PeriodKind::Weekly => "weekly",
            PeriodKind::Monthly => "monthly",
            PeriodKind::Quarterly => "quarterly",
        }
    }

    /// The kind named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// The `generate` flag that picks a period of this kind (`week`, `month`, `quarter`).
    pub fn flag(self) -> &'static str {
        match self {
            PeriodKind::Weekly => "week",
            PeriodKind::Monthly => "month",
            PeriodKind::Quarterly => "quarter",
        }
    }

    /// The meeting the kind's material is for: "Weekly status review", "Monthly business
    /// review", "Quarterly business review".
    pub fn title(self) -> &'static str {
        match self {
            PeriodKind::Weekly => "Weekly status review",
            PeriodKind::Monthly => "Monthly business review",
            PeriodKind::Quarterly => "Quarterly business review",
        }
    }

    /// How the report's own sentences name a period of this kind ("this week", "vs last
    /// quarter"): one home, so the document, the deck and `metrics.json` say the same.
    pub fn words(self) -> PeriodWords {
        match self {
            PeriodKind::Weekly => PeriodWords {
                this: "this week",
                last: "last week",
                per: "per week",
                trend: "last 12 weeks",
                end: "the end of the week",
                period_end: "week end",
            },
            PeriodKind::Monthly => PeriodWords {
                this: "this month",
                last: "last month",
                per: "per month",
                trend: "last 6 months",
                end: "the end of the month",
                period_end: "month end",
            },
            // A quarter's trends are its six months, month by month.
            PeriodKind::Quarterly => PeriodWords {
                this: "this quarter",
                last: "last quarter",
                per: "per month",
                trend: "last 6 months",
                end: "the end of the quarter",
                period_end: "quarter end",
            },
        }
    }
}

/// A kind's words for its period ([`PeriodKind::words`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeriodWords {
    /// `this month`, `this week`, `this quarter`.
    pub this: &'static str,
    /// `last month`, `last week`, `last quarter`.
    pub last: &'static str,
    /// The step of the trend charts: `per month`, `per week`.
    pub per: &'static str,
    /// The span of the trend charts: `last 6 months`, `last 12 weeks`.
    pub trend: &'static str,
    /// `the end of the month`, `the end of the week`, `the end of the quarter`.
    pub end: &'static str,
    /// `month end`, `week end`, `quarter end`.
    pub period_end: &'static str,
}

impl fmt::Display for PeriodKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

/// Parses a period label of any kind: `2026-W44`, `2026-10` or `2026-Q4`, as [`ReportPeriod::label`]
/// writes them. The kind is told by the label's shape.
pub fn parse_label(text: &str) -> Result<(PeriodKind, NaiveDate), PeriodError> {
    if text.contains('W') {
        parse_week(text).map(|monday| (PeriodKind::Weekly, monday))
    } else if text.contains('Q') {
        parse_quarter(text).map(|first| (PeriodKind::Quarterly, first))
    } else {
        YearMonth::parse(text).map(|month| (PeriodKind::Monthly, month.first_day()))
    }
}

/// The Monday of ISO week `YYYY-Www` (weeks 01..52, or 53 in a year that has one).
pub fn parse_week(text: &str) -> Result<NaiveDate, PeriodError> {
    let invalid = || PeriodError::InvalidWeek(text.chars().take(32).collect());
    let bytes = text.as_bytes();
    if bytes.len() != 8 || &bytes[4..6] != b"-W" || !bytes[..4].iter().chain(&bytes[6..]).all(u8::is_ascii_digit) {
        return Err(invalid());
    }
    let year: i32 = text[..4].parse().map_err(|_| invalid())?;
    let week: u32 = text[6..].parse().map_err(|_| invalid())?;
    let monday = NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Mon).ok_or_else(invalid)?;
    check_date(monday + Duration::days(6), "week")?;
    check_date(monday, "week")
}

/// The first day of quarter `YYYY-Qn`.
pub fn parse_quarter(text: &str) -> Result<NaiveDate, PeriodError> {
    let invalid = || PeriodError::InvalidQuarter(text.chars().take(32).collect());
    let bytes = text.as_bytes();
    if bytes.len() != 7
        || &bytes[4..6] != b"-Q"
        || !bytes[..4].iter().all(u8::is_ascii_digit)
        || !(b'1'..=b'4').contains(&bytes[6])
    {
        return Err(invalid());
    }
    let year: i32 = text[..4].parse().map_err(|_| invalid())?;
    let quarter = u32::from(bytes[6] - b'0');
    Ok(YearMonth::new(year, quarter * 3 - 2)?.first_day())
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

impl serde::Serialize for YearMonth {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for YearMonth {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Which period a report is of, without its time zone: its kind and first day. Written (in
/// `metrics.json`, the manifest, folder names) and read as its label, `2026-W44`, `2026-10` or
/// `2026-Q4`, so nothing downstream parses a label back. Its `Debug` is its label's, quoted, as
/// a label's text was: input fingerprints hash the notes' `Debug` text.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PeriodId {
    kind: PeriodKind,
    first_day: NaiveDate,
}

impl PeriodId {
    /// The period a label names ([`parse_label`]).
    pub fn parse(text: &str) -> Result<Self, PeriodError> {
        let (kind, first_day) = parse_label(text)?;
        Ok(Self { kind, first_day })
    }

    /// The kind of period.
    pub fn kind(self) -> PeriodKind {
        self.kind
    }

    /// The period's first day.
    pub fn first_day(self) -> NaiveDate {
        self.first_day
    }

    /// The period's last day.
    pub fn last_day(self) -> NaiveDate {
        next_first_day(self.kind, self.first_day) - Duration::days(1)
    }

    /// The period in `time_zone`.
    pub fn in_zone(self, time_zone: Tz) -> ReportPeriod {
        ReportPeriod::of_kind(self.kind, self.first_day, time_zone)
    }

    /// The period of the same kind after this one (`2026-W44` → `2026-W45`).
    pub fn next(self) -> Self {
        Self { kind: self.kind, first_day: next_first_day(self.kind, self.first_day) }
    }

    /// The ISO week number of a week's Monday, the quarter (1–4) of a quarter, the month (1–12)
    /// of a month.
    pub fn number(self) -> u32 {
        match self.kind {
            PeriodKind::Weekly => self.first_day.iso_week().week(),
            PeriodKind::Monthly => self.first_day.month(),
            PeriodKind::Quarterly => (self.first_day.month() - 1) / 3 + 1,
        }
    }

    /// The year the label names: the ISO year of a week, the calendar year otherwise.
    pub fn year(self) -> i32 {
        match self.kind {
            PeriodKind::Weekly => self.first_day.iso_week().year(),
            PeriodKind::Monthly | PeriodKind::Quarterly => self.first_day.year(),
        }
    }
}

impl fmt::Display for PeriodId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            PeriodKind::Weekly => write!(formatter, "{:04}-W{:02}", self.year(), self.number()),
            PeriodKind::Monthly => YearMonth::of_date(self.first_day).fmt(formatter),
            PeriodKind::Quarterly => write!(formatter, "{:04}-Q{}", self.year(), self.number()),
        }
    }
}

impl fmt::Debug for PeriodId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_string(), formatter)
    }
}

impl std::str::FromStr for PeriodId {
    type Err = PeriodError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl serde::Serialize for PeriodId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for PeriodId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
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

/// One report period in one time zone: the half-open interval `[start, end)` in UTC of the local
/// days `first_day..=last_day`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportPeriod {
    kind: PeriodKind,
    first_day: NaiveDate,
    time_zone: Tz,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl ReportPeriod {
    /// The period of `month` in `time_zone`.
    pub fn new(month: YearMonth, time_zone: Tz) -> Self {
        Self::of_kind(PeriodKind::Monthly, month.first_day(), time_zone)
    }

    /// The period of `kind` that contains the local date `day`.
    pub fn of_kind(kind: PeriodKind, day: NaiveDate, time_zone: Tz) -> Self {
        let first_day = match kind {
            PeriodKind::Weekly => day - Duration::days(i64::from(day.weekday().num_days_from_monday())),
            PeriodKind::Monthly => YearMonth::of_date(day).first_day(),
            PeriodKind::Quarterly => {
                NaiveDate::from_ymd_opt(day.year(), (day.month() - 1) / 3 * 3 + 1, 1).expect("a quarter starts on a day")
            }
        };
        let after = next_first_day(kind, first_day);
        Self { kind, first_day, time_zone, start: local_midnight(first_day, time_zone), end: local_midnight(after, time_zone) }
    }

    /// The period a label names (`2026-W44`, `2026-10`, `2026-Q4`), in `time_zone`.
    pub fn from_label(label: &str, time_zone: Tz) -> Result<Self, PeriodError> {
        Ok(PeriodId::parse(label)?.in_zone(time_zone))
    }

    /// The last full month before `instant` in `time_zone`: the month before the one that
    /// contains `instant` locally (on the 1st at 00:00 the month that just ended).
    pub fn previous_full_month(instant: DateTime<Utc>, time_zone: Tz) -> Self {
        Self::previous_full(PeriodKind::Monthly, instant, time_zone)
    }

    /// The last full period of `kind` before `instant` in `time_zone`: the one before the period
    /// that contains `instant` locally (on its first day at 00:00, the one that just ended).
    pub fn previous_full(kind: PeriodKind, instant: DateTime<Utc>, time_zone: Tz) -> Self {
        let local_date = instant.with_timezone(&time_zone).date_naive();
        let mut current = Self::of_kind(kind, local_date, time_zone);
        // A local date can belong to a period whose start (after a midnight gap) is later than
        // the instant; step back until the period really contains the instant.
        while instant < current.start {
            current = current.previous();
        }
        current.previous()
    }

    /// The month before an EventBridge scheduled event's `time`, in `time_zone`.
    ///
    /// Accepts any JSON object with a `time` string in RFC 3339 form, which is what EventBridge
    /// rules and EventBridge Scheduler put in a scheduled event.
    pub fn from_scheduled_event(event_json: &str, time_zone: Tz) -> Result<Self, PeriodError> {
        Self::from_event_of_kind(PeriodKind::Monthly, event_json, time_zone)
    }

    /// The last full period of `kind` before an EventBridge scheduled event's `time`.
    pub fn from_event_of_kind(kind: PeriodKind, event_json: &str, time_zone: Tz) -> Result<Self, PeriodError> {
        let time = scheduled_event_time(event_json)?;
        let period = Self::previous_full(kind, time, time_zone);
        check_date(period.first_day, "period")
            .and_then(|_| check_date(period.last_day(), "period"))
            .map_err(|_| PeriodError::OutOfRange(format!("the event `time` {time} (report period {})", period.label())))?;
        Ok(period)
    }

    /// The kind of period.
    pub fn kind(&self) -> PeriodKind {
        self.kind
    }

    /// The month of the period's last day: for a monthly report its month, for a week or a
    /// quarter the month its data and notes are anchored on (partitions are read up to it).
    pub fn month(&self) -> YearMonth {
        YearMonth::of_date(self.last_day())
    }

    /// Which period this is, without the time zone.
    pub fn id(&self) -> PeriodId {
        PeriodId { kind: self.kind, first_day: self.first_day }
    }

    /// The label: `2026-W44` (ISO week), `2026-10` or `2026-Q4`.
    pub fn label(&self) -> String {
        self.id().to_string()
    }

    /// The first local day of the period.
    pub fn first_day(&self) -> NaiveDate {
        self.first_day
    }

    /// The last local day of the period.
    pub fn last_day(&self) -> NaiveDate {
        next_first_day(self.kind, self.first_day).pred_opt().expect("a period's last day exists")
    }

    /// The calendar months the period covers whole: its month, or a quarter's three; none for a
    /// week (monthly figures such as billing cannot be cut to a week).
    pub fn whole_months(&self) -> Vec<YearMonth> {
        match self.kind {
            PeriodKind::Weekly => Vec::new(),
            PeriodKind::Monthly | PeriodKind::Quarterly => YearMonth::of_date(self.first_day).through(self.month()),
        }
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

    /// The period of the same kind `periods` periods earlier (or later, for a negative count).
    pub fn shifted(&self, periods: i32) -> Self {
        let first_day = match self.kind {
            PeriodKind::Weekly => self.first_day - Duration::weeks(i64::from(periods)),
            PeriodKind::Monthly => YearMonth::of_date(self.first_day).plus_months(-periods).first_day(),
            PeriodKind::Quarterly => YearMonth::of_date(self.first_day).plus_months(-3 * periods).first_day(),
        };
        Self::of_kind(self.kind, first_day, self.time_zone)
    }

    /// The previous period of the same kind in the same time zone.
    pub fn previous(&self) -> Self {
        self.shifted(1)
    }

    /// The `count` months ending with the period's last month, oldest first.
    pub fn trend_months(&self, count: u32) -> Vec<ReportPeriod> {
        let last = Self::new(self.month(), self.time_zone);
        (0..count as i32).rev().map(|back| last.shifted(back)).collect()
    }

    /// The periods of the trend charts, oldest first, the last ending with this period: 12
    /// weeks for a week, 6 months for a month, and for a quarter its months and the previous
    /// quarter's (6 months, so the QBR compares the two quarters month by month).
    pub fn trend(&self) -> Vec<ReportPeriod> {
        match self.kind {
            PeriodKind::Weekly => (0..12).rev().map(|back| self.shifted(back)).collect(),
            PeriodKind::Monthly | PeriodKind::Quarterly => self.trend_months(6),
        }
    }

    /// The month-period `months` calendar months before the month of the period's first day:
    /// where a dataset with that lookback starts being read.
    pub fn reach(&self, months: u32) -> Self {
        Self::new(YearMonth::of_date(self.first_day).plus_months(-(months as i32)), self.time_zone)
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

    /// The default document date: the day after the period ends (the 1st of the next month,
    /// the Monday after a week).
    pub fn default_generated_on(&self) -> NaiveDate {
        next_first_day(self.kind, self.first_day)
    }

    /// The UTC months (partition months) that overlap `[from, self.end)`.
    pub fn utc_months_since(&self, from: DateTime<Utc>) -> Vec<YearMonth> {
        let last = (self.end - Duration::microseconds(1)).date_naive();
        YearMonth::of_date(from.date_naive()).through(YearMonth::of_date(last))
    }
}

impl fmt::Display for ReportPeriod {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{} ({})", self.label(), self.time_zone.name())
    }
}

/// The first day of the period of `kind` after the one starting on `first_day`.
fn next_first_day(kind: PeriodKind, first_day: NaiveDate) -> NaiveDate {
    match kind {
        PeriodKind::Weekly => first_day + Duration::weeks(1),
        PeriodKind::Monthly => YearMonth::of_date(first_day).next().first_day(),
        PeriodKind::Quarterly => YearMonth::of_date(first_day).plus_months(3).first_day(),
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
    fn a_period_id_is_written_and_read_as_its_label() {
        for label in ["2026-W01", "2026-W53", "2026-10", "2026-Q4"] {
            let id = PeriodId::parse(label).unwrap();
            assert_eq!(id.to_string(), label);
            assert_eq!(format!("{id:?}"), format!("{label:?}"), "Debug is the label's, as fingerprints hash it");
            assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{label}\""));
            assert_eq!(serde_json::from_str::<PeriodId>(&format!("\"{label}\"")).unwrap(), id);
            assert_eq!(id.in_zone(Tz::UTC).id(), id);
        }
        assert_eq!(PeriodId::parse("2026-W53").unwrap().next().to_string(), "2027-W01");
        assert_eq!(PeriodId::parse("2026-Q4").unwrap().next().to_string(), "2027-Q1");
        assert_eq!(PeriodId::parse("2026-Q4").unwrap().last_day().to_string(), "2026-12-31");
        assert!(serde_json::from_str::<PeriodId>("\"2026-13\"").is_err());
        assert!(serde_json::from_str::<YearMonth>("\"2026-1\"").is_err());
        assert_eq!(serde_json::to_string(&YearMonth::new(2026, 3).unwrap()).unwrap(), "\"2026-03\"");
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

    #[test]
    fn iso_weeks_cross_year_ends_and_dst() {
        let berlin = zone("Europe/Berlin");
        // 2026-W53 exists (2026 starts on a Thursday): 28 Dec 2026 to 3 Jan 2027.
        let week = ReportPeriod::from_label("2026-W53", berlin).unwrap();
        assert_eq!((week.first_day().to_string(), week.last_day().to_string()), ("2026-12-28".into(), "2027-01-03".into()));
        assert_eq!(week.label(), "2026-W53");
        assert_eq!(parse_week("2026-W53").unwrap().to_string(), "2026-12-28");
        assert_eq!(week.month().to_string(), "2027-01");
        assert!(week.whole_months().is_empty());
        assert_eq!(week.shifted(-1).label(), "2027-W01");
        assert!(ReportPeriod::from_label("2025-W53", berlin).is_err(), "2025 has 52 ISO weeks");
        // 2027-W01 starts on 4 January; its previous week is the 53rd of 2026.
        assert_eq!(ReportPeriod::from_label("2027-W01", berlin).unwrap().previous().label(), "2026-W53");
        // The week of the autumn change (25 October 2026) is 169 hours long, the spring one 167.
        let autumn = ReportPeriod::from_label("2026-W43", berlin).unwrap();
        assert_eq!(autumn.start(), utc("2026-10-18T22:00:00Z"));
        assert_eq!((autumn.end() - autumn.start()).num_hours(), 169);
        let spring = ReportPeriod::from_label("2026-W13", berlin).unwrap();
        assert_eq!((spring.end() - spring.start()).num_hours(), 167);
        // Twelve trend weeks end with the week itself; the default document date is the Monday after.
        let trend = autumn.trend();
        assert_eq!((trend.len(), trend[11], trend[0].label()), (12, autumn, "2026-W32".to_owned()));
        assert_eq!(autumn.default_generated_on().to_string(), "2026-10-26");
        assert_eq!(
            autumn.trend_weeks(12).iter().map(|week| week.start).collect::<Vec<_>>(),
            trend.iter().map(|p| p.start()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn previous_full_week_and_quarter_follow_the_local_calendar() {
        let new_york = zone("America/New_York");
        // Monday 2 November 2026 00:00 in New York is 05:00Z (EST): the week just ended is W44.
        assert_eq!(ReportPeriod::previous_full(PeriodKind::Weekly, utc("2026-11-02T05:00:00Z"), new_york).label(), "2026-W44");
        assert_eq!(ReportPeriod::previous_full(PeriodKind::Weekly, utc("2026-11-02T04:59:59Z"), new_york).label(), "2026-W43");
        // 1 January 2027 00:00 in Tokyo is 31 December 15:00Z: the fourth quarter of 2026 is over.
        let tokyo = zone("Asia/Tokyo");
        assert_eq!(ReportPeriod::previous_full(PeriodKind::Quarterly, utc("2026-12-31T15:00:00Z"), tokyo).label(), "2026-Q4");
        assert_eq!(ReportPeriod::previous_full(PeriodKind::Quarterly, utc("2026-12-31T14:59:59Z"), tokyo).label(), "2026-Q3");
        let event = r#"{"time":"2026-11-02T06:00:00Z"}"#;
        assert_eq!(ReportPeriod::from_event_of_kind(PeriodKind::Weekly, event, zone("UTC")).unwrap().label(), "2026-W44");
        assert_eq!(ReportPeriod::from_event_of_kind(PeriodKind::Quarterly, event, zone("UTC")).unwrap().label(), "2026-Q3");
    }

    #[test]
    fn quarters_span_three_months_and_trend_over_two_quarters() {
        let new_york = zone("America/New_York");
        let q4 = ReportPeriod::from_label("2026-Q4", new_york).unwrap();
        assert_eq!(q4.start(), utc("2026-10-01T04:00:00Z"));
        assert_eq!(q4.end(), utc("2027-01-01T05:00:00Z"));
        assert_eq!(q4.month().to_string(), "2026-12");
        let months: Vec<String> = q4.whole_months().iter().map(ToString::to_string).collect();
        assert_eq!(months, ["2026-10", "2026-11", "2026-12"]);
        let trend: Vec<String> = q4.trend().iter().map(ReportPeriod::label).collect();
        assert_eq!(trend, ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"]);
        assert_eq!(q4.previous().label(), "2026-Q3");
        assert_eq!(ReportPeriod::from_label("2026-Q1", new_york).unwrap().previous().label(), "2025-Q4");
        assert_eq!(q4.default_generated_on().to_string(), "2027-01-01");
        // Lookback is counted from the quarter's first month.
        assert_eq!(q4.reach(6).label(), "2026-04");
        for bad in ["2026-Q0", "2026-Q5", "2026Q4", "2026-q4", "26-Q4", "2026-W54", "2026-W00", "2026-W4", "2100-W01"] {
            assert!(parse_label(bad).is_err(), "{bad:?}");
        }
    }
}
