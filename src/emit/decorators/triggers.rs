//! `@trigger` / `@trigger_on_finish` → Windmill-native event triggering (docs/events.md).
//!
//! Windmill has no Metaflow event bus. mf-windmill keeps one registry per workspace, the
//! variable `f/metaflow/events` (`crate::api::registry`): event name → the flows listening
//! to it, with their parameter mappings. This module computes a flow's entries at compile
//! time (`create` writes them) and emits the flow's finish module, which publishes the
//! run's finish event when every step succeeded.
//!
//! Names and mappings follow Metaflow's Argo Workflows integration (`argo_workflows.py`
//! `_process_triggers`): a @trigger mapping `{param: payload_field}` (parameter names
//! lower-cased, unknown or duplicate ones refused); a single event without a mapping maps
//! every parameter to the payload field of the same name; @trigger_on_finish listens to
//! `metaflow.<project>.<branch>.<Flow>.end` (the listener's own project and branch unless
//! the decorator names others) or `metaflow.<Flow>.end` without @project. The finish event
//! carries Argo's payload (`id` = the end task's pathspec, `flow_name`, `run_id`, …, the
//! @project fields), so a listener's `current.trigger.run` is the upstream run.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::super::Emitter;
use super::super::openflow::{FlowModule, InputTransform, Language, ModuleValue};
use super::super::script::passthrough_preamble;
use crate::graph::lint::windmill::triggers::{Listen, flow_listens};
use crate::parse::model::Flow;

/// The flow input carrying the trigger of an event-started run (a JSON list of Metaflow
/// trigger records `{name, id, timestamp, type}`); not a schema property.
pub const TRIGGER_INPUT: &str = "_mfwm_trigger";
/// Module id of the finish-event publisher (step names never start with `_`).
pub const FINISH_ID: &str = "_finish_event";

const EVENTS_PY: &str = include_str!("../runtime/_mfwm/mfwm_events.py");

/// One registry entry: the flow listens to `event`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Listener {
    pub event: String,
    /// `event` (@trigger) or `run` (@trigger_on_finish), as Metaflow's trigger types.
    #[serde(rename = "type")]
    pub kind: String,
    /// Flow parameter → payload field.
    pub parameters: BTreeMap<String, String>,
    /// Mapped parameters that are required: an event without their field starts nothing.
    pub required: Vec<String>,
}

/// `(project, branch)` of a project flow name `project.branch.Flow`.
fn project_branch(pfn: Option<&str>) -> Option<(String, String)> {
    let (p, tail) = pfn?.split_once('.')?;
    let (b, _) = tail.rsplit_once('.')?;
    Some((p.to_string(), b.to_string()))
}

/// What the flow listens to, as registry entries. `schema` is the flow's input schema
/// (its parameters), `pfn` its project flow name.
pub fn listeners(flow: &Flow, schema: &Value, pfn: Option<&str>) -> Result<Vec<Listener>, String> {
    let listens = flow_listens(&flow.decorators).map_err(|(e, _, name)| format!("@{name}: {e}"))?;
    let params: Vec<String> = schema
        .get("order")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    let required: Vec<String> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    let own = project_branch(pfn);
    let mut out = vec![];
    let mut seen: Vec<String> = vec![];
    let n_events = listens.len();
    for l in listens {
        match l {
            Listen::Event { name, parameters } => {
                let mut map = BTreeMap::new();
                for (p, field) in parameters {
                    let Some(param) = params.iter().find(|x| x.eq_ignore_ascii_case(&p)) else {
                        return Err(format!(
                            "@trigger: parameter '{p}' of the mapping of event {name} is not a parameter of the flow"
                        ));
                    };
                    if seen.contains(&param.to_ascii_lowercase()) {
                        return Err(format!(
                            "@trigger: parameter '{p}' is mapped twice in the event mappings"
                        ));
                    }
                    seen.push(param.to_ascii_lowercase());
                    map.insert(param.clone(), field);
                }
                // Argo: a single event without a mapping maps every parameter by name.
                if n_events == 1 && map.is_empty() {
                    map = params.iter().map(|p| (p.clone(), p.clone())).collect();
                }
                out.push(Listener {
                    required: map
                        .keys()
                        .filter(|k| required.contains(k))
                        .cloned()
                        .collect(),
                    event: name,
                    kind: "event".into(),
                    parameters: map,
                });
            }
            Listen::Finish {
                flow: up,
                project,
                branch,
            } => {
                let project = project.or_else(|| own.as_ref().map(|o| o.0.clone()));
                let branch = branch.or_else(|| own.as_ref().map(|o| o.1.clone()));
                if project.is_some() != branch.is_some() {
                    return Err(format!(
                        "@trigger_on_finish: flow {up}: give both the project and the project branch (or use @project)"
                    ));
                }
                let name: Vec<String> = [project, branch, Some(up)].into_iter().flatten().collect();
                out.push(Listener {
                    event: format!("metaflow.{}.end", name.join(".")),
                    kind: "run".into(),
                    parameters: BTreeMap::new(),
                    required: vec![],
                });
            }
        }
    }
    Ok(out)
}

#[derive(Serialize)]
struct FinishPlan<'a> {
    flow: &'a str,
    /// The event names published (`metaflow.<project_flow_name>.<end step>` and the `.end`
    /// alias for a custom-named end step).
    events: Vec<String>,
    /// Argo's @project payload fields (only those that are set).
    project: Map<String, Value>,
}

/// The finish module: after the end step, publish the run's finish event(s) and pass the
/// end step's result on. It always succeeds (a publishing failure is logged), so the run's
/// outcome never depends on it; Windmill only reaches it when every step succeeded.
pub(in crate::emit) fn finish_module(
    em: &Emitter,
    end_step: &str,
    pfn: Option<&str>,
) -> FlowModule {
    let flow = em.g.flow.name.as_str();
    let base = pfn.unwrap_or(flow);
    let mut events = vec![format!("metaflow.{base}.{end_step}")];
    if end_step != "end" {
        events.push(format!("metaflow.{base}.end"));
    }
    let mut project = Map::new();
    if let Some((p, b)) = project_branch(pfn) {
        project.insert("project_name".into(), json!(p));
        project.insert("branch_name".into(), json!(b));
        if b.starts_with("user.") {
            project.insert("is_user_branch".into(), json!(true));
        }
        if b == "prod" {
            project.insert("is_production".into(), json!(true));
        }
        project.insert("project_flow_name".into(), json!(base));
    }
    let plan = FinishPlan {
        flow,
        events: events.clone(),
        project,
    };
    let mut s = String::new();
    s.push_str("prev=\"$1\"\n");
    s.push_str(&format!(
        "# mf-windmill {} - {flow} finish event (generated; do not edit)\n",
        env!("CARGO_PKG_VERSION")
    ));
    s.push_str(&passthrough_preamble(
        &em.opts.python,
        "finish event not published",
    ));
    s.push_str("\"$PY\" - \"$prev\" 3<<'MFWM_EVENT_PLAN' <<'MFWM_EVENTS' || passthrough\n");
    s.push_str(&serde_json::to_string(&plan).unwrap_or_default());
    s.push_str("\nMFWM_EVENT_PLAN\n");
    s.push_str(EVENTS_PY.trim_end());
    s.push_str("\n\nif __name__ == \"__main__\":\n    with os.fdopen(3) as _f:\n        finish_main(json.loads(_f.read()), sys.argv[1] if len(sys.argv) > 1 else \"\")\nMFWM_EVENTS\n");
    s.push_str("[ -s result.json ] || passthrough\n");
    let mut it = Map::new();
    it.insert(
        "prev".into(),
        InputTransform::js("previous_result").to_value(),
    );
    FlowModule {
        id: FINISH_ID.to_string(),
        summary: format!("finish event: {}", events.join(", ")),
        value: ModuleValue::RawScript {
            language: Language::Bash,
            content: s,
            input_transforms: it,
            tag: None,
        },
        retry: None,
        timeout: None,
        stop_after_if: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_and_branch_split_as_metaflow_names_them() {
        assert_eq!(
            project_branch(Some("p.user.alice.F")),
            Some(("p".into(), "user.alice".into()))
        );
        assert_eq!(project_branch(Some("F")), None);
        assert_eq!(project_branch(None), None);
    }
}
