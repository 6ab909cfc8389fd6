"""@trigger / @trigger_on_finish on Windmill (docs/events.md), against the fake Windmill
(examples/fake_windmill.rs, which executes flows with the local executor): `create`
registers what a flow listens to in the variable `f/metaflow/events`, `mf-windmill
publish` starts exactly the listening flows with the mapped parameters, a successful run
starts the flows waiting for it (a failed one does not), `delete` leaves nothing behind.
Outcomes are judged with Metaflow's client (parameters, `current.trigger` as recorded by
the steps).

Environment: MF_WINDMILL_BIN (mfwm_e2e.py), FAKE_WINDMILL_BIN (default:
target/debug/examples/fake_windmill, `cargo build --examples`)."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from mfwm_e2e import _SYSROOT, BIN, ROOT

FLOWS = ROOT / "tests" / "e2e" / "flows"
TOKEN = "wmTOKEN-events-leakcheck-3b9e07"
REGISTRY = "f/metaflow/events"


@pytest.fixture(scope="module")
def fake():
    binary = os.environ.get(
        "FAKE_WINDMILL_BIN", str(ROOT / "target" / "debug" / "examples" / "fake_windmill")
    )
    tmp = tempfile.mkdtemp(prefix="fake-wm-events-")
    url_file = os.path.join(tmp, "url")
    proc = subprocess.Popen(
        [binary, "--url-file", url_file, "--workers", "2", "--env", "USERNAME=tester"],
        env=dict(os.environ, FAKE_WINDMILL_TOKEN=TOKEN), stderr=subprocess.PIPE, text=True,
    )
    for _ in range(200):
        if os.path.exists(url_file):
            break
        if proc.poll() is not None:
            pytest.fail("fake_windmill exited: %s" % proc.stderr.read())
        time.sleep(0.05)
    yield Path(url_file).read_text().strip()
    proc.terminate()
    _, err = proc.communicate(timeout=30)
    shutil.rmtree(tmp, True)
    assert proc.returncode == 0, "the fake saw requests Windmill would refuse:\n" + err
    assert TOKEN not in err


class Mf(object):
    def __init__(self, url):
        self.url = url
        self.env = dict(os.environ, WINDMILL_HOST=url, WINDMILL_TOKEN=TOKEN,
                        MF_WINDMILL_POLL_MS="100")

    def __call__(self, *args, check=True):
        p = subprocess.run([BIN, *args], env=self.env, capture_output=True, text=True,
                           timeout=600)
        assert TOKEN not in p.stdout + p.stderr
        if check:
            assert p.returncode == 0, "%s: %s%s" % (args, p.stdout, p.stderr[-3000:])
        return p

    def flow_args(self, name):
        return [str(FLOWS / name), "--python", sys.executable, "--user", "tester",
                "--datastore-root", os.path.join(_SYSROOT, ".metaflow")]

    def create(self, name):
        return self("create", *self.flow_args(name))

    def registry(self):
        """The registry variable's value, or None when it does not exist."""
        req = urllib.request.Request(
            "%s/api/w/admins/variables/exists/%s" % (self.url, REGISTRY),
            headers={"Authorization": "Bearer " + TOKEN})
        with urllib.request.urlopen(req) as r:
            if not json.loads(r.read()):
                return None
        req = urllib.request.Request(
            "%s/api/w/admins/variables/get_value/%s" % (self.url, REGISTRY),
            headers={"Authorization": "Bearer " + TOKEN})
        with urllib.request.urlopen(req) as r:
            return json.loads(json.loads(r.read()))

    def runs(self, name):
        """Pathspecs of the deployed flow's runs, from Windmill's job list."""
        p = self("list-runs", *self.flow_args(name))
        return [l.split()[0] for l in p.stdout.splitlines() if "/wm-" in l]


@pytest.fixture(scope="module")
def mf(fake):
    return Mf(fake)


def finished_run(pathspec, timeout=180):
    from metaflow import Run, namespace
    from metaflow.exception import MetaflowNotFound

    namespace(None)
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            r = Run(pathspec)
            if r.finished:
                return r
        except MetaflowNotFound:
            pass
        time.sleep(0.5)
    pytest.fail("run %s did not finish" % pathspec)


def current_trigger_id(run):
    """The event id the start task recorded (`execution-triggers`, as on Argo)."""
    return json.loads(run["start"].task.metadata_dict["execution-triggers"])[0]["id"]


def test_publish_starts_exactly_the_listening_flows_with_mapped_parameters(mf):
    mf.create("events_consumer.py")
    mf.create("events_consumer.py")  # idempotent: still one entry
    mf.create("events_bystander.py")
    reg = mf.registry()
    assert [e["flow_name"] for e in reg["events"]["data_ready"]] == ["EventsConsumerFlow"]
    assert reg["events"]["data_ready"][0]["parameters"] == {"day": "date"}
    assert sorted(reg["events"]) == ["data_ready", "other_event", "yet_another"]

    p = mf("publish", "data_ready", "--payload", json.dumps({"date": 7, "unrelated": 1}))
    started = p.stdout.split()
    assert len(started) == 1 and started[0].startswith("EventsConsumerFlow/wm-"), p.stdout
    r = finished_run(started[0])
    assert r.successful
    assert r.data.day == 7 and r.data.note == "unset"
    assert r.data.trigger_name == "data_ready" and r.data.trigger_type == "event"
    assert r.data.end_trigger_name == "data_ready"  # current.trigger in later steps too
    assert mf.runs("events_bystander.py") == []

    # From a step, with the job's own credentials (WindmillEvent, shaped like ArgoEvent).
    p = mf("run", *mf.flow_args("events_publisher.py"), "--run-param", "date=11")
    pub = finished_run(p.stdout.splitlines()[0])
    runs = mf.runs("events_consumer.py")
    assert len(runs) == 2 and started[0] in runs, runs
    r = finished_run(runs[0])  # newest first
    assert r.data.day == 11 and r.data.trigger_name == "data_ready"
    assert current_trigger_id(r) == pub.data.event_id
    assert mf.runs("events_bystander.py") == []

    # Outside Windmill, the wheel extension's WindmillEvent (metaflow.integrations) runs
    # `mf-windmill publish` with the connection from the environment.
    code = ("from metaflow.integrations import WindmillEvent\n"
            "print(WindmillEvent('data_ready').publish({'date': 5}, ignore_errors=False))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env=dict(mf.env, MF_WINDMILL_BIN=BIN,
                                PYTHONPATH=str(ROOT / "python")), timeout=120)
    assert p.returncode == 0 and TOKEN not in p.stdout + p.stderr, p.stderr[-2000:]
    runs = mf.runs("events_consumer.py")
    assert len(runs) == 3, runs
    r = finished_run(runs[0])
    assert r.data.day == 5 and current_trigger_id(r) == p.stdout.strip()
    # An event nobody listens to starts nothing.
    assert mf("publish", "nobody_listens").stdout.strip() == ""


def test_a_successful_run_starts_the_flows_waiting_for_it_and_a_failed_one_does_not(mf):
    mf.create("events_downstream.py")
    assert mf.registry()["events"]["metaflow.EventsUpstreamFlow.end"][0]["type"] == "run"
    p = mf("run", *mf.flow_args("events_upstream.py"), "--run-param", "fail=true", check=False)
    assert p.returncode == 1, p.stderr[-2000:]
    # The finish module never ran: Windmill stops at the failed end step.
    assert mf.runs("events_downstream.py") == []

    p = mf("run", *mf.flow_args("events_upstream.py"))
    upstream = p.stdout.splitlines()[0]
    assert upstream.startswith("EventsUpstreamFlow/wm-")
    # The finish module started the downstream flow before the upstream run ended.
    down = mf.runs("events_downstream.py")
    assert len(down) == 1, down
    r = finished_run(down[0])
    assert r.successful
    assert r.data.upstream == upstream and r.data.trigger_type == "run"
    assert r.data.end_upstream == upstream


def test_delete_removes_the_registry_entries_and_leaves_nothing_behind(mf):
    for f in ["events_consumer.py", "events_bystander.py", "events_downstream.py"]:
        mf.create(f)  # whatever the earlier tests left
    mf("delete", *mf.flow_args("events_consumer.py"))
    reg = mf.registry()
    assert "data_ready" not in reg["events"] and "other_event" in reg["events"]
    mf("delete", *mf.flow_args("events_bystander.py"))
    mf("delete", *mf.flow_args("events_downstream.py"))
    assert mf.registry() is None
