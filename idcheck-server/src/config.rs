//! The command line: flags, their defaults and the help text.
//!
//! Hand-written rather than `clap`, because the flag set is small and the server is compiled on a
//! 2-core CI machine where every proc-macro crate counts.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::ratelimit::RateLimits;

pub const HELP: &str = "\
idcheck-server: the local Nexudus identity-check API on SQLite

usage: idcheck-server [options]

options:
  --listen ADDR:PORT        address to listen on (default 127.0.0.1:8080; port 0 picks a free port)
  --database FILE|:memory:  SQLite database (default data/idcheck.sqlite3; the folder is created)
  --files DIR               where stored images live (default data/files; a fresh temporary
                            folder with --database :memory:)
  --dist DIR                the built component, served at / (index.html for unknown non-API paths)
  --cors-origin ORIGIN      allow this browser origin (repeatable; `*` allows any)
  --no-rate-limit           turn every rate limit off
  --rate-limit KEY=N,...    override single limits; keys: writes_per_minute, writes_per_day,
                            min_interval_ms, requests_per_minute, requests_per_hour (0 turns one off)
  --fault-injection         enable the test-only endpoints /api/test/faults and /api/test/requests
  --allow-private-fetch     let New…Url fetches reach loopback and private addresses (development
                            and tests only; never link-local or the metadata address)
  --upload-ttl-seconds N    delete an upload no document used after N seconds (default 3600)
  --request-timeout-seconds N
                            answer 408 to a request not handled within N seconds (default 60)
  --max-concurrent-requests N
                            answer 503 beyond N requests in progress (default 128)
  --log-requests            log one line per request (method, path, status, time) to stderr
  --help                    print this help
";

/// Where the SQLite database lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseLocation {
    File(PathBuf),
    Memory,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub database: DatabaseLocation,
    /// `None` means "pick the default for the database": a temporary folder for `:memory:`.
    pub files: Option<PathBuf>,
    pub dist: Option<PathBuf>,
    pub cors_origins: Vec<String>,
    pub rate_limits: RateLimits,
    pub fault_injection: bool,
    /// Whether `New…Url` fetches may reach loopback and private addresses.
    pub allow_private_fetch: bool,
    /// How long an upload that no document used is kept.
    pub upload_ttl: Duration,
    pub request_timeout: Duration,
    pub max_concurrent_requests: usize,
    pub log_requests: bool,
}

/// An upload no document used is deleted after this long.
pub const DEFAULT_UPLOAD_TTL: Duration = Duration::from_secs(60 * 60);
/// Long enough for a record with three remote files (10 s each) and a slow 40 MB body.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
pub const DEFAULT_MAX_CONCURRENT_REQUESTS: usize = 128;

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database: DatabaseLocation::File(PathBuf::from("data/idcheck.sqlite3")),
            files: None,
            dist: None,
            cors_origins: Vec::new(),
            rate_limits: RateLimits::default(),
            fault_injection: false,
            allow_private_fetch: false,
            upload_ttl: DEFAULT_UPLOAD_TTL,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_concurrent_requests: DEFAULT_MAX_CONCURRENT_REQUESTS,
            log_requests: false,
        }
    }
}

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    Run(Box<Config>),
    Help,
}

/// Parses the arguments after the program name.
pub fn parse_args<I>(args: I) -> Result<Command, String>
where
    I: IntoIterator<Item = String>,
{
    let mut config = Config::default();
    let mut no_rate_limit = false;
    let mut overrides: Vec<String> = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        // Accept `--flag=value` as well as `--flag value`: both are common habits.
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_string(), Some(value.to_string()))
            }
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "--help" | "-h" => return Ok(Command::Help),
            "--listen" => {
                let text = value("--listen")?;
                config.listen = text
                    .parse()
                    .map_err(|_| format!("--listen takes ADDR:PORT, not `{text}`"))?;
            }
            "--database" => {
                let text = value("--database")?;
                config.database = if text == ":memory:" {
                    DatabaseLocation::Memory
                } else {
                    DatabaseLocation::File(PathBuf::from(text))
                };
            }
            "--files" => config.files = Some(PathBuf::from(value("--files")?)),
            "--dist" => config.dist = Some(PathBuf::from(value("--dist")?)),
            "--cors-origin" => config.cors_origins.push(value("--cors-origin")?),
            "--no-rate-limit" => no_rate_limit = true,
            "--rate-limit" => overrides.push(value("--rate-limit")?),
            "--fault-injection" => config.fault_injection = true,
            "--allow-private-fetch" => config.allow_private_fetch = true,
            "--log-requests" => config.log_requests = true,
            "--upload-ttl-seconds" => {
                config.upload_ttl =
                    Duration::from_secs(positive("--upload-ttl-seconds", &value(&flag)?)?);
            }
            "--request-timeout-seconds" => {
                config.request_timeout =
                    Duration::from_secs(positive("--request-timeout-seconds", &value(&flag)?)?);
            }
            "--max-concurrent-requests" => {
                config.max_concurrent_requests =
                    positive("--max-concurrent-requests", &value(&flag)?)? as usize;
            }
            other => return Err(format!("unknown option `{other}` (see --help)")),
        }
    }
    if no_rate_limit {
        config.rate_limits = RateLimits::off();
    }
    for text in overrides {
        config.rate_limits.apply_overrides(&text)?;
    }
    Ok(Command::Run(Box::new(config)))
}

/// A whole number of at least 1.
fn positive(flag: &str, text: &str) -> Result<u64, String> {
    text.trim()
        .parse::<u64>()
        .ok()
        .filter(|n| (1..=u64::from(u32::MAX)).contains(n))
        .ok_or_else(|| format!("{flag} takes a whole number of at least 1, not `{text}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Config {
        match parse_args(args.iter().map(|s| s.to_string())).expect("parses") {
            Command::Run(config) => *config,
            Command::Help => panic!("expected a run"),
        }
    }

    #[test]
    fn defaults_match_the_documented_ones() {
        let config = run(&[]);
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(
            config.database,
            DatabaseLocation::File(PathBuf::from("data/idcheck.sqlite3"))
        );
        assert!(!config.fault_injection);
        assert!(
            !config.allow_private_fetch,
            "private fetches are opted into, never default"
        );
        assert_eq!(config.upload_ttl, Duration::from_secs(3600));
        assert_eq!(config.rate_limits, RateLimits::default());
    }

    #[test]
    fn reads_every_flag() {
        let config = run(&[
            "--listen",
            "127.0.0.1:0",
            "--database=:memory:",
            "--files",
            "/tmp/f",
            "--dist",
            "dist",
            "--cors-origin",
            "http://a",
            "--cors-origin",
            "http://b",
            "--rate-limit",
            "writes_per_minute=3,min-interval-ms=0",
            "--fault-injection",
            "--allow-private-fetch",
            "--upload-ttl-seconds=5",
            "--request-timeout-seconds",
            "7",
            "--max-concurrent-requests",
            "3",
            "--log-requests",
        ]);
        assert_eq!(config.listen.port(), 0);
        assert_eq!(config.database, DatabaseLocation::Memory);
        assert_eq!(config.files, Some(PathBuf::from("/tmp/f")));
        assert_eq!(config.dist, Some(PathBuf::from("dist")));
        assert_eq!(config.cors_origins, vec!["http://a", "http://b"]);
        assert_eq!(config.rate_limits.writes_per_minute, 3);
        assert_eq!(config.rate_limits.min_interval_ms, 0);
        assert_eq!(config.rate_limits.requests_per_minute, 120);
        assert!(config.fault_injection);
        assert!(config.allow_private_fetch && config.log_requests);
        assert_eq!(config.upload_ttl, Duration::from_secs(5));
        assert_eq!(config.request_timeout, Duration::from_secs(7));
        assert_eq!(config.max_concurrent_requests, 3);
    }

    #[test]
    fn overrides_apply_after_no_rate_limit_whatever_the_order() {
        let config = run(&["--rate-limit", "writes_per_minute=2", "--no-rate-limit"]);
        assert_eq!(config.rate_limits.writes_per_minute, 2);
        assert_eq!(config.rate_limits.requests_per_minute, 0);
    }

    #[test]
    fn rejects_unknown_flags_and_bad_values() {
        assert!(parse_args(["--nope".to_string()]).is_err());
        assert!(parse_args(["--listen".to_string(), "nowhere".to_string()]).is_err());
        assert!(parse_args(["--listen".to_string()]).is_err());
        assert!(parse_args(["--rate-limit".to_string(), "bogus=1".to_string()]).is_err());
        assert!(parse_args(["--upload-ttl-seconds".to_string(), "0".to_string()]).is_err());
        assert!(matches!(
            parse_args(["--help".to_string()]),
            Ok(Command::Help)
        ));
    }
}
