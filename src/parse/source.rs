//! A source file held in memory with a line index, so every later stage can turn byte
//! offsets into the 1-based line and column numbers Metaflow and editors use.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ruff_text_size::{TextRange, TextSize};

/// One Python file as read from disk. Shared (`Arc`) by the model and the diagnostics that
/// point into it, so a diagnostic can render its snippet long after parsing.
#[derive(Debug)]
pub struct SourceFile {
    path: PathBuf,
    /// The path as the user should see it (as given on the command line, or relative to the
    /// directory that was walked).
    display: String,
    text: String,
    line_starts: Vec<u32>,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, display: impl Into<String>, text: String) -> Arc<Self> {
        let mut line_starts = vec![0u32];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| (i + 1) as u32),
        );
        Arc::new(Self {
            path: path.into(),
            display: display.into(),
            text,
            line_starts,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn display(&self) -> &str {
        &self.display
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// 1-based line of a byte offset.
    pub fn line_of(&self, offset: TextSize) -> u32 {
        let off = u32::from(offset);
        match self.line_starts.binary_search(&off) {
            Ok(i) => i as u32 + 1,
            Err(i) => i as u32,
        }
    }

    /// 1-based line and 1-based column (in Unicode scalar values, as editors and SARIF
    /// count them) of a byte offset.
    pub fn line_col(&self, offset: TextSize) -> (u32, u32) {
        let line = self.line_of(offset);
        let start = self.line_starts[(line - 1) as usize] as usize;
        let end = (u32::from(offset) as usize).min(self.text.len());
        let col = self
            .text
            .get(start..end)
            .map_or(end - start, |s| s.chars().count());
        (line, col as u32 + 1)
    }

    /// The text of a range (empty if the range is out of bounds).
    pub fn slice(&self, range: TextRange) -> &str {
        self.text
            .get(usize::from(range.start())..usize::from(range.end()))
            .unwrap_or("")
    }

    /// Byte range of a whole 1-based line, without its line break.
    pub fn line_range(&self, line: u32) -> Option<TextRange> {
        let idx = line.checked_sub(1)? as usize;
        let start = *self.line_starts.get(idx)?;
        let end = self
            .line_starts
            .get(idx + 1)
            .map_or(self.text.len() as u32, |n| n - 1);
        let end = end.max(start);
        Some(TextRange::new(start.into(), end.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_chars() {
        let f = SourceFile::new("x.py", "x.py", "ab\nçd\n\nx".to_string());
        assert_eq!(f.line_col(TextSize::from(0)), (1, 1));
        assert_eq!(f.line_col(TextSize::from(3)), (2, 1));
        // 'ç' is two bytes: 'd' is the second character of line 2.
        assert_eq!(f.line_col(TextSize::from(5)), (2, 2));
        assert_eq!(f.line_col(TextSize::from(8)), (4, 1));
        assert_eq!(f.line_range(2).map(|r| f.slice(r)), Some("çd"));
        assert_eq!(f.line_range(3).map(|r| f.slice(r)), Some(""));
        assert_eq!(f.line_range(9), None);
    }
}
