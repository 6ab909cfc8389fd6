//! The HTTP client: one `reqwest::Client` (rustls, no system TLS), the base URL, the
//! workspace and the token. Every call goes through [`Client::call`], which maps transport
//! failures and Windmill's text/plain error bodies to [`ApiError`] and retries idempotent
//! calls on 5xx and timeouts with exponential backoff.
//!
//! Endpoints as read in Windmill's source (backend/windmill-api/openapi.yaml and the route
//! tables of backend/windmill-api/src/{flows,jobs,schedule,workspaces}.rs); the comment of
//! each method names the operation.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use super::error::ApiError;
use super::token::Token;
use super::types::{JobView, ScheduleSpec};

/// Everything the client needs; built once from the command line.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// `http(s)://host[:port]`, no trailing slash.
    pub host: String,
    pub token: Token,
    pub workspace: String,
    /// Per-request time limit.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Extra attempts of an idempotent call after a 5xx or a timeout.
    pub retries: u32,
    /// First backoff delay (doubled after each attempt).
    pub backoff: Duration,
}

impl ClientConfig {
    pub fn new(host: &str, token: Token, workspace: &str) -> Result<Self, ApiError> {
        Ok(ClientConfig {
            host: normalize_host(host)?,
            token,
            workspace: check_workspace(workspace)?,
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            retries: 3,
            backoff: Duration::from_millis(500),
        })
    }
}

/// `http://h:p/` → `http://h:p`; refuses anything but http(s) URLs without query/fragment.
pub fn normalize_host(host: &str) -> Result<String, ApiError> {
    let h = host.trim().trim_end_matches('/');
    let rest = h
        .strip_prefix("http://")
        .or_else(|| h.strip_prefix("https://"))
        .ok_or_else(|| {
            ApiError::Config(format!(
                "--windmill-host must start with http:// or https:// (got `{h}`)"
            ))
        })?;
    if rest.is_empty() || rest.contains(['?', '#', ' ']) {
        return Err(ApiError::Config(format!(
            "--windmill-host is not a base URL: `{h}`"
        )));
    }
    reqwest::Url::parse(h)
        .map_err(|e| ApiError::Config(format!("--windmill-host `{h}` is not a URL: {e}")))?;
    Ok(h.to_string())
}

/// Windmill's workspace id rule `^\w+(-\w+)*$` (backend/windmill-api/src/workspaces.rs
/// `check_w_id_conflict` / the openapi `WorkspaceId`).
pub fn check_workspace(ws: &str) -> Result<String, ApiError> {
    let ok = !ws.is_empty()
        && ws.split('-').all(|part| {
            !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
    if ok {
        Ok(ws.to_string())
    } else {
        Err(ApiError::Config(format!(
            "invalid workspace id `{ws}`: Windmill workspace ids are letters, digits, `_` and single `-`"
        )))
    }
}

/// Windmill's path rule `^[ufg](/[\w-]+){2,}$`, at most 255 characters
/// (frontend/backend path checks; openapi `Path`).
pub fn check_path(path: &str) -> Result<(), ApiError> {
    let mut parts = path.split('/');
    let head_ok = matches!(parts.next(), Some("u" | "f" | "g"));
    let rest: Vec<&str> = parts.collect();
    let ok = head_ok
        && path.len() <= 255
        && rest.len() >= 2
        && rest.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        });
    if ok {
        Ok(())
    } else {
        Err(ApiError::Config(format!(
            "invalid Windmill path `{path}`: expected u|f|g/<folder>/<name> with letters, digits, `_`, `-`"
        )))
    }
}

/// A Windmill REST client bound to one workspace.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    cfg: ClientConfig,
}

/// What a call returns on success: status and body text.
struct Answer {
    status: StatusCode,
    body: String,
}

impl Client {
    pub fn new(cfg: ClientConfig) -> Result<Client, ApiError> {
        let http = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .connect_timeout(cfg.connect_timeout)
            .user_agent(concat!("mf-windmill/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Client { http, cfg })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.cfg
    }

    pub fn host(&self) -> &str {
        &self.cfg.host
    }

    pub fn workspace(&self) -> &str {
        &self.cfg.workspace
    }

    /// The UI address of a job: `{host}/run/{job}?workspace={ws}`.
    pub fn job_url(&self, job: Uuid) -> String {
        format!(
            "{}/run/{job}?workspace={}",
            self.cfg.host, self.cfg.workspace
        )
    }

    /// The UI address of a flow: `{host}/flows/get/{path}?workspace={ws}`.
    pub fn flow_url(&self, path: &str) -> String {
        format!(
            "{}/flows/get/{path}?workspace={}",
            self.cfg.host, self.cfg.workspace
        )
    }

    fn ws_url(&self, rest: &str) -> String {
        format!("{}/api/w/{}/{rest}", self.cfg.host, self.cfg.workspace)
    }

    /// One request with error mapping and, when `idempotent`, retries on 5xx/timeouts.
    async fn call(
        &self,
        method: Method,
        url: String,
        query: &[(&str, String)],
        body: Option<&Value>,
        idempotent: bool,
        what: &str,
    ) -> Result<Answer, ApiError> {
        let max_attempts = if idempotent { 1 + self.cfg.retries } else { 1 };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut req = self
                .http
                .request(method.clone(), &url)
                .bearer_auth(self.cfg.token.expose());
            if !query.is_empty() {
                req = req.query(query);
            }
            if let Some(b) = body {
                req = req.json(b);
            }
            let retry_after = match req.send().await {
                Err(e) => {
                    let err = self.transport_error(&e, what);
                    if matches!(err, ApiError::Timeout { .. }) && attempt < max_attempts {
                        err
                    } else {
                        return Err(err);
                    }
                }
                Ok(resp) => {
                    let status = resp.status();
                    let text = match resp.text().await {
                        Ok(t) => t,
                        Err(e) => {
                            return Err(ApiError::Decode {
                                what: what.into(),
                                detail: self.cfg.token.redact(&e.to_string()),
                            });
                        }
                    };
                    let body = self.cfg.token.redact(text.trim());
                    if status.is_success() {
                        return Ok(Answer { status, body });
                    }
                    let err = self.status_error(status, body, what, attempt);
                    if status.is_server_error() && attempt < max_attempts {
                        err
                    } else {
                        return Err(err);
                    }
                }
            };
            let delay = self.cfg.backoff * 2u32.saturating_pow(attempt - 1);
            eprintln!(
                "mf-windmill: {retry_after}; retrying in {:.1}s (attempt {}/{max_attempts})",
                delay.as_secs_f32(),
                attempt + 1
            );
            tokio::time::sleep(delay).await;
        }
    }

    fn transport_error(&self, e: &reqwest::Error, what: &str) -> ApiError {
        let host = self.cfg.host.clone();
        if e.is_timeout() {
            return ApiError::Timeout {
                host,
                what: what.into(),
                after: self.cfg.timeout,
            };
        }
        // Walk the source chain: io::ErrorKind::ConnectionRefused, or hyper-util's
        // "dns error" for a failed lookup.
        let mut chain = String::new();
        let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
        let mut refused = false;
        while let Some(s) = src {
            if let Some(io) = s.downcast_ref::<std::io::Error>()
                && io.kind() == std::io::ErrorKind::ConnectionRefused
            {
                refused = true;
            }
            chain.push_str(&s.to_string());
            chain.push_str(": ");
            src = s.source();
        }
        let lower = chain.to_ascii_lowercase();
        if refused || lower.contains("connection refused") {
            ApiError::ConnectionRefused { host }
        } else if lower.contains("dns error")
            || lower.contains("failed to lookup address")
            || lower.contains("name or service not known")
        {
            ApiError::Dns { host }
        } else {
            let detail = std::error::Error::source(e)
                .map(|s| s.to_string())
                .unwrap_or_else(|| e.to_string());
            ApiError::Connect {
                host,
                detail: self.cfg.token.redact(&detail),
            }
        }
    }

    fn status_error(&self, status: StatusCode, body: String, what: &str, attempt: u32) -> ApiError {
        let code = status.as_u16();
        match code {
            401 | 403 => ApiError::TokenRejected {
                host: self.cfg.host.clone(),
                status: code,
                what: what.into(),
                body,
            },
            404 => ApiError::NotFound {
                what: what.into(),
                body,
            },
            400 | 422 => ApiError::BadRequest {
                what: what.into(),
                body,
            },
            c if c >= 500 => ApiError::Server {
                what: what.into(),
                status: code,
                attempts: attempt,
                body,
            },
            _ => ApiError::Http {
                what: what.into(),
                status: code,
                body,
            },
        }
    }

    /// A 404 (or 401/403) of a workspaced call: tell a missing workspace from a missing
    /// object (or a rejected token). Windmill may answer a call into a workspace that does
    /// not exist with 404 or, through its membership check, with 401/403; `existsWorkspace`
    /// settles it (and fails itself when the token is really rejected).
    async fn explain_404(&self, err: ApiError) -> ApiError {
        if !matches!(
            err,
            ApiError::NotFound { .. } | ApiError::TokenRejected { .. }
        ) {
            return err;
        }
        match self.workspace_exists().await {
            Ok(false) => ApiError::WorkspaceNotFound {
                host: self.cfg.host.clone(),
                workspace: self.cfg.workspace.clone(),
            },
            _ => err,
        }
    }

    /// [`Self::call`] for a workspaced endpoint: a 404/401/403 is explained (missing
    /// workspace vs missing object) before it is returned.
    async fn call_ws(
        &self,
        method: Method,
        url: String,
        query: &[(&str, String)],
        body: Option<&Value>,
        idempotent: bool,
        what: &str,
    ) -> Result<Answer, ApiError> {
        match self.call(method, url, query, body, idempotent, what).await {
            Ok(a) => Ok(a),
            Err(e) => Err(self.explain_404(e).await),
        }
    }

    /// [`Self::call_ws`] and decode the JSON answer.
    async fn call_json<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        url: String,
        query: &[(&str, String)],
        body: Option<&Value>,
        idempotent: bool,
        what: &str,
    ) -> Result<T, ApiError> {
        let a = self
            .call_ws(method, url, query, body, idempotent, what)
            .await?;
        Self::parse(&a, what)
    }

    fn parse<T: serde::de::DeserializeOwned>(a: &Answer, what: &str) -> Result<T, ApiError> {
        serde_json::from_str(&a.body).map_err(|e| ApiError::Decode {
            what: what.into(),
            detail: format!("{e} (status {})", a.status.as_u16()),
        })
    }

    // ---- workspaces -------------------------------------------------------------------

    /// `POST /api/workspaces/exists {id}` → bool (openapi `existsWorkspace`).
    pub async fn workspace_exists(&self) -> Result<bool, ApiError> {
        let what = "checking the workspace";
        let a = self
            .call(
                Method::POST,
                format!("{}/api/workspaces/exists", self.cfg.host),
                &[],
                Some(&json!({"id": self.cfg.workspace})),
                true,
                what,
            )
            .await?;
        Self::parse(&a, what)
    }

    // ---- flows (backend/windmill-api/src/flows.rs) ---------------------------------------

    /// `GET /api/w/{ws}/flows/exists/{path}` → bool (openapi `existsFlowByPath`).
    pub async fn flow_exists(&self, path: &str) -> Result<bool, ApiError> {
        check_path(path)?;
        let what = format!("checking whether flow {path} exists");
        let r = self
            .call(
                Method::GET,
                self.ws_url(&format!("flows/exists/{path}")),
                &[],
                None,
                true,
                &what,
            )
            .await;
        match r {
            Ok(a) => Self::parse(&a, &what),
            Err(e) => Err(self.explain_404(e).await),
        }
    }

    /// `GET /api/w/{ws}/flows/get/{path}` → the Flow (openapi `getFlowByPath`).
    pub async fn get_flow(&self, path: &str) -> Result<Value, ApiError> {
        check_path(path)?;
        let what = format!("reading flow {path}");
        self.call_json(
            Method::GET,
            self.ws_url(&format!("flows/get/{path}")),
            &[],
            None,
            true,
            &what,
        )
        .await
    }

    /// `POST /api/w/{ws}/flows/create` with `OpenFlowWPath` → 201, body the path
    /// (openapi `createFlow`). `flow` is the OpenFlow document; `path` is added.
    pub async fn create_flow(&self, path: &str, flow: &Value) -> Result<(), ApiError> {
        check_path(path)?;
        let body = with_path(flow, path);
        self.call_ws(
            Method::POST,
            self.ws_url("flows/create"),
            &[],
            Some(&body),
            false,
            &format!("creating flow {path}"),
        )
        .await
        .map(|_| ())
    }

    /// `POST /api/w/{ws}/flows/update/{path}` with `OpenFlowWPath` (openapi `updateFlow`).
    /// Idempotent (same body, same result), so retried on 5xx.
    pub async fn update_flow(&self, path: &str, flow: &Value) -> Result<(), ApiError> {
        check_path(path)?;
        let body = with_path(flow, path);
        let what = format!("updating flow {path}");
        self.call_ws(
            Method::POST,
            self.ws_url(&format!("flows/update/{path}")),
            &[],
            Some(&body),
            true,
            &what,
        )
        .await
        .map(|_| ())
    }

    /// `DELETE /api/w/{ws}/flows/delete/{path}` (openapi `deleteFlowByPath`).
    pub async fn delete_flow(&self, path: &str) -> Result<(), ApiError> {
        check_path(path)?;
        let what = format!("deleting flow {path}");
        self.call_ws(
            Method::DELETE,
            self.ws_url(&format!("flows/delete/{path}")),
            &[],
            None,
            false,
            &what,
        )
        .await
        .map(|_| ())
    }

    /// `GET /api/w/{ws}/flows/list?path_start=` (openapi `listFlows`).
    pub async fn list_flows(&self, path_start: Option<&str>) -> Result<Vec<Value>, ApiError> {
        let what = "listing flows";
        let mut q = vec![];
        if let Some(p) = path_start {
            q.push(("path_start", p.to_string()));
        }
        self.call_json(Method::GET, self.ws_url("flows/list"), &q, None, true, what)
            .await
    }

    /// One page of openapi `listFlows`: `GET /api/w/{ws}/flows/list?page=&per_page=`
    /// (1-based pages), optionally `path_start`.
    pub async fn list_flows_page(
        &self,
        path_start: Option<&str>,
        page: usize,
        per_page: usize,
    ) -> Result<Vec<Value>, ApiError> {
        let what = "listing flows";
        let mut q = vec![
            ("page", page.to_string()),
            ("per_page", per_page.to_string()),
        ];
        if let Some(p) = path_start {
            q.push(("path_start", p.to_string()));
        }
        self.call_json(Method::GET, self.ws_url("flows/list"), &q, None, true, what)
            .await
    }

    // ---- jobs (backend/windmill-api/src/jobs.rs) -----------------------------------------

    /// `POST /api/w/{ws}/jobs/run/f/{path}?job_id=<uuid>` with the flow inputs as body →
    /// 201, body the job id (openapi `runFlowByPath`, query `job_id`: "The job id to assign
    /// to the created job. if missing, job is chosen randomly"). Not retried: a second
    /// POST with the same id would not start a second run, but its answer would be an error.
    pub async fn run_flow(
        &self,
        path: &str,
        job_id: Uuid,
        inputs: &serde_json::Map<String, Value>,
    ) -> Result<Uuid, ApiError> {
        check_path(path)?;
        let what = format!("starting flow {path}");
        let a = match self
            .call(
                Method::POST,
                self.ws_url(&format!("jobs/run/f/{path}")),
                &[("job_id", job_id.to_string())],
                Some(&Value::Object(inputs.clone())),
                false,
                &what,
            )
            .await
        {
            Ok(a) => a,
            Err(e) => return Err(self.explain_404(e).await),
        };
        let text = a.body.trim().trim_matches('"');
        Uuid::parse_str(text).map_err(|e| ApiError::Decode {
            what,
            detail: format!("expected a job id, got `{text}`: {e}"),
        })
    }

    /// `GET /api/w/{ws}/jobs_u/get/{id}?no_logs=true` (openapi `getJob`): a `QueuedJob` or
    /// a `CompletedJob`.
    pub async fn get_job(&self, id: Uuid) -> Result<JobView, ApiError> {
        let what = format!("reading job {id}");
        match self
            .call(
                Method::GET,
                self.ws_url(&format!("jobs_u/get/{id}")),
                &[("no_logs", "true".into())],
                None,
                true,
                &what,
            )
            .await
        {
            Ok(a) => {
                let v: Value = Self::parse(&a, &what)?;
                Ok(JobView::from_value(v))
            }
            Err(e) => Err(self.explain_404(e).await),
        }
    }

    /// `GET /api/w/{ws}/jobs_u/get_logs/{id}` → text/plain (openapi `getJobLogs`).
    pub async fn get_job_logs(&self, id: Uuid) -> Result<String, ApiError> {
        let what = format!("reading the logs of job {id}");
        self.call(
            Method::GET,
            self.ws_url(&format!("jobs_u/get_logs/{id}")),
            &[],
            None,
            true,
            &what,
        )
        .await
        .map(|a| a.body)
    }

    /// `GET /api/w/{ws}/jobs_u/completed/get_result_maybe/{id}` → `{completed, result,
    /// success}` (openapi `getCompletedJobResultMaybe`).
    pub async fn get_result_maybe(&self, id: Uuid) -> Result<Value, ApiError> {
        let what = format!("reading the result of job {id}");
        self.call_json(
            Method::GET,
            self.ws_url(&format!("jobs_u/completed/get_result_maybe/{id}")),
            &[],
            None,
            true,
            &what,
        )
        .await
    }

    /// `POST /api/w/{ws}/jobs_u/queue/cancel/{id}` `{reason}` (openapi `cancelQueuedJob`).
    pub async fn cancel_job(&self, id: Uuid, reason: &str) -> Result<(), ApiError> {
        let what = format!("canceling job {id}");
        self.call(
            Method::POST,
            self.ws_url(&format!("jobs_u/queue/cancel/{id}")),
            &[],
            Some(&json!({ "reason": reason })),
            false,
            &what,
        )
        .await
        .map(|_| ())
    }

    /// `GET /api/w/{ws}/jobs/list?script_path_exact=&job_kinds=flow` (openapi `listJobs`).
    pub async fn list_flow_jobs(&self, path: &str) -> Result<Vec<Value>, ApiError> {
        check_path(path)?;
        let what = format!("listing the runs of {path}");
        self.call_json(
            Method::GET,
            self.ws_url("jobs/list"),
            &[
                ("script_path_exact", path.to_string()),
                ("job_kinds", "flow".into()),
            ],
            None,
            true,
            &what,
        )
        .await
    }

    // ---- schedules (backend/windmill-api/src/schedule.rs) --------------------------------

    // ---- variables (backend/windmill-api/src/variables.rs `workspaced_service`) -------

    /// `GET /api/w/{ws}/variables/exists/{path}` → bool (`exists_variable`).
    pub async fn variable_exists(&self, path: &str) -> Result<bool, ApiError> {
        check_path(path)?;
        let what = format!("checking whether variable {path} exists");
        self.call_json(
            Method::GET,
            self.ws_url(&format!("variables/exists/{path}")),
            &[],
            None,
            true,
            &what,
        )
        .await
    }
    /// `GET /api/w/{ws}/variables/get_value/{path}` → the value, a JSON string
    /// (`get_value`); `None` when there is no such variable (404 `Variable … not found`).
    pub async fn get_variable_value(&self, path: &str) -> Result<Option<String>, ApiError> {
        check_path(path)?;
        let what = format!("reading variable {path}");
        match self
            .call_json(
                Method::GET,
                self.ws_url(&format!("variables/get_value/{path}")),
                &[],
                None,
                true,
                &what,
            )
            .await
        {
            Ok(v) => Ok(Some(v)),
            Err(ApiError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
    /// `POST /api/w/{ws}/variables/create` with windmill-common `CreateVariable`
    /// `{path, value, is_secret, description}` → 201 (400 `Variable … already exists`).
    pub async fn create_variable(
        &self,
        path: &str,
        value: &str,
        description: &str,
    ) -> Result<(), ApiError> {
        check_path(path)?;
        let what = format!("creating variable {path}");
        let body = serde_json::json!({
            "path": path, "value": value, "is_secret": false, "description": description,
        });
        self.call(
            Method::POST,
            self.ws_url("variables/create"),
            &[],
            Some(&body),
            false,
            &what,
        )
        .await
        .map(|_| ())
    }
    /// `POST /api/w/{ws}/variables/update/{path}` with `EditVariable` `{value}` → 200
    /// (404 through `not_found_if_none` when it does not exist).
    pub async fn update_variable(&self, path: &str, value: &str) -> Result<(), ApiError> {
        check_path(path)?;
        let what = format!("updating variable {path}");
        let body = serde_json::json!({ "value": value });
        self.call(
            Method::POST,
            self.ws_url(&format!("variables/update/{path}")),
            &[],
            Some(&body),
            true,
            &what,
        )
        .await
        .map(|_| ())
    }
    /// `DELETE /api/w/{ws}/variables/delete/{path}` → 200 (also when absent: the handler
    /// deletes without checking).
    pub async fn delete_variable(&self, path: &str) -> Result<(), ApiError> {
        check_path(path)?;
        let what = format!("deleting variable {path}");
        self.call(
            Method::DELETE,
            self.ws_url(&format!("variables/delete/{path}")),
            &[],
            None,
            true,
            &what,
        )
        .await
        .map(|_| ())
    }

    /// `GET /api/w/{ws}/schedules/exists/{path}` → bool (openapi `existsSchedule`).
    pub async fn schedule_exists(&self, path: &str) -> Result<bool, ApiError> {
        check_path(path)?;
        let what = format!("checking whether schedule {path} exists");
        self.call_json(
            Method::GET,
            self.ws_url(&format!("schedules/exists/{path}")),
            &[],
            None,
            true,
            &what,
        )
        .await
    }

    /// `POST /api/w/{ws}/schedules/create` with `NewSchedule` {path, schedule, timezone,
    /// script_path, is_flow, args, enabled, summary} (openapi `createSchedule`).
    pub async fn create_schedule(&self, s: &ScheduleSpec) -> Result<(), ApiError> {
        check_path(&s.path)?;
        check_path(&s.script_path)?;
        let what = format!("creating schedule {}", s.path);
        self.call(
            Method::POST,
            self.ws_url("schedules/create"),
            &[],
            Some(&s.create_body()),
            false,
            &what,
        )
        .await
        .map(|_| ())
    }

    /// `POST /api/w/{ws}/schedules/update/{path}` with `EditSchedule` {schedule, timezone,
    /// args, summary} (openapi `updateSchedule`).
    pub async fn update_schedule(&self, s: &ScheduleSpec) -> Result<(), ApiError> {
        check_path(&s.path)?;
        let what = format!("updating schedule {}", s.path);
        self.call(
            Method::POST,
            self.ws_url(&format!("schedules/update/{}", s.path)),
            &[],
            Some(&s.update_body()),
            true,
            &what,
        )
        .await
        .map(|_| ())
    }

    /// `DELETE /api/w/{ws}/schedules/delete/{path}` (openapi `deleteSchedule`).
    pub async fn delete_schedule(&self, path: &str) -> Result<(), ApiError> {
        check_path(path)?;
        let what = format!("deleting schedule {path}");
        self.call(
            Method::DELETE,
            self.ws_url(&format!("schedules/delete/{path}")),
            &[],
            None,
            false,
            &what,
        )
        .await
        .map(|_| ())
    }
}

fn with_path(flow: &Value, path: &str) -> Value {
    let mut body = serde_json::Map::new();
    body.insert("path".into(), Value::String(path.to_string()));
    if let Some(m) = flow.as_object() {
        for (k, v) in m {
            if k != "path" {
                body.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Object(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_workspaces() {
        assert!(check_path("f/metaflow/linear_basic").is_ok());
        assert!(check_path("u/admin/a-b_c").is_ok());
        assert!(check_path("f/metaflow").is_err());
        assert!(check_path("x/a/b").is_err());
        assert!(check_path("f/a/b c").is_err());
        assert!(check_path("f/a/../b").is_err());
        assert!(check_workspace("admins").is_ok());
        assert!(check_workspace("my-ws_2").is_ok());
        assert!(check_workspace("a--b").is_err());
        assert!(check_workspace("a/b").is_err());
        assert_eq!(
            normalize_host("http://localhost:8000/").unwrap(),
            "http://localhost:8000"
        );
        assert!(normalize_host("localhost:8000").is_err());
    }
}
