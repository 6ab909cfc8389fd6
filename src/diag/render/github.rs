//! GitHub Actions workflow commands (`::error file=…,line=…::message`), which annotate the
//! lines of a pull request. Data and property values are escaped as the runner expects
//! (actions/toolkit, packages/core/src/command.ts: escapeData / escapeProperty).

use std::io::Write;

use crate::diag::{Diagnostic, Severity};

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn write(out: &mut dyn Write, diags: &[Diagnostic]) -> std::io::Result<()> {
    for d in diags {
        let kind = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = Vec::new();
        if let Some(p) = d.path() {
            props.push(format!("file={}", escape_property(p)));
        }
        if let (Some((l, c)), Some((el, ec))) = (d.line_col(), d.end_line_col())
            && l > 0
        {
            props.push(format!("line={l}"));
            props.push(format!("col={c}"));
            props.push(format!("endLine={el}"));
            props.push(format!("endColumn={ec}"));
        }
        props.push(format!(
            "title={}",
            escape_property(&format!("{} {}", d.code.as_str(), d.code.name()))
        ));
        writeln!(
            out,
            "::{kind} {}::{}",
            props.join(","),
            escape_data(&d.message)
        )?;
    }
    Ok(())
}
