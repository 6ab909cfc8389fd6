//! ## What it does
//! Checks that every step but the end step ends with a `self.next(...)` call.
//!
//! ## Why is this bad
//! Metaflow reads the graph from the last statement of each step; without it the step
//! leads nowhere.
//!
//! ## Example
//! ```python
//! @step
//! def a(self):
//!     self.x = 1
//! ```
//! Add `self.next(self.b)` as the last statement.

use super::{At, Violation};
use crate::diag::Code;
use crate::graph::{FlowGraph, NodeType};

pub fn check(g: &FlowGraph) -> Option<Violation> {
    let (i, n) = g
        .nodes
        .iter()
        .enumerate()
        .find(|(_, n)| n.node_type != Some(NodeType::End) && !n.step.next.has_tail_next)?;
    Some(Violation::new(
        Code::StaticTransitions,
        format!(
            "Step *{}* is missing a self.next() transition to the next step. Add a self.next() as the last line in the function.",
            n.name
        ),
        At::Def(i),
    ))
}
