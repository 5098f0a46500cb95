//! Regenerating reports: a bounded pool of worker threads (`[console] workers`) takes requests
//! in order and runs the same pipeline as `opsreport generate` for one account and period. The
//! table of jobs is what the job page shows while it refreshes: queued, running (since when),
//! written, or failed with the reason. A request for a report that is still waiting (account and
//! period) joins it, its layouts added; one for a report being made waits for it and makes its
//! layouts too, so two writes of one report never run at once and neither drops the other's
//! file. A user may have `[console] queued_jobs_per_user` requests pending at once.

use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use opsreport_model::{AccountId, Config, PeriodId, ReportPeriod};

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
        let same_report = |job: &Job| job.account == account && job.period == period;
        if let Some(job) = table.values_mut().find(|job| job.state == JobState::Queued && same_report(job)) {
            job.formats = union(&job.formats, &formats);
            return Submitted::Joined(job.id);
        }
        let running: Vec<FormatFlag> = table
            .values()
            .filter(|job| job.state == JobState::Running && same_report(job))
            .flat_map(|job| job.formats.clone())
            .collect();
        let formats = union(&formats, &running);
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
    pub fn latest(&self, account: &AccountId) -> BTreeMap<PeriodId, Job> {
        let table = self.table.lock().expect("not poisoned");
        table.values().filter(|job| &job.account == account).map(|job| (job.period.id(), job.clone())).collect()
    }
}

/// The layouts of either list, in order, once each.
fn union(left: &[FormatFlag], right: &[FormatFlag]) -> Vec<FormatFlag> {
    let mut formats: Vec<FormatFlag> = left.iter().chain(right).copied().collect();
    formats.sort();
    formats.dedup();
    formats
}

/// Marks a job running once no other job is making the same report (waiting for it), and gives
/// its request; `None` when the job is gone.
fn start(table: &Mutex<BTreeMap<u64, Job>>, id: u64, workshop: &Workshop) -> Option<OneReport> {
    loop {
        let mut table = table.lock().expect("not poisoned");
        let job = table.get(&id)?;
        let busy = table.values().any(|other| {
            other.id != id && other.state == JobState::Running && other.account == job.account && other.period == job.period
        });
        if busy {
            drop(table);
            std::thread::sleep(Duration::from_millis(200));
            continue;
        }
        let job = table.get_mut(&id)?;
        job.state = JobState::Running;
        job.started_at = Some(Instant::now());
        return Some(OneReport {
            source: workshop.source.clone(),
            account: job.account.clone(),
            period: job.period,
            out: workshop.out.clone(),
            formats: job.formats.clone(),
        });
    }
}

fn work(table: &Mutex<BTreeMap<u64, Job>>, receiver: &Mutex<Receiver<u64>>, workshop: &Workshop) {
    loop {
        let Ok(id) = receiver.lock().expect("not poisoned").recv() else { return };
        let Some(request) = start(table, id, workshop) else { continue };
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

/// The console's own folders (absolute), with what stands for them in a message.
fn hidden_folders(source: &SourceChoice, out: &str) -> Vec<(String, &'static str)> {
    let mut folders = Vec::new();
    if let SourceChoice::Folder(root) = source
        && let Ok(absolute) = std::path::absolute(root)
    {
        folders.push((absolute.display().to_string(), "<data>"));
    }
    if !out.starts_with("s3://")
        && let Ok(absolute) = std::path::absolute(out)
    {
        folders.push((absolute.display().to_string(), "<reports>"));
    }
    folders.retain(|(folder, _)| folder.len() > 1);
    // The longest first, so a folder inside another is replaced before it.
    folders.sort_by_key(|(folder, _)| std::cmp::Reverse(folder.len()));
    folders
}

/// A failure's text without the server's folder names: a user sees where in the data, not where
/// on the machine. A folder is replaced only as a whole path (followed by `/`, a space, a quote or
/// the end), so words of the message stay as they are.
fn without_folders(reason: &str, hidden: &[(String, &'static str)]) -> String {
    hidden.iter().fold(reason.to_owned(), |text, (folder, name)| {
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(found) = rest.find(folder.as_str()) {
            let after = &rest[found + folder.len()..];
            let whole = after.is_empty() || after.starts_with(['/', ' ', '"', '\'', ':', ',', ')']);
            out.push_str(&rest[..found]);
            out.push_str(if whole { name } else { folder });
            rest = after;
        }
        out.push_str(rest);
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(id: u64, state: JobState, formats: Vec<FormatFlag>) -> Job {
        Job {
            id,
            account: AccountId::parse("111111111111").unwrap(),
            period: ReportPeriod::from_label("2026-10", chrono_tz::Tz::UTC).unwrap(),
            formats,
            requested_by: "dana@example.com".into(),
            state,
            started_at: None,
            took: None,
        }
    }

    #[test]
    fn a_report_is_made_by_one_job_at_a_time_with_every_layout_asked_for() {
        let (sender, _receiver) = channel();
        let table = Arc::new(Mutex::new(BTreeMap::from([(1, job(1, JobState::Running, vec![FormatFlag::Slides]))])));
        let jobs = Jobs { table: table.clone(), queue: Mutex::new(sender), per_user: 5 };
        let account = AccountId::parse("111111111111").unwrap();
        let period = ReportPeriod::from_label("2026-10", chrono_tz::Tz::UTC).unwrap();
        // A running job is not joined: the new one makes its layouts too, after it.
        let second = jobs.submit(account.clone(), period, vec![FormatFlag::Document], "sam@example.com");
        assert_eq!(second, Submitted::Queued(2));
        assert_eq!(table.lock().unwrap()[&2].formats, [FormatFlag::Document, FormatFlag::Slides]);
        // A waiting one is joined, with the layouts added.
        let third = jobs.submit(account, period, vec![FormatFlag::Document], "lee@example.com");
        assert_eq!(third, Submitted::Joined(2));
        let workshop = Workshop {
            config: Config::default(),
            source: SourceChoice::Folder("data".into()),
            out: "out".into(),
            hidden: Vec::new(),
        };
        let waiting = std::thread::spawn({
            let table = table.clone();
            move || start(&table, 2, &workshop).map(|request| request.formats)
        });
        std::thread::sleep(Duration::from_millis(400));
        assert_eq!(table.lock().unwrap()[&2].state, JobState::Queued, "it waits for the running job");
        table.lock().unwrap().get_mut(&1).unwrap().state = JobState::Written(None);
        assert_eq!(waiting.join().unwrap(), Some(vec![FormatFlag::Document, FormatFlag::Slides]));
    }

    #[test]
    fn a_failure_names_the_data_not_the_machine() {
        let hidden = hidden_folders(&SourceChoice::Folder("/srv/opsreport/data".into()), "/srv/opsreport/out");
        let reason = "dataset incidents, file /srv/opsreport/data/incidents/aws_account_id=1/month=2026-10/a.parquet: bad row";
        assert_eq!(
            without_folders(reason, &hidden),
            "dataset incidents, file <data>/incidents/aws_account_id=1/month=2026-10/a.parquet: bad row"
        );
        let relative = hidden_folders(&SourceChoice::Folder("data".into()), "out");
        let words = "the request timed out: no data for the period";
        assert_eq!(without_folders(words, &relative), words, "words that name no folder stay");
        let near = "file /srv/opsreport/data-old/x.parquet";
        assert_eq!(without_folders(near, &hidden), near, "another folder with the same start stays");
    }
}
