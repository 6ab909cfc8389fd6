//! Static evaluation of the Python expressions a careful reader can evaluate without running
//! the file, with Python's (and Metaflow's) semantics:
//!
//! - literals, and tuples/lists/sets/dicts of evaluable values;
//! - module-level constants bound exactly once, before the use, by a plain assignment;
//! - `+ - * / // % **` on numbers, `+`/`*` on strings, lists and tuples, `not`, `x if c else y`;
//! - f-strings whose fields are evaluable (no format spec);
//! - `str(x)`, `"sep".join([...])`, `s.upper()`, `s.lower()`;
//! - paths built from `__file__`: `os.path.join/dirname/basename/normpath/realpath/abspath`
//!   (only where a path is expected, see [`Env::file_paths`]);
//! - module-level helper functions whose body is imports, local assignments and a `return`
//!   of such expressions (Metaflow's tutorials' `script_path`);
//! - Config values: `cfg.key` / `cfg["key"]` on a `Config` class attribute and
//!   `config_expr("cfg.key")`, from the config's `default_value=` or its `default=` JSON file.
//!
//! Anything else is unknown (`None`): callers report it, never guess.
//!
//! `__file__` is the module's path relative to the flow's directory, because every step runs
//! the flow from the code bundle, whose root is that directory; `realpath`/`abspath` keep a
//! relative path relative (it names the same file from the bundle). A value built that way
//! depends on where the file is, so it is accepted only where the caller says a path is
//! expected (an IncludeFile default, a Config `default=` file).

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::path::Path;

use ruff_python_ast::{
    ConversionFlag, Expr, FStringPart, InterpolatedStringElement, Operator, Stmt, StmtFunctionDef,
    UnaryOp,
};

use super::literal::{self, Literal};
use super::module::{Module, Symbol};

/// Where an expression is evaluated.
pub struct Env<'a> {
    pub module: &'a Module,
    /// The flow file's directory (`__file__` is made relative to it).
    pub flow_dir: &'a Path,
    /// Index of the top-level statement the expression belongs to: module-level names must be
    /// bound by an earlier statement (Python runs the module top to bottom).
    pub before: usize,
    /// `Some` when the expression is evaluated in a class body (decorator and declaration
    /// arguments): the names that class body binds, which shadow module-level names (their
    /// values are not evaluated: unknown). `None` in a function body or at module level,
    /// where class-body names are not visible.
    pub class_bound: Option<&'a HashSet<String>>,
    /// Class-scope names bound to `Config(...)` objects: attribute → config name (only
    /// consulted in class scope).
    pub config_attrs: &'a HashMap<String, String>,
    /// The flow's config values by config name (`None`: not known statically).
    pub configs: &'a HashMap<String, Option<Literal>>,
    /// Whether a value built from `__file__` is acceptable here.
    pub file_paths: bool,
}

impl Env<'_> {
    /// Evaluate `expr`; `None` when it cannot be known statically.
    pub fn eval(&self, expr: &Expr) -> Option<Literal> {
        let ev = Ev {
            env: self,
            file_dep: Cell::new(false),
            depth: Cell::new(0),
        };
        let function_scope = Locals::new();
        let locals = match self.class_bound {
            Some(_) => None,
            None => Some(&function_scope),
        };
        let v = ev.expr(expr, locals, self.before)?;
        if ev.file_dep.get() && !self.file_paths {
            return None;
        }
        match v {
            V::Lit(l) | V::Config(l) => Some(l),
            _ => None,
        }
    }
}

/// A class-body environment without configs or paths (for the Config declarations
/// themselves).
pub fn module_env<'a>(
    module: &'a Module,
    flow_dir: &'a Path,
    before: usize,
    class_bound: &'a HashSet<String>,
    empty_attrs: &'a HashMap<String, String>,
    empty_configs: &'a HashMap<String, Option<Literal>>,
) -> Env<'a> {
    Env {
        module,
        flow_dir,
        before,
        class_bound: Some(class_bound),
        config_attrs: empty_attrs,
        configs: empty_configs,
        file_paths: false,
    }
}

/// An intermediate value.
#[derive(Debug, Clone)]
enum V {
    Lit(Literal),
    /// A `ConfigValue` (attribute access reads keys).
    Config(Literal),
    /// A module, by dotted name (`os`, `os.path`).
    Module(String),
    /// A function we know, by qualified name (`os.path.join`, `str`, `metaflow.config_expr`).
    Builtin(String),
    /// A method of a string value.
    StrMethod(String, String),
    /// A module-level function of the module (statement index).
    Func(usize),
}

type Locals = HashMap<String, V>;

struct Ev<'a, 'e> {
    env: &'e Env<'a>,
    file_dep: Cell<bool>,
    depth: Cell<u32>,
}

const MAX_DEPTH: u32 = 48;

impl Ev<'_, '_> {
    fn lit(&self, e: &Expr, locals: Option<&Locals>, before: usize) -> Option<Literal> {
        match self.expr(e, locals, before)? {
            V::Lit(l) | V::Config(l) => Some(l),
            _ => None,
        }
    }

    fn expr(&self, e: &Expr, locals: Option<&Locals>, before: usize) -> Option<V> {
        if self.depth.get() > MAX_DEPTH {
            return None;
        }
        self.depth.set(self.depth.get() + 1);
        let out = self.expr_inner(e, locals, before);
        self.depth.set(self.depth.get() - 1);
        out
    }

    fn expr_inner(&self, e: &Expr, locals: Option<&Locals>, before: usize) -> Option<V> {
        if let Some(c) = literal::constant(e) {
            return Some(V::Lit(c));
        }
        let all = |items: &[Expr]| -> Option<Vec<Literal>> {
            items.iter().map(|x| self.lit(x, locals, before)).collect()
        };
        Some(match e {
            Expr::Name(n) => return self.name(n.id.as_str(), locals, before),
            Expr::List(l) => V::Lit(Literal::List(all(&l.elts)?)),
            Expr::Tuple(t) => V::Lit(Literal::Tuple(all(&t.elts)?)),
            Expr::Set(s) => V::Lit(Literal::Set(all(&s.elts)?)),
            Expr::Dict(d) => {
                let mut items: Vec<(Literal, Literal)> = Vec::new();
                for item in &d.items {
                    let key = self.lit(item.key.as_ref()?, locals, before)?;
                    let value = self.lit(&item.value, locals, before)?;
                    match items.iter_mut().find(|(k, _)| k.py_eq(&key)) {
                        Some(slot) => slot.1 = value,
                        None => items.push((key, value)),
                    }
                }
                V::Lit(Literal::Dict(items))
            }
            Expr::UnaryOp(u) => {
                let v = self.lit(&u.operand, locals, before)?;
                V::Lit(match u.op {
                    UnaryOp::Not => Literal::Bool(!v.truthy()),
                    UnaryOp::USub => match v {
                        Literal::Int(_) | Literal::Bool(_) => int(-as_int(&v)?),
                        Literal::Float(f) => Literal::Float(-f),
                        _ => return None,
                    },
                    UnaryOp::UAdd => match v {
                        Literal::Int(_) | Literal::Bool(_) => int(as_int(&v)?),
                        Literal::Float(_) => v,
                        _ => return None,
                    },
                    UnaryOp::Invert => int(!as_int(&v)?),
                })
            }
            Expr::BinOp(b) => {
                let l = self.lit(&b.left, locals, before)?;
                let r = self.lit(&b.right, locals, before)?;
                V::Lit(binop(&l, b.op, &r)?)
            }
            Expr::If(i) => {
                let test = self.lit(&i.test, locals, before)?;
                let branch = if test.truthy() { &i.body } else { &i.orelse };
                return self.expr(branch, locals, before);
            }
            Expr::FString(f) => {
                let mut out = String::new();
                for part in f.value.as_slice() {
                    match part {
                        FStringPart::Literal(s) => out.push_str(&s.value),
                        FStringPart::FString(fs) => {
                            for el in fs.elements.iter() {
                                match el {
                                    InterpolatedStringElement::Literal(l) => out.push_str(&l.value),
                                    InterpolatedStringElement::Interpolation(i) => {
                                        if i.debug_text.is_some() || i.format_spec.is_some() {
                                            return None;
                                        }
                                        let v = self.lit(&i.expression, locals, before)?;
                                        match i.conversion {
                                            ConversionFlag::None | ConversionFlag::Str => {
                                                out.push_str(&str_of(&v)?)
                                            }
                                            ConversionFlag::Repr => out.push_str(&v.python_repr()),
                                            ConversionFlag::Ascii => return None,
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                V::Lit(Literal::Str(out))
            }
            Expr::Attribute(a) => {
                let base = self.expr(&a.value, locals, before)?;
                let attr = a.attr.id.as_str();
                match base {
                    V::Module(m) => {
                        let q = format!("{m}.{attr}");
                        if q == "os.path" {
                            V::Module(q)
                        } else {
                            V::Builtin(q)
                        }
                    }
                    V::Config(l) => config_get(&l, &Literal::Str(attr.to_string()))?,
                    V::Lit(Literal::Str(s)) => V::StrMethod(s, attr.to_string()),
                    _ => return None,
                }
            }
            Expr::Subscript(s) => {
                let base = self.expr(&s.value, locals, before)?;
                let key = self.lit(&s.slice, locals, before)?;
                match base {
                    V::Config(l) => config_get(&l, &key)?,
                    V::Lit(l) => V::Lit(index(&l, &key)?),
                    _ => return None,
                }
            }
            Expr::Call(c) => {
                if !c.arguments.keywords.is_empty() {
                    return None;
                }
                let func = self.expr(&c.func, locals, before)?;
                let args: Vec<Literal> = all(&c.arguments.args)?;
                return self.call(func, args, before);
            }
            _ => return None,
        })
    }

    fn name(&self, name: &str, locals: Option<&Locals>, before: usize) -> Option<V> {
        if let Some(locals) = locals {
            if let Some(v) = locals.get(name) {
                return Some(v.clone());
            }
        } else {
            // Class scope: a Config attribute of the class being defined, or another name
            // its body binds (shadowing the module's).
            if let Some(cfg) = self.env.config_attrs.get(name) {
                return Some(V::Config(self.env.configs.get(cfg)?.clone()?));
            }
            if self.env.class_bound.is_some_and(|b| b.contains(name)) {
                return None;
            }
        }
        let m = self.env.module;
        match m.symbol(name) {
            Symbol::Metaflow(n) => return Some(V::Builtin(format!("metaflow.{n}"))),
            Symbol::Module { module, level: 0 } => return Some(V::Module(module)),
            Symbol::Imported {
                module,
                level: 0,
                name,
            } if module == "os" || module == "os.path" => {
                let q = format!("{module}.{name}");
                return Some(if q == "os.path" {
                    V::Module(q)
                } else {
                    V::Builtin(q)
                });
            }
            Symbol::Other => {}
            _ => return None,
        }
        match bindings(m, name) {
            Bindings::None if name == "__file__" => {
                self.file_dep.set(true);
                let path = m.source.path();
                let rel = path.strip_prefix(self.env.flow_dir).ok()?;
                Some(V::Lit(Literal::Str(rel.to_str()?.to_string())))
            }
            Bindings::None if matches!(name, "str" | "int" | "float" | "len") => {
                Some(V::Builtin(name.to_string()))
            }
            Bindings::Once(i) if i < before => match &m.ast.body[i] {
                // Module scope: class-body names are not visible there.
                Stmt::Assign(a) => self.expr(&a.value, Some(&Locals::new()), i),
                Stmt::AnnAssign(a) => self.expr(a.value.as_deref()?, Some(&Locals::new()), i),
                Stmt::FunctionDef(f) if f.decorator_list.is_empty() && !f.is_async => {
                    Some(V::Func(i))
                }
                _ => None,
            },
            _ => None,
        }
    }

    fn call(&self, func: V, args: Vec<Literal>, before: usize) -> Option<V> {
        let strs = || -> Option<Vec<String>> {
            args.iter()
                .map(|a| a.as_str().map(str::to_string))
                .collect()
        };
        let one = || -> Option<&Literal> { if args.len() == 1 { args.first() } else { None } };
        let path_fn = |f: fn(&str) -> String| -> Option<V> {
            let s = one()?.as_str()?;
            Some(V::Lit(Literal::Str(f(s))))
        };
        match func {
            V::Builtin(q) => match q.as_str() {
                "os.path.join" if !args.is_empty() => {
                    Some(V::Lit(Literal::Str(posix_join(&strs()?))))
                }
                "os.path.dirname" => path_fn(dirname),
                "os.path.basename" => path_fn(basename),
                "os.path.normpath" => path_fn(normpath),
                "os.path.realpath" | "os.path.abspath" => {
                    // Relative to the bundle's root at run time: machine-dependent otherwise.
                    self.file_dep.set(true);
                    path_fn(normpath)
                }
                "str" if args.is_empty() => Some(V::Lit(Literal::Str(String::new()))),
                "str" => Some(V::Lit(Literal::Str(str_of(one()?)?))),
                "int" => Some(V::Lit(match one()? {
                    Literal::Str(s) => int(s.trim().parse::<i128>().ok()?),
                    Literal::Float(f) if f.is_finite() => int(f.trunc() as i128),
                    l @ (Literal::Int(_) | Literal::Bool(_)) => int(as_int(l)?),
                    _ => return None,
                })),
                "float" => Some(V::Lit(Literal::Float(match one()? {
                    Literal::Str(s) => s.trim().parse().ok()?,
                    l => l.as_f64()?,
                }))),
                "len" => Some(V::Lit(int(match one()? {
                    Literal::Str(s) => s.chars().count() as i128,
                    Literal::List(v) | Literal::Tuple(v) | Literal::Set(v) => v.len() as i128,
                    Literal::Dict(v) => v.len() as i128,
                    _ => return None,
                }))),
                "metaflow.config_expr" => {
                    let text = one()?.as_str()?;
                    let parsed = ruff_python_parser::parse_expression(text).ok()?;
                    // Evaluated with the configs (by name) as the only local names.
                    let locals: Locals = self
                        .env
                        .configs
                        .iter()
                        .filter_map(|(k, v)| Some((k.clone(), V::Config(v.clone()?))))
                        .collect();
                    self.expr(parsed.expr(), Some(&locals), before)
                }
                _ => None,
            },
            V::StrMethod(s, m) => match m.as_str() {
                "join" => {
                    let items = match one()? {
                        Literal::List(v) | Literal::Tuple(v) => v,
                        _ => return None,
                    };
                    let parts: Option<Vec<&str>> = items.iter().map(Literal::as_str).collect();
                    Some(V::Lit(Literal::Str(parts?.join(&s))))
                }
                "upper" if args.is_empty() => Some(V::Lit(Literal::Str(s.to_uppercase()))),
                "lower" if args.is_empty() => Some(V::Lit(Literal::Str(s.to_lowercase()))),
                _ => None,
            },
            V::Func(i) => match &self.env.module.ast.body[i] {
                Stmt::FunctionDef(f) => self.call_function(f, args, before),
                _ => None,
            },
            _ => None,
        }
    }

    /// A helper whose body is a docstring, imports, assignments to local names and a
    /// `return`: evaluated statement by statement.
    fn call_function(&self, f: &StmtFunctionDef, args: Vec<Literal>, before: usize) -> Option<V> {
        let p = &f.parameters;
        if p.vararg.is_some() || p.kwarg.is_some() || !p.kwonlyargs.is_empty() {
            return None;
        }
        let params: Vec<_> = p.posonlyargs.iter().chain(p.args.iter()).collect();
        if args.len() > params.len() {
            return None;
        }
        let mut locals = Locals::new();
        for (i, param) in params.iter().enumerate() {
            let v = match args.get(i) {
                Some(a) => a.clone(),
                // Defaults are evaluated where the function is defined (module scope).
                None => self.lit(param.default.as_deref()?, Some(&Locals::new()), before)?,
            };
            locals.insert(param.parameter.name.id.to_string(), V::Lit(v));
        }
        for (k, st) in f.body.iter().enumerate() {
            match st {
                Stmt::Expr(e) if k == 0 && matches!(&*e.value, Expr::StringLiteral(_)) => {}
                Stmt::Import(imp) => {
                    for a in &imp.names {
                        let full = a.name.id.as_str();
                        match &a.asname {
                            Some(asn) => locals.insert(asn.id.to_string(), V::Module(full.into())),
                            None => {
                                let head = full.split('.').next().unwrap_or(full);
                                locals.insert(head.to_string(), V::Module(head.into()))
                            }
                        };
                    }
                }
                Stmt::ImportFrom(imp) if imp.level == 0 => {
                    let module = imp.module.as_ref()?.id.as_str();
                    for a in &imp.names {
                        let n = a.name.id.as_str();
                        let bound = a.asname.as_ref().map_or(n, |x| x.id.as_str());
                        let q = format!("{module}.{n}");
                        let v = if q == "os.path" {
                            V::Module(q)
                        } else {
                            V::Builtin(q)
                        };
                        locals.insert(bound.to_string(), v);
                    }
                }
                Stmt::Assign(a) => {
                    let v = self.expr(&a.value, Some(&locals), before)?;
                    for t in &a.targets {
                        let Expr::Name(n) = t else { return None };
                        locals.insert(n.id.to_string(), v.clone());
                    }
                }
                Stmt::Return(r) => {
                    return match &r.value {
                        Some(v) => self.expr(v, Some(&locals), before),
                        None => Some(V::Lit(Literal::None)),
                    };
                }
                _ => return None,
            }
        }
        Some(V::Lit(Literal::None))
    }
}

/// How a module binds a name at top level (including inside top-level `if`/`try`/`for`/
/// `with` blocks), or from a function through `global`.
enum Bindings {
    None,
    /// Bound once, by the top-level statement at this index.
    Once(usize),
    Many,
}

fn bindings(m: &Module, name: &str) -> Bindings {
    fn count(st: &Stmt, name: &str, n: &mut usize) {
        let is = |e: &Expr| matches!(e, Expr::Name(x) if x.id.as_str() == name);
        let targets = |e: &Expr, n: &mut usize| {
            use ruff_python_ast::visitor::{self, Visitor};
            struct Names<'a> {
                name: &'a str,
                n: usize,
            }
            impl<'b> Visitor<'b> for Names<'_> {
                fn visit_expr(&mut self, e: &'b Expr) {
                    if matches!(e, Expr::Name(x) if x.id.as_str() == self.name) {
                        self.n += 1;
                    }
                    visitor::walk_expr(self, e);
                }
            }
            let mut v = Names { name, n: 0 };
            v.visit_expr(e);
            *n += v.n;
        };
        match st {
            Stmt::Assign(a) => a.targets.iter().for_each(|t| targets(t, n)),
            Stmt::AnnAssign(a) if a.value.is_some() && is(&a.target) => *n += 1,
            Stmt::AugAssign(a) if is(&a.target) => *n += 1,
            Stmt::FunctionDef(f) => {
                if f.name.id.as_str() == name {
                    *n += 1;
                }
                if global_in(&f.body, name) {
                    *n += 2;
                }
            }
            Stmt::ClassDef(c) if c.name.id.as_str() == name => *n += 1,
            Stmt::Import(i) => {
                for a in &i.names {
                    let bound = a.asname.as_ref().map_or_else(
                        || a.name.id.split('.').next().unwrap_or_default(),
                        |x| x.id.as_str(),
                    );
                    if bound == name {
                        *n += 1;
                    }
                }
            }
            Stmt::ImportFrom(i) => {
                for a in &i.names {
                    let bound = a
                        .asname
                        .as_ref()
                        .map_or(a.name.id.as_str(), |x| x.id.as_str());
                    if bound == name || bound == "*" {
                        *n += 1;
                    }
                }
            }
            Stmt::For(f) => {
                targets(&f.target, n);
                f.body
                    .iter()
                    .chain(&f.orelse)
                    .for_each(|s| count(s, name, n));
            }
            Stmt::While(w) => w
                .body
                .iter()
                .chain(&w.orelse)
                .for_each(|s| count(s, name, n)),
            Stmt::If(i) => i
                .body
                .iter()
                .chain(i.elif_else_clauses.iter().flat_map(|c| c.body.iter()))
                .for_each(|s| count(s, name, n)),
            Stmt::With(w) => {
                for item in &w.items {
                    if let Some(v) = &item.optional_vars {
                        targets(v, n);
                    }
                }
                w.body.iter().for_each(|s| count(s, name, n));
            }
            Stmt::Try(t) => {
                t.body
                    .iter()
                    .chain(&t.orelse)
                    .chain(&t.finalbody)
                    .for_each(|s| count(s, name, n));
                for h in &t.handlers {
                    let ruff_python_ast::ExceptHandler::ExceptHandler(h) = h;
                    h.body.iter().for_each(|s| count(s, name, n));
                }
            }
            Stmt::Delete(_) | Stmt::Match(_) => *n += 2,
            _ => {}
        }
    }
    let mut found = None;
    let mut total = 0;
    for (i, st) in m.ast.body.iter().enumerate() {
        let mut n = 0;
        count(st, name, &mut n);
        if n > 0 && found.is_none() {
            found = Some(i);
        }
        total += n;
    }
    // Class bodies can declare `global` too.
    for st in &m.ast.body {
        if let Stmt::ClassDef(c) = st
            && global_in(&c.body, name)
        {
            total += 2;
        }
    }
    let direct = found.is_some_and(|i| {
        matches!(
            &m.ast.body[i],
            Stmt::Assign(_) | Stmt::AnnAssign(_) | Stmt::FunctionDef(_)
        )
    });
    match (total, found) {
        (0, _) => Bindings::None,
        (1, Some(i)) if direct => Bindings::Once(i),
        _ => Bindings::Many,
    }
}

/// Whether a `global name` statement appears anywhere in these statements (nested too).
fn global_in(body: &[Stmt], name: &str) -> bool {
    use ruff_python_ast::visitor::{self, Visitor};
    struct G<'a> {
        name: &'a str,
        hit: bool,
    }
    impl<'b> Visitor<'b> for G<'_> {
        fn visit_stmt(&mut self, s: &'b Stmt) {
            if let Stmt::Global(g) = s
                && g.names.iter().any(|n| n.id.as_str() == self.name)
            {
                self.hit = true;
            }
            visitor::walk_stmt(self, s);
        }
    }
    let mut g = G { name, hit: false };
    for s in body {
        g.visit_stmt(s);
    }
    g.hit
}

fn config_get(l: &Literal, key: &Literal) -> Option<V> {
    let Literal::Dict(kv) = l else { return None };
    let v = kv.iter().find(|(k, _)| k.py_eq(key))?.1.clone();
    Some(match v {
        d @ Literal::Dict(_) => V::Config(d),
        other => V::Lit(other),
    })
}

fn index(l: &Literal, key: &Literal) -> Option<Literal> {
    match l {
        Literal::Dict(kv) => Some(kv.iter().find(|(k, _)| k.py_eq(key))?.1.clone()),
        Literal::List(v) | Literal::Tuple(v) => {
            let i = as_int(key)?;
            let n = v.len() as i128;
            let i = if i < 0 { i + n } else { i };
            if (0..n).contains(&i) {
                Some(v[i as usize].clone())
            } else {
                None
            }
        }
        _ => None,
    }
}

/// `str(v)`; `None` where Python's `str` of the value is not what [`Literal::python_str`]
/// gives (bytes, containers of them).
fn str_of(v: &Literal) -> Option<String> {
    match v {
        Literal::Bytes(_) => None,
        other => Some(other.python_str()),
    }
}

fn as_int(l: &Literal) -> Option<i128> {
    match l {
        Literal::Int(s) => s.parse().ok(),
        Literal::Bool(b) => Some(i128::from(*b)),
        _ => None,
    }
}

fn int(i: i128) -> Literal {
    Literal::Int(i.to_string())
}

fn is_num(l: &Literal) -> bool {
    matches!(l, Literal::Int(_) | Literal::Bool(_) | Literal::Float(_))
}

fn binop(l: &Literal, op: Operator, r: &Literal) -> Option<Literal> {
    use Literal as L;
    // Sequences.
    match (l, op, r) {
        (L::Str(a), Operator::Add, L::Str(b)) => return Some(L::Str(format!("{a}{b}"))),
        (L::List(a), Operator::Add, L::List(b)) => {
            return Some(L::List(a.iter().chain(b).cloned().collect()));
        }
        (L::Tuple(a), Operator::Add, L::Tuple(b)) => {
            return Some(L::Tuple(a.iter().chain(b).cloned().collect()));
        }
        (L::Str(_) | L::List(_) | L::Tuple(_), Operator::Mult, n @ (L::Int(_) | L::Bool(_)))
        | (n @ (L::Int(_) | L::Bool(_)), Operator::Mult, L::Str(_) | L::List(_) | L::Tuple(_)) => {
            let (seq, times) = if is_num(l) { (r, n) } else { (l, n) };
            let times = usize::try_from(as_int(times)?.max(0)).ok()?;
            if times > 10_000 {
                return None;
            }
            return Some(match seq {
                L::Str(s) => L::Str(s.repeat(times)),
                L::List(v) => L::List(v.iter().cloned().cycle().take(v.len() * times).collect()),
                L::Tuple(v) => L::Tuple(v.iter().cloned().cycle().take(v.len() * times).collect()),
                _ => return None,
            });
        }
        _ => {}
    }
    if !is_num(l) || !is_num(r) {
        return None;
    }
    if let (Some(a), Some(b)) = (as_int(l), as_int(r)) {
        return Some(match op {
            Operator::Add => int(a.checked_add(b)?),
            Operator::Sub => int(a.checked_sub(b)?),
            Operator::Mult => int(a.checked_mul(b)?),
            Operator::FloorDiv if b != 0 => {
                let q = a / b;
                int(if a % b != 0 && ((a < 0) != (b < 0)) {
                    q - 1
                } else {
                    q
                })
            }
            Operator::Mod if b != 0 => {
                let m = a % b;
                int(if m != 0 && ((m < 0) != (b < 0)) {
                    m + b
                } else {
                    m
                })
            }
            Operator::Div if b != 0 => L::Float(a as f64 / b as f64),
            Operator::Pow if (0..=256).contains(&b) => int(a.checked_pow(u32::try_from(b).ok()?)?),
            _ => return None,
        });
    }
    let (a, b) = (l.as_f64()?, r.as_f64()?);
    let v = match op {
        Operator::Add => a + b,
        Operator::Sub => a - b,
        Operator::Mult => a * b,
        Operator::Div if b != 0.0 => a / b,
        Operator::FloorDiv if b != 0.0 => (a / b).floor(),
        _ => return None,
    };
    if !v.is_finite() {
        return None;
    }
    Some(L::Float(v))
}

/// `posixpath.join`.
fn posix_join(parts: &[String]) -> String {
    let mut out = String::new();
    for p in parts {
        if p.starts_with('/') {
            out = p.clone();
        } else if out.is_empty() || out.ends_with('/') {
            out.push_str(p);
        } else {
            out.push('/');
            out.push_str(p);
        }
    }
    out
}

/// `posixpath.dirname`.
fn dirname(p: &str) -> String {
    let i = p.rfind('/').map_or(0, |i| i + 1);
    let head = &p[..i];
    if !head.is_empty() && head.chars().any(|c| c != '/') {
        head.trim_end_matches('/').to_string()
    } else {
        head.to_string()
    }
}

/// `posixpath.basename`.
fn basename(p: &str) -> String {
    p.rsplit('/').next().unwrap_or(p).to_string()
}

/// `posixpath.normpath`.
fn normpath(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let initial = if p.starts_with("//") && !p.starts_with("///") {
        2
    } else {
        usize::from(p.starts_with('/'))
    };
    let mut comps: Vec<&str> = Vec::new();
    for c in p.split('/') {
        if c.is_empty() || c == "." {
            continue;
        }
        if c != ".."
            || (initial == 0 && comps.is_empty())
            || comps.last().is_some_and(|l| *l == "..")
        {
            comps.push(c);
        } else if !comps.is_empty() {
            comps.pop();
        }
    }
    let s = format!("{}{}", "/".repeat(initial), comps.join("/"));
    if s.is_empty() { ".".into() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::source::SourceFile;

    fn eval_last(src: &str, file_paths: bool) -> Option<Literal> {
        let m = Module::parse(SourceFile::new(
            Path::new("/d/flow.py"),
            "flow.py",
            src.to_string(),
        ));
        let last = m.ast.body.len() - 1;
        let Stmt::Assign(a) = &m.ast.body[last] else {
            panic!()
        };
        let attrs = HashMap::from([("cfg".to_string(), "config".to_string())]);
        let cfg = Literal::from_json(&serde_json::json!({"retries": 2, "env": {"X": "y"}}));
        let configs = HashMap::from([("config".to_string(), Some(cfg))]);
        let bound = HashSet::from(["SHADOWED".to_string()]);
        let env = Env {
            module: &m,
            flow_dir: Path::new("/d"),
            before: last,
            class_bound: Some(&bound),
            config_attrs: &attrs,
            configs: &configs,
            file_paths,
        };
        env.eval(&a.value)
    }

    fn s(v: &str) -> Option<Literal> {
        Some(Literal::Str(v.into()))
    }

    #[test]
    fn constants_and_expressions() {
        assert_eq!(eval_last("B = 4\nx = 3 * B\n", false), Some(int(12)));
        assert_eq!(eval_last("N = 'a'\nx = N + '-' + 'b'\n", false), s("a-b"));
        assert_eq!(eval_last("N = 2\nx = f'n={N}!{N!r}'\n", false), s("n=2!2"));
        assert_eq!(eval_last("x = ','.join(['a', 'b'])\n", false), s("a,b"));
        assert_eq!(eval_last("x = -7 // 2\n", false), Some(int(-4)));
        assert_eq!(eval_last("x = -7 % 2\n", false), Some(int(1)));
        // Rebound, bound later, or bound in a branch: unknown.
        assert_eq!(eval_last("N = 1\nN = 2\nx = N\n", false), None);
        assert_eq!(eval_last("x = N\nN = 1\ny = x\n", false), None);
        assert_eq!(eval_last("if a:\n    N = 1\nx = N\n", false), None);
        assert_eq!(
            eval_last("N = 1\ndef f():\n    global N\n    N = 2\nx = N\n", false),
            None
        );
        assert_eq!(eval_last("def f(ctx):\n    return 1\nx = f\n", false), None);
        assert_eq!(eval_last("x = undefined\n", false), None);
        // A name the class body binds shadows the module's.
        assert_eq!(eval_last("SHADOWED = 1\nx = SHADOWED\n", false), None);
        // A module constant's value is evaluated at module scope (no class names).
        assert_eq!(eval_last("A = 2\nB = A * 2\nx = B\n", false), Some(int(4)));
    }

    #[test]
    fn paths_from_file() {
        let helper = "import os\ndef script_path(filename):\n    \"\"\"Doc.\"\"\"\n    import os\n    filepath = os.path.join(os.path.dirname(__file__))\n    return os.path.join(filepath, filename)\n";
        assert_eq!(
            eval_last(&format!("{helper}x = script_path('movies.csv')\n"), true),
            s("movies.csv")
        );
        assert_eq!(
            eval_last(&format!("{helper}x = script_path('movies.csv')\n"), false),
            None
        );
        assert_eq!(
            eval_last(
                "import os\nx = os.path.join(os.path.dirname(os.path.realpath(__file__)), 'a', 'b.json')\n",
                true
            ),
            s("a/b.json")
        );
        assert_eq!(
            eval_last(
                "from os.path import join\nx = join('a', '/b', 'c')\n",
                false
            ),
            s("/b/c")
        );
        assert_eq!(normpath("./a/../b//c/."), "b/c");
        assert_eq!(normpath("../a"), "../a");
        assert_eq!(dirname("a/b/"), "a/b");
        assert_eq!(dirname("flow.py"), "");
    }

    #[test]
    fn configs() {
        assert_eq!(eval_last("x = cfg.retries\n", false), Some(int(2)));
        assert_eq!(eval_last("x = cfg['env']['X']\n", false), s("y"));
        assert_eq!(
            eval_last(
                "from metaflow import config_expr\nx = config_expr('config.retries + 1')\n",
                false
            ),
            Some(int(3))
        );
        assert_eq!(
            eval_last(
                "from metaflow import config_expr\nx = config_expr('config.env')\n",
                false
            )
            .map(|l| l.to_json()),
            Some(serde_json::json!({"X": "y"}))
        );
        assert_eq!(eval_last("x = cfg.missing\n", false), None);
    }
}
