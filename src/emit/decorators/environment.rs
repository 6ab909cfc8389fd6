//! `@environment(vars={...})` → the step's environment variables in its plan. The dict
//! must be a literal: mf-windmill must know the variables when it compiles.

use serde_json::Value;

use super::{Acc, Report};
use crate::parse::model::{Decorator, Step};

pub(crate) fn lower(s: &Step, d: &Decorator, acc: &mut Acc, report: &mut Report) {
    match d.kwarg("vars").and_then(|a| a.value.literal()) {
        Some(lit) => {
            if let Value::Object(m) = lit.to_json() {
                for (k, v) in m {
                    let text = match v {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    acc.env.insert(k, Value::String(text));
                }
            }
        }
        None if d.kwarg("vars").is_some() => report.errors.push(format!(
            "step {}: @environment(vars=...) is not a literal dict; mf-windmill must know the variables statically",
            s.name
        )),
        None => {}
    }
}
