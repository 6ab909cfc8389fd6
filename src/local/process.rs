//! Child processes: one process group per job, output capture, timeout and cancellation.
//!
//! Follows `backend/windmill-worker/src/handle_child.rs`: on timeout or cancellation the job is
//! sent SIGINT, then SIGTERM, then SIGKILL. We signal the whole process group (the job runs in
//! its own group, `setpgid(0, 0)` at spawn), and once the job's main process is gone we SIGKILL
//! the group again so that nothing it started is left running (on a server nsjail tears the
//! job's namespace down in the same way).

use std::process::ExitStatus;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::process::{Child, Command};
use tokio::sync::watch;

/// Why the process ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// Exited by itself; the exit code, or `None` if it was killed by a signal.
    Exited(Option<i32>),
    /// Exceeded its timeout and was terminated.
    TimedOut(Duration),
    /// The run was canceled.
    Canceled,
}

#[derive(Debug)]
pub struct ProcOutput {
    pub ending: Ending,
    /// stdout and stderr, interleaved in arrival order.
    pub output: String,
}

/// Kills the process group when dropped (e.g. when the run future is dropped).
struct GroupGuard(i32);

impl Drop for GroupGuard {
    fn drop(&mut self) {
        kill_group(self.0, libc::SIGKILL);
    }
}

/// Send `sig` to process group `pgid` (ignoring "no such process").
pub fn kill_group(pgid: i32, sig: i32) {
    if pgid > 0 {
        // SAFETY: killpg has no memory-safety preconditions.
        unsafe {
            libc::killpg(pgid, sig);
        }
    }
}

async fn wait_for(child: &mut Child, d: Duration) -> Option<ExitStatus> {
    tokio::time::timeout(d, child.wait())
        .await
        .ok()
        .and_then(|r| r.ok())
}

/// SIGINT, grace, SIGTERM, grace, SIGKILL, on the group (handle_child.rs order).
async fn terminate(child: &mut Child, pgid: i32, grace: Duration) {
    for sig in [libc::SIGINT, libc::SIGTERM] {
        kill_group(pgid, sig);
        if wait_for(child, grace).await.is_some() {
            return;
        }
    }
    kill_group(pgid, libc::SIGKILL);
    let _ = child.wait().await;
}

/// Spawn `cmd` in its own process group and wait for it, enforcing `timeout` and `cancel`.
pub async fn run(
    mut cmd: Command,
    timeout: Option<Duration>,
    grace: Duration,
    mut cancel: watch::Receiver<bool>,
) -> std::io::Result<ProcOutput> {
    cmd.process_group(0)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    let mut child = cmd.spawn()?;
    let pgid = child.id().map(|p| p as i32).unwrap_or(0);
    let guard = GroupGuard(pgid);

    let buf = Arc::new(Mutex::new(Vec::<u8>::new()));
    let mut readers = vec![];
    if let Some(out) = child.stdout.take() {
        readers.push(tokio::spawn(pump(out, buf.clone())));
    }
    if let Some(err) = child.stderr.take() {
        readers.push(tokio::spawn(pump(err, buf.clone())));
    }

    let deadline = async {
        match timeout {
            Some(t) => tokio::time::sleep(t).await,
            None => std::future::pending().await,
        }
    };
    let ending = tokio::select! {
        st = child.wait() => Ending::Exited(st?.code()),
        _ = deadline => {
            terminate(&mut child, pgid, grace).await;
            Ending::TimedOut(timeout.unwrap_or_default())
        }
        _ = wait_canceled(&mut cancel) => {
            kill_group(pgid, libc::SIGKILL);
            let _ = child.wait().await;
            Ending::Canceled
        }
    };
    // Nothing the job started may outlive it.
    drop(guard);
    for r in readers {
        let _ = tokio::time::timeout(Duration::from_secs(2), r).await;
    }
    let output = String::from_utf8_lossy(&buf.lock().unwrap()).into_owned();
    Ok(ProcOutput { ending, output })
}

async fn pump<R: tokio::io::AsyncRead + Unpin>(mut r: R, buf: Arc<Mutex<Vec<u8>>>) {
    let mut chunk = [0u8; 8192];
    loop {
        match r.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.lock().unwrap().extend_from_slice(&chunk[..n]),
        }
    }
}

/// Resolves once `rx` reads `true` (never if the sender is gone without canceling).
pub async fn wait_canceled(rx: &mut watch::Receiver<bool>) {
    if rx.wait_for(|c| *c).await.is_err() {
        std::future::pending::<()>().await;
    }
}
