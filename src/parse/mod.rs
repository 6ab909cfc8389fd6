//! Python source → flow model. No Python runs: the file is parsed with Ruff's parser and
//! the FlowSpec classes are recovered from the syntax tree.

pub mod decorators;
pub mod eval;
pub mod extract;
pub mod literal;
pub mod loader;
pub mod model;
pub mod module;
pub mod python;
pub mod resolved;
pub mod settings;
pub mod source;

/// The Metaflow version whose semantics the reader, the overlay, the runner and the CLI
/// contract mirror.
pub const METAFLOW_VERSION: &str = "2.19.39";

use std::path::Path;
use std::sync::Arc;

use crate::diag::{Code, Diagnostic};
use model::Flow;
use source::SourceFile;

/// Stack size for threads that parse, walk or drop syntax trees. Ruff's parser and the
/// tree's destructor recurse once per nesting level, so a generated file with a 200,000-term
/// expression needs far more than the default 2-8 MiB; address space is reserved, not
/// committed, so a large value costs nothing for ordinary files.
pub const PARSE_STACK: usize = 1 << 30;

/// Run `f` on a thread with [`PARSE_STACK`] of stack, for callers on the main thread.
pub fn with_parse_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        let handle = std::thread::Builder::new()
            .stack_size(PARSE_STACK)
            .spawn_scoped(s, f);
        match handle {
            Ok(h) => match h.join() {
                Ok(v) => v,
                Err(p) => std::panic::resume_unwind(p),
            },
            Err(_) => no_thread(),
        }
    })
}

fn no_thread<T>() -> T {
    eprintln!("mf-windmill: error: cannot start a thread with a large stack");
    std::process::exit(2)
}

/// The result of reading one flow file.
pub struct FlowFile {
    pub source: Arc<SourceFile>,
    pub flows: Vec<Flow>,
    /// Syntax errors and declaration problems found while reading (MF0xx).
    pub diagnostics: Vec<Diagnostic>,
}

/// Read and parse one file. `Err` only for I/O errors (a missing or unreadable file);
/// invalid UTF-8 and syntax errors are diagnostics.
pub fn read_flow_file(path: &Path, display: &str) -> std::io::Result<FlowFile> {
    match loader::read_source(path, display) {
        Ok(source) => Ok(parse_flow_source(source)),
        Err(loader::ReadError::Io(e)) => Err(e),
        Err(loader::ReadError::InvalidUtf8 { source, offset }) => {
            let (line, _) = source.line_col((offset as u32).into());
            let d = Diagnostic::new(
                Code::InvalidUtf8,
                format!("The file is not valid UTF-8 (first invalid byte at offset {offset}, line {line}); Python cannot read it."),
            )
            .at_range(&source, ruff_text_size::TextRange::empty((offset as u32).into()));
            Ok(FlowFile {
                source,
                flows: Vec::new(),
                diagnostics: vec![d],
            })
        }
    }
}

/// Parse a source already in memory.
pub fn parse_flow_source(source: Arc<SourceFile>) -> FlowFile {
    let mut loader = loader::Loader::new(source.clone());
    let mut diagnostics: Vec<Diagnostic> = loader
        .module(loader::Loader::ROOT)
        .syntax_errors
        .iter()
        .map(|e| Diagnostic::new(Code::SyntaxError, e.message.clone()).at_range(&source, e.range))
        .collect();
    let extracted = extract::extract(&mut loader);
    diagnostics.extend(extracted.diagnostics);
    FlowFile {
        source,
        flows: extracted.flows,
        diagnostics,
    }
}
