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
    #[command(flatten)]
    pub env: WorkerEnv,
    /// Keep the job directories (printed on stderr) for inspection.
    #[arg(long)]
    pub keep_job_dirs: bool,
    #[command(flatten)]
    pub serve: ServeTags,
    #[command(flatten)]
    pub isolated: IsolatedWorkers,
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

/// The worker group's environment (`exec`, `run --local`): variables every job gets, as
/// the variables a Windmill worker passes to its jobs.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct WorkerEnv {
    /// Worker environment variable passed to every job (repeatable): `K=V`, or `K` alone
    /// for K's value in this environment (credentials stay out of the command line).
    #[arg(long = "env", value_name = "K[=V]")]
    pub env: Vec<String>,
}

impl WorkerEnv {
    /// [`RunOptions::worker_env`]; `Err` is a usage message.
    pub fn resolve(&self) -> Result<Vec<(String, String)>, String> {
        let mut out = vec![];
        for kv in &self.env {
            match kv.split_once('=') {
                Some((k, v)) if !k.is_empty() => out.push((k.to_string(), v.to_string())),
                None if !kv.is_empty() => match std::env::var(kv) {
                    Ok(v) => out.push((kv.clone(), v)),
                    Err(_) => {
                        return Err(format!(
                            "--env {kv} passes {kv}'s value from this environment, but {kv} is not set"
                        ));
                    }
                },
                _ => return Err(format!("--env expects K=V or K, got `{kv}`")),
            }
        }
        Ok(out)
    }
}

/// Isolated workers (`exec`, `run --local`): see [`local::isolation`].
#[derive(Debug, Clone, clap::Args)]
pub struct IsolatedWorkers {
    /// Run every job as on a Windmill worker that shares nothing with this machine but
    /// declared shared storage: its own fresh cwd, HOME and TMPDIR under a scratch
    /// directory, exactly Windmill's job environment plus --env, the standard PATH (or
    /// --env PATH=...), and, where a mount namespace is available, the current directory
    /// (and the flow's) hidden. `run --local` keeps the datastore root and the --python
    /// environment visible.
    #[arg(long)]
    pub isolated_workers: bool,
    /// With --isolated-workers: a path of this machine the workers share (a volume every
    /// worker mounts at the same path), kept visible inside hidden directories (repeatable).
    #[arg(
        long = "shared-path",
        value_name = "DIR",
        requires = "isolated_workers"
    )]
    pub shared_paths: Vec<PathBuf>,
}

impl IsolatedWorkers {
    /// [`RunOptions::isolation`]: `hidden` = the deployer's directories (this process's
    /// cwd is always one), `shared` = paths the workers share besides `--shared-path`.
    /// `Err` is a usage message.
    pub fn resolve(
        &self,
        mut hidden: Vec<PathBuf>,
        shared: Vec<PathBuf>,
    ) -> Result<Option<local::isolation::Isolation>, String> {
        if !self.isolated_workers {
            return Ok(None);
        }
        let cwd = std::env::current_dir()
            .map_err(|e| format!("cannot read the current directory: {e}"))?;
        hidden.insert(0, cwd.clone());
        let abs = |p: &PathBuf| -> PathBuf {
            let p = if p.is_absolute() {
                p.clone()
            } else {
                cwd.join(p)
            };
            std::fs::canonicalize(&p).unwrap_or(p)
        };
        let mut hid: Vec<PathBuf> = vec![];
        for h in hidden.iter().map(abs) {
            if let Some(sys) = ["/usr", "/bin", "/lib", "/etc", "/tmp", "/dev", "/proc"]
                .iter()
                .find(|s| std::path::Path::new(s).starts_with(&h))
            {
                return Err(format!(
                    "--isolated-workers hides the deployer's directory {}, which holds {sys}: run from a project directory",
                    h.display()
                ));
            }
            if !hid.iter().any(|d| h.starts_with(d)) {
                hid.retain(|d| !d.starts_with(&h));
                hid.push(h);
            }
        }
        let mut sh: Vec<PathBuf> = vec![];
        for p in shared.iter().chain(&self.shared_paths) {
            let p = if p.is_absolute() {
                p.clone()
            } else {
                cwd.join(p)
            };
            for q in [p.clone(), std::fs::canonicalize(&p).unwrap_or(p)] {
                if !sh.contains(&q) {
                    sh.push(q);
                }
            }
        }
        Ok(Some(local::isolation::Isolation {
            hidden: hid,
            shared: sh,
        }))
    }
}

/// The environment of the workers' interpreter `python` (an absolute path): the directory
/// above its `bin/` (a virtualenv or an installation prefix), for the real file too when
/// it is a symlink. Empty for a bare name (found on the worker's PATH).
pub fn interpreter_dirs(python: &str) -> Vec<PathBuf> {
    let p = std::path::Path::new(python);
    if !p.is_absolute() {
        return vec![];
    }
    let prefix = |p: &std::path::Path| -> Option<PathBuf> {
        let bin = p.parent()?;
        Some(match bin.file_name() {
            Some(n) if n == "bin" => bin.parent()?.to_path_buf(),
            _ => bin.to_path_buf(),
        })
    };
    let mut out = vec![];
    for q in [
        p.to_path_buf(),
        std::fs::canonicalize(p).unwrap_or(p.to_path_buf()),
    ] {
        if let Some(d) = prefix(&q)
            && !out.contains(&d)
        {
            out.push(d);
        }
    }
    out
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
    let worker_env = match args.env.resolve() {
        Ok(e) => e,
        Err(e) => return usage(e),
    };
    let worker_tags = match args.serve.resolve() {
        Ok(t) => t,
        Err(e) => return usage(e),
    };
    let isolation = match args.isolated.resolve(vec![], vec![]) {
        Ok(i) => i,
        Err(e) => return usage(e),
    };
    let opts = RunOptions {
        worker_env,
        worker_tags,
        isolation,
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
/// Ctrl-C, SIGTERM or SIGHUP cancelling the run (every job's process group is killed). `Err` is an exit code
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
            // Ctrl-C, or a SIGTERM/SIGHUP from a supervisor (`timeout`, a CI runner, a
            // closed terminal): the jobs run in their own process groups, so without this
            // they would outlive the executor.
            use tokio::signal::unix::{SignalKind, signal};
            let (Ok(mut term), Ok(mut hup)) = (
                signal(SignalKind::terminate()),
                signal(SignalKind::hangup()),
            ) else {
                return;
            };
            let what = tokio::select! {
                r = tokio::signal::ctrl_c() => if r.is_ok() { "interrupted" } else { return },
                _ = term.recv() => "terminated (SIGTERM)",
                _ = hup.recv() => "hung up (SIGHUP)",
            };
            eprintln!("{what}: canceling the run (killing every job's process group)");
            c.cancel();
        });
        local::run_flow(flow, inputs, opts).await
    }))
}
