# mf-windmill step bootstrap (generated; stdlib only; do not edit). Every step script feeds
# this to Python on stdin (zlib + base64, see src/emit/script.rs), the plan on fd 3 and, for
# the start step only, the base64 code bundle on fd 4. It gets the flow's one code bundle into this worker's cache, then runs the
# bundled runner (_mfwm/runner.py) from there. The bundle is content-addressed (sha256):
#  - start: verify the inline bundle, store it in the flow's datastore at
#    <Flow>/_mfwm/code/<sha256>.tgz (idempotent, atomic), before anything else runs;
#  - other steps: fetch it from there (once per worker) and verify it;
#  - cache: ${TMPDIR:-/tmp}/mfwm-code/<sha256>/, extracted into a temp dir and renamed.
import sys

if sys.path and sys.path[0] in ("", "."):
    del sys.path[0]  # `python -c`: never import from the job directory

import os  # noqa: E402


def die(msg):
    sys.stderr.write("mf-windmill: %s\n" % msg)
    sys.stderr.flush()
    sys.exit(1)


def json_loader():
    """json.loads without importing json, whose decoder imports `re` (~5 ms, paid by every
    task): CPython's C scanner, the one json.loads itself uses; json.loads where it is missing."""
    try:
        from _json import make_scanner
    except ImportError:
        import json

        return json.loads

    class Ctx:
        strict = True
        object_hook = None
        object_pairs_hook = None
        parse_float = float
        parse_int = int
        parse_constant = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}.__getitem__
        memo = {}

    scan = make_scanner(Ctx)

    def loads(text):
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        s = text.strip(" \t\n\r")
        try:
            obj, end = scan(s, 0)
        except StopIteration:
            end = -1
        if end != len(s):
            raise ValueError("invalid JSON: %r" % s[:200])
        return obj

    return loads


def read_fd(fd):
    with open(fd, "rb") as f:
        return f.read()


def sha256(data):
    import hashlib

    return hashlib.sha256(data).hexdigest()


def storage(plan):
    """Metaflow's storage implementation for a non-local datastore (imports Metaflow)."""
    os.environ.update(plan["env"])  # METAFLOW_* settings of the compile, as the steps get them
    try:
        from metaflow.plugins import DATASTORES
    except ImportError as e:  # installed (main checked) but broken
        die("cannot import Metaflow to reach the %s datastore: %s" % (plan["datastore"], e))
    impl = [d for d in DATASTORES if d.TYPE == plan["datastore"]]
    if not impl:
        die("Metaflow has no datastore of type %r" % plan["datastore"])
    return impl[0](plan["datastore_root"])


def store(plan, key, tgz):
    local_root = plan.get("local_root")
    if local_root:
        path = os.path.join(local_root, key)
        try:
            with open(path, "rb") as f:
                if sha256(f.read()) == plan["bundle_sha256"]:
                    return
        except OSError:
            pass
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = "%s.tmp-%s" % (path, os.urandom(8).hex())
        with open(tmp, "wb") as f:
            f.write(tgz)
        os.replace(tmp, path)
    else:
        import io

        storage(plan).save_bytes([(key, io.BytesIO(tgz))], overwrite=True)


def fetch(plan, key):
    local_root = plan.get("local_root")
    if local_root:
        where = os.path.join(local_root, key)
        try:
            with open(where, "rb") as f:
                return where, f.read()
        except FileNotFoundError:
            tgz = None
    else:
        where = "%s/%s" % (plan["datastore_root"].rstrip("/"), key)
        with storage(plan).load_bytes([key]) as loaded:
            tgz = None
            for _, path, _ in loaded:
                if path is not None:
                    with open(path, "rb") as f:
                        tgz = f.read()
    if tgz is None:
        die(
            "the flow's code bundle %s does not exist: the start step of this run stores it "
            "there before any other step runs (is the datastore shared by every worker?)" % where
        )
    return where, tgz


def extract(tgz, cache):
    import io
    import shutil
    import tarfile
    import tempfile

    parent = os.path.dirname(cache)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".tmp-", dir=parent)
    os.chmod(tmp, 0o755)  # mkdtemp makes it private; the cache is read by every job
    try:
        with tarfile.open(fileobj=io.BytesIO(tgz), mode="r:gz") as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(tmp, filter="data")
            else:
                tar.extractall(tmp)
        os.rename(tmp, cache)
    except OSError:
        # Another job on this worker renamed the same (verified) bundle into place first.
        shutil.rmtree(tmp, ignore_errors=True)
        if not os.path.isdir(os.path.join(cache, "_mfwm")):
            raise


def metaflow_installed():
    """importlib.util.find_spec("metaflow") is not None, without importing importlib.util
    or Metaflow: ask the import system's finders directly, as find_spec does."""
    for finder in sys.meta_path:
        find = getattr(finder, "find_spec", None)
        if find is not None and find("metaflow", None) is not None:
            return True
    return False


def main():
    loads = json_loader()
    plan = loads(read_fd(3))
    # Before anything needs Metaflow (the datastore, the runner's steps): one clear message.
    if not metaflow_installed():
        die(
            "Metaflow is not installed for %s on worker group %s (this flow was compiled for "
            "metaflow==%s): pip install metaflow==%s"
            % (
                sys.executable,
                os.environ.get("WM_WORKER_GROUP", "?"),
                plan["metaflow_version"],
                plan["metaflow_version"],
            )
        )
    sha = plan["bundle_sha256"]
    key = "%s/_mfwm/code/%s.tgz" % (plan["flow"], sha)
    tgz = None
    if plan["is_start"]:
        import binascii

        tgz = binascii.a2b_base64(read_fd(4).replace(b"\n", b""))
        if sha256(tgz) != sha:
            die("the code bundle in this script is corrupted (sha256 %s, expected %s)" % (sha256(tgz), sha))
        store(plan, key, tgz)
    cache = os.path.join(os.environ.get("TMPDIR") or "/tmp", "mfwm-code", sha)
    if not os.path.isdir(cache):
        if tgz is None:
            where, tgz = fetch(plan, key)
            got = sha256(tgz)
            if got != sha:
                die("the flow's code bundle %s is corrupted: sha256 %s, expected %s" % (where, got, sha))
        extract(tgz, cache)
    sys.path.insert(0, os.path.join(cache, "_mfwm"))
    import runner

    runner.main(plan, sys.argv[1:], cache, loads)


main()
