//! Who may see which account: `[console] users` (by e-mail) and `[console] groups` (by the
//! identity provider's groups) map to account ids, or to `*` for every account. Every request
//! for an account asks [`Access::allows`] before anything of the account is read.

use std::collections::BTreeMap;

use super::auth::User;

/// The account map of `[console]`.
#[derive(Clone, Debug, Default)]
pub struct Access {
    users: BTreeMap<String, Vec<String>>,
    groups: BTreeMap<String, Vec<String>>,
    /// Every account for everyone: only for `--dev-user` with no map at all.
    open: bool,
}

/// Stands for every account in a map.
pub const ALL_ACCOUNTS: &str = "*";

impl Access {
    /// The map of the settings (e-mail addresses compared without case). With `dev` and an empty
    /// map, the one local user may see every account.
    pub fn new(users: &BTreeMap<String, Vec<String>>, groups: &BTreeMap<String, Vec<String>>, dev: bool) -> Self {
        let open = dev && users.is_empty() && groups.is_empty();
        let users = users.iter().map(|(email, accounts)| (email.trim().to_lowercase(), accounts.clone())).collect();
        Self { users, groups: groups.clone(), open }
    }

    /// Whether `user` may see and change `account`.
    pub fn allows(&self, user: &User, account: &str) -> bool {
        if self.open {
            return true;
        }
        let grants = |accounts: &Vec<String>| accounts.iter().any(|granted| granted == ALL_ACCOUNTS || granted == account);
        self.users.get(&user.email).is_some_and(grants)
            || user.groups.iter().filter_map(|group| self.groups.get(group)).any(grants)
    }

    /// Whether `user` may see every account (then accounts are found in the data, not the map).
    pub fn sees_all(&self, user: &User) -> bool {
        self.allows(user, ALL_ACCOUNTS)
    }

    /// The account ids the map names for `user` (without `*`).
    pub fn named(&self, user: &User) -> Vec<String> {
        let mut named: Vec<String> = self
            .users
            .get(&user.email)
            .into_iter()
            .chain(user.groups.iter().filter_map(|group| self.groups.get(group)))
            .flatten()
            .filter(|account| account.as_str() != ALL_ACCOUNTS)
            .cloned()
            .collect();
        named.sort();
        named.dedup();
        named
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(email: &str, groups: &[&str]) -> User {
        User { email: email.into(), groups: groups.iter().map(|group| group.to_string()).collect() }
    }

    #[test]
    fn users_and_groups_grant_their_accounts_only() {
        let users = BTreeMap::from([("Dana@Example.com".to_owned(), vec!["111111111111".to_owned()])]);
        let groups =
            BTreeMap::from([("ops".to_owned(), vec!["*".to_owned()]), ("emea".to_owned(), vec!["222222222222".to_owned()])]);
        let access = Access::new(&users, &groups, false);
        assert!(access.allows(&user("dana@example.com", &[]), "111111111111"));
        assert!(!access.allows(&user("dana@example.com", &[]), "222222222222"));
        assert!(access.allows(&user("sam@example.com", &["emea"]), "222222222222"));
        assert!(!access.allows(&user("sam@example.com", &["emea"]), "111111111111"));
        assert!(access.allows(&user("lee@example.com", &["ops"]), "333333333333"));
        assert!(!access.allows(&user("eve@example.com", &[]), "111111111111"));
        assert_eq!(access.named(&user("dana@example.com", &["emea"])), ["111111111111", "222222222222"]);
        assert!(!Access::new(&users, &groups, true).allows(&user("eve@example.com", &[]), "111111111111"));
        assert!(Access::new(&BTreeMap::new(), &BTreeMap::new(), true).allows(&user("me@example.com", &[]), "111111111111"));
        assert!(!Access::new(&BTreeMap::new(), &BTreeMap::new(), false).allows(&user("me@example.com", &[]), "111111111111"));
    }
}
