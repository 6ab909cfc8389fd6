//! MF012 `catch-on-split`.
//!
//! ## What it does
//! Flags `@catch` on a foreach split step or on a switch step, as Metaflow's
//! `CatchDecorator.step_init` does (metaflow/plugins/catch_decorator.py).
//!
//! ## Why is this bad
//! Metaflow refuses the flow (`check` and `run` fail): a caught exception in a foreach
//! split would leave the number of splits unknown, and in a switch step the condition
//! would not be recorded.
//!
//! ## Example
//! ```python
//! @catch(var="error")
//! @step
//! def start(self):
//!     self.items = [1, 2]
//!     self.next(self.work, foreach="items")
//! ```
//! Use instead: put `@catch` on the steps inside the foreach, or move the work that can
//! fail into a step before the split.

use super::metaflow_decorator;
use crate::diag::{Code, Diagnostic};
use crate::graph::{FlowGraph, NodeType};

pub fn check(g: &FlowGraph, out: &mut Vec<Diagnostic>) {
    for n in &g.nodes {
        let Some(d) = metaflow_decorator(&n.step.decorators, "catch") else {
            continue;
        };
        let kind = match n.node_type {
            Some(NodeType::Foreach) => "foreach split",
            Some(NodeType::SplitSwitch) => "conditional switch",
            _ => continue,
        };
        out.push(
            Diagnostic::new(
                Code::CatchOnSplit,
                format!(
                    "@catch is defined for the step *{}* but @catch is not supported in {kind} steps.",
                    n.name
                ),
            )
            .at(&d.loc)
            .flow(&g.flow.name)
            .step(n.name)
            .label(format!("on a {kind} step")),
        );
    }
}
