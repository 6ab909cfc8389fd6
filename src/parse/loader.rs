//! Reads the flow file and the modules of its own directory that it imports, each once.
//!
//! Metaflow runs `python flow.py`, so the flow's directory is `sys.path[0]`: a base class
//! imported `from base import BaseFlow` comes from `<flow dir>/base.py` (or a package
//! there). Modules outside the directory (site-packages) are never read: a base class from
//! there is reported as unresolved instead of guessed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::module::Module;
use super::source::SourceFile;

/// Why a file could not be read as Python source.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    /// Not UTF-8: the lossy text (for snippets) and the byte offset of the first bad byte.
    InvalidUtf8 {
        source: Arc<SourceFile>,
        offset: usize,
    },
}

/// Read a file as UTF-8 source (a leading BOM is dropped, as Python does).
pub fn read_source(path: &Path, display: &str) -> Result<Arc<SourceFile>, ReadError> {
    let bytes = std::fs::read(path).map_err(ReadError::Io)?;
    let bytes = bytes
        .strip_prefix(b"\xef\xbb\xbf")
        .unwrap_or(&bytes)
        .to_vec();
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(path, display, text)),
        // PEP 263: a `coding:` declaration in the first two lines names another encoding.
        // We do not carry codecs; each byte is read as the character with that code (exact
        // for ASCII, which is all the syntax the flow model looks at; other text may show
        // garbled in snippets).
        Err(e) if declared_encoding(e.as_bytes()).is_some_and(|enc| !is_utf8_name(&enc)) => {
            let text: String = e.as_bytes().iter().map(|&b| char::from(b)).collect();
            Ok(SourceFile::new(path, display, text))
        }
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            Err(ReadError::InvalidUtf8 {
                source: SourceFile::new(path, display, text),
                offset,
            })
        }
    }
}

/// The encoding named by a PEP 263 declaration (`# -*- coding: latin-1 -*-`) on one of
/// the first two lines.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    for line in bytes.split(|&b| b == b'\n').take(2) {
        let line = String::from_utf8_lossy(line);
        let t = line.trim_start();
        if !t.starts_with('#') {
            continue;
        }
        if let Some(pos) = t.find("coding") {
            let rest = &t[pos + "coding".len()..];
            if let Some(rest) = rest.strip_prefix(':').or_else(|| rest.strip_prefix('=')) {
                let name: String = rest
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                    .collect();
                if !name.is_empty() {
                    return Some(name.to_ascii_lowercase());
                }
            }
        }
    }
    None
}

fn is_utf8_name(enc: &str) -> bool {
    matches!(
        enc.replace('_', "-").as_str(),
        "utf-8" | "utf8" | "utf-8-sig"
    )
}

/// All modules read for one flow file.
#[derive(Default)]
pub struct Loader {
    modules: Vec<Module>,
    by_path: HashMap<PathBuf, Option<usize>>,
    /// `sys.path[0]`: the directory of the flow file.
    root_dir: PathBuf,
}

impl Loader {
    pub fn new(root: Arc<SourceFile>) -> Self {
        let root_dir = root
            .path()
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let mut loader = Loader {
            modules: Vec::new(),
            by_path: HashMap::new(),
            root_dir,
        };
        let key = normalize(root.path());
        loader.modules.push(Module::parse(root));
        loader.by_path.insert(key, Some(0));
        loader
    }

    /// The flow file itself.
    pub const ROOT: usize = 0;

    /// The flow file's directory (`sys.path[0]`).
    pub fn root_dir(&self) -> &Path {
        &self.root_dir
    }

    pub fn module(&self, index: usize) -> &Module {
        &self.modules[index]
    }

    /// Find and read the module `module` imported with `level` leading dots from module
    /// `from`. Returns `None` when it is not a file of the flow's directory tree.
    pub fn import(&mut self, from: usize, module: &str, level: u32) -> Option<usize> {
        let base = if level == 0 {
            self.root_dir.clone()
        } else {
            let mut dir = self.modules[from].source.path().parent()?.to_path_buf();
            for _ in 1..level {
                dir = dir.parent()?.to_path_buf();
            }
            dir
        };
        let mut rel = PathBuf::new();
        for part in module.split('.').filter(|p| !p.is_empty()) {
            rel.push(part);
        }
        let candidates = [
            base.join(&rel).with_extension("py"),
            base.join(&rel).join("__init__.py"),
        ];
        let path = candidates.into_iter().find(|p| p.is_file())?;
        let key = normalize(&path);
        if let Some(found) = self.by_path.get(&key) {
            return *found;
        }
        let display = path.display().to_string();
        let index = match read_source(&path, &display) {
            Ok(source) => {
                self.modules.push(Module::parse(source));
                Some(self.modules.len() - 1)
            }
            Err(_) => None,
        };
        self.by_path.insert(key, index);
        index
    }
}

fn normalize(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}
