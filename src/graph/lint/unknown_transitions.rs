//! ## What it does
//! Checks that every `self.next(...)` target is a step of the flow.
//!
//! ## Why is this bad
//! A transition to a missing step (a typo, a method without `@step`) fails at run time.
//!
//! ## Example
//! ```python
//! self.next(self.trian)
//! ```

use super::{At, Violation};
use crate::diag::Code;
use crate::graph::FlowGraph;

pub fn check(g: &FlowGraph) -> Option<Violation> {
    g.nodes.iter().enumerate().find_map(|(i, n)| {
        let unknown = n.out_funcs.iter().find(|o| !g.contains(o))?;
        Some(Violation::new(
            Code::UnknownTransitions,
            format!(
                "Step *{}* specifies a self.next() transition to an unknown step, *{}*.",
                n.name, unknown
            ),
            At::Tail(i),
        ))
    })
}
