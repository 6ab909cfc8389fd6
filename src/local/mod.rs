//! Local executor: runs an OpenFlow `value` on this machine with Windmill's semantics.
//!
//! Not an orchestrator of its own: one machine, Windmill's rules (see
//! `docs/local-executor.md` for the mapping and the known deviations). Modules:
//! [`openflow`] (serde model), [`bash`] (signature, wrapper, result), [`expr`] (JavaScript),
//! [`engine`] (flow walking), [`process`] (process groups, timeouts), [`env`] (WM_*
//! variables), [`server`] (loopback API), [`state`] (job table), [`progress`] (live lines),
//! [`isolation`] (`--isolated-workers`: jobs that share nothing with the deployer).

pub mod bash;
mod engine;
pub mod env;
pub mod expr;
pub mod isolation;
pub mod openflow;
pub mod process;
pub mod progress;
pub mod server;
pub mod state;
pub mod worker_tags;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};
use tokio::sync::{Semaphore, watch};
use uuid::Uuid;

pub use openflow::{FlowError, FlowValue, OpenFlow, parse_flow_json};

/// A callback receiving progress events (e.g. [`progress::stderr_printer`]).
pub type EventSink = Arc<dyn Fn(&Event) + Send + Sync>;

/// A progress event.
#[derive(Debug, Clone)]
pub enum Event {
    StepStarted {
        job_id: Uuid,
        module_id: String,
        /// Display path, e.g. `loop[2]/body` or `split/branch1/a`.
        path: String,
        attempt: u32,
    },
    StepFinished {
        job_id: Uuid,
        module_id: String,
        path: String,
        attempt: u32,
        duration: Duration,
        success: bool,
        result: Value,
        /// Last lines of the job's log.
        log_tail: String,
    },
    StepSkipped {
        module_id: String,
        path: String,
    },
    Retrying {
        module_id: String,
        path: String,
        next_attempt: u32,
        delay: Duration,
    },
    Warning {
        module_id: Option<String>,
        message: String,
    },
}

/// Cancels a run: every job's process group is killed and the run ends as canceled.
#[derive(Debug, Clone)]
pub struct CancelToken(Arc<watch::Sender<bool>>);

impl Default for CancelToken {
    fn default() -> Self {
        Self::new()
    }
}

impl CancelToken {
    pub fn new() -> Self {
        CancelToken(Arc::new(watch::channel(false).0))
    }
    pub fn cancel(&self) {
        self.0.send_replace(true);
    }
    pub fn is_canceled(&self) -> bool {
        *self.0.borrow()
    }
    fn subscribe(&self) -> watch::Receiver<bool> {
        self.0.subscribe()
    }
}

/// Options of a run.
#[derive(Clone)]
pub struct RunOptions {
    /// Bounded worker pool: maximum concurrent jobs (processes) in the whole run.
    pub workers: usize,
    /// Worker-level environment variables (`--env K=V`).
    pub worker_env: Vec<(String, String)>,
    pub workspace: String,
    pub username: String,
    pub email: String,
    /// The flow's path (`WM_FLOW_PATH`).
    pub flow_path: String,
    /// Time limit of one expression evaluation (10 s on a server).
    pub expr_timeout: Duration,
    /// Grace between SIGINT, SIGTERM and SIGKILL on timeout.
    pub kill_grace: Duration,
    /// Directory under which job directories are created (default: a fresh temp dir).
    pub jobs_dir: Option<PathBuf>,
    pub keep_job_dirs: bool,
    pub cancel: Option<CancelToken>,
    pub on_event: Option<EventSink>,
    /// The root flow job's id (`WM_FLOW_JOB_ID` of top-level steps), chosen by the caller
    /// the way `jobs/run/f/{path}?job_id=` lets a Windmill client choose it; random if
    /// `None`.
    pub root_job_id: Option<Uuid>,
    /// The worker tags the local workers serve (`None`: Windmill's default tags,
    /// [`worker_tags::DEFAULT_TAGS`]). A job whose tag no worker serves waits in the
    /// queue, as on Windmill.
    pub worker_tags: Option<Vec<String>>,
    /// The Windmill server the run belongs to, when it is one (the fake Windmill of the
    /// tests): the jobs' API (`$BASE_INTERNAL_URL`, `$WM_TOKEN`) answers the routes it
    /// serves itself (jobs of this run) and forwards every other request (variables,
    /// `jobs/run/f/…`) there, with this token. Never given to a job.
    pub upstream: Option<server::Upstream>,
    /// Isolated workers (`--isolated-workers`): every job gets a fresh cwd, `HOME` and
    /// `TMPDIR` under the run's scratch directory, the worker's standard `PATH`, and (where
    /// a mount namespace is available) cannot see the deployer's directories.
    pub isolation: Option<isolation::Isolation>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            workers: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            worker_env: vec![],
            workspace: "local".into(),
            username: "local".into(),
            email: "local@windmill.dev".into(),
            flow_path: "u/local/flow".into(),
            expr_timeout: Duration::from_secs(10),
            kill_grace: Duration::from_secs(1),
            jobs_dir: None,
            keep_job_dirs: false,
            cancel: None,
            on_event: None,
            root_job_id: None,
            worker_tags: None,
            upstream: None,
            isolation: None,
        }
    }
}

impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions")
            .field("workers", &self.workers)
            .field("workspace", &self.workspace)
            .field("flow_path", &self.flow_path)
            .field("isolation", &self.isolation)
            .finish_non_exhaustive()
    }
}

/// One job of the run (script, identity or flow job).
#[derive(Debug, Clone)]
pub struct JobRecord {
    pub job_id: Uuid,
    pub parent_job: Option<Uuid>,
    /// `script`, `identity` or `flow`.
    pub kind: &'static str,
    /// The module id (`WM_FLOW_STEP_ID`); `None` for the root flow job.
    pub module_id: Option<String>,
    /// 1 for the first run, 2 for the first retry, ...
    pub attempt: u32,
    pub args: Map<String, Value>,
    pub result: Value,
    pub success: bool,
    pub started_at: SystemTime,
    pub ended_at: SystemTime,
    pub log: String,
}

/// The outcome of a run.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    pub success: bool,
    pub canceled: bool,
    /// The flow's result (its error object when it failed).
    pub result: Value,
    pub root_job_id: Uuid,
    /// Every job, in completion order.
    pub jobs: Vec<JobRecord>,
}

impl RunOutcome {
    /// Script jobs of module `id`, in completion order.
    pub fn jobs_of(&self, id: &str) -> Vec<&JobRecord> {
        self.jobs
            .iter()
            .filter(|j| j.kind == "script" && j.module_id.as_deref() == Some(id))
            .collect()
    }
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The flow is not executable locally (usage error).
    #[error(transparent)]
    Flow(#[from] FlowError),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// Run `flow` with `inputs` as the flow arguments.
pub async fn run_flow(
    flow: &FlowValue,
    inputs: Map<String, Value>,
    opts: RunOptions,
) -> Result<RunOutcome, RunError> {
    openflow::validate(flow)?;
    let token = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
    let table = state::SharedTable::default();
    let identity_base = env::Identity {
        workspace: opts.workspace.clone(),
        username: opts.username.clone(),
        email: opts.email.clone(),
        token: token.clone(),
        base_url: String::new(),
        flow_path: opts.flow_path.clone(),
        worker_group: "default".into(),
        path: match &opts.isolation {
            // The worker's own PATH: the worker group's (`--env PATH=...`), else standard.
            Some(_) => opts
                .worker_env
                .iter()
                .rev()
                .find(|(k, _)| k == "PATH")
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| isolation::WORKER_PATH.into()),
            None => std::env::var("PATH").unwrap_or_else(|_| "/usr/local/bin:/usr/bin:/bin".into()),
        },
        // Isolated: replaced per job by the job's own HOME (env::JobEnv::own_dirs).
        home: std::env::var("HOME").unwrap_or_else(|_| "/tmp".into()),
        worker_env: opts.worker_env.clone(),
    };
    let srv = server::start(server::ServerCtx {
        table: table.clone(),
        token: token.clone(),
        workspace: opts.workspace.clone(),
        permissioned_as: identity_base.permissioned_as(),
        email: opts.email.clone(),
        upstream: opts.upstream.clone(),
    })
    .await?;
    let identity = env::Identity {
        base_url: srv.base_url.clone(),
        ..identity_base
    };
    let jobs_base = match (&opts.jobs_dir, &opts.isolation) {
        (Some(d), _) => Some(d.clone()),
        (None, Some(iso)) => Some(isolation::scratch_base(iso).map_err(std::io::Error::other)?),
        (None, None) => None,
    };
    let tmp = TempDir::new(jobs_base, opts.keep_job_dirs)?;
    let isolated = opts.isolation.clone().map(|iso| {
        let hide = !iso.hidden.is_empty() && isolation::namespace_available().is_ok();
        engine::Isolated { iso, hide }
    });
    let cancel = opts.cancel.clone().unwrap_or_default();
    let root_job = opts.root_job_id.unwrap_or_else(Uuid::new_v4);
    let eng = Arc::new(engine::Engine {
        identity,
        table: table.clone(),
        pool: Arc::new(Semaphore::new(opts.workers.max(1))),
        cancel: cancel.subscribe(),
        records: Mutex::new(vec![]),
        root_job,
        failure_module: flow.failure_module.as_deref().cloned(),
        job_root_dir: tmp.path.clone(),
        isolated,
        keep_job_dirs: opts.keep_job_dirs,
        expr_timeout: opts.expr_timeout,
        kill_grace: opts.kill_grace,
        on_event: opts.on_event.clone(),
        warned: Mutex::new(Default::default()),
        worker_tags: opts
            .worker_tags
            .clone()
            .unwrap_or_else(worker_tags::default_tags),
    });
    if let Some(iso) = &opts.isolation {
        for p in &iso.shared {
            std::fs::create_dir_all(p).ok();
        }
        if let (false, Err(why)) = (iso.hidden.is_empty(), isolation::namespace_available()) {
            let dirs: Vec<String> = iso.hidden.iter().map(|d| d.display().to_string()).collect();
            eng.emit(Event::Warning {
                module_id: None,
                message: format!(
                    "isolated workers: {why}; the jobs still get their own cwd, HOME, TMPDIR and Windmill's environment, but can read {} by absolute path",
                    dirs.join(", ")
                ),
            });
        }
    }
    for (module_id, tag) in worker_tags::unserved(flow, &eng.worker_tags) {
        eng.emit(Event::Warning {
            module_id: Some(module_id.clone()),
            message: format!(
                "module {module_id} runs on worker tag '{tag}', which no local worker serves (they serve: {}); its jobs wait in the queue as on Windmill. Serve it with --serve-tags",
                eng.worker_tags.join(",")
            ),
        });
    }
    for (present, what) in [
        (flow.same_worker == Some(true), "same_worker"),
        (flow.concurrent_limit.is_some(), "concurrent_limit"),
        (flow.skip_expr.is_some(), "skip_expr"),
        (flow.cache_ttl.is_some(), "cache_ttl"),
        (flow.early_return.is_some(), "early_return"),
    ] {
        if present {
            eng.emit(Event::Warning {
                module_id: None,
                message: format!("flow-level `{what}` is ignored by the local executor"),
            });
        }
    }
    // The run's flow job (its id is WM_ROOT_JOB_ID).
    let frame = {
        let js = state::JobState {
            id: root_job,
            kind: state::JobKind::Flow,
            parent_job: None,
            root_job: None,
            flow_step_id: None,
            args: inputs.clone(),
            created_at: SystemTime::now(),
            started_at: Some(SystemTime::now()),
            ended_at: None,
            success: None,
            result: None,
            logs: String::new(),
            flow_status: Some(state::FlowStatus {
                failure_module_id: flow.failure_module.as_ref().map(|m| m.id.clone()),
                failure_status: "WaitingForPriorSteps",
                ..Default::default()
            }),
            script_path: opts.flow_path.clone(),
        };
        table.lock().unwrap().jobs.insert(root_job, js);
        Arc::new(engine::Frame {
            job_id: root_job,
            parent: None,
            root_for_children: root_job,
            args: inputs,
            results: Mutex::new(vec![]),
            path: String::new(),
        })
    };
    let out = engine::run_flow_modules(eng.clone(), frame, flow.modules.clone()).await;
    let canceled = cancel.is_canceled();
    let jobs = std::mem::take(&mut *eng.records.lock().unwrap());
    drop(srv);
    drop(tmp);
    Ok(RunOutcome {
        success: out.success && !canceled,
        canceled,
        result: out.result,
        root_job_id: root_job,
        jobs,
    })
}

/// The delay before retry number `fail_count + 1`, or `None` when retries are exhausted
/// (worker_flow.rs `next_retry`, flows.rs `Retry::interval`; random_factor ignored).
pub fn retry_interval(retry: &openflow::Retry, fail_count: u32) -> Option<Duration> {
    engine::next_retry(retry, fail_count)
}

/// Blocking convenience wrapper around [`run_flow`] (builds a multi-thread runtime).
pub fn run_flow_blocking(
    flow: &FlowValue,
    inputs: Map<String, Value>,
    opts: RunOptions,
) -> Result<RunOutcome, RunError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run_flow(flow, inputs, opts))
}

/// The directory holding job directories; removed on drop unless kept.
struct TempDir {
    path: PathBuf,
    remove: bool,
}

impl TempDir {
    fn new(base: Option<PathBuf>, keep: bool) -> std::io::Result<Self> {
        let base = base.unwrap_or_else(std::env::temp_dir);
        let path = base.join(format!("mf-windmill-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&path)?;
        Ok(TempDir {
            path,
            remove: !keep,
        })
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if self.remove {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}
