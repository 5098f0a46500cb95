//! The console against AWS APIs (a local moto server): sending a report through Amazon SES
//! (moto records each message), with the PDF attached or a time-limited link, and the record of
//! what was sent; reports and notes kept in S3, with notes saved by conditional writes
//! (`If-Match` on the ETag read, `If-None-Match` for a new file).

use std::path::Path;

use base64::Engine;
use opsreport_tests::console::{ACCOUNT_A, Console, Response, form, with_reports};
use opsreport_tests::moto::Moto;
use opsreport_tests::opsreport_with_env;

fn get(console: &Console, path: &str, token: &str) -> Response {
    console.request("GET", path, &[("x-amzn-oidc-data", token)], "")
}

fn post(console: &Console, path: &str, token: &str, body: &str) -> Response {
    console.request("POST", path, &[("x-amzn-oidc-data", token)], body)
}

/// Makes `address` a verified SES sender in moto.
fn verify_sender(moto: &Moto, address: &str) {
    let body = format!("Action=VerifyEmailIdentity&Version=2010-12-01&EmailAddress={}", address.replace('@', "%40"));
    let (status, answer) =
        moto.request("ses", "POST", "/", &[("Content-Type", "application/x-www-form-urlencoded")], body.as_bytes());
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
}

/// The raw messages moto's SES has taken: (recipients, MIME text).
fn sent_messages(moto: &Moto) -> Vec<(Vec<String>, String)> {
    let (status, data) = moto.http("GET", "/moto-api/data.json");
    assert_eq!(status, 200);
    let data: serde_json::Value = serde_json::from_slice(&data).unwrap();
    data["ses"]["RawMessage"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|message| {
            let to = message["destinations"].as_array().unwrap().iter().map(|to| to.as_str().unwrap().to_owned()).collect();
            (to, message["raw_data"].as_str().unwrap().to_owned())
        })
        .collect()
}

/// The text part of a MIME message (base64 in the console's messages), decoded.
fn text_part(mime: &str) -> String {
    let start = mime.find("Content-Type: text/plain").expect("a text part");
    let body = mime[start..].split("\r\n\r\n").nth(1).unwrap();
    let encoded: String = body.lines().take_while(|line| !line.is_empty() && !line.starts_with("--")).collect();
    String::from_utf8(base64::engine::general_purpose::STANDARD.decode(encoded).unwrap()).unwrap()
}

fn sent_records(directory: &Path) -> Vec<serde_json::Value> {
    let folder = directory.join(format!("out/{ACCOUNT_A}/sent/2026-10"));
    let mut records: Vec<serde_json::Value> = std::fs::read_dir(folder)
        .map(|entries| {
            entries.map(|entry| serde_json::from_slice(&std::fs::read(entry.unwrap().path()).unwrap()).unwrap()).collect()
        })
        .unwrap_or_default();
    records.sort_by_key(|record| record["sent_at"].as_str().unwrap().to_owned());
    records
}

#[test]
fn a_report_is_sent_through_ses_attached_or_linked_and_recorded() {
    let moto = Moto::start();
    verify_sender(&moto, "csdm@example.com");
    let directory = tempfile::tempdir().unwrap();
    let alb = with_reports(
        directory.path(),
        "[console.send]\nfrom = \"csdm@example.com\"\nmode = \"attachment\"\nallowed_domains = [\"example.com\"]\n",
    );
    let console = Console::start(directory.path(), &[], &moto.environment());
    let dana = alb.token("dana@example.com", &[]);
    let path = format!("/accounts/{ACCOUNT_A}/reports/monthly/2026-10/send");

    let preview = get(&console, &path, &dana);
    assert_eq!(preview.status, 200, "{}", preview.text());
    assert!(
        preview.text().contains("It is attached to this message (report.pdf)") && preview.text().contains("Open action items")
    );
    let csrf = preview.field("csrf").unwrap();

    let refused =
        post(&console, &path, &dana, &form(&[("csrf", &csrf), ("to", "sam@example.com\nnot an address"), ("subject", "x")]));
    assert!(refused.text().contains("is not an e-mail address; nothing was sent"), "{}", refused.text());
    assert!(sent_messages(&moto).is_empty());
    let no_csrf = post(&console, &path, &dana, &form(&[("to", "sam@example.com"), ("subject", "x")]));
    assert_eq!(no_csrf.status, 403);

    let sent = post(
        &console,
        &path,
        &dana,
        &form(&[("csrf", &csrf), ("to", "sam@example.com\nlee@example.com"), ("subject", "October review — Northwind")]),
    );
    assert!(sent.text().contains("Sent to sam@example.com, lee@example.com"), "{}", sent.text());
    let messages = sent_messages(&moto);
    assert_eq!(messages.len(), 1);
    let (to, mime) = &messages[0];
    // moto adds the message's To header to the destinations given: compare without repeats.
    let mut to = to.clone();
    to.sort();
    to.dedup();
    assert_eq!(to, ["lee@example.com", "sam@example.com"]);
    assert!(mime.contains("Subject: =?UTF-8?B?") && mime.contains("filename=\"report.pdf\""), "{mime}");
    let pdf = std::fs::read(directory.path().join(format!("out/{ACCOUNT_A}/2026-10/report.pdf"))).unwrap();
    let encoded = base64::engine::general_purpose::STANDARD.encode(&pdf);
    assert!(mime.replace("\r\n", "").contains(&encoded), "the PDF is attached whole");
    assert!(text_part(mime).contains("Open action items:"));
    let records = sent_records(directory.path());
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["by"], "dana@example.com");
    assert_eq!(records[0]["to"], serde_json::json!(["sam@example.com", "lee@example.com"]));
    assert!(get(&console, &path, &dana).text().contains("sam@example.com, lee@example.com"), "the page lists what was sent");
    drop(console);

    // A link instead: it opens the PDF without signing in, until it expires; a changed one does not.
    let config = std::fs::read_to_string(directory.path().join("opsreport.toml")).unwrap();
    let config = config
        .replace("mode = \"attachment\"", "mode = \"link\"\nlink_hours = 24\npublic_url = \"https://reports.example.com/\"");
    std::fs::write(directory.path().join("opsreport.toml"), config).unwrap();
    let console = Console::start(directory.path(), &[], &moto.environment());
    let csrf = get(&console, &path, &dana).field("csrf").unwrap();
    let sent = post(&console, &path, &dana, &form(&[("csrf", &csrf), ("to", "sam@example.com"), ("subject", "October review")]));
    assert!(sent.text().contains("Sent to sam@example.com"), "{}", sent.text());
    let messages = sent_messages(&moto);
    let text = text_part(&messages[1].1);
    let link = text.lines().find(|line| line.starts_with("https://reports.example.com/shared/")).expect("a link").to_owned();
    let shared = link.trim_start_matches("https://reports.example.com");
    let opened = console.request("GET", shared, &[], "");
    assert_eq!((opened.status, opened.body == pdf), (200, true));
    let forged = shared.replace("report.pdf", "metrics.json");
    assert_eq!(console.request("GET", &forged, &[], "").status, 403);
    assert_eq!(sent_records(directory.path()).len(), 2);
}

#[test]
fn reports_and_notes_in_s3_are_read_and_notes_saved_conditionally() {
    let moto = Moto::start();
    let environment = moto.environment();
    let borrowed: Vec<(&str, &str)> = environment.iter().map(|(key, value)| (*key, value.as_str())).collect();
    assert_eq!(moto.http("PUT", "/opsreport").0, 200);
    let directory = tempfile::tempdir().unwrap();
    let alb = with_reports(directory.path(), "[athena]\ndata_location = \"s3://opsreport/data\"\n");
    let generated = opsreport_with_env(
        directory.path(),
        &["generate", "--source", "data", "--out", "s3://opsreport/reports", "--month", "2026-10", "--account", ACCOUNT_A],
        &borrowed,
    );
    assert_eq!(generated.code, 0, "{}", generated.stderr);
    let notes = std::fs::read(directory.path().join(format!("data/notes/{ACCOUNT_A}/2026-10.toml"))).unwrap();
    let key = format!("/opsreport/data/notes/{ACCOUNT_A}/2026-10.toml");
    assert_eq!(moto.http_with_body("PUT", &key, "application/toml", &notes).0, 200);

    let console = Console::start(directory.path(), &["--source", "athena", "--out", "s3://opsreport/reports"], &environment);
    let dana = alb.token("dana@example.com", &[]);
    let account = get(&console, &format!("/accounts/{ACCOUNT_A}"), &dana);
    assert!(account.text().contains("2026-10") && account.text().contains("report.pdf"), "{}", account.text());
    let page = get(&console, &format!("/accounts/{ACCOUNT_A}/reports/monthly/2026-10/pages/1"), &dana);
    assert!(page.body.starts_with(b"\x89PNG"));

    let path = format!("/accounts/{ACCOUNT_A}/notes/2026-10");
    let editor = get(&console, &path, &dana);
    let (csrf, version) = (editor.field("csrf").unwrap(), editor.field("version").unwrap());
    assert!(!version.is_empty(), "the ETag read");
    let saved =
        post(&console, &path, &dana, &form(&[("csrf", &csrf), ("version", &version), ("customer_name", "Northwind in S3")]));
    assert_eq!(saved.status, 303, "{}", saved.text());
    let (_, stored) = moto.http("GET", &key);
    assert!(String::from_utf8_lossy(&stored).contains("Northwind in S3"));
    let stale = post(&console, &path, &dana, &form(&[("csrf", &csrf), ("version", &version), ("customer_name", "Stale")]));
    assert_eq!(stale.status, 409, "{}", stale.text());
    let (_, stored) = moto.http("GET", &key);
    assert!(!String::from_utf8_lossy(&stored).contains("Stale"));
    // A new file is created only if none appeared meanwhile.
    let path = format!("/accounts/{ACCOUNT_A}/notes/2026-11");
    let first = post(&console, &path, &dana, &form(&[("csrf", &csrf), ("version", ""), ("customer_name", "First")]));
    let second = post(&console, &path, &dana, &form(&[("csrf", &csrf), ("version", ""), ("customer_name", "Second")]));
    assert_eq!((first.status, second.status), (303, 409));
}

#[test]
fn pages_read_each_manifest_and_metrics_once_while_they_are_unchanged() {
    use opsreport_tests::fault_proxy::FaultProxy;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let moto = Moto::start();
    assert_eq!(moto.http("PUT", "/opsreport").0, 200);
    let directory = tempfile::tempdir().unwrap();
    let alb = with_reports(directory.path(), "");
    let environment = moto.environment();
    let borrowed: Vec<(&str, &str)> = environment.iter().map(|(key, value)| (*key, value.as_str())).collect();
    let out = ["--out", "s3://opsreport/reports"];
    let generate = ["generate", "--source", "data", "--month", "2026-10", "--account", ACCOUNT_A];
    let made = opsreport_with_env(directory.path(), &[&generate[..], &out[..]].concat(), &borrowed);
    assert_eq!(made.code, 0, "{}", made.stderr);
    let reads = std::sync::Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
    let counted = reads.clone();
    let proxy = FaultProxy::start(
        moto.port,
        Box::new(move |request| {
            let path = request.path.split('?').next().unwrap_or_default();
            if request.method == "GET" && path.ends_with("/manifest.json") {
                counted[0].fetch_add(1, Ordering::SeqCst);
            }
            if request.method == "GET" && path.ends_with("/metrics.json") {
                counted[1].fetch_add(1, Ordering::SeqCst);
            }
            None
        }),
    );
    let mut environment = moto.environment();
    environment.retain(|(key, _)| *key != "AWS_ENDPOINT_URL");
    environment.push(("AWS_ENDPOINT_URL", proxy.endpoint()));
    let console = Console::start(directory.path(), &out, &environment);
    let dana = alb.token("dana@example.com", &[]);
    for path in ["/".to_owned(), format!("/accounts/{ACCOUNT_A}"), format!("/accounts/{ACCOUNT_A}/reports/monthly/2026-10")] {
        for _ in 0..3 {
            let page = get(&console, &path, &dana);
            assert_eq!(page.status, 200, "{path}: {}", page.text());
        }
    }
    let count = |which: usize| reads[which].load(Ordering::SeqCst);
    assert_eq!((count(0), count(1)), (1, 1), "nine pages, one read of each");
    // A changed file is read again (a regenerated report of the same input is the same bytes).
    for name in ["manifest.json", "metrics.json"] {
        let key = format!("/opsreport/reports/{ACCOUNT_A}/2026-10/{name}");
        let (_, mut bytes) = moto.http("GET", &key);
        bytes.push(b'\n');
        assert_eq!(moto.http_with_body("PUT", &key, "application/json", &bytes).0, 200);
    }
    assert_eq!(get(&console, &format!("/accounts/{ACCOUNT_A}"), &dana).status, 200);
    assert_eq!((count(0), count(1)), (2, 2));
}

/// Serves temporary credentials as a container's credential endpoint does, expiring in
/// `seconds`; its URL.
fn credential_endpoint(seconds: i64) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let expiration = (chrono::Utc::now() + chrono::Duration::seconds(seconds)).format("%Y-%m-%dT%H:%M:%SZ");
            let body = format!(
                r#"{{"AccessKeyId":"testing","SecretAccessKey":"testing","Token":"session","Expiration":"{expiration}"}}"#
            );
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://127.0.0.1:{port}/credentials")
}

#[test]
fn a_link_lives_no_longer_than_the_credentials_that_sign_it_and_is_never_logged() {
    let moto = Moto::start();
    assert_eq!(moto.http("PUT", "/opsreport").0, 200);
    let directory = tempfile::tempdir().unwrap();
    with_reports(directory.path(), "[console.send]\nallowed_domains = [\"customer.example\"]\n");
    let environment = moto.environment();
    let borrowed: Vec<(&str, &str)> = environment.iter().map(|(key, value)| (*key, value.as_str())).collect();
    let made = opsreport_with_env(
        directory.path(),
        &["generate", "--source", "data", "--out", "s3://opsreport/reports", "--month", "2026-10", "--account", ACCOUNT_A],
        &borrowed,
    );
    assert_eq!(made.code, 0, "{}", made.stderr);
    // The task role's credentials: two hours left, less than the 72 hours of a link.
    let mut environment: Vec<(&str, String)> = environment
        .into_iter()
        .filter(|(key, _)| !key.starts_with("AWS_ACCESS_KEY") && !key.starts_with("AWS_SECRET") && *key != "AWS_SESSION_TOKEN")
        .collect();
    environment.push(("AWS_CONTAINER_CREDENTIALS_FULL_URI", credential_endpoint(7200)));
    let args = ["--dev-user", "dana@example.com", "--source", "data", "--out", "s3://opsreport/reports"];
    let console = Console::start(directory.path(), &args, &environment);
    let path = format!("/accounts/{ACCOUNT_A}/reports/monthly/2026-10/send");
    let page = console.request("GET", &path, &[], "");
    assert!(page.text().contains("not 72 hours: the credentials that sign it expire then"), "{}", page.text());
    let body = form(&[("csrf", &page.field("csrf").unwrap()), ("to", "priya@customer.example"), ("subject", "October")]);
    let sent = console.request("POST", &path, &[], &body);
    assert!(sent.text().contains("Development mode: not mailed"), "{}", sent.text());
    let (_, listing) = moto.http("GET", &format!("/opsreport?list-type=2&prefix=reports/{ACCOUNT_A}/sent/"));
    let listing = String::from_utf8_lossy(&listing).into_owned();
    let eml = listing.split("<Key>").filter_map(|part| part.split("</Key>").next()).find(|key| key.ends_with(".eml")).unwrap();
    let (_, mime) = moto.http("GET", &format!("/opsreport/{eml}"));
    let mime = String::from_utf8_lossy(&mime).into_owned();
    let text = String::from_utf8(
        base64::engine::general_purpose::STANDARD.decode(mime.split("\r\n\r\n").nth(1).unwrap().replace("\r\n", "")).unwrap(),
    )
    .unwrap();
    let expires: u64 = text.split("X-Amz-Expires=").nth(1).unwrap().split('&').next().unwrap().parse().unwrap();
    assert!((7000..7200).contains(&expires), "signed for {expires} s, within the credentials' two hours: {text}");
    assert!(!console.log().contains("X-Amz-Signature"), "no presigned link in the log");
}
