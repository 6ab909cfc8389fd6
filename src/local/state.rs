//! The run's job table: what a server would keep in `v2_job`, `v2_job_status` and
//! `v2_job_completed`, shared between the engine and the loopback API.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use serde_json::{Map, Value, json};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    Flow,
    Script,
    Identity,
}

impl JobKind {
    /// The `job_kind` string of the API (`flow`, `flowpreview`, `script`, `identity`, ...).
    pub fn api_name(self, is_root: bool) -> &'static str {
        match (self, is_root) {
            (JobKind::Flow, true) => "flowpreview",
            (JobKind::Flow, false) => "flow",
            (JobKind::Script, _) => "preview",
            (JobKind::Identity, _) => "identity",
        }
    }
}

/// `flow_status.modules[i]` of a flow job (`FlowStatusModule` in windmill-common).
#[derive(Debug, Clone)]
pub struct ModuleStatus {
    pub id: String,
    /// `WaitingForPriorSteps` | `InProgress` | `Success` | `Failure`.
    pub status: &'static str,
    pub job: Option<Uuid>,
    pub flow_jobs: Option<Vec<Uuid>>,
    pub failed_retries: Vec<Uuid>,
}

#[derive(Debug, Clone, Default)]
pub struct RetryStatus {
    pub fail_count: u32,
    pub failed_jobs: Vec<Uuid>,
}

#[derive(Debug, Clone, Default)]
pub struct FlowStatus {
    pub step: i32,
    pub modules: Vec<ModuleStatus>,
    pub failure_module_id: Option<String>,
    pub failure_status: &'static str,
    /// Present only while a retry is pending/running (worker_flow.rs removes `retry` on success).
    pub retry: Option<RetryStatus>,
}

#[derive(Debug, Clone)]
pub struct JobState {
    pub id: Uuid,
    pub kind: JobKind,
    pub parent_job: Option<Uuid>,
    pub root_job: Option<Uuid>,
    pub flow_step_id: Option<String>,
    pub args: Map<String, Value>,
    pub created_at: SystemTime,
    pub started_at: Option<SystemTime>,
    pub ended_at: Option<SystemTime>,
    pub success: Option<bool>,
    pub result: Option<Value>,
    pub logs: String,
    pub flow_status: Option<FlowStatus>,
    pub script_path: String,
}

#[derive(Debug, Default)]
pub struct JobTable {
    pub jobs: HashMap<Uuid, JobState>,
}

pub type SharedTable = Arc<Mutex<JobTable>>;

/// RFC 3339 UTC timestamp with milliseconds.
pub fn rfc3339(t: SystemTime) -> String {
    let d = t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86400), secs.rem_euclid(86400));
    // Civil date from days since epoch (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = if month <= 2 { y + 1 } else { y };
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_millis()
    )
}

impl FlowStatus {
    /// The `flow_status` JSON of the API.
    pub fn to_json(&self) -> Value {
        let modules: Vec<Value> = self
            .modules
            .iter()
            .map(|m| {
                let mut o = Map::new();
                o.insert("type".into(), json!(m.status));
                o.insert("id".into(), json!(m.id));
                if let Some(j) = m.job {
                    o.insert("job".into(), json!(j));
                }
                if let Some(fj) = &m.flow_jobs {
                    o.insert("flow_jobs".into(), json!(fj));
                }
                if m.status == "Success" || m.status == "Failure" {
                    o.insert("failed_retries".into(), json!(m.failed_retries));
                }
                Value::Object(o)
            })
            .collect();
        let mut o = Map::new();
        o.insert("step".into(), json!(self.step));
        o.insert("modules".into(), Value::Array(modules));
        o.insert(
            "failure_module".into(),
            json!({
                "type": self.failure_status,
                "id": self.failure_module_id.clone().unwrap_or_else(|| "failure".into()),
            }),
        );
        if let Some(r) = &self.retry {
            o.insert(
                "retry".into(),
                json!({"fail_count": r.fail_count, "failed_jobs": r.failed_jobs}),
            );
        }
        o.insert("cleanup_module".into(), json!({}));
        o.insert("user_states".into(), json!({}));
        Value::Object(o)
    }
}

impl JobState {
    /// The JSON `GET /api/w/{ws}/jobs_u/get/{id}` returns: a `QueuedJob` while running, a
    /// `CompletedJob` afterwards (backend/windmill-api/openapi.yaml `Job`).
    pub fn to_api_json(&self, workspace: &str, permissioned_as: &str, email: &str) -> Value {
        let is_root = self.parent_job.is_none();
        let mut o = Map::new();
        o.insert("workspace_id".into(), json!(workspace));
        o.insert("id".into(), json!(self.id));
        o.insert("parent_job".into(), json!(self.parent_job));
        o.insert("root_job".into(), json!(self.root_job));
        o.insert(
            "created_by".into(),
            json!(permissioned_as.trim_start_matches("u/")),
        );
        o.insert("created_at".into(), json!(rfc3339(self.created_at)));
        o.insert("started_at".into(), json!(self.started_at.map(rfc3339)));
        o.insert("scheduled_for".into(), json!(rfc3339(self.created_at)));
        o.insert("script_path".into(), json!(self.script_path));
        o.insert("args".into(), Value::Object(self.args.clone()));
        o.insert("job_kind".into(), json!(self.kind.api_name(is_root)));
        o.insert("permissioned_as".into(), json!(permissioned_as));
        o.insert("email".into(), json!(email));
        o.insert("is_flow_step".into(), json!(self.parent_job.is_some()));
        o.insert("flow_step_id".into(), json!(self.flow_step_id));
        o.insert("canceled".into(), json!(false));
        o.insert("visible_to_owner".into(), json!(true));
        o.insert(
            "tag".into(),
            json!(if self.kind == JobKind::Script {
                "bash"
            } else {
                "flow"
            }),
        );
        o.insert("logs".into(), json!(self.logs));
        if self.kind == JobKind::Script {
            o.insert("language".into(), json!("bash"));
        }
        o.insert(
            "flow_status".into(),
            self.flow_status
                .as_ref()
                .map(FlowStatus::to_json)
                .unwrap_or(Value::Null),
        );
        match self.success {
            Some(success) => {
                o.insert("type".into(), json!("CompletedJob"));
                o.insert("success".into(), json!(success));
                o.insert("result".into(), self.result.clone().unwrap_or(Value::Null));
                let dur = match (self.started_at, self.ended_at) {
                    (Some(s), Some(e)) => e.duration_since(s).unwrap_or_default().as_millis(),
                    _ => 0,
                };
                o.insert("duration_ms".into(), json!(dur as u64));
                o.insert("deleted".into(), json!(false));
                o.insert("is_skipped".into(), json!(false));
            }
            None => {
                o.insert("type".into(), json!("QueuedJob"));
                o.insert("running".into(), json!(self.started_at.is_some()));
            }
        }
        Value::Object(o)
    }
}
