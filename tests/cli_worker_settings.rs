//! The worker-settings check of `compile` and `create` (src/emit/worker_settings.rs)
//! through the built binary: a local datastore root in this machine's directories and a
//! `METAFLOW_*_URL` on the loopback are warned about by name (exit 0, the flow is still
//! compiled), refused with `--strict` (exit 2, nothing on stdout); `--shared-datastore`
//! declares the root shared; settings that workers elsewhere can use pass silently.

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_mf-windmill");

const FLOW: &str = r#"from metaflow import FlowSpec, step


class WorkerSettingsFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    WorkerSettingsFlow()
"#;

struct Out {
    stdout: String,
    stderr: String,
    code: i32,
}

/// Run in `cwd` with a clean environment (no config file, no deployer METAFLOW_*).
fn run(cwd: &Path, env: &[(&str, &str)], args: &[&str]) -> Out {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", "/nonexistent-home-of-the-deployer")
        .env("USERNAME", "tester")
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .output()
        .expect("run mf-windmill");
    Out {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().expect("exited"),
    }
}

const ROOT_SETTING: &str = "--datastore-root / METAFLOW_DATASTORE_SYSROOT_LOCAL";

#[test]
fn local_datastore_in_the_deployers_directory_is_warned_about_or_refused() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("flow.py"), FLOW).unwrap();
    let root = d.path().join(".metaflow");
    let root = root.to_str().unwrap();

    let o = run(
        d.path(),
        &[],
        &["compile", "flow.py", "--datastore-root", root],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("\"modules\""), "still compiled");
    let warning = o
        .stderr
        .lines()
        .find(|l| l.contains(ROOT_SETTING))
        .unwrap_or_else(|| panic!("no warning naming the setting:\n{}", o.stderr));
    assert!(warning.starts_with("mf-windmill: warning: "), "{warning}");
    assert!(
        warning.contains(root) && warning.contains("working directory"),
        "{warning}"
    );
    assert!(warning.contains("--shared-datastore"), "{warning}");

    // The same through the environment variable, with --strict: refused, nothing written.
    let sysroot = d.path().to_str().unwrap();
    let o = run(
        d.path(),
        &[("METAFLOW_DATASTORE_SYSROOT_LOCAL", sysroot)],
        &["compile", "flow.py", "--strict"],
    );
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stdout.is_empty(), "{}", o.stdout);
    assert!(
        o.stderr.contains(&format!("mf-windmill: error: a setting the workers receive points at this machine: {ROOT_SETTING}")),
        "{}",
        o.stderr
    );
    let o = run(
        d.path(),
        &[],
        &[
            "create",
            "flow.py",
            "--only-json",
            "--strict",
            "--datastore-root",
            root,
        ],
    );
    assert_eq!(o.code, 2, "create refuses too: {}", o.stderr);
    assert!(o.stdout.is_empty(), "{}", o.stdout);

    // Declared shared: silent, also with --strict.
    let o = run(
        d.path(),
        &[],
        &[
            "compile",
            "flow.py",
            "--strict",
            "--shared-datastore",
            "--datastore-root",
            root,
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(!o.stderr.contains(ROOT_SETTING), "{}", o.stderr);

    // A flow directory elsewhere: the root is still in the flow's directory.
    let cwd = tempfile::tempdir().unwrap();
    let flow = d.path().join("flow.py");
    let o = run(
        cwd.path(),
        &[],
        &["compile", flow.to_str().unwrap(), "--datastore-root", root],
    );
    assert!(o.stderr.contains("flow directory"), "{}", o.stderr);
}

#[test]
fn a_root_outside_the_deployers_directories_passes() {
    let d = tempfile::tempdir().unwrap();
    let shared = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("flow.py"), FLOW).unwrap();
    let root = shared.path().join(".metaflow");
    let o = run(
        d.path(),
        &[],
        &[
            "compile",
            "flow.py",
            "--strict",
            "--datastore-root",
            root.to_str().unwrap(),
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(!o.stderr.contains("points at this machine"), "{}", o.stderr);
}

#[test]
fn a_metadata_service_on_localhost_is_named() {
    let d = tempfile::tempdir().unwrap();
    let shared = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("flow.py"), FLOW).unwrap();
    let root = shared.path().join(".metaflow");
    let root = root.to_str().unwrap();
    for (url, bad) in [
        ("http://localhost:8080", true),
        ("http://127.0.0.1:8080/api", true),
        ("https://metaflow-service.internal", false),
    ] {
        let env = [
            ("METAFLOW_DEFAULT_METADATA", "service"),
            ("METAFLOW_SERVICE_URL", url),
        ];
        let o = run(
            d.path(),
            &env,
            &["compile", "flow.py", "--datastore-root", root],
        );
        assert_eq!(o.code, 0, "{}", o.stderr);
        let named = o.stderr.contains(&format!(
            "points at this machine: METAFLOW_SERVICE_URL = {url} names the loopback host"
        ));
        assert_eq!(named, bad, "{url}:\n{}", o.stderr);
        let o = run(
            d.path(),
            &env,
            &[
                "create",
                "flow.py",
                "--only-json",
                "--strict",
                "--datastore-root",
                root,
            ],
        );
        assert_eq!(o.code, if bad { 2 } else { 0 }, "{url}: {}", o.stderr);
    }
}

/// `--env K` (no `=V`) hands K's value from this environment to every job, so a
/// credential never appears in argv; an unset K is a usage error naming it.
#[test]
fn env_by_name_takes_the_value_from_this_environment() {
    let d = tempfile::tempdir().unwrap();
    let flow = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/openflow/env.json");
    let o = run(
        d.path(),
        &[
            ("MFW_WORKER_VAR", "from-the-deployer"),
            ("MFW_TEST_SECRET", "not-passed"),
        ],
        &["exec", flow, "--env", "MFW_WORKER_VAR"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(o.stdout.trim()).expect(&o.stdout);
    assert_eq!(v["worker"], "from-the-deployer", "{v}");
    // Only what --env names reaches a job.
    assert_eq!(v["secret"], "absent", "{v}");

    let o = run(d.path(), &[], &["exec", flow, "--env", "MFW_WORKER_VAR"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr
            .contains("--env MFW_WORKER_VAR passes MFW_WORKER_VAR's value from this environment, but MFW_WORKER_VAR is not set"),
        "{}",
        o.stderr
    );
    assert!(o.stdout.is_empty(), "{}", o.stdout);
}

/// `--datastore` / `--metadata` override `METAFLOW_DEFAULT_*` as Metaflow's top-level
/// options do: the workers get the flag's datastore, its root and its metadata provider.
#[test]
fn datastore_and_metadata_flags_override_the_environment() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("flow.py"), FLOW).unwrap();
    let env = [
        ("METAFLOW_DEFAULT_DATASTORE", "local"),
        ("METAFLOW_DEFAULT_METADATA", "local"),
        ("METAFLOW_DATASTORE_SYSROOT_LOCAL", "/shared/mf"),
        ("METAFLOW_DATASTORE_SYSROOT_S3", "s3://bucket/mf"),
    ];
    let compiled = |args: &[&str]| {
        let o = run(d.path(), &env, &[&["compile", "flow.py"], args].concat());
        assert_eq!(o.code, 0, "{}", o.stderr);
        o.stdout
    };
    let plain = compiled(&[]);
    assert!(plain.contains(r#"\"METAFLOW_DEFAULT_DATASTORE\":\"local\""#));
    // Metaflow's local root is SYSROOT/.metaflow.
    assert!(plain.contains(r#"\"--datastore-root\",\"/shared/mf/.metaflow\""#));
    let s3 = compiled(&["--datastore", "s3", "--metadata", "service"]);
    assert!(
        s3.contains(r#"\"METAFLOW_DEFAULT_DATASTORE\":\"s3\""#),
        "{s3}"
    );
    assert!(
        s3.contains(r#"\"METAFLOW_DEFAULT_METADATA\":\"service\""#),
        "{s3}"
    );
    assert!(
        s3.contains(r#"\"--datastore-root\",\"s3://bucket/mf\""#),
        "{s3}"
    );
    assert!(!s3.contains("/shared/mf/.metaflow"), "{s3}");
}

/// An S3 datastore whose local workers get no AWS credentials is named before the run
/// starts (Metaflow would retry every S3 operation for minutes with no output); credentials
/// passed with `--env` silence it.
#[test]
fn s3_datastore_without_worker_credentials_is_warned_about() {
    let d = tempfile::tempdir().unwrap();
    // A required parameter left out stops the run after the check, before any job.
    std::fs::write(
        d.path().join("flow.py"),
        FLOW.replace(
            "from metaflow import FlowSpec, step",
            "from metaflow import FlowSpec, Parameter, step",
        )
        .replace(
            "    @step\n    def start",
            "    a = Parameter(\"a\", required=True)\n\n    @step\n    def start",
        ),
    )
    .unwrap();
    let env = [
        ("METAFLOW_DATASTORE_SYSROOT_S3", "s3://bucket/mf"),
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI"),
    ];
    let args = ["run", "flow.py", "--local", "--datastore", "s3"];
    let o = run(d.path(), &env, &args);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains(
            "warning: METAFLOW_DEFAULT_DATASTORE = s3 but the local workers get no AWS credentials"
        ),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr
            .contains("--env AWS_ACCESS_KEY_ID --env AWS_SECRET_ACCESS_KEY")
    );
    assert!(
        o.stderr.contains("parameter 'a' is required"),
        "{}",
        o.stderr
    );
    assert!(!o.stderr.contains("wJalrXUtnFEMI"), "{}", o.stderr);

    let with = [
        &args[..],
        &[
            "--env",
            "AWS_ACCESS_KEY_ID",
            "--env",
            "AWS_SECRET_ACCESS_KEY",
        ],
    ]
    .concat();
    let o = run(d.path(), &env, &with);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(!o.stderr.contains("no AWS credentials"), "{}", o.stderr);

    let local = run(d.path(), &env, &["run", "flow.py", "--local"]);
    assert!(
        !local.stderr.contains("no AWS credentials"),
        "{}",
        local.stderr
    );
}
