//! Diagnostics shared by every stage: a stable code, a severity, a message, and where in
//! the source it points. Rendering lives in [`render`]; the code registry in [`code`].

pub mod code;
pub mod render;

use std::sync::Arc;

use ruff_text_size::TextRange;
use serde::Serialize;

pub use code::Code;

use crate::parse::model::Loc;
use crate::parse::source::SourceFile;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// One finding.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// Where it points; `None` for findings about a flow as a whole that Metaflow reports
    /// without a line.
    pub loc: Option<Loc>,
    /// A line to report instead of the location's own line (Metaflow reports a few errors
    /// on a line that differs from the natural span).
    pub line_override: Option<u32>,
    /// The file the finding belongs to when there is no location.
    pub file: Option<Arc<SourceFile>>,
    pub flow: Option<String>,
    pub step: Option<String>,
    /// A short label shown under the span.
    pub label: Option<String>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.default_severity(),
            message: message.into(),
            loc: None,
            line_override: None,
            file: None,
            flow: None,
            step: None,
            label: None,
            help: None,
        }
    }

    pub fn at(mut self, loc: &Loc) -> Self {
        self.file = Some(loc.file.clone());
        self.loc = Some(loc.clone());
        self
    }

    pub fn at_range(self, file: &Arc<SourceFile>, range: TextRange) -> Self {
        self.at(&Loc {
            file: file.clone(),
            range,
        })
    }

    pub fn in_file(mut self, file: &Arc<SourceFile>) -> Self {
        self.file = Some(file.clone());
        self
    }

    pub fn flow(mut self, flow: &str) -> Self {
        self.flow = Some(flow.to_string());
        self
    }

    pub fn step(mut self, step: &str) -> Self {
        self.step = Some(step.to_string());
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn line_override(mut self, line: u32) -> Self {
        self.line_override = Some(line);
        self
    }

    /// 1-based line and column, if the finding has a location.
    pub fn line_col(&self) -> Option<(u32, u32)> {
        let loc = self.loc.as_ref()?;
        let (line, col) = loc.file.line_col(loc.range.start());
        match self.line_override {
            Some(l) if l != line => Some((l, 1)),
            _ => Some((line, col)),
        }
    }

    /// 1-based end line and column.
    pub fn end_line_col(&self) -> Option<(u32, u32)> {
        let loc = self.loc.as_ref()?;
        if self.line_override.is_some_and(|l| l != loc.line()) {
            return self.line_col();
        }
        Some(loc.file.line_col(loc.range.end()))
    }

    /// The file's display path.
    pub fn path(&self) -> Option<&str> {
        self.file.as_deref().map(SourceFile::display)
    }

    /// Order for output: by file, position, then code.
    pub fn sort_key(&self) -> (String, u32, u32, &'static str) {
        let (l, c) = self.line_col().unwrap_or((0, 0));
        (
            self.path().unwrap_or("").to_string(),
            l,
            c,
            self.code.as_str(),
        )
    }
}
