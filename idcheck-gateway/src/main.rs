//! `idcheck-gateway`: the binary is thin glue over the library; see `idcheck-gateway --help`.

use std::process::ExitCode;

use idcheck_gateway::{Command, USAGE, parse_args, run};

#[tokio::main]
async fn main() -> ExitCode {
    let command = match parse_args(std::env::args().skip(1), |name| std::env::var(name).ok()) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("idcheck-gateway: {message}");
            return ExitCode::from(2);
        }
    };
    let config = match command {
        Command::Help => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Command::Run(config) => config,
    };
    match run(*config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("idcheck-gateway: {message}");
            ExitCode::FAILURE
        }
    }
}
