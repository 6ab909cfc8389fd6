//! WM205 `invalid-windmill-name`.
//!
//! ## What it does
//! Checks names that become Windmill identifiers: step names become module ids, used in
//! JavaScript expressions as `results.<id>`; the flow name (and @project name) become the
//! flow's path, which must match `^[ufg](/[\w-]+){2,}$` and be at most 255 characters
//! (windmill-api openapi.yaml, path parameters).
//!
//! ## Why is this bad
//! Windmill rejects the flow at deploy time, or its expressions fail at run time.
//!
//! ## Example
//! ```python
//! @step
//! def 2nd_pass(self): ...   # Metaflow's name check allows a leading digit
//! ```

use crate::diag::{Code, Diagnostic};
use crate::graph::FlowGraph;

/// The longest path prefix mf-windmill generates: `f/<folder>/` with a project's branch
/// (`user.<name>` and the like) is only known at deploy time, so the check keeps a margin.
const PATH_MAX: usize = 255;
const BRANCH_MARGIN: usize = 40;

fn is_path_component(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

pub fn check(g: &FlowGraph, out: &mut Vec<Diagnostic>) {
    let flow = &g.flow.name;
    for n in &g.nodes {
        if n.name.starts_with(|c: char| c.is_ascii_digit()) {
            out.push(
                Diagnostic::new(
                    Code::InvalidWindmillName,
                    format!("Step *{}* starts with a digit: it cannot be a Windmill module id (`results.{}` is not valid JavaScript).", n.name, n.name),
                )
                .at(&n.step.name_loc)
                .flow(flow)
                .step(n.name)
                .label("starts with a digit")
                .help("Rename the step so it starts with a letter."),
            );
        }
    }
    if !is_path_component(flow) {
        out.push(
            Diagnostic::new(
                Code::InvalidWindmillName,
                format!("Flow name *{flow}* has characters a Windmill path cannot hold (only ASCII letters, digits, '_' and '-')."),
            )
            .at(&g.flow.name_loc)
            .flow(flow),
        );
    }
    let project = g.flow.decorator("project").and_then(|d| {
        d.kwarg("name")
            .and_then(|a| a.value.literal()?.as_str().map(|s| (d, a, s.to_string())))
    });
    let folder_len = match &project {
        Some((_, a, name)) => {
            if !is_path_component(name) {
                out.push(
                    Diagnostic::new(
                        Code::InvalidWindmillName,
                        format!("@project name '{name}' has characters a Windmill folder cannot hold (only ASCII letters, digits, '_' and '-')."),
                    )
                    .at(&a.loc)
                    .flow(flow),
                );
            }
            name.len()
        }
        None => "metaflow".len(),
    };
    // f/<folder>/<branch>__<flow>
    let len = 2 + folder_len + 1 + BRANCH_MARGIN + 2 + flow.len();
    if len > PATH_MAX {
        out.push(
            Diagnostic::new(
                Code::InvalidWindmillName,
                format!("The Windmill path for flow *{flow}* would be about {len} characters; Windmill allows at most {PATH_MAX}."),
            )
            .at(&g.flow.name_loc)
            .flow(flow)
            .help("Shorten the flow class name or the @project name."),
        );
    }
}
