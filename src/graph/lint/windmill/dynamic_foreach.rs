//! WM204 `dynamic-foreach`.
//!
//! ## What it does
//! Flags `self.next(self.x, foreach=...)` whose argument cannot be evaluated to a string
//! statically (a literal or a module-level string constant can), and `num_parallel=` that
//! is not a constant.
//!
//! ## Why is this bad
//! Metaflow accepts it in the graph (with `foreach_param = None`) and fails only when the
//! step runs; the compiled flow needs the artifact name to fan out.
//!
//! ## Example
//! ```python
//! self.attr = "items"
//! self.next(self.body, foreach=self.attr)
//! ```
//! Use instead: `self.next(self.body, foreach="items")`.

use crate::diag::{Code, Diagnostic};
use crate::graph::FlowGraph;

pub fn check(g: &FlowGraph, out: &mut Vec<Diagnostic>) {
    for n in &g.nodes {
        let next = &n.step.next;
        let Some(at) = &next.foreach_dynamic else {
            continue;
        };
        let (kw, what) = if next.parallel_foreach {
            ("num_parallel", "the number of parallel tasks")
        } else {
            ("foreach", "the artifact to iterate over")
        };
        out.push(
            Diagnostic::new(
                Code::DynamicForeach,
                format!(
                    "Step *{}*: `{kw}={}` is not a constant, so {what} cannot be known statically.",
                    n.name,
                    at.file.slice(at.range)
                ),
            )
            .at(at)
            .flow(&g.flow.name)
            .step(n.name)
            .label("not a constant")
            .help(format!(
                "Write {kw}= as a literal or a module-level constant (foreach takes the artifact's name as a string)."
            )),
        );
    }
}
