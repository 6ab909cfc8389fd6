//! Command-line front end. Arguments are parsed once by clap into typed args, resolved into
//! one configuration per command, then the command runs. Exit codes: 0 ok, 1 findings or
//! failed run, 2 usage or I/O error.

use clap::{Parser, Subcommand};

pub mod exec;

#[derive(Debug, Parser)]
#[command(
    name = "mf-windmill",
    version,
    about = "Metaflow flows on Windmill: check, compile, deploy, run"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run an OpenFlow JSON file locally with Windmill's semantics.
    Exec(exec::ExecArgs),
}

/// Entry point used by the binary; returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Command::Exec(args) => exec::run(args),
    }
}
