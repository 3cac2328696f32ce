//! One test per attack of issue 11 ("Hardening") on the server, each against the real binary
//! (or, for the address policy, the rate limiter and the extractors, the library's functions).
//! Each comment says how the code before this change failed the test.
//!
//! Network: every live test talks to loopback only. The canary and file servers listen on
//! `127.0.0.1` (and `::1` when the machine has it); the other ranges are judged by the address
//! policy without connecting, so no test sends a packet to an address that is not loopback.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{StatusCode, header};
use common::*;
use idcheck_core::model::NewCoworkerIdentityCheck;
use idcheck_server::error::ApiError;
use idcheck_server::extract::{JsonBody, QueryParams};
use idcheck_server::fetch::{AddressPolicy, check_url};
use idcheck_server::ratelimit::{MAX_CLIENTS, RateLimiter, RateLimits};
use proptest::prelude::*;
use reqwest::Method;
use serde_json::{Value, json};

/// What every remote URL that gave no file is answered with.
const NOT_FETCHED: &str = "could not be fetched";

// ---------------------------------------------------------------------------------------------
// Helpers

/// A loopback listener that answers any request with a JPEG and counts the connections it got.
struct Canary {
    address: SocketAddr,
    connections: Arc<AtomicUsize>,
}

impl Canary {
    fn start(bind: &str) -> Option<Canary> {
        let listener = TcpListener::bind(bind).ok()?;
        let address = listener.local_addr().ok()?;
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = connections.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                counter.fetch_add(1, Ordering::SeqCst);
                answer_with(stream, &jpeg(2048), "200 OK", "");
            }
        });
        Some(Canary {
            address,
            connections,
        })
    }

    fn count(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// Reads a request head from `stream` and answers with `status`, `extra` headers and `body`.
fn answer_with(mut stream: TcpStream, body: &[u8], status: &str, extra: &str) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
        if line == "\r\n" {
            break;
        }
        line.clear();
    }
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

/// A loopback server that answers every request with a redirect to `location`.
fn redirector(location: String) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            answer_with(
                stream,
                b"",
                "302 Found",
                &format!("Location: {location}\r\n"),
            );
        }
    });
    address
}

/// The `host:port` of a server URL `http://host:port`.
fn authority(url: &str) -> String {
    url.trim_start_matches("http://").to_string()
}

/// Sends `head` (and `body`) on a raw connection and reads what comes back within `wait`.
fn raw_exchange(authority: &str, head: &str, body: &[u8], wait: Duration) -> (String, Duration) {
    let started = Instant::now();
    let mut stream = TcpStream::connect(authority).unwrap();
    stream.set_read_timeout(Some(wait)).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                received.extend_from_slice(&buffer[..n]);
                if let Some(text) = std::str::from_utf8(&received).ok()
                    && text.contains("\r\n\r\n")
                    && text.contains("WasSuccessful")
                {
                    break;
                }
            }
        }
    }
    (
        String::from_utf8_lossy(&received).into_owned(),
        started.elapsed(),
    )
}

/// A document body for `check` with `urls`.
fn document_with(check: i64, urls: Value) -> Value {
    with(
        json!({"CoworkerId": 1, "CoworkerIdentityCheckId": check, "Name": "Passport"}),
        urls,
    )
}

/// A fresh folder under the system's temporary one.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "idcheck-security-{name}-{}-{}",
        std::process::id(),
        uuid_like()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn uuid_like() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

fn files_in(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn upload(server: &Server, token: &str, bytes: Vec<u8>) -> Value {
    let response = server
        .request(Method::POST, "/api/uploads", Some(token))
        .body(bytes)
        .send()
        .await
        .unwrap();
    let (status, body) = answer(response).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn form(server: &Server, path: &str, fields: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = server
        .client
        .post(server.at(path))
        .form(fields)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn password_grant(server: &Server, login: &str, password: &str) -> (StatusCode, Value) {
    form(
        server,
        "/api/token",
        &[
            ("grant_type", "password"),
            ("username", login),
            ("password", password),
        ],
    )
    .await
}

async fn refresh_grant(server: &Server, refresh: &str) -> (StatusCode, Value) {
    form(
        server,
        "/api/token",
        &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
    )
    .await
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_string()
}

// ---------------------------------------------------------------------------------------------
// The fetcher

/// Before: the server fetched any URL, so the canary got a connection for every case (and the
/// document was stored with its bytes). Now: no connection, and one message for all.
#[tokio::test]
async fn a_loopback_canary_receives_nothing_from_a_server_that_did_not_opt_in() {
    let server = Server::start().await;
    let member = server.token("member").await;
    let canary = Canary::start("127.0.0.1:0").unwrap();
    let port = canary.address.port();
    let mut urls = vec![
        format!("http://127.0.0.1:{port}/face.jpg"),
        format!("http://localhost:{port}/face.jpg"),
        format!("http://127.1:{port}/face.jpg"),
        format!("http://2130706433:{port}/face.jpg"),
        format!("http://0.0.0.0:{port}/face.jpg"),
        format!("http://[::ffff:127.0.0.1]:{port}/face.jpg"),
        format!("https://127.0.0.1:{port}/face.jpg"),
    ];
    // `::1` needs a canary of its own, where the machine has IPv6 loopback.
    let canary6 = Canary::start("[::1]:0");
    if let Some(canary6) = &canary6 {
        urls.push(format!("http://[::1]:{}/face.jpg", canary6.address.port()));
    }
    let check = server.create_check(&member, identity_check(1)).await;
    for url in &urls {
        let (status, body) = server
            .post(
                DOCUMENTS,
                &member,
                document_with(check, json!({"NewPhotoUrl": url})),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{url}: {body}");
        assert_eq!(body["Errors"][0]["PropertyName"], "NewPhotoUrl", "{url}");
        assert_eq!(body["Errors"][0]["Message"], NOT_FETCHED, "{url}: {body}");
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(canary.count(), 0, "the IPv4 canary was reached");
    if let Some(canary6) = canary6 {
        assert_eq!(canary6.count(), 0, "the IPv6 canary was reached");
    }
}

/// Before: redirects were followed (up to 10), so a URL that redirected to the canary reached
/// it. Now the server, even one allowed to fetch from loopback, follows none: the canary gets
/// nothing, and the redirect answers what a closed port and a 404 answer, word for word (before,
/// they said "could not connect" and "the server answered HTTP 404 Not Found": a port scanner).
#[tokio::test]
async fn redirects_are_not_followed_and_every_failure_reads_the_same() {
    let server = Server::start_with(&["--no-rate-limit", "--allow-private-fetch"]).await;
    let member = server.token("member").await;
    let canary = Canary::start("127.0.0.1:0").unwrap();
    let redirect = redirector(format!("http://{}/face.jpg", canary.address));
    let files = FileServer::start().await;
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/face.jpg", listener.local_addr().unwrap())
    };
    let check = server.create_check(&member, identity_check(1)).await;
    let mut messages = std::collections::BTreeSet::new();
    for url in [
        format!("http://{redirect}/face.jpg"),
        closed,
        files.at("/missing.png"),
    ] {
        let (status, body) = server
            .post(
                DOCUMENTS,
                &member,
                document_with(check, json!({"NewPhotoUrl": url})),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{url}: {body}");
        messages.insert(text(&body["Errors"][0]["Message"]));
    }
    assert_eq!(canary.count(), 0, "the redirect was followed to the canary");
    assert_eq!(messages.into_iter().collect::<Vec<_>>(), [NOT_FETCHED]);
    // The opt-in still fetches what it should.
    let id = server
        .create_document(
            &member,
            document_with(check, json!({"NewPhotoUrl": files.at("/face.jpg")})),
        )
        .await;
    assert!(id > 0);
}

/// Before: there was no address policy at all (this does not compile on the old code). Every
/// range that is not public is refused by the policy and by the URL check, without connecting.
#[test]
fn the_address_policy_refuses_every_range_that_is_not_public() {
    let refused = [
        "127.0.0.1",
        "10.0.0.5",
        "172.16.3.4",
        "192.168.0.1",
        "100.64.1.1",
        "169.254.169.254",
        "169.254.0.1",
        "0.0.0.0",
        "224.0.0.251",
        "239.255.255.250",
        "255.255.255.255",
        "192.0.2.10",
        "198.51.100.7",
        "203.0.113.9",
        "198.18.0.1",
        "::1",
        "::",
        "fc00::1",
        "fd12:3456::1",
        "fe80::1",
        "ff02::fb",
        "2001:db8::1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::a9fe:a9fe",
        "2002:c0a8:0101::1",
    ];
    for text in refused {
        let ip: std::net::IpAddr = text.parse().unwrap();
        assert!(!AddressPolicy::PublicOnly.allows(ip), "{text} was allowed");
        let host = if ip.is_ipv6() {
            format!("[{text}]")
        } else {
            text.to_string()
        };
        let url = reqwest::Url::parse(&format!("http://{host}/a.jpg")).unwrap();
        assert!(check_url(&url, AddressPolicy::PublicOnly).is_err(), "{url}");
    }
    // The metadata address and link-local stay refused even for a server that opted in.
    for text in ["169.254.169.254", "fe80::1", "ff02::1"] {
        assert!(
            !AddressPolicy::AllowPrivate.allows(text.parse().unwrap()),
            "{text}"
        );
    }
    for text in ["93.184.215.14", "2606:4700:4700::1111", "::ffff:8.8.8.8"] {
        assert!(
            AddressPolicy::PublicOnly.allows(text.parse().unwrap()),
            "{text}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The lifecycle of images

/// Before: no `--upload-ttl-seconds` (the server refused to start) and nothing ever deleted an
/// upload. Now an upload no document used is gone, file and row, once its time is up.
#[tokio::test]
async fn an_unused_upload_is_gone_from_disk_and_database_after_its_time() {
    let dir = scratch("ttl");
    let database = dir.join("idcheck.sqlite3");
    let files = dir.join("files");
    let server = Server::spawn(&[
        "--listen",
        "127.0.0.1:0",
        "--database",
        database.to_str().unwrap(),
        "--files",
        files.to_str().unwrap(),
        "--no-rate-limit",
        "--upload-ttl-seconds",
        "1",
    ])
    .await;
    let member = server.token("member").await;
    let stored = upload(&server, &member, jpeg(4096)).await;
    let name = text(&stored["FileName"]);
    let uploads = files.join("uploads");
    assert!(files_in(&uploads).contains(&name), "the upload is on disk");
    let rows = |name: &str| {
        let c = rusqlite::Connection::open(&database).unwrap();
        c.query_row(
            "SELECT COUNT(*) FROM uploads WHERE name = ?1",
            [name],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
    };
    assert_eq!(rows(&name), 1);
    let deadline = Instant::now() + Duration::from_secs(15);
    while (files_in(&uploads).contains(&name) || rows(&name) > 0) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(
        !files_in(&uploads).contains(&name),
        "the file outlived its time"
    );
    assert_eq!(rows(&name), 0, "the row outlived its time");
    let (status, _) = server.get(&format!("/api/uploads/{name}"), &member).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    drop(server);
    let _ = std::fs::remove_dir_all(dir);
}

/// Before: the upload stayed on disk for ever after the document copied it. Now the document
/// keeps its own copy and the upload is deleted once the document is stored. (Deleting the
/// document removing its files held before too; it is checked here on disk.)
#[tokio::test]
async fn an_upload_is_deleted_once_a_document_stores_it_and_a_deleted_document_leaves_no_file() {
    let dir = scratch("used");
    let files = dir.join("files");
    let server = Server::spawn(&[
        "--listen",
        "127.0.0.1:0",
        "--database",
        dir.join("idcheck.sqlite3").to_str().unwrap(),
        "--files",
        files.to_str().unwrap(),
        "--no-rate-limit",
    ])
    .await;
    let member = server.token("member").await;
    let admin = server.token("admin").await;
    let stored = upload(&server, &member, jpeg(4096)).await;
    let check = server.create_check(&member, identity_check(1)).await;
    let id = server
        .create_document(
            &member,
            document_with(
                check,
                json!({"NewPhotoUrl": stored["Url"], "NewDocumentUrl": stored["Url"]}),
            ),
        )
        .await;
    assert!(
        files_in(&files.join("uploads")).is_empty(),
        "the upload was kept"
    );
    assert_eq!(files_in(&files.join("documents")).len(), 2);
    let (status, _) = server
        .get(
            &format!("/api/uploads/{}", text(&stored["FileName"])),
            &member,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let response = server
        .request(
            Method::GET,
            &format!("{DOCUMENTS}/{id}/files/photo"),
            Some(&member),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.bytes().await.unwrap().to_vec(), jpeg(4096));
    let (status, _) = server.delete(&format!("{DOCUMENTS}/{id}"), &admin).await;
    assert_eq!(status, StatusCode::OK);
    assert!(files_in(&files.join("documents")).is_empty());
    drop(server);
    let _ = std::fs::remove_dir_all(dir);
}

/// Before: the download was `inline`, without `nosniff`, with `private, no-store`. Now identity
/// images are attachments that a browser neither sniffs nor caches.
#[tokio::test]
async fn image_downloads_are_attachments_never_sniffed_or_stored() {
    let server = Server::start().await;
    let member = server.token("member").await;
    let stored = upload(&server, &member, png(300)).await;
    let check = server.create_check(&member, identity_check(1)).await;
    let id = server
        .create_document(
            &member,
            document_with(
                check,
                json!({"NewPhotoUrl": data_url("image/png", &png(300))}),
            ),
        )
        .await;
    let other = upload(&server, &member, png(200)).await;
    for path in [
        format!("{DOCUMENTS}/{id}/files/photo"),
        format!("/api/uploads/{}", text(&other["FileName"])),
    ] {
        let response = server
            .request(Method::GET, &path, Some(&member))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let headers = response.headers();
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        assert_eq!(headers[header::CACHE_CONTROL], "no-store", "{path}");
        assert!(
            headers[header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .starts_with("attachment"),
            "{path}"
        );
    }
    let _ = stored;
}

// ---------------------------------------------------------------------------------------------
// Limits

/// Before: a declared length just over the limit was read (up to limit + 64 MiB) before the 413,
/// so this exchange waited for bytes that never came and the test timed out. Now both the
/// declared gigabyte and the declared limit + 1 are refused at once, before a byte is read.
#[tokio::test]
async fn a_declared_gigabyte_is_refused_at_once() {
    let server = Server::start().await;
    let member = server.token("member").await;
    let target = authority(&server.url);
    for (path, length) in [
        ("/api/uploads", 1u64 << 30),
        (CHECKS, 1u64 << 30),
        ("/api/uploads", 10 * 1024 * 1024 + 1),
    ] {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {target}\r\nAuthorization: Bearer {member}\r\n\
             Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
        );
        let exchange = {
            let (target, head) = (target.clone(), head.clone());
            tokio::task::spawn_blocking(move || {
                raw_exchange(&target, &head, b"{\"Na", Duration::from_secs(5))
            })
        };
        let (received, took) = exchange.await.unwrap();
        assert!(
            received.starts_with("HTTP/1.1 413"),
            "{path} {length}: {received:?}"
        );
        assert!(received.contains("larger than the"), "{received}");
        assert!(
            took < Duration::from_secs(3),
            "{path} {length} took {took:?}"
        );
    }
}

/// Before: no `--request-timeout-seconds` (the server refused to start), and a body trickled in
/// held its request open for ever. Now the request gets a 408 envelope when its time is up.
#[tokio::test]
async fn a_request_that_trickles_is_cut_off_by_the_timeout() {
    let server = Server::start_with(&["--no-rate-limit", "--request-timeout-seconds", "1"]).await;
    let member = server.token("member").await;
    let target = authority(&server.url);
    let head = format!(
        "POST /api/uploads HTTP/1.1\r\nHost: {target}\r\nAuthorization: Bearer {member}\r\n\
         Content-Length: 1000\r\n\r\n"
    );
    let (received, took) = tokio::task::spawn_blocking(move || {
        raw_exchange(&target, &head, b"\xFF\xD8\xFF", Duration::from_secs(10))
    })
    .await
    .unwrap();
    assert!(received.starts_with("HTTP/1.1 408"), "{received:?}");
    assert!(received.contains("not handled in time"), "{received}");
    assert!(took < Duration::from_secs(5), "{took:?}");
}

/// Before: no `--max-concurrent-requests` (the server refused to start) and no limit at all. Now
/// a request beyond the limit gets a 503 envelope with `Retry-After` at once, and gets through
/// once the one in progress is over.
#[tokio::test]
async fn requests_beyond_the_concurrency_limit_are_refused_at_once() {
    let server = Server::start_with(&[
        "--no-rate-limit",
        "--max-concurrent-requests",
        "1",
        "--request-timeout-seconds",
        "3",
    ])
    .await;
    let member = server.token("member").await;
    let target = authority(&server.url);
    // Holds the one permit: a body that never comes.
    let mut held = TcpStream::connect(&target).unwrap();
    held.write_all(
        format!(
            "POST /api/uploads HTTP/1.1\r\nHost: {target}\r\nAuthorization: Bearer {member}\r\n\
             Content-Length: 1000\r\n\r\nx"
        )
        .as_bytes(),
    )
    .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    let response = server
        .request(Method::GET, "/api/sys/businesses", Some(&member))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key(header::RETRY_AFTER));
    assert!(started.elapsed() < Duration::from_secs(2));
    drop(held);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (status, _) = server.get("/api/sys/businesses", &member).await;
        if status == StatusCode::OK {
            break;
        }
        assert!(Instant::now() < deadline, "the permit was never given back");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Before: the limiter's table kept every key it ever saw (and had no `len`, so this does not
/// compile on the old code). Now idle clients are forgotten and the table is bounded.
#[test]
fn the_rate_limiter_forgets_idle_clients() {
    let limiter = RateLimiter::new(RateLimits::default());
    let start = Instant::now();
    for n in 0..500 {
        limiter
            .check(&format!("ip:10.0.{}.{}", n / 250, n % 250), true, start)
            .unwrap();
    }
    assert_eq!(limiter.len(), 500);
    let later = start + Duration::from_secs(25 * 60 * 60);
    for n in 0..2048u64 {
        let _ = limiter.check("user:1", false, later + Duration::from_secs(n * 2));
    }
    assert_eq!(limiter.len(), 1, "idle clients were kept");
    for n in 0..(MAX_CLIENTS + 100) {
        let _ = limiter.check(&format!("flood:{n}"), false, later);
    }
    assert!(limiter.len() <= MAX_CLIENTS + 1);
}

// ---------------------------------------------------------------------------------------------
// Credentials

/// Before: an unknown login was answered at once while a wrong password cost a PBKDF2 hash, so
/// the time told which logins exist. Now both cost one Argon2id verification. (Medians of
/// interleaved tries, with a wide margin: the machine is shared.)
#[tokio::test]
async fn an_unknown_login_takes_as_long_as_a_wrong_password() {
    let server = Server::start().await;
    let (login, _) = server.password("member");
    let mut unknown = Vec::new();
    let mut wrong = Vec::new();
    for n in 0..7 {
        let started = Instant::now();
        let (status, _) =
            password_grant(&server, &format!("nobody{n}@example.com"), "some-password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        unknown.push(started.elapsed());
        let started = Instant::now();
        let (status, _) = password_grant(&server, &login, "not-the-password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        wrong.push(started.elapsed());
    }
    unknown.sort();
    wrong.sort();
    let (unknown, wrong) = (unknown[3], wrong[3]);
    assert!(
        unknown * 3 >= wrong && wrong * 3 >= unknown,
        "unknown login {unknown:?}, wrong password {wrong:?}"
    );
}

/// Before: passwords were stored as PBKDF2 with 10,000 rounds. Now they are Argon2id, and a hash
/// of an older database is replaced at the next sign-in.
#[tokio::test]
async fn passwords_are_stored_as_argon2id() {
    let dir = scratch("argon");
    let database = dir.join("idcheck.sqlite3");
    let server = Server::spawn(&[
        "--listen",
        "127.0.0.1:0",
        "--database",
        database.to_str().unwrap(),
        "--no-rate-limit",
    ])
    .await;
    let hash_of = |login: &str| {
        let c = rusqlite::Connection::open(&database).unwrap();
        c.query_row(
            "SELECT password_hash FROM users WHERE email = ?1",
            [login],
            |r| r.get::<_, String>(0),
        )
        .unwrap()
    };
    let (login, password) = server.password("member");
    assert!(hash_of(&login).starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    // As the first release stored it: PBKDF2-HMAC-SHA256 (2 rounds here, to write it quickly).
    let legacy = {
        use sha2::Sha256;
        let mut derived = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), &[7, 7, 7, 7], 2, &mut derived);
        let hex: String = derived.iter().map(|b| format!("{b:02x}")).collect();
        format!("pbkdf2-sha256$2$07070707${hex}")
    };
    rusqlite::Connection::open(&database)
        .unwrap()
        .execute(
            "UPDATE users SET password_hash = ?1 WHERE email = ?2",
            [&legacy, &login],
        )
        .unwrap();
    let (status, _) = password_grant(&server, &login, &password).await;
    assert_eq!(status, StatusCode::OK, "an older hash still signs in");
    assert!(hash_of(&login).starts_with("$argon2id$"), "and is upgraded");
    drop(server);
    let _ = std::fs::remove_dir_all(dir);
}

/// Before: access tokens lived 7 days (`expires_in: 604799`). Now an hour.
#[tokio::test]
async fn access_tokens_live_an_hour() {
    let server = Server::start().await;
    let (login, password) = server.password("gateway");
    let (status, body) = password_grant(&server, &login, &password).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["expires_in"], 3600);
}

/// Before: a spent refresh token was deleted, so presenting it again went unnoticed and its
/// successor kept working (a thief and the client both kept a session). Now the reuse revokes the
/// whole family: the successor refresh token and its access token stop working.
#[tokio::test]
async fn a_reused_refresh_token_revokes_its_successor() {
    let server = Server::start().await;
    let (login, password) = server.password("member2");
    let (_, first) = password_grant(&server, &login, &password).await;
    let first_refresh = text(&first["refresh_token"]);
    let (status, second) = refresh_grant(&server, &first_refresh).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    let (second_access, second_refresh) = (
        text(&second["access_token"]),
        text(&second["refresh_token"]),
    );
    assert_ne!(second_refresh, first_refresh, "refresh tokens rotate");
    let (status, _) = server.get("/api/sys/businesses", &second_access).await;
    assert_eq!(status, StatusCode::OK);

    // The first one again: a reuse.
    let (status, body) = refresh_grant(&server, &first_refresh).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "invalid_grant");
    let (status, _) = refresh_grant(&server, &second_refresh).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the successor was not revoked"
    );
    let (status, _) = server.get("/api/sys/businesses", &second_access).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "its access token was not revoked"
    );
    // Another sign-in of the same user is another family, untouched.
    let (status, _) = password_grant(&server, &login, &password).await;
    assert_eq!(status, StatusCode::OK);
}

/// Before: there was no way to revoke a token (`/api/token/revoke` was a 404). Now RFC 7009:
/// a refresh token takes its family with it, an access token goes alone, an unknown token is a
/// 200 too (the answer tells nothing), and a request without a token is a 400.
#[tokio::test]
async fn tokens_can_be_revoked() {
    let server = Server::start().await;
    let (login, password) = server.password("admin");
    let (_, one) = password_grant(&server, &login, &password).await;
    let (_, two) = password_grant(&server, &login, &password).await;

    let (status, _) = form(
        &server,
        "/api/token/revoke",
        &[
            ("token", &text(&one["access_token"])),
            ("token_type_hint", "access_token"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = server
        .get("/api/sys/businesses", &text(&one["access_token"]))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = refresh_grant(&server, &text(&one["refresh_token"])).await;
    assert_eq!(status, StatusCode::OK, "an access token goes alone");

    let (status, _) = form(
        &server,
        "/api/token/revoke",
        &[("token", &text(&two["refresh_token"]))],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = refresh_grant(&server, &text(&two["refresh_token"])).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = server
        .get("/api/sys/businesses", &text(&two["access_token"]))
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a refresh token takes its family"
    );

    let (status, _) = form(&server, "/api/token/revoke", &[("token", "no-such-token")]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = form(&server, "/api/token/revoke", &[("token_type_hint", "x")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_request");
}

/// Before: the server had no request log (`--log-requests` was refused), so this guards the log
/// this change adds: with it on, the whole output (stdout and stderr) of a session of sign-ins,
/// refreshes, revocations, calls with bearer tokens, tokens in a query string and failed fetches
/// of URLs carrying a secret names none of the tokens or passwords, apart from the documented
/// announcement of the demo users' fixed passwords at start.
#[tokio::test]
async fn tokens_and_passwords_never_appear_in_the_log() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_idcheck-server"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--database",
            ":memory:",
            "--no-rate-limit",
            "--log-requests",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = Arc::new(Mutex::new(Vec::<String>::new()));
    let (sender, receiver) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    {
        let log = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("listening on ") {
                    let _ = sender.send(url.trim().to_string());
                }
                log.lock().unwrap().push(line);
            }
        });
    }
    let log_err = log.clone();
    let stderr_reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            log_err.lock().unwrap().push(line);
        }
    });
    let url = tokio::task::spawn_blocking(move || receiver.recv_timeout(Duration::from_secs(60)))
        .await
        .unwrap()
        .unwrap();
    let client = reqwest::Client::new();
    let post = |path: &str, fields: Vec<(&'static str, String)>| {
        client.post(format!("{url}{path}")).form(&fields).send()
    };
    let mut secrets = vec![
        "member-demo-password".to_string(),
        "a-wrong-password-canary".to_string(),
        "a-secret-in-a-url".to_string(),
    ];
    let response = post(
        "/api/token",
        vec![
            ("grant_type", "password".into()),
            ("username", "member@example.com".into()),
            ("password", "member-demo-password".into()),
        ],
    )
    .await
    .unwrap();
    let first: Value = response.json().await.unwrap();
    let _ = post(
        "/api/token",
        vec![
            ("grant_type", "password".into()),
            ("username", "member@example.com".into()),
            ("password", "a-wrong-password-canary".into()),
        ],
    )
    .await
    .unwrap();
    let response = post(
        "/api/token",
        vec![
            ("grant_type", "refresh_token".into()),
            ("refresh_token", text(&first["refresh_token"])),
        ],
    )
    .await
    .unwrap();
    let second: Value = response.json().await.unwrap();
    let access = text(&second["access_token"]);
    let _ = client
        .get(format!("{url}/api/sys/businesses?access_token={access}"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    let _ = client
        .post(format!("{url}{CHECKS}"))
        .bearer_auth(&access)
        .json(&identity_check(1))
        .send()
        .await
        .unwrap();
    let _ = client
        .post(format!("{url}{DOCUMENTS}"))
        .bearer_auth(&access)
        .json(&document_with(
            1,
            json!({"NewPhotoUrl": "http://127.0.0.1:9/face.jpg?token=a-secret-in-a-url"}),
        ))
        .send()
        .await
        .unwrap();
    let _ = post(
        "/api/token/revoke",
        vec![("token", text(&second["refresh_token"]))],
    )
    .await
    .unwrap();
    for value in [
        &first["access_token"],
        &first["refresh_token"],
        &second["access_token"],
        &second["refresh_token"],
    ] {
        secrets.push(text(value));
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = stderr_reader.join();
    let lines = log.lock().unwrap().clone();
    assert!(
        lines.iter().any(|l| l.contains("POST /api/token 200")),
        "the request log is on: {lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.contains("was not fetched")),
        "{lines:#?}"
    );
    for line in lines.iter().filter(|l| !l.starts_with("demo user: ")) {
        for secret in &secrets {
            assert!(!line.contains(secret.as_str()), "{line:?} holds a secret");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The request extractors, under arbitrary input

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn json_request(body: Vec<u8>) -> axum::extract::Request {
    axum::http::Request::builder()
        .method("POST")
        .uri("/api/spaces/coworkeridentitychecks")
        .header(header::CONTENT_TYPE, "application/json")
        .body(axum::body::Body::from(body))
        .unwrap()
}

fn body_error(bytes: Vec<u8>) -> Option<ApiError> {
    use axum::extract::FromRequest;
    runtime().block_on(async {
        JsonBody::<NewCoworkerIdentityCheck>::from_request(json_request(bytes), &())
            .await
            .err()
    })
}

/// Keys a check body has, and a few it does not.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("BusinessId".to_string()),
        Just("CoworkerId".to_string()),
        Just("Name".to_string()),
        Just("VerificationType".to_string()),
        Just("IdentityDocumentType".to_string()),
        Just("IdentityDocumentExpirationDate".to_string()),
        Just("AddressDocumentType".to_string()),
        "[A-Za-z]{1,12}",
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,20}".prop_map(Value::from),
        Just(json!([1, "a"])),
        Just(json!({"x": 1})),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Any bytes as a JSON body: never a panic, and any refusal is a 400.
    #[test]
    fn arbitrary_bodies_end_in_a_400(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Some(error) = body_error(bytes) {
            prop_assert_eq!(error.status(), StatusCode::BAD_REQUEST, "{:?}", error);
        }
    }

    /// Any JSON object of a check's keys and odd values: accepted, or a 400 naming the property.
    #[test]
    fn arbitrary_objects_end_in_a_400_naming_a_property(
        fields in proptest::collection::btree_map(key(), leaf(), 0..6)
    ) {
        let object: serde_json::Map<String, Value> = fields.clone().into_iter().collect();
        let bytes = serde_json::to_vec(&Value::Object(object)).unwrap();
        if let Some(error) = body_error(bytes) {
            prop_assert_eq!(error.status(), StatusCode::BAD_REQUEST, "{:?}", error);
            match &error {
                ApiError::BadRequest { property: Some(property), .. } => {
                    let top = property.split(['.', '[']).next().unwrap_or_default();
                    prop_assert!(fields.contains_key(top), "{} is not a key sent", property);
                }
                other => prop_assert!(false, "no property named: {:?}", other),
            }
        }
    }

    /// Any query string of a list: read, or a 400 naming one of the parameters sent.
    #[test]
    fn arbitrary_query_strings_end_in_a_400_naming_a_parameter(
        pairs in proptest::collection::vec((
            prop_oneof![
                Just("page".to_string()), Just("size".to_string()), Just("orderBy".to_string()),
                Just("dir".to_string()), Just("CoworkerIdentityCheck_Coworker".to_string()),
                Just("CoworkerIdentityCheck_Name".to_string()),
                Just("CoworkerIdentityCheck_VerificationStatus".to_string()), "[a-zA-Z_]{1,10}",
            ],
            ".{0,12}",
        ), 0..6),
        raw in "[ -~]{0,40}",
    ) {
        use axum::extract::FromRequestParts;
        use idcheck_server::store::checks::{FILTERS, ORDER_FIELDS, TEXT_FILTERS};
        let encoded: String = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", v.bytes().map(|b| format!("%{b:02X}")).collect::<String>()))
            .collect::<Vec<_>>()
            .join("&");
        for query in [encoded, raw] {
            let Ok(uri) = format!("/api/spaces/coworkeridentitychecks?{query}").parse::<axum::http::Uri>() else {
                continue;
            };
            let (mut parts, ()) = axum::http::Request::builder().uri(uri).body(()).unwrap().into_parts();
            let read = runtime().block_on(QueryParams::from_request_parts(&mut parts, &()));
            let params = match read {
                Ok(params) => params,
                Err(error) => {
                    prop_assert_eq!(error.status(), StatusCode::BAD_REQUEST);
                    continue;
                }
            };
            if let Err(error) = idcheck_server::routes::list_query(&params, FILTERS, TEXT_FILTERS, ORDER_FIELDS) {
                prop_assert_eq!(error.status(), StatusCode::BAD_REQUEST);
                match &error {
                    ApiError::BadRequest { property: Some(property), .. } => {
                        prop_assert!(params.get(property).is_some(), "{} was not sent", property);
                    }
                    other => prop_assert!(false, "no parameter named: {:?}", other),
                }
            }
        }
    }
}
