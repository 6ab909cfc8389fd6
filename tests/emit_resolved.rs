//! `--metaflow-resolved FILE` through the built binary: a flow that only Metaflow can
//! evaluate (`@retry(times=cfg.retries)`, a deploy-time Parameter default, a Config) is
//! refused or warned about statically, and compiles with a hand-written overlay to what
//! Metaflow would use: the retry count, the schema default, the config options and the
//! bundled config file (docs/metaflow-resolved.md).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_mf-windmill");

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn flow() -> PathBuf {
    repo().join("tests/resolved/config_retry.py")
}

struct Out {
    stdout: String,
    stderr: String,
    code: i32,
}

/// `compile FLOW --user tester --datastore-root ROOT ARGS...` in a clean environment.
fn compile(root: &Path, args: &[&str]) -> Out {
    let out = Command::new(BIN)
        .arg("compile")
        .arg(flow())
        .args(["--user", "tester", "--datastore-root"])
        .arg(root.join(".metaflow"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", "/nonexistent")
        .env("NO_COLOR", "1")
        .output()
        .expect("run mf-windmill");
    Out {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().expect("exited"),
    }
}

/// What the Metaflow extension would write for `tests/resolved/config_retry.py` run by user
/// `tester` (checked against `python config_retry.py run`: the config file is
/// `dump_config_values`, the graph and decorators are Metaflow's).
fn overlay(root: &Path) -> Value {
    json!({
        "v": 1,
        "metaflow_version": "2.19.39",
        "flow": "ConfigRetryFlow",
        "graph": {
            "end": {"type": "end", "out_funcs": []},
            "start": {"type": "start", "out_funcs": ["end"]}
        },
        "steps": {
            "start": {"decorators": [{"name": "retry", "attributes": {"times": 2, "minutes_between_retries": 0}}]},
            "end": {"decorators": []}
        },
        "flow_decorators": [],
        "parameters": [
            {"name": "region", "type": "str", "default": "region-tester", "required": false, "help": "deploy-time default"},
            {"name": "who", "type": "str", "default": "world", "required": false, "help": "who to greet"}
        ],
        "config_file": {"user_configs": {"cfg": [{"retries": 2, "greeting": "hello", "fail_until": 1}, false]}},
        "configs": ["cfg"],
        "settings": {
            "metadata": "local", "datastore": "local",
            "datastore_root": root.join("mf/.metaflow").to_string_lossy(),
            "environment": "local", "event_logger": "nullSidecarLogger", "monitor": "nullSidecarMonitor"
        }
    })
}

fn write(dir: &Path, v: &Value) -> String {
    let p = dir.join("resolved.json");
    std::fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
    p.to_string_lossy().into_owned()
}

fn module<'a>(flow: &'a Value, id: &str) -> &'a Value {
    flow["value"]["modules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id)
        .unwrap_or_else(|| panic!("no module {id}"))
}

/// The body line(s) of a quoted heredoc, found by its terminator line (so the test does
/// not depend on where the heredoc is opened).
fn heredoc_before<'a>(content: &'a str, terminator: &str, one_line: bool) -> Vec<&'a str> {
    let lines: Vec<&str> = content.lines().collect();
    let end = lines
        .iter()
        .position(|l| *l == terminator)
        .unwrap_or_else(|| panic!("no {terminator} heredoc"));
    if one_line {
        return vec![lines[end - 1]];
    }
    let b64 = |l: &&str| {
        !l.is_empty()
            && l.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
    };
    let mut start = end;
    while start > 0 && b64(&lines[start - 1]) {
        start -= 1;
    }
    lines[start..end].to_vec()
}

fn plan(m: &Value) -> Value {
    let content = m["value"]["content"].as_str().unwrap();
    serde_json::from_str(heredoc_before(content, "MFWM_PLAN", true)[0]).unwrap()
}

fn bundle_file(m: &Value, rel: &str) -> Option<Vec<u8>> {
    let content = m["value"]["content"].as_str().unwrap();
    let b64: String = heredoc_before(content, "MFWM_BUNDLE", false).concat();
    let tgz = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    let mut ar = tar::Archive::new(flate2::read::GzDecoder::new(tgz.as_slice()));
    for e in ar.entries().unwrap() {
        let mut e = e.unwrap();
        if e.path().unwrap().to_string_lossy() == rel {
            let mut v = vec![];
            e.read_to_end(&mut v).unwrap();
            return Some(v);
        }
    }
    None
}

fn strs(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect()
}

#[test]
fn statically_the_flow_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let o = compile(d.path(), &[]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    // The deploy-time function default cannot be known statically: refused (WM209), with
    // the way out. `cfg.retries` is evaluated from the Config's default_value.
    assert!(o.stderr.contains("WM209"), "{}", o.stderr);
    assert!(o.stderr.contains("default_region"), "{}", o.stderr);
    let flat = o.stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("python flow.py windmill create"),
        "{}",
        o.stderr
    );
    assert!(!o.stderr.contains("WM203"), "{}", o.stderr);
}

#[test]
fn with_the_overlay_it_compiles_to_what_metaflow_uses() {
    let d = tempfile::tempdir().unwrap();
    let v = overlay(d.path());
    let file = write(d.path(), &v);
    let o = compile(d.path(), &["--metaflow-resolved", &file]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    // No WM203, no non-literal default warning.
    assert!(!o.stderr.contains("WM203"), "{}", o.stderr);
    assert!(!o.stderr.contains("not a literal"), "{}", o.stderr);
    let f: Value = serde_json::from_str(&o.stdout).unwrap();
    let start = module(&f, "start");
    // @retry(times=cfg.retries) with cfg.retries = 2, minutes_between_retries = 0.
    assert_eq!(
        start["retry"],
        json!({"constant": {"attempts": 2, "seconds": 0}})
    );
    let p = plan(start);
    assert_eq!(p["user_retries"], 2);
    assert!(module(&f, "end").get("retry").is_none_or(Value::is_null));
    // The deploy-time default is Metaflow's value; the other default stays.
    assert_eq!(
        f["schema"]["properties"]["region"]["default"],
        "region-tester"
    );
    assert_eq!(
        f["schema"]["properties"]["region"]["description"],
        "deploy-time default"
    );
    assert_eq!(f["schema"]["properties"]["who"]["default"], "world");
    // ... and `init` gets it when a run gives no value (Metaflow's own `init` would call
    // the function again and yield None).
    assert_eq!(
        p["params"],
        json!([{"name": "region", "type": "str", "default": "region-tester"},
               {"name": "who", "type": "str", "default": "world"}])
    );
    // Settings are Metaflow's: the datastore root of the file, not --datastore-root.
    let root = d.path().join("mf/.metaflow").to_string_lossy().into_owned();
    assert!(o.stderr.contains("setting datastore_root"), "{}", o.stderr);
    // Config options on init and step, as Metaflow's local runtime passes them.
    let cfg_opts = [
        "--config-value",
        "cfg",
        "kv.cfg",
        "--local-config-file",
        "_mfwm/config.json",
    ];
    for key in ["top", "init_top"] {
        let top = strs(&p[key]);
        assert!(
            top.windows(cfg_opts.len()).any(|w| w == cfg_opts),
            "{key}: {top:?}"
        );
        assert!(
            top.windows(2)
                .any(|w| w == ["--datastore-root", root.as_str()]),
            "{key}: {top:?}"
        );
    }
    let end_top = plan(module(&f, "end"))["top"].clone();
    assert!(
        strs(&end_top)
            .windows(cfg_opts.len())
            .any(|w| w == cfg_opts)
    );
    // The bundle carries config_file verbatim.
    let bundled: Value =
        serde_json::from_slice(&bundle_file(start, "_mfwm/config.json").unwrap()).unwrap();
    assert_eq!(bundled, v["config_file"]);
}

#[test]
fn without_configs_nothing_config_is_added() {
    let d = tempfile::tempdir().unwrap();
    let mut v = overlay(d.path());
    v["configs"] = json!([]);
    // Then the static Config must not exist either: the sets must agree.
    let file = write(d.path(), &v);
    let o = compile(d.path(), &["--metaflow-resolved", &file]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("config 'cfg'"), "{}", o.stderr);
}

#[test]
fn invalid_files_exit_2_naming_the_field() {
    let d = tempfile::tempdir().unwrap();
    let mut v = overlay(d.path());
    v["steps"]["start"]["decorators"][0]["attributes"] = json!([1]);
    let file = write(d.path(), &v);
    let o = compile(d.path(), &["--metaflow-resolved", &file]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr
            .contains("`$.steps.start.decorators[0].attributes`: expected an object"),
        "{}",
        o.stderr
    );
    let mut v = overlay(d.path());
    v["v"] = json!(2);
    let file = write(d.path(), &v);
    let o = compile(d.path(), &["--metaflow-resolved", &file]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("`$.v`: version 2 is not supported"),
        "{}",
        o.stderr
    );
    std::fs::write(d.path().join("bad.json"), "{").unwrap();
    let bad = d.path().join("bad.json").to_string_lossy().into_owned();
    let o = compile(d.path(), &["--metaflow-resolved", &bad]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("not valid JSON"), "{}", o.stderr);
    let o = compile(d.path(), &["--metaflow-resolved", "/nonexistent/x.json"]);
    assert_eq!(o.code, 2);
    let mut v = overlay(d.path());
    v["flow"] = json!("NoSuchFlow");
    let file = write(d.path(), &v);
    let o = compile(d.path(), &["--metaflow-resolved", &file]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("no flow named NoSuchFlow"),
        "{}",
        o.stderr
    );
    let v = overlay(d.path());
    let file = write(d.path(), &v);
    let o = compile(d.path(), &["--metaflow-resolved", &file, "--flow", "Other"]);
    assert_eq!(o.code, 2);
}

#[test]
fn a_graph_metaflow_disagrees_with_is_never_compiled() {
    let d = tempfile::tempdir().unwrap();
    let mut v = overlay(d.path());
    v["graph"]["start"]["type"] = json!("linear");
    let file = write(d.path(), &v);
    let o = compile(d.path(), &["--metaflow-resolved", &file]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("step start:"), "{}", o.stderr);
    assert!(o.stderr.contains("disagree"), "{}", o.stderr);
    assert!(o.stdout.is_empty());
}

#[test]
fn the_flag_is_hidden_from_help() {
    let out = Command::new(BIN)
        .args(["compile", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("--max-workers"));
    assert!(!help.contains("metaflow-resolved"), "{help}");
}
