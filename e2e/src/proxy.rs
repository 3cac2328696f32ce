//! A fault-injecting HTTP/1.1 proxy of the tests' own, between Chromium and the gateway: the page is
//! loaded through it, so every API call of the component passes it, and a test arms faults that
//! lose, delay or refuse chosen requests *between the browser and the gateway*, where the double's
//! own faults (between the gateway and Nexudus) cannot reach.
//!
//! Hand-written rather than built on hyper's server: a fault must be able to close a connection
//! after the request was carried out without writing a single byte, or hold it silent, and the
//! browser reuses connections, so the request loop (keep-alive included) has to be ours. The
//! forwarding itself goes through `reqwest`, already a dependency of the harness.
//!
//! Loopback only: it listens on 127.0.0.1 and forwards to a loopback upstream.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// The longest request head the proxy reads (Chromium's are a few hundred bytes).
const MAX_HEAD: usize = 64 * 1024;
/// The largest request body (the gateway itself takes images up to 10 MB).
const MAX_BODY: usize = 32 * 1024 * 1024;
/// An idle keep-alive connection is closed after this, like a server's keep-alive timeout.
const IDLE: Duration = Duration::from_secs(60);
/// A request must arrive whole within this once it started.
const READ_REQUEST: Duration = Duration::from_secs(60);
/// The gateway must answer within this (it waits out Nexudus' throttling itself).
const UPSTREAM: Duration = Duration::from_secs(120);
/// How long a `NoAnswer` connection is held at most when nobody releases it.
const HOLD: Duration = Duration::from_secs(300);
/// Requests served on one connection before it is closed.
const MAX_REQUESTS_PER_CONNECTION: u32 = 10_000;
/// Connections accepted over the proxy's life.
const MAX_CONNECTIONS: u32 = 100_000;

/// What an armed fault does to the request it catches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// Forwarded (the gateway carries it out), and the browser gets a 500 with a JSON body instead
    /// of the gateway's answer.
    Error500,
    /// Forwarded, then the browser's connection is closed without any answer byte.
    DropAfterCommit,
    /// Forwarded, then the connection is held open without an answer until the browser gives up,
    /// the test calls [`Proxy::reset`], or five minutes pass.
    NoAnswer,
    /// Not forwarded: 409 with `Retry-After: 1` and Nexudus' throttling body.
    Throttled,
}

/// A fault for the `nth` request (1 for the first) matching `method` and a path starting with
/// `path` (the query is ignored) counted from the moment it is armed. It fires once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    pub method: &'static str,
    pub path: &'static str,
    pub nth: u32,
    pub kind: FaultKind,
}

impl Fault {
    fn matches(&self, method: &str, path: &str) -> bool {
        self.method.eq_ignore_ascii_case(method) && path.starts_with(self.path)
    }
}

/// A fault that fired, and the request (`METHOD /path?query`) it caught.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fired {
    pub fault: Fault,
    pub request: String,
}

/// A slow network: every answer is held for a round trip plus its body's length at this rate, as
/// a phone on a poor connection would receive it (per connection: the browser's several
/// connections each get the rate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    pub round_trip: Duration,
    pub bytes_per_second: u32,
}

impl Pace {
    fn delay(&self, body: usize) -> Duration {
        self.round_trip
            + Duration::from_secs_f64(body as f64 / f64::from(self.bytes_per_second.max(1)))
    }
}

#[derive(Default)]
struct State {
    /// The network's pace, when it is slowed.
    pace: Option<Pace>,
    /// Armed faults and how many matching requests each has seen.
    armed: Vec<(Fault, u32)>,
    /// Requests per `METHOD /path`, since the proxy started.
    counts: BTreeMap<String, u64>,
    fired: Vec<Fired>,
}

struct Shared {
    upstream: String,
    http: reqwest::Client,
    state: Mutex<State>,
    /// Bumped to let every held (`NoAnswer`) connection go.
    release: watch::Sender<u64>,
}

/// The running proxy; it stops, and lets every connection go, when dropped.
pub struct Proxy {
    /// `http://127.0.0.1:PORT`, to load pages from instead of the gateway's address.
    pub url: String,
    shared: Arc<Shared>,
    accept: tokio::task::JoinHandle<()>,
}

impl Proxy {
    /// Starts a proxy in front of `upstream` (`http://127.0.0.1:PORT`, no trailing slash).
    pub async fn start(upstream: &str) -> Proxy {
        let upstream = upstream.trim_end_matches('/').to_string();
        assert!(
            upstream.starts_with("http://127.0.0.1:") || upstream.starts_with("http://localhost:"),
            "the proxy forwards to loopback only, not to {upstream}"
        );
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("the proxy binds a loopback port");
        let url = format!(
            "http://{}",
            listener.local_addr().expect("the proxy's address")
        );
        let http = reqwest::Client::builder()
            .no_proxy()
            // The browser must see redirects as the gateway sent them.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(UPSTREAM)
            .build()
            .expect("an HTTP client");
        let shared = Arc::new(Shared {
            upstream,
            http,
            state: Mutex::new(State::default()),
            release: watch::channel(0).0,
        });
        let accepting = Arc::clone(&shared);
        let accept = tokio::spawn(async move {
            // Owned here so that aborting this task (when the proxy drops) ends every connection.
            let mut connections = tokio::task::JoinSet::new();
            for _ in 0..MAX_CONNECTIONS {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                connections.spawn(serve(stream, Arc::clone(&accepting)));
                // Reap finished connections so the set does not grow over a long run.
                while connections.try_join_next().is_some() {}
            }
        });
        Proxy {
            url,
            shared,
            accept,
        }
    }

    /// Arms `fault`; it fires once, on its `nth` matching request from now.
    pub fn arm(&self, fault: Fault) {
        assert!(fault.nth >= 1, "nth counts from 1: {fault:?}");
        self.state().armed.push((fault, 0));
    }

    /// Slows every answer from now on (see [`Pace`]).
    pub fn pace(&self, pace: Pace) {
        self.state().pace = Some(pace);
    }

    /// How many requests `route` (`METHOD /path`, no query) has had since the proxy started.
    pub fn count(&self, route: &str) -> u64 {
        self.state().counts.get(route).copied().unwrap_or(0)
    }

    /// Every request count, by `METHOD /path`.
    pub fn counts(&self) -> BTreeMap<String, u64> {
        self.state().counts.clone()
    }

    /// The faults that fired since the proxy started or was last reset, in order.
    pub fn fired(&self) -> Vec<Fired> {
        self.state().fired.clone()
    }

    /// The faults still armed (not yet fired).
    pub fn armed(&self) -> Vec<Fault> {
        self.state().armed.iter().map(|(fault, _)| *fault).collect()
    }

    /// Disarms every fault, forgets which fired, and lets every held connection go: the start of
    /// a new case.
    pub fn reset(&self) {
        {
            let mut state = self.state();
            state.armed.clear();
            state.fired.clear();
        }
        self.shared
            .release
            .send_modify(|generation| *generation += 1);
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared
            .release
            .send_modify(|generation| *generation += 1);
        self.accept.abort();
    }
}

/// One request as read from the browser.
struct Request {
    method: String,
    /// The request target as sent (`/path?query`).
    target: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
    /// The browser asked for the connection to end after this answer (or spoke HTTP/1.0).
    close: bool,
}

impl Request {
    fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_slice())
    }
}

/// An answer to write to the browser.
struct Answer {
    status: u16,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
    /// Whether the body is written (not for `HEAD`, 1xx, 204, 304), though its length is told.
    has_body: bool,
}

impl Answer {
    fn json(status: u16, body: serde_json::Value, extra: &[(&str, &str)]) -> Answer {
        let mut headers = vec![("content-type".to_string(), b"application/json".to_vec())];
        headers.extend(
            extra
                .iter()
                .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec())),
        );
        Answer {
            status,
            headers,
            body: body.to_string().into_bytes(),
            has_body: true,
        }
    }
}

/// Headers that belong to one connection, never forwarded either way.
fn hop_by_hop(name: &str) -> bool {
    [
        "connection",
        "keep-alive",
        "proxy-connection",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
    ]
    .iter()
    .any(|hop| hop.eq_ignore_ascii_case(name))
}

/// Serves one browser connection: requests one after another while it is kept alive.
async fn serve(mut stream: TcpStream, shared: Arc<Shared>) {
    let mut buffer = Vec::new();
    for _ in 0..MAX_REQUESTS_PER_CONNECTION {
        // Waiting for the first byte of the next request is the keep-alive idle time.
        if buffer.is_empty() {
            match tokio::time::timeout(IDLE, read_more(&mut stream, &mut buffer)).await {
                Ok(Ok(true)) => {}
                _ => return,
            }
        }
        let request = match tokio::time::timeout(
            READ_REQUEST,
            read_request(&mut stream, &mut buffer),
        )
        .await
        {
            Ok(Ok(request)) => request,
            Ok(Err(status)) => {
                let answer =
                    Answer::json(status, serde_json::json!({"Message": "bad request"}), &[]);
                let _ = write_answer(&mut stream, &answer, true).await;
                return;
            }
            Err(_) => return,
        };
        let fault = shared.take_fault(&request);
        let close = request.close;
        let answer = match fault.map(|fault| fault.kind) {
            None => shared.forward(&request).await,
            Some(FaultKind::Throttled) => Answer::json(
                409,
                serde_json::json!({
                    "Status": 409,
                    "Message": "You must wait before accessing this url again.",
                    "Value": null,
                    "Errors": null,
                    "WasSuccessful": false,
                }),
                &[("retry-after", "1")],
            ),
            Some(FaultKind::Error500) => {
                // Carried out by the gateway; only the answer is replaced.
                let _ = shared.forward(&request).await;
                Answer::json(
                    500,
                    serde_json::json!({
                        "Status": 500,
                        "Message": "An error was injected by the end-to-end proxy.",
                        "Value": null,
                        "Errors": null,
                        "WasSuccessful": false,
                    }),
                    &[],
                )
            }
            Some(FaultKind::DropAfterCommit) => {
                let _ = shared.forward(&request).await;
                // Dropping the stream closes the connection before any answer byte.
                return;
            }
            Some(FaultKind::NoAnswer) => {
                let _ = shared.forward(&request).await;
                hold(stream, shared.release.subscribe()).await;
                return;
            }
        };
        let pace = shared
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pace;
        if let Some(pace) = pace {
            tokio::time::sleep(pace.delay(answer.body.len())).await;
        }
        if write_answer(&mut stream, &answer, close).await.is_err() || close {
            return;
        }
    }
}

/// Keeps a connection open and silent until the browser closes it, the test releases it, or
/// [`HOLD`] passes.
async fn hold(mut stream: TcpStream, mut release: watch::Receiver<u64>) {
    let deadline = tokio::time::sleep(HOLD);
    tokio::pin!(deadline);
    let mut scratch = [0u8; 4096];
    // Bounded by the deadline; each turn either ends the hold or reads bytes the browser sent.
    for _ in 0..10_000 {
        tokio::select! {
            read = stream.read(&mut scratch) => match read {
                Ok(0) | Err(_) => return,
                // A browser does not pipeline; whatever it sends on a silent connection is ignored.
                Ok(_) => {}
            },
            _ = release.changed() => return,
            _ = &mut deadline => return,
        }
    }
}

impl Shared {
    /// Counts the request and takes the armed fault whose turn it is, if any.
    fn take_fault(&self, request: &Request) -> Option<Fault> {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let path = request.path();
        *state
            .counts
            .entry(format!("{} {path}", request.method))
            .or_default() += 1;
        let mut chosen = None;
        for (index, (fault, seen)) in state.armed.iter_mut().enumerate() {
            if fault.matches(&request.method, path) {
                *seen += 1;
                if *seen == fault.nth && chosen.is_none() {
                    chosen = Some(index);
                }
            }
        }
        let (fault, _) = state.armed.remove(chosen?);
        state.fired.push(Fired {
            fault,
            request: format!("{} {}", request.method, request.target),
        });
        Some(fault)
    }

    /// Sends the request to the gateway and reads its whole answer; a 502 when it cannot.
    async fn forward(&self, request: &Request) -> Answer {
        let Ok(method) = reqwest::Method::from_bytes(request.method.as_bytes()) else {
            return Answer::json(501, serde_json::json!({"Message": "unknown method"}), &[]);
        };
        let mut upstream = self.http.request(
            method.clone(),
            format!("{}{}", self.upstream, request.target),
        );
        for (name, value) in &request.headers {
            if !hop_by_hop(name) {
                // `Host` passes as the browser sent it: the gateway sees the origin the page has.
                upstream = upstream.header(name.as_str(), value.as_slice());
            }
        }
        if !request.body.is_empty() || request.header("content-length").is_some() {
            upstream = upstream.body(request.body.clone());
        }
        let response = match upstream.send().await {
            Ok(response) => response,
            Err(err) => {
                return Answer::json(
                    502,
                    serde_json::json!({"Message": format!("the proxy could not reach the gateway: {err}")}),
                    &[],
                );
            }
        };
        let status = response.status().as_u16();
        let has_body = method != reqwest::Method::HEAD
            && !(100..200).contains(&status)
            && status != 204
            && status != 304;
        let mut headers: Vec<(String, Vec<u8>)> = response
            .headers()
            .iter()
            .filter(|(name, _)| !hop_by_hop(name.as_str()))
            .map(|(name, value)| (name.to_string(), value.as_bytes().to_vec()))
            .collect();
        if !has_body && let Some(length) = response.headers().get("content-length") {
            // A HEAD answer tells the length of the body it does not carry.
            headers.push(("content-length".into(), length.as_bytes().to_vec()));
        }
        match response.bytes().await {
            Ok(body) => Answer {
                status,
                headers,
                body: body.to_vec(),
                has_body,
            },
            Err(err) => Answer::json(
                502,
                serde_json::json!({"Message": format!("the gateway's answer broke off: {err}")}),
                &[],
            ),
        }
    }
}

/// Reads what the socket has into `buffer`; `false` once the peer closed it.
async fn read_more(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> std::io::Result<bool> {
    let mut chunk = [0u8; 16 * 1024];
    let read = stream.read(&mut chunk).await?;
    buffer.extend_from_slice(&chunk[..read]);
    Ok(read > 0)
}

/// Reads at least `wanted` bytes into `buffer` (some may already be there).
async fn fill(stream: &mut TcpStream, buffer: &mut Vec<u8>, wanted: usize) -> Result<(), u16> {
    // Each turn reads at least one byte, so `wanted` turns are enough.
    for _ in 0..=wanted {
        if buffer.len() >= wanted {
            return Ok(());
        }
        if !read_more(stream, buffer).await.map_err(|_| 400u16)? {
            return Err(400);
        }
    }
    Err(400)
}

/// Reads one request (head and body) from the front of `buffer`, reading more from the socket as
/// needed, and leaves whatever follows it in `buffer`. On a malformed request, the status to
/// answer before closing.
async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Result<Request, u16> {
    let mut head_len = None;
    for _ in 0..=MAX_HEAD {
        if let Some(end) = find(buffer, b"\r\n\r\n") {
            head_len = Some(end + 4);
            break;
        }
        if buffer.len() > MAX_HEAD {
            return Err(431);
        }
        if !read_more(stream, buffer).await.map_err(|_| 400u16)? {
            return Err(400);
        }
    }
    let head_len = head_len.ok_or(431u16)?;
    let mut headers = [httparse::EMPTY_HEADER; 100];
    let mut parsed = httparse::Request::new(&mut headers);
    match parsed.parse(&buffer[..head_len]) {
        Ok(httparse::Status::Complete(_)) => {}
        _ => return Err(400),
    }
    let method = parsed.method.ok_or(400u16)?.to_string();
    let target = parsed.path.ok_or(400u16)?.to_string();
    let http10 = parsed.version == Some(0);
    let headers: Vec<(String, Vec<u8>)> = parsed
        .headers
        .iter()
        .map(|header| (header.name.to_string(), header.value.to_vec()))
        .collect();
    buffer.drain(..head_len);

    let mut request = Request {
        method,
        target,
        headers,
        body: Vec::new(),
        close: false,
    };
    let connection = request
        .header("connection")
        .map(|value| String::from_utf8_lossy(value).to_ascii_lowercase())
        .unwrap_or_default();
    request.close = connection.contains("close") || (http10 && !connection.contains("keep-alive"));
    let chunked = request.header("transfer-encoding").is_some_and(|value| {
        String::from_utf8_lossy(value)
            .to_ascii_lowercase()
            .contains("chunked")
    });
    if chunked {
        request.body = read_chunked(stream, buffer).await?;
    } else if let Some(length) = request.header("content-length") {
        let length: usize = std::str::from_utf8(length)
            .ok()
            .and_then(|text| text.trim().parse().ok())
            .ok_or(400u16)?;
        if length > MAX_BODY {
            return Err(413);
        }
        fill(stream, buffer, length).await?;
        request.body = buffer.drain(..length).collect();
    }
    Ok(request)
}

/// Decodes a chunked body from the front of `buffer` (trailers are read and dropped).
async fn read_chunked(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Result<Vec<u8>, u16> {
    let mut body = Vec::new();
    // Every chunk but the last carries at least one byte, so the body's cap bounds the turns.
    for _ in 0..=MAX_BODY {
        let line = read_line(stream, buffer).await?;
        let size_text = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16).map_err(|_| 400u16)?;
        if size == 0 {
            // Trailers, up to the empty line.
            for _ in 0..100 {
                if read_line(stream, buffer).await?.is_empty() {
                    return Ok(body);
                }
            }
            return Err(431);
        }
        if body.len() + size > MAX_BODY {
            return Err(413);
        }
        fill(stream, buffer, size + 2).await?;
        body.extend(buffer.drain(..size));
        if buffer.drain(..2).as_slice() != b"\r\n" {
            return Err(400);
        }
    }
    Err(413)
}

/// One CRLF-terminated line from the front of `buffer`, without its CRLF.
async fn read_line(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Result<String, u16> {
    for _ in 0..=MAX_HEAD {
        if let Some(end) = find(buffer, b"\r\n") {
            let line = String::from_utf8_lossy(&buffer[..end]).into_owned();
            buffer.drain(..end + 2);
            return Ok(line);
        }
        if buffer.len() > MAX_HEAD {
            return Err(431);
        }
        if !read_more(stream, buffer).await.map_err(|_| 400u16)? {
            return Err(400);
        }
    }
    Err(431)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

async fn write_answer(stream: &mut TcpStream, answer: &Answer, close: bool) -> std::io::Result<()> {
    let reason = reqwest::StatusCode::from_u16(answer.status)
        .ok()
        .and_then(|status| status.canonical_reason())
        .unwrap_or("");
    let mut out = format!("HTTP/1.1 {} {reason}\r\n", answer.status).into_bytes();
    for (name, value) in &answer.headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    if answer.has_body {
        out.extend_from_slice(format!("content-length: {}\r\n", answer.body.len()).as_bytes());
    }
    if close {
        out.extend_from_slice(b"connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
    if answer.has_body {
        out.extend_from_slice(&answer.body);
    }
    stream.write_all(&out).await?;
    stream.flush().await
}

#[cfg(test)]
mod tests {
    //! Each fault kind against a tiny upstream that counts what it carried out, through raw
    //! sockets so that a missing answer, a closed connection and a reused one can be told apart.

    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// A keep-alive upstream answering every request `{"committed": N}` (N counts requests it
    /// carried out) with the request's method and path echoed in headers.
    async fn upstream() -> (String, Arc<AtomicU64>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let committed = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&committed);
        tokio::spawn(async move {
            for _ in 0..1000 {
                let Ok((mut stream, _)) = listener.accept().await else {
                    return;
                };
                let counter = Arc::clone(&counter);
                tokio::spawn(async move {
                    let mut buffer = Vec::new();
                    for _ in 0..1000 {
                        let Ok(request) = read_request(&mut stream, &mut buffer).await else {
                            return;
                        };
                        let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
                        let body = format!(
                            "{{\"committed\":{n},\"body\":{}}}",
                            serde_json::Value::from(String::from_utf8_lossy(&request.body))
                        );
                        let answer = format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nx-seen: {} {}\r\n\r\n{:x}\r\n{body}\r\n0\r\n\r\n",
                            request.method,
                            request.target,
                            body.len()
                        );
                        if stream.write_all(answer.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        (url, committed)
    }

    /// A parsed answer: status, headers (lowercase names), body.
    struct Got {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    }

    impl Got {
        fn header(&self, name: &str) -> Option<&str> {
            self.headers
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        }
    }

    async fn send(stream: &mut TcpStream, method: &str, target: &str, body: &str) {
        let request = format!(
            "{method} {target} HTTP/1.1\r\nhost: example.test\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await.unwrap();
    }

    /// Reads one answer (content-length framed, as the proxy writes them); `None` when the
    /// connection closes first, after checking that no byte came.
    async fn receive(stream: &mut TcpStream) -> Option<Got> {
        let mut buffer = Vec::new();
        let head_end = loop {
            if let Some(end) = find(&buffer, b"\r\n\r\n") {
                break end + 4;
            }
            let mut chunk = [0u8; 4096];
            let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk))
                .await
                .expect("an answer or a close within 10 s")
                .unwrap_or(0);
            if read == 0 {
                assert!(buffer.is_empty(), "a partial answer: {buffer:?}");
                return None;
            }
            buffer.extend_from_slice(&chunk[..read]);
        };
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut parsed = httparse::Response::new(&mut headers);
        parsed.parse(&buffer[..head_end]).unwrap();
        let status = parsed.code.unwrap();
        let headers: Vec<(String, String)> = parsed
            .headers
            .iter()
            .map(|h| {
                (
                    h.name.to_ascii_lowercase(),
                    String::from_utf8_lossy(h.value).into_owned(),
                )
            })
            .collect();
        let length: usize = headers
            .iter()
            .find(|(name, _)| name == "content-length")
            .map(|(_, value)| value.parse().unwrap())
            .unwrap_or(0);
        buffer.drain(..head_end);
        for _ in 0..10_000 {
            if buffer.len() >= length {
                break;
            }
            let mut chunk = [0u8; 4096];
            let read = stream.read(&mut chunk).await.unwrap();
            assert!(read > 0, "the body broke off");
            buffer.extend_from_slice(&chunk[..read]);
        }
        Some(Got {
            status,
            headers,
            body: String::from_utf8_lossy(&buffer[..length]).into_owned(),
        })
    }

    async fn connect(proxy: &Proxy) -> TcpStream {
        TcpStream::connect(proxy.url.trim_start_matches("http://"))
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn forwards_on_a_kept_alive_connection_and_counts_by_method_and_path() {
        let (upstream, committed) = upstream().await;
        let proxy = Proxy::start(&upstream).await;
        let mut stream = connect(&proxy).await;
        for n in 1..=3u64 {
            send(&mut stream, "POST", &format!("/api/things?n={n}"), "hello").await;
            let got = receive(&mut stream).await.expect("an answer");
            assert_eq!(got.status, 200);
            assert_eq!(
                got.header("x-seen"),
                Some(&*format!("POST /api/things?n={n}"))
            );
            assert_eq!(
                got.body,
                format!("{{\"committed\":{n},\"body\":\"hello\"}}")
            );
        }
        assert_eq!(committed.load(Ordering::SeqCst), 3);
        assert_eq!(proxy.count("POST /api/things"), 3);
        assert_eq!(proxy.count("GET /api/things"), 0);
    }

    #[tokio::test]
    async fn a_chunked_request_body_is_forwarded_whole() {
        let (upstream, _) = upstream().await;
        let proxy = Proxy::start(&upstream).await;
        let mut stream = connect(&proxy).await;
        stream
            .write_all(b"POST /x HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n")
            .await
            .unwrap();
        let got = receive(&mut stream).await.expect("an answer");
        assert_eq!(got.body, "{\"committed\":1,\"body\":\"abcde\"}");
    }

    #[tokio::test]
    async fn error500_commits_then_answers_500_and_keeps_the_connection() {
        let (upstream, committed) = upstream().await;
        let proxy = Proxy::start(&upstream).await;
        proxy.arm(Fault {
            method: "POST",
            path: "/api/uploads",
            nth: 1,
            kind: FaultKind::Error500,
        });
        let mut stream = connect(&proxy).await;
        send(&mut stream, "POST", "/api/uploads?x=1", "image").await;
        let got = receive(&mut stream).await.expect("an answer");
        assert_eq!(got.status, 500);
        let body: serde_json::Value = serde_json::from_str(&got.body).unwrap();
        assert_eq!(body["WasSuccessful"], false);
        assert_eq!(
            committed.load(Ordering::SeqCst),
            1,
            "the gateway carried it out"
        );
        // Fired once: the next one passes, on the same connection.
        send(&mut stream, "POST", "/api/uploads", "image").await;
        assert_eq!(receive(&mut stream).await.expect("an answer").status, 200);
        assert_eq!(proxy.fired().len(), 1);
        assert_eq!(proxy.fired()[0].request, "POST /api/uploads?x=1");
        assert!(proxy.armed().is_empty());
    }

    #[tokio::test]
    async fn drop_after_commit_closes_without_a_byte() {
        let (upstream, committed) = upstream().await;
        let proxy = Proxy::start(&upstream).await;
        proxy.arm(Fault {
            method: "POST",
            path: "/api/spaces/coworkeridentitychecks",
            nth: 1,
            kind: FaultKind::DropAfterCommit,
        });
        let mut stream = connect(&proxy).await;
        send(
            &mut stream,
            "POST",
            "/api/spaces/coworkeridentitychecks",
            "{}",
        )
        .await;
        assert!(receive(&mut stream).await.is_none(), "closed, no answer");
        assert_eq!(committed.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn no_answer_commits_and_holds_until_released() {
        let (upstream, committed) = upstream().await;
        let proxy = Proxy::start(&upstream).await;
        proxy.arm(Fault {
            method: "POST",
            path: "/api/spaces/coworkeridentitycheckdocuments",
            nth: 1,
            kind: FaultKind::NoAnswer,
        });
        let mut stream = connect(&proxy).await;
        send(
            &mut stream,
            "POST",
            "/api/spaces/coworkeridentitycheckdocuments",
            "{}",
        )
        .await;
        let mut byte = [0u8; 1];
        let silent = tokio::time::timeout(Duration::from_millis(700), stream.read(&mut byte)).await;
        assert!(silent.is_err(), "no answer while held: {silent:?}");
        assert_eq!(
            committed.load(Ordering::SeqCst),
            1,
            "carried out all the same"
        );
        proxy.reset();
        assert!(
            receive(&mut stream).await.is_none(),
            "released: closed, no answer"
        );
    }

    #[tokio::test]
    async fn throttled_is_not_forwarded_and_says_when_to_come_back() {
        let (upstream, committed) = upstream().await;
        let proxy = Proxy::start(&upstream).await;
        proxy.arm(Fault {
            method: "GET",
            path: "/api/spaces/coworkeridentitychecks",
            nth: 1,
            kind: FaultKind::Throttled,
        });
        let mut stream = connect(&proxy).await;
        send(
            &mut stream,
            "GET",
            "/api/spaces/coworkeridentitychecks?a=b",
            "",
        )
        .await;
        let got = receive(&mut stream).await.expect("an answer");
        assert_eq!(got.status, 409);
        assert_eq!(got.header("retry-after"), Some("1"));
        let body: serde_json::Value = serde_json::from_str(&got.body).unwrap();
        assert_eq!(body["WasSuccessful"], false);
        assert_eq!(
            committed.load(Ordering::SeqCst),
            0,
            "nothing was carried out"
        );
        send(
            &mut stream,
            "GET",
            "/api/spaces/coworkeridentitychecks?a=b",
            "",
        )
        .await;
        assert_eq!(receive(&mut stream).await.expect("an answer").status, 200);
    }

    #[tokio::test]
    async fn the_nth_matching_request_is_caught_by_method_and_path_prefix() {
        let (upstream, _) = upstream().await;
        let proxy = Proxy::start(&upstream).await;
        proxy.arm(Fault {
            method: "POST",
            path: "/api/uploads",
            nth: 2,
            kind: FaultKind::Throttled,
        });
        let mut stream = connect(&proxy).await;
        let mut statuses = Vec::new();
        for (method, target) in [
            ("GET", "/api/uploads/a"),
            ("POST", "/api/other"),
            ("POST", "/api/uploads"),
            ("POST", "/api/uploads/b?c=d"),
            ("POST", "/api/uploads"),
        ] {
            send(&mut stream, method, target, "x").await;
            statuses.push(receive(&mut stream).await.expect("an answer").status);
        }
        assert_eq!(statuses, [200, 200, 200, 409, 200]);
        assert_eq!(proxy.count("POST /api/uploads"), 2);
        assert_eq!(proxy.count("POST /api/uploads/b"), 1);
    }

    #[tokio::test]
    async fn a_connection_close_request_gets_its_answer_then_the_close() {
        let (upstream, _) = upstream().await;
        let proxy = Proxy::start(&upstream).await;
        let mut stream = connect(&proxy).await;
        stream
            .write_all(b"GET /a HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n")
            .await
            .unwrap();
        let got = receive(&mut stream).await.expect("an answer");
        assert_eq!(got.status, 200);
        assert_eq!(got.header("connection"), Some("close"));
        assert!(receive(&mut stream).await.is_none());
    }
}
