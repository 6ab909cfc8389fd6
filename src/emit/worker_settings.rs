//! Which compiled settings only make sense on the deployer's machine.
//!
//! What: the Metaflow settings compiled into a flow are what every Windmill worker
//! receives. Two of them can silently point at the deployer's machine: a local datastore
//! root (`--datastore-root` / `METAFLOW_DATASTORE_SYSROOT_LOCAL`) inside the deployer's
//! working directory, home or flow directory, and a URL setting (`METAFLOW_SERVICE_URL`,
//! `METAFLOW_SERVICE_INTERNAL_URL`, `METAFLOW_S3_ENDPOINT_URL`, any `METAFLOW_*_URL`) whose
//! host is the loopback (`localhost`, `127.0.0.0/8`, `::1`, `0.0.0.0`). [`check`] names
//! each such setting; `create`/`compile` print them as warnings, or refuse with `--strict`.
//!
//! Why: on a worker of another machine, `localhost` is the worker itself and the
//! deployer's directories do not exist: the run fails at its first step, or worse writes
//! a datastore nobody reads. A local datastore on one machine (or on a volume every worker
//! mounts at the same path) is the documented single-machine shape, so it is a warning,
//! not an error, and `--shared-datastore` declares it shared (no warning).
//!
//! Example: `mf-windmill create flow.py --datastore-root $PWD/.metaflow` warns
//! "--datastore-root / METAFLOW_DATASTORE_SYSROOT_LOCAL = /home/me/proj/.metaflow lies in
//! this machine's working directory …"; `METAFLOW_SERVICE_URL=http://localhost:8080` warns
//! "METAFLOW_SERVICE_URL = http://localhost:8080 names the loopback host …".

use std::path::{Path, PathBuf};

use crate::parse::settings::Settings;

/// What is known of the deployer's machine.
#[derive(Debug, Clone, Default)]
pub struct Deployer {
    /// The deployer's directories, with how to name them: working directory, home, the
    /// flow's directory.
    pub dirs: Vec<(&'static str, PathBuf)>,
    /// The local datastore root is declared shared with the workers (`--shared-datastore`).
    pub datastore_shared: bool,
}

/// One setting a worker on another machine cannot use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The setting, as the user sets it.
    pub setting: String,
    pub value: String,
    /// Why, and what to do.
    pub why: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} = {} {}", self.setting, self.value, self.why)
    }
}

/// The settings of `s` that point at the deployer's machine.
pub fn check(s: &Settings, d: &Deployer) -> Vec<Finding> {
    let mut out = vec![];
    if let Some(root) = &s.local_root
        && !d.datastore_shared
        && let Some((what, _)) = d
            .dirs
            .iter()
            .find(|(_, dir)| Path::new(root).starts_with(dir))
    {
        out.push(Finding {
            setting: "--datastore-root / METAFLOW_DATASTORE_SYSROOT_LOCAL".into(),
            value: root.clone(),
            why: format!(
                "lies in this machine's {what}: only workers on this machine can reach it. Workers elsewhere need a datastore they share (a volume mounted at the same path, or METAFLOW_DEFAULT_DATASTORE=s3); if every worker sees this path, say so with --shared-datastore"
            ),
        });
    }
    for (k, v) in &s.env {
        if k.starts_with("METAFLOW_")
            && k.ends_with("_URL")
            && let Some(host) = loopback_host(v)
        {
            out.push(Finding {
                setting: k.clone(),
                value: v.clone(),
                why: format!(
                    "names the loopback host `{host}`: on a worker it is the worker itself, not this machine. Use an address the workers can reach"
                ),
            });
        }
    }
    out
}

/// The variables from which boto3 (Metaflow's S3 client) finds credentials without an
/// instance role: botocore/credentials.py's providers (environment, shared files,
/// assume-role-with-web-identity, container credentials).
const AWS_CREDENTIAL_VARS: [&str; 7] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_PROFILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CONFIG_FILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
];

/// What the local workers of `run --local` are given.
#[derive(Debug, Clone, Default)]
pub struct LocalWorkers {
    /// Names of the worker group's variables (`--env`).
    pub env: Vec<String>,
    /// The workers' HOME holds AWS's shared files (`~/.aws/credentials` or `config`):
    /// non-isolated workers share this machine's HOME.
    pub home_aws_files: bool,
    /// This machine's environment has `AWS_ACCESS_KEY_ID` (so `--env` can pass it on).
    pub deployer_has_keys: bool,
}

/// An S3 datastore whose local workers get no AWS credentials.
///
/// What: with `METAFLOW_DEFAULT_DATASTORE=s3`, a job finds credentials only in its own
/// environment (Windmill gives a job a fixed environment plus the worker group's
/// variables, never the deployer's), in its HOME's `~/.aws` files or from an instance
/// role. When neither the worker group (`--env`) nor the compiled settings nor the
/// workers' HOME has any, this names what to pass.
///
/// Why: Metaflow treats a missing credential as a transient S3 error and retries each
/// operation with exponential backoff (metaflow/plugins/datatools/s3/s3.py `_one_boto_op`,
/// `S3_RETRY_COUNT` = 7: about 4 minutes per operation), so the first step "hangs" for
/// an hour before it fails with no line of output. Measured: a `linear` flow ran 80 min.
///
/// Example: `mf-windmill run flow.py --local` with `METAFLOW_DEFAULT_DATASTORE=s3` and
/// `AWS_ACCESS_KEY_ID` set here but no `--env` warns "pass them by name:
/// --env AWS_ACCESS_KEY_ID --env AWS_SECRET_ACCESS_KEY …".
pub fn local_s3_credentials(s: &Settings, w: &LocalWorkers) -> Option<Finding> {
    if s.datastore != "s3" || w.home_aws_files {
        return None;
    }
    // A custom client provider (METAFLOW_DEFAULT_AWS_CLIENT_PROVIDER) brings its own
    // credentials.
    if s.env
        .get("METAFLOW_DEFAULT_AWS_CLIENT_PROVIDER")
        .is_some_and(|p| p != "boto3")
    {
        return None;
    }
    let given = |k: &str| w.env.iter().any(|e| e == k) || s.env.contains_key(k);
    if AWS_CREDENTIAL_VARS.iter().any(|k| given(k)) {
        return None;
    }
    let how = if w.deployer_has_keys {
        "pass them by name from this environment (their values stay out of the command line): --env AWS_ACCESS_KEY_ID --env AWS_SECRET_ACCESS_KEY (and --env AWS_SESSION_TOKEN, --env AWS_DEFAULT_REGION if you use them)"
    } else {
        "give the workers credentials: --env AWS_PROFILE=NAME, or --env AWS_ACCESS_KEY_ID --env AWS_SECRET_ACCESS_KEY from this environment"
    };
    Some(Finding {
        setting: "METAFLOW_DEFAULT_DATASTORE".into(),
        value: s.datastore.clone(),
        why: format!(
            "but the local workers get no AWS credentials (a job sees only Windmill's job environment and --env). Unless this machine has an instance role, every S3 operation fails and Metaflow retries it with backoff for about 4 minutes (S3_RETRY_COUNT) before the step fails: {how}"
        ),
    })
}

/// The host of `url` when it is a loopback or unspecified address.
fn loopback_host(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = hostport.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        hostport.split(':').next().unwrap_or("")
    };
    let h = host.to_ascii_lowercase();
    let loopback = h == "localhost"
        || h.ends_with(".localhost")
        || h == "::1"
        || h == "0.0.0.0"
        || h.parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback());
    loopback.then_some(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for u in [
            "http://localhost:8080",
            "https://LOCALHOST/api",
            "http://127.0.0.1:8080/",
            "http://127.1.2.3",
            "http://[::1]:80",
            "http://user:pw@localhost:1",
            "http://0.0.0.0:8080",
        ] {
            assert!(loopback_host(u).is_some(), "{u}");
        }
        for u in [
            "https://metaflow.internal",
            "http://10.0.0.5:8080",
            "http://localhost.example.com",
            "http://[2001:db8::1]:80",
        ] {
            assert!(loopback_host(u).is_none(), "{u}");
        }
    }

    fn s3_settings() -> Settings {
        Settings {
            datastore: "s3".into(),
            ..Default::default()
        }
    }

    #[test]
    fn s3_without_worker_credentials_is_named() {
        let w = LocalWorkers {
            deployer_has_keys: true,
            ..Default::default()
        };
        let f = local_s3_credentials(&s3_settings(), &w).expect("a finding");
        assert!(
            f.why
                .contains("--env AWS_ACCESS_KEY_ID --env AWS_SECRET_ACCESS_KEY"),
            "{f}"
        );
        let w = LocalWorkers::default();
        let f = local_s3_credentials(&s3_settings(), &w).expect("a finding");
        assert!(f.why.contains("AWS_PROFILE=NAME"), "{f}");
    }

    #[test]
    fn s3_credentials_from_any_source_are_enough() {
        let s = s3_settings();
        for k in [
            "AWS_ACCESS_KEY_ID",
            "AWS_PROFILE",
            "AWS_WEB_IDENTITY_TOKEN_FILE",
        ] {
            let w = LocalWorkers {
                env: vec![k.into()],
                ..Default::default()
            };
            assert_eq!(local_s3_credentials(&s, &w), None, "{k}");
        }
        let w = LocalWorkers {
            home_aws_files: true,
            ..Default::default()
        };
        assert_eq!(local_s3_credentials(&s, &w), None);
        let mut custom = s3_settings();
        custom.env.insert(
            "METAFLOW_DEFAULT_AWS_CLIENT_PROVIDER".into(),
            "my_provider".into(),
        );
        assert_eq!(
            local_s3_credentials(&custom, &LocalWorkers::default()),
            None
        );
        let local = Settings {
            datastore: "local".into(),
            ..Default::default()
        };
        assert_eq!(local_s3_credentials(&local, &LocalWorkers::default()), None);
    }
}
