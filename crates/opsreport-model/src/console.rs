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
    /// The token claim that holds the user's groups (a list, or one text).
    pub groups_claim: String,
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
            users: BTreeMap::new(),
            groups: BTreeMap::new(),
            send: SendSettings::default(),
        }
    }
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
}

impl Default for SendSettings {
    fn default() -> Self {
        Self { from: None, mode: SendMode::Link, link_hours: 72, public_url: None, configuration_set: None }
    }
}

/// The most hours a report link may work: seven days, the longest a presigned S3 link lasts.
pub const LINK_HOURS_MAX: u32 = 168;
