"""@exit_hook on the local executor: each hook runs once, in the right case, after the run
ends; a hook's failure never changes the run's outcome (judged by the files the hooks
write and by Metaflow's client)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from mfwm_e2e import _SYSROOT, BIN, ROOT, ours_run, workdir  # noqa: F401

FLOW = ROOT / "tests" / "e2e" / "flows" / "exit_hooks.py"


def lines(p):
    return p.read_text().splitlines() if p.exists() else None


def run_case(workdir, tmp_path, fail):
    out = tmp_path / fail
    out.mkdir()
    rc, pathspec, log = ours_run(FLOW, {"out_dir": str(out), "fail": fail}, workdir)
    return rc, pathspec, log, out


def client_run(pathspec):
    from metaflow import Run, namespace

    namespace(None)
    return Run(pathspec)


def test_on_success_hooks_run_once_and_a_failing_hook_does_not_fail_the_run(workdir, tmp_path):
    rc, pathspec, log, out = run_case(workdir, tmp_path, "none")
    assert rc == 0, log[-3000:]
    assert lines(out / "hook_ok") == [pathspec]
    assert lines(out / "hook_failed") is None
    assert client_run(pathspec).successful


def test_on_error_hooks_run_once_when_a_foreach_iteration_fails(workdir, tmp_path):
    # Windmill runs the flow's failure module in the failing iteration too: the hooks
    # still run once, for the run.
    rc, pathspec, log, out = run_case(workdir, tmp_path, "foreach")
    assert rc == 1, log[-3000:]
    assert lines(out / "hook_failed") == [pathspec]
    assert lines(out / "hook_ok") is None
    r = client_run(pathspec)
    assert not r.successful and not r.finished


def test_on_error_hooks_run_once_when_the_end_step_fails(workdir, tmp_path):
    rc, pathspec, log, out = run_case(workdir, tmp_path, "end")
    assert rc == 1, log[-3000:]
    assert lines(out / "hook_failed") == [pathspec]
    assert lines(out / "hook_ok") is None
    assert not client_run(pathspec).successful


def test_the_hooks_report_is_in_the_flow_result(tmp_path):
    flow_json = tmp_path / "flow.json"
    r = subprocess.run([BIN, "compile", str(FLOW), "--python", sys.executable, "--user", "tester",
                        "--datastore-root", os.path.join(_SYSROOT, ".metaflow"), "-o", str(flow_json)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    doc = json.loads(flow_json.read_text())
    assert doc["value"]["failure_module"]["id"] == "failure"
    assert doc["value"]["modules"][-1]["id"] == "_exit_hooks_on_success"
    out = tmp_path / "out"
    out.mkdir()
    r = subprocess.run([BIN, "exec", str(flow_json), "--inputs", json.dumps({"out_dir": str(out), "fail": "none"})],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    report = json.loads(r.stdout)["exit_hooks"]["on_success"]
    assert report["hook_ok"] == "ok"
    assert report["hook_broken"].startswith("failed")
    assert len(lines(out / "hook_ok")) == 1
