# Generates the hand-written OpenFlow fixtures of tests/local_*.rs (kept in Python only to
# avoid escaping bash inside JSON by hand). Run: python3 tests/openflow/gen_fixtures.py
import json, os
OUT=os.path.dirname(os.path.abspath(__file__))
os.makedirs(OUT, exist_ok=True)
def bash(id, content, it=None, **kw):
    m={"id":id,"value":{"type":"rawscript","language":"bash","content":content,"input_transforms":it or {}}}
    m.update(kw); return m
def js(e): return {"type":"javascript","expr":e}
def st(v): return {"type":"static","value":v}
def write(name, modules, summary, **flow):
    v={"modules":modules}; v.update(flow)
    with open(f"{OUT}/{name}.json","w") as f:
        json.dump({"summary":summary,"value":v,"schema":{"type":"object","properties":{}}}, f, indent=2); f.write("\n")

# --- signatures ---
write("sig_indented_gap", [bash("s",
 'a="$1"\n  b="$2"\nc="$3"\necho "a=$a b=$b c=$c n=$#"\n',
 {"a":st("A"),"b":st("B"),"c":st("C")})], "indented signature line ignored; the gap drops later args")
write("sig_single_quoted", [bash("s",
 "a='$1'\nb=\"${2}\"\necho \"n=$# a=$a\"\n",
 {"a":st("A"),"b":st("B")})], "single-quoted line ignored: no arg 1 so nothing is passed")
write("sig_default", [bash("with_value",
 'name="${1:-fallback value}"  # comment\necho "name=$name"\n', {"name":st("given")}),
 bash("without_value", 'name="${1:-fallback value}"\necho "name=$name n=$#"\n', {})],
 "${1:-default}: bash applies the default when the transform is missing")
write("arg_types", [bash("s",
 's="$1"\no="$2"\nn="$3"\nb="$4"\nz="$5"\nmissing="$6"\nprintf "%s\\n" "s=$s" "o=$o" "n=$n" "b=$b" "z=$z" "missing=[$missing]" "count=$#"\n',
 {"s":st("two words"),"o":js('({zz: 1, a: "x", mm: [1, {"q": null}]})'),"n":st(42),"b":js("true"),"z":st(None)})],
 "strings raw, other JSON serialised, missing as empty")
# --- results ---
write("results", [
 bash("rjson", 'echo "ignored last line"\necho \'{"k": [1, 2], "s": "v"}\' > result.json\n'),
 bash("rout", 'printf "from result.out\\n" > result.out\necho "last line"\n'),
 bash("lastline", 'echo first\necho "  second  "\n'),
 bash("emptylast", 'echo first\necho\n'),
 bash("stderr_last", 'echo out\necho err-last >&2\n'),
 bash("collect", 'echo ok\n'),
], "result.json > result.out > last line")
write("invalid_result_json", [bash("bad", 'echo "{not json" > result.json\n'), bash("after", "echo never\n")],
 "invalid result.json is a job error")
# --- env ---
write("env", [bash("show", 'printf \'{"secret": "%s", "worker": "%s", "job": "%s", "flow": "%s", "root_flow": "%s", "root": "%s", "step": "%s", "ws": "%s", "token_set": "%s", "base": "%s", "home": "%s", "path_set": "%s", "retry": "%s", "iter": "%s"}\' "${MFW_TEST_SECRET:-absent}" "${MFW_WORKER_VAR:-absent}" "$WM_JOB_ID" "$WM_FLOW_JOB_ID" "$WM_ROOT_FLOW_JOB_ID" "$WM_ROOT_JOB_ID" "$WM_FLOW_STEP_ID" "$WM_WORKSPACE" "${WM_TOKEN:+yes}" "$BASE_INTERNAL_URL" "$HOME" "${PATH:+yes}" "${WM_FLOW_RETRY_COUNT:-absent}" "${WM_ITERATION_INDEX:-absent}" > result.json\n')],
 "environment is cleared, then Windmill's variables")
# --- retry ---
retry_script = r'''r="$1"
api="$BASE_INTERNAL_URL/api/w/$WM_WORKSPACE/jobs_u/get/$WM_FLOW_JOB_ID"
code=$(curl -s -o /dev/null -w '%{http_code}' "$api")
body401=$(curl -s "$api")
json=$(curl -s -H "Authorization: Bearer $WM_TOKEN" "$api")
fc=$(printf '%s' "$json" | grep -o '"fail_count":[0-9]*' | cut -d: -f2)
fc=${fc:-0}
typ=$(printf '%s' "$json" | grep -o '"type":"[A-Za-z]*Job"' | head -1)
echo "attempt fail_count=$fc r=$r code=$code"
if [ "$fc" -lt 2 ]; then echo "failing on purpose"; exit 3; fi
printf '{"fail_count": %s, "r": "%s", "unauth_code": "%s", "unauth_body": "%s", "type": %s}' "$fc" "$r" "$code" "$body401" "$(printf '%s' "$typ" | cut -d: -f2)" > result.json
'''
write("retry", [bash("flaky", retry_script, {"r":js("String(Math.random())")},
  retry={"constant":{"attempts":3,"seconds":0}}), bash("after", 'echo done\n')],
 "retry re-uses arguments; attempt visible as flow_status.retry.fail_count")
write("retry_exhausted", [bash("always_fails", 'echo "boom"\nexit 1\n', {}, retry={"constant":{"attempts":1,"seconds":1},"exponential":{"attempts":1,"multiplier":1,"seconds":0}})],
 "retries exhausted: 1 + constant + exponential attempts, then failure")
# --- loops ---
par_body = 'dir="$1"\nidx="$2"\necho "start $(date +%s%N)" > "$dir/$idx"\nsleep 0.4\necho "end $(date +%s%N)" >> "$dir/$idx"\n'
write("parallel_bound", [{"id":"loop","value":{"type":"forloopflow","iterator":js("[0,1,2,3,4,5]"),"parallel":True,"parallelism":2,"skip_failures":False,
  "modules":[bash("work", par_body, {"dir":js("flow_input.dir"),"idx":js("flow_input.iter.index")})]}}],
 "parallel loop bounded by parallelism")
write("nested_iter", [{"id":"outer","value":{"type":"forloopflow","iterator":js('["a", "b"]'),"parallel":True,"skip_failures":False,"modules":[
   {"id":"mid","value":{"type":"forloopflow","iterator":js("[1, 2]"),"parallel":False,"skip_failures":False,"modules":[
     {"id":"inner","value":{"type":"forloopflow","iterator":js('["x"]'),"parallel":True,"skip_failures":False,"modules":[
        bash("leaf", 'v="$1"\necho "$v"\n', {"v":js("flow_input.iter_parent_parent.value + flow_input.iter_parent.value + flow_input.iter.value + flow_input.iter.index")})]}}]}}]}}],
 "nested loops: iter, iter_parent, iter_parent_parent")
sk_body = 'v="$1"\nif [ "$v" = "2" ]; then echo "bad item"; exit 1; fi\necho "item $v"\n'
write("skip_failures_default", [{"id":"loop","value":{"type":"forloopflow","iterator":js("[1,2,3]"),"parallel":False,
  "modules":[bash("b", sk_body, {"v":js("flow_input.iter.value")})]}}], "skip_failures absent = true")
write("skip_failures_false", [{"id":"loop","value":{"type":"forloopflow","iterator":js("[1,2,3]"),"parallel":False,"skip_failures":False,
  "modules":[bash("b", sk_body, {"v":js("flow_input.iter.value")})]}}], "skip_failures false: first failure fails the loop")
ids_body = 'printf \'{"flow": "%s", "root_flow": "%s", "step": "%s"}\' "$WM_FLOW_JOB_ID" "$WM_ROOT_FLOW_JOB_ID" "$WM_FLOW_STEP_ID" > result.json\n'
write("loop_collapse", [
 {"id":"seq","value":{"type":"forloopflow","iterator":js("[1,2]"),"parallel":False,"skip_failures":False,"modules":[bash("seq_body", ids_body)]}},
 {"id":"par","value":{"type":"forloopflow","iterator":js("[1,2]"),"parallel":True,"skip_failures":False,"modules":[bash("par_body", ids_body)]}},
 {"id":"seq2","value":{"type":"forloopflow","iterator":js("[1]"),"parallel":False,"skip_failures":False,"modules":[bash("two_a", ids_body), bash("two_b", ids_body)]}},
 bash("probe", 'x="$1"\necho "$x"\n', {"x":js("JSON.stringify([results.seq_body, results.seq])")}),
], "single-step sequential loop runs in the parent flow; parallel iterations are subflows")
write("while_loop", [{"id":"w","value":{"type":"whileloopflow","skip_failures":False,"modules":[
  bash("tick", 'i="$1"\necho "{\\"i\\": $i}" > result.json\n', {"i":js("flow_input.iter.index")})]},
  "stop_after_if":{"expr":"result.i >= 3","skip_if_stopped":False}}], "whileloopflow until stop_after_if")
# --- branches ---
write("branchone", [bash("pick", 'x="$1"\necho "$x"\n', {"x":js("flow_input.choice")}),
 {"id":"br","value":{"type":"branchone","branches":[
   {"summary":"is a","expr":"results.pick === 'a'","modules":[bash("in_a", 'echo chose-a\n')]},
   {"summary":"is b","expr":"flow_input.choice === 'b'","modules":[bash("in_b", 'echo chose-b\n')]}],
  "default":[bash("in_default", 'echo chose-default\n'), bash("in_default2", 'p="$1"\necho "default after $p"\n', {"p":js("results.in_default")})]}}],
 "branchone: first truthy predicate, else default")
fail_branch = bash("fails", 'echo "branch failure"\nexit 2\n')
ok_branch = bash("works", 'echo fine\n')
def branchall(name, skip, last):
    b2={"modules":[fail_branch]}
    if skip is not None: b2["skip_failure"]=skip
    mods=[{"id":"all","value":{"type":"branchall","parallel":True,"branches":[{"modules":[ok_branch]}, b2]}}]
    if not last: mods.append(bash("next", 'p="$1"\necho "after: $p"\n', {"p":js("JSON.stringify(previous_result)")}))
    write(name, mods, f"branchall with skip_failure={skip} last={last}")
branchall("branchall_skip_false", False, False)
branchall("branchall_skip_absent", None, False)
branchall("branchall_skip_absent_last", None, True)
# --- process ---
write("timeout", [bash("slow", 'dir="$1"\nsleep 1000 &\necho $! > "$dir/bg.pid"\necho $$ > "$dir/main.pid"\nsleep 1000\n', {"dir":js("flow_input.dir")}, timeout=1)],
 "timeout kills the whole process group")
write("cancel", [bash("slow", 'dir="$1"\nsleep 1000 &\necho $! > "$dir/bg.pid"\necho $$ > "$dir/main.pid"\nsleep 1000\n', {"dir":js("flow_input.dir")})],
 "cancellation kills the whole process group")
# --- failure handling ---
fm = bash("failure", 'msg="$1"\nrec="$2"\nprintf \'{"recover": %s, "msg": "%s"}\' "$rec" "$msg" > result.json\n', {"msg":js("error.message.split('\\n')[0]"),"rec":js("flow_input.recover")})
write("failure_module", [bash("ok", 'echo fine\n'), bash("boom", 'echo "exploding"\nexit 7\n'), bash("never", 'echo never\n')],
 "failure_module recovers only on {recover: true}", failure_module=fm)
write("continue_on_error", [bash("boom", 'echo kaboom\nexit 1\n', continue_on_error=True),
  bash("next", 'e="$1"\necho "saw: $e"\n', {"e":js("error.name")})], "continue_on_error passes the error on")
write("stop_and_skip", [bash("one", 'echo 1\n'),
  bash("skipped", 'echo should-not-run\n', skip_if={"expr":"flow_input.skip"}),
  bash("stopper", 'echo "{\\"stop\\": true}" > result.json\n', stop_after_if={"expr":"result.stop","skip_if_stopped":False}),
  bash("never", 'echo never\n')], "skip_if passes previous_result; stop_after_if ends the flow")
write("unsupported_language", [bash("ok", 'echo fine\n'), {"id":"py_step","value":{"type":"rawscript","language":"python3","content":"def main(): pass","input_transforms":{}}}],
 "python is not supported locally")
write("unknown_module_type", [{"id":"weird","value":{"type":"teleport","x":1}}], "unknown module type")
