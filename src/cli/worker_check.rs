//! `--strict` / `--shared-datastore` of `compile`, `create` and a remote `run`: the
//! settings the workers receive are checked by [`crate::emit::worker_settings::check`]
//! against this machine (its working directory, home and the flow's directory); each
//! finding is a warning, or with `--strict` an error (exit 2, nothing deployed or written).

use std::path::PathBuf;

use crate::emit::Compiled;
use crate::emit::worker_settings::{self, Deployer};

#[derive(Debug, Clone, Default, clap::Args)]
pub struct WorkerCheck {
    /// Refuse (exit 2) instead of warning when a setting the workers receive points at
    /// this machine (a local datastore root in this machine's directories, a METAFLOW_*_URL
    /// on localhost).
    #[arg(long)]
    pub strict: bool,
    /// The local datastore root is storage every worker shares (one machine, or a volume
    /// mounted at the same path on every worker): do not warn about it.
    #[arg(long)]
    pub shared_datastore: bool,
}

impl WorkerCheck {
    /// Print the findings for `c` (compiled from `flow`); `Err(2)` with `--strict`.
    pub fn apply(&self, c: &Compiled, flow: &std::path::Path) -> Result<(), i32> {
        let findings = worker_settings::check(&c.settings, &self.deployer(flow));
        let word = if self.strict { "error" } else { "warning" };
        for f in &findings {
            eprintln!(
                "mf-windmill: {word}: a setting the workers receive points at this machine: {f}"
            );
        }
        if self.strict && !findings.is_empty() {
            eprintln!("mf-windmill: error: not compiled for workers elsewhere (--strict)");
            return Err(2);
        }
        Ok(())
    }

    fn deployer(&self, flow: &std::path::Path) -> Deployer {
        let mut dirs: Vec<(&'static str, PathBuf)> = vec![];
        let mut add = |what: &'static str, p: Option<PathBuf>| {
            if let Some(p) = p.filter(|p| p.is_absolute() && p.parent().is_some()) {
                let canon = std::fs::canonicalize(&p).unwrap_or(p.clone());
                dirs.push((what, p));
                dirs.push((what, canon));
            }
        };
        add("working directory", std::env::current_dir().ok());
        add(
            "home directory",
            std::env::var_os("HOME").map(PathBuf::from),
        );
        add(
            "flow directory",
            std::fs::canonicalize(flow)
                .ok()
                .and_then(|p| p.parent().map(PathBuf::from)),
        );
        Deployer {
            dirs,
            datastore_shared: self.shared_datastore,
        }
    }
}
