//! The console under load on loopback: 20 simulated users, each signed in by the test load
//! balancer, browse the accounts list, an account and a report, save their own notes and ask for
//! regenerations, for a bounded time (`OPSREPORT_LOAD_SECONDS`, default 60). Every answer must be
//! the expected one, no note save may be lost, every job asked for must be written, and the 99th
//! percentile of the requests' times must stay under 2 s. The figures are printed (run with
//! `--nocapture`; BENCHMARKS.md has them).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use opsreport_tests::console::{ACCOUNT_A, ACCOUNT_B, Console, Response, TestAlb, form, with_reports};

const USERS: usize = 20;

/// What one user did: every request's time and answer, its last saved notes text, its jobs.
#[derive(Default)]
struct Tally {
    times: Vec<Duration>,
    unexpected: Vec<String>,
    last_saved: Option<String>,
    jobs: Vec<String>,
}

struct User {
    token: String,
    account: &'static str,
    notes: String,
}

fn timed(tally: &mut Tally, console: &Console, method: &str, path: &str, token: &str, body: &str) -> Response {
    let started = Instant::now();
    let response = console.request(method, path, &[("x-amzn-oidc-data", token)], body);
    tally.times.push(started.elapsed());
    response
}

fn expect(tally: &mut Tally, what: &str, response: &Response, allowed: &[u16]) -> bool {
    let fine = allowed.contains(&response.status);
    if !fine {
        tally.unexpected.push(format!("{what}: {} {}", response.status, response.text().chars().take(300).collect::<String>()));
    }
    fine
}

/// One user's session until `deadline`.
fn session(console: &Console, user: &User, number: usize, deadline: Instant) -> Tally {
    let mut tally = Tally::default();
    let account = format!("/accounts/{}", user.account);
    let notes = format!("{account}/notes/{}", user.notes);
    let mut round = 0;
    while Instant::now() < deadline {
        round += 1;
        for path in ["/".to_owned(), account.clone(), format!("{account}/reports/monthly/2026-10")] {
            let page = timed(&mut tally, console, "GET", &path, &user.token, "");
            expect(&mut tally, &path, &page, &[200]);
        }
        let editor = timed(&mut tally, console, "GET", &notes, &user.token, "");
        if !expect(&mut tally, "notes editor", &editor, &[200]) {
            continue;
        }
        let (csrf, version) = (editor.field("csrf").unwrap_or_default(), editor.field("version").unwrap_or_default());
        let text = format!("Load user {number} save {round}");
        let body = form(&[("csrf", &csrf), ("version", &version), ("customer_name", &text)]);
        let saved = timed(&mut tally, console, "POST", &notes, &user.token, &body);
        if expect(&mut tally, "notes save", &saved, &[303]) {
            tally.last_saved = Some(text);
        }
        if round % 3 == 1 {
            let period = ["2026-W40", "2026-W41", "2026-W42", "2026-W43"][(number + round) % 4];
            let body = form(&[("csrf", &csrf), ("kind", "weekly"), ("period", period), ("formats", "existing")]);
            let asked = timed(&mut tally, console, "POST", &format!("{account}/regenerate"), &user.token, &body);
            if expect(&mut tally, "regenerate", &asked, &[303, 429])
                && let Some(location) = asked.header("location")
            {
                tally.jobs.push(location.to_owned());
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    tally
}

/// Waits for a job to finish; whether it was written.
fn written(console: &Console, location: &str, token: &str) -> bool {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(600) {
        let page = console.request("GET", location, &[("x-amzn-oidc-data", token)], "");
        if !page.text().contains("http-equiv=\"refresh\"") {
            return page.text().contains("id=\"job-state\" class=\"status ok\">Written<");
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    false
}

fn percentile(sorted: &[Duration], share: f64) -> Duration {
    sorted[((sorted.len() as f64 * share).ceil() as usize).clamp(1, sorted.len()) - 1]
}

#[test]
fn twenty_users_browse_save_notes_and_regenerate_with_nothing_lost() {
    let directory = tempfile::tempdir().unwrap();
    let alb: TestAlb = with_reports(directory.path(), &format!("northwind = [\"{ACCOUNT_A}\"]\n"));
    let console = Console::start(directory.path(), &[], &[]);
    let seconds: u64 = std::env::var("OPSREPORT_LOAD_SECONDS").ok().and_then(|text| text.parse().ok()).unwrap_or(60);
    let users: Vec<User> = (0..USERS)
        .map(|number| {
            let (group, account) = if number % 2 == 0 { ("northwind", ACCOUNT_A) } else { ("contoso", ACCOUNT_B) };
            let token = alb.token_as(opsreport_tests::console::ALB_ARN, &format!("user{number}@example.com"), &[group], 7200);
            User { token, account, notes: format!("2025-W{:02}", number + 1) }
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let tallies = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for (number, user) in users.iter().enumerate() {
            let (console, tallies) = (&console, &tallies);
            scope.spawn(move || {
                let tally = session(console, user, number, deadline);
                tallies.lock().unwrap().push((number, tally));
            });
        }
    });
    let tallies = tallies.into_inner().unwrap();
    let unexpected: Vec<&String> = tallies.iter().flat_map(|(_, tally)| &tally.unexpected).collect();
    assert!(unexpected.is_empty(), "{} unexpected answers, first: {:?}", unexpected.len(), unexpected.first());

    // No note save lost: each user's file holds its last acknowledged save.
    for (number, tally) in &tallies {
        let user = &users[*number];
        let file = directory.path().join(format!("data/notes/{}/{}.toml", user.account, user.notes));
        let saved = std::fs::read_to_string(&file).unwrap();
        let last = tally.last_saved.as_ref().expect("each user saved");
        assert!(saved.contains(&format!("customer_name = \"{last}\"")), "user {number}: {saved}");
    }
    // No job lost: every job a user was given is written.
    let mut jobs: Vec<(String, &str)> = tallies
        .iter()
        .flat_map(|(number, tally)| tally.jobs.iter().map(|job| (job.clone(), users[*number].token.as_str())))
        .collect();
    jobs.sort();
    jobs.dedup_by(|left, right| left.0 == right.0);
    for (job, token) in &jobs {
        assert!(written(&console, job, token), "{job} was not written");
    }

    let mut times: Vec<Duration> = tallies.iter().flat_map(|(_, tally)| tally.times.iter().copied()).collect();
    times.sort();
    let (p50, p99, max) = (percentile(&times, 0.5), percentile(&times, 0.99), *times.last().unwrap());
    let saves: usize = tallies.iter().filter(|(_, tally)| tally.last_saved.is_some()).count();
    println!(
        "console load: {USERS} users for {seconds} s: {} requests ({:.0}/s), p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms; {saves} users' last saves kept; {} distinct jobs written",
        times.len(),
        times.len() as f64 / seconds as f64,
        p50.as_secs_f64() * 1000.0,
        p99.as_secs_f64() * 1000.0,
        max.as_secs_f64() * 1000.0,
        jobs.len()
    );
    assert!(p99 < Duration::from_secs(2), "the 99th percentile is {p99:?}");
}
