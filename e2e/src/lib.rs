//! The harness of the end-to-end tests: starts the local API server (playing Nexudus), the member
//! gateway in front of it serving the built component, a ChromeDriver, and a headless Chromium with a
//! fake camera, and offers the few helpers the tests share. The browser talks only to the gateway,
//! as a member with a minted token; the tests read the records back from the API server, as an
//! operator would.
//!
//! `cargo xtask test` builds what the harness needs and says where it is through the environment
//! (`IDCHECK_DIST`, `IDCHECK_SERVER_BIN`, `IDCHECK_GATEWAY_BIN`, `CHROMEDRIVER`, `CHROMIUM`); a test run without them fails
//! with a message saying to use `cargo xtask test`.

pub mod member;
pub mod pictures;
pub mod proxy;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The phone and desktop sizes every step is looked at in.
pub const PHONE: (u32, u32) = (390, 844);
pub const DESKTOP: (u32, u32) = (1280, 900);

fn required_env(name: &str) -> PathBuf {
    std::env::var_os(name).map(PathBuf::from).unwrap_or_else(|| {
        panic!("{name} is not set: run the end-to-end tests through `cargo xtask test`, which builds what they need")
    })
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the e2e crate lives in the workspace")
        .to_path_buf()
}

/// A free loopback port, for the ChromeDriver (it cannot pick its own and report it).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free loopback port")
}

/// The two servers a member's browser is tested against, stopped when dropped: the local API
/// server playing Nexudus and MasStack (the administrator's API), and the member gateway in front
/// of it, which serves the built component and is the only API the browser talks to.
pub struct ApiServer {
    _double: Child,
    _gateway: Child,
    /// The gateway: the pages and the member API.
    pub url: String,
    /// The local API server, for what an operator reads and does (`get_json`, faults…).
    pub api_url: String,
    operator_key: String,
    http: reqwest::Client,
}

/// The demo users the server seeds (see the server's README).
pub const ADMIN: (&str, &str) = ("admin@example.com", "admin-demo-password");
/// The account the gateway signs in to the local API server with.
pub const GATEWAY: (&str, &str) = ("gateway@example.com", "gateway-demo-password");

/// Starts `binary` with `args` and `env`, and returns it with the URL it announces.
async fn spawn_announcing(
    binary: PathBuf,
    args: &[String],
    env: &[(&str, &str)],
) -> (Child, String) {
    let mut child = Command::new(&binary)
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|err| panic!("{} starts: {err}", binary.display()));
    let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
    let url = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines
            .next_line()
            .await
            .expect("reading the server's output")
        {
            if let Some(url) = line.strip_prefix("listening on ") {
                return url.trim().to_string();
            }
        }
        panic!("{} exited before it was listening", binary.display());
    })
    .await
    .expect("the server listens within 30 s");
    // Keep draining its output so it never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, url)
}

impl ApiServer {
    /// Starts both servers; the API server without rate limits, so tests go at their own pace.
    pub async fn start(extra_args: &[&str]) -> ApiServer {
        let mut args = vec!["--no-rate-limit"];
        args.extend_from_slice(extra_args);
        ApiServer::launch(&args).await
    }

    /// Starts both servers, the API server with Nexudus' rate limits (`extra_args` may override
    /// single limits).
    pub async fn start_rate_limited(extra_args: &[&str]) -> ApiServer {
        ApiServer::launch(extra_args).await
    }

    async fn launch(extra_args: &[&str]) -> ApiServer {
        // The gateway keeps uploads on loopback: the double may fetch them only when told so.
        let mut args: Vec<String> = [
            "--listen",
            "127.0.0.1:0",
            "--database",
            ":memory:",
            "--allow-private-fetch",
        ]
        .map(String::from)
        .to_vec();
        args.extend(extra_args.iter().map(|a| a.to_string()));
        let (double, api_url) =
            spawn_announcing(required_env("IDCHECK_SERVER_BIN"), &args, &[]).await;
        let http = reqwest::Client::new();
        let masstack_token = login(&http, &api_url, ADMIN).await;
        let operator_key = format!("e2e-operator-key-{}-{}", std::process::id(), free_port());
        let dist = required_env("IDCHECK_DIST");
        let gateway_args: Vec<String> = vec![
            "--listen".into(),
            "127.0.0.1:0".into(),
            "--database".into(),
            ":memory:".into(),
            "--dist".into(),
            dist.display().to_string(),
            "--upstream-nexudus".into(),
            format!("{api_url}/api"),
            "--upstream-masstack".into(),
            format!("{api_url}/v1"),
            "--demo-portal".into(),
            "1:1".into(),
        ];
        let (gateway, url) = spawn_announcing(
            required_env("IDCHECK_GATEWAY_BIN"),
            &gateway_args,
            &[
                ("IDCHECK_OPERATOR_KEY", &operator_key),
                ("IDCHECK_UPSTREAM_USER", GATEWAY.0),
                ("IDCHECK_UPSTREAM_PASSWORD", GATEWAY.1),
                ("IDCHECK_MASSTACK_TOKEN", &masstack_token),
            ],
        )
        .await;
        ApiServer {
            _double: double,
            _gateway: gateway,
            url,
            api_url,
            operator_key,
            http,
        }
    }

    /// A member token for coworker `coworker` of business 1, minted as the operator's back end does.
    pub async fn member_token(&self, coworker: i64) -> String {
        let answer = self
            .operator(
                "/api/member-tokens",
                serde_json::json!({"CoworkerId": coworker, "BusinessId": 1}),
            )
            .await;
        answer["access_token"]
            .as_str()
            .expect("a member token")
            .to_string()
    }

    /// The operator requests a check (`identity`, `address` or `both`) of `coworker`: the
    /// invitation's code and link.
    pub async fn invite(&self, coworker: i64, verify: &str) -> (String, String) {
        let answer = self
            .operator(
                "/api/check-requests",
                serde_json::json!({"CoworkerId": coworker, "BusinessId": 1, "Verify": verify}),
            )
            .await;
        let invitation = &answer["Invitation"];
        (
            invitation["Code"].as_str().expect("a code").to_string(),
            invitation["Url"].as_str().expect("a link").to_string(),
        )
    }

    async fn operator(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        let response = self
            .http
            .post(format!("{}{path}", self.url))
            .bearer_auth(&self.operator_key)
            .json(&body)
            .send()
            .await
            .expect("the gateway answers");
        assert!(
            response.status().is_success(),
            "POST {path}: {}",
            response.status()
        );
        response.json().await.expect("a JSON answer")
    }

    /// The page URL with a configuration for the demo member (coworker 1) and a freshly minted
    /// member token, plus `extra` query settings.
    pub async fn page(&self, extra: &str) -> String {
        self.page_at(&self.url, extra).await
    }

    /// [`ApiServer::page`] served from `base` instead of the gateway's own address: a proxy in
    /// front of the gateway, through which the page's API calls then go too (the API defaults to
    /// the page's origin).
    pub async fn page_at(&self, base: &str, extra: &str) -> String {
        let token = self.member_token(1).await;
        // The token after the `#`: the page refuses one in its query string.
        format!("{base}/?business=1&coworker=1{extra}#token={token}")
    }

    /// Sends `request` as the administrator and fails the test unless it succeeds.
    async fn as_admin(&self, request: reqwest::RequestBuilder, what: &str) -> reqwest::Response {
        let token = login(&self.http, &self.api_url, ADMIN).await;
        let response = request
            .bearer_auth(token)
            .send()
            .await
            .expect("the API answers");
        assert!(
            response.status().is_success(),
            "{what}: {}",
            response.status()
        );
        response
    }

    /// `GET`s an API path as the administrator and returns the JSON body.
    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        let request = self.http.get(format!("{}{path}", self.api_url));
        let response = self.as_admin(request, &format!("GET {path}")).await;
        response.json().await.expect("a JSON body")
    }

    /// `PUT`s a record as the administrator (e.g. a reviewer's decision).
    pub async fn put_json(&self, path: &str, body: &serde_json::Value) {
        let request = self.http.put(format!("{}{path}", self.api_url)).json(body);
        self.as_admin(request, &format!("PUT {path}")).await;
    }

    /// Downloads a stored file as the administrator.
    pub async fn get_bytes(&self, path: &str) -> Vec<u8> {
        let request = self.http.get(format!("{}{path}", self.api_url));
        let response = self.as_admin(request, &format!("GET {path}")).await;
        response.bytes().await.expect("the file's bytes").to_vec()
    }

    /// Arms one of the server's test faults (the server runs with `--fault-injection`).
    pub async fn arm_fault(&self, spec: serde_json::Value) {
        let response = self
            .http
            .post(format!("{}/api/test/faults", self.api_url))
            .json(&spec)
            .send()
            .await
            .expect("the fault endpoint answers");
        assert!(
            response.status().is_success(),
            "arming {spec}: {}",
            response.status()
        );
    }

    /// How many requests the server received for `METHOD /path` since it started.
    pub async fn request_count(&self, route: &str) -> u64 {
        let counts: serde_json::Value = self
            .http
            .get(format!("{}/api/test/requests", self.api_url))
            .send()
            .await
            .expect("the request counter answers")
            .json()
            .await
            .expect("JSON counts");
        counts["Requests"][route].as_u64().unwrap_or(0)
    }
}

/// Logs a user in to the local API server and returns the bearer token.
async fn login(http: &reqwest::Client, api_url: &str, (login, password): (&str, &str)) -> String {
    let answer: serde_json::Value = http
        .post(format!("{api_url}/api/token"))
        .form(&[
            ("grant_type", "password"),
            ("username", login),
            ("password", password),
        ])
        .send()
        .await
        .expect("the token endpoint answers")
        .json()
        .await
        .expect("the token answer is JSON");
    answer["access_token"]
        .as_str()
        .expect("an access token")
        .to_string()
}

/// A scratch folder for one test's files, under `target/`.
pub fn scratch(name: &str) -> PathBuf {
    let dir = workspace_root().join("target/e2e-files").join(name);
    std::fs::create_dir_all(&dir).expect("the scratch folder can be made");
    dir
}

/// A ChromeDriver and one headless Chromium session.
pub struct Browser {
    pub client: Client,
    _driver: Child,
    /// A CSS selector every lookup is confined to (one widget on a page that has several).
    scope: std::cell::RefCell<String>,
}

impl Browser {
    /// Starts Chromium at `size` (width, height) with a fake camera; `camera` names a `.y4m` file
    /// to show, or `None` for Chromium's built-in test pattern.
    pub async fn start(size: (u32, u32), camera: Option<&Path>) -> Browser {
        Browser::launch(size, Some(camera), true).await
    }

    /// Starts Chromium whose camera permission prompts are all refused, as for a member who says no.
    pub async fn start_refusing_camera(size: (u32, u32)) -> Browser {
        Browser::launch(size, Some(None), false).await
    }

    /// Starts Chromium on a machine without any camera, as a laptop whose webcam is missing.
    pub async fn start_without_camera(size: (u32, u32)) -> Browser {
        Browser::launch(size, None, true).await
    }

    /// `camera`: `None` for no camera at all, `Some(file)` for the fake one (showing `file`, or
    /// Chromium's test pattern).
    async fn launch(
        size: (u32, u32),
        camera: Option<Option<&Path>>,
        allow_camera: bool,
    ) -> Browser {
        let port = free_port();
        let driver = Command::new(required_env("CHROMEDRIVER"))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("ChromeDriver starts");
        let profile = workspace_root()
            .join("target/e2e-profiles")
            .join(format!("{}-{port}", std::process::id()));
        let mut args = vec![
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--lang=en-US".into(),
            format!("--user-data-dir={}", profile.display()),
            format!("--window-size={},{}", size.0, size.1),
        ];
        args.push(if allow_camera {
            "--use-fake-ui-for-media-stream".into()
        } else {
            "--deny-permission-prompts".into()
        });
        if camera.is_some() {
            args.push("--use-fake-device-for-media-stream".into());
        }
        if let Some(Some(file)) = camera {
            args.push(format!(
                "--use-file-for-fake-video-capture={}",
                file.display()
            ));
        }
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({ "binary": required_env("CHROMIUM"), "args": args }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let mut last_error = None;
        // ChromeDriver takes a moment to listen; retry the session for a while.
        for _ in 0..60 {
            match ClientBuilder::native()
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Browser {
                        client,
                        _driver: driver,
                        scope: std::cell::RefCell::new(String::new()),
                    };
                }
                Err(err) => {
                    last_error = Some(err);
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
            }
        }
        panic!("could not start a Chromium session: {last_error:?}");
    }

    /// Confines every later lookup to the elements inside `scope` (a CSS selector), or lifts the
    /// confinement with `""`.
    pub fn within(&self, scope: &str) {
        *self.scope.borrow_mut() = scope.to_string();
    }

    /// `css` inside the current scope.
    pub fn scoped(&self, css: &str) -> String {
        let scope = self.scope.borrow();
        if scope.is_empty() {
            css.to_string()
        } else {
            format!("{scope} {css}")
        }
    }

    /// Waits for an element (up to 30 s: these machines are slow) and returns it.
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        let css = self.scoped(css);
        self.client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css(&css))
            .await
            .unwrap_or_else(|err| panic!("no element matches `{css}`: {err}"))
    }

    /// Waits until the element's text equals `expected`, and fails with what it was otherwise.
    pub async fn wait_for_text(&self, css: &str, expected: &str) {
        let mut seen = String::new();
        for _ in 0..120 {
            if let Ok(element) = self.client.find(Locator::Css(&self.scoped(css))).await {
                seen = element.text().await.unwrap_or_default();
                if seen == expected {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        self.fail(&format!("`{css}` shows {seen:?}, expected {expected:?}"))
            .await
    }

    /// Fails the test with `message`, leaving a screenshot and the page's HTML to look at.
    pub async fn fail(&self, message: &str) -> ! {
        self.screenshot("failure").await;
        let html = self.client.source().await.unwrap_or_default();
        let dir = workspace_root().join("target/screenshots");
        let _ = std::fs::write(dir.join("failure.html"), &html);
        panic!("{message}\n(see target/screenshots/failure.png and failure.html)");
    }

    /// Saves a screenshot under `target/screenshots/NAME.png`, for people to look at.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("a screenshot");
        let dir = workspace_root().join("target/screenshots");
        std::fs::create_dir_all(&dir).expect("target/screenshots can be made");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("the screenshot is written");
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}
