//! The test double of a Windmill server as a standalone process, for the Python tests of
//! the wheel (tests/wheel): `python flow.py windmill create|trigger|run` and the Deployer
//! API talk to it over loopback exactly as they would to a real server.
//!
//! It is tests/support/windmill_fake (Windmill's REST API as read in
//! windmill-labs/windmill backend/windmill-api/openapi.yaml, every request checked; flows
//! executed with the local executor, i.e. Windmill's runtime semantics), started on
//! 127.0.0.1 with an ephemeral port. Not part of the product: built with
//! `cargo build --example fake_windmill`.
//!
//! ```text
//! FAKE_WINDMILL_TOKEN=... fake_windmill --url-file F [--workers N] [--env K=V]... [--isolated-workers]
//! ```
//! `--isolated-workers`: every job gets its own cwd, HOME and TMPDIR and exactly Windmill's
//! job environment plus `--env` (src/local/isolation.rs; no directory is hidden).
//! Writes the base URL to F once listening (atomically: tmp + rename), then serves until
//! SIGTERM/SIGINT. On exit it prints the protocol violations it saw to stderr and exits 3
//! if there were any, so a test that stops it can assert the client spoke Windmill's API.

#[path = "../tests/support/windmill_fake/mod.rs"]
mod windmill_fake;

use std::path::PathBuf;

use windmill_fake::{ExecOptions, FakeWindmill};

struct Args {
    url_file: PathBuf,
    workers: usize,
    env: Vec<(String, String)>,
    isolated_workers: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut url_file = None;
    let mut workers = 2;
    let mut env = Vec::new();
    let mut isolated_workers = false;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--url-file" => url_file = Some(PathBuf::from(value()?)),
            "--workers" => workers = value()?.parse().map_err(|e| format!("--workers: {e}"))?,
            "--env" => {
                let kv = value()?;
                let (k, v) = kv
                    .split_once('=')
                    .ok_or_else(|| format!("--env expects K=V, got {kv}"))?;
                env.push((k.to_string(), v.to_string()));
            }
            "--isolated-workers" => isolated_workers = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(Args {
        url_file: url_file.ok_or("--url-file is required")?,
        workers,
        env,
        isolated_workers,
    })
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("fake_windmill: {e}");
            std::process::exit(2);
        }
    };
    let Ok(token) = std::env::var("FAKE_WINDMILL_TOKEN") else {
        eprintln!("fake_windmill: set FAKE_WINDMILL_TOKEN");
        std::process::exit(2);
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let code = rt.block_on(async move {
        let srv = FakeWindmill::start(
            &token,
            ExecOptions {
                worker_env: args.env,
                workers: args.workers,
                isolated_workers: args.isolated_workers,
                ..Default::default()
            },
        )
        .await;
        let tmp = args.url_file.with_extension("tmp");
        if let Err(e) =
            std::fs::write(&tmp, &srv.base_url).and_then(|()| std::fs::rename(&tmp, &args.url_file))
        {
            eprintln!(
                "fake_windmill: cannot write {}: {e}",
                args.url_file.display()
            );
            return 2;
        }
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        let violations = srv.violations();
        for v in &violations {
            eprintln!("fake_windmill: protocol violation: {v}");
        }
        if violations.is_empty() { 0 } else { 3 }
    });
    std::process::exit(code);
}
