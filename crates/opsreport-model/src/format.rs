//! Number formatting shared by the insights (metrics) and the PDF (render), so a number reads
//! the same in a sentence and in a table.

/// A whole number with thousands separators: `1234567` → `1,234,567`.
pub fn thousands(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        out.push('-');
    }
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A count with the words that agree with it, never "(s)": `1 volume is`, `6 volumes are`,
/// `1,234 blocks` (thousands separated).
pub fn plural(count: u64, one: &str, many: &str) -> String {
    if count == 1 { format!("1 {one}") } else { format!("{} {many}", thousands(count as i64)) }
}

/// Dollars with cents and thousands separators: `1234.5` → `$1,234.50`.
pub fn dollars(value: f64) -> String {
    let cents = (value * 100.0).round() as i64;
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.abs();
    format!("{sign}${}.{:02}", thousands(cents / 100), cents % 100)
}

/// A duration in minutes as people read it: whole minutes below two hours, hours with one
/// decimal from there (`90` → `90 min`, `150` → `2.5 h`).
pub fn duration_minutes(minutes: f64) -> String {
    if minutes < 120.0 { format!("{minutes:.0} min") } else { format!("{:.1} h", minutes / 60.0) }
}

/// Bytes as lower-case hexadecimal (a SHA-256 digest in a manifest or a fingerprint).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_and_cents() {
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(-1000), "-1,000");
        assert_eq!(thousands(12), "12");
        assert_eq!(dollars(1234.5), "$1,234.50");
        assert_eq!(dollars(-0.004), "$0.00");
        assert_eq!(dollars(-12.345), "-$12.35");
        assert_eq!(duration_minutes(90.0), "90 min");
        assert_eq!(duration_minutes(150.0), "2.5 h");
    }
}
