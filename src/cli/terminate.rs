//! `mf-windmill terminate RUN`: cancel a run on Windmill (Argo's `terminate`): openapi
//! `cancelQueuedJob` on the run's root flow job, which is what Windmill's UI does to stop
//! a flow (the flow's running step job is canceled with it; our local executor does the
//! same). A run that already finished is reported as such (exit 1): nothing to cancel.

use clap::Args;

use super::remote::{self, RemoteFlags};

#[derive(Debug, Args)]
pub struct TerminateArgs {
    /// The job id, the Metaflow run id `wm-<job>` or the pathspec `Flow/wm-<job>`.
    pub job: String,
    #[command(flatten)]
    pub remote: RemoteFlags,
    /// The reason recorded on the canceled job.
    #[arg(long, default_value = "terminated with mf-windmill")]
    pub reason: String,
}

pub fn run(args: TerminateArgs) -> i32 {
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
        if v.state.is_final() {
            return remote::fail(format!(
                "run {} already finished ({}): nothing to terminate",
                remote::run_id(job),
                v.state.as_str()
            ));
        }
        if let Err(e) = client.cancel_job(job, &args.reason).await {
            return remote::api_fail(&e);
        }
        eprintln!("mf-windmill: terminated run {}", remote::run_id(job));
        println!("{}", client.job_url(job));
        0
    })
}
