//! ## What it does
//! Checks that a switch (`self.next({...}, condition=...)`) has at least two cases and a
//! condition.
//!
//! ## Why is this bad
//! A switch with one case is a linear transition in disguise; without a condition nothing
//! selects the case.
//!
//! ## Example
//! ```python
//! self.next({"only": self.a}, condition="mode")
//! ```

use super::{At, Violation};
use crate::diag::Code;
use crate::graph::{FlowGraph, NodeType};

pub fn check(g: &FlowGraph) -> Option<Violation> {
    g.nodes.iter().enumerate().find_map(|(i, n)| {
        if n.node_type != Some(NodeType::SplitSwitch) {
            return None;
        }
        let msg = if n.out_funcs.len() < 2 {
            format!(
                "Step *{}* is a switch split but defines {} transitions. Switch splits must define at least 2 transitions.",
                n.name,
                n.out_funcs.len()
            )
        } else if n.step.next.condition.as_deref().is_none_or(str::is_empty) {
            format!("Step *{}* is a switch split but has no condition variable.", n.name)
        } else if n.step.next.switch_cases.is_empty() {
            format!("Step *{}* is a switch split but has no switch cases defined.", n.name)
        } else {
            return None;
        };
        Some(Violation::new(Code::SwitchSplits, msg, At::Def(i)))
    })
}
