//! ## What it does
//! Checks that the end step neither calls `self.next()` nor takes `inputs` (is a join).
//!
//! ## Why is this bad
//! The end step terminates the flow; Metaflow cannot join into it directly.
//!
//! ## Example
//! ```python
//! @step
//! def end(self, inputs): ...
//! ```
//! Add a join step before `end`.

use super::{At, Violation};
use crate::diag::Code;
use crate::graph::FlowGraph;

pub fn check(g: &FlowGraph) -> Option<Violation> {
    let e = g.end_step?;
    let node = &g.nodes[e];
    let next = &node.step.next;
    if next.has_tail_next || next.invalid_tail_next {
        return Some(Violation::new(
            Code::EndIsEnd,
            format!(
                "The terminal step *{}* should not have a self.next() transition. Just remove it.",
                node.name
            ),
            At::Tail(e),
        ));
    }
    if node.step.num_args > 1 {
        return Some(Violation::new(
            Code::EndIsEnd,
            format!(
                "The terminal step *{}* should not be a join step (it gets an extra argument). Add a join step before it.",
                node.name
            ),
            At::Tail(e),
        ));
    }
    None
}
