//! The remote commands end to end, as a user runs them: the `mf-windmill` binary against
//! the fake Windmill server (tests/support/windmill_fake), which executes triggered flows
//! with the local executor. Checks what the user sees (stdout, stderr, exit codes), what
//! Windmill receives, that the Metaflow run exists and succeeded afterwards (Metaflow's
//! client, from a Python that has metaflow), and that the token appears nowhere.

#[path = "support/windmill_fake/mod.rs"]
mod windmill_fake;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::json;
use windmill_fake::{ExecOptions, FakeWindmill};

/// Distinctive, so that grepping for it cannot match anything else.
const TOKEN: &str = "wmTOKEN-leakcheck-3b1f9e27c4d84a6f";
const BIN: &str = env!("CARGO_BIN_EXE_mf-windmill");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A Python with metaflow: $MF_WINDMILL_TEST_PYTHON, ./.venv, or the main checkout's.
fn python() -> Option<PathBuf> {
    let mut cands = vec![];
    if let Ok(p) = std::env::var("MF_WINDMILL_TEST_PYTHON") {
        cands.push(PathBuf::from(p));
    }
    cands.push(Path::new(ROOT).join(".venv/bin/python"));
    cands.push(PathBuf::from("/work/main/.venv/bin/python"));
    cands.into_iter().find(|p| {
        Command::new(p)
            .args(["-c", "import metaflow"])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    })
}

struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

async fn mfw(args: Vec<String>, token: Option<&str>) -> Ran {
    let token = token.map(str::to_string);
    let out: Output = tokio::task::spawn_blocking(move || {
        let mut c = Command::new(BIN);
        c.args(&args)
            .env_remove("WINDMILL_HOST")
            .env_remove("WINDMILL_WORKSPACE")
            .env_remove("WINDMILL_TOKEN")
            .env_remove("METAFLOW_DATASTORE_SYSROOT_LOCAL")
            .env("MF_WINDMILL_POLL_MS", "100")
            .env("MF_WINDMILL_BACKOFF_MS", "20")
            .env("USERNAME", "tester")
            .current_dir(ROOT);
        if let Some(t) = token {
            c.env("WINDMILL_TOKEN", t);
        }
        c.output().unwrap()
    })
    .await
    .unwrap();
    Ran {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

fn flow(rel: &str) -> String {
    Path::new(ROOT).join(rel).display().to_string()
}

/// Every file under `dir` that contains `needle`.
fn files_containing(dir: &Path, needle: &[u8]) -> Vec<PathBuf> {
    let mut hits = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(bytes) = std::fs::read(&p)
                && bytes.windows(needle.len()).any(|w| w == needle)
            {
                hits.push(p);
            }
        }
    }
    hits
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn run_end_to_end_metaflow_run_succeeds_and_token_never_leaks() {
    let Some(py) = python() else {
        eprintln!("SKIPPED: no Python with metaflow (set MF_WINDMILL_TEST_PYTHON or create .venv)");
        return;
    };
    let srv = FakeWindmill::start(
        TOKEN,
        ExecOptions {
            worker_env: vec![("USERNAME".into(), "tester".into())],
            workers: 2,
            ..Default::default()
        },
    )
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let ds = tmp.path().join(".metaflow");
    let run_id_file = tmp.path().join("run-id");
    let common = |f: &str| {
        let mut v = s(&["--windmill-host", &srv.base_url]);
        v.extend(s(&[
            "--datastore-root",
            &ds.display().to_string(),
            "--python",
            &py.display().to_string(),
            "--user",
            "tester",
        ]));
        let mut a = vec![flow(f)];
        a.extend(v);
        a
    };
    let mut args = s(&["run"]);
    args.extend(common("tests/flows/valid/linear_basic.py"));
    args.extend(s(&["--run-id-file", &run_id_file.display().to_string()]));
    let r = mfw(args, Some(TOKEN)).await;
    eprintln!(
        "--- run stdout ---\n{}--- run stderr ---\n{}",
        r.stdout, r.stderr
    );
    assert_eq!(r.code, 0, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    let pathspec = lines[0].to_string();
    assert!(pathspec.starts_with("LinearBasicFlow/wm-"), "{pathspec}");
    assert_eq!(lines.last().unwrap(), &format!("{pathspec} succeeded"));
    let run_id = std::fs::read_to_string(&run_id_file).unwrap();
    assert_eq!(format!("LinearBasicFlow/{run_id}"), pathspec);
    let job = run_id.strip_prefix("wm-").unwrap();
    // The job URL and per-step progress were shown.
    assert!(
        r.stderr
            .contains(&format!("{}/run/{job}?workspace=admins", srv.base_url)),
        "{}",
        r.stderr
    );
    for step in ["start", "double", "total", "end"] {
        assert!(
            r.stderr.contains(&format!("step {step}: succeeded")),
            "no progress line for {step}:\n{}",
            r.stderr
        );
    }
    assert!(
        r.stderr.contains("created flow f/metaflow/"),
        "{}",
        r.stderr
    );
    // Windmill got the job id we chose.
    let run_req = srv
        .requests()
        .into_iter()
        .find(|q| q.path.contains("/jobs/run/f/"))
        .unwrap();
    assert_eq!(run_req.query.get("job_id").map(String::as_str), Some(job));

    // The Metaflow run exists and succeeded, by Metaflow's own client.
    let check = Command::new(&py)
        .args([
            "-c",
            "import sys\nfrom metaflow import Run, namespace\nnamespace(None)\nr = Run(sys.argv[1])\nprint(r.finished, r.successful, r['end'].task.data.sum)",
            &pathspec,
        ])
        .env("USERNAME", "tester")
        .env("METAFLOW_DATASTORE_SYSROOT_LOCAL", tmp.path())
        .env_remove("METAFLOW_PROFILE")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&check.stdout);
    assert_eq!(
        out.trim(),
        "True True 12",
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );

    // status / list-runs / --only-json / create again (update) / delete.
    let st = mfw(
        s(&["status", &pathspec, "--windmill-host", &srv.base_url]),
        Some(TOKEN),
    )
    .await;
    assert_eq!(st.code, 0, "{}", st.stderr);
    assert!(
        st.stdout
            .starts_with(&format!("job {job}: SUCCEEDED (Windmill: success)")),
        "{}",
        st.stdout
    );
    let mut a = s(&["list-runs"]);
    a.extend(common("tests/flows/valid/linear_basic.py"));
    let lr = mfw(a, Some(TOKEN)).await;
    assert_eq!(lr.code, 0, "{}", lr.stderr);
    assert!(
        lr.stdout.starts_with(&format!("{pathspec}\tsuccess\t")),
        "{}",
        lr.stdout
    );
    let mut a = s(&["create", "--only-json"]);
    a.extend(common("tests/flows/valid/linear_basic.py"));
    let oj = mfw(a, Some(TOKEN)).await;
    assert_eq!(oj.code, 0, "{}", oj.stderr);
    let v: serde_json::Value = serde_json::from_str(&oj.stdout).unwrap();
    assert!(v["flow"]["value"]["modules"].is_array());
    let mut a = s(&["create"]);
    a.extend(common("tests/flows/valid/linear_basic.py"));
    let cr = mfw(a, Some(TOKEN)).await;
    assert_eq!(cr.code, 0, "{}", cr.stderr);
    assert!(
        cr.stderr.contains("updated flow f/metaflow/"),
        "{}",
        cr.stderr
    );
    let mut a = s(&["delete"]);
    a.extend(common("tests/flows/valid/linear_basic.py"));
    let de = mfw(a, Some(TOKEN)).await;
    assert_eq!(de.code, 0, "{}", de.stderr);
    assert!(srv.flow(de.stdout.trim()).is_none());

    // The token appears nowhere: outputs, what Windmill stored (flows, requests), files.
    for (what, text) in [
        ("run stdout", &r.stdout),
        ("run stderr", &r.stderr),
        ("status", &st.stdout),
        ("status stderr", &st.stderr),
        ("list-runs", &lr.stdout),
        ("list-runs stderr", &lr.stderr),
        ("--only-json", &oj.stdout),
        ("create stdout", &cr.stdout),
        ("create stderr", &cr.stderr),
        ("delete stderr", &de.stderr),
    ] {
        assert!(!text.contains(TOKEN), "the token leaked into {what}");
    }
    assert!(
        !srv.stored_text().contains(TOKEN),
        "the token leaked into a request body or flow"
    );
    assert_eq!(
        files_containing(tmp.path(), TOKEN.as_bytes()),
        Vec::<PathBuf>::new()
    );
    assert_eq!(srv.violations(), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn failed_run_exits_1_with_the_failed_step_and_its_log_tail() {
    let Some(py) = python() else {
        eprintln!("SKIPPED: no Python with metaflow");
        return;
    };
    let srv = FakeWindmill::start(
        TOKEN,
        ExecOptions {
            worker_env: vec![("USERNAME".into(), "tester".into())],
            workers: 2,
            ..Default::default()
        },
    )
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let r = mfw(
        s(&[
            "run",
            &flow("tests/support/windmill_fake/flows/fail_middle.py"),
            "--windmill-host",
            &srv.base_url,
            "--datastore-root",
            &tmp.path().join(".metaflow").display().to_string(),
            "--python",
            &py.display().to_string(),
        ]),
        Some(TOKEN),
    )
    .await;
    eprintln!(
        "--- run stdout ---\n{}--- run stderr ---\n{}",
        r.stdout, r.stderr
    );
    assert_eq!(r.code, 1, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.trim_end().ends_with(" failed"),
        "{}\n{}",
        r.stdout,
        r.stderr
    );
    assert!(r.stderr.contains("step boom failed"), "{}", r.stderr);
    assert!(
        r.stderr.contains("boom-marker-91c2"),
        "log tail missing:\n{}",
        r.stderr
    );
    assert!(!r.stderr.contains(TOKEN) && !r.stdout.contains(TOKEN));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_manages_the_schedule_and_is_idempotent() {
    let srv = FakeWindmill::start(TOKEN, ExecOptions::default()).await;
    let tmp = tempfile::tempdir().unwrap();
    let ds = tmp.path().join(".metaflow").display().to_string();
    let create = |f: &str| {
        s(&[
            "create",
            &flow(f),
            "--windmill-host",
            &srv.base_url,
            "--datastore-root",
            &ds,
            "--name",
            "shared_name",
        ])
    };
    let a = mfw(create("tests/flows/valid/schedule_cron.py"), Some(TOKEN)).await;
    assert_eq!(a.code, 0, "{}", a.stderr);
    assert_eq!(
        a.stdout,
        format!(
            "f/metaflow/shared_name\n{}/flows/get/f/metaflow/shared_name?workspace=admins\n",
            srv.base_url
        )
    );
    assert!(
        a.stderr
            .contains("created flow f/metaflow/shared_name in workspace admins")
    );
    assert!(
        a.stderr.contains("schedule f/metaflow/shared_name created"),
        "{}",
        a.stderr
    );
    let sched = srv.schedule("f/metaflow/shared_name").unwrap();
    assert_eq!(sched["schedule"], json!("0 0 * * * *"));
    assert_eq!(sched["script_path"], json!("f/metaflow/shared_name"));
    let first = srv.flow("f/metaflow/shared_name").unwrap();

    let b = mfw(create("tests/flows/valid/schedule_cron.py"), Some(TOKEN)).await;
    assert_eq!(b.code, 0, "{}", b.stderr);
    assert!(b.stderr.contains("updated flow f/metaflow/shared_name"));
    assert!(b.stderr.contains("schedule f/metaflow/shared_name updated"));
    assert_eq!(
        srv.flow("f/metaflow/shared_name").unwrap(),
        first,
        "same deploy, same flow"
    );

    // A flow without @schedule deployed at the same path removes the schedule.
    let c = mfw(create("tests/flows/valid/linear_basic.py"), Some(TOKEN)).await;
    assert_eq!(c.code, 0, "{}", c.stderr);
    assert!(
        c.stderr.contains("schedule f/metaflow/shared_name removed"),
        "{}",
        c.stderr
    );
    assert!(srv.schedule("f/metaflow/shared_name").is_none());
    assert_eq!(srv.violations(), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trigger_checks_parameters_before_sending_anything() {
    let srv = FakeWindmill::start(TOKEN, ExecOptions::default()).await;
    let tmp = tempfile::tempdir().unwrap();
    let ds = tmp.path().join(".metaflow").display().to_string();
    let trig = |f: &str, params: &[&str]| {
        let mut v = s(&[
            "trigger",
            &flow(f),
            "--windmill-host",
            &srv.base_url,
            "--datastore-root",
            &ds,
        ]);
        for p in params {
            v.push("--run-param".into());
            v.push(p.to_string());
        }
        v
    };
    let r = mfw(
        trig("tests/flows/valid/params_required.py", &["nope=1"]),
        Some(TOKEN),
    )
    .await;
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.trim_end(),
        "mf-windmill: error: the flow has no parameter 'nope'"
    );
    let r = mfw(
        trig("tests/flows/valid/params_required.py", &["limit=5"]),
        Some(TOKEN),
    )
    .await;
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("parameter 'dataset' is required: pass --run-param dataset=VALUE"),
        "{}",
        r.stderr
    );
    let r = mfw(
        trig(
            "tests/flows/valid/params_required.py",
            &["dataset=d", "limit=many"],
        ),
        Some(TOKEN),
    )
    .await;
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("parameter 'limit' expects JSON"),
        "{}",
        r.stderr
    );
    assert!(
        srv.requests().is_empty(),
        "nothing may be sent for bad parameters"
    );

    // Not deployed: a plain 404 and a hint.
    let r = mfw(
        trig(
            "tests/flows/valid/params_required.py",
            &["dataset=d b", "limit=7"],
        ),
        Some(TOKEN),
    )
    .await;
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("not found while starting flow f/metaflow/"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("mf-windmill create"), "{}", r.stderr);
    // Typed values reach Windmill.
    let req = srv
        .requests()
        .into_iter()
        .find(|q| q.path.contains("/jobs/run/f/"))
        .unwrap();
    assert_eq!(req.body, Some(json!({"dataset": "d b", "limit": 7})));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_faults_have_clear_messages_and_never_show_the_token() {
    let srv = FakeWindmill::start(TOKEN, ExecOptions::default()).await;
    let tmp = tempfile::tempdir().unwrap();
    let ds = tmp.path().join(".metaflow").display().to_string();
    let f = flow("tests/flows/valid/linear_basic.py");
    // No token at all: a usage error before any request.
    let r = mfw(
        s(&[
            "create",
            &f,
            "--windmill-host",
            &srv.base_url,
            "--datastore-root",
            &ds,
        ]),
        None,
    )
    .await;
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no Windmill token: set WINDMILL_TOKEN"),
        "{}",
        r.stderr
    );
    // A wrong token.
    let wrong = "WRONGtoken-shouldnotappear-77";
    let r = mfw(
        s(&[
            "create",
            &f,
            "--windmill-host",
            &srv.base_url,
            "--datastore-root",
            &ds,
        ]),
        Some(wrong),
    )
    .await;
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("rejected the token (401 Not authorized)"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains(wrong) && !r.stdout.contains(wrong));
    // The token on the command line is not echoed either.
    let r = mfw(
        s(&[
            "create",
            &f,
            "--windmill-host",
            &srv.base_url,
            "--datastore-root",
            &ds,
            "--windmill-token",
            wrong,
        ]),
        None,
    )
    .await;
    assert_eq!(r.code, 1);
    assert!(!r.stderr.contains(wrong) && !r.stdout.contains(wrong));
    // A missing workspace.
    let r = mfw(
        s(&[
            "create",
            &f,
            "--windmill-host",
            &srv.base_url,
            "--datastore-root",
            &ds,
            "--windmill-workspace",
            "ghost-ws",
        ]),
        Some(TOKEN),
    )
    .await;
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr.trim_end(),
        format!(
            "mf-windmill: error: workspace 'ghost-ws' does not exist on Windmill at {} (set --windmill-workspace or WINDMILL_WORKSPACE)",
            srv.base_url
        )
    );
    // Nothing listening.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let r = mfw(
        s(&[
            "status",
            "0195c4d2-0000-4000-8000-000000000000",
            "--windmill-host",
            &format!("http://127.0.0.1:{port}"),
        ]),
        Some(TOKEN),
    )
    .await;
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr.trim_end(),
        format!(
            "mf-windmill: error: cannot connect to Windmill at http://127.0.0.1:{port}: connection refused (is the server running? set --windmill-host or WINDMILL_HOST)"
        )
    );
    // The JSON form says what kind of failure it was (the extension's waiting stops on it).
    let r = mfw(
        s(&[
            "status",
            "0195c4d2-0000-4000-8000-000000000000",
            "--json",
            "--windmill-host",
            &format!("http://127.0.0.1:{port}"),
        ]),
        Some(TOKEN),
    )
    .await;
    assert_eq!(r.code, 1);
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(v["error_kind"], "unreachable", "{v}");
    assert!(
        v["error"].as_str().unwrap().contains("connection refused"),
        "{v}"
    );
    // --help does not show the token from the environment.
    let r = mfw(s(&["run", "--help"]), Some(TOKEN)).await;
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("WINDMILL_TOKEN"));
    assert!(!r.stdout.contains(TOKEN), "--help shows the token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn run_foreach_flow_reports_loop_progress() {
    let Some(py) = python() else {
        eprintln!("SKIPPED: no Python with metaflow");
        return;
    };
    let srv = FakeWindmill::start(
        TOKEN,
        ExecOptions {
            worker_env: vec![("USERNAME".into(), "tester".into())],
            workers: 2,
            ..Default::default()
        },
    )
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let r = mfw(
        s(&[
            "run",
            &flow("tests/flows/valid/foreach_basic.py"),
            "--windmill-host",
            &srv.base_url,
            "--datastore-root",
            &tmp.path().join(".metaflow").display().to_string(),
            "--python",
            &py.display().to_string(),
            "--user",
            "tester",
        ]),
        Some(TOKEN),
    )
    .await;
    eprintln!(
        "--- run stdout ---\n{}--- run stderr ---\n{}",
        r.stdout, r.stderr
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let pathspec = r.stdout.lines().next().unwrap().to_string();
    assert!(
        r.stderr
            .contains("step foreach start (items) [measure]: running"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("step join: succeeded"), "{}", r.stderr);
    let check = Command::new(&py)
        .args([
            "-c",
            "import sys\nfrom metaflow import Run, namespace\nnamespace(None)\nr = Run(sys.argv[1])\nprint(r.successful, len(list(r['measure'])), r['join'].task.data.sizes)",
            &pathspec,
        ])
        .env("USERNAME", "tester")
        .env("METAFLOW_DATASTORE_SYSROOT_LOCAL", tmp.path())
        .env_remove("METAFLOW_PROFILE")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&check.stdout).trim(),
        "True 3 [1, 2, 3]",
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert_eq!(srv.violations(), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_wait_and_max_wait_leave_the_run_going() {
    let Some(py) = python() else {
        eprintln!("SKIPPED: no Python with metaflow");
        return;
    };
    let srv = FakeWindmill::start(
        TOKEN,
        ExecOptions {
            worker_env: vec![("USERNAME".into(), "tester".into())],
            workers: 2,
            ..Default::default()
        },
    )
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let args = |extra: &[&str]| {
        let mut v = s(&[
            "run",
            &flow("tests/flows/valid/linear_basic.py"),
            "--windmill-host",
            &srv.base_url,
            "--datastore-root",
            &tmp.path().join(".metaflow").display().to_string(),
            "--python",
            &py.display().to_string(),
        ]);
        v.extend(s(extra));
        v
    };
    let r = mfw(args(&["--no-wait"]), Some(TOKEN)).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout.lines().count(),
        1,
        "only the pathspec: {}",
        r.stdout
    );
    assert!(r.stdout.starts_with("LinearBasicFlow/wm-"));
    let r2 = mfw(args(&["--max-wait", "0"]), Some(TOKEN)).await;
    assert_eq!(r2.code, 1, "{}", r2.stderr);
    assert!(r2.stdout.trim_end().ends_with(" running"), "{}", r2.stdout);
    assert!(
        r2.stderr.contains("still running after --max-wait"),
        "{}",
        r2.stderr
    );
    // Both runs go on and succeed.
    let mut cfg = mf_windmill::api::ClientConfig::new(
        &srv.base_url,
        mf_windmill::api::Token::new(TOKEN).unwrap(),
        "admins",
    )
    .unwrap();
    cfg.timeout = std::time::Duration::from_secs(10);
    let c = mf_windmill::api::Client::new(cfg).unwrap();
    for out in [&r.stdout, &r2.stdout] {
        let job = windmill_job(out);
        match mf_windmill::cli::remote::wait(
            &c,
            job,
            std::time::Duration::from_millis(100),
            Some(std::time::Duration::from_secs(120)),
            &Default::default(),
        )
        .await
        .unwrap()
        {
            mf_windmill::cli::remote::Waited::Done(v) => {
                assert_eq!(v.state, mf_windmill::api::JobState::Success)
            }
            mf_windmill::cli::remote::Waited::TimedOut => panic!("run {job} never ended"),
        }
    }
    // --only-json needs no token and no server.
    let r = mfw(
        s(&[
            "create",
            &flow("tests/flows/valid/schedule_cron.py"),
            "--only-json",
            "--windmill-host",
            "http://127.0.0.1:9",
            "--datastore-root",
            "/mfdata/.metaflow",
        ]),
        None,
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["flow"]["path"], json!("f/metaflow/ScheduleCronFlow"));
    assert_eq!(v["schedule"]["schedule"], json!("0 0 * * * *"));
    assert_eq!(v["schedule"]["is_flow"], json!(true));
}

fn windmill_job(stdout: &str) -> uuid::Uuid {
    let first = stdout.lines().next().unwrap();
    let id = first
        .split("/wm-")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    uuid::Uuid::parse_str(id).unwrap()
}

/// The fake's workers isolated (`ExecOptions::isolated_workers`, `fake_windmill
/// --isolated-workers`): a deployed flow runs with each job's own cwd, HOME and TMPDIR and
/// nothing of this process's environment but the worker group's `--env`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn remote_run_on_isolated_workers_of_the_fake() {
    let Some(py) = python() else {
        eprintln!("SKIPPED: no Python with metaflow (set MF_WINDMILL_TEST_PYTHON or create .venv)");
        return;
    };
    let srv = FakeWindmill::start(
        TOKEN,
        ExecOptions {
            worker_env: vec![("USERNAME".into(), "tester".into())],
            workers: 2,
            isolated_workers: true,
            ..Default::default()
        },
    )
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let ds = tmp.path().join(".metaflow");
    let mut args = s(&["run", &flow("tests/flows/valid/linear_basic.py")]);
    args.extend(s(&[
        "--windmill-host",
        &srv.base_url,
        "--datastore-root",
        &ds.display().to_string(),
        "--python",
        &py.display().to_string(),
        "--user",
        "tester",
    ]));
    let r = mfw(args, Some(TOKEN)).await;
    assert_eq!(r.code, 0, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    let pathspec = r.stdout.lines().next().unwrap().to_string();
    assert_eq!(
        r.stdout.lines().last().unwrap(),
        format!("{pathspec} succeeded")
    );
    assert!(srv.violations().is_empty(), "{:?}", srv.violations());
}
