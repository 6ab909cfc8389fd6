"""End-to-end comparison harness (a plain module, not conftest.py, so that it cannot clash
with tests/oracle/conftest.py): the same flow run by Metaflow (`python flow.py run`) and
by mf-windmill (compile + local executor), both into one local datastore, compared with
Metaflow's client API.

Environment:
  MF_WINDMILL_BIN   the mf-windmill binary (default: target/debug/mf-windmill)
  MF_E2E_WORKERS    executor workers / Metaflow --max-workers (default 2)
  MF_E2E_BACKEND    `local` (default): one local datastore and local metadata shared by
                    both runs. `s3`: production on many machines (issue 15): an S3 server
                    and Metaflow's metadata service started on loopback
                    (tests/support/mfwm_servers.py), both runs with `--datastore s3
                    --metadata service`, ours on isolated workers (`--isolated-workers`)
                    that get only the worker group's credentials (`--env AWS_...`).
The interpreter running pytest must have metaflow==2.19.39 (e.g. .venv/bin/python -m pytest).
"""

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("MF_WINDMILL_BIN", str(ROOT / "target" / "debug" / "mf-windmill"))
WORKERS = os.environ.get("MF_E2E_WORKERS", "2")
BACKEND = os.environ.get("MF_E2E_BACKEND", "local")
if BACKEND not in ("local", "s3"):
    raise RuntimeError(f"MF_E2E_BACKEND must be local or s3, not {BACKEND!r}")
S3 = BACKEND == "s3"

# One datastore for the session, set before metaflow is imported anywhere.
_SYSROOT = tempfile.mkdtemp(prefix="mfwm-e2e-")
atexit.register(shutil.rmtree, _SYSROOT, True)
os.environ["METAFLOW_DATASTORE_SYSROOT_LOCAL"] = _SYSROOT
os.environ["USERNAME"] = "tester"
os.environ.pop("METAFLOW_PROFILE", None)
if S3:
    sys.path.insert(0, str(ROOT / "tests" / "support"))
    import mfwm_servers

    os.environ.update(mfwm_servers.start_for_session())
    # What an isolated worker gets from its worker group: the credentials, by name (the
    # values come from this environment, not the command line).
    WORKER_FLAGS = ["--isolated-workers"] + [
        a for k in mfwm_servers.CREDENTIALS for a in ("--env", k)]
    DATASTORE_FLAGS = []
else:
    WORKER_FLAGS = []
    DATASTORE_FLAGS = ["--datastore-root", os.path.join(_SYSROOT, ".metaflow")]


def task_datastore_files(flow, run_id, step, task_id):
    """Names of the files (objects) in a task's datastore directory, for the local datastore
    or S3 (`<root>/<flow>/<run>/<step>/<task>/`, MF datastore/task_datastore.py)."""
    if not S3:
        d = Path(os.environ["METAFLOW_DATASTORE_SYSROOT_LOCAL"]) / ".metaflow" / flow / run_id / step / task_id
        return sorted(p.name for p in d.iterdir()) if d.is_dir() else []
    import boto3

    bucket, _, prefix = os.environ["METAFLOW_DATASTORE_SYSROOT_S3"][len("s3://"):].partition("/")
    prefix = "/".join(x for x in (prefix, flow, run_id, step, task_id) if x) + "/"
    c = boto3.client("s3", endpoint_url=os.environ["METAFLOW_S3_ENDPOINT_URL"])
    out = c.list_objects_v2(Bucket=bucket, Prefix=prefix, Delimiter="/").get("Contents", [])
    return sorted(o["Key"][len(prefix):] for o in out)


def ref_run(flow, params, cwd):
    """`python flow.py run` with --param value argv (no shell); returns (rc, run id, output)."""
    rid = Path(cwd) / "ref_run_id"
    cmd = [sys.executable, str(flow), "--quiet", "--no-pylint", "run", "--max-workers", WORKERS,
           "--run-id-file", str(rid)]
    for k, v in params.items():
        cmd += ["--" + k, v]
    # Metaflow reads Config default files relative to the cwd: run from the flow's directory
    # (mf-windmill's steps run in the bundle, which is that directory).
    # Metaflow's S3 client stages files in METAFLOW_TEMPDIR, by default the cwd (the flow's
    # directory, in this repository): give it the test's directory. Only this run's
    # environment: mf-windmill would compile the setting into the flow.
    env = {**os.environ, "METAFLOW_TEMPDIR": str(cwd)}
    p = subprocess.run(cmd, cwd=Path(flow).parent, capture_output=True, text=True, timeout=600,
                       env=env)
    run_id = rid.read_text().strip() if rid.exists() else None
    return p.returncode, run_id, p.stdout + p.stderr


def ours_run(flow, params, cwd, extra=()):
    """`mf-windmill run --local`; returns (rc, pathspec, output)."""
    cmd = [BIN, "run", str(flow), "--local", "--workers", WORKERS, "--python", sys.executable,
           *DATASTORE_FLAGS, *WORKER_FLAGS, *extra]
    for k, v in params.items():
        cmd += ["--run-param", f"{k}={v}"]
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600)
    lines = p.stdout.splitlines()
    return p.returncode, (lines[0] if lines else None), p.stdout + p.stderr


@pytest.fixture
def workdir():
    with tempfile.TemporaryDirectory() as d:
        yield d
