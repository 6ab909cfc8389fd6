"""The metaflow-windmill wheel as a user gets it: installed with pip into a fresh venv next
to metaflow==2.19.39, then `python flow.py windmill ...` and `Deployer(...).windmill()`
against a loopback server speaking Windmill's REST API (examples/fake_windmill.rs: the
test double of tests/support/windmill_fake, executing flows with the local executor).
Success is judged with Metaflow's client: the run exists, succeeded, and its artifacts,
attempts and parameters are what Metaflow itself would produce.

Environment:
  MF_WINDMILL_WHEEL   the wheel to install (default: the newest target/wheels/*.whl)
  FAKE_WINDMILL_BIN   the fake server (default: target/release/examples/fake_windmill)
The interpreter running pytest needs nothing but pytest; the venv under test is built here.
"""

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLOWS = Path(__file__).resolve().parent / "flows"
TOKEN = "wmTOKEN-wheel-leakcheck-8d2c41f07a"
METAFLOW_PIN = "metaflow==2.19.39"


def _wheel():
    w = os.environ.get("MF_WINDMILL_WHEEL")
    if w:
        return w
    found = sorted(glob.glob(str(ROOT / "target" / "wheels" / "*.whl")), key=os.path.getmtime)
    if not found:
        pytest.fail("no wheel: run `maturin build --release` first (or set MF_WINDMILL_WHEEL)")
    return found[-1]


@pytest.fixture(scope="session")
def venv(tmp_path_factory):
    """A fresh venv with the pinned Metaflow and the wheel (the user's `pip install`)."""
    d = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(d)], check=True)
    py = d / "bin" / "python"
    subprocess.run(
        [str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         METAFLOW_PIN, _wheel()],
        check=True,
    )
    return py


@pytest.fixture(scope="session")
def fake():
    """The loopback Windmill; asserts at the end that every request followed the API."""
    binary = os.environ.get(
        "FAKE_WINDMILL_BIN", str(ROOT / "target" / "release" / "examples" / "fake_windmill")
    )
    tmp = tempfile.mkdtemp(prefix="fake-wm-")
    url_file = os.path.join(tmp, "url")
    env = dict(os.environ, FAKE_WINDMILL_TOKEN=TOKEN)
    proc = subprocess.Popen(
        [binary, "--url-file", url_file, "--workers", "2", "--env", "USERNAME=tester"],
        env=env, stderr=subprocess.PIPE, text=True,
    )
    for _ in range(200):
        if os.path.exists(url_file):
            break
        if proc.poll() is not None:
            pytest.fail("fake_windmill exited: %s" % proc.stderr.read())
        time.sleep(0.05)
    url = Path(url_file).read_text().strip()
    yield url
    proc.terminate()
    _, err = proc.communicate(timeout=30)
    shutil.rmtree(tmp, True)
    assert proc.returncode == 0, "the fake saw requests Windmill would refuse:\n" + err


@pytest.fixture
def work(tmp_path, venv, fake):
    """A project directory with the test flows, its own datastore, and the user's env."""
    for f in FLOWS.iterdir():
        shutil.copy(f, tmp_path / f.name)
    sysroot = tmp_path / "ds"
    sysroot.mkdir()
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("METAFLOW_", "WINDMILL_", "MF_WINDMILL"))
    }
    env.update(
        USERNAME="tester",
        METAFLOW_DATASTORE_SYSROOT_LOCAL=str(sysroot),
        METAFLOW_DEFAULT_DATASTORE="local",
        METAFLOW_DEFAULT_METADATA="local",
        WINDMILL_HOST=fake,
        WINDMILL_TOKEN=TOKEN,
        MF_WINDMILL_POLL_MS="100",
    )
    return Work(tmp_path, venv, env)


class Work(object):
    def __init__(self, path, python, env):
        self.path = path
        self.python = str(python)
        self.env = env
        self.outputs = []

    def flow(self, name, *args, check=True, env=None, timeout=600):
        """`python <name> --no-pylint ARGS` in the project directory (argv, no shell)."""
        p = subprocess.run(
            [self.python, name, "--no-pylint", *args],
            cwd=self.path, env=dict(self.env, **(env or {})),
            capture_output=True, text=True, timeout=timeout,
        )
        self.outputs.append(p.stdout + p.stderr)
        if check and p.returncode != 0:
            pytest.fail("%s %s exited %d:\n%s%s" % (name, " ".join(args), p.returncode,
                                                   p.stdout, p.stderr))
        return p

    def py(self, code, timeout=600):
        """Run Python code in the venv under test (Metaflow's client, the Deployer API)."""
        p = subprocess.run(
            [self.python, "-c", textwrap.dedent(code)],
            cwd=self.path, env=self.env, capture_output=True, text=True, timeout=timeout,
        )
        self.outputs.append(p.stdout + p.stderr)
        if p.returncode != 0:
            pytest.fail("python exited %d:\n%s%s" % (p.returncode, p.stdout, p.stderr))
        lines = [l for l in p.stdout.splitlines() if l.startswith("RESULT ")]
        assert lines, p.stdout + p.stderr
        return json.loads(lines[-1][len("RESULT "):])

    def run_info(self, flow, run_id, wait=True):
        """What Metaflow's client says about a run (waits for it to finish)."""
        return self.py(
            """
            import json, time
            from metaflow import Flow, namespace
            namespace(None)
            deadline = time.time() + 300
            while True:
                try:
                    run = Flow(%r)[%r]
                    if run.finished or not %r:
                        break
                except Exception:
                    pass
                if time.time() > deadline:
                    raise SystemExit("run did not finish")
                time.sleep(0.5)
            steps = {}
            for s in run:
                steps[s.id] = [
                    {"attempt": t.current_attempt, "ok": t.successful,
                     "data": {k: repr(getattr(t.data, k)) for k in ("attempt", "greeting",
                              "message", "count", "who", "branch",
                              "project_flow_name") if k in t}}
                    for t in s
                ]
            print("RESULT " + json.dumps({"successful": run.successful,
                                          "finished": run.finished,
                                          "tags": sorted(run.user_tags),
                                          "steps": steps}))
            """ % (flow, run_id, wait)
        )

    def assert_no_token(self):
        for out in self.outputs:
            assert TOKEN not in out
        for p in self.path.rglob("*"):
            if p.is_file() and p.stat().st_size < 5_000_000:
                assert TOKEN.encode() not in p.read_bytes(), p


def test_cli_create_trigger_resolves_what_metaflow_sees(work):
    """create + trigger --run-id-file of a flow whose retry count comes from a Config and
    whose Parameter default is a deploy-time function: the run does what Metaflow does."""
    flow = "resolved_flow.py"
    name = "wheel-cli-" + uuid.uuid4().hex[:8]
    py = ["--python", work.python]
    work.flow(flow, "windmill", "--name", name, "create", *py)
    work.flow(flow, "windmill", "--name", name, "trigger", "--run-id-file", "run_id",
              "--who", "argo-style")
    run_id = (work.path / "run_id").read_text().strip()
    assert run_id.startswith("wm-")
    info = work.run_info("ResolvedFlow", run_id)
    assert info["successful"], info
    flaky = info["steps"]["flaky"]
    # @retry(times=cfg.retries) with cfg.retries == 2: attempts 0 and 1 fail, 2 succeeds.
    assert flaky[0]["attempt"] == 2 and flaky[0]["data"]["attempt"] == "2", flaky
    end = info["steps"]["end"][0]["data"]
    # count's deploy-time default: len("tester") + 40, evaluated by Metaflow at create.
    assert end["message"] == repr("bonjour, argo-style! (46)"), end
    work.assert_no_token()


def test_cli_run_with_run_param_and_env_var(work):
    """`windmill run` (create + trigger + wait); parameters as --run-param and through
    Metaflow's environment-variable convention (METAFLOW_WINDMILL_RUN_<NAME>)."""
    flow = "resolved_flow.py"
    name = "wheel-run-" + uuid.uuid4().hex[:8]
    work.flow(flow, "windmill", "--name", name, "run", "--python", work.python,
              "--run-param", "count=7", "--run-id-file", "run_id",
              env={"METAFLOW_WINDMILL_RUN_WHO": "from-env"})
    run_id = (work.path / "run_id").read_text().strip()
    info = work.run_info("ResolvedFlow", run_id)
    assert info["successful"], info
    assert info["steps"]["end"][0]["data"]["message"] == repr("bonjour, from-env! (7)")
    work.assert_no_token()


def test_cli_project_branch(work):
    """@project with Metaflow's own --branch / --production top-level options: the deployed
    path and the steps' branch are what Metaflow resolved; trigger addresses the same flow."""
    flow = "project_flow.py"
    feat = work.flow(flow, "--branch", "feat", "windmill", "create", "--python", work.python)
    prod = work.flow(flow, "--production", "windmill", "create", "--python", work.python)
    assert feat.stdout.splitlines()[0] == "f/metaflow/demo-test-feat-ProjectFlow"
    assert prod.stdout.splitlines()[0] == "f/metaflow/demo-prod-ProjectFlow"
    work.flow(flow, "--branch", "feat", "windmill", "trigger", "--run-id-file", "run_id")
    info = work.run_info("ProjectFlow", (work.path / "run_id").read_text().strip())
    assert info["successful"], info
    data = info["steps"]["start"][0]["data"]
    assert data["branch"] == repr("test.feat")
    assert data["project_flow_name"] == repr("demo.test.feat.ProjectFlow")
    work.flow(flow, "--branch", "feat", "windmill", "delete")
    work.flow(flow, "--production", "windmill", "delete")


def test_cli_failure_is_reported(work):
    """A flow that fails on Windmill: `windmill run` exits non-zero, status says failure."""
    flow = "fail_flow.py"
    name = "wheel-fail-" + uuid.uuid4().hex[:8]
    p = work.flow(flow, "windmill", "--name", name, "run", "--python", work.python,
                  "--run-id-file", "run_id", check=False)
    assert p.returncode != 0
    run_id = (work.path / "run_id").read_text().strip()
    st = work.flow(flow, "windmill", "status", run_id, "--json", check=False)
    assert st.returncode == 1
    assert json.loads(st.stdout.strip().splitlines()[-1])["state"] == "failure"
    # The run failed before `end`: Metaflow never marks it finished; the failed task is there.
    info = work.run_info("FailFlow", run_id, wait=False)
    assert info["successful"] is False and info["finished"] is False
    assert [t["ok"] for t in info["steps"]["boom"]] == [False]


def test_deployer_api(work):
    """Deployer(...).windmill().create(windmill_host=..., windmill_token=...): trigger with
    parameters, wait, Metaflow's run; delete; from_deployment."""
    name = "wheel-dep-" + uuid.uuid4().hex[:8]
    env_without_connection = {k: v for k, v in work.env.items()
                              if k not in ("WINDMILL_HOST", "WINDMILL_TOKEN")}
    work.env, saved = env_without_connection, work.env
    try:
        out = work.py(
            """
            import json
            from metaflow import Deployer
            d = Deployer("resolved_flow.py").windmill(name=%r)
            df = d.create(windmill_host=%r, windmill_token=%r, python_bin=%r)
            tr = df.trigger(who="deployer", count=3)
            run = tr.wait_for_run(check_interval=1, timeout=120)
            state = tr.wait_for_completion(check_interval=1, timeout=300)
            # Every command line the Deployer ran: the token must be in none of them.
            argv = [" ".join(c.command) for c in d.spm.commands.values()]
            print("RESULT " + json.dumps({
                "argv": argv,
                "name": df.name, "flow_name": df.flow_name, "metadata": df.metadata,
                "pathspec": tr.pathspec, "state": state, "successful": run.successful,
                "message": run["end"].task.data.message,
                "attempt": run["flaky"].task.current_attempt,
                "ui": tr.windmill_ui,
            }))
            """ % (name, saved["WINDMILL_HOST"], TOKEN, work.python)
        )
    finally:
        work.env = saved
    assert len(out["argv"]) >= 2 and all(TOKEN not in a for a in out["argv"]), out["argv"]
    assert out["name"] == "f/metaflow/" + name
    assert out["flow_name"] == "ResolvedFlow"
    assert out["metadata"].startswith("local@")
    assert out["state"] == "success" and out["successful"], out
    assert out["message"] == "bonjour, deployer! (3)"
    assert out["attempt"] == 2
    assert out["ui"] and "/run/" in out["ui"]
    # from_deployment rebuilds the deployed flow from Windmill (connection from the env).
    again = work.py(
        """
        import json
        from metaflow.runner.deployer import DeployedFlow
        df = DeployedFlow.from_windmill(%r)
        tr = df.trigger(who="again")
        state = tr.wait_for_completion(check_interval=1, timeout=300)
        run = tr.run
        print("RESULT " + json.dumps({"flow_name": df.flow_name, "state": state,
                                      "message": run["end"].task.data.message,
                                      "deleted": df.delete()}))
        """ % ("f/metaflow/" + name)
    )
    assert again["flow_name"] == "ResolvedFlow"
    assert again["state"] == "success"
    # Not given: the default Metaflow evaluated at deploy time (len("tester") + 40).
    assert again["message"] == "bonjour, again! (46)"
    assert again["deleted"] is True
    work.assert_no_token()


def test_deployer_terminate(work):
    """TriggeredRun.terminate() cancels a running run on Windmill."""
    name = "wheel-term-" + uuid.uuid4().hex[:8]
    out = work.py(
        """
        import json, time
        from metaflow import Deployer
        df = Deployer("slow_flow.py").windmill(name=%r).create(python_bin=%r)
        tr = df.trigger()
        deadline = time.time() + 120
        while tr.status != "running" and time.time() < deadline:
            time.sleep(0.5)
        before = tr.status
        ok = tr.terminate()
        state = tr.wait_for_completion(check_interval=1, timeout=120)
        print("RESULT " + json.dumps({"before": before, "terminated": ok, "state": state,
                                      "again": tr.terminate()}))
        """ % (name, work.python)
    )
    assert out["before"] == "running"
    assert out["terminated"] is True
    assert out["state"] == "canceled"
    # A finished run cannot be terminated again.
    assert out["again"] is False
    work.assert_no_token()


def test_deployer_resume(work):
    """DeployedFlow.resume(origin_run_id=..., step_to_rerun=...) -> a TriggeredRun of a new
    Windmill run that clones the origin's successful tasks and re-executes the rest."""
    name = "wheel-resume-" + uuid.uuid4().hex[:8]
    marker = work.path / "FAIL_PROCESS"
    marker.write_text("x")
    first = work.py(
        """
        import json
        from metaflow import Deployer
        df = Deployer("resume_flow.py").windmill(name=%r).create(python_bin=%r)
        tr = df.trigger()
        state = tr.wait_for_completion(check_interval=1, timeout=300)
        print("RESULT " + json.dumps({"state": state, "run_id": tr.run_id}))
        """ % (name, work.python)
    )
    assert first["state"] == "failure", first
    marker.unlink()
    out = work.py(
        """
        import json
        from metaflow import Deployer, namespace
        namespace(None)
        df = Deployer("resume_flow.py").windmill(name=%r).create(python_bin=%r)
        tr = df.resume(origin_run_id=%r)
        state = tr.wait_for_completion(check_interval=1, timeout=300)
        run = tr.run
        tasks = {}
        for s in run:
            for t in s:
                md = t.metadata_dict
                tasks["%%s/%%s" %% (s.id, t.id)] = [md.get("origin-run-id"),
                                                   md.get("origin-task-id")]
        again = df.resume(origin_run_id=tr.run_id, step_to_rerun="join")
        state2 = again.wait_for_completion(check_interval=1, timeout=300)
        run2 = again.run
        cloned2 = sorted("%%s/%%s" %% (s.id, t.id) for s in run2 for t in s
                         if "origin-task-id" in t.metadata_dict)
        print("RESULT " + json.dumps({
            "state": state, "successful": run.successful, "tasks": tasks,
            "results": run["join"].task.data.results, "origin": run["join"].task.data.origin,
            "nonce_same": run["start"].task.data.nonce == run2["start"].task.data.nonce,
            "ui": tr.windmill_ui, "state2": state2, "cloned2": cloned2,
            "origin2": run2["join"].task.data.origin,
        }))
        """ % (name, work.python, first["run_id"])
    )
    origin = first["run_id"]
    assert out["state"] == "success" and out["successful"], out
    assert out["results"] == [2, 4, 6]
    assert out["origin"] == origin
    assert out["ui"] and "/run/" in out["ui"]
    cloned = {k for k, (_, task) in out["tasks"].items() if task}
    assert all(o == origin for o, _ in out["tasks"].values()), out["tasks"]
    # start and the two splits that succeeded are cloned; split 1, join and end ran anew.
    assert len(cloned) == 3 and any(k.startswith("start/") for k in cloned), cloned
    assert sum(1 for k in cloned if k.startswith("process/")) == 2, cloned
    # Resuming the resumed run from `join`: everything before it is cloned again.
    assert out["state2"] == "success"
    assert out["nonce_same"] is True
    assert [k.split("/")[0] for k in out["cloned2"]] == ["process"] * 3 + ["start"], out
    work.assert_no_token()
