//! `mf-windmill exec flow.json [--inputs JSON|@file] [--workers N] [--env K=V]...`: run an
//! OpenFlow file with the local executor. Progress on stderr, result JSON on stdout.
//! Exit 0 success, 1 flow failed or canceled, 2 usage error.

use std::path::PathBuf;

use serde_json::{Map, Value};

use crate::local::{self, RunOptions};

#[derive(Debug, clap::Args)]
pub struct ExecArgs {
    /// OpenFlow JSON file (a full OpenFlow document or a bare `value`).
    pub flow: PathBuf,
    /// Flow inputs: a JSON object, or @path to a file holding one.
    #[arg(long)]
    pub inputs: Option<String>,
    /// Maximum concurrent jobs (default: number of CPUs).
    #[arg(long)]
    pub workers: Option<usize>,
    /// Worker environment variable K=V passed to every job (repeatable).
    #[arg(long = "env", value_name = "K=V")]
    pub env: Vec<String>,
    /// Keep the job directories (printed on stderr) for inspection.
    #[arg(long)]
    pub keep_job_dirs: bool,
    #[command(flatten)]
    pub serve: ServeTags,
}

/// Which worker tags the local workers serve (`exec`, `run --local`).
#[derive(Debug, Clone, clap::Args)]
pub struct ServeTags {
    /// The worker tags the local workers serve, comma-separated (default: Windmill's
    /// default tags, among them `bash`). As on Windmill, a job whose tag no worker serves
    /// (a step routed with --worker-tag / --worker-tag-map) waits in the queue.
    #[arg(long = "serve-tags", value_name = "TAGS", value_delimiter = ',')]
    pub serve_tags: Option<Vec<String>>,
}

impl ServeTags {
    /// The served tags for [`RunOptions::worker_tags`]; `Err` is a usage message.
    pub fn resolve(&self) -> Result<Option<Vec<String>>, String> {
        match &self.serve_tags {
            None => Ok(None),
            Some(tags) => {
                let tags: Vec<String> = tags.iter().map(|t| t.trim().to_string()).collect();
                if tags.is_empty() || tags.iter().any(String::is_empty) {
                    return Err("--serve-tags expects a comma-separated list of tags".into());
                }
                Ok(Some(tags))
            }
        }
    }
}

fn usage(msg: impl std::fmt::Display) -> i32 {
    eprintln!("error: {msg}");
    2
}

pub fn run(args: ExecArgs) -> i32 {
    let text = match std::fs::read_to_string(&args.flow) {
        Ok(t) => t,
        Err(e) => return usage(format!("cannot read {}: {e}", args.flow.display())),
    };
    let flow = match local::parse_flow_json(&text) {
        Ok(f) => f,
        Err(e) => return usage(format!("{}: {e}", args.flow.display())),
    };
    let inputs: Map<String, Value> = match &args.inputs {
        None => Map::new(),
        Some(s) => {
            let raw = match s.strip_prefix('@') {
                Some(p) => match std::fs::read_to_string(p) {
                    Ok(t) => t,
                    Err(e) => return usage(format!("cannot read inputs file {p}: {e}")),
                },
                None => s.clone(),
            };
            match serde_json::from_str::<Value>(&raw) {
                Ok(Value::Object(m)) => m,
                Ok(_) => return usage("--inputs must be a JSON object"),
                Err(e) => return usage(format!("--inputs is not valid JSON: {e}")),
            }
        }
    };
    let mut worker_env = vec![];
    for kv in &args.env {
        match kv.split_once('=') {
            Some((k, v)) if !k.is_empty() => worker_env.push((k.to_string(), v.to_string())),
            _ => return usage(format!("--env expects K=V, got `{kv}`")),
        }
    }
    let worker_tags = match args.serve.resolve() {
        Ok(t) => t,
        Err(e) => return usage(e),
    };
    let opts = RunOptions {
        worker_env,
        worker_tags,
        keep_job_dirs: args.keep_job_dirs,
        on_event: Some(local::progress::stderr_printer()),
        ..Default::default()
    };
    let outcome = match run_until_done(&flow, inputs, opts, args.workers) {
        Ok(o) => o,
        Err(code) => return code,
    };
    match outcome {
        Err(local::RunError::Flow(e)) => usage(format!("{}: {e}", args.flow.display())),
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
        Ok(o) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&o.result).unwrap_or_default()
            );
            if o.canceled {
                eprintln!("flow canceled (root job {})", o.root_job_id);
                1
            } else if o.success {
                eprintln!("flow succeeded (root job {})", o.root_job_id);
                0
            } else {
                eprintln!("flow failed (root job {})", o.root_job_id);
                1
            }
        }
    }
}

/// Run a flow with the local executor on a fresh runtime, with `--workers` applied and
/// Ctrl-C cancelling the run (every job's process group is killed). `Err` is an exit code
/// for a usage problem found before anything ran.
pub(super) fn run_until_done(
    flow: &local::FlowValue,
    inputs: serde_json::Map<String, serde_json::Value>,
    mut opts: RunOptions,
    workers: Option<usize>,
) -> Result<Result<local::RunOutcome, local::RunError>, i32> {
    if let Some(w) = workers {
        if w == 0 {
            return Err(usage("--workers must be at least 1"));
        }
        opts.workers = w;
    }
    let cancel = local::CancelToken::new();
    opts.cancel = Some(cancel.clone());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| usage(format!("cannot start runtime: {e}")))?;
    Ok(rt.block_on(async {
        let c = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("interrupted: canceling the run (killing every job's process group)");
                c.cancel();
            }
        });
        local::run_flow(flow, inputs, opts).await
    }))
}
