//! A fault-injecting HTTP proxy for the AWS tests: it sits between `opsreport` and the moto
//! server on a free loopback port, forwards every request, and answers the ones a rule picks with
//! an injected response instead (an S3 `AccessDenied` part-way through an upload, a failed Athena
//! query). Each request is forwarded on its own upstream connection with `Connection: close`, so
//! responses need no parsing.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// One request as the proxy saw it.
#[derive(Debug)]
pub struct Request {
    /// `GET`, `PUT`, …
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Header lines, lower-case names.
    pub headers: Vec<(String, String)>,
    /// The body (chunked bodies decoded).
    pub body: Vec<u8>,
}

impl Request {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }
}

/// Picks requests to fail: returns the status, content type and body to answer with.
pub type Rule = dyn Fn(&Request) -> Option<(u16, &'static str, String)> + Send + Sync;

/// A running proxy; stopped when dropped.
pub struct FaultProxy {
    port: u16,
    stop: Arc<AtomicBool>,
    injected: Arc<AtomicUsize>,
}

impl FaultProxy {
    /// Starts a proxy to `upstream` (`host:port`) applying `rule`.
    pub fn start(upstream: u16, rule: Box<Rule>) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind a loopback port");
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let injected = Arc::new(AtomicUsize::new(0));
        let rule: Arc<Rule> = Arc::from(rule);
        let (stop_flag, count) = (stop.clone(), injected.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if stop_flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                let (rule, count) = (rule.clone(), count.clone());
                std::thread::spawn(move || {
                    let _ = serve(client, upstream, &*rule, &count);
                });
            }
        });
        Self { port, stop, injected }
    }

    /// The endpoint URL to give the SDK.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// How many responses were injected so far.
    pub fn injected(&self) -> usize {
        self.injected.load(Ordering::SeqCst)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn serve(client: TcpStream, upstream: u16, rule: &Rule, injected: &AtomicUsize) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut client = client;
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let end = line == "\r\n";
        head.push(line);
        if end {
            break;
        }
    }
    let mut request_line = head[0].split_whitespace();
    let method = request_line.next().unwrap_or_default().to_owned();
    let path = request_line.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = head[1..]
        .iter()
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let header = |name: &str| headers.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone());
    let chunked = header("transfer-encoding").is_some_and(|value| value.eq_ignore_ascii_case("chunked"));
    let mut body = Vec::new();
    if chunked {
        loop {
            let mut size_line = String::new();
            reader.read_line(&mut size_line)?;
            let size = usize::from_str_radix(size_line.trim().split(';').next().unwrap_or("0"), 16).unwrap_or(0);
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk)?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    } else if let Some(length) = header("content-length").and_then(|value| value.parse::<usize>().ok()) {
        body = vec![0; length];
        reader.read_exact(&mut body)?;
    }
    let request = Request { method, path, headers, body };
    if let Some((status, content_type, payload)) = rule(&request) {
        injected.fetch_add(1, Ordering::SeqCst);
        write!(
            client,
            "HTTP/1.1 {status} Injected\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{payload}",
            payload.len()
        )?;
        return client.flush();
    }
    let mut upstream_stream = TcpStream::connect(("127.0.0.1", upstream))?;
    write!(upstream_stream, "{} {} HTTP/1.1\r\n", request.method, request.path)?;
    for (name, value) in &request.headers {
        if name == "connection" || name == "transfer-encoding" || name == "content-length" {
            continue;
        }
        write!(upstream_stream, "{name}: {value}\r\n")?;
    }
    write!(upstream_stream, "content-length: {}\r\nconnection: close\r\n\r\n", request.body.len())?;
    upstream_stream.write_all(&request.body)?;
    let mut response = Vec::new();
    upstream_stream.read_to_end(&mut response)?;
    client.write_all(&response)?;
    client.flush()
}
