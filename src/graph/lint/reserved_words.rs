//! ## What it does
//! Flags a step named `name`, `next`, `input`, `index` or `cmd`.
//!
//! ## Why is this bad
//! These names are attributes of `FlowSpec` itself; a step with such a name shadows them
//! and breaks Metaflow at run time.
//!
//! ## Example
//! ```python
//! @step
//! def next(self): ...
//! ```
//! Use instead: `def next_batch(self): ...`

use super::{At, Violation};
use crate::diag::Code;
use crate::graph::FlowGraph;

const RESERVED: &[&str] = &["name", "next", "input", "index", "cmd"];

pub fn check(g: &FlowGraph) -> Option<Violation> {
    let (i, n) = g
        .nodes
        .iter()
        .enumerate()
        .find(|(_, n)| RESERVED.contains(&n.name))?;
    Some(Violation::new(
        Code::ReservedWord,
        format!(
            "Step name *{}* is a reserved word. Choose another name for the step.",
            n.name
        ),
        At::Def(i),
    ))
}
