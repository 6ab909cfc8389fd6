//! ## What it does
//! Finds steps that cannot be reached from the start step.
//!
//! ## Why is this bad
//! An unreachable step never runs; usually a transition is missing or misspelt.
//!
//! ## Example
//! ```python
//! @step
//! def forgotten(self):   # nothing calls self.next(self.forgotten)
//!     self.next(self.end)
//! ```
//!
//! With several orphans Metaflow names whichever its set yields first (string-hash
//! order, which varies between processes); we name the first by step name.

use std::collections::HashSet;

use super::{At, Violation};
use crate::diag::Code;
use crate::graph::FlowGraph;

pub fn check(g: &FlowGraph) -> Option<Violation> {
    let start = g.start_step?;
    let mut seen: HashSet<usize> = HashSet::from([start]);
    let mut stack = vec![start];
    while let Some(i) = stack.pop() {
        for o in g.nodes[i].out_funcs {
            if let Some(j) = g.index_of(o)
                && seen.insert(j)
            {
                stack.push(j);
            }
        }
    }
    let (i, orphan) = g
        .nodes
        .iter()
        .enumerate()
        .find(|(i, _)| !seen.contains(i))?;
    Some(Violation::new(
        Code::Orphans,
        format!(
            "Step *{0}* is unreachable from the entry step *{1}*. Add self.next({0}) in another step or remove *{0}*.",
            orphan.name, g.nodes[start].name
        ),
        At::Def(i),
    ))
}
