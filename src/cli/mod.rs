//! Command-line front end. Each command's flags are defined once (clap derive, with their
//! docs), resolved into one configuration, then the command runs. Exit codes: 0 ok,
//! 1 findings or a failed run, 2 usage or I/O error.

mod check;
mod compile;
mod create;
mod delete;
mod describe;
mod exec;
mod graph;
mod list_deployed;
mod list_runs;
mod publish;
pub mod remote;
mod resume;
mod run;
pub mod status;
mod terminate;
mod trigger;
mod walk;
mod worker_check;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "mf-windmill",
    version,
    about = "Metaflow flows on Windmill: check, compile, deploy and run them"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check flow files statically: Metaflow's lint plus what Windmill cannot honour.
    Check(check::CheckArgs),
    /// Print the graph recovered from a flow file (JSON with Metaflow's field names, dot,
    /// or Mermaid).
    Graph(graph::GraphArgs),
    /// Run an OpenFlow JSON file locally with Windmill's semantics.
    Exec(exec::ExecArgs),
    /// Compile a flow file to Windmill OpenFlow (JSON, YAML, or the wmill folder layout).
    Compile(compile::CompileArgs),
    /// Compile a flow and run it: on Windmill (create + trigger + wait), or with `--local`
    /// on this machine; prints the Metaflow pathspec Flow/<run id>.
    Run(run::RunArgs),
    /// Check, compile and deploy a flow to Windmill (create or update; its @schedule too).
    Create(create::CreateArgs),
    /// Start a run of a deployed flow; prints the Metaflow pathspec and the job URL.
    Trigger(trigger::TriggerArgs),
    /// Resume a run: a new run that clones the origin's successful tasks (as Metaflow's
    /// `resume`) and executes the rest; on Windmill, or with `--local` on this machine.
    Resume(resume::ResumeArgs),
    /// The state of a run on Windmill and of each of its steps.
    Status(status::StatusArgs),
    /// Remove a deployed flow and its schedule from Windmill.
    Delete(delete::DeleteArgs),
    /// The runs of a deployed flow on Windmill.
    ListRuns(list_runs::ListRunsArgs),
    /// A deployed flow's name, parameters' schema and URL, as JSON (by Windmill path or
    /// by Metaflow's name `project.branch.FlowName`).
    Describe(describe::DescribeArgs),
    /// The flows mf-windmill deployed in the workspace, as JSON.
    ListDeployed(list_deployed::ListDeployedArgs),
    /// Cancel a run on Windmill (with the steps it started).
    Terminate(terminate::TerminateArgs),
    /// Publish a Metaflow event: start every deployed flow whose @trigger listens to it.
    Publish(publish::PublishArgs),
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
        Command::Check(a) => check::run(a),
        Command::Graph(a) => crate::parse::with_parse_stack(|| graph::run(a)),
        Command::Exec(args) => exec::run(args),
        Command::Compile(a) => compile::run(a),
        Command::Run(a) => run::run(a),
        Command::Create(a) => create::run(a),
        Command::Trigger(a) => trigger::run(a),
        Command::Resume(a) => resume::run(a),
        Command::Status(a) => status::run(a),
        Command::Delete(a) => delete::run(a),
        Command::ListRuns(a) => list_runs::run(a),
        Command::Terminate(a) => terminate::run(a),
        Command::Describe(a) => describe::run(a),
        Command::ListDeployed(a) => list_deployed::run(a),
        Command::Publish(a) => publish::run(a),
    }
}
