//! Human output through miette's graphical handler: the code, the message, the source
//! snippet with a labelled span, and help.

use std::io::Write;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

use super::{Summary, count};
use crate::diag::{Diagnostic, Severity};

/// Adapter from our diagnostic to miette's trait.
struct Report<'a> {
    d: &'a Diagnostic,
    source: Option<NamedSource<String>>,
}

impl std::fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl std::fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        Some(Box::new(format!(
            "{}({})",
            self.d.code.as_str(),
            self.d.code.name()
        )))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.d
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let loc = self.d.loc.as_ref()?;
        let start = usize::from(loc.range.start());
        let len = usize::from(loc.range.len());
        let span = SourceSpan::new(start.into(), len);
        let label = self
            .d
            .label
            .clone()
            .or_else(|| self.d.step.as_ref().map(|s| format!("step {s}")));
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            label, span,
        ))))
    }
}

pub fn write(
    out: &mut dyn Write,
    diags: &[Diagnostic],
    summary: Summary,
    color: bool,
) -> std::io::Result<()> {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    for d in diags {
        let source = d
            .loc
            .as_ref()
            .map(|l| NamedSource::new(l.file.display(), l.file.text().to_string()));
        let report = Report { d, source };
        let mut s = String::new();
        if handler.render_report(&mut s, &report).is_err() {
            s = format!("{}\n", super::concise_line(d));
        }
        if d.loc.is_none()
            && let Some(p) = d.path()
        {
            s.push_str(&format!("  in {p}\n"));
        }
        writeln!(out, "{s}")?;
    }
    let (e, w) = (
        count(diags, Severity::Error),
        count(diags, Severity::Warning),
    );
    let plural = |n: usize, w: &str| {
        if n == 1 {
            format!("{n} {w}")
        } else {
            format!("{n} {w}s")
        }
    };
    writeln!(
        out,
        "{} checked in {}: {}, {}.",
        plural(summary.flows, "flow"),
        plural(summary.files, "file"),
        plural(e, "error"),
        plural(w, "warning")
    )
}
