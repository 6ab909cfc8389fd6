//! branchone (first truthy predicate, else default) and branchall failures.

mod local_common;
use local_common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn branchone_picks_first_truthy_else_default() {
    let a = run("branchone", json!({"choice": "a"})).await;
    assert!(a.success);
    assert_eq!(a.result, json!("chose-a"));
    let b = run("branchone", json!({"choice": "b"})).await;
    assert_eq!(b.result, json!("chose-b"));
    let d = run("branchone", json!({"choice": "zzz"})).await;
    assert!(d.success);
    assert!(d.jobs_of("in_a").is_empty() && d.jobs_of("in_b").is_empty());
    // The chosen branch's last result; results.<id> resolves inside the branch.
    assert_eq!(d.result, json!("default after chose-default"));
}

#[tokio::test(flavor = "multi_thread")]
async fn branchall_failure_with_skip_failure_false_fails_the_flow() {
    let o = run("branchall_skip_false", json!({})).await;
    assert!(!o.success);
    assert_eq!(o.jobs_of("works").len(), 1);
    assert!(o.jobs_of("next").is_empty());
    let r = o.result.as_array().unwrap();
    assert_eq!(r[0], json!("fine"));
    assert!(r[1].pointer("/error/message").is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn branchall_skip_failure_absent_defaults_to_true() {
    let o = run("branchall_skip_absent", json!({})).await;
    assert!(o.success, "{:?}", o.result);
    // The next step sees the array with the failed branch's error.
    let next = only(&o, "next");
    let p: serde_json::Value = serde_json::from_str(next.args["p"].as_str().unwrap()).unwrap();
    assert_eq!(p[0], json!("fine"));
    assert_eq!(p[1]["error"]["name"], "ExecutionErr");
}

#[tokio::test(flavor = "multi_thread")]
async fn allowed_branch_failure_still_fails_the_flow_as_last_step() {
    let o = run("branchall_skip_absent_last", json!({})).await;
    assert!(!o.success);
}
