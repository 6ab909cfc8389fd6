"""`--metaflow-resolved`: a flow only Metaflow can evaluate (`@retry(times=cfg.retries)`, a
deploy-time Parameter default, a Config) compiled with the overlay the Metaflow extension
would write (crafted by hand here, docs/metaflow-resolved.md) and run by the local executor:
it behaves like `python flow.py run`, and the Config values and retry count of the overlay
are what the steps see at run time."""

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from mfwm_e2e import _SYSROOT, ROOT, ours_run, ref_run, workdir  # noqa: F401 (fixture)
from test_compare import diff, snapshot

FLOW = ROOT / "tests" / "resolved" / "config_retry.py"


def overlay(cfg, retries, region):
    return {
        "v": 1,
        "metaflow_version": "2.19.39",
        "flow": "ConfigRetryFlow",
        "graph": {
            "end": {"type": "end", "out_funcs": []},
            "start": {"type": "start", "out_funcs": ["end"]},
        },
        "steps": {
            "start": {"decorators": [
                {"name": "retry", "attributes": {"times": retries, "minutes_between_retries": 0}},
            ]},
            "end": {"decorators": []},
        },
        "flow_decorators": [],
        "parameters": [
            {"name": "region", "type": "str", "default": region, "required": False,
             "help": "deploy-time default"},
            {"name": "who", "type": "str", "default": "world", "required": False,
             "help": "who to greet"},
        ],
        # Metaflow's dump_config_values: (value, is_plain) per config.
        "config_file": {"user_configs": {"cfg": [cfg, False]}},
        "configs": ["cfg"],
        "settings": {
            "metadata": "local", "datastore": "local",
            "datastore_root": os.path.join(_SYSROOT, ".metaflow"),
            "environment": "local", "event_logger": "nullSidecarLogger",
            "monitor": "nullSidecarMonitor",
        },
    }


def write(workdir, v):
    p = Path(workdir) / "resolved.json"
    p.write_text(json.dumps(v))
    return str(p)


def test_statically_refused(workdir):
    rc, _, out = ours_run(FLOW, {}, workdir)
    assert rc == 1, out[-3000:]
    assert "WM209" in out and "default_region" in out


def test_same_values_as_metaflow_run_the_same(workdir):
    rc_ref, run_ref, out_ref = ref_run(FLOW, {}, workdir)
    assert rc_ref == 0, out_ref[-3000:]
    v = overlay({"retries": 2, "greeting": "hello", "fail_until": 1}, 2, "region-tester")
    rc, ps, out = ours_run(FLOW, {}, workdir, extra=("--metaflow-resolved", write(workdir, v)))
    assert rc == 0, out[-4000:]
    assert "not a literal" not in out
    a, b = snapshot(ps.split("/")[0] + "/" + run_ref), snapshot(ps)
    d = diff(a, b)
    assert not d, "differences (metaflow vs mf-windmill):\n" + "\n".join(d[:40])
    assert b["tasks"][("end", (), 0)]["artifacts"]["seen"] == {
        "message": "hello world", "region": "region-tester", "attempt": 1}
    assert b["tasks"][("start", (), 0)]["attempt"] == 1


def test_overlay_values_reach_the_steps(workdir):
    """Values that differ from the file's Config default: the steps see the overlay's config
    (through --local-config-file), the start step is retried as often as Metaflow's
    evaluated @retry says, and the deploy-time default is Metaflow's value."""
    v = overlay({"retries": 3, "greeting": "bonjour", "fail_until": 3}, 3, "region-deployed")
    rc, ps, out = ours_run(FLOW, {}, workdir, extra=("--metaflow-resolved", write(workdir, v)))
    assert rc == 0, out[-4000:]
    from metaflow import Run, namespace

    namespace(None)
    run = Run(ps)
    assert run.successful
    assert run["end"].task["seen"].data == {
        "message": "bonjour world", "region": "region-deployed", "attempt": 3}
    assert run["start"].task.current_attempt == 3


# The Metaflow extension (python/metaflow_extensions/windmill, the lead's side) when this
# checkout has it; MF_WINDMILL_EXTENSION names another copy of its `python/` directory.
EXTENSION = Path(os.environ.get("MF_WINDMILL_EXTENSION", ROOT / "python"))


@pytest.mark.skipif(not (EXTENSION / "metaflow_extensions" / "windmill").is_dir(),
                    reason="the Metaflow extension is not in this checkout")
def test_the_extensions_file_compiles_and_runs_like_metaflow(workdir, tmp_path):
    """The file the real extension writes (`python flow.py windmill create`, with a stand-in
    binary that keeps it) is accepted and runs like `python flow.py run`."""
    keep = tmp_path / "kept.json"
    stub = tmp_path / "stub.sh"
    stub.write_text(
        "#!/bin/bash\nprev=\nfor a in \"$@\"; do\n"
        "  if [ \"$prev\" = --metaflow-resolved ]; then cp \"$a\" %s; fi; prev=$a\ndone\n"
        % shlex.quote(str(keep)))
    stub.chmod(0o755)
    env = dict(os.environ, PYTHONPATH=str(EXTENSION), MF_WINDMILL_BIN=str(stub),
               WINDMILL_HOST="http://127.0.0.1:9", WINDMILL_WORKSPACE="w",
               WINDMILL_TOKEN="t")
    p = subprocess.run([sys.executable, str(FLOW), "--no-pylint", "windmill", "create"],
                       cwd=FLOW.parent, env=env, capture_output=True, text=True, timeout=300)
    assert keep.exists(), p.stdout + p.stderr
    doc = json.loads(keep.read_text())
    assert doc["steps"]["start"]["decorators"][0]["attributes"]["times"] == 2
    assert doc["parameters"][0]["default"] == "region-tester"
    rc_ref, run_ref, out_ref = ref_run(FLOW, {}, workdir)
    assert rc_ref == 0, out_ref[-3000:]
    rc, ps, out = ours_run(FLOW, {}, workdir, extra=("--metaflow-resolved", str(keep)))
    assert rc == 0, out[-4000:]
    assert "warning" not in out, out[-3000:]
    d = diff(snapshot(ps.split("/")[0] + "/" + run_ref), snapshot(ps))
    assert not d, "differences (metaflow vs mf-windmill):\n" + "\n".join(d[:40])
