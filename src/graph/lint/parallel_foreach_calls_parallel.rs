//! ## What it does
//! Checks that an `@parallel` step is only reached through `self.next(..., num_parallel=N)`.
//!
//! ## Why is this bad
//! Without `num_parallel` Metaflow does not know how many tasks to start.
//!
//! ## Example
//! ```python
//! self.next(self.train)   # train has @parallel
//! ```

use super::{At, Violation};
use crate::diag::Code;
use crate::graph::FlowGraph;

pub fn check(g: &FlowGraph) -> Option<Violation> {
    g.nodes.iter().enumerate().find_map(|(i, n)| {
        if !n.parallel_step {
            return None;
        }
        let caller = g.nodes.iter().find(|m| {
            m.out_funcs.iter().any(|o| o == n.name) && !m.step.next.parallel_foreach
        })?;
        Some(Violation::new(
            Code::ParallelForeachCallsParallel,
            format!(
                "Step *{}* has a @parallel decorator, but is not called with self.next(num_parallel=...) from step *{}*.",
                n.name, caller.name
            ),
            At::Def(i),
        ))
    })
}
