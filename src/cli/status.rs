//! `mf-windmill status JOB`: the state of a run (job id or `wm-<job>` run id) and of each
//! of its steps. Exit 0 while queued/running or after success, 1 after failure or
//! cancelation.

use clap::Args;
use uuid::Uuid;

use super::remote::{self, RemoteFlags};
use crate::api::JobState;

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The job id (as `trigger` prints it), or the Metaflow run id `wm-<job>` or pathspec
    /// `Flow/wm-<job>`.
    pub job: String,
    #[command(flatten)]
    pub remote: RemoteFlags,
    /// Print one JSON object (`job`, `run_id`, `state`, `flow`, `url`, `modules`) instead
    /// of text: what the Metaflow extension's TriggeredRun.status reads.
    #[arg(long)]
    pub json: bool,
}

/// `JOB`, `wm-JOB` or `Flow/wm-JOB`.
pub fn parse_job(s: &str) -> Option<Uuid> {
    let last = s.rsplit('/').next().unwrap_or(s);
    Uuid::parse_str(last.strip_prefix("wm-").unwrap_or(last)).ok()
}

pub fn run(args: StatusArgs) -> i32 {
    let (client, rt) = match remote::connect(&args.remote) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let job = match remote::job_arg(&args.job) {
        Ok(j) => j,
        Err(code) => return code,
    };
    rt.block_on(async {
        let v = match client.get_job(job).await {
            Ok(v) => v,
            Err(e) => return remote::api_fail(&e),
        };
        if args.json {
            let modules: Vec<_> = v
                .modules
                .iter()
                .map(|m| serde_json::json!({"id": m.id, "status": m.status}))
                .collect();
            let out = serde_json::json!({
                "job": job.to_string(),
                "run_id": remote::run_id(job),
                "state": v.state.as_str(),
                "flow": v.script_path,
                "url": client.job_url(job),
                "modules": modules,
            });
            println!("{out}");
            // The exit code is the same as the text form's.
            return i32::from(matches!(v.state, JobState::Failure | JobState::Canceled));
        }
        println!("job {job}: {}", v.state.as_str());
        if let Some(p) = &v.script_path {
            println!("flow {p}");
        }
        println!("run id {}", remote::run_id(job));
        // Label loops and branches with the steps inside (best effort: the flow may be gone).
        let labels = match &v.script_path {
            Some(p) => client
                .get_flow(p)
                .await
                .map(|f| remote::module_labels(&f))
                .unwrap_or_default(),
            None => Default::default(),
        };
        for m in &v.modules {
            let label = labels.get(&m.id).unwrap_or(&m.id);
            println!("  {:<12} {label}", m.status);
        }
        println!("{}", client.job_url(job));
        match v.state {
            JobState::Failure | JobState::Canceled => {
                remote::report_failure(&client, &v).await;
                1
            }
            _ => 0,
        }
    })
}
