//! `mf-windmill describe PATH|NAME`: what a deployed flow says about itself, as one JSON
//! object (`path`, `flow_name`, `project_flow_name`, `description`, `schema`, `url`). The
//! Metaflow extension's `DeployedFlow.from_deployment` rebuilds a stand-in flow from it, as
//! Argo's does from its template annotations.
//!
//! The argument is the Windmill path (`f/<folder>/<name>`) or Metaflow's name of the
//! deployment: the flow name, or with @project `<project>.<branch>.<FlowName>` (what
//! `current.project_flow_name` says), looked up among the flows mf-windmill deployed
//! (see [`super::list_deployed`]).
//!
//! When Windmill cannot be asked or nothing matches, stdout is `{"error", "error_kind"}`
//! (kinds of [`crate::api::ApiError::kind`], `not_found`, or `ambiguous`) and the exit
//! code 1, so that callers tell missing credentials from a missing flow.

use clap::Args;
use serde_json::{Value, json};

use super::list_deployed::{self, Deployed};
use super::remote::{self, RemoteFlags};
use crate::api::{ApiError, Client};

#[derive(Debug, Args)]
pub struct DescribeArgs {
    /// The Windmill path of the deployed flow (`f/<folder>/<name>`), or its Metaflow name
    /// (`FlowName`, or `project.branch.FlowName` with @project).
    pub path: String,
    #[command(flatten)]
    pub remote: RemoteFlags,
}

/// Print the error both ways (stderr for people, stdout JSON for the extension).
fn fail_json(kind: &str, msg: String) -> i32 {
    println!("{}", json!({"error": msg, "error_kind": kind}));
    remote::fail(msg)
}

fn api_fail_json(e: &ApiError) -> i32 {
    println!(
        "{}",
        json!({"error": e.to_string(), "error_kind": e.kind()})
    );
    remote::api_fail(e)
}

pub fn run(args: DescribeArgs) -> i32 {
    let cfg = match args.remote.resolve() {
        Ok(c) => c,
        Err(msg) => {
            println!("{}", json!({"error": msg, "error_kind": "config"}));
            return remote::usage(msg);
        }
    };
    let client = match Client::new(cfg.client) {
        Ok(c) => c,
        Err(e) => return api_fail_json(&e),
    };
    let rt = match remote::runtime() {
        Ok(r) => r,
        Err(code) => return code,
    };
    let path = if args.path.starts_with("f/") {
        args.path.clone()
    } else {
        let all = match rt.block_on(list_deployed::ours(&client, None)) {
            Ok(l) => l,
            Err(e) => return api_fail_json(&e),
        };
        let hits: Vec<&Deployed> = all
            .iter()
            .filter(|d| d.project_flow_name == args.path)
            .collect();
        match hits.as_slice() {
            [one] => one.path.clone(),
            [] => {
                return fail_json(
                    "not_found",
                    format!(
                        "no flow deployed by mf-windmill is named {} in workspace {} at {} (give the Windmill path f/<folder>/<name>, or the name Metaflow gives the deployment: FlowName, or project.branch.FlowName with @project)",
                        args.path,
                        client.workspace(),
                        client.host()
                    ),
                );
            }
            many => {
                let paths: Vec<&str> = many.iter().map(|d| d.path.as_str()).collect();
                return fail_json(
                    "ambiguous",
                    format!(
                        "{} is deployed at several paths ({}): give the Windmill path",
                        args.path,
                        paths.join(", ")
                    ),
                );
            }
        }
    };
    let flow = match rt.block_on(client.get_flow(&path)) {
        Ok(f) => f,
        Err(e) => return api_fail_json(&e),
    };
    let summary = flow.get("summary").and_then(Value::as_str);
    let Some(name) = summary
        .and_then(|s| s.rsplit('.').next())
        .filter(|n| !n.is_empty())
    else {
        return fail_json(
            "not_found",
            format!("{path} has no summary: it was not deployed by mf-windmill"),
        );
    };
    let out = json!({
        "path": path,
        "flow_name": name,
        "project_flow_name": summary,
        "description": flow.get("description"),
        "schema": flow.get("schema"),
        "url": client.flow_url(&path),
    });
    println!("{out}");
    0
}
