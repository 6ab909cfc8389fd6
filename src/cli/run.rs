//! `mf-windmill run flow.py [--run-param k=v]...`: compile the flow, then
//! - with `--local [--workers N]`: execute it with the local executor (Windmill's
//!   semantics on this machine);
//! - otherwise: create or update it on the Windmill server, trigger it with a job id we
//!   choose and wait (`--no-wait`, `--max-wait`) with live per-step progress; on failure
//!   the failed step and its log tail.
//!
//! Prints the Metaflow pathspec `Flow/<run id>` before the run starts (the run id derives
//! from the root job id we choose) and again at the end. Exit 0 success, 1 the run
//! failed (or is still running after --max-wait), 2 usage error.

use std::io::Write;

use clap::Args;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::compile::{CompileFlags, compile_flags};
use super::remote::{self, RemoteFlags};
use crate::emit::params::parse_cli_value;
use crate::local::{self, RunOptions};

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub flags: CompileFlags,
    /// Run on this machine with the local executor instead of a Windmill server.
    #[arg(long)]
    pub local: bool,
    #[command(flatten)]
    pub remote: RemoteFlags,
    /// Remote: return once the run has started (do not wait for it).
    #[arg(long, conflicts_with = "local")]
    pub no_wait: bool,
    /// Remote: stop waiting after this many seconds (the run goes on; exit 1).
    #[arg(long, value_name = "SECONDS", conflicts_with = "local")]
    pub max_wait: Option<u64>,
    /// Write the Metaflow run id to this file.
    #[arg(long, value_name = "FILE")]
    pub run_id_file: Option<std::path::PathBuf>,
    /// A parameter value, `name=value` (repeatable). Strings verbatim; other types JSON.
    #[arg(long = "run-param", value_name = "K=V")]
    pub run_params: Vec<String>,
    /// Maximum concurrent jobs (default: number of CPUs).
    #[arg(long)]
    pub workers: Option<usize>,
    /// Keep the job directories for inspection.
    #[arg(long)]
    pub keep_job_dirs: bool,
    #[command(flatten)]
    pub serve: super::exec::ServeTags,
    #[command(flatten)]
    pub isolated: super::exec::IsolatedWorkers,
    #[command(flatten)]
    pub env: super::exec::WorkerEnv,
    /// Remote: the worker-settings check of `create` (`--strict`, `--shared-datastore`).
    #[command(flatten)]
    pub worker_check: super::worker_check::WorkerCheck,
}

fn usage(msg: impl std::fmt::Display) -> i32 {
    eprintln!("mf-windmill: error: {msg}");
    2
}

pub fn run(args: RunArgs) -> i32 {
    if !args.local && args.isolated.isolated_workers {
        return usage(
            "--isolated-workers runs the jobs on local isolated workers: it needs --local (Windmill's own workers are isolated by nature)",
        );
    }
    if !args.local && !args.env.env.is_empty() {
        return usage(
            "--env sets the local workers' environment: it needs --local (on Windmill, the worker group's environment is set on the workers)",
        );
    }
    if args.local && (args.worker_check.strict || args.worker_check.shared_datastore) {
        return usage(
            "--strict and --shared-datastore check the settings deployed to Windmill's workers: not with --local",
        );
    }
    if !args.local && args.serve.serve_tags.is_some() {
        return usage(
            "--serve-tags says which tags the local workers serve: it needs --local (on Windmill, workers serve the tags of their worker group)",
        );
    }
    if args.local {
        run_local(args)
    } else {
        run_remote(args)
    }
}

fn run_remote(args: RunArgs) -> i32 {
    let cfg = match args.remote.resolve() {
        Ok(c) => c,
        Err(e) if args.remote.windmill_token.is_none() => {
            return usage(format!("{e}; or run the flow on this machine with --local"));
        }
        Err(e) => return usage(e),
    };
    if args.workers.is_some() || args.keep_job_dirs {
        return usage("--workers and --keep-job-dirs apply to --local runs only");
    }
    let compiled = match compile_flags(&args.flags) {
        Ok(c) => c,
        Err(code) => return code,
    };
    if let Err(code) = args.worker_check.apply(&compiled, &args.flags.flow) {
        return code;
    }
    let inputs = match remote::parse_run_params(&compiled.openflow.schema, &args.run_params) {
        Ok(i) => i,
        Err(e) => return usage(e),
    };
    let path = remote::flow_path(&compiled, cfg.name.as_deref());
    let poll = cfg.poll;
    let client = match crate::api::Client::new(cfg.client) {
        Ok(c) => c,
        Err(e) => return remote::api_fail(&e),
    };
    let rt = match remote::runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    rt.block_on(async {
        let deployed = match remote::deploy(&client, &compiled, &path).await {
            Ok(d) => d,
            Err(e) => return remote::api_fail(&e),
        };
        eprintln!(
            "mf-windmill: {} flow {path} ({})",
            if deployed.created {
                "created"
            } else {
                "updated"
            },
            client.flow_url(&path)
        );
        let job = match remote::trigger(&client, &path, &inputs).await {
            Ok(j) => j,
            Err(e) => return remote::api_fail(&e),
        };
        let run_id = remote::run_id(job);
        let pathspec = format!("{}/{run_id}", compiled.flow_name);
        println!("{pathspec}");
        let _ = std::io::stdout().flush();
        eprintln!("mf-windmill: started {pathspec}: {}", client.job_url(job));
        if let Some(f) = &args.run_id_file
            && let Err(e) = remote::write_run_id_file(f, &run_id)
        {
            return remote::fail(e);
        }
        if args.no_wait {
            return 0;
        }
        let max_wait = args.max_wait.map(std::time::Duration::from_secs);
        let labels = serde_json::to_value(&compiled.openflow)
            .map(|v| remote::module_labels(&v))
            .unwrap_or_default();
        let waited = tokio::select! {
            w = remote::wait(&client, job, poll, max_wait, &labels) => w,
            _ = tokio::signal::ctrl_c() => {
                eprintln!(
                    "\nmf-windmill: stopped waiting; the run goes on in Windmill: {}",
                    client.job_url(job)
                );
                return 130;
            }
        };
        match waited {
            Err(e) => {
                let code = remote::api_fail(&e);
                eprintln!(
                    "mf-windmill: the run may still be going on: {}",
                    client.job_url(job)
                );
                code
            }
            Ok(remote::Waited::TimedOut) => {
                eprintln!(
                    "mf-windmill: {pathspec} still running after --max-wait; it goes on: {}",
                    client.job_url(job)
                );
                println!("{pathspec} running");
                1
            }
            Ok(remote::Waited::Done(v)) => {
                let ok = v.state == crate::api::JobState::Success;
                if !ok {
                    remote::report_failure(&client, &v).await;
                }
                let verdict = match v.state {
                    crate::api::JobState::Success => "succeeded",
                    crate::api::JobState::Canceled => "canceled",
                    _ => "failed",
                };
                println!("{pathspec} {verdict}");
                i32::from(!ok)
            }
        }
    })
}

fn run_local(args: RunArgs) -> i32 {
    run_local_with(args, Map::new())
}

/// `run --local` with extra flow inputs (`resume --local`: the resume input).
pub(super) fn run_local_with(mut args: RunArgs, extra: Map<String, Value>) -> i32 {
    let worker_tags = match args.serve.resolve() {
        Ok(t) => t,
        Err(e) => return usage(e),
    };
    let worker_env = match args.env.resolve() {
        Ok(e) => e,
        Err(e) => return usage(e),
    };
    let env = args.flags.compile_env();
    let datastore = match crate::parse::settings::datastore_type(
        &|k| env.iter().find(|(a, _)| a == k).map(|(_, b)| b.clone()),
        &env,
    ) {
        Ok(d) => d,
        Err(e) => return usage(e),
    };
    if datastore == "local"
        && args.flags.datastore_root.is_none()
        && std::env::var_os("METAFLOW_DATASTORE_SYSROOT_LOCAL").is_none()
    {
        // Like a local `python flow.py run` started here.
        match std::env::current_dir() {
            Ok(d) => args.flags.datastore_root = Some(d.join(".metaflow")),
            Err(e) => return usage(format!("cannot read the current directory: {e}")),
        }
    }
    if args.flags.user.is_none() {
        let named = ["METAFLOW_USER", "USERNAME", "USER"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()));
        if named.as_deref().is_none_or(|u| u == "root") {
            // Metaflow refuses root; a local run needs some user name for its metadata.
            eprintln!(
                "mf-windmill: note: no non-root user name (USERNAME); running as user 'local'"
            );
            args.flags.user = Some("local".into());
        }
    }
    let compiled = match compile_flags(&args.flags) {
        Ok(c) => c,
        Err(code) => return code,
    };
    // Isolated: the deployer's cwd and the flow's directory are hidden; the local datastore
    // and the workers' interpreter are the storage the workers share.
    let isolation = {
        let flow_dir = std::fs::canonicalize(&args.flags.flow)
            .ok()
            .and_then(|p| p.parent().map(std::path::Path::to_path_buf));
        let mut shared: Vec<std::path::PathBuf> =
            args.flags.datastore_root.iter().cloned().collect();
        if let Some(s) = std::env::var_os("METAFLOW_DATASTORE_SYSROOT_LOCAL") {
            shared.push(std::path::PathBuf::from(s));
        }
        shared.extend(super::exec::interpreter_dirs(&args.flags.python));
        match args
            .isolated
            .resolve(flow_dir.into_iter().collect(), shared)
        {
            Ok(i) => i,
            Err(e) => return usage(e),
        }
    };
    let workers = crate::emit::worker_settings::LocalWorkers {
        env: worker_env.iter().map(|(k, _)| k.clone()).collect(),
        home_aws_files: isolation.is_none()
            && std::env::var_os("HOME").is_some_and(|h| {
                let aws = std::path::Path::new(&h).join(".aws");
                aws.join("credentials").exists() || aws.join("config").exists()
            }),
        deployer_has_keys: std::env::var_os("AWS_ACCESS_KEY_ID").is_some(),
    };
    if let Some(f) =
        crate::emit::worker_settings::local_s3_credentials(&compiled.settings, &workers)
    {
        eprintln!("mf-windmill: warning: {f}");
    }
    let mut inputs = Map::new();
    for kv in &args.run_params {
        let Some((k, v)) = kv.split_once('=') else {
            return usage(format!("--run-param expects NAME=VALUE, got `{kv}`"));
        };
        match parse_cli_value(&compiled.openflow.schema, k, v) {
            Ok(val) => {
                inputs.insert(k.to_string(), val);
            }
            Err(e) => return usage(e),
        }
    }
    if let Some(req) = compiled
        .openflow
        .schema
        .get("required")
        .and_then(Value::as_array)
    {
        for r in req.iter().filter_map(Value::as_str) {
            if !inputs.contains_key(r) {
                return usage(format!(
                    "parameter '{r}' is required: pass --run-param {r}=VALUE"
                ));
            }
        }
    }
    inputs.extend(extra);
    let text = crate::emit::to_json(&compiled);
    let flow = match local::parse_flow_json(&text) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("mf-windmill: internal error: the compiled flow is not executable: {e}");
            return 1;
        }
    };
    let job = Uuid::new_v4();
    let pathspec = format!("{}/wm-{job}", compiled.flow_name);
    println!("{pathspec}");
    if let Some(f) = &args.run_id_file
        && let Err(e) = remote::write_run_id_file(f, &format!("wm-{job}"))
    {
        return usage(e);
    }
    let _ = std::io::stdout().flush();
    eprintln!(
        "mf-windmill: running {pathspec} locally ({})",
        compiled.path
    );
    let opts = RunOptions {
        worker_tags,
        keep_job_dirs: args.keep_job_dirs,
        on_event: Some(local::progress::stderr_printer()),
        flow_path: compiled.path.clone(),
        root_job_id: Some(job),
        isolation,
        worker_env,
        ..Default::default()
    };
    let outcome = match super::exec::run_until_done(&flow, inputs, opts, args.workers) {
        Ok(o) => o,
        Err(code) => return code,
    };
    match outcome {
        Err(e) => {
            eprintln!("mf-windmill: error: {e}");
            1
        }
        Ok(o) => {
            let verdict = if o.canceled {
                "canceled"
            } else if o.success {
                "succeeded"
            } else {
                "failed"
            };
            if !o.success {
                eprintln!(
                    "mf-windmill: {}",
                    serde_json::to_string(&o.result).unwrap_or_default()
                );
            }
            println!("{pathspec} {verdict}");
            i32::from(!o.success || o.canceled)
        }
    }
}
