//! Parameters: the Windmill input schema, and their transport into `init`.
//!
//! Only the start module receives parameter values, in one argument `params_b64`: a
//! JavaScript transform producing base64 of the UTF-8 JSON of the values (pure ECMAScript,
//! no `btoa`, no `return`). A base64 string is never resolved by the worker (`$var:`…) nor
//! re-serialised; the runner decodes it and sets `METAFLOW_INIT_<NAME>` in the child's
//! environment, so no shell ever sees a value.

use serde_json::{Map, Value, json};

use super::script::PlanParam;
use crate::graph::output::parameter_type;
use crate::parse::model::{ArgValue, Flow, ParamKind};

const B64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The base64-of-JSON expression over the given parameter names.
pub fn b64_expr(names: &[String]) -> String {
    let obj: Vec<String> = names
        .iter()
        .map(|n| {
            let k = serde_json::to_string(n).unwrap_or_default();
            format!("{k}: flow_input[{k}]")
        })
        .collect();
    format!(
        "((s, t) => Array.from({{length: Math.ceil(s.length / 3)}}, (_, k) => ((n) => t[n >> 18 & 63] + t[n >> 12 & 63] + (3*k+1 < s.length ? t[n >> 6 & 63] : \"=\") + (3*k+2 < s.length ? t[n & 63] : \"=\"))((s.charCodeAt(3*k) << 16) | ((s.charCodeAt(3*k+1) || 0) << 8) | (s.charCodeAt(3*k+2) || 0))).join(\"\"))(unescape(encodeURIComponent(JSON.stringify({{{}}}))), \"{B64}\")",
        obj.join(", ")
    )
}

pub type Built = (Value, String, Vec<PlanParam>, Vec<String>);

pub fn build(flow: &Flow) -> Result<Built, Vec<String>> {
    build_with(flow, false)
}

/// The text `init` gets in `METAFLOW_INIT_<NAME>` for a value (as the runner's
/// `param_env_value` writes it).
fn env_text(v: &Value) -> String {
    match v {
        // A str value, and a JSONType default that is already JSON text.
        Value::String(s) => s.clone(),
        // Numbers, booleans (`true`/`false`), and JSON values as `json.dumps` writes them.
        other => other.to_string(),
    }
}

/// [`build`]; `pin_defaults` (with `--metaflow-resolved`, where every default is the value
/// Metaflow evaluated at deploy time) puts every default in the plan, so `init` gets
/// Metaflow's value when a run gives none, as Argo passes every parameter explicitly. A
/// deploy-time function default is otherwise evaluated again by `init`, which yields None.
pub fn build_with(flow: &Flow, pin_defaults: bool) -> Result<Built, Vec<String>> {
    let mut props = Map::new();
    let mut required = vec![];
    let mut order = vec![];
    let mut plan = vec![];
    let mut errors = vec![];
    let mut warnings = vec![];
    let mut seen: Vec<String> = vec![];
    for p in &flow.parameters {
        let Some(name) = p.name_str().map(str::to_string) else {
            errors.push(format!(
                "parameter {}: its name is not a string literal",
                p.attribute
            ));
            continue;
        };
        let key = name.to_ascii_uppercase().replace('-', "_");
        if seen.contains(&key) {
            errors.push(format!(
                "parameter '{name}': another parameter has the same name up to case and '-'/'_' (both would be METAFLOW_INIT_{key})"
            ));
        }
        seen.push(key);
        if name == super::decorators::triggers::TRIGGER_INPUT {
            errors.push(format!(
                "parameter '{name}': the name is reserved for the trigger of an event-started run"
            ));
        }
        if name == super::resume::RESUME_INPUT {
            errors.push(format!(
                "parameter '{name}': the name is reserved for the flow input of a resumed run"
            ));
        }
        let ptype = parameter_type(p);
        let default = p.kwarg("default").map(|a| &a.value);
        let lit_default = default.and_then(ArgValue::literal).map(|l| l.to_json());
        if let Some(ArgValue::Dynamic(text)) = default {
            warnings.push(format!(
                "parameter '{name}': default `{text}` is not a literal: the Windmill form shows no default and Metaflow's `init` evaluates it at run time; if it is a function (a deploy-time default), `init` yields None for it (as `python flow.py init` does), so pass a value when running"
            ));
        }
        let (kind, mut prop) = match (p.kind, ptype.as_str()) {
            (ParamKind::IncludeFile, _) => ("file", json!({"type": "string"})),
            (_, "int") => ("int", json!({"type": "integer"})),
            (_, "float") => ("float", json!({"type": "number"})),
            (_, "bool") => ("bool", json!({"type": "boolean"})),
            (_, "JSONType") => {
                let parsed = match &lit_default {
                    Some(Value::String(s)) => serde_json::from_str::<Value>(s).ok(),
                    Some(v) => Some(v.clone()),
                    None => None,
                };
                let prop = match parsed {
                    Some(Value::Object(_)) => json!({"type": "object"}),
                    Some(Value::Array(_)) => json!({"type": "array"}),
                    _ => json!({}),
                };
                ("json", prop)
            }
            (_, "str") => ("str", json!({"type": "string"})),
            (_, other) => {
                warnings.push(format!(
                    "parameter '{name}': type {other} is passed as text (Metaflow parses it in init)"
                ));
                ("str", json!({"type": "string"}))
            }
        };
        if let Some(d) = &lit_default
            && !d.is_null()
        {
            let d = if kind == "json" {
                match d {
                    Value::String(s) => serde_json::from_str(s).unwrap_or(d.clone()),
                    _ => d.clone(),
                }
            } else {
                d.clone()
            };
            prop["default"] = d;
        }
        if let Some(h) = p
            .kwarg("help")
            .and_then(|a| a.value.literal())
            .and_then(|l| l.as_str())
        {
            prop["description"] = Value::String(h.to_string());
        }
        let is_required = p
            .kwarg("required")
            .and_then(|a| a.value.literal())
            .is_some_and(|l| l.truthy());
        if is_required {
            required.push(Value::String(name.clone()));
        }
        props.insert(name.clone(), prop);
        order.push(Value::String(name.clone()));
        let file_default = match (&lit_default, kind) {
            (Some(Value::String(s)), "file") => Some(s.clone()),
            (Some(v), _) if pin_defaults && !v.is_null() => Some(env_text(v)),
            _ => None,
        };
        plan.push(PlanParam {
            name,
            kind: kind.to_string(),
            default: file_default,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // The trigger of an event-started run travels with the values (`triggers.rs`).
    let names: Vec<String> = plan
        .iter()
        .map(|p| p.name.clone())
        .chain([super::decorators::triggers::TRIGGER_INPUT.to_string()])
        .collect();
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": props,
        "required": required,
        "order": order,
    });
    Ok((schema, b64_expr(&names), plan, warnings))
}

/// Parse a `--run-param k=v` value for a schema property: strings verbatim, other types
/// as JSON.
pub fn parse_cli_value(schema: &Value, name: &str, text: &str) -> Result<Value, String> {
    let prop = schema
        .get("properties")
        .and_then(|p| p.get(name))
        .ok_or_else(|| format!("the flow has no parameter '{name}'"))?;
    match prop.get("type").and_then(Value::as_str) {
        Some("string") => Ok(Value::String(text.to_string())),
        Some("boolean") => match text.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "y" => Ok(Value::Bool(true)),
            "false" | "0" | "no" | "n" => Ok(Value::Bool(false)),
            _ => Err(format!(
                "parameter '{name}' expects a boolean, got `{text}`"
            )),
        },
        _ => serde_json::from_str(text).or_else(|e| {
            if prop.get("type").is_none() {
                // Any JSON: a bare string is a string.
                Ok(Value::String(text.to_string()))
            } else {
                Err(format!(
                    "parameter '{name}' expects JSON ({e}), got `{text}`"
                ))
            }
        }),
    }
}
