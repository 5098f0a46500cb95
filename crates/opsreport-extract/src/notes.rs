//! Which files of an account's notes folder a report reads, and reading them into the period's
//! notes: `profile.toml`, the period's `<label>.toml` (`2026-10`, `2026-W44`, `2026-Q4`), and
//! the earlier notes of any kind within [`memory::CARRY_MONTHS`] for the action items still open. The rules that combine them live in
//! `opsreport_model::memory`; local folders and S3 only list and read files.

use opsreport_model::memory::{self, Noted, Profile};
use opsreport_model::notes::{Notes, NotesError};

use crate::error::Result;

/// The files of a notes folder a report reads, by file name.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct NotesFiles {
    /// `profile.toml`, when there is one.
    pub profile: Option<String>,
    /// The period's notes file, when there is one.
    pub current: Option<String>,
    /// Earlier notes files within the carry window, with their period.
    pub earlier: Vec<(Noted, String)>,
}

impl NotesFiles {
    /// Picks the files a report of the period `month` reads from a folder's file names. A `.toml`
    /// name that is neither `profile.toml` nor a period's label is an error naming it (a misspelt
    /// month would otherwise drop its notes in silence); other names (an editor's backup) are not
    /// notes.
    pub fn pick(names: &[String], month: &Noted, folder: &str) -> std::result::Result<Self, NotesError> {
        let mut files = Self::default();
        let oldest = month.oldest_read();
        for name in names {
            let Some(stem) = name.strip_suffix(".toml") else { continue };
            if name == memory::PROFILE_FILE {
                files.profile = Some(name.clone());
                continue;
            }
            let noted = Noted::of_label(stem).ok().filter(|noted| noted.id.to_string() == stem).ok_or_else(|| NotesError {
                origin: format!("{folder}/{name}"),
                message: "is not a notes file name: name it after the period it is for (<YYYY-MM>.toml, <YYYY-Www>.toml or <YYYY-Qn>.toml) or profile.toml".to_owned(),
            })?;
            if noted == *month {
                files.current = Some(name.clone());
            } else if noted < *month && noted.last_day >= oldest {
                files.earlier.push((noted, name.clone()));
            }
        }
        Ok(files)
    }

    /// Reads the picked files with `read` (file name to bytes; `origin` names them in messages)
    /// and assembles the month's notes.
    pub fn read(self, month: Noted, folder: &str, mut read: impl FnMut(&str) -> Result<Vec<u8>>) -> Result<Option<Notes>> {
        let origin = |name: &str| format!("{folder}/{name}");
        let profile = match &self.profile {
            Some(name) => Some(Profile::from_bytes(&read(name)?, &origin(name))?),
            None => None,
        };
        let current = match &self.current {
            Some(name) => Some(Notes::from_bytes(&read(name)?, &origin(name))?),
            None => None,
        };
        let mut earlier = Vec::with_capacity(self.earlier.len());
        for (noted, name) in &self.earlier {
            earlier.push((noted.clone(), Notes::from_bytes(&read(name)?, &origin(name))?));
        }
        Ok(memory::assemble(profile, earlier, current, month))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profile_the_month_and_the_carry_window_are_picked() {
        let names: Vec<String> =
            ["profile.toml", "2026-10.toml", "2026-09.toml", "2024-09.toml", "2026-11.toml", "2026-10.toml~", "README.md"]
                .iter()
                .map(|name| name.to_string())
                .collect();
        let month = Noted::of_label("2026-10").unwrap();
        let files = NotesFiles::pick(&names, &month, "notes/1").unwrap();
        assert_eq!(files.profile.as_deref(), Some("profile.toml"));
        assert_eq!(files.current.as_deref(), Some("2026-10.toml"));
        assert_eq!(files.earlier, [(Noted::of_label("2026-09").unwrap(), "2026-09.toml".to_owned())]);
        let weekly: Vec<String> =
            ["2026-W43.toml", "2026-W44.toml", "2026-Q3.toml"].iter().map(|name| name.to_string()).collect();
        let files = NotesFiles::pick(&weekly, &Noted::of_label("2026-W44").unwrap(), "notes/1").unwrap();
        assert_eq!(files.current.as_deref(), Some("2026-W44.toml"));
        assert_eq!(files.earlier.len(), 2, "the week before and the quarter that ended before it");
        for bad in ["2026-1.toml", "October.toml", "profile-old.toml", "2026-W60.toml", "2026-Q5.toml"] {
            let error = NotesFiles::pick(&[bad.to_owned()], &month, "notes/1").unwrap_err().to_string();
            assert!(error.contains(bad) && error.contains("<YYYY-Www>.toml"), "{error}");
        }
    }
}
