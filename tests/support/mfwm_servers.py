"""The storage a Metaflow deployment on many machines shares, started on loopback for the
tests and benchmarks: an S3 server and Metaflow's metadata service.

- S3: s3s-fs 0.14.1 (crates.io, built with its `binary` feature by scripts/setup under
  .tools/), a real S3 server (SigV4 authentication, the S3 REST API of the `s3s` crate)
  storing objects as files. scripts/setup applies tests/support/s3s-fs/long-keys.patch:
  s3s-fs names each object's sidecar files after the base64 of the whole key, so keys over
  ~150 bytes (a card of a `wm-<uuid>` run) failed with ENAMETOOLONG, where S3 allows 1,024.
  MinIO, the production choice of docker-compose.yml, is in no registry this project can
  install from.
- Metadata: metaflow-local-service (PyPI), started by tests/support/metadata_service.py.

`start(scratch)` starts both, creates the bucket through the S3 API and returns the
environment a Metaflow process needs (`METAFLOW_DEFAULT_DATASTORE=s3`,
`METAFLOW_DEFAULT_METADATA=service`, the S3 root and endpoint, the service URL, the
credentials); the servers stop when this process exits.
"""

import atexit
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "mfwm-e2e"
# Credentials of the test server only: a worker gets them from the worker group's
# environment (`--env AWS_ACCESS_KEY_ID`), never from a compiled flow.
CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")


def s3_server_bin():
    """The s3s-fs binary: $S3S_FS_BIN, else the one scripts/setup installs."""
    b = os.environ.get("S3S_FS_BIN") or str(ROOT / ".tools" / "bin" / "s3s-fs")
    if not os.access(b, os.X_OK):
        raise RuntimeError(
            f"no S3 server at {b}: run scripts/setup (it installs s3s-fs under .tools/) "
            "or set S3S_FS_BIN")
    return b


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url, proc, what, ok=lambda code: code < 500):
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited ({proc.returncode}) before serving")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if ok(r.status):
                    return
        except urllib.error.HTTPError as e:
            if ok(e.code):
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer {url} within 60 s")


def _stop(procs):
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()


def start(scratch, python=sys.executable):
    """Start both servers with their data under `scratch`; returns the environment."""
    scratch = Path(scratch)
    (scratch / "s3").mkdir(parents=True, exist_ok=True)
    procs = []
    atexit.register(_stop, procs)
    logs = scratch / "logs"
    logs.mkdir(exist_ok=True)

    key, secret = "mfwm-test", secrets.token_hex(16)
    s3_port = _free_port()
    procs.append(subprocess.Popen(
        [s3_server_bin(), "--host", "127.0.0.1", "--port", str(s3_port),
         "--access-key", key, "--secret-key", secret, str(scratch / "s3")],
        stdout=open(logs / "s3.log", "wb"), stderr=subprocess.STDOUT))
    endpoint = f"http://127.0.0.1:{s3_port}"
    # Any HTTP answer (403 without credentials) means it serves.
    _wait(endpoint, procs[-1], "s3s-fs")

    md_port = _free_port()
    procs.append(subprocess.Popen(
        [python, str(Path(__file__).with_name("metadata_service.py")),
         "--port", str(md_port), "--root", str(scratch / "metadata")],
        stdout=open(logs / "metadata.log", "wb"), stderr=subprocess.STDOUT))
    service = f"http://127.0.0.1:{md_port}"
    _wait(service + "/ping", procs[-1], "the metadata service", ok=lambda c: c == 200)

    env = {
        "METAFLOW_DEFAULT_DATASTORE": "s3",
        "METAFLOW_DEFAULT_METADATA": "service",
        "METAFLOW_DATASTORE_SYSROOT_S3": f"s3://{BUCKET}/metaflow",
        "METAFLOW_S3_ENDPOINT_URL": endpoint,
        "METAFLOW_SERVICE_URL": service,
        "AWS_ACCESS_KEY_ID": key,
        "AWS_SECRET_ACCESS_KEY": secret,
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    import boto3

    boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=key,
                 aws_secret_access_key=secret, region_name="us-east-1").create_bucket(Bucket=BUCKET)
    return env


def start_for_session(prefix="mfwm-s3-"):
    """`start` in a fresh temporary directory removed at exit."""
    import tempfile

    d = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, d, True)
    return start(d)
