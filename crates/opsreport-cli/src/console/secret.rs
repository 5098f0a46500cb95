//! The console's signing key: it signs the forms' CSRF tokens (bound to the user) and the
//! time-limited links to reports kept in a folder (bound to the file). It comes from
//! `OPSREPORT_CONSOLE_SECRET` (at least 32 characters; the same for every task of a service),
//! else it is drawn at start, and tokens end with the process.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};

/// The variable that holds the secret.
pub const SECRET_VARIABLE: &str = "OPSREPORT_CONSOLE_SECRET";

/// How long a form's CSRF token is good for, seconds.
pub const CSRF_SECONDS: i64 = 12 * 3600;

/// The key.
pub struct Secret(hmac::Key);

impl Secret {
    /// From `OPSREPORT_CONSOLE_SECRET`, else random.
    pub fn from_env() -> Result<Self, String> {
        match std::env::var(SECRET_VARIABLE) {
            Ok(text) if text.len() >= 32 => Ok(Self::from_bytes(text.as_bytes())),
            Ok(_) => Err(format!("{SECRET_VARIABLE} must have at least 32 characters")),
            Err(_) => {
                let mut bytes = [0u8; 32];
                SystemRandom::new().fill(&mut bytes).map_err(|_| "no random numbers for the console's key".to_owned())?;
                Ok(Self::from_bytes(&bytes))
            }
        }
    }

    /// A key of these bytes.
    pub fn from_bytes(bytes: &[u8]) -> Self {
        Self(hmac::Key::new(hmac::HMAC_SHA256, bytes))
    }

    /// A token for `purpose` and `subject` that is good until `expires` (Unix seconds).
    pub fn sign(&self, purpose: &str, subject: &str, expires: i64) -> String {
        format!("{expires}.{}", URL_SAFE_NO_PAD.encode(self.tag(purpose, subject, expires)))
    }

    /// Whether `token` was made by [`Secret::sign`] for `purpose` and `subject` and is still good
    /// at `now`.
    pub fn check(&self, purpose: &str, subject: &str, token: &str, now: i64) -> bool {
        let Some((expires, tag)) = token.split_once('.') else { return false };
        let (Ok(expires), Ok(tag)) = (expires.parse::<i64>(), URL_SAFE_NO_PAD.decode(tag)) else { return false };
        expires > now && hmac::verify(&self.0, &message(purpose, subject, expires), &tag).is_ok()
    }

    fn tag(&self, purpose: &str, subject: &str, expires: i64) -> Vec<u8> {
        hmac::sign(&self.0, &message(purpose, subject, expires)).as_ref().to_vec()
    }
}

fn message(purpose: &str, subject: &str, expires: i64) -> Vec<u8> {
    format!("{purpose}\n{subject}\n{expires}").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_hold_for_their_purpose_subject_and_time_only() {
        let secret = Secret::from_bytes(b"0123456789abcdef0123456789abcdef");
        let token = secret.sign("csrf", "dana@example.com", 2000);
        assert!(secret.check("csrf", "dana@example.com", &token, 1999));
        assert!(!secret.check("csrf", "dana@example.com", &token, 2000));
        assert!(!secret.check("csrf", "eve@example.com", &token, 1000));
        assert!(!secret.check("link", "dana@example.com", &token, 1000));
        assert!(!secret.check("csrf", "dana@example.com", &token.replace("2000.", "3000."), 1000));
        assert!(!Secret::from_bytes(b"another key of thirty-two bytes!").check("csrf", "dana@example.com", &token, 1000));
        assert!(!secret.check("csrf", "dana@example.com", "", 1000));
    }
}
