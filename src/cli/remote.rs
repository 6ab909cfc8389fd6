//! What the remote commands (`create`, `trigger`, `run`, `status`, `delete`, `list-runs`)
//! share: the Windmill connection flags, resolved once into a [`RemoteConfig`] before any
//! work; deploying a compiled flow; parsing `--run-param`; waiting for a run with progress.
//!
//! The token comes from `--windmill-token` or `WINDMILL_TOKEN` and lives in
//! [`crate::api::Token`]; clap is told to hide the environment value in `--help`.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use clap::Args;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::api::{ApiError, Client, ClientConfig, JobState, JobView, ScheduleSpec, Token};
use crate::emit::Compiled;
use crate::emit::params::parse_cli_value;

/// Connection to a Windmill server.
#[derive(Debug, Clone, Args)]
pub struct RemoteFlags {
    /// Windmill base URL.
    #[arg(
        long,
        env = "WINDMILL_HOST",
        default_value = "http://localhost:8000",
        value_name = "URL"
    )]
    pub windmill_host: String,
    /// Windmill token (prefer the environment variable: command lines are visible to
    /// other users of the machine). Never printed.
    #[arg(
        long,
        env = "WINDMILL_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN",
        value_parser = parse_token
    )]
    pub windmill_token: Option<Token>,
    /// Windmill workspace.
    #[arg(
        long,
        env = "WINDMILL_WORKSPACE",
        default_value = "admins",
        value_name = "WS"
    )]
    pub windmill_workspace: String,
    /// Deploy under this name instead of the flow's (Windmill path `f/<folder>/<name>`).
    #[arg(long)]
    pub name: Option<String>,
    /// Milliseconds between two status polls while waiting.
    #[arg(long, env = "MF_WINDMILL_POLL_MS", hide = true, default_value_t = 1000)]
    pub poll_interval_ms: u64,
    /// First retry delay of idempotent calls after a 5xx (doubled each time).
    #[arg(
        long,
        env = "MF_WINDMILL_BACKOFF_MS",
        hide = true,
        default_value_t = 500
    )]
    pub retry_backoff_ms: u64,
}

/// The token goes straight into [`Token`] (whose Debug never shows it). Only a blank
/// value fails, so clap never echoes a real token in an error.
fn parse_token(s: &str) -> Result<Token, String> {
    Token::new(s).ok_or_else(|| "the Windmill token is empty".to_string())
}

/// Everything a remote command needs, resolved from the flags before any work.
#[derive(Debug, Clone)]
pub struct RemoteConfig {
    pub client: ClientConfig,
    pub name: Option<String>,
    pub poll: Duration,
}

impl RemoteFlags {
    pub fn resolve(&self) -> Result<RemoteConfig, String> {
        let token = self.windmill_token.clone().ok_or_else(|| {
                "no Windmill token: set WINDMILL_TOKEN (or pass --windmill-token); create one in Windmill under User settings → Tokens".to_string()
            })?;
        let mut client = ClientConfig::new(&self.windmill_host, token, &self.windmill_workspace)
            .map_err(|e| e.to_string())?;
        client.backoff = Duration::from_millis(self.retry_backoff_ms);
        if let Some(n) = &self.name
            && (n.is_empty()
                || !n
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        {
            return Err(format!(
                "--name `{n}`: use letters, digits, `_` and `-` only (it becomes the last part of the Windmill path)"
            ));
        }
        Ok(RemoteConfig {
            client,
            name: self.name.clone(),
            poll: Duration::from_millis(self.poll_interval_ms.max(10)),
        })
    }
}

/// What `create`, `trigger`, `delete` and `list-runs` start from: flags resolved, the flow
/// compiled, its Windmill path, a client and a runtime. `Err` is the exit code, the reason
/// already printed.
pub struct Session {
    pub compiled: Compiled,
    pub path: String,
    pub client: Client,
    pub rt: tokio::runtime::Runtime,
}

/// Whether the command sends the compiled flow to Windmill (`create`) or only needs its
/// path and parameter schema (`trigger`, `delete`, `list-runs`): only the former is held
/// to `--max-flow-bytes`, so a flow deployed with a raised limit can still be triggered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    Deploy,
    Address,
}

impl Session {
    pub fn open(
        flags: &super::compile::CompileFlags,
        remote: &RemoteFlags,
        usage_kind: Use,
    ) -> Result<Session, i32> {
        let cfg = remote.resolve().map_err(usage)?;
        let compiled = if usage_kind == Use::Address {
            let mut f = flags.clone();
            f.max_flow_bytes = 0;
            // Nothing is sent: do not walk the flow's directory for the code package (a
            // Deployer's `from_deployment` flow file sits in a shared temp directory).
            f.address_only = true;
            super::compile::compile_flags(&f)?
        } else {
            super::compile::compile_flags(flags)?
        };
        let path = flow_path(&compiled, cfg.name.as_deref());
        let client = Client::new(cfg.client).map_err(|e| api_fail(&e))?;
        let rt = runtime()?;
        Ok(Session {
            compiled,
            path,
            client,
            rt,
        })
    }
}

/// A client and a runtime from the connection flags, for the commands that need no flow
/// (`status`, `terminate`, `describe`). `Err` is the exit code, the reason already printed.
pub fn connect(remote: &RemoteFlags) -> Result<(Client, tokio::runtime::Runtime), i32> {
    let cfg = remote.resolve().map_err(usage)?;
    let client = Client::new(cfg.client).map_err(|e| api_fail(&e))?;
    Ok((client, runtime()?))
}

/// `JOB`, `wm-JOB` or `Flow/wm-JOB` as a job id, or the usage error (exit 2).
pub fn job_arg(s: &str) -> Result<Uuid, i32> {
    super::status::parse_job(s).ok_or_else(|| {
        usage(format!(
            "`{s}` is not a job id (a UUID, `wm-<uuid>` or `Flow/wm-<uuid>`)"
        ))
    })
}

pub fn usage(msg: impl std::fmt::Display) -> i32 {
    eprintln!("mf-windmill: error: {msg}");
    2
}

pub fn fail(msg: impl std::fmt::Display) -> i32 {
    eprintln!("mf-windmill: error: {msg}");
    1
}

/// Exit code of an API error: configuration problems are usage errors (2), the rest 1.
pub fn api_fail(e: &ApiError) -> i32 {
    eprintln!("mf-windmill: error: {e}");
    if matches!(e, ApiError::Config(_)) {
        2
    } else {
        1
    }
}

pub fn runtime() -> Result<tokio::runtime::Runtime, i32> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| usage(format!("cannot start the async runtime: {e}")))
}

/// The Windmill path of a compiled flow, with `--name` applied.
pub fn flow_path(c: &Compiled, name: Option<&str>) -> String {
    match (name, c.path.rsplit_once('/')) {
        (Some(n), Some((prefix, _))) => format!("{prefix}/{n}"),
        _ => c.path.clone(),
    }
}

/// `--run-param k=v` values checked and typed against the flow's parameters; required
/// parameters must be given.
pub fn parse_run_params(schema: &Value, params: &[String]) -> Result<Map<String, Value>, String> {
    let mut inputs = Map::new();
    for kv in params {
        let Some((k, v)) = kv.split_once('=') else {
            return Err(format!("--run-param expects NAME=VALUE, got `{kv}`"));
        };
        let val = parse_cli_value(schema, k, v)?;
        inputs.insert(k.to_string(), val);
    }
    if let Some(req) = schema.get("required").and_then(Value::as_array) {
        for r in req.iter().filter_map(Value::as_str) {
            if !inputs.contains_key(r) {
                return Err(format!(
                    "parameter '{r}' is required: pass --run-param {r}=VALUE"
                ));
            }
        }
    }
    Ok(inputs)
}

/// What `deploy` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployed {
    pub created: bool,
    /// `created`, `updated`, `removed` or `none`.
    pub schedule: &'static str,
    /// The event registry was changed (the flow's @trigger/@trigger_on_finish entries).
    pub events: bool,
}

/// Create or update the flow at `path`, then create, update or remove its schedule.
/// Idempotent: deploying twice leaves the same state.
pub async fn deploy(client: &Client, c: &Compiled, path: &str) -> Result<Deployed, ApiError> {
    let flow = serde_json::to_value(&c.openflow).map_err(|e| ApiError::Decode {
        what: "serialising the flow".into(),
        detail: e.to_string(),
    })?;
    let created = if client.flow_exists(path).await? {
        client.update_flow(path, &flow).await?;
        false
    } else {
        match client.create_flow(path, &flow).await {
            Ok(()) => true,
            // Created by someone else in between: update it.
            Err(ApiError::BadRequest { body, .. }) if body.contains("already exists") => {
                client.update_flow(path, &flow).await?;
                false
            }
            Err(e) => return Err(e),
        }
    };
    let schedule = match c
        .schedule
        .as_ref()
        .and_then(|s| ScheduleSpec::from_compiled(s, path))
    {
        Some(spec) => {
            if client.schedule_exists(path).await? {
                client.update_schedule(&spec).await?;
                "updated"
            } else {
                client.create_schedule(&spec).await?;
                "created"
            }
        }
        None => {
            if client.schedule_exists(path).await? {
                client.delete_schedule(path).await?;
                "removed"
            } else {
                "none"
            }
        }
    };
    let events = crate::api::registry::register(client, path, &c.flow_name, &c.listeners).await?;
    Ok(Deployed {
        created,
        schedule,
        events,
    })
}

pub fn print_deployed(client: &Client, path: &str, d: &Deployed) {
    let verb = if d.created { "created" } else { "updated" };
    eprintln!(
        "mf-windmill: {verb} flow {path} in workspace {}",
        client.workspace()
    );
    match d.schedule {
        "created" | "updated" | "removed" => {
            eprintln!("mf-windmill: schedule {path} {}", d.schedule)
        }
        _ => {}
    }
    if d.events {
        eprintln!(
            "mf-windmill: event registry {} updated for {path}",
            crate::api::registry::REGISTRY
        );
    }
    println!("{path}");
    println!("{}", client.flow_url(path));
}

/// Start the flow with a job id we choose, so the Metaflow run id (`wm-<job>`) is known
/// before the run starts.
pub async fn trigger(
    client: &Client,
    path: &str,
    inputs: &Map<String, Value>,
) -> Result<Uuid, ApiError> {
    let job = Uuid::new_v4();
    let got = client.run_flow(path, job, inputs).await?;
    if got != job {
        eprintln!("mf-windmill: warning: Windmill assigned job {got} instead of {job}");
    }
    Ok(got)
}

pub fn run_id(job: Uuid) -> String {
    format!("wm-{job}")
}

/// How waiting ended.
pub enum Waited {
    Done(Box<JobView>),
    TimedOut,
}

fn status_word(s: &str) -> &str {
    match s {
        "WaitingForPriorSteps" => "waiting",
        "WaitingForEvents" => "suspended",
        "WaitingForExecutor" => "queued",
        "InProgress" => "running",
        "Success" => "succeeded",
        "Failure" => "failed",
        other => other,
    }
}

/// Display labels of a flow's top-level modules (from its OpenFlow JSON, as compiled or as
/// `flows/get` answers): a step module is its step name; a loop or branch module is its
/// summary plus the steps inside, e.g. `foreach start (items) [measure]`.
pub fn module_labels(openflow: &Value) -> HashMap<String, String> {
    fn inner_steps(v: &Value, out: &mut Vec<String>) {
        let kids = v
            .get("modules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .chain(
                v.get("branches")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .flat_map(|b| {
                        b.get("modules")
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten()
                    }),
            )
            .chain(
                v.get("default")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten(),
            );
        for m in kids {
            let val = &m["value"];
            if val["type"] == "rawscript" {
                if let Some(id) = m["id"].as_str()
                    && !out.iter().any(|x| x == id)
                {
                    out.push(id.to_string());
                }
            } else {
                inner_steps(val, out);
            }
        }
    }
    let mut labels = HashMap::new();
    let mods = openflow
        .pointer("/value/modules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    for m in mods {
        let Some(id) = m["id"].as_str() else { continue };
        let val = &m["value"];
        if val["type"] == "rawscript" {
            continue;
        }
        let mut inner = vec![];
        inner_steps(val, &mut inner);
        let head = m["summary"]
            .as_str()
            .filter(|s| !s.is_empty())
            .unwrap_or(id);
        labels.insert(id.to_string(), format!("{head} [{}]", inner.join(", ")));
    }
    labels
}

/// Poll the job until it ends (or `max_wait`), printing per-step progress on stderr:
/// a spinner line on a terminal, plain lines otherwise.
pub async fn wait(
    client: &Client,
    job: Uuid,
    poll: Duration,
    max_wait: Option<Duration>,
    labels: &HashMap<String, String>,
) -> Result<Waited, ApiError> {
    let label = |id: &str| labels.get(id).cloned().unwrap_or_else(|| id.to_string());
    let start = Instant::now();
    let tty = std::io::stderr().is_terminal();
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut last_state = None;
    let spin = ['|', '/', '-', '\\'];
    let mut tick = 0usize;
    loop {
        let v = client.get_job(job).await?;
        let elapsed = start.elapsed().as_secs();
        let mut lines = vec![];
        let state_line = if last_state != Some(v.state) {
            last_state = Some(v.state);
            Some(format!("[{elapsed:>4}s] run {}", v.state.as_str()))
        } else {
            None
        };
        // A final state is said after the last step's line; a new one before.
        if !v.state.is_final() {
            lines.extend(state_line.clone());
        }
        for m in &v.modules {
            if seen.get(&m.id) != Some(&m.status) {
                if m.status != "WaitingForPriorSteps" || seen.contains_key(&m.id) {
                    let extra = if m.flow_jobs.is_empty() {
                        String::new()
                    } else {
                        format!(" ({} sub-runs)", m.flow_jobs.len())
                    };
                    lines.push(format!(
                        "[{elapsed:>4}s] step {}: {}{extra}",
                        label(&m.id),
                        status_word(&m.status)
                    ));
                }
                seen.insert(m.id.clone(), m.status.clone());
            }
        }
        if v.state.is_final() {
            lines.extend(state_line);
        }
        let mut err = std::io::stderr().lock();
        if tty {
            let _ = write!(err, "\r\x1b[2K");
        }
        for l in &lines {
            let _ = writeln!(err, "{l}");
        }
        if v.state.is_final() {
            return Ok(Waited::Done(Box::new(v)));
        }
        if tty {
            let running: Vec<String> = v
                .modules
                .iter()
                .filter(|m| m.status == "InProgress")
                .map(|m| label(&m.id))
                .collect();
            let _ = write!(
                err,
                "{} {} [{elapsed}s]",
                spin[tick % spin.len()],
                if running.is_empty() {
                    "waiting".to_string()
                } else {
                    running.join(", ")
                }
            );
            let _ = err.flush();
            tick += 1;
        }
        drop(err);
        if let Some(m) = max_wait
            && start.elapsed() >= m
        {
            if tty {
                eprintln!();
            }
            return Ok(Waited::TimedOut);
        }
        tokio::time::sleep(poll).await;
    }
}

/// The failed step of a finished flow job (searching sub-flows of loops and branches):
/// `(step path, script job)`.
pub async fn find_failed_step(client: &Client, v: &JobView) -> Option<(String, Uuid)> {
    let mut stack: Vec<(String, JobView, u32)> = vec![(String::new(), v.clone(), 0)];
    while let Some((prefix, view, depth)) = stack.pop() {
        for m in view.modules.iter().filter(|m| m.status == "Failure") {
            let here = if prefix.is_empty() {
                m.id.clone()
            } else {
                format!("{prefix}/{}", m.id)
            };
            if depth < 4 {
                for fj in m.flow_jobs.iter().rev() {
                    if let Ok(sub) = client.get_job(*fj).await
                        && sub.state == JobState::Failure
                    {
                        stack.push((here.clone(), sub, depth + 1));
                    }
                }
            }
            if let Some(j) = m.job {
                if let Ok(sub) = client.get_job(j).await
                    && !sub.modules.is_empty()
                    && depth < 4
                {
                    stack.push((here.clone(), sub, depth + 1));
                    continue;
                }
                return Some((here, j));
            }
        }
    }
    None
}

/// Print the failed step and its log tail (stderr).
pub async fn report_failure(client: &Client, v: &JobView) {
    let mut shown_logs = false;
    if let Some((step, job)) = find_failed_step(client, v).await {
        eprintln!(
            "mf-windmill: step {step} failed (job {})",
            client.job_url(job)
        );
        match client.get_job_logs(job).await {
            Ok(logs) => {
                let lines: Vec<&str> = logs.lines().collect();
                let tail = &lines[lines.len().saturating_sub(30)..];
                eprintln!("---- last {} log lines of {step} ----", tail.len());
                for l in tail {
                    eprintln!("{l}");
                }
                eprintln!("----");
                shown_logs = true;
            }
            Err(e) => eprintln!("mf-windmill: (cannot read its logs: {e})"),
        }
    }
    let msg = v
        .result
        .pointer("/error/message")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| {
            let s = v.result.to_string();
            s.chars().take(2000).collect()
        });
    // With the log tail shown, the error's first line is enough.
    let msg = if shown_logs {
        msg.lines().next().unwrap_or_default().to_string()
    } else {
        msg
    };
    if !msg.is_empty() && msg != "null" {
        eprintln!(
            "mf-windmill: flow error: {}",
            client.config().token.redact(&msg)
        );
    }
}

/// Write the run id to `--run-id-file` (Metaflow's format: the run id alone).
pub fn write_run_id_file(path: &std::path::Path, run_id: &str) -> Result<(), String> {
    std::fs::write(path, run_id).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[test]
    fn parsed_flags_never_debug_print_the_token() {
        let cli = crate::cli::Cli::try_parse_from([
            "mf-windmill",
            "trigger",
            "flow.py",
            "--windmill-token",
            "tok-in-argv-31337",
        ])
        .unwrap();
        let dbg = format!("{cli:?}");
        assert!(dbg.contains("trigger") || dbg.contains("Trigger"));
        assert!(!dbg.contains("tok-in-argv-31337"), "{dbg}");
    }

    #[test]
    fn name_and_host_are_checked_before_any_work() {
        let flags = |name: Option<&str>, host: &str| RemoteFlags {
            windmill_host: host.into(),
            windmill_token: Token::new("t"),
            windmill_workspace: "admins".into(),
            name: name.map(str::to_string),
            poll_interval_ms: 1000,
            retry_backoff_ms: 500,
        };
        assert!(flags(Some("ok_name-2"), "http://h:1").resolve().is_ok());
        assert!(
            flags(Some("../x"), "http://h:1")
                .resolve()
                .unwrap_err()
                .contains("--name")
        );
        assert!(
            flags(None, "h:1")
                .resolve()
                .unwrap_err()
                .contains("http://")
        );
        let mut f = flags(None, "http://h:1");
        f.windmill_token = None;
        assert!(f.resolve().unwrap_err().starts_with("no Windmill token"));
    }

    #[test]
    fn run_params_are_typed_and_checked() {
        let schema = serde_json::json!({
            "properties": {"n": {"type": "integer"}, "s": {"type": "string"}},
            "required": ["s"]
        });
        let m = parse_run_params(&schema, &["n=3".into(), "s=a=b".into()]).unwrap();
        assert_eq!(m["n"], serde_json::json!(3));
        assert_eq!(m["s"], serde_json::json!("a=b"));
        assert!(parse_run_params(&schema, &["n=3".into()]).is_err());
        assert!(parse_run_params(&schema, &["s=x".into(), "zz=1".into()]).is_err());
        assert!(parse_run_params(&schema, &["s".into()]).is_err());
    }
}
