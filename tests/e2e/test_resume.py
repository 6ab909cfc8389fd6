"""Resume (issue 13) on the local executor, judged through Metaflow's client.

For a failure in a linear step, in one foreach split, in a switch branch and inside a
recursive loop: the origin run (`mf-windmill run --local`, made to fail by
METAFLOW_TEST_RESUME_FAIL, which reaches the steps through the compiled plan's METAFLOW_*
environment) is resumed with `mf-windmill resume --local`; then
  - the resumed run succeeds and equals a fresh `python flow.py run` on artifacts;
  - exactly the tasks Metaflow's resume clones are cloned: they carry the origin task's
    artifacts (incl. a per-task random nonce) and `origin-run-id`/`origin-task-id`;
  - every other task ran anew (new nonce, `origin-run-id` = the origin,
    `current.origin_run_id` = the origin).
Also: `--step` re-executes that step and everything after it; a successful run resumed
clones everything.
"""

import os
import subprocess
import sys

import pytest

from mfwm_e2e import (  # noqa: F401 (fixture)
    BIN, DATASTORE_FLAGS, ROOT, WORKER_FLAGS, WORKERS, ref_run, workdir)
from test_compare import diff, snapshot

FLOWS = ROOT / "tests" / "e2e" / "flows"
VOLATILE = ("nonce", "nonce_start", "nonce_double", "seen_origin")
# The random nonce each step sets itself (later steps inherit it).
OWN_NONCE = {"start": "nonce_start", "double": "nonce_double", "body": "nonce", "loop": "nonce"}


def ours(cmd, flow, workdir, fail=None, extra=()):
    env = dict(os.environ)
    env.pop("METAFLOW_TEST_RESUME_FAIL", None)
    if fail:
        env["METAFLOW_TEST_RESUME_FAIL"] = fail
    argv = [BIN, cmd, str(flow), "--local", "--workers", WORKERS, "--python", sys.executable,
            *DATASTORE_FLAGS, *WORKER_FLAGS, *extra]
    p = subprocess.run(argv, cwd=workdir, env=env, capture_output=True, text=True, timeout=600)
    lines = p.stdout.splitlines()
    return p.returncode, (lines[0] if lines else None), p.stdout + p.stderr


def tasks(pathspec):
    from metaflow import Run, namespace

    namespace(None)
    out = {}
    for step in Run(pathspec):
        for t in step:
            stack = t["_foreach_stack"].data if "_foreach_stack" in t else []
            out[(step.id, tuple(f.index for f in stack), t.id)] = t
    return out


def resume_case(flow, fail, workdir, extra=()):
    rc, origin, out = ours("run", flow, workdir, fail=fail)
    if fail:
        assert rc == 1, f"the origin run should fail:\n{out[-3000:]}"
    else:
        assert rc == 0, out[-3000:]
    rc, resumed, out = ours("resume", flow, workdir,
                            extra=("--origin-run-id", origin.split("/")[1], *extra))
    assert rc == 0, f"resume failed:\n{out[-4000:]}"
    assert resumed != origin
    return origin, resumed


def check(origin, resumed, expect_cloned, workdir, flow):
    from metaflow import Run

    origin_id = origin.split("/")[1]
    assert Run(resumed).successful
    o, r = tasks(origin), tasks(resumed)
    cloned = set()
    for key, t in r.items():
        md = t.metadata_dict
        assert md.get("origin-run-id") == origin_id, (key, md.get("origin-run-id"))
        if "origin-task-id" in md:
            cloned.add(key[0] if not key[1] else (key[0], key[1]))
            src = o[(key[0], key[1], md["origin-task-id"])]
            assert src.successful
            mine = {a.id: a.data for a in t if not a.id.startswith("_") and a.id != "name"}
            theirs = {a.id: a.data for a in src if not a.id.startswith("_") and a.id != "name"}
            assert mine == theirs, key
        else:
            same = o.get(key)
            n = OWN_NONCE.get(key[0])
            if n and same is not None and same.successful:
                assert t[n].data != same[n].data, f"{key} did not run anew"
            if "seen_origin" in t:
                assert t["seen_origin"].data == origin_id
    assert cloned == set(expect_cloned), sorted(map(str, cloned))
    rc_ref, run_ref, out_ref = ref_run(flow, {}, workdir)
    assert rc_ref == 0, out_ref[-3000:]
    a = snapshot(resumed.split("/")[0] + "/" + run_ref)
    b = snapshot(resumed)
    for snap in (a, b):
        for t in snap["tasks"].values():
            for n in VOLATILE:
                t["artifacts"].pop(n, None)
            t.pop("attempt")
    d = diff(a, b)
    assert not d, "differences (fresh metaflow run vs resumed):\n" + "\n".join(d[:40])


def test_resume_linear_failure(workdir):
    flow = FLOWS / "resume_linear.py"
    origin, resumed = resume_case(flow, "process", workdir)
    check(origin, resumed, {"start", "double"}, workdir, flow)


def test_resume_foreach_split_failure(workdir):
    flow = FLOWS / "resume_foreach.py"
    origin, resumed = resume_case(flow, "body", workdir)
    # The failed split (index 1) and the join re-execute; the other splits are cloned.
    check(origin, resumed, {"start", ("body", (0,)), ("body", (2,))}, workdir, flow)


def test_resume_switch_branch_failure(workdir):
    flow = FLOWS / "resume_switch.py"
    origin, resumed = resume_case(flow, "high", workdir)
    check(origin, resumed, {"start"}, workdir, flow)


def test_resume_recursive_loop_failure(workdir):
    flow = FLOWS / "resume_recursive.py"
    origin, resumed = resume_case(flow, "loop", workdir)
    r = tasks(resumed)
    loop = sorted(k[2] for k in r if k[0] == "loop")
    cloned = {k[2] for k, t in r.items() if k[0] == "loop" and "origin-task-id" in t.metadata_dict}
    assert len(loop) == 4
    assert len(cloned) == 2, (loop, cloned)  # iterations 0 and 1
    check(origin, resumed, {"start", "loop"}, workdir, flow)


def test_resume_step_reruns_from_that_step(workdir):
    flow = FLOWS / "resume_linear.py"
    origin, resumed = resume_case(flow, None, workdir, extra=("--step", "double"))
    check(origin, resumed, {"start"}, workdir, flow)


def test_resume_of_a_successful_run_clones_everything(workdir):
    flow = FLOWS / "resume_foreach.py"
    origin, resumed = resume_case(flow, None, workdir)
    check(origin, resumed, {"start", ("body", (0,)), ("body", (1,)), ("body", (2,)), "join",
                            "end"}, workdir, flow)


def test_resume_unknown_origin_fails_loudly(workdir):
    rc, _, out = ours("resume", FLOWS / "resume_linear.py", workdir,
                      extra=("--origin-run-id", "wm-00000000-0000-0000-0000-000000000000"))
    assert rc == 1
    assert "could not find run id" in out.lower() or "resume" in out.lower(), out[-2000:]


@pytest.mark.parametrize("bad", ["12", "wm-1/start", ""])
def test_resume_refuses_bad_origin_ids(workdir, bad):
    rc, _, out = ours("resume", FLOWS / "resume_linear.py", workdir, extra=("--origin-run-id", bad))
    assert rc == 2, out[-2000:]


def test_resume_keeps_the_origin_parameters(workdir):
    """Parameters are the origin's (not the defaults): a value equal to the origin's changes
    nothing; a different one re-executes every step with it (the start step's log says so)."""
    from metaflow import Run

    flow = FLOWS / "resume_linear.py"
    rc, origin, out = ours("run", flow, workdir, fail="process",
                           extra=("--run-param", "greeting=bonjour"))
    assert rc == 1, out[-2000:]
    oid = origin.split("/")[1]
    rc, same, out = ours("resume", flow, workdir,
                         extra=("--origin-run-id", oid, "--run-param", "greeting=bonjour"))
    assert rc == 0, out[-3000:]
    assert Run(same)["end"].task.data.final == "bonjour:15"
    assert "origin-task-id" in Run(same)["double"].task.metadata_dict
    rc, plain, out = ours("resume", flow, workdir, extra=("--origin-run-id", oid))
    assert rc == 0, out[-3000:]
    assert Run(plain)["end"].task.data.final == "bonjour:15"
    rc, changed, out = ours("resume", flow, workdir,
                            extra=("--origin-run-id", oid, "--run-param", "greeting=hi"))
    assert rc == 0, out[-3000:]
    run = Run(changed)
    assert run["end"].task.data.final == "hi:5"
    for s in run:
        for t in s:
            md = t.metadata_dict
            assert "origin-task-id" not in md, t.pathspec
            assert md.get("origin-run-id") == oid


def test_metaflow_local_resume_of_a_windmill_run(workdir):
    """`python flow.py resume --origin-run-id wm-…` (Metaflow's own resume) on a run made by
    the compiled flow: it finds our tasks by pathspec index and clones them."""
    from metaflow import Run

    flow = FLOWS / "resume_foreach.py"
    rc, origin, out = ours("run", flow, workdir, fail="body")
    assert rc == 1, out[-2000:]
    rid = os.path.join(workdir, "local_resume_id")
    p = subprocess.run(
        [sys.executable, str(flow), "--quiet", "--no-pylint", "resume", "--origin-run-id",
         origin.split("/")[1], "--run-id-file", rid],
        cwd=flow.parent, capture_output=True, text=True, timeout=600,
        env={k: v for k, v in os.environ.items() if k != "METAFLOW_TEST_RESUME_FAIL"},
    )
    assert p.returncode == 0, (p.stdout + p.stderr)[-3000:]
    run = Run("ResumeForeachFlow/" + open(rid).read().strip())
    assert run.successful and run["end"].task.data.total == 60
    cloned = sorted(t.metadata_dict.get("origin-task-id") for t in run["body"]
                    if "origin-task-id" in t.metadata_dict)
    # Split 0 and 2 (task ids end with the split index; the prefix is the emitter's).
    assert [c.rsplit("-", 1)[1] for c in cloned] == ["0", "2"], cloned
