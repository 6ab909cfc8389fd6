"""Never silently wrong: what the static reader cannot evaluate and the run needs is refused
by `compile` and `run` (and so `create`, which compiles the same way) with a diagnostic
naming the way out; the Metaflow extension's path (`python flow.py windmill create`, which
evaluates the flow with Metaflow and hands the binary --metaflow-resolved) deploys it and it
runs like `python flow.py run`."""

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from mfwm_e2e import BIN, ROOT, ours_run, ref_run, workdir  # noqa: F401 (fixture)
from test_compare import diff, snapshot

WM_INVALID = ROOT / "tests" / "flows" / "windmill_invalid"

# (flow, code, text the diagnostic must show)
REFUSED = [
    (WM_INVALID / "params_nonliteral_defaults.py", "WM209", "default_region"),
    (WM_INVALID / "includefile_unknown_default.py", "WM209", "DATA_FILE"),
    (WM_INVALID / "config_unknown_in_decorator.py", "WM203", "other.retries"),
]


@pytest.mark.parametrize("flow,code,text", REFUSED, ids=[c[0].stem for c in REFUSED])
def test_compile_and_run_refuse(flow, code, text, workdir):
    p = subprocess.run([BIN, "compile", str(flow), "--user", "tester"], cwd=workdir,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 1, p.stdout[-2000:] + p.stderr[-2000:]
    assert p.stdout == "", "nothing may be emitted for a refused flow"
    assert code in p.stderr and text in p.stderr, p.stderr[-3000:]
    if code == "WM209":
        assert "python flow.py windmill create" in " ".join(p.stderr.split()), p.stderr[-3000:]
    rc, _, out = ours_run(flow, {}, workdir)
    assert rc == 1, out[-3000:]
    assert code in out, out[-3000:]


EXTENSION = Path(os.environ.get("MF_WINDMILL_EXTENSION", ROOT / "python"))


def resolved_by_extension(flow, tmp_path):
    """The --metaflow-resolved file the real extension writes for `flow`
    (`python flow.py windmill create` with a stand-in binary that keeps it)."""
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
    p = subprocess.run([sys.executable, str(flow), "--no-pylint", "windmill", "create"],
                       cwd=flow.parent, env=env, capture_output=True, text=True, timeout=300)
    assert keep.exists(), p.stdout + p.stderr
    return keep


@pytest.mark.skipif(not (EXTENSION / "metaflow_extensions" / "windmill").is_dir(),
                    reason="the Metaflow extension is not in this checkout")
def test_the_extension_deploys_a_deploy_time_default(workdir, tmp_path):
    flow = WM_INVALID / "params_nonliteral_defaults.py"
    keep = resolved_by_extension(flow, tmp_path)
    doc = json.loads(keep.read_text())
    region = [p for p in doc["parameters"] if p["name"] == "region"][0]
    assert region["default"] == "region-tester", region
    rc_ref, run_ref, out_ref = ref_run(flow, {}, workdir)
    assert rc_ref == 0, out_ref[-3000:]
    rc, ps, out = ours_run(flow, {}, workdir, extra=("--metaflow-resolved", str(keep)))
    assert rc == 0, out[-4000:]
    d = diff(snapshot(ps.split("/")[0] + "/" + run_ref), snapshot(ps))
    assert not d, "differences (metaflow vs mf-windmill):\n" + "\n".join(d[:40])
