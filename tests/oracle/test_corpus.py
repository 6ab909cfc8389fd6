"""Sanity of the flow corpus against Metaflow itself (oracle only, no Rust).

Run:  .venv/bin/python -m pytest tests/oracle/test_corpus.py
"""

import os
import re

import pytest

from corpus import FLOWS, REPO, corpus_files, kind_of, run_oracle


def _lint_failures(entry):
    return [f for f in entry["flows"] if not f.get("lint", {}).get("ok", False)]


def _describe(entry):
    if entry["import_error"]:
        return "import_error: %s" % entry["import_error"]
    parts = []
    for f in entry["flows"]:
        if "dump_error" in f:
            parts.append("%s: dump_error %s" % (f["name"], f["dump_error"]))
            continue
        parts.append(
            "%s: lint=%s param_error=%s" % (f["name"], f["lint"], f.get("param_error"))
        )
    return "; ".join(parts) or "no flow class found"


def test_corpus_sizes():
    valid = corpus_files(("valid",))
    invalid = corpus_files(("invalid",))
    wm = corpus_files(("windmill_invalid",))
    assert len(valid) >= 40, "only %d valid flows" % len(valid)
    assert len(invalid) + len(wm) >= 25, "only %d invalid flows" % (
        len(invalid) + len(wm)
    )
    assert len(wm) >= 1


def test_every_file_is_a_runnable_script(flow_file):
    src = open(os.path.join(REPO, flow_file), encoding="utf-8").read()
    assert 'if __name__ == "__main__":' in src, "missing __main__ guard"
    if kind_of(flow_file) == "windmill_invalid":
        first = src.splitlines()[0]
        assert re.match(r"# expect: \S", first), (
            "windmill_invalid files must start with '# expect: <what is wrong>'"
        )


def test_oracle_verdict(flow_file, oracle):
    entry = oracle[flow_file]
    kind = kind_of(flow_file)
    for f in entry["flows"]:
        assert "dump_error" not in f, f.get("traceback")
    if kind in ("valid", "windmill_invalid"):
        assert entry["import_error"] is None, _describe(entry)
        assert entry["flows"], "no flow class found"
        for f in entry["flows"]:
            assert f["lint"] == {"ok": True}, _describe(entry)
            assert f["param_error"] is None, _describe(entry)
            assert f.get("init_error") is None, _describe(entry)
    else:
        failed = (
            entry["import_error"] is not None
            or any(f.get("init_error") for f in entry["flows"])
            or _lint_failures(entry)
            or any(f.get("param_error") for f in entry["flows"])
        )
        assert failed, "Metaflow accepts this 'invalid' flow: " + _describe(entry)


def test_invalid_flows_fail_for_one_reason(oracle):
    """Each invalid file has exactly one flow class and at most one failure kind
    (import error, lint failure or parameter error)."""
    problems = []
    for path in corpus_files(("invalid",)):
        entry = oracle[path]
        if entry["import_error"]:
            continue
        if len(entry["flows"]) != 1:
            problems.append("%s: %d flow classes" % (path, len(entry["flows"])))
            continue
        f = entry["flows"][0]
        if (not f["lint"]["ok"]) and f["param_error"]:
            problems.append("%s: both lint and parameter errors" % path)
    assert not problems, "\n".join(problems)


def test_every_default_lint_check_is_covered(oracle):
    """At least one invalid flow per LintWarn message family of metaflow/lint.py
    that can actually fire with default settings."""
    families = {
        "reserved word": r"is a reserved word\. Choose another name",
        "no start": r"must have exactly one start step",
        "no end": r"must have exactly one end step",
        "multiple start": r"Multiple steps annotated with @step\(start=True\)",
        "multiple end": r"Multiple steps annotated with @step\(end=True\)",
        "ambiguous start": r"^Ambiguous start step",
        "ambiguous end": r"^Ambiguous end step",
        "start incoming": r"has incoming transitions from",
        "end outgoing": r"has outgoing transitions\. An end step",
        "end has next": r"should not have a self\.next\(\) transition",
        "end is join": r"should not be a join step",
        "step name": r"has an invalid name\. Only lowercase",
        "too many args": r"has too many arguments",
        "join and split": r"is both a join step",
        "missing self": r"is missing the 'self' argument",
        "missing next": r"is missing a self\.next\(\) transition",
        "invalid transition": r"specifies an invalid self\.next\(\) transition",
        "unknown transition": r"transition to an unknown step",
        "loop": r"There is a loop in your flow",
        "orphan": r"is unreachable from the entry step",
        "balance end": r"was reached before a split started",
        "balance wrong paths": r"but an incorrect number of steps",
        "balance no split": r"but it is not preceded by a split",
        "balance unrelated": r"joins steps from unrelated splits",
        "switch cases": r"is a switch split but defines \d+ transitions",
        "parallel after next": r"is called as a parallel step with self\.next\(num_parallel",
        "join after parallel": r"An @parallel step should be followed by a join step",
        "parallel not via num_parallel": r"has a @parallel decorator, but is not called",
        "ambiguous join": r"A conditional path cannot lead directly to a join step",
    }
    messages = []
    for path in corpus_files(("invalid",)):
        for f in oracle[path]["flows"]:
            if f["lint"].get("message"):
                messages.append(f["lint"]["message"])
    missing = [
        name
        for name, rx in families.items()
        if not any(re.search(rx, m) for m in messages)
    ]
    assert not missing, "no invalid flow triggers: %s" % ", ".join(missing)


def test_oracle_is_order_independent(oracle):
    """Running the oracle on the corpus in reverse order gives the same result
    per file (module isolation, sibling-module cleanup, hash seed)."""
    files = corpus_files()
    reversed_result = run_oracle(list(reversed(files)))
    diffs = [f for f in files if reversed_result[f] != oracle[f]]
    assert not diffs, "oracle output depends on file order for: %s" % diffs
