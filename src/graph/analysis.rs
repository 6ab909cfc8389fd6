//! Structure the emitter needs beyond Metaflow's own graph fields: how deep in foreach
//! nesting each step is, and where each switch's paths reconverge.
//!
//! Reconvergence is the immediate post-dominator of the switch step: the first step every
//! path from the switch to the end passes through (computed with petgraph's dominators on
//! the reversed graph). A recursive switch's self-edge is ignored: the loop re-enters the
//! switch itself, and its exit paths are what reconverge.

use std::collections::HashMap;

use petgraph::algo::dominators;
use petgraph::graph::{DiGraph, NodeIndex};

use super::{FlowGraph, NodeType};

/// Derived structure of a valid flow (one that passed Metaflow's checks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Structure {
    /// Number of enclosing foreach splits, per step name.
    pub foreach_depth: HashMap<String, usize>,
    /// For each switch step, the step where its paths reconverge (`None` when they only
    /// meet at the end of the flow, i.e. the switch's paths end the flow).
    pub switch_join: HashMap<String, Option<String>>,
}

pub fn analyze(g: &FlowGraph) -> Structure {
    let foreach_depth = g
        .nodes
        .iter()
        .map(|n| {
            let d = n
                .split_parents
                .iter()
                .filter(|p| {
                    g.get(p)
                        .is_some_and(|pn| pn.node_type == Some(NodeType::Foreach))
                })
                .filter(|p| {
                    // A foreach's own join is outside it.
                    g.get(p).and_then(|pn| pn.matching_join.as_deref()) != Some(n.name)
                })
                .count();
            (n.name.to_string(), d)
        })
        .collect();

    // Reversed graph with a virtual sink after the end step, so every exit is covered.
    let mut rev: DiGraph<Option<usize>, ()> = DiGraph::new();
    let idx: Vec<NodeIndex> = (0..g.nodes.len()).map(|i| rev.add_node(Some(i))).collect();
    let sink = rev.add_node(None);
    for (i, n) in g.nodes.iter().enumerate() {
        let mut has_out = false;
        for o in n.out_funcs {
            if o == n.name {
                continue;
            }
            if let Some(j) = g.index_of(o) {
                rev.add_edge(idx[j], idx[i], ());
                has_out = true;
            }
        }
        if !has_out {
            rev.add_edge(sink, idx[i], ());
        }
    }
    let doms = dominators::simple_fast(&rev, sink);
    let switch_join = g
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.node_type == Some(NodeType::SplitSwitch))
        .map(|(i, n)| {
            let join = doms
                .immediate_dominator(idx[i])
                .and_then(|d| rev[d])
                .map(|j| g.nodes[j].name.to_string());
            (n.name.to_string(), join)
        })
        .collect();
    Structure {
        foreach_depth,
        switch_join,
    }
}
