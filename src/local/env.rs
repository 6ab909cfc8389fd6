//! The environment of a job: cleared, then what a Windmill worker sets.
//!
//! Follows `backend/windmill-common/src/variables.rs` (`get_reserved_variables`: the `WM_*`
//! list) and `backend/windmill-worker/src/bash_executor.rs` (`env_clear()`, worker envs,
//! reserved variables, `RUST_LOG=info`, `PATH`, `BASE_INTERNAL_URL`, `HOME`). Windmill sets no
//! `WM_FLOW_RETRY_COUNT` and no `WM_ITERATION_INDEX`, so neither do we.

use std::collections::BTreeMap;

use uuid::Uuid;

/// Run-wide identity of the "server".
#[derive(Debug, Clone)]
pub struct Identity {
    pub workspace: String,
    pub username: String,
    pub email: String,
    pub token: String,
    pub base_url: String,
    pub flow_path: String,
    pub worker_group: String,
    /// `PATH` / `HOME` of the worker (ours).
    pub path: String,
    pub home: String,
    /// Worker-level variables (`--env K=V`), set before the reserved ones.
    pub worker_env: Vec<(String, String)>,
}

impl Identity {
    pub fn permissioned_as(&self) -> String {
        format!("u/{}", self.username)
    }
}

/// Per-job facts.
#[derive(Debug, Clone)]
pub struct JobEnv {
    pub job_id: Uuid,
    pub flow_job_id: Uuid,
    pub root_flow_job_id: Uuid,
    pub root_job_id: Uuid,
    pub step_id: String,
    pub scheduled_for: String,
    /// Isolated workers: this job's own `HOME` and `TMPDIR` (instead of the worker's
    /// `HOME`; Windmill sets no `TMPDIR`, see [`super::isolation`]).
    pub own_dirs: Option<(String, String)>,
}

pub fn job_env(id: &Identity, j: &JobEnv) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    for (k, v) in &id.worker_env {
        env.insert(k.clone(), v.clone());
    }
    let job_path = format!("{}/{}", id.flow_path, j.step_id);
    let reserved = [
        ("WM_WORKSPACE", id.workspace.clone()),
        ("WM_TOKEN", id.token.clone()),
        ("WM_EMAIL", id.email.clone()),
        ("WM_USERNAME", id.username.clone()),
        ("WM_BASE_URL", id.base_url.clone()),
        ("WM_JOB_ID", j.job_id.to_string()),
        ("WM_SCHEDULED_FOR", j.scheduled_for.clone()),
        ("WM_JOB_PATH", job_path.clone()),
        ("WM_FLOW_JOB_ID", j.flow_job_id.to_string()),
        ("WM_ROOT_FLOW_JOB_ID", j.root_flow_job_id.to_string()),
        ("WM_ROOT_JOB_ID", j.root_job_id.to_string()),
        ("WM_FLOW_PATH", id.flow_path.clone()),
        ("WM_FLOW_STEP_ID", j.step_id.clone()),
        ("WM_PERMISSIONED_AS", id.permissioned_as()),
        (
            "WM_STATE_PATH",
            format!("{}/{}", id.permissioned_as(), job_path),
        ),
        (
            "WM_STATE_PATH_NEW",
            format!("{}/{}", id.permissioned_as(), job_path),
        ),
        ("WM_OBJECT_PATH", format!("{}/{}", id.flow_path, j.job_id)),
        ("WM_WORKER_GROUP", id.worker_group.clone()),
        ("RUST_LOG", "info".to_string()),
        ("PATH", id.path.clone()),
        ("BASE_INTERNAL_URL", id.base_url.clone()),
        ("HOME", id.home.clone()),
    ];
    for (k, v) in reserved {
        env.insert(k.to_string(), v);
    }
    if let Some((home, tmp)) = &j.own_dirs {
        env.insert("HOME".into(), home.clone());
        env.insert("TMPDIR".into(), tmp.clone());
    }
    env
}
