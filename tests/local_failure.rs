//! failure_module, continue_on_error, skip_if, stop_after_if.

mod local_common;
use local_common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn failure_module_recovers_only_on_recover_true() {
    let o = run("failure_module", json!({"recover": true})).await;
    assert!(o.success, "{:?}", o.result);
    // The flow stops at the failed step; the failure module's result is the flow's result.
    assert!(o.jobs_of("never").is_empty());
    assert_eq!(o.result["recover"], true);
    assert_eq!(o.result["msg"], "ExitCode: 7, last log lines:");
    let f = only(&o, "failure");
    assert_eq!(f.args["rec"], json!(true));

    let o = run("failure_module", json!({"recover": false})).await;
    assert!(!o.success);
    assert_eq!(o.result["recover"], false);
    assert_eq!(o.jobs_of("failure").len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn continue_on_error_passes_the_error_to_the_next_step() {
    let o = run("continue_on_error", json!({})).await;
    assert!(o.success, "{:?}", o.result);
    assert_eq!(o.result, json!("saw: ExecutionErr"));
}

#[tokio::test(flavor = "multi_thread")]
async fn skip_if_passes_previous_result_and_stop_after_if_ends_the_flow() {
    let o = run("stop_and_skip", json!({"skip": true})).await;
    assert!(o.success);
    assert!(o.jobs_of("skipped").is_empty());
    assert!(o.jobs.iter().any(|j| j.kind == "identity"
        && j.module_id.as_deref() == Some("skipped")
        && j.result == json!("1")));
    assert!(o.jobs_of("never").is_empty());
    assert_eq!(o.result, json!({"stop": true}));

    let o = run("stop_and_skip", json!({"skip": false})).await;
    assert_eq!(o.jobs_of("skipped").len(), 1);
}
