//! WM212 `trigger-names`.
//!
//! ## What it does
//! Checks that `@trigger(event=… | events=[…])` and `@trigger_on_finish(flow=… | flows=[…])`
//! can be read without running Python: event names, parameter mappings and upstream flow
//! names are literals (strings, or dicts/lists/tuples of strings), valid as Metaflow's Argo
//! Workflows integration requires (`events_decorator.py`, `argo_workflows.py`
//! `_process_triggers`): event names of `[A-Za-z0-9_.-]`, payload fields of `[A-Za-z0-9_]`,
//! flow names `Flow` or `project.branch.Flow`. Like Argo, a flow cannot have both.
//!
//! ## Why is this bad
//! `create` writes what the flow listens to into the workspace's event registry
//! (`f/metaflow/events`) when it deploys the flow. A name computed at import time
//! (`namespaced_event_name("x")`, a variable) would register the flow under an event that
//! may never be published, and the flow would silently never start.
//!
//! ## Example
//! ```python
//! EVENT = os.environ["EVENT"]
//! @trigger(event=EVENT)
//! ```
//! Use instead: `@trigger(event="data_ready")` or
//! `@trigger(event={"name": "data_ready", "parameters": {"day": "date"}})`.

use serde_json::Value;

use crate::diag::{Code, Diagnostic};
use crate::graph::FlowGraph;
use crate::parse::model::{ArgValue, Decorator, Loc, Origin};

/// One thing a flow listens to, as read from its decorators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listen {
    /// `@trigger`: an event name and its parameter mapping (`param -> payload field`, in
    /// the order written; empty = none given).
    Event {
        name: String,
        parameters: Vec<(String, String)>,
    },
    /// `@trigger_on_finish`: the upstream flow, with the project and branch when given
    /// (`project.branch.Flow` or `{"name", "project", "project_branch"}`).
    Finish {
        flow: String,
        project: Option<String>,
        branch: Option<String>,
    },
}

fn valid_event(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

fn valid_word(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A literal argument's JSON, or why it is not readable.
fn literal(v: &ArgValue, what: &str) -> Result<Value, String> {
    match v {
        ArgValue::Literal(l) => Ok(l.to_json()),
        ArgValue::Dynamic(t) => Err(format!(
            "{what} `{}` is not a literal",
            t.trim().chars().take(80).collect::<String>()
        )),
    }
}

/// Metaflow's `process_parameters`: a dict `{param: field}`, or a list of `name` /
/// `(param, field)`.
fn parameters(v: &Value, event: &str) -> Result<Vec<(String, String)>, String> {
    let bad = || {
        format!(
            "the parameters of event `{event}` must map parameter names to payload fields (a dict of strings, or a list of names and (parameter, field) pairs)"
        )
    };
    let mut out = vec![];
    match v {
        Value::Null => {}
        Value::Object(m) => {
            for (k, f) in m {
                out.push((k.clone(), f.as_str().ok_or_else(bad)?.to_string()));
            }
        }
        Value::Array(items) => {
            for i in items {
                match i {
                    Value::String(s) => out.push((s.clone(), s.clone())),
                    Value::Array(pair) if pair.len() == 2 => {
                        let (Some(p), Some(f)) = (pair[0].as_str(), pair[1].as_str()) else {
                            return Err(bad());
                        };
                        out.push((p.to_string(), f.to_string()));
                    }
                    _ => return Err(bad()),
                }
            }
        }
        _ => return Err(bad()),
    }
    for (_, f) in &out {
        if !valid_word(f) {
            return Err(format!(
                "payload field `{f}` of event `{event}`: only letters, digits and `_` are allowed"
            ));
        }
    }
    Ok(out)
}

fn event(v: &Value) -> Result<Listen, String> {
    let (name, params) = match v {
        Value::String(s) => (s.clone(), vec![]),
        Value::Object(m) => {
            let name = m
                .get("name")
                .and_then(Value::as_str)
                .ok_or("an event dict needs a string `name`")?
                .to_string();
            let p = parameters(m.get("parameters").unwrap_or(&Value::Null), &name)?;
            (name, p)
        }
        other => return Err(format!("`{other}` is not an event name or an event dict")),
    };
    if !valid_event(&name) {
        return Err(format!(
            "event name `{name}`: only letters, digits, `_`, `-` and `.` are allowed"
        ));
    }
    Ok(Listen::Event {
        name,
        parameters: params,
    })
}

/// Metaflow's `_parse_static_triggers` + `_parse_fq_name`.
fn finish(v: &Value) -> Result<Listen, String> {
    let (fq, mut project, mut branch) = match v {
        Value::String(s) => (s.clone(), None, None),
        Value::Object(m) => {
            let name = m
                .get("name")
                .and_then(Value::as_str)
                .ok_or("a flow dict needs a string `name`")?;
            if name.contains('.') {
                return Err(format!("flow name `{name}` in a dict cannot contain `.`"));
            }
            let s = |k: &str| -> Result<Option<String>, String> {
                match m.get(k) {
                    None => Ok(None),
                    Some(Value::String(s)) => Ok(Some(s.clone())),
                    Some(_) => Err(format!("`{k}` of flow `{name}` is not a string")),
                }
            };
            (name.to_string(), s("project")?, s("project_branch")?)
        }
        other => return Err(format!("`{other}` is not a flow name or a flow dict")),
    };
    let flow = match fq.matches('.').count() {
        0 => fq.clone(),
        1 => {
            return Err(format!(
                "flow `{fq}`: give the flow name or the fully qualified `project.branch.Flow`"
            ));
        }
        _ => {
            let (p, tail) = fq.split_once('.').unwrap_or_default();
            let (b, f) = tail.rsplit_once('.').unwrap_or_default();
            project = Some(p.to_string());
            branch = Some(b.to_string());
            f.to_string()
        }
    };
    if !valid_word(&flow) {
        return Err(format!(
            "flow name `{flow}`: only letters, digits and `_` are allowed"
        ));
    }
    Ok(Listen::Finish {
        flow,
        project,
        branch,
    })
}

type Reader = fn(&Value) -> Result<Listen, String>;

/// What one @trigger / @trigger_on_finish decorator listens to.
pub fn listens(d: &Decorator) -> Result<Vec<Listen>, String> {
    let (one, many, read): (&str, &str, Reader) = match d.name.as_str() {
        "trigger" => ("event", "events", event),
        _ => ("flow", "flows", finish),
    };
    let mut out = vec![];
    if let Some(a) = d.kwarg(one) {
        out.push(read(&literal(&a.value, one)?)?);
    }
    if let Some(a) = d.kwarg(many) {
        match literal(&a.value, many)? {
            Value::Array(items) => {
                for i in &items {
                    out.push(read(i)?);
                }
            }
            other => return Err(format!("{many}: `{other}` is not a list")),
        }
    }
    if out.is_empty() {
        return Err(format!(
            "@{} needs `{one}=` or `{many}=[…]` (Metaflow refuses it without)",
            d.name
        ));
    }
    Ok(out)
}

fn is_trigger(d: &Decorator) -> bool {
    d.origin == Origin::Metaflow && matches!(d.name.as_str(), "trigger" | "trigger_on_finish")
}

/// Everything a flow listens to, or the first problem and where it is.
pub fn flow_listens(decorators: &[Decorator]) -> Result<Vec<Listen>, (String, Loc, String)> {
    let decos: Vec<&Decorator> = decorators.iter().filter(|d| is_trigger(d)).collect();
    if decos.iter().any(|d| d.name == "trigger") && decos.iter().any(|d| d.name != "trigger") {
        let d = decos[decos.len() - 1];
        return Err((
            "a flow cannot have both @trigger and @trigger_on_finish (as on Argo Workflows)".into(),
            d.loc.clone(),
            d.name.clone(),
        ));
    }
    let mut all = vec![];
    for d in decos {
        all.extend(listens(d).map_err(|e| (e, d.loc.clone(), d.name.clone()))?);
    }
    Ok(all)
}

pub fn check(g: &FlowGraph, out: &mut Vec<Diagnostic>) {
    if let Err((e, loc, name)) = flow_listens(&g.flow.decorators) {
        out.push(
            Diagnostic::new(
                Code::TriggerNames,
                format!("@{name}: {e}; what the flow listens to must be known when it is deployed."),
            )
            .at(&loc)
            .flow(&g.flow.name)
            .label(format!("@{name}"))
            .help("Write the names literally: @trigger(event=\"data_ready\"), @trigger(event={\"name\": \"data_ready\", \"parameters\": {\"day\": \"date\"}}), @trigger_on_finish(flow=\"Upstream\")."),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_read_as_metaflow_reads_them() {
        assert_eq!(
            event(&json!("a.b-c_d")).unwrap(),
            Listen::Event {
                name: "a.b-c_d".into(),
                parameters: vec![]
            }
        );
        let Listen::Event { parameters, .. } =
            event(&json!({"name": "e", "parameters": ["x", ["y", "f"]]})).unwrap()
        else {
            panic!()
        };
        assert_eq!(
            parameters,
            vec![("x".into(), "x".into()), ("y".into(), "f".into())]
        );
        assert!(event(&json!("bad name")).is_err());
        assert!(event(&json!({"name": "e", "parameters": {"x": "a.b"}})).is_err());
        assert!(event(&json!(3)).is_err());
    }

    #[test]
    fn flows_read_as_metaflow_parses_fq_names() {
        assert_eq!(
            finish(&json!("Up")).unwrap(),
            Listen::Finish {
                flow: "Up".into(),
                project: None,
                branch: None
            }
        );
        assert_eq!(
            finish(&json!("proj.user.alice.Up")).unwrap(),
            Listen::Finish {
                flow: "Up".into(),
                project: Some("proj".into()),
                branch: Some("user.alice".into())
            }
        );
        assert!(finish(&json!("proj.Up")).is_err());
        assert!(finish(&json!({"name": "Up", "project": "p", "project_branch": "prod"})).is_ok());
        assert!(finish(&json!({"name": "a.Up"})).is_err());
    }
}
