//! Isolated workers (src/local/isolation.rs) on the local executor: every job gets its own
//! cwd, HOME and TMPDIR under the run's scratch directory, exactly Windmill's job
//! environment plus the worker group's variables (nothing of this process's), the standard
//! PATH, and, where a mount namespace is available, the deployer's directories hidden
//! with the declared shared paths still visible at the same absolute path.

mod local_common;
use local_common::*;

use mf_windmill::local::{self, isolation};
use serde_json::{Value, json};

const SCRIPT: &str = r#"hidden="$1"
shared="$2"
names=$(env | cut -d= -f1 | sort | tr '\n' ' ')
secret=$(cat "$hidden/secret.txt" 2>/dev/null || echo gone)
kept=$(cat "$shared/kept.txt" 2>/dev/null || echo gone)
printf '{"names": "%s", "home": "%s", "tmp": "%s", "pwd": "%s", "path": "%s", "secret": "%s", "kept": "%s", "home_files": "%s"}' "$names" "$HOME" "$TMPDIR" "$PWD" "$PATH" "$secret" "$kept" "$(ls -A "$HOME")" > result.json
touch "$HOME/mine"
"#;

fn flow(hidden: &str, shared: &str) -> local::FlowValue {
    let module = |id: &str| {
        json!({"id": id, "value": {"type": "rawscript", "language": "bash", "content": SCRIPT,
            "input_transforms": {
                "hidden": {"type": "static", "value": hidden},
                "shared": {"type": "static", "value": shared}}}})
    };
    let v = json!({"value": {"modules": [module("a"), module("b")]}});
    local::parse_flow_json(&v.to_string()).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn isolated_jobs_share_nothing_with_the_deployer() {
    let deployer = tempfile::tempdir().unwrap();
    let d = deployer.path().canonicalize().unwrap();
    std::fs::write(d.join("secret.txt"), "deployer's").unwrap();
    let shared = d.join("shared-volume");
    std::fs::create_dir_all(&shared).unwrap();
    std::fs::write(shared.join("kept.txt"), "shared").unwrap();
    // SAFETY: set before the run; the jobs must not see it.
    unsafe { std::env::set_var("MFW_ISOLATION_SECRET", "leaked") };
    let mut o = opts();
    o.worker_env = vec![("MFW_WORKER_GROUP".into(), "g".into())];
    o.isolation = Some(isolation::Isolation {
        hidden: vec![d.clone()],
        shared: vec![shared.clone()],
    });
    let out = local::run_flow(
        &flow(d.to_str().unwrap(), shared.to_str().unwrap()),
        Default::default(),
        o,
    )
    .await
    .unwrap();
    assert!(out.success, "{:?}", out.result);
    let (a, b) = (&only(&out, "a").result, &only(&out, "b").result);
    let s = |v: &Value, k: &str| v[k].as_str().unwrap().to_string();

    let names: Vec<String> = s(a, "names").split_whitespace().map(String::from).collect();
    assert!(
        !names.contains(&"MFW_ISOLATION_SECRET".to_string()),
        "{names:?}"
    );
    let mut expected: Vec<&str> = vec![
        "BASE_INTERNAL_URL",
        "HOME",
        "MFW_WORKER_GROUP",
        "PATH",
        "PWD",
        "RUST_LOG",
        "SHLVL",
        "TMPDIR",
        "WM_BASE_URL",
        "WM_EMAIL",
        "WM_FLOW_JOB_ID",
        "WM_FLOW_PATH",
        "WM_FLOW_STEP_ID",
        "WM_JOB_ID",
        "WM_JOB_PATH",
        "WM_OBJECT_PATH",
        "WM_PERMISSIONED_AS",
        "WM_ROOT_FLOW_JOB_ID",
        "WM_ROOT_JOB_ID",
        "WM_SCHEDULED_FOR",
        "WM_STATE_PATH",
        "WM_STATE_PATH_NEW",
        "WM_TOKEN",
        "WM_USERNAME",
        "WM_WORKER_GROUP",
        "WM_WORKSPACE",
        "_",
    ];
    expected.sort();
    assert_eq!(
        names, expected,
        "exactly Windmill's job environment (bash adds PWD, SHLVL, _)"
    );
    assert_eq!(s(a, "path"), isolation::WORKER_PATH);

    // Fresh per job, outside the deployer's directory, gone after the run.
    for k in ["home", "tmp", "pwd"] {
        assert_ne!(s(a, k), s(b, k), "{k}");
        assert!(
            !s(a, k).starts_with(d.to_str().unwrap()),
            "{k}: {}",
            s(a, k)
        );
        assert!(!std::path::Path::new(&s(a, k)).exists(), "{k} removed");
    }
    assert_ne!(s(a, "home"), std::env::var("HOME").unwrap_or_default());
    assert_eq!(s(b, "home_files"), "", "b does not see a's HOME");

    match isolation::namespace_available() {
        Ok(()) => {
            assert_eq!(s(a, "secret"), "gone", "the deployer's directory is hidden");
            assert_eq!(s(a, "kept"), "shared", "the shared path stays visible");
        }
        Err(why) => eprintln!("no mount namespace here ({why}): hiding not tested"),
    }
}
