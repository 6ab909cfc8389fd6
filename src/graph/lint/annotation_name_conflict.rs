//! ## What it does
//! Flags a flow where `@step(start=True)` marks one step while another is named `start`
//! (and likewise for `end`).
//!
//! ## Why is this bad
//! It is ambiguous which step is the entry (or terminal) step.
//!
//! ## Example
//! ```python
//! @step(start=True)
//! def begin(self): ...
//! @step
//! def start(self): ...
//! ```

use super::{At, Violation};
use crate::diag::Code;
use crate::graph::FlowGraph;

pub fn check(g: &FlowGraph) -> Option<Violation> {
    if let Some(s) = g.start()
        && s.name != "start"
        && g.contains("start")
    {
        return Some(Violation::new(
            Code::AnnotationNameConflict,
            format!(
                "Ambiguous start step: step '{}' is annotated with @step(start=True) but a step named 'start' also exists. Remove the 'start' name or the @step(start=True) annotation.",
                s.name
            ),
            At::Flow,
        ));
    }
    if let Some(e) = g.end()
        && e.name != "end"
        && g.contains("end")
    {
        return Some(Violation::new(
            Code::AnnotationNameConflict,
            format!(
                "Ambiguous end step: step '{}' is annotated with @step(end=True) but a step named 'end' also exists. Remove the 'end' name or the @step(end=True) annotation.",
                e.name
            ),
            At::Flow,
        ));
    }
    None
}
