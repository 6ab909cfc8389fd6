//! Emitter structure tests: every valid corpus flow compiles and satisfies the invariants
//! (unique ids, explicit skip_failures/skip_failure/parallel, no same_worker, no
//! collapsible loop, at most 19 args); decorators, parameters, @project and @schedule map
//! as the design says; flows with errors are refused by the CLI.

use std::path::{Path, PathBuf};

use mf_windmill::emit::{self, CompileOptions, Compiled};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn options(flow: &Path) -> CompileOptions {
    CompileOptions {
        flow_file: flow.to_path_buf(),
        max_workers: 16,
        max_num_splits: 100,
        max_flow_bytes: 2 * 1024 * 1024,
        package_suffixes: mf_windmill::emit::bundle::package_suffixes(None),
        branch: None,
        production: false,
        tags: vec![],
        with: vec![],
        namespace: None,
        datastore_root: Some(PathBuf::from("/srv/mf/.metaflow")),
        python: "python3".into(),
        user: "tester".into(),
        folder: "metaflow".into(),
        routing: Default::default(),
        env: vec![("HOME".into(), "/nonexistent".into())],
    }
}

fn compile_with(
    flow: &Path,
    opts: &CompileOptions,
    name: Option<&str>,
) -> Result<Compiled, Vec<String>> {
    let file = mf_windmill::parse::read_flow_file(flow, &flow.display().to_string()).unwrap();
    let f = match name {
        Some(n) => file.flows.iter().find(|f| f.name == n).unwrap(),
        None => &file.flows[0],
    };
    emit::compile(f, opts)
}

fn compile(flow: &Path) -> Compiled {
    compile_with(flow, &options(flow), None).unwrap_or_else(|e| panic!("{}: {e:?}", flow.display()))
}

fn corpus() -> Vec<PathBuf> {
    let dir = root().join("tests/flows/valid");
    let mut v = vec![];
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            if p.join("flow.py").exists() {
                v.push(p.join("flow.py"));
            }
        } else if p.extension().is_some_and(|x| x == "py") {
            v.push(p);
        }
    }
    v.sort();
    v
}

fn walk<'a>(mods: &'a Value, out: &mut Vec<&'a Value>) {
    for m in mods.as_array().into_iter().flatten() {
        out.push(m);
        let v = &m["value"];
        walk(&v["modules"], out);
        walk(&v["default"], out);
        for b in v["branches"].as_array().into_iter().flatten() {
            walk(&b["modules"], out);
        }
    }
}

#[test]
fn every_valid_flow_compiles_with_invariants() {
    let flows = corpus();
    assert!(flows.len() >= 60, "{}", flows.len());
    for f in flows {
        let c = compile(&f);
        let v = serde_json::to_value(&c.openflow).unwrap();
        let text = v.to_string();
        assert!(!text.contains("same_worker"), "{}", f.display());
        let mut mods = vec![];
        walk(&v["value"]["modules"], &mut mods);
        let mut ids: Vec<&str> = mods.iter().map(|m| m["id"].as_str().unwrap()).collect();
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate ids in {}", f.display());
        let steps = mods
            .iter()
            .filter(|m| {
                m["value"]["type"] == "rawscript" && !m["id"].as_str().unwrap().starts_with('_')
            })
            .count();
        let file = mf_windmill::parse::read_flow_file(&f, "x").unwrap();
        assert_eq!(
            steps,
            file.flows[0].steps.len(),
            "one module per step in {}",
            f.display()
        );
        for m in mods {
            let val = &m["value"];
            let id = m["id"].as_str().unwrap();
            assert!(id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
            match val["type"].as_str().unwrap() {
                "forloopflow" => {
                    assert_eq!(val["skip_failures"], false);
                    assert_eq!(val["parallel"], true);
                    assert_eq!(val["parallelism"], 16);
                }
                "whileloopflow" => {
                    assert_eq!(val["skip_failures"], false);
                    // Never collapsible: the body carries stop_after_if.
                    assert!(val["modules"][0]["stop_after_if"].is_object());
                }
                "branchall" => {
                    assert_eq!(val["parallel"], true);
                    for b in val["branches"].as_array().unwrap() {
                        assert_eq!(b["skip_failure"], false);
                        assert!(!b["modules"].as_array().unwrap().is_empty());
                    }
                }
                "branchone" => {
                    for b in val["branches"].as_array().unwrap() {
                        assert!(
                            !b["modules"].as_array().unwrap().is_empty(),
                            "empty branch in {id}"
                        );
                    }
                    assert_eq!(val["default"].as_array().unwrap().len(), 1);
                }
                "rawscript" => {
                    assert_eq!(val["language"], "bash");
                    assert!(val["input_transforms"].as_object().unwrap().len() <= 19);
                }
                t => panic!("unexpected module type {t}"),
            }
        }
    }
}

fn module<'a>(v: &'a Value, id: &str) -> &'a Value {
    let mut mods = vec![];
    walk(&v["value"]["modules"], &mut mods);
    mods.into_iter()
        .find(|m| m["id"] == id)
        .unwrap_or_else(|| panic!("no module {id}"))
}

/// The plan: the line after the `exec` line that opens the `MFWM_PLAN` heredoc.
fn plan(m: &Value) -> Value {
    let content = m["value"]["content"].as_str().unwrap();
    let line = content
        .lines()
        .skip_while(|l| !l.contains("<<'MFWM_PLAN'"))
        .nth(1)
        .unwrap();
    serde_json::from_str(line).unwrap()
}

#[test]
fn retry_catch_timeout_environment_map_to_windmill() {
    let c = compile(&root().join("tests/e2e/flows/catch_timeout_env.py"));
    let v = serde_json::to_value(&c.openflow).unwrap();
    // @catch + @retry(times=1): Windmill retries 1 + 3, no wait.
    let af = module(&v, "always_fails");
    assert_eq!(af["retry"]["constant"]["attempts"], 4);
    assert_eq!(af["retry"]["constant"]["seconds"], 0);
    assert_eq!(plan(af)["user_retries"], 1);
    // @timeout(seconds=2): module backstop 62 s; Metaflow enforces the 2 s itself.
    let slow = module(&v, "slow");
    assert_eq!(slow["timeout"], 62);
    assert_eq!(plan(slow)["attempts"], 1);
    // @environment: in the plan's env, not in any shell word.
    let env = plan(module(&v, "env"))["env"].clone();
    assert_eq!(env["MFWM_PLAIN"], "plain");
    assert_eq!(
        env["MFWM_HOSTILE"],
        "$(touch /tmp/mfwm_pwned_env) `x` 'q' \"d\" é"
    );
    let start = module(&v, "start");
    assert!(start.get("retry").is_none());
    assert_eq!(plan(start)["attempts"], 0);
    // @retry default: times=3, minutes_between_retries=2.
    let c = compile(&root().join("tests/flows/valid/decorators_retry_catch.py"));
    let v = serde_json::to_value(&c.openflow).unwrap();
    assert_eq!(module(&v, "start")["retry"]["constant"]["attempts"], 3);
    assert_eq!(module(&v, "start")["retry"]["constant"]["seconds"], 120);
    assert_eq!(module(&v, "risky")["retry"]["constant"]["attempts"], 5);
}

#[test]
fn parameters_schema_and_transport() {
    let c = compile(&root().join("tests/flows/valid/params_all_types.py"));
    let s = &c.openflow.schema;
    let p = &s["properties"];
    assert_eq!(p["count"]["type"], "integer");
    assert_eq!(p["count"]["default"], 3);
    assert_eq!(p["ratio"]["type"], "number");
    assert_eq!(p["flag"]["type"], "boolean");
    assert_eq!(p["inferred_bool"]["type"], "boolean");
    assert_eq!(p["config_json"]["type"], "object");
    assert_eq!(
        p["config_json"]["default"]["layers"],
        serde_json::json!([1, 2])
    );
    assert_eq!(p["tag-list"]["type"], "string");
    assert_eq!(p["name_str"]["description"], "a string");
    assert!(p["no_default"].get("default").is_none());
    let v = serde_json::to_value(&c.openflow).unwrap();
    let start = module(&v, "start");
    let expr = start["value"]["input_transforms"]["params_b64"]["expr"]
        .as_str()
        .unwrap();
    assert!(expr.contains("\"tag-list\": flow_input[\"tag-list\"]"));
    assert!(!expr.contains("return") && !expr.contains("btoa"));
    // Only the start module gets parameters.
    assert_eq!(
        module(&v, "end")["value"]["input_transforms"]["params_b64"]["value"],
        ""
    );
    let pl = plan(start);
    assert_eq!(pl["is_start"], true);
    assert!(
        pl["params"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["name"] == "tag-list" && x["type"] == "str")
    );
}

#[test]
fn project_and_schedule() {
    let f = root().join("tests/flows/valid/schedule_hourly_project.py");
    let c = compile(&f);
    assert_eq!(
        c.project_flow_name.as_deref(),
        Some("reports.user.tester.ScheduleHourlyProjectFlow")
    );
    assert_eq!(
        c.path,
        "f/metaflow/reports-user-tester-ScheduleHourlyProjectFlow"
    );
    let s = c.schedule.clone().unwrap();
    assert_eq!(s["schedule"], "0 0 * * * *");
    assert_eq!(s["is_flow"], true);
    // No --branch/--production for a default user branch.
    let v = serde_json::to_value(&c.openflow).unwrap();
    let top = plan(module(&v, "start"))["top"].clone();
    assert!(
        !top.as_array()
            .unwrap()
            .iter()
            .any(|x| x == "--branch" || x == "--production")
    );
    let mut o = options(&f);
    o.branch = Some("feat".into());
    let c = compile_with(&f, &o, None).unwrap();
    assert_eq!(
        c.project_flow_name.as_deref(),
        Some("reports.test.feat.ScheduleHourlyProjectFlow")
    );
    let v = serde_json::to_value(&c.openflow).unwrap();
    let top = plan(module(&v, "end"))["top"].clone();
    let top: Vec<&str> = top
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert!(top.windows(2).any(|w| w == ["--branch", "feat"]));
    let mut o = options(&f);
    o.production = true;
    assert_eq!(
        compile_with(&f, &o, None)
            .unwrap()
            .project_flow_name
            .as_deref(),
        Some("reports.prod.ScheduleHourlyProjectFlow")
    );
    // --branch without @project is refused.
    let lin = root().join("tests/flows/valid/linear_basic.py");
    let mut o = options(&lin);
    o.branch = Some("x".into());
    assert!(compile_with(&lin, &o, None).is_err());
    let c = compile(&root().join("tests/flows/valid/schedule_daily_timezone.py"));
    let s = c.schedule.unwrap();
    assert_eq!(s["schedule"], "0 0 0 * * *");
    assert_eq!(s["timezone"], "Europe/Paris");
}

#[test]
fn settings_and_user_are_required() {
    let f = root().join("tests/flows/valid/linear_basic.py");
    let mut o = options(&f);
    o.datastore_root = None;
    let e = compile_with(&f, &o, None).unwrap_err();
    assert!(e.iter().any(|m| m.contains("datastore")), "{e:?}");
    let mut o = options(&f);
    o.user = "root".into();
    assert!(compile_with(&f, &o, None).is_err());
    let mut o = options(&f);
    o.with = vec!["retry:times=2".into()];
    assert!(compile_with(&f, &o, None).unwrap_err()[0].contains("@retry"));
    let mut o = options(&f);
    o.with = vec!["card".into()];
    let c = compile_with(&f, &o, None).unwrap();
    let v = serde_json::to_value(&c.openflow).unwrap();
    let top: Vec<String> =
        serde_json::from_value(plan(module(&v, "start"))["init_top"].clone()).unwrap();
    assert_eq!(top[top.len() - 2..], ["--with", "card"]);
    let mut o = options(&f);
    o.max_workers = 3;
    o.tags = vec!["a b".into()];
    o.namespace = Some("ns".into());
    let c = compile_with(&f, &o, None).unwrap();
    let v = serde_json::to_value(&c.openflow).unwrap();
    let p = plan(module(&v, "end"));
    assert_eq!(p["tags"], serde_json::json!(["a b"]));
    assert_eq!(p["namespace"], "ns");
    assert_eq!(p["local_root"], "/srv/mf/.metaflow");
    assert_eq!(p["env"]["METAFLOW_USER"], "tester");
    let top: Vec<String> = serde_json::from_value(p["top"].clone()).unwrap();
    assert_eq!(
        top,
        [
            "--quiet",
            "--metadata",
            "local",
            "--environment",
            "local",
            "--datastore",
            "local",
            "--no-pylint",
            "--event-logger",
            "nullSidecarLogger",
            "--monitor",
            "nullSidecarMonitor",
            "--datastore-root",
            "/srv/mf/.metaflow",
            "--with",
            "windmill_internal"
        ]
    );
}

#[test]
fn compile_cli_refuses_flows_with_errors() {
    let bin = env!("CARGO_BIN_EXE_mf-windmill");
    let out = std::process::Command::new(bin)
        .args([
            "compile",
            "tests/flows/invalid/ambiguous_join.py",
            "--datastore-root",
            "/srv/.metaflow",
            "--user",
            "tester",
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not compiled"), "{err}");
}

#[test]
fn bundle_contains_imported_modules_and_named_files() {
    let c = compile(&root().join("tests/flows/valid/mixin_module/flow.py"));
    assert!(c.bundle_files.iter().any(|f| f == "flow.py"));
    assert!(
        c.bundle_files.iter().any(|f| f == "mixins.py"),
        "{:?}",
        c.bundle_files
    );
    assert!(c.bundle_files.iter().any(|f| f == "_mfwm/runner.py"));
    assert!(c.bundle_files.len() < 13, "{:?}", c.bundle_files);
    let c = compile(&root().join("tests/flows/valid/config_file/flow.py"));
    assert!(
        c.bundle_files.iter().any(|f| f == "settings.json"),
        "{:?}",
        c.bundle_files
    );
    let c = compile(&root().join("tests/flows/valid/params_includefile/flow.py"));
    assert!(
        c.bundle_files.iter().any(|f| f == "data.txt"),
        "{:?}",
        c.bundle_files
    );
}

/// Every rawscript module of a compiled flow: (id, content, plan or Null).
fn scripts(c: &Compiled) -> Vec<(String, String, Value)> {
    let v = serde_json::to_value(&c.openflow).unwrap();
    let mut mods = vec![];
    walk(&v["value"]["modules"], &mut mods);
    mods.iter()
        .filter(|m| m["value"]["type"] == "rawscript")
        .map(|m| {
            let content = m["value"]["content"].as_str().unwrap().to_string();
            let plan = content
                .lines()
                .skip_while(|l| !l.contains("<<'MFWM_PLAN'"))
                .nth(1)
                .map_or(Value::Null, |l| serde_json::from_str(l).unwrap());
            (m["id"].as_str().unwrap().to_string(), content, plan)
        })
        .collect()
}

#[test]
fn code_bundle_travels_once_in_the_start_step() {
    for f in corpus() {
        let c = compile(&f);
        let steps: Vec<_> = scripts(&c)
            .into_iter()
            .filter(|(_, _, p)| !p.is_null())
            .collect();
        let with_bundle: Vec<&String> = steps
            .iter()
            .filter(|(_, content, _)| content.contains("MFWM_BUNDLE"))
            .map(|(id, _, _)| id)
            .collect();
        let starts: Vec<&String> = steps
            .iter()
            .filter(|(_, _, p)| p["is_start"] == true)
            .map(|(id, _, _)| id)
            .collect();
        assert_eq!(with_bundle, starts, "{}", f.display());
        assert_eq!(starts.len(), 1, "{}", f.display());
        for (id, content, p) in &steps {
            assert_eq!(p["bundle_sha256"], c.bundle_sha256.as_str(), "{id}");
            assert_eq!(p["datastore"], "local");
            assert_eq!(p["datastore_root"], "/srv/mf/.metaflow");
            // A step without the bundle is its plan + the ~2.5 KB compressed bootstrap.
            if p["is_start"] == false {
                assert!(
                    content.len() < 6000,
                    "{id} in {}: {} bytes",
                    f.display(),
                    content.len()
                );
            }
        }
    }
}

/// A linear flow of `n` steps whose bodies hold 64 characters of hard-to-compress text each
/// (so that the flow file, which is in the bundle, grows with `n` too).
fn linear_flow(dir: &Path, n: usize) -> PathBuf {
    let names: Vec<String> = (0..n)
        .map(|i| match i {
            0 => "start".to_string(),
            i if i == n - 1 => "end".to_string(),
            i => format!("s{i}"),
        })
        .collect();
    let mut src = format!("from metaflow import FlowSpec, step\n\n\nclass Lin{n}Flow(FlowSpec):\n");
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for (i, s) in names.iter().enumerate() {
        let mut noise = String::new();
        for _ in 0..4 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            noise.push_str(&format!("{x:016x}"));
        }
        src.push_str(&format!(
            "    @step\n    def {s}(self):\n        self.x = \"{noise}\"\n"
        ));
        if i + 1 < n {
            src.push_str(&format!("        self.next(self.{})\n", names[i + 1]));
        }
        src.push('\n');
    }
    src.push_str(&format!(
        "\nif __name__ == \"__main__\":\n    Lin{n}Flow()\n"
    ));
    let path = dir.join(format!("lin{n}.py"));
    std::fs::write(&path, src).unwrap();
    path
}

#[test]
fn compiled_size_grows_linearly_with_the_number_of_steps() {
    let d = tempfile::tempdir().unwrap();
    let size = |n: usize| {
        let f = linear_flow(d.path(), n);
        let mut opts = options(&f);
        opts.max_flow_bytes = 0;
        let c = compile_with(&f, &opts, None).unwrap();
        serde_json::to_vec(&c.openflow).unwrap().len()
    };
    let (s50, s500) = (size(50), size(500));
    // O(N): 10x the steps gives ~10x the bytes. With the bundle (which holds the flow
    // file, itself O(N)) in every step it was O(N^2): 34x here.
    assert!(
        s500 < 11 * s50,
        "50 steps: {s50} bytes, 500 steps: {s500} bytes ({:.1}x)",
        s500 as f64 / s50 as f64
    );
}

mod shell_safety {
    use mf_windmill::emit::script::{InputPlan, StepPlan, StepScript};
    use proptest::prelude::*;

    fn plan(tags: Vec<String>, env_val: String) -> StepPlan {
        let mut env = serde_json::Map::new();
        env.insert("X".into(), serde_json::Value::String(env_val));
        StepPlan {
            v: 1,
            flow: "F".into(),
            flow_file: "f.py".into(),
            step: "s".into(),
            is_start: false,
            triggered: false,
            node_type: "linear".into(),
            bundle_sha256: "0".into(),
            metaflow_version: "2.19.39".into(),
            top: vec![],
            init_top: vec![],
            input: InputPlan::Same {
                pred: "start".into(),
            },
            task_prefixes: [
                ("s".to_string(), "t2".to_string()),
                ("start".to_string(), "t1".to_string()),
            ]
            .into_iter()
            .collect(),
            in_loop: false,
            user_retries: 0,
            attempts: 0,
            env,
            tags,
            namespace: None,
            max_num_splits: 100,
            datastore: "local".into(),
            datastore_root: "/srv/.metaflow".into(),
            local_root: None,
            params: vec![],
        }
    }

    proptest! {
        /// Whatever the tags, @environment values or interpreter path, the script keeps its
        /// 5-argument signature, the plan heredoc carries them intact, and nothing of them
        /// appears outside a quoted heredoc or single quotes.
        #[test]
        fn user_text_never_escapes(tags in proptest::collection::vec(".*", 0..4), val in ".*", py in "[^\\p{Cc}]*", start in any::<bool>()) {
            let p = plan(tags, val);
            let bundle = start.then_some("QUJD");
            let content = StepScript { flow: "F", python: &py, bundle_b64: bundle, plan: &p }.render();
            let lines: Vec<&str> = content.lines().collect();
            let sig: Vec<&str> = lines.iter().copied().take_while(|l| l.contains("=\"$")).collect();
            prop_assert_eq!(sig, vec!["run_id=\"$1\"", "index_path=\"$2\"", "input_ref=\"$3\"", "params_b64=\"$4\"", "resume=\"$5\""]);
            let at = lines.iter().position(|l| l.contains("<<'MFWM_PLAN'")).unwrap();
            prop_assert!(lines[at].starts_with("exec \"$PY\" -c '"));
            prop_assert!(lines[at].ends_with("<<'MFWM_BOOT'"));
            prop_assert_eq!(lines[at].contains("4<<'MFWM_BUNDLE'"), start);
            let back: serde_json::Value = serde_json::from_str(lines[at + 1]).unwrap();
            prop_assert_eq!(&back, &serde_json::to_value(&p).unwrap());
            prop_assert_eq!(lines[at + 2], "MFWM_PLAN");
            let mut rest = &lines[at + 3..];
            if start {
                prop_assert_eq!(&rest[..2], &["QUJD", "MFWM_BUNDLE"][..]);
                rest = &rest[2..];
            }
            // The rest is the bootstrap: base64 lines, then the terminator, then nothing.
            prop_assert_eq!(rest.last().copied(), Some("MFWM_BOOT"));
            prop_assert!(rest[..rest.len() - 1].iter().all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=')));
            // The interpreter is one single-quoted word.
            let py_line = lines.iter().find(|l| l.starts_with("PY=")).unwrap();
            let want = format!("PY={}", mf_windmill::emit::script::shell_quote(&py));
            prop_assert_eq!(*py_line, want.as_str());
        }
    }
}

#[test]
fn resources_route_steps_to_worker_tags() {
    use mf_windmill::emit::decorators::resources::Routing;
    let flow = root().join("tests/flows/valid/decorators_misc.py");
    // Without a mapping: no tag anywhere, @resources reported as ignored.
    let c = compile(&flow);
    let v = serde_json::to_value(&c.openflow).unwrap();
    let mut mods = vec![];
    walk(&v["value"]["modules"], &mut mods);
    assert!(mods.iter().all(|m| m["value"].get("tag").is_none()));
    assert!(
        c.warnings
            .iter()
            .any(|w| w.contains("heavy") && w.contains("@resources ignored"))
    );
    // heavy: cpu=2, memory=1000; limited: memory=512, gpu=0 (cpu defaults to 1).
    let mut opts = options(&flow);
    opts.routing = Routing::resolve(
        Some(r#"[{"tag": "gpu", "gpu": 1}, {"tag": "big", "cpu": 2, "memory": 1000}]"#),
        &["start=io".to_string()],
    )
    .unwrap();
    let c = compile_with(&flow, &opts, None).unwrap();
    let v = serde_json::to_value(&c.openflow).unwrap();
    assert_eq!(module(&v, "heavy")["value"]["tag"], "big");
    assert_eq!(module(&v, "start")["value"]["tag"], "io");
    assert!(module(&v, "limited")["value"].get("tag").is_none());
    assert!(module(&v, "end")["value"].get("tag").is_none());
    assert!(
        c.warnings
            .iter()
            .any(|w| w.contains("limited") && w.contains("meets no rule"))
    );
    // A threshold the request does not reach: memory 1000 < 1001.
    opts.routing = Routing::resolve(Some(r#"[{"tag": "big", "memory": 1001}]"#), &[]).unwrap();
    let c = compile_with(&flow, &opts, None).unwrap();
    let v = serde_json::to_value(&c.openflow).unwrap();
    assert!(module(&v, "heavy")["value"].get("tag").is_none());
    // A step the flow does not have is an error, as are malformed flags.
    opts.routing = Routing::resolve(None, &["nosuch=gpu".to_string()]).unwrap();
    let errs = compile_with(&flow, &opts, None).unwrap_err();
    assert!(
        errs.iter().any(|e| e.contains("no step nosuch")),
        "{errs:?}"
    );
    for (map, over) in [
        (Some("[{\"tag\": \"a b\"}]"), vec![]),
        (Some("[{\"tag\": \"x\", \"cpus\": 1}]"), vec![]),
        (Some("{\"tag\": \"x\"}"), vec![]),
        (None, vec!["start".to_string()]),
        (None, vec!["start=g;pu".to_string()]),
        (None, vec!["start=a".to_string(), "start=b".to_string()]),
    ] {
        assert!(Routing::resolve(map, &over).is_err(), "{map:?} {over:?}");
    }
}

#[test]
fn a_non_literal_resource_with_a_mapping_is_an_error() {
    use mf_windmill::emit::decorators::resources::Routing;
    let dir = tempfile::tempdir().unwrap();
    let flow = dir.path().join("flow.py");
    std::fs::write(
        &flow,
        "from metaflow import FlowSpec, resources, step\nN = 4\n\nclass DynResFlow(FlowSpec):\n    @resources(cpu=N)\n    @step\n    def start(self):\n        self.next(self.end)\n\n    @step\n    def end(self):\n        pass\n\nif __name__ == \"__main__\":\n    DynResFlow()\n",
    )
    .unwrap();
    let mut opts = options(&flow);
    opts.routing = Routing::resolve(Some(r#"[{"tag": "big", "cpu": 2}]"#), &[]).unwrap();
    // A module constant is evaluated statically (src/parse/eval.rs): cpu=N is 4, the rule matches.
    let c = compile_with(&flow, &opts, None).unwrap();
    let v = serde_json::to_value(&c.openflow).unwrap();
    assert_eq!(module(&v, "start")["value"]["tag"], "big");
    // A value only Python knows at import is not.
    let src = std::fs::read_to_string(&flow)
        .unwrap()
        .replace("N = 4", "import os\nN = int(os.environ.get(\"N\", \"4\"))");
    std::fs::write(&flow, src).unwrap();
    let errs = compile_with(&flow, &opts, None).unwrap_err();
    assert!(
        errs.iter()
            .any(|e| e.contains("@resources(cpu=...) is not a literal")),
        "{errs:?}"
    );
    // Named outright, the step needs no evaluation.
    opts.routing = Routing::resolve(None, &["start=big".to_string()]).unwrap();
    let c = compile_with(&flow, &opts, None).unwrap();
    let v = serde_json::to_value(&c.openflow).unwrap();
    assert_eq!(module(&v, "start")["value"]["tag"], "big");
}

/// @trigger_on_finish inside a @project listens to the upstream's finish event in the
/// listener's own project and branch (Argo's `_process_triggers`), and the flow's own
/// finish module publishes under its project flow name; @trigger mappings are checked
/// against the parameters.
#[test]
fn trigger_event_names_follow_metaflow_project_naming() {
    let d = tempfile::tempdir().unwrap();
    let src = |decos: &str| {
        format!(
            "from metaflow import FlowSpec, Parameter, project, step, trigger, trigger_on_finish\n\n\n{decos}\nclass DownFlow(FlowSpec):\n    day = Parameter(\"day\", type=int, required=True)\n    other = Parameter(\"other\", default=\"x\")\n\n    @step\n    def start(self):\n        self.next(self.end)\n\n    @step\n    def end(self):\n        pass\n"
        )
    };
    let compiled = |decos: &str| {
        let f = d.path().join("down.py");
        std::fs::write(&f, src(decos)).unwrap();
        compile_with(&f, &options(&f), None)
    };
    let c = compiled(
        "@project(name=\"proj\")\n@trigger_on_finish(flows=[\"Up\", \"other.prod.Side\"])",
    )
    .unwrap();
    let events: Vec<&str> = c.listeners.iter().map(|l| l.event.as_str()).collect();
    assert_eq!(
        events,
        [
            "metaflow.proj.user.tester.Up.end",
            "metaflow.other.prod.Side.end"
        ]
    );
    assert!(c.listeners.iter().all(|l| l.kind == "run"));
    let json = serde_json::to_value(&c.openflow).unwrap();
    let mods = json["value"]["modules"].as_array().unwrap();
    let fin = mods.iter().find(|m| m["id"] == "_finish_event").unwrap();
    assert_eq!(
        fin["summary"],
        "finish event: metaflow.proj.user.tester.DownFlow.end"
    );
    // One event without a mapping: every parameter by its own name.
    let c = compiled("@trigger(event=\"go\")").unwrap();
    assert_eq!(c.listeners[0].parameters.len(), 2);
    assert_eq!(c.listeners[0].required, ["day"]);
    let c =
        compiled("@trigger(event={\"name\": \"go\", \"parameters\": {\"DAY\": \"d\"}})").unwrap();
    assert_eq!(c.listeners[0].parameters["day"], "d");
    let e = compiled("@trigger(event={\"name\": \"go\", \"parameters\": {\"nope\": \"d\"}})")
        .unwrap_err();
    assert!(e.iter().any(|m| m.contains("'nope'")), "{e:?}");
}
