//! ## What it does
//! Checks that an `@parallel` step is followed by a join step.
//!
//! ## Why is this bad
//! The N tasks of a parallel step must be gathered by a join.
//!
//! ## Example
//! ```python
//! @parallel
//! @step
//! def train(self):
//!     self.next(self.end)
//! ```

use super::{At, Violation};
use crate::diag::Code;
use crate::graph::{FlowGraph, NodeType};

pub fn check(g: &FlowGraph) -> Option<Violation> {
    g.nodes.iter().enumerate().find_map(|(i, n)| {
        if !n.parallel_step {
            return None;
        }
        // Metaflow indexes out_funcs[0] (an IndexError for a parallel end step); a step
        // without transitions is reported by earlier checks.
        let first = n.out_funcs.first()?;
        if g.get(first).is_some_and(|c| c.node_type == Some(NodeType::Join)) {
            return None;
        }
        Some(Violation::new(
            Code::JoinFollowedByParallel,
            format!(
                "An @parallel step should be followed by a join step. Step *{first}* is called after an @parallel step but is not a join step. Please add an extra `inputs` argument to the step."
            ),
            At::Def(i),
        ))
    })
}
