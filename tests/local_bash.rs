//! Bash rules: signature edge cases, argument passing, result sources, environment.

mod local_common;
use local_common::*;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread")]
async fn indented_signature_line_is_ignored_and_gap_drops_later_args() {
    let o = run("sig_indented_gap", json!({})).await;
    assert!(o.success);
    // Only a="$1" is a signature line; `  b="$2"` is indented, so 2 is missing and c="$3" is
    // dropped: a single argument is passed.
    assert_eq!(o.result, json!("a=A b= c= n=1"));
}

#[tokio::test(flavor = "multi_thread")]
async fn single_quoted_signature_is_ignored() {
    let o = run("sig_single_quoted", json!({})).await;
    // a='$1' is not a signature line, so there is no argument 1 and b="${2}" is dropped too.
    assert_eq!(o.result, json!("n=0 a=$1"));
}

#[tokio::test(flavor = "multi_thread")]
async fn default_in_signature_is_applied_by_bash() {
    let o = run("sig_default", json!({})).await;
    assert_eq!(only(&o, "with_value").result, json!("name=given"));
    // A missing transform is passed as "" (still one argument), and bash's :- applies.
    assert_eq!(
        only(&o, "without_value").result,
        json!("name=fallback value n=1")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn strings_raw_other_json_serialised_missing_empty() {
    let o = run("arg_types", json!({})).await;
    assert!(o.success);
    let log = &only(&o, "s").log;
    assert!(log.contains("s=two words\n"), "{log}");
    // Keys ordered the jsonb way (length, then bytes), compact separators.
    assert!(
        log.contains(r#"o={"a":"x","mm":[1,{"q":null}],"zz":1}"#),
        "{log}"
    );
    let o_line = log.lines().find(|l| l.starts_with("o=")).unwrap();
    let parsed: Value = serde_json::from_str(&o_line[2..]).unwrap();
    assert_eq!(parsed, json!({"zz": 1, "a": "x", "mm": [1, {"q": null}]}));
    assert!(log.contains("n=42\n"));
    assert!(log.contains("b=true\n"));
    assert!(log.contains("z=null\n"));
    assert!(log.contains("missing=[]\n"));
    assert!(log.contains("count=6\n"));
}

#[tokio::test(flavor = "multi_thread")]
async fn result_json_then_result_out_then_last_line() {
    let o = run("results", json!({})).await;
    assert!(o.success);
    assert_eq!(only(&o, "rjson").result, json!({"k": [1, 2], "s": "v"}));
    // result.out is taken as-is (not trimmed), over the last line.
    assert_eq!(only(&o, "rout").result, json!("from result.out\n"));
    assert_eq!(only(&o, "lastline").result, json!("second"));
    // Output ending in an empty line: tail -1 is empty.
    assert_eq!(only(&o, "emptylast").result, json!(""));
    // stderr is part of the output.
    assert_eq!(only(&o, "stderr_last").result, json!("err-last"));
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_result_json_is_a_job_error() {
    let o = run("invalid_result_json", json!({})).await;
    assert!(!o.success);
    let bad = only(&o, "bad");
    assert!(!bad.success);
    let msg = bad
        .result
        .pointer("/error/message")
        .unwrap()
        .as_str()
        .unwrap();
    assert!(msg.contains("result.json"), "{msg}");
    assert!(o.jobs_of("after").is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn environment_is_cleared_then_windmill_variables() {
    // SAFETY: set before the run; no other thread of this test binary reads it concurrently in
    // a way that matters (the point is that the child must NOT see it).
    unsafe { std::env::set_var("MFW_TEST_SECRET", "leaked") };
    let mut o = opts();
    o.worker_env = vec![("MFW_WORKER_VAR".into(), "w".into())];
    let out = run_with("env", json!({}), o).await;
    assert!(out.success, "{:?}", out.result);
    let job = only(&out, "show");
    let r = &job.result;
    assert_eq!(r["secret"], "absent");
    assert_eq!(r["worker"], "w");
    assert_eq!(r["job"], job.job_id.to_string());
    assert_eq!(r["flow"], out.root_job_id.to_string());
    assert_eq!(r["root_flow"], out.root_job_id.to_string());
    assert_eq!(r["root"], out.root_job_id.to_string());
    assert_eq!(r["step"], "show");
    assert_eq!(r["ws"], "local");
    assert_eq!(r["token_set"], "yes");
    assert!(r["base"].as_str().unwrap().starts_with("http://127.0.0.1:"));
    assert_eq!(r["path_set"], "yes");
    assert!(!r["home"].as_str().unwrap().is_empty());
    // Windmill sets neither of these.
    assert_eq!(r["retry"], "absent");
    assert_eq!(r["iter"], "absent");
}

#[tokio::test(flavor = "multi_thread")]
async fn unsupported_language_and_unknown_type_are_usage_errors_naming_the_module() {
    let e = mf_windmill::local::run_flow(&load("unsupported_language"), Default::default(), opts())
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("py_step") && e.contains("python3"), "{e}");
    let e = mf_windmill::local::run_flow(&load("unknown_module_type"), Default::default(), opts())
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("weird") && e.contains("teleport"), "{e}");
}

#[test]
fn cli_exit_codes_and_output() {
    let bin = env!("CARGO_BIN_EXE_mf-windmill");
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/openflow");
    let run = |args: &[&str]| std::process::Command::new(bin).args(args).output().unwrap();
    let ok = run(&["exec", &format!("{dir}/results.json")]);
    assert_eq!(ok.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&ok.stdout).trim(), "\"ok\"");
    let err = String::from_utf8_lossy(&ok.stderr);
    assert!(
        err.contains("start  rjson (attempt 1)") && err.contains("ok     rjson (attempt 1)"),
        "{err}"
    );
    let failed = run(&["exec", &format!("{dir}/invalid_result_json.json")]);
    assert_eq!(failed.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&failed.stderr).contains("FAILED bad"));
    let usage = run(&["exec", &format!("{dir}/unsupported_language.json")]);
    assert_eq!(usage.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&usage.stderr).contains("py_step"));
    let bad_inputs = run(&["exec", &format!("{dir}/results.json"), "--inputs", "{nope"]);
    assert_eq!(bad_inputs.status.code(), Some(2));
}
