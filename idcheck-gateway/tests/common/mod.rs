//! What the gateway's integration tests share: the double (`idcheck-server`, playing Nexudus and
//! MasStack) served in-process on loopback behind a recorder of every request it answers, the
//! gateway started as its real binary against it, and helpers to mint member tokens, call the
//! gateway, read the double straight and make real JPEG images.

#![allow(dead_code)] // Each test binary uses a different part of this module.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// The account the gateway signs in to Nexudus with: the one upstream login of every test.
pub const UPSTREAM_LOGIN: (&str, &str) = ("gateway@example.com", "gateway-demo-password");
/// The double's administrator, whose access token is the gateway's MasStack token.
pub const ADMIN: (&str, &str) = ("admin@example.com", "admin-demo-password");
/// The unscoped account the tests read the double with. Not the administrator: the double keeps
/// one rate-limit history per user, and the administrator's is the gateway's own for MasStack, so
/// reading as the administrator would earn the gateway 409s the tests did not mean to cause.
pub const READER: (&str, &str) = ("reviewer@example.com", "reviewer-demo-password");

pub const CHECKS: &str = "/api/spaces/coworkeridentitychecks";
pub const DOCUMENTS: &str = "/api/spaces/coworkeridentitycheckdocuments";
pub const MASSTACK_ORG: &str = "masmovil";

/// How long one HTTP call of a test may take (the gateway may wait its turn upstream).
const CALL_TIMEOUT: Duration = Duration::from_secs(120);
/// How long the gateway may take to announce its address.
const START_TIMEOUT: Duration = Duration::from_secs(30);

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(CALL_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .expect("an HTTP client")
}

// ---------------------------------------------------------------------------------------------
// The double, in-process.

/// One request the double answered.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// The path and query.
    pub path: String,
    pub status: u16,
    pub bearer: Option<String>,
    /// When it arrived.
    pub at: Instant,
}

/// Every request the double answered, and every token its `/api/token` handed out.
#[derive(Default)]
pub struct Recorder {
    seen: Mutex<Vec<Seen>>,
    issued: Mutex<Vec<String>>,
}

impl Recorder {
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Every access and refresh token the double issued, to anyone.
    pub fn issued(&self) -> Vec<String> {
        self.issued.lock().unwrap().clone()
    }
}

/// Middleware around the double's whole router: records each request and reads the tokens out of
/// the token endpoint's answers.
async fn record(State(recorder): State<Arc<Recorder>>, request: Request, next: Next) -> Response {
    let at = Instant::now();
    let method = request.method().to_string();
    let path = request
        .uri()
        .path_and_query()
        .map_or_else(|| request.uri().path().to_string(), |p| p.to_string());
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .map(|(_, token)| token.trim().to_string());
    let mut response = next.run(request).await;
    let status = response.status().as_u16();
    if path.starts_with("/api/token") && response.status().is_success() {
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, 1 << 20)
            .await
            .unwrap_or_default();
        if let Ok(answer) = serde_json::from_slice::<Value>(&bytes) {
            let mut issued = recorder.issued.lock().unwrap();
            for field in ["access_token", "refresh_token"] {
                if let Some(token) = answer[field].as_str() {
                    issued.push(token.to_string());
                }
            }
        }
        response = Response::from_parts(parts, Body::from(bytes));
    }
    recorder.seen.lock().unwrap().push(Seen {
        method,
        path,
        status,
        bearer,
        at,
    });
    response
}

/// The double (`idcheck-server`) served in this process on a loopback port, aborted when dropped.
pub struct Double {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    /// Its database, for what only a test may do (revoking the gateway's upstream tokens).
    pub db: idcheck_server::db::Db,
    pub recorder: Arc<Recorder>,
    /// The administrator's access token: the gateway's MasStack token.
    pub admin_token: String,
    reader_token: String,
    /// When the tests' own sign-ins were over: what the double answered before is theirs.
    ready_at: Instant,
    /// When the reader last called: its reads keep the double's 100 ms spacing.
    last_read: tokio::sync::Mutex<Option<Instant>>,
    client: reqwest::Client,
    task: JoinHandle<()>,
}

impl Double {
    /// The double with Nexudus' default rate limits.
    pub async fn start() -> Double {
        Double::start_with(&[]).await
    }

    /// `--listen 127.0.0.1:0 --database :memory:`, fetching from loopback (where the gateway
    /// under test keeps its uploads), and `extra` flags.
    pub async fn start_with(extra: &[&str]) -> Double {
        let mut args: Vec<String> = [
            "--listen",
            "127.0.0.1:0",
            "--database",
            ":memory:",
            "--allow-private-fetch",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(extra.iter().map(|s| s.to_string()));
        let config = match idcheck_server::parse_args(args).expect("the double's flags") {
            idcheck_server::Command::Run(config) => *config,
            idcheck_server::Command::Help => panic!("the double was asked for help"),
        };
        let db = idcheck_server::db::Db::open(&config.database).expect("the double's database");
        let files = idcheck_server::files::FileStore::open(None).expect("the double's file folder");
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("a loopback port for the double");
        let bound = listener.local_addr().expect("the double's address");
        let state = idcheck_server::state::AppState::new(&config, db.clone(), files, bound)
            .expect("the double's state");
        let recorder = Arc::new(Recorder::default());
        let app = idcheck_server::app(state)
            .layer(middleware::from_fn_with_state(recorder.clone(), record));
        let task = tokio::spawn(async move {
            let _ = axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await;
        });
        let mut double = Double {
            url: format!("http://{bound}"),
            db,
            recorder,
            admin_token: String::new(),
            reader_token: String::new(),
            ready_at: Instant::now(),
            last_read: tokio::sync::Mutex::new(None),
            client: client(),
            task,
        };
        // The double keys the token endpoint's limit (one request per 100 ms) by the client's
        // address, which these grants and the gateway's share: space them out.
        double.admin_token = double.password_grant(ADMIN.0, ADMIN.1).await;
        tokio::time::sleep(Duration::from_millis(150)).await;
        double.reader_token = double.password_grant(READER.0, READER.1).await;
        tokio::time::sleep(Duration::from_millis(150)).await;
        double.ready_at = Instant::now();
        double
    }

    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// The password grant at `/api/token`; the access token. A 409 (the double keys the token
    /// endpoint's rate limit by the client's address, shared by every login here) is waited out.
    pub async fn password_grant(&self, login: &str, password: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let response = self
                .client
                .post(self.at("/api/token"))
                .form(&[
                    ("grant_type", "password"),
                    ("username", login),
                    ("password", password),
                ])
                .send()
                .await
                .expect("the double answers /api/token");
            let status = response.status();
            if status == StatusCode::CONFLICT && Instant::now() < deadline {
                tokio::time::sleep(retry_after(response.headers())).await;
                continue;
            }
            let body: Value = response.json().await.expect("a JSON token answer");
            assert_eq!(status, StatusCode::OK, "password grant for {login}: {body}");
            return body["access_token"]
                .as_str()
                .expect("an access token")
                .to_string();
        }
    }

    /// Reads `path` straight from the double with an unscoped account; 409s are waited out.
    pub async fn read(&self, path: &str) -> (StatusCode, Value) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut last_read = self.last_read.lock().await;
        loop {
            if let Some(last) = *last_read {
                tokio::time::sleep_until(last + Duration::from_millis(120)).await;
            }
            *last_read = Some(Instant::now());
            let response = self
                .client
                .get(self.at(path))
                .bearer_auth(&self.reader_token)
                .send()
                .await
                .expect("the double answers");
            let status = response.status();
            if status == StatusCode::CONFLICT && Instant::now() < deadline {
                tokio::time::sleep(retry_after(response.headers())).await;
                continue;
            }
            let text = response.text().await.expect("a body");
            return (status, serde_json::from_str(&text).unwrap_or(Value::Null));
        }
    }

    /// A check or document as the double stores it.
    pub async fn record(&self, path: &str) -> Value {
        let (status, body) = self.read(path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        body
    }

    /// Every record of a list (one page of up to 1000), with `filters` (`a=1&b=2`).
    pub async fn records(&self, resource: &str, filters: &str) -> Vec<Value> {
        let path = format!("{resource}?size=1000&{filters}");
        let (status, body) = self.read(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        let records = body["Records"].as_array().expect("Records").clone();
        assert_eq!(
            body["TotalItems"].as_u64(),
            Some(records.len() as u64),
            "{path}: more than one page"
        );
        records
    }

    /// The 409s the double answered to anyone but the tests themselves (their sign-ins and their
    /// reader), each described with the time since the previous request of the same caller.
    pub fn conflicts(&self) -> Vec<String> {
        let mut seen = self.recorder.seen();
        seen.sort_by_key(|s| s.at);
        seen.iter()
            .enumerate()
            .filter(|(_, s)| {
                s.status == 409
                    && s.at >= self.ready_at
                    && s.bearer.as_deref() != Some(&self.reader_token)
            })
            .map(|(index, s)| {
                let previous = seen[..index]
                    .iter()
                    .rev()
                    .find(|p| p.bearer == s.bearer)
                    .map(|p| format!("{:?} after {} {}", s.at - p.at, p.method, p.path));
                format!(
                    "{} {}: 409, {}",
                    s.method,
                    s.path,
                    previous.unwrap_or_default()
                )
            })
            .collect()
    }

    /// Revokes the upstream login's access tokens (and its refresh tokens too with `all`), as if
    /// Nexudus had expired them: the gateway's next call is answered 401.
    pub async fn revoke_upstream_tokens(&self, all: bool) {
        let login = UPSTREAM_LOGIN.0;
        let kinds = if all {
            "'access', 'refresh'"
        } else {
            "'access'"
        };
        let removed = self
            .db
            .call(move |c| {
                Ok(c.execute(
                    &format!(
                        "DELETE FROM tokens WHERE kind IN ({kinds}) AND user_id = \
                         (SELECT id FROM users WHERE email = ?1)"
                    ),
                    [login],
                )?)
            })
            .await
            .expect("the tokens are revoked");
        assert!(removed > 0, "the upstream login held no token to revoke");
    }
}

impl Drop for Double {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A `Retry-After` in seconds, at least 100 ms and at most 5 s (the tests' own waits).
pub fn retry_after(headers: &HeaderMap) -> Duration {
    let seconds = headers
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(1);
    Duration::from_secs(seconds.min(5)).max(Duration::from_millis(100))
}

// ---------------------------------------------------------------------------------------------
// The gateway, as its binary.

/// An answer of the gateway.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
    /// The body as JSON, `Null` when it is not JSON.
    pub json: Value,
}

impl Answer {
    /// The `PropertyName`s of the envelope's `Errors`.
    pub fn error_properties(&self) -> Vec<String> {
        self.json["Errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["PropertyName"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

impl std::fmt::Display for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.text())
    }
}

/// The gateway's process, killed when dropped, with everything it printed.
pub struct Gateway {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    pub operator_key: String,
    pub masstack_token: String,
    output: Arc<Mutex<Vec<String>>>,
    /// Every answer (status, headers and body) the tests received from the gateway.
    answers: Mutex<Vec<String>>,
    /// Every member token handed to the tests (minted or redeemed).
    minted: Mutex<Vec<String>>,
    client: reqwest::Client,
    _child: tokio::process::Child,
}

impl Gateway {
    /// The gateway with an in-memory database, in front of `double`.
    pub async fn start(double: &Double) -> Gateway {
        Gateway::start_with(double, ":memory:").await
    }

    /// The gateway with `--database database`.
    pub async fn start_with(double: &Double, database: &str) -> Gateway {
        Gateway::start_configured(double, database, &[]).await
    }

    /// The gateway with `--database database` and `extra` flags.
    pub async fn start_configured(double: &Double, database: &str, extra: &[&str]) -> Gateway {
        let operator_key = idcheck_gateway::member::random_hex::<24>();
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_idcheck-gateway"))
            .args([
                "--listen",
                "127.0.0.1:0",
                "--database",
                database,
                "--upstream-nexudus",
                &double.at("/api"),
                "--upstream-masstack",
                &double.at("/v1"),
            ])
            .args(extra)
            .env("IDCHECK_OPERATOR_KEY", &operator_key)
            .env("IDCHECK_UPSTREAM_USER", UPSTREAM_LOGIN.0)
            .env("IDCHECK_UPSTREAM_PASSWORD", UPSTREAM_LOGIN.1)
            .env("IDCHECK_MASSTACK_TOKEN", &double.admin_token)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the gateway binary starts");
        let output = Arc::new(Mutex::new(Vec::new()));
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        for (stream, name) in [
            (
                Box::new(stdout) as Box<dyn tokio::io::AsyncRead + Send + Unpin>,
                "stdout",
            ),
            (Box::new(stderr), "stderr"),
        ] {
            let output = output.clone();
            // Read to the end, so the gateway never blocks on a full pipe.
            tokio::spawn(async move {
                let mut lines = BufReader::new(stream).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    output.lock().unwrap().push(format!("{name}: {line}"));
                }
            });
        }
        let deadline = Instant::now() + START_TIMEOUT;
        let url = loop {
            let announced = output.lock().unwrap().iter().find_map(|line| {
                line.strip_prefix("stdout: listening on ")
                    .map(|url| url.trim().to_string())
            });
            if let Some(url) = announced {
                break url;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "the gateway exited ({status}) before listening:\n{}",
                    output.lock().unwrap().join("\n")
                );
            }
            assert!(
                Instant::now() < deadline,
                "the gateway did not announce `listening on` within {START_TIMEOUT:?}:\n{}",
                output.lock().unwrap().join("\n")
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        Gateway {
            url,
            operator_key,
            masstack_token: double.admin_token.clone(),
            output,
            answers: Mutex::new(Vec::new()),
            minted: Mutex::new(Vec::new()),
            client: client(),
            _child: child,
        }
    }

    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// Every line the gateway printed so far, `stdout: …` or `stderr: …`.
    pub fn output(&self) -> Vec<String> {
        self.output.lock().unwrap().clone()
    }

    /// Every answer received so far, as text (status, headers, body).
    pub fn answers(&self) -> Vec<String> {
        self.answers.lock().unwrap().clone()
    }

    /// Every member token the tests were handed.
    pub fn minted(&self) -> Vec<String> {
        self.minted.lock().unwrap().clone()
    }

    /// Sends a request and records the answer; a request the gateway does not answer fails the test.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        self.try_send(request)
            .await
            .unwrap_or_else(|err| panic!("the gateway did not answer: {err}"))
    }

    /// Sends a request and records the answer, or says why there is none.
    pub async fn try_send(&self, request: reqwest::RequestBuilder) -> Result<Answer, String> {
        let response = request
            .send()
            .await
            .map_err(|err| format!("no answer: {err}"))?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .bytes()
            .await
            .map_err(|err| format!("{status} with no whole body: {err}"))?
            .to_vec();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let answer = Answer {
            status,
            headers,
            bytes,
            json,
        };
        let mut text = format!("{}\n", answer.status);
        for (name, value) in &answer.headers {
            text.push_str(&format!(
                "{name}: {}\n",
                String::from_utf8_lossy(value.as_bytes())
            ));
        }
        text.push_str(&answer.text());
        self.answers.lock().unwrap().push(text);
        Ok(answer)
    }

    pub fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let builder = self.client.request(method, self.at(path));
        match token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut builder = self.request(method, path, token);
        if let Some(body) = body {
            builder = builder.json(&body);
        }
        self.send(builder).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Answer {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }

    /// `POST /api/member-tokens` with the operator key.
    pub async fn mint_with(&self, body: Value) -> Answer {
        let answer = self
            .call(
                Method::POST,
                "/api/member-tokens",
                Some(self.operator_key.as_str()),
                Some(body),
            )
            .await;
        if let Some(token) = answer.json["access_token"].as_str() {
            self.minted.lock().unwrap().push(token.to_string());
        }
        answer
    }

    /// A member token for coworker `coworker` of business `business`.
    pub async fn mint(&self, coworker: i64, business: i64) -> String {
        let answer = self
            .mint_with(json!({"CoworkerId": coworker, "BusinessId": business}))
            .await;
        assert_eq!(answer.status, StatusCode::OK, "minting: {answer}");
        answer.json["access_token"]
            .as_str()
            .expect("an access token")
            .to_string()
    }

    /// `POST /api/invitations/redeem` (no authorisation).
    pub async fn redeem(&self, code: &str) -> Answer {
        let answer = self
            .call(
                Method::POST,
                "/api/invitations/redeem",
                None,
                Some(json!({"Code": code})),
            )
            .await;
        if let Some(token) = answer.json["access_token"].as_str() {
            self.minted.lock().unwrap().push(token.to_string());
        }
        answer
    }

    /// `POST /api/check-requests` with the operator key.
    pub async fn request_checks(&self, coworker: i64, business: i64, verify: &str) -> Value {
        let answer = self
            .call(
                Method::POST,
                "/api/check-requests",
                Some(self.operator_key.as_str()),
                Some(json!({"CoworkerId": coworker, "BusinessId": business, "Verify": verify})),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "check request: {answer}");
        answer.json
    }

    /// Uploads raw image bytes; the answer.
    pub async fn upload_answer(&self, token: &str, bytes: Vec<u8>) -> Answer {
        let request = self
            .request(Method::POST, "/api/uploads", Some(token))
            .header(header::CONTENT_TYPE, "image/jpeg")
            .body(bytes);
        self.send(request).await
    }

    /// Uploads raw image bytes; the URL to name in a document.
    pub async fn upload(&self, token: &str, bytes: Vec<u8>) -> String {
        let answer = self.upload_answer(token, bytes).await;
        assert_eq!(answer.status, StatusCode::OK, "upload: {answer}");
        answer.json["Url"].as_str().expect("a Url").to_string()
    }

    /// Creates a check; its id.
    pub async fn create_check(&self, token: &str, body: Value) -> i64 {
        let answer = self.post(CHECKS, token, body).await;
        assert_eq!(answer.status, StatusCode::OK, "creating a check: {answer}");
        answer.json["Value"]["Id"].as_i64().expect("an id")
    }

    /// Creates a document; its id.
    pub async fn create_document(&self, token: &str, body: Value) -> i64 {
        let answer = self.post(DOCUMENTS, token, body).await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "creating a document: {answer}"
        );
        answer.json["Value"]["Id"].as_i64().expect("an id")
    }

    /// A passport check with a face photo and a front, as a member sends them: the check's and
    /// the document's ids.
    pub async fn passport_with_document(&self, token: &str, seed: u8) -> (i64, i64) {
        let check = self.create_check(token, passport_check()).await;
        let photo = self.upload(token, jpeg(seed)).await;
        let front = self.upload(token, jpeg(seed.wrapping_add(1))).await;
        let document = self
            .create_document(token, document(check, Some(&photo), Some(&front)))
            .await;
        (check, document)
    }
}

// ---------------------------------------------------------------------------------------------
// Bodies and images.

/// A passport check as a member fills it in (no ids: the gateway sets them from the token).
pub fn passport_check() -> Value {
    json!({
        "Name": "Identity check",
        "VerificationType": 1,
        "IdentityDocumentType": 1,
        "IdentityDocumentNumber": "PA1234567",
        "IdentityDocumentIssuedBy": "HM Passport Office",
        "IdentityDocumentExpirationDate": "2099-05-01"
    })
}

/// A document for `check` naming `photo` and `front` (the face photo and the document's front).
pub fn document(check: i64, photo: Option<&str>, front: Option<&str>) -> Value {
    let mut body = json!({"CoworkerIdentityCheckId": check, "Name": "Passport"});
    if let Some(photo) = photo {
        body["NewPhotoUrl"] = json!(photo);
    }
    if let Some(front) = front {
        body["NewDocumentUrl"] = json!(front);
    }
    body
}

/// A valid MasStack identification request.
pub fn identification() -> Value {
    json!({
        "name": "Lucía",
        "last_name": "García Pérez",
        "identity_document": {"document_number": "X1234567L", "document_type": "NIE", "country": "ES"},
        "expires_in": "P7D"
    })
}

/// A real baseline JPEG (64×48, a gradient shifted by `seed`), well over the 100-byte minimum.
pub fn jpeg(seed: u8) -> Vec<u8> {
    let (width, height) = (64u16, 48u16);
    let mut rgb = Vec::with_capacity(usize::from(width) * usize::from(height) * 3);
    for y in 0..height {
        for x in 0..width {
            rgb.extend_from_slice(&[
                (x as u8).wrapping_mul(4).wrapping_add(seed),
                (y as u8).wrapping_mul(5),
                seed.wrapping_mul(7),
            ]);
        }
    }
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 85)
        .encode(&rgb, width, height, jpeg_encoder::ColorType::Rgb)
        .expect("a JPEG");
    assert!(out.len() >= 100 && out.starts_with(&[0xFF, 0xD8, 0xFF]));
    out
}

/// `value` with every whole-word occurrence of `id` (in strings, and as a number or string
/// value) replaced by `{id}`, so two "not found" answers for different ids can be compared.
pub fn masked(value: &Value, id: &str) -> Value {
    match value {
        Value::String(text) => {
            if text == id {
                return json!("{id}");
            }
            let mut out = String::new();
            let mut word = String::new();
            let flush = |word: &mut String, out: &mut String| {
                out.push_str(if word == id { "{id}" } else { word });
                word.clear();
            };
            for c in text.chars() {
                if c.is_ascii_alphanumeric() || c == '-' {
                    word.push(c);
                } else {
                    flush(&mut word, &mut out);
                    out.push(c);
                }
            }
            flush(&mut word, &mut out);
            Value::String(out)
        }
        Value::Number(n) if n.to_string() == id => json!("{id}"),
        Value::Array(items) => Value::Array(items.iter().map(|v| masked(v, id)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), masked(v, id)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Asserts that `other` (an answer about someone else's record `other_id`) is the very answer
/// `missing` (about a record `missing_id` that does not exist), ids aside.
pub fn assert_same_as_missing(
    what: &str,
    other: &Answer,
    other_id: &str,
    missing: &Answer,
    missing_id: &str,
) {
    assert_eq!(
        other.status, missing.status,
        "{what}: another member's record answers {other}, a missing one {missing}"
    );
    assert_eq!(
        masked(&other.json, other_id),
        masked(&missing.json, missing_id),
        "{what}: another member's record answers {other}, a missing one {missing}"
    );
    assert_ne!(other.json, Value::Null, "{what}: {other}");
}

/// A fresh folder under the system's temporary folder, removed when dropped.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!(
            "idcheck-gateway-{label}-{}-{}",
            std::process::id(),
            idcheck_gateway::member::random_hex::<6>()
        ));
        std::fs::create_dir_all(&path).expect("a temporary folder");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
