//! Customers: a managed-service customer and the accounts it runs (`[customers.<id>]` in the
//! configuration), and what a report is about — one account, or one customer's accounts
//! together ([`Subject`]).
//!
//! A customer id reaches file paths (`<out>/customers/<id>/…`, `notes/<id>/`) and the console's
//! URLs, so the only way to make one is [`CustomerId::parse`]: lower-case letters, digits and
//! hyphens, starting with a letter — never 12 digits, so it can never be taken for an account.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::AccountId;

/// The longest customer id.
pub const CUSTOMER_ID_MAX_CHARS: usize = 40;
/// The longest display name of a customer.
pub const CUSTOMER_NAME_MAX_CHARS: usize = 100;
/// The most accounts one customer may have.
pub const CUSTOMER_MAX_ACCOUNTS: usize = 1000;

/// A validated customer id (`acme`, `northwind-eu`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CustomerId(String);

/// Why a string is not a customer id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid customer id {value:?}: a customer id is 1 to 40 lower-case letters, digits and hyphens, starting with a letter")]
pub struct InvalidCustomerId {
    /// The rejected text, for the message.
    pub value: String,
}

impl CustomerId {
    /// Accepts `[a-z][a-z0-9-]*`, at most [`CUSTOMER_ID_MAX_CHARS`] long.
    pub fn parse(value: &str) -> Result<Self, InvalidCustomerId> {
        let bytes = value.as_bytes();
        let valid = !bytes.is_empty()
            && bytes.len() <= CUSTOMER_ID_MAX_CHARS
            && bytes[0].is_ascii_lowercase()
            && bytes.iter().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || *byte == b'-');
        if valid { Ok(Self(value.to_owned())) } else { Err(InvalidCustomerId { value: value.chars().take(64).collect() }) }
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CustomerId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl Serialize for CustomerId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for CustomerId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        CustomerId::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl std::str::FromStr for CustomerId {
    type Err = InvalidCustomerId;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::parse(value)
    }
}

/// `[customers.<id>]`: a customer's display name and its accounts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerSettings {
    /// The name the review is titled with ("Northwind Traders").
    pub name: String,
    /// The customer's accounts: every one is read for its review, and one without data for the
    /// period is named on the cover.
    pub accounts: Vec<AccountId>,
}

impl CustomerSettings {
    /// What is wrong with the settings, as (key suffix, value, rule), if anything.
    pub fn out_of_range(&self) -> Option<(&'static str, String, &'static str)> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > CUSTOMER_NAME_MAX_CHARS || name.chars().any(char::is_control) {
            return Some(("name", format!("{:?}", self.name), "a name of 1 to 100 characters, without control characters"));
        }
        if self.accounts.is_empty() || self.accounts.len() > CUSTOMER_MAX_ACCOUNTS {
            return Some(("accounts", self.accounts.len().to_string(), "a list of 1 to 1000 account ids"));
        }
        let mut sorted = self.accounts.clone();
        sorted.sort();
        if let Some(pair) = sorted.windows(2).find(|pair| pair[0] == pair[1]) {
            return Some(("accounts", pair[0].to_string(), "each account once"));
        }
        None
    }
}

/// What a report is about: one account, or all of one customer's accounts. Written in
/// `metrics.json` and `manifest.json` as `"account_id": "…"` or `"customer_id": "…"`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Subject {
    /// One account's report.
    #[serde(rename = "account_id")]
    Account(AccountId),
    /// A customer's review over all its accounts.
    #[serde(rename = "customer_id")]
    Customer(CustomerId),
}

impl Subject {
    /// The folder of the subject's reports under the output root: `<account>` or
    /// `customers/<id>`.
    pub fn folders(&self) -> Vec<&str> {
        match self {
            Subject::Account(account) => vec![account.as_str()],
            Subject::Customer(customer) => vec![CUSTOMERS_FOLDER, customer.as_str()],
        }
    }

    /// `<account>` or `customers/<id>`: the subject's folder, and its key in identifiers.
    pub fn key(&self) -> String {
        self.folders().join("/")
    }

    /// The account, for an account's report.
    pub fn account(&self) -> Option<&AccountId> {
        match self {
            Subject::Account(account) => Some(account),
            Subject::Customer(_) => None,
        }
    }

    /// The customer, for a customer's review.
    pub fn customer(&self) -> Option<&CustomerId> {
        match self {
            Subject::Account(_) => None,
            Subject::Customer(customer) => Some(customer),
        }
    }
}

/// `account 123456789012` or `customer acme`, for messages.
impl fmt::Display for Subject {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Account(account) => write!(formatter, "account {account}"),
            Subject::Customer(customer) => write!(formatter, "customer {customer}"),
        }
    }
}

/// The folder under the output root that holds the customers' reviews.
pub const CUSTOMERS_FOLDER: &str = "customers";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_ids_are_slugs_and_never_account_ids() {
        for good in ["acme", "northwind-eu", "a1"] {
            assert_eq!(CustomerId::parse(good).unwrap().as_str(), good);
        }
        for bad in ["", "123456789012", "1acme", "Acme", "acme/..", "ac me", "acme_eu", "-acme", &"a".repeat(41), "ä"] {
            assert!(CustomerId::parse(bad).is_err(), "{bad:?} must be rejected");
        }
    }

    #[test]
    fn a_subject_is_written_as_its_id_field() {
        #[derive(Serialize, Deserialize, PartialEq, Debug)]
        struct Wrapper {
            #[serde(flatten)]
            subject: Subject,
            kind: String,
        }
        let account = Wrapper { subject: Subject::Account(AccountId::parse("000000000001").unwrap()), kind: "x".into() };
        let json = serde_json::to_string(&account).unwrap();
        assert_eq!(json, r#"{"account_id":"000000000001","kind":"x"}"#);
        assert_eq!(serde_json::from_str::<Wrapper>(&json).unwrap(), account);
        let customer = Wrapper { subject: Subject::Customer(CustomerId::parse("acme").unwrap()), kind: "x".into() };
        let json = serde_json::to_string(&customer).unwrap();
        assert_eq!(json, r#"{"customer_id":"acme","kind":"x"}"#);
        assert_eq!(serde_json::from_str::<Wrapper>(&json).unwrap(), customer);
        assert!(serde_json::from_str::<Wrapper>(r#"{"customer_id":"../x","kind":"x"}"#).is_err());
    }

    #[test]
    fn customer_settings_need_a_name_and_distinct_accounts() {
        let account = AccountId::parse("000000000001").unwrap();
        let settings = |name: &str, accounts: Vec<AccountId>| CustomerSettings { name: name.into(), accounts };
        assert_eq!(settings("Acme", vec![account.clone()]).out_of_range(), None);
        assert_eq!(settings(" ", vec![account.clone()]).out_of_range().unwrap().0, "name");
        assert_eq!(settings("A\u{7}", vec![account.clone()]).out_of_range().unwrap().0, "name");
        assert_eq!(settings("Acme", vec![]).out_of_range().unwrap().0, "accounts");
        assert_eq!(settings("Acme", vec![account.clone(), account]).out_of_range().unwrap().0, "accounts");
    }
}
