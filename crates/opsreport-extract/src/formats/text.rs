//! Strict parsing of the text values real exports hold (every SSR value is a string; CSV cells
//! are text): one rule per contract type, the same for every format, so a value either means one
//! thing or is an error naming where it was.
//!
//! - timestamps: ISO 8601 with `T` or a space, with or without fractional seconds (up to
//!   nanoseconds, kept to the microsecond) and zone (`Z`, `±HH:MM`, `±HHMM`, `±HH`); the basic
//!   form `YYYYMMDDThhmmssZ` of the AMS change API; epoch milliseconds (13 digits). No zone = the
//!   source's `timezone` (UTC by default).
//! - dates: `YYYY-MM-DD`.
//! - integers: an optional `-` and digits. Decimals: also one `.` with digits on both sides.
//!   No exponent, no thousands separators, no `NaN` or `inf`.
//! - booleans: `true/false/yes/no/1/0` in any case.
//! - empty (after trimming) = null.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Why a text did not parse, in words for the error message ("an ISO 8601 timestamp").
pub type Expected = &'static str;

/// The words for each type, as error messages show them.
pub const TIMESTAMP: Expected =
    "an ISO 8601 timestamp (2026-10-05T14:03:22Z, 2026-10-05 14:03:22.5, 20261005T140322Z) or epoch milliseconds";
/// See [`TIMESTAMP`].
pub const DATE: Expected = "a date written YYYY-MM-DD";
/// See [`TIMESTAMP`].
pub const INTEGER: Expected = "an integer in plain notation";
/// See [`TIMESTAMP`].
pub const DECIMAL: Expected = "a decimal number in plain notation";
/// See [`TIMESTAMP`].
pub const BOOLEAN: Expected = "a boolean (true/false, yes/no, 1/0)";

/// Microseconds since the epoch, or `None` when the text is not a timestamp.
pub fn timestamp_micros(text: &str, zone: Tz) -> Option<i64> {
    let text = text.trim();
    if text.len() == 13 && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse::<i64>().ok().map(|millis| millis * 1000);
    }
    if let Some(basic) = basic_form(text) {
        return Some(basic);
    }
    // Date and time, then an optional fraction, then an optional zone.
    if text.len() < 19 || !text.is_char_boundary(19) {
        return None;
    }
    let (head, rest) = text.split_at(19);
    let head = head.replacen(' ', "T", 1);
    let naive = NaiveDateTime::parse_from_str(&head, "%Y-%m-%dT%H:%M:%S").ok()?;
    if !head.as_bytes()[..10].iter().enumerate().all(|(i, b)| if i == 4 || i == 7 { *b == b'-' } else { b.is_ascii_digit() }) {
        return None;
    }
    let (fraction, zone_text) = match rest.strip_prefix('.') {
        Some(after) => {
            let digits = after.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 || digits > 9 {
                return None;
            }
            (&after[..digits], &after[digits..])
        }
        None => ("", rest),
    };
    let micros_of_fraction = if fraction.is_empty() {
        0
    } else {
        let padded = format!("{fraction:0<9}");
        padded.parse::<i64>().ok()? / 1000
    };
    let offset_seconds = match zone_text {
        "" => None,
        "Z" | "z" => Some(0),
        zone_text => Some(offset(zone_text)?),
    };
    let seconds = match offset_seconds {
        Some(offset) => naive.and_utc().timestamp() - i64::from(offset),
        None => match zone.from_local_datetime(&naive) {
            LocalResult::Single(instant) => instant.timestamp(),
            // The hour a clock is set back runs twice: the first is meant (the usual reading).
            LocalResult::Ambiguous(first, _) => first.timestamp(),
            // A time skipped when the clock goes forward cannot be a real reading.
            LocalResult::None => return None,
        },
    };
    seconds.checked_mul(1_000_000)?.checked_add(micros_of_fraction)
}

/// `±HH:MM`, `±HHMM` or `±HH` in seconds east of UTC.
fn offset(text: &str) -> Option<i32> {
    let (sign, digits) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let digits = digits.replacen(':', "", 1);
    if !(digits.len() == 2 || digits.len() == 4) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = if digits.len() == 4 { digits[2..].parse().ok()? } else { 0 };
    (hours <= 23 && minutes <= 59).then_some(sign * (hours * 3600 + minutes * 60))
}

/// `YYYYMMDDThhmmssZ`, the AMS change management API's timestamps.
fn basic_form(text: &str) -> Option<i64> {
    let body = text.strip_suffix('Z')?;
    if body.len() != 15 || body.as_bytes()[8] != b'T' {
        return None;
    }
    let naive = NaiveDateTime::parse_from_str(body, "%Y%m%dT%H%M%S").ok()?;
    naive.and_utc().timestamp().checked_mul(1_000_000)
}

/// Days since the epoch, or `None`.
pub fn date_days(text: &str) -> Option<i32> {
    let text = text.trim();
    if text.len() != 10 {
        return None;
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    Some((date - NaiveDate::from_ymd_opt(1970, 1, 1)?).num_days() as i32)
}

/// An integer in plain notation, or `None`.
pub fn integer(text: &str) -> Option<i64> {
    let text = text.trim();
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// A decimal in plain notation, or `None`.
pub fn decimal(text: &str) -> Option<f64> {
    let text = text.trim();
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, "0"));
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !(digits(whole) && digits(fraction)) {
        return None;
    }
    text.parse::<f64>().ok().filter(|value| value.is_finite())
}

/// A boolean, or `None`.
pub fn boolean(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Some(true),
        "false" | "no" | "0" => Some(false),
        _ => None,
    }
}

/// An instant from microseconds (for messages and tests).
pub fn instant(micros: i64) -> Option<DateTime<Utc>> {
    DateTime::<Utc>::from_timestamp_micros(micros)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> Option<String> {
        timestamp_micros(text, Tz::UTC).and_then(instant).map(|at| at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string())
    }

    #[test]
    fn timestamps_in_every_accepted_spelling() {
        let cases = [
            ("2026-10-05T14:03:22Z", "2026-10-05T14:03:22.000000Z"),
            ("2026-10-05 14:03:22", "2026-10-05T14:03:22.000000Z"),
            ("2026-10-05T14:03:22.5", "2026-10-05T14:03:22.500000Z"),
            ("2026-10-05 14:03:22.123456789+02:00", "2026-10-05T12:03:22.123456Z"),
            ("2026-10-05T14:03:22-0500", "2026-10-05T19:03:22.000000Z"),
            ("2026-10-05T14:03:22+01", "2026-10-05T13:03:22.000000Z"),
            ("20261005T140322Z", "2026-10-05T14:03:22.000000Z"),
            ("1790000000000", "2026-09-21T14:13:20.000000Z"),
            (" 2026-10-05T14:03:22Z ", "2026-10-05T14:03:22.000000Z"),
        ];
        for (text, expected) in cases {
            assert_eq!(utc(text).as_deref(), Some(expected), "{text}");
        }
        for bad in [
            "2026-10-05",
            "05/10/2026 14:03",
            "2026-10-05T14:03",
            "2026-13-05T14:03:22Z",
            "2026-10-05T14:03:22.Z",
            "2026-10-05T14:03:22 UTC",
            "2026-10-05T14:03:22+25:00",
            "yesterday",
            "179000000000",
            "2026-10-05T14:03:22.1234567890Z",
            "２026-10-05T14:03:22Z",
        ] {
            assert_eq!(utc(bad), None, "{bad}");
        }
    }

    #[test]
    fn zoneless_times_read_in_the_source_zone_across_dst() {
        let new_york: Tz = "America/New_York".parse().unwrap();
        let at = |text| timestamp_micros(text, new_york).and_then(instant).map(|at| at.to_rfc3339());
        assert_eq!(at("2026-07-01 09:00:00").as_deref(), Some("2026-07-01T13:00:00+00:00"));
        assert_eq!(at("2026-12-01 09:00:00").as_deref(), Some("2026-12-01T14:00:00+00:00"));
        // 1:30 on 1 November 2026 happens twice: the first (daylight time) is taken.
        assert_eq!(at("2026-11-01 01:30:00").as_deref(), Some("2026-11-01T05:30:00+00:00"));
        // 2:30 on 8 March 2026 never happens.
        assert_eq!(at("2026-03-08 02:30:00"), None);
        // A written zone wins over the source's.
        assert_eq!(at("2026-07-01T09:00:00Z").as_deref(), Some("2026-07-01T09:00:00+00:00"));
    }

    #[test]
    fn numbers_booleans_and_dates_are_plain() {
        assert_eq!(integer("42"), Some(42));
        assert_eq!(integer("-7"), Some(-7));
        for bad in ["4.0", "1e3", "1,000", "", "-", "+5", "0x10", "99999999999999999999"] {
            assert_eq!(integer(bad), None, "{bad}");
        }
        assert_eq!(decimal("12.50"), Some(12.5));
        assert_eq!(decimal("-0.001"), Some(-0.001));
        assert_eq!(decimal("3"), Some(3.0));
        for bad in ["NaN", "inf", "1e5", ".5", "5.", "1,5", "--1"] {
            assert_eq!(decimal(bad), None, "{bad}");
        }
        for (text, value) in [("TRUE", true), ("no", false), ("1", true), ("0", false), ("Yes", true)] {
            assert_eq!(boolean(text), Some(value), "{text}");
        }
        assert_eq!(boolean("y"), None);
        assert_eq!(date_days("1970-01-02"), Some(1));
        assert_eq!(date_days("2026-02-30"), None);
        assert_eq!(date_days("2026-2-3"), None);
    }
}
