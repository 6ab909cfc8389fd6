//! Lint: Metaflow's checks (`metaflow/lint.py`) in Metaflow's order with Metaflow's
//! messages, then the Windmill checks. One rule per file, each documented as
//! What it does / Why is this bad / Example.
//!
//! Metaflow stops at the first failing check (each raises `LintWarn`), and later checks
//! assume earlier ones passed (e.g. the orphan walk assumes every transition target
//! exists). We do the same for the Metaflow checks: at most one `MF1xx` finding per flow,
//! the one `python flow.py check` prints. The Windmill checks are independent of graph
//! shape and all run.

mod acyclicity;
mod ambiguous_joins;
mod annotation_name_conflict;
mod basic_steps;
mod empty_foreach;
mod end_is_end;
mod join_followed_by_parallel;
mod num_args;
mod orphans;
mod parallel_foreach_calls_parallel;
mod parallel_step_after_next;
mod parameters;
mod reserved_words;
mod split_join_balance;
mod start_end_degree;
mod static_transitions;
mod step_init;
mod step_names;
mod switch_splits;
mod unknown_transitions;
mod valid_transitions;
pub mod windmill;

use super::FlowGraph;
use crate::diag::{Code, Diagnostic};

/// Where Metaflow reports a finding.
#[derive(Debug, Clone, Copy)]
pub enum At {
    /// The step's `def` line (`node.func_lineno`).
    Def(usize),
    /// The step's `self.next` line (`node.tail_next_lineno`).
    Tail(usize),
    /// No line (Metaflow passes none); we point at the flow class.
    Flow,
}

/// A finding of one Metaflow check.
#[derive(Debug, Clone)]
pub struct Violation {
    pub code: Code,
    pub message: String,
    pub at: At,
}

impl Violation {
    pub fn new(code: Code, message: impl Into<String>, at: At) -> Self {
        Violation {
            code,
            message: message.into(),
            at,
        }
    }
}

type Check = fn(&FlowGraph) -> Option<Violation>;

/// Metaflow's default checks, in `lint.py` order. `check_nested_foreach` is opt-in in
/// Metaflow (off for `check` and `run`) and not listed.
pub const METAFLOW_CHECKS: &[(Code, Check)] = &[
    (Code::ReservedWord, reserved_words::check),
    (Code::BasicSteps, basic_steps::check),
    (
        Code::AnnotationNameConflict,
        annotation_name_conflict::check,
    ),
    (Code::StartEndDegree, start_end_degree::check),
    (Code::EndIsEnd, end_is_end::check),
    (Code::StepName, step_names::check),
    (Code::NumArgs, num_args::check),
    (Code::StaticTransitions, static_transitions::check),
    (Code::ValidTransitions, valid_transitions::check),
    (Code::UnknownTransitions, unknown_transitions::check),
    (Code::Acyclicity, acyclicity::check),
    (Code::Orphans, orphans::check),
    (Code::SplitJoinBalance, split_join_balance::check),
    (Code::SwitchSplits, switch_splits::check),
    (Code::EmptyForeach, empty_foreach::check),
    (Code::ParallelStepAfterNext, parallel_step_after_next::check),
    (
        Code::JoinFollowedByParallel,
        join_followed_by_parallel::check,
    ),
    (
        Code::ParallelForeachCallsParallel,
        parallel_foreach_calls_parallel::check,
    ),
    (Code::AmbiguousJoins, ambiguous_joins::check),
];

/// Run Metaflow's checks; the first failing one is the result, as in `python flow.py check`.
pub fn metaflow_lint(g: &FlowGraph) -> Option<Diagnostic> {
    METAFLOW_CHECKS
        .iter()
        .find_map(|(_, check)| check(g))
        .map(|v| to_diagnostic(g, v))
}

/// All findings for a flow: Metaflow's first (decorator initialisation, which `check` runs
/// before lint, then lint, then its parameter checks), then Windmill's.
pub fn lint(g: &FlowGraph) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = step_init::check(g);
    out.extend(metaflow_lint(g));
    out.extend(parameters::check(g));
    out.extend(windmill::check(g));
    out
}

fn to_diagnostic(g: &FlowGraph, v: Violation) -> Diagnostic {
    let flow = &g.flow.name;
    let d = Diagnostic::new(v.code, v.message).flow(flow);
    match v.at {
        At::Def(i) => {
            let step = g.nodes[i].step;
            d.at(&step.name_loc).step(&step.name)
        }
        At::Tail(i) => {
            let step = g.nodes[i].step;
            match &step.next.loc {
                Some(l) if step.next.has_tail_next => d.at(l).step(&step.name),
                // Metaflow reports line 0 here (no self.next); point at the def.
                _ => d.at(&step.name_loc).step(&step.name).line_override(0),
            }
        }
        At::Flow => d.at(&g.flow.name_loc),
    }
}

#[cfg(test)]
mod tests;
