//! The Windmill bearer token. It is held in [`Token`], whose `Debug` and `Display` never
//! show it; the only way to read it is [`Token::expose`], used only for `Authorization`
//! headers (`client.rs`; the local executor's forwarding to an upstream server,
//! `local/server.rs`) and by [`Token::redact`] to scrub it out of any
//! text we might print (server bodies included).

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// `None` when empty or blank.
    pub fn new(s: impl Into<String>) -> Option<Token> {
        let s = s.into();
        let t = s.trim();
        if t.is_empty() {
            None
        } else {
            Some(Token(t.to_string()))
        }
    }

    /// The secret itself: only for the `Authorization` header.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// `text` with every occurrence of the token replaced by `<redacted>`.
    pub fn redact(&self, text: &str) -> String {
        if self.0.is_empty() {
            text.to_string()
        } else {
            text.replace(&self.0, "<redacted>")
        }
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_formatted() {
        let t = Token::new("s3cr3t-T0KEN").unwrap();
        assert!(!format!("{t}").contains("s3cr3t"));
        assert!(!format!("{t:?}").contains("s3cr3t"));
        assert!(!format!("{:?}", Some(&t)).contains("s3cr3t"));
        assert_eq!(t.redact("a s3cr3t-T0KEN b"), "a <redacted> b");
        assert!(Token::new("  ").is_none());
    }
}
