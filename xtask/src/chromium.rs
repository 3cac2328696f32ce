//! Running a page in headless Chromium and reading back what it reports, for measurements that
//! only mean something in the browser (`cargo xtask bench`). A loopback HTTP server of our own
//! serves the given files; the page POSTs its result to `/result`, and the browser is closed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::cmd::TempDir;

/// How the benches start Chromium: headless, as root in a container (no sandbox), and without the
/// background work (updates, sync, first-run pages) that would compete with what is measured.
pub const HEADLESS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// A file the page may fetch, at `/{path}`.
pub struct File {
    pub path: String,
    pub bytes: Vec<u8>,
    pub mime: &'static str,
}

/// Opens `/index.html` (one of `files`) in headless Chromium and returns the body the page POSTs
/// to `/result`, or an error after `timeout`.
pub fn run_page(chromium: &Path, files: Vec<File>, timeout: Duration) -> Result<String, String> {
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|err| format!("cannot listen: {err}"))?;
    let port = listener
        .local_addr()
        .map_err(|err| format!("no local address: {err}"))?
        .port();
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            if let Ok(Some(result)) = serve(stream, &files) {
                let _ = sender.send(result);
            }
        }
    });
    let profile = TempDir::new("idcheck-bench-chromium")?;
    let mut browser = Command::new(chromium)
        .args(HEADLESS)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("http://127.0.0.1:{port}/index.html"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|err| format!("cannot start {}: {err}", chromium.display()))?;
    let result = receiver.recv_timeout(timeout);
    close(&mut browser);
    drop(profile);
    result.map_err(|_| format!("the page reported nothing within {} s", timeout.as_secs()))
}

/// Asks the browser to quit (so it removes its temporary files), and kills it after 5 s.
pub fn close(browser: &mut std::process::Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &browser.id().to_string()])
        .status();
    for _ in 0..50 {
        if let Ok(Some(_)) = browser.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = browser.kill();
    let _ = browser.wait();
}

/// Answers one request: a file, or the result (returned).
fn serve(stream: TcpStream, files: &[File]) -> std::io::Result<Option<String>> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let mut stream = stream;
    if method == "POST" && path == "/result" {
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        stream.write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")?;
        return Ok(Some(String::from_utf8_lossy(&body).into_owned()));
    }
    match files
        .iter()
        .find(|f| path.strip_prefix('/') == Some(f.path.as_str()))
    {
        Some(file) => {
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                file.mime,
                file.bytes.len()
            )?;
            stream.write_all(&file.bytes)?;
        }
        None => stream.write_all(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        )?,
    }
    Ok(None)
}
