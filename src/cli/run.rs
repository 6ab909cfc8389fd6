//! `mf-windmill run flow.py --local [--run-param k=v]... [--workers N]`: compile the flow,
//! then execute it with the local executor (Windmill's semantics on this machine).
//! Prints the Metaflow pathspec `Flow/<run id>` before the run starts (the run id derives
//! from the root job id we choose) and again at the end. Exit 0 success, 1 the run
//! failed, 2 usage error.

use std::io::Write;

use clap::Args;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::compile::{CompileFlags, compile_flags};
use crate::emit::params::parse_cli_value;
use crate::local::{self, RunOptions};

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub flags: CompileFlags,
    /// Run on this machine with the local executor (the only mode so far).
    #[arg(long, required = true)]
    pub local: bool,
    /// A parameter value, `name=value` (repeatable). Strings verbatim; other types JSON.
    #[arg(long = "run-param", value_name = "K=V")]
    pub run_params: Vec<String>,
    /// Maximum concurrent jobs (default: number of CPUs).
    #[arg(long)]
    pub workers: Option<usize>,
    /// Keep the job directories for inspection.
    #[arg(long)]
    pub keep_job_dirs: bool,
}

fn usage(msg: impl std::fmt::Display) -> i32 {
    eprintln!("mf-windmill: error: {msg}");
    2
}

pub fn run(mut args: RunArgs) -> i32 {
    if args.flags.datastore_root.is_none()
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
    let _ = std::io::stdout().flush();
    eprintln!(
        "mf-windmill: running {pathspec} locally ({})",
        compiled.path
    );
    let mut opts = RunOptions {
        keep_job_dirs: args.keep_job_dirs,
        on_event: Some(local::progress::stderr_printer()),
        flow_path: compiled.path.clone(),
        root_job_id: Some(job),
        ..Default::default()
    };
    if let Some(w) = args.workers {
        if w == 0 {
            return usage("--workers must be at least 1");
        }
        opts.workers = w;
    }
    let cancel = local::CancelToken::new();
    opts.cancel = Some(cancel.clone());
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return usage(format!("cannot start runtime: {e}")),
    };
    let outcome = rt.block_on(async {
        let c = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("interrupted: canceling the run (killing every job's process group)");
                c.cancel();
            }
        });
        local::run_flow(&flow, inputs, opts).await
    });
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
