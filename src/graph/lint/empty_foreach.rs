//! ## What it does
//! Flags a foreach whose target is directly a join step.
//!
//! ## Why is this bad
//! The foreach body would be empty: there is no step to run per item.
//!
//! ## Example
//! ```python
//! self.next(self.join, foreach="items")
//! ```

use super::{At, Violation};
use crate::diag::Code;
use crate::graph::{FlowGraph, NodeType};

pub fn check(g: &FlowGraph) -> Option<Violation> {
    g.nodes.iter().enumerate().find_map(|(i, n)| {
        if n.node_type != Some(NodeType::Foreach) {
            return None;
        }
        let join = n
            .out_funcs
            .iter()
            .find(|o| g.get(o).is_some_and(|c| c.node_type == Some(NodeType::Join)))?;
        Some(Violation::new(
            Code::EmptyForeach,
            format!(
                "Step *{}* is a foreach split that has no children: it is followed immediately by a join step, *{}*. Add at least one step between the split and the join.",
                n.name, join
            ),
            At::Def(i),
        ))
    })
}
