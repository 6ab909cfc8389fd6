//! forloopflow / whileloopflow: parallelism bound, iter/iter_parent, skip_failures default,
//! single-step collapse, stop_after_if.

mod local_common;
use local_common::*;
use serde_json::json;

/// (start, end) nanosecond timestamps written by each job.
fn intervals(dir: &std::path::Path, n: usize) -> Vec<(u128, u128)> {
    (0..n)
        .map(|i| {
            let t = std::fs::read_to_string(dir.join(i.to_string())).unwrap();
            let mut it = t
                .lines()
                .map(|l| l.split(' ').nth(1).unwrap().parse::<u128>().unwrap());
            (it.next().unwrap(), it.next().unwrap())
        })
        .collect()
}

fn max_overlap(iv: &[(u128, u128)]) -> usize {
    iv.iter()
        .map(|(s, _)| iv.iter().filter(|(s2, e2)| s2 <= s && s < e2).count())
        .max()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn parallelism_bounds_concurrent_iterations() {
    let dir = tempfile::tempdir().unwrap();
    let o = run("parallel_bound", json!({"dir": dir.path()})).await;
    assert!(o.success, "{:?}", o.result);
    let iv = intervals(dir.path(), 6);
    // 6 jobs of 0.4 s with parallelism 2 (4 workers): exactly 2 at a time.
    assert_eq!(max_overlap(&iv), 2, "{iv:?}");
    // Iterations are subflows: each job's parent is its own iteration flow job.
    let parents: std::collections::HashSet<_> =
        o.jobs_of("work").iter().map(|j| j.parent_job).collect();
    assert_eq!(parents.len(), 6);
}

#[tokio::test(flavor = "multi_thread")]
async fn worker_pool_bounds_the_whole_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = opts();
    o.workers = 1;
    let out = run_with("parallel_bound", json!({"dir": dir.path()}), o).await;
    assert!(out.success);
    assert_eq!(max_overlap(&intervals(dir.path(), 6)), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn nested_loops_rename_outer_iter_to_iter_parent() {
    let o = run("nested_iter", json!({})).await;
    assert!(o.success, "{:?}", o.result);
    assert_eq!(
        o.result,
        json!([[["a1x0"], ["a2x0"]], [["b1x0"], ["b2x0"]]])
    );
    let leaf = o.jobs_of("leaf");
    assert_eq!(leaf.len(), 4);
    // Job args are the evaluated transforms only.
    assert_eq!(leaf[0].args.keys().collect::<Vec<_>>(), vec!["v"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn skip_failures_defaults_to_true() {
    let o = run("skip_failures_default", json!({})).await;
    assert!(o.success, "{:?}", o.result);
    assert_eq!(o.jobs_of("loop").len(), 3);
    let r = o.result.as_array().unwrap();
    assert_eq!(r[0], json!("item 1"));
    assert!(r[1].pointer("/error/message").is_some());
    assert_eq!(r[2], json!("item 3"));
}

#[tokio::test(flavor = "multi_thread")]
async fn skip_failures_false_stops_at_the_first_failure() {
    let o = run("skip_failures_false", json!({})).await;
    assert!(!o.success);
    // Sequential: item 3 never runs; the loop result is the list so far.
    assert_eq!(o.jobs_of("loop").len(), 2);
    assert_eq!(o.result.as_array().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn single_step_sequential_loop_collapses_into_the_parent() {
    let o = run("loop_collapse", json!({})).await;
    assert!(o.success, "{:?}", o.result);
    let root = o.root_job_id.to_string();
    // Collapsed: the step runs as the loop itself, in the parent flow.
    assert!(o.jobs_of("seq_body").is_empty());
    let seq = o.jobs_of("seq");
    assert_eq!(seq.len(), 2);
    for j in &seq {
        assert_eq!(j.result["flow"], root);
        assert_eq!(j.result["step"], "seq");
    }
    // Parallel iterations are subflows and their own innermost root.
    for j in o.jobs_of("par_body") {
        assert_ne!(j.result["flow"], root);
        assert_eq!(j.result["flow"], j.result["root_flow"]);
        assert_eq!(j.result["step"], "par_body");
    }
    // Two-step sequential body: subflows under the real root.
    for j in o.jobs_of("two_a") {
        assert_ne!(j.result["flow"], root);
        assert_eq!(j.result["root_flow"], root);
    }
    // results.seq_body never exists (null); results.seq is the loop's array.
    let probe: serde_json::Value = serde_json::from_str(o.result.as_str().unwrap()).unwrap();
    assert_eq!(probe[0], json!(null));
    assert_eq!(probe[1].as_array().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn while_loop_runs_until_stop_after_if() {
    let o = run("while_loop", json!({})).await;
    assert!(o.success, "{:?}", o.result);
    assert_eq!(o.result, json!([{"i": 0}, {"i": 1}, {"i": 2}, {"i": 3}]));
}
