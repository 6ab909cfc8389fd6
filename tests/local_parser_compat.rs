//! Our bash signature parser against Windmill's own (npm `windmill-parser-wasm-regex`,
//! `parse_bash`) on every fixture script plus edge cases. Runs only when
//! `WINDMILL_PARSER_NODE_MODULES` points at a node_modules dir holding that package (and `node`
//! is installed); otherwise it is skipped with a message.

use mf_windmill::local::bash::parse_signature;
use serde_json::{Value, json};

#[test]
fn bash_signature_matches_windmill_parse_bash() {
    let Ok(dir) = std::env::var("WINDMILL_PARSER_NODE_MODULES") else {
        eprintln!("skipped: set WINDMILL_PARSER_NODE_MODULES to compare with parse_bash");
        return;
    };
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/openflow/parse_bash_windmill.mjs"
    );
    let out = std::process::Command::new("node")
        .args([script, &dir])
        .output()
        .expect("node");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut n = 0;
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let content = v["content"].as_str().unwrap();
        let ours: Vec<Value> = parse_signature(content)
            .unwrap()
            .into_iter()
            .map(|a| json!({"name": a.name, "default": a.default}))
            .collect();
        assert_eq!(Value::Array(ours), v["args"], "script:\n{content}");
        n += 1;
    }
    assert!(n > 30, "only {n} scripts compared");
}
