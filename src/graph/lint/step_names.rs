//! ## What it does
//! Checks that step names use only lowercase ASCII letters, digits and underscores and do
//! not start with an underscore.
//!
//! ## Why is this bad
//! Step names become parts of paths (run/step/task) and identifiers in the datastore.
//!
//! ## Example
//! ```python
//! @step
//! def trainModel(self): ...
//! ```
//! Use instead: `def train_model(self): ...`

use super::{At, Violation};
use crate::diag::Code;
use crate::graph::FlowGraph;

pub fn check(g: &FlowGraph) -> Option<Violation> {
    let (i, n) = g.nodes.iter().enumerate().find(|(_, n)| {
        n.name.starts_with('_')
            || n.name
                .chars()
                .any(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
    })?;
    Some(Violation::new(
        Code::StepName,
        format!(
            "Step *{}* has an invalid name. Only lowercase ascii characters, underscores, and digits are allowed.",
            n.name
        ),
        At::Def(i),
    ))
}
