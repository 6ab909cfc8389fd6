//! Loopback HTTP API: the subset of the Windmill REST API a step script may call through
//! `$BASE_INTERNAL_URL` with `$WM_TOKEN` (backend/windmill-api/openapi.yaml):
//!
//! - `GET /api/w/{ws}/jobs_u/get/{id}` → the job (`QueuedJob` | `CompletedJob`), including the
//!   parent flow's `flow_status.retry.fail_count` that tells a retried step its attempt;
//! - `GET /api/w/{ws}/jobs_u/completed/get_result_maybe/{id}` → `{completed, result, success}`;
//! - `GET /api/version`.
//!
//! - with an upstream server (`RunOptions::upstream`, the fake Windmill of the tests): every
//!   other request (`variables/…`, `jobs/run/f/…`) is forwarded there with the upstream's
//!   token, so a job sees one Windmill API at `$BASE_INTERNAL_URL`, as on a server.
//!
//! Every request needs `Authorization: Bearer <per-run token>` (else 401 `Not authorized`,
//! text/plain, as the server's auth layer answers); unknown ids give 404 `Not found`.
//! HTTP/1.1 with `Connection: close`, one request per connection: enough for curl/wget/python.

use std::sync::Arc;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use uuid::Uuid;

use super::state::SharedTable;

/// A Windmill server to forward the requests this one does not serve to.
#[derive(Clone)]
pub struct Upstream {
    pub base_url: String,
    pub token: crate::api::Token,
}

#[derive(Clone)]
pub struct ServerCtx {
    pub upstream: Option<Upstream>,
    pub table: SharedTable,
    pub token: String,
    pub workspace: String,
    pub permissioned_as: String,
    pub email: String,
}

/// A running server; dropped → stopped.
pub struct Server {
    pub base_url: String,
    task: JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub async fn start(ctx: ServerCtx) -> std::io::Result<Server> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    let ctx = Arc::new(ctx);
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let ctx = ctx.clone();
            tokio::spawn(async move {
                let _ = serve(stream, &ctx).await;
            });
        }
    });
    Ok(Server {
        base_url: format!("http://{addr}"),
        task,
    })
}

struct Response {
    status: u16,
    content_type: &'static str,
    body: String,
}

fn text(status: u16, body: &str) -> Response {
    Response {
        status,
        content_type: "text/plain",
        body: body.to_string(),
    }
}

async fn serve(mut stream: TcpStream, ctx: &ServerCtx) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        if buf.len() > 64 * 1024 {
            return Ok(());
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or("");
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("").to_string();
    let mut auth = None;
    let mut len = 0usize;
    for l in lines {
        if let Some((k, v)) = l.split_once(':') {
            if k.trim().eq_ignore_ascii_case("authorization") {
                auth = Some(v.trim().to_string());
            } else if k.trim().eq_ignore_ascii_case("content-length") {
                len = v.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len.min(16 * 1024 * 1024) {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let mut resp = route(&method, &target, auth.as_deref(), ctx);
    if resp.status == 404
        && resp.body == "Not found"
        && let Some(up) = &ctx.upstream
    {
        resp = forward(up, &method, &target, body).await;
    }
    let reason = match resp.status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Error",
    };
    let out = format!(
        "HTTP/1.1 {} {reason}\r\ncontent-type: {}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{}",
        resp.status,
        resp.content_type,
        resp.body.len(),
        resp.body
    );
    stream.write_all(out.as_bytes()).await?;
    stream.shutdown().await
}

fn route(method: &str, target: &str, auth: Option<&str>, ctx: &ServerCtx) -> Response {
    let path = target.split('?').next().unwrap_or("");
    if path == "/api/version" {
        return text(200, "local (mf-windmill)");
    }
    let token = auth.and_then(|a| a.strip_prefix("Bearer ")).map(str::trim);
    if token != Some(ctx.token.as_str()) {
        return text(401, "Not authorized");
    }
    if method != "GET" {
        return if ctx.upstream.is_some() {
            text(404, "Not found")
        } else {
            text(405, "Method not allowed by the local executor")
        };
    }
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let (ws, rest) = match segs.as_slice() {
        ["api", "w", ws, rest @ ..] => (*ws, rest),
        _ => return text(404, "Not found"),
    };
    if ws != ctx.workspace {
        return text(404, &format!("Not found: workspace {ws}"));
    }
    let job = |id: &str| -> Option<super::state::JobState> {
        let id = Uuid::parse_str(id).ok()?;
        ctx.table.lock().unwrap().jobs.get(&id).cloned()
    };
    match rest {
        ["jobs_u", "get", id] => match job(id) {
            Some(j) => Response {
                status: 200,
                content_type: "application/json",
                body: j
                    .to_api_json(&ctx.workspace, &ctx.permissioned_as, &ctx.email)
                    .to_string(),
            },
            None => text(404, &format!("Not found: Job {id} not found")),
        },
        ["jobs_u", "completed", "get_result_maybe", id] => match job(id) {
            Some(j) => Response {
                status: 200,
                content_type: "application/json",
                body: json!({
                    "completed": j.success.is_some(),
                    "result": j.result,
                    "success": j.success,
                    "started": j.started_at.is_some(),
                })
                .to_string(),
            },
            None => text(404, &format!("Not found: Job {id} not found")),
        },
        _ => text(404, "Not found"),
    }
}

/// The request, as received, sent to the upstream server with its token; its answer.
async fn forward(up: &Upstream, method: &str, target: &str, body: Vec<u8>) -> Response {
    let Ok(m) = reqwest::Method::from_bytes(method.as_bytes()) else {
        return text(405, "Method not allowed");
    };
    let client = reqwest::Client::new();
    let mut req = client
        .request(m, format!("{}{target}", up.base_url.trim_end_matches('/')))
        .bearer_auth(up.token.expose());
    if !body.is_empty() {
        req = req.header("content-type", "application/json").body(body);
    }
    match req.send().await {
        Ok(r) => {
            let status = r.status().as_u16();
            let json = r
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/json"));
            let body = r.text().await.unwrap_or_default();
            Response {
                status,
                content_type: if json {
                    "application/json"
                } else {
                    "text/plain"
                },
                body,
            }
        }
        Err(e) => text(502, &format!("upstream unreachable: {e}")),
    }
}
