//! The command line: flags, their defaults and the help text.
//!
//! Hand-written rather than `clap`, because the flag set is small and the server is compiled on a
//! 2-core CI machine where every proc-macro crate counts.

use std::net::SocketAddr;
use std::path::PathBuf;

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
}

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
        assert!(matches!(
            parse_args(["--help".to_string()]),
            Ok(Command::Help)
        ));
    }
}
