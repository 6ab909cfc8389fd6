//! The recovered graph as JSON (Metaflow's field names), Graphviz dot, and Mermaid.

use serde_json::{Map, Value as Json, json};

use super::{FlowGraph, NodeType};
use crate::parse::literal::Literal;
use crate::parse::model::{ArgValue, Origin, ParamKind, ParameterDecl};

/// One flow as JSON, with the fields of Metaflow's `DAGNode` (steps in `dir()` order).
pub fn flow_json(g: &FlowGraph) -> Json {
    let steps: Vec<Json> = g
        .nodes
        .iter()
        .map(|n| {
            let s = n.step;
            let cases: Map<String, Json> = s
                .next
                .switch_cases
                .iter()
                .map(|(k, v)| (k.python_str(), Json::String(v.clone())))
                .collect();
            json!({
                "name": n.name,
                "type": n.node_type.map(NodeType::as_str),
                "line": s.line(),
                "tail_next_line": s.next.line(),
                "num_args": s.num_args,
                "has_tail_next": s.next.has_tail_next,
                "invalid_tail_next": s.next.invalid_tail_next,
                "in_funcs": n.in_funcs,
                "out_funcs": n.out_funcs,
                "split_parents": n.split_parents,
                "split_branches": n.split_branches,
                "matching_join": n.matching_join,
                "is_inside_foreach": n.is_inside_foreach,
                "foreach_param": s.next.foreach_param.as_ref().map(|l| l.to_json()),
                // DAGNode.num_parallel: 0 unless num_parallel= was given, then its constant
                // value or None.
                "num_parallel": if s.next.parallel_foreach {
                    s.next.num_parallel.as_ref().map_or(Json::Null, |l| l.to_json())
                } else {
                    json!(0)
                },
                "parallel_foreach": s.next.parallel_foreach,
                "parallel_step": n.parallel_step,
                "switch_cases": cases,
                "condition": s.next.condition,
                "is_start_step": s.is_start_step,
                "is_end_step": s.is_end_step,
                "decorators": s.decorators.iter().filter(|d| d.origin == Origin::Metaflow).map(|d| json!({
                    "name": d.name,
                    "attributes": d.literal_attributes(),
                })).collect::<Vec<_>>(),
                "source_file": s.name_loc.file.display(),
            })
        })
        .collect();
    json!({
        "name": g.flow.name,
        "start_step": g.start().map(|n| n.name),
        "end_step": g.end().map(|n| n.name),
        "sorted_steps": g.sorted_nodes.iter().map(|&i| g.nodes[i].name).collect::<Vec<_>>(),
        "steps": steps,
        "flow_decorators": g.flow.decorators.iter().filter(|d| d.origin == Origin::Metaflow).map(|d| json!({
            "name": d.name,
            "attributes": d.literal_attributes(),
        })).collect::<Vec<_>>(),
        "triggers": triggers_json(g),
        "exit_hooks": exit_hooks_json(g),
        "parameters": g.flow.parameters.iter().map(parameter_json).collect::<Vec<_>>(),
        "configs": g.flow.configs.iter().map(|c| json!({
            "name": c.name.as_ref().map(value_json),
            "attribute": c.attribute,
            "default": c.kwarg("default").map(|a| value_json(&a.value)),
            "default_value": c.kwarg("default_value").map(|a| value_json(&a.value)),
        })).collect::<Vec<_>>(),
    })
}

/// What the flow listens to (@trigger: `{"type": "event", "name", "parameters"}`;
/// @trigger_on_finish: `{"type": "run", "flow", "project", "branch"}`), or `{"error"}` when
/// it cannot be read statically (WM212).
fn triggers_json(g: &FlowGraph) -> Json {
    use super::lint::windmill::triggers::{Listen, flow_listens};
    match flow_listens(&g.flow.decorators) {
        Ok(l) => Json::Array(
            l.into_iter()
                .map(|l| match l {
                    Listen::Event { name, parameters } => json!({
                        "type": "event",
                        "name": name,
                        "parameters": parameters
                            .into_iter()
                            .map(|(p, f)| (p, Json::String(f)))
                            .collect::<Map<String, Json>>(),
                    }),
                    Listen::Finish {
                        flow,
                        project,
                        branch,
                    } => json!({"type": "run", "flow": flow, "project": project, "branch": branch}),
                })
                .collect(),
        ),
        Err((e, _, _)) => json!({ "error": e }),
    }
}

/// The @exit_hook functions (`{"on_success": [...], "on_error": [...]}`), or `{"error"}`
/// when they cannot be read statically (WM211).
fn exit_hooks_json(g: &FlowGraph) -> Json {
    match super::lint::windmill::exit_hooks::flow_hooks(&g.flow.decorators) {
        Ok(h) => json!({"on_success": h.on_success, "on_error": h.on_error}),
        Err(e) => json!({ "error": e }),
    }
}

fn value_json(v: &ArgValue) -> Json {
    match v {
        ArgValue::Literal(l) => l.to_json(),
        ArgValue::Dynamic(_) => Json::String("<non-literal>".into()),
    }
}

/// The parameter's type as Metaflow derives it: `type=` if given, else from the default,
/// else `str`. IncludeFile parameters are their own type.
pub fn parameter_type(p: &ParameterDecl) -> String {
    if p.kind == ParamKind::IncludeFile {
        return "IncludeFile".into();
    }
    if let Some(t) = p.kwarg("type") {
        return match &t.value {
            ArgValue::Dynamic(text) => text.rsplit('.').next().unwrap_or(text).to_string(),
            ArgValue::Literal(l) => l.python_str(),
        };
    }
    // `Parameter._get_type`: `type(default)` unless the default is None or callable.
    match p.kwarg("default").map(|a| &a.value) {
        Some(ArgValue::Literal(Literal::None)) | None => "str".into(),
        Some(ArgValue::Literal(l)) => l.type_name().to_string(),
        Some(ArgValue::Dynamic(text)) if text.trim_start().starts_with("lambda") => "str".into(),
        Some(ArgValue::Dynamic(_)) => "<non-literal>".into(),
    }
}

fn parameter_json(p: &ParameterDecl) -> Json {
    json!({
        "name": p.name.as_ref().map(value_json),
        "attribute": p.attribute,
        "type": parameter_type(p),
        "default": p.kwarg("default").map(|a| value_json(&a.value)),
        "required": p.kwarg("required").and_then(|a| a.value.literal()).map(|l| l.truthy()).unwrap_or(false),
        "help": p.kwarg("help").map(|a| value_json(&a.value)),
        "separator": p.kwarg("separator").map(|a| value_json(&a.value)),
    })
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Graphviz dot, as `python flow.py output-dot` draws it.
pub fn dot(g: &FlowGraph) -> String {
    let mut out = format!("digraph \"{}\" {{\n", dot_escape(&g.flow.name));
    for n in &g.nodes {
        if n.node_type == Some(NodeType::SplitSwitch) {
            let cond = n
                .step
                .next
                .condition
                .as_deref()
                .map_or("switch".to_string(), |c| format!("switch: {c}"));
            out.push_str(&format!(
                "\"{0}\" [ label = <<b>{0}</b><br/><font point-size=\"9\">{1}</font>>   fontname = \"Helvetica\"   shape = \"hexagon\"   style = \"filled\" fillcolor = \"lightgreen\" ];\n",
                n.name, dot_escape(&cond)
            ));
        } else {
            let t = if n.step.num_args > 1 {
                "join"
            } else {
                n.node_type.map_or("unknown", NodeType::as_str)
            };
            out.push_str(&format!(
                "\"{0}\"[ label = <<b>{0}</b> | <font point-size=\"10\">{1}</font>>   fontname = \"Helvetica\"   shape = \"record\" ];\n",
                n.name, t
            ));
        }
    }
    for n in &g.nodes {
        if n.node_type == Some(NodeType::SplitSwitch) {
            for (k, v) in &n.step.next.switch_cases {
                out.push_str(&format!(
                    "\"{}\" -> \"{}\" [label=\"{}\" color=\"blue\" fontcolor=\"blue\"];\n",
                    n.name,
                    v,
                    dot_escape(&k.python_str())
                ));
            }
        } else {
            for o in n.out_funcs {
                // Quoted (Metaflow does not quote): a step named `node` or `edge` is a DOT
                // keyword.
                out.push_str(&format!("\"{}\" -> \"{}\";\n", n.name, o));
            }
        }
    }
    out.push_str("}\n");
    out
}

/// A Mermaid flowchart.
pub fn mermaid(g: &FlowGraph) -> String {
    // Mermaid labels are quoted; a quote inside is written as the entity #quot;.
    let q = |s: &str| s.replace('"', "#quot;");
    let mut out = String::from("flowchart TD\n");
    // Node ids get a prefix: a bare `end` closes a Mermaid subgraph and breaks the chart.
    let id = |s: &str| format!("step_{s}");
    for n in &g.nodes {
        let name = q(n.name);
        let nid = id(n.name);
        let line = match n.node_type {
            Some(NodeType::SplitSwitch) => {
                let cond = q(n.step.next.condition.as_deref().unwrap_or(""));
                format!("    {nid}{{{{\"{name}<br/><small>switch: {cond}</small>\"}}}}\n")
            }
            Some(NodeType::Start | NodeType::End) => format!("    {nid}([\"{name}\"])\n"),
            t => {
                let t = t.map_or("unknown", NodeType::as_str);
                format!("    {nid}[\"{name}<br/><small>{t}</small>\"]\n")
            }
        };
        out.push_str(&line);
    }
    for n in &g.nodes {
        if n.node_type == Some(NodeType::SplitSwitch) {
            for (k, v) in &n.step.next.switch_cases {
                out.push_str(&format!(
                    "    {} -- \"{}\" --> {}\n",
                    id(n.name),
                    q(&k.python_str()),
                    id(v)
                ));
            }
        } else {
            let label = match n.step.next.foreach_param.as_ref().and_then(|l| l.as_str()) {
                Some(p) => format!(" -- \"foreach {}\" ", q(p)),
                None => " ".to_string(),
            };
            for o in n.out_funcs {
                out.push_str(&format!("    {}{label}--> {}\n", id(n.name), id(o)));
            }
        }
    }
    out
}

/// Flows of a file as one JSON document.
pub fn file_json(path: &str, graphs: &[FlowGraph]) -> Json {
    json!({
        "file": path,
        "flows": graphs.iter().map(flow_json).collect::<Vec<_>>(),
    })
}
