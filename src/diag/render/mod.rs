//! Output formats for diagnostics: `human` (miette, with source snippets), `concise`
//! (`file:line:col: CODE message`, one line each), `json`, `sarif` (2.1.0, for code
//! scanning) and `github` (workflow commands that annotate pull requests).

mod github;
mod human;
mod json;
mod sarif;

use std::io::Write;

use super::{Diagnostic, Severity};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Concise,
    Json,
    Sarif,
    Github,
}

/// Counts reported with the findings.
#[derive(Debug, Clone, Copy, Default)]
pub struct Summary {
    pub files: usize,
    pub flows: usize,
}

/// Write all diagnostics (already sorted) in one format.
pub fn write(
    out: &mut dyn Write,
    format: Format,
    diags: &[Diagnostic],
    summary: Summary,
    color: bool,
) -> std::io::Result<()> {
    match format {
        Format::Human => human::write(out, diags, summary, color),
        Format::Concise => {
            for d in diags {
                writeln!(out, "{}", concise_line(d))?;
            }
            Ok(())
        }
        Format::Json => json::write(out, diags, summary),
        Format::Sarif => sarif::write(out, diags),
        Format::Github => github::write(out, diags),
    }
}

/// `file:line:col: CODE message` with the message on one line.
pub fn concise_line(d: &Diagnostic) -> String {
    let (line, col) = d.line_col().unwrap_or((1, 1));
    let sev = match d.severity {
        Severity::Error => "",
        Severity::Warning => " [warning]",
    };
    format!(
        "{}:{line}:{col}: {}{sev} {}",
        d.path().unwrap_or("-"),
        d.code.as_str(),
        one_line(&d.message)
    )
}

/// Collapse a multi-line message into one line.
pub fn one_line(s: &str) -> String {
    s.split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn count(diags: &[Diagnostic], sev: Severity) -> usize {
    diags.iter().filter(|d| d.severity == sev).count()
}
