//! A small WebDriver client for the browser tests: Debian's `chromedriver` started on a free
//! loopback port, driving headless `chromium` (the flags this machine's closed network needs),
//! spoken to over plain HTTP with JSON bodies.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The key WebDriver names an element by.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Whether the browser and its driver are installed (`.ci/run` installs them).
pub fn available() -> bool {
    Path::new("/usr/bin/chromium").exists() && Path::new("/usr/bin/chromedriver").exists()
}

/// A browser session, ended (with its driver) when dropped.
pub struct Browser {
    driver: Child,
    port: u16,
    session: String,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session with a fresh profile in `profile`.
    pub fn start(profile: &Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian's chromium-driver)");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(30), "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,1000",
        ];
        let mut args: Vec<String> = args.iter().map(|arg| arg.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let capabilities = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome",
            "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args}}}});
        let mut browser = Self { driver, port, session: String::new() };
        let created = browser.call("POST", "/session", &capabilities);
        browser.session = created["sessionId"].as_str().expect("a session").to_owned();
        browser.cdp("Network.enable", json!({}));
        browser
    }

    /// One WebDriver command; its `value`.
    fn call(&self, method: &str, path: &str, body: &Value) -> Value {
        let body = if method == "GET" || method == "DELETE" { String::new() } else { body.to_string() };
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.port,
            body.len()
        )
        .unwrap();
        // The driver may keep the connection open: read the head, then what it announces.
        let mut response = Vec::new();
        let mut buffer = [0u8; 65536];
        let split = loop {
            if let Some(split) = response.windows(4).position(|window| window == b"\r\n\r\n") {
                break split;
            }
            let read = stream.read(&mut buffer).unwrap();
            assert!(read > 0, "{method} {path}: the driver closed the connection");
            response.extend_from_slice(&buffer[..read]);
        };
        let head = String::from_utf8_lossy(&response[..split]).into_owned();
        let length = head.lines().find_map(|line| {
            line.to_ascii_lowercase().strip_prefix("content-length:").map(|value| value.trim().parse::<usize>().unwrap())
        });
        let mut payload = response[split + 4..].to_vec();
        match length {
            Some(length) => {
                while payload.len() < length {
                    let read = stream.read(&mut buffer).unwrap();
                    assert!(read > 0, "{method} {path}: the answer was cut short");
                    payload.extend_from_slice(&buffer[..read]);
                }
            }
            None => {
                stream.read_to_end(&mut payload).unwrap();
                if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
                    payload = crate::moto::dechunk(&payload);
                }
            }
        }
        let answer: Value = serde_json::from_slice(&payload).unwrap_or(Value::Null);
        assert!(head.starts_with("HTTP/1.1 200"), "{method} {path}: {head}\n{answer}");
        answer["value"].clone()
    }

    fn session_call(&self, method: &str, path: &str, body: Value) -> Value {
        self.call(method, &format!("/session/{}{path}", self.session), &body)
    }

    /// A Chrome DevTools command.
    pub fn cdp(&self, command: &str, params: Value) -> Value {
        self.session_call("POST", "/goog/cdp/execute", json!({"cmd": command, "params": params}))
    }

    /// Sends this header with every request from now on (what the load balancer adds).
    pub fn set_header(&self, name: &str, value: &str) {
        self.cdp("Network.setExtraHTTPHeaders", json!({"headers": {name: value}}));
    }

    /// Opens a URL and waits for the page.
    pub fn open(&self, url: &str) {
        self.session_call("POST", "/url", json!({"url": url}));
    }

    /// The page's HTML.
    pub fn source(&self) -> String {
        self.session_call("GET", "/source", json!({})).as_str().unwrap_or_default().to_owned()
    }

    /// The elements a CSS selector finds.
    pub fn find_all(&self, selector: &str) -> Vec<String> {
        let found = self.session_call("POST", "/elements", json!({"using": "css selector", "value": selector}));
        found.as_array().into_iter().flatten().filter_map(|element| element[ELEMENT].as_str().map(str::to_owned)).collect()
    }

    /// The one element a CSS selector finds.
    pub fn find(&self, selector: &str) -> String {
        let found = self.find_all(selector);
        assert!(!found.is_empty(), "no element {selector} in {}", self.source());
        found[0].clone()
    }

    /// An element's property (`value`, `naturalWidth`, …).
    pub fn property(&self, element: &str, name: &str) -> Value {
        self.session_call("GET", &format!("/element/{element}/property/{name}"), json!({}))
    }

    /// Types into an element after clearing it.
    pub fn type_into(&self, element: &str, text: &str) {
        self.session_call("POST", &format!("/element/{element}/clear"), json!({}));
        self.session_call("POST", &format!("/element/{element}/value"), json!({"text": text}));
    }

    /// Clicks an element.
    pub fn click(&self, element: &str) {
        self.session_call("POST", &format!("/element/{element}/click"), json!({}));
    }

    /// Waits until the page's HTML contains `text`; that HTML.
    pub fn wait_for(&self, text: &str, limit: Duration) -> String {
        let started = Instant::now();
        loop {
            let source = self.source();
            if source.contains(text) {
                return source;
            }
            assert!(started.elapsed() < limit, "the page never showed {text:?}: {source}");
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.session_call("DELETE", "", json!({}))));
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
