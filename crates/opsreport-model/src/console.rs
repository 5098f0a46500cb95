//! `[console]`: the settings of `opsreport serve`, the web console of the service delivery
//! managers. They never change a report, so they are left out of the configuration's serialized
//! form (the report fingerprint).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `[console]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsoleSettings {
    /// Address and port to listen on.
    pub listen: String,
    /// Where the data (and `notes/<id>/`) is read: a dataset root folder, or `athena`.
    pub source: String,
    /// Where reports are written and read: a folder, or `s3://bucket/prefix`.
    pub reports: String,
    /// Reports regenerated at once; more requests wait in line.
    pub workers: u32,
    /// Where the load balancer's public keys are, by key id: `{region}` and `{kid}` are filled
    /// in. `https://`, `http://` or `file://`.
    pub key_url: String,
    /// The region in `key_url` (default: `[athena] region`, else `AWS_REGION`).
    pub region: Option<String>,
    /// The load balancer's ARN: a token signed by another one is refused. Unset: any signer whose
    /// key the key URL serves.
    pub alb_arn: Option<String>,
    /// The token claim that holds the user's groups (a JSON list; any other value is refused).
    pub groups_claim: String,
    /// The names the console is reached by (`reports.example.com`; with a port,
    /// `reports.example.com:8443`): a request with another `Host`, or a form posted from another
    /// `Origin`, is refused. Required behind the load balancer; with `--dev-user` only the
    /// loopback names of the listening port are taken.
    pub public_hosts: Vec<String>,
    /// Reports a user may have waiting to be regenerated at once.
    pub queued_jobs_per_user: u32,
    /// Days after which the newest data of an account's reports is shown as late.
    pub freshness_lag_days: u32,
    /// How many months back a report may be regenerated (the data's window), counted from the
    /// current month; periods that have not ended are refused too.
    pub window_months: u32,
    /// Which accounts a user (by e-mail) may see: account ids, or `*` for all.
    pub users: BTreeMap<String, Vec<String>>,
    /// Which accounts the members of a group may see: account ids, or `*` for all.
    pub groups: BTreeMap<String, Vec<String>>,
    /// Sending a report by e-mail.
    pub send: SendSettings,
}

impl Default for ConsoleSettings {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            source: "fixtures/synthetic".into(),
            reports: "out".into(),
            workers: 2,
            key_url: "https://public-keys.auth.elb.{region}.amazonaws.com/{kid}".into(),
            region: None,
            alb_arn: None,
            groups_claim: "groups".into(),
            public_hosts: Vec::new(),
            queued_jobs_per_user: 3,
            freshness_lag_days: 45,
            window_months: 36,
            users: BTreeMap::new(),
            groups: BTreeMap::new(),
            send: SendSettings::default(),
        }
    }
}

impl ConsoleSettings {
    /// The first setting out of its range: its key, value and rule.
    pub fn out_of_range(&self) -> Option<(&'static str, String, &'static str)> {
        let send = &self.send;
        let checks: [(&'static str, u32, std::ops::RangeInclusive<u32>, &'static str); 7] = [
            ("console.workers", self.workers, 1..=64, "1 to 64 reports at once"),
            ("console.queued_jobs_per_user", self.queued_jobs_per_user, 1..=100, "1 to 100 reports"),
            ("console.freshness_lag_days", self.freshness_lag_days, 1..=366, "1 to 366 days"),
            ("console.window_months", self.window_months, 1..=120, "1 to 120 months"),
            ("console.send.link_hours", send.link_hours, 1..=LINK_HOURS_MAX, "1 to 168 hours"),
            ("console.send.per_user_per_hour", send.per_user_per_hour, 1..=1000, "1 to 1000 messages"),
            ("console.send.per_account_per_hour", send.per_account_per_hour, 1..=1000, "1 to 1000 messages"),
        ];
        let bad = checks.into_iter().find(|(_, value, range, _)| !range.contains(value));
        if let Some((key, value, _, rule)) = bad {
            return Some((key, value.to_string(), rule));
        }
        let bad_host = self.public_hosts.iter().find(|host| !is_host_name(host));
        if let Some(host) = bad_host {
            return Some(("console.public_hosts", host.clone(), "host names, with a port if not the default"));
        }
        let bad_domain = send.allowed_domains.iter().find(|domain| !is_host_name(domain) || domain.contains(':'));
        bad_domain.map(|domain| ("console.send.allowed_domains", domain.clone(), "domain names (example.com)"))
    }
}

/// A host name with an optional port: letters, digits, `-`, `.`, `[`, `]` and one `:port`.
fn is_host_name(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 260
        && text.bytes().all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b':' | b'[' | b']'))
}

/// How a report reaches its readers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SendMode {
    /// A link that stops working after `link_hours`.
    #[default]
    Link,
    /// The PDF attached to the message.
    Attachment,
}

/// `[console.send]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SendSettings {
    /// The sender (an identity verified in Amazon SES). Unset: sending is off.
    pub from: Option<String>,
    /// A link or the attachment.
    pub mode: SendMode,
    /// How long a link works, hours (at most 168: an S3 presigned link's limit).
    pub link_hours: u32,
    /// The console's address as readers reach it, for links to reports kept in a folder
    /// (`https://reports.example.com`). Reports in S3 are linked by a presigned URL instead.
    pub public_url: Option<String>,
    /// The SES configuration set that tracks the messages, if any.
    pub configuration_set: Option<String>,
    /// Domains any address of which may receive a report (`example.com`); otherwise only the
    /// period's attendees with an e-mail address in the notes.
    pub allowed_domains: Vec<String>,
    /// Messages one user may send in an hour.
    pub per_user_per_hour: u32,
    /// Messages that may be sent for one account in an hour.
    pub per_account_per_hour: u32,
}

impl Default for SendSettings {
    fn default() -> Self {
        Self {
            from: None,
            mode: SendMode::Link,
            link_hours: 72,
            public_url: None,
            configuration_set: None,
            allowed_domains: Vec::new(),
            per_user_per_hour: 20,
            per_account_per_hour: 10,
        }
    }
}

/// The most hours a report link may work: seven days, the longest a presigned S3 link lasts.
pub const LINK_HOURS_MAX: u32 = 168;
