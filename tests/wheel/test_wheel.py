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
                              "project_flow_name", "seen") if k in t}}
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


def test_cli_create_forwards_worker_routing(work):
    """`python flow.py windmill create --worker-tag STEP=TAG --worker-tag-map RULES` routes
    steps as `mf-windmill create` does: the step module carries the worker tag (rawscript
    `tag`), others none; an unknown step is refused before anything is deployed."""
    flow = "resolved_flow.py"
    p = work.flow(flow, "windmill", "create", "--only-json", "--python", work.python,
                  "--worker-tag", "flaky=gpu",
                  "--worker-tag-map", '[{"tag": "big", "cpu": 1}]')
    doc = json.loads(p.stdout[p.stdout.index("{"):])
    tags = {m["id"]: m["value"].get("tag") for m in doc["flow"]["value"]["modules"]
            if m["value"].get("type") == "rawscript"}
    # The override routes flaky; the rules read @resources, which no other step has, so
    # they stay on the default workers (as `mf-windmill create` does, docs/events.md).
    assert tags["flaky"] == "gpu" and tags["start"] is None and tags["end"] is None, tags
    bad = work.flow(flow, "windmill", "create", "--only-json", "--python", work.python,
                    "--worker-tag", "nosuch=gpu", check=False)
    assert bad.returncode != 0 and "nosuch" in bad.stdout + bad.stderr
    work.assert_no_token()


def test_deploy_time_default_is_evaluated_once_per_deploy(work):
    """create evaluates a deploy-time default once; trigger, list-runs and delete use the
    deployed value and never call the function again (Argo's trigger does not either)."""
    flow = "once_flow.py"
    name = "wheel-once-" + uuid.uuid4().hex[:8]
    marker = work.path / "once_flow.evaluated"
    if marker.exists():
        marker.unlink()
    work.flow(flow, "windmill", "--name", name, "create", "--python", work.python)
    assert marker.exists()
    work.flow(flow, "windmill", "--name", name, "trigger", "--run-id-file", "once_id")
    run_id = (work.path / "once_id").read_text().strip()
    info = work.run_info("OnceFlow", run_id)
    assert info["successful"], info
    assert info["steps"]["start"][0]["data"]["seen"] == repr("stamped by tester"), info
    work.flow(flow, "windmill", "--name", name, "list-runs")
    work.flow(flow, "windmill", "--name", name, "delete")
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
    """A flow that fails on Windmill: `windmill run` exits non-zero, status says FAILED in
    Metaflow's words (Windmill's own word in windmill_state)."""
    flow = "fail_flow.py"
    name = "wheel-fail-" + uuid.uuid4().hex[:8]
    p = work.flow(flow, "windmill", "--name", name, "run", "--python", work.python,
                  "--run-id-file", "run_id", check=False)
    assert p.returncode != 0
    run_id = (work.path / "run_id").read_text().strip()
    st = work.flow(flow, "windmill", "status", run_id, "--json", check=False)
    assert st.returncode == 1
    st = json.loads(st.stdout.strip().splitlines()[-1])
    assert (st["status"], st["windmill_state"]) == ("FAILED", "failure"), st
    text = work.flow(flow, "windmill", "status", run_id, check=False)
    assert text.returncode == 1 and ": FAILED (Windmill: failure)" in text.stdout, text.stdout
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
    assert out["state"] == "SUCCEEDED" and out["successful"], out
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
    assert again["state"] == "SUCCEEDED"
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
        while tr.status != "RUNNING" and time.time() < deadline:
            time.sleep(0.5)
        before = tr.status
        ok = tr.terminate()
        state = tr.wait_for_completion(check_interval=1, timeout=120)
        print("RESULT " + json.dumps({"before": before, "terminated": ok, "state": state,
                                      "again": tr.terminate()}))
        """ % (name, work.python)
    )
    assert out["before"] == "RUNNING"
    assert out["terminated"] is True
    # Cancelled on Windmill: ABORTED, as Step Functions says it (test/ux counts it failed).
    assert out["state"] == "ABORTED"
    # A finished run cannot be terminated again.
    assert out["again"] is False
    work.assert_no_token()


def test_deployer_status_words_and_waiting_that_ends(work):
    """A failing run's TriggeredRun.status is FAILED (and is_running False) once Windmill
    says the flow failed; wait_for_completion returns FAILED. When the token is refused it
    stops at once, when the server is unreachable after a bounded number of polls, each
    with an error naming the cause; Metaflow's client agrees the run failed."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = "http://127.0.0.1:%d" % s.getsockname()[1]
    name = "wheel-words-" + uuid.uuid4().hex[:8]
    out = work.py(
        """
        import json, time
        from metaflow import Deployer
        from metaflow.exception import MetaflowException
        df = Deployer("fail_flow.py").windmill(name=%r).create(python_bin=%r)
        tr = df.trigger()
        seen = set()
        deadline = time.time() + 120
        while time.time() < deadline:
            s = tr.status
            seen.add(s)
            if s not in ("PENDING", "RUNNING"):
                break
            time.sleep(0.2)
        final = tr.wait_for_completion(check_interval=1, timeout=120)
        run = tr.run
        errors = {}
        for key, value in (("WINDMILL_TOKEN", "wrong-token"), ("WINDMILL_HOST", %r)):
            saved = tr.deployer.env_vars.get(key)
            tr.deployer.env_vars[key] = value
            t0 = time.time()
            try:
                tr.wait_for_completion(check_interval=0.1, timeout=60)
                errors[key] = "no error"
            except MetaflowException as e:
                errors[key] = str(e)
            errors[key + "_s"] = time.time() - t0
            errors[key + "_status"] = tr.status
            tr.deployer.env_vars[key] = saved
        print("RESULT " + json.dumps({
            "seen": sorted(x or "None" for x in seen), "last": s, "final": final,
            "is_running": tr.is_running, "successful": run.successful,
            "finished": run.finished, "errors": errors}))
        """ % (name, work.python, dead)
    )
    assert out["last"] == "FAILED" and out["final"] == "FAILED", out
    assert set(out["seen"]) <= {"PENDING", "RUNNING", "FAILED"}, out
    assert out["is_running"] is False
    assert out["successful"] is False and out["finished"] is False
    e = out["errors"]
    assert "rejected the token" in e["WINDMILL_TOKEN"], e
    assert "wrong-token" not in e["WINDMILL_TOKEN"]
    assert e["WINDMILL_TOKEN_s"] < 10 and e["WINDMILL_TOKEN_status"] is None, e
    assert "connection refused" in e["WINDMILL_HOST"] and "5 attempts" in e["WINDMILL_HOST"], e
    assert e["WINDMILL_HOST_status"] is None, e
    work.assert_no_token()


_MUTATOR_DATA = """
def data(run):
    start = run["start"].task
    return {"successful": run.successful, "attempt": start.current_attempt,
            "mutated": start.data.mutated, "added": start.data.added_value,
            "list": start.data.list_value, "end_env": run["end"].task.data.end_env}
"""


def test_mutator_flow_through_the_extension(work):
    """A FlowMutator adds a parameter and a StepMutator adds @environment and @retry from a
    Config; a string Parameter has a separator. Deployed through the Deployer (Metaflow's
    evaluated view is the truth), the run does what `python flow.py run` does: the added
    parameter (default and given, as keyword and as a run_params list), the environment
    and the retry of the start step only, the separator-split list."""
    flow = "mutator_flow.py"
    work.flow(flow, "run", "--run-id-file", "local_run_id")
    local_id = (work.path / "local_run_id").read_text().strip()
    name = "wheel-mut-" + uuid.uuid4().hex[:8]
    out = work.py(
        _MUTATOR_DATA + """
import json
from metaflow import Deployer, Flow, namespace
namespace(None)
df = Deployer(%r).windmill(name=%r).create(python_bin=%r)
local = data(Flow("MutatorFlow")[%r])
runs = {}
for key, kwargs in (("default", {}), ("given", {"added": "given", "list_param": "x,y"}),
                    ("run_params", {"run_params": ["added=listed", "list_param=p,q"]})):
    tr = df.trigger(**kwargs)
    status = tr.wait_for_completion(check_interval=1, timeout=300)
    runs[key] = dict(data(tr.run), status=status)
print("RESULT " + json.dumps({"local": local, "runs": runs}))
""" % (flow, name, work.python, local_id)
    )
    local, runs = out["local"], out["runs"]
    assert local["successful"] and local["attempt"] == 1, local
    assert runs["default"] == dict(local, status="SUCCEEDED"), (runs["default"], local)
    assert runs["given"]["added"] == "given" and runs["given"]["list"] == ["x", "y"], runs
    assert runs["run_params"]["added"] == "listed", runs
    assert runs["run_params"]["list"] == ["p", "q"], runs
    work.assert_no_token()


def test_list_deployed_flows_and_from_deployment_by_project_name(work):
    """DeployedFlow.list_windmill() lists the flows mf-windmill deployed (filtered by flow
    name); from_windmill accepts Metaflow's @project name `project.branch.FlowName` as well
    as the Windmill path; without the connection in the environment the error names it."""
    work.flow("project_flow.py", "--branch", "lister", "windmill", "create",
              "--python", work.python)
    work.flow("resolved_flow.py", "windmill", "--name", "wheel-lst-" + uuid.uuid4().hex[:8],
              "create", "--python", work.python)
    out = work.py(
        """
        import json
        from metaflow.runner.deployer import DeployedFlow
        listed = sorted((d.name, d.flow_name) for d in DeployedFlow.list_windmill())
        only = sorted((d.name, d.flow_name)
                      for d in DeployedFlow.list_windmill(flow_name="ProjectFlow"))
        df = DeployedFlow.from_windmill("demo.test.lister.ProjectFlow")
        tr = df.trigger()
        status = tr.wait_for_completion(check_interval=1, timeout=300)
        run = tr.run
        by_path = DeployedFlow.from_windmill(df.name)
        errors = {}
        for ident in ("demo.test.nobody.ProjectFlow", "f/metaflow/not-there"):
            try:
                DeployedFlow.from_windmill(ident)
                errors[ident] = "no error"
            except Exception as e:
                errors[ident] = str(e)
        print("RESULT " + json.dumps({
            "listed": listed, "only": only, "name": df.name, "flow_name": df.flow_name,
            "status": status, "branch": run["start"].task.data.branch,
            "by_path": [by_path.name, by_path.flow_name], "errors": errors}))
        """
    )
    assert ["f/metaflow/demo-test-lister-ProjectFlow", "ProjectFlow"] in out["listed"], out
    assert any(f == "ResolvedFlow" for _, f in out["listed"]), out
    assert out["only"] and all(f == "ProjectFlow" for _, f in out["only"]), out
    assert ["f/metaflow/demo-test-lister-ProjectFlow", "ProjectFlow"] in out["only"], out
    assert out["name"] == "f/metaflow/demo-test-lister-ProjectFlow"
    assert out["flow_name"] == "ProjectFlow"
    assert out["status"] == "SUCCEEDED" and out["branch"] == "test.lister", out
    assert out["by_path"] == [out["name"], "ProjectFlow"]
    for ident, err in out["errors"].items():
        assert "No deployed flow found for " + ident in err, err
    # Without the connection: the error names the missing variables, not the flow.
    saved = work.env
    work.env = {k: v for k, v in saved.items() if k not in ("WINDMILL_HOST", "WINDMILL_TOKEN")}
    try:
        miss = work.py(
            """
            import json
            from metaflow.runner.deployer import DeployedFlow
            try:
                DeployedFlow.from_windmill("demo.test.lister.ProjectFlow")
                err = "no error"
            except Exception as e:
                err = str(e)
            print("RESULT " + json.dumps(err))
            """
        )
    finally:
        work.env = saved
    assert "WINDMILL_HOST and WINDMILL_TOKEN not set" in miss, miss
    assert "No deployed flow found" not in miss
    work.flow("project_flow.py", "--branch", "lister", "windmill", "delete")
    work.assert_no_token()


def test_tags_as_metaflow_sets_them(work):
    """Tags given at deploy time are the run's user tags and `current.tags` in every task
    (start, foreach children, join, end), as `python flow.py run --tag ...` sets them; a
    flow deployed without tags has none, as Argo's."""
    flow = "tags_flow.py"
    tags = ["\u523a\u8eab means sashimi", "multiple tags should be ok"]
    work.flow(flow, "run", "--tag", tags[0], "--tag", tags[1], "--run-id-file", "local_id")
    local_id = (work.path / "local_id").read_text().strip()
    name = "wheel-tags-" + uuid.uuid4().hex[:8]
    out = work.py(
        """
        import json
        from metaflow import Deployer, Flow, namespace
        namespace(None)
        def data(run):
            return {"user_tags": sorted(run.user_tags),
                    "start": run["start"].task.data.seen["start"],
                    "each": sorted(t.data.mine for t in run["each"]),
                    "children": run["join"].task.data.children,
                    "join": run["join"].task.data.here,
                    "end": run["end"].task.data.last}
        local = data(Flow("TagsFlow")[%r])
        tagged = Deployer(%r).windmill(name=%r).create(python_bin=%r, tags=%r)
        tr = tagged.trigger()
        tr.wait_for_completion(check_interval=1, timeout=300)
        remote = data(tr.run)
        bare = Deployer(%r).windmill(name=%r).create(python_bin=%r)
        tr = bare.trigger()
        tr.wait_for_completion(check_interval=1, timeout=300)
        print("RESULT " + json.dumps({"local": local, "remote": remote,
                                      "bare": data(tr.run)}))
        """ % (local_id, flow, name, work.python, tags, flow, name + "-bare", work.python)
    )
    local, remote, bare = out["local"], out["remote"], out["bare"]
    assert sorted(tags) == local["user_tags"] == local["start"] == local["end"], local
    assert remote == local, (remote, local)
    assert bare["user_tags"] == [] and bare["start"] == [] and bare["end"] == [], bare
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
    assert first["state"] == "FAILED", first
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
    assert out["state"] == "SUCCEEDED" and out["successful"], out
    assert out["results"] == [2, 4, 6]
    assert out["origin"] == origin
    assert out["ui"] and "/run/" in out["ui"]
    cloned = {k for k, (_, task) in out["tasks"].items() if task}
    assert all(o == origin for o, _ in out["tasks"].values()), out["tasks"]
    # start and the two splits that succeeded are cloned; split 1, join and end ran anew.
    assert len(cloned) == 3 and any(k.startswith("start/") for k in cloned), cloned
    assert sum(1 for k in cloned if k.startswith("process/")) == 2, cloned
    # Resuming the resumed run from `join`: everything before it is cloned again.
    assert out["state2"] == "SUCCEEDED"
    assert out["nonce_same"] is True
    assert [k.split("/")[0] for k in out["cloned2"]] == ["process"] * 3 + ["start"], out
    work.assert_no_token()
