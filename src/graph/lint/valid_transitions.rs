//! ## What it does
//! Checks that `self.next(...)` has one of the supported forms: linear, fan-out,
//! foreach, num_parallel, or switch.
//!
//! ## Why is this bad
//! Metaflow reads transitions statically; any other form (a variable, no arguments, an
//! unknown keyword, a dict without `condition=`) cannot be understood.
//!
//! ## Example
//! ```python
//! nxt = self.b
//! self.next(nxt)
//! ```

use super::{At, Violation};
use crate::diag::Code;
use crate::graph::{FlowGraph, NodeType};

pub fn check(g: &FlowGraph) -> Option<Violation> {
    let (i, n) = g.nodes.iter().enumerate().find(|(_, n)| {
        n.node_type != Some(NodeType::End)
            && n.step.next.has_tail_next
            && n.step.next.invalid_tail_next
    })?;
    Some(Violation::new(
        Code::ValidTransitions,
        format!(
            "Step *{}* specifies an invalid self.next() transition. Make sure the self.next() expression matches with one of the supported transition types:\n  • Linear: self.next(self.step_name)\n  • Fan-out: self.next(self.step1, self.step2, ...)\n  • Foreach: self.next(self.step, foreach='variable')\n  • Switch: self.next({{\"key\": self.step, ...}}, condition='variable')\n\nFor switch statements, keys must be string literals, numbers or config expressions (self.config.key_name), not variables.",
            n.name
        ),
        At::Tail(i),
    ))
}
