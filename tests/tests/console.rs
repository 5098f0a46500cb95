//! The console (`opsreport serve`) over HTTP: every route, every refusal (no token, a bad
//! signature, another load balancer, an expired token, another user's account, a missing or
//! foreign CSRF token), the notes editor's checks and conditional saves, regenerating, the page
//! images, and tenant isolation: a user sees and changes only the accounts mapped to them.

use std::path::Path;
use std::time::{Duration, Instant};

use opsreport_tests::console::{ACCOUNT_A, ACCOUNT_B, ALB_ARN, Console, Response, TestAlb, form, with_reports};
use opsreport_tests::{copy_tree, opsreport, repo_root};

fn setup(directory: &Path) -> TestAlb {
    with_reports(directory, "")
}

fn get(console: &Console, path: &str, token: &str) -> Response {
    console.request("GET", path, &[("x-amzn-oidc-data", token)], "")
}

fn post(console: &Console, path: &str, token: &str, body: &str) -> Response {
    console.request("POST", path, &[("x-amzn-oidc-data", token)], body)
}

/// Follows a job page until the job is done; its last page.
fn finished_job(console: &Console, location: &str, token: &str) -> Response {
    let started = Instant::now();
    loop {
        let page = get(console, location, token);
        assert_eq!(page.status, 200, "{}", page.text());
        if !page.text().contains("http-equiv=\"refresh\"") {
            return page;
        }
        assert!(started.elapsed() < Duration::from_secs(120), "the job did not finish: {}", page.text());
        std::thread::sleep(Duration::from_millis(300));
    }
}

#[test]
fn no_one_gets_in_without_a_valid_token_for_the_account() {
    let directory = tempfile::tempdir().unwrap();
    let alb = setup(directory.path());
    let console = Console::start(directory.path(), &[], &[]);
    let dana = alb.token("dana@example.com", &[]);

    assert_eq!(console.request("GET", "/health", &[], "").status, 200);
    let refusals = [
        ("no token", console.request("GET", "/", &[], "")),
        ("not a JWT", get(&console, "/", "not-a-token")),
        (
            "another key",
            get(&console, "/", &TestAlb::new(&directory.path().join("other"), "key-1").token("dana@example.com", &[])),
        ),
        (
            "another load balancer",
            get(&console, "/", &alb.token_as("arn:aws:elasticloadbalancing:other", "dana@example.com", &[], 3600)),
        ),
        ("expired", get(&console, "/", &alb.token_as(ALB_ARN, "dana@example.com", &[], -5))),
        ("tampered", get(&console, "/", &tamper(&dana, "eve@example.com"))),
    ];
    for (why, response) in refusals {
        assert_eq!(response.status, 401, "{why}: {}", response.text());
        assert!(!response.text().contains(ACCOUNT_A), "{why}");
    }

    // Another user's account and an account that does not exist get the same answer.
    let foreign = get(&console, &format!("/accounts/{ACCOUNT_B}"), &dana);
    let missing = get(&console, "/accounts/111111111111", &dana);
    assert_eq!((foreign.status, missing.status), (403, 403));
    assert_eq!(foreign.text(), missing.text());
    for path in [
        format!("/accounts/{ACCOUNT_B}/reports/monthly/2026-10"),
        format!("/accounts/{ACCOUNT_B}/reports/monthly/2026-10/files/report.pdf"),
        format!("/accounts/{ACCOUNT_B}/reports/monthly/2026-10/pages/1"),
        format!("/accounts/{ACCOUNT_B}/reports/monthly/2026-10/send"),
        format!("/accounts/{ACCOUNT_B}/notes/2026-10"),
        format!("/accounts/{ACCOUNT_B}/notes/profile"),
        format!("/accounts/{ACCOUNT_B}/notes?period=2026-10"),
        "/accounts/..%2F..%2Fetc/notes/profile".to_owned(),
    ] {
        let response = get(&console, &path, &dana);
        assert_eq!(response.status, 403, "{path}: {}", response.text());
        assert!(!response.text().contains("Contoso"), "{path}");
    }

    // Forms need the user's own CSRF token, and changes to a foreign account are refused too.
    let regenerate = format!("/accounts/{ACCOUNT_A}/regenerate");
    let without = post(&console, &regenerate, &dana, &form(&[("kind", "monthly"), ("period", "2026-10")]));
    assert_eq!(without.status, 403, "{}", without.text());
    let sam = alb.token("sam@example.com", &["contoso"]);
    let sams_csrf = get(&console, &format!("/accounts/{ACCOUNT_B}"), &sam).field("csrf").unwrap();
    let foreign_csrf =
        post(&console, &regenerate, &dana, &form(&[("csrf", &sams_csrf), ("kind", "monthly"), ("period", "2026-10")]));
    assert_eq!(foreign_csrf.status, 403);
    let danas_csrf = get(&console, &format!("/accounts/{ACCOUNT_A}"), &dana).field("csrf").unwrap();
    let notes = format!("/accounts/{ACCOUNT_B}/notes/2026-10");
    let foreign_save = post(&console, &notes, &dana, &form(&[("csrf", &danas_csrf), ("customer_name", "Hijacked")]));
    assert_eq!(foreign_save.status, 403);
    let foreign_regenerate = post(
        &console,
        &format!("/accounts/{ACCOUNT_B}/regenerate"),
        &dana,
        &form(&[("csrf", &danas_csrf), ("kind", "monthly"), ("period", "2026-10")]),
    );
    assert_eq!(foreign_regenerate.status, 403);
    let notes_file = std::fs::read_to_string(directory.path().join(format!("data/notes/{ACCOUNT_B}/2026-10.toml"))).unwrap();
    assert!(!notes_file.contains("Hijacked"));
    // A shared link needs the console's signature.
    let shared = console.request("GET", &format!("/shared/{ACCOUNT_A}/monthly/2026-10/report.pdf?token=1.abc"), &[], "");
    assert_eq!(shared.status, 403);
    // Every answer carries the policy, refusals included.
    for response in [&foreign, &without, &shared] {
        let policy = response.header("content-security-policy").unwrap();
        assert!(policy.contains("default-src 'none'") && policy.contains("script-src 'none'"), "{policy}");
    }
}

/// A token whose payload names another user, with the original signature.
fn tamper(token: &str, email: &str) -> String {
    use base64::Engine;
    let parts: Vec<&str> = token.split('.').collect();
    let payload = serde_json::json!({"email": email, "exp": chrono::Utc::now().timestamp() + 3600});
    let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload.to_string());
    format!("{}.{forged}.{}", parts[0], parts[2])
}

#[test]
fn a_csdm_sees_their_accounts_edits_notes_regenerates_and_previews() {
    let directory = tempfile::tempdir().unwrap();
    let alb = setup(directory.path());
    let console = Console::start(directory.path(), &[], &[]);
    let dana = alb.token("Dana@Example.com", &[]);
    let sam = alb.token("sam@example.com", &["contoso"]);

    let accounts = get(&console, "/", &dana);
    assert_eq!(accounts.status, 200);
    assert!(accounts.text().contains(ACCOUNT_A) && !accounts.text().contains(ACCOUNT_B), "{}", accounts.text());
    assert!(accounts.text().contains("Northwind") && accounts.text().contains("2026-10"));
    let sams = get(&console, "/", &sam).text();
    assert!(sams.contains(ACCOUNT_B) && !sams.contains(ACCOUNT_A));

    let account = get(&console, &format!("/accounts/{ACCOUNT_A}"), &dana);
    assert!(account.text().contains("Monthly business review") && account.text().contains("2026-10"));
    let report = get(&console, &format!("/accounts/{ACCOUNT_A}/reports/monthly/2026-10"), &dana);
    assert_eq!(report.status, 200);
    let text = report.text();
    assert!(text.contains("October 2026") && text.contains("files/report.pdf") && text.contains("pages/19"), "{text}");
    assert!(text.contains("<title>Monthly business review · October 2026 · opsreport</title>"), "{text}");
    assert_eq!(text.matches("<h2>Files</h2>").count(), 1);
    let pdf = get(&console, &format!("/accounts/{ACCOUNT_A}/reports/monthly/2026-10/files/report.pdf"), &dana);
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    assert_eq!(pdf.body, std::fs::read(directory.path().join(format!("out/{ACCOUNT_A}/2026-10/report.pdf"))).unwrap());
    let csv = get(&console, &format!("/accounts/{ACCOUNT_A}/reports/monthly/2026-10/files/tables/sla_adherence.csv"), &dana);
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-disposition").unwrap().starts_with("attachment"));
    let page = get(&console, &format!("/accounts/{ACCOUNT_A}/reports/monthly/2026-10/pages/2"), &dana);
    assert_eq!((page.status, page.header("content-type")), (200, Some("image/png")));
    assert!(page.body.starts_with(b"\x89PNG") && page.body.len() > 10_000, "{} bytes", page.body.len());
    for missing in ["files/../../opsreport.toml", "files/notes.toml", "pages/99", "pages/x"] {
        let response = get(&console, &format!("/accounts/{ACCOUNT_A}/reports/monthly/2026-10/{missing}"), &dana);
        assert_eq!(response.status, 404, "{missing}");
    }
    assert_eq!(get(&console, &format!("/accounts/{ACCOUNT_A}/reports/monthly/2026-09"), &dana).status, 404);
    assert_eq!(get(&console, &format!("/accounts/{ACCOUNT_A}/reports/weekly/2026-10"), &dana).status, 404);

    add_an_action_item(&console, &dana, directory.path());

    // Regenerate: the job page refreshes until the report is written with the new item.
    let csrf = get(&console, &format!("/accounts/{ACCOUNT_A}"), &dana).field("csrf").unwrap();
    let queued = post(
        &console,
        &format!("/accounts/{ACCOUNT_A}/regenerate"),
        &dana,
        &form(&[("csrf", &csrf), ("kind", "monthly"), ("period", "2026-10"), ("formats", "document,slides")]),
    );
    assert_eq!(queued.status, 303, "{}", queued.text());
    let location = queued.header("location").unwrap().to_owned();
    assert_eq!(get(&console, &location, &sam).status, 404, "another user's job is not shown");
    let done = finished_job(&console, &location, &dana);
    assert!(done.text().contains("Written"), "{}", done.text());
    let pdf = directory.path().join(format!("out/{ACCOUNT_A}/2026-10/report.pdf"));
    assert!(pdf_text(&pdf).contains("Book the <b>DR</b> rehearsal & test"));
    assert!(directory.path().join(format!("out/{ACCOUNT_A}/2026-10/slides.pdf")).exists());

    // A period typed in, a week's notes, and a bad period.
    let opened = get(&console, &format!("/accounts/{ACCOUNT_A}/notes?period=2026-W45"), &dana);
    assert_eq!((opened.status, opened.header("location")), (303, Some(&*format!("/accounts/{ACCOUNT_A}/notes/2026-W45"))));
    assert_eq!(get(&console, &format!("/accounts/{ACCOUNT_A}/notes/2026-W45"), &dana).status, 200);
    assert_eq!(get(&console, &format!("/accounts/{ACCOUNT_A}/notes?period=2026-13"), &dana).status, 422);
    let bad = post(
        &console,
        &format!("/accounts/{ACCOUNT_A}/regenerate"),
        &dana,
        &form(&[("csrf", &csrf), ("kind", "weekly"), ("period", "2026-10")]),
    );
    assert_eq!(bad.status, 422);
    assert_eq!(get(&console, "/no/such/page", &dana).status, 404);
}

/// Notes: carried-over items are shown; an action item added in the form reaches the file.
fn add_an_action_item(console: &Console, dana: &str, directory: &Path) {
    let editor = get(console, &format!("/accounts/{ACCOUNT_A}/notes/2026-10"), dana);
    assert_eq!(editor.status, 200);
    assert!(editor.text().contains("Carried over, still open"), "{}", editor.text());
    let csrf = editor.field("csrf").unwrap();
    let version = editor.field("version").unwrap();
    let mut fields = filled_fields(&editor.text());
    fields.retain(|(name, _)| !name.starts_with("csrf") && !name.starts_with("version"));
    let next = (0..).find(|row| !fields.iter().any(|(name, _)| name.starts_with(&format!("action_items[{row}]")))).unwrap();
    let title = format!("action_items[{next}].title");
    let owner = format!("action_items[{next}].owner");
    let mut body: Vec<(&str, &str)> = fields.iter().map(|(name, value)| (name.as_str(), value.as_str())).collect();
    body.extend([
        ("csrf", csrf.as_str()),
        ("version", version.as_str()),
        (title.as_str(), "Book the <b>DR</b> rehearsal & test"),
        (owner.as_str(), "Dana"),
    ]);
    let saved = post(console, &format!("/accounts/{ACCOUNT_A}/notes/2026-10"), dana, &form(&body));
    assert_eq!(saved.status, 303, "{}", saved.text());
    let file = std::fs::read_to_string(directory.join(format!("data/notes/{ACCOUNT_A}/2026-10.toml"))).unwrap();
    assert!(file.contains("Book the <b>DR</b> rehearsal & test") && file.contains("dana@example.com"), "{file}");
    assert!(file.contains("Nightly batch overruns its window"), "the other notes stay: {file}");
    opsreport_model::Notes::from_toml(&file, "saved").expect("the loader takes what the console saved");
    let reopened = get(console, &format!("/accounts/{ACCOUNT_A}/notes/2026-10?saved=1"), dana);
    assert!(reopened.text().contains("Book the &#60;b&#62;DR&#60;/b&#62; rehearsal &#38; test"), "escaped: {}", reopened.text());
}

/// The named fields of a form page with their values (inputs, selected options, text areas).
fn filled_fields(html: &str) -> Vec<(String, String)> {
    let unescape = |text: &str| {
        text.replace("&#34;", "\"").replace("&#39;", "'").replace("&#60;", "<").replace("&#62;", ">").replace("&#38;", "&")
    };
    let mut fields = Vec::new();
    for piece in html.split("<input").skip(1) {
        let tag = piece.split('>').next().unwrap();
        if let (Some(name), Some(value)) = (attribute(tag, "name"), attribute(tag, "value"))
            && !value.is_empty()
        {
            fields.push((unescape(&name), unescape(&value)));
        }
    }
    for piece in html.split("<textarea").skip(1) {
        let (tag, rest) = piece.split_once('>').unwrap();
        let value = rest.split("</textarea>").next().unwrap();
        if let Some(name) = attribute(tag, "name")
            && !value.is_empty()
        {
            fields.push((unescape(&name), unescape(value)));
        }
    }
    for piece in html.split("<select").skip(1) {
        let (tag, rest) = piece.split_once('>').unwrap();
        let options = rest.split("</select>").next().unwrap();
        if let (Some(name), Some(selected)) =
            (attribute(tag, "name"), options.split("<option").find(|option| option.contains(" selected")))
        {
            fields.push((unescape(&name), attribute(selected, "value").unwrap_or_default()));
        }
    }
    fields
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    Some(tag[start..].split('"').next()?.to_owned())
}

fn pdf_text(pdf: &Path) -> String {
    let output =
        std::process::Command::new("pdftotext").args([pdf.to_str().unwrap(), "-"]).output().expect("pdftotext (poppler-utils)");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn notes_are_checked_like_the_file_loader_and_saved_only_over_what_was_read() {
    let directory = tempfile::tempdir().unwrap();
    let alb = setup(directory.path());
    let console = Console::start(directory.path(), &[], &[]);
    let dana = alb.token("dana@example.com", &[]);
    let path = format!("/accounts/{ACCOUNT_A}/notes/2026-11");
    let file = directory.path().join(format!("data/notes/{ACCOUNT_A}/2026-11.toml"));

    let editor = get(&console, &path, &dana);
    let csrf = editor.field("csrf").unwrap();
    assert_eq!(editor.field("version").as_deref(), Some(""), "a new file has no version");

    // Field problems stand next to their field, and nothing is saved.
    let rejected = post(
        &console,
        &path,
        &dana,
        &form(&[
            ("csrf", &csrf),
            ("version", ""),
            ("risks[0].mitigation", "a mitigation without a risk"),
            ("plans[0].title", "Migrate"),
            ("plans[0].horizon_months", "5"),
            ("attendees[0].name", "Sam"),
            ("attendees[0].email", "sam@example.com\r\nBcc: eve@example.com"),
        ]),
    );
    assert_eq!(rejected.status, 422, "{}", rejected.text());
    let text = rejected.text();
    assert!(
        text.contains("Title is needed") && text.contains("3, 6, 9 or 12") && text.contains("not an e-mail address"),
        "{text}"
    );
    assert!(text.contains("a mitigation without a risk"), "the input is kept");
    assert!(!file.exists());
    // Over-long text is refused with the loader's limit.
    let long = "x".repeat(opsreport_model::notes::NOTE_TEXT_MAX_CHARS + 1);
    let too_long = post(&console, &path, &dana, &form(&[("csrf", &csrf), ("version", ""), ("scope_changes", &long)]));
    assert_eq!(too_long.status, 422);
    assert!(!file.exists());

    // A first save creates the file; a second editor with the same (empty) version is refused.
    let first = post(
        &console,
        &path,
        &dana,
        &form(&[
            ("csrf", &csrf),
            ("version", ""),
            ("attendees[0].name", "Sam Ortiz"),
            ("attendees[0].email", "sam@example.com"),
            ("attendees[0].attended", "yes"),
        ]),
    );
    assert_eq!(first.status, 303, "{}", first.text());
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(saved.contains("attended = true") && saved.contains("sam@example.com"), "{saved}");
    let late = post(&console, &path, &dana, &form(&[("csrf", &csrf), ("version", ""), ("customer_name", "Other")]));
    assert_eq!(late.status, 409, "{}", late.text());
    assert!(late.text().contains("Someone else saved these notes"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), saved);

    // An edit over the version read succeeds; one over an older version is refused.
    let reopened = get(&console, &path, &dana);
    let version = reopened.field("version").unwrap();
    assert!(!version.is_empty());
    let second = post(&console, &path, &dana, &form(&[("csrf", &csrf), ("version", &version), ("customer_name", "Northwind")]));
    assert_eq!(second.status, 303);
    let stale = post(&console, &path, &dana, &form(&[("csrf", &csrf), ("version", &version), ("customer_name", "Stale")]));
    assert_eq!(stale.status, 409);
    assert!(std::fs::read_to_string(&file).unwrap().contains("Northwind"));

    close_a_carried_item(&console, &dana, &path, &file, &csrf);

    // A file the loader refuses is shown with its problem, not overwritten.
    std::fs::write(directory.path().join(format!("data/notes/{ACCOUNT_A}/2026-12.toml")), "customer = \"typo\"\n").unwrap();
    let broken = get(&console, &format!("/accounts/{ACCOUNT_A}/notes/2026-12"), &dana);
    assert_eq!(broken.status, 200);
    assert!(broken.text().contains("customer"), "{}", broken.text());

    // The profile editor has the profile's fields only.
    let profile = get(&console, &format!("/accounts/{ACCOUNT_A}/notes/profile"), &dana).text();
    assert!(profile.contains("name=\"contacts[0].role\"") && !profile.contains("action_items"), "{profile}");
}

/// A carried item closed in a period's form is saved there with its new status.
fn close_a_carried_item(console: &Console, dana: &str, path: &str, file: &Path, csrf: &str) {
    let editor = get(console, path, dana);
    let key = editor.field("carried[0].key").expect("an open item carried from October");
    let version = editor.field("version").unwrap();
    let closed = post(
        console,
        path,
        dana,
        &form(&[
            ("csrf", csrf),
            ("version", &version),
            ("customer_name", "Northwind"),
            ("carried[0].key", &key),
            ("carried[0].status", "Done"),
        ]),
    );
    assert_eq!(closed.status, 303, "{}", closed.text());
    let saved = std::fs::read_to_string(file).unwrap();
    assert!(saved.contains("status = \"Done\""), "{saved}");
    assert!(!get(console, path, dana).text().contains(&format!("value=\"{key}\"")), "no longer carried");
}

#[test]
fn the_dev_user_works_on_loopback_only() {
    let directory = tempfile::tempdir().unwrap();
    let run = opsreport(directory.path(), &["serve", "--dev-user", "me@example.com", "--listen", "0.0.0.0:0"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("loopback"), "{}", run.stderr);
    let run = opsreport(directory.path(), &["serve", "--dev-user", "not an address", "--listen", "127.0.0.1:0"]);
    assert_eq!(run.code, 2, "{}", run.stderr);

    copy_tree(&repo_root().join("fixtures/synthetic"), &directory.path().join("data"));
    std::fs::write(directory.path().join("opsreport.toml"), "[console.send]\nallowed_domains = [\"example.com\"]\n").unwrap();
    let console = Console::start(directory.path(), &["--dev-user", "me@example.com", "--source", "data", "--out", "out"], &[]);
    let accounts = console.request("GET", "/", &[], "");
    assert_eq!(accounts.status, 200);
    assert!(
        accounts.text().contains(ACCOUNT_A) && accounts.text().contains(ACCOUNT_B) && accounts.text().contains("no report yet")
    );

    // Without a sender, Send writes the message beside the reports instead of mailing it.
    let made = opsreport(directory.path(), &["generate", "--source", "data", "--out", "out", "--month", "2026-10"]);
    assert_eq!(made.code, 0, "{}", made.stderr);
    let path = format!("/accounts/{ACCOUNT_A}/reports/monthly/2026-10/send");
    let page = console.request("GET", &path, &[], "");
    assert!(page.text().contains("Development mode"), "{}", page.text());
    let body = form(&[("csrf", &page.field("csrf").unwrap()), ("to", "sam@example.com"), ("subject", "October review")]);
    let sent = console.request("POST", &path, &[], &body);
    assert!(sent.text().contains("Development mode: not mailed"), "{}", sent.text());
    let outbox = directory.path().join(format!("out/{ACCOUNT_A}/sent/2026-10"));
    let message = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.extension().is_some_and(|ext| ext == "eml"))
        .unwrap();
    let message = std::fs::read_to_string(message).unwrap();
    assert!(message.contains("From: me@example.com\r\n") && message.contains("To: sam@example.com\r\n"), "{message}");
}

/// A console in development mode on the committed fixtures and their October reports, with
/// `config` as its `opsreport.toml`.
fn dev_console(directory: &Path, config: &str) -> Console {
    copy_tree(&repo_root().join("fixtures/synthetic"), &directory.join("data"));
    let made = opsreport(directory, &["generate", "--source", "data", "--out", "out", "--month", "2026-10", "--all-accounts"]);
    assert_eq!(made.code, 0, "{}", made.stderr);
    std::fs::write(directory.join("opsreport.toml"), config).unwrap();
    Console::start(directory, &["--dev-user", "me@example.com", "--source", "data", "--out", "out"], &[])
}

#[test]
fn the_console_answers_to_its_own_names_and_pages_only() {
    let directory = tempfile::tempdir().unwrap();
    let alb = setup(directory.path());
    let console = Console::start(directory.path(), &[], &[]);
    let dana = alb.token("dana@example.com", &[]);
    let token = ("x-amzn-oidc-data", dana.as_str());
    // DNS rebinding: the attacker's name on the console's address.
    let rebound = console.request("GET", "/", &[("Host", "attacker.example"), token], "");
    assert_eq!(rebound.status, 421, "{}", rebound.text());
    assert!(!rebound.text().contains(ACCOUNT_A));
    assert_eq!(console.request("GET", "/", &[("Host", "127.0.0.1.attacker.example"), token], "").status, 421);
    // The load balancer's health check asks by the task's address.
    assert_eq!(console.request("GET", "/health", &[("Host", "10.0.3.7:8080")], "").status, 200);
    // A form of another site, even with the user's token and a valid CSRF token.
    let csrf = get(&console, &format!("/accounts/{ACCOUNT_A}"), &dana).field("csrf").unwrap();
    let body = form(&[("csrf", &csrf), ("kind", "monthly"), ("period", "2026-09")]);
    let regenerate = format!("/accounts/{ACCOUNT_A}/regenerate");
    for origin in [("Origin", "https://attacker.example"), ("Origin", "null"), ("Sec-Fetch-Site", "cross-site")] {
        let posted = console.request("POST", &regenerate, &[token, origin], &body);
        assert_eq!(posted.status, 421, "{origin:?}: {}", posted.text());
    }
    let own = format!("http://127.0.0.1:{}", console.port);
    let posted = console.request("POST", &regenerate, &[token, ("Origin", &own), ("Sec-Fetch-Site", "same-origin")], &body);
    assert_eq!(posted.status, 303, "{}", posted.text());
    drop(console);

    // In development mode only the loopback names of the port.
    let directory = tempfile::tempdir().unwrap();
    let console = dev_console(directory.path(), "");
    let port = console.port;
    assert_eq!(console.request("GET", "/", &[("Host", &format!("localhost:{port}"))], "").status, 200);
    assert_eq!(console.request("GET", "/", &[("Host", &format!("[::1]:{port}"))], "").status, 200);
    assert_eq!(console.request("GET", "/", &[("Host", &format!("rebind.attacker.example:{port}"))], "").status, 421);
    assert_eq!(console.request("GET", "/", &[("Host", "127.0.0.1:1")], "").status, 421);
}

#[test]
fn the_console_starts_behind_a_load_balancer_only_when_it_knows_which() {
    let directory = tempfile::tempdir().unwrap();
    setup(directory.path());
    let config = std::fs::read_to_string(directory.path().join("opsreport.toml")).unwrap();
    for (missing, expected) in [
        (format!("alb_arn = \"{ALB_ARN}\"\n"), "alb_arn"),
        ("region = \"eu-west-1\"\n".to_owned(), "region"),
        ("public_hosts = [\"127.0.0.1\"]\n".to_owned(), "public_hosts"),
    ] {
        std::fs::write(directory.path().join("opsreport.toml"), config.replace(&missing, "")).unwrap();
        let run = opsreport(directory.path(), &["serve", "--listen", "127.0.0.1:0"]);
        assert_eq!(run.code, 2, "without {expected}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{}", run.stderr);
    }
    let other_region = config.replace("region = \"eu-west-1\"", "region = \"us-east-1\"");
    std::fs::write(directory.path().join("opsreport.toml"), other_region).unwrap();
    let run = opsreport(directory.path(), &["serve", "--listen", "127.0.0.1:0"]);
    assert_eq!(run.code, 2, "an ARN of another region: {}", run.stderr);
}

#[test]
fn unverified_addresses_and_groups_given_as_text_are_no_sign_in() {
    let directory = tempfile::tempdir().unwrap();
    let alb = setup(directory.path());
    let console = Console::start(directory.path(), &[], &[]);
    let exp = chrono::Utc::now().timestamp() + 3600;
    let unverified = alb.token_with(serde_json::json!({"email": "dana@example.com", "email_verified": false, "exp": exp}));
    assert_eq!(get(&console, "/", &unverified).status, 401);
    // "contoso admins" must not be read as the groups contoso and admins.
    let text = alb.token_with(serde_json::json!({"email": "eve@example.com", "groups": "contoso admins", "exp": exp}));
    let refused = get(&console, &format!("/accounts/{ACCOUNT_B}"), &text);
    assert_eq!(refused.status, 401, "{}", refused.text());
    let verified = alb.token_with(serde_json::json!({"email": "dana@example.com", "email_verified": true, "exp": exp}));
    assert_eq!(get(&console, "/", &verified).status, 200);
}

/// Sends `body` (a form; `total` bytes of `a` when empty) to `path` slowly, in pieces of
/// `piece` bytes, and returns the status.
fn slow_post(port: u16, path: &str, token: &str, body: Vec<u8>, total: usize, piece: usize) -> u16 {
    use std::io::{Read, Write};
    let body = if body.is_empty() { vec![b'a'; total] } else { body };
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nx-amzn-oidc-data: {token}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    for chunk in body.chunks(piece) {
        if stream.write_all(chunk).is_err() {
            break;
        }
        std::thread::sleep(Duration::from_millis(30));
    }
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer);
    text.split_whitespace().nth(1).and_then(|status| status.parse().ok()).unwrap_or(0)
}

/// `/health` answers within a second, five times in half a second.
fn health_answers_meanwhile(console: &Console) {
    for _ in 0..5 {
        let started = Instant::now();
        assert_eq!(console.request("GET", "/health", &[], "").status, 200);
        assert!(started.elapsed() < Duration::from_secs(1), "/health took {:?}", started.elapsed());
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn every_form_has_a_size_limit_and_no_request_holds_up_the_others() {
    let directory = tempfile::tempdir().unwrap();
    let alb = setup(directory.path());
    let console = Console::start(directory.path(), &[], &[]);
    let dana = alb.token("dana@example.com", &[]);
    let csrf = get(&console, &format!("/accounts/{ACCOUNT_A}"), &dana).field("csrf").unwrap();
    let notes = format!("/accounts/{ACCOUNT_A}/notes/2026-11");
    let big = "x".repeat(300 * 1024);
    let too_big = post(&console, &notes, &dana, &form(&[("csrf", &csrf), ("version", ""), ("scope_changes", &big)]));
    assert_eq!(too_big.status, 413, "{}", too_big.text());
    let regenerate = format!("/accounts/{ACCOUNT_A}/regenerate");
    let padded = form(&[("csrf", &csrf), ("kind", "monthly"), ("period", "2026-09"), ("pad", &"x".repeat(20_000))]);
    assert_eq!(post(&console, &regenerate, &dana, &padded).status, 413);

    // Two large notes forms that pass the size limit, on their way and then parsed, checked and
    // saved: the health check answers meanwhile; one is saved, the other is told it came late.
    let port = console.port;
    let mut fields: Vec<(String, String)> = vec![("csrf".into(), csrf.clone()), ("version".into(), String::new())];
    fields.extend(
        (0..1500).map(|row| (format!("risks[{row}].title"), format!("Risk number {row} of the load: {}", "x".repeat(60)))),
    );
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(name, value)| (name.as_str(), value.as_str())).collect();
    let body = form(&pairs).into_bytes();
    assert!(body.len() > 128 << 10 && body.len() < 256 << 10, "{} bytes", body.len());
    let posts: Vec<_> = (0..2)
        .map(|_| {
            let (token, path, body) = (dana.clone(), notes.clone(), body.clone());
            std::thread::spawn(move || slow_post(port, &path, &token, body, 0, 8 << 10))
        })
        .collect();
    std::thread::sleep(Duration::from_millis(50));
    health_answers_meanwhile(&console);
    let mut statuses: Vec<u16> = posts.into_iter().map(|post| post.join().unwrap()).collect();
    statuses.sort();
    assert_eq!(statuses, [303, 409], "one save, one refused as late");
    let saved = std::fs::read_to_string(directory.path().join(format!("data/notes/{ACCOUNT_A}/2026-11.toml"))).unwrap();
    assert!(saved.contains("Risk number 1499 of the load"));

    // Two 2 MB posts are refused as they arrive (413; the server may close before the client
    // has written all of it), and the health check answers meanwhile.
    let posts: Vec<_> = (0..2)
        .map(|_| {
            let (token, path) = (dana.clone(), format!("/accounts/{ACCOUNT_A}/notes/2026-12"));
            std::thread::spawn(move || slow_post(port, &path, &token, Vec::new(), 2 << 20, 64 << 10))
        })
        .collect();
    health_answers_meanwhile(&console);
    for post in posts {
        let status = post.join().unwrap();
        assert!(matches!(status, 413 | 0), "a 2 MB notes form is refused: {status}");
    }
    assert!(!directory.path().join(format!("data/notes/{ACCOUNT_A}/2026-12.toml")).exists());
}

#[test]
fn regenerations_are_merged_capped_kept_in_the_window_and_never_lose_a_layout() {
    let directory = tempfile::tempdir().unwrap();
    let alb = setup(directory.path());
    let config_path = directory.path().join("opsreport.toml");
    let config = std::fs::read_to_string(&config_path).unwrap();
    let config = config.replace("window_months = 120", "window_months = 120\nworkers = 1\nqueued_jobs_per_user = 2");
    std::fs::write(&config_path, config).unwrap();
    let console = Console::start(directory.path(), &[], &[]);
    let dana = alb.token("dana@example.com", &[]);
    let account_page = get(&console, &format!("/accounts/{ACCOUNT_A}"), &dana);
    let csrf = account_page.field("csrf").unwrap();
    let regenerate = format!("/accounts/{ACCOUNT_A}/regenerate");
    let ask = |kind: &str, period: &str, formats: &str| {
        post(&console, &regenerate, &dana, &form(&[("csrf", &csrf), ("kind", kind), ("period", period), ("formats", formats)]))
    };
    for (kind, period) in [("monthly", "2099-12"), ("monthly", "2001-01"), ("weekly", "2099-W01")] {
        let refused = ask(kind, period, "existing");
        assert_eq!(refused.status, 422, "{period}: {}", refused.text());
    }
    let first = ask("monthly", "2026-10", "document,slides");
    let second = ask("weekly", "2026-W42", "document");
    let again = ask("weekly", "2026-W42", "document");
    assert_eq!((first.status, second.status, again.status), (303, 303, 303));
    assert_eq!(second.header("location"), again.header("location"), "the same request joins the pending job");
    let third = ask("weekly", "2026-W41", "document");
    assert_eq!(third.status, 429, "{}", third.text());
    assert!(finished_job(&console, first.header("location").unwrap(), &dana).text().contains("Written"));
    finished_job(&console, second.header("location").unwrap(), &dana);

    // The account page's default regenerates a document-and-slides report as both.
    let report = directory.path().join(format!("out/{ACCOUNT_A}/2026-10"));
    let (pdf_before, slides_before) =
        (std::fs::metadata(report.join("report.pdf")).unwrap(), std::fs::metadata(report.join("slides.pdf")).unwrap());
    let page = get(&console, &format!("/accounts/{ACCOUNT_A}"), &dana).text();
    let formats = filled_fields(&page).into_iter().find(|(name, _)| name == "formats").map(|(_, value)| value);
    assert_eq!(formats.as_deref(), Some("existing"), "the form keeps the report's layouts by default");
    for formats in ["existing", "document"] {
        let made = ask("monthly", "2026-10", formats);
        assert_eq!(made.status, 303, "{}", made.text());
        assert!(finished_job(&console, made.header("location").unwrap(), &dana).text().contains("Written"));
    }
    let manifest = std::fs::read_to_string(report.join("manifest.json")).unwrap();
    assert!(manifest.contains("slides.pdf") && manifest.contains("report.pdf"), "{manifest}");
    let modified = |name: &str| std::fs::metadata(report.join(name)).unwrap().modified().unwrap();
    assert!(
        modified("report.pdf") > pdf_before.modified().unwrap() && modified("slides.pdf") > slides_before.modified().unwrap()
    );

    // A period without data is written and said to be from no data, not "Written" in green.
    let empty = ask("monthly", "2026-01", "existing");
    let done = finished_job(&console, empty.header("location").unwrap(), &dana).text();
    assert!(done.contains("Written from no data") && done.contains("status warn"), "{done}");
    let account = get(&console, &format!("/accounts/{ACCOUNT_A}"), &dana).text();
    assert!(account.contains("written from no data"), "{account}");
}

#[test]
fn the_accounts_list_names_each_customer_dates_its_data_and_flags_missing_reports() {
    let directory = tempfile::tempdir().unwrap();
    let alb = setup(directory.path());
    let profile = "customer_name = \"北風物流 · شركة الشمال · Северный\"\naccount_name = \"Contoso — production\"\n";
    std::fs::write(directory.path().join(format!("data/notes/{ACCOUNT_B}/profile.toml")), profile).unwrap();
    let console = Console::start(directory.path(), &[], &[]);
    let sam = alb.token("sam@example.com", &["contoso"]);
    let list = get(&console, "/", &sam).text();
    assert!(list.contains("<bdi class=\"customer\" dir=\"auto\">北風物流 · شركة الشمال · Северный</bdi>"), "{list}");
    assert!(list.contains("Contoso — production"), "{list}");
    let today = chrono::Utc::now().date_naive();
    let age = (today - chrono::NaiveDate::from_ymd_opt(2026, 10, 31).unwrap()).num_days();
    assert!(
        list.contains(&format!("newest data {age} days old")) || list.contains(&format!("newest data {} days old", age + 1)),
        "{list}"
    );
    let account = get(&console, &format!("/accounts/{ACCOUNT_B}"), &sam).text();
    assert!(account.contains("No monthly business review of"), "the last month has no report: {account}");
}

#[test]
fn the_notes_editor_offers_statuses_as_choices_and_each_kind_its_sections() {
    let directory = tempfile::tempdir().unwrap();
    let alb = setup(directory.path());
    let console = Console::start(directory.path(), &[], &[]);
    let dana = alb.token("dana@example.com", &[]);
    let path = format!("/accounts/{ACCOUNT_A}/notes/2026-11");
    let editor = get(&console, &path, &dana);
    let text = editor.text();
    assert!(text.contains("<select name=\"action_items[0].status\"") && text.contains("<option value=\"In progress\""), "{text}");
    assert!(!text.contains("weekend_schedule") && !text.contains("plans[0]"), "a monthly review has neither");
    let weekly = get(&console, &format!("/accounts/{ACCOUNT_A}/notes/2026-W47"), &dana).text();
    assert!(weekly.contains("weekend_schedule[0].when") && !weekly.contains("plans[0]"));
    let quarterly = get(&console, &format!("/accounts/{ACCOUNT_A}/notes/2026-Q4"), &dana).text();
    assert!(quarterly.contains("plans[0].title") && quarterly.contains("initiatives[0].status"));
    let csrf = editor.field("csrf").unwrap();
    let typo = post(
        &console,
        &path,
        &dana,
        &form(&[("csrf", &csrf), ("version", ""), ("action_items[0].title", "Rotate keys"), ("action_items[0].status", "Opne")]),
    );
    assert_eq!(typo.status, 422, "{}", typo.text());
    assert!(typo.text().contains("choose one of Open"));
    let carried = post(
        &console,
        &path,
        &dana,
        &form(&[("csrf", &csrf), ("version", ""), ("carried[0].key", "title:x"), ("carried[0].status", "Dnoe")]),
    );
    assert_eq!(carried.status, 422, "{}", carried.text());
    assert!(!directory.path().join(format!("data/notes/{ACCOUNT_A}/2026-11.toml")).exists());
}

#[test]
fn sending_goes_to_attendees_or_allowed_domains_within_limits_with_the_text_as_edited() {
    let directory = tempfile::tempdir().unwrap();
    let config = "[console.send]\nallowed_domains = [\"customer.example\"]\nper_user_per_hour = 2\n";
    let console = dev_console(directory.path(), config);
    let path = format!("/accounts/{ACCOUNT_A}/reports/monthly/2026-10/send");
    let page = console.request("GET", &path, &[], "");
    let csrf = page.field("csrf").unwrap();
    assert!(page.text().contains("[link to the report]"), "{}", page.text());
    let send = |to: &str, message: &str| {
        console.request("POST", &path, &[], &form(&[("csrf", &csrf), ("to", to), ("subject", "October"), ("message", message)]))
    };
    let stranger = send("eve@attacker.example", "Hello");
    assert!(stranger.text().contains("neither an attendee"), "{}", stranger.text());
    let edited = "Dear Priya,\n\nhere is October: [link to the report]\n\nDana";
    let sent = send("priya@customer.example", edited);
    assert!(sent.text().contains("Development mode: not mailed"), "{}", sent.text());
    let outbox = directory.path().join(format!("out/{ACCOUNT_A}/sent/2026-10"));
    let files: Vec<_> = std::fs::read_dir(&outbox).unwrap().map(|entry| entry.unwrap().path()).collect();
    let eml = files.iter().find(|path| path.extension().is_some_and(|ext| ext == "eml")).unwrap();
    let mime = std::fs::read_to_string(eml).unwrap();
    let body = mime.split("\r\n\r\n").nth(1).unwrap().replace("\r\n", "");
    use base64::Engine;
    let text = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(body).unwrap()).unwrap();
    assert!(text.starts_with("Dear Priya,\n\nhere is October: http://127.0.0.1:") && text.contains("/shared/"), "{text}");
    let record = files.iter().find(|path| path.extension().is_some_and(|ext| ext == "json")).unwrap();
    let record: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(record).unwrap()).unwrap();
    assert_eq!(record["text"], edited, "the text is recorded as edited, without the link");
    assert_eq!(record["file_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(record["by"], "me@example.com");
    // The hourly limit; no link is written to the log.
    assert!(send("lee@customer.example", "Hello").text().contains("Development mode: not mailed"));
    assert!(send("kim@customer.example", "Hello").text().contains("in the last hour"));
    let log = console.log();
    assert!(!log.contains("token=") && !log.contains("/shared/"), "{log}");
}

#[test]
fn sending_an_empty_or_stale_report_needs_a_confirmation() {
    let directory = tempfile::tempdir().unwrap();
    let console = dev_console(directory.path(), "[console.send]\nallowed_domains = [\"customer.example\"]\n");
    let made = opsreport(
        directory.path(),
        &["generate", "--source", "data", "--out", "out", "--month", "2026-01", "--account", ACCOUNT_A],
    );
    assert_eq!(made.code, 0, "{}", made.stderr);
    let path = format!("/accounts/{ACCOUNT_A}/reports/monthly/2026-01/send");
    let page = console.request("GET", &path, &[], "");
    assert!(page.text().contains("written from no data") && page.text().contains("Send anyway"), "{}", page.text());
    let csrf = page.field("csrf").unwrap();
    let body =
        |confirm: &str| form(&[("csrf", &csrf), ("to", "priya@customer.example"), ("subject", "January"), ("confirm", confirm)]);
    let refused = console.request("POST", &path, &[], &body("no"));
    assert_eq!(refused.status, 422, "{}", refused.text());
    assert!(!directory.path().join(format!("out/{ACCOUNT_A}/sent/2026-01")).exists());
    assert_eq!(console.request("POST", &path, &[], &body("yes")).status, 200);
    assert!(directory.path().join(format!("out/{ACCOUNT_A}/sent/2026-01")).exists());
    // Notes saved after the report: it does not show them.
    std::thread::sleep(Duration::from_millis(1100));
    let notes = directory.path().join(format!("data/notes/{ACCOUNT_A}/2026-10.toml"));
    let text = std::fs::read_to_string(&notes).unwrap();
    std::fs::write(&notes, text).unwrap();
    let stale = console.request("GET", &format!("/accounts/{ACCOUNT_A}/reports/monthly/2026-10/send"), &[], "");
    assert!(stale.text().contains("saved after this report was written"), "{}", stale.text());
}

#[test]
fn a_report_whose_data_is_not_current_is_held_until_the_user_confirms() {
    let directory = tempfile::tempdir().unwrap();
    // Billing rows are dated the first day of their month: held to a lag of 0 days, October's
    // billing is 30 days behind the month's end.
    let config = "[console.send]\nallowed_domains = [\"customer.example\"]\n[freshness.datasets]\nbilling = 0\n";
    let console = dev_console(directory.path(), config);
    let made = opsreport(
        directory.path(),
        &["generate", "--source", "data", "--out", "out", "--month", "2026-10", "--account", ACCOUNT_A],
    );
    assert_eq!(made.code, 0, "{}", made.stderr);
    assert!(
        made.stderr.contains("held: Its data is not current: Billing: newest record of 1 October 2026, 30 days"),
        "{}",
        made.stderr
    );
    let manifest = std::fs::read_to_string(directory.path().join(format!("out/{ACCOUNT_A}/2026-10/manifest.json"))).unwrap();
    assert!(manifest.contains("\"held\"") && manifest.contains("not current"), "{manifest}");
    let metrics = std::fs::read_to_string(directory.path().join(format!("out/{ACCOUNT_A}/2026-10/metrics.json"))).unwrap();
    let metrics: serde_json::Value = serde_json::from_str(&metrics).unwrap();
    assert_eq!(metrics["freshness"]["stale"][0]["dataset"], "billing");
    assert_eq!(metrics["freshness"]["stale"][0]["days_behind"], 30);
    let cover = pdf_text(&directory.path().join(format!("out/{ACCOUNT_A}/2026-10/report.pdf")));
    assert!(cover.contains("Data not current"), "the cover says so");
    let path = format!("/accounts/{ACCOUNT_A}/reports/monthly/2026-10/send");
    let page = console.request("GET", &path, &[], "");
    assert!(page.text().contains("not current") && page.text().contains("Send anyway"), "{}", page.text());
    let csrf = page.field("csrf").unwrap();
    let body = |confirm: &str| {
        form(&[
            ("csrf", &csrf),
            ("to", "priya@customer.example"),
            ("subject", "October"),
            ("message", "Here: [link to the report]"),
            ("confirm", confirm),
        ])
    };
    let refused = console.request("POST", &path, &[], &body("no"));
    assert_eq!(refused.status, 422, "{}", refused.text());
    assert!(refused.text().contains("not current") && refused.text().contains("nothing was sent"), "{}", refused.text());
    let outbox = directory.path().join(format!("out/{ACCOUNT_A}/sent/2026-10"));
    assert!(!outbox.exists(), "a held report is not sent without a confirmation");
    let sent = console.request("POST", &path, &[], &body("yes"));
    assert_eq!(sent.status, 200, "{}", sent.text());
    let record = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.extension().is_some_and(|ext| ext == "json"))
        .unwrap();
    let record: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(record).unwrap()).unwrap();
    assert!(record["confirmed"][0].as_str().unwrap().contains("Billing: newest record of 1 October 2026"), "{record}");
    assert!(console.request("GET", &path, &[], "").text().contains("sent anyway, confirmed"), "the send page lists it");
}

#[test]
fn error_pages_show_no_path_of_the_server() {
    let directory = tempfile::tempdir().unwrap();
    let alb = setup(directory.path());
    // A notes file that cannot be read: a folder where the file should be.
    std::fs::create_dir_all(directory.path().join(format!("data/notes/{ACCOUNT_A}/2026-12.toml"))).unwrap();
    let console = Console::start(directory.path(), &[], &[]);
    let dana = alb.token("dana@example.com", &[]);
    let page = get(&console, &format!("/accounts/{ACCOUNT_A}/notes/2026-12"), &dana);
    assert_eq!(page.status, 502, "{}", page.text());
    let root = directory.path().display().to_string();
    assert!(!page.text().contains(&root) && page.text().contains("reference"), "{}", page.text());
    // The log line reaches the test through a pipe: wait for it a little.
    let started = Instant::now();
    while !console.log().contains("2026-12.toml") && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(console.log().contains("2026-12.toml"), "the log says what failed: {}", console.log());
    let notes = get(&console, &format!("/accounts/{ACCOUNT_A}/notes/2026-10"), &dana).text();
    assert!(!notes.contains(&root), "{notes}");
}

/// Two customers: `umbrella` of both accounts, `solo` of account A; their October reviews.
const CUSTOMERS: &str = "[customers.umbrella]\nname = \"Umbrella Group\"\naccounts = [\"043735371057\", \"643641044933\"]\n[customers.solo]\nname = \"Solo Ltd\"\naccounts = [\"043735371057\"]\n";

fn write_reviews(directory: &Path) {
    let made = opsreport(directory, &["generate", "--source", "data", "--out", "out", "--month", "2026-10", "--all-customers"]);
    assert_eq!(made.code, 0, "{}", made.stderr);
}

#[test]
fn a_customers_reviews_are_shown_to_who_may_see_all_its_accounts_only() {
    let directory = tempfile::tempdir().unwrap();
    let alb = with_reports(directory.path(), CUSTOMERS);
    // Lee is granted the customer by its id, none of its accounts.
    let config = directory.path().join("opsreport.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text.replace("[console.groups]\n", "\"lee@example.com\" = [\"umbrella\"]\n[console.groups]\n"))
        .unwrap();
    write_reviews(directory.path());
    let console = Console::start(directory.path(), &[], &[]);
    let dana = alb.token("dana@example.com", &[]);
    let index = get(&console, "/", &dana);
    assert!(index.text().contains("Solo Ltd") && !index.text().contains("Umbrella"), "{}", index.text());
    let review = "/customers/solo/reports/monthly/2026-10";
    let solo = get(&console, "/customers/solo", &dana);
    assert_eq!(solo.status, 200, "{}", solo.text());
    assert!(solo.text().contains(&format!("href=\"{review}\"")), "{}", solo.text());
    let page = get(&console, review, &dana);
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(!page.text().contains("/regenerate"), "a review is regenerated with generate --customer");
    let pdf = get(&console, &format!("{review}/files/report.pdf"), &dana);
    assert!(pdf.status == 200 && pdf.body.starts_with(b"%PDF"), "{}", pdf.status);
    let metrics = get(&console, &format!("{review}/files/metrics.json"), &dana);
    assert!(metrics.text().contains("\"customer_id\": \"solo\""));
    let image = get(&console, &format!("{review}/pages/1"), &dana);
    assert_eq!(image.header("content-type"), Some("image/png"));
    // A customer with an account she may not see is refused like one that does not exist.
    let foreign = get(&console, "/customers/umbrella", &dana);
    let missing = get(&console, "/customers/globex", &dana);
    assert_eq!((foreign.status, missing.status), (403, 403));
    assert_eq!(foreign.text(), missing.text());
    for path in [
        "/customers/umbrella/reports/monthly/2026-10",
        "/customers/umbrella/reports/monthly/2026-10/files/report.pdf",
        "/customers/umbrella/reports/monthly/2026-10/pages/1",
        "/customers/umbrella/reports/monthly/2026-10/send",
        "/customers/..%2F043735371057/reports/monthly/2026-10",
        "/customers/Solo/reports/monthly/2026-10",
    ] {
        let response = get(&console, path, &dana);
        assert_eq!(response.status, 403, "{path}: {}", response.text());
        assert!(!response.text().contains("Umbrella"), "{path}");
    }
    // Granted by its id, the customer is seen without its accounts.
    let lee = alb.token("lee@example.com", &[]);
    assert_eq!(get(&console, "/customers/umbrella/reports/monthly/2026-10", &lee).status, 200);
    assert_eq!(get(&console, &format!("/accounts/{ACCOUNT_B}"), &lee).status, 403);
    let shared = console.request("GET", "/shared/customers/solo/monthly/2026-10/report.pdf?token=1.abc", &[], "");
    assert_eq!(shared.status, 403);
}

#[test]
fn a_customers_review_is_sent_and_recorded_beside_it() {
    let directory = tempfile::tempdir().unwrap();
    let config = format!("[console.send]\nallowed_domains = [\"customer.example\"]\n{CUSTOMERS}");
    let console = dev_console(directory.path(), &config);
    write_reviews(directory.path());
    let path = "/customers/umbrella/reports/monthly/2026-10/send";
    let page = console.request("GET", path, &[], "");
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(page.text().contains("Umbrella Group"), "{}", page.text());
    let csrf = page.field("csrf").unwrap();
    let body = form(&[
        ("csrf", &csrf),
        ("to", "priya@customer.example"),
        ("subject", "October"),
        ("message", "Here: [link to the report]"),
    ]);
    let sent = console.request("POST", path, &[], &body);
    assert!(sent.text().contains("Development mode: not mailed"), "{}", sent.text());
    let outbox = directory.path().join("out/customers/umbrella/sent/2026-10");
    let files: Vec<_> = std::fs::read_dir(&outbox).unwrap().map(|entry| entry.unwrap().path()).collect();
    let eml = files.iter().find(|path| path.extension().is_some_and(|ext| ext == "eml")).unwrap();
    let mime = std::fs::read_to_string(eml).unwrap();
    let encoded = mime.split("\r\n\r\n").nth(1).unwrap().replace("\r\n", "");
    use base64::Engine;
    let text = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(encoded).unwrap()).unwrap();
    let link =
        text.split_whitespace().find(|word| word.contains("/shared/customers/umbrella/")).unwrap_or_else(|| panic!("{text}"));
    let link = link.trim_start_matches(&console.url(""));
    let shared = console.request("GET", link, &[], "");
    assert!(shared.status == 200 && shared.body.starts_with(b"%PDF"), "{link}: {}", shared.status);
    let record = files.iter().find(|path| path.extension().is_some_and(|ext| ext == "json")).unwrap();
    let record: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(record).unwrap()).unwrap();
    assert_eq!(record["file"], "customers/umbrella/2026-10/report.pdf");
    // The review's own page lists the message sent.
    assert!(console.request("GET", path, &[], "").text().contains("priya@customer.example"));
}
