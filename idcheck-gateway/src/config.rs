//! The command line and the secrets. Secrets come only from the environment or from a file named by
//! a flag, never from arguments (which `ps` shows to every user of the machine), and their `Debug`
//! form is redacted so no log line can carry them by accident.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

pub const USAGE: &str = "\
usage: idcheck-gateway --upstream-nexudus URL [options]

The member-facing back end of idcheck: it serves the component, scopes every call to one member
and forwards it to Nexudus (and MasStack) with the operator's credentials.

options:
  --listen ADDR:PORT          where to listen (default 127.0.0.1:8090; port 0: a free port)
  --dist DIR                  the built component to serve at / (and the example portal at /portal/)
  --upstream-nexudus URL      the Nexudus API, e.g. https://spaces.nexudus.com/api (required)
  --upstream-masstack URL     the MasStack API, e.g. https://documents.masstack.com/v1
  --public-url URL            the address Nexudus reaches this gateway at, for image URLs
                              (default: http://ADDR:PORT as bound)
  --database FILE|:memory:    member tokens, invitations and uploads (default data/gateway.sqlite3)
  --inline-images             name images as data: URLs (only if your Nexudus accepts them)
  --upload-ttl-seconds N      how long an upload no document has used is kept (default 3600);
                              an upload is deleted as soon as the document naming it is created
  --invitation-days N         how long an invitation code stays valid (default 7)
  --cors-origin ORIGIN        a portal origin allowed to call the member API from its pages
                              (repeatable; default: same origin only)
  --queue N                   requests that may wait for the upstream's pace (default 64)
  --pace-margin-ms N          added to Nexudus' 100 ms between requests (default 30)
  --request-timeout-seconds N how long one request may take, body included (default 120)
  --max-concurrent-requests N requests served at once; beyond, refused at once (default 256)
  --frame-ancestors SOURCES   who may frame the served pages, as CSP sources separated by
                              spaces: 'self' (default), 'none', or origins such as
                              https://portal.example.com
  --secrets-file FILE         read the secrets below from FILE (KEY=VALUE lines) instead
  --demo-portal COWORKER:BUSINESS
                              development only: POST /portal/member-token mints a token for that
                              member, standing in for the example portal's back end

secrets (environment, or --secrets-file):
  IDCHECK_OPERATOR_KEY        the key the operator's back end presents to mint member tokens
  IDCHECK_UPSTREAM_USER       the Nexudus user the gateway signs in as (password grant)
  IDCHECK_UPSTREAM_PASSWORD
  IDCHECK_MASSTACK_TOKEN      the bearer token for MasStack (with --upstream-masstack)
";

/// What the gateway was asked to do.
pub enum Command {
    Run(Box<Config>),
    Help,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub dist: Option<PathBuf>,
    pub nexudus: String,
    pub masstack: Option<String>,
    pub public_url: Option<String>,
    pub database: Database,
    pub inline_images: bool,
    pub upload_lifetime: Duration,
    pub invitation_lifetime: Duration,
    pub queue: usize,
    pub request_timeout: Duration,
    pub max_concurrent_requests: usize,
    /// The `frame-ancestors` sources of the served pages' Content-Security-Policy.
    pub frame_ancestors: String,
    pub pace_margin: Duration,
    pub demo_portal: Option<(i64, i64)>,
    pub cors_origins: Vec<String>,
    pub secrets: Secrets,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    Memory,
    File(PathBuf),
}

/// A secret value: shown as `[redacted]` by `Debug`, so printing a config never leaks it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Debug, Clone)]
pub struct Secrets {
    pub operator_key: Secret,
    pub upstream_user: Secret,
    pub upstream_password: Secret,
    pub masstack_token: Option<Secret>,
}

/// The shortest operator key accepted: it guards every member's records.
const MIN_OPERATOR_KEY_CHARS: usize = 24;

/// Reads the arguments (without the program name) and the secrets from `env` (a lookup, so tests
/// pass their own).
pub fn parse_args(
    args: impl IntoIterator<Item = String>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Command, String> {
    let mut listen: SocketAddr = "127.0.0.1:8090".parse().expect("a valid address");
    let mut dist = None;
    let mut nexudus = None;
    let mut masstack = None;
    let mut public_url = None;
    let mut database = Database::File(PathBuf::from("data/gateway.sqlite3"));
    let mut inline_images = false;
    let mut upload_seconds = DEFAULT_UPLOAD_SECONDS;
    let mut invitation_days = 7u64;
    let mut queue = 64usize;
    let mut pace_margin_ms = 30u64;
    let mut request_timeout_seconds = 120u64;
    let mut max_concurrent_requests = 256usize;
    let mut frame_ancestors = "'self'".to_string();
    let mut secrets_file = None;
    let mut demo_portal = None;
    let mut cors_origins = Vec::new();

    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| format!("{name} needs a value\n\n{USAGE}"))
        };
        match flag.as_str() {
            "--help" | "-h" => return Ok(Command::Help),
            "--listen" => {
                let text = value("--listen")?;
                listen = text
                    .parse()
                    .map_err(|_| format!("--listen takes ADDR:PORT, not `{text}`"))?;
            }
            "--dist" => dist = Some(PathBuf::from(value("--dist")?)),
            "--upstream-nexudus" => {
                nexudus = Some(base_url(
                    "--upstream-nexudus",
                    value("--upstream-nexudus")?,
                )?)
            }
            "--upstream-masstack" => {
                masstack = Some(base_url(
                    "--upstream-masstack",
                    value("--upstream-masstack")?,
                )?)
            }
            "--public-url" => public_url = Some(base_url("--public-url", value("--public-url")?)?),
            "--database" => {
                let text = value("--database")?;
                database = if text == ":memory:" {
                    Database::Memory
                } else {
                    Database::File(PathBuf::from(text))
                };
            }
            "--inline-images" => inline_images = true,
            "--upload-ttl-seconds" => {
                upload_seconds = number(
                    "--upload-ttl-seconds",
                    &value("--upload-ttl-seconds")?,
                    1..=86_400,
                )?
            }
            "--upload-minutes" => {
                return Err(
                    "--upload-minutes was replaced by --upload-ttl-seconds (default 3600)".into(),
                );
            }
            "--request-timeout-seconds" => {
                request_timeout_seconds = number(
                    "--request-timeout-seconds",
                    &value("--request-timeout-seconds")?,
                    1..=3600,
                )?
            }
            "--max-concurrent-requests" => {
                max_concurrent_requests = number(
                    "--max-concurrent-requests",
                    &value("--max-concurrent-requests")?,
                    1..=100_000,
                )? as usize
            }
            "--frame-ancestors" => {
                frame_ancestors = frame_sources(&value("--frame-ancestors")?)?;
            }
            "--invitation-days" => {
                invitation_days = number("--invitation-days", &value("--invitation-days")?, 1..=90)?
            }
            "--queue" => queue = number("--queue", &value("--queue")?, 1..=10_000)? as usize,
            "--pace-margin-ms" => {
                pace_margin_ms = number("--pace-margin-ms", &value("--pace-margin-ms")?, 0..=1000)?
            }
            "--cors-origin" => {
                let origin = value("--cors-origin")?;
                let valid = reqwest::Url::parse(&origin).ok().is_some_and(|url| {
                    matches!(url.scheme(), "http" | "https")
                        && url.host_str().is_some()
                        && url.path() == "/"
                        && !origin.trim_end_matches('/').ends_with(':')
                });
                if !valid {
                    return Err(format!(
                        "--cors-origin takes an origin such as https://portal.example.com, not `{origin}`"
                    ));
                }
                cors_origins.push(origin.trim_end_matches('/').to_string());
            }
            "--secrets-file" => secrets_file = Some(PathBuf::from(value("--secrets-file")?)),
            "--demo-portal" => {
                let text = value("--demo-portal")?;
                let ids = text
                    .split_once(':')
                    .and_then(|(c, b)| Some((c.parse::<i64>().ok()?, b.parse::<i64>().ok()?)))
                    .filter(|(c, b)| *c > 0 && *b > 0);
                demo_portal = Some(ids.ok_or_else(|| {
                    format!(
                        "--demo-portal takes COWORKER:BUSINESS (two positive ids), not `{text}`"
                    )
                })?);
            }
            other => return Err(format!("unknown argument `{other}`\n\n{USAGE}")),
        }
    }
    let nexudus = nexudus.ok_or_else(|| format!("--upstream-nexudus is required\n\n{USAGE}"))?;

    let from_file = match &secrets_file {
        Some(path) => read_secrets_file(path)?,
        None => Vec::new(),
    };
    let secret = |name: &str| -> Option<Secret> {
        from_file
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .or_else(|| env(name))
            .map(|value| value.trim().to_string())
            .filter(|value| !value.is_empty())
            .map(Secret::new)
    };
    let where_from = if secrets_file.is_some() {
        "in the secrets file or the environment"
    } else {
        "in the environment (or use --secrets-file)"
    };
    let required =
        |name: &str| secret(name).ok_or_else(|| format!("{name} is not set: set it {where_from}"));
    let operator_key = required("IDCHECK_OPERATOR_KEY")?;
    if operator_key.expose().chars().count() < MIN_OPERATOR_KEY_CHARS {
        return Err(format!(
            "IDCHECK_OPERATOR_KEY is too short: use at least {MIN_OPERATOR_KEY_CHARS} random characters"
        ));
    }
    let secrets = Secrets {
        operator_key,
        upstream_user: required("IDCHECK_UPSTREAM_USER")?,
        upstream_password: required("IDCHECK_UPSTREAM_PASSWORD")?,
        masstack_token: secret("IDCHECK_MASSTACK_TOKEN"),
    };
    if masstack.is_some() && secrets.masstack_token.is_none() {
        return Err(format!(
            "--upstream-masstack needs IDCHECK_MASSTACK_TOKEN: set it {where_from}"
        ));
    }

    Ok(Command::Run(Box::new(Config {
        listen,
        dist,
        nexudus,
        masstack,
        public_url,
        database,
        inline_images,
        upload_lifetime: Duration::from_secs(upload_seconds),
        invitation_lifetime: Duration::from_secs(invitation_days * 24 * 60 * 60),
        queue,
        request_timeout: Duration::from_secs(request_timeout_seconds),
        max_concurrent_requests,
        frame_ancestors,
        pace_margin: Duration::from_millis(pace_margin_ms),
        demo_portal,
        cors_origins,
        secrets,
    })))
}

/// How long an upload that no document has used is kept, by default: an hour.
pub const DEFAULT_UPLOAD_SECONDS: u64 = 3600;

/// `--frame-ancestors`: `'self'`, `'none'` (alone) or http(s) origins, separated by spaces. Each
/// source is checked, so nothing else can be slipped into the Content-Security-Policy header.
fn frame_sources(text: &str) -> Result<String, String> {
    let sources: Vec<&str> = text.split_whitespace().collect();
    let origin = |source: &str| {
        reqwest::Url::parse(source).ok().is_some_and(|url| {
            matches!(url.scheme(), "http" | "https")
                && url.host_str().is_some()
                && url.path() == "/"
                && url.query().is_none()
                && url.username().is_empty()
                && source
                    .bytes()
                    .all(|b| b.is_ascii_graphic() && b != b';' && b != b',')
        })
    };
    let valid = !sources.is_empty()
        && (sources == ["'none'"] || sources.iter().all(|s| *s == "'self'" || origin(s)));
    if valid {
        Ok(sources
            .iter()
            .map(|s| s.trim_end_matches('/'))
            .collect::<Vec<_>>()
            .join(" "))
    } else {
        Err(format!(
            "--frame-ancestors takes 'self', 'none' or origins such as https://portal.example.com, \
             separated by spaces, not `{text}`"
        ))
    }
}

/// An http(s) base URL without its trailing slash.
fn base_url(flag: &str, text: String) -> Result<String, String> {
    let trimmed = text.trim().trim_end_matches('/');
    let valid = reqwest::Url::parse(trimmed)
        .ok()
        .is_some_and(|url| matches!(url.scheme(), "http" | "https") && url.host_str().is_some());
    if valid {
        Ok(trimmed.to_string())
    } else {
        Err(format!("{flag} takes an http(s) URL, not `{text}`"))
    }
}

fn number(flag: &str, text: &str, range: std::ops::RangeInclusive<u64>) -> Result<u64, String> {
    text.parse::<u64>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| {
            format!(
                "{flag} takes a whole number from {} to {}, not `{text}`",
                range.start(),
                range.end()
            )
        })
}

/// `KEY=VALUE` lines; blank lines and `#` comments are skipped. Errors name the line, never a value.
fn read_secrets_file(path: &std::path::Path) -> Result<Vec<(String, String)>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|err| format!("cannot read the secrets file {}: {err}", path.display()))?;
    let mut pairs = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once('=').ok_or_else(|| {
            format!(
                "the secrets file {} has no KEY=VALUE on line {}",
                path.display(),
                index + 1
            )
        })?;
        pairs.push((key.trim().to_string(), value.trim().to_string()));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "an-operator-key-long-enough-0123";

    fn env(name: &str) -> Option<String> {
        match name {
            "IDCHECK_OPERATOR_KEY" => Some(KEY.into()),
            "IDCHECK_UPSTREAM_USER" => Some("gateway@example.com".into()),
            "IDCHECK_UPSTREAM_PASSWORD" => Some("hunter2-but-longer".into()),
            _ => None,
        }
    }

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    fn run(text: &str) -> Result<Config, String> {
        match parse_args(args(text), env)? {
            Command::Run(config) => Ok(*config),
            Command::Help => Err("help".into()),
        }
    }

    #[test]
    fn reads_flags_and_takes_secrets_from_the_environment() {
        let config = run(
            "--upstream-nexudus http://127.0.0.1:9/api/ --listen 127.0.0.1:0 --database :memory:",
        )
        .unwrap();
        assert_eq!(config.nexudus, "http://127.0.0.1:9/api");
        assert_eq!(config.database, Database::Memory);
        assert_eq!(config.secrets.operator_key.expose(), KEY);
        assert_eq!(config.upload_lifetime, Duration::from_secs(3600));
        assert_eq!(config.frame_ancestors, "'self'");
        assert_eq!(config.request_timeout, Duration::from_secs(120));
        // Printing the configuration shows no secret.
        let printed = format!("{config:?}");
        assert!(
            !printed.contains(KEY) && !printed.contains("hunter2"),
            "{printed}"
        );
    }

    #[test]
    fn missing_or_weak_secrets_and_bad_flags_are_named() {
        let err = run("--listen 127.0.0.1:0").err().unwrap();
        assert!(err.contains("--upstream-nexudus is required"), "{err}");
        let err = match parse_args(args("--upstream-nexudus http://x/api"), |_| None) {
            Err(err) => err,
            Ok(_) => panic!("accepted without secrets"),
        };
        assert!(err.contains("IDCHECK_OPERATOR_KEY is not set"), "{err}");
        let weak = |name: &str| {
            if name == "IDCHECK_OPERATOR_KEY" {
                Some("short".into())
            } else {
                env(name)
            }
        };
        let err = match parse_args(args("--upstream-nexudus http://x/api"), weak) {
            Err(err) => err,
            Ok(_) => panic!("accepted a weak key"),
        };
        assert!(err.contains("too short"), "{err}");
        assert!(
            run("--upstream-nexudus ftp://x")
                .err()
                .unwrap()
                .contains("http(s) URL")
        );
        assert!(
            run("--upstream-nexudus http://x --demo-portal 1")
                .err()
                .unwrap()
                .contains("COWORKER:BUSINESS")
        );
        assert!(
            run("--upstream-nexudus http://x --upstream-masstack http://y/v1")
                .err()
                .unwrap()
                .contains("IDCHECK_MASSTACK_TOKEN")
        );
    }

    #[test]
    fn frame_ancestors_take_only_csp_sources() {
        let parsed = |value: &str| match parse_args(
            [
                "--upstream-nexudus",
                "http://x/api",
                "--frame-ancestors",
                value,
            ]
            .map(String::from),
            env,
        ) {
            Ok(Command::Run(config)) => Ok(config.frame_ancestors),
            Ok(Command::Help) => Err("help".to_string()),
            Err(err) => Err(err),
        };
        assert_eq!(
            parsed("'self' https://portal.example.com/").unwrap(),
            "'self' https://portal.example.com"
        );
        assert_eq!(parsed("'none'").unwrap(), "'none'");
        for bad in [
            "",
            "*",
            "'self'; script-src *",
            "'none' 'self'",
            "https://portal.example.com/path",
            "javascript:alert(1)",
            "'unsafe-inline'",
        ] {
            assert!(parsed(bad).is_err(), "{bad}");
        }
        assert!(
            run("--upstream-nexudus http://x --upload-minutes 15")
                .err()
                .unwrap()
                .contains("--upload-ttl-seconds")
        );
    }

    #[test]
    fn a_secrets_file_wins_over_the_environment() {
        let dir =
            std::env::temp_dir().join(format!("idcheck-gateway-secrets-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("secrets");
        std::fs::write(
            &file,
            "# operator\nIDCHECK_UPSTREAM_PASSWORD = from-the-file\n",
        )
        .unwrap();
        let config = run(&format!(
            "--upstream-nexudus http://x/api --secrets-file {}",
            file.display()
        ))
        .unwrap();
        assert_eq!(config.secrets.upstream_password.expose(), "from-the-file");
        std::fs::write(&file, "IDCHECK_UPSTREAM_PASSWORD from-the-file\n").unwrap();
        let err = run(&format!(
            "--upstream-nexudus http://x/api --secrets-file {}",
            file.display()
        ))
        .err()
        .unwrap();
        assert!(
            err.contains("line 1") && !err.contains("from-the-file"),
            "{err}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
