//! The self-contained code bundle: a deterministic gzip'd tar (sorted entries, mtime 0,
//! uid/gid 0, mode 0644) holding what Metaflow's code package holds (every file under the
//! flow's directory whose name has a package suffix: `.py`, `.R`, `.RDS` and those of
//! `--package-suffixes`; metaflow/package, packaging_sys/utils.py), the files the flow names
//! (IncludeFile / Config defaults, read from the bundle at run time), the runner and the
//! Metaflow extension. Paths are relative to the flow's directory.
//!
//! One bundle per flow: only the start step's script carries it (base64); the start step
//! stores it in the flow's datastore at `<Flow>/_mfwm/code/<sha256>.tgz` and every other step
//! fetches it by that hash into a per-worker cache (`runtime/_mfwm/boot.py`). Why: with the
//! bundle in every step the compiled flow was O(steps × bundle), and the bundle (which holds
//! the flow file) itself grows with the steps — 253 MB for 5,000 steps. Like Argo's code
//! package (uploaded once, downloaded per pod), but the compiled flow stays self-contained.
//! The runner and the extension are in the bundle too, so they also travel once; each step
//! carries only its plan and the small compressed bootstrap.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// The runner and the extension, compiled into the binary. (The bootstrap, `boot.py`, is
/// not in the bundle: it is what gets the bundle, so every step script carries it.)
const RUNTIME_FILES: &[(&str, &str)] = &[
    ("_mfwm/runner.py", include_str!("runtime/_mfwm/runner.py")),
    (
        "_mfwm/mfwm_logs.py",
        include_str!("runtime/_mfwm/mfwm_logs.py"),
    ),
    (
        "_mfwm/metaflow_extensions/mfwindmill/plugins/mfextinit_mfwindmill.py",
        include_str!(
            "runtime/_mfwm/metaflow_extensions/mfwindmill/plugins/mfextinit_mfwindmill.py"
        ),
    ),
    (
        "_mfwm/metaflow_extensions/mfwindmill/plugins/windmill_internal.py",
        include_str!("runtime/_mfwm/metaflow_extensions/mfwindmill/plugins/windmill_internal.py"),
    ),
    ("_mfwm/clone.py", include_str!("runtime/_mfwm/clone.py")),
    (
        "_mfwm/mfwm_events.py",
        include_str!("runtime/_mfwm/mfwm_events.py"),
    ),
    (
        "_mfwm/metaflow_extensions/mfwindmill/plugins/windmill_events.py",
        include_str!("runtime/_mfwm/metaflow_extensions/mfwindmill/plugins/windmill_events.py"),
    ),
    (
        "_mfwm/metaflow_extensions/mfwindmill/alias/mfextinit_mfwindmill.py",
        include_str!("runtime/_mfwm/metaflow_extensions/mfwindmill/alias/mfextinit_mfwindmill.py"),
    ),
    (
        "_mfwm/metaflow_extensions/mfwindmill/plugins/resume_cli.py",
        include_str!("runtime/_mfwm/metaflow_extensions/mfwindmill/plugins/resume_cli.py"),
    ),
];

/// Compressed bundle size limit.
pub const MAX_BUNDLE_BYTES: usize = 256 * 1024;

pub struct Bundle {
    /// Relative path → content, sorted.
    pub files: BTreeMap<String, Vec<u8>>,
    pub tgz: Vec<u8>,
    pub sha256: String,
    pub base64: String,
}

pub use crate::package::{DEFAULT_PACKAGE_SUFFIXES, package_suffixes, suffix_matches};

fn rel_of(root: &Path, p: &Path) -> Option<String> {
    let rel = p.strip_prefix(root).ok()?;
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    Some(rel.to_string_lossy().replace('\\', "/"))
}

/// What Metaflow's code package carries from the flow's directory (`MetaflowPackage`,
/// `packaging_sys.utils.walk` over `util.walk_without_cycles`): every file under it, at any
/// depth, whose name matches a package suffix; `__pycache__` and hidden directories are
/// skipped; a symlinked directory is followed once per branch (cycles are broken). Relative
/// path → file, sorted.
fn package_walk(root: &Path, suffixes: &[String]) -> BTreeMap<String, PathBuf> {
    fn recurse(
        dir: &Path,
        rel: &str,
        suffixes: &[String],
        seen: &std::collections::HashSet<PathBuf>,
        out: &mut BTreeMap<String, PathBuf>,
    ) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<_> = rd.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let Some(name) = e.file_name().to_str().map(str::to_string) else {
                continue;
            };
            let path = e.path();
            let child = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                if name == "__pycache__" || name.starts_with('.') {
                    continue;
                }
                let is_link = e.file_type().is_ok_and(|t| t.is_symlink());
                let mut seen = seen.clone();
                if is_link {
                    let real = std::fs::canonicalize(&path).unwrap_or(path.clone());
                    if !seen.insert(real) {
                        continue;
                    }
                }
                recurse(&path, &child, suffixes, &seen, out);
            } else if meta.is_file() && suffix_matches(&name, suffixes) {
                out.insert(child, path);
            }
        }
    }
    let mut out = BTreeMap::new();
    recurse(
        root,
        "",
        suffixes,
        &std::collections::HashSet::new(),
        &mut out,
    );
    out
}

/// Build the bundle: the code package Metaflow would make (`suffixes`, see
/// [`package_suffixes`]), the flow file itself, and `named` = files the flow names
/// (IncludeFile / Config defaults) relative to the flow's directory (must exist).
pub fn build(
    flow_file: &Path,
    suffixes: &[String],
    named: &[String],
) -> Result<(Bundle, String), String> {
    build_with(flow_file, suffixes, named, &[])
}

/// [`build`], plus generated files (relative path, content) next to the runner.
pub fn build_with(
    flow_file: &Path,
    suffixes: &[String],
    named: &[String],
    generated: &[(String, Vec<u8>)],
) -> Result<(Bundle, String), String> {
    let flow_file = std::fs::canonicalize(flow_file)
        .map_err(|e| format!("cannot read {}: {e}", flow_file.display()))?;
    let root = flow_file
        .parent()
        .ok_or_else(|| "the flow file has no directory".to_string())?
        .to_path_buf();
    let flow_rel = rel_of(&root, &flow_file).ok_or("flow file outside its directory")?;
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    // No suffixes: the flow file alone (a compile that only addresses a deployed flow).
    let mut package = if suffixes.is_empty() {
        BTreeMap::new()
    } else {
        package_walk(&root, suffixes)
    };
    // `python flow.py` runs the flow file whatever its name.
    package.insert(flow_rel.clone(), flow_file.clone());
    for (rel, path) in package {
        let data =
            std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        files.insert(rel, data);
    }
    for n in named {
        let p = root.join(n);
        let canon = std::fs::canonicalize(&p)
            .map_err(|e| format!("file named by the flow, {n}, cannot be read: {e}"))?;
        let rel = rel_of(&root, &canon).ok_or_else(|| {
            format!(
                "file named by the flow, {n}, is outside the flow's directory; it cannot be shipped"
            )
        })?;
        let data = std::fs::read(&canon).map_err(|e| format!("cannot read {n}: {e}"))?;
        files.insert(rel, data);
    }
    for (rel, text) in RUNTIME_FILES {
        if files.contains_key(*rel) {
            return Err(format!(
                "the flow's directory has its own {rel}: name clash with mf-windmill's runner"
            ));
        }
        files.insert((*rel).to_string(), text.as_bytes().to_vec());
    }
    for (rel, data) in generated {
        if files.contains_key(rel) {
            return Err(format!(
                "the flow's directory has its own {rel}: name clash with mf-windmill's generated file"
            ));
        }
        files.insert(rel.clone(), data.clone());
    }
    let tgz = tar_gz(&files).map_err(|e| format!("cannot build the code bundle: {e}"))?;
    if tgz.len() > MAX_BUNDLE_BYTES {
        let mut sizes: Vec<(usize, &String)> = files.iter().map(|(k, v)| (v.len(), k)).collect();
        sizes.sort_by(|a, b| b.cmp(a));
        let largest: Vec<String> = sizes
            .iter()
            .take(5)
            .map(|(s, k)| format!("{k} ({s} B)"))
            .collect();
        return Err(format!(
            "the code bundle is {} bytes compressed, above the {} byte limit; largest files: {}",
            tgz.len(),
            MAX_BUNDLE_BYTES,
            largest.join(", ")
        ));
    }
    let sha256 = format!("{:x}", Sha256::digest(&tgz));
    let base64 = base64::engine::general_purpose::STANDARD.encode(&tgz);
    Ok((
        Bundle {
            files,
            tgz,
            sha256,
            base64,
        },
        flow_rel,
    ))
}

fn tar_gz(files: &BTreeMap<String, Vec<u8>>) -> std::io::Result<Vec<u8>> {
    let gz = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::best());
    let mut tar = tar::Builder::new(gz);
    tar.mode(tar::HeaderMode::Deterministic);
    for (rel, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(0);
        h.set_uid(0);
        h.set_gid(0);
        h.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut h, rel, data.as_slice())?;
    }
    let gz = tar.into_inner()?;
    let mut out = gz.finish()?;
    out.flush()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_follow_metaflow() {
        let sx = package_suffixes(Some(".csv, .py,"));
        assert_eq!(sx, vec![".py", ".R", ".RDS", ".csv"]);
        assert!(suffix_matches("a.PY", &sx));
        assert!(suffix_matches("model.rds", &sx));
        assert!(suffix_matches(".py", &sx));
        assert!(!suffix_matches(".hidden.py", &sx));
        assert!(!suffix_matches("data.json", &sx));
    }

    #[test]
    fn bundle_is_deterministic() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        std::fs::write(p.join("flow.py"), "import helpers\n").unwrap();
        std::fs::write(p.join("helpers.py"), "X = 1\n").unwrap();
        std::fs::write(p.join("unrelated.py"), "Y = 1\n").unwrap();
        std::fs::write(p.join("data.csv"), "a,b\n").unwrap();
        std::fs::create_dir_all(p.join("pkg/sub")).unwrap();
        std::fs::write(p.join("pkg/sub/deep.py"), "Z = 1\n").unwrap();
        std::fs::create_dir_all(p.join("__pycache__")).unwrap();
        std::fs::write(p.join("__pycache__/x.py"), "").unwrap();
        std::fs::create_dir_all(p.join(".hidden")).unwrap();
        std::fs::write(p.join(".hidden/h.py"), "").unwrap();
        let sx = package_suffixes(None);
        let (a, rel) = build(&p.join("flow.py"), &sx, &[]).unwrap();
        let (b, _) = build(&p.join("flow.py"), &sx, &[]).unwrap();
        assert_eq!(rel, "flow.py");
        assert_eq!(a.sha256, b.sha256);
        let names: Vec<&str> = a.files.keys().map(String::as_str).collect();
        for f in [
            "flow.py",
            "helpers.py",
            "unrelated.py",
            "pkg/sub/deep.py",
            "_mfwm/runner.py",
        ] {
            assert!(names.contains(&f), "{f} missing: {names:?}");
        }
        for f in ["data.csv", "__pycache__/x.py", ".hidden/h.py"] {
            assert!(!names.contains(&f), "{f} shipped: {names:?}");
        }
        // Another suffix when asked.
        let (c, _) = build(&p.join("flow.py"), &package_suffixes(Some(".csv")), &[]).unwrap();
        assert!(c.files.contains_key("data.csv"));
    }
}
