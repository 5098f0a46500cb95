//! Limits on what one request or one user can make the console do: the size of each form, and
//! how many messages a user, or all users for one account, may send in an hour.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use opsreport_model::Subject;

/// The notes form: at most a notes file's limit (what it saves is smaller than what it posts).
pub const NOTES_FORM_MAX_BYTES: usize = opsreport_model::input::NOTES_MAX_BYTES as usize;
/// The send form: recipients, subject and the message text.
pub const SEND_FORM_MAX_BYTES: usize = 64 << 10;
/// Any other form (regenerate).
pub const FORM_MAX_BYTES: usize = 8 << 10;

/// Page images drawn at once.
pub const PREVIEWS_AT_ONCE: usize = 2;

/// The window of the send limits.
const HOUR: Duration = Duration::from_secs(3600);

/// Messages sent in the last hour.
#[derive(Default)]
pub struct SendLimits {
    sent: Mutex<Vec<(Instant, String, Subject)>>,
}

impl SendLimits {
    /// Counts a message of `user` for `account` (an account or a customer) at `now` if neither
    /// has reached its limit in the hour before; else says which limit holds.
    pub fn take(&self, user: &str, account: &Subject, per_user: u32, per_account: u32, now: Instant) -> Result<(), String> {
        let mut sent = self.sent.lock().expect("not poisoned");
        sent.retain(|(at, _, _)| now.saturating_duration_since(*at) < HOUR);
        let by_user = sent.iter().filter(|(_, who, _)| who == user).count();
        let by_account = sent.iter().filter(|(_, _, whose)| whose == account).count();
        if by_user >= per_user as usize {
            return Err(format!("You have sent {by_user} messages in the last hour, the most one user may; try again later."));
        }
        if by_account >= per_account as usize {
            return Err(format!(
                "{by_account} messages were sent for this account in the last hour, the most for one account; try again later."
            ));
        }
        sent.push((now, user.to_owned(), account.clone()));
        Ok(())
    }

    /// Gives back the message counted last for `user` and `account`: it was not sent.
    pub fn give_back(&self, user: &str, account: &Subject) {
        let mut sent = self.sent.lock().expect("not poisoned");
        if let Some(last) = sent.iter().rposition(|(_, who, whose)| who == user && whose == account) {
            sent.remove(last);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_and_an_account_are_each_held_to_their_hourly_limit() {
        let limits = SendLimits::default();
        let account = |id: &str| Subject::Account(opsreport_model::AccountId::parse(id).unwrap());
        let (a, b) = (account("111111111111"), account("222222222222"));
        let start = Instant::now();
        assert!(limits.take("dana", &a, 2, 2, start).is_ok());
        assert!(limits.take("dana", &b, 2, 2, start).is_ok());
        assert!(limits.take("dana", &a, 2, 2, start).unwrap_err().contains("one user"));
        assert!(limits.take("sam", &a, 2, 2, start).is_ok());
        assert!(limits.take("lee", &a, 2, 2, start).unwrap_err().contains("one account"));
        assert!(limits.take("dana", &a, 2, 2, start + HOUR).is_ok(), "an hour later");
        limits.give_back("dana", &a);
        assert!(limits.take("dana", &a, 2, 2, start + HOUR).is_ok(), "a message not sent is not counted");
    }
}
