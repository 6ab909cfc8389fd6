//! Isolated workers (`--isolated-workers`): each job runs as on a Windmill worker that
//! shares nothing with the deployer but the storage declared shared.
//!
//! What: per job, under the run's scratch directory (never under the deployer's
//! directory), a fresh working directory (Windmill's job dir), a fresh `HOME` and a fresh
//! `TMPDIR`; the environment is exactly what Windmill gives a job ([`super::env`]) plus the
//! worker-group variables passed with `--env`, with the worker's own standard `PATH`
//! ([`WORKER_PATH`], or `--env PATH=...`); and, where the kernel allows an unprivileged
//! mount namespace (`unshare --user --map-root-user --mount`), the deployer's directories
//! are covered by an empty tmpfs, so that an absolute path into them fails as on another
//! machine, while the shared paths (the local datastore, the workers' interpreter) stay
//! visible at the same absolute path, as a shared volume would.
//!
//! Why: a flow that works locally can still read the deployer's files (absolute paths,
//! `~/.metaflowconfig`, the deployer's `METAFLOW_*` variables, a warm `/tmp` cache); on
//! Windmill workers on other machines none of it exists. This mode makes such a flow fail
//! here, before it is deployed.
//!
//! How Windmill builds a job (windmill-labs/windmill, backend/windmill-worker/src):
//! `worker.rs` `create_job_dir(&worker_dir, job.id)` = `{worker_dir}/{job_id}`, a fresh
//! directory per job; `bash_executor.rs` runs `bash wrapper.sh` with
//! `.current_dir(job_dir).env_clear().envs(envs).envs(reserved_variables)
//! .env("PATH", PATH_ENV).env("BASE_INTERNAL_URL", ..).env("HOME", HOME_ENV)`, where
//! `PATH_ENV`/`HOME_ENV` are the worker process's own `PATH`/`HOME` (`HOME` defaulting to
//! `/tmp`) and `envs` the worker's whitelisted variables. Windmill sets no `TMPDIR`: a job
//! sees the worker machine's own `/tmp`; here that would be the deployer's `/tmp`, so a
//! fresh `TMPDIR` stands for it (a deviation, documented in docs/local-executor.md).
//!
//! Example: `mf-windmill run flow.py --local --isolated-workers --python /opt/mf/bin/python
//! --datastore-root /srv/shared/.metaflow`: a step opening `/home/me/proj/data.csv` fails
//! with "No such file or directory"; shipped with `--package-suffixes .csv` and opened as
//! `data.csv`, it works.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::OnceLock;

use uuid::Uuid;

/// The `PATH` of an isolated worker (the standard one of Windmill's Debian-based image),
/// unless `--env PATH=...` gives the worker group another.
pub const WORKER_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// What the caller declares about the deployer's machine.
#[derive(Debug, Clone, Default)]
pub struct Isolation {
    /// The deployer's directories no job may see (its working directory, the flow's
    /// directory). Covered by an empty tmpfs when a mount namespace is available.
    pub hidden: Vec<PathBuf>,
    /// Paths declared shared with the workers (the local datastore root, the workers'
    /// interpreter's environment): visible at the same absolute path even inside a hidden
    /// directory. Created if missing.
    pub shared: Vec<PathBuf>,
}

/// Where one isolated job runs; everything lies under `root`, removed after the job.
#[derive(Debug, Clone)]
pub struct JobPlace {
    pub root: PathBuf,
    /// The job directory (`main.sh`, `wrapper.sh`, results), the job's cwd.
    pub dir: PathBuf,
    pub home: PathBuf,
    pub tmp: PathBuf,
}

/// Create `<scratch>/<job id>/{job,home,tmp}`.
pub fn place(scratch: &Path, job_id: Uuid) -> std::io::Result<JobPlace> {
    let root = scratch.join(job_id.to_string());
    let p = JobPlace {
        dir: root.join("job"),
        home: root.join("home"),
        tmp: root.join("tmp"),
        root,
    };
    for d in [&p.dir, &p.home, &p.tmp] {
        std::fs::create_dir_all(d)?;
    }
    Ok(p)
}

/// Whether `unshare --user --map-root-user --mount` works here (probed once); `Err` says
/// why not.
pub fn namespace_available() -> Result<(), String> {
    static PROBE: OnceLock<Result<(), String>> = OnceLock::new();
    PROBE
        .get_or_init(|| {
            match std::process::Command::new("unshare")
                .args(["--user", "--map-root-user", "--mount", "/bin/true"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .output()
            {
                Ok(o) if o.status.success() => Ok(()),
                Ok(o) => Err(format!(
                    "`unshare --user --map-root-user --mount` failed: {}",
                    String::from_utf8_lossy(&o.stderr).trim()
                )),
                Err(e) => Err(format!("cannot run `unshare`: {e}")),
            }
        })
        .clone()
}

/// `s` as one single-quoted shell word.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Whether `p` is `dir` or lies under it (lexically).
pub fn is_under(p: &Path, dir: &Path) -> bool {
    p.starts_with(dir)
}

/// The script that, inside a fresh user + mount namespace, keeps the shared paths aside,
/// covers every hidden directory with an empty tmpfs, puts the shared paths back at their
/// absolute paths, then runs the job (`"$@"`) in `job_dir`.
pub fn mount_script(iso: &Isolation, place: &JobPlace) -> String {
    let mut s = String::from("set -e\n");
    let kept = place.root.join("shared");
    let shared: Vec<&PathBuf> = iso
        .shared
        .iter()
        .filter(|p| iso.hidden.iter().any(|h| is_under(p, h)))
        .collect();
    for (i, p) in shared.iter().enumerate() {
        let k = kept.join(i.to_string());
        s += &format!(
            "mkdir -p {k}\nmount --rbind {p} {k}\n",
            k = sh_quote(&k.to_string_lossy()),
            p = sh_quote(&p.to_string_lossy())
        );
    }
    for h in &iso.hidden {
        s += &format!(
            "mount -t tmpfs -o mode=0755 mf-windmill-hidden {}\n",
            sh_quote(&h.to_string_lossy())
        );
    }
    for (i, p) in shared.iter().enumerate() {
        let k = kept.join(i.to_string());
        s += &format!(
            "mkdir -p {p}\nmount --rbind {k} {p}\n",
            k = sh_quote(&k.to_string_lossy()),
            p = sh_quote(&p.to_string_lossy())
        );
    }
    s += &format!(
        "cd {}\nunset OLDPWD\nexec \"$@\"\n",
        sh_quote(&place.dir.to_string_lossy())
    );
    s
}

/// The command running `bash wrapper.sh argv…` for an isolated job: through `unshare` and
/// [`mount_script`] when `hide` (directories to hide and a namespace available), else
/// directly. The environment is cleared; the caller sets the job's.
pub fn command(
    iso: &Isolation,
    place: &JobPlace,
    hide: bool,
    argv: &[String],
) -> std::io::Result<tokio::process::Command> {
    let mut cmd = if hide && !iso.hidden.is_empty() {
        let script = place.root.join("isolate.sh");
        std::fs::write(&script, mount_script(iso, place))?;
        let mut c = tokio::process::Command::new("unshare");
        c.args(["--user", "--map-root-user", "--mount", "/bin/bash"])
            .arg(&script)
            .arg("/bin/bash");
        c
    } else {
        tokio::process::Command::new("/bin/bash")
    };
    cmd.arg("wrapper.sh")
        .args(argv)
        .current_dir(&place.dir)
        .env_clear();
    Ok(cmd)
}

/// A scratch base that is not under any hidden directory: the system temp dir, else `/tmp`.
pub fn scratch_base(iso: &Isolation) -> Result<PathBuf, String> {
    for base in [std::env::temp_dir(), PathBuf::from("/tmp")] {
        if !iso.hidden.iter().any(|h| is_under(&base, h)) {
            return Ok(base);
        }
    }
    Err("isolated workers need a scratch directory outside the deployer's directories, and both $TMPDIR and /tmp lie inside them".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_fresh_and_outside() {
        let base = std::env::temp_dir().join(format!("iso-test-{}", Uuid::new_v4().simple()));
        let a = place(&base, Uuid::new_v4()).unwrap();
        let b = place(&base, Uuid::new_v4()).unwrap();
        assert_ne!(a.home, b.home);
        assert_ne!(a.tmp, b.tmp);
        assert!(a.dir.is_dir() && a.home.is_dir() && a.tmp.is_dir());
        std::fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn script_keeps_shared_paths_inside_hidden_ones() {
        let iso = Isolation {
            hidden: vec!["/home/me/proj".into()],
            shared: vec!["/home/me/proj/.metaflow".into(), "/srv/data".into()],
        };
        let p = JobPlace {
            root: "/s/j".into(),
            dir: "/s/j/job".into(),
            home: "/s/j/home".into(),
            tmp: "/s/j/tmp".into(),
        };
        let s = mount_script(&iso, &p);
        let keep = s.find("mount --rbind '/home/me/proj/.metaflow' '/s/j/shared/0'");
        let hide = s.find("mount -t tmpfs -o mode=0755 mf-windmill-hidden '/home/me/proj'");
        let back = s.find("mount --rbind '/s/j/shared/0' '/home/me/proj/.metaflow'");
        assert!(keep < hide && hide < back && keep.is_some(), "{s}");
        assert!(
            !s.contains("/srv/data"),
            "a path outside hidden dirs needs nothing: {s}"
        );
        assert!(s.ends_with("cd '/s/j/job'\nunset OLDPWD\nexec \"$@\"\n"));
        assert_eq!(sh_quote("a'b"), r"'a'\''b'");
    }
}
