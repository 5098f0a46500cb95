//! A `moto_server` (PyPI `moto[server]`; `.ci/run` installs it) started by a test on a free
//! loopback port and stopped when dropped: a real S3 and Athena API without AWS.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A free loopback port not given to another server of this test process.
fn free_port() -> u16 {
    static GIVEN: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());
    loop {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        if GIVEN.lock().unwrap().insert(port) {
            return port;
        }
    }
}

/// True when an HTTP server answers on `port`. A bare connect is not enough: on Linux a
/// connect to a free port of the ephemeral range can connect the socket to itself, which looks
/// like a listening server (it echoes the request instead of answering it).
fn answers_http(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request = format!("GET /moto-api/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut start = [0u8; 5];
    stream.read_exact(&mut start).is_ok() && &start == b"HTTP/"
}

/// A moto server for the duration of a test.
pub struct Moto {
    child: Child,
    /// The loopback port it listens on.
    pub port: u16,
}

impl Moto {
    /// Starts `moto_server` on a free loopback port and waits until it accepts connections.
    ///
    /// Tests run in parallel: a port is never handed to two servers of this process, a server
    /// that exits (its port was taken meanwhile) is started again on another one, and it counts
    /// as up only once it answers HTTP.
    pub fn start() -> Self {
        for _ in 0..10 {
            let port = free_port();
            let mut child = Command::new("moto_server")
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("moto_server is needed for this test: pip install 'moto[server]' (.ci/run does)");
            let started = Instant::now();
            loop {
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                if answers_http(port) {
                    return Self { child, port };
                }
                assert!(started.elapsed() < Duration::from_secs(30), "moto_server did not start");
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("moto_server could not bind a free port in 10 attempts");
    }

    /// A plain HTTP request: status and body. moto does not verify signatures, but an
    /// anonymous request is not the bucket owner, so a (dummy) SigV4 header is sent.
    pub fn http(&self, method: &str, path: &str) -> (u16, Vec<u8>) {
        self.http_with_body(method, path, "application/octet-stream", &[])
    }

    /// An S3 request with a body (an object upload), or a call of moto's own API.
    pub fn http_with_body(&self, method: &str, path: &str, content_type: &str, payload: &[u8]) -> (u16, Vec<u8>) {
        self.request("s3", method, path, &[("Content-Type", content_type)], payload)
    }

    /// An Athena API call (JSON protocol): `action` is e.g. `ListQueryExecutions`.
    pub fn athena(&self, action: &str, body: &str) -> (u16, Vec<u8>) {
        let target = format!("AmazonAthena.{action}");
        let headers = [("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", target.as_str())];
        self.request("athena", "POST", "/", &headers, body.as_bytes())
    }

    /// One HTTP/1.1 request, signed with a dummy SigV4 header for `service`.
    pub fn request(&self, service: &str, method: &str, path: &str, headers: &[(&str, &str)], payload: &[u8]) -> (u16, Vec<u8>) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let authorization = format!(
            "AWS4-HMAC-SHA256 Credential=testing/20261101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=00"
        );
        let extra: String = headers.iter().map(|(name, value)| format!("{name}: {value}\r\n")).collect();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAuthorization: {authorization}\r\nx-amz-date: 20261101T000000Z\r\nx-amz-content-sha256: UNSIGNED-PAYLOAD\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n",
            self.port,
            payload.len()
        )
        .unwrap();
        stream.write_all(payload).unwrap();
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

    /// The endpoint URL.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The variables that point the SDK (and so `opsreport`) at this server.
    pub fn environment(&self) -> Vec<(&'static str, String)> {
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

pub fn dechunk(mut body: &[u8]) -> Vec<u8> {
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
