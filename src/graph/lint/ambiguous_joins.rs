//! ## What it does
//! Flags a switch case that transitions straight into a join step.
//!
//! ## Why is this bad
//! A join must know which branches arrive; a conditional path that jumps into it makes
//! that ambiguous.
//!
//! ## Example
//! ```python
//! self.next({"skip": self.join, "work": self.work}, condition="mode")
//! ```
//! Add an unconditional step on that path before the join.

use super::{At, Violation};
use crate::diag::Code;
use crate::graph::{FlowGraph, NodeType};

pub fn check(g: &FlowGraph) -> Option<Violation> {
    g.nodes.iter().enumerate().find_map(|(i, n)| {
        if n.node_type != Some(NodeType::Join) {
            return None;
        }
        let parents: Vec<String> = n
            .in_funcs
            .iter()
            .filter(|p| g.get(p).is_some_and(|c| c.node_type == Some(NodeType::SplitSwitch)))
            .map(|p| format!("*{p}*"))
            .collect();
        if parents.is_empty() {
            return None;
        }
        Some(Violation::new(
            Code::AmbiguousJoins,
            format!(
                "A conditional path cannot lead directly to a join step.\nIn your conditional step(s) {}, one or more of the possible paths transition directly to the join step *{}*.\nAs a workaround, please introduce an intermediate, unconditional step on that specific path before joining.",
                parents.join(", "),
                n.name
            ),
            At::Def(i),
        ))
    })
}
