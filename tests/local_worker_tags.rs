//! Worker tags in the local executor, as on Windmill (windmill-common `worker.rs`: a
//! worker pulls only jobs whose tag it serves; a module's `tag` is its jobs' tag, `bash`
//! otherwise): a job with an unserved tag waits in the queue.

mod local_common;
use local_common::*;
use mf_windmill::local::{self, CancelToken, Event, RunOptions};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// `a` writes a file, then `b` (tagged `tag`) writes another.
fn flow(dir: &std::path::Path, tag: Option<&str>) -> local::FlowValue {
    let mut b = json!({"type": "rawscript", "language": "bash",
        "content": format!("touch {}/b\necho '{{\"ok\": true}}' > result.json\n", dir.display()),
        "input_transforms": {}});
    if let Some(t) = tag {
        b["tag"] = Value::String(t.into());
    }
    let f = json!({"modules": [
        {"id": "a", "value": {"type": "rawscript", "language": "bash",
            "content": format!("touch {}/a\n", dir.display()), "input_transforms": {}}},
        {"id": "b", "value": b},
    ]});
    local::parse_flow_json(&f.to_string()).unwrap()
}

fn recording() -> (Arc<Mutex<Vec<Event>>>, local::EventSink) {
    let seen = Arc::new(Mutex::new(vec![]));
    let s = seen.clone();
    (
        seen,
        Arc::new(move |e: &Event| s.lock().unwrap().push(e.clone())),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_whose_tag_no_worker_serves_waits_queued() {
    let dir = tempfile::tempdir().unwrap();
    let cancel = CancelToken::new();
    let (seen, sink) = recording();
    let o = RunOptions {
        cancel: Some(cancel.clone()),
        on_event: Some(sink),
        ..opts()
    };
    let f = flow(dir.path(), Some("gpu"));
    let run = tokio::spawn(async move { local::run_flow(&f, Default::default(), o).await });
    // `a` runs; `b` (tag gpu, not among the default tags) waits.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(dir.path().join("a").exists());
    assert!(!dir.path().join("b").exists());
    assert!(
        !run.is_finished(),
        "the run must wait for a worker serving `gpu`"
    );
    cancel.cancel();
    let out = tokio::time::timeout(Duration::from_secs(10), run)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(out.canceled && !out.success);
    assert!(!dir.path().join("b").exists());
    let ev = seen.lock().unwrap();
    assert!(
        !ev.iter()
            .any(|e| matches!(e, Event::StepStarted { module_id, .. } if module_id == "b")),
        "b never started"
    );
    assert!(ev.iter().any(|e| matches!(e, Event::Warning { module_id: Some(m), message } if m == "b" && message.contains("'gpu'"))));
}

#[tokio::test(flavor = "multi_thread")]
async fn served_tags_run_and_untagged_bash_needs_the_bash_tag() {
    let dir = tempfile::tempdir().unwrap();
    let o = RunOptions {
        worker_tags: Some(vec!["bash".into(), "gpu".into()]),
        ..opts()
    };
    let out = local::run_flow(&flow(dir.path(), Some("gpu")), Default::default(), o)
        .await
        .unwrap();
    assert!(out.success, "{:?}", out.result);
    assert!(dir.path().join("b").exists());
    // Workers serving only `gpu`: the untagged (bash) `a` waits, `b` never runs.
    let dir = tempfile::tempdir().unwrap();
    let cancel = CancelToken::new();
    let o = RunOptions {
        worker_tags: Some(vec!["gpu".into()]),
        cancel: Some(cancel.clone()),
        ..opts()
    };
    let f = flow(dir.path(), Some("gpu"));
    let run = tokio::spawn(async move { local::run_flow(&f, Default::default(), o).await });
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(!dir.path().join("a").exists());
    cancel.cancel();
    let out = run.await.unwrap().unwrap();
    assert!(out.canceled);
    // Without a tag, the default tags serve bash.
    let dir = tempfile::tempdir().unwrap();
    let out = local::run_flow(&flow(dir.path(), None), Default::default(), opts())
        .await
        .unwrap();
    assert!(out.success);
}
