//! Timeouts and cancellation kill the job's whole process group: nothing is left running.

mod local_common;
use local_common::*;
use serde_json::json;
use std::time::{Duration, Instant};

async fn wait_file(p: &std::path::Path) {
    let t = Instant::now();
    while !p.exists()
        || std::fs::read_to_string(p)
            .unwrap_or_default()
            .trim()
            .is_empty()
    {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "{} never appeared",
            p.display()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn timeout_kills_the_process_group() {
    let dir = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let o = run("timeout", json!({"dir": dir.path()})).await;
    let took = t.elapsed();
    assert!(!o.success);
    let msg = o
        .result
        .pointer("/error/message")
        .unwrap()
        .as_str()
        .unwrap();
    assert!(msg.contains("Timed out after 1s"), "{msg}");
    // 1 s timeout + SIGINT grace (bash waits on `sleep`, so SIGTERM/SIGKILL are needed).
    assert!(took < Duration::from_secs(4), "{took:?}");
    let bg = read_pid(&dir.path().join("bg.pid"));
    let main = read_pid(&dir.path().join("main.pid"));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!alive(bg), "background sleep {bg} survived the timeout");
    assert!(!alive(main), "main.sh {main} survived the timeout");
}

#[tokio::test(flavor = "multi_thread")]
async fn cancel_token_kills_every_group() {
    let dir = tempfile::tempdir().unwrap();
    let cancel = mf_windmill::local::CancelToken::new();
    let mut o = opts();
    o.cancel = Some(cancel.clone());
    let d = dir.path().to_path_buf();
    let h = tokio::spawn(async move { run_with("cancel", json!({"dir": d}), o).await });
    wait_file(&dir.path().join("bg.pid")).await;
    wait_file(&dir.path().join("main.pid")).await;
    let bg = read_pid(&dir.path().join("bg.pid"));
    assert!(alive(bg));
    let t = Instant::now();
    cancel.cancel();
    let out = h.await.unwrap();
    assert!(t.elapsed() < Duration::from_secs(3));
    assert!(out.canceled && !out.success);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!alive(bg), "background sleep {bg} survived cancellation");
    assert!(!alive(read_pid(&dir.path().join("main.pid"))));
}

#[tokio::test(flavor = "multi_thread")]
async fn dropping_the_run_future_kills_every_group() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_path_buf();
    let h = tokio::spawn(async move { run("cancel", json!({"dir": d})).await });
    wait_file(&dir.path().join("bg.pid")).await;
    wait_file(&dir.path().join("main.pid")).await;
    let bg = read_pid(&dir.path().join("bg.pid"));
    assert!(alive(bg));
    h.abort();
    let _ = h.await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !alive(bg),
        "background sleep {bg} survived dropping the run"
    );
    assert!(!alive(read_pid(&dir.path().join("main.pid"))));
}

/// A signal to `mf-windmill exec` cancels the run and kills every job's process group: the
/// jobs run in groups of their own, so a signal to the executor alone would orphan them.
fn signal_on_the_cli_cancels_and_kills_groups(sig: i32) {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_mf-windmill");
    let flow = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/openflow/cancel.json");
    let inputs = json!({"dir": dir.path()}).to_string();
    let child = std::process::Command::new(bin)
        .args(["exec", flow, "--inputs", &inputs])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pidf = dir.path().join("bg.pid");
    let t = Instant::now();
    while std::fs::read_to_string(&pidf)
        .unwrap_or_default()
        .trim()
        .is_empty()
    {
        assert!(t.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(20));
    }
    let bg = read_pid(&pidf);
    // SAFETY: plain kill(2) on our own child.
    unsafe { libc::kill(child.id() as i32, sig) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "signal {sig}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("canceled"));
    std::thread::sleep(Duration::from_millis(100));
    assert!(!alive(bg), "signal {sig}: background job {bg} survived");
}

#[test]
fn ctrl_c_on_the_cli_cancels_and_kills_groups() {
    signal_on_the_cli_cancels_and_kills_groups(libc::SIGINT);
}

#[test]
fn sigterm_on_the_cli_cancels_and_kills_groups() {
    signal_on_the_cli_cancels_and_kills_groups(libc::SIGTERM);
}

#[test]
fn sighup_on_the_cli_cancels_and_kills_groups() {
    signal_on_the_cli_cancels_and_kills_groups(libc::SIGHUP);
}
