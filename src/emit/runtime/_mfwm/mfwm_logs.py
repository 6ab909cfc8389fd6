"""Metaflow task logs of a step run by mf-windmill (generated code bundle; stdlib only).

Metaflow's remote runtimes keep a task's stdout and stderr as mflog files in the task's
datastore directory, one pair per attempt: Argo wraps the step command in
`bash_capture_logs` (two `python -m metaflow.mflog.tee` processes that timestamp every
line) and calls `python -m metaflow.mflog.save_logs` after it, on success and on failure
(MF `metaflow/plugins/argo/argo_workflows.py` `_container_templates`, `metaflow/mflog/`).
`Task.stdout`, `Task.loglines`, `python flow.py logs` and the UI read them from there
(MF `datastore/task_datastore.py` `load_logs`: `<attempt>.task_<stream>.log`).

Here the runner is already the parent of the step process, so it is the tee: the child's
stdout and stderr are pipes; every line is copied at once to the runner's own stream
(the Windmill job log, live) and, decorated as mflog does (`mflog.decorate`:
`[MFLOG|0|<utc ISO timestamp>Z|task|<line id>]<line>`), to a file. After the child ends
the two files are stored as the attempt's task logs: by plain file writes for the local
datastore (Metaflow's LocalStorage layout, atomic rename as `_atomic_write` does), else
by Metaflow's own `save_logs()` (`metaflow.mflog.save_logs`, what Argo runs as
`python -m metaflow.mflog.save_logs`), called in this process (see `_save_in_process`).

Line ids: Metaflow orders a task's lines by (timestamp, line id) (`mflog.merge_logs`
sorts parsed lines); uuid4 ids would reorder lines printed within one microsecond, so ids
here are a per-stream random prefix plus a zero-padded counter and timestamps never go
backwards within a stream.
"""

import os
import sys
import time

TASK_LOG_SOURCE = b"task"  # metaflow.mflog.TASK_LOG_SOURCE
READ = 65536


def _timestamp(t):
    """datetime.utcfromtimestamp(t).strftime('%Y-%m-%dT%H:%M:%S.%f'), without datetime."""
    secs = int(t)
    us = int(round((t - secs) * 1e6))
    if us >= 1000000:
        secs += 1
        us -= 1000000
    return (time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)) + ".%06d" % us).encode()


class _Stream(object):
    def __init__(self, path, out_fd):
        self.path = path
        self.out_fd = out_fd
        self.file = open(path, "ab", buffering=0)
        self.pending = b""
        self.prefix = os.urandom(6).hex().encode()
        self.count = 0
        self.last = 0.0

    def _decorate(self, line, now):
        if line.startswith(b"[![MFLOG|"):
            # Already structured and marked to be persisted (mflog.unset_should_persist).
            return line[2:]
        if line.startswith(b"[MFLOG|"):
            return line
        self.count += 1
        return b"".join(
            (
                b"[MFLOG|0|",
                _timestamp(now),
                b"Z|",
                TASK_LOG_SOURCE,
                b"|",
                self.prefix,
                b"-%010d]" % self.count,
                line,
            )
        )

    def _emit(self, lines, now):
        if not lines:
            return
        if now < self.last:
            now = self.last
        self.last = now
        self.file.write(b"".join(self._decorate(l, now) for l in lines))
        _write_all(self.out_fd, b"".join(lines))

    def feed(self, data):
        now = time.time()
        data = self.pending + data
        parts = data.split(b"\n")
        self.pending = parts.pop()
        self._emit([p + b"\n" for p in parts], now)

    def close(self):
        if self.pending:
            self._emit([self.pending + b"\n"], time.time())
            self.pending = b""
        self.file.close()


def _write_all(fd, data):
    while data:
        try:
            n = os.write(fd, data)
        except InterruptedError:
            continue
        except OSError:
            return  # our own stream is gone (job log closed): keep the file copy
        data = data[n:]


class Capture(object):
    """The task's two streams, copied live to ours and decorated into `<dir>/mflog_*`."""

    def __init__(self, log_dir):
        os.makedirs(log_dir, exist_ok=True)
        self.paths = (
            os.path.join(log_dir, "mflog_stdout"),
            os.path.join(log_dir, "mflog_stderr"),
        )
        for p in self.paths:
            open(p, "wb").close()
        self.streams = None

    def pump(self, out_r, err_r):
        """Copy both pipes until the child closed them (it exited)."""
        import select

        sys.stdout.flush()
        sys.stderr.flush()
        self.streams = {
            out_r: _Stream(self.paths[0], 1),
            err_r: _Stream(self.paths[1], 2),
        }
        poller = select.poll()
        for fd in self.streams:
            poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
        open_fds = set(self.streams)
        try:
            while open_fds:
                for fd, _ in poller.poll():
                    try:
                        data = os.read(fd, READ)
                    except InterruptedError:
                        continue
                    if data:
                        self.streams[fd].feed(data)
                    else:
                        poller.unregister(fd)
                        open_fds.discard(fd)
        finally:
            for fd, st in self.streams.items():
                st.close()
                os.close(fd)

    def save(self, plan, env, pathspec, attempt, code_dir, run):
        """Store the two files as the attempt's task logs (never fails the step: like
        Metaflow's save_logs, a failed upload is reported, not fatal)."""
        if self.streams is None:
            return  # the child never started
        try:
            local_root = plan.get("local_root")
            if local_root:
                _save_local(local_root, pathspec, attempt, self.paths)
            else:
                mflog_env = {
                    "MF_PATHSPEC": pathspec,
                    "MF_ATTEMPT": str(attempt),
                    "MF_DATASTORE": plan["datastore"],
                    "MF_DATASTORE_ROOT": plan["datastore_root"],
                    "MFLOG_STDOUT": self.paths[0],
                    "MFLOG_STDERR": self.paths[1],
                }
                if not _save_in_process(plan, mflog_env):
                    rc = run(
                        [sys.executable, "-m", "metaflow.mflog.save_logs"],
                        code_dir,
                        dict(env, **mflog_env),
                    )
                    if rc != 0:
                        raise RuntimeError("metaflow.mflog.save_logs exited with %d" % rc)
        except Exception as e:  # noqa: BLE001 - reported, not fatal (as save_logs)
            sys.stderr.write("mf-windmill: warning: the task logs of %s were not saved: %s\n" % (pathspec, e))
            sys.stderr.flush()


def _save_in_process(plan, mflog_env):
    """Metaflow's own `save_logs()` (metaflow/mflog/save_logs.py, the function Argo's
    `python -m metaflow.mflog.save_logs` runs) called in this process, with the environment
    that module reads. Measured (issue 15, strace of an S3 run on isolated workers): the
    separate process cost 0.5-0.7 s per job, mostly importing Metaflow and boto3 again,
    which this process has already done to fetch the code bundle. False when Metaflow
    cannot be imported here (the caller runs the module as a process instead)."""
    # Metaflow reads its configuration at import: the step's compiled settings first, as
    # the step gets them (and as boot.py's `storage` already did when it fetched the bundle).
    os.environ.update(plan["env"])
    try:
        from metaflow.mflog import save_logs as mf_save_logs
    except ImportError:
        return False
    before = {k: os.environ.get(k) for k in mflog_env}
    os.environ.update(mflog_env)
    try:
        mf_save_logs.save_logs()  # reports an upload failure itself, never raises
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    sys.stdout.flush()
    return True


def _save_local(local_root, pathspec, attempt, paths):
    """LocalStorage layout: <root>/<flow>/<run>/<step>/<task>/<attempt>.task_<stream>.log
    (MF `task_datastore.py` `_get_log_location` + `metadata_name_for_attempt`), written
    to a temporary name and renamed (MF `local_storage.py` `_atomic_write`)."""
    task_dir = os.path.join(local_root, *pathspec.split("/"))
    os.makedirs(task_dir, exist_ok=True)
    for stream, src in zip(("stdout", "stderr"), paths):
        dst = os.path.join(task_dir, "%d.task_%s.log" % (attempt, stream))
        tmp = "%s.mfwm-%d.tmp" % (dst, os.getpid())
        with open(src, "rb") as i, open(tmp, "wb") as o:
            while True:
                chunk = i.read(1 << 20)
                if not chunk:
                    break
                o.write(chunk)
        os.rename(tmp, dst)
