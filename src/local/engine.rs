//! Flow walking: sequential modules, retries, loops, branches, failure module, stop/skip
//! conditions. Every rule cites `backend/windmill-worker/src/worker_flow.rs` (wf) unless noted.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use serde_json::{Map, Value, json};
use tokio::sync::{Semaphore, watch};
use uuid::Uuid;

use super::bash;
use super::env::{Identity, JobEnv, job_env};
use super::expr::{self, Scope};
use super::isolation;
use super::openflow::{FlowModule, InputTransform, ModuleValue, Retry};
use super::process::{self, Ending};
use super::state::{
    FlowStatus, JobKind, JobState, ModuleStatus, RetryStatus, SharedTable, rfc3339,
};
use super::{Event, JobRecord, worker_tags};

type BoxFut<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// windmill-common flow_status.rs: `MAX_RETRY_ATTEMPTS`, `MAX_RETRY_INTERVAL`.
const MAX_RETRY_ATTEMPTS: u32 = 1000;
const MAX_RETRY_INTERVAL: Duration = Duration::from_secs(6 * 3600);

pub(crate) struct Engine {
    pub identity: Identity,
    pub table: SharedTable,
    pub pool: Arc<Semaphore>,
    pub cancel: watch::Receiver<bool>,
    pub records: Mutex<Vec<JobRecord>>,
    pub root_job: Uuid,
    pub failure_module: Option<FlowModule>,
    pub job_root_dir: std::path::PathBuf,
    /// Isolated workers, with whether the deployer's directories are hidden.
    pub isolated: Option<Isolated>,
    pub keep_job_dirs: bool,
    pub expr_timeout: Duration,
    pub kill_grace: Duration,
    pub on_event: Option<super::EventSink>,
    pub warned: Mutex<std::collections::HashSet<String>>,
    /// The tags the local workers serve.
    pub worker_tags: Vec<String>,
}

/// Isolated workers (`super::isolation`): `hide` when a mount namespace hides
/// `iso.hidden`.
pub(crate) struct Isolated {
    pub iso: super::isolation::Isolation,
    pub hide: bool,
}

/// A flow job (the run, or a loop iteration / branch subflow).
pub(crate) struct Frame {
    pub job_id: Uuid,
    pub parent: Option<Arc<Frame>>,
    /// `flow_innermost_root_job` of this flow's children (`WM_ROOT_FLOW_JOB_ID`).
    pub root_for_children: Uuid,
    pub args: Map<String, Value>,
    pub results: Mutex<Vec<(String, Value)>>,
    /// Display prefix for progress lines.
    pub path: String,
}

impl Frame {
    /// `results.<id>` resolution: this flow, then enclosing flows; within a flow the module
    /// that ran last wins (duplicate ids).
    fn visible_results(&self) -> Vec<(String, Value)> {
        let mut out = vec![];
        let mut f = Some(self);
        while let Some(fr) = f {
            out.extend(fr.results.lock().unwrap().iter().rev().cloned());
            f = fr.parent.as_deref();
        }
        out
    }
}

pub(crate) struct FlowOutcome {
    pub success: bool,
    pub result: Value,
    /// Stopped early by a `stop_after_if` (propagates to the enclosing loop or flow).
    pub stopped: bool,
}

enum ModOutcome {
    Ok {
        result: Value,
        stopped: bool,
    },
    /// Failed, but the flow continues (continue_on_error, skip_failure of branchall).
    Soft(Value),
    Fail(Value),
}

fn error_value(name: &str, message: impl Into<String>) -> Value {
    json!({"error": {"name": name, "message": message.into()}})
}

/// wf `insert_iter_arg`: an existing `iter` is renamed `iter_parent`, its `iter_parent`
/// `iter_parent_parent`, and so on.
pub(crate) fn insert_iter_arg(args: &mut Map<String, Value>, key: String, value: Value) {
    if let Some(old) = args.remove(&key) {
        insert_iter_arg(args, format!("{key}_parent"), old);
    }
    args.insert(key, value);
}

/// wf `next_retry` + flows.rs `Retry::interval`.
pub(crate) fn next_retry(retry: &Retry, fail_count: u32) -> Option<Duration> {
    if fail_count > MAX_RETRY_ATTEMPTS {
        return None;
    }
    let c = &retry.constant;
    let e = &retry.exponential;
    let d = if fail_count < c.attempts {
        Duration::from_secs(c.seconds)
    } else if fail_count - c.attempts < e.attempts {
        let exp = fail_count.saturating_add(1);
        Duration::from_secs(e.multiplier.saturating_mul(e.seconds.saturating_pow(exp)))
    } else {
        return None;
    };
    Some(d.min(MAX_RETRY_INTERVAL))
}

fn timeout_secs(m: &FlowModule) -> Option<Duration> {
    match &m.timeout {
        Some(Value::Number(n)) => n.as_f64().map(Duration::from_secs_f64),
        Some(Value::Object(o)) if o.get("type") == Some(&json!("static")) => o
            .get("value")
            .and_then(Value::as_f64)
            .map(Duration::from_secs_f64),
        _ => None,
    }
}

impl Engine {
    pub fn emit(&self, e: Event) {
        if let Some(cb) = &self.on_event {
            cb(&e);
        }
    }

    fn warn_once(&self, module_id: &str, what: &str) {
        let key = format!("{module_id}:{what}");
        if self.warned.lock().unwrap().insert(key) {
            self.emit(Event::Warning {
                module_id: Some(module_id.to_string()),
                message: format!("`{what}` is ignored by the local executor"),
            });
        }
    }

    fn canceled(&self) -> bool {
        *self.cancel.borrow()
    }

    fn canceled_value() -> Value {
        error_value("Canceled", "Job canceled: run canceled by the user")
    }

    fn new_job(
        &self,
        kind: JobKind,
        parent: Option<&Frame>,
        root: Option<Uuid>,
        step: Option<&str>,
        args: Map<String, Value>,
    ) -> Uuid {
        let id = Uuid::new_v4();
        let js = JobState {
            id,
            kind,
            parent_job: parent.map(|p| p.job_id),
            root_job: root,
            flow_step_id: step.map(str::to_string),
            args,
            created_at: SystemTime::now(),
            started_at: Some(SystemTime::now()),
            ended_at: None,
            success: None,
            result: None,
            logs: String::new(),
            flow_status: if kind == JobKind::Flow {
                Some(FlowStatus {
                    failure_module_id: self.failure_module.as_ref().map(|m| m.id.clone()),
                    failure_status: "WaitingForPriorSteps",
                    ..Default::default()
                })
            } else {
                None
            },
            script_path: match step {
                Some(s) => format!("{}/{}", self.identity.flow_path, s),
                None => self.identity.flow_path.clone(),
            },
        };
        self.table.lock().unwrap().jobs.insert(id, js);
        id
    }

    fn with_job<R>(&self, id: Uuid, f: impl FnOnce(&mut JobState) -> R) -> Option<R> {
        self.table.lock().unwrap().jobs.get_mut(&id).map(f)
    }

    fn with_status<R>(&self, flow: Uuid, f: impl FnOnce(&mut FlowStatus) -> R) -> Option<R> {
        self.with_job(flow, |j| j.flow_status.as_mut().map(f))
            .flatten()
    }

    fn complete_job(&self, id: Uuid, success: bool, result: &Value, logs: Option<&str>) {
        self.with_job(id, |j| {
            j.success = Some(success);
            j.result = Some(result.clone());
            j.ended_at = Some(SystemTime::now());
            if let Some(l) = logs {
                j.logs = l.to_string();
            }
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn record(
        &self,
        job_id: Uuid,
        kind: JobKind,
        frame: Option<&Frame>,
        module_id: Option<&str>,
        attempt: u32,
        args: &Map<String, Value>,
        result: &Value,
        success: bool,
        started: SystemTime,
        log: String,
    ) {
        self.records.lock().unwrap().push(JobRecord {
            job_id,
            parent_job: frame.map(|f| f.job_id),
            kind: match kind {
                JobKind::Flow => "flow",
                JobKind::Script => "script",
                JobKind::Identity => "identity",
            },
            module_id: module_id.map(str::to_string),
            attempt,
            args: args.clone(),
            result: result.clone(),
            success,
            started_at: started,
            ended_at: SystemTime::now(),
            log,
        });
    }
}

/// Run a flow job's modules in order (wf `push_next_flow_job` / `update_flow_status_after_job_completion`).
pub(crate) fn run_flow_modules(
    eng: Arc<Engine>,
    frame: Arc<Frame>,
    modules: Vec<FlowModule>,
) -> BoxFut<FlowOutcome> {
    Box::pin(async move {
        let started = SystemTime::now();
        eng.with_status(frame.job_id, |s| {
            s.modules = modules
                .iter()
                .map(|m| ModuleStatus {
                    id: m.id.clone(),
                    status: "WaitingForPriorSteps",
                    job: None,
                    flow_jobs: None,
                    failed_retries: vec![],
                })
                .collect();
        });
        let out = walk(eng.clone(), frame.clone(), modules).await;
        eng.complete_job(frame.job_id, out.success, &out.result, None);
        let args = frame.args.clone();
        eng.record(
            frame.job_id,
            JobKind::Flow,
            frame.parent.as_deref(),
            None,
            1,
            &args,
            &out.result,
            out.success,
            started,
            String::new(),
        );
        out
    })
}

async fn walk(eng: Arc<Engine>, frame: Arc<Frame>, modules: Vec<FlowModule>) -> FlowOutcome {
    // wf push_next_flow_job: an empty flow returns its arguments.
    if modules.is_empty() {
        return FlowOutcome {
            success: true,
            result: Value::Object(frame.args.clone()),
            stopped: false,
        };
    }
    // wf: at step 0 previous_result is the flow's arguments.
    let mut last = Value::Object(frame.args.clone());
    let n = modules.len();
    for (i, m) in modules.iter().enumerate() {
        if eng.canceled() {
            return FlowOutcome {
                success: false,
                result: Engine::canceled_value(),
                stopped: false,
            };
        }
        eng.with_status(frame.job_id, |s| {
            s.step = i as i32;
            s.modules[i].status = "InProgress";
        });
        let prev_id = if i > 0 {
            Some(modules[i - 1].id.clone())
        } else {
            None
        };
        let out = run_module(eng.clone(), frame.clone(), m.clone(), last.clone(), prev_id).await;
        let is_last = i + 1 == n;
        let (status, result) = match &out {
            ModOutcome::Ok { result, .. } => ("Success", result.clone()),
            ModOutcome::Soft(r) | ModOutcome::Fail(r) => ("Failure", r.clone()),
        };
        frame
            .results
            .lock()
            .unwrap()
            .push((m.id.clone(), result.clone()));
        eng.with_status(frame.job_id, |s| s.modules[i].status = status);
        match out {
            ModOutcome::Ok { result, stopped } => {
                if stopped {
                    return FlowOutcome {
                        success: true,
                        result,
                        stopped: true,
                    };
                }
                last = result;
            }
            // wf should_continue_flow: a failure allowed by continue_on_error / skip_failure
            // continues the flow, but the flow fails when it was the last step.
            ModOutcome::Soft(result) => {
                if is_last {
                    return FlowOutcome {
                        success: false,
                        result,
                        stopped: false,
                    };
                }
                last = result;
            }
            ModOutcome::Fail(result) => {
                if eng.canceled() {
                    return FlowOutcome {
                        success: false,
                        result,
                        stopped: false,
                    };
                }
                return run_failure_module(eng.clone(), frame.clone(), m.id.clone(), result).await;
            }
        }
    }
    FlowOutcome {
        success: true,
        result: last,
        stopped: false,
    }
}

/// wf: on failure (after retries) the flow's failure_module runs with the error as
/// previous_result; the flow succeeds only if it returns `{"recover": true}`
/// (`result_has_recover_true`). The flow-level failure module also runs in subflows
/// (loop iterations, branches).
async fn run_failure_module(
    eng: Arc<Engine>,
    frame: Arc<Frame>,
    failed_id: String,
    error: Value,
) -> FlowOutcome {
    let Some(fm) = eng.failure_module.clone() else {
        return FlowOutcome {
            success: false,
            result: error,
            stopped: false,
        };
    };
    eng.with_status(frame.job_id, |s| {
        s.step = s.modules.len() as i32;
        s.failure_status = "InProgress";
        // wf: the retry status is reset when the failure module has retries.
        if fm.retry.is_some() {
            s.retry = Some(RetryStatus::default());
        }
    });
    let out = run_module(eng.clone(), frame.clone(), fm, error, Some(failed_id)).await;
    let (ok, result) = match out {
        ModOutcome::Ok { result, .. } => (true, result),
        ModOutcome::Soft(r) | ModOutcome::Fail(r) => (false, r),
    };
    eng.with_status(frame.job_id, |s| {
        s.failure_status = if ok { "Success" } else { "Failure" }
    });
    let recover = result
        .get("recover")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    FlowOutcome {
        success: ok && recover,
        result,
        stopped: false,
    }
}

fn scope_for(
    eng: &Engine,
    frame: &Frame,
    prev: &Value,
    prev_id: Option<String>,
    extra: Vec<(String, Value)>,
) -> Scope {
    let _ = eng;
    let mut context = vec![("previous_result".to_string(), prev.clone())];
    context.extend(extra);
    Scope {
        context,
        flow_input: frame.args.clone(),
        results: Some(frame.visible_results()),
        previous_id: prev_id,
    }
}

async fn eval_blocking(
    eng: &Engine,
    f: impl FnOnce() -> Result<Value, String> + Send + 'static,
) -> Result<Value, String> {
    let _ = eng;
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| e.to_string())?
}

/// wf `transform_input`: static values as-is, javascript evaluated with `params` (empty),
/// `previous_result`, `flow_input` and `results`.
async fn transform_input(
    eng: &Engine,
    frame: &Frame,
    transforms: &Map<String, Value>,
    prev: &Value,
    prev_id: Option<String>,
) -> Result<Map<String, Value>, String> {
    let mut out = Map::new();
    let scope = scope_for(
        eng,
        frame,
        prev,
        prev_id,
        vec![("params".into(), json!({}))],
    );
    for (k, v) in transforms {
        let t: InputTransform =
            serde_json::from_value(v.clone()).map_err(|e| format!("input transform `{k}`: {e}"))?;
        let value = match t {
            InputTransform::Static { value } => value,
            InputTransform::Javascript { expr } => {
                let s = scope.clone();
                let lim = eng.expr_timeout;
                eval_blocking(eng, move || expr::eval(&expr, &s, lim)).await?
            }
        };
        out.insert(k.clone(), value);
    }
    Ok(out)
}

fn run_module(
    eng: Arc<Engine>,
    frame: Arc<Frame>,
    m: FlowModule,
    prev: Value,
    prev_id: Option<String>,
) -> BoxFut<ModOutcome> {
    Box::pin(async move {
        let kind = match m.kind() {
            Ok(k) => k,
            Err(e) => return ModOutcome::Fail(error_value("ExecutionErr", e.to_string())),
        };
        for (present, what) in [
            (m.sleep.is_some(), "sleep"),
            (m.suspend.is_some(), "suspend"),
            (m.cache_ttl.is_some(), "cache_ttl"),
            (m.mock.is_some(), "mock"),
            (
                m.stop_after_all_iters_if.is_some(),
                "stop_after_all_iters_if",
            ),
            (
                m.retry.as_ref().is_some_and(|r| r.retry_if.is_some()),
                "retry.retry_if",
            ),
        ] {
            if present {
                eng.warn_once(&m.id, what);
            }
        }
        // wf: skip_if is evaluated with result = previous_result = the previous module's result;
        // a skipped module becomes an identity job passing previous_result through.
        if let Some(skip) = &m.skip_if {
            let s = scope_for(
                &eng,
                &frame,
                &prev,
                prev_id.clone(),
                vec![("result".into(), prev.clone())],
            );
            let e = skip.expr.clone();
            let lim = eng.expr_timeout;
            match eval_blocking(&eng, move || expr::eval_bool(&e, &s, lim).map(Value::Bool)).await {
                Ok(Value::Bool(true)) => {
                    let id = eng.new_job(
                        JobKind::Identity,
                        Some(&frame),
                        Some(frame.root_for_children),
                        Some(&m.id),
                        Map::new(),
                    );
                    eng.complete_job(id, true, &prev, None);
                    eng.emit(Event::StepSkipped {
                        module_id: m.id.clone(),
                        path: format!("{}{}", frame.path, m.id),
                    });
                    eng.record(
                        id,
                        JobKind::Identity,
                        Some(&frame),
                        Some(&m.id),
                        1,
                        &Map::new(),
                        &prev,
                        true,
                        SystemTime::now(),
                        String::new(),
                    );
                    return ModOutcome::Ok {
                        result: prev,
                        stopped: false,
                    };
                }
                Ok(_) => {}
                Err(e) => return ModOutcome::Fail(error_value("ExecutionErr", e)),
            }
        }

        let retry = m.retry.clone().unwrap_or_default();
        let continue_on_error = m.continue_on_error.unwrap_or(false);
        // Retried scripts reuse the failed job's arguments (wf `get_args_from_id`): input
        // transforms are evaluated once.
        let script_args = match &kind {
            ModuleValue::RawScript {
                input_transforms, ..
            } => {
                match transform_input(&eng, &frame, input_transforms, &prev, prev_id.clone()).await
                {
                    Ok(a) => Some(a),
                    Err(e) => return ModOutcome::Fail(error_value("ExecutionErr", e)),
                }
            }
            _ => None,
        };
        let mut fail_count = 0u32;
        loop {
            let attempt = fail_count + 1;
            let (success, result, stopped, job_id) = match &kind {
                ModuleValue::RawScript {
                    content,
                    language,
                    tag,
                    ..
                } => {
                    let args = script_args.clone().unwrap_or_default();
                    let path = format!("{}{}", frame.path, m.id);
                    let (ok, r, id) = run_script_job(
                        &eng,
                        &frame,
                        &m.id,
                        &path,
                        Script {
                            content,
                            tag: worker_tags::job_tag(tag.as_deref(), language),
                        },
                        args,
                        timeout_secs(&m),
                        attempt,
                    )
                    .await;
                    (ok, r, false, Some(id))
                }
                ModuleValue::Identity => {
                    let id = eng.new_job(
                        JobKind::Identity,
                        Some(&frame),
                        Some(frame.root_for_children),
                        Some(&m.id),
                        Map::new(),
                    );
                    eng.complete_job(id, true, &prev, None);
                    (true, prev.clone(), false, Some(id))
                }
                _ => {
                    let o = run_container(
                        eng.clone(),
                        frame.clone(),
                        m.clone(),
                        kind.clone(),
                        prev.clone(),
                        prev_id.clone(),
                    )
                    .await;
                    match o {
                        ModOutcome::Ok { result, stopped } => (true, result, stopped, None),
                        ModOutcome::Soft(r) => return ModOutcome::Soft(r),
                        ModOutcome::Fail(r) => (false, r, false, None),
                    }
                }
            };
            if success {
                // wf: `flow_status - 'retry'` once the step succeeds.
                if fail_count > 0 {
                    eng.with_status(frame.job_id, |s| s.retry = None);
                }
                // wf: stop_after_if is evaluated (not for branchall) with result and
                // previous_result = the module's result and flow_input; no `results`.
                let is_loop = matches!(
                    kind,
                    ModuleValue::ForLoopFlow { .. } | ModuleValue::WhileLoopFlow { .. }
                );
                let is_branchall = matches!(kind, ModuleValue::BranchAll { .. });
                if let (Some(sa), false, false) = (&m.stop_after_if, is_loop, is_branchall) {
                    let s = Scope {
                        context: vec![
                            ("result".into(), result.clone()),
                            ("previous_result".into(), result.clone()),
                        ],
                        flow_input: frame.args.clone(),
                        results: None,
                        previous_id: None,
                    };
                    let e = sa.expr.clone();
                    let lim = eng.expr_timeout;
                    match eval_blocking(&eng, move || expr::eval_bool(&e, &s, lim).map(Value::Bool))
                        .await
                    {
                        Ok(Value::Bool(true)) => {
                            eng.emit(Event::Warning {
                                module_id: Some(m.id.clone()),
                                message: "stop_after_if is true: the flow stops early".into(),
                            });
                            // wf get_stop_after_if_data: with an error_message the flow fails with
                            // "Flow early stop: <message>".
                            if let Some(msg) = &sa.error_message {
                                let msg = if msg.is_empty() {
                                    format!("Flow early stop: {}", sa.expr)
                                } else {
                                    format!("Flow early stop: {msg}")
                                };
                                return ModOutcome::Fail(Value::String(msg));
                            }
                            return ModOutcome::Ok {
                                result,
                                stopped: true,
                            };
                        }
                        Ok(_) => {}
                        Err(e) => return ModOutcome::Fail(error_value("ExecutionErr", e)),
                    }
                }
                return ModOutcome::Ok { result, stopped };
            }
            if eng.canceled() {
                return ModOutcome::Fail(result);
            }
            match next_retry(&retry, fail_count) {
                Some(delay) => {
                    fail_count += 1;
                    eng.with_status(frame.job_id, |s| {
                        let r = s.retry.get_or_insert_with(RetryStatus::default);
                        r.fail_count = fail_count;
                        if let Some(j) = job_id {
                            r.failed_jobs.push(j);
                        }
                        let failed = r.failed_jobs.clone();
                        if let Some(ms) = s.modules.iter_mut().find(|x| x.id == m.id) {
                            ms.failed_retries = failed;
                        }
                    });
                    eng.emit(Event::Retrying {
                        module_id: m.id.clone(),
                        path: format!("{}{}", frame.path, m.id),
                        next_attempt: fail_count + 1,
                        delay,
                    });
                    let mut c = eng.cancel.clone();
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        _ = process::wait_canceled(&mut c) => return ModOutcome::Fail(Engine::canceled_value()),
                    }
                }
                None => {
                    return if continue_on_error {
                        ModOutcome::Soft(result)
                    } else {
                        ModOutcome::Fail(result)
                    };
                }
            }
        }
    })
}

/// A script job's code and the worker tag it is queued with.
#[derive(Clone, Copy)]
struct Script<'a> {
    content: &'a str,
    tag: &'a str,
}

/// One bash job. Returns (success, result, job id).
#[allow(clippy::too_many_arguments)]
async fn run_script_job(
    eng: &Arc<Engine>,
    frame: &Frame,
    step_id: &str,
    path: &str,
    script: Script<'_>,
    args: Map<String, Value>,
    timeout: Option<Duration>,
    attempt: u32,
) -> (bool, Value, Uuid) {
    let job_id = eng.new_job(
        JobKind::Script,
        Some(frame),
        Some(frame.root_for_children),
        Some(step_id),
        args.clone(),
    );
    let started = SystemTime::now();
    let (ok, result, log, t0) = exec_bash(
        eng, frame, job_id, step_id, path, attempt, script, &args, timeout,
    )
    .await;
    eng.complete_job(job_id, ok, &result, Some(&log));
    eng.emit(Event::StepFinished {
        job_id,
        module_id: step_id.to_string(),
        path: path.to_string(),
        attempt,
        duration: t0.elapsed(),
        success: ok,
        result: result.clone(),
        log_tail: tail_lines(&log, 20),
    });
    eng.record(
        job_id,
        JobKind::Script,
        Some(frame),
        Some(step_id),
        attempt,
        &args,
        &result,
        ok,
        started,
        log,
    );
    (ok, result, job_id)
}

fn tail_lines(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[allow(clippy::too_many_arguments)]
async fn exec_bash(
    eng: &Arc<Engine>,
    frame: &Frame,
    job_id: Uuid,
    step_id: &str,
    path: &str,
    attempt: u32,
    script: Script<'_>,
    args: &Map<String, Value>,
    timeout: Option<Duration>,
) -> (bool, Value, String, Instant) {
    let content = script.content;
    let mut t0 = Instant::now();
    let mut c = eng.cancel.clone();
    // windmill-common worker.rs (pull query): a worker pulls only jobs whose `tag` is one
    // of its tags; a job with a tag no worker serves stays queued until canceled.
    if !eng.worker_tags.iter().any(|t| t == script.tag) {
        process::wait_canceled(&mut c).await;
        return (false, Engine::canceled_value(), String::new(), t0);
    }
    // Bounded worker pool: a job occupies a worker only while its process runs.
    let _permit = tokio::select! {
        p = eng.pool.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => return (false, Engine::canceled_value(), String::new(), t0) },
        _ = process::wait_canceled(&mut c) => return (false, Engine::canceled_value(), String::new(), t0),
    };
    t0 = Instant::now();
    eng.with_job(job_id, |j| j.started_at = Some(SystemTime::now()));
    eng.emit(Event::StepStarted {
        job_id,
        module_id: step_id.to_string(),
        path: path.to_string(),
        attempt,
    });
    let sig = match bash::parse_signature(content) {
        Ok(s) => s,
        Err(e) => return (false, error_value("ExecutionErr", e), String::new(), t0),
    };
    let argv = bash::render_args(&sig, args);
    // Windmill's job dir `{worker_dir}/{job_id}`; isolated: `<scratch>/<job>/job`, next to
    // the job's own home and tmp (removed together).
    let place = match &eng.isolated {
        Some(_) => isolation::place(&eng.job_root_dir, job_id).map(Some),
        None => Ok(None),
    };
    let (dir, job_root) = match &place {
        Ok(Some(p)) => (p.dir.clone(), p.root.clone()),
        _ => {
            let d = eng.job_root_dir.join(job_id.to_string());
            (d.clone(), d)
        }
    };
    let prep = (|| -> std::io::Result<()> {
        place
            .as_ref()
            .map_err(|e| std::io::Error::new(e.kind(), e.to_string()))?;
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join("main.sh"), bash::main_sh(content))?;
        std::fs::write(dir.join("wrapper.sh"), bash::WRAPPER_SH)?;
        // bash_executor.rs creates empty result files before running.
        std::fs::write(dir.join("result.json"), "")?;
        std::fs::write(dir.join("result.out"), "")?;
        Ok(())
    })();
    if let Err(e) = prep {
        return (
            false,
            error_value("ExecutionErr", format!("cannot prepare job directory: {e}")),
            String::new(),
            t0,
        );
    }
    let place = place.ok().flatten();
    let env = job_env(
        &eng.identity,
        &JobEnv {
            job_id,
            flow_job_id: frame.job_id,
            root_flow_job_id: frame.root_for_children,
            root_job_id: eng.root_job,
            step_id: step_id.to_string(),
            scheduled_for: rfc3339(SystemTime::now()),
            own_dirs: place.as_ref().map(|p| {
                (
                    p.home.to_string_lossy().into_owned(),
                    p.tmp.to_string_lossy().into_owned(),
                )
            }),
        },
    );
    let cmd = match (&eng.isolated, place.as_ref()) {
        (Some(i), Some(p)) => isolation::command(&i.iso, p, i.hide, &argv),
        _ => {
            let mut cmd = tokio::process::Command::new("/bin/bash");
            cmd.arg("wrapper.sh")
                .args(&argv)
                .current_dir(&dir)
                .env_clear();
            Ok(cmd)
        }
    };
    let mut cmd = match cmd {
        Ok(c) => c,
        Err(e) => {
            return (
                false,
                error_value(
                    "ExecutionErr",
                    format!("cannot prepare the isolated job: {e}"),
                ),
                String::new(),
                t0,
            );
        }
    };
    cmd.envs(&env);
    let header = "\n\n--- BASH CODE EXECUTION ---\n";
    let po = match process::run(cmd, timeout, eng.kill_grace, eng.cancel.clone()).await {
        Ok(p) => p,
        Err(e) => {
            return (
                false,
                error_value("ExecutionErr", format!("cannot start bash: {e}")),
                String::new(),
                t0,
            );
        }
    };
    let log = format!("{header}{}", po.output);
    let out = match po.ending {
        Ending::Exited(Some(0)) => match bash::extract_result(&dir, &po.output) {
            Ok(v) => (true, v, log, t0),
            Err(e) => (false, error_value("ExecutionErr", e), log, t0),
        },
        Ending::Exited(code) => {
            let code = code
                .map(|c| c.to_string())
                .unwrap_or_else(|| "killed by signal".into());
            let msg = format!(
                "ExitCode: {code}, last log lines:\n{}",
                tail_lines(&po.output, 20)
            );
            (false, error_value("ExecutionErr", msg), log, t0)
        }
        Ending::TimedOut(t) => (
            false,
            error_value(
                "ExecutionErr",
                format!("Timed out after {}s", t.as_secs_f64()),
            ),
            log,
            t0,
        ),
        Ending::Canceled => (false, Engine::canceled_value(), log, t0),
    };
    if !eng.keep_job_dirs {
        let _ = std::fs::remove_dir_all(&job_root);
    }
    out
}

/// A subflow (loop iteration, branch) of `parent`.
fn subflow(
    eng: &Engine,
    parent: &Arc<Frame>,
    module_id: &str,
    args: Map<String, Value>,
    own_root: bool,
    label: String,
) -> Arc<Frame> {
    let root = if own_root {
        None
    } else {
        Some(parent.root_for_children)
    };
    let id = eng.new_job(
        JobKind::Flow,
        Some(parent),
        root,
        Some(module_id),
        args.clone(),
    );
    Arc::new(Frame {
        job_id: id,
        parent: Some(parent.clone()),
        // wf push: a parallel forloopflow's iterations are pushed with root_job = None, so
        // inside them WM_ROOT_FLOW_JOB_ID is the iteration's own flow job.
        root_for_children: root.unwrap_or(id),
        args,
        results: Mutex::new(vec![]),
        path: format!("{}{label}/", parent.path),
    })
}

fn set_flow_jobs(eng: &Engine, frame: &Frame, module_id: &str, jobs: Vec<Uuid>) {
    eng.with_status(frame.job_id, |s| {
        if let Some(ms) = s.modules.iter_mut().find(|x| x.id == module_id) {
            ms.flow_jobs = Some(jobs);
        }
    });
}

/// Single-step sequential loop collapse (see `../shared/docs/windmill.md`, wf
/// `compute_next_flow_transform` "simple_input_transforms"): a sequential forloop whose body
/// is one plain rawscript (no retry, sleep, suspend, cache, skip or stop conditions, no
/// flow failure module) runs that script directly in the parent flow.
fn collapsible(eng: &Engine, body: &[FlowModule]) -> bool {
    if body.len() != 1 || eng.failure_module.is_some() {
        return false;
    }
    let b = &body[0];
    matches!(b.kind(), Ok(ModuleValue::RawScript { .. }))
        && b.retry.is_none()
        && b.sleep.is_none()
        && b.suspend.is_none()
        && b.cache_ttl.is_none()
        && b.skip_if.is_none()
        && b.stop_after_if.is_none()
        && b.stop_after_all_iters_if.is_none()
        && b.mock.is_none()
}

async fn run_container(
    eng: Arc<Engine>,
    frame: Arc<Frame>,
    m: FlowModule,
    kind: ModuleValue,
    prev: Value,
    prev_id: Option<String>,
) -> ModOutcome {
    match kind {
        ModuleValue::ForLoopFlow {
            iterator,
            modules,
            skip_failures,
            parallel,
            parallelism,
        } => {
            let items = match iterator {
                InputTransform::Static { value } => Ok(value),
                InputTransform::Javascript { expr } => {
                    let s = scope_for(&eng, &frame, &prev, prev_id.clone(), vec![]);
                    let lim = eng.expr_timeout;
                    eval_blocking(&eng, move || expr::eval(&expr, &s, lim)).await
                }
            };
            let items = match items {
                Ok(Value::Array(a)) => a,
                Ok(other) => {
                    return ModOutcome::Fail(error_value(
                        "ExecutionErr",
                        format!(
                            "Expected an array value in the iterator expression, found: {other}"
                        ),
                    ));
                }
                Err(e) => return ModOutcome::Fail(error_value("ExecutionErr", e)),
            };
            // Server default: skip_failures true when absent (windmill.md).
            let skip = skip_failures.unwrap_or(true);
            if items.is_empty() {
                // wf: an empty loop succeeds with [].
                return ModOutcome::Ok {
                    result: json!([]),
                    stopped: false,
                };
            }
            if parallel.unwrap_or(false) {
                let p = match parallelism {
                    Some(Value::Number(n)) => n.as_u64().map(|x| x.max(1) as usize),
                    Some(Value::Object(o)) => o
                        .get("value")
                        .and_then(Value::as_u64)
                        .map(|x| x.max(1) as usize),
                    _ => None,
                };
                let sem = Arc::new(Semaphore::new(p.unwrap_or(Semaphore::MAX_PERMITS)));
                let mut set = tokio::task::JoinSet::new();
                let mut ids = vec![];
                for (i, item) in items.into_iter().enumerate() {
                    let mut args = frame.args.clone();
                    insert_iter_arg(&mut args, "iter".into(), json!({"index": i, "value": item}));
                    let sub = subflow(&eng, &frame, &m.id, args, true, format!("{}[{i}]", m.id));
                    ids.push(sub.job_id);
                    let (eng2, sem2, body) = (eng.clone(), sem.clone(), modules.clone());
                    set.spawn(async move {
                        // wf: iterations beyond `parallelism` are suspended and released as
                        // others finish.
                        let _permit = sem2.acquire_owned().await;
                        let o = run_flow_modules(eng2, sub, body).await;
                        (i, o)
                    });
                }
                set_flow_jobs(&eng, &frame, &m.id, ids);
                let mut outs: Vec<Option<FlowOutcome>> = (0..set.len()).map(|_| None).collect();
                while let Some(r) = set.join_next().await {
                    if let Ok((i, o)) = r {
                        outs[i] = Some(o);
                    }
                }
                let all_ok = outs.iter().all(|o| o.as_ref().is_some_and(|o| o.success));
                let arr = Value::Array(
                    outs.into_iter()
                        .map(|o| o.map(|o| o.result).unwrap_or(Value::Null))
                        .collect(),
                );
                // wf: parallel loop succeeds if skip_failures or every iteration succeeded;
                // either way its result is the array of iteration results.
                return if skip || all_ok {
                    ModOutcome::Ok {
                        result: arr,
                        stopped: false,
                    }
                } else {
                    ModOutcome::Fail(arr)
                };
            }
            let collapse = collapsible(&eng, &modules);
            let mut results = vec![];
            let mut ids = vec![];
            for (i, item) in items.into_iter().enumerate() {
                if eng.canceled() {
                    return ModOutcome::Fail(Engine::canceled_value());
                }
                let mut args = frame.args.clone();
                insert_iter_arg(&mut args, "iter".into(), json!({"index": i, "value": item}));
                let (ok, r, stopped) = if collapse {
                    let body = &modules[0];
                    let Ok(ModuleValue::RawScript {
                        content,
                        input_transforms,
                        language,
                        tag,
                    }) = body.kind()
                    else {
                        unreachable!()
                    };
                    let tmp = Frame {
                        job_id: frame.job_id,
                        parent: frame.parent.clone(),
                        root_for_children: frame.root_for_children,
                        args,
                        results: Mutex::new(frame.results.lock().unwrap().clone()),
                        path: frame.path.clone(),
                    };
                    let targs =
                        match transform_input(&eng, &tmp, &input_transforms, &prev, None).await {
                            Ok(a) => a,
                            Err(e) => return ModOutcome::Fail(error_value("ExecutionErr", e)),
                        };
                    // The loop's id and timeout apply to the collapsed step.
                    let (ok, r, id) = run_script_job(
                        &eng,
                        &frame,
                        &m.id,
                        &format!("{}{}[{i}]", frame.path, m.id),
                        Script {
                            content: &content,
                            tag: worker_tags::job_tag(tag.as_deref(), &language),
                        },
                        targs,
                        timeout_secs(&m),
                        1,
                    )
                    .await;
                    ids.push(id);
                    (ok, r, false)
                } else {
                    let sub = subflow(&eng, &frame, &m.id, args, false, format!("{}[{i}]", m.id));
                    ids.push(sub.job_id);
                    set_flow_jobs(&eng, &frame, &m.id, ids.clone());
                    let o = run_flow_modules(eng.clone(), sub, modules.clone()).await;
                    (o.success, o.result, o.stopped)
                };
                results.push(r.clone());
                set_flow_jobs(&eng, &frame, &m.id, ids.clone());
                if !ok && !skip {
                    return ModOutcome::Fail(Value::Array(results));
                }
                // wf: a stop inside an iteration breaks the loop.
                if stopped {
                    break;
                }
                if let Some(true) = loop_stop(&eng, &frame, &m, &r, &results).await {
                    break;
                }
            }
            ModOutcome::Ok {
                result: Value::Array(results),
                stopped: false,
            }
        }
        ModuleValue::WhileLoopFlow {
            modules,
            skip_failures,
        } => {
            let skip = skip_failures.unwrap_or(true);
            if m.stop_after_if.is_none() {
                eng.emit(Event::Warning {
                    module_id: Some(m.id.clone()),
                    message:
                        "whileloopflow without stop_after_if only ends on failure or cancellation"
                            .into(),
                });
            }
            let mut results = vec![];
            let mut ids = vec![];
            let mut i = 0usize;
            loop {
                if eng.canceled() {
                    return ModOutcome::Fail(Engine::canceled_value());
                }
                let mut args = frame.args.clone();
                insert_iter_arg(&mut args, "iter".into(), json!({"index": i, "value": i}));
                let sub = subflow(&eng, &frame, &m.id, args, false, format!("{}[{i}]", m.id));
                ids.push(sub.job_id);
                set_flow_jobs(&eng, &frame, &m.id, ids.clone());
                let o = run_flow_modules(eng.clone(), sub, modules.clone()).await;
                results.push(o.result.clone());
                if !o.success && !skip {
                    return ModOutcome::Fail(Value::Array(results));
                }
                if o.stopped {
                    break;
                }
                if let Some(true) = loop_stop(&eng, &frame, &m, &o.result, &results).await {
                    break;
                }
                i += 1;
            }
            ModOutcome::Ok {
                result: Value::Array(results),
                stopped: false,
            }
        }
        ModuleValue::BranchOne { branches, default } => {
            // First branch whose predicate is truthy, else default.
            let mut chosen: (String, Vec<FlowModule>) = ("default".into(), default);
            for (k, b) in branches.into_iter().enumerate() {
                let s = scope_for(
                    &eng,
                    &frame,
                    &prev,
                    prev_id.clone(),
                    vec![("result".into(), prev.clone())],
                );
                let e = b.expr.clone();
                let lim = eng.expr_timeout;
                match eval_blocking(&eng, move || expr::eval_bool(&e, &s, lim).map(Value::Bool))
                    .await
                {
                    Ok(Value::Bool(true)) => {
                        chosen = (format!("branch{k}"), b.modules);
                        break;
                    }
                    Ok(_) => {}
                    Err(e) => return ModOutcome::Fail(error_value("ExecutionErr", e)),
                }
            }
            if chosen.1.is_empty() {
                // wf EmptyInnerFlows: the module succeeds with an empty list of flow jobs.
                return ModOutcome::Ok {
                    result: json!([]),
                    stopped: false,
                };
            }
            let sub = subflow(
                &eng,
                &frame,
                &m.id,
                frame.args.clone(),
                false,
                format!("{}/{}", m.id, chosen.0),
            );
            set_flow_jobs(&eng, &frame, &m.id, vec![sub.job_id]);
            let o = run_flow_modules(eng.clone(), sub, chosen.1).await;
            if o.success {
                ModOutcome::Ok {
                    result: o.result,
                    stopped: o.stopped,
                }
            } else {
                ModOutcome::Fail(o.result)
            }
        }
        ModuleValue::BranchAll { branches, parallel } => {
            if branches.is_empty() {
                return ModOutcome::Ok {
                    result: json!([]),
                    stopped: false,
                };
            }
            // Server default: skip_failure true when absent (windmill.md).
            let skips: Vec<bool> = branches
                .iter()
                .map(|b| b.skip_failure.unwrap_or(true))
                .collect();
            if parallel.unwrap_or(true) {
                let mut set = tokio::task::JoinSet::new();
                let mut ids = vec![];
                for (k, b) in branches.into_iter().enumerate() {
                    let sub = subflow(
                        &eng,
                        &frame,
                        &m.id,
                        frame.args.clone(),
                        false,
                        format!("{}/branch{k}", m.id),
                    );
                    ids.push(sub.job_id);
                    let eng2 = eng.clone();
                    set.spawn(async move { (k, run_flow_modules(eng2, sub, b.modules).await) });
                }
                set_flow_jobs(&eng, &frame, &m.id, ids);
                let mut outs: Vec<Option<FlowOutcome>> = (0..set.len()).map(|_| None).collect();
                while let Some(r) = set.join_next().await {
                    if let Ok((k, o)) = r {
                        outs[k] = Some(o);
                    }
                }
                let oks: Vec<bool> = outs
                    .iter()
                    .map(|o| o.as_ref().is_some_and(|o| o.success))
                    .collect();
                let arr = Value::Array(
                    outs.into_iter()
                        .map(|o| o.map(|o| o.result).unwrap_or(Value::Null))
                        .collect(),
                );
                if oks.iter().all(|x| *x) {
                    return ModOutcome::Ok {
                        result: arr,
                        stopped: false,
                    };
                }
                // wf compute_skip_branchall_failure (parallel): the module is a Failure, but the
                // flow continues if every failed branch has skip_failure.
                let skippable = oks.iter().zip(&skips).all(|(ok, skip)| *ok || *skip);
                return if skippable {
                    ModOutcome::Soft(arr)
                } else {
                    ModOutcome::Fail(arr)
                };
            }
            let mut results = vec![];
            let mut ids = vec![];
            for (k, b) in branches.into_iter().enumerate() {
                if eng.canceled() {
                    return ModOutcome::Fail(Engine::canceled_value());
                }
                let sub = subflow(
                    &eng,
                    &frame,
                    &m.id,
                    frame.args.clone(),
                    false,
                    format!("{}/branch{k}", m.id),
                );
                ids.push(sub.job_id);
                set_flow_jobs(&eng, &frame, &m.id, ids.clone());
                let o = run_flow_modules(eng.clone(), sub, b.modules).await;
                results.push(o.result);
                // wf skip_seq_branch_failure: a failed branch without skip_failure fails the
                // module; with it, the next branch runs.
                if !o.success && !skips[k] {
                    return ModOutcome::Fail(Value::Array(results));
                }
            }
            ModOutcome::Ok {
                result: Value::Array(results),
                stopped: false,
            }
        }
        ModuleValue::RawScript { .. } | ModuleValue::Identity => {
            unreachable!("handled by run_module")
        }
    }
}

/// A loop module's own stop_after_if, evaluated after each iteration with `result` = the
/// iteration's result and `all_iters` = the results so far (wf `compute_bool_from_expr`).
async fn loop_stop(
    eng: &Arc<Engine>,
    frame: &Frame,
    m: &FlowModule,
    r: &Value,
    all: &[Value],
) -> Option<bool> {
    let sa = m.stop_after_if.as_ref()?;
    let s = Scope {
        context: vec![
            ("result".into(), r.clone()),
            ("all_iters".into(), Value::Array(all.to_vec())),
            ("previous_result".into(), r.clone()),
        ],
        flow_input: frame.args.clone(),
        results: None,
        previous_id: None,
    };
    let e = sa.expr.clone();
    let lim = eng.expr_timeout;
    match eval_blocking(eng, move || expr::eval_bool(&e, &s, lim).map(Value::Bool)).await {
        Ok(Value::Bool(b)) => Some(b),
        Ok(_) => None,
        Err(e) => {
            eng.emit(Event::Warning {
                module_id: Some(m.id.clone()),
                message: format!("stop_after_if: {e}"),
            });
            Some(true)
        }
    }
}
