"""The one code bundle per flow (design §7, §12): only the start step's script carries it; the
start step stores it in the flow's datastore at <Flow>/_mfwm/code/<sha256>.tgz; every other
step fetches it by hash into a per-worker cache (${TMPDIR:-/tmp}/mfwm-code/<sha256>/),
verifying the sha256; a missing or corrupted bundle fails loudly, naming the path.

The step scripts are run the way a Windmill worker runs them (`set -e` + content, in a fresh
job directory, with a cleared environment), one by one, so that each worker's cache
(TMPDIR) can be chosen: a fresh TMPDIR is a fresh worker.
"""

import hashlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

from mfwm_e2e import _SYSROOT, BIN, ROOT

FLOW = ROOT / "tests" / "flows" / "valid" / "linear_basic.py"


def compile_flow(tmp_path, ds=None):
    ds = ds or tmp_path / "ds" / ".metaflow"
    out = tmp_path / "flow.json"
    subprocess.run([BIN, "compile", str(FLOW), "--python", sys.executable, "--datastore-root", str(ds),
                    "--format", "json", "-o", str(out)], check=True, capture_output=True,
                   env=dict(os.environ, USERNAME="tester"))
    flow = json.loads(out.read_text())
    scripts = {m["id"]: m["value"]["content"] for m in flow["value"]["modules"]}
    plan = json.loads(scripts["start"].split("<<'MFWM_PLAN'", 1)[1].split("\n")[1])
    return ds, scripts, plan


def run_script(tmp_path, content, args, worker_tmp, flow_job=None):
    """One Windmill-like bash job: returns (rc, output, job dir)."""
    job = tmp_path / ("job-" + uuid.uuid4().hex[:8])
    job.mkdir()
    (job / "main.sh").write_text("set -e\n" + content)
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "TMPDIR": str(worker_tmp),
           "WM_FLOW_JOB_ID": flow_job or str(uuid.uuid4())}
    p = subprocess.run(["/bin/bash", "main.sh", *args], cwd=job, env=env, capture_output=True, text=True,
                       timeout=300)
    return p.returncode, p.stdout + p.stderr, job


def test_bundle_only_in_start_stored_once_and_fetched_by_a_fresh_worker(tmp_path):
    # The session's datastore, so that Metaflow's client can read the run at the end.
    ds, scripts, plan = compile_flow(tmp_path, Path(_SYSROOT) / ".metaflow")
    sha = plan["bundle_sha256"]
    assert [k for k, c in scripts.items() if "MFWM_BUNDLE" in c] == ["start"]
    stored = ds / "LinearBasicFlow" / "_mfwm" / "code" / (sha + ".tgz")

    # Worker A runs start: the bundle is stored (content-addressed) and cached on A.
    worker_a = tmp_path / "worker-a"
    worker_a.mkdir()
    flow_job = str(uuid.uuid4())
    rc, out, job = run_script(tmp_path, scripts["start"], ["", "", "", ""], worker_a, flow_job)
    assert rc == 0, out[-3000:]
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == sha
    assert (worker_a / "mfwm-code" / sha / "_mfwm" / "runner.py").is_file()
    run_id = json.loads((job / "result.json").read_text())["run_id"]
    assert run_id == "wm-" + flow_job

    # Start retried (same flow job): idempotent, the stored bundle is left as it is.
    before = stored.stat().st_mtime_ns
    rc, out, _ = run_script(tmp_path, scripts["start"], ["", "", "", ""], worker_a, flow_job)
    assert rc == 0, out[-3000:]
    assert stored.stat().st_mtime_ns == before

    # Worker B has never seen this flow: it fetches the bundle by hash, verifies it and
    # caches it; the step runs from a fresh copy in its job directory.
    worker_b = tmp_path / "worker-b"
    worker_b.mkdir()
    rc, out, job = run_script(tmp_path, scripts["double"], [run_id, "", "", ""], worker_b)
    assert rc == 0, out[-3000:]
    assert (worker_b / "mfwm-code" / sha / "_mfwm" / "runner.py").is_file()
    assert (job / "code" / "linear_basic.py").is_file()
    assert json.loads((job / "result.json").read_text())["pathspec"] == run_id + "/double/t2"  # 2nd step in Metaflow's order

    # Later steps on B use its cache (the datastore copy is no longer needed).
    stored.rename(stored.with_suffix(".moved"))
    rc, out, _ = run_script(tmp_path, scripts["total"], [run_id, "", "", ""], worker_b)
    assert rc == 0, out[-3000:]
    stored.with_suffix(".moved").rename(stored)

    from metaflow import Run, namespace

    namespace(None)
    assert Run("LinearBasicFlow/" + run_id)["total"].task["sum"].data == 12


def test_concurrent_jobs_fill_one_worker_cache(tmp_path):
    """Two jobs on one fresh worker fetch and extract the same bundle at once: both run."""
    ds, scripts, plan = compile_flow(tmp_path)
    seed = tmp_path / "seed"
    seed.mkdir()
    run_ids = []
    for _ in range(2):
        flow_job = str(uuid.uuid4())
        rc, out, _ = run_script(tmp_path, scripts["start"], ["", "", "", ""], seed, flow_job)
        assert rc == 0, out[-3000:]
        run_ids.append("wm-" + flow_job)
    worker = tmp_path / "worker"
    worker.mkdir()
    procs = []
    for rid in run_ids:
        job = tmp_path / ("job-" + rid)
        job.mkdir()
        (job / "main.sh").write_text("set -e\n" + scripts["double"])
        procs.append(subprocess.Popen(
            ["/bin/bash", "main.sh", rid, "", "", ""], cwd=job, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"),
                            "TMPDIR": str(worker)}))
    outs = [p.communicate(timeout=300)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[-2000:] for o in outs]
    assert [e.name for e in (worker / "mfwm-code").iterdir()] == [plan["bundle_sha256"]]


def test_missing_bundle_fails_loudly(tmp_path):
    ds, scripts, plan = compile_flow(tmp_path)
    worker = tmp_path / "worker"
    worker.mkdir()
    rc, out, _ = run_script(tmp_path, scripts["double"], ["wm-" + str(uuid.uuid4()), "", "", ""], worker)
    assert rc == 1, out[-3000:]
    path = ds / "LinearBasicFlow" / "_mfwm" / "code" / (plan["bundle_sha256"] + ".tgz")
    assert "code bundle %s does not exist" % path in out, out[-3000:]
    assert not (worker / "mfwm-code" / plan["bundle_sha256"]).exists()


def test_corrupted_bundle_fails_loudly(tmp_path):
    ds, scripts, plan = compile_flow(tmp_path)
    sha = plan["bundle_sha256"]
    path = ds / "LinearBasicFlow" / "_mfwm" / "code" / (sha + ".tgz")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not the bundle")
    worker = tmp_path / "worker"
    worker.mkdir()
    rc, out, _ = run_script(tmp_path, scripts["double"], ["wm-" + str(uuid.uuid4()), "", "", ""], worker)
    assert rc == 1, out[-3000:]
    assert "code bundle %s is corrupted" % path in out, out[-3000:]
    assert not (worker / "mfwm-code" / sha).exists()

    # A start step whose inline bundle was altered refuses to store or run it.
    lines = scripts["start"].split("\n")
    at = lines.index("MFWM_PLAN") + 1
    lines[at] = ("B" if lines[at][0] != "B" else "C") + lines[at][1:]
    path.unlink()
    rc, out, _ = run_script(tmp_path, "\n".join(lines), ["", "", "", ""], worker)
    assert rc == 1, out[-3000:]
    assert "code bundle in this script is corrupted" in out, out[-3000:]
    assert not path.exists()
