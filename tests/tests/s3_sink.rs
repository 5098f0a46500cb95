//! `--out s3://bucket/prefix` against a real S3 API on loopback: a `moto_server` started by the
//! test on a free port (PyPI `moto[server]`; `.ci/run` installs it), reached the standard way
//! through `AWS_ENDPOINT_URL` with dummy credentials and path-style addressing.

use opsreport_tests::moto::Moto;
use std::io::{Read, Write};

use opsreport_tests::{opsreport_with_env, repo_root};
use sha2::{Digest, Sha256};

fn run_generate(moto: &Moto, out: &str) -> opsreport_tests::Run {
    let environment = moto.environment();
    let pairs: Vec<(&str, &str)> = environment.iter().map(|(key, value)| (*key, value.as_str())).collect();
    opsreport_with_env(&repo_root(), &["generate", "--out", out], &pairs)
}

#[test]
fn a_report_tree_is_uploaded_with_its_manifest() {
    let moto = Moto::start();
    assert_eq!(moto.http("PUT", "/reports").0, 200, "create the bucket");
    let mut link = String::new();
    for _ in 0..2 {
        // Twice: a re-run replaces the folder cleanly.
        let run = run_generate(&moto, "s3://reports/monthly/");
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stderr.contains("s3://reports/monthly/043735371057/2026-10"), "{}", run.stderr);
        let (_, after) = run.stderr.split_once("link valid for 7 days: ").unwrap_or_else(|| panic!("no link: {}", run.stderr));
        link = after.split_whitespace().next().unwrap().to_owned();
    }
    // The link is a presigned GET of the PDF, valid for seven days, that needs no credentials.
    assert!(link.contains("/reports/monthly/043735371057/2026-10/report.pdf?"), "{link}");
    assert!(link.contains("X-Amz-Expires=604800") && link.contains("X-Amz-Signature="), "{link}");
    let path = &link[link.find("/reports/").unwrap()..];
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", moto.port)).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n", moto.port).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    assert!(response.starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&response[..200.min(response.len())]));
    assert!(response.windows(5).any(|window| window == b"%PDF-"), "the link gives the PDF");
    let (status, manifest) = moto.http("GET", "/reports/monthly/043735371057/2026-10/manifest.json");
    assert_eq!(status, 200);
    let manifest: serde_json::Value = serde_json::from_slice(&manifest).unwrap();
    let files = manifest["files"].as_array().unwrap();
    assert!(files.iter().any(|file| file["path"] == "report.pdf") && files.len() >= 10);
    for file in files {
        let path = file["path"].as_str().unwrap();
        let (status, bytes) = moto.http("GET", &format!("/reports/monthly/043735371057/2026-10/{path}"));
        assert_eq!(status, 200, "{path}");
        let digest: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(file["sha256"].as_str().unwrap(), digest, "{path}");
    }
}

#[test]
fn a_missing_bucket_fails_with_exit_3_and_no_manifest() {
    let moto = Moto::start();
    let run = run_generate(&moto, "s3://no-such-bucket/monthly");
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("s3://no-such-bucket/monthly/043735371057/2026-10/"), "{}", run.stderr);
    assert_ne!(moto.http("GET", "/no-such-bucket/monthly/043735371057/2026-10/manifest.json").0, 200);
}

#[test]
fn an_upload_that_fails_part_way_exits_3_without_a_manifest_and_a_rerun_completes() {
    use opsreport_tests::fault_proxy::FaultProxy;
    let moto = Moto::start();
    assert_eq!(moto.http("PUT", "/reports").0, 200, "create the bucket");
    // The PDF goes up, then S3 refuses metrics.json.
    let proxy = FaultProxy::start(
        moto.port,
        Box::new(|request| {
            (request.method == "PUT" && request.path.contains("/metrics.json")).then(|| {
                (
                    403,
                    "application/xml",
                    "<Error><Code>AccessDenied</Code><Message>Access Denied (injected)</Message></Error>".to_owned(),
                )
            })
        }),
    );
    let mut environment = moto.environment();
    environment.retain(|(key, _)| *key != "AWS_ENDPOINT_URL");
    environment.push(("AWS_ENDPOINT_URL", proxy.endpoint()));
    let pairs: Vec<(&str, &str)> = environment.iter().map(|(key, value)| (*key, value.as_str())).collect();
    let run = opsreport_with_env(&repo_root(), &["generate", "--out", "s3://reports/monthly"], &pairs);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(proxy.injected() >= 1);
    assert!(run.stderr.contains("s3://reports/monthly/043735371057/2026-10/metrics.json"), "{}", run.stderr);
    assert!(run.stderr.contains("AccessDenied") && run.stderr.contains("check the bucket"), "{}", run.stderr);
    assert_eq!(moto.http("GET", "/reports/monthly/043735371057/2026-10/report.pdf").0, 200, "the upload got part-way");
    assert_ne!(moto.http("GET", "/reports/monthly/043735371057/2026-10/manifest.json").0, 200, "no manifest after a failure");

    let again = run_generate(&moto, "s3://reports/monthly");
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(moto.http("GET", "/reports/monthly/043735371057/2026-10/manifest.json").0, 200);
}

#[test]
fn a_run_waits_for_another_runs_lock_on_the_report_folder_and_releases_its_own() {
    let moto = Moto::start();
    assert_eq!(moto.http("PUT", "/reports").0, 200, "create the bucket");
    let lock = "/reports/monthly/043735371057/2026-10/.opsreport.lock";
    // Another run holds the folder.
    assert_eq!(moto.http_with_body("PUT", lock, "text/plain", b"another run").0, 200);
    let started = std::time::Instant::now();
    let run = std::thread::scope(|scope| {
        let run = scope.spawn(|| run_generate(&moto, "s3://reports/monthly/"));
        std::thread::sleep(std::time::Duration::from_secs(3));
        assert_ne!(moto.http("GET", "/reports/monthly/043735371057/2026-10/manifest.json").0, 200, "it waited");
        assert_eq!(moto.http("DELETE", lock).0, 204, "the other run is done");
        run.join().unwrap()
    });
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(started.elapsed() >= std::time::Duration::from_secs(3));
    assert_eq!(moto.http("GET", "/reports/monthly/043735371057/2026-10/manifest.json").0, 200);
    assert_eq!(moto.http("GET", lock).0, 404, "the lock is released");
}

#[test]
fn a_run_leaves_a_lock_another_run_took_over_meanwhile() {
    use opsreport_tests::fault_proxy::FaultProxy;
    let moto = Moto::start();
    assert_eq!(moto.http("PUT", "/reports").0, 200, "create the bucket");
    let lock = "/reports/monthly/043735371057/2026-10/.opsreport.lock";
    // While the run uploads, another run (which thought it dead) takes the folder's lock.
    let upstream = moto.port;
    let taken = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let seen = taken.clone();
    let proxy = FaultProxy::start(
        moto.port,
        Box::new(move |request| {
            if request.method == "PUT"
                && request.path.contains("043735371057/2026-10/report.pdf")
                && !seen.swap(true, std::sync::atomic::Ordering::SeqCst)
            {
                let signed = [
                    (
                        "Authorization",
                        "AWS4-HMAC-SHA256 Credential=testing/20261101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00",
                    ),
                    ("x-amz-date", "20261101T000000Z"),
                    ("x-amz-content-sha256", "UNSIGNED-PAYLOAD"),
                ];
                let put = opsreport_tests::console::http(upstream, "PUT", lock, &signed, "the other run");
                assert_eq!(put.status, 200);
            }
            None
        }),
    );
    let mut environment = moto.environment();
    environment.retain(|(key, _)| *key != "AWS_ENDPOINT_URL");
    environment.push(("AWS_ENDPOINT_URL", proxy.endpoint()));
    let pairs: Vec<(&str, &str)> = environment.iter().map(|(key, value)| (*key, value.as_str())).collect();
    let run =
        opsreport_with_env(&repo_root(), &["generate", "--out", "s3://reports/monthly", "--account", "043735371057"], &pairs);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(taken.load(std::sync::atomic::Ordering::SeqCst));
    let (status, body) = moto.http("GET", lock);
    assert_eq!(status, 200, "the other run's lock stays");
    assert!(!String::from_utf8_lossy(&body).starts_with("opsreport run"), "and it is not this run's");
    assert!(run.stderr.contains("another run's lock"), "{}", run.stderr);
}
