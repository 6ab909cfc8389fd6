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

/// Visits the literal walk may make on a cyclic flow before giving up.
const WALK_BUDGET: usize = 200_000;

/// Distinct (step, split state) pairs the linear-time traversal may visit.
const DAG_STATE_BUDGET: usize = 100_000;

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
        Self::build(flow, false)
    }

    /// Build with Metaflow's literal path-enumerating walk (for tests: it must agree with
    /// the linear-time traversal).
    #[doc(hidden)]
    pub fn new_literal(flow: &'f Flow) -> Self {
        Self::build(flow, true)
    }

    fn build(flow: &'f Flow, literal: bool) -> Self {
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
        g.traverse(literal);
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
    /// every path (cutting loops only along the current path), where the last visit of a
    /// step decides its split parents and its place in `sorted_nodes`.
    ///
    /// Following every path is exponential in the number of diamonds, so for graphs whose
    /// only cycles are switch self-loops we compute the same result another way
    /// ([`Self::traverse_dag`]); other cyclic graphs (invalid flows) take the literal walk.
    fn traverse(&mut self, literal: bool) {
        let Some(start) = self.start_step else {
            return;
        };
        if !literal && self.is_dag_but_self_loops(start) {
            self.traverse_dag(start);
        } else {
            let mut in_funcs: Vec<BTreeSet<String>> = vec![BTreeSet::new(); self.nodes.len()];
            let mut seen: Vec<usize> = Vec::new();
            let mut budget = WALK_BUDGET;
            self.visit(
                start,
                &mut seen,
                Vec::new(),
                Vec::new(),
                &mut in_funcs,
                &mut budget,
            );
            for (node, ins) in self.nodes.iter_mut().zip(in_funcs) {
                node.in_funcs = ins.into_iter().collect();
            }
        }
    }

    /// Children of a step in `out_funcs` order, as indexes, with their position.
    fn children(&self, i: usize) -> Vec<(usize, usize)> {
        self.nodes[i]
            .out_funcs
            .iter()
            .enumerate()
            .filter_map(|(k, n)| self.index.get(n.as_str()).map(|&c| (k, c)))
            .collect()
    }

    /// Whether every cycle reachable from the start is a self-loop of a step other than
    /// the start step (Metaflow's walk never follows those: the step is on the path).
    fn is_dag_but_self_loops(&self, start: usize) -> bool {
        use petgraph::graphmap::DiGraphMap;
        let mut dg: DiGraphMap<usize, ()> = DiGraphMap::new();
        for i in 0..self.nodes.len() {
            dg.add_node(i);
            for (_, c) in self.children(i) {
                if c == i && i != start {
                    continue;
                }
                dg.add_edge(i, c, ());
            }
        }
        !petgraph::algo::is_cyclic_directed(&dg)
    }

    /// The same result as Metaflow's walk on a graph without cycles (but self-loops):
    ///
    /// - In the walk, visits happen in preorder of the tree of all paths, so the *last*
    ///   visit of a step is along its lexicographically greatest path (by child position).
    ///   A depth-first walk that takes children in *reverse* order meets that path first.
    /// - What a visit does depends only on the step and the incoming (split parents, split
    ///   branches), so revisiting the same (step, state) can be skipped: everything below
    ///   it was already met, and met earlier in reverse order.
    /// - `matching_join` of a split is set by the join visit that comes last in the walk,
    ///   i.e. first in the reversed walk. `sorted_nodes` orders steps by their last visit:
    ///   the preorder of the tree of greatest paths, children by ascending position.
    fn traverse_dag(&mut self, start: usize) {
        type State = (Vec<String>, Vec<String>);
        let n = self.nodes.len();
        let mut in_funcs: Vec<BTreeSet<String>> = vec![BTreeSet::new(); n];
        let mut done: std::collections::HashSet<(usize, State)> = Default::default();
        // First (= Metaflow's last) visit of each step: its state, and its tree parent.
        let mut first: Vec<Option<State>> = vec![None; n];
        let mut visited: Vec<bool> = vec![false; n];
        let mut tree_children: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
        let mut join_set: std::collections::HashSet<String> = Default::default();
        // Explicit stack of (step, state, parent and position in the parent's out_funcs).
        type Frame = (usize, State, Option<(usize, usize)>);
        let mut stack: Vec<Frame> = vec![(start, (Vec::new(), Vec::new()), None)];
        while let Some((i, state, parent)) = stack.pop() {
            if !done.insert((i, state.clone())) {
                continue;
            }
            // Distinct states are few in a valid flow (about one per step); a flow whose
            // steps both join and split grows one per path. Stop there: such a flow fails
            // lint (MF107) before any check that reads what is left undone.
            if done.len() > DAG_STATE_BUDGET {
                break;
            }
            let (mut sp, mut sb) = state.clone();
            let name = self.nodes[i].name.to_string();
            let mut add_split_branch = false;
            let assigned: Option<State> = match self.nodes[i].node_type {
                Some(NodeType::Split | NodeType::Foreach) => {
                    add_split_branch = true;
                    let st = (sp.clone(), sb.clone());
                    sp.push(name.clone());
                    Some(st)
                }
                Some(NodeType::Join) if !sp.is_empty() => {
                    let top = sp.last().cloned().unwrap_or_default();
                    if join_set.insert(top.clone()) {
                        let p = self.index[top.as_str()];
                        self.nodes[p].matching_join = Some(name.clone());
                    }
                    let mut b = sb.clone();
                    b.pop();
                    let st = (sp.clone(), b);
                    sp.pop();
                    sb.pop();
                    Some(st)
                }
                // A join without splits is assigned nothing by this visit.
                Some(NodeType::Join) => None,
                _ => Some((sp.clone(), sb.clone())),
            };
            if first[i].is_none()
                && let Some(a) = assigned
            {
                first[i] = Some(a);
            }
            if !visited[i] {
                visited[i] = true;
                if let Some((p, k)) = parent {
                    tree_children[p].push((k, i));
                }
            }
            let children = self.children(i);
            for &(_, c) in &children {
                if c == i && i != start {
                    continue;
                }
                in_funcs[c].insert(name.clone());
            }
            // Push in forward order so the last child is walked first.
            for (k, c) in children {
                if c == i && i != start {
                    continue;
                }
                let mut b = sb.clone();
                if add_split_branch {
                    b.push(self.nodes[i].out_funcs[k].clone());
                }
                stack.push((c, (sp.clone(), b), Some((i, k))));
            }
        }
        for (i, st) in first.into_iter().enumerate() {
            if let Some((sp, sb)) = st {
                self.nodes[i].split_parents = sp;
                self.nodes[i].split_branches = sb;
            }
        }
        for (node, ins) in self.nodes.iter_mut().zip(in_funcs) {
            node.in_funcs = ins.into_iter().collect();
        }
        // Preorder of the tree of last visits, children by ascending position.
        let mut order = Vec::with_capacity(n);
        let mut st = vec![start];
        while let Some(i) = st.pop() {
            order.push(i);
            let mut kids = std::mem::take(&mut tree_children[i]);
            kids.sort_unstable();
            st.extend(kids.into_iter().rev().map(|(_, c)| c));
        }
        self.sorted_nodes = order;
    }

    fn visit(
        &mut self,
        i: usize,
        seen: &mut Vec<usize>,
        mut split_parents: Vec<String>,
        mut split_branches: Vec<String>,
        in_funcs: &mut [BTreeSet<String>],
        budget: &mut usize,
    ) {
        // A cyclic (hence invalid) flow with very many paths: stop rather than hang; lint
        // reports the cycle either way.
        if *budget == 0 {
            return;
        }
        *budget -= 1;
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
        for (k, child) in self.children(i) {
            if seen.contains(&child) {
                continue; // loops are ignored along the current path
            }
            in_funcs[child].insert(name.clone());
            let mut branches = split_branches.clone();
            if add_split_branch {
                branches.push(self.nodes[i].out_funcs[k].clone());
            }
            seen.push(child);
            self.visit(
                child,
                seen,
                split_parents.clone(),
                branches,
                in_funcs,
                budget,
            );
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
        // With a start/end flag we cannot read (MF007) the graph itself is unknown, and
        // Metaflow's checks would only report consequences of that.
        let unknown_ends = file.diagnostics.iter().any(|d| {
            d.code == crate::diag::Code::DynamicStepArgument
                && d.flow.as_deref() == Some(&flow.name)
        });
        if unknown_ends {
            out.extend(lint::windmill::check(&g));
        } else {
            out.extend(lint::lint(&g));
        }
    }
    out
}
