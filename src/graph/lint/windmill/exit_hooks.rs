//! WM211 `exit-hook-functions`.
//!
//! ## What it does
//! Checks that every `@exit_hook` names its hook functions in a way mf-windmill can read
//! without running Python: `on_success=[...]` / `on_error=[...]` are lists of functions
//! (`notify`, `module.notify`) or of strings naming them (`"notify"`,
//! `"package.module.notify"`), and at least one of the two is given (Metaflow refuses an
//! @exit_hook with neither).
//!
//! ## Why is this bad
//! The hooks run after the run ends in a Windmill module compiled from these names
//! (Metaflow's `exit_hook_script.py` loads each by name, from an import path or from the
//! flow file). A list built by an expression could name other functions, so the compiled
//! flow would silently run different hooks, or none.
//!
//! ## Example
//! ```python
//! HOOKS = [notify]
//! @exit_hook(on_success=HOOKS)
//! ```
//! Use instead: `@exit_hook(on_success=[notify])`.

use crate::diag::{Code, Diagnostic};
use crate::graph::FlowGraph;
use crate::parse::model::{ArgValue, Decorator, Origin};

/// The hook functions of one @exit_hook, by the name Metaflow passes to
/// `exit_hook_script.py` (a function's `__name__`, or the string as written).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hooks {
    pub on_success: Vec<String>,
    pub on_error: Vec<String>,
}

fn is_ident(s: &str) -> bool {
    let mut c = s.chars();
    c.next().is_some_and(|f| f.is_alphabetic() || f == '_')
        && c.all(|x| x.is_alphanumeric() || x == '_')
}

/// One element of a hook list as written in the source.
fn element(text: &str) -> Option<String> {
    let t = text.trim();
    for q in ['"', '\''] {
        if let Some(inner) = t.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return (!inner.is_empty() && !inner.contains(q) && !inner.contains('\\'))
                .then(|| inner.to_string());
        }
    }
    // A function (possibly `module.function`): Metaflow keeps its `__name__`.
    let segs: Vec<&str> = t.split('.').map(str::trim).collect();
    segs.iter()
        .all(|s| is_ident(s))
        .then(|| segs.last().map(|s| s.to_string()))
        .flatten()
}

/// The names of one hook list argument, or why they cannot be read.
fn names(v: &ArgValue) -> Result<Vec<String>, String> {
    match v {
        ArgValue::Literal(l) => match l.to_json() {
            serde_json::Value::Array(items) => items
                .iter()
                .map(|i| {
                    i.as_str()
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .ok_or_else(|| format!("`{i}` is not a function or a function's name"))
                })
                .collect(),
            other => Err(format!("`{other}` is not a list")),
        },
        ArgValue::Dynamic(text) => {
            let t = text.trim();
            let inner = t
                .strip_prefix('[')
                .and_then(|r| r.strip_suffix(']'))
                .or_else(|| t.strip_prefix('(').and_then(|r| r.strip_suffix(')')))
                .ok_or_else(|| format!("`{t}` is not a literal list"))?;
            inner
                .split(',')
                .filter(|e| !e.trim().is_empty())
                .map(|e| {
                    element(e).ok_or_else(|| {
                        format!("`{}` is not a function or a function's name", e.trim())
                    })
                })
                .collect()
        }
    }
}

/// Read one @exit_hook decorator's hooks.
pub fn hooks(d: &Decorator) -> Result<Hooks, String> {
    let mut h = Hooks::default();
    for (k, out) in [
        ("on_success", &mut h.on_success),
        ("on_error", &mut h.on_error),
    ] {
        if let Some(a) = d.kwarg(k) {
            *out = names(&a.value).map_err(|e| format!("{k}: {e}"))?;
        }
    }
    if h.on_success.is_empty() && h.on_error.is_empty() {
        return Err("choose at least one of on_success / on_error (Metaflow refuses an @exit_hook with neither)".into());
    }
    Ok(h)
}

/// All hooks of a flow, in Metaflow's order (decorators in application order).
pub fn flow_hooks(decorators: &[Decorator]) -> Result<Hooks, String> {
    let mut all = Hooks::default();
    for d in decorators
        .iter()
        .filter(|d| d.name == "exit_hook" && d.origin == Origin::Metaflow)
    {
        let h = hooks(d)?;
        all.on_success.extend(h.on_success);
        all.on_error.extend(h.on_error);
    }
    Ok(all)
}

pub fn check(g: &FlowGraph, out: &mut Vec<Diagnostic>) {
    for d in &g.flow.decorators {
        if d.name != "exit_hook" || d.origin != Origin::Metaflow {
            continue;
        }
        if let Err(e) = hooks(d) {
            out.push(
                Diagnostic::new(
                    Code::ExitHookFunctions,
                    format!("@exit_hook: {e}; the hook functions must be known when the flow is compiled."),
                )
                .at(&d.loc)
                .flow(&g.flow.name)
                .label("@exit_hook")
                .help("List the functions literally: @exit_hook(on_success=[notify], on_error=[\"pkg.alerts.page\"])."),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_are_names_as_metaflow_passes_them() {
        assert_eq!(element(" notify ").as_deref(), Some("notify"));
        assert_eq!(element("hooks.notify").as_deref(), Some("notify"));
        assert_eq!(element("'pkg.mod.fn'").as_deref(), Some("pkg.mod.fn"));
        assert_eq!(element("\"fn\"").as_deref(), Some("fn"));
        assert_eq!(element("make()"), None);
        assert_eq!(element("lambda: 1"), None);
        assert_eq!(element("''"), None);
    }

    #[test]
    fn dynamic_lists_are_read_and_other_expressions_refused() {
        let d = |t: &str| names(&ArgValue::Dynamic(t.into()));
        assert_eq!(d("[a, b.c, 'x.y']").unwrap(), vec!["a", "c", "x.y"]);
        assert_eq!(d("[a,]").unwrap(), vec!["a"]);
        assert!(d("HOOKS").is_err());
        assert!(d("[f(x)]").is_err());
    }
}
