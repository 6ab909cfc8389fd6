//! Rule tests on inline flows; the corpus parity test (tests/oracle) covers the rest.

use crate::diag::Code;
use crate::graph::{FlowGraph, NodeType, analysis, check_file};
use crate::parse::{parse_flow_source, source::SourceFile};

const HEADER: &str = "from metaflow import FlowSpec, step, Parameter, Config\n";

fn file(body: &str) -> crate::parse::FlowFile {
    parse_flow_source(SourceFile::new(
        "flow.py",
        "flow.py",
        format!("{HEADER}{body}"),
    ))
}

fn codes(body: &str) -> Vec<Code> {
    check_file(&file(body)).iter().map(|d| d.code).collect()
}

const SWITCH_LOOP: &str = r#"
class F(FlowSpec):
    @step
    def start(self):
        self.next(self.poll)
    @step
    def poll(self):
        self.next({"again": self.poll, "done": self.after}, condition="status")
    @step
    def after(self):
        self.next(self.end)
    @step
    def end(self):
        pass
"#;

#[test]
fn recursive_switch_is_valid_and_reconverges_after_the_loop() {
    let f = file(SWITCH_LOOP);
    assert!(check_file(&f).is_empty(), "{:?}", check_file(&f));
    let g = FlowGraph::new(&f.flows[0]);
    let poll = g.get("poll").unwrap();
    assert_eq!(poll.node_type, Some(NodeType::SplitSwitch));
    assert_eq!(poll.in_funcs, vec!["start".to_string()]);
    let s = analysis::analyze(&g);
    assert_eq!(s.switch_join["poll"], Some("after".to_string()));
}

#[test]
fn foreach_depth_and_split_parents_follow_metaflow() {
    let f = file(
        r#"
class F(FlowSpec):
    @step
    def start(self):
        self.xs = [1, 2]
        self.next(self.outer, foreach="xs")
    @step
    def outer(self):
        self.ys = [3]
        self.next(self.inner, foreach="ys")
    @step
    def inner(self):
        self.next(self.join_inner)
    @step
    def join_inner(self, inputs):
        self.next(self.join_outer)
    @step
    def join_outer(self, inputs):
        self.next(self.end)
    @step
    def end(self):
        pass
"#,
    );
    assert!(check_file(&f).is_empty());
    let g = FlowGraph::new(&f.flows[0]);
    assert_eq!(
        g.get("inner").unwrap().split_parents,
        vec!["start", "outer"]
    );
    assert_eq!(
        g.get("start").unwrap().matching_join.as_deref(),
        Some("join_outer")
    );
    assert!(g.get("join_inner").unwrap().is_inside_foreach);
    assert!(!g.get("join_outer").unwrap().is_inside_foreach);
    let s = analysis::analyze(&g);
    assert_eq!(s.foreach_depth["inner"], 2);
    assert_eq!(s.foreach_depth["join_inner"], 1);
    assert_eq!(s.foreach_depth["join_outer"], 0);
    let order: Vec<&str> = g.sorted_nodes.iter().map(|&i| g.nodes[i].name).collect();
    assert_eq!(
        order,
        ["start", "outer", "inner", "join_inner", "join_outer", "end"]
    );
}

#[test]
fn first_failing_metaflow_check_wins() {
    // Both a reserved name and an orphan: Metaflow reports the reserved word first.
    let c = codes(
        r#"
class F(FlowSpec):
    @step
    def start(self):
        self.next(self.end)
    @step
    def input(self):
        self.next(self.end)
    @step
    def end(self):
        pass
"#,
    );
    assert_eq!(c, vec![Code::ReservedWord]);
}

#[test]
fn many_diamonds_lint_in_linear_time() {
    // 40 sequential split/join diamonds: 2^40 paths for a path-enumerating walk.
    let mut body = String::from(
        "class F(FlowSpec):\n    @step\n    def start(self):\n        self.next(self.s0)\n",
    );
    for i in 0..40 {
        let next = if i == 39 {
            "end".to_string()
        } else {
            format!("s{}", i + 1)
        };
        body.push_str(&format!(
            "    @step\n    def s{i}(self):\n        self.next(self.a{i}, self.b{i})\n    @step\n    def a{i}(self):\n        self.next(self.j{i})\n    @step\n    def b{i}(self):\n        self.next(self.j{i})\n    @step\n    def j{i}(self, inputs):\n        self.next(self.{next})\n"
        ));
    }
    body.push_str("    @step\n    def end(self):\n        pass\n");
    let f = file(&body);
    assert_eq!(f.flows[0].steps.len(), 162);
    assert!(crate::graph::lint::metaflow_lint(&FlowGraph::new(&f.flows[0])).is_none());
}

#[test]
fn windmill_checks_point_at_the_decorator() {
    let f = file(
        r#"
from metaflow import kubernetes, retry
N = 3
class F(FlowSpec):
    @kubernetes(cpu=2)
    @retry(times=N + unknown)
    @step
    def start(self):
        self.next(self.end)
    @step
    def end(self):
        pass
"#,
    );
    let d = check_file(&f);
    let got: Vec<(Code, &str)> = d
        .iter()
        .map(|d| (d.code, f.source.slice(d.loc.as_ref().unwrap().range)))
        .collect();
    assert_eq!(
        got,
        vec![
            (Code::UnsupportedStepDecorator, "kubernetes(cpu=2)"),
            (Code::DynamicDecoratorArgument, "times=N + unknown")
        ]
    );
}
