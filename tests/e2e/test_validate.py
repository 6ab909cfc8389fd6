"""Windmill's own validators on every compiled corpus flow (tests/e2e/validate.mjs):
windmill-yaml-validator, windmill-parser-wasm-regex parse_bash, `wmill lint`.

Run:  .venv/bin/python -m pytest tests/e2e/test_validate.py -q
Installs tests/e2e/node_modules with `npm ci` (package-lock.json) when missing."""

import os
import shutil
import subprocess
import sys

import pytest

from mfwm_e2e import BIN, ROOT

HERE = ROOT / "tests" / "e2e"


def corpus():
    valid = ROOT / "tests" / "flows" / "valid"
    files = sorted(valid.glob("*.py")) + sorted(valid.glob("*/flow.py"))
    files += sorted((HERE / "flows").glob("*.py"))
    return files


def test_windmill_validators(tmp_path):
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("node/npm not installed: the Windmill validators are npm packages")
    if not (HERE / "node_modules" / "windmill-yaml-validator").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True)
    out = tmp_path / "out"
    out.mkdir()
    compiled = 0
    for f in corpus():
        stem = f.stem if f.name != "flow.py" else f.parent.name
        base = [BIN, "compile", str(f), "--datastore-root", "/srv/mf/.metaflow", "--user", "tester"]
        if f.name == "two_flows_one_file.py":
            base += ["--flow", "SecondOfTwoFlow"]
        r = subprocess.run(base + ["-o", str(out / f"{stem}.json")], capture_output=True, text=True)
        assert r.returncode == 0, f"{f}: {r.stderr[-2000:]}"
        r = subprocess.run(base + ["--format", "wmill", "-o", str(out / f"{stem}.wmill")],
                           capture_output=True, text=True)
        assert r.returncode == 0, f"{f}: {r.stderr[-2000:]}"
        compiled += 1
    assert compiled >= 60
    # Worker routing: the rawscript modules of routed steps carry Windmill's `tag`.
    f = ROOT / "tests" / "flows" / "valid" / "decorators_misc.py"
    base = [BIN, "compile", str(f), "--datastore-root", "/srv/mf/.metaflow", "--user", "tester",
            "--worker-tag-map", '[{"tag": "big", "cpu": 2}]', "--worker-tag", "start=io"]
    r = subprocess.run(base + ["-o", str(out / "decorators_misc_routed.json")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    r = subprocess.run(base + ["--format", "wmill", "-o", str(out / "decorators_misc_routed.wmill")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    routed = (out / "decorators_misc_routed.json").read_text()
    assert '"tag": "big"' in routed and '"tag": "io"' in routed
    r = subprocess.run(["node", str(HERE / "validate.mjs"), str(out)], capture_output=True, text=True)
    print(r.stdout[-5000:], r.stderr[-2000:], file=sys.stderr)
    assert r.returncode == 0, r.stdout[-5000:] + r.stderr[-2000:]
    summary = r.stdout.strip().splitlines()[-1]
    assert '"problems":0' in summary and '"flows":' in summary
