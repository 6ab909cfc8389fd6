//! Recover the flows of a file: FlowSpec subclasses, their steps (with inheritance, as
//! `dir(flow)` sees them), decorators, parameters, configs and `self.next` tails.

use std::collections::{BTreeMap, HashMap, HashSet};

use ruff_python_ast::{Decorator as AstDecorator, Expr, Stmt, StmtClassDef, StmtFunctionDef};
use ruff_text_size::{Ranged, TextRange};

use super::eval::{self, Env};
use super::literal::{self, Literal};
use super::loader::Loader;
use super::model::*;
use super::module::{Module, Symbol};
use crate::diag::{Code, Diagnostic};

/// A class: (module index, statement index in that module).
type ClassRef = (usize, usize);

/// What a base-class expression resolves to.
#[derive(Debug, Clone)]
enum Base {
    FlowSpec,
    Class(ClassRef),
    /// Not readable statically; holds the expression text and where it is.
    Unknown(String, Loc),
}

/// Everything recovered from one file.
pub struct Extracted {
    pub flows: Vec<Flow>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Recover the flows defined in the loader's root module.
pub fn extract(loader: &mut Loader) -> Extracted {
    let mut ex = Extractor {
        bases: HashMap::new(),
        diagnostics: Vec::new(),
    };
    let root = Loader::ROOT;
    let classes: Vec<ClassRef> = loader
        .module(root)
        .classes()
        .map(|(i, _)| (root, i))
        .collect();
    // Resolve base classes (this may read sibling modules).
    for &c in &classes {
        ex.resolve_bases(loader, c, &mut HashSet::new());
    }
    let loader: &Loader = loader;
    let is_flow: Vec<bool> = classes
        .iter()
        .map(|&c| ex.is_flowspec(c, &mut HashSet::new()))
        .collect();
    // A class another class of the file derives from is a base, not a flow of its own.
    let used_as_base: HashSet<ClassRef> = classes
        .iter()
        .flat_map(|c| ex.bases.get(c).into_iter().flatten())
        .filter_map(|b| match b {
            Base::Class(c) => Some(*c),
            _ => None,
        })
        .collect();
    // Flows: every FlowSpec subclass no other class of the file derives from, plus any class
    // the `__main__` block instantiates; `runnable` marks what `python flow.py` runs.
    let main = main_instantiations(loader.module(root));
    let mut flows = Vec::new();
    for (&c, &flow) in classes.iter().zip(&is_flow) {
        let runnable = main.contains(&c.1);
        let candidate = runnable || !used_as_base.contains(&c);
        if flow && candidate {
            let mut f = ex.flow(loader, c);
            f.runnable = runnable;
            flows.push(f);
        } else if !flow && ex.has_unknown_base_and_steps(loader, c) {
            let class = loader.module(c.0).class(c.1).expect("class ref");
            let unknown = ex.unknown_bases(c);
            for (text, loc) in unknown {
                ex.diagnostics.push(
                    Diagnostic::new(
                        Code::UnresolvedBase,
                        format!(
                            "Class *{}* has @step methods but its base class `{text}` cannot be read statically, so it is not known to be a FlowSpec or which steps it adds.",
                            class.name.id
                        ),
                    )
                    .at(&loc)
                    .flow(class.name.id.as_str())
                    .label("defined outside the flow's directory")
                    .help("Define the base class in the flow's directory, or import FlowSpec from metaflow directly."),
                );
            }
        }
    }
    Extracted {
        flows,
        diagnostics: ex.diagnostics,
    }
}

struct Extractor {
    bases: HashMap<ClassRef, Vec<Base>>,
    diagnostics: Vec<Diagnostic>,
}

fn loc(module: &Module, range: TextRange) -> Loc {
    Loc {
        file: module.source.clone(),
        range,
    }
}

/// Resolve a class name in a module to a class, following imports into sibling modules.
fn resolve_class_symbol(
    loader: &mut Loader,
    module: usize,
    sym: Symbol,
    depth: usize,
) -> Option<Result<ClassRef, ()>> {
    if depth > 16 {
        return None;
    }
    match sym {
        Symbol::Metaflow(name) if name == "FlowSpec" => Some(Err(())),
        Symbol::Class(i) => Some(Ok((module, i))),
        Symbol::Imported {
            module: m,
            level,
            name,
        } => {
            let target = loader.import(module, &m, level)?;
            let sym = loader.module(target).symbol(&name);
            resolve_class_symbol(loader, target, sym, depth + 1)
        }
        _ => None,
    }
}

impl Extractor {
    fn resolve_bases(&mut self, loader: &mut Loader, c: ClassRef, seen: &mut HashSet<ClassRef>) {
        if self.bases.contains_key(&c) || !seen.insert(c) {
            return;
        }
        let exprs: Vec<Expr> = loader
            .module(c.0)
            .class(c.1)
            .and_then(|cl| cl.arguments.as_ref())
            .map(|a| a.args.to_vec())
            .unwrap_or_default();
        let mut bases = Vec::new();
        for e in &exprs {
            // The builtin `object` (a plain mixin's base) adds nothing.
            if matches!(e, Expr::Name(n) if n.id.as_str() == "object")
                && loader.module(c.0).symbol("object") == Symbol::Other
                && !loader.module(c.0).binds("object")
            {
                continue;
            }
            let sym = loader.module(c.0).resolve(e);
            let base = match resolve_class_symbol(loader, c.0, sym, 0) {
                Some(Err(())) => Base::FlowSpec,
                Some(Ok(cref)) => {
                    self.resolve_bases(loader, cref, seen);
                    Base::Class(cref)
                }
                None => {
                    let m = loader.module(c.0);
                    Base::Unknown(m.source.slice(e.range()).to_string(), loc(m, e.range()))
                }
            };
            bases.push(base);
        }
        self.bases.insert(c, bases);
    }

    fn is_flowspec(&self, c: ClassRef, seen: &mut HashSet<ClassRef>) -> bool {
        if !seen.insert(c) {
            return false;
        }
        self.bases.get(&c).is_some_and(|bases| {
            bases.iter().any(|b| match b {
                Base::FlowSpec => true,
                Base::Class(p) => self.is_flowspec(*p, seen),
                Base::Unknown(..) => false,
            })
        })
    }

    fn unknown_bases(&self, c: ClassRef) -> Vec<(String, Loc)> {
        let mut out = Vec::new();
        let mut stack = vec![c];
        let mut seen = HashSet::new();
        while let Some(c) = stack.pop() {
            if !seen.insert(c) {
                continue;
            }
            for b in self.bases.get(&c).into_iter().flatten() {
                match b {
                    Base::Unknown(t, l) => out.push((t.clone(), l.clone())),
                    Base::Class(p) => stack.push(*p),
                    Base::FlowSpec => {}
                }
            }
        }
        out
    }

    fn has_unknown_base_and_steps(&self, loader: &Loader, c: ClassRef) -> bool {
        let module = loader.module(c.0);
        let Some(class) = module.class(c.1) else {
            return false;
        };
        !self.unknown_bases(c).is_empty()
            && class.body.iter().any(|s| match s {
                Stmt::FunctionDef(f) => find_step_decorator(module, &f.decorator_list).is_some(),
                _ => false,
            })
    }

    /// C3 linearization over the classes we can read; FlowSpec and unreadable bases end it.
    fn mro(&self, c: ClassRef) -> Vec<ClassRef> {
        fn merge(mut seqs: Vec<Vec<ClassRef>>) -> Option<Vec<ClassRef>> {
            let mut out = Vec::new();
            loop {
                seqs.retain(|s| !s.is_empty());
                if seqs.is_empty() {
                    return Some(out);
                }
                let head = seqs
                    .iter()
                    .map(|s| s[0])
                    .find(|h| !seqs.iter().any(|s| s[1..].contains(h)))?;
                out.push(head);
                for s in &mut seqs {
                    if s[0] == head {
                        s.remove(0);
                    }
                }
            }
        }
        fn lin(ex: &Extractor, c: ClassRef, depth: usize) -> Vec<ClassRef> {
            let parents: Vec<ClassRef> = ex
                .bases
                .get(&c)
                .into_iter()
                .flatten()
                .filter_map(|b| match b {
                    Base::Class(p) => Some(*p),
                    _ => None,
                })
                .collect();
            if depth > 32 {
                return vec![c];
            }
            let mut seqs: Vec<Vec<ClassRef>> =
                parents.iter().map(|p| lin(ex, *p, depth + 1)).collect();
            seqs.push(parents.clone());
            let mut out = vec![c];
            // Python raises TypeError for an inconsistent hierarchy; fall back to
            // depth-first order so we still report something sensible.
            match merge(seqs) {
                Some(rest) => out.extend(rest),
                None => {
                    for p in parents {
                        for q in lin(ex, p, depth + 1) {
                            if !out.contains(&q) {
                                out.push(q);
                            }
                        }
                    }
                }
            }
            out
        }
        lin(self, c, 0)
    }

    fn flow(&mut self, loader: &Loader, c: ClassRef) -> Flow {
        let module = loader.module(c.0);
        let class = module.class(c.1).expect("class ref");
        let flow_name = class.name.id.to_string();
        for (text, l) in self.unknown_bases(c) {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::UnresolvedBase,
                    format!(
                        "Base class `{text}` of flow *{flow_name}* cannot be read statically: the steps, parameters and decorators it adds are unknown."
                    ),
                )
                .at(&l)
                .flow(&flow_name)
                .label("defined outside the flow's directory")
                .help("Define the base class in a module of the flow's directory so it can be read."),
            );
        }
        let mro = self.mro(c);
        // dir(flow): every attribute of every class in the MRO; the first class in MRO
        // order that binds a name decides what it is.
        let mut attrs: BTreeMap<String, (ClassRef, Binding)> = BTreeMap::new();
        for &cr in &mro {
            let m = loader.module(cr.0);
            let Some(cl) = m.class(cr.1) else { continue };
            for (name, binding) in class_bindings(cl) {
                attrs.entry(name).or_insert((cr, binding));
            }
        }
        // Configs first: decorators and defaults may read their values.
        let flow_dir = loader.root_dir().to_path_buf();
        let no_attrs: HashMap<String, String> = HashMap::new();
        let no_configs: HashMap<String, Option<Literal>> = HashMap::new();
        let mut config_attrs: HashMap<ClassRef, HashMap<String, String>> = HashMap::new();
        // Names each class body binds: in class scope they shadow module-level names.
        let no_bound: HashSet<String> = HashSet::new();
        let class_bound: HashMap<ClassRef, HashSet<String>> = mro
            .iter()
            .filter_map(|&cr| {
                let cl = loader.module(cr.0).class(cr.1)?;
                Some((cr, class_bindings(cl).into_keys().collect()))
            })
            .collect();
        for &cr in &mro {
            let m = loader.module(cr.0);
            let Some(cl) = m.class(cr.1) else { continue };
            let env = eval::module_env(
                m,
                &flow_dir,
                cr.1,
                class_bound.get(&cr).unwrap_or(&no_bound),
                &no_attrs,
                &no_configs,
            );
            let mut own = HashMap::new();
            for (attr, call) in class_calls(cl) {
                if matches!(m.resolve(&call.func), Symbol::Metaflow(k) if k == "Config")
                    && let Some(name) = call
                        .arguments
                        .args
                        .first()
                        .or_else(|| call.arguments.find_keyword("name").map(|k| &k.value))
                        .and_then(|e| env.eval(e))
                        .and_then(|l| l.as_str().map(str::to_string))
                {
                    own.insert(attr, name);
                }
            }
            config_attrs.insert(cr, own);
        }
        let mut config_values: HashMap<String, Option<Literal>> = HashMap::new();
        for (name, (cr, binding)) in &attrs {
            let Binding::Value(i) = binding else { continue };
            let m = loader.module(cr.0);
            let cl = m.class(cr.1).expect("class ref");
            let Some(call) = value_call(&cl.body[*i]) else {
                continue;
            };
            if !matches!(m.resolve(&call.func), Symbol::Metaflow(k) if k == "Config") {
                continue;
            }
            let Some(cfg_name) = config_attrs.get(cr).and_then(|a| a.get(name)) else {
                continue;
            };
            let env = eval::module_env(
                m,
                &flow_dir,
                cr.1,
                class_bound.get(cr).unwrap_or(&no_bound),
                &no_attrs,
                &no_configs,
            );
            config_values.insert(cfg_name.clone(), config_default(&env, call));
        }
        let mut steps = Vec::new();
        let mut parameters = Vec::new();
        let mut configs = Vec::new();
        for (name, (cr, binding)) in &attrs {
            let m = loader.module(cr.0);
            let cl = m.class(cr.1).expect("class ref");
            let env = Env {
                module: m,
                flow_dir: &flow_dir,
                before: cr.1,
                class_bound: Some(class_bound.get(cr).unwrap_or(&no_bound)),
                config_attrs: config_attrs.get(cr).unwrap_or(&no_attrs),
                configs: &config_values,
                file_paths: false,
            };
            match binding {
                Binding::Func(i) => {
                    if let Stmt::FunctionDef(f) = &cl.body[*i]
                        && let Some(step) = self.step(&env, cl, f, name, &flow_name)
                    {
                        steps.push(step);
                    }
                }
                Binding::Value(i) => {
                    if let Some(call) = value_call(&cl.body[*i]) {
                        match m.resolve(&call.func) {
                            Symbol::Metaflow(k) if k == "Parameter" || k == "IncludeFile" => {
                                // An IncludeFile default is a path: it may be built from
                                // `__file__`.
                                let paths: &[&str] = if k == "IncludeFile" {
                                    &["default"]
                                } else {
                                    &[]
                                };
                                let args = call_args(&env, &call.arguments, paths);
                                parameters.push(ParameterDecl {
                                    attribute: name.clone(),
                                    kind: if k == "Parameter" {
                                        ParamKind::Parameter
                                    } else {
                                        ParamKind::IncludeFile
                                    },
                                    name: first_or_kw(&args, "name"),
                                    args,
                                    loc: loc(m, call.range()),
                                });
                            }
                            Symbol::Metaflow(k) if k == "Config" => {
                                let args = call_args(&env, &call.arguments, &["default"]);
                                let value = config_attrs
                                    .get(cr)
                                    .and_then(|a| a.get(name))
                                    .and_then(|n| config_values.get(n).cloned().flatten());
                                configs.push(ConfigDecl {
                                    attribute: name.clone(),
                                    name: first_or_kw(&args, "name"),
                                    args,
                                    loc: loc(m, call.range()),
                                    value,
                                });
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        // Flow decorators: the class's own, bottom to top, then inherited ones.
        let mut decorators: Vec<Decorator> = Vec::new();
        for &cr in &mro {
            let m = loader.module(cr.0);
            let Some(cl) = m.class(cr.1) else { continue };
            let env = Env {
                module: m,
                flow_dir: &flow_dir,
                before: cr.1,
                class_bound: Some(class_bound.get(&cr).unwrap_or(&no_bound)),
                config_attrs: config_attrs.get(&cr).unwrap_or(&no_attrs),
                configs: &config_values,
                file_paths: false,
            };
            for d in cl.decorator_list.iter().rev() {
                let d = decorator(&env, d);
                if !decorators.iter().any(|x| x.name == d.name) {
                    let known = super::decorators::flow_decorator(&d.name);
                    if d.origin == Origin::Metaflow
                        && let Some(diag) = unknown_attribute(&d, known, &flow_name, None)
                    {
                        self.diagnostics.push(diag);
                    }
                    decorators.push(d);
                }
            }
        }
        Flow {
            name: flow_name,
            runnable: false,
            name_loc: loc(module, class.name.range),
            doc: docstring(&class.body),
            decorators,
            steps,
            parameters,
            configs,
        }
    }

    fn step(
        &mut self,
        env: &Env,
        _class: &StmtClassDef,
        f: &StmtFunctionDef,
        attr_name: &str,
        flow: &str,
    ) -> Option<Step> {
        let m = env.module;
        let step_idx = find_step_decorator(m, &f.decorator_list)?;
        let step_decorator = decorator(env, &f.decorator_list[step_idx]);
        // Decorators below @step are applied before it: Metaflow's step decorators raise
        // BadStepDecoratorException there (metaflow/decorators.py::_base_step_decorator).
        for d in &f.decorator_list[step_idx + 1..] {
            let d = decorator(env, d);
            if d.origin == Origin::Metaflow {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::DecoratorBelowStep,
                        format!(
                            "You tried to apply decorator '{0}' on '{1}' which is not declared as a @step. Make sure you apply this decorator on a function which has @step on the line just before the function name and @{0} is above @step.",
                            d.name, f.name.id
                        ),
                    )
                    .at(&d.loc)
                    .flow(flow)
                    .step(attr_name)
                    .label("applied before @step")
                    .help(format!("Move @{} above @step.", d.name)),
                );
            }
        }
        // Applied bottom to top: Metaflow appends each to `func.decorators` in that order.
        let mut decorators: Vec<Decorator> = Vec::new();
        for d in f.decorator_list[..step_idx].iter().rev() {
            let d = decorator(env, d);
            let known = super::decorators::step_decorator(&d.name);
            if d.origin == Origin::Metaflow
                && known.is_some_and(|k| !k.allow_multiple)
                && decorators.iter().any(|x| x.name == d.name)
            {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::DuplicateStepDecorator,
                        format!(
                            "Step '{}' already has a decorator '{}'. You can specify this decorator only once.",
                            f.name.id, d.name
                        ),
                    )
                    .at(&d.loc)
                    .flow(flow)
                    .step(attr_name)
                    .label("second application"),
                );
                continue;
            }
            if let Some(diag) = unknown_attribute(&d, known, flow, Some(attr_name)) {
                self.diagnostics.push(diag);
            }
            decorators.push(d);
        }
        let flag = |key: &str, diags: &mut Vec<Diagnostic>| -> bool {
            match step_decorator.kwarg(key) {
                None => false,
                Some(a) => match &a.value {
                    ArgValue::Literal(l) => l.truthy(),
                    ArgValue::Dynamic(text) => {
                        diags.push(
                            Diagnostic::new(
                                Code::DynamicStepArgument,
                                format!(
                                    "@step({key}={text}) is not a literal: whether *{attr_name}* is the {key} step cannot be known statically."
                                ),
                            )
                            .at(&a.loc)
                            .flow(flow)
                            .step(attr_name)
                            .help(format!("Write {key}=True or {key}=False.")),
                        );
                        false
                    }
                },
            }
        };
        let is_start_step = flag("start", &mut self.diagnostics);
        let is_end_step = flag("end", &mut self.diagnostics);
        Some(Step {
            name: attr_name.to_string(),
            name_loc: loc(m, f.name.range),
            defined_in: _class.name.id.to_string(),
            decorators,
            step_decorator,
            num_args: f.parameters.args.len(),
            is_start_step,
            is_end_step,
            next: parse_next(env, f),
            doc: docstring(&f.body),
            opened_files: opened_files(env, f),
        })
    }
}

/// Classes of the module (statement indexes) called in a top-level
/// `if __name__ == "__main__":` block.
fn main_instantiations(m: &Module) -> HashSet<usize> {
    use ruff_python_ast::visitor::{self, Visitor};
    struct Calls<'a> {
        m: &'a Module,
        out: HashSet<usize>,
    }
    impl<'a> Visitor<'a> for Calls<'_> {
        fn visit_expr(&mut self, e: &'a Expr) {
            if let Expr::Call(c) = e
                && let Symbol::Class(i) = self.m.resolve(&c.func)
            {
                self.out.insert(i);
            }
            visitor::walk_expr(self, e);
        }
    }
    let is_main_test = |e: &Expr| {
        let Expr::Compare(c) = e else { return false };
        let sides = [&*c.left, c.comparators.first().unwrap_or(&*c.left)];
        let name = sides
            .iter()
            .any(|s| matches!(s, Expr::Name(n) if n.id.as_str() == "__name__"));
        let main = sides
            .iter()
            .any(|s| matches!(s, Expr::StringLiteral(l) if l.value.to_str() == "__main__"));
        name && main
    };
    let mut calls = Calls {
        m,
        out: HashSet::new(),
    };
    for stmt in &m.ast.body {
        if let Stmt::If(i) = stmt
            && is_main_test(&i.test)
        {
            for s in &i.body {
                calls.visit_stmt(s);
            }
        }
    }
    calls.out
}

/// Metaflow's `InvalidDecoratorAttribute` for the first attribute a known decorator does
/// not support (metaflow/decorators.py, `Decorator.__init__`).
fn unknown_attribute(
    d: &Decorator,
    known: Option<&super::decorators::KnownDecorator>,
    flow: &str,
    step: Option<&str>,
) -> Option<Diagnostic> {
    let known = known?;
    if d.origin != Origin::Metaflow {
        return None;
    }
    let bad = d.args.iter().find(|a| {
        a.keyword
            .as_deref()
            .is_some_and(|k| k != "**" && !known.attributes.contains(&k))
    })?;
    let attr = bad.keyword.as_deref().unwrap_or_default();
    let mut diag = Diagnostic::new(
        Code::UnknownDecoratorAttribute,
        format!(
            "Decorator '{}' does not support the attribute '{attr}'. These attributes are supported: {}.",
            d.name,
            known.attributes.join(", ")
        ),
    )
    .at(&bad.loc)
    .flow(flow)
    .label("unknown attribute");
    if let Some(s) = step {
        diag = diag.step(s);
    }
    Some(diag)
}

/// How a class body binds a name (the last binding in the body wins).
#[derive(Debug, Clone, Copy)]
enum Binding {
    Func(usize),
    Value(usize),
}

fn class_bindings(class: &StmtClassDef) -> HashMap<String, Binding> {
    let mut out = HashMap::new();
    for (i, stmt) in class.body.iter().enumerate() {
        match stmt {
            Stmt::FunctionDef(f) => {
                out.insert(f.name.id.to_string(), Binding::Func(i));
            }
            Stmt::Assign(a) => {
                for t in &a.targets {
                    if let Expr::Name(n) = t {
                        out.insert(n.id.to_string(), Binding::Value(i));
                    }
                }
            }
            Stmt::AnnAssign(a) if a.value.is_some() => {
                if let Expr::Name(n) = &*a.target {
                    out.insert(n.id.to_string(), Binding::Value(i));
                }
            }
            Stmt::ClassDef(c) => {
                out.insert(c.name.id.to_string(), Binding::Value(i));
            }
            Stmt::Delete(d) => {
                for t in &d.targets {
                    if let Expr::Name(n) = t {
                        out.remove(n.id.as_str());
                    }
                }
            }
            _ => {}
        }
        // `vars()["name"] = other` / `locals()["name"] = other` binds `name` to whatever
        // `other` is bound to (the only way to give a step a name that is not an
        // identifier, e.g. one starting with a digit, which Metaflow's name check allows).
        if let Stmt::Assign(a) = stmt
            && let Expr::Name(src) = &*a.value
        {
            for t in &a.targets {
                if let Some(name) = namespace_subscript(t)
                    && let Some(b) = out.get(src.id.as_str()).copied()
                {
                    out.insert(name, b);
                }
            }
        }
    }
    out
}

/// `vars()["x"]` or `locals()["x"]` as an assignment target: the name `x`.
fn namespace_subscript(target: &Expr) -> Option<String> {
    let Expr::Subscript(sub) = target else {
        return None;
    };
    let Expr::Call(call) = &*sub.value else {
        return None;
    };
    let Expr::Name(f) = &*call.func else {
        return None;
    };
    if !matches!(f.id.as_str(), "vars" | "locals") || !call.arguments.is_empty() {
        return None;
    }
    match &*sub.slice {
        Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
        _ => None,
    }
}

/// Index of the `@step` / `@step(...)` decorator, if any.
fn find_step_decorator(m: &Module, decos: &[AstDecorator]) -> Option<usize> {
    decos.iter().rposition(|d| {
        let target = match &d.expression {
            Expr::Call(c) => &*c.func,
            e => e,
        };
        matches!(m.resolve(target), Symbol::Metaflow(n) if n == "step")
    })
}

fn decorator(env: &Env, d: &AstDecorator) -> Decorator {
    let m = env.module;
    let (func, args, called) = match &d.expression {
        Expr::Call(c) => (&*c.func, call_args(env, &c.arguments, &[]), true),
        e => (e, Vec::new(), false),
    };
    let (name, origin) = match m.resolve(func) {
        Symbol::Metaflow(n) => (n, Origin::Metaflow),
        _ => (m.source.slice(func.range()).to_string(), Origin::Other),
    };
    Decorator {
        name,
        origin,
        called,
        args,
        loc: loc(m, d.expression.range()),
    }
}

/// The arguments of a call, each evaluated statically where it can be (see [`eval`]);
/// `paths` names the keywords whose value is a file path (may be built from `__file__`).
fn call_args(env: &Env, args: &ruff_python_ast::Arguments, paths: &[&str]) -> Vec<Arg> {
    let m = env.module;
    let value = |e: &Expr, kw: Option<&str>| {
        let v = match literal::literal_eval(e) {
            Some(l) => Some(l),
            None if kw.is_some_and(|k| paths.contains(&k)) => Env {
                file_paths: true,
                ..*env
            }
            .eval(e),
            None => env.eval(e),
        };
        match v {
            Some(l) => ArgValue::Literal(l),
            None => ArgValue::Dynamic(m.source.slice(e.range()).to_string()),
        }
    };
    let mut out: Vec<Arg> = args
        .args
        .iter()
        .map(|e| Arg {
            keyword: None,
            value: value(e, None),
            loc: loc(m, e.range()),
        })
        .collect();
    out.extend(args.keywords.iter().map(|k| {
        Arg {
            keyword: Some(
                k.arg
                    .as_ref()
                    .map_or_else(|| "**".to_string(), |a| a.id.to_string()),
            ),
            value: value(&k.value, k.arg.as_ref().map(|a| a.id.as_str())),
            loc: loc(m, k.range),
        }
    }));
    out
}

fn first_or_kw(args: &[Arg], kw: &str) -> Option<ArgValue> {
    args.iter()
        .find(|a| a.keyword.is_none())
        .or_else(|| args.iter().find(|a| a.keyword.as_deref() == Some(kw)))
        .map(|a| a.value.clone())
}

fn docstring(body: &[Stmt]) -> Option<String> {
    match body.first()? {
        Stmt::Expr(e) => match &*e.value {
            Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// `DAGNode._parse` (metaflow/graph.py), statement for statement: only the last statement
/// of the body counts, and it must be an expression calling exactly `self.next`.
fn parse_next(env: &Env, f: &StmtFunctionDef) -> NextCall {
    let m = env.module;
    let mut next = NextCall::none();
    let Some(Stmt::Expr(tail)) = f.body.last() else {
        return next;
    };
    let Expr::Call(call) = &*tail.value else {
        return next;
    };
    // `_expr_str(tail.value.func) == "self.next"`
    let Expr::Attribute(func) = &*call.func else {
        return next;
    };
    let Expr::Name(obj) = &*func.value else {
        return next;
    };
    if obj.id.as_str() != "self" || func.attr.id.as_str() != "next" {
        return next;
    }
    next.has_tail_next = true;
    next.invalid_tail_next = true;
    next.loc = Some(loc(m, tail.range));

    let args = &call.arguments.args;
    let keywords = &call.arguments.keywords;
    let has_condition = keywords
        .iter()
        .any(|k| k.arg.as_ref().is_some_and(|a| a.id.as_str() == "condition"));
    if args.len() == 1
        && let Expr::Dict(dict) = &args[0]
        && has_condition
    {
        let cases = parse_switch_dict(dict);
        // The first `condition=` keyword counts; only a string constant is accepted.
        let condition = keywords
            .iter()
            .find(|k| k.arg.as_ref().is_some_and(|a| a.id.as_str() == "condition"))
            .and_then(|k| literal::constant(&k.value))
            .and_then(|l| match l {
                Literal::Str(s) => Some(s),
                _ => None,
            });
        if let (Some(cases), Some(condition)) = (cases, condition) {
            next.transition = Some(Transition::SplitSwitch);
            next.out_funcs = cases.iter().map(|(_, s)| s.clone()).collect();
            next.switch_cases = cases;
            next.condition = Some(condition);
            next.invalid_tail_next = false;
            return next;
        }
    } else {
        // `[e.attr for e in tail.value.args]`: any argument that is not an attribute
        // raises AttributeError, which leaves the transition invalid.
        let mut outs = Vec::with_capacity(args.len());
        for a in args.iter() {
            match a {
                Expr::Attribute(at) => outs.push(at.attr.id.to_string()),
                _ => return next,
            }
        }
        next.out_funcs = outs;
    }

    // `dict((k.arg, _ast_literal_value(k.value)) for k in keywords)`
    let mut kw: Vec<(Option<&str>, Option<Literal>, &Expr)> = Vec::new();
    for k in keywords.iter() {
        let key = k.arg.as_ref().map(|a| a.id.as_str());
        let val = literal::constant(&k.value);
        match kw.iter_mut().find(|(kk, _, _)| *kk == key) {
            Some(slot) => {
                slot.1 = val;
                slot.2 = &k.value;
            }
            None => kw.push((key, val, &k.value)),
        }
    }
    if kw.len() == 1 {
        let (key, val, expr) = &kw[0];
        match *key {
            Some("foreach") => {
                next.transition = Some(Transition::Foreach);
                if next.out_funcs.len() == 1 {
                    // Metaflow's graph keeps only a constant; the run evaluates the
                    // expression, which we can do for a module-level string constant.
                    next.foreach_var = match val {
                        Some(Literal::Str(s)) => Some(s.clone()),
                        _ if binds_locally(f, expr) => None,
                        // A method body does not see class-scope names (configs).
                        _ => Env {
                            class_bound: None,
                            config_attrs: &HashMap::new(),
                            ..*env
                        }
                        .eval(expr)
                        .and_then(|l| l.as_str().map(str::to_string)),
                    };
                    if next.foreach_var.is_none() {
                        next.foreach_dynamic = Some(loc(m, expr.range()));
                    }
                    next.foreach_param = val.clone();
                    next.invalid_tail_next = false;
                }
            }
            Some("num_parallel") => {
                next.transition = Some(Transition::Foreach);
                next.parallel_foreach = true;
                if next.out_funcs.len() == 1 {
                    if val.is_none() {
                        next.foreach_dynamic = Some(loc(m, expr.range()));
                    }
                    next.num_parallel = val.clone();
                    next.invalid_tail_next = false;
                }
            }
            _ => {}
        }
    } else if kw.is_empty() {
        match next.out_funcs.len() {
            0 => {}
            1 => {
                next.transition = Some(if f.parameters.args.len() > 1 {
                    Transition::Join
                } else {
                    Transition::Linear
                });
                next.invalid_tail_next = false;
            }
            _ => {
                next.transition = Some(Transition::Split);
                next.invalid_tail_next = false;
            }
        }
    }
    next
}

/// `DAGNode._parse_switch_dict`: keys are constants or `self.<config>.<key>`; values are
/// `self.<step>`; anything else makes the whole switch unparseable.
fn parse_switch_dict(dict: &ruff_python_ast::ExprDict) -> Option<Vec<(SwitchKey, String)>> {
    let mut cases: Vec<(SwitchKey, String)> = Vec::new();
    for item in &dict.items {
        let key = match item.key.as_ref()? {
            Expr::Attribute(a) => match &*a.value {
                Expr::Attribute(inner) => match &*inner.value {
                    Expr::Name(n) if n.id.as_str() == "self" => SwitchKey::Config {
                        config: inner.attr.id.to_string(),
                        key: a.attr.id.to_string(),
                    },
                    _ => return None,
                },
                _ => return None,
            },
            other => match literal::constant(other)? {
                // `if case_key is None: return None`
                Literal::None => return None,
                l => SwitchKey::Literal(l),
            },
        };
        let step = match &item.value {
            Expr::Attribute(a) => match &*a.value {
                Expr::Name(n) if n.id.as_str() == "self" => a.attr.id.to_string(),
                _ => return None,
            },
            _ => return None,
        };
        NextCall::insert_case(&mut cases, key, step);
    }
    if cases.is_empty() { None } else { Some(cases) }
}

/// The call a class-body assignment binds (`x = Parameter(...)`), if any.
fn value_call(stmt: &Stmt) -> Option<&ruff_python_ast::ExprCall> {
    let value = match stmt {
        Stmt::Assign(a) => Some(&*a.value),
        Stmt::AnnAssign(a) => a.value.as_deref(),
        _ => None,
    };
    match value {
        Some(Expr::Call(c)) => Some(c),
        _ => None,
    }
}

/// Class-body names bound to a call, with the call.
fn class_calls(class: &StmtClassDef) -> Vec<(String, &ruff_python_ast::ExprCall)> {
    class_bindings(class)
        .into_iter()
        .filter_map(|(name, b)| match b {
            Binding::Value(i) => Some((name, value_call(&class.body[i])?)),
            Binding::Func(_) => None,
        })
        .collect()
}

/// A `Config(...)`'s default value as Metaflow computes it with its default parser (JSON):
/// `default_value=` (a dict, or a JSON string), or the JSON file `default=` names, read
/// next to the flow. `None` when it cannot be known statically (a parser, a plain config,
/// a missing or invalid file, a value that is not evaluable).
fn config_default(env: &Env, call: &ruff_python_ast::ExprCall) -> Option<Literal> {
    let kw = |k: &str| call.arguments.find_keyword(k).map(|k| &k.value);
    if kw("parser").is_some()
        || kw("plain").is_some_and(|e| !matches!(env.eval(e), Some(l) if !l.truthy()))
    {
        return None;
    }
    if let Some(e) = kw("default").or_else(|| call.arguments.args.get(1)) {
        let path = Env {
            file_paths: true,
            ..*env
        }
        .eval(e)?;
        let path = env.flow_dir.join(path.as_str()?);
        let text = std::fs::read_to_string(path).ok()?;
        let json: serde_json::Value = serde_json::from_str(&text).ok()?;
        return Some(Literal::from_json(&json));
    }
    match env.eval(kw("default_value")?)? {
        d @ Literal::Dict(_) => Some(d),
        Literal::Str(s) => Some(Literal::from_json(&serde_json::from_str(&s).ok()?)),
        _ => None,
    }
}

/// Whether the function assigns (or imports) a name the expression reads: then the name is
/// local to the function and its module-level value is not the one the call sees.
fn binds_locally(f: &StmtFunctionDef, expr: &Expr) -> bool {
    use ruff_python_ast::visitor::{self, Visitor};
    struct Names(HashSet<String>, bool);
    impl<'a> Visitor<'a> for Names {
        fn visit_expr(&mut self, e: &'a Expr) {
            if let Expr::Name(n) = e {
                if self.1 {
                    if n.ctx.is_store() || n.ctx.is_del() {
                        self.0.insert(n.id.to_string());
                    }
                } else {
                    self.0.insert(n.id.to_string());
                }
            }
            visitor::walk_expr(self, e);
        }
        fn visit_stmt(&mut self, s: &'a Stmt) {
            match s {
                Stmt::Import(i) => {
                    for a in &i.names {
                        let bound = a.asname.as_ref().map_or_else(
                            || a.name.id.split('.').next().unwrap_or_default().to_string(),
                            |x| x.id.to_string(),
                        );
                        self.0.insert(bound);
                    }
                }
                Stmt::ImportFrom(i) => {
                    for a in &i.names {
                        let n = a.asname.as_ref().unwrap_or(&a.name);
                        self.0.insert(n.id.to_string());
                    }
                }
                Stmt::FunctionDef(d) => {
                    self.0.insert(d.name.id.to_string());
                }
                Stmt::ClassDef(d) => {
                    self.0.insert(d.name.id.to_string());
                }
                _ => {}
            }
            visitor::walk_stmt(self, s);
        }
    }
    let mut read = Names(HashSet::new(), false);
    read.visit_expr(expr);
    let mut bound = Names(HashSet::new(), true);
    for p in f.parameters.iter() {
        bound.0.insert(p.name().id.to_string());
    }
    for s in &f.body {
        bound.visit_stmt(s);
    }
    read.0.iter().any(|n| bound.0.contains(n))
}

/// `open(path)` / `open(path, "r")` calls in a step body whose path evaluates statically.
fn opened_files(env: &Env, f: &StmtFunctionDef) -> Vec<(String, Loc)> {
    use ruff_python_ast::visitor::{self, Visitor};
    struct Opens<'a, 'e> {
        env: &'e Env<'a>,
        out: Vec<(String, Loc)>,
    }
    impl<'b> Visitor<'b> for Opens<'_, '_> {
        fn visit_expr(&mut self, e: &'b Expr) {
            if let Expr::Call(c) = e
                && matches!(&*c.func, Expr::Name(n) if n.id.as_str() == "open")
                && !self.env.module.binds("open")
                && let Some(path) = c.arguments.args.first()
            {
                let mode = c
                    .arguments
                    .args
                    .get(1)
                    .or_else(|| c.arguments.find_keyword("mode").map(|k| &k.value));
                let reads = match mode {
                    None => true,
                    Some(m) => literal::constant(m)
                        .and_then(|l| l.as_str().map(str::to_string))
                        .is_some_and(|m| !m.contains(['w', 'a', 'x', '+'])),
                };
                let env = Env {
                    file_paths: true,
                    class_bound: None,
                    config_attrs: &HashMap::new(),
                    ..*self.env
                };
                if reads && let Some(Literal::Str(p)) = env.eval(path) {
                    self.out.push((p, loc(self.env.module, path.range())));
                }
            }
            visitor::walk_expr(self, e);
        }
    }
    let mut v = Opens {
        env,
        out: Vec::new(),
    };
    for s in &f.body {
        v.visit_stmt(s);
    }
    v.out
}
