//! ## What it does
//! Checks that `self.next(..., num_parallel=N)` targets a step decorated with `@parallel`.
//!
//! ## Why is this bad
//! Only `@parallel` steps know how to run as a gang of N tasks.
//!
//! ## Example
//! ```python
//! self.next(self.train, num_parallel=4)   # train lacks @parallel
//! ```

use super::{At, Violation};
use crate::diag::Code;
use crate::graph::FlowGraph;

pub fn check(g: &FlowGraph) -> Option<Violation> {
    let (i, n) = g.nodes.iter().enumerate().find(|(_, n)| {
        n.step.next.parallel_foreach
            && !n
                .out_funcs
                .iter()
                .all(|o| g.get(o).is_some_and(|c| c.parallel_step))
    })?;
    Some(Violation::new(
        Code::ParallelStepAfterNext,
        format!(
            "Step *{}* is called as a parallel step with self.next(num_parallel=..) but does not have a @parallel decorator.",
            n.name
        ),
        At::Def(i),
    ))
}
