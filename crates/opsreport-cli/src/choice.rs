//! The typed values of the flags that choose what a run reports on: `--kind`, the period
//! (`--month`, `--week`, `--quarter`: one of that kind or `previous`), `--shard` (`I/N`) and
//! `--source` (a folder or Athena). Each is parsed once, by clap, into a type; nothing downstream
//! compares strings.

use std::path::PathBuf;
use std::str::FromStr;

use chrono::Utc;
use chrono_tz::Tz;
use opsreport_model::period::{parse_quarter, parse_week};
use opsreport_model::{PeriodKind, ReportPeriod, YearMonth};

/// `--month`: a calendar month, or `previous` (the last full month before now).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MonthChoice {
    /// `YYYY-MM`.
    Month(YearMonth),
    /// The last full month before the run, in the report time zone.
    Previous,
}

impl FromStr for MonthChoice {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        if text == "previous" {
            return Ok(MonthChoice::Previous);
        }
        YearMonth::parse(text).map(MonthChoice::Month).map_err(|error| error.to_string())
    }
}

impl MonthChoice {
    /// The report period in `zone`.
    pub fn period(self, zone: Tz) -> ReportPeriod {
        PeriodChoice::from(self).period(zone)
    }
}

/// `--kind`: which meeting's material a run makes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum KindFlag {
    /// The weekly status review: an ISO week, 12-week trends, what is open now.
    Weekly,
    /// The monthly business review (the default).
    #[default]
    Monthly,
    /// The quarterly business review: the quarter against the previous one, month by month.
    Quarterly,
}

impl From<PeriodKind> for KindFlag {
    fn from(kind: PeriodKind) -> Self {
        match kind {
            PeriodKind::Weekly => KindFlag::Weekly,
            PeriodKind::Monthly => KindFlag::Monthly,
            PeriodKind::Quarterly => KindFlag::Quarterly,
        }
    }
}

impl From<KindFlag> for PeriodKind {
    fn from(flag: KindFlag) -> Self {
        match flag {
            KindFlag::Weekly => PeriodKind::Weekly,
            KindFlag::Monthly => PeriodKind::Monthly,
            KindFlag::Quarterly => PeriodKind::Quarterly,
        }
    }
}

/// `--week` or `--quarter`: a period of that kind, or `previous` (the last full one before now).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodChoice {
    /// The period of this kind starting on this local date.
    Starting(PeriodKind, chrono::NaiveDate),
    /// The last full period of this kind before the run, in the report time zone.
    Previous(PeriodKind),
}

impl PeriodChoice {
    /// `--week YYYY-Www|previous`.
    pub fn week(text: &str) -> Result<Self, String> {
        if text == "previous" {
            return Ok(PeriodChoice::Previous(PeriodKind::Weekly));
        }
        parse_week(text).map(|monday| PeriodChoice::Starting(PeriodKind::Weekly, monday)).map_err(|error| error.to_string())
    }

    /// `--quarter YYYY-Qn|previous`.
    pub fn quarter(text: &str) -> Result<Self, String> {
        if text == "previous" {
            return Ok(PeriodChoice::Previous(PeriodKind::Quarterly));
        }
        parse_quarter(text).map(|first| PeriodChoice::Starting(PeriodKind::Quarterly, first)).map_err(|error| error.to_string())
    }

    /// The kind of period chosen.
    pub fn kind(self) -> PeriodKind {
        match self {
            PeriodChoice::Starting(kind, _) | PeriodChoice::Previous(kind) => kind,
        }
    }

    /// The report period in `zone`.
    pub fn period(self, zone: Tz) -> ReportPeriod {
        match self {
            PeriodChoice::Starting(kind, first_day) => ReportPeriod::of_kind(kind, first_day, zone),
            PeriodChoice::Previous(kind) => ReportPeriod::previous_full(kind, Utc::now(), zone),
        }
    }
}

impl From<MonthChoice> for PeriodChoice {
    fn from(choice: MonthChoice) -> Self {
        match choice {
            MonthChoice::Month(month) => PeriodChoice::Starting(PeriodKind::Monthly, month.first_day()),
            MonthChoice::Previous => PeriodChoice::Previous(PeriodKind::Monthly),
        }
    }
}

/// `--format`: the A4 document, the 16:9 deck, or both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum FormatFlag {
    /// The A4 document (`report.pdf`).
    Document,
    /// The 16:9 deck for the meeting screen (`slides.pdf`).
    Slides,
}

/// The variable AWS Batch sets in each child of an array job: its index, from 0.
pub const BATCH_ARRAY_INDEX: &str = "AWS_BATCH_JOB_ARRAY_INDEX";

/// `--shard I/N`: the accounts whose position in the sorted list is ≡ I mod N. `batch/N` takes I
/// from `AWS_BATCH_JOB_ARRAY_INDEX`, so every child of an AWS Batch array job of size N runs
/// the same command and takes its own shard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    index: usize,
    count: usize,
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let invalid = || format!("invalid --shard {text:?}: write I/N with 0 <= I < N, e.g. 0/4");
        let (index, count) = text.split_once('/').ok_or_else(invalid)?;
        let index = if index.trim() == "batch" {
            std::env::var(BATCH_ARRAY_INDEX).map_err(|_| {
                format!(
                    "--shard {text:?} takes its index from {BATCH_ARRAY_INDEX}, which is not set (not an AWS Batch array child)"
                )
            })?
        } else {
            index.to_owned()
        };
        let index: usize = index.trim().parse().map_err(|_| invalid())?;
        let count: usize = count.trim().parse().map_err(|_| invalid())?;
        if count == 0 || index >= count {
            return Err(invalid());
        }
        Ok(Self { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// Whether item `number` (an account's position, a prepared batch's number) is this shard's.
    pub fn owns(self, number: usize) -> bool {
        number % self.count == self.index
    }

    /// The shard's accounts of a sorted list: the shards of one list cover every account exactly
    /// once.
    pub fn of<T>(self, accounts: Vec<T>) -> Vec<T> {
        accounts.into_iter().enumerate().filter(|(position, _)| self.owns(*position)).map(|(_, account)| account).collect()
    }
}

/// `--source`: a dataset root folder, or `athena` (a local folder of that name: `./athena`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceChoice {
    /// A folder in the contract layout.
    Folder(PathBuf),
    /// The Athena source (`[athena]`, `OPSREPORT_ATHENA_*`).
    Athena,
}

impl FromStr for SourceChoice {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        Ok(if text == "athena" { SourceChoice::Athena } else { SourceChoice::Folder(PathBuf::from(text)) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opsreport_model::AccountId;

    #[test]
    fn months_shards_and_sources_parse_into_their_types() {
        assert_eq!("previous".parse::<MonthChoice>(), Ok(MonthChoice::Previous));
        assert_eq!("2026-10".parse::<MonthChoice>(), Ok(MonthChoice::Month(YearMonth::parse("2026-10").unwrap())));
        assert!("2026-13".parse::<MonthChoice>().unwrap_err().contains("YYYY-MM"));
        assert_eq!("1/4".parse::<Shard>(), Ok(Shard { index: 1, count: 4 }));
        assert_eq!(" 0 / 1 ".parse::<Shard>(), Ok(Shard { index: 0, count: 1 }));
        for bad in ["4/4", "1/0", "-1/2", "1", "a/b", "1/2/3"] {
            assert!(bad.parse::<Shard>().unwrap_err().contains("I/N"), "{bad}");
        }
        assert_eq!("athena".parse::<SourceChoice>(), Ok(SourceChoice::Athena));
        assert_eq!("./athena".parse::<SourceChoice>(), Ok(SourceChoice::Folder(PathBuf::from("./athena"))));
    }

    #[test]
    fn shards_cover_every_account_exactly_once() {
        for total in [0usize, 1, 2, 7, 100] {
            let accounts: Vec<AccountId> = (0..total).map(|n| AccountId::parse(&format!("{:012}", n + 1)).unwrap()).collect();
            for count in [1usize, 2, 3, 8, 150] {
                let shard = |index| Shard { index, count }.of(accounts.clone());
                let mut seen: Vec<AccountId> = (0..count).flat_map(shard).collect();
                seen.sort();
                assert_eq!(seen, accounts, "{total} accounts in {count} shards");
                let sizes: Vec<usize> = (0..count).map(|index| shard(index).len()).collect();
                assert!(sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1, "balanced: {sizes:?}");
            }
        }
    }
}
