//! Text from the data as the PDF shows it: one rule for every string the template prints.
//!
//! - Bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C) are removed:
//!   a right-to-left override would make "gnp.exe" display as "exe.png".
//! - Other control characters (C0, DEL, C1) are removed, except a line break; a tab becomes a
//!   space. A font has no glyph for them, so they printed as boxes.
//! - A run of more than [`LONG_TOKEN_CHARS`] characters without a space, `/` or `-` (a pasted
//!   hash, a log line) gets a zero-width break opportunity every [`TOKEN_CHARS`] characters, so
//!   it wraps instead of running off the page or over the next column.
//! - A text longer than [`TEXT_MAX_CHARS`] is cut and says how much was left out.

use std::borrow::Cow;

/// Characters of one text the PDF prints at most (about a page).
pub const TEXT_MAX_CHARS: usize = 4_000;
/// A run without a space, `/` or `-` longer than this (a pasted hash, a log line) is broken ...
pub const LONG_TOKEN_CHARS: usize = 30;
/// ... every this many characters, narrow enough for the report's narrowest column.
pub const TOKEN_CHARS: usize = 12;
/// The invisible break opportunity.
const BREAK: char = '\u{200B}';

fn is_bidi_control(ch: char) -> bool {
    matches!(ch, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn breaks_here(ch: char) -> bool {
    ch.is_whitespace() || ch == '/' || ch == '-' || ch == BREAK
}

/// `text` without bidirectional and control characters (a tab becomes a space; a line break
/// stays when `keep_newlines`).
pub fn without_controls(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    let unwanted = |ch: char| is_bidi_control(ch) || (ch.is_control() && !(keep_newlines && ch == '\n'));
    if !text.chars().any(unwanted) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .filter_map(|ch| match ch {
                '\t' => Some(' '),
                ch if unwanted(ch) => None,
                ch => Some(ch),
            })
            .collect(),
    )
}

/// `text` as the PDF prints it (see the module documentation).
pub fn printable(text: &str) -> Cow<'_, str> {
    let cleaned = without_controls(text, true);
    let count = cleaned.chars().count();
    if count <= TEXT_MAX_CHARS && longest_run(&cleaned) <= LONG_TOKEN_CHARS {
        return cleaned;
    }
    let mut out = String::with_capacity(cleaned.len() + 64);
    let mut run: Vec<char> = Vec::new();
    for ch in cleaned.chars().take(TEXT_MAX_CHARS) {
        if breaks_here(ch) {
            push_run(&mut out, &run);
            run.clear();
            out.push(ch);
        } else {
            run.push(ch);
        }
    }
    push_run(&mut out, &run);
    if count > TEXT_MAX_CHARS {
        out.push_str(&format!(" … [{} more characters not shown]", count - TEXT_MAX_CHARS));
    }
    Cow::Owned(out)
}

/// The length of the longest run of characters without a break opportunity.
fn longest_run(text: &str) -> usize {
    let (mut longest, mut run) = (0, 0);
    for ch in text.chars() {
        run = if breaks_here(ch) { 0 } else { run + 1 };
        longest = longest.max(run);
    }
    longest
}

/// Appends a run, with a break opportunity every [`TOKEN_CHARS`] characters when it is longer
/// than [`LONG_TOKEN_CHARS`] (an identifier of ordinary length is left whole, so it copies
/// from the PDF as it is).
fn push_run(out: &mut String, run: &[char]) {
    if run.len() <= LONG_TOKEN_CHARS {
        out.extend(run);
        return;
    }
    for (index, piece) in run.chunks(TOKEN_CHARS).enumerate() {
        if index > 0 {
            out.push(BREAK);
        }
        out.extend(piece);
    }
}

/// Applies [`printable`] to every string of the template's data, except the paths the template
/// opens (`file`, `logo`) and the accent colour.
pub fn make_printable(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(text) => {
            if let Cow::Owned(changed) = printable(text) {
                *text = changed;
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(make_printable),
        serde_json::Value::Object(fields) => {
            for (key, item) in fields.iter_mut() {
                if !matches!(key.as_str(), "file" | "logo" | "accent") {
                    make_printable(item);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spoofing_and_control_characters_are_removed() {
        assert_eq!(printable("report\u{202E}gnp.exe"), "reportgnp.exe");
        assert_eq!(printable("a\u{2066}b\u{2069}c\u{200F}"), "abc");
        assert_eq!(printable("bell\u{7}\u{0}\u{1b}[31m\u{85}red"), "bell[31mred");
        assert_eq!(printable("two\nlines\tand tab"), "two\nlines and tab");
        assert!(matches!(printable("plain text, arn:aws:ec2:us-east-1:123456789012:instance/i-0abc"), Cow::Borrowed(_)));
    }

    #[test]
    fn long_tokens_get_break_opportunities_and_long_texts_are_cut() {
        let token = "x".repeat(60);
        let shown = printable(&token);
        assert_eq!(shown.chars().filter(|ch| *ch == BREAK).count(), 4);
        assert_eq!(shown.replace(BREAK, ""), token);
        assert!(matches!(printable("i-0123456789abcdef0 vol-0abc12345def678901234"), Cow::Borrowed(_)));
        let long = "word ".repeat(2_000);
        let shown = printable(&long);
        assert!(shown.ends_with(" … [6000 more characters not shown]"), "{}", &shown[shown.len() - 60..]);
        assert_eq!(shown.chars().count(), TEXT_MAX_CHARS + " … [6000 more characters not shown]".chars().count());
    }

    #[test]
    fn paths_the_template_opens_are_left_alone() {
        let mut data = serde_json::json!({"file": "charts/a\u{202E}b.svg", "caption": "x\u{202E}y", "rows": [["a\u{7}"]]});
        make_printable(&mut data);
        assert_eq!(data["file"], "charts/a\u{202E}b.svg");
        assert_eq!(data["caption"], "xy");
        assert_eq!(data["rows"][0][0], "a");
    }
}
