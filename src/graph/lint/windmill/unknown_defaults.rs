//! WM209 `unknown-default`.
//!
//! ## What it does
//! Flags a `Parameter` or `IncludeFile` whose `default=` cannot be evaluated statically:
//! a function (a deploy-time default), a call of something other than the helpers the
//! static reader evaluates, a name bound more than once or at run time.
//!
//! ## Why is this bad
//! The run needs the value. Metaflow's `init` yields `None` for a deploy-time function
//! default (only `python flow.py run` or a deployer evaluates it), and an IncludeFile's
//! default path names the file to ship and read: a flow compiled without it would run
//! with `None` — silently wrong. `python flow.py windmill create` evaluates the flow with
//! Metaflow first and deploys it with the values Metaflow computed.
//!
//! ## Example
//! ```python
//! def default_region(ctx):
//!     return "region-" + ctx.user_name
//!
//! region = Parameter("region", default=default_region)
//! ```
//! Use instead: a literal default, or deploy with `python flow.py windmill create`.

use crate::diag::{Code, Diagnostic};
use crate::graph::FlowGraph;
use crate::parse::model::{ArgValue, ParamKind};

pub fn check(g: &FlowGraph, out: &mut Vec<Diagnostic>) {
    for p in &g.flow.parameters {
        let Some(a) = p.kwarg("default") else {
            continue;
        };
        let ArgValue::Dynamic(text) = &a.value else {
            continue;
        };
        let (kind, what) = match p.kind {
            ParamKind::Parameter => (
                "Parameter",
                "the run would get None for it where Metaflow evaluates it at deploy time",
            ),
            ParamKind::IncludeFile => (
                "IncludeFile",
                "the file to ship and read is unknown, and the run would get None for it",
            ),
        };
        out.push(
            Diagnostic::new(
                Code::UnknownDefault,
                format!(
                    "{kind} `{}`: its default `{text}` cannot be evaluated without running Python; {what}.",
                    p.name_str().unwrap_or(&p.attribute)
                ),
            )
            .at(&a.loc)
            .flow(&g.flow.name)
            .label("cannot be known statically")
            .help("Write the default as a literal (or a module-level constant), or deploy with `python flow.py windmill create`, which evaluates it with Metaflow."),
        );
    }
}
