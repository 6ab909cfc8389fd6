//! `mf-windmill list-deployed [--flow-name NAME] [--folder F]`: the flows mf-windmill
//! deployed in the workspace, as one JSON array of `{path, flow_name, project_flow_name,
//! url}`: what the Metaflow extension's `DeployedFlow.list_deployed_flows` yields (Argo's
//! lists its workflow templates carrying Metaflow's annotations).
//!
//! Windmill's openapi `listFlows` (`GET /w/{workspace}/flows/list`,
//! backend/windmill-api/openapi.yaml: query `page`, `per_page`, `path_start`; answer an
//! array of `Flow`, i.e. OpenFlow `summary`/`description` plus the path) is read page by
//! page. A flow is ours when its description carries the compiler's stamp
//! `(mf-windmill <version>, metaflow <version>, bundle sha256 …)` (emit/mod.rs); its
//! summary is Metaflow's name of the deployment (`FlowName`, or with @project
//! `project.branch.FlowName`).

use clap::Args;
use serde_json::{Value, json};

use super::remote::{self, RemoteFlags};
use crate::api::{ApiError, Client};

#[derive(Debug, Args)]
pub struct ListDeployedArgs {
    /// Only the deployments of this flow (the FlowSpec class name).
    #[arg(long)]
    pub flow_name: Option<String>,
    /// Only flows under this Windmill folder (`f/<folder>/...`).
    #[arg(long)]
    pub folder: Option<String>,
    #[command(flatten)]
    pub remote: RemoteFlags,
}

/// One flow mf-windmill deployed.
#[derive(Debug, Clone, PartialEq)]
pub struct Deployed {
    pub path: String,
    /// The FlowSpec class name.
    pub flow_name: String,
    /// The OpenFlow summary: `FlowName` or `project.branch.FlowName`.
    pub project_flow_name: String,
}

/// Page size of `listFlows` (Windmill caps `per_page`, windmill-common utils.rs
/// `paginate`; a page shorter than this is the last).
const PER_PAGE: usize = 100;

/// Whether a listed flow was deployed by mf-windmill, and what Metaflow calls it.
pub fn as_ours(v: &Value) -> Option<Deployed> {
    let path = v.get("path")?.as_str()?;
    let description = v.get("description").and_then(Value::as_str)?;
    if !description.contains("(mf-windmill ") || !description.contains(", bundle sha256 ") {
        return None;
    }
    let summary = v.get("summary").and_then(Value::as_str)?;
    let flow_name = summary.rsplit('.').next().filter(|n| !n.is_empty())?;
    Some(Deployed {
        path: path.to_string(),
        flow_name: flow_name.to_string(),
        project_flow_name: summary.to_string(),
    })
}

/// Every flow mf-windmill deployed (under `f/<folder>/` when given).
pub async fn ours(client: &Client, folder: Option<&str>) -> Result<Vec<Deployed>, ApiError> {
    let start = folder.map(|f| format!("f/{f}/"));
    let mut out = vec![];
    for page in 1.. {
        let l = client
            .list_flows_page(start.as_deref(), page, PER_PAGE)
            .await?;
        out.extend(l.iter().filter_map(as_ours));
        if l.len() < PER_PAGE {
            break;
        }
    }
    Ok(out)
}

pub fn run(args: ListDeployedArgs) -> i32 {
    let (client, rt) = match remote::connect(&args.remote) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let all = match rt.block_on(ours(&client, args.folder.as_deref())) {
        Ok(l) => l,
        Err(e) => return remote::api_fail(&e),
    };
    let out: Vec<Value> = all
        .iter()
        .filter(|d| args.flow_name.as_ref().is_none_or(|n| *n == d.flow_name))
        .map(|d| {
            json!({
                "path": d.path,
                "flow_name": d.flow_name,
                "project_flow_name": d.project_flow_name,
                "url": client.flow_url(&d.path),
            })
        })
        .collect();
    println!("{}", Value::Array(out));
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_stamped_flows_are_ours() {
        let ours = json!({"path": "f/metaflow/demo-prod-X", "summary": "demo.prod.X",
            "description": "doc (mf-windmill 0.1.0, metaflow 2.19.39, bundle sha256 0123456789ab)"});
        assert_eq!(
            as_ours(&ours),
            Some(Deployed {
                path: "f/metaflow/demo-prod-X".into(),
                flow_name: "X".into(),
                project_flow_name: "demo.prod.X".into()
            })
        );
        let theirs = json!({"path": "f/team/etl", "summary": "ETL", "description": "hand-made"});
        assert_eq!(as_ours(&theirs), None);
        let no_description = json!({"path": "f/team/etl", "summary": "ETL"});
        assert_eq!(as_ours(&no_description), None);
    }
}
