//! The workspace's Metaflow event registry: the Windmill variable `f/metaflow/events`
//! (backend/windmill-api/src/variables.rs), JSON text
//!
//! ```json
//! {"version": 1, "events": {"data_ready": [{"flow_path": "f/metaflow/consumer",
//!   "flow_name": "Consumer", "type": "event", "parameters": {"day": "date"},
//!   "required": []}]}}
//! ```
//!
//! `create` replaces the flow's own entries ([`register`]), `delete` removes them and
//! deletes the variable once no flow listens to anything ([`unregister`]); [`publish`]
//! starts every listening flow (`POST jobs/run/f/{path}`, backend/windmill-api/src/jobs.rs)
//! with the payload fields mapped to its parameters and the trigger in the flow input
//! `_mfwm_trigger`. The same dispatch runs inside Windmill jobs in Python
//! (`src/emit/runtime/_mfwm/mfwm_events.py`); both read this format.

use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::{ApiError, Client};
use crate::emit::decorators::triggers::{Listener, TRIGGER_INPUT};

/// The registry variable's path.
pub const REGISTRY: &str = "f/metaflow/events";
const DESCRIPTION: &str = "mf-windmill: Metaflow event name -> the flows listening to it (@trigger, @trigger_on_finish); written by `mf-windmill create`/`delete`";

/// The registry with every entry of `flow_path` removed, then `listeners` added.
pub fn replace_flow(
    reg: &Value,
    flow_path: &str,
    flow_name: &str,
    listeners: &[Listener],
) -> Value {
    let mut events: Map<String, Value> = reg
        .get("events")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for list in events.values_mut() {
        if let Some(a) = list.as_array_mut() {
            a.retain(|e| e["flow_path"] != json!(flow_path));
        }
    }
    for l in listeners {
        let list = events.entry(l.event.clone()).or_insert_with(|| json!([]));
        if let Some(a) = list.as_array_mut() {
            a.push(json!({
                "flow_path": flow_path,
                "flow_name": flow_name,
                "type": l.kind,
                "parameters": l.parameters,
                "required": l.required,
            }));
        }
    }
    events.retain(|_, v| v.as_array().is_some_and(|a| !a.is_empty()));
    json!({"version": 1, "events": events})
}

/// Whether a registry lists nothing.
pub fn is_empty(reg: &Value) -> bool {
    reg.get("events")
        .and_then(Value::as_object)
        .is_none_or(|m| m.is_empty())
}

/// The flow inputs of one listener for a payload, or `None` when a required parameter's
/// field is missing (Argo's sensor filters such an event out for that flow).
pub fn flow_args(entry: &Value, payload: &Map<String, Value>) -> Option<Map<String, Value>> {
    let mut args = Map::new();
    let required: Vec<&str> = entry["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for (param, field) in entry["parameters"].as_object().into_iter().flatten() {
        match field.as_str().and_then(|f| payload.get(f)) {
            Some(v) => {
                args.insert(param.clone(), v.clone());
            }
            None if required.contains(&param.as_str()) => return None,
            None => {}
        }
    }
    Some(args)
}

/// The registry (an empty one when the variable does not exist).
pub async fn read(client: &Client) -> Result<Value, ApiError> {
    match client.get_variable_value(REGISTRY).await? {
        Some(text) if !text.trim().is_empty() => {
            serde_json::from_str(&text).map_err(|e| ApiError::Decode {
                what: format!("reading the event registry {REGISTRY}"),
                detail: e.to_string(),
            })
        }
        _ => Ok(json!({"version": 1, "events": {}})),
    }
}

async fn write(client: &Client, reg: &Value, existed: bool) -> Result<(), ApiError> {
    let text = reg.to_string();
    if existed {
        client.update_variable(REGISTRY, &text).await
    } else {
        match client.create_variable(REGISTRY, &text, DESCRIPTION).await {
            Err(ApiError::BadRequest { body, .. }) if body.contains("already exists") => {
                client.update_variable(REGISTRY, &text).await
            }
            r => r,
        }
    }
}

/// Replace the flow's entries with `listeners` (idempotent). Touches nothing when the
/// flow listens to nothing and was not registered. Returns whether the registry changed.
pub async fn register(
    client: &Client,
    flow_path: &str,
    flow_name: &str,
    listeners: &[Listener],
) -> Result<bool, ApiError> {
    let existed = client.variable_exists(REGISTRY).await?;
    if !existed && listeners.is_empty() {
        return Ok(false);
    }
    let old = read(client).await?;
    let new = replace_flow(&old, flow_path, flow_name, listeners);
    if new == old {
        return Ok(false);
    }
    if is_empty(&new) {
        client.delete_variable(REGISTRY).await?;
    } else {
        write(client, &new, existed).await?;
    }
    Ok(true)
}

/// Remove the flow's entries; the variable goes when nothing is left.
pub async fn unregister(client: &Client, flow_path: &str) -> Result<bool, ApiError> {
    register(client, flow_path, "", &[]).await
}

/// One flow a publication started.
#[derive(Debug, Clone)]
pub struct Started {
    pub flow_path: String,
    pub flow_name: String,
    pub job: Uuid,
}

/// Start every flow listening to `name` with `payload` (a JSON object). The payload gets
/// `name`, `id` and `timestamp` when it lacks them, as Argo's `ArgoEvent.publish` does.
pub async fn publish(
    client: &Client,
    name: &str,
    payload: &Map<String, Value>,
) -> Result<Vec<Started>, ApiError> {
    let mut payload = payload.clone();
    payload
        .entry("name")
        .or_insert_with(|| Value::String(name.to_string()));
    payload
        .entry("id")
        .or_insert_with(|| Value::String(Uuid::new_v4().to_string()));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    payload.entry("timestamp").or_insert_with(|| json!(now));
    let reg = read(client).await?;
    let mut started = vec![];
    let entries = reg
        .pointer(&format!(
            "/events/{}",
            name.replace('~', "~0").replace('/', "~1")
        ))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for e in entries {
        let Some(path) = e["flow_path"].as_str() else {
            continue;
        };
        let Some(mut args) = flow_args(&e, &payload) else {
            eprintln!(
                "mf-windmill: event {name} does not start {path}: a required parameter is not in the payload"
            );
            continue;
        };
        let trigger = json!([{
            "name": name,
            "id": payload["id"],
            "timestamp": payload["timestamp"],
            "type": e["type"].as_str().unwrap_or("event"),
        }]);
        args.insert(TRIGGER_INPUT.into(), Value::String(trigger.to_string()));
        let job = client.run_flow(path, Uuid::new_v4(), &args).await?;
        started.push(Started {
            flow_path: path.to_string(),
            flow_name: e["flow_name"].as_str().unwrap_or_default().to_string(),
            job,
        });
    }
    Ok(started)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn l(event: &str, params: &[(&str, &str)], required: &[&str]) -> Listener {
        Listener {
            event: event.into(),
            kind: "event".into(),
            parameters: params
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect::<BTreeMap<_, _>>(),
            required: required.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn replacing_a_flow_is_idempotent_and_removal_leaves_nothing() {
        let empty = json!({});
        let a = replace_flow(&empty, "f/m/a", "A", &[l("e1", &[("x", "y")], &[])]);
        let a2 = replace_flow(&a, "f/m/a", "A", &[l("e1", &[("x", "y")], &[])]);
        assert_eq!(a, a2);
        let ab = replace_flow(&a, "f/m/b", "B", &[l("e1", &[], &[]), l("e2", &[], &[])]);
        assert_eq!(ab["events"]["e1"].as_array().unwrap().len(), 2);
        let b = replace_flow(&ab, "f/m/a", "", &[]);
        assert_eq!(b["events"]["e1"].as_array().unwrap().len(), 1);
        let none = replace_flow(&b, "f/m/b", "", &[]);
        assert!(is_empty(&none));
    }

    #[test]
    fn payload_fields_map_to_parameters_and_required_ones_gate() {
        let e = json!({"parameters": {"alpha": "a", "beta": "b"}, "required": ["alpha"]});
        let p: Map<String, Value> = serde_json::from_value(json!({"a": 1, "c": 2})).unwrap();
        assert_eq!(
            flow_args(&e, &p).unwrap(),
            serde_json::from_value::<Map<String, Value>>(json!({"alpha": 1})).unwrap()
        );
        let p: Map<String, Value> = serde_json::from_value(json!({"b": 1})).unwrap();
        assert!(flow_args(&e, &p).is_none());
    }
}
