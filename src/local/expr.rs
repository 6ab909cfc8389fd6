//! JavaScript evaluation of input transforms, iterators, branch predicates and conditions.
//!
//! Follows `backend/windmill-worker/src/js_eval.rs` (`eval_timeout` / `eval`), with QuickJS
//! (rquickjs) instead of deno_core:
//! - the expression is trimmed; an expression that is exactly a context key, `flow_input.<k>` /
//!   `flow_input["k"]` of an existing key, or `results.<previous id>` is answered directly;
//! - context variables are declared only if their name occurs in the expression; any
//!   expression containing `error` also gets `previous_result` declared (again, if it was
//!   already there: the duplicate `let` is the SyntaxError a server gives when an expression
//!   mentions both `previous_result` and `error`), plus `let error = previous_result?.error`;
//! - the body is `return <expr>` unless the expression contains `return `;
//! - it runs inside an async arrow function; the value is `JSON.stringify(x ?? null)`;
//! - `results` is a proxy resolving a module id upward through the enclosing flows, `null` when
//!   unknown (as `op_get_id` does);
//! - the evaluation is interrupted after a time limit (10 s on a server).

use std::time::{Duration, Instant};

use serde_json::{Map, Value};

/// Everything an expression can see.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Named context values (`previous_result`, `params`, `result`, `all_iters`, ...).
    pub context: Vec<(String, Value)>,
    /// The flow job's arguments (`flow_input`), including `iter`/`iter_parent` in loops.
    pub flow_input: Map<String, Value>,
    /// Visible results, innermost flow first; `None` where a server has no `results` proxy
    /// (stop_after_if / compute_bool_from_expr without an id context).
    pub results: Option<Vec<(String, Value)>>,
    /// Id of the previous module, for the `results.<previous id>` shortcut.
    pub previous_id: Option<String>,
}

impl Scope {
    fn get(&self, k: &str) -> Option<&Value> {
        self.context.iter().find(|(n, _)| n == k).map(|(_, v)| v)
    }
}

/// Evaluate `expr` and return its JSON value.
pub fn eval(expr: &str, scope: &Scope, limit: Duration) -> Result<Value, String> {
    let expr = expr.trim();
    if let Some(v) = scope.get(expr) {
        return Ok(v.clone());
    }
    if let Some(v) = exact_flow_input(expr, &scope.flow_input) {
        return Ok(v);
    }
    let p_ids: Vec<String> = scope
        .previous_id
        .iter()
        .flat_map(|p| {
            [
                format!("results.{p}"),
                format!("results?.{p}"),
                format!("results[\"{p}\"]"),
                format!("results?.[\"{p}\"]"),
            ]
        })
        .collect();
    if let Some(prev) = scope.get("previous_result")
        && p_ids.iter().any(|x| x == expr)
    {
        return Ok(prev.clone());
    }

    let mut keys: Vec<&str> = scope
        .context
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| expr.contains(k))
        .collect();
    if (!keys.contains(&"previous_result") && p_ids.iter().any(|x| expr.contains(x.as_str())))
        || expr.contains("error")
    {
        keys.push("previous_result");
    }
    let mut decls = String::new();
    for k in &keys {
        let v = scope.get(k).cloned().unwrap_or(Value::Null);
        decls.push_str(&format!("let {k} = {};\n", js_literal(&v)));
    }
    if expr.contains("flow_input") {
        decls.push_str(&format!(
            "let flow_input = {};\n",
            js_literal(&Value::Object(scope.flow_input.clone()))
        ));
    }
    if expr.contains("error") && keys.contains(&"previous_result") {
        decls.push_str("let error = previous_result?.error;\n");
    }
    let results_code = match &scope.results {
        Some(res) => {
            let mut m = Map::new();
            // Innermost first: the first occurrence of an id wins.
            for (k, v) in res {
                if !m.contains_key(k) {
                    m.insert(k.clone(), v.clone());
                }
            }
            format!(
                "const __wm_results = {};\nconst results = new Proxy({{}}, {{ get: function(t, name) {{ \
                 return Object.prototype.hasOwnProperty.call(__wm_results, name) ? __wm_results[name] : null; }} }});\n",
                js_literal(&Value::Object(m))
            )
        }
        None => String::new(),
    };
    let body = if expr.contains("return ") {
        expr.to_string()
    } else {
        format!("return {expr}")
    };
    let code = format!(
        "{results_code}{decls}\n((async () => {{\n{body};\n}})()).then((x) => {{ globalThis.__wm_out = JSON.stringify(x ?? null); }}, (e) => {{ globalThis.__wm_err = String(e) + (e && e.stack ? '\\n' + e.stack : ''); }});\n"
    );
    run_js(&code, limit)
        .map_err(|e| format!("Error during isolated evaluation of expression `{expr}`:\n{e}"))
}

fn exact_flow_input(expr: &str, input: &Map<String, Value>) -> Option<Value> {
    let suffix = expr.strip_prefix("flow_input")?;
    let key = if let Some(k) = suffix.strip_prefix('.') {
        k
    } else {
        let k = suffix.strip_prefix("[\"")?.strip_suffix("\"]")?;
        if k.is_empty() {
            return None;
        }
        k
    };
    input.get(key).cloned()
}

/// JSON text is a JavaScript expression (ES2019 allows U+2028/2029 in strings).
fn js_literal(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

fn run_js(code: &str, limit: Duration) -> Result<Value, String> {
    use rquickjs::{Context, Runtime};
    let rt = Runtime::new().map_err(|e| e.to_string())?;
    rt.set_memory_limit(256 * 1024 * 1024);
    let deadline = Instant::now() + limit;
    rt.set_interrupt_handler(Some(Box::new(move || Instant::now() > deadline)));
    let ctx = Context::full(&rt).map_err(|e| e.to_string())?;
    let timeout_msg = || {
        format!(
            "The expression evaluation took too long to execute (>{}ms)",
            limit.as_millis()
        )
    };
    ctx.with(|c| -> Result<(), String> {
        match c.eval::<(), _>(code) {
            Ok(()) => Ok(()),
            Err(rquickjs::Error::Exception) => Err(exception_text(&c.catch())),
            Err(e) => Err(e.to_string()),
        }
    })
    .map_err(|e| {
        if Instant::now() > deadline {
            timeout_msg()
        } else {
            e
        }
    })?;
    loop {
        match rt.execute_pending_job() {
            Ok(true) => continue,
            Ok(false) => break,
            Err(_) => break,
        }
    }
    if Instant::now() > deadline {
        return Err(timeout_msg());
    }
    ctx.with(|c| {
        let g = c.globals();
        if let Ok(Some(err)) = g.get::<_, Option<String>>("__wm_err") {
            return Err(err);
        }
        match g.get::<_, Option<String>>("__wm_out") {
            Ok(Some(out)) => serde_json::from_str(&out).map_err(|e| e.to_string()),
            _ => Err("the expression did not complete (pending promise)".to_string()),
        }
    })
}

fn exception_text(v: &rquickjs::Value) -> String {
    if let Some(ex) = v.as_exception() {
        let msg = ex.message().unwrap_or_default();
        let name = ex
            .get::<_, Option<String>>("name")
            .ok()
            .flatten()
            .unwrap_or_else(|| "Error".into());
        format!("{name}: {msg}")
    } else if let Some(s) = v.as_string() {
        s.to_string().unwrap_or_default()
    } else {
        format!("{v:?}")
    }
}

/// `Boolean(<expr>)` evaluation (worker_flow.rs `compute_bool_from_expr`).
pub fn eval_bool(expr: &str, scope: &Scope, limit: Duration) -> Result<bool, String> {
    match eval(&format!("Boolean({expr})"), scope, limit)? {
        Value::Bool(b) => Ok(b),
        other => Err(format!("Expected a boolean value, found: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const L: Duration = Duration::from_secs(2);

    fn scope() -> Scope {
        Scope {
            context: vec![
                (
                    "previous_result".into(),
                    json!({"a": 1, "error": {"message": "boom"}}),
                ),
                ("params".into(), json!({})),
            ],
            flow_input: json!({"x": 2, "iter": {"index": 0, "value": "v"}})
                .as_object()
                .unwrap()
                .clone(),
            results: Some(vec![
                ("s1".into(), json!([1, 2])),
                ("s1".into(), json!("outer")),
            ]),
            previous_id: Some("s1".into()),
        }
    }

    #[test]
    fn basics() {
        let s = scope();
        assert_eq!(eval("flow_input.x + 1", &s, L).unwrap(), json!(3));
        assert_eq!(eval("flow_input.iter.value", &s, L).unwrap(), json!("v"));
        assert_eq!(eval("results.s1.length", &s, L).unwrap(), json!(2));
        assert_eq!(eval("results.nope", &s, L).unwrap(), json!(null));
        assert_eq!(eval("flow_input.missing", &s, L).unwrap(), json!(null));
        assert_eq!(eval("let y = 2; return y * 3", &s, L).unwrap(), json!(6));
        assert_eq!(eval("error.message", &s, L).unwrap(), json!("boom"));
        assert_eq!(eval("params", &s, L).unwrap(), json!({}));
        assert!(
            eval("previous_result.error", &s, L)
                .unwrap_err()
                .contains("SyntaxError")
        );
        assert!(eval("nope.x", &s, L).is_err());
        assert!(eval_bool("flow_input.x > 1", &s, L).unwrap());
    }

    #[test]
    fn time_limit() {
        let e = eval(
            "(() => { while (true) {} })()",
            &scope(),
            Duration::from_millis(200),
        )
        .unwrap_err();
        assert!(e.contains("too long"), "{e}");
    }
}
