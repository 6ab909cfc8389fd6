//! Metaflow's code-package rules (metaflow/package, packaging_sys/utils.py) that both the
//! checks (`WM210`) and the bundle (`emit::bundle`) follow: which file suffixes are shipped.

/// Metaflow's default package suffixes (`metaflow_config.DEFAULT_PACKAGE_SUFFIXES`).
pub const DEFAULT_PACKAGE_SUFFIXES: &[&str] = &[".py", ".R", ".RDS"];

/// The suffixes of the code package: Metaflow's defaults plus the user's
/// (`--package-suffixes`, comma-separated), as `MetaflowPackage` unions them.
pub fn package_suffixes(extra: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = DEFAULT_PACKAGE_SUFFIXES
        .iter()
        .map(|s| s.to_string())
        .collect();
    for s in extra.unwrap_or("").split(',').map(str::trim) {
        if !s.is_empty() && !out.iter().any(|x| x == s) {
            out.push(s.to_string());
        }
    }
    out
}

/// `packaging_sys.utils.suffix_filter`: case-insensitive; a dot-file only when it equals a
/// suffix, any other file when its name ends with one.
pub fn suffix_matches(fname: &str, suffixes: &[String]) -> bool {
    let f = fname.to_lowercase();
    suffixes.iter().map(|s| s.to_lowercase()).any(|s| {
        if f.starts_with('.') {
            f == s
        } else {
            f.ends_with(&s)
        }
    })
}
