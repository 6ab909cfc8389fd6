//! Retries: a new job with the same arguments; the attempt is visible through the loopback API
//! as the parent flow job's flow_status.retry.fail_count (and only with the run's token).

mod local_common;
use local_common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn retry_reuses_arguments_and_exposes_fail_count() {
    let o = run("retry", json!({})).await;
    assert!(o.success, "{:?}", o.result);
    let jobs = o.jobs_of("flaky");
    assert_eq!(jobs.len(), 3);
    // New job per attempt, same arguments (the Math.random() transform is not re-evaluated).
    assert_eq!(
        jobs.iter().map(|j| j.attempt).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert!(jobs[0].job_id != jobs[1].job_id && jobs[1].job_id != jobs[2].job_id);
    assert_eq!(jobs[0].args, jobs[1].args);
    assert_eq!(jobs[1].args, jobs[2].args);
    assert!(!jobs[0].success && !jobs[1].success && jobs[2].success);
    for (i, j) in jobs.iter().enumerate() {
        assert!(
            j.log.contains(&format!("attempt fail_count={i} ")),
            "{}",
            j.log
        );
    }
    let r = &jobs[2].result;
    assert_eq!(r["fail_count"], 2);
    assert_eq!(r["r"], jobs[0].args["r"]);
    // Without the token: 401 "Not authorized".
    assert_eq!(r["unauth_code"], "401");
    assert_eq!(r["unauth_body"], "Not authorized");
    // The parent flow is still running: a QueuedJob.
    assert_eq!(r["type"], "QueuedJob");
    // The next step runs once.
    assert_eq!(o.jobs_of("after").len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn retries_exhausted_fail_the_flow_after_constant_then_exponential() {
    let t = std::time::Instant::now();
    let o = run("retry_exhausted", json!({})).await;
    assert!(!o.success);
    let jobs = o.jobs_of("always_fails");
    // 1 run + 1 constant + 1 exponential retry.
    assert_eq!(jobs.len(), 3);
    // Constant delay 1 s, then exponential 1 * 0^2 = 0 s.
    assert!(t.elapsed().as_secs_f64() >= 1.0);
    let msg = o
        .result
        .pointer("/error/message")
        .unwrap()
        .as_str()
        .unwrap();
    assert!(msg.starts_with("ExitCode: 1"), "{msg}");
}

#[test]
fn retry_interval_rules() {
    use mf_windmill::local::openflow::Retry;
    let r: Retry = serde_json::from_value(json!({
        "constant": {"attempts": 2, "seconds": 3},
        "exponential": {"attempts": 2, "multiplier": 2, "seconds": 3}
    }))
    .unwrap();
    // Exposed through the engine's rule via a tiny flow would be slow; check the arithmetic of
    // flows.rs Retry::interval through the public re-implementation.
    let d = |n| mf_windmill::local::retry_interval(&r, n).map(|d| d.as_secs());
    assert_eq!(d(0), Some(3));
    assert_eq!(d(1), Some(3));
    assert_eq!(d(2), Some(2 * 27));
    assert_eq!(d(3), Some(2 * 81));
    assert_eq!(d(4), None);
}
