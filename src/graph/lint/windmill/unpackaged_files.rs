//! WM210 `unpackaged-file`.
//!
//! ## What it does
//! Flags a step that opens a file next to the flow (`open("lookup.csv")`, a path known
//! statically) whose name has none of Metaflow's package suffixes (`.py`, `.R`, `.RDS`).
//!
//! ## Why is this bad
//! Like Metaflow's code package, the code bundle carries only the files of the flow's
//! directory with a package suffix (and the files IncludeFile/Config defaults name). On a
//! Windmill worker the file is not there and the step fails, though `python flow.py run`
//! on your machine works. Metaflow's answer is the same: `--package-suffixes`.
//!
//! ## Example
//! ```python
//! with open("lookup.csv") as fh:
//!     ...
//! ```
//! Use instead: compile/create/run with `--package-suffixes .csv`, or read it through an
//! `IncludeFile`.

use std::path::Path;

use crate::diag::{Code, Diagnostic};
use crate::graph::FlowGraph;
use crate::package::{package_suffixes, suffix_matches};
use crate::parse::model::ParamKind;

pub fn check(g: &FlowGraph, out: &mut Vec<Diagnostic>) {
    let dir = g
        .flow
        .name_loc
        .file
        .path()
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let defaults = package_suffixes(None);
    // Files shipped anyway: those IncludeFile/Config defaults name.
    let named: Vec<&str> = g
        .flow
        .parameters
        .iter()
        .filter(|p| p.kind == ParamKind::IncludeFile)
        .filter_map(|p| p.kwarg("default"))
        .chain(g.flow.configs.iter().filter_map(|c| c.kwarg("default")))
        .filter_map(|a| a.value.literal()?.as_str())
        .collect();
    for n in &g.nodes {
        for (path, at) in &n.step.opened_files {
            let p = Path::new(path);
            let Some(name) = p.file_name().and_then(|f| f.to_str()) else {
                continue;
            };
            if p.is_absolute()
                || path.split('/').any(|c| c == "..")
                || !dir.join(p).is_file()
                || suffix_matches(name, &defaults)
                || named.iter().any(|x| Path::new(x) == p)
            {
                continue;
            }
            let suffix = name.rfind('.').map_or(name, |i| &name[i..]);
            out.push(
                Diagnostic::new(
                    Code::UnpackagedFile,
                    format!(
                        "Step *{}* opens `{path}`, a file next to the flow that the code package does not carry (only files with the suffixes {} are shipped): on a Windmill worker it is missing.",
                        n.name,
                        defaults.join(", ")
                    ),
                )
                .at(at)
                .flow(&g.flow.name)
                .step(n.name)
                .label("not in the code package")
                .help(format!(
                    "Compile, create or run with `--package-suffixes {suffix}` (as Metaflow's own --package-suffixes), or read it through an IncludeFile."
                )),
            );
        }
    }
}
