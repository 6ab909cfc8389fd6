"""Corpus helpers shared by the oracle tests (no pytest dependency).

Flow files of tests/flows are ``<kind>/*.py`` plus ``<kind>/<dir>/flow.py``
(the other modules of such a directory are helpers, not flows), for kind in
valid / invalid / windmill_invalid.  Paths are relative to the repository root.
"""

import json
import os
import subprocess
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FLOWS = os.path.join(REPO, "tests", "flows")
ORACLE_SCRIPT = os.path.join(REPO, "tests", "oracle", "dump_metaflow.py")
KINDS = ("valid", "invalid", "windmill_invalid")


def oracle_python():
    """The interpreter that has metaflow: $MF_ORACLE_PYTHON, the repo venv, or us."""
    env = os.environ.get("MF_ORACLE_PYTHON")
    if env:
        return env
    venv = os.path.join(REPO, ".venv", "bin", "python")
    if os.path.exists(venv):
        return venv
    return sys.executable


def corpus_files(kinds=KINDS):
    out = []
    for kind in kinds:
        base = os.path.join(FLOWS, kind)
        if not os.path.isdir(base):
            continue
        for name in sorted(os.listdir(base)):
            full = os.path.join(base, name)
            if name.endswith(".py") and os.path.isfile(full):
                out.append(os.path.relpath(full, REPO))
            elif os.path.isdir(full) and os.path.isfile(os.path.join(full, "flow.py")):
                out.append(os.path.relpath(os.path.join(full, "flow.py"), REPO))
    return out


def kind_of(relpath):
    """valid / invalid / windmill_invalid for a repo-relative corpus path."""
    parts = relpath.replace(os.sep, "/").split("/")
    return parts[2]


def flow_id(relpath):
    return os.path.relpath(os.path.join(REPO, relpath), FLOWS).replace(os.sep, "/")


def run_oracle(files):
    env = dict(os.environ)
    env["PYTHONHASHSEED"] = "0"
    env.setdefault("USERNAME", "tester")
    proc = subprocess.run(
        [oracle_python(), ORACLE_SCRIPT] + list(files),
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            "oracle failed (exit %d):\n%s" % (proc.returncode, proc.stderr[-4000:])
        )
    data = json.loads(proc.stdout)
    return {entry["file"]: entry for entry in data}
