//! `mf-windmill trigger flow.py [--run-param k=v ...] [--run-id-file F]`: start a run of
//! the deployed flow. Parameter values are checked and typed against the flow's
//! parameters before anything is sent. The job id is chosen here, so the Metaflow
//! pathspec `Flow/wm-<job>` is printed (stdout, first line), then the job URL.

use clap::Args;

use super::compile::CompileFlags;
use super::remote::{self, RemoteFlags};

#[derive(Debug, Args)]
pub struct TriggerArgs {
    #[command(flatten)]
    pub flags: CompileFlags,
    #[command(flatten)]
    pub remote: RemoteFlags,
    /// A parameter value, `name=value` (repeatable). Strings verbatim; other types JSON.
    #[arg(long = "run-param", value_name = "K=V")]
    pub run_params: Vec<String>,
    /// Write the Metaflow run id to this file.
    #[arg(long, value_name = "FILE")]
    pub run_id_file: Option<std::path::PathBuf>,
}

pub fn run(args: TriggerArgs) -> i32 {
    let remote::Session {
        compiled: c,
        path,
        client,
        rt,
    } = match remote::Session::open(&args.flags, &args.remote, remote::Use::Address) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let inputs = match remote::parse_run_params(&c.openflow.schema, &args.run_params) {
        Ok(i) => i,
        Err(e) => return remote::usage(e),
    };
    let job = match rt.block_on(remote::trigger(&client, &path, &inputs)) {
        Ok(j) => j,
        Err(e) => {
            let code = remote::api_fail(&e);
            if e.is_not_found() {
                eprintln!("mf-windmill: hint: deploy it first with `mf-windmill create`");
            }
            return code;
        }
    };
    let run_id = remote::run_id(job);
    println!("{}/{run_id}", c.flow_name);
    println!("{}", client.job_url(job));
    if let Some(f) = &args.run_id_file
        && let Err(e) = remote::write_run_id_file(f, &run_id)
    {
        return remote::fail(e);
    }
    0
}
