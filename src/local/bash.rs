//! Bash jobs: signature parsing, argument rendering, `main.sh`/wrapper, result extraction.
//!
//! Follows `backend/parsers/windmill-parser-bash/src/lib.rs` (signature) and
//! `backend/windmill-worker/src/bash_executor.rs` (arguments, files, result).

use serde_json::{Map, Value};

/// One positional argument declared by a signature line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BashArg {
    pub name: String,
    /// The `${N:-default}` default, if any (bash itself applies it; the worker passes "").
    pub default: Option<String>,
}

/// Parse the bash signature the way Windmill's parser does (windmill-parser-bash `RE_BASH`):
/// lines at column 0 of the form `name="$N"`, `name="${N}"` or `name="${N:-default}"`,
/// optionally followed by blanks and a `# comment`. Indented lines and single-quoted values do
/// not match. Later duplicates of the same N override earlier ones; arguments are taken for
/// N = 1, 2, ... while contiguous, at most 19 (`for i in 1..20 ... else break`).
pub fn parse_signature(code: &str) -> Result<Vec<BashArg>, String> {
    let mut by_index: std::collections::HashMap<i32, BashArg> = Default::default();
    for line in code.split('\n') {
        if let Some((n, arg)) = match_line(line)? {
            by_index.insert(n, arg);
        }
    }
    let mut args = vec![];
    for i in 1..20 {
        match by_index.remove(&i) {
            Some(a) => args.push(a),
            None => break,
        }
    }
    Ok(args)
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `[\t ]*(?:#.*)?\r?$` on the rest of a line.
fn tail_ok(rest: &str) -> bool {
    let rest = rest.strip_suffix('\r').unwrap_or(rest);
    let t = rest.trim_start_matches([' ', '\t']);
    t.is_empty() || t.starts_with('#') || {
        // `#.*` may itself swallow a final `\r`; `\r?$` already handled above.
        false
    }
}

fn parse_n(digits: &str) -> Result<i32, String> {
    digits
        .parse::<i32>()
        .map_err(|_| "Impossible to parse arg digit".to_string())
}

fn match_line(line: &str) -> Result<Option<(i32, BashArg)>, String> {
    let name_len: usize = line
        .char_indices()
        .take_while(|(_, c)| is_word(*c))
        .map(|(_, c)| c.len_utf8())
        .sum();
    if name_len == 0 {
        return Ok(None);
    }
    let name = &line[..name_len];
    let Some(rest) = line[name_len..].strip_prefix("=\"$") else {
        return Ok(None);
    };
    let digits_len = |s: &str| s.chars().take_while(|c| c.is_ascii_digit()).count();
    // `$N"`
    let d = digits_len(rest);
    if d > 0 {
        let after = &rest[d..];
        return Ok(match after.strip_prefix('"') {
            Some(t) if tail_ok(t) => Some((
                parse_n(&rest[..d])?,
                BashArg {
                    name: name.into(),
                    default: None,
                },
            )),
            _ => None,
        });
    }
    let Some(rest) = rest.strip_prefix('{') else {
        return Ok(None);
    };
    let d = digits_len(rest);
    if d == 0 {
        return Ok(None);
    }
    let n = &rest[..d];
    let after = &rest[d..];
    if let Some(t) = after.strip_prefix("}\"")
        && tail_ok(t)
    {
        return Ok(Some((
            parse_n(n)?,
            BashArg {
                name: name.into(),
                default: None,
            },
        )));
    }
    if let Some(def) = after.strip_prefix(":-") {
        // `(.*)\}"` is greedy: take the right-most `}"` whose remainder is a valid tail.
        let mut best = None;
        for (pos, _) in def.match_indices("}\"") {
            if tail_ok(&def[pos + 2..]) {
                best = Some(pos);
            }
        }
        if let Some(pos) = best {
            return Ok(Some((
                parse_n(n)?,
                BashArg {
                    name: name.into(),
                    default: Some(def[..pos].to_string()),
                },
            )));
        }
    }
    Ok(None)
}

/// The positional arguments for a job: for each signature argument, the job argument of the
/// same name; JSON strings are passed raw, other JSON serialized, missing ones as ""
/// (`raw_to_string` in bash_executor.rs). Object keys are ordered like Postgres `jsonb` orders
/// them (shorter keys first, then bytewise), since a server stores args as jsonb.
pub fn render_args(sig: &[BashArg], args: &Map<String, Value>) -> Vec<String> {
    sig.iter()
        .map(|a| match args.get(&a.name) {
            Some(Value::String(s)) => s.clone(),
            Some(v) => serde_json::to_string(&jsonb_order(v)).unwrap_or_default(),
            None => String::new(),
        })
        .collect()
}

/// Reorder object keys the way Postgres jsonb stores them: by length, then bytewise.
pub fn jsonb_order(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort_by(|a, b| {
                a.len()
                    .cmp(&b.len())
                    .then_with(|| a.as_bytes().cmp(b.as_bytes()))
            });
            let mut out = Map::new();
            for k in keys {
                out.insert(k.clone(), jsonb_order(&m[k]));
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(jsonb_order).collect()),
        other => other.clone(),
    }
}

/// `main.sh` = `set -e` + content (bash_executor.rs).
pub fn main_sh(content: &str) -> String {
    format!("set -e\n{content}")
}

/// Our wrapper: `pipefail` and `set -e` apply to the wrapper only (as in bash_executor.rs),
/// `main.sh` gets the arguments, and its stderr is merged into stdout so that the "last line"
/// is taken from the interleaved output like Windmill's `tee | tail -1`.
pub const WRAPPER_SH: &str = "set -o pipefail\nset -e\n/bin/bash ./main.sh \"$@\" 2>&1\n";

/// How the result of a finished (exit 0) bash job is obtained.
///
/// bash_executor.rs: `./result.json` if non-empty (read as JSON: invalid JSON is a job error),
/// else `./result.out` if non-empty (as a string), else the last line of the output
/// (`tail -1`, then trimmed) as a string.
pub fn extract_result(job_dir: &std::path::Path, output: &str) -> Result<Value, String> {
    let rj = job_dir.join("result.json");
    if let Ok(text) = std::fs::read_to_string(&rj)
        && !text.is_empty()
    {
        return serde_json::from_str::<Value>(&text)
            .map_err(|e| format!("result.json is not valid JSON: {e}"));
    }
    let ro = job_dir.join("result.out");
    if let Ok(text) = std::fs::read_to_string(&ro)
        && !text.is_empty()
    {
        return Ok(Value::String(text));
    }
    Ok(Value::String(last_line(output)))
}

/// `tail -1` then `trim()`: output ending in an empty line gives "".
pub fn last_line(output: &str) -> String {
    let body = output.strip_suffix('\n').unwrap_or(output);
    let line = match body.rfind('\n') {
        Some(p) => &body[p + 1..],
        None => body,
    };
    line.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(code: &str) -> Vec<(String, Option<String>)> {
        parse_signature(code)
            .unwrap()
            .into_iter()
            .map(|a| (a.name, a.default))
            .collect()
    }

    #[test]
    fn windmill_parser_example() {
        let code = "\ntoken=\"$1\"\nimage=\"$2\"\ndigest=\"${3:-latest with spaces}\"\ntext=\"$4\" # with comment\nnon_required=\"${5:-}\"\n\n\n";
        assert_eq!(
            names(code),
            vec![
                ("token".into(), None),
                ("image".into(), None),
                ("digest".into(), Some("latest with spaces".into())),
                ("text".into(), None),
                ("non_required".into(), Some("".into())),
            ]
        );
    }

    #[test]
    fn indented_quoted_and_gaps() {
        assert_eq!(names("  a=\"$1\"\nb='$1'\n"), vec![]);
        assert_eq!(names("a=\"$1\"\nc=\"$3\"\n"), vec![("a".into(), None)]);
        assert_eq!(names("a=\"${1}\"\r\n"), vec![("a".into(), None)]);
        assert_eq!(names("a=\"$1\" x\n"), vec![]);
        assert_eq!(
            names("a=\"${1:-x}\"y}\"  # c\n"),
            vec![("a".into(), Some("x}\"y".into()))]
        );
        let many: String = (1..=25).map(|i| format!("v{i}=\"${i}\"\n")).collect();
        assert_eq!(names(&many).len(), 19);
    }

    #[test]
    fn last_line_rules() {
        assert_eq!(last_line("a\nb\n"), "b");
        assert_eq!(last_line("a\nb"), "b");
        assert_eq!(last_line("a\n\n"), "");
        assert_eq!(last_line(""), "");
        assert_eq!(last_line("  x  \n"), "x");
    }

    #[test]
    fn args_rendering() {
        let sig = parse_signature("s=\"$1\"\no=\"$2\"\nm=\"$3\"\nn=\"$4\"\n").unwrap();
        let args: Map<String, Value> =
            serde_json::from_str(r#"{"s":"raw text","o":{"bbb":1,"a":[1,"x"]},"n":3}"#).unwrap();
        assert_eq!(
            render_args(&sig, &args),
            vec!["raw text", r#"{"a":[1,"x"],"bbb":1}"#, "", "3"]
        );
    }
}
