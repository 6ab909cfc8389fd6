//! Lenient views of Windmill's JSON answers (only the fields we use; unknown fields are
//! ignored, missing ones default), after backend/windmill-api/openapi.yaml `Job`
//! (`QueuedJob` | `CompletedJob`), `FlowStatus`, `FlowStatusModule` and `NewSchedule`.

use serde_json::{Map, Value, json};
use uuid::Uuid;

/// The state of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Queued,
    Running,
    Success,
    Failure,
    Canceled,
}

impl JobState {
    pub fn is_final(self) -> bool {
        matches!(
            self,
            JobState::Success | JobState::Failure | JobState::Canceled
        )
    }
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Success => "success",
            JobState::Failure => "failure",
            JobState::Canceled => "canceled",
        }
    }
}

/// `flow_status.modules[i]`: `{type, id, job?, flow_jobs?}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ModuleView {
    pub id: String,
    /// `WaitingForPriorSteps` | `WaitingForEvents` | `WaitingForExecutor` | `InProgress` |
    /// `Success` | `Failure`.
    pub status: String,
    pub job: Option<Uuid>,
    pub flow_jobs: Vec<Uuid>,
}

/// `GET jobs_u/get/{id}`.
#[derive(Debug, Clone)]
pub struct JobView {
    pub id: Option<Uuid>,
    pub state: JobState,
    pub script_path: Option<String>,
    pub created_at: Option<String>,
    pub modules: Vec<ModuleView>,
    pub result: Value,
    pub raw: Value,
}

fn uuid_of(v: Option<&Value>) -> Option<Uuid> {
    v.and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
}

/// The state of a job object (`type` QueuedJob/CompletedJob, `running`, `success`,
/// `canceled`), as `getJob` and `listJobs` answer.
pub fn job_state(v: &Value) -> JobState {
    let b = |k: &str| v.get(k).and_then(Value::as_bool);
    let completed = v.get("type").and_then(Value::as_str) == Some("CompletedJob")
        || (v.get("type").is_none() && b("success").is_some());
    if b("canceled") == Some(true) {
        JobState::Canceled
    } else if completed {
        if b("success") == Some(true) {
            JobState::Success
        } else {
            JobState::Failure
        }
    } else if b("running") == Some(true) {
        JobState::Running
    } else {
        JobState::Queued
    }
}

impl JobView {
    pub fn from_value(v: Value) -> JobView {
        let modules = v
            .pointer("/flow_status/modules")
            .and_then(Value::as_array)
            .map(|ms| {
                ms.iter()
                    .map(|m| ModuleView {
                        id: m
                            .get("id")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string(),
                        status: m
                            .get("type")
                            .and_then(Value::as_str)
                            .unwrap_or("WaitingForPriorSteps")
                            .to_string(),
                        job: uuid_of(m.get("job")),
                        flow_jobs: m
                            .get("flow_jobs")
                            .and_then(Value::as_array)
                            .map(|a| a.iter().filter_map(|j| uuid_of(Some(j))).collect())
                            .unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        JobView {
            id: uuid_of(v.get("id")),
            state: job_state(&v),
            script_path: v
                .get("script_path")
                .and_then(Value::as_str)
                .map(str::to_string),
            created_at: v
                .get("created_at")
                .and_then(Value::as_str)
                .map(str::to_string),
            modules,
            result: v.get("result").cloned().unwrap_or(Value::Null),
            raw: v,
        }
    }
}

/// A flow's schedule as `create` deploys it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleSpec {
    pub path: String,
    /// 6-field cron, seconds first.
    pub schedule: String,
    pub timezone: String,
    pub script_path: String,
    pub args: Map<String, Value>,
    pub summary: Option<String>,
}

impl ScheduleSpec {
    /// From the emitter's schedule object (`Compiled::schedule`), retargeted to `path`.
    pub fn from_compiled(v: &Value, path: &str) -> Option<ScheduleSpec> {
        Some(ScheduleSpec {
            path: path.to_string(),
            schedule: v.get("schedule")?.as_str()?.to_string(),
            timezone: v
                .get("timezone")
                .and_then(Value::as_str)
                .unwrap_or("UTC")
                .to_string(),
            script_path: path.to_string(),
            args: v
                .get("args")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
            summary: v.get("summary").and_then(Value::as_str).map(str::to_string),
        })
    }

    /// `NewSchedule`.
    pub fn create_body(&self) -> Value {
        let mut v = json!({
            "path": self.path,
            "schedule": self.schedule,
            "timezone": self.timezone,
            "script_path": self.script_path,
            "is_flow": true,
            "args": self.args,
            "enabled": true,
        });
        if let Some(s) = &self.summary {
            v["summary"] = json!(s);
        }
        v
    }

    /// `EditSchedule`.
    pub fn update_body(&self) -> Value {
        let mut v = json!({
            "schedule": self.schedule,
            "timezone": self.timezone,
            "args": self.args,
        });
        if let Some(s) = &self.summary {
            v["summary"] = json!(s);
        }
        v
    }
}
