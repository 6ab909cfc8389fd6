//! Metaflow's `FlowGraph` (metaflow/graph.py), recomputed from the flow model: node
//! types, in/out funcs, split parents and branches, matching joins, `is_inside_foreach`,
//! and the traversal order — then lint (`lint`) and the structure the emitter needs
//! (`analysis`).
//!
//! The traversal deliberately copies Metaflow's algorithm, including its quirks (the last
//! visit of a node decides its split parents; loops are cut only along the current path),
//! because parity with Metaflow is the point.

pub mod analysis;
pub mod lint;
pub mod output;

use std::collections::{BTreeSet, HashMap};

use crate::parse::model::{Flow, Step, Transition};

/// A node type as Metaflow's `DAGNode.type` holds it after `FlowGraph.__init__`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeType {
    Start,
    Linear,
    Split,
    Join,
    Foreach,
    SplitSwitch,
    End,
}

impl NodeType {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeType::Start => "start",
            NodeType::Linear => "linear",
            NodeType::Split => "split",
            NodeType::Join => "join",
            NodeType::Foreach => "foreach",
            NodeType::SplitSwitch => "split-switch",
            NodeType::End => "end",
        }
    }
}

impl From<&Transition> for NodeType {
    fn from(t: &Transition) -> Self {
        match t {
            Transition::Linear => NodeType::Linear,
            Transition::Join => NodeType::Join,
            Transition::Split => NodeType::Split,
            Transition::Foreach => NodeType::Foreach,
            Transition::SplitSwitch => NodeType::SplitSwitch,
        }
    }
}

/// One step in the graph.
#[derive(Debug, Clone)]
pub struct Node<'f> {
    pub step: &'f Step,
    pub name: &'f str,
    pub node_type: Option<NodeType>,
    pub out_funcs: &'f [String],
    pub in_funcs: Vec<String>,
    pub split_parents: Vec<String>,
    pub split_branches: Vec<String>,
    pub matching_join: Option<String>,
    pub is_inside_foreach: bool,
    /// Has `@parallel` (Metaflow's `parallel_step`).
    pub parallel_step: bool,
}

/// The graph of one flow.
#[derive(Debug)]
pub struct FlowGraph<'f> {
    pub flow: &'f Flow,
    /// Nodes in `dir(flow)` order (sorted by name): the order lint visits them in.
    pub nodes: Vec<Node<'f>>,
    index: HashMap<&'f str, usize>,
    pub start_step: Option<usize>,
    pub end_step: Option<usize>,
    /// `FlowGraph.sorted_nodes`: the order of last visit in the traversal.
    pub sorted_nodes: Vec<usize>,
}

impl<'f> FlowGraph<'f> {
    pub fn new(flow: &'f Flow) -> Self {
        let nodes: Vec<Node<'f>> = flow
            .steps
            .iter()
            .map(|s| Node {
                step: s,
                name: &s.name,
                node_type: s.next.transition.as_ref().map(NodeType::from),
                out_funcs: &s.next.out_funcs,
                in_funcs: Vec::new(),
                split_parents: Vec::new(),
                split_branches: Vec::new(),
                matching_join: None,
                is_inside_foreach: false,
                parallel_step: s.decorator("parallel").is_some(),
            })
            .collect();
        let index = nodes.iter().enumerate().map(|(i, n)| (n.name, i)).collect();
        let mut g = FlowGraph {
            flow,
            nodes,
            index,
            start_step: None,
            end_step: None,
            sorted_nodes: Vec::new(),
        };
        g.identify_start_end();
        g.traverse();
        g.postprocess();
        g
    }

    pub fn get(&self, name: &str) -> Option<&Node<'f>> {
        self.index.get(name).map(|&i| &self.nodes[i])
    }

    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }

    pub fn start(&self) -> Option<&Node<'f>> {
        self.start_step.map(|i| &self.nodes[i])
    }

    pub fn end(&self) -> Option<&Node<'f>> {
        self.end_step.map(|i| &self.nodes[i])
    }

    /// `FlowGraph._identify_start_end`.
    fn identify_start_end(&mut self) {
        let resolve = |annotated: Vec<usize>, fallback: &str| -> Option<usize> {
            match annotated.len() {
                1 => Some(annotated[0]),
                0 => self.index.get(fallback).copied(),
                _ => None,
            }
        };
        let starts = (0..self.nodes.len())
            .filter(|&i| self.nodes[i].step.is_start_step)
            .collect();
        let ends = (0..self.nodes.len())
            .filter(|&i| self.nodes[i].step.is_end_step)
            .collect();
        self.start_step = resolve(starts, "start");
        self.end_step = resolve(ends, "end");
        // A single-step flow: the one step is both entry and terminal.
        if self.nodes.len() == 1 {
            self.start_step = Some(0);
            self.end_step = Some(0);
        }
        match (self.start_step, self.end_step) {
            (Some(s), Some(e)) if s == e => self.nodes[s].node_type = Some(NodeType::End),
            (s, e) => {
                if let Some(s) = s
                    && matches!(self.nodes[s].node_type, None | Some(NodeType::Linear))
                {
                    self.nodes[s].node_type = Some(NodeType::Start);
                }
                if let Some(e) = e {
                    self.nodes[e].node_type = Some(NodeType::End);
                }
            }
        }
    }

    /// `FlowGraph._traverse_graph`: a depth-first walk from the start step that follows
    /// every path (cutting loops only along the current path).
    fn traverse(&mut self) {
        let Some(start) = self.start_step else {
            return;
        };
        let mut in_funcs: Vec<BTreeSet<String>> = vec![BTreeSet::new(); self.nodes.len()];
        let mut seen: Vec<usize> = Vec::new();
        self.visit(start, &mut seen, Vec::new(), Vec::new(), &mut in_funcs);
        for (node, ins) in self.nodes.iter_mut().zip(in_funcs) {
            node.in_funcs = ins.into_iter().collect();
        }
    }

    fn visit(
        &mut self,
        i: usize,
        seen: &mut Vec<usize>,
        mut split_parents: Vec<String>,
        mut split_branches: Vec<String>,
        in_funcs: &mut [BTreeSet<String>],
    ) {
        if let Some(pos) = self.sorted_nodes.iter().position(|&n| n == i) {
            self.sorted_nodes.remove(pos);
        }
        self.sorted_nodes.push(i);
        let mut add_split_branch = false;
        let name = self.nodes[i].name.to_string();
        match self.nodes[i].node_type {
            Some(NodeType::Split | NodeType::Foreach) => {
                self.nodes[i].split_parents = split_parents.clone();
                self.nodes[i].split_branches = split_branches.clone();
                add_split_branch = true;
                split_parents.push(name.clone());
            }
            Some(NodeType::SplitSwitch) => {
                self.nodes[i].split_parents = split_parents.clone();
                self.nodes[i].split_branches = split_branches.clone();
            }
            Some(NodeType::Join) => {
                // Joins without splits are ignored here (lint reports them).
                if let Some(parent) = split_parents.last() {
                    let p = self.index[parent.as_str()];
                    self.nodes[p].matching_join = Some(name.clone());
                    self.nodes[i].split_parents = split_parents.clone();
                    let mut b = split_branches.clone();
                    b.pop();
                    self.nodes[i].split_branches = b;
                    split_parents.pop();
                    split_branches.pop();
                }
            }
            _ => {
                self.nodes[i].split_parents = split_parents.clone();
                self.nodes[i].split_branches = split_branches.clone();
            }
        }
        let outs = self.nodes[i].out_funcs;
        for n in outs {
            let Some(&child) = self.index.get(n.as_str()) else {
                continue; // unknown transitions are ignored here (lint reports them)
            };
            if seen.contains(&child) {
                continue; // loops are ignored along the current path
            }
            in_funcs[child].insert(name.clone());
            let mut branches = split_branches.clone();
            if add_split_branch {
                branches.push(n.clone());
            }
            seen.push(child);
            self.visit(child, seen, split_parents.clone(), branches, in_funcs);
            seen.pop();
        }
    }

    /// `FlowGraph._postprocess`: a node is inside a foreach if one of its split parents is
    /// a foreach that it does not itself join.
    fn postprocess(&mut self) {
        for i in 0..self.nodes.len() {
            let inside = self.nodes[i].split_parents.iter().any(|p| {
                self.get(p).is_some_and(|pn| {
                    pn.node_type == Some(NodeType::Foreach)
                        && pn.matching_join.as_deref() != Some(self.nodes[i].name)
                })
            });
            self.nodes[i].is_inside_foreach = inside;
        }
    }
}

/// Every finding for one file: what reading it found, then lint for each of its flows.
pub fn check_file(file: &crate::parse::FlowFile) -> Vec<crate::diag::Diagnostic> {
    let mut out = file.diagnostics.clone();
    for flow in &file.flows {
        let g = FlowGraph::new(flow);
        out.extend(lint::lint(&g));
    }
    out
}
