//! Metaflow settings resolved statically at compile time, mirroring
//! `metaflow_config_funcs.py` (`init_config`, `from_conf`): the environment variable
//! `METAFLOW_<NAME>` beats `$METAFLOW_HOME/config[_<METAFLOW_PROFILE>].json` beats
//! Metaflow's default. No Python runs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Keys never embedded in a compiled flow (landscape #17).
fn secret_like(key: &str) -> bool {
    let k = key.to_ascii_uppercase();
    ["KEY", "TOKEN", "SECRET", "PASSWORD", "AUTH"]
        .iter()
        .any(|w| k.contains(w))
}

/// Settings the child processes get.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub metadata: String,
    pub environment: String,
    pub datastore: String,
    pub event_logger: String,
    pub monitor: String,
    pub datastore_root: String,
    /// Set for the local datastore (the runner checks attempts and `init` there).
    pub local_root: Option<String>,
    /// Every non-secret `METAFLOW_*` setting from the environment and the config file.
    pub env: BTreeMap<String, String>,
    /// Secret-like keys found and left out.
    pub skipped_secrets: Vec<String>,
}

/// Where Metaflow reads its config file.
fn config_file(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let home = env("METAFLOW_HOME")
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|h| Path::new(&h).join(".metaflowconfig")))?;
    let name = match env("METAFLOW_PROFILE") {
        Some(p) if !p.is_empty() => format!("config_{p}.json"),
        _ => "config.json".to_string(),
    };
    Some(home.join(name))
}

/// Every `METAFLOW_*` setting as Metaflow reads it: the config file's keys, overridden by
/// the environment's.
fn configured(
    env: &dyn Fn(&str) -> Option<String>,
    all_env: &[(String, String)],
) -> Result<BTreeMap<String, String>, String> {
    let mut conf: BTreeMap<String, String> = BTreeMap::new();
    if let Some(path) = config_file(env)
        && let Ok(text) = std::fs::read_to_string(&path)
    {
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            format!(
                "Metaflow config file {} is not valid JSON: {e}",
                path.display()
            )
        })?;
        if let Some(m) = v.as_object() {
            for (k, v) in m {
                let text = match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                conf.insert(k.clone(), text);
            }
        }
    }
    for (k, v) in all_env {
        if k.starts_with("METAFLOW_") {
            conf.insert(k.clone(), v.clone());
        }
    }
    Ok(conf)
}

/// The datastore type Metaflow would use (`METAFLOW_DEFAULT_DATASTORE`, `local` by
/// default), for commands that pick a default root before compiling (`run --local`).
pub fn datastore_type(
    env: &dyn Fn(&str) -> Option<String>,
    all_env: &[(String, String)],
) -> Result<String, String> {
    Ok(configured(env, all_env)?
        .remove("METAFLOW_DEFAULT_DATASTORE")
        .unwrap_or_else(|| "local".into()))
}

pub fn resolve(
    env: &dyn Fn(&str) -> Option<String>,
    all_env: &[(String, String)],
    datastore_root: Option<&Path>,
) -> Result<Settings, String> {
    let conf = configured(env, all_env)?;
    let get = |name: &str, default: &str| -> String {
        conf.get(&format!("METAFLOW_{name}"))
            .cloned()
            .unwrap_or_else(|| default.to_string())
    };
    let datastore = get("DEFAULT_DATASTORE", "local");
    let (root, local_root) = if datastore == "local" {
        let root = match datastore_root {
            Some(p) => p.to_path_buf(),
            None => match conf.get("METAFLOW_DATASTORE_SYSROOT_LOCAL") {
                Some(s) => Path::new(s).join(".metaflow"),
                None => {
                    return Err("the local datastore needs an explicit root shared by every worker: pass --datastore-root /abs/path/.metaflow or set METAFLOW_DATASTORE_SYSROOT_LOCAL".into());
                }
            },
        };
        if !root.is_absolute() {
            return Err(format!(
                "the datastore root must be an absolute path (got {}): Windmill runs each job in its own directory",
                root.display()
            ));
        }
        let r = root.to_string_lossy().to_string();
        (r.clone(), Some(r))
    } else {
        let key = format!("DATASTORE_SYSROOT_{}", datastore.to_ascii_uppercase());
        let root = match datastore_root {
            Some(p) => p.to_string_lossy().to_string(),
            None => conf
                .get(&format!("METAFLOW_{key}"))
                .cloned()
                .ok_or_else(|| {
                    format!("datastore '{datastore}' needs METAFLOW_{key} or --datastore-root")
                })?,
        };
        // Metaflow checks the scheme only when a step first touches the datastore
        // (MF plugins/datatools/s3/s3.py: "s3root needs to be an S3 URL prefixed with
        // s3://"): after deploying, at the first step of every run. Refuse it here.
        let scheme = match datastore.as_str() {
            "s3" => Some("s3://"),
            "gs" => Some("gs://"),
            _ => None,
        };
        if let Some(scheme) = scheme
            && !root.starts_with(scheme)
        {
            let from = if datastore_root.is_some() {
                "--datastore-root".to_string()
            } else {
                format!("METAFLOW_{key}")
            };
            return Err(format!(
                "{from} is `{root}`, but the '{datastore}' datastore needs a URL starting with {scheme} (bucket and prefix); a local path needs METAFLOW_DEFAULT_DATASTORE=local (or --datastore local)"
            ));
        }
        (root, None)
    };
    let mut out_env = BTreeMap::new();
    let mut skipped = Vec::new();
    for (k, v) in &conf {
        if !k.starts_with("METAFLOW_")
            || k.starts_with("METAFLOW_INIT_")
            || matches!(
                k.as_str(),
                "METAFLOW_RUN_ID"
                    | "METAFLOW_USER"
                    | "METAFLOW_OWNER"
                    | "METAFLOW_HOME"
                    | "METAFLOW_PROFILE"
            )
        {
            continue;
        }
        if secret_like(k) {
            skipped.push(k.clone());
            continue;
        }
        out_env.insert(k.clone(), v.clone());
    }
    Ok(Settings {
        metadata: get("DEFAULT_METADATA", "local"),
        environment: get("DEFAULT_ENVIRONMENT", "local"),
        datastore,
        event_logger: get("DEFAULT_EVENT_LOGGER", "nullSidecarLogger"),
        monitor: get("DEFAULT_MONITOR", "nullSidecarMonitor"),
        datastore_root: root,
        local_root,
        env: out_env,
        skipped_secrets: skipped,
    })
}

impl Settings {
    /// Top-level options, as `runtime.py` `CLIArgs.top_level_options` orders them.
    pub fn top_level(&self) -> Vec<String> {
        [
            "--quiet",
            "--metadata",
            &self.metadata,
            "--environment",
            &self.environment,
            "--datastore",
            &self.datastore,
            "--no-pylint",
            "--event-logger",
            &self.event_logger,
            "--monitor",
            &self.monitor,
            "--datastore-root",
            &self.datastore_root,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(
        pairs: &[(&str, &str)],
    ) -> (
        Vec<(String, String)>,
        impl Fn(&str) -> Option<String> + use<>,
    ) {
        let v: Vec<(String, String)> = pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        let v2 = v.clone();
        (v, move |k: &str| {
            v2.iter().find(|(a, _)| a == k).map(|(_, b)| b.clone())
        })
    }

    #[test]
    fn local_root_must_be_explicit_and_absolute() {
        let (all, f) = env_of(&[("HOME", "/nonexistent")]);
        assert!(resolve(&f, &all, None).is_err());
        assert!(resolve(&f, &all, Some(Path::new("rel/.metaflow"))).is_err());
        let s = resolve(&f, &all, Some(Path::new("/srv/.metaflow"))).unwrap();
        assert_eq!(s.local_root.as_deref(), Some("/srv/.metaflow"));
        assert_eq!(s.metadata, "local");
    }

    #[test]
    fn a_remote_datastore_root_needs_its_scheme() {
        let (all, f) = env_of(&[
            ("HOME", "/nonexistent"),
            ("METAFLOW_DEFAULT_DATASTORE", "s3"),
            ("METAFLOW_DATASTORE_SYSROOT_S3", "s3://bucket/mf"),
        ]);
        assert_eq!(
            resolve(&f, &all, None).unwrap().datastore_root,
            "s3://bucket/mf"
        );
        let e = resolve(&f, &all, Some(Path::new("/srv/.metaflow"))).unwrap_err();
        assert!(e.starts_with("--datastore-root is `/srv/.metaflow`, but the 's3' datastore needs a URL starting with s3://"), "{e}");
        let (all, f) = env_of(&[
            ("HOME", "/nonexistent"),
            ("METAFLOW_DEFAULT_DATASTORE", "s3"),
            ("METAFLOW_DATASTORE_SYSROOT_S3", "/local/path"),
        ]);
        let e = resolve(&f, &all, None).unwrap_err();
        assert!(
            e.starts_with("METAFLOW_DATASTORE_SYSROOT_S3 is `/local/path`"),
            "{e}"
        );
        let (all, f) = env_of(&[
            ("HOME", "/nonexistent"),
            ("METAFLOW_DEFAULT_DATASTORE", "gs"),
        ]);
        assert!(resolve(&f, &all, Some(Path::new("gs://b/p"))).is_ok());
        assert!(resolve(&f, &all, Some(Path::new("s3://b/p"))).is_err());
    }

    #[test]
    fn env_beats_defaults_and_secrets_are_dropped() {
        let (all, f) = env_of(&[
            ("HOME", "/nonexistent"),
            ("METAFLOW_DATASTORE_SYSROOT_LOCAL", "/data"),
            ("METAFLOW_DEFAULT_EVENT_LOGGER", "x"),
            ("METAFLOW_SERVICE_AUTH_KEY", "hunter2"),
        ]);
        let s = resolve(&f, &all, None).unwrap();
        assert_eq!(s.datastore_root, "/data/.metaflow");
        assert_eq!(s.event_logger, "x");
        assert!(!s.env.contains_key("METAFLOW_SERVICE_AUTH_KEY"));
        assert_eq!(
            s.skipped_secrets,
            vec!["METAFLOW_SERVICE_AUTH_KEY".to_string()]
        );
    }

    #[test]
    fn config_file_and_profile_are_read_and_env_wins() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(
            d.path().join("config_dev.json"),
            r#"{"METAFLOW_DEFAULT_METADATA": "service", "METAFLOW_DATASTORE_SYSROOT_LOCAL": "/from/file", "METAFLOW_SERVICE_URL": "http://x", "METAFLOW_DEFAULT_MONITOR": "fileMonitor"}"#,
        )
        .unwrap();
        let home = d.path().to_string_lossy().to_string();
        let (all, f) = env_of(&[
            ("METAFLOW_HOME", &home),
            ("METAFLOW_PROFILE", "dev"),
            ("METAFLOW_DEFAULT_MONITOR", "envMonitor"),
        ]);
        let s = resolve(&f, &all, None).unwrap();
        assert_eq!(s.metadata, "service");
        assert_eq!(s.monitor, "envMonitor");
        assert_eq!(s.datastore_root, "/from/file/.metaflow");
        assert_eq!(
            s.env.get("METAFLOW_SERVICE_URL").map(String::as_str),
            Some("http://x")
        );
        assert!(!s.env.contains_key("METAFLOW_PROFILE"));
    }
}
