//! Turn command-line paths into the list of Python files to check: files as given,
//! directories walked with .gitignore rules (the `ignore` crate, as ripgrep does).

use std::path::{Path, PathBuf};

/// A file to check, and whether the user named it (then a file without a flow is
/// reported; in a directory walk it is skipped quietly).
#[derive(Debug, Clone)]
pub struct Target {
    pub path: PathBuf,
    pub display: String,
    pub explicit: bool,
}

/// Expand paths. Errors (a path that does not exist) are returned, not fatal, so every
/// other path is still checked.
pub fn expand(paths: &[PathBuf]) -> (Vec<Target>, Vec<String>) {
    let mut targets = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        let meta = match std::fs::metadata(p) {
            Ok(m) => m,
            Err(e) => {
                errors.push(format!("{}: {e}", p.display()));
                continue;
            }
        };
        if meta.is_dir() {
            let walker = ignore::WalkBuilder::new(p)
                .hidden(true)
                .git_ignore(true)
                .require_git(false)
                .sort_by_file_path(|a, b| a.cmp(b))
                .build();
            for entry in walker {
                match entry {
                    Ok(e) => {
                        let path = e.path();
                        if e.file_type().is_some_and(|t| t.is_file()) && is_python(path) {
                            targets.push(Target {
                                display: path.display().to_string(),
                                path: path.to_path_buf(),
                                explicit: false,
                            });
                        }
                    }
                    Err(e) => errors.push(e.to_string()),
                }
            }
        } else {
            targets.push(Target {
                display: p.display().to_string(),
                path: p.clone(),
                explicit: true,
            });
        }
    }
    (targets, errors)
}

fn is_python(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "py")
}
