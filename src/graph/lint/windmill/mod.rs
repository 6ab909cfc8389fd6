//! Windmill checks: what a flow asks for that Windmill (or this compiler, reading the
//! source statically) cannot honour. Each rule is documented in its own file.

mod decorators;
mod dynamic_arguments;
mod dynamic_foreach;
pub mod exit_hooks;
mod names;
pub mod triggers;
mod unknown_defaults;
mod unpackaged_files;

use crate::diag::Diagnostic;
use crate::graph::FlowGraph;

/// Step decorators Metaflow ships that run inside the step process and therefore work
/// unchanged under Windmill (or that the emitter maps: retry, catch, timeout, environment).
pub const HONOURED_STEP_DECORATORS: &[&str] = &[
    "retry",
    "catch",
    "timeout",
    "environment",
    "card",
    "secrets",
];

/// Decorators whose use is itself an error on Windmill (their arguments are moot).
pub const UNSUPPORTED_DECORATORS: &[&str] = &[
    "parallel",
    "pytorch_parallel",
    "batch",
    "kubernetes",
    "conda",
    "pypi",
    "conda_base",
    "pypi_base",
];

/// Flow decorators the emitter maps.
pub const HONOURED_FLOW_DECORATORS: &[&str] = &[
    "project",
    "schedule",
    "exit_hook",
    "trigger",
    "trigger_on_finish",
];

pub fn check(g: &FlowGraph) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    decorators::check(g, &mut out);
    dynamic_arguments::check(g, &mut out);
    dynamic_foreach::check(g, &mut out);
    exit_hooks::check(g, &mut out);
    names::check(g, &mut out);
    triggers::check(g, &mut out);
    unknown_defaults::check(g, &mut out);
    unpackaged_files::check(g, &mut out);
    out
}
