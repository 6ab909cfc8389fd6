//! An in-process fake Windmill server for the client tests: HTTP/1.1 on 127.0.0.1:0
//! (tokio, one request per connection, `Connection: close`), speaking the subset of
//! Windmill's REST API that `mf_windmill::api` uses, and EXECUTING triggered flows with
//! the local executor (`mf_windmill::local::run_flow`).
//!
//! Every request is checked against Windmill's OpenAPI as read in windmill-labs/windmill
//! backend/windmill-api/openapi.yaml (operation ids in the match arms of `route`): method,
//! path, allowed query parameters, body shape (required keys, key types, no unknown keys
//! in `NewSchedule`/`EditSchedule`/`OpenFlowWPath`). A request that does not fit is
//! recorded in `violations()` (tests assert it stays empty) and answered 400/404.
//!
//! Answers follow Windmill: `Authorization: Bearer <token>` required (else 401
//! `Not authorized`, text/plain, as the auth layer answers); errors are text/plain built
//! like backend/windmill-common/src/error.rs (`Not found: ...` 404, `Bad request: ...`
//! 400); flow create answers 201 with the path, `jobs/run/f` 201 with the job id (the
//! caller's `job_id` when given); `jobs_u/get` answers a `QueuedJob` with a live
//! `flow_status` (one entry per top-level module: WaitingForPriorSteps → InProgress →
//! Success/Failure, with `job`/`flow_jobs`), then a `CompletedJob` with `success` and
//! `result`. Assumption (not verified against a server): an unknown workspace answers 404
//! `Not found: workspace <ws> not found` on workspaced routes, and `POST
//! /api/workspaces/exists` answers `false`.
//!
//! Variables follow backend/windmill-api/src/variables.rs: `create` (body windmill-common
//! `CreateVariable` {path, value, is_secret, description}; 201 `variable <p> created`, 400
//! `Variable <p> already exists`), `get` (a `ListableVariable`), `get_value` (the value as
//! a JSON string), `exists` (bool), `update` (body `EditVariable`; 404 `Variable not found`
//! through `not_found_if_none`), `delete` (200 `variable <p> deleted`, also when absent).
//! The executed flows' jobs reach this server through their `$BASE_INTERNAL_URL` with
//! their `$WM_TOKEN` (the local executor forwards what it does not serve itself, e.g. a
//! step publishing an event), as a Windmill job reaches its server.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use serde_json::{Map, Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use uuid::Uuid;

use mf_windmill::local::{self, CancelToken, Event, RunOptions};

/// One recorded request (the Authorization header is not recorded).
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: BTreeMap<String, String>,
    pub body: Option<Value>,
    pub status: u16,
}

/// An injected fault: the next `times` requests whose method is `method` and whose path
/// contains `path_contains` are answered `status` with `body`.
#[derive(Debug, Clone)]
pub struct Fault {
    pub method: &'static str,
    pub path_contains: String,
    pub status: u16,
    pub body: String,
    pub times: u32,
}

#[derive(Debug, Clone)]
struct ModState {
    id: String,
    status: &'static str,
    job: Option<Uuid>,
    flow_jobs: Vec<Uuid>,
}

#[derive(Debug, Clone)]
struct FakeJob {
    path: String,
    args: Map<String, Value>,
    created_at: SystemTime,
    running: bool,
    done: Option<(bool, Value)>,
    canceled: bool,
    modules: Vec<ModState>,
    cancel: CancelToken,
}

#[derive(Default)]
struct State {
    workspaces: HashSet<String>,
    flows: BTreeMap<String, Value>,
    schedules: BTreeMap<String, Value>,
    variables: BTreeMap<String, Value>,
    jobs: HashMap<Uuid, FakeJob>,
    /// Logs of script jobs (step attempts), by job id.
    logs: HashMap<Uuid, String>,
    requests: Vec<Recorded>,
    violations: Vec<String>,
    faults: VecDeque<Fault>,
}

/// Options of the executed runs.
#[derive(Clone, Default)]
pub struct ExecOptions {
    /// How a call into an unknown workspace is answered: 404 (default) or 401, as
    /// Windmill's membership check may answer (`Not authorized: ...`).
    pub unknown_workspace_401: bool,
    /// Worker-level environment (`--env`), e.g. `USERNAME=tester`.
    pub worker_env: Vec<(String, String)>,
    pub workers: usize,
    /// Run the jobs on isolated workers (`local::isolation`): each job its own cwd, HOME
    /// and TMPDIR, Windmill's job environment plus `worker_env`, the standard PATH. The
    /// fake does not know the deployer's directories, so it hides none.
    pub isolated_workers: bool,
}

pub struct FakeWindmill {
    pub base_url: String,
    pub token: String,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeWindmill {
    fn drop(&mut self) {
        self.task.abort();
        for j in self.state.lock().unwrap().jobs.values() {
            j.cancel.cancel();
        }
    }
}

impl FakeWindmill {
    /// Start on 127.0.0.1:0 with workspace `admins`. Must be called inside a tokio
    /// multi-thread runtime.
    pub async fn start(token: &str, exec: ExecOptions) -> FakeWindmill {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut st = State::default();
        st.workspaces.insert("admins".into());
        let state = Arc::new(Mutex::new(st));
        let ctx = Arc::new(Ctx {
            state: state.clone(),
            token: token.to_string(),
            base_url: format!("http://{addr}"),
            exec,
        });
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let ctx = ctx.clone();
                tokio::spawn(async move {
                    let _ = serve(stream, ctx).await;
                });
            }
        });
        FakeWindmill {
            base_url: format!("http://{addr}"),
            token: token.to_string(),
            state,
            task,
        }
    }

    pub fn inject(&self, f: Fault) {
        self.state.lock().unwrap().faults.push_back(f);
    }
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }
    pub fn violations(&self) -> Vec<String> {
        self.state.lock().unwrap().violations.clone()
    }
    pub fn flow(&self, path: &str) -> Option<Value> {
        self.state.lock().unwrap().flows.get(path).cloned()
    }
    pub fn schedule(&self, path: &str) -> Option<Value> {
        self.state.lock().unwrap().schedules.get(path).cloned()
    }
    pub fn variable(&self, path: &str) -> Option<Value> {
        self.state.lock().unwrap().variables.get(path).cloned()
    }
    pub fn job_ids(&self) -> Vec<Uuid> {
        self.state.lock().unwrap().jobs.keys().copied().collect()
    }
    /// Every byte the server ever received or stored, for leak checks (bodies and paths).
    pub fn stored_text(&self) -> String {
        let st = self.state.lock().unwrap();
        let mut s = String::new();
        for r in &st.requests {
            s.push_str(&format!(
                "{} {} {:?} {:?}\n",
                r.method, r.path, r.query, r.body
            ));
        }
        for f in st.flows.values() {
            s.push_str(&f.to_string());
        }
        for f in st.schedules.values() {
            s.push_str(&f.to_string());
        }
        for f in st.variables.values() {
            s.push_str(&f.to_string());
        }
        s
    }
}

struct Ctx {
    state: Arc<Mutex<State>>,
    token: String,
    base_url: String,
    exec: ExecOptions,
}

struct Resp {
    status: u16,
    json: bool,
    body: String,
}

fn text(status: u16, body: impl Into<String>) -> Resp {
    Resp {
        status,
        json: false,
        body: body.into(),
    }
}
fn jsonr(status: u16, v: Value) -> Resp {
    Resp {
        status,
        json: true,
        body: v.to_string(),
    }
}

async fn serve(mut stream: TcpStream, ctx: Arc<Ctx>) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut rl = lines.next().unwrap_or("").split(' ');
    let method = rl.next().unwrap_or("").to_string();
    let target = rl.next().unwrap_or("").to_string();
    let mut auth = None;
    let mut len = 0usize;
    let mut ctype = String::new();
    for l in lines {
        if let Some((k, v)) = l.split_once(':') {
            let k = k.trim().to_ascii_lowercase();
            match k.as_str() {
                "authorization" => auth = Some(v.trim().to_string()),
                "content-length" => len = v.trim().parse().unwrap_or(0),
                "content-type" => ctype = v.trim().to_string(),
                _ => {}
            }
        }
    }
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let resp = handle(&ctx, &method, &target, auth.as_deref(), &ctype, &body);
    let reason = match resp.status {
        200 => "OK",
        201 => "Created",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    };
    let out = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        resp.status,
        if resp.json {
            "application/json"
        } else {
            "text/plain"
        },
        resp.body.len(),
        resp.body
    );
    stream.write_all(out.as_bytes()).await?;
    stream.shutdown().await
}

fn pct_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(x) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(x);
            i += 3;
        } else if b[i] == b'+' {
            out.push(b' ');
            i += 1;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn handle(
    ctx: &Arc<Ctx>,
    method: &str,
    target: &str,
    auth: Option<&str>,
    ctype: &str,
    raw: &[u8],
) -> Resp {
    let (path, qs) = target.split_once('?').unwrap_or((target, ""));
    let mut query = BTreeMap::new();
    for kv in qs.split('&').filter(|s| !s.is_empty()) {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        query.insert(pct_decode(k), pct_decode(v));
    }
    let body: Option<Value> = if raw.is_empty() {
        None
    } else {
        match serde_json::from_slice(raw) {
            Ok(v) => Some(v),
            Err(e) => {
                let mut st = ctx.state.lock().unwrap();
                st.violations
                    .push(format!("{method} {path}: body is not JSON: {e}"));
                return text(400, format!("Bad request: invalid JSON body: {e}"));
            }
        }
    };
    if body.is_some() && !ctype.starts_with("application/json") {
        ctx.state.lock().unwrap().violations.push(format!(
            "{method} {path}: JSON body without application/json"
        ));
    }
    let resp = route(ctx, method, path, &query, auth, body.as_ref());
    let mut st = ctx.state.lock().unwrap();
    st.requests.push(Recorded {
        method: method.into(),
        path: path.into(),
        query,
        body,
        status: resp.status,
    });
    resp
}

fn is_windmill_path(p: &str) -> bool {
    let parts: Vec<&str> = p.split('/').collect();
    matches!(parts[0], "u" | "f" | "g")
        && parts.len() >= 3
        && p.len() <= 255
        && parts[1..].iter().all(|s| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        })
}

/// Check `body` is an object with `required` keys, only keys from `allowed` (when given),
/// and each typed key of the right JSON type.
fn shape(
    body: Option<&Value>,
    required: &[&str],
    allowed: Option<&[&str]>,
    types: &[(&str, &str)],
) -> Result<(), String> {
    let Some(Value::Object(m)) = body else {
        return Err("body must be a JSON object".into());
    };
    for r in required {
        if !m.contains_key(*r) {
            return Err(format!("missing required field `{r}`"));
        }
    }
    if let Some(a) = allowed {
        for k in m.keys() {
            if !a.contains(&k.as_str()) {
                return Err(format!("unknown field `{k}`"));
            }
        }
    }
    for (k, t) in types {
        if let Some(v) = m.get(*k) {
            let ok = match *t {
                "string" => v.is_string(),
                "object" => v.is_object(),
                "bool" => v.is_boolean(),
                "array" => v.is_array(),
                _ => true,
            };
            if !ok {
                return Err(format!("field `{k}` must be {t}"));
            }
        }
    }
    Ok(())
}

// openapi `OpenFlowWPath` = OpenFlow {summary*, description, value*, schema} + path* and
// optional deployment fields.
const FLOW_KEYS: &[&str] = &[
    "path",
    "summary",
    "description",
    "value",
    "schema",
    "tag",
    "ws_error_handler_muted",
    "priority",
    "dedicated_worker",
    "timeout",
    "visible_to_runner_only",
    "on_behalf_of_email",
    "deployment_message",
];
// openapi `NewSchedule`.
const NEW_SCHEDULE_KEYS: &[&str] = &[
    "path",
    "schedule",
    "timezone",
    "script_path",
    "is_flow",
    "args",
    "enabled",
    "summary",
    "description",
    "no_flow_overlap",
    "tag",
    "paused_until",
    "cron_version",
    "on_failure",
    "on_recovery",
    "on_success",
    "retry",
];
// openapi `EditSchedule`.
const EDIT_SCHEDULE_KEYS: &[&str] = &[
    "schedule",
    "timezone",
    "args",
    "summary",
    "description",
    "no_flow_overlap",
    "tag",
    "paused_until",
    "cron_version",
    "on_failure",
    "on_recovery",
    "on_success",
    "retry",
];

fn check_flow_body(body: Option<&Value>, path: &str) -> Result<(), String> {
    shape(
        body,
        &["path", "summary", "value"],
        Some(FLOW_KEYS),
        &[
            ("path", "string"),
            ("summary", "string"),
            ("description", "string"),
            ("value", "object"),
            ("schema", "object"),
        ],
    )?;
    let b = body.unwrap();
    if b["path"] != json!(path) {
        return Err(format!("body path {} differs from {path}", b["path"]));
    }
    if !b["value"]["modules"].is_array() {
        return Err("value.modules must be an array".into());
    }
    local::openflow::flow_from_value(b.clone())
        .map(|_| ())
        .map_err(|e| format!("value is not a FlowValue: {e}"))
}

fn check_cron6(s: &str) -> bool {
    s.split_whitespace().count() == 6
}

fn route(
    ctx: &Arc<Ctx>,
    method: &str,
    path: &str,
    query: &BTreeMap<String, String>,
    auth: Option<&str>,
    body: Option<&Value>,
) -> Resp {
    // Injected faults first (as a proxy or an overloaded server would answer).
    {
        let mut st = ctx.state.lock().unwrap();
        if let Some(i) = st
            .faults
            .iter()
            .position(|f| f.method == method && path.contains(&f.path_contains))
        {
            let f = &mut st.faults[i];
            f.times -= 1;
            let r = text(f.status, f.body.clone());
            if f.times == 0 {
                st.faults.remove(i);
            }
            return r;
        }
    }
    if auth != Some(&format!("Bearer {}", ctx.token)) {
        return text(401, "Not authorized");
    }
    let violation = |msg: String| -> Resp {
        ctx.state
            .lock()
            .unwrap()
            .violations
            .push(format!("{method} {path}: {msg}"));
        text(400, format!("Bad request: {msg}"))
    };
    let allow_query = |allowed: &[&str]| -> Result<(), String> {
        for k in query.keys() {
            if !allowed.contains(&k.as_str()) {
                return Err(format!("unknown query parameter `{k}`"));
            }
        }
        Ok(())
    };
    if path == "/api/workspaces/exists" && method == "POST" {
        // openapi existsWorkspace: body {id}.
        if let Err(e) = shape(body, &["id"], Some(&["id"]), &[("id", "string")]) {
            return violation(e);
        }
        let id = body.unwrap()["id"].as_str().unwrap_or_default().to_string();
        let exists = ctx.state.lock().unwrap().workspaces.contains(&id);
        return jsonr(200, json!(exists));
    }
    let Some(rest) = path.strip_prefix("/api/w/") else {
        ctx.state
            .lock()
            .unwrap()
            .violations
            .push(format!("{method} {path}: not a known route"));
        return text(404, "Not found");
    };
    let (ws, rest) = rest.split_once('/').unwrap_or((rest, ""));
    if !ctx.state.lock().unwrap().workspaces.contains(ws) {
        if ctx.exec.unknown_workspace_401 {
            return text(
                401,
                format!("Not authorized: user is not a member of workspace {ws}"),
            );
        }
        return text(404, format!("Not found: workspace {ws} not found"));
    }
    let split = |prefix: &str| rest.strip_prefix(prefix).map(str::to_string);
    let no_q = allow_query(&[]);

    // ---- flows ---------------------------------------------------------------------------
    if let Some(p) = split("flows/exists/") {
        if method != "GET" {
            return violation("existsFlowByPath is GET".into());
        }
        if let Err(e) = no_q {
            return violation(e);
        }
        let st = ctx.state.lock().unwrap();
        return jsonr(200, json!(st.flows.contains_key(&p)));
    }
    if let Some(p) = split("flows/get/") {
        if method != "GET" {
            return violation("getFlowByPath is GET".into());
        }
        let st = ctx.state.lock().unwrap();
        return match st.flows.get(&p) {
            Some(f) => jsonr(200, f.clone()),
            None => text(404, format!("Not found: Flow not found at name {p}")),
        };
    }
    if rest == "flows/create" {
        if method != "POST" {
            return violation("createFlow is POST".into());
        }
        let p = body
            .and_then(|b| b.get("path"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if !is_windmill_path(&p) {
            return violation(format!("invalid path `{p}`"));
        }
        if let Err(e) = check_flow_body(body, &p) {
            return violation(e);
        }
        let mut st = ctx.state.lock().unwrap();
        if st.flows.contains_key(&p) {
            return text(400, format!("Bad request: Flow {p} already exists"));
        }
        st.flows.insert(p.clone(), body.unwrap().clone());
        return text(201, p);
    }
    if let Some(p) = split("flows/update/") {
        if method != "POST" {
            return violation("updateFlow is POST".into());
        }
        if let Err(e) = check_flow_body(body, &p) {
            return violation(e);
        }
        let mut st = ctx.state.lock().unwrap();
        if !st.flows.contains_key(&p) {
            return text(404, format!("Not found: Flow not found at name {p}"));
        }
        st.flows.insert(p.clone(), body.unwrap().clone());
        return text(200, p);
    }
    if let Some(p) = split("flows/delete/") {
        if method != "DELETE" {
            return violation("deleteFlowByPath is DELETE".into());
        }
        let mut st = ctx.state.lock().unwrap();
        if st.flows.remove(&p).is_none() {
            return text(404, format!("Not found: Flow not found at name {p}"));
        }
        return text(200, format!("Flow {p} deleted"));
    }
    if rest == "flows/list" {
        if method != "GET" {
            return violation("listFlows is GET".into());
        }
        if let Err(e) = allow_query(&["path_start", "path_exact", "page", "per_page"]) {
            return violation(e);
        }
        // openapi listFlows: an array of `Flow` (OpenFlow summary/description + path);
        // `page` (1-based) and `per_page` as windmill-common utils.rs `paginate` reads
        // them (offset = (page - 1) * per_page). Without `per_page` the fake answers every
        // flow in one page.
        let num = |k: &str| -> Result<Option<usize>, String> {
            query
                .get(k)
                .map(|v| {
                    v.parse::<usize>()
                        .map_err(|_| format!("`{k}` is not an integer"))
                })
                .transpose()
        };
        let (page, per_page) = match (num("page"), num("per_page")) {
            (Ok(p), Ok(pp)) => (p.unwrap_or(1).max(1), pp.map(|n| n.max(1))),
            (Err(e), _) | (_, Err(e)) => return violation(e),
        };
        let st = ctx.state.lock().unwrap();
        let all = st
            .flows
            .iter()
            .filter(|(k, _)| query.get("path_start").is_none_or(|s| k.starts_with(s)))
            .filter(|(k, _)| query.get("path_exact").is_none_or(|s| *k == s))
            .map(|(k, v)| {
                json!({"path": k, "summary": v["summary"], "description": v["description"],
                       "workspace_id": ws})
            });
        let l: Vec<Value> = match per_page {
            Some(n) => all.skip((page - 1) * n).take(n).collect(),
            None => all.collect(),
        };
        return jsonr(200, Value::Array(l));
    }

    // ---- jobs ----------------------------------------------------------------------------
    if let Some(p) = split("jobs/run/f/") {
        if method != "POST" {
            return violation("runFlowByPath is POST".into());
        }
        if let Err(e) = allow_query(&[
            "job_id",
            "scheduled_for",
            "scheduled_in_secs",
            "skip_preprocessor",
            "parent_job",
            "tag",
            "invisible_to_owner",
            "include_header",
            "queue_limit",
        ]) {
            return violation(e);
        }
        let Some(Value::Object(args)) = body else {
            return violation("the body must be the flow inputs, a JSON object".into());
        };
        let job = match query.get("job_id") {
            Some(j) => match Uuid::parse_str(j) {
                Ok(u) => u,
                Err(e) => return violation(format!("job_id is not a uuid: {e}")),
            },
            None => Uuid::new_v4(),
        };
        let flow = {
            let st = ctx.state.lock().unwrap();
            if st.jobs.contains_key(&job) {
                return text(
                    400,
                    format!("Bad request: a job with id {job} already exists"),
                );
            }
            match st.flows.get(&p) {
                Some(f) => f.clone(),
                None => return text(404, format!("Not found: Flow not found at name {p}")),
            }
        };
        start_job(ctx, job, &p, &flow, args.clone());
        return text(201, job.to_string());
    }
    if let Some(id) = split("jobs_u/get/") {
        if method != "GET" {
            return violation("getJob is GET".into());
        }
        if let Err(e) = allow_query(&["no_logs", "no_code"]) {
            return violation(e);
        }
        let Ok(id) = Uuid::parse_str(&id) else {
            return violation("job id is not a uuid".into());
        };
        let st = ctx.state.lock().unwrap();
        return match job_json(&st, id, ws) {
            Some(v) => jsonr(200, v),
            None => text(404, format!("Not found: Job {id} not found")),
        };
    }
    if let Some(id) = split("jobs_u/get_logs/") {
        if method != "GET" {
            return violation("getJobLogs is GET".into());
        }
        let Ok(id) = Uuid::parse_str(&id) else {
            return violation("job id is not a uuid".into());
        };
        let st = ctx.state.lock().unwrap();
        return match st.logs.get(&id) {
            Some(l) => text(200, l.clone()),
            None if st.jobs.contains_key(&id) => text(200, ""),
            None => text(404, format!("Not found: Job {id} not found")),
        };
    }
    if let Some(id) = split("jobs_u/completed/get_result_maybe/") {
        if method != "GET" {
            return violation("getCompletedJobResultMaybe is GET".into());
        }
        let Ok(id) = Uuid::parse_str(&id) else {
            return violation("job id is not a uuid".into());
        };
        let st = ctx.state.lock().unwrap();
        return match st.jobs.get(&id) {
            Some(j) => match &j.done {
                Some((ok, r)) => jsonr(
                    200,
                    json!({"completed": true, "result": r, "success": ok, "started": true}),
                ),
                None => jsonr(
                    200,
                    json!({"completed": false, "result": null, "success": null, "started": j.running}),
                ),
            },
            None => text(404, format!("Not found: Job {id} not found")),
        };
    }
    if let Some(id) = split("jobs_u/queue/cancel/") {
        if method != "POST" {
            return violation("cancelQueuedJob is POST".into());
        }
        if let Err(e) = shape(body, &[], Some(&["reason"]), &[("reason", "string")]) {
            return violation(e);
        }
        let Ok(id) = Uuid::parse_str(&id) else {
            return violation("job id is not a uuid".into());
        };
        let mut st = ctx.state.lock().unwrap();
        return match st.jobs.get_mut(&id) {
            Some(j) if j.done.is_none() => {
                j.canceled = true;
                j.cancel.cancel();
                text(200, format!("job {id} canceled"))
            }
            _ => text(404, format!("Not found: queued job id {id} does not exist")),
        };
    }
    if rest == "jobs/list" {
        if method != "GET" {
            return violation("listJobs is GET".into());
        }
        if let Err(e) = allow_query(&[
            "script_path_exact",
            "script_path_start",
            "job_kinds",
            "page",
            "per_page",
            "success",
            "running",
        ]) {
            return violation(e);
        }
        let st = ctx.state.lock().unwrap();
        let mut l: Vec<(SystemTime, Value)> = st
            .jobs
            .iter()
            .filter(|(_, j)| {
                query.get("script_path_exact").is_none_or(|p| *p == j.path)
                    && query
                        .get("job_kinds")
                        .is_none_or(|k| k.split(',').any(|k| k == "flow"))
            })
            .filter_map(|(id, j)| job_json(&st, *id, ws).map(|v| (j.created_at, v)))
            .collect();
        l.sort_by_key(|x| std::cmp::Reverse(x.0));
        return jsonr(200, Value::Array(l.into_iter().map(|x| x.1).collect()));
    }

    // ---- variables (backend/windmill-api/src/variables.rs) -------------------------------
    if let Some(p) = split("variables/exists/") {
        if method != "GET" {
            return violation("existsVariable is GET".into());
        }
        let st = ctx.state.lock().unwrap();
        return jsonr(200, json!(st.variables.contains_key(&p)));
    }
    if let Some(p) = split("variables/get_value/") {
        if method != "GET" {
            return violation("getVariableValue is GET".into());
        }
        let st = ctx.state.lock().unwrap();
        return match st.variables.get(&p) {
            Some(v) => jsonr(200, v["value"].clone()),
            None => text(404, format!("Not found: Variable {p} not found")),
        };
    }
    if let Some(p) = split("variables/get/") {
        if method != "GET" {
            return violation("getVariable is GET".into());
        }
        if let Err(e) = allow_query(&["decrypt_secret", "include_encrypted"]) {
            return violation(e);
        }
        let st = ctx.state.lock().unwrap();
        return match st.variables.get(&p) {
            Some(v) => {
                let mut v = v.clone();
                v["workspace_id"] = json!(ws);
                v["extra_perms"] = json!({});
                v["is_oauth"] = json!(false);
                jsonr(200, v)
            }
            None => text(404, format!("Not found: Variable {p} not found")),
        };
    }
    if rest == "variables/create" {
        if method != "POST" {
            return violation("createVariable is POST".into());
        }
        if let Err(e) = allow_query(&["already_encrypted"]) {
            return violation(e);
        }
        if let Err(e) = shape(
            body,
            &["path", "value", "is_secret", "description"],
            Some(&[
                "path",
                "value",
                "is_secret",
                "description",
                "account",
                "is_oauth",
                "expires_at",
            ]),
            &[
                ("path", "string"),
                ("value", "string"),
                ("is_secret", "bool"),
                ("description", "string"),
            ],
        ) {
            return violation(e);
        }
        let b = body.unwrap();
        let p = b["path"].as_str().unwrap_or_default().to_string();
        if !is_windmill_path(&p) {
            return violation(format!("invalid path `{p}`"));
        }
        let mut st = ctx.state.lock().unwrap();
        if st.variables.contains_key(&p) {
            return text(400, format!("Bad request: Variable {p} already exists"));
        }
        st.variables.insert(
            p.clone(),
            json!({"path": p, "value": b["value"], "is_secret": b["is_secret"],
                   "description": b["description"]}),
        );
        return text(201, format!("variable {p} created"));
    }
    if let Some(p) = split("variables/update/") {
        if method != "POST" {
            return violation("updateVariable is POST".into());
        }
        if let Err(e) = allow_query(&["already_encrypted"]) {
            return violation(e);
        }
        if let Err(e) = shape(
            body,
            &[],
            Some(&["path", "value", "is_secret", "description"]),
            &[
                ("path", "string"),
                ("value", "string"),
                ("is_secret", "bool"),
                ("description", "string"),
            ],
        ) {
            return violation(e);
        }
        let b = body.unwrap();
        let mut st = ctx.state.lock().unwrap();
        let Some(v) = st.variables.get_mut(&p) else {
            return text(404, format!("Not found: Variable not found at name {p}"));
        };
        for k in ["value", "is_secret", "description"] {
            if let Some(x) = b.get(k) {
                v[k] = x.clone();
            }
        }
        if let Some(np) = b.get("path").and_then(Value::as_str)
            && np != p
        {
            let mut v = st.variables.remove(&p).unwrap();
            v["path"] = json!(np);
            st.variables.insert(np.to_string(), v);
        }
        return text(200, format!("variable {p} updated (npath: {p:?})"));
    }
    if let Some(p) = split("variables/delete/") {
        if method != "DELETE" {
            return violation("deleteVariable is DELETE".into());
        }
        ctx.state.lock().unwrap().variables.remove(&p);
        return text(200, format!("variable {p} deleted"));
    }

    // ---- schedules -----------------------------------------------------------------------
    if let Some(p) = split("schedules/exists/") {
        if method != "GET" {
            return violation("existsSchedule is GET".into());
        }
        let st = ctx.state.lock().unwrap();
        return jsonr(200, json!(st.schedules.contains_key(&p)));
    }
    if rest == "schedules/create" {
        if method != "POST" {
            return violation("createSchedule is POST".into());
        }
        if let Err(e) = shape(
            body,
            &[
                "path",
                "schedule",
                "timezone",
                "script_path",
                "is_flow",
                "args",
            ],
            Some(NEW_SCHEDULE_KEYS),
            &[
                ("path", "string"),
                ("schedule", "string"),
                ("timezone", "string"),
                ("script_path", "string"),
                ("is_flow", "bool"),
                ("args", "object"),
                ("enabled", "bool"),
            ],
        ) {
            return violation(e);
        }
        let b = body.unwrap();
        let p = b["path"].as_str().unwrap_or_default().to_string();
        if !check_cron6(b["schedule"].as_str().unwrap_or_default()) {
            return text(400, "Bad request: invalid cron expression");
        }
        let mut st = ctx.state.lock().unwrap();
        if st.schedules.contains_key(&p) {
            return text(400, format!("Bad request: Schedule {p} already exists"));
        }
        let sp = b["script_path"].as_str().unwrap_or_default();
        if !st.flows.contains_key(sp) {
            return text(404, format!("Not found: Flow not found at name {sp}"));
        }
        st.schedules.insert(p.clone(), b.clone());
        return text(200, p);
    }
    if let Some(p) = split("schedules/update/") {
        if method != "POST" {
            return violation("updateSchedule is POST".into());
        }
        if let Err(e) = shape(
            body,
            &["schedule", "timezone", "args"],
            Some(EDIT_SCHEDULE_KEYS),
            &[
                ("schedule", "string"),
                ("timezone", "string"),
                ("args", "object"),
            ],
        ) {
            return violation(e);
        }
        let b = body.unwrap();
        if !check_cron6(b["schedule"].as_str().unwrap_or_default()) {
            return text(400, "Bad request: invalid cron expression");
        }
        let mut st = ctx.state.lock().unwrap();
        let Some(s) = st.schedules.get_mut(&p) else {
            return text(404, format!("Not found: Schedule not found at name {p}"));
        };
        for (k, v) in b.as_object().unwrap() {
            s[k] = v.clone();
        }
        return text(200, p);
    }
    if let Some(p) = split("schedules/delete/") {
        if method != "DELETE" {
            return violation("deleteSchedule is DELETE".into());
        }
        let mut st = ctx.state.lock().unwrap();
        if st.schedules.remove(&p).is_none() {
            return text(404, format!("Not found: Schedule not found at name {p}"));
        }
        return text(200, format!("schedule {p} deleted"));
    }
    ctx.state
        .lock()
        .unwrap()
        .violations
        .push(format!("{method} {path}: not a known route"));
    text(404, "Not found")
}

fn rfc3339(t: SystemTime) -> String {
    let d = t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    format!("{}.{:03}", d.as_secs(), d.subsec_millis())
}

fn job_json(st: &State, id: Uuid, ws: &str) -> Option<Value> {
    let j = st.jobs.get(&id)?;
    let modules: Vec<Value> = j
        .modules
        .iter()
        .map(|m| {
            let mut o = json!({"type": m.status, "id": m.id});
            if let Some(job) = m.job {
                o["job"] = json!(job);
            }
            if !m.flow_jobs.is_empty() {
                o["flow_jobs"] = json!(m.flow_jobs);
            }
            o
        })
        .collect();
    let mut v = json!({
        "id": id,
        "workspace_id": ws,
        "created_at": rfc3339(j.created_at),
        "script_path": j.path,
        "args": j.args,
        "job_kind": "flow",
        "canceled": j.canceled,
        "flow_status": {"step": 0, "modules": modules,
                        "failure_module": {"type": "WaitingForPriorSteps", "id": "failure"}},
    });
    match &j.done {
        None => {
            v["type"] = json!("QueuedJob");
            v["running"] = json!(j.running);
        }
        Some((ok, r)) => {
            v["type"] = json!("CompletedJob");
            v["success"] = json!(ok);
            v["result"] = r.clone();
        }
    }
    Some(v)
}

/// The top-level module an event's display path belongs to (`loop[2]/body` → `loop`).
fn top_of(path: &str) -> &str {
    let end = path.find(['/', '[']).unwrap_or(path.len());
    &path[..end]
}

fn start_job(ctx: &Arc<Ctx>, job: Uuid, path: &str, flow: &Value, args: Map<String, Value>) {
    let parsed = local::openflow::flow_from_value(flow.clone());
    let ids: Vec<String> = flow["value"]["modules"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|m| m["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let cancel = CancelToken::new();
    {
        let mut st = ctx.state.lock().unwrap();
        st.jobs.insert(
            job,
            FakeJob {
                path: path.to_string(),
                args: args.clone(),
                created_at: SystemTime::now(),
                running: false,
                done: None,
                canceled: false,
                modules: ids
                    .iter()
                    .map(|id| ModState {
                        id: id.clone(),
                        status: "WaitingForPriorSteps",
                        job: None,
                        flow_jobs: vec![],
                    })
                    .collect(),
                cancel: cancel.clone(),
            },
        );
    }
    let state = ctx.state.clone();
    let exec = ctx.exec.clone();
    let flow_path = path.to_string();
    let (base_url, token) = (ctx.base_url.clone(), ctx.token.clone());
    tokio::spawn(async move {
        let flow = match parsed {
            Ok(f) => f,
            Err(e) => {
                let mut st = state.lock().unwrap();
                if let Some(j) = st.jobs.get_mut(&job) {
                    j.done = Some((false, json!({"error": {"message": e.to_string()}})));
                }
                return;
            }
        };
        if let Some(j) = state.lock().unwrap().jobs.get_mut(&job) {
            j.running = true;
        }
        let st2 = state.clone();
        let sink: local::EventSink = Arc::new(move |e: &Event| {
            let mut st = st2.lock().unwrap();
            let mut logs = None;
            if let Some(j) = st.jobs.get_mut(&job) {
                let (top, started, finished) = match e {
                    Event::StepStarted { path, job_id, .. } => (
                        top_of(path).to_string(),
                        Some((*job_id, path.clone())),
                        None,
                    ),
                    Event::StepFinished {
                        path,
                        job_id,
                        success,
                        log_tail,
                        ..
                    } => {
                        logs = Some((*job_id, log_tail.clone()));
                        (
                            top_of(path).to_string(),
                            None,
                            Some((*job_id, path.clone(), *success)),
                        )
                    }
                    _ => return,
                };
                let Some(i) = j.modules.iter().position(|m| m.id == top) else {
                    return;
                };
                // Modules before this one are done (the flow is sequential at top level).
                for m in &mut j.modules[..i] {
                    if m.status == "InProgress" || m.status == "WaitingForPriorSteps" {
                        m.status = "Success";
                    }
                }
                let m = &mut j.modules[i];
                if let Some((jid, p)) = started {
                    m.status = "InProgress";
                    if p == top {
                        m.job = Some(jid);
                    } else if !m.flow_jobs.contains(&jid) {
                        m.flow_jobs.push(jid);
                    }
                }
                if let Some((jid, p, ok)) = finished
                    && p == top
                {
                    m.job = Some(jid);
                    m.status = if ok { "Success" } else { "Failure" };
                }
            }
            if let Some((id, l)) = logs {
                st.logs.insert(id, l);
            }
        });
        let opts = RunOptions {
            workers: exec.workers.max(1),
            worker_env: exec.worker_env.clone(),
            isolation: exec
                .isolated_workers
                .then(local::isolation::Isolation::default),
            workspace: "admins".into(),
            username: "tester".into(),
            flow_path,
            on_event: Some(sink),
            root_job_id: Some(job),
            cancel: Some(cancel),
            upstream: Some(local::server::Upstream {
                base_url,
                token: mf_windmill::api::Token::new(token).expect("the fake's token"),
            }),
            ..Default::default()
        };
        let out = local::run_flow(&flow, args, opts).await;
        let mut st = state.lock().unwrap();
        if let Some(j) = st.jobs.get_mut(&job) {
            j.running = false;
            match out {
                Ok(o) => {
                    for m in &mut j.modules {
                        if m.status == "InProgress" {
                            m.status = if o.success { "Success" } else { "Failure" };
                        }
                    }
                    j.canceled = o.canceled;
                    j.done = Some((o.success, o.result));
                }
                Err(e) => {
                    j.done = Some((false, json!({"error": {"message": e.to_string()}})));
                }
            }
        }
    });
}

/// Helper for tests that need the JSON of a fake job (e.g. to assert on flow_status).
pub fn module_statuses(v: &Value) -> Vec<(String, String)> {
    v.pointer("/flow_status/modules")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|m| {
                    (
                        m["id"].as_str().unwrap_or_default().to_string(),
                        m["type"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}
