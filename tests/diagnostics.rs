//! Snapshot tests of the rendered diagnostics: one small flow per code in `Code::ALL`,
//! checked by the built binary (`check --format human --color never` and
//! `--format concise`), both outputs snapshotted with insta.
//!
//! A code without a case here fails `every_code_has_a_snapshot_case`, so adding a code
//! means adding a case (and reviewing its snapshot).
//!
//! Review new or changed snapshots with `cargo insta review` (or run once with
//! `INSTA_UPDATE=always` and read the `.snap` files); CI runs with `INSTA_UPDATE=no`.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use mf_windmill::diag::Code;

/// One snapshot case: a file written into a fresh directory and checked there, so the
/// rendered path is just the file name.
struct Case {
    /// Snapshot name, and the file's stem.
    name: &'static str,
    /// The code the case exists for (it must appear in the concise output).
    code: &'static str,
    source: &'static [u8],
}

const CASES: &[Case] = &[
    Case {
        name: "mf001_syntax_error",
        code: "MF001",
        source: br#"from metaflow import FlowSpec, step


class SyntaxErrorFlow(FlowSpec):
    @step
    def start(self):
        self.x = = 1
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "mf002_invalid_utf8",
        code: "MF002",
        source: b"from metaflow import FlowSpec, step\n\n# caf\xe9 au lait\nclass InvalidUtf8Flow(FlowSpec):\n    @step\n    def start(self):\n        self.next(self.end)\n\n    @step\n    def end(self):\n        pass\n",
    },
    Case {
        name: "mf003_no_flow",
        code: "MF003",
        source: br#"def helper(x):
    return x + 1
"#,
    },
    Case {
        name: "mf004_unresolved_base",
        code: "MF004",
        source: br#"from metaflow import step
from company_lib.flows import BaseFlow


class TrainFlow(BaseFlow):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "mf005_decorator_below_step",
        code: "MF005",
        source: br#"from metaflow import FlowSpec, retry, step


class DecoratorBelowStepFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    @retry
    def end(self):
        pass
"#,
    },
    Case {
        name: "mf006_duplicate_step_decorator",
        code: "MF006",
        source: br#"from metaflow import FlowSpec, retry, step


class DuplicateDecoratorFlow(FlowSpec):
    @retry(times=2)
    @retry(times=3)
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "mf007_dynamic_step_argument",
        code: "MF007",
        source: br#"import os

from metaflow import FlowSpec, step


class DynamicStepArgumentFlow(FlowSpec):
    @step(start=os.environ.get("START") == "1")
    def begin(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "mf008_unknown_decorator_attribute",
        code: "MF008",
        source: br#"from metaflow import FlowSpec, retry, step


class UnknownAttributeFlow(FlowSpec):
    @retry(tries=3)
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "mf009_reserved_parameter_name",
        code: "MF009",
        source: br#"from metaflow import FlowSpec, Parameter, step


class ReservedParameterFlow(FlowSpec):
    tags = Parameter("tags", default="a")

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "mf010_duplicate_parameter",
        code: "MF010",
        source: br#"from metaflow import FlowSpec, Parameter, step


class DuplicateParameterFlow(FlowSpec):
    alpha = Parameter("alpha", default=1)
    beta = Parameter("Alpha", default=2)

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "mf011_separator_on_non_string",
        code: "MF011",
        source: br#"from metaflow import FlowSpec, Parameter, step


class SeparatorFlow(FlowSpec):
    counts = Parameter("counts", type=int, default=1, separator=",")

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "mf012_catch_on_split",
        code: "MF012",
        source: br#"from metaflow import FlowSpec, catch, step


class CatchForeachFlow(FlowSpec):
    @catch(var="error")
    @step
    def start(self):
        self.items = [1, 2]
        self.next(self.work, foreach="items")

    @step
    def work(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "mf013_retry_too_many",
        code: "MF013",
        source: br#"from metaflow import FlowSpec, retry, step


class RetryFiveFlow(FlowSpec):
    @retry(times=5)
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "mf014_timeout_without_duration",
        code: "MF014",
        source: br#"from metaflow import FlowSpec, step, timeout


class TimeoutZeroFlow(FlowSpec):
    @timeout(seconds=0)
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "mf101_reserved_step_name",
        code: "MF101",
        source: br#"from metaflow import FlowSpec, step


class ReservedWordFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.cmd)

    @step
    def cmd(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "mf102_missing_start_or_end",
        code: "MF102",
        source: br#"from metaflow import FlowSpec, step


class NoEndFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.finish)

    @step
    def finish(self):
        pass
"#,
    },
    Case {
        name: "mf103_annotation_name_conflict",
        code: "MF103",
        source: br#"from metaflow import FlowSpec, step


class AnnotationConflictFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        self.next(self.finish)

    @step(end=True)
    def finish(self):
        pass
"#,
    },
    Case {
        name: "mf104_start_end_degree",
        code: "MF104",
        source: br#"from metaflow import FlowSpec, step


class EndOutgoingFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        self.next(self.extra)

    @step
    def extra(self):
        pass
"#,
    },
    Case {
        name: "mf105_end_not_terminal",
        code: "MF105",
        source: br#"from metaflow import FlowSpec, step


class EndEmptyNextFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        self.x = 1
        self.next()
"#,
    },
    Case {
        name: "mf106_invalid_step_name",
        code: "MF106",
        source: br#"from metaflow import FlowSpec, step


class CamelFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.doWork)

    @step
    def doWork(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "mf107_step_arguments",
        code: "MF107",
        source: br#"from metaflow import FlowSpec, step


class TooManyArgsFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.middle)

    @step
    def middle(self, inputs, extra):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "mf108_missing_next",
        code: "MF108",
        source: br#"from metaflow import FlowSpec, step


class MissingNextFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.middle)

    @step
    def middle(self):
        self.x = 1

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "mf109_invalid_next",
        code: "MF109",
        source: br#"from metaflow import FlowSpec, step


class InvalidNextFlow(FlowSpec):
    @step
    def start(self):
        self.items = [1, 2]
        self.next(self.a, self.b, foreach="items")

    @step
    def a(self):
        self.next(self.join)

    @step
    def b(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "mf110_unknown_next_target",
        code: "MF110",
        source: br#"from metaflow import FlowSpec, step


class UnknownTargetFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.middle)

    @step
    def middle(self):
        self.next(self.nowhere)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "mf111_cycle",
        code: "MF111",
        source: br#"from metaflow import FlowSpec, step


class LoopFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a)

    @step
    def a(self):
        self.next(self.b)

    @step
    def b(self):
        self.next(self.a)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "mf112_orphan_step",
        code: "MF112",
        source: br#"from metaflow import FlowSpec, step


class OrphanFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def forgotten(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "mf113_split_join_balance",
        code: "MF113",
        source: br#"from metaflow import FlowSpec, step


class JoinWithoutSplitFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "mf114_switch_split",
        code: "MF114",
        source: br#"from metaflow import FlowSpec, step


class SwitchOneCaseFlow(FlowSpec):
    @step
    def start(self):
        self.mode = "a"
        self.next({"a": self.a}, condition="mode")

    @step
    def a(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "mf115_empty_foreach",
        code: "MF115",
        source: br#"from metaflow import FlowSpec, step


class EmptyForeachFlow(FlowSpec):
    @step
    def start(self):
        self.items = [1, 2]
        self.next(self.join, foreach="items")

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "mf116_parallel_without_decorator",
        code: "MF116",
        source: br#"from metaflow import FlowSpec, step


class NumParallelFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.train, num_parallel=2)

    @step
    def train(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "mf117_parallel_not_followed_by_join",
        code: "MF117",
        source: br#"from metaflow import FlowSpec, parallel, step


class ParallelNoJoinFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.train, num_parallel=2)

    @parallel
    @step
    def train(self):
        self.next(self.after)

    @step
    def after(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "mf118_parallel_not_from_num_parallel",
        code: "MF118",
        source: br#"from metaflow import FlowSpec, parallel, step


class ParallelViaForeachFlow(FlowSpec):
    @step
    def start(self):
        self.items = [1, 2]
        self.next(self.train, foreach="items")

    @parallel
    @step
    def train(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "mf120_conditional_into_join",
        code: "MF120",
        source: br#"from metaflow import FlowSpec, step


class AmbiguousJoinFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.decide, self.other)

    @step
    def decide(self):
        self.flag = "skip"
        self.next({"skip": self.join, "work": self.work}, condition="flag")

    @step
    def work(self):
        self.next(self.join)

    @step
    def other(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "wm201_unsupported_step_decorator",
        code: "WM201",
        source: br#"from metaflow import FlowSpec, batch, step


class BatchFlow(FlowSpec):
    @batch(cpu=4, memory=16000)
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "wm202_unsupported_flow_decorator",
        code: "WM202",
        source: br#"from metaflow import FlowSpec, conda_base, step


@conda_base(python="3.11")
class CondaBaseFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "wm212_trigger_names",
        code: "WM212",
        source: br#"import os

from metaflow import FlowSpec, step, trigger


@trigger(event=os.environ["EVENT"])
class TriggerNameFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "wm211_exit_hook_functions",
        code: "WM211",
        source: br#"from metaflow import FlowSpec, exit_hook, step


def notify():
    print("done")


HOOKS = [notify]


@exit_hook(on_success=HOOKS)
class ExitHookListFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "wm203_dynamic_decorator_argument",
        code: "WM203",
        source: br#"import os

from metaflow import FlowSpec, retry, step


class RetryNonliteralFlow(FlowSpec):
    @retry(times=int(os.environ["RETRIES"]))
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "wm204_dynamic_foreach",
        code: "WM204",
        source: br#"from metaflow import FlowSpec, step


class ForeachNonliteralFlow(FlowSpec):
    @step
    def start(self):
        self.items = [1, 2, 3]
        self.attr = "items"
        self.next(self.work, foreach=self.attr)

    @step
    def work(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "wm205_invalid_windmill_name",
        code: "WM205",
        source: br#"from metaflow import FlowSpec, project, step


@project(name="data science")
class ProjectNameFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "wm206_unhonoured_decorator",
        code: "WM206",
        source: br#"from metaflow import FlowSpec, resources, step


class ResourcesFlow(FlowSpec):
    @resources(cpu=2, memory=8000)
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "wm207_unknown_decorator",
        code: "WM207",
        source: br#"from metaflow import FlowSpec, step
from company_lib.decorators import notify_slack


class UnknownDecoratorFlow(FlowSpec):
    @notify_slack(channel="ml-alerts")
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "wm208_dynamic_declaration",
        code: "WM208",
        source: br#"from metaflow import FlowSpec, Parameter, step

from helpers import describe


class DynamicHelpFlow(FlowSpec):
    product = Parameter("product", default=21, help=describe("product"))

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "wm209_unknown_default",
        code: "WM209",
        source: br#"from metaflow import FlowSpec, Parameter, step


def default_region(ctx):
    return "region-" + ctx.user_name


class DeployTimeDefaultFlow(FlowSpec):
    region = Parameter("region", default=default_region)

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
    Case {
        name: "wm210_unpackaged_file",
        code: "WM210",
        source: br#"from metaflow import FlowSpec, step


class OpensCsvFlow(FlowSpec):
    @step
    def start(self):
        with open("lookup.csv") as fh:
            self.rows = fh.read().splitlines()
        self.next(self.end)

    @step
    def end(self):
        pass
"#,
    },
];

/// Files written next to a case's flow (case name, file name, content).
const SIDE_FILES: &[(&str, &str, &[u8])] = &[("wm210_unpackaged_file", "lookup.csv", b"k,v\n")];

/// Run the binary in `dir` and return its stdout, stderr and exit code.
fn run(dir: &Path, args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_mf-windmill"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run mf-windmill");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

fn render(exit: i32, stdout: &str, stderr: &str) -> String {
    let mut s = format!("exit: {exit}\n{stdout}");
    if !stderr.is_empty() {
        s.push_str("--- stderr ---\n");
        s.push_str(stderr);
    }
    s
}

/// The codes a concise output names (`file:line:col: CODE ...`).
fn concise_codes(out: &str) -> BTreeSet<String> {
    out.lines()
        .filter_map(|l| {
            let code = l.split(": ").nth(1)?.split_whitespace().next()?;
            let ok = code.len() == 5 && (code.starts_with("MF") || code.starts_with("WM"));
            ok.then(|| code.to_string())
        })
        .collect()
}

#[test]
fn every_code_has_a_snapshot_case() {
    let declared: BTreeSet<&str> = CASES.iter().map(|c| c.code).collect();
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !declared.contains(c))
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a snapshot case in tests/diagnostics.rs: {missing:?}"
    );
    let known: BTreeSet<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    for c in &declared {
        assert!(known.contains(c), "case for unknown code {c}");
    }
}

#[test]
fn snapshots_of_every_code() {
    let mut seen = BTreeSet::new();
    for case in CASES {
        let dir = tempfile::tempdir().unwrap();
        let file = format!("{}.py", case.name);
        std::fs::write(dir.path().join(&file), case.source).unwrap();
        for (_, name, data) in SIDE_FILES.iter().filter(|(c, _, _)| *c == case.name) {
            std::fs::write(dir.path().join(name), data).unwrap();
        }

        let (out, err, exit) = run(
            dir.path(),
            &["check", "--format", "human", "--color", "never", &file],
        );
        insta::assert_snapshot!(format!("{}__human", case.name), render(exit, &out, &err));

        let (out, err, exit) = run(dir.path(), &["check", "--format", "concise", &file]);
        insta::assert_snapshot!(format!("{}__concise", case.name), render(exit, &out, &err));
        let codes = concise_codes(&out);
        assert!(
            codes.contains(case.code),
            "case {} does not produce {} (got {codes:?})",
            case.name,
            case.code
        );
        seen.extend(codes);
    }
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !seen.contains(*c))
        .collect();
    assert!(missing.is_empty(), "codes never rendered: {missing:?}");
}
