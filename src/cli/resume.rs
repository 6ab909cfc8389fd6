//! `mf-windmill resume flow.py --origin-run-id wm-… [--step STEP] [--local]`: a new run of
//! the flow that clones the origin run's successful tasks as Metaflow's `resume` does and
//! executes the rest (the failed step, or `--step`, and everything after it). The origin's
//! parameters are kept (given `--run-param` values that differ re-execute every step with
//! them). Remote (default): a run of the deployed flow, started like
//! `trigger` (prints the pathspec `Flow/wm-<job>`, then the job URL); `--local`: with the
//! local executor, like `run --local` (the origin must be in the same datastore).
//! How the run clones: `src/emit/resume.rs`, `runtime/_mfwm/clone.py`.

use clap::Args;
use serde_json::{Map, Value, json};

use super::compile::CompileFlags;
use super::remote::{self, RemoteFlags};
use crate::emit::resume::RESUME_INPUT;

#[derive(Debug, Args)]
pub struct ResumeArgs {
    #[command(flatten)]
    pub flags: CompileFlags,
    #[command(flatten)]
    pub remote: RemoteFlags,
    /// The run to resume (`wm-…`, or any non-numeric run id in the flow's datastore).
    #[arg(long, value_name = "RUN_ID")]
    pub origin_run_id: String,
    /// Re-execute this step and every step after it, even where the origin succeeded.
    #[arg(long, value_name = "STEP")]
    pub step: Option<String>,
    /// Run on this machine with the local executor instead of a Windmill server.
    #[arg(long)]
    pub local: bool,
    /// Local: maximum concurrent jobs (default: number of CPUs).
    #[arg(long, requires = "local")]
    pub workers: Option<usize>,
    /// Local: keep the job directories for inspection.
    #[arg(long, requires = "local")]
    pub keep_job_dirs: bool,
    #[command(flatten)]
    pub serve: super::exec::ServeTags,
    #[command(flatten)]
    pub isolated: super::exec::IsolatedWorkers,
    /// Local: the worker group's environment (`--env K=V`, or `--env K` for K's value here),
    /// as for `run --local`.
    #[command(flatten)]
    pub env: super::exec::WorkerEnv,
    /// A parameter value, `name=value` (repeatable). Metaflow's resume keeps the origin's
    /// parameters; values that differ from them make every step re-execute with them
    /// (the start step warns which).
    #[arg(long = "run-param", value_name = "K=V")]
    pub run_params: Vec<String>,
    /// Write the Metaflow run id of the new run to this file.
    #[arg(long, value_name = "FILE")]
    pub run_id_file: Option<std::path::PathBuf>,
}

/// The flow input that makes a run a resume of `origin` (JSON text, see emit::resume).
fn resume_input(origin: &str, step: Option<&str>) -> Result<Map<String, Value>, String> {
    if origin.is_empty()
        || origin
            .chars()
            .any(|c| matches!(c, '/' | ':' | ',' | '!') || c.is_whitespace())
    {
        return Err(format!("invalid --origin-run-id `{origin}`"));
    }
    if origin.parse::<i64>().is_ok() {
        return Err(format!(
            "--origin-run-id {origin}: a numeric run id comes from Metaflow's metadata service or a local `run`; resume on Windmill needs a Windmill run (wm-…)"
        ));
    }
    if let Some(s) = step
        && (s.is_empty()
            || !s
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
    {
        return Err(format!("--step `{s}` is not a step name"));
    }
    let text = json!({"origin_run_id": origin, "step": step}).to_string();
    let mut m = Map::new();
    m.insert(RESUME_INPUT.to_string(), Value::String(text));
    Ok(m)
}

pub fn run(args: ResumeArgs) -> i32 {
    let extra = match resume_input(&args.origin_run_id, args.step.as_deref()) {
        Ok(m) => m,
        Err(e) => return remote::usage(e),
    };
    if !args.local && args.isolated.isolated_workers {
        return remote::usage("--isolated-workers needs --local");
    }
    if !args.local && !args.env.env.is_empty() {
        return remote::usage(
            "--env sets the local workers' environment: it needs --local (on Windmill, the worker group's environment is set on the workers)",
        );
    }
    if args.local {
        let run_args = super::run::RunArgs {
            flags: args.flags,
            local: true,
            remote: args.remote,
            no_wait: false,
            max_wait: None,
            run_id_file: args.run_id_file,
            run_params: args.run_params,
            workers: args.workers,
            keep_job_dirs: args.keep_job_dirs,
            serve: args.serve,
            isolated: args.isolated,
            worker_check: Default::default(),
            env: args.env,
        };
        return super::run::run_local_with(run_args, extra);
    }
    let remote::Session {
        compiled: c,
        path,
        client,
        rt,
    } = match remote::Session::open(&args.flags, &args.remote, remote::Use::Address) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut inputs = match remote::parse_run_params(&c.openflow.schema, &args.run_params) {
        Ok(i) => i,
        Err(e) => return remote::usage(e),
    };
    inputs.extend(extra);
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
    eprintln!(
        "mf-windmill: resuming {}/{} as {}/{run_id}",
        c.flow_name, args.origin_run_id, c.flow_name
    );
    if let Some(f) = &args.run_id_file
        && let Err(e) = remote::write_run_id_file(f, &run_id)
    {
        return remote::fail(e);
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resume_input_is_json_text() {
        let m = resume_input("wm-1a", Some("process")).unwrap();
        let v: Value = serde_json::from_str(m[RESUME_INPUT].as_str().unwrap()).unwrap();
        assert_eq!(v, json!({"origin_run_id": "wm-1a", "step": "process"}));
        let m = resume_input("wm-1a", None).unwrap();
        let v: Value = serde_json::from_str(m[RESUME_INPUT].as_str().unwrap()).unwrap();
        assert_eq!(v["step"], Value::Null);
    }

    #[test]
    fn bad_ids_are_refused() {
        assert!(resume_input("", None).is_err());
        assert!(resume_input("wm-1/start", None).is_err());
        assert!(resume_input("12", None).is_err());
        assert!(resume_input("wm-1", Some("Start")).is_err());
        assert!(resume_input("wm-1", Some("a b")).is_err());
    }
}
