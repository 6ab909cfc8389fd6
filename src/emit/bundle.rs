//! The self-contained code bundle: a deterministic gzip'd tar (sorted entries, mtime 0,
//! uid/gid 0, mode 0644) holding the flow file, the modules of its directory it imports
//! (transitively), the files it names (IncludeFile / Config defaults), the runner and the
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

/// `import a.b`, `from a import b`, `from .x import y`: the module names a line imports,
/// with their leading-dot level. A line-based scan (imports inside functions included).
fn imports(text: &str) -> Vec<(u32, String, Vec<String>)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let l = line.trim_start();
        if let Some(rest) = l.strip_prefix("from ") {
            let mut parts = rest.splitn(2, " import ");
            let module = parts.next().unwrap_or("").trim();
            let names: Vec<String> = parts
                .next()
                .unwrap_or("")
                .split(',')
                .map(|n| {
                    n.trim()
                        .trim_matches(|c| c == '(' || c == ')')
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .to_string()
                })
                .filter(|n| !n.is_empty() && n != "*")
                .collect();
            let level = module.chars().take_while(|&c| c == '.').count() as u32;
            out.push((level, module.trim_start_matches('.').to_string(), names));
        } else if let Some(rest) = l.strip_prefix("import ") {
            for m in rest.split(',') {
                let m = m.split_whitespace().next().unwrap_or("");
                if !m.is_empty() {
                    out.push((0, m.to_string(), vec![]));
                }
            }
        }
    }
    out
}

fn rel_of(root: &Path, p: &Path) -> Option<String> {
    let rel = p.strip_prefix(root).ok()?;
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    Some(rel.to_string_lossy().replace('\\', "/"))
}

/// The flow file and the sibling modules it imports, transitively.
fn python_closure(root: &Path, flow_file: &Path) -> BTreeMap<String, PathBuf> {
    let mut found = BTreeMap::new();
    let mut todo = vec![flow_file.to_path_buf()];
    while let Some(f) = todo.pop() {
        let Some(rel) = rel_of(root, &f) else {
            continue;
        };
        if found.contains_key(&rel) {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        found.insert(rel, f.clone());
        let dir = f.parent().unwrap_or(root).to_path_buf();
        for (level, module, names) in imports(&text) {
            let base = if level == 0 {
                root.to_path_buf()
            } else {
                let mut d = dir.clone();
                for _ in 1..level {
                    d = d.parent().map(Path::to_path_buf).unwrap_or(d);
                }
                d
            };
            let mut mpath = base.clone();
            for part in module.split('.').filter(|p| !p.is_empty()) {
                mpath.push(part);
            }
            let mut candidates = vec![mpath.with_extension("py"), mpath.join("__init__.py")];
            // Packages on the way (`import pkg.sub` needs pkg/__init__.py).
            let mut pkg = base.clone();
            for part in module.split('.').filter(|p| !p.is_empty()) {
                pkg.push(part);
                candidates.push(pkg.join("__init__.py"));
            }
            for n in &names {
                candidates.push(mpath.join(n).with_extension("py"));
                candidates.push(mpath.join(n).join("__init__.py"));
            }
            for c in candidates {
                if c.is_file() {
                    todo.push(c);
                }
            }
        }
    }
    found
}

/// Build the bundle. `named` = extra files relative to the flow's directory (must exist).
pub fn build(flow_file: &Path, named: &[String]) -> Result<(Bundle, String), String> {
    build_with(flow_file, named, &[])
}

/// [`build`], plus generated files (relative path, content) next to the runner.
pub fn build_with(
    flow_file: &Path,
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
    for (rel, path) in python_closure(&root, &flow_file) {
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
    fn imports_are_scanned() {
        let v =
            imports("import os, helpers as h\nfrom .pkg.mod import a, (b)\n  from x import *\n");
        assert_eq!(v[0], (0, "os".into(), vec![]));
        assert_eq!(v[1], (0, "helpers".into(), vec![]));
        assert_eq!(v[2], (1, "pkg.mod".into(), vec!["a".into(), "b".into()]));
        assert_eq!(v[3], (0, "x".into(), vec![]));
    }

    #[test]
    fn bundle_is_deterministic() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("flow.py"), "import helpers\n").unwrap();
        std::fs::write(d.path().join("helpers.py"), "X = 1\n").unwrap();
        std::fs::write(d.path().join("unrelated.py"), "Y = 1\n").unwrap();
        let (a, rel) = build(&d.path().join("flow.py"), &[]).unwrap();
        let (b, _) = build(&d.path().join("flow.py"), &[]).unwrap();
        assert_eq!(rel, "flow.py");
        assert_eq!(a.sha256, b.sha256);
        assert!(a.files.contains_key("helpers.py"));
        assert!(!a.files.contains_key("unrelated.py"));
        assert!(a.files.contains_key("_mfwm/runner.py"));
    }
}
