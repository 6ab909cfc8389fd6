//! MF009 `reserved-parameter-name`, MF010 `duplicate-parameter`,
//! MF011 `separator-on-non-string`.
//!
//! ## What it does
//! Runs the checks Metaflow makes on Parameters outside lint: a name that is one of its own
//! command-line options (metaflow/parameters.py, `Parameter.init`), two parameters whose
//! names differ only in case (metaflow/flowspec.py, `_check_parameters`), and a separator
//! on a parameter that is not a string (`Parameter.init`, `is_string_type`).
//!
//! ## Why is this bad
//! Metaflow refuses to start the flow (`check` or `run`), so the deployed flow would fail on
//! its first run.
//!
//! ## Example
//! ```python
//! tags = Parameter("tags", default="a")          # --tags is Metaflow's own option
//! counts = Parameter("counts", default=1, separator=",")
//! ```

use crate::diag::{Code, Diagnostic};
use crate::graph::FlowGraph;
use crate::parse::literal::Literal;
use crate::parse::model::ArgValue;

const RESERVED: &[&str] = &[
    "params",
    "with",
    "tag",
    "namespace",
    "obj",
    "tags",
    "decospecs",
    "run-id-file",
    "max-num-splits",
    "max-workers",
    "max-log-size",
    "user-namespace",
    "run-id",
    "task-id",
    "runner-attribute-file",
];

fn reserved(name: &str) -> bool {
    RESERVED
        .iter()
        .any(|r| *r == name || r.replace('-', "_") == name)
}

pub fn check(g: &FlowGraph) -> Vec<Diagnostic> {
    let flow = &g.flow.name;
    let mut out = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for p in &g.flow.parameters {
        let Some(name) = p.name_str() else { continue };
        if reserved(name) {
            out.push(
                Diagnostic::new(
                    Code::ReservedParameterName,
                    format!("Parameter name '{name}' is a reserved word. Please use a different name for your parameter."),
                )
                .at(&p.loc)
                .flow(flow),
            );
        }
        if let Some(sep) = p.kwarg("separator")
            && sep.value.literal().is_some_and(Literal::truthy)
            && is_string_type(p) == Some(false)
        {
            out.push(
                Diagnostic::new(
                    Code::SeparatorOnNonString,
                    format!("Parameter *{name}*: Separator is only allowed for string parameters."),
                )
                .at(&sep.loc)
                .flow(flow),
            );
        }
        let norm = name.to_lowercase();
        if seen.contains(&norm) {
            out.push(
                Diagnostic::new(
                    Code::DuplicateParameter,
                    format!("Parameter *{name}* is specified twice. Note that parameter names are case-insensitive."),
                )
                .at(&p.loc)
                .flow(flow),
            );
        }
        seen.push(norm);
    }
    out
}

/// `Parameter.is_string_type`: `type` absent or `str`, and the default (if any) a string.
/// `None` when that cannot be known statically.
fn is_string_type(p: &crate::parse::model::ParameterDecl) -> Option<bool> {
    let type_is_str = match p.kwarg("type").map(|a| &a.value) {
        None => true,
        Some(ArgValue::Dynamic(t)) => t == "str",
        // Metaflow's type name, as --metaflow-resolved writes it.
        Some(ArgValue::Literal(Literal::Str(t))) => t == "str",
        Some(ArgValue::Literal(_)) => false,
    };
    let default_is_str = match p.kwarg("default").map(|a| &a.value) {
        None => true,
        Some(ArgValue::Literal(l)) => matches!(l, Literal::Str(_)),
        Some(ArgValue::Dynamic(_)) => return if type_is_str { None } else { Some(false) },
    };
    Some(type_is_str && default_is_str)
}
