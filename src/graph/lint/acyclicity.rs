//! ## What it does
//! Finds loops in the flow, other than a switch case pointing back at its own step (a
//! recursive switch, which Metaflow allows).
//!
//! ## Why is this bad
//! Metaflow flows are DAGs; a loop through ordinary transitions never terminates.
//!
//! ## Example
//! ```python
//! @step
//! def b(self):
//!     self.next(self.a)   # a -> b -> a
//! ```
//!
//! Metaflow's check walks every path from every step, which is exponential in the number
//! of diamonds. We first look for any cycle in linear time (Tarjan via petgraph); only a
//! flow that has one takes Metaflow's exact walk, so the reported path is the one Metaflow
//! prints.

use petgraph::graphmap::DiGraphMap;

use super::{At, Violation};
use crate::diag::Code;
use crate::graph::{FlowGraph, NodeType};

/// Edges Metaflow's acyclicity walk follows.
fn edges<'a>(g: &'a FlowGraph, i: usize) -> impl Iterator<Item = usize> + 'a {
    let n = &g.nodes[i];
    n.out_funcs.iter().filter_map(move |o| {
        if n.node_type == Some(NodeType::SplitSwitch) && o == n.name {
            None
        } else {
            g.index_of(o)
        }
    })
}

fn has_cycle(g: &FlowGraph) -> bool {
    let mut dg: DiGraphMap<usize, ()> = DiGraphMap::new();
    for i in 0..g.nodes.len() {
        dg.add_node(i);
        for j in edges(g, i) {
            dg.add_edge(i, j, ());
        }
    }
    petgraph::algo::is_cyclic_directed(&dg)
}

pub fn check(g: &FlowGraph) -> Option<Violation> {
    if !has_cycle(g) {
        return None;
    }
    fn walk(g: &FlowGraph, i: usize, seen: &mut Vec<usize>) -> Option<Violation> {
        for j in edges(g, i) {
            if seen.contains(&j) {
                let path: Vec<&str> = seen
                    .iter()
                    .chain(std::iter::once(&j))
                    .map(|&k| g.nodes[k].name)
                    .collect();
                return Some(Violation::new(
                    Code::Acyclicity,
                    format!(
                        "There is a loop in your flow: *{}*. Break the loop by fixing self.next() transitions.",
                        path.join("->")
                    ),
                    At::Tail(i),
                ));
            }
            seen.push(j);
            let found = walk(g, j, seen);
            seen.pop();
            if found.is_some() {
                return found;
            }
        }
        None
    }
    (0..g.nodes.len()).find_map(|i| walk(g, i, &mut Vec::new()))
}
