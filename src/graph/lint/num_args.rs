//! ## What it does
//! Checks step signatures: `(self)` for ordinary steps, `(self, inputs)` for joins.
//!
//! ## Why is this bad
//! Metaflow calls steps with exactly these arguments; a join that is also a split is not
//! expressible.
//!
//! ## Example
//! ```python
//! @step
//! def a(self, inputs):
//!     self.next(self.b, self.c)
//! ```

use super::{At, Violation};
use crate::diag::Code;
use crate::graph::{FlowGraph, NodeType};

pub fn check(g: &FlowGraph) -> Option<Violation> {
    g.nodes.iter().enumerate().find_map(|(i, n)| {
        let args = n.step.num_args;
        let msg = if args > 2 {
            format!(
                "Step {} has too many arguments. Normal steps take only 'self' as an argument. Join steps take 'self' and 'inputs'.",
                n.name
            )
        } else if args == 2 && n.node_type != Some(NodeType::Join) {
            format!(
                "Step *{}* is both a join step (it takes an extra argument) and a split step (it transitions to multiple steps). This is not allowed. Add a new step so that split and join become separate steps.",
                n.name
            )
        } else if args == 0 {
            format!("Step *{}* is missing the 'self' argument.", n.name)
        } else {
            return None;
        };
        Some(Violation::new(Code::NumArgs, msg, At::Def(i)))
    })
}
