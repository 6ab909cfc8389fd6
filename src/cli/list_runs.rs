//! `mf-windmill list-runs flow.py`: the runs (flow jobs) of the deployed flow, newest
//! first: Metaflow pathspec, state, creation time, job URL.

use clap::Args;
use serde_json::Value;

use super::compile::CompileFlags;
use super::remote::{self, RemoteFlags};
use crate::api::types::job_state;

#[derive(Debug, Args)]
pub struct ListRunsArgs {
    #[command(flatten)]
    pub flags: CompileFlags,
    #[command(flatten)]
    pub remote: RemoteFlags,
}

pub fn run(args: ListRunsArgs) -> i32 {
    let remote::Session {
        compiled: c,
        path,
        client,
        rt,
    } = match remote::Session::open(&args.flags, &args.remote, remote::Use::Address) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let jobs = match rt.block_on(client.list_flow_jobs(&path)) {
        Ok(j) => j,
        Err(e) => return remote::api_fail(&e),
    };
    if jobs.is_empty() {
        eprintln!(
            "mf-windmill: no runs of {path} in workspace {}",
            client.workspace()
        );
    }
    for j in &jobs {
        let Some(id) = j
            .get("id")
            .and_then(Value::as_str)
            .and_then(|s| uuid::Uuid::parse_str(s).ok())
        else {
            continue;
        };
        let created = j.get("created_at").and_then(Value::as_str).unwrap_or("-");
        println!(
            "{}/{}\t{}\t{created}\t{}",
            c.flow_name,
            remote::run_id(id),
            job_state(j).as_str(),
            client.job_url(id)
        );
    }
    0
}
