"""`WindmillEvent`: publish a Metaflow event on Windmill, shaped like Metaflow's
`ArgoEvent` (`plugins/argo/argo_events.py`): `WindmillEvent("data_ready").publish({...})`
starts every deployed flow whose @trigger listens to `data_ready` (docs/events.md).

Inside a Windmill job (a step of a compiled flow) it uses the job's own credentials
through the dispatcher bundled with the flow (`_mfwm/mfwm_events.py`). Anywhere else it
runs `mf-windmill publish NAME --payload JSON`, which reads WINDMILL_HOST,
WINDMILL_WORKSPACE and WINDMILL_TOKEN from the environment (the token never goes on a
command line)."""

import json
import os
import subprocess
import sys
import time
import uuid


class WindmillEventException(Exception):
    pass


def _in_job():
    return all(os.environ.get(k) for k in ("BASE_INTERNAL_URL", "WM_WORKSPACE", "WM_TOKEN"))


class WindmillEvent(object):
    def __init__(self, name, payload=None):
        self._name = name
        self._payload = dict(payload or {})

    def add_to_payload(self, key, value):
        self._payload[key] = value if isinstance(value, (str, int, float, bool)) else str(value)
        return self

    def publish(self, payload=None, force=True, ignore_errors=True):
        """Start the listening flows; returns the event id (None when publishing failed
        and `ignore_errors`)."""
        p = dict(self._payload)
        p.update(payload or {})
        p.setdefault("name", self._name)
        p.setdefault("id", str(uuid.uuid4()))
        p.setdefault("timestamp", int(time.time()))
        try:
            if _in_job():
                try:
                    from mfwm_events import dispatch
                except ImportError:
                    dispatch = None
                if dispatch is not None:
                    dispatch(self._name, p)
                    return p["id"]
            from metaflow_windmill import binary_path

            proc = subprocess.run(
                [binary_path(), "publish", self._name, "--payload", json.dumps(p)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
            )
            if proc.returncode != 0:
                raise WindmillEventException(proc.stderr.strip() or "mf-windmill publish failed")
            sys.stderr.write(proc.stderr)
            return p["id"]
        except Exception as e:
            if not ignore_errors:
                raise
            sys.stderr.write("mf-windmill: event %s not published: %s\n" % (self._name, e))
            return None

    def safe_publish(self, payload=None, ignore_errors=True):
        return self.publish(payload=payload, force=False, ignore_errors=ignore_errors)
