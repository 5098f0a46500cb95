//! Helpers of the console tests: an `opsreport serve` on a free loopback port, stopped when
//! dropped; a plain HTTP/1.1 client; and a test load balancer that signs `x-amzn-oidc-data`
//! tokens with its own P-256 key, published as a key file the console fetches by key id.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};

/// The ARN the test load balancer signs as.
pub const ALB_ARN: &str = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/console/1";

/// The first account of the committed fixtures (mapped to dana@example.com by [`with_reports`]).
pub const ACCOUNT_A: &str = "043735371057";
/// The second account (mapped to the `contoso` group).
pub const ACCOUNT_B: &str = "643641044933";

/// The committed fixtures in `<dir>/data`, their October reports in `<dir>/out`, a test load
/// balancer, and an `opsreport.toml` that maps dana@example.com to account A and the `contoso`
/// group to B, followed by `more` (further `[console.*]` tables).
pub fn with_reports(directory: &Path, more: &str) -> TestAlb {
    crate::copy_tree(&crate::repo_root().join("fixtures/synthetic"), &directory.join("data"));
    let made =
        crate::opsreport(directory, &["generate", "--source", "data", "--out", "out", "--month", "2026-10", "--all-accounts"]);
    assert_eq!(made.code, 0, "{}", made.stderr);
    let alb = TestAlb::new(&directory.join("keys"), "key-1");
    let config = format!(
        "[console]\nsource = \"data\"\nreports = \"out\"\nkey_url = \"{}\"\nalb_arn = \"{ALB_ARN}\"\nregion = \"eu-west-1\"\npublic_hosts = [\"127.0.0.1\"]\nwindow_months = 120\n[console.users]\n\"dana@example.com\" = [\"{ACCOUNT_A}\"]\n[console.groups]\ncontoso = [\"{ACCOUNT_B}\"]\n{more}",
        alb.key_url()
    );
    std::fs::write(directory.join("opsreport.toml"), config).unwrap();
    alb
}

/// A running console.
pub struct Console {
    child: Child,
    /// Its port.
    pub port: u16,
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Console {
    /// Starts `opsreport serve` in `directory` with `args` (`--listen 127.0.0.1:0` is added) and
    /// `environment`, and waits for the line that names its port.
    pub fn start(directory: &Path, args: &[&str], environment: &[(&str, String)]) -> Self {
        let mut command = Command::new(crate::binary());
        command.current_dir(directory).arg("serve").args(args).args(["--listen", "127.0.0.1:0"]);
        for (key, _) in std::env::vars().filter(|(key, _)| key.starts_with("OPSREPORT_") || key.starts_with("AWS_")) {
            command.env_remove(key);
        }
        command.env("OPSREPORT_CONSOLE_SECRET", "a test secret of at least thirty-two characters");
        for (key, value) in environment {
            command.env(key, value);
        }
        let mut child = command.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("opsreport serve starts");
        let stderr = child.stderr.take().unwrap();
        let (sender, receiver) = std::sync::mpsc::channel();
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept = log.clone();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                kept.lock().unwrap().push(line.clone());
                if !sent && let Some(rest) = line.split("console listening on http://127.0.0.1:").nth(1) {
                    let port: u16 = rest.split_whitespace().next().unwrap().parse().unwrap();
                    let _ = sender.send(Ok(port));
                    sent = true;
                } else if !sent {
                    let _ = sender.send(Err(line));
                }
            }
        });
        let started = Instant::now();
        let mut said = Vec::new();
        loop {
            match receiver.recv_timeout(Duration::from_secs(60)) {
                Ok(Ok(port)) => return Self { child, port, log },
                Ok(Err(line)) => said.push(line),
                Err(_) => {
                    let _ = child.kill();
                    panic!("opsreport serve did not start: {}", said.join("\n"));
                }
            }
            assert!(started.elapsed() < Duration::from_secs(60), "opsreport serve did not start: {}", said.join("\n"));
        }
    }

    /// A request to the console.
    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Response {
        http(self.port, method, path, headers, body)
    }

    /// What the console has written to its log so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }

    /// The console's address.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP response.
#[derive(Debug)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Header lines, lower-case names.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl Response {
    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    /// The value of the first form field `name` in an HTML page (`name="csrf" value="…"`).
    pub fn field(&self, name: &str) -> Option<String> {
        let text = self.text();
        let marker = format!("name=\"{name}\" value=\"");
        let start = text.find(&marker)? + marker.len();
        let value = text[start..].split('"').next()?;
        Some(value.replace("&#34;", "\"").replace("&#39;", "'").replace("&#60;", "<").replace("&#62;", ">").replace("&#38;", "&"))
    }
}

/// One HTTP/1.1 request to a loopback port (`Connection: close`).
pub fn http(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let extra: String = headers.iter().map(|(name, value)| format!("{name}: {value}\r\n")).collect();
    let content_type = if body.is_empty() { String::new() } else { "Content-Type: application/x-www-form-urlencoded\r\n".into() };
    // A request names its host, unless the test gives another.
    let host = if headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("host")) {
        String::new()
    } else {
        format!("Host: 127.0.0.1:{port}\r\n")
    };
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\n{host}{extra}{content_type}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let split = response.windows(4).position(|window| window == b"\r\n\r\n").expect("an HTTP response");
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let mut body = response[split + 4..].to_vec();
    if headers.iter().any(|(name, value)| name == "transfer-encoding" && value.contains("chunked")) {
        body = crate::moto::dechunk(&body);
    }
    Response { status, headers, body }
}

/// A form body: `name=value&…`, percent-encoded.
pub fn form(fields: &[(&str, &str)]) -> String {
    fields.iter().map(|(name, value)| format!("{}={}", encode(name), encode(value))).collect::<Vec<_>>().join("&")
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (byte as char).to_string(),
            b' ' => "+".into(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// A load balancer of the tests: it signs tokens with its key, published in `keys/<kid>`.
pub struct TestAlb {
    pair: EcdsaKeyPair,
    /// The folder of its key files.
    pub keys: PathBuf,
    /// Its key id.
    pub kid: String,
}

impl TestAlb {
    /// A new key, written as `<folder>/<kid>` (PEM).
    pub fn new(folder: &Path, kid: &str) -> Self {
        let random = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &random).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &random).unwrap();
        std::fs::create_dir_all(folder).unwrap();
        const PREFIX: [u8; 26] = [
            0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
            0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
        ];
        let der: Vec<u8> = PREFIX.iter().chain(pair.public_key().as_ref()).copied().collect();
        let pem = format!("-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n", STANDARD.encode(der));
        std::fs::write(folder.join(kid), pem).unwrap();
        Self { pair, keys: folder.to_owned(), kid: kid.to_owned() }
    }

    /// The `[console]` key URL of this load balancer.
    pub fn key_url(&self) -> String {
        format!("file://{}/{{kid}}", self.keys.display())
    }

    /// A token for `email` in `groups`, valid for `seconds` (negative: expired), signed as
    /// `signer`.
    pub fn token_as(&self, signer: &str, email: &str, groups: &[&str], seconds: i64) -> String {
        let exp = chrono::Utc::now().timestamp() + seconds;
        let header = serde_json::json!({"alg": "ES256", "kid": self.kid, "signer": signer, "iss": "https://idp.example.com", "client": "console", "exp": exp});
        let payload =
            serde_json::json!({"sub": email, "email": email, "groups": groups, "exp": exp, "iss": "https://idp.example.com"});
        // The load balancer pads its base64url parts.
        let encode = |value: &serde_json::Value| {
            let text = URL_SAFE_NO_PAD.encode(value.to_string());
            let padding = (4 - text.len() % 4) % 4;
            format!("{text}{}", "=".repeat(padding))
        };
        let signed = format!("{}.{}", encode(&header), encode(&payload));
        let signature = self.pair.sign(&SystemRandom::new(), signed.as_bytes()).unwrap();
        format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref()))
    }

    /// A token of this load balancer with `payload` as its claims.
    pub fn token_with(&self, payload: serde_json::Value) -> String {
        let header = serde_json::json!({"alg": "ES256", "kid": self.kid, "signer": ALB_ARN});
        let encode = |value: &serde_json::Value| URL_SAFE_NO_PAD.encode(value.to_string());
        let signed = format!("{}.{}", encode(&header), encode(&payload));
        let signature = self.pair.sign(&SystemRandom::new(), signed.as_bytes()).unwrap();
        format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref()))
    }

    /// A token of this load balancer for `email`, valid for an hour.
    pub fn token(&self, email: &str, groups: &[&str]) -> String {
        self.token_as(ALB_ARN, email, groups, 3600)
    }
}
