//! ## What it does
//! Checks that the start step has no incoming transitions and the end step no outgoing
//! ones.
//!
//! ## Why is this bad
//! The start step runs once, first; the end step runs once, last. A transition into the
//! start step or out of the end step contradicts that.
//!
//! ## Example
//! ```python
//! @step
//! def a(self):
//!     self.next(self.start)
//! ```

use super::{At, Violation};
use crate::diag::Code;
use crate::graph::FlowGraph;

pub fn check(g: &FlowGraph) -> Option<Violation> {
    let (s, e) = (g.start_step?, g.end_step?);
    let start = &g.nodes[s];
    if !start.in_funcs.is_empty() {
        return Some(Violation::new(
            Code::StartEndDegree,
            format!(
                "The start step *{}* has incoming transitions from {}. A start step must have no incoming transitions.",
                start.name,
                start.in_funcs.join(", ")
            ),
            At::Def(s),
        ));
    }
    let end = &g.nodes[e];
    if !end.out_funcs.is_empty() {
        return Some(Violation::new(
            Code::StartEndDegree,
            format!(
                "The end step *{}* has outgoing transitions. An end step must have no outgoing transitions (no self.next()).",
                end.name
            ),
            At::Def(e),
        ));
    }
    None
}
