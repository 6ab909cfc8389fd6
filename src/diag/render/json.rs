//! Machine-readable output: every field a tool may want, one document.

use std::io::Write;

use serde_json::json;

use super::{Summary, count};
use crate::diag::{Diagnostic, Severity};

pub fn diagnostic_json(d: &Diagnostic) -> serde_json::Value {
    let (line, column) = d
        .line_col()
        .map_or((None, None), |(l, c)| (Some(l), Some(c)));
    let (end_line, end_column) = d
        .end_line_col()
        .map_or((None, None), |(l, c)| (Some(l), Some(c)));
    json!({
        "code": d.code.as_str(),
        "name": d.code.name(),
        "severity": d.severity,
        "message": d.message,
        "file": d.path(),
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "flow": d.flow,
        "step": d.step,
        "help": d.help,
        "doc": d.code.doc(),
    })
}

pub fn write(out: &mut dyn Write, diags: &[Diagnostic], summary: Summary) -> std::io::Result<()> {
    let doc = json!({
        "version": 1,
        "diagnostics": diags.iter().map(diagnostic_json).collect::<Vec<_>>(),
        "summary": {
            "files": summary.files,
            "flows": summary.flows,
            "errors": count(diags, Severity::Error),
            "warnings": count(diags, Severity::Warning),
        },
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
