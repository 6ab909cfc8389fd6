"""Isolated workers (issue 15, phase 1): `mf-windmill run --local --isolated-workers` runs
every job as on a Windmill worker that shares nothing with the deployer but the declared
shared storage (the datastore root, the workers' interpreter).

- A step reading a file of the deployer's directory by absolute path works on ordinary local
  workers (same machine) but fails on an isolated worker: the directory is hidden.
- The same flow reading the file through the code package (`--package-suffixes .txt`,
  opened relative to the step's cwd, the package) succeeds on isolated workers; the run is
  judged with Metaflow's client, and the job's environment is Windmill's: its own HOME,
  TMPDIR and cwd outside the deployer's directories, the worker group's `--env`, nothing of
  the deployer's environment.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mfwm_e2e import BIN, WORKERS, _SYSROOT, workdir  # noqa: F401 (fixture)

FLOW = '''import os
from metaflow import FlowSpec, step

DATA = {data!r}


class ReadsDeployerFileFlow(FlowSpec):
    @step
    def start(self):
        with open(DATA) as fh:
            self.text = fh.read().strip()
        self.seen = {{k: os.environ.get(k) for k in ("HOME", "TMPDIR", "PATH", "WORKER_GROUP_VAR",
                                                   "DEPLOYER_ONLY")}}
        self.cwd = os.getcwd()
        self.next(self.end)

    @step
    def end(self):
        assert self.text == "shipped", self.text


if __name__ == "__main__":
    ReadsDeployerFileFlow()
'''


def make(deployer: Path, data: str) -> Path:
    deployer.mkdir(parents=True, exist_ok=True)
    (deployer / "data.txt").write_text("shipped\n")
    flow = deployer / "flow.py"
    flow.write_text(FLOW.format(data=data))
    return flow


def run(flow, cwd, extra=()):
    env = dict(os.environ, DEPLOYER_ONLY="leaked")
    cmd = [BIN, "run", str(flow), "--local", "--workers", WORKERS, "--python", sys.executable,
           "--datastore-root", os.path.join(_SYSROOT, ".metaflow"), *extra]
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    lines = p.stdout.splitlines()
    return p.returncode, (lines[0] if lines else None), p.stdout + p.stderr


def namespace_available():
    return subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "true"],
                          capture_output=True).returncode == 0


@pytest.mark.skipif(not namespace_available(), reason="no unprivileged mount namespace here")
def test_absolute_path_into_the_deployers_directory_fails_on_isolated_workers(tmp_path):
    deployer = tmp_path / "deployer"
    flow = make(deployer, str(deployer / "data.txt"))
    rc, _, out = run(flow, deployer)
    assert rc == 0, "same machine, ordinary workers: the absolute path works\n" + out[-3000:]
    rc, _, out = run(flow, deployer, extra=("--isolated-workers",))
    assert rc != 0, out[-3000:]
    assert "No such file or directory" in out and "data.txt" in out, out[-3000:]


def test_file_in_the_code_package_works_on_isolated_workers(tmp_path):
    deployer = tmp_path / "deployer"
    flow = make(deployer, "data.txt")
    rc, ps, out = run(flow, deployer, extra=("--isolated-workers", "--package-suffixes", ".txt",
                                             "--env", "WORKER_GROUP_VAR=from-worker-group"))
    assert rc == 0, out[-4000:]
    from metaflow import Run, namespace

    namespace(None)
    r = Run(ps)
    assert r.successful
    start = r["start"].task
    assert start["text"].data == "shipped"
    seen, cwd = start["seen"].data, start["cwd"].data
    assert seen["DEPLOYER_ONLY"] is None, seen
    assert seen["WORKER_GROUP_VAR"] == "from-worker-group", seen
    for d in ("HOME", "TMPDIR"):
        assert seen[d] and seen[d] != os.environ.get(d), seen
        assert not Path(seen[d]).is_relative_to(deployer), seen
    assert seen["PATH"] == "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", seen
    assert not Path(cwd).is_relative_to(deployer), cwd
    # Every job's scratch is gone with the run.
    assert not Path(seen["HOME"]).exists()
