//! ## What it does
//! Checks that splits and joins match: every split is joined before the end, every join
//! closes a split and receives exactly that split's branches, and no join mixes branches
//! of unrelated splits.
//!
//! ## Why is this bad
//! Metaflow's runtime pairs each join with one split; an unbalanced graph cannot run.
//!
//! ## Example
//! ```python
//! @step
//! def start(self):
//!     self.next(self.a, self.b)
//! @step
//! def a(self):
//!     self.next(self.end)     # reaches end before the split is joined
//! ```
//!
//! Metaflow walks every path; a state (step, split stack) that was fully explored without
//! a finding is explored again without one, so we remember such states — same first
//! finding, linear instead of exponential on flows with many diamonds.

use std::collections::HashSet;

use super::{At, Violation};
use crate::diag::Code;
use crate::graph::{FlowGraph, NodeType};

type Stack = Vec<usize>; // indexes of the split steps that are open

pub fn check(g: &FlowGraph) -> Option<Violation> {
    let start = g.start_step?;
    g.end_step?;
    let mut done: HashSet<(usize, Stack)> = HashSet::new();
    walk(g, start, Vec::new(), &mut done)
}

fn walk(
    g: &FlowGraph,
    i: usize,
    stack: Stack,
    done: &mut HashSet<(usize, Stack)>,
) -> Option<Violation> {
    if done.contains(&(i, stack.clone())) {
        return None;
    }
    let node = &g.nodes[i];
    let mut new_stack = stack.clone();
    match node.node_type {
        Some(NodeType::Split | NodeType::Foreach) => new_stack.push(i),
        Some(NodeType::SplitSwitch) => {
            // A switch continues down each path with the same stack.
            for o in node.out_funcs {
                if o == node.name {
                    continue;
                }
                if let Some(j) = g.index_of(o)
                    && let Some(v) = walk(g, j, stack.clone(), done)
                {
                    return Some(v);
                }
            }
            done.insert((i, stack));
            return None;
        }
        Some(NodeType::End) => {
            if let Some(&root) = stack.last() {
                return Some(Violation::new(
                    Code::SplitJoinBalance,
                    format!(
                        "The terminal step *{}* was reached before a split started at step(s) *{}* were joined. Add a join step before *{}*.",
                        node.name,
                        g.nodes[root].out_funcs.join(", "),
                        node.name
                    ),
                    At::Def(i),
                ));
            }
        }
        Some(NodeType::Join) => {
            let Some(&split) = stack.last() else {
                return Some(Violation::new(
                    Code::SplitJoinBalance,
                    format!(
                        "Step *{}* seems like a join step (it takes an extra input argument) but it is not preceded by a split. Ensure that there is a matching split for every join.",
                        node.name
                    ),
                    At::Def(i),
                ));
            };
            new_stack.pop();
            let roots = g.nodes[split].out_funcs;
            // Resolve each incoming step to its root branch from the split.
            let mut resolved: Vec<&str> = Vec::new();
            for f in &node.in_funcs {
                let b = g.get(f).and_then(|n| n.split_branches.last());
                let Some(b) = b.map(String::as_str) else {
                    // Metaflow's lint crashes here (IndexError: the incoming step has no
                    // branch). That happens when a split or foreach at top level goes
                    // straight into this join: say so, with the empty-foreach message.
                    return Some(match g.index_of(f) {
                        Some(k) if g.nodes[k].node_type == Some(NodeType::Split) => Violation::new(
                            Code::SplitJoinBalance,
                            format!(
                                "Step *{f}* is a split with a branch that goes straight into the join step *{}*. Add at least one step on that branch.",
                                node.name
                            ),
                            At::Def(k),
                        ),
                        Some(k) if g.nodes[k].node_type == Some(NodeType::Foreach) => {
                            Violation::new(
                                Code::EmptyForeach,
                                format!(
                                    "Step *{f}* is a foreach split that has no children: it is followed immediately by a join step, *{}*. Add at least one step between the split and the join.",
                                    node.name
                                ),
                                At::Def(k),
                            )
                        }
                        _ => Violation::new(
                            Code::SplitJoinBalance,
                            format!(
                                "Step *{}* seems like a join step (it takes an extra input argument) but step *{f}* reaches it without passing through a split branch. Ensure that there is a matching split for every join.",
                                node.name
                            ),
                            At::Def(i),
                        ),
                    });
                };
                if !resolved.contains(&b) {
                    resolved.push(b);
                }
            }
            let mut root_set: Vec<&str> = roots.iter().map(String::as_str).collect();
            root_set.sort_unstable();
            root_set.dedup();
            let mut res_sorted = resolved.clone();
            res_sorted.sort_unstable();
            if resolved.len() != roots.len() || res_sorted != root_set {
                return Some(Violation::new(
                    Code::SplitJoinBalance,
                    format!(
                        "Step *{}* seems like a join step (it takes an extra input argument) but an incorrect number of steps (*{}*) lead to it. This join was expecting {} incoming paths, starting from split step(s) *{}*.",
                        node.name,
                        // Metaflow joins a Python set here: with several elements the order
                        // is string-hash order; ours is sorted.
                        res_sorted.join(", "),
                        roots.len(),
                        roots.join(", ")
                    ),
                    At::Def(i),
                ));
            }
            // Incoming steps must come from the same lineage (no cross joins).
            let parents = |f: &str| -> Option<&[String]> {
                let n = g.get(f)?;
                Some(if n.node_type == Some(NodeType::Join) {
                    &n.split_parents[..n.split_parents.len().saturating_sub(1)]
                } else {
                    &n.split_parents[..]
                })
            };
            let mut lineages = node.in_funcs.iter().map(|f| parents(f));
            if let Some(first) = lineages.next()
                && lineages.any(|l| l != first)
            {
                return Some(Violation::new(
                    Code::SplitJoinBalance,
                    format!(
                        "Step *{}* joins steps from unrelated splits. Ensure that there is a matching join for every split.",
                        node.name
                    ),
                    At::Def(i),
                ));
            }
        }
        _ => {}
    }
    for o in node.out_funcs {
        if node.node_type == Some(NodeType::SplitSwitch) && o == node.name {
            continue;
        }
        if let Some(j) = g.index_of(o)
            && let Some(v) = walk(g, j, new_stack.clone(), done)
        {
            return Some(v);
        }
    }
    done.insert((i, stack));
    None
}
