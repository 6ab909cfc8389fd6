//! SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/), the format code-scanning
//! services ingest. Every code is declared as a rule so viewers can show its summary.

use std::io::Write;

use serde_json::json;

use crate::diag::{Code, Diagnostic, Severity};

pub fn write(out: &mut dyn Write, diags: &[Diagnostic]) -> std::io::Result<()> {
    let rules: Vec<_> = Code::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "name": c.name(),
                "shortDescription": {"text": c.doc()},
                "defaultConfiguration": {"level": level(c.default_severity())},
            })
        })
        .collect();
    let results: Vec<_> = diags
        .iter()
        .map(|d| {
            let mut r = json!({
                "ruleId": d.code.as_str(),
                "ruleIndex": Code::ALL.iter().position(|c| *c == d.code),
                "level": level(d.severity),
                "message": {"text": d.message},
            });
            if let Some(path) = d.path() {
                let mut phys = json!({"artifactLocation": {"uri": uri(path)}});
                if let (Some((l, c)), Some((el, ec))) = (d.line_col(), d.end_line_col())
                    && l > 0
                {
                    phys["region"] =
                        json!({"startLine": l, "startColumn": c, "endLine": el, "endColumn": ec});
                }
                r["locations"] = json!([{"physicalLocation": phys}]);
            }
            r
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "mf-windmill",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A relative URI reference for a path (forward slashes, spaces and `%` escaped).
fn uri(path: &str) -> String {
    path.replace('\\', "/")
        .replace('%', "%25")
        .replace(' ', "%20")
        .trim_start_matches("./")
        .to_string()
}
