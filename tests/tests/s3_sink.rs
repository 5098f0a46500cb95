//! `--out s3://bucket/prefix` against a real S3 API on loopback: a `moto_server` started by the
//! test on a free port (PyPI `moto[server]`; `.ci/run` installs it), reached the standard way
//! through `AWS_ENDPOINT_URL` with dummy credentials and path-style addressing.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use opsreport_tests::{opsreport_with_env, repo_root};
use sha2::{Digest, Sha256};

/// A moto server for the duration of a test.
struct Moto {
    child: Child,
    port: u16,
}

impl Moto {
    fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server is needed for this test: pip install 'moto[server]' (.ci/run does)");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(30), "moto_server did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Self { child, port }
    }

    /// A plain HTTP request: status and body. moto does not verify signatures, but an
    /// anonymous request is not the bucket owner, so a (dummy) SigV4 header is sent.
    fn http(&self, method: &str, path: &str) -> (u16, Vec<u8>) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let authorization =
            "AWS4-HMAC-SHA256 Credential=testing/20261101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00";
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAuthorization: {authorization}\r\nx-amz-date: 20261101T000000Z\r\nx-amz-content-sha256: UNSIGNED-PAYLOAD\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.port
        )
        .unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let split = response.windows(4).position(|window| window == b"\r\n\r\n").expect("an HTTP response");
        let head = String::from_utf8_lossy(&response[..split]).into_owned();
        let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
        let mut body = response[split + 4..].to_vec();
        if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
            body = dechunk(&body);
        }
        (status, body)
    }

    fn environment(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{}", self.port)),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
            ("OPSREPORT_S3_FORCE_PATH_STYLE", "true".into()),
        ]
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = body.windows(2).position(|w| w == b"\r\n").unwrap();
        let size = usize::from_str_radix(String::from_utf8_lossy(&body[..line_end]).trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&body[line_end + 2..line_end + 2 + size]);
        body = &body[line_end + 4 + size..];
    }
}

fn run_generate(moto: &Moto, out: &str) -> opsreport_tests::Run {
    let environment = moto.environment();
    let pairs: Vec<(&str, &str)> = environment.iter().map(|(key, value)| (*key, value.as_str())).collect();
    opsreport_with_env(&repo_root(), &["generate", "--out", out], &pairs)
}

#[test]
fn a_report_tree_is_uploaded_with_its_manifest() {
    let moto = Moto::start();
    assert_eq!(moto.http("PUT", "/reports").0, 200, "create the bucket");
    for _ in 0..2 {
        // Twice: a re-run replaces the folder cleanly.
        let run = run_generate(&moto, "s3://reports/monthly/");
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stderr.contains("s3://reports/monthly/043735371057/2026-10"), "{}", run.stderr);
    }
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
