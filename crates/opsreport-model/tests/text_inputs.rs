//! Fuzzing of every input parsed from text — scheduled events, notes files, the configuration
//! file, account ids, months and time-zone names — as property tests: arbitrary and mutated
//! text must never panic, must be refused with a message that names its origin, and what is
//! accepted must be what it looks like. Run by `cargo test`; bounded by the case counts below.

use opsreport_model::period::parse_time_zone;
use opsreport_model::{AccountId, Config, Notes, ReportPeriod, YearMonth};
use proptest::prelude::*;

/// A valid notes file to mutate.
const NOTES: &str = "customer_name = \"Example Ltd\"\nonboarding_status = \"Complete\"\n\n[[issues]]\ntitle = \"Ticket #42\"\nstatus = \"Open\"\n";
/// A valid configuration to mutate.
const CONFIG: &str = "timezone = \"Europe/Berlin\"\n\n[backups]\nrpo_hours = 24\n\n[sla]\nadherence_target_pct = 95.0\n";

/// `text` with `insert` put at `position` (a char boundary at or before it).
fn mutate(text: &str, position: usize, insert: &str) -> String {
    let mut at = position.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    format!("{}{insert}{}", &text[..at], &text[at..])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn account_ids_are_exactly_twelve_digits(text in "\\PC{0,20}|[0-9]{10,14}|[0-9' ./-]{12}") {
        let valid = text.len() == 12 && text.bytes().all(|byte| byte.is_ascii_digit());
        match AccountId::parse(&text) {
            Ok(id) => {
                prop_assert!(valid, "{:?} was accepted", text);
                prop_assert_eq!(id.as_str(), text.as_str());
            }
            Err(error) => {
                prop_assert!(!valid, "{:?} was refused", text);
                prop_assert!(error.to_string().contains("12 digits"));
            }
        }
    }

    #[test]
    fn months_round_trip_or_are_refused(text in "\\PC{0,10}|[0-9]{4}-[0-9]{1,3}") {
        if let Ok(month) = YearMonth::parse(&text) {
            prop_assert_eq!(month.to_string(), text.trim());
            prop_assert!((1..=12).contains(&month.month()));
        }
    }

    #[test]
    fn time_zone_names_never_panic(text in "\\PC{0,30}") {
        if let Err(error) = parse_time_zone(&text) {
            prop_assert!(error.to_string().contains("IANA"));
        }
    }

    #[test]
    fn scheduled_events_never_panic_and_a_valid_time_gives_the_month_before(
        text in "\\PC{0,80}",
        day in 1u32..29, month in 1u32..13, year in 2001i32..2090, hour in 0u32..24,
    ) {
        let zone = parse_time_zone("UTC").unwrap();
        let _ = ReportPeriod::from_scheduled_event(&text, zone);
        let event = format!("{{\"time\": \"{year:04}-{month:02}-{day:02}T{hour:02}:00:00Z\", \"detail\": {{}}}}");
        let period = ReportPeriod::from_scheduled_event(&event, zone).unwrap();
        let expected = YearMonth::new(year, month).unwrap().previous();
        prop_assert_eq!(period.month(), expected);
    }

    #[test]
    fn notes_never_panic_and_errors_name_the_file(position in 0usize..120, insert in "\\PC{0,12}", noise in "\\PC{0,60}") {
        for text in [mutate(NOTES, position, &insert), noise.clone()] {
            if let Err(error) = Notes::from_toml(&text, "notes/000000000001/2026-10.toml") {
                prop_assert!(error.to_string().contains("notes/000000000001/2026-10.toml"), "{}", error);
            }
        }
    }

    #[test]
    fn configurations_never_panic_and_errors_name_the_file(position in 0usize..100, insert in "\\PC{0,12}", noise in "\\PC{0,60}") {
        for text in [mutate(CONFIG, position, &insert), noise.clone()] {
            if let Err(error) = Config::from_toml(&text, "opsreport.toml") {
                prop_assert!(error.to_string().contains("opsreport.toml"), "{}", error);
            }
        }
    }
}
