//! The AWS account id: exactly 12 ASCII digits, leading zeros kept.
//!
//! Account ids reach file paths and (later) SQL parameters, so the only way to make one is
//! through [`AccountId::parse`], which accepts nothing but 12 digits.

use std::fmt;

/// A validated 12-digit AWS account id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountId(String);

/// Why a string is not an account id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid account id {value:?}: an AWS account id is exactly 12 digits (leading zeros kept)")]
pub struct InvalidAccountId {
    /// The rejected text, for the message.
    pub value: String,
}

impl AccountId {
    /// Accepts exactly 12 ASCII digits.
    pub fn parse(value: &str) -> Result<Self, InvalidAccountId> {
        if value.len() == 12 && value.bytes().all(|byte| byte.is_ascii_digit()) {
            Ok(Self(value.to_owned()))
        } else {
            Err(InvalidAccountId { value: value.chars().take(64).collect() })
        }
    }

    /// The 12 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// Written as its 12 digits.
impl serde::Serialize for AccountId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// Read from a text that must be 12 digits.
impl<'de> serde::Deserialize<'de> for AccountId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        AccountId::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl std::str::FromStr for AccountId {
    type Err = InvalidAccountId;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::parse(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_leading_zeros_and_rejects_everything_else() {
        assert_eq!(AccountId::parse("000123456789").unwrap().as_str(), "000123456789");
        for bad in ["123", "../x", "1234567890123", "12345678901'", "12345678901a", "", "１２３４５６７８９０１２"] {
            assert!(AccountId::parse(bad).is_err(), "{bad:?} must be rejected");
        }
    }
}
