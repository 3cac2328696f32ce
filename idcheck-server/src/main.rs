//! The `idcheck-server` binary: parses the command line and runs the server (see the crate's
//! README for the flags, demo users and routes).

use std::process::ExitCode;

use idcheck_server::config::HELP;
use idcheck_server::{Command, parse_args};

#[tokio::main]
async fn main() -> ExitCode {
    let config = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Run(config)) => *config,
        Ok(Command::Help) => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("idcheck-server: {message}");
            return ExitCode::from(2);
        }
    };
    match idcheck_server::run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("idcheck-server: {message}");
            ExitCode::FAILURE
        }
    }
}
