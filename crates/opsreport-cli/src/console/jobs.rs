//! Regenerating reports: a bounded pool of worker threads (`[console] workers`) takes requests
//! in order and runs the same pipeline as `opsreport generate` for one account and period. The
//! table of jobs is what the job page shows while it refreshes: queued, running (since when),
//! written, or failed with the reason. A request the same as one still waiting or running
//! (account, period and layouts) joins it; a user may have `[console] queued_jobs_per_user`
//! requests pending at once.

use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use opsreport_model::{AccountId, Config, ReportPeriod};

use opsreport_model::console::ConsoleSettings;

use crate::choice::{FormatFlag, SourceChoice};
use crate::commands::generate::{OneOutcome, OneReport, one_report};

/// Jobs kept in the table; older finished ones are forgotten.
const KEPT_JOBS: usize = 500;

/// Where a job is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobState {
    /// Waiting for a worker, behind this many jobs.
    Queued,
    /// Being made.
    Running,
    /// Written; with a note when the account had no data in the period.
    Written(Option<String>),
    /// Not written, and why.
    Failed(String),
}

/// One request to regenerate.
#[derive(Clone, Debug)]
pub struct Job {
    /// Its number.
    pub id: u64,
    /// The account.
    pub account: AccountId,
    /// The period.
    pub period: ReportPeriod,
    /// The layouts.
    pub formats: Vec<FormatFlag>,
    /// Who asked.
    pub requested_by: String,
    /// Where it is.
    pub state: JobState,
    /// When a worker took it.
    pub started_at: Option<Instant>,
    /// How long it took.
    pub took: Option<Duration>,
}

impl Job {
    /// Whether it is still to finish.
    pub fn pending(&self) -> bool {
        matches!(self.state, JobState::Queued | JobState::Running)
    }
}

/// What became of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Submitted {
    /// A new job, by number.
    Queued(u64),
    /// The same report was already pending: that job.
    Joined(u64),
    /// The user has this many jobs pending, the most allowed.
    TooMany(usize),
}

/// The pool and its table.
pub struct Jobs {
    table: Arc<Mutex<BTreeMap<u64, Job>>>,
    queue: Mutex<Sender<u64>>,
    per_user: usize,
}

/// What a worker needs to make a report.
struct Workshop {
    config: Config,
    source: SourceChoice,
    out: String,
    /// Folder names a failure's text may hold, replaced before it is shown.
    hidden: Vec<(String, &'static str)>,
}

impl Jobs {
    /// Starts `[console] workers` threads that make reports from `source` into `out`.
    pub fn start(config: &Config, source: SourceChoice, out: String, settings: &ConsoleSettings) -> Self {
        let table = Arc::new(Mutex::new(BTreeMap::new()));
        let (sender, receiver) = channel::<u64>();
        let receiver = Arc::new(Mutex::new(receiver));
        let hidden = hidden_folders(&source, &out);
        let workshop = Arc::new(Workshop { config: config.clone(), source, out, hidden });
        for number in 0..(settings.workers as usize).max(1) {
            let (table, receiver, workshop) = (table.clone(), receiver.clone(), workshop.clone());
            std::thread::Builder::new()
                .name(format!("regenerate-{number}"))
                .spawn(move || work(&table, &receiver, &workshop))
                .expect("a worker thread");
        }
        Self { table, queue: Mutex::new(sender), per_user: (settings.queued_jobs_per_user as usize).max(1) }
    }

    /// Queues a report, or joins the same one pending, unless the user has too many pending.
    pub fn submit(&self, account: AccountId, period: ReportPeriod, formats: Vec<FormatFlag>, requested_by: &str) -> Submitted {
        let mut table = self.table.lock().expect("not poisoned");
        let same = |job: &&Job| job.pending() && job.account == account && job.period == period && job.formats == formats;
        if let Some(job) = table.values().find(same) {
            return Submitted::Joined(job.id);
        }
        let waiting = table.values().filter(|job| job.pending() && job.requested_by == requested_by).count();
        if waiting >= self.per_user {
            return Submitted::TooMany(waiting);
        }
        let id = table.keys().next_back().map_or(1, |last| last + 1);
        let job = Job {
            id,
            account,
            period,
            formats,
            requested_by: requested_by.to_owned(),
            state: JobState::Queued,
            started_at: None,
            took: None,
        };
        table.insert(id, job);
        while table.len() > KEPT_JOBS {
            let Some(oldest) = table.values().find(|job| !job.pending()).map(|job| job.id) else { break };
            table.remove(&oldest);
        }
        drop(table);
        self.queue.lock().expect("not poisoned").send(id).expect("the workers run as long as the console");
        Submitted::Queued(id)
    }

    /// A job, with the number of jobs queued before it.
    pub fn get(&self, id: u64) -> Option<(Job, usize)> {
        let table = self.table.lock().expect("not poisoned");
        let job = table.get(&id)?.clone();
        let ahead = table.range(..id).filter(|(_, other)| other.state == JobState::Queued).count();
        Some((job, ahead))
    }

    /// The latest job of an account, by period label.
    pub fn latest(&self, account: &AccountId) -> BTreeMap<String, Job> {
        let table = self.table.lock().expect("not poisoned");
        table.values().filter(|job| &job.account == account).map(|job| (job.period.label(), job.clone())).collect()
    }
}

fn work(table: &Mutex<BTreeMap<u64, Job>>, receiver: &Mutex<Receiver<u64>>, workshop: &Workshop) {
    loop {
        let Ok(id) = receiver.lock().expect("not poisoned").recv() else { return };
        let request = {
            let mut table = table.lock().expect("not poisoned");
            let Some(job) = table.get_mut(&id) else { continue };
            job.state = JobState::Running;
            job.started_at = Some(Instant::now());
            OneReport {
                source: workshop.source.clone(),
                account: job.account.clone(),
                period: job.period,
                out: workshop.out.clone(),
                formats: job.formats.clone(),
            }
        };
        let started = Instant::now();
        let outcome: OneOutcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| one_report(&workshop.config, request)))
                .unwrap_or_else(|_| Err("internal error (panic): please report it with the account's data".into()));
        if let Some(job) = table.lock().expect("not poisoned").get_mut(&id) {
            job.took = Some(started.elapsed());
            job.state = match outcome {
                Ok(note) => JobState::Written(note),
                Err(reason) => JobState::Failed(without_folders(&reason, &workshop.hidden)),
            };
        }
    }
}

/// The console's own folders, as given and absolute, with what stands for them in a message.
fn hidden_folders(source: &SourceChoice, out: &str) -> Vec<(String, &'static str)> {
    let mut folders = Vec::new();
    let mut add = |folder: &std::path::Path, name: &'static str| {
        if let Ok(absolute) = std::path::absolute(folder) {
            folders.push((absolute.display().to_string(), name));
        }
        folders.push((folder.display().to_string(), name));
    };
    if let SourceChoice::Folder(root) = source {
        add(root, "<data>");
    }
    if !out.starts_with("s3://") {
        add(std::path::Path::new(out), "<reports>");
    }
    folders.retain(|(folder, _)| folder.len() > 1);
    // The longest first, so an absolute path is replaced before the relative one inside it.
    folders.sort_by_key(|(folder, _)| std::cmp::Reverse(folder.len()));
    folders
}

/// A failure's text without the server's folder names: a user sees where in the data, not where
/// on the machine.
fn without_folders(reason: &str, hidden: &[(String, &'static str)]) -> String {
    hidden.iter().fold(reason.to_owned(), |text, (folder, name)| text.replace(folder.as_str(), name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_names_the_data_not_the_machine() {
        let hidden = hidden_folders(&SourceChoice::Folder("/srv/opsreport/data".into()), "/srv/opsreport/out");
        let reason = "dataset incidents, file /srv/opsreport/data/incidents/aws_account_id=1/month=2026-10/a.parquet: bad row";
        assert_eq!(
            without_folders(reason, &hidden),
            "dataset incidents, file <data>/incidents/aws_account_id=1/month=2026-10/a.parquet: bad row"
        );
    }
}
