"""mf-windmill events on Windmill (generated code bundle; stdlib only; do not edit).

The dispatcher of Metaflow events (@trigger / @trigger_on_finish) on Windmill: read the
workspace's event registry, the variable `f/metaflow/events` (GET
/api/w/{ws}/variables/get_value/{path}, backend/windmill-api/src/variables.rs), and start
each flow listening to the event (POST /api/w/{ws}/jobs/run/f/{path},
backend/windmill-api/src/jobs.rs) with the payload fields mapped to its parameters and the
trigger in the flow input `_mfwm_trigger` (the runner exposes it as `current.trigger`).

The job's own credentials are used: Windmill gives every job `BASE_INTERNAL_URL`,
`WM_WORKSPACE` and `WM_TOKEN` in its environment (backend/windmill-worker/src/
bash_executor.rs, backend/windmill-common/src/variables.rs `get_reserved_variables`). The
token is only ever sent in the Authorization header; it is never printed.

Used by the flow's finish module (publishes `metaflow.<project_flow_name>.end` after a
successful run) and by steps: `WindmillEvent(name).publish(payload)` /
`safe_publish(...)`, shaped like Metaflow's `ArgoEvent`.
"""

import json
import os
import sys
import time
import uuid

REGISTRY = "f/metaflow/events"
TRIGGER_INPUT = "_mfwm_trigger"


class WindmillEventException(Exception):
    pass


def _api(method, rest, body=None):
    import urllib.error
    import urllib.request

    base = os.environ.get("BASE_INTERNAL_URL", "")
    ws = os.environ.get("WM_WORKSPACE", "")
    token = os.environ.get("WM_TOKEN", "")
    if not (base and ws and token):
        raise WindmillEventException(
            "BASE_INTERNAL_URL, WM_WORKSPACE or WM_TOKEN is not set (not inside a Windmill job?)"
        )
    url = "%s/api/w/%s/%s" % (base.rstrip("/"), ws, rest)
    data = None
    headers = {"Authorization": "Bearer " + token}
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def registry():
    """The registry as a dict ({} when the workspace has none)."""
    status, text = _api("GET", "variables/get_value/" + REGISTRY)
    if status == 404:
        return {}
    if status != 200:
        raise WindmillEventException("reading %s: HTTP %d %s" % (REGISTRY, status, text[:200]))
    # get_value answers the value as a JSON string; the value is the registry's JSON text.
    value = json.loads(text)
    return json.loads(value) if isinstance(value, str) and value else {}


def flow_args(entry, payload):
    """The flow inputs of a listener for a payload, or None when a required parameter's
    field is missing (Argo's sensor filters such events out)."""
    args = {}
    for param, field in (entry.get("parameters") or {}).items():
        if field in payload:
            args[param] = payload[field]
        elif param in (entry.get("required") or []):
            return None
    return args


def dispatch(name, payload, kind="event"):
    """Start every flow listening to `name`; returns [(flow path, job id)]."""
    meta = {
        "name": name,
        "id": payload.get("id") or str(uuid.uuid4()),
        "timestamp": payload.get("timestamp") or int(time.time()),
        "type": kind,
    }
    started = []
    for entry in (registry().get("events") or {}).get(name, []):
        args = flow_args(entry, payload)
        if args is None:
            sys.stderr.write(
                "mf-windmill: event %s does not start %s: a required parameter is not in the payload\n"
                % (name, entry.get("flow_path"))
            )
            continue
        args[TRIGGER_INPUT] = json.dumps([dict(meta, type=entry.get("type", kind))])
        job = str(uuid.uuid4())
        status, text = _api("POST", "jobs/run/f/%s?job_id=%s" % (entry["flow_path"], job), args)
        if status not in (200, 201):
            raise WindmillEventException(
                "starting %s: HTTP %d %s" % (entry["flow_path"], status, text[:200])
            )
        started.append((entry["flow_path"], text.strip().strip('"') or job))
    return started


class WindmillEvent(object):
    """`ArgoEvent`'s shape on Windmill: `WindmillEvent("data_ready").publish({"day": 3})`
    starts the deployed flows whose @trigger listens to `data_ready`."""

    def __init__(self, name, payload=None):
        self._name = name
        self._payload = dict(payload or {})

    def add_to_payload(self, key, value):
        self._payload[key] = str(value) if not isinstance(value, (str, int, float, bool)) else value
        return self

    def publish(self, payload=None, force=True, ignore_errors=True):
        p = dict(self._payload)
        p.update(payload or {})
        p.setdefault("name", self._name)
        p.setdefault("id", str(uuid.uuid4()))
        p.setdefault("timestamp", int(time.time()))
        try:
            started = dispatch(self._name, p)
            for path, job in started:
                sys.stderr.write("mf-windmill: event %s started %s (job %s)\n" % (self._name, path, job))
            return p["id"]
        except Exception as e:
            if not ignore_errors:
                raise
            sys.stderr.write("mf-windmill: event %s not published: %s\n" % (self._name, e))
            return None

    def safe_publish(self, payload=None, ignore_errors=True):
        return self.publish(payload=payload, force=False, ignore_errors=ignore_errors)


def finish_main(plan, prev_text):
    """The finish module: publish the run's finish event(s) as Argo's internal decorator
    does at the end step, then pass the end step's result on unchanged."""
    try:
        prev = json.loads(prev_text) if prev_text else None
    except ValueError:
        prev = None
    try:
        tail = (prev or {}).get("pathspec") if isinstance(prev, dict) else None
        if not tail:
            raise WindmillEventException("the end step's result has no pathspec")
        run_id, step, task_id = tail.split("/", 2)
        pathspec = "%s/%s" % (plan["flow"], tail)
        for name in plan["events"]:
            payload = {
                "name": name,
                "id": pathspec,
                "pathspec": pathspec,
                "flow_name": plan["flow"],
                "run_id": run_id,
                "step_name": step,
                "task_id": task_id,
                "timestamp": int(time.time()),
                "auto-generated-by-metaflow": True,
            }
            payload.update(plan.get("project") or {})
            for path, job in dispatch(name, payload, kind="run"):
                sys.stderr.write("mf-windmill: %s started %s (job %s)\n" % (name, path, job))
    except Exception as e:  # never changes the run's outcome
        sys.stderr.write("mf-windmill: finish event not published: %s\n" % e)
    with open("result.json", "w") as f:
        f.write(json.dumps(prev))
