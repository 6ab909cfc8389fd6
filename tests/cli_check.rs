//! Behaviour of the `check` and `graph` commands through the built binary: exit codes,
//! directory walks, named non-flow files, `--strict`, and the shape of every output
//! format.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_mf-windmill");

struct Out {
    stdout: String,
    stderr: String,
    code: i32,
}

fn run_in(dir: &Path, args: &[&str]) -> Out {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run mf-windmill");
    Out {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().expect("exited, not killed by a signal"),
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run in the repository root, so corpus paths are relative.
fn run(args: &[&str]) -> Out {
    run_in(&repo(), args)
}

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}):\n{s}"))
}

const CLEAN_FLOW: &str = r#"from metaflow import FlowSpec, step


class CleanFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    CleanFlow()
"#;

const ORPHAN_FLOW: &str = r#"from metaflow import FlowSpec, step


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


if __name__ == "__main__":
    OrphanFlow()
"#;

/// A flow whose only finding is a warning (WM206).
const WARNING_FLOW: &str = r#"from metaflow import FlowSpec, resources, step


class WarnFlow(FlowSpec):
    @resources(cpu=2)
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"#;

const NOT_A_FLOW: &str = "def helper(x):\n    return x + 1\n";

/// A flow with a multi-line message (MF109), for escaping tests.
const MULTILINE_FLOW: &str = "tests/flows/invalid/foreach_two_targets.py";

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

// ---------------------------------------------------------------------------------------
// Exit codes
// ---------------------------------------------------------------------------------------

#[test]
fn exit_0_on_a_clean_flow() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "clean.py", CLEAN_FLOW);
    let o = run_in(dir.path(), &["check", "--format", "concise", "clean.py"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert_eq!(o.stdout, "");
    let o = run_in(dir.path(), &["check", "--color", "never", "clean.py"]);
    assert_eq!(o.code, 0);
    assert_eq!(
        o.stdout.trim(),
        "1 flow checked in 1 file: 0 errors, 0 warnings."
    );
}

#[test]
fn exit_0_on_the_valid_corpus_file() {
    let o = run(&["check", "tests/flows/valid/linear_basic.py"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
}

#[test]
fn exit_1_on_findings() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "orphan.py", ORPHAN_FLOW);
    let o = run_in(dir.path(), &["check", "--format", "concise", "orphan.py"]);
    assert_eq!(o.code, 1);
    assert!(
        o.stdout.starts_with("orphan.py:10:9: MF112 "),
        "{}",
        o.stdout
    );
}

#[test]
fn exit_2_on_a_missing_path_but_other_paths_are_still_checked() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "orphan.py", ORPHAN_FLOW);
    let o = run_in(
        dir.path(),
        &[
            "check",
            "--format",
            "concise",
            "no_such_file.py",
            "orphan.py",
        ],
    );
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("no_such_file.py"), "{}", o.stderr);
    assert!(o.stdout.contains("MF112"), "{}", o.stdout);

    let o = run_in(dir.path(), &["check", "no_such_dir/"]);
    assert_eq!(o.code, 2);
}

#[test]
fn exit_2_on_usage_errors() {
    assert_eq!(run(&["check"]).code, 2);
    assert_eq!(
        run(&["check", "--format", "xml", "tests/flows/valid"]).code,
        2
    );
}

#[test]
fn strict_makes_warnings_fail() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "warn.py", WARNING_FLOW);
    let o = run_in(dir.path(), &["check", "--format", "concise", "warn.py"]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    assert!(o.stdout.contains("WM206 [warning]"), "{}", o.stdout);
    let o = run_in(
        dir.path(),
        &["check", "--strict", "--format", "concise", "warn.py"],
    );
    assert_eq!(o.code, 1, "{}", o.stdout);
}

// ---------------------------------------------------------------------------------------
// Directory walks and files without flows
// ---------------------------------------------------------------------------------------

#[test]
fn directory_walk_respects_gitignore_and_skips_non_flows() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "proj/.gitignore", "build/\nscratch_*.py\n");
    write(d, "proj/flows/clean.py", CLEAN_FLOW);
    write(d, "proj/flows/helper.py", NOT_A_FLOW);
    write(d, "proj/flows/__init__.py", "");
    write(d, "proj/notes.txt", "not python");
    // Ignored: would fail the check if walked.
    write(d, "proj/build/orphan.py", ORPHAN_FLOW);
    write(d, "proj/scratch_orphan.py", ORPHAN_FLOW);
    // Hidden directories are skipped too.
    write(d, "proj/.venv/orphan.py", ORPHAN_FLOW);

    let o = run_in(d, &["check", "--format", "concise", "proj"]);
    assert_eq!(o.code, 0, "stdout:\n{}\nstderr:\n{}", o.stdout, o.stderr);
    assert_eq!(o.stdout, "", "non-flow files are skipped silently");
    assert_eq!(o.stderr, "");

    let o = run_in(d, &["check", "--format", "json", "proj"]);
    let doc = json(&o.stdout);
    // clean.py, helper.py and __init__.py are read; the ignored ones are not.
    assert_eq!(doc["summary"]["files"], 3, "{}", o.stdout);
    assert_eq!(doc["summary"]["flows"], 1, "{}", o.stdout);

    // An un-ignored invalid flow in the walk is reported.
    write(d, "proj/flows/orphan.py", ORPHAN_FLOW);
    let o = run_in(d, &["check", "--format", "concise", "proj"]);
    assert_eq!(o.code, 1);
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{}", o.stdout);
    assert!(lines[0].starts_with("proj/flows/orphan.py:10:9: MF112 "));
}

#[test]
fn directory_walk_checks_base_class_modules_only_through_their_flows() {
    // A FlowSpec subclass that no `__main__` block runs is a base class: a walk does not
    // lint it on its own (it has no start or end); named explicitly, it is checked.
    let dir = tempfile::tempdir().unwrap();
    let base = ORPHAN_FLOW
        .split("\n\nif __name__")
        .next()
        .unwrap()
        .to_string()
        + "\n";
    write(dir.path(), "proj/base.py", &base);
    let o = run_in(dir.path(), &["check", "--format", "json", "proj"]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    let doc = json(&o.stdout);
    assert_eq!(doc["summary"]["files"], 1);
    assert_eq!(doc["summary"]["flows"], 0);
    assert_eq!(doc["diagnostics"], Value::Array(vec![]));
    let o = run_in(
        dir.path(),
        &["check", "--format", "concise", "proj/base.py"],
    );
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(
        o.stdout.starts_with("proj/base.py:10:9: MF112 "),
        "{}",
        o.stdout
    );
}

#[test]
fn named_non_flow_file_is_a_warning_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "helper.py", NOT_A_FLOW);
    let o = run_in(dir.path(), &["check", "--format", "concise", "helper.py"]);
    assert_eq!(o.code, 0);
    assert_eq!(
        o.stdout,
        "helper.py:1:1: MF003 [warning] No FlowSpec subclass is defined in this file; nothing to check.\n"
    );
    let o = run_in(
        dir.path(),
        &[
            "check",
            "--allow-no-flow",
            "--format",
            "concise",
            "helper.py",
        ],
    );
    assert_eq!(o.code, 0);
    assert_eq!(o.stdout, "");
    // --strict turns the warning into a failure; --allow-no-flow still silences it.
    let o = run_in(dir.path(), &["check", "--strict", "helper.py"]);
    assert_eq!(o.code, 1);
    let o = run_in(
        dir.path(),
        &["check", "--strict", "--allow-no-flow", "helper.py"],
    );
    assert_eq!(o.code, 0);
}

#[test]
fn pre_commit_style_invocation() {
    // pre-commit passes every changed Python file, flows or not.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "helper.py", NOT_A_FLOW);
    write(dir.path(), "clean.py", CLEAN_FLOW);
    write(dir.path(), "orphan.py", ORPHAN_FLOW);
    let args = ["check", "--allow-no-flow", "--format", "concise"];
    let o = run_in(
        dir.path(),
        &[&args[..], &["helper.py", "clean.py"]].concat(),
    );
    assert_eq!((o.code, o.stdout.as_str()), (0, ""));
    let o = run_in(
        dir.path(),
        &[&args[..], &["helper.py", "clean.py", "orphan.py"]].concat(),
    );
    assert_eq!(o.code, 1);
    assert_eq!(o.stdout.lines().count(), 1);
}

// ---------------------------------------------------------------------------------------
// Output formats
// ---------------------------------------------------------------------------------------

#[test]
fn human_output_has_no_escape_codes_with_color_never() {
    let o = run(&["check", "--color", "never", MULTILINE_FLOW]);
    assert_eq!(o.code, 1);
    assert!(!o.stdout.contains('\x1b'), "{}", o.stdout);
    assert!(o.stdout.contains("MF109(invalid-next)"), "{}", o.stdout);
    assert!(o.stdout.contains(&format!("╭─[{MULTILINE_FLOW}:9:9]")));
    let o = run(&["check", "--color", "always", MULTILINE_FLOW]);
    assert!(o.stdout.contains('\x1b'));
}

#[test]
fn json_output_has_the_documented_fields() {
    let o = run(&[
        "check",
        "--format",
        "json",
        "tests/flows/invalid/orphan.py",
        "tests/flows/valid/decorators_misc.py",
    ]);
    assert_eq!(o.code, 1);
    let doc = json(&o.stdout);
    assert_eq!(doc["version"], 1);
    let diags = doc["diagnostics"].as_array().unwrap();
    assert!(diags.len() >= 2);
    for d in diags {
        for field in [
            "code",
            "name",
            "severity",
            "message",
            "file",
            "line",
            "column",
            "end_line",
            "end_column",
            "flow",
            "step",
            "help",
            "doc",
        ] {
            assert!(d.get(field).is_some(), "missing {field} in {d}");
        }
        assert!(matches!(d["severity"].as_str(), Some("error" | "warning")));
        assert!(d["line"].as_u64().unwrap() >= 1);
        assert!(d["column"].as_u64().unwrap() >= 1);
        assert!(d["end_line"].as_u64().unwrap() >= d["line"].as_u64().unwrap());
    }
    let orphan = diags.iter().find(|d| d["code"] == "MF112").unwrap();
    assert_eq!(orphan["name"], "orphan-step");
    assert_eq!(orphan["file"], "tests/flows/invalid/orphan.py");
    assert_eq!(orphan["step"], "forgotten");
    assert_eq!(orphan["flow"], "OrphanFlow");
    assert_eq!(
        (orphan["line"].clone(), orphan["column"].clone()),
        (11.into(), 9.into())
    );
    assert_eq!(orphan["end_column"], 18);
    let s = &doc["summary"];
    assert_eq!(s["files"], 2);
    assert_eq!(s["flows"], 2);
    let errors = diags.iter().filter(|d| d["severity"] == "error").count();
    let warnings = diags.iter().filter(|d| d["severity"] == "warning").count();
    assert_eq!(s["errors"], errors);
    assert_eq!(s["warnings"], warnings);
    assert!(warnings >= 1);
}

#[test]
fn json_output_on_a_clean_flow_is_an_empty_list() {
    let o = run(&[
        "check",
        "--format",
        "json",
        "tests/flows/valid/linear_basic.py",
    ]);
    assert_eq!(o.code, 0);
    let doc = json(&o.stdout);
    assert_eq!(doc["diagnostics"], Value::Array(vec![]));
    assert_eq!(doc["summary"]["errors"], 0);
}

#[test]
fn sarif_output_is_sarif_2_1_0() {
    let o = run(&[
        "check",
        "--format",
        "sarif",
        "tests/flows/invalid",
        "tests/flows/windmill_invalid",
        "tests/flows/valid/decorators_misc.py",
    ]);
    assert_eq!(o.code, 1);
    let doc = json(&o.stdout);
    assert_eq!(doc["version"], "2.1.0");
    assert!(doc["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let runs = doc["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "mf-windmill");
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for c in mf_windmill::diag::Code::ALL {
        assert!(
            ids.contains(&c.as_str()),
            "rule {} not declared",
            c.as_str()
        );
    }
    for r in rules {
        assert!(r["shortDescription"]["text"].is_string());
        assert!(matches!(
            r["defaultConfiguration"]["level"].as_str(),
            Some("error" | "warning" | "note")
        ));
    }
    let results = runs[0]["results"].as_array().unwrap();
    assert!(results.len() > 30, "{} results", results.len());
    for r in results {
        let id = r["ruleId"].as_str().unwrap();
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], id, "ruleIndex points at the rule");
        assert!(matches!(
            r["level"].as_str(),
            Some("error" | "warning" | "note")
        ));
        assert!(r["message"]["text"].as_str().is_some_and(|t| !t.is_empty()));
        let locs = r["locations"].as_array().unwrap();
        assert_eq!(locs.len(), 1);
        let phys = &locs[0]["physicalLocation"];
        let uri = phys["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            uri.starts_with("tests/flows/") && uri.ends_with(".py"),
            "{uri}"
        );
        if let Some(region) = phys.get("region") {
            let l = region["startLine"].as_u64().unwrap();
            assert!(l >= 1);
            assert!(region["startColumn"].as_u64().unwrap() >= 1);
            assert!(region["endLine"].as_u64().unwrap() >= l);
        }
    }
    // The tool's own warning level survives.
    assert!(results.iter().any(|r| r["level"] == "warning"));
}

#[test]
fn github_output_escapes_newlines() {
    let o = run(&["check", "--format", "github", MULTILINE_FLOW]);
    assert_eq!(o.code, 1);
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "one command per diagnostic:\n{}", o.stdout);
    let l = lines[0];
    assert!(
        l.starts_with(&format!(
            "::error file={MULTILINE_FLOW},line=9,col=9,endLine=9,endColumn=51,title=MF109 invalid-next::"
        )),
        "{l}"
    );
    assert!(l.contains("%0A"), "{l}");
    assert!(!l.contains('\r'));

    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "warn.py", WARNING_FLOW);
    let o = run_in(dir.path(), &["check", "--format", "github", "warn.py"]);
    assert!(
        o.stdout.starts_with("::warning file=warn.py,line=5,"),
        "{}",
        o.stdout
    );
}

#[test]
fn github_output_escapes_properties() {
    // A file name with ',' and ':' must not break the property list.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a,b:c.py", ORPHAN_FLOW);
    let o = run_in(dir.path(), &["check", "--format", "github", "a,b:c.py"]);
    assert_eq!(o.code, 1);
    assert!(
        o.stdout.starts_with("::error file=a%2Cb%3Ac.py,line=10,"),
        "{}",
        o.stdout
    );
}

// ---------------------------------------------------------------------------------------
// graph
// ---------------------------------------------------------------------------------------

#[test]
fn graph_json_uses_metaflow_field_names() {
    let o = run(&[
        "graph",
        "--format",
        "json",
        "tests/flows/valid/switch_linear.py",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let doc = json(&o.stdout);
    let flow = &doc["flows"][0];
    assert_eq!(flow["name"], "SwitchLinearFlow");
    let steps = flow["steps"].as_array().unwrap();
    let names: Vec<&str> = steps.iter().map(|s| s["name"].as_str().unwrap()).collect();
    for n in ["start", "fast_path", "slow_path", "merge", "end"] {
        assert!(names.contains(&n), "{names:?}");
    }
    for s in steps {
        for field in [
            "name",
            "type",
            "in_funcs",
            "out_funcs",
            "split_parents",
            "matching_join",
            "foreach_param",
            "switch_cases",
            "condition",
            "decorators",
        ] {
            assert!(s.get(field).is_some(), "missing {field} in {s}");
        }
    }
    let start = steps.iter().find(|s| s["name"] == "start").unwrap();
    assert_eq!(start["type"], "split-switch");
    assert_eq!(start["condition"], "route");
    assert_eq!(start["switch_cases"]["fast"], "fast_path");
    assert_eq!(start["switch_cases"]["slow"], "slow_path");
    let merge = steps.iter().find(|s| s["name"] == "merge").unwrap();
    let mut in_funcs: Vec<&str> = merge["in_funcs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    in_funcs.sort();
    assert_eq!(in_funcs, ["fast_path", "slow_path"]);
}

#[test]
fn graph_json_foreach_fields() {
    let o = run(&["graph", "tests/flows/valid/foreach_basic.py"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let doc = json(&o.stdout);
    let steps = doc["flows"][0]["steps"].as_array().unwrap();
    let start = steps.iter().find(|s| s["name"] == "start").unwrap();
    assert_eq!(start["type"], "foreach");
    assert_eq!(start["foreach_param"], "items");
    assert_eq!(start["matching_join"], "join");
    let measure = steps.iter().find(|s| s["name"] == "measure").unwrap();
    assert_eq!(measure["split_parents"], serde_json::json!(["start"]));
    assert_eq!(
        doc["flows"][0]["sorted_steps"],
        serde_json::json!(["start", "measure", "join", "end"])
    );
}

#[test]
fn graph_json_reports_triggers_and_exit_hooks() {
    let flow = |f: &str| {
        let o = run(&["graph", &format!("tests/e2e/flows/{f}")]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        json(&o.stdout)["flows"][0].clone()
    };
    let c = flow("events_consumer.py");
    assert_eq!(
        c["triggers"],
        serde_json::json!([{"type": "event", "name": "data_ready", "parameters": {"day": "date"}}])
    );
    assert_eq!(
        c["exit_hooks"],
        serde_json::json!({"on_success": [], "on_error": []})
    );
    let d = flow("events_downstream.py");
    assert_eq!(
        d["triggers"],
        serde_json::json!([{"type": "run", "flow": "EventsUpstreamFlow", "project": null, "branch": null}])
    );
    let h = flow("exit_hooks.py");
    assert_eq!(h["triggers"], serde_json::json!([]));
    assert_eq!(
        h["exit_hooks"],
        serde_json::json!({"on_success": ["hook_broken", "hook_ok"], "on_error": ["hook_failed"]})
    );
}

#[test]
fn graph_dot_and_mermaid() {
    let flow = "tests/flows/valid/foreach_basic.py";
    let o = run(&["graph", "--format", "dot", flow]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.starts_with("digraph \"ForeachBasicFlow\" {"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.trim_end().ends_with('}'));
    // Edge ends are quoted: `node`, `edge` and the like are DOT keywords.
    for edge in [
        "\"start\" -> \"measure\";",
        "\"measure\" -> \"join\";",
        "\"join\" -> \"end\";",
    ] {
        assert!(o.stdout.contains(edge), "{edge} missing:\n{}", o.stdout);
    }
    let o = run(&["graph", "--format", "mermaid", flow]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.starts_with("flowchart TD"), "{}", o.stdout);
    assert!(
        o.stdout
            .contains("step_start -- \"foreach items\" --> step_measure"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains("step_measure --> step_join"),
        "{}",
        o.stdout
    );
    // A bare `end` id would close a Mermaid subgraph.
    assert!(o.stdout.contains("step_end([\"end\"])"), "{}", o.stdout);
}

#[test]
fn graph_errors() {
    assert_eq!(run(&["graph", "no_such_flow.py"]).code, 2);
    assert_eq!(
        run(&[
            "graph",
            "--format",
            "png",
            "tests/flows/valid/foreach_basic.py"
        ])
        .code,
        2
    );
}

// ---------------------------------------------------------------------------------------
// Robustness regressions (found by scripts/robustness.sh).
// ---------------------------------------------------------------------------------------

/// Run with a time limit; `None` if it had to be killed.
fn run_in_with_limit(dir: &Path, args: &[&str], limit: std::time::Duration) -> Option<i32> {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run mf-windmill");
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status.code().unwrap_or(-1));
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn a_long_operator_chain_does_not_overflow_the_stack() {
    // `x = 1 + 1 + ... + 1` left-nests one BinOp per `+`; the recursive Drop of the AST
    // overflows the main thread's 8 MiB stack at ~150,000 terms, a 2 MiB worker
    // thread's at ~50,000 (several files).
    let dir = tempfile::tempdir().unwrap();
    let chain = format!("x = {}1\n", "1 + ".repeat(200_000));
    write(dir.path(), "chain.py", &chain);
    write(dir.path(), "clean.py", CLEAN_FLOW);
    let code = run_in_with_limit(
        dir.path(),
        &["check", "chain.py"],
        std::time::Duration::from_secs(60),
    );
    assert!(matches!(code, Some(0 | 1)), "exit {code:?}");
    let code = run_in_with_limit(
        dir.path(),
        &["check", "chain.py", "clean.py"],
        std::time::Duration::from_secs(60),
    );
    assert!(matches!(code, Some(0 | 1)), "exit {code:?}");
}

#[test]
fn a_chain_of_join_and_split_steps_is_checked_in_bounded_time() {
    // j_i(self, inputs) -> a_{i+1}, b_{i+1}: each join is also a split (MF107), so split
    // parents never pop and every path has its own state: 2^n states, ~4x time and memory
    // per diamond (n = 18: 31 s, 4.4 GB).
    let n = 40;
    let mut src = String::from(
        "from metaflow import FlowSpec, step\n\n\nclass D(FlowSpec):\n    @step\n    def start(self):\n        self.next(self.a0, self.b0)\n\n",
    );
    for i in 0..n {
        src += &format!(
            "    @step\n    def a{i}(self):\n        self.next(self.j{i})\n\n    @step\n    def b{i}(self):\n        self.next(self.j{i})\n\n    @step\n    def j{i}(self, inputs):\n        self.next(self.a{k}, self.b{k})\n\n",
            k = i + 1
        );
    }
    src += &format!(
        "    @step\n    def a{n}(self):\n        self.next(self.end)\n\n    @step\n    def b{n}(self):\n        self.next(self.end)\n\n    @step\n    def end(self, inputs):\n        pass\n\n\nif __name__ == \"__main__\":\n    D()\n"
    );
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "diamonds.py", &src);
    let limit = std::time::Duration::from_secs(10);
    let code = run_in_with_limit(dir.path(), &["check", "diamonds.py"], limit);
    assert_eq!(
        code,
        Some(1),
        "check: exit {code:?} (None: killed after 10 s)"
    );
    let code = run_in_with_limit(dir.path(), &["graph", "diamonds.py"], limit);
    assert!(
        matches!(code, Some(0 | 1)),
        "graph: exit {code:?} (None: killed after 10 s)"
    );
}

#[test]
fn pep263_encoding_declaration_is_not_invalid_utf8() {
    let d = tempfile::tempdir().unwrap();
    let mut bytes = b"# -*- coding: latin-1 -*-\n# caf\xe9\n".to_vec();
    bytes.extend_from_slice(b"from metaflow import FlowSpec, step\n\nclass F(FlowSpec):\n    @step\n    def start(self):\n        self.next(self.end)\n\n    @step\n    def end(self):\n        pass\n\nif __name__ == \"__main__\":\n    F()\n");
    std::fs::write(d.path().join("latin.py"), &bytes).unwrap();
    let o = run_in(d.path(), &["check", "--format", "concise", "latin.py"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    // Without the declaration the same bytes are not valid UTF-8: MF002.
    std::fs::write(d.path().join("bad.py"), &bytes[26..]).unwrap();
    let o = run_in(d.path(), &["check", "--format", "concise", "bad.py"]);
    assert_eq!(o.code, 1);
    assert!(o.stdout.contains("MF002"), "{}", o.stdout);
}

/// `check` and `compile` say the same thing about @trigger / @trigger_on_finish and
/// @exit_hook: the same diagnostics with the same span (none for readable event names,
/// WM212 for unreadable ones), and compile proceeds exactly when check finds no error.
#[test]
fn check_and_compile_agree_on_event_decorators() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("@trigger(event=\"data_ready\")", "trigger", "", true),
        (
            "@trigger_on_finish(flow=\"Upstream\")",
            "trigger_on_finish",
            "",
            true,
        ),
        ("@trigger(event=notify())", "trigger", "WM212", false),
        (
            "@trigger_on_finish(flows=[\"A\", notify()])",
            "trigger_on_finish",
            "WM212",
            false,
        ),
        ("@trigger(event=\"bad name\")", "trigger", "WM212", false),
        ("@exit_hook(on_success=[notify])", "exit_hook", "", true),
        ("@exit_hook(on_success=HOOKS)", "exit_hook", "WM211", false),
    ];
    for (i, (deco, import, code, compiles)) in cases.iter().enumerate() {
        let src = format!(
            "from metaflow import FlowSpec, step, {import}\n\n\ndef notify():\n    pass\n\n\nHOOKS = [notify]\n\n\n{deco}\nclass EventFlow(FlowSpec):\n    @step\n    def start(self):\n        self.next(self.end)\n\n    @step\n    def end(self):\n        pass\n\n\nif __name__ == \"__main__\":\n    EventFlow()\n"
        );
        let file = format!("event_{i}.py");
        std::fs::write(dir.path().join(&file), src).unwrap();
        let check = run_in(dir.path(), &["check", "--format", "concise", &file]);
        let compile = run_in(
            dir.path(),
            &[
                "compile",
                &file,
                "--datastore-root",
                "/srv/mf/.metaflow",
                "--user",
                "tester",
                "-o",
                "out.json",
            ],
        );
        let span = format!("{file}:11:2: {code}");
        if code.is_empty() {
            assert!(check.stdout.trim().is_empty(), "{deco}: {}", check.stdout);
            assert!(
                !compile.stderr.contains(" WM2"),
                "{deco}: {}",
                compile.stderr
            );
        } else {
            assert!(check.stdout.contains(&span), "{deco}: {}", check.stdout);
            // compile prints the same diagnostics (human format) with the same location.
            assert!(compile.stderr.contains(code), "{deco}: {}", compile.stderr);
            assert!(
                compile.stderr.contains(&format!("{file}:11:2")),
                "{deco}: {}",
                compile.stderr
            );
        }
        assert_eq!(
            check.code == 0,
            *compiles,
            "{deco}: check exit {}",
            check.code
        );
        assert_eq!(compile.code == 0, *compiles, "{deco}: {}", compile.stderr);
    }
}
