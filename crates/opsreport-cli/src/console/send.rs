//! Sending a period's material: a plain-text message with the open action items and either a
//! time-limited link to the report or the PDF attached, built here as a MIME message and sent
//! through Amazon SES (SendEmail with raw content). What was sent, to whom and when is kept
//! beside the reports (`<account>/sent/<period>/<time>.json`).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use opsreport_model::notes::ActionItem;

/// The most recipients of one message.
pub const MAX_RECIPIENTS: usize = 50;

/// A message to send.
#[derive(Clone, Debug)]
pub struct Message {
    /// Sender.
    pub from: String,
    /// Recipients.
    pub to: Vec<String>,
    /// Subject.
    pub subject: String,
    /// Body text.
    pub text: String,
    /// An attached file: name and bytes.
    pub attachment: Option<(String, Vec<u8>)>,
}

/// The body of a message: the greeting, where the report is, and the open action items.
pub fn body(title: &str, link: Option<(&str, &str)>, attached: Option<&str>, items: &[ActionItem], sender: &str) -> String {
    let mut text = format!("Hello,\n\nthe {title} is ready.\n\n");
    if let Some((url, until)) = link {
        text.push_str(&format!("Read it here (the link works until {until}):\n{url}\n\n"));
    }
    if let Some(name) = attached {
        text.push_str(&format!("It is attached to this message ({name}).\n\n"));
    }
    let open: Vec<&ActionItem> = items.iter().filter(|item| !opsreport_model::memory::is_closed(item)).collect();
    if open.is_empty() {
        text.push_str("There are no open action items.\n");
    } else {
        text.push_str("Open action items:\n");
        for item in open {
            let mut details = Vec::new();
            if let Some(owner) = &item.owner {
                details.push(format!("owner {owner}"));
            }
            if let Some(due) = &item.due {
                details.push(format!("due {due}"));
            }
            details.push(item.status.clone().unwrap_or_else(|| "Open".into()));
            text.push_str(&format!("- {} ({})\n", item.title, details.join(", ")));
        }
    }
    text.push_str(&format!("\nKind regards,\n{sender}\n"));
    text
}

impl Message {
    /// The message in MIME form (RFC 5322 headers, UTF-8 text, the attachment in base64).
    pub fn mime(&self, boundary: &str) -> Vec<u8> {
        let mut mime = String::new();
        mime.push_str(&format!("From: {}\r\n", self.from));
        mime.push_str(&format!("To: {}\r\n", self.to.join(", ")));
        mime.push_str(&format!("Subject: {}\r\n", encoded_word(&self.subject)));
        mime.push_str("MIME-Version: 1.0\r\n");
        let text_part = format!(
            "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}",
            wrapped_base64(self.text.as_bytes())
        );
        match &self.attachment {
            None => mime.push_str(&text_part),
            Some((name, bytes)) => {
                mime.push_str(&format!("Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n"));
                mime.push_str(&format!("--{boundary}\r\n{text_part}"));
                mime.push_str(&format!(
                    "--{boundary}\r\nContent-Type: application/pdf; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}",
                    wrapped_base64(bytes)
                ));
                mime.push_str(&format!("--{boundary}--\r\n"));
            }
        }
        mime.into_bytes()
    }
}

/// A header text as an RFC 2047 encoded word when it is not plain ASCII.
fn encoded_word(text: &str) -> String {
    let clean: String = text.chars().filter(|c| !c.is_control()).collect();
    if clean.is_ascii() { clean } else { format!("=?UTF-8?B?{}?=", STANDARD.encode(clean)) }
}

/// Base64 in lines of 76 characters, each ending in CRLF.
fn wrapped_base64(bytes: &[u8]) -> String {
    let encoded = STANDARD.encode(bytes);
    let mut out = String::with_capacity(encoded.len() + encoded.len() / 38 + 2);
    for line in encoded.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        out.push_str("\r\n");
    }
    out
}

/// Where messages go.
pub enum Mailer {
    /// Amazon SES, with the configuration set that tracks the messages, if any.
    Ses(aws_sdk_sesv2::Client, Option<String>),
    /// `--dev-user` without a sender: each message is written beside the reports as a `.eml`
    /// file, and the page says it was not sent.
    Outbox,
}

/// Sends a message through SES; its message id.
pub async fn send_with_ses(
    client: &aws_sdk_sesv2::Client,
    message: &Message,
    configuration_set: Option<&str>,
) -> Result<String, String> {
    use aws_sdk_sesv2::primitives::Blob;
    use aws_sdk_sesv2::types::{Destination, EmailContent, RawMessage};
    let boundary = format!("opsreport-{:x}", chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default());
    let raw = RawMessage::builder().data(Blob::new(message.mime(&boundary))).build().map_err(|error| error.to_string())?;
    let sent = client
        .send_email()
        .from_email_address(&message.from)
        .destination(Destination::builder().set_to_addresses(Some(message.to.clone())).build())
        .content(EmailContent::builder().raw(raw).build())
        .set_configuration_set_name(configuration_set.map(str::to_owned))
        .send()
        .await
        .map_err(|error| opsreport_extract::s3::describe(&error))?;
    Ok(sent.message_id().unwrap_or_default().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_carries_its_text_and_attachment() {
        let item = |title: &str, status: &str| ActionItem {
            title: title.into(),
            owner: Some("Dana".into()),
            status: Some(status.into()),
            ..ActionItem::default()
        };
        let text = body(
            "monthly report of October 2026",
            Some(("https://x/r.pdf", "5 Dec 2026")),
            None,
            &[item("Rotate keys", "Open"), item("Old", "Done")],
            "Dana",
        );
        assert!(text.contains("- Rotate keys (owner Dana, Open)") && !text.contains("Old"), "{text}");
        let message = Message {
            from: "dana@example.com".into(),
            to: vec!["sam@example.com".into(), "lee@example.com".into()],
            subject: "Rapport — octobre\r\nBcc: eve@example.com".into(),
            text,
            attachment: Some(("report.pdf".into(), b"%PDF-1.7".to_vec())),
        };
        let mime = String::from_utf8(message.mime("b1")).unwrap();
        assert!(mime.contains("To: sam@example.com, lee@example.com\r\n"));
        assert!(mime.contains("Subject: =?UTF-8?B?") && !mime.contains("Bcc"), "{mime}");
        assert!(mime.contains("filename=\"report.pdf\"") && mime.contains(&STANDARD.encode(b"%PDF-1.7")));
        assert!(mime.ends_with("--b1--\r\n"));
    }
}
