//! A minimal, synchronous Chrome DevTools Protocol client, for the page-load figures of
//! `cargo xtask bench` (`bench_load`): WebDriver cannot slow the CPU or the network, nor read what
//! the page fetched, and the protocol can. One headless Chromium, one websocket to its browser
//! target; each tab is attached in flattened mode, so its commands and events travel on that same
//! socket, tagged with the tab's session.

use std::io::{BufRead, BufReader, ErrorKind};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};

use crate::chromium;
use crate::cmd::TempDir;

/// How long Chromium may take to start listening: a cold start on a busy 2-core machine takes
/// seconds, never this long.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a command may take to be answered (and to connect).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);
/// How long one read of the socket blocks, so that every wait can look at its deadline.
const READ_SLICE: Duration = Duration::from_millis(50);

/// A headless Chromium driven over the DevTools protocol; closed, and its profile removed, when
/// dropped.
pub struct Chromium {
    // Dropped in this order: the socket, then the browser, then its profile (which it writes to
    // until it is gone).
    socket: WebSocket<TcpStream>,
    _process: Process,
    _profile: TempDir,
    next_id: u64,
    /// Events that arrived while a command waited for its answer, oldest first.
    events: Vec<Value>,
}

/// A tab of its own browser context: its own storage, cookies and cache, so each load is a first
/// visit (the component keeps a visit in `sessionStorage` and would resume it).
pub struct Tab {
    context: String,
    /// The tab's session, which its commands and events carry.
    session: String,
}

/// The browser process, closed when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        chromium::close(&mut self.0);
    }
}

impl Chromium {
    /// Starts `binary` headless with a fresh profile and connects to it.
    pub fn start(binary: &Path) -> Result<Chromium, String> {
        let profile = TempDir::new("idcheck-cdp")?;
        let mut child = Command::new(binary)
            .args(chromium::HEADLESS)
            // A tab opened over the protocol may count as in the background; slowing its timers
            // would be measured as the component's time.
            .args([
                "--disable-background-timer-throttling",
                "--disable-backgrounding-occluded-windows",
                "--disable-renderer-backgrounding",
            ])
            // Any free port: Chromium announces the one it took on stderr.
            .arg("--remote-debugging-port=0")
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|err| format!("cannot start {}: {err}", binary.display()))?;
        let stderr = child.stderr.take().expect("stderr is piped");
        let process = Process(child);
        let (sender, receiver) = mpsc::channel();
        // Chromium logs to stderr as long as it runs: reading to the end (its exit) keeps it from
        // blocking on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(url) = devtools_url(&line) {
                    let _ = sender.send(url.to_string());
                }
            }
        });
        let url = receiver.recv_timeout(START_TIMEOUT).map_err(|_| {
            format!(
                "{} announced no DevTools address within {} s",
                binary.display(),
                START_TIMEOUT.as_secs()
            )
        })?;
        let socket = connect(&url)?;
        Ok(Chromium {
            socket,
            _process: process,
            _profile: profile,
            next_id: 0,
            events: Vec::new(),
        })
    }

    /// Sends a command (to a tab's session, or to the browser) and returns its result.
    pub fn call(
        &mut self,
        tab: Option<&Tab>,
        method: &str,
        params: Value,
    ) -> Result<Value, String> {
        self.next_id += 1;
        let id = self.next_id;
        let mut command = json!({"id": id, "method": method, "params": params});
        if let Some(tab) = tab {
            command["sessionId"] = tab.session.clone().into();
        }
        self.socket
            .send(Message::text(command.to_string()))
            .map_err(|err| format!("cannot send {method} to Chromium: {err}"))?;
        let deadline = Instant::now() + COMMAND_TIMEOUT;
        while let Some(mut message) = self.receive(deadline)? {
            if message["id"] == id {
                if let Some(error) = message.get("error") {
                    return Err(format!("{method}: {}", error["message"]));
                }
                return Ok(message["result"].take());
            }
            if message.get("method").is_some() {
                self.events.push(message);
            }
            // Otherwise the late answer to a command whose wait ended: nobody wants it.
        }
        Err(format!(
            "Chromium did not answer {method} within {} s",
            COMMAND_TIMEOUT.as_secs()
        ))
    }

    /// The next message from Chromium, or `None` once `deadline` has passed.
    fn receive(&mut self, deadline: Instant) -> Result<Option<Value>, String> {
        while Instant::now() < deadline {
            match self.socket.read() {
                Ok(Message::Text(text)) => {
                    return serde_json::from_str(&text)
                        .map(Some)
                        .map_err(|err| format!("Chromium sent something that is not JSON: {err}"));
                }
                // Pings are answered by tungstenite itself; the protocol sends nothing else.
                Ok(_) => {}
                Err(tungstenite::Error::Io(err))
                    if matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(err) => return Err(format!("the DevTools connection failed: {err}")),
            }
        }
        Ok(None)
    }

    /// Keeps the events that arrive during `duration` (a page left to run on its own).
    pub fn idle(&mut self, duration: Duration) -> Result<(), String> {
        let deadline = Instant::now() + duration;
        while let Some(message) = self.receive(deadline)? {
            if message.get("method").is_some() {
                self.events.push(message);
            }
        }
        Ok(())
    }

    /// The events of `tab` received so far, oldest first; the other tabs' are dropped.
    pub fn take_events(&mut self, tab: &Tab) -> Vec<Value> {
        std::mem::take(&mut self.events)
            .into_iter()
            .filter(|event| event["sessionId"] == tab.session.as_str())
            .collect()
    }

    /// Opens a blank tab in a browser context of its own.
    pub fn new_tab(&mut self) -> Result<Tab, String> {
        let context = self.call(None, "Target.createBrowserContext", json!({}))?;
        let context = string(&context, "browserContextId")?;
        let target = self.call(
            None,
            "Target.createTarget",
            json!({"url": "about:blank", "browserContextId": context}),
        )?;
        let target = string(&target, "targetId")?;
        let attached = self.call(
            None,
            "Target.attachToTarget",
            json!({"targetId": target, "flatten": true}),
        )?;
        let session = string(&attached, "sessionId")?;
        Ok(Tab { context, session })
    }

    /// Closes the tab with its browser context (and forgets its events).
    pub fn close_tab(&mut self, tab: Tab) -> Result<(), String> {
        self.call(
            None,
            "Target.disposeBrowserContext",
            json!({"browserContextId": tab.context}),
        )?;
        drop(self.take_events(&tab));
        Ok(())
    }

    /// Evaluates `expression` in the tab's page and returns its value (`null` for `undefined`).
    pub fn evaluate(&mut self, tab: &Tab, expression: &str) -> Result<Value, String> {
        let mut result = self.call(
            Some(tab),
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true}),
        )?;
        if let Some(exception) = result.get("exceptionDetails") {
            return Err(format!(
                "the page threw: {}",
                exception["exception"]["description"]
                    .as_str()
                    .or(exception["text"].as_str())
                    .unwrap_or("?")
            ));
        }
        Ok(result["result"]["value"].take())
    }
}

/// The browser's websocket address from the line Chromium prints once it listens.
fn devtools_url(line: &str) -> Option<&str> {
    line.trim()
        .strip_prefix("DevTools listening on ")
        .filter(|url| url.starts_with("ws://"))
}

/// Opens the websocket; reads are then cut into short slices so every wait keeps to its deadline.
fn connect(url: &str) -> Result<WebSocket<TcpStream>, String> {
    let authority = url
        .strip_prefix("ws://")
        .and_then(|rest| rest.split('/').next())
        .ok_or_else(|| format!("not a DevTools address: {url}"))?;
    let address = authority
        .to_socket_addrs()
        .ok()
        .and_then(|mut addresses| addresses.next())
        .ok_or_else(|| format!("cannot resolve {authority}"))?;
    let stream = TcpStream::connect_timeout(&address, COMMAND_TIMEOUT)
        .map_err(|err| format!("cannot reach Chromium at {url}: {err}"))?;
    let set_timeouts = |stream: &TcpStream, read| {
        stream
            .set_read_timeout(Some(read))
            .and_then(|()| stream.set_write_timeout(Some(COMMAND_TIMEOUT)))
            .map_err(|err| format!("cannot set the socket's timeouts: {err}"))
    };
    set_timeouts(&stream, COMMAND_TIMEOUT)?;
    let (socket, _) = tungstenite::client(url, stream)
        .map_err(|err| format!("the DevTools handshake with {url} failed: {err}"))?;
    set_timeouts(socket.get_ref(), READ_SLICE)?;
    Ok(socket)
}

fn string(result: &Value, key: &str) -> Result<String, String> {
    result[key]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("Chromium answered without {key}: {result}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_address_chromium_announces() {
        assert_eq!(
            devtools_url("DevTools listening on ws://127.0.0.1:38127/devtools/browser/0b6e-41\n"),
            Some("ws://127.0.0.1:38127/devtools/browser/0b6e-41")
        );
        assert_eq!(
            devtools_url("[0101/000000.1:ERROR:bus.cc(407)] Failed to connect to the bus"),
            None
        );
        assert_eq!(devtools_url("DevTools listening on http://x"), None);
    }
}
