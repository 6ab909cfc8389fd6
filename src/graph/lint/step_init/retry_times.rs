//! MF013 `retry-too-many`.
//!
//! ## What it does
//! Flags `@retry(times=N)` with `N + 2` above Metaflow's `MAX_ATTEMPTS` (6), as
//! `RetryDecorator.step_init` does (metaflow/plugins/retry_decorator.py): the attempts are
//! the task, its retries and a `@catch` fallback.
//!
//! ## Why is this bad
//! Metaflow refuses the flow (`check` and `run` fail).
//!
//! ## Example
//! ```python
//! @retry(times=5)
//! ```
//! Use instead: `@retry(times=4)` at most.

use super::{metaflow_decorator, py_int};
use crate::diag::{Code, Diagnostic};
use crate::graph::FlowGraph;

/// metaflow_config.MAX_ATTEMPTS.
const MAX_ATTEMPTS: i128 = 6;

pub fn check(g: &FlowGraph, out: &mut Vec<Diagnostic>) {
    for n in &g.nodes {
        let Some(d) = metaflow_decorator(&n.step.decorators, "retry") else {
            continue;
        };
        // Unset: Metaflow's default ("3"); not a literal: WM203.
        let Some(a) = d.kwarg("times") else { continue };
        let Some(times) = a.value.literal().and_then(py_int) else {
            continue;
        };
        if times + 2 > MAX_ATTEMPTS {
            out.push(
                Diagnostic::new(
                    Code::RetryTooMany,
                    format!(
                        "The maximum number of retries is @retry(times={}).",
                        MAX_ATTEMPTS - 2
                    ),
                )
                .at(&a.loc)
                .flow(&g.flow.name)
                .step(n.name)
                .label(format!("{times} retries")),
            );
        }
    }
}
