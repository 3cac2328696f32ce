//! What the contract tests share: a real `idcheck-server` process on loopback (in-memory database,
//! fault injection on), its demo users, an HTTP client, image bytes, and a tiny loopback file
//! server standing in for the remote URLs a record may name.

#![allow(dead_code)] // Each test binary uses a different part of this module.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use reqwest::{Method, RequestBuilder, Response};
use serde_json::{Value, json};

/// A running server, killed when dropped.
pub struct Server {
    child: Child,
    pub url: String,
    /// `(login, password, roles)` as announced on stdout.
    pub users: Vec<(String, String, String)>,
    pub client: reqwest::Client,
}

impl Server {
    /// A server without rate limits: most tests send requests faster than Nexudus allows.
    pub async fn start() -> Server {
        Server::start_with(&["--no-rate-limit"]).await
    }

    /// A server with `--listen 127.0.0.1:0 --database :memory: --fault-injection` and `extra`.
    pub async fn start_with(extra: &[&str]) -> Server {
        let mut args = vec![
            "--listen",
            "127.0.0.1:0",
            "--database",
            ":memory:",
            "--fault-injection",
        ];
        args.extend_from_slice(extra);
        Server::spawn(&args).await
    }

    pub async fn spawn(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_idcheck-server"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server binary starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, receiver) = mpsc::channel();
        // Keep reading after the announcement, so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut users = Vec::new();
            let mut announced = false;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if announced {
                    continue;
                }
                if let Some(url) = line.strip_prefix("listening on ") {
                    announced = true;
                    let _ = sender.send((url.trim().to_string(), std::mem::take(&mut users)));
                } else if let Some(user) = parse_demo_user(&line) {
                    users.push(user);
                }
            }
        });
        let (url, users) =
            tokio::task::spawn_blocking(move || receiver.recv_timeout(Duration::from_secs(60)))
                .await
                .expect("the reader thread")
                .expect("the server announces `listening on`");
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("a client");
        Server {
            child,
            url,
            users,
            client,
        }
    }

    /// The password of the demo user whose login starts with `who` (`admin`, `member`, `reviewer`).
    pub fn password(&self, who: &str) -> (String, String) {
        let (login, password, _) = self
            .users
            .iter()
            .find(|(login, _, _)| login.starts_with(who))
            .unwrap_or_else(|| panic!("no demo user {who}"));
        (login.clone(), password.clone())
    }

    /// Logs `who` in with the password grant and returns the access token.
    pub async fn token(&self, who: &str) -> String {
        let (login, password) = self.password(who);
        let response = self
            .client
            .post(self.at("/api/token"))
            .form(&[
                ("grant_type", "password"),
                ("username", &login),
                ("password", &password),
            ])
            .send()
            .await
            .expect("the token call");
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.expect("JSON");
        body["access_token"]
            .as_str()
            .expect("an access token")
            .to_string()
    }

    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let builder = self.client.request(method, self.at(path));
        match token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    /// Sends `body` (or nothing) and returns the status and the JSON answer.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut builder = self.request(method, path, token);
        if let Some(body) = body {
            builder = builder.json(&body);
        }
        answer(builder.send().await.expect("the request is answered")).await
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    /// Creates a check from `body` and returns its id, failing the test on any refusal.
    pub async fn create_check(&self, token: &str, body: Value) -> i64 {
        let (status, answer) = self.post(CHECKS, token, body).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        answer["Value"]["Id"].as_i64().expect("an id")
    }

    pub async fn create_document(&self, token: &str, body: Value) -> i64 {
        let (status, answer) = self.post(DOCUMENTS, token, body).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        answer["Value"]["Id"].as_i64().expect("an id")
    }

    pub async fn check(&self, token: &str, id: i64) -> Value {
        let (status, record) = self.get(&format!("{CHECKS}/{id}"), token).await;
        assert_eq!(status, StatusCode::OK, "{record}");
        record
    }

    pub async fn document(&self, token: &str, id: i64) -> Value {
        let (status, record) = self.get(&format!("{DOCUMENTS}/{id}"), token).await;
        assert_eq!(status, StatusCode::OK, "{record}");
        record
    }

    /// How many records the list at `path` (with its filters) counts.
    pub async fn count(&self, token: &str, path: &str) -> u64 {
        let (status, list) = self.get(path, token).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        list["TotalItems"].as_u64().expect("TotalItems")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn answer(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("a body");
    let json =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    (status, json)
}

fn parse_demo_user(line: &str) -> Option<(String, String, String)> {
    let rest = line.strip_prefix("demo user: ")?;
    let (name, rest) = rest.split_once(" password: ")?;
    let (password, roles) = rest.split_once(" roles: ")?;
    Some((name.to_string(), password.to_string(), roles.to_string()))
}

pub const CHECKS: &str = "/api/spaces/coworkeridentitychecks";
pub const DOCUMENTS: &str = "/api/spaces/coworkeridentitycheckdocuments";

/// A valid identity check body for coworker 1 of business 1, document type `document_type`.
pub fn identity_check(document_type: u16) -> Value {
    json!({
        "BusinessId": 1,
        "CoworkerId": 1,
        "Name": "Identity check",
        "VerificationType": 1,
        "IdentityCheckProvider": 1,
        "IdentityDocumentType": document_type,
        "IdentityDocumentNumber": "X1234567",
        "IdentityDocumentIssuedBy": "HM Passport Office",
        "IdentityDocumentExpirationDate": "2099-05-01"
    })
}

/// A valid address check body for coworker 1 of business 1.
pub fn address_check(document_type: u16) -> Value {
    json!({
        "BusinessId": 1,
        "CoworkerId": 1,
        "Name": "Address check",
        "VerificationType": 2,
        "AddressDocumentType": document_type
    })
}

/// `base` with `fields` merged in; a `null` field removes it.
pub fn with(base: Value, fields: Value) -> Value {
    let (Value::Object(mut base), Value::Object(fields)) = (base, fields) else {
        panic!("objects only");
    };
    for (key, value) in fields {
        if value.is_null() {
            base.remove(&key);
        } else {
            base.insert(key, value);
        }
    }
    Value::Object(base)
}

/// Image-shaped bytes: the type's magic number, padded to `length`. The server sniffs the magic
/// number, as the core's rules say, so this is what a real photo looks like to it.
pub fn jpeg(length: usize) -> Vec<u8> {
    padded(
        &[
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00,
        ],
        length,
    )
}

pub fn png(length: usize) -> Vec<u8> {
    padded(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", length)
}

pub fn webp(length: usize) -> Vec<u8> {
    padded(b"RIFF\x24\x00\x00\x00WEBPVP8 ", length)
}

fn padded(header: &[u8], length: usize) -> Vec<u8> {
    let mut bytes = header.to_vec();
    // A varying pattern, so a truncated or shuffled copy is noticed by equality checks.
    bytes.extend((0..length.saturating_sub(header.len())).map(|i| (i % 251) as u8));
    bytes
}

pub fn data_url(mime: &str, bytes: &[u8]) -> String {
    format!("data:{mime};base64,{}", base64(bytes))
}

pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A loopback file server for `New…Url`s: `/face.jpg`, `/front.png`, `/back.webp` are images,
/// `/tiny.webp` is a 20-byte one (far under the member rules' 100 bytes), `/notes.txt` is text,
/// anything else is a 404.
pub struct FileServer {
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

impl FileServer {
    pub async fn start() -> FileServer {
        let app = Router::new()
            .route(
                "/face.jpg",
                get(|| async { ([(header::CONTENT_TYPE, "image/jpeg")], jpeg(2048)) }),
            )
            .route(
                "/front.png",
                get(|| async { ([(header::CONTENT_TYPE, "image/png")], png(3000)) }),
            )
            .route(
                "/back.webp",
                get(|| async { ([(header::CONTENT_TYPE, "image/webp")], webp(1500)) }),
            )
            .route(
                "/tiny.webp",
                get(|| async { ([(header::CONTENT_TYPE, "image/webp")], webp(20)) }),
            )
            // Declared as an image, but the bytes are not one: the server must sniff, not trust.
            .route(
                "/notes.txt",
                get(|| async {
                    (
                        [(header::CONTENT_TYPE, "image/jpeg")],
                        "not an image, only some text ".repeat(10),
                    )
                        .into_response()
                }),
            );
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FileServer { url, task }
    }

    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }
}

impl Drop for FileServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
