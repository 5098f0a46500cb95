//! Regenerating reports: a bounded pool of worker threads (`[console] workers`) takes requests
//! in order and runs the same pipeline as `opsreport generate` for one account and period. The
//! table of jobs is what the job page shows while it refreshes: queued, running (since when),
//! written, or failed with the reason.

use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use opsreport_model::{AccountId, Config, ReportPeriod};

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

/// The pool and its table.
pub struct Jobs {
    table: Arc<Mutex<BTreeMap<u64, Job>>>,
    queue: Mutex<Sender<u64>>,
}

/// What a worker needs to make a report.
struct Workshop {
    config: Config,
    source: SourceChoice,
    out: String,
}

impl Jobs {
    /// Starts `workers` threads that make reports from `source` into `out`.
    pub fn start(config: &Config, source: SourceChoice, out: String, workers: usize) -> Self {
        let table = Arc::new(Mutex::new(BTreeMap::new()));
        let (sender, receiver) = channel::<u64>();
        let receiver = Arc::new(Mutex::new(receiver));
        let workshop = Arc::new(Workshop { config: config.clone(), source, out });
        for number in 0..workers.max(1) {
            let (table, receiver, workshop) = (table.clone(), receiver.clone(), workshop.clone());
            std::thread::Builder::new()
                .name(format!("regenerate-{number}"))
                .spawn(move || work(&table, &receiver, &workshop))
                .expect("a worker thread");
        }
        Self { table, queue: Mutex::new(sender) }
    }

    /// Queues a report; its job number.
    pub fn submit(&self, account: AccountId, period: ReportPeriod, formats: Vec<FormatFlag>, requested_by: &str) -> u64 {
        let mut table = self.table.lock().expect("not poisoned");
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
        id
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
                Err(reason) => JobState::Failed(reason),
            };
        }
    }
}
