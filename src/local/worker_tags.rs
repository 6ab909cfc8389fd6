//! Worker tags, as Windmill routes jobs to workers.
//!
//! - A job's tag is its module's `tag` (rawscript `tag`, `openflow.openapi.yaml` /
//!   `windmill-types/src/flows.rs`), or else its language's default tag (`bash` for bash).
//! - A worker serves a set of tags (`WORKER_TAGS`; by default Windmill's `DEFAULT_TAGS`,
//!   `backend/windmill-common/src/worker.rs`) and pulls only queued jobs whose tag is in
//!   that set (`make_pull_query`: `WHERE running = false AND tag IN (<worker tags>)`). A
//!   job whose tag no worker serves stays in the queue until it is canceled.

use super::openflow::{FlowModule, FlowValue, ModuleValue};

/// windmill-common `worker.rs` `DEFAULT_TAGS`: what a worker serves without `WORKER_TAGS`.
pub const DEFAULT_TAGS: &[&str] = &[
    "deno",
    "python3",
    "go",
    "bash",
    "powershell",
    "nativets",
    "mysql",
    "bun",
    "postgresql",
    "bigquery",
    "snowflake",
    "mssql",
    "graphql",
    "php",
    "rust",
    "ansible",
    "dependency",
    "flow",
    "other",
];

pub fn default_tags() -> Vec<String> {
    DEFAULT_TAGS.iter().map(|s| s.to_string()).collect()
}

/// The tag a script job is queued with: the module's tag, or its language.
pub fn job_tag<'a>(tag: Option<&'a str>, language: &'a str) -> &'a str {
    match tag {
        Some(t) if !t.is_empty() => t,
        _ => language,
    }
}

/// Script modules of the flow (failure module included) whose jobs no worker would pull:
/// (module id, tag), in flow order.
pub fn unserved(flow: &FlowValue, served: &[String]) -> Vec<(String, String)> {
    fn walk(ms: &[FlowModule], served: &[String], out: &mut Vec<(String, String)>) {
        for m in ms {
            visit(m, served, out);
        }
    }
    fn visit(m: &FlowModule, served: &[String], out: &mut Vec<(String, String)>) {
        match m.kind() {
            Ok(ModuleValue::RawScript { language, tag, .. }) => {
                let t = job_tag(tag.as_deref(), &language);
                if !served.iter().any(|s| s == t) {
                    out.push((m.id.clone(), t.to_string()));
                }
            }
            Ok(ModuleValue::ForLoopFlow { modules, .. })
            | Ok(ModuleValue::WhileLoopFlow { modules, .. }) => walk(&modules, served, out),
            Ok(ModuleValue::BranchOne { branches, default }) => {
                for b in &branches {
                    walk(&b.modules, served, out);
                }
                walk(&default, served, out);
            }
            Ok(ModuleValue::BranchAll { branches, .. }) => {
                for b in &branches {
                    walk(&b.modules, served, out);
                }
            }
            Ok(ModuleValue::Identity) | Err(_) => {}
        }
    }
    let mut out = vec![];
    walk(&flow.modules, served, &mut out);
    if let Some(f) = &flow.failure_module {
        visit(f, served, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_module_tag_wins_over_the_language() {
        assert_eq!(job_tag(Some("gpu"), "bash"), "gpu");
        assert_eq!(job_tag(None, "bash"), "bash");
        assert_eq!(job_tag(Some(""), "bash"), "bash");
    }

    #[test]
    fn unserved_lists_tagged_modules_in_nested_flows() {
        let flow = super::super::parse_flow_json(
            r#"{"modules":[{"id":"a","value":{"type":"rawscript","language":"bash","content":"","input_transforms":{}}},
            {"id":"l","value":{"type":"forloopflow","iterator":{"type":"static","value":[1]},"skip_failures":false,
              "modules":[{"id":"b","value":{"type":"rawscript","language":"bash","content":"","input_transforms":{},"tag":"gpu"}}]}}]}"#,
        )
        .unwrap();
        assert_eq!(
            unserved(&flow, &default_tags()),
            vec![("b".to_string(), "gpu".to_string())]
        );
        let mut with_gpu = default_tags();
        with_gpu.push("gpu".into());
        assert!(unserved(&flow, &with_gpu).is_empty());
        assert_eq!(
            unserved(&flow, &["gpu".to_string()]),
            vec![("a".to_string(), "bash".to_string())]
        );
    }
}
