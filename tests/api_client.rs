//! HTTP-level tests of `mf_windmill::api` against the fake Windmill server
//! (tests/support/windmill_fake): request shapes, Windmill's answers, and the exact
//! message of every fault the user can meet.

#[path = "support/windmill_fake/mod.rs"]
mod windmill_fake;

use std::time::Duration;

use mf_windmill::api::{ApiError, Client, ClientConfig, JobState, ScheduleSpec, Token};
use mf_windmill::cli::remote;
use serde_json::{Map, Value, json};
use uuid::Uuid;
use windmill_fake::{ExecOptions, FakeWindmill, Fault};

const TOKEN: &str = "tok-CLIENT-9d8e7f6a5b4c";

fn client_for(base: &str, token: &str, ws: &str) -> Client {
    let mut cfg = ClientConfig::new(base, Token::new(token).unwrap(), ws).unwrap();
    cfg.backoff = Duration::from_millis(20);
    cfg.timeout = Duration::from_secs(10);
    Client::new(cfg).unwrap()
}

fn bash_flow(steps: &[(&str, &str)]) -> Value {
    let modules: Vec<Value> = steps
        .iter()
        .map(|(id, code)| {
            json!({"id": id, "value": {"type": "rawscript", "language": "bash",
                    "content": code, "input_transforms": {}}})
        })
        .collect();
    json!({"summary": "test flow", "description": "", "value": {"modules": modules},
           "schema": {"type": "object", "properties": {}, "required": []}})
}

async fn fake() -> FakeWindmill {
    FakeWindmill::start(TOKEN, ExecOptions::default()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_then_update_is_idempotent_and_errors_are_windmills() {
    let srv = fake().await;
    let c = client_for(&srv.base_url, TOKEN, "admins");
    let path = "f/metaflow/t1";
    let flow = bash_flow(&[("a", "echo a")]);
    assert!(!c.flow_exists(path).await.unwrap());
    c.create_flow(path, &flow).await.unwrap();
    assert!(c.flow_exists(path).await.unwrap());
    // A second create is Windmill's 400 with its text body, shown as it is.
    let e = c.create_flow(path, &flow).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "Windmill refused the request while creating flow f/metaflow/t1 (400): Bad request: Flow f/metaflow/t1 already exists"
    );
    let flow2 = bash_flow(&[("a", "echo a"), ("b", "echo b")]);
    c.update_flow(path, &flow2).await.unwrap();
    c.update_flow(path, &flow2).await.unwrap();
    let got = c.get_flow(path).await.unwrap();
    assert_eq!(got["value"], flow2["value"]);
    assert_eq!(got["path"], json!(path));
    // Update of a missing flow: 404, said plainly.
    let e = c
        .update_flow("f/metaflow/missing", &flow)
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "not found while updating flow f/metaflow/missing: Not found: Flow not found at name f/metaflow/missing"
    );
    let listed = c.list_flows(Some("f/metaflow/")).await.unwrap();
    assert_eq!(listed.len(), 1);
    c.delete_flow(path).await.unwrap();
    assert!(!c.flow_exists(path).await.unwrap());
    let seq: Vec<String> = srv
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(seq[0], "GET /api/w/admins/flows/exists/f/metaflow/t1");
    assert_eq!(seq[1], "POST /api/w/admins/flows/create");
    assert!(seq.contains(&"POST /api/w/admins/flows/update/f/metaflow/t1".to_string()));
    assert!(seq.contains(&"DELETE /api/w/admins/flows/delete/f/metaflow/t1".to_string()));
    assert_eq!(srv.violations(), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_with_chosen_job_id_polls_to_completion() {
    let srv = fake().await;
    let c = client_for(&srv.base_url, TOKEN, "admins");
    let path = "f/metaflow/poll";
    c.create_flow(
        path,
        &bash_flow(&[
            ("first", "sleep 0.3; echo one"),
            ("second", "sleep 0.3; echo two"),
        ]),
    )
    .await
    .unwrap();
    let job = Uuid::new_v4();
    let mut inputs = Map::new();
    inputs.insert("alpha".into(), json!("x y"));
    let got = c.run_flow(path, job, &inputs).await.unwrap();
    assert_eq!(got, job, "Windmill keeps the caller's job_id");
    let run_req = srv
        .requests()
        .into_iter()
        .find(|r| r.path.contains("/jobs/run/f/"))
        .unwrap();
    assert_eq!(run_req.method, "POST");
    assert_eq!(run_req.path, "/api/w/admins/jobs/run/f/f/metaflow/poll");
    assert_eq!(run_req.query.get("job_id"), Some(&job.to_string()));
    assert_eq!(run_req.body, Some(json!({"alpha": "x y"})));
    // Running: a QueuedJob whose flow_status shows progress.
    let mut saw_running = false;
    let view = loop {
        let v = c.get_job(job).await.unwrap();
        if v.modules.iter().any(|m| m.status == "InProgress") {
            saw_running = true;
        }
        if v.state.is_final() {
            break v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(saw_running, "a step was seen InProgress while polling");
    assert_eq!(view.state, JobState::Success);
    assert_eq!(
        view.modules
            .iter()
            .map(|m| (m.id.as_str(), m.status.as_str()))
            .collect::<Vec<_>>(),
        vec![("first", "Success"), ("second", "Success")]
    );
    assert_eq!(view.result, json!("two"));
    let r = c.get_result_maybe(job).await.unwrap();
    assert_eq!(r["completed"], json!(true));
    assert_eq!(r["success"], json!(true));
    let logs = c.get_job_logs(view.modules[1].job.unwrap()).await.unwrap();
    assert!(logs.contains("two"), "{logs}");
    let runs = c.list_flow_jobs(path).await.unwrap();
    assert_eq!(runs.len(), 1);
    let q = &srv
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with("/jobs/list"))
        .unwrap()
        .query;
    assert_eq!(q.get("script_path_exact").map(String::as_str), Some(path));
    assert_eq!(q.get("job_kinds").map(String::as_str), Some("flow"));
    // remote::wait sees the same end.
    match remote::wait(
        &c,
        job,
        Duration::from_millis(20),
        None,
        &Default::default(),
    )
    .await
    .unwrap()
    {
        remote::Waited::Done(v) => assert_eq!(v.state, JobState::Success),
        remote::Waited::TimedOut => panic!("timed out"),
    }
    assert_eq!(srv.violations(), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_run_names_the_failed_step_and_cancel_works() {
    let srv = fake().await;
    let c = client_for(&srv.base_url, TOKEN, "admins");
    let path = "f/metaflow/fails";
    c.create_flow(
        path,
        &bash_flow(&[
            ("ok", "echo fine"),
            ("bad", "echo failing-now; exit 3"),
            ("never", "echo no"),
        ]),
    )
    .await
    .unwrap();
    let job = c.run_flow(path, Uuid::new_v4(), &Map::new()).await.unwrap();
    let v = match remote::wait(
        &c,
        job,
        Duration::from_millis(20),
        Some(Duration::from_secs(30)),
        &Default::default(),
    )
    .await
    .unwrap()
    {
        remote::Waited::Done(v) => v,
        remote::Waited::TimedOut => panic!("timed out"),
    };
    assert_eq!(v.state, JobState::Failure);
    let (step, sj) = remote::find_failed_step(&c, &v).await.unwrap();
    assert_eq!(step, "bad");
    assert!(c.get_job_logs(sj).await.unwrap().contains("failing-now"));

    c.create_flow("f/metaflow/slow", &bash_flow(&[("s", "sleep 30")]))
        .await
        .unwrap();
    let job = c
        .run_flow("f/metaflow/slow", Uuid::new_v4(), &Map::new())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    c.cancel_job(job, "test").await.unwrap();
    let v = match remote::wait(
        &c,
        job,
        Duration::from_millis(20),
        Some(Duration::from_secs(20)),
        &Default::default(),
    )
    .await
    .unwrap()
    {
        remote::Waited::Done(v) => v,
        remote::Waited::TimedOut => panic!("cancel did not end the run"),
    };
    assert_eq!(v.state, JobState::Canceled);
    assert_eq!(srv.violations(), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedules_create_update_delete() {
    let srv = fake().await;
    let c = client_for(&srv.base_url, TOKEN, "admins");
    let path = "f/metaflow/sched";
    c.create_flow(path, &bash_flow(&[("a", "echo a")]))
        .await
        .unwrap();
    let mut s = ScheduleSpec::from_compiled(
        &json!({"schedule": "0 0 0 * * *", "timezone": "UTC", "args": {}, "summary": "daily"}),
        path,
    )
    .unwrap();
    assert!(!c.schedule_exists(path).await.unwrap());
    c.create_schedule(&s).await.unwrap();
    assert!(c.schedule_exists(path).await.unwrap());
    let stored = srv.schedule(path).unwrap();
    assert_eq!(stored["script_path"], json!(path));
    assert_eq!(stored["is_flow"], json!(true));
    assert_eq!(stored["schedule"], json!("0 0 0 * * *"));
    s.schedule = "0 0 * * * *".into();
    s.timezone = "Europe/Paris".into();
    c.update_schedule(&s).await.unwrap();
    let stored = srv.schedule(path).unwrap();
    assert_eq!(stored["schedule"], json!("0 0 * * * *"));
    assert_eq!(stored["timezone"], json!("Europe/Paris"));
    // A 5-field cron is refused by Windmill with a 400 and its body.
    s.schedule = "0 * * * *".into();
    let e = c.update_schedule(&s).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "Windmill refused the request while updating schedule f/metaflow/sched (400): Bad request: invalid cron expression"
    );
    c.delete_schedule(path).await.unwrap();
    assert!(!c.schedule_exists(path).await.unwrap());
    assert!(srv.schedule(path).is_none());
    assert_eq!(srv.violations(), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_refused_is_said_plainly() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}");
    let c = client_for(&base, TOKEN, "admins");
    let e = c.flow_exists("f/metaflow/x").await.unwrap_err();
    assert!(matches!(e, ApiError::ConnectionRefused { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!(
            "cannot connect to Windmill at {base}: connection refused (is the server running? set --windmill-host or WINDMILL_HOST)"
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dns_failure_is_said_plainly() {
    let c = client_for("http://no-such-host.invalid:8000", TOKEN, "admins");
    let e = c.flow_exists("f/metaflow/x").await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot resolve the host name of http://no-such-host.invalid:8000 (DNS lookup failed): check --windmill-host or WINDMILL_HOST"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeout_is_reported_after_retries() {
    // A server that accepts and never answers.
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", l.local_addr().unwrap());
    let accepts = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let a2 = accepts.clone();
    tokio::spawn(async move {
        let mut held = vec![];
        while let Ok((s, _)) = l.accept().await {
            a2.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            held.push(s);
        }
    });
    let mut cfg = ClientConfig::new(&base, Token::new(TOKEN).unwrap(), "admins").unwrap();
    cfg.timeout = Duration::from_millis(300);
    cfg.retries = 1;
    cfg.backoff = Duration::from_millis(10);
    let c = Client::new(cfg).unwrap();
    let e = c.flow_exists("f/metaflow/x").await.unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "Windmill at {base} did not answer checking whether flow f/metaflow/x exists within 300ms"
        )
    );
    assert_eq!(
        accepts.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "GET retried once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_token_is_never_shown() {
    let srv = fake().await;
    let wrong = "WRONG-tok-55aa66bb";
    let c = client_for(&srv.base_url, wrong, "admins");
    let e = c.flow_exists("f/metaflow/x").await.unwrap_err();
    let msg = e.to_string();
    assert_eq!(
        msg,
        format!(
            "Windmill at {} rejected the token (401 Not authorized) while checking whether flow f/metaflow/x exists: check --windmill-token / WINDMILL_TOKEN (the token is not shown)",
            srv.base_url
        )
    );
    assert!(!format!("{e:?}").contains(wrong));
    assert!(!format!("{c:?}").contains(wrong));
    // 403 (e.g. a token without the needed scope) is a rejection too.
    let c = client_for(&srv.base_url, TOKEN, "admins");
    srv.inject(Fault {
        method: "POST",
        path_contains: "flows/create".into(),
        status: 403,
        body: "Require Admin privileges for creating flows".into(),
        times: 1,
    });
    let e = c
        .create_flow("f/metaflow/x", &bash_flow(&[("a", "echo")]))
        .await
        .unwrap_err();
    assert!(
        matches!(e, ApiError::TokenRejected { status: 403, .. }),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_workspace_is_said_plainly() {
    let srv = fake().await;
    let c = client_for(&srv.base_url, TOKEN, "nope");
    let e = c.flow_exists("f/metaflow/x").await.unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "workspace 'nope' does not exist on Windmill at {} (set --windmill-workspace or WINDMILL_WORKSPACE)",
            srv.base_url
        )
    );
    // The same when the server answers the membership check with 401.
    let srv401 = FakeWindmill::start(
        TOKEN,
        ExecOptions {
            unknown_workspace_401: true,
            ..Default::default()
        },
    )
    .await;
    let e = client_for(&srv401.base_url, TOKEN, "nope")
        .flow_exists("f/metaflow/x")
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::WorkspaceNotFound { .. }), "{e}");
    // A missing flow in an existing workspace is a missing flow.
    let c = client_for(&srv.base_url, TOKEN, "admins");
    let e = c
        .run_flow("f/metaflow/ghost", Uuid::new_v4(), &Map::new())
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "not found while starting flow f/metaflow/ghost: Not found: Flow not found at name f/metaflow/ghost"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_retry_idempotent_calls_only() {
    let srv = fake().await;
    let c = client_for(&srv.base_url, TOKEN, "admins");
    srv.inject(Fault {
        method: "GET",
        path_contains: "flows/exists/".into(),
        status: 503,
        body: "upstream unavailable".into(),
        times: 2,
    });
    assert!(!c.flow_exists("f/metaflow/r").await.unwrap());
    let n = srv
        .requests()
        .iter()
        .filter(|r| r.path.contains("flows/exists/"))
        .count();
    assert_eq!(n, 3, "two 503s then success");
    // A POST that creates something is not retried: the 500 is reported.
    srv.inject(Fault {
        method: "POST",
        path_contains: "flows/create".into(),
        status: 500,
        body: "Internal: database is down".into(),
        times: 1,
    });
    let e = c
        .create_flow("f/metaflow/r", &bash_flow(&[("a", "echo")]))
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Windmill failed while creating flow f/metaflow/r (500, after 1 attempt(s)): Internal: database is down"
    );
    assert_eq!(
        srv.requests()
            .iter()
            .filter(|r| r.path.ends_with("flows/create"))
            .count(),
        1
    );
    // Retries give up after 1 + 3 attempts.
    srv.inject(Fault {
        method: "GET",
        path_contains: "flows/get/".into(),
        status: 502,
        body: "Bad gateway".into(),
        times: 10,
    });
    let e = c.get_flow("f/metaflow/r").await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "Windmill failed while reading flow f/metaflow/r (502, after 4 attempt(s)): Bad gateway"
    );
}

#[test]
fn bad_configuration_is_refused_before_any_request() {
    let t = || Token::new(TOKEN).unwrap();
    assert!(ClientConfig::new("localhost:8000", t(), "admins").is_err());
    let e = ClientConfig::new("http://localhost:8000", t(), "bad ws").unwrap_err();
    assert!(
        e.to_string().contains("invalid workspace id `bad ws`"),
        "{e}"
    );
    let cfg = ClientConfig::new("http://localhost:8000/", t(), "admins").unwrap();
    assert_eq!(cfg.host, "http://localhost:8000");
    assert!(!format!("{cfg:?}").contains(TOKEN));
}

/// Variables as backend/windmill-api/src/variables.rs answers them, and the event registry
/// on top: register is idempotent, publish starts exactly the listeners with mapped
/// parameters (the trigger in `_mfwm_trigger`), unregister leaves no variable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn variables_and_the_event_registry() {
    use mf_windmill::api::registry;
    use mf_windmill::emit::decorators::triggers::Listener;

    let srv = fake().await;
    let c = client_for(&srv.base_url, TOKEN, "admins");
    let p = "f/metaflow/v1";
    assert!(!c.variable_exists(p).await.unwrap());
    assert_eq!(c.get_variable_value(p).await.unwrap(), None);
    let e = c.update_variable(p, "x").await.unwrap_err();
    assert!(matches!(e, ApiError::NotFound { .. }), "{e}");
    c.create_variable(p, "one", "d").await.unwrap();
    let e = c.create_variable(p, "two", "d").await.unwrap_err();
    assert!(
        e.to_string()
            .contains("Variable f/metaflow/v1 already exists"),
        "{e}"
    );
    c.update_variable(p, "two").await.unwrap();
    assert_eq!(
        c.get_variable_value(p).await.unwrap().as_deref(),
        Some("two")
    );
    c.delete_variable(p).await.unwrap();
    c.delete_variable(p).await.unwrap(); // Windmill deletes without checking
    assert!(!c.variable_exists(p).await.unwrap());

    let flow = bash_flow(&[("a", "echo '{\"ok\": true}'")]);
    for f in ["f/metaflow/l1", "f/metaflow/l2"] {
        c.create_flow(f, &flow).await.unwrap();
    }
    let listen = |ev: &str| Listener {
        event: ev.into(),
        kind: "event".into(),
        parameters: [("day".to_string(), "date".to_string())]
            .into_iter()
            .collect(),
        required: vec![],
    };
    assert!(
        registry::register(&c, "f/metaflow/l1", "L1", &[listen("go")])
            .await
            .unwrap()
    );
    assert!(
        !registry::register(&c, "f/metaflow/l1", "L1", &[listen("go")])
            .await
            .unwrap()
    );
    registry::register(&c, "f/metaflow/l2", "L2", &[listen("other")])
        .await
        .unwrap();
    let payload: Map<String, Value> = serde_json::from_value(json!({"date": 3})).unwrap();
    let started = registry::publish(&c, "go", &payload).await.unwrap();
    assert_eq!(started.len(), 1);
    assert_eq!(started[0].flow_path, "f/metaflow/l1");
    let run = srv
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with("jobs/run/f/f/metaflow/l1"))
        .unwrap();
    let body = run.body.unwrap();
    assert_eq!(body["day"], json!(3));
    let trig: Value = serde_json::from_str(body["_mfwm_trigger"].as_str().unwrap()).unwrap();
    assert_eq!(trig[0]["name"], "go");
    assert_eq!(trig[0]["type"], "event");
    assert!(
        registry::publish(&c, "nobody", &payload)
            .await
            .unwrap()
            .is_empty()
    );
    registry::unregister(&c, "f/metaflow/l1").await.unwrap();
    assert!(c.variable_exists(registry::REGISTRY).await.unwrap());
    registry::unregister(&c, "f/metaflow/l2").await.unwrap();
    assert!(!c.variable_exists(registry::REGISTRY).await.unwrap());
    assert!(srv.violations().is_empty(), "{:?}", srv.violations());
    assert!(!srv.stored_text().contains(TOKEN));
}
