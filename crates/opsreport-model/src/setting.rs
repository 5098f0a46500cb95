//! What the configuration and the dataset sources it names share, kept apart so neither module
//! imports the other: the error a bad setting gives, and a time zone read by its IANA name.

use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::period::parse_time_zone;

/// A configuration file that could not be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// TOML syntax, an unknown key or a wrong type (the message names the key and line).
    #[error("config {origin}: {message}")]
    Parse {
        /// Where the text came from (a path).
        origin: String,
        /// What the TOML reader said, including the key and line.
        message: String,
    },
    /// A value of the right type outside its range.
    #[error("config {origin}: `{key}` = {value}: {rule}")]
    OutOfRange {
        /// Where the text came from (a path).
        origin: String,
        /// The dotted key.
        key: String,
        /// The rejected value.
        value: String,
        /// What is allowed.
        rule: &'static str,
    },
}

/// A time zone that reads and writes as its IANA name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeZoneName(pub Tz);

impl Default for TimeZoneName {
    fn default() -> Self {
        Self(Tz::UTC)
    }
}

impl Serialize for TimeZoneName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.name())
    }
}

impl<'de> Deserialize<'de> for TimeZoneName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        parse_time_zone(&name).map(Self).map_err(serde::de::Error::custom)
    }
}
