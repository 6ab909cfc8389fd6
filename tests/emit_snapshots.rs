//! Snapshots (insta) of the OpenFlow emitted for small flows. The code bundle and the
//! compressed bootstrap are redacted (they change with every runtime edit) and each script is shown line by line with its
//! plan parsed, so that a review reads every emitted line.

use std::path::PathBuf;

use mf_windmill::emit::{self, CompileOptions};
use serde_json::{Value, json};

fn compile(rel: &str) -> Value {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let flow = root.join(rel);
    let opts = CompileOptions {
        flow_file: flow.clone(),
        max_workers: 4,
        max_num_splits: 100,
        max_flow_bytes: 2 * 1024 * 1024,
        package_suffixes: mf_windmill::emit::bundle::package_suffixes(None),
        branch: None,
        production: false,
        tags: vec![],
        with: vec![],
        namespace: None,
        datastore_root: Some(PathBuf::from("/srv/mf/.metaflow")),
        python: "python3".into(),
        user: "tester".into(),
        folder: "metaflow".into(),
        routing: Default::default(),
        env: vec![("HOME".into(), "/nonexistent".into())],
    };
    let file = mf_windmill::parse::read_flow_file(&flow, rel).unwrap();
    let c = emit::compile(&file.flows[0], &opts).unwrap();
    redact(serde_json::to_value(&c.openflow).unwrap())
}

fn redact_script(content: &str) -> Value {
    let mut lines = vec![];
    // Heredoc bodies still to come, in order: (terminator, placeholder or None = the plan).
    let mut docs: Vec<(&str, Option<&str>)> = vec![];
    let mut in_doc = false;
    for l in content.lines() {
        if in_doc {
            let (end, placeholder) = docs[0];
            if l == end {
                if let Some(p) = placeholder {
                    lines.push(json!(p));
                }
                lines.push(json!(l));
                docs.remove(0);
                in_doc = !docs.is_empty();
            } else if placeholder.is_none() {
                let mut p: Value = serde_json::from_str(l).unwrap();
                p["bundle_sha256"] = json!("<sha256>");
                lines.push(json!({ "plan": p }));
            }
            continue;
        }
        lines.push(json!(l));
        if l.contains("<<'MFWM_PLAN'") {
            docs.push(("MFWM_PLAN", None));
            if l.contains("<<'MFWM_BUNDLE'") {
                docs.push(("MFWM_BUNDLE", Some("<code bundle: base64 lines>")));
            }
            docs.push((
                "MFWM_BOOT",
                Some("<bootstrap _mfwm/boot.py: zlib + base64 lines>"),
            ));
            in_doc = true;
        }
    }
    Value::Array(lines)
}

fn redact(mut v: Value) -> Value {
    fn walk(mods: &mut Value) {
        for m in mods.as_array_mut().into_iter().flatten() {
            let val = &mut m["value"];
            if let Some(c) = val
                .get("content")
                .and_then(Value::as_str)
                .map(str::to_string)
            {
                val["content"] = redact_script(&c);
            }
            // Only recurse into fields that exist (IndexMut would insert nulls).
            for k in ["modules", "default"] {
                if let Some(sub) = val.get_mut(k) {
                    walk(sub);
                }
            }
            if let Some(bs) = val.get_mut("branches").and_then(Value::as_array_mut) {
                for b in bs {
                    if let Some(sub) = b.get_mut("modules") {
                        walk(sub);
                    }
                }
            }
        }
    }
    walk(&mut v["value"]["modules"]);
    if let Some(d) = v["description"].as_str() {
        let cut = d
            .find("bundle sha256")
            .map_or(d.len(), |i| i + "bundle sha256".len());
        v["description"] = json!(format!("{} <sha256>)", &d[..cut]));
    }
    v
}

#[test]
fn snapshot_linear_with_parameter() {
    insta::assert_json_snapshot!("hello", compile("examples/hello/flow.py"));
}

#[test]
fn snapshot_foreach_nested2() {
    insta::assert_json_snapshot!(
        "foreach_nested2",
        compile("tests/flows/valid/foreach_nested2.py")
    );
}

#[test]
fn snapshot_switch_to_end_relay() {
    insta::assert_json_snapshot!(
        "switch_to_end",
        compile("tests/flows/valid/switch_to_end.py")
    );
}

#[test]
fn snapshot_recursive_switch_and_split() {
    insta::assert_json_snapshot!(
        "switch_recursive",
        compile("tests/flows/valid/switch_recursive.py")
    );
    insta::assert_json_snapshot!("split_two", compile("tests/flows/valid/split_two.py"));
}
