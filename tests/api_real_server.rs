//! Integration tests against a real Windmill server (e.g. the docker-compose stack of
//! docs/windmill-deploy.md). Enabled by WINDMILL_HOST and WINDMILL_TOKEN (and optionally
//! WINDMILL_WORKSPACE, default `admins`); skipped, saying so, otherwise.
//!
//! - `real_server_flow_lifecycle`: create/update/run (chosen job id)/poll/delete a tiny bash
//!   flow: needs only a worker with bash.
//! - `real_server_metaflow_run`: `mf-windmill run tests/flows/valid/linear_basic.py`; also
//!   needs MF_WINDMILL_IT_DATASTORE (the datastore root as the workers see it, e.g.
//!   `/mfdata/.metaflow` in the compose stack) and workers with Python + Metaflow at
//!   MF_WINDMILL_IT_PYTHON (default `/opt/metaflow/bin/python`, as in docker/worker.Dockerfile).

use std::time::Duration;

use mf_windmill::api::{Client, ClientConfig, JobState, Token};
use mf_windmill::cli::remote;
use serde_json::{Map, json};
use uuid::Uuid;

fn server() -> Option<Client> {
    let (Ok(host), Ok(token)) = (
        std::env::var("WINDMILL_HOST"),
        std::env::var("WINDMILL_TOKEN"),
    ) else {
        eprintln!("SKIPPED: set WINDMILL_HOST and WINDMILL_TOKEN to run the real-server tests");
        return None;
    };
    let ws = std::env::var("WINDMILL_WORKSPACE").unwrap_or_else(|_| "admins".into());
    let cfg = ClientConfig::new(
        &host,
        Token::new(token).expect("WINDMILL_TOKEN is blank"),
        &ws,
    )
    .expect("bad WINDMILL_HOST/WINDMILL_WORKSPACE");
    Some(Client::new(cfg).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_server_flow_lifecycle() {
    let Some(c) = server() else { return };
    let path = format!("f/mf_windmill_it/t{}", Uuid::new_v4().simple());
    let flow = |msg: &str| {
        json!({"summary": "mf-windmill integration test", "value": {"modules": [
            {"id": "a", "value": {"type": "rawscript", "language": "bash",
              "content": format!("echo {msg}"), "input_transforms": {}}}]},
         "schema": {"$schema": "https://json-schema.org/draft/2020-12/schema",
                    "type": "object", "properties": {}, "required": []}})
    };
    assert!(!c.flow_exists(&path).await.unwrap());
    c.create_flow(&path, &flow("one")).await.unwrap();
    c.update_flow(&path, &flow("two")).await.unwrap();
    let job = Uuid::new_v4();
    assert_eq!(c.run_flow(&path, job, &Map::new()).await.unwrap(), job);
    let v = match remote::wait(
        &c,
        job,
        Duration::from_millis(500),
        Some(Duration::from_secs(300)),
        &Default::default(),
    )
    .await
    .unwrap()
    {
        remote::Waited::Done(v) => v,
        remote::Waited::TimedOut => panic!("no worker ran the flow within 300 s"),
    };
    assert_eq!(v.state, JobState::Success, "{:?}", v.result);
    assert_eq!(v.result, json!("two"));
    c.delete_flow(&path).await.unwrap();
    assert!(!c.flow_exists(&path).await.unwrap());
}

#[test]
fn real_server_metaflow_run() {
    let (Ok(_), Ok(_), Ok(ds)) = (
        std::env::var("WINDMILL_HOST"),
        std::env::var("WINDMILL_TOKEN"),
        std::env::var("MF_WINDMILL_IT_DATASTORE"),
    ) else {
        eprintln!(
            "SKIPPED: set WINDMILL_HOST, WINDMILL_TOKEN and MF_WINDMILL_IT_DATASTORE to run a Metaflow flow on a real server"
        );
        return;
    };
    let py = std::env::var("MF_WINDMILL_IT_PYTHON")
        .unwrap_or_else(|_| "/opt/metaflow/bin/python".into());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mf-windmill"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "run",
            "tests/flows/valid/linear_basic.py",
            "--datastore-root",
            &ds,
            "--python",
            &py,
            "--name",
            "mf_windmill_it_linear",
            "--max-wait",
            "600",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.trim_end().ends_with(" succeeded"), "{stdout}");
}
