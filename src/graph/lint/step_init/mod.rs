//! Metaflow's step-decorator initialisation (`decorators._init_step_decorators`: each
//! decorator's `init` and `step_init`), which `python flow.py check`/`run` run before lint;
//! their errors with Metaflow's messages. One rule per file.

mod catch_on_split;
mod retry_times;
mod timeout_duration;

use crate::diag::Diagnostic;
use crate::graph::FlowGraph;
use crate::parse::literal::Literal;
use crate::parse::model::{Decorator, Origin};

pub fn check(g: &FlowGraph) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    catch_on_split::check(g, &mut out);
    retry_times::check(g, &mut out);
    timeout_duration::check(g, &mut out);
    out
}

/// The step's Metaflow decorator `name`, if any.
fn metaflow_decorator<'a>(decorators: &'a [Decorator], name: &str) -> Option<&'a Decorator> {
    decorators
        .iter()
        .find(|d| d.origin == Origin::Metaflow && d.name == name)
}

/// Python's `int(v)` for the values a decorator attribute takes (`--with` passes strings).
fn py_int(l: &Literal) -> Option<i128> {
    match l {
        Literal::Int(s) => s.parse().ok(),
        Literal::Bool(b) => Some(i128::from(*b)),
        Literal::Float(f) if f.is_finite() => Some(f.trunc() as i128),
        Literal::Str(s) => s.trim().replace('_', "").parse().ok(),
        _ => None,
    }
}
