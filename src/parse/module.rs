//! A parsed Python module and what its top-level names refer to.
//!
//! Only what flow recovery needs is resolved: names imported from `metaflow`, module
//! aliases, classes defined at top level, and names imported from modules of the flow's
//! own directory (which [`super::loader::Loader`] can read too).

use std::collections::HashMap;
use std::sync::Arc;

use ruff_python_ast::{Expr, ModModule, Stmt, StmtClassDef};

use super::python::{self, SyntaxError};
use super::source::SourceFile;

/// What a top-level name is bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Symbol {
    /// `metaflow.<name>`, e.g. `from metaflow import step as s` binds `s` to `step`.
    Metaflow(String),
    /// The `metaflow` module itself (or a submodule), e.g. `import metaflow as mf`.
    MetaflowModule,
    /// A class defined at top level of this module (index into `body`).
    Class(usize),
    /// Another module: `import helpers` or `from . import helpers`.
    Module { module: String, level: u32 },
    /// A name imported from another module: `from base import BaseFlow`.
    Imported {
        module: String,
        level: u32,
        name: String,
    },
    /// Something else (a function, a variable, a builtin).
    Other,
}

/// A parsed module.
pub struct Module {
    pub source: Arc<SourceFile>,
    pub ast: ModModule,
    pub syntax_errors: Vec<SyntaxError>,
    symbols: HashMap<String, Symbol>,
    pub star_from_metaflow: bool,
}

impl Module {
    pub fn parse(source: Arc<SourceFile>) -> Self {
        let parsed = python::parse(source.text());
        let mut m = Module {
            source,
            ast: parsed.module,
            syntax_errors: parsed.errors,
            symbols: HashMap::new(),
            star_from_metaflow: false,
        };
        let body = std::mem::take(&mut m.ast.body);
        for (i, stmt) in body.iter().enumerate() {
            m.bind(stmt, Some(i));
        }
        m.ast.body = body;
        m
    }

    /// Record the bindings a top-level statement makes. Statements nested in `if`/`try`/
    /// `with` at top level bind module names too (e.g. `try: from metaflow import ...`).
    fn bind(&mut self, stmt: &Stmt, index: Option<usize>) {
        match stmt {
            Stmt::Import(imp) => {
                for alias in &imp.names {
                    let full = alias.name.id.as_str();
                    let is_mf = full == "metaflow" || full.starts_with("metaflow.");
                    match &alias.asname {
                        Some(asname) => {
                            let sym = if is_mf {
                                Symbol::MetaflowModule
                            } else {
                                Symbol::Module {
                                    module: full.to_string(),
                                    level: 0,
                                }
                            };
                            self.symbols.insert(asname.id.to_string(), sym);
                        }
                        None => {
                            // `import a.b` binds `a`.
                            let head = full.split('.').next().unwrap_or(full);
                            let sym = if head == "metaflow" {
                                Symbol::MetaflowModule
                            } else {
                                Symbol::Module {
                                    module: head.to_string(),
                                    level: 0,
                                }
                            };
                            self.symbols.insert(head.to_string(), sym);
                        }
                    }
                }
            }
            Stmt::ImportFrom(imp) => {
                let module = imp.module.as_ref().map_or("", |m| m.id.as_str());
                let is_mf =
                    imp.level == 0 && (module == "metaflow" || module.starts_with("metaflow."));
                for alias in &imp.names {
                    let name = alias.name.id.as_str();
                    if name == "*" {
                        if is_mf {
                            self.star_from_metaflow = true;
                        }
                        continue;
                    }
                    let bound = alias.asname.as_ref().map_or(name, |a| a.id.as_str());
                    let sym = if is_mf {
                        Symbol::Metaflow(name.to_string())
                    } else if module.is_empty() {
                        // `from . import helpers`
                        Symbol::Module {
                            module: name.to_string(),
                            level: imp.level,
                        }
                    } else {
                        Symbol::Imported {
                            module: module.to_string(),
                            level: imp.level,
                            name: name.to_string(),
                        }
                    };
                    self.symbols.insert(bound.to_string(), sym);
                }
            }
            Stmt::ClassDef(c) => {
                let sym = index.map_or(Symbol::Other, Symbol::Class);
                self.symbols.insert(c.name.id.to_string(), sym);
            }
            Stmt::FunctionDef(f) => {
                self.symbols.insert(f.name.id.to_string(), Symbol::Other);
            }
            Stmt::Assign(a) => {
                for t in &a.targets {
                    if let Expr::Name(n) = t {
                        self.symbols.insert(n.id.to_string(), Symbol::Other);
                    }
                }
            }
            Stmt::If(s) => {
                for st in s
                    .body
                    .iter()
                    .chain(s.elif_else_clauses.iter().flat_map(|c| c.body.iter()))
                {
                    self.bind(st, None);
                }
            }
            Stmt::Try(t) => {
                for st in t
                    .body
                    .iter()
                    .chain(t.orelse.iter())
                    .chain(t.finalbody.iter())
                {
                    self.bind(st, None);
                }
                // Handlers usually hold fallbacks (`except ImportError: ...`); the first
                // binding in the try body wins for our purposes, so bind handlers only
                // where the try body did not.
                for h in &t.handlers {
                    let ruff_python_ast::ExceptHandler::ExceptHandler(h) = h;
                    for st in &h.body {
                        let mut tmp = Module::empty(self.source.clone());
                        tmp.bind(st, None);
                        for (k, v) in tmp.symbols {
                            self.symbols.entry(k).or_insert(v);
                        }
                    }
                }
            }
            Stmt::With(w) => {
                for st in &w.body {
                    self.bind(st, None);
                }
            }
            _ => {}
        }
    }

    fn empty(source: Arc<SourceFile>) -> Self {
        Module {
            source,
            ast: ModModule {
                node_index: Default::default(),
                range: Default::default(),
                body: Default::default(),
            },
            syntax_errors: Vec::new(),
            symbols: HashMap::new(),
            star_from_metaflow: false,
        }
    }

    /// Whether the module binds `name` at top level (a builtin of that name is shadowed).
    pub fn binds(&self, name: &str) -> bool {
        self.symbols.contains_key(name)
    }

    /// What a bare name refers to at module level.
    pub fn symbol(&self, name: &str) -> Symbol {
        match self.symbols.get(name) {
            Some(s) => s.clone(),
            None if self.star_from_metaflow => Symbol::Metaflow(name.to_string()),
            None => Symbol::Other,
        }
    }

    /// Resolve a name or dotted attribute expression (`step`, `metaflow.step`, `mf.FlowSpec`,
    /// `base.BaseFlow`) to a symbol.
    pub fn resolve(&self, expr: &Expr) -> Symbol {
        match expr {
            Expr::Name(n) => self.symbol(n.id.as_str()),
            Expr::Attribute(a) => match self.resolve(&a.value) {
                Symbol::MetaflowModule | Symbol::Metaflow(_) => {
                    // `metaflow.decorators.step` style chains: the last name is what counts.
                    Symbol::Metaflow(a.attr.id.to_string())
                }
                Symbol::Module { module, level } => Symbol::Imported {
                    module,
                    level,
                    name: a.attr.id.to_string(),
                },
                _ => Symbol::Other,
            },
            _ => Symbol::Other,
        }
    }

    pub fn class(&self, index: usize) -> Option<&StmtClassDef> {
        match self.ast.body.get(index)? {
            Stmt::ClassDef(c) => Some(c),
            _ => None,
        }
    }

    /// Top-level classes in definition order, with their statement indexes.
    pub fn classes(&self) -> impl Iterator<Item = (usize, &StmtClassDef)> {
        self.ast
            .body
            .iter()
            .enumerate()
            .filter_map(|(i, s)| match s {
                Stmt::ClassDef(c) => Some((i, c)),
                _ => None,
            })
    }

    /// Whether the module mentions `metaflow` at all; a cheap filter for directory walks.
    pub fn mentions_metaflow(text: &str) -> bool {
        text.contains("metaflow")
    }
}
