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
}
