"""Metaflow's own tutorials 00-03, pulled from the installed Metaflow at test time (never
committed): each compiles statically and its run on the local executor equals
`python flow.py run` through Metaflow's client, or it is refused with a diagnostic naming
what cannot be known. None may run with a missing value.

The tutorials draw random picks (`random.choice`, `shuffle`) and iterate a set (hash order
differs per process), so artifacts are compared per step as multisets, lists as multisets,
and the random picks (`bonus`) by type only.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from mfwm_e2e import ours_run, ref_run, workdir  # noqa: F401 (fixture)
from test_compare import norm

TUTORIALS = [
    ("00-helloworld", "helloworld.py"),
    ("01-playlist", "playlist.py"),
    ("02-statistics", "stats.py"),
    ("03-playlist-redux", "playlist.py"),  # reads 02's latest successful run
]
RANDOM = {"bonus"}


def canon(v):
    """Dicts by sorted keys and lists as multisets (set iteration order differs per process)."""
    if isinstance(v, dict):
        return ("dict", sorted(((repr(k), canon(x)) for k, x in v.items()), key=repr))
    if isinstance(v, (list, tuple)):
        return sorted((canon(x) for x in v), key=repr)
    return v


@pytest.fixture(scope="module")
def tutorials():
    with tempfile.TemporaryDirectory() as d:
        p = subprocess.run([sys.executable, "-m", "metaflow.cmd.main_cli", "tutorials", "pull"],
                           cwd=d, capture_output=True, text=True, timeout=120,
                           env=dict(os.environ, METAFLOW_PROFILE=""))
        root = Path(d) / "metaflow-tutorials"
        assert root.is_dir(), p.stdout + p.stderr
        yield root


def by_step(pathspec):
    from metaflow import Run, namespace

    namespace(None)
    run = Run(pathspec)
    out = {"successful": run.successful, "steps": {}}
    for step in run:
        tasks = []
        for t in step:
            arts = {}
            for a in t:
                if a.id.startswith("_") or a.id == "name":
                    continue
                v = norm(a.data)
                arts[a.id] = type(v).__name__ if a.id in RANDOM else canon(v)
            tasks.append(repr(sorted(arts.items(), key=lambda kv: kv[0])))
        out["steps"][step.id] = sorted(tasks)
    return out


@pytest.mark.parametrize("episode,script", TUTORIALS, ids=[t[0] for t in TUTORIALS])
def test_tutorial(tutorials, episode, script, workdir):
    flow = tutorials / episode / script
    rc_ref, run_ref, out_ref = ref_run(flow, {}, workdir)
    assert rc_ref == 0, out_ref[-3000:]
    rc, ps, out = ours_run(flow, {}, workdir)
    if rc != 0:
        # Refused statically: a diagnostic names what cannot be known; nothing ran.
        assert "error" in out and ("WM2" in out or "MF0" in out), out[-3000:]
        pytest.fail("refused statically:\n" + out[-3000:])
    a, b = by_step(ps.split("/")[0] + "/" + run_ref), by_step(ps)
    assert a == b
