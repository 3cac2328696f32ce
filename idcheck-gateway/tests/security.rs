//! What an attacker would try against the gateway, one test per attack (issue 11), each run against
//! the gateway's binary in front of the double, on loopback only. Every test says how the gateway
//! as it was before this file failed it. Then property tests of the request extractors: arbitrary
//! input never panics and always ends in a 400 that names a property.

mod common;

use std::net::IpAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use idcheck_gateway::error::GatewayError;
use idcheck_gateway::invitations::{LOCK_OUT, Lockouts, MAX_CLIENTS};
use idcheck_gateway::member::Member;
use proptest::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

// ---------------------------------------------------------------------------------------------
// Helpers

/// Trunk's loader, as `dist/index.html` carries it inline.
const LOADER: &str = "\nimport init, * as bindings from '/idcheck.js';\nconst wasm = await init({ module_or_path: '/idcheck_bg.wasm' });\n";

/// A built component's folder: the standalone page with an inline loader, a script, and the
/// example portal's two pages as they are in `examples/portal`.
fn dist() -> TempDir {
    let dir = TempDir::new("dist");
    std::fs::write(
        dir.path().join("index.html"),
        format!(
            "<!doctype html><html><head><link rel=\"stylesheet\" href=\"/idcheck.css\">\
             <script type=\"module\">{LOADER}</script></head>\
             <body data-idcheck-page><p>Loading…</p></body></html>"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("idcheck.js"),
        "export default function init() {}",
    )
    .unwrap();
    let portal = dir.path().join("portal");
    std::fs::create_dir_all(&portal).unwrap();
    for page in [
        "index.html",
        "frame.html",
        "portal.js",
        "frame.js",
        "portal.css",
    ] {
        std::fs::copy(examples_portal().join(page), portal.join(page)).unwrap();
    }
    dir
}

fn examples_portal() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/portal")
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = String::new();
    for byte in bytes {
        bits.push_str(&format!("{byte:08b}"));
    }
    while !bits.len().is_multiple_of(6) {
        bits.push('0');
    }
    let mut out: String = bits
        .as_bytes()
        .chunks(6)
        .map(|six| {
            ALPHABET[usize::from_str_radix(std::str::from_utf8(six).unwrap(), 2).unwrap()] as char
        })
        .collect();
    while !out.len().is_multiple_of(4) {
        out.push('=');
    }
    out
}

fn header<'a>(answer: &'a Answer, name: &str) -> &'a str {
    answer
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// The CSP directive `name` of `policy`, e.g. `script-src 'self' …`.
fn directive<'a>(policy: &'a str, name: &str) -> &'a str {
    policy
        .split(';')
        .map(str::trim)
        .find(|d| d.split_whitespace().next() == Some(name))
        .unwrap_or_default()
}

/// `host:port` of the gateway.
fn address(gateway: &Gateway) -> String {
    gateway.url.trim_start_matches("http://").to_string()
}

/// Opens a raw connection to the gateway and writes `head` (the request line and headers, without
/// the blank line) and then `body`, and nothing more.
async fn raw(gateway: &Gateway, head: &str, body: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(address(gateway))
        .await
        .expect("loopback");
    let head = format!("{head}\r\nHost: {}\r\n\r\n", address(gateway));
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    stream.flush().await.unwrap();
    stream
}

/// The answer's status line and headers, if they arrive within `within`.
async fn answer_head(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut read = Vec::new();
    let deadline = tokio::time::Instant::now() + within;
    let mut buffer = [0u8; 4096];
    while !read.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = tokio::time::timeout_at(deadline, stream.read(&mut buffer))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            break;
        }
        read.extend_from_slice(&buffer[..n]);
    }
    (!read.is_empty()).then(|| String::from_utf8_lossy(&read).into_owned())
}

/// A window of `bytes` from its entropy-coded part, which no other image shares.
fn fingerprint(bytes: &[u8]) -> Vec<u8> {
    bytes[bytes.len() - 96..bytes.len() - 32].to_vec()
}

/// Every file under `dir` holding `needle`.
fn files_holding(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let bytes = std::fs::read(entry.path()).unwrap_or_default();
        if bytes.windows(needle.len()).any(|w| w == needle) {
            found.push(entry.path().display().to_string());
        }
    }
    found
}

/// Rows of the gateway's `uploads` table, read from its database file.
fn upload_rows(database: &Path) -> i64 {
    let connection =
        rusqlite::Connection::open_with_flags(database, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    connection
        .query_row("SELECT COUNT(*) FROM uploads", [], |row| row.get(0))
        .unwrap()
}

/// The upload's path on the gateway (`/api/uploads/…`), from its absolute URL.
fn upload_path(gateway: &Gateway, url: &str) -> String {
    url.strip_prefix(&gateway.url)
        .expect("our own URL")
        .to_string()
}

// ---------------------------------------------------------------------------------------------
// Headers

/// Before: the gateway sent no Content-Security-Policy, Referrer-Policy or Permissions-Policy at
/// all, and `nosniff` only on downloads: a crafted page address could load anything.
#[tokio::test]
async fn every_page_carries_a_strict_policy_admitting_only_its_own_inline_loader() {
    let double = Double::start().await;
    let dist = dist();
    let gateway = Gateway::start_configured(
        &double,
        ":memory:",
        &["--dist", &dist.path().display().to_string()],
    )
    .await;
    let loader = format!("'sha256-{}'", base64(&Sha256::digest(LOADER.as_bytes())));

    for path in [
        "/",
        "/?business=1&coworker=1",
        "/portal/index.html",
        "/portal/frame.html",
    ] {
        let page = gateway.call(Method::GET, path, None, None).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {page}");
        let policy = header(&page, "content-security-policy");
        assert_eq!(
            directive(policy, "default-src"),
            "default-src 'self'",
            "{path}: {policy}"
        );
        assert_eq!(
            directive(policy, "style-src"),
            "style-src 'self'",
            "{policy}"
        );
        assert_eq!(
            directive(policy, "img-src"),
            "img-src 'self' data: blob:",
            "{policy}"
        );
        assert_eq!(
            directive(policy, "connect-src"),
            "connect-src 'self'",
            "{policy}"
        );
        assert_eq!(
            directive(policy, "media-src"),
            "media-src 'self' blob:",
            "{policy}"
        );
        assert_eq!(
            directive(policy, "object-src"),
            "object-src 'none'",
            "{policy}"
        );
        assert_eq!(directive(policy, "base-uri"), "base-uri 'none'", "{policy}");
        // The portal frames its own page (frame.html → index.html): the default admits it.
        assert_eq!(
            directive(policy, "frame-ancestors"),
            "frame-ancestors 'self'",
            "{policy}"
        );
        let scripts = directive(policy, "script-src");
        assert!(
            scripts.starts_with("script-src 'self' 'wasm-unsafe-eval'"),
            "{policy}"
        );
        assert!(
            !scripts.contains("unsafe-inline") && !policy.contains('*'),
            "{policy}"
        );
        if path.starts_with("/portal/") {
            // The portal's pages have no inline script: nothing inline is admitted on them.
            assert_eq!(
                scripts, "script-src 'self' 'wasm-unsafe-eval'",
                "{path}: {policy}"
            );
        } else {
            assert_eq!(
                scripts,
                format!("script-src 'self' 'wasm-unsafe-eval' {loader}")
            );
        }
        assert_eq!(header(&page, "x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header(&page, "referrer-policy"), "no-referrer", "{path}");
        // The framed portal is the same origin as its frame: `self` lets both use the camera.
        assert_eq!(
            header(&page, "permissions-policy"),
            "camera=(self)",
            "{path}"
        );
    }
    let script = gateway.call(Method::GET, "/idcheck.js", None, None).await;
    assert_eq!(script.status, StatusCode::OK);
    assert_eq!(header(&script, "x-content-type-options"), "nosniff");
    assert_eq!(header(&script, "referrer-policy"), "no-referrer");

    // API answers: nothing runs in them, nothing keeps them.
    let ana = gateway.mint(1, 1).await;
    for answer in [
        gateway.get(CHECKS, &ana).await,
        gateway.get(CHECKS, "forged").await,
        gateway.call(Method::GET, "/api/nothing", None, None).await,
    ] {
        assert_eq!(
            header(&answer, "x-content-type-options"),
            "nosniff",
            "{answer}"
        );
        assert_eq!(
            header(&answer, "referrer-policy"),
            "no-referrer",
            "{answer}"
        );
        assert!(
            header(&answer, "cache-control").contains("no-store"),
            "{answer:?}"
        );
        assert_eq!(
            header(&answer, "content-security-policy"),
            "default-src 'none'; frame-ancestors 'none'"
        );
    }

    // Who may frame the pages is the operator's choice.
    let framed = Gateway::start_configured(
        &double,
        ":memory:",
        &[
            "--dist",
            &dist.path().display().to_string(),
            "--frame-ancestors",
            "'self' https://portal.example.com",
        ],
    )
    .await;
    let page = framed.call(Method::GET, "/", None, None).await;
    assert_eq!(
        directive(header(&page, "content-security-policy"), "frame-ancestors"),
        "frame-ancestors 'self' https://portal.example.com"
    );
}

/// The policy above admits no inline script, style or handler on the example portal's pages: they
/// must need none (the e2e embedding tests count the violations in a browser).
#[test]
fn the_example_portals_pages_need_nothing_inline() {
    for page in ["index.html", "frame.html"] {
        let html = std::fs::read_to_string(examples_portal().join(page)).unwrap();
        assert_eq!(
            idcheck_gateway::layers::inline_script_hashes(&html),
            Vec::<String>::new(),
            "{page} has an inline script"
        );
        let lower = html.to_ascii_lowercase();
        assert!(!lower.contains("<style"), "{page} has a <style>");
        assert!(!lower.contains(" style="), "{page} has a style attribute");
        assert!(
            !lower
                .split_whitespace()
                .any(|word| word.starts_with("on") && word.contains("=\"")),
            "{page} has an inline event handler"
        );
    }
}

/// Before: an upload was served inline (`GET /api/uploads/…`) and a document's file relayed with
/// no `Content-Disposition`: a browser opening either showed it in the gateway's origin.
#[tokio::test]
async fn identity_images_are_downloaded_as_attachments_never_cached_or_sniffed() {
    let double = Double::start().await;
    let gateway = Gateway::start(&double).await;
    let ana = gateway.mint(1, 1).await;
    let check = gateway.create_check(&ana, passport_check()).await;
    let photo = gateway.upload(&ana, jpeg(11)).await;
    let front = gateway.upload(&ana, jpeg(12)).await;

    // As Nexudus fetches it: with the secret name alone.
    let fetched = gateway
        .call(Method::GET, &upload_path(&gateway, &photo), None, None)
        .await;
    assert_eq!(fetched.status, StatusCode::OK, "{fetched}");
    let document = gateway
        .create_document(&ana, document(check, Some(&photo), Some(&front)))
        .await;
    let file = gateway
        .get(&format!("{DOCUMENTS}/{document}/files/photo"), &ana)
        .await;
    assert_eq!(file.status, StatusCode::OK, "{file}");
    for (what, answer) in [("the upload", &fetched), ("the document's file", &file)] {
        assert!(
            header(answer, "content-disposition").starts_with("attachment; filename=\""),
            "{what}: {:?}",
            answer.headers
        );
        assert_eq!(
            header(answer, "x-content-type-options"),
            "nosniff",
            "{what}"
        );
        assert!(
            header(answer, "cache-control").contains("no-store"),
            "{what}"
        );
        assert!(
            header(answer, "content-type").starts_with("image/"),
            "{what}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Limits

/// Before: the gateway authenticated the member and then waited for the declared gigabyte (axum
/// counts a body as it arrives), so a client sending only headers held a request open for ever.
#[tokio::test]
async fn a_declared_gigabyte_is_refused_before_a_byte_of_it_is_read() {
    let double = Double::start().await;
    let gateway = Gateway::start(&double).await;
    let ana = gateway.mint(1, 1).await;
    let gigabyte = 1u64 << 30;
    let routes = [
        ("/api/uploads", Some(&ana)),
        (DOCUMENTS, Some(&ana)),
        (CHECKS, Some(&ana)),
        ("/api/invitations/redeem", None),
        ("/api/member-tokens", Some(&gateway.operator_key)),
        (
            "/v1/orgs/masmovil/identifications/identity_document",
            Some(&ana),
        ),
    ];
    for (path, token) in routes {
        let authorization = token
            .map(|t| format!("\r\nAuthorization: Bearer {t}"))
            .unwrap_or_default();
        let started = Instant::now();
        let mut stream = raw(
            &gateway,
            &format!(
                "POST {path} HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: {gigabyte}{authorization}"
            ),
            b"",
        )
        .await;
        let head = answer_head(&mut stream, Duration::from_secs(10))
            .await
            .unwrap_or_else(|| panic!("{path}: no answer to headers alone"));
        assert!(head.starts_with("HTTP/1.1 413"), "{path}: {head}");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{path}: {:?}",
            started.elapsed()
        );
    }
}

/// Before: no request had a time limit: a client that declared a body and sent part of it held
/// its request (and its connection) open for ever.
#[tokio::test]
async fn a_request_slower_than_the_time_limit_is_answered_408() {
    let double = Double::start().await;
    let gateway =
        Gateway::start_configured(&double, ":memory:", &["--request-timeout-seconds", "1"]).await;
    let ana = gateway.mint(1, 1).await;
    let routes = [
        ("/api/invitations/redeem".to_string(), String::new()),
        (
            format!("/v1/orgs/{MASSTACK_ORG}/identifications/identity_document"),
            format!("\r\nAuthorization: Bearer {ana}"),
        ),
    ];
    for (path, authorization) in routes {
        let started = Instant::now();
        let mut stream = raw(
            &gateway,
            &format!(
                "POST {path} HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 100{authorization}"
            ),
            b"{\"Code\":",
        )
        .await;
        let head = answer_head(&mut stream, Duration::from_secs(10))
            .await
            .unwrap_or_else(|| panic!("{path}: no answer within 10 s"));
        assert!(head.starts_with("HTTP/1.1 408"), "{path}: {head}");
        let elapsed = started.elapsed();
        assert!(
            elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(5),
            "{path}: {elapsed:?}"
        );
    }
}

/// Before: nothing bounded the requests served at once: each slow client took a task, a
/// connection and memory, without end.
#[tokio::test]
async fn requests_beyond_the_concurrency_limit_are_refused_at_once() {
    let double = Double::start().await;
    let gateway =
        Gateway::start_configured(&double, ":memory:", &["--max-concurrent-requests", "2"]).await;
    let ana = gateway.mint(1, 1).await;
    // Two requests that wait for the rest of their bodies hold both places.
    let mut holders = Vec::new();
    for _ in 0..2 {
        holders.push(
            raw(
                &gateway,
                "POST /api/invitations/redeem HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 100",
                b"{",
            )
            .await,
        );
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    let refused = gateway.get(CHECKS, &ana).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(header(&refused, "retry-after"), "1", "{refused}");
    let page = gateway.call(Method::GET, "/", None, None).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE, "{page}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    // The places are given back when those requests end.
    drop(holders);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let answer = gateway.get(CHECKS, &ana).await;
        if answer.status == StatusCode::OK {
            break;
        }
        assert!(Instant::now() < deadline, "still refused: {answer}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Before: the table forgot idle clients but had no bound (a client with many addresses, as any
/// IPv6 subscriber has 2^64, grew it at will within 15 minutes), and each address of one IPv6 /64
/// was a client of its own, five more guesses each.
#[test]
fn the_lockout_table_is_bounded_forgets_idle_clients_and_counts_a_v6_block_as_one() {
    let lockouts = Lockouts::default();
    let now = Instant::now();
    for n in 0..(MAX_CLIENTS as u32 + 200) {
        let client = IpAddr::from((0x0a00_0000u32 + n).to_be_bytes());
        let _ = lockouts.wrong_code(client, now);
    }
    assert!(
        lockouts.tracked(now) <= MAX_CLIENTS,
        "{}",
        lockouts.tracked(now)
    );
    assert_eq!(lockouts.tracked(now + LOCK_OUT + Duration::from_secs(1)), 0);

    let lockouts = Lockouts::default();
    for n in 1..=5u16 {
        let address: IpAddr = format!("2001:db8:1:2::{n:x}").parse().unwrap();
        assert!(lockouts.check(address, now).is_ok(), "guess {n}");
        let _ = lockouts.wrong_code(address, now);
    }
    let sixth: IpAddr = "2001:db8:1:2:ffff::1".parse().unwrap();
    assert!(
        matches!(
            lockouts.check(sixth, now),
            Err(GatewayError::LockedOut { .. })
        ),
        "another address of the same /64 is the same client"
    );
    let elsewhere: IpAddr = "2001:db8:1:3::1".parse().unwrap();
    assert!(lockouts.check(elsewhere, now).is_ok());
}

// ---------------------------------------------------------------------------------------------
// Retention

/// Before: an upload stayed fetchable until its 15 minutes ran out, and its bytes stayed in the
/// database until another upload happened to clear expired rows (and in free pages after that).
#[tokio::test]
async fn an_upload_is_deleted_once_its_document_is_stored_and_its_bytes_leave_the_disk() {
    let double = Double::start().await;
    let folder = TempDir::new("retention");
    let database = folder.path().join("gateway.sqlite3");
    let gateway = Gateway::start_with(&double, &database.display().to_string()).await;
    let ana = gateway.mint(1, 1).await;
    let check = gateway.create_check(&ana, passport_check()).await;
    let (photo_bytes, front_bytes) = (jpeg(21), jpeg(22));
    let photo = gateway.upload(&ana, photo_bytes.clone()).await;
    let front = gateway.upload(&ana, front_bytes.clone()).await;
    assert_eq!(upload_rows(&database), 2);
    // The scan below would find them: they are on disk now.
    assert!(!files_holding(folder.path(), &fingerprint(&photo_bytes)).is_empty());

    // A create that is refused keeps them: its retry names them again.
    let refused = gateway
        .post(DOCUMENTS, &ana, document(check, Some(&photo), None))
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{refused}");
    let still = gateway
        .call(Method::GET, &upload_path(&gateway, &photo), None, None)
        .await;
    assert_eq!(
        still.status,
        StatusCode::OK,
        "kept after a refused create: {still}"
    );

    gateway
        .create_document(&ana, document(check, Some(&photo), Some(&front)))
        .await;
    for url in [&photo, &front] {
        let gone = gateway
            .call(Method::GET, &upload_path(&gateway, url), None, None)
            .await;
        assert_eq!(gone.status, StatusCode::NOT_FOUND, "{gone}");
    }
    assert_eq!(upload_rows(&database), 0);
    for bytes in [&photo_bytes, &front_bytes] {
        let holding = files_holding(folder.path(), &fingerprint(bytes));
        assert!(
            holding.is_empty(),
            "the image's bytes are still in {holding:?}"
        );
    }
    // Nexudus has its copy.
    let (_, stored) = double
        .read(&format!(
            "{DOCUMENTS}?CoworkerIdentityCheckDocument_CoworkerIdentityCheck={check}"
        ))
        .await;
    assert_eq!(
        stored["Records"].as_array().map(Vec::len),
        Some(1),
        "{stored}"
    );
}

/// Before: `--upload-ttl-seconds` did not exist (15 minutes, fixed in minutes), and an expired
/// upload's row and bytes stayed on disk until the next upload.
#[tokio::test]
async fn an_unused_upload_is_deleted_after_its_time_even_if_nobody_calls() {
    let double = Double::start().await;
    let folder = TempDir::new("expiry");
    let database = folder.path().join("gateway.sqlite3");
    let gateway = Gateway::start_configured(
        &double,
        &database.display().to_string(),
        &["--upload-ttl-seconds", "1"],
    )
    .await;
    let ana = gateway.mint(1, 1).await;
    let bytes = jpeg(31);
    let url = gateway.upload(&ana, bytes.clone()).await;
    assert_eq!(upload_rows(&database), 1);
    assert!(!files_holding(folder.path(), &fingerprint(&bytes)).is_empty());
    // The sweep runs every half lifetime (here 0.5 s): the row goes, then its bytes with the log.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let holding = files_holding(folder.path(), &fingerprint(&bytes));
        if upload_rows(&database) == 0 && holding.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the upload outlived its time by 14 s: {} rows, bytes in {holding:?}",
            upload_rows(&database)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let gone = gateway
        .call(Method::GET, &upload_path(&gateway, &url), None, None)
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND, "{gone}");
}

// ---------------------------------------------------------------------------------------------
// Tokens

/// Before: a member token in a query string was ignored (401 for want of a header) but stayed
/// valid, though histories, `Referer` headers and logs had it from then on.
#[tokio::test]
async fn a_token_in_a_url_is_refused_and_revoked_and_no_url_the_gateway_makes_holds_one() {
    let double = Double::start().await;
    let gateway = Gateway::start(&double).await;
    let ana = gateway.mint(1, 1).await;
    let refused = gateway
        .call(
            Method::GET,
            &format!("{CHECKS}?access_token={ana}"),
            None,
            None,
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(refused.error_properties(), ["access_token"], "{refused}");
    let after = gateway.get(CHECKS, &ana).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED, "revoked: {after}");

    // A page opened with one is still served (the component says where a token goes), but the
    // token is burnt all the same.
    let bea = gateway.mint(2, 1).await;
    let page = gateway
        .call(
            Method::GET,
            &format!("/?business=1&coworker=2&Token={bea}"),
            None,
            None,
        )
        .await;
    assert_ne!(page.status, StatusCode::BAD_REQUEST, "{page}");
    assert_eq!(
        gateway.get(CHECKS, &bea).await.status,
        StatusCode::UNAUTHORIZED
    );

    // With the header alone, a token works; the operator key is never taken from a URL either.
    let cem = gateway.mint(3, 1).await;
    assert_eq!(gateway.get(CHECKS, &cem).await.status, StatusCode::OK);
    let operator = gateway
        .call(
            Method::POST,
            &format!("/api/member-tokens?token={}", gateway.operator_key),
            None,
            Some(json!({"CoworkerId": 4, "BusinessId": 1})),
        )
        .await;
    assert_eq!(operator.status, StatusCode::BAD_REQUEST, "{operator}");
    assert!(operator.json["access_token"].is_null());

    // The link the operator sends carries an invitation, never a token.
    let requested = gateway.request_checks(2, 1, "identity").await;
    let link = reqwest::Url::parse(requested["Invitation"]["Url"].as_str().unwrap()).unwrap();
    let names: Vec<String> = link.query_pairs().map(|(k, _)| k.into_owned()).collect();
    assert_eq!(names, ["invitation"], "{link}");
    assert!(link.fragment().is_none(), "{link}");
}

/// Before: there was nothing to log for these refusals (the gigabyte hung, the query token was a
/// plain 401), so their lines below did not exist; the rest pins what the gateway already kept:
/// a run that mints, redeems, uploads and is refused every way leaves no token, invitation code,
/// upload name or operator key in anything the gateway prints.
#[tokio::test]
async fn tokens_codes_and_upload_names_never_reach_the_log() {
    let double = Double::start().await;
    let gateway = Gateway::start(&double).await;
    let ana = gateway.mint(1, 1).await;
    let check = gateway.create_check(&ana, passport_check()).await;
    let photo = gateway.upload(&ana, jpeg(41)).await;
    let front = gateway.upload(&ana, jpeg(42)).await;
    gateway
        .call(Method::GET, &upload_path(&gateway, &photo), None, None)
        .await;
    gateway
        .create_document(&ana, document(check, Some(&photo), Some(&front)))
        .await;
    gateway
        .call(Method::GET, &upload_path(&gateway, &photo), None, None)
        .await; // 404 now
    let requested = gateway.request_checks(2, 1, "identity").await;
    let code = requested["Invitation"]["Code"]
        .as_str()
        .unwrap()
        .to_string();
    let redeemed = gateway.redeem(&code).await;
    let bea = redeemed.json["access_token"].as_str().unwrap().to_string();
    gateway.redeem(&code).await; // used: 400
    let burnt = gateway.mint(3, 1).await;
    gateway
        .call(Method::GET, &format!("{CHECKS}?token={burnt}"), None, None)
        .await;
    gateway
        .call(
            Method::GET,
            &format!("/api/member-tokens?access_token={}", gateway.operator_key),
            None,
            None,
        )
        .await;
    gateway.get(&format!("{CHECKS}/{check}"), &bea).await; // another member's: 404
    gateway.get(CHECKS, &format!("{ana}x")).await; // 401
    let mut stream = raw(
        &gateway,
        &format!("POST /api/uploads HTTP/1.1\r\nAuthorization: Bearer {ana}\r\nContent-Length: 1073741824"),
        b"",
    )
    .await;
    answer_head(&mut stream, Duration::from_secs(10))
        .await
        .expect("a 413");

    tokio::time::sleep(Duration::from_millis(300)).await;
    let output = gateway.output();
    for line in [
        "GET /api/spaces/coworkeridentitychecks 400",
        "POST /api/uploads 413",
        "rotate it",
    ] {
        assert!(
            output.iter().any(|l| l.contains(line)),
            "no `{line}` in {output:#?}"
        );
    }
    let name = |url: &str| url.rsplit('/').next().unwrap().to_string();
    let secrets = [
        ("a member token", ana.clone()),
        ("a redeemed token", bea),
        ("a token sent in a URL", burnt),
        ("the operator key", gateway.operator_key.clone()),
        ("an invitation code", code),
        ("an upload's name", name(&photo)),
        ("an upload's name", name(&front)),
        ("the upstream password", UPSTREAM_LOGIN.1.to_string()),
    ];
    for (what, secret) in &secrets {
        for line in &output {
            assert!(
                !line.contains(secret.as_str()),
                "{what} is in the log: {line}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Property tests of the request extractors

/// The status and the named properties of an error's answer.
fn refusal(error: GatewayError) -> (StatusCode, Vec<String>) {
    use axum::response::IntoResponse;
    let response = error.into_response();
    let status = response.status();
    let body = block_on(axum::body::to_bytes(response.into_body(), 1 << 20)).unwrap();
    let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let properties = json["Errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["PropertyName"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    (status, properties)
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

const MEMBER: Member = Member {
    coworker_id: 7,
    business_id: 3,
};

/// The keys members send, and some they should not.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Name".to_string()),
        Just("VerificationType".to_string()),
        Just("IdentityDocumentType".to_string()),
        Just("IdentityDocumentNumber".to_string()),
        Just("IdentityDocumentIssuedBy".to_string()),
        Just("IdentityDocumentExpirationDate".to_string()),
        Just("AddressDocumentType".to_string()),
        Just("Description".to_string()),
        Just("CoworkerIdentityCheckId".to_string()),
        Just("NewPhotoUrl".to_string()),
        Just("NewDocumentUrl".to_string()),
        Just("NewAdditionalDocumentUrl".to_string()),
        Just("Notes".to_string()),
        Just("CoworkerId".to_string()),
        Just("BusinessId".to_string()),
        Just("Billed".to_string()),
        Just("VerificationStatus".to_string()),
        Just("IdentityCheckProvider".to_string()),
        "[A-Za-z]{1,12}",
    ]
}

/// Odd JSON values.
fn leaf() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,20}".prop_map(Value::from),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}".prop_map(Value::from),
        Just(json!(1)),
        Just(json!("2099-01-01")),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::from),
            proptest::collection::btree_map("[a-z]{1,4}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// `body` as typed `T` for the rules: accepted, or a 400 naming a key that was sent.
fn assert_typed_or_named<T: serde::de::DeserializeOwned>(
    body: &Map<String, Value>,
) -> Result<Option<T>, TestCaseError> {
    match idcheck_gateway::routes::typed::<T>(body) {
        Ok(value) => Ok(Some(value)),
        Err(error) => {
            let (status, properties) = refusal(error);
            prop_assert_eq!(status, StatusCode::BAD_REQUEST);
            prop_assert_eq!(properties.len(), 1);
            prop_assert!(
                body.contains_key(&properties[0]),
                "{:?} was not sent",
                properties
            );
            Ok(None)
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Any bytes as a body that must be a JSON object: read, or a 400.
    #[test]
    fn any_body_is_an_object_or_a_400(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        use axum::extract::FromRequest;
        let request = axum::http::Request::new(axum::body::Body::from(bytes));
        let read = block_on(idcheck_gateway::routes::JsonObject::from_request(request, &()));
        if let Err(error) = read {
            prop_assert_eq!(refusal(error).0, StatusCode::BAD_REQUEST);
        }
    }

    /// Any check body: only the member's fields survive the scope, with the token's ids and the
    /// manual provider; the typed view is accepted or a 400 naming a field sent; the member rules
    /// name a property for each violation.
    #[test]
    fn any_check_body_is_scoped_then_read_or_refused_naming_a_property(
        fields in proptest::collection::btree_map(key(), leaf(), 0..8)
    ) {
        let body: Map<String, Value> = fields.into_iter().collect();
        let scoped = idcheck_gateway::scope::check_body(MEMBER, &body);
        let allowed = [
            "Name", "VerificationType", "IdentityDocumentType", "IdentityDocumentNumber",
            "IdentityDocumentIssuedBy", "IdentityDocumentExpirationDate", "AddressDocumentType",
            "Description", "BusinessId", "CoworkerId", "IdentityCheckProvider",
        ];
        prop_assert!(scoped.keys().all(|k| allowed.contains(&k.as_str())), "{:?}", scoped);
        prop_assert_eq!(&scoped["CoworkerId"], &json!(7));
        prop_assert_eq!(&scoped["BusinessId"], &json!(3));
        prop_assert_eq!(&scoped["IdentityCheckProvider"], &json!(1));
        if let Some(check) = assert_typed_or_named::<idcheck_core::model::NewCoworkerIdentityCheck>(&scoped)? {
            let today = idcheck_core::date::Date::of_unix_seconds(1_800_000_000);
            for violation in idcheck_core::rules::check_identity_check(&check, today) {
                prop_assert!(!violation.property.is_empty(), "{:?}", violation);
            }
        }
    }

    /// Any document body: only the member's fields, the token's coworker; read or a 400 naming a
    /// field sent.
    #[test]
    fn any_document_body_is_scoped_then_read_or_refused_naming_a_property(
        fields in proptest::collection::btree_map(key(), leaf(), 0..8)
    ) {
        let body: Map<String, Value> = fields.into_iter().collect();
        let scoped = idcheck_gateway::scope::document_body(MEMBER, &body);
        let allowed = [
            "CoworkerIdentityCheckId", "Name", "NewPhotoUrl", "NewDocumentUrl",
            "NewAdditionalDocumentUrl", "Notes", "CoworkerId",
        ];
        prop_assert!(scoped.keys().all(|k| allowed.contains(&k.as_str())), "{:?}", scoped);
        prop_assert_eq!(&scoped["CoworkerId"], &json!(7));
        if let Some(document) = assert_typed_or_named::<idcheck_core::model::NewCoworkerIdentityCheckDocument>(&scoped)? {
            for violation in idcheck_core::rules::check_identity_check_document(&document) {
                prop_assert!(!violation.property.is_empty(), "{:?}", violation);
            }
        }
    }

    /// Any `Idempotency-Key` a client can send: taken, or a 400 naming `Idempotency-Key`.
    #[test]
    fn any_idempotency_key_is_taken_or_a_400_naming_it(
        value in proptest::collection::vec(prop_oneof![0x20u8..0x7f, 0x80u8..=0xff, Just(b'\t')], 0..300)
    ) {
        let Ok(value) = axum::http::HeaderValue::from_bytes(&value) else {
            return Ok(());
        };
        let mut headers = axum::http::HeaderMap::new();
        headers.insert("idempotency-key", value);
        match idcheck_gateway::idempotency::key(&headers, 7, "checks", b"{}") {
            Ok(key) => prop_assert!(key.is_some()),
            Err(error) => prop_assert_eq!(
                refusal(error),
                (StatusCode::BAD_REQUEST, vec!["Idempotency-Key".to_string()])
            ),
        }
    }

    /// Who a mint or a check request names: both ids positive, or a 400 naming the one at fault;
    /// a lifetime within bounds, or a 400 naming `ExpiresInSeconds`.
    #[test]
    fn any_named_member_and_lifetime_is_taken_or_a_400_naming_it(
        coworker in proptest::option::of(any::<i64>()),
        business in proptest::option::of(any::<i64>()),
        seconds in proptest::option::of(any::<i64>()),
    ) {
        match idcheck_gateway::routes::tokens::named_member(coworker, business) {
            Ok(member) => prop_assert!(member.coworker_id > 0 && member.business_id > 0),
            Err(error) => {
                let (status, properties) = refusal(error);
                prop_assert_eq!(status, StatusCode::BAD_REQUEST);
                let at_fault = if coworker.is_some_and(|id| id > 0) { "BusinessId" } else { "CoworkerId" };
                prop_assert_eq!(properties, vec![at_fault.to_string()]);
            }
        }
        if let Err(error) = idcheck_gateway::member::token_lifetime(seconds) {
            prop_assert_eq!(
                refusal(error),
                (StatusCode::BAD_REQUEST, vec!["ExpiresInSeconds".to_string()])
            );
        }
    }

    /// Any list query: the coworker filter is the member's, once, whatever was asked; and any
    /// query is searched for a token without a panic.
    #[test]
    fn any_list_query_is_scoped_to_the_member(query in ".{0,80}") {
        let filter = "CoworkerIdentityCheck_Coworker";
        let scoped = idcheck_gateway::routes::scoped_query(Some(&query), filter, MEMBER);
        let url = reqwest::Url::parse(&format!("http://q.invalid/?{scoped}")).unwrap();
        let filters: Vec<String> = url
            .query_pairs()
            .filter(|(k, _)| k.eq_ignore_ascii_case(filter))
            .map(|(_, v)| v.into_owned())
            .collect();
        prop_assert_eq!(filters, vec!["7".to_string()]);
        let _ = idcheck_gateway::layers::token_in_query(&query);
    }

    /// Any page is searched for inline scripts without a panic.
    #[test]
    fn any_page_is_hashed_without_a_panic(html in "(<script[ a-z=\"'>/]{0,12}|</script>|.{0,8}){0,12}") {
        for hash in idcheck_gateway::layers::inline_script_hashes(&html) {
            prop_assert!(hash.starts_with("sha256-") && hash.len() == 7 + 44, "{}", hash);
        }
    }
}

// Delivery

/// The build writes `.br` and `.gz` beside each asset: the gateway sends the one the browser
/// accepts, says so, and lets a cache keep a file for ever only when its address names its
/// version.
#[tokio::test]
async fn assets_are_sent_precompressed_and_cached_by_version() {
    let double = Double::start().await;
    let dist = dist();
    std::fs::write(dist.path().join("idcheck.js.br"), "brotli bytes").unwrap();
    std::fs::write(dist.path().join("idcheck.js.gz"), "gzip bytes").unwrap();
    let gateway = Gateway::start_configured(
        &double,
        ":memory:",
        &["--dist", &dist.path().display().to_string()],
    )
    .await;
    let fetch = |path: &'static str, accept: &'static str| {
        let request = gateway.request(Method::GET, path, None);
        if accept.is_empty() {
            request
        } else {
            request.header("accept-encoding", accept)
        }
    };

    for (accept, body, encoding) in [
        ("gzip, deflate, br", "brotli bytes", Some("br")),
        ("gzip", "gzip bytes", Some("gzip")),
        ("", "export default function init() {}", None),
    ] {
        let answer = gateway.send(fetch("/idcheck.js", accept)).await;
        assert_eq!(answer.status, StatusCode::OK, "{answer}");
        assert_eq!(answer.text(), body, "Accept-Encoding: {accept}");
        assert_eq!(
            answer
                .headers
                .get("content-encoding")
                .map(|value| value.to_str().unwrap()),
            encoding
        );
        assert_eq!(header(&answer, "content-type"), "text/javascript");
        assert_eq!(header(&answer, "vary"), "accept-encoding");
        assert_eq!(header(&answer, "cache-control"), "no-cache");
    }

    let versioned = gateway.send(fetch("/idcheck.js?v=3f2a", "br")).await;
    assert_eq!(versioned.text(), "brotli bytes");
    assert_eq!(
        header(&versioned, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    // An unknown file is answered with the page, which is never kept without asking, whatever
    // its address says.
    let missing = gateway.send(fetch("/nothing.js?v=1", "")).await;
    assert!(missing.text().starts_with("<!doctype html>"), "{missing}");
    assert_eq!(header(&missing, "cache-control"), "no-cache");
}
