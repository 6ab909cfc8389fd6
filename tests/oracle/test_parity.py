"""Parity between the Metaflow oracle and the Rust tool (mf-windmill).

Run:  .venv/bin/python -m pytest tests/oracle/test_parity.py
      MF_WINDMILL_BIN=target/release/mf-windmill .venv/bin/python -m pytest ...

The binary (env MF_WINDMILL_BIN, default target/debug/mf-windmill, relative to
the repository root) is called once per corpus file and sub-command:

  mf-windmill graph FILE --format json
      {"file": ..., "flows": [<per-flow object, same shape as the oracle's,
                               minus "lint" / "param_error">]}
  mf-windmill check FILE --format json
      {"diagnostics": [{"code", "severity", "message", "file", "line",
                        "column", "step"}], ...}

FILE is passed relative to the repository root and the commands run there.
If the binary does not exist every test here is skipped with a clear message.
See tests/oracle/README.md for the comparison rules.
"""

import json
import os
import subprocess

import pytest

from corpus import REPO, kind_of

NON_LITERAL = "<non-literal>"

# Step keys compared exactly (the Rust tool must emit all of them).
STEP_KEYS = (
    "name",
    "type",
    "line",
    "tail_next_line",
    "num_args",
    "has_tail_next",
    "invalid_tail_next",
    "in_funcs",
    "out_funcs",
    "split_parents",
    "split_branches",
    "matching_join",
    "is_inside_foreach",
    "foreach_param",
    "num_parallel",
    "parallel_foreach",
    "parallel_step",
    "switch_cases",
    "condition",
    "is_start_step",
    "is_end_step",
)
# Step keys compared only when the Rust side emits them.
OPTIONAL_STEP_KEYS = ("switch_cases_typed", "source_file", "doc")
FLOW_KEYS = ("name", "start_step", "end_step", "sorted_steps")
OPTIONAL_FLOW_KEYS = ("doc",)
PARAM_KEYS = ("name", "attribute", "type", "required", "help", "separator")
CONFIG_KEYS = ("name", "attribute")


def _bin():
    path = os.environ.get("MF_WINDMILL_BIN", os.path.join("target", "debug", "mf-windmill"))
    if not os.path.isabs(path):
        path = os.path.join(REPO, path)
    return path


@pytest.fixture(scope="session")
def rust_bin():
    path = _bin()
    if not os.path.isfile(path):
        pytest.skip(
            "mf-windmill binary not found at %s (build it with `cargo build`, or set "
            "MF_WINDMILL_BIN)" % path
        )
    return path


def _run(rust_bin, sub, flow_file):
    cmd = [rust_bin, sub, flow_file, "--format", "json"]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120)
    try:
        return json.loads(proc.stdout)
    except ValueError:
        pytest.fail(
            "`%s` (exit %d) did not print JSON on stdout.\n--- stdout ---\n%s\n"
            "--- stderr ---\n%s"
            % (" ".join(cmd[1:]), proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:]),
            pytrace=False,
        )


def _fmt(v):
    return json.dumps(v, ensure_ascii=False, sort_keys=False)


class Diff:
    def __init__(self):
        self.lines = []

    def eq(self, path, mf, rs):
        if mf != rs:
            self.lines.append("%s:\n    metaflow: %s\n    rust:     %s" % (path, _fmt(mf), _fmt(rs)))

    def note(self, path, msg):
        self.lines.append("%s: %s" % (path, msg))

    def fail_if_any(self, header):
        if self.lines:
            pytest.fail(header + "\n" + "\n".join(self.lines), pytrace=False)


def _cmp_attrs(d, path, mf_attrs, rs_attrs):
    """Every attribute the Rust side gives equals Metaflow's value for that key."""
    if not isinstance(rs_attrs, dict):
        d.note(path, "rust attributes is not an object: %s" % _fmt(rs_attrs))
        return
    for k, v in rs_attrs.items():
        if v == NON_LITERAL:
            continue  # a non-literal argument: Metaflow's evaluated value is unknowable
        if k not in mf_attrs:
            d.note(path + "." + k, "attribute unknown to Metaflow (rust: %s)" % _fmt(v))
        else:
            d.eq(path + "." + k, mf_attrs[k], v)


def _cmp_decorators(d, path, mf_decos, rs_decos):
    rs_decos = rs_decos or []
    d.eq(path + "[names]", [x["name"] for x in mf_decos], [x.get("name") for x in rs_decos])
    for i, (m, r) in enumerate(zip(mf_decos, rs_decos)):
        if m["name"] == r.get("name"):
            _cmp_attrs(d, "%s[%d](%s).attributes" % (path, i, m["name"]), m["attributes"], r.get("attributes", {}))


def _cmp_named_list(d, path, mf_list, rs_list, keys, default_keys):
    rs_list = rs_list or []
    d.eq(path + "[attributes]", [x["attribute"] for x in mf_list], [x.get("attribute") for x in rs_list])
    rs_by_attr = {x.get("attribute"): x for x in rs_list}
    for m in mf_list:
        r = rs_by_attr.get(m["attribute"])
        if r is None:
            continue
        p = "%s(%s)" % (path, m["attribute"])
        for k in keys:
            if k not in r:
                d.note(p + "." + k, "missing in rust output")
            elif r[k] != NON_LITERAL:  # the Rust side may declare a field unknowable
                d.eq(p + "." + k, m.get(k), r[k])
        for k in default_keys:
            if k in r and r[k] != NON_LITERAL:
                d.eq(p + "." + k, m.get(k), r[k])


def _abs(base, p):
    if not isinstance(p, str):
        return p
    return os.path.normpath(os.path.join(base, p))


def _cmp_flow(d, path, mf, rs, flow_file):
    for k in FLOW_KEYS:
        d.eq(path + "." + k, mf[k], rs.get(k))
    for k in OPTIONAL_FLOW_KEYS:
        if k in rs:
            d.eq(path + "." + k, mf.get(k), rs[k])
    mf_steps = mf["steps"]
    rs_steps = rs.get("steps") or []
    d.eq(path + ".steps[names]", [s["name"] for s in mf_steps], [s.get("name") for s in rs_steps])
    rs_by_name = {s.get("name"): s for s in rs_steps}
    for s in mf_steps:
        r = rs_by_name.get(s["name"])
        if r is None:
            continue
        p = "%s.steps(%s)" % (path, s["name"])
        for k in STEP_KEYS:
            if k not in r:
                d.note(p + "." + k, "missing in rust output (metaflow: %s)" % _fmt(s[k]))
            else:
                d.eq(p + "." + k, s[k], r[k])
        for k in OPTIONAL_STEP_KEYS:
            if k not in r:
                continue
            if k == "source_file":
                # oracle: relative to the flow file's directory; rust: any path,
                # relative ones taken from the repository root (its cwd).
                d.eq(p + "." + k, _abs(os.path.dirname(os.path.join(REPO, flow_file)), s.get(k)), _abs(REPO, r[k]))
            else:
                d.eq(p + "." + k, s.get(k), r[k])
        _cmp_decorators(d, p + ".decorators", s["decorators"], r.get("decorators"))
    _cmp_decorators(d, path + ".flow_decorators", mf["flow_decorators"], rs.get("flow_decorators"))
    # An IncludeFile default built from `__file__` is absolute where Metaflow imported the
    # file; the static reader keeps it relative to the flow's directory (the code bundle's
    # root, where every step runs). The same file either way.
    flow_dir = os.path.dirname(os.path.join(REPO, flow_file))
    mf_params = []
    for m in mf["parameters"]:
        dflt = m.get("default")
        if m.get("type") == "IncludeFile" and isinstance(dflt, str) and os.path.isabs(dflt):
            rel = os.path.relpath(dflt, flow_dir)
            if not rel.startswith(".."):
                m = dict(m, default=rel)
        mf_params.append(m)
    _cmp_named_list(d, path + ".parameters", mf_params, rs.get("parameters"), PARAM_KEYS, ("default",))
    _cmp_named_list(d, path + ".configs", mf["configs"], rs.get("configs"), CONFIG_KEYS, ("default", "default_value"))


def test_graph_parity(flow_file, oracle, rust_bin):
    entry = oracle[flow_file]
    if entry["import_error"]:
        pytest.skip("Metaflow cannot import this file (%s): no graph to compare" % entry["import_error"])
    with open(os.path.join(REPO, flow_file), encoding="utf-8") as fh:
        head = fh.read(2000)
    if "\n# oracle-graph: skip" in "\n" + head:
        pytest.skip("file opts out of graph parity (# oracle-graph: skip)")
    rs = _run(rust_bin, "graph", flow_file)
    d = Diff()
    mf_flows = entry["flows"]
    rs_flows = rs.get("flows") or []
    d.eq("flows[names]", [f["name"] for f in mf_flows], [f.get("name") for f in rs_flows])
    rs_by_name = {f.get("name"): f for f in rs_flows}
    for f in mf_flows:
        if f["name"] in rs_by_name:
            _cmp_flow(d, "flows(%s)" % f["name"], f, rs_by_name[f["name"]], flow_file)
    d.fail_if_any("graph mismatch for %s (metaflow vs mf-windmill graph):" % flow_file)


def _require(cond, msg):
    if not cond:
        pytest.fail(msg, pytrace=False)


def _diag_str(x):
    return "%s %s line %s: %s" % (x.get("code"), x.get("severity"), x.get("line"), x.get("message"))


def test_check_parity(flow_file, oracle, rust_bin):
    entry = oracle[flow_file]
    rs = _run(rust_bin, "check", flow_file)
    diags = rs.get("diagnostics")
    _require(isinstance(diags, list), "check output has no diagnostics list: %s" % _fmt(rs))
    errors = [x for x in diags if x.get("severity") == "error"]
    mf1 = [x for x in diags if str(x.get("code", "")).startswith("MF1")]
    wm2_errors = [x for x in errors if str(x.get("code", "")).startswith("WM2")]
    listing = "\n".join("    " + _diag_str(x) for x in diags) or "    (none)"
    kind = kind_of(flow_file)

    if entry["import_error"]:
        _require(errors, (
            "Metaflow fails to import this file (%s) but mf-windmill reports no error:\n%s"
            % (entry["import_error"], listing)
        ))
        return

    init_errors = [f["init_error"] for f in entry["flows"] if f.get("init_error")]
    if init_errors:
        # `check` initialises step decorators before lint: Metaflow's message, verbatim.
        mf0 = [x for x in errors if str(x.get("code", "")).startswith("MF0")]
        msg = init_errors[0].split(": ", 1)[-1]
        _require(any(x.get("message") == msg for x in mf0), (
            "Metaflow's decorator initialisation fails (%s) but mf-windmill has no MF0 error "
            "with that message:\n%s" % (init_errors[0], listing)
        ))
        return

    failing = [f for f in entry["flows"] if not f["lint"]["ok"]]
    if failing:
        lint = failing[0]["lint"]
        mf1_errors = [x for x in mf1 if x.get("severity") == "error"]
        _require(mf1_errors, (
            "Metaflow lint fails for %s but mf-windmill has no MF1 error.\n"
            "metaflow: line %s: %s\nrust diagnostics:\n%s"
            % (failing[0]["name"], lint.get("line"), lint.get("message") or lint.get("exception"), listing)
        ))
        if lint.get("message") is None:
            # Metaflow's lint crashed (e.g. IndexError): any MF1 error will do.
            return
        first = mf1_errors[0]
        d = Diff()
        d.eq("first MF1 message", lint["message"], first.get("message"))
        if lint.get("line") is not None:
            d.eq("first MF1 line", lint["line"], first.get("line"))
        d.fail_if_any("lint mismatch for %s; all rust diagnostics:\n%s\n" % (flow_file, listing))
        return

    _require(not mf1, "Metaflow's lint is happy but mf-windmill reports MF1 diagnostics:\n" + listing)

    if any(f.get("param_error") for f in entry["flows"]):
        perr = [f["param_error"] for f in entry["flows"] if f.get("param_error")][0]
        _require(errors, (
            "Metaflow rejects the parameters (%s) but mf-windmill reports no error:\n%s" % (perr, listing)
        ))
        return

    if kind == "windmill_invalid":
        _require(wm2_errors, "expected at least one WM2 error, got:\n" + listing)
    elif kind == "valid":
        _require(not errors, "valid flow, but mf-windmill reports errors:\n" + listing)
