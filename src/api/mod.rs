//! Windmill REST client (async; reqwest with rustls, tokio): flows, jobs and schedules of
//! one workspace, with typed errors mapped from Windmill's text/plain error bodies and a
//! token that is never printed. See `docs/windmill-deploy.md`.
//!
//! Sources read (windmill-labs/windmill): backend/windmill-api/openapi.yaml (operations
//! `createFlow`, `updateFlow`, `existsFlowByPath`, `getFlowByPath`, `deleteFlowByPath`,
//! `listFlows`, `runFlowByPath` with its `job_id` query, `getJob`, `getJobLogs`,
//! `getCompletedJobResultMaybe`, `cancelQueuedJob`, `listJobs`, `createSchedule`,
//! `updateSchedule`, `deleteSchedule`, `existsSchedule`, `existsWorkspace`),
//! backend/windmill-api/src/flows.rs (create/update/exists/get routes; update answers
//! `Not found` through `not_found_if_none`), backend/windmill-api/src/jobs.rs,
//! backend/windmill-api/src/schedule.rs and backend/windmill-common/src/error.rs (status
//! codes and `text/plain` bodies).

pub mod client;
pub mod error;
pub mod registry;
pub mod token;
pub mod types;

pub use client::{Client, ClientConfig, check_path, check_workspace, normalize_host};
pub use error::ApiError;
pub use token::Token;
pub use types::{JobState, JobView, ModuleView, ScheduleSpec};
