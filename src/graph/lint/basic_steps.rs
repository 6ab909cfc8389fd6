//! ## What it does
//! Checks that the flow has exactly one start step and exactly one end step: a unique
//! `@step(start=True)` / `@step(end=True)`, or else steps named `start` / `end`.
//!
//! ## Why is this bad
//! Without a unique entry and terminal step Metaflow cannot run the flow.
//!
//! ## Example
//! ```python
//! @step(start=True)
//! def a(self): ...
//! @step(start=True)
//! def b(self): ...
//! ```

use super::{At, Violation};
use crate::diag::Code;
use crate::graph::FlowGraph;

pub fn check(g: &FlowGraph) -> Option<Violation> {
    let annotated = |f: fn(&crate::parse::model::Step) -> bool| -> Vec<&str> {
        let mut v: Vec<&str> = g
            .nodes
            .iter()
            .filter(|n| f(n.step))
            .map(|n| n.name)
            .collect();
        v.sort_unstable();
        v
    };
    let msg = if g.start_step.is_none() {
        let a = annotated(|s| s.is_start_step);
        if a.len() > 1 {
            format!(
                "Multiple steps annotated with @step(start=True): {}. Exactly one is allowed.",
                a.join(", ")
            )
        } else {
            "Your flow must have exactly one start step. Either name a step 'start' or use @step(start=True).".to_string()
        }
    } else if g.end_step.is_none() {
        let a = annotated(|s| s.is_end_step);
        if a.len() > 1 {
            format!(
                "Multiple steps annotated with @step(end=True): {}. Exactly one is allowed.",
                a.join(", ")
            )
        } else {
            "Your flow must have exactly one end step. Either name a step 'end' or use @step(end=True).".to_string()
        }
    } else {
        return None;
    };
    Some(Violation::new(Code::BasicSteps, msg, At::Flow))
}
