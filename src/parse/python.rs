//! The one place that talks to the Python parser (`ruff_python_parser`, pinned in
//! Cargo.toml). Upgrading the parser touches this module and the AST walkers only.
//!
//! Ruff's parser recovers from syntax errors, so one pass yields every error of a file,
//! which we report sorted by position.

use ruff_python_ast::ModModule;
use ruff_python_parser::{Mode, ParseOptions, parse_unchecked};
use ruff_text_size::TextRange;

pub use ruff_python_ast as ast;
pub use ruff_text_size::{Ranged, TextRange as Range, TextSize};

/// A syntax error with its location.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub range: TextRange,
    pub message: String,
}

/// A parsed module and the syntax errors the parser recovered from.
pub struct ParsedModule {
    pub module: ModModule,
    pub errors: Vec<SyntaxError>,
}

/// Parse Python source. Never fails: syntax errors are returned alongside a best-effort
/// tree.
pub fn parse(source: &str) -> ParsedModule {
    let parsed = parse_unchecked(source, ParseOptions::from(Mode::Module));
    let mut errors: Vec<SyntaxError> = parsed
        .errors()
        .iter()
        .map(|e| SyntaxError {
            range: e.location,
            message: e.error.to_string(),
        })
        .collect();
    // Errors about syntax newer than the parser's target version are not reported: the
    // flow may well run on that newer Python.
    errors.sort_by_key(|e| (e.range.start(), e.range.end()));
    let module = match parsed.into_syntax() {
        ruff_python_ast::Mod::Module(m) => m,
        // Mode::Module always yields a module; an empty one keeps this total.
        ruff_python_ast::Mod::Expression(e) => ModModule {
            range: e.range,
            node_index: Default::default(),
            body: Default::default(),
        },
    };
    ParsedModule { module, errors }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_every_syntax_error_sorted() {
        let p = parse("def f(:\n    pass\nx = (\nclass\n");
        assert!(p.errors.len() >= 2, "{:?}", p.errors);
        assert!(
            p.errors
                .windows(2)
                .all(|w| w[0].range.start() <= w[1].range.start())
        );
    }

    #[test]
    fn valid_source_has_no_errors() {
        let p = parse("x = f'{a!r:>{w}}'\nmatch x:\n    case _: pass\n");
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.module.body.len(), 2);
    }
}
