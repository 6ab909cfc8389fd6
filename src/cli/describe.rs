//! `mf-windmill describe PATH`: what a deployed flow says about itself, as one JSON object
//! (`path`, `flow_name`, `description`, `schema`, `url`). The Metaflow extension's
//! `DeployedFlow.from_deployment` rebuilds a stand-in flow from it, as Argo's does from its
//! template annotations. The flow name is the OpenFlow `summary` our compiler writes: the
//! class name, or with @project `<project>.<branch>.<FlowName>` (class names have no dot).

use clap::Args;
use serde_json::{Value, json};

use super::remote::{self, RemoteFlags};

#[derive(Debug, Args)]
pub struct DescribeArgs {
    /// The Windmill path of the deployed flow (`f/<folder>/<name>`).
    pub path: String,
    #[command(flatten)]
    pub remote: RemoteFlags,
}

pub fn run(args: DescribeArgs) -> i32 {
    let (client, rt) = match remote::connect(&args.remote) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let flow = match rt.block_on(client.get_flow(&args.path)) {
        Ok(f) => f,
        Err(e) => return remote::api_fail(&e),
    };
    let summary = flow.get("summary").and_then(Value::as_str);
    let Some(name) = summary
        .and_then(|s| s.rsplit('.').next())
        .filter(|n| !n.is_empty())
    else {
        return remote::fail(format!(
            "{} has no summary: it was not deployed by mf-windmill",
            args.path
        ));
    };
    let out = json!({
        "path": args.path,
        "flow_name": name,
        "description": flow.get("description"),
        "schema": flow.get("schema"),
        "url": client.flow_url(&args.path),
    });
    println!("{out}");
    0
}
