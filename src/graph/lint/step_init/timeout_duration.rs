//! MF014 `timeout-without-duration`.
//!
//! ## What it does
//! Flags `@timeout` whose `hours * 3600 + minutes * 60 + seconds` is zero (all three
//! default to 0), as `TimeoutDecorator.step_init` does
//! (metaflow/plugins/timeout_decorator.py).
//!
//! ## Why is this bad
//! Metaflow refuses the flow (`check` and `run` fail).
//!
//! ## Example
//! ```python
//! @timeout(seconds=0)
//! ```
//! Use instead: `@timeout(minutes=5)`.

use super::{metaflow_decorator, py_int};
use crate::diag::{Code, Diagnostic};
use crate::graph::FlowGraph;

pub fn check(g: &FlowGraph, out: &mut Vec<Diagnostic>) {
    for n in &g.nodes {
        let Some(d) = metaflow_decorator(&n.step.decorators, "timeout") else {
            continue;
        };
        let mut secs: i128 = 0;
        let mut known = true;
        for (k, mult) in [("hours", 3600), ("minutes", 60), ("seconds", 1)] {
            match d.kwarg(k) {
                None => {}
                Some(a) => match a.value.literal().and_then(py_int) {
                    Some(v) => secs += v * mult,
                    None => known = false,
                },
            }
        }
        if known && secs == 0 {
            out.push(
                Diagnostic::new(
                    Code::TimeoutWithoutDuration,
                    "Specify a duration for @timeout.",
                )
                .at(&d.loc)
                .flow(&g.flow.name)
                .step(n.name)
                .label("no duration"),
            );
        }
    }
}
