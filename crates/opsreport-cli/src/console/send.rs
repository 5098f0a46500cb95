//! Sending a period's material: a plain-text message with the open action items and either a
//! time-limited link to the report or the PDF attached, built here as a MIME message and sent
//! through Amazon SES (SendEmail with raw content). What was sent, to whom and when is kept
//! beside the reports (`<account>/sent/<period>/<time>.json`).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use opsreport_model::notes::ActionItem;

/// The most recipients of one message.
pub const MAX_RECIPIENTS: usize = 50;

/// The most characters of a message's text.
pub const TEXT_MAX_CHARS: usize = 20_000;

/// Where the link goes in the text the user edits; it is made when the message is sent.
pub const LINK_PLACEHOLDER: &str = "[link to the report]";

/// The longest header line written (RFC 5322 recommends 78 characters).
const HEADER_LINE_MAX: usize = 78;

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
pub fn body(title: &str, link: Option<&str>, attached: Option<&str>, items: &[ActionItem], sender: &str) -> String {
    let mut text = format!("Hello,\n\nthe {title} is ready.\n\n");
    if let Some(link) = link {
        text.push_str(&format!("Read it here:\n{link}\n\n"));
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

/// The text with the link in place of [`LINK_PLACEHOLDER`] (or after it, when the user took the
/// placeholder out).
pub fn with_link(text: &str, url: &str, until: &str) -> String {
    let link = format!("{url}\n(the link works until {until})");
    if text.contains(LINK_PLACEHOLDER) {
        text.replacen(LINK_PLACEHOLDER, &link, 1)
    } else {
        format!("{}\n\nRead it here:\n{link}\n", text.trim_end())
    }
}

/// A message text as the user wrote it, with line ends made `\n` and control characters (other
/// than tabs) and bidirectional overrides removed; `None` when it is empty or too long.
pub fn clean_text(text: &str) -> Option<String> {
    let clean: String = text
        .replace("\r\n", "\n")
        .chars()
        .filter(|c| *c == '\n' || *c == '\t' || !c.is_control())
        .filter(|c| !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        .collect();
    let count = clean.trim().chars().count();
    (count > 0 && count <= TEXT_MAX_CHARS).then_some(clean)
}

impl Message {
    /// The message in MIME form (RFC 5322 headers, UTF-8 text, the attachment in base64).
    pub fn mime(&self, boundary: &str) -> Vec<u8> {
        let mut mime = String::new();
        mime.push_str(&format!("From: {}\r\n", header_safe(&self.from)));
        mime.push_str(&address_header("To", &self.to));
        mime.push_str(&subject_header(&self.subject));
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

/// A header value without control characters: no CR or LF can start another header.
fn header_safe(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

/// An address header folded (RFC 5322 §2.2.3): a line break before an address that would take
/// the line beyond 78 characters.
fn address_header(name: &str, addresses: &[String]) -> String {
    let mut header = format!("{name}:");
    let mut line = header.len();
    for (index, address) in addresses.iter().map(|address| header_safe(address)).enumerate() {
        let separator = if index + 1 < addresses.len() { "," } else { "" };
        let piece = format!(" {address}{separator}");
        if line + piece.len() > HEADER_LINE_MAX && line > name.len() + 1 {
            header.push_str("\r\n");
            line = 0;
        }
        line += piece.len();
        header.push_str(&piece);
    }
    header.push_str("\r\n");
    header
}

/// The subject header: plain when it is short printable ASCII, else RFC 2047 encoded words of
/// whole characters, each on its own folded line within 78 characters.
fn subject_header(subject: &str) -> String {
    let clean = header_safe(subject);
    if clean.is_ascii() && clean.len() + "Subject: ".len() <= HEADER_LINE_MAX {
        return format!("Subject: {clean}\r\n");
    }
    // 36 bytes of UTF-8 make 48 characters of base64, 60 with the word's frame, 69 after
    // `Subject: `.
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in clean.chars() {
        if chunk.len() + c.len_utf8() > 36 {
            words.push(std::mem::take(&mut chunk));
        }
        chunk.push(c);
    }
    words.push(chunk);
    let encoded: Vec<String> = words.iter().map(|word| format!("=?UTF-8?B?{}?=", STANDARD.encode(word))).collect();
    format!("Subject: {}\r\n", encoded.join("\r\n "))
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
            Some(LINK_PLACEHOLDER),
            None,
            &[item("Rotate keys", "Open"), item("Old", "Done")],
            "Dana",
        );
        assert!(text.contains("- Rotate keys (owner Dana, Open)") && !text.contains("Old"), "{text}");
        let linked = with_link(&text, "https://x/r.pdf", "5 Dec 2026");
        assert!(linked.contains("https://x/r.pdf\n(the link works until 5 Dec 2026)") && !linked.contains(LINK_PLACEHOLDER));
        assert!(with_link("Hello", "https://x/r.pdf", "5 Dec").ends_with("https://x/r.pdf\n(the link works until 5 Dec)\n"));
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

    #[test]
    fn headers_are_folded_and_cannot_be_injected() {
        let message = Message {
            from: "csdm@example.com\r\nBcc: eve@example.com".into(),
            to: (0..50).map(|n| format!("attendee.number{n}@customer.example.com")).collect(),
            subject: "Revue mensuelle — octobre 2026 · Северный · 北風物流 · ".repeat(3),
            text: "Hello".into(),
            attachment: None,
        };
        let mime = String::from_utf8(message.mime("b")).unwrap();
        let head = mime.split("\r\n\r\n").next().unwrap();
        for line in head.split("\r\n") {
            assert!(line.len() <= HEADER_LINE_MAX, "{} characters: {line}", line.len());
            assert!(!line.contains('\r') && !line.contains('\n'));
        }
        assert!(!head.lines().any(|line| line.starts_with("Bcc")), "{head}");
        assert_eq!(head.matches("@customer.example.com").count(), 50);
        assert!(head.contains("Subject: =?UTF-8?B?") && head.contains("?=\r\n =?UTF-8?B?"), "{head}");
        let injected =
            Message { subject: "Hi\r\nBcc: eve@attacker.example".into(), to: vec!["a@b.example".into()], ..message.clone() };
        let head = String::from_utf8(injected.mime("b")).unwrap();
        assert!(!head.contains("\r\nBcc") && head.contains("Subject: HiBcc: eve@attacker.example\r\n"), "{head}");
        let plain = Message { subject: "October review".into(), to: vec!["a@b.example".into()], ..message };
        assert!(String::from_utf8(plain.mime("b")).unwrap().contains("Subject: October review\r\n"));
    }
}
