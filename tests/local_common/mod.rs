//! Shared helpers of the local executor tests.
#![allow(dead_code)]

use std::path::Path;
use std::time::Duration;

use mf_windmill::local::{self, FlowValue, RunOptions, RunOutcome};
use serde_json::{Map, Value};

pub fn load(name: &str) -> FlowValue {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/openflow/{name}.json"));
    local::parse_flow_json(&std::fs::read_to_string(&p).unwrap()).unwrap()
}

pub fn opts() -> RunOptions {
    RunOptions {
        workers: 4,
        kill_grace: Duration::from_millis(300),
        ..Default::default()
    }
}

pub fn inputs(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

pub async fn run(name: &str, input: Value) -> RunOutcome {
    run_with(name, input, opts()).await
}

pub async fn run_with(name: &str, input: Value, o: RunOptions) -> RunOutcome {
    local::run_flow(&load(name), inputs(input), o)
        .await
        .unwrap()
}

/// The single script job of module `id`.
pub fn only<'a>(o: &'a RunOutcome, id: &str) -> &'a local::JobRecord {
    let j = o.jobs_of(id);
    assert_eq!(j.len(), 1, "expected one job of {id}, got {}", j.len());
    j[0]
}

/// Is `pid` a live (non-zombie) process?
pub fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(s) => {
            let state = s
                .rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .chars()
                .next();
            !matches!(state, Some('Z') | Some('X'))
        }
        Err(_) => false,
    }
}

pub fn read_pid(p: &Path) -> i32 {
    std::fs::read_to_string(p).unwrap().trim().parse().unwrap()
}
