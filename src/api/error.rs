//! Typed errors of the Windmill client, each with the message the user sees.
//!
//! Windmill answers errors as `text/plain` bodies built from its error enum
//! (backend/windmill-common/src/error.rs, `impl IntoResponse for Error`): `NotFound` →
//! 404 `Not found: ...`, `NotAuthorized` → 401 `Not authorized: ...`, `RequireAdmin` → 403,
//! `BadRequest`/`SqlErr`/`QuotaExceeded` → 400 `Bad request: ...` (or the SQL error text),
//! everything else → 500. The auth layer answers a missing/unknown token with 401
//! `Not authorized`. Bodies are shown as they are (the token scrubbed), never parsed as JSON.

use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(
        "cannot connect to Windmill at {host}: connection refused (is the server running? set --windmill-host or WINDMILL_HOST)"
    )]
    ConnectionRefused { host: String },
    #[error(
        "cannot resolve the host name of {host} (DNS lookup failed): check --windmill-host or WINDMILL_HOST"
    )]
    Dns { host: String },
    #[error("cannot connect to Windmill at {host}: {detail}")]
    Connect { host: String, detail: String },
    #[error("Windmill at {host} did not answer {what} within {after:?}")]
    Timeout {
        host: String,
        what: String,
        after: Duration,
    },
    #[error(
        "Windmill at {host} rejected the token ({status} {body}) while {what}: check --windmill-token / WINDMILL_TOKEN (the token is not shown)"
    )]
    TokenRejected {
        host: String,
        status: u16,
        what: String,
        body: String,
    },
    #[error(
        "workspace '{workspace}' does not exist on Windmill at {host} (set --windmill-workspace or WINDMILL_WORKSPACE)"
    )]
    WorkspaceNotFound { host: String, workspace: String },
    #[error("not found while {what}: {body}")]
    NotFound { what: String, body: String },
    #[error("Windmill refused the request while {what} (400): {body}")]
    BadRequest { what: String, body: String },
    #[error("Windmill failed while {what} ({status}, after {attempts} attempt(s)): {body}")]
    Server {
        what: String,
        status: u16,
        attempts: u32,
        body: String,
    },
    #[error("unexpected answer from Windmill while {what} ({status}): {body}")]
    Http {
        what: String,
        status: u16,
        body: String,
    },
    #[error("cannot read Windmill's answer while {what}: {detail}")]
    Decode { what: String, detail: String },
    #[error("{0}")]
    Config(String),
}

impl ApiError {
    /// A stable name of the error's kind, for callers that decide what to do with it (the
    /// extension's `wait_for_completion` retries `unreachable`/`server` a bounded number of
    /// times and stops at once on `token_rejected`, `not_found` or `config`).
    pub fn kind(&self) -> &'static str {
        match self {
            ApiError::ConnectionRefused { .. }
            | ApiError::Dns { .. }
            | ApiError::Connect { .. }
            | ApiError::Timeout { .. } => "unreachable",
            ApiError::TokenRejected { .. } => "token_rejected",
            ApiError::WorkspaceNotFound { .. } | ApiError::NotFound { .. } => "not_found",
            ApiError::Server { .. } => "server",
            ApiError::BadRequest { .. } | ApiError::Http { .. } | ApiError::Decode { .. } => {
                "refused"
            }
            ApiError::Config(_) => "config",
        }
    }

    /// A 404 (of any kind): the caller may explain it better.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            ApiError::NotFound { .. } | ApiError::WorkspaceNotFound { .. }
        )
    }
}
