//! `mf-windmill status JOB`: the state of a run (job id or `wm-<job>` run id) and of each
//! of its steps, in Metaflow's vocabulary (see [`metaflow_status`]); Windmill's own word
//! stays in `--json` as `windmill_state`. Exit 0 while pending/running or after success,
//! 1 after failure or cancelation (or when Windmill cannot be asked).

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
    /// Print one JSON object (`job`, `run_id`, `status`, `windmill_state`, `flow`, `url`,
    /// `modules`) instead of text: what the Metaflow extension's TriggeredRun.status reads.
    /// When Windmill cannot be asked, the object is `{"error", "error_kind"}` (see
    /// [`crate::api::ApiError::kind`]) and the exit code 1 (2 for a usage error).
    #[arg(long)]
    pub json: bool,
}

/// A run's state in the words of Metaflow's own schedulers' `TriggeredRun.status`: Step
/// Functions' `RUNNING` / `SUCCEEDED` / `FAILED` / `ABORTED`
/// (metaflow/plugins/aws/step_functions/step_functions_deployer_objects.py `list_runs`
/// states), and `PENDING` for a queued run as Argo says `Pending` before a workflow starts
/// (argo_workflows_deployer_objects.py `is_running`). test/ux treats `FAILED`, `TIMED_OUT`
/// and `ABORTED` as terminal failures (test_utils.py `_is_failed_status`).
pub fn metaflow_status(s: JobState) -> &'static str {
    match s {
        JobState::Queued => "PENDING",
        JobState::Running => "RUNNING",
        JobState::Success => "SUCCEEDED",
        JobState::Failure => "FAILED",
        JobState::Canceled => "ABORTED",
    }
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
            Err(e) if args.json => {
                println!(
                    "{}",
                    serde_json::json!({"error": e.to_string(), "error_kind": e.kind()})
                );
                return remote::api_fail(&e);
            }
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
                "status": metaflow_status(v.state),
                "windmill_state": v.state.as_str(),
                "flow": v.script_path,
                "url": client.job_url(job),
                "modules": modules,
            });
            println!("{out}");
            // The exit code is the same as the text form's.
            return i32::from(matches!(v.state, JobState::Failure | JobState::Canceled));
        }
        println!(
            "job {job}: {} (Windmill: {})",
            metaflow_status(v.state),
            v.state.as_str()
        );
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
