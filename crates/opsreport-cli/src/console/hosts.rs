//! The names the console answers to. A request whose `Host` is not one of them is refused, and
//! so is a form posted from a page of another origin: a page of any other site that a browser
//! tab has open cannot reach the console through a name it controls (DNS rebinding) nor post to
//! it. Behind the load balancer the names are `[console] public_hosts`; with `--dev-user` they
//! are the loopback names of the port the console listens on.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::pages::Shared;

/// The names a request may use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hosts {
    /// Lower case; a name without a port stands for that name on any port.
    names: Vec<String>,
}

impl Hosts {
    /// The configured public names.
    pub fn public(names: &[String]) -> Self {
        Self { names: names.iter().map(|name| name.trim().to_ascii_lowercase()).collect() }
    }

    /// `127.0.0.1:PORT`, `localhost:PORT` and `[::1]:PORT` only.
    pub fn loopback(port: u16) -> Self {
        Self { names: ["127.0.0.1", "localhost", "[::1]"].iter().map(|name| format!("{name}:{port}")).collect() }
    }

    /// Whether `authority` (`name` or `name:port`, as in `Host`) is one of the names.
    pub fn allows(&self, authority: &str) -> bool {
        let authority = authority.trim().to_ascii_lowercase();
        let Some((name, _)) = split_port(&authority) else { return false };
        self.names
            .iter()
            .any(|allowed| *allowed == authority || (split_port(allowed) == Some((allowed, None)) && allowed == name))
    }

    /// Whether an `Origin` header value is `http(s)://` one of the names.
    pub fn allows_origin(&self, origin: &str) -> bool {
        let authority = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://"));
        authority.is_some_and(|authority| !authority.contains('/') && self.allows(authority))
    }
}

/// A host and its port (`[::1]:8080` → `[::1]`, 8080); `None` when it is not one.
fn split_port(authority: &str) -> Option<(&str, Option<u16>)> {
    let (name, port) = match authority.rfind(':') {
        Some(colon) if !authority[colon..].contains(']') => (&authority[..colon], Some(&authority[colon + 1..])),
        _ => (authority, None),
    };
    let plain = |byte: u8| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'[' | b']' | b':');
    if name.is_empty() || !name.bytes().all(plain) {
        return None;
    }
    match port {
        None => Some((name, None)),
        Some(port) => port.parse().ok().map(|port| (name, Some(port))),
    }
}

/// The middleware: the health check answers any name (the load balancer asks by the task's
/// address); every other request needs an allowed `Host`, and a request that changes something
/// an allowed `Origin` when the browser sends one (and not a cross-site `Sec-Fetch-Site`).
pub async fn check(State(console): Shared, request: Request, next: Next) -> Response {
    if request.uri().path() == "/health" {
        return next.run(request).await;
    }
    let hosts = &console.hosts;
    let host = request.headers().get(header::HOST).and_then(|value| value.to_str().ok());
    if !host.is_some_and(|host| hosts.allows(host)) {
        tracing::warn!("console: refused a request for host {:?}", host.unwrap_or(""));
        return refused("This address is not the console's.");
    }
    let changes = !matches!(*request.method(), Method::GET | Method::HEAD);
    if changes && !same_origin(hosts, request.headers()) {
        tracing::warn!("console: refused a form posted from another site");
        return refused("Forms are taken from the console's own pages only.");
    }
    next.run(request).await
}

/// Whether a state-changing request comes from the console's own pages, as far as the browser
/// says: it is not marked cross-site or same-site (`Sec-Fetch-Site`, which no page can set), and
/// its `Origin` is one of the names — or `null` from a page the browser says is of this origin
/// (a browser that withholds the origin for privacy).
fn same_origin(hosts: &Hosts, headers: &HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).map(|value| value.to_str().unwrap_or("\u{0}"));
    let fetch_site = text("sec-fetch-site");
    if matches!(fetch_site, Some("cross-site" | "same-site")) {
        return false;
    }
    match text("origin") {
        None => true,
        Some("null") => fetch_site == Some("same-origin"),
        Some(origin) => hosts.allows_origin(origin),
    }
}

fn refused(text: &'static str) -> Response {
    (StatusCode::MISDIRECTED_REQUEST, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_named_hosts_and_their_origins_are_taken() {
        let dev = Hosts::loopback(8080);
        for good in ["127.0.0.1:8080", "localhost:8080", "LOCALHOST:8080", "[::1]:8080"] {
            assert!(dev.allows(good), "{good}");
        }
        for bad in ["127.0.0.1", "127.0.0.1:8081", "evil.example:8080", "localhost.evil.example:8080", "", "[::1]"] {
            assert!(!dev.allows(bad), "{bad}");
        }
        assert!(dev.allows_origin("http://127.0.0.1:8080"));
        assert!(!dev.allows_origin("http://evil.example:8080") && !dev.allows_origin("null"));
        assert!(!dev.allows_origin("http://127.0.0.1:8080/x") && !dev.allows_origin("file://127.0.0.1:8080"));
        let public = Hosts::public(&["reports.example.com".into(), "other.example.com:8443".into()]);
        assert!(public.allows("reports.example.com") && public.allows("Reports.Example.com:443"));
        assert!(public.allows("other.example.com:8443") && !public.allows("other.example.com"));
        assert!(!public.allows("reports.example.com.evil.example") && !public.allows("10.0.1.5:8080"));
        assert!(public.allows_origin("https://reports.example.com") && !public.allows_origin("https://evil.example"));
        assert!(!Hosts::public(&[]).allows("reports.example.com"));
    }

    #[test]
    fn a_cross_site_post_is_refused_even_without_an_origin() {
        let hosts = Hosts::loopback(8080);
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut map = HeaderMap::new();
            for (name, value) in pairs {
                map.insert(*name, value.parse().unwrap());
            }
            map
        };
        assert!(same_origin(&hosts, &headers(&[])));
        assert!(same_origin(&hosts, &headers(&[("origin", "http://localhost:8080"), ("sec-fetch-site", "same-origin")])));
        assert!(!same_origin(&hosts, &headers(&[("origin", "null")])));
        assert!(same_origin(&hosts, &headers(&[("origin", "null"), ("sec-fetch-site", "same-origin")])));
        assert!(!same_origin(&hosts, &headers(&[("sec-fetch-site", "cross-site")])));
        assert!(!same_origin(&hosts, &headers(&[("origin", "http://attacker.example")])));
    }
}
