//! The flow model: what a Metaflow flow file declares, recovered statically.
//!
//! The model is shaped after what Metaflow itself derives at import time, so the graph
//! stage can reproduce `metaflow/graph.py` exactly: steps carry the result of
//! `DAGNode._parse` (the tail `self.next` call), decorators are in Metaflow's order, and
//! steps are listed in `dir(flow)` order (sorted by name), the order lint iterates them in.

use std::sync::Arc;

use ruff_text_size::TextRange;
use serde_json::Value as Json;

use super::literal::Literal;
use super::source::SourceFile;

/// A location in a source file.
#[derive(Debug, Clone)]
pub struct Loc {
    pub file: Arc<SourceFile>,
    pub range: TextRange,
}

impl Loc {
    pub fn line(&self) -> u32 {
        self.file.line_of(self.range.start())
    }
}

/// A value written in the source: known exactly, or an expression we cannot evaluate.
#[derive(Debug, Clone)]
pub enum ArgValue {
    Literal(Literal),
    /// Not a literal; holds the expression's source text.
    Dynamic(String),
}

impl ArgValue {
    pub fn literal(&self) -> Option<&Literal> {
        match self {
            ArgValue::Literal(l) => Some(l),
            ArgValue::Dynamic(_) => None,
        }
    }
}

/// One argument of a decorator or declaration call.
#[derive(Debug, Clone)]
pub struct Arg {
    /// `None` for a positional argument.
    pub keyword: Option<String>,
    pub value: ArgValue,
    pub loc: Loc,
}

/// Where a decorator comes from, as far as imports tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Imported from `metaflow` (or a `metaflow.*` module).
    Metaflow,
    /// Anything else: a user function, a third-party package.
    Other,
}

/// A decorator applied to a step or a flow class.
#[derive(Debug, Clone)]
pub struct Decorator {
    /// The decorator's name as Metaflow knows it (`retry`, `project`, ...), i.e. the
    /// imported name, not a local alias.
    pub name: String,
    pub origin: Origin,
    /// Whether it was called (`@retry(...)`) rather than bare (`@retry`).
    pub called: bool,
    pub args: Vec<Arg>,
    /// The whole decorator expression, without the `@`.
    pub loc: Loc,
}

impl Decorator {
    pub fn kwarg(&self, name: &str) -> Option<&Arg> {
        self.args
            .iter()
            .find(|a| a.keyword.as_deref() == Some(name))
    }

    /// The literal keyword arguments as Metaflow's `to_pod` would show them.
    pub fn literal_attributes(&self) -> serde_json::Map<String, Json> {
        self.args
            .iter()
            .filter_map(|a| Some((a.keyword.clone()?, a.value.literal()?.to_pod())))
            .collect()
    }
}

/// The transition a step's last statement declares, exactly as `DAGNode._parse` sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    Linear,
    /// A linear transition from a step that takes `inputs`.
    Join,
    Split,
    Foreach,
    SplitSwitch,
}

impl Transition {
    pub fn metaflow_type(&self) -> &'static str {
        match self {
            Transition::Linear => "linear",
            Transition::Join => "join",
            Transition::Split => "split",
            Transition::Foreach => "foreach",
            Transition::SplitSwitch => "split-switch",
        }
    }
}

/// A switch case key: a literal, or `self.<config>.<key>` (Metaflow's `config:<cfg>.<key>`).
#[derive(Debug, Clone, PartialEq)]
pub enum SwitchKey {
    Literal(Literal),
    Config { config: String, key: String },
}

impl SwitchKey {
    /// The key as Metaflow stores it in `switch_cases`, made a JSON object key.
    pub fn json_key(&self) -> String {
        match self {
            SwitchKey::Literal(l) => l.json_key(),
            SwitchKey::Config { config, key } => format!("config:{config}.{key}"),
        }
    }

    /// The key as Python's `str()` renders it (`True`, `1`, `1.5`), which is how Metaflow
    /// shows a switch case (its dot output labels edges with `"{}".format(key)`).
    pub fn python_str(&self) -> String {
        match self {
            SwitchKey::Literal(l) => l.python_str(),
            SwitchKey::Config { .. } => self.json_key(),
        }
    }

    fn same_key(&self, other: &SwitchKey) -> bool {
        match (self, other) {
            (SwitchKey::Literal(a), SwitchKey::Literal(b)) => a.py_eq(b),
            (a, b) => a == b,
        }
    }
}

/// The parsed `self.next(...)` tail of a step (all of `DAGNode._parse`'s outputs).
#[derive(Debug, Clone)]
pub struct NextCall {
    pub has_tail_next: bool,
    pub invalid_tail_next: bool,
    /// Location of the tail statement (Metaflow's `tail_next_lineno` is its line).
    pub loc: Option<Loc>,
    pub transition: Option<Transition>,
    pub out_funcs: Vec<String>,
    /// `foreach=` as Metaflow reads it: the constant, or `None` if it is not a constant.
    pub foreach_param: Option<Literal>,
    /// The `foreach=` expression when it cannot be evaluated to a string statically (a
    /// static-analysis limit we report).
    pub foreach_dynamic: Option<Loc>,
    /// The artifact name `foreach=` evaluates to (a constant, or a module-level string
    /// constant that Metaflow's graph leaves as `None` in `foreach_param`).
    pub foreach_var: Option<String>,
    pub num_parallel: Option<Literal>,
    pub parallel_foreach: bool,
    /// Switch cases in Metaflow's dict order.
    pub switch_cases: Vec<(SwitchKey, String)>,
    pub condition: Option<String>,
}

impl NextCall {
    pub fn none() -> Self {
        NextCall {
            has_tail_next: false,
            invalid_tail_next: false,
            loc: None,
            transition: None,
            out_funcs: Vec::new(),
            foreach_param: None,
            foreach_dynamic: None,
            foreach_var: None,
            num_parallel: None,
            parallel_foreach: false,
            switch_cases: Vec::new(),
            condition: None,
        }
    }

    /// Metaflow's `tail_next_lineno` (0 when there is no `self.next`).
    pub fn line(&self) -> u32 {
        if self.has_tail_next {
            self.loc.as_ref().map_or(0, Loc::line)
        } else {
            0
        }
    }

    /// Insert a switch case the way a Python dict literal does: a repeated key keeps its
    /// first position and takes the last value.
    pub(crate) fn insert_case(cases: &mut Vec<(SwitchKey, String)>, key: SwitchKey, step: String) {
        match cases.iter_mut().find(|(k, _)| k.same_key(&key)) {
            Some(slot) => slot.1 = step,
            None => cases.push((key, step)),
        }
    }
}

/// A `@step` method.
#[derive(Debug, Clone)]
pub struct Step {
    pub name: String,
    /// The `def` name identifier; its line is Metaflow's `func_lineno`.
    pub name_loc: Loc,
    /// The class that defines the method (differs from the flow for inherited steps).
    pub defined_in: String,
    /// Step decorators in Metaflow's order (application order: bottom to top).
    pub decorators: Vec<Decorator>,
    /// The `@step` decorator itself.
    pub step_decorator: Decorator,
    pub num_args: usize,
    pub is_start_step: bool,
    pub is_end_step: bool,
    pub next: NextCall,
    pub doc: Option<String>,
    /// Files the step body reads with `open(<path>)` where the path is known statically
    /// (a literal, a constant, a path built from `__file__`), with where.
    pub opened_files: Vec<(String, Loc)>,
}

impl Step {
    pub fn line(&self) -> u32 {
        self.name_loc.line()
    }

    pub fn decorator(&self, name: &str) -> Option<&Decorator> {
        self.decorators.iter().find(|d| d.name == name)
    }
}

/// What kind of flow-level declaration a class attribute is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    Parameter,
    IncludeFile,
}

/// A `Parameter(...)` or `IncludeFile(...)` class attribute.
#[derive(Debug, Clone)]
pub struct ParameterDecl {
    pub attribute: String,
    pub kind: ParamKind,
    /// The parameter's name (first argument or `name=`).
    pub name: Option<ArgValue>,
    pub args: Vec<Arg>,
    pub loc: Loc,
}

impl ParameterDecl {
    pub fn kwarg(&self, name: &str) -> Option<&Arg> {
        self.args
            .iter()
            .find(|a| a.keyword.as_deref() == Some(name))
    }

    pub fn name_str(&self) -> Option<&str> {
        self.name.as_ref()?.literal()?.as_str()
    }
}

/// A `Config(...)` class attribute.
#[derive(Debug, Clone)]
pub struct ConfigDecl {
    pub attribute: String,
    pub name: Option<ArgValue>,
    pub args: Vec<Arg>,
    pub loc: Loc,
    /// The default value, evaluated statically as Metaflow's default parser reads it
    /// (`default_value=` or the `default=` JSON file); `None` when it cannot be known.
    pub value: Option<Literal>,
}

impl ConfigDecl {
    pub fn kwarg(&self, name: &str) -> Option<&Arg> {
        self.args
            .iter()
            .find(|a| a.keyword.as_deref() == Some(name))
    }
}

/// A FlowSpec subclass.
#[derive(Debug, Clone)]
pub struct Flow {
    pub name: String,
    /// Instantiated in the file's `if __name__ == "__main__":` block, i.e. what
    /// `python file.py` runs. A FlowSpec subclass nobody instantiates is usually a base
    /// class kept in a library module.
    pub runnable: bool,
    pub name_loc: Loc,
    pub doc: Option<String>,
    /// Flow decorators in application order (bottom to top), inherited ones after.
    pub decorators: Vec<Decorator>,
    /// Steps in `dir(flow)` order: sorted by name.
    pub steps: Vec<Step>,
    /// Parameters in `dir(flow)` order.
    pub parameters: Vec<ParameterDecl>,
    pub configs: Vec<ConfigDecl>,
}

impl Flow {
    pub fn step(&self, name: &str) -> Option<&Step> {
        self.steps
            .binary_search_by(|s| s.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.steps[i])
    }

    pub fn decorator(&self, name: &str) -> Option<&Decorator> {
        self.decorators.iter().find(|d| d.name == name)
    }
}
