"""mf-windmill step runner (generated code bundle; stdlib only; do not edit).

Runs one Metaflow step of a compiled flow inside a Windmill bash job. The step script starts
`_mfwm/boot.py`, which gets the flow's code bundle into this worker's cache and calls

    main(plan, [RUN_ID, INDEX_PATH, INPUT_REF, PARAMS_B64], cache_dir, loads)

The plan (static, written by `mf-windmill compile`) says which step, how its input paths
are formed and which options Metaflow gets. The four arguments are the only dynamic
inputs (Windmill input transforms). No shell ever sees a user value: the child is started
with an argv list and an environment mapping. Metaflow is imported only by the child.

Per-task cost matters (one runner per task): only os/sys are imported up front; JSON is
read with the bootstrap's loader (CPython's C scanner, no `re`), `json` itself, the HTTP
client and base64 are imported where they are needed, and the child is started with
os.posix_spawn (no subprocess module).
"""

import os
import sys

MAX_ATTEMPTS = 6  # metaflow_config.MAX_ATTEMPTS


def die(msg, code=1):
    sys.stderr.write("mf-windmill: %s\n" % msg)
    sys.stderr.flush()
    sys.exit(code)


def tid(prefix, segs):
    """Task id of a step's task at an index path: the step's prefix `t<k>` (unique per step,
    fixed at compile time) plus one segment per enclosing loop: t3, t5-1, t6-1-2, t4-0-w3.
    Unique within a run, non-numeric, no / : , ! (design §4.1)."""
    return prefix + "".join("-" + s for s in segs)


def windmill_attempt():
    """The Windmill attempt of this module: the parent flow job's
    flow_status.retry.fail_count (absent -> 0), read from Windmill's API."""
    base = os.environ.get("BASE_INTERNAL_URL", "")
    ws = os.environ.get("WM_WORKSPACE", "")
    flow_job = os.environ.get("WM_FLOW_JOB_ID", "")
    token = os.environ.get("WM_TOKEN", "")
    if not (base and ws and flow_job):
        raise RuntimeError("BASE_INTERNAL_URL, WM_WORKSPACE or WM_FLOW_JOB_ID is not set")
    import urllib.request

    url = "%s/api/w/%s/jobs_u/get/%s?no_logs=true" % (base.rstrip("/"), ws, flow_job)
    import json

    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=30) as resp:
        job = json.loads(resp.read().decode("utf-8"))
    retry = (job.get("flow_status") or {}).get("retry") or {}
    return int(retry.get("fail_count") or 0)


def next_free_attempt(local_root, flow, run_id, step, task_id):
    """1 + the highest contiguous <n>.attempt.json Metaflow wrote for this task (0 if none)."""
    d = os.path.join(local_root, flow, run_id, step, task_id)
    n = 0
    while n < MAX_ATTEMPTS and os.path.exists(os.path.join(d, "%d.attempt.json" % n)):
        n += 1
    return n


def param_env_value(ptype, value):
    """The text click parses for a parameter value (METAFLOW_INIT_<NAME>)."""
    import json

    if ptype == "json":
        # A JSON string is already JSON text (same as Argo's set_parameters).
        return value if isinstance(value, str) else json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        return value
    return json.dumps(value)


def run(cmd, cwd, env, stdout=None, logs=None):
    """subprocess.run(cmd, cwd=cwd, env=env).returncode, without importing subprocess:
    os.posix_spawn with the same inherited stdio; on any exception (e.g. SIGINT) the child
    is killed before re-raising, as subprocess.run does. With `logs` (a `mfwm_logs.Capture`)
    the child's stdout and stderr go through pipes that the capture copies to ours (the
    Windmill job log, live) and to Metaflow's log files."""
    actions = []
    pipes = None
    if stdout is not None:
        actions.append((os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0))
        actions.append((os.POSIX_SPAWN_DUP2, 1, 2))
    elif logs is not None:
        pipes = (os.pipe(), os.pipe())
        actions.append((os.POSIX_SPAWN_DUP2, pipes[0][1], 1))
        actions.append((os.POSIX_SPAWN_DUP2, pipes[1][1], 2))
        for r, w in pipes:
            actions.append((os.POSIX_SPAWN_CLOSE, r))
            actions.append((os.POSIX_SPAWN_CLOSE, w))
    prev = os.getcwd()
    os.chdir(cwd)  # posix_spawn has no cwd argument; the child inherits ours
    try:
        pid = os.posix_spawn(cmd[0], cmd, env, file_actions=actions)
    finally:
        os.chdir(prev)
        if pipes is not None:
            for _, w in pipes:
                os.close(w)
    try:
        if pipes is not None:
            logs.pump(pipes[0][0], pipes[1][0])
        _, status = os.waitpid(pid, 0)
    except BaseException:
        try:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        except OSError:
            pass
        raise
    if os.WIFSIGNALED(status):
        return -os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


def copy_tree(src, dst):
    """The cached bundle -> a fresh ./code for this job (the child may write next to its code)."""
    for root, dirs, files in os.walk(src):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        out = os.path.join(dst, os.path.relpath(root, src))
        os.makedirs(out, exist_ok=True)
        for name in files:
            with open(os.path.join(root, name), "rb") as i, open(os.path.join(out, name), "wb") as o:
                o.write(i.read())


def dumps_result(result):
    """json.dumps of a flat dict of str/int values, without importing json."""
    try:
        from _json import encode_basestring_ascii as enc
    except ImportError:
        import json

        return json.dumps(result)
    return "{%s}" % ", ".join(
        "%s: %s" % (enc(k), enc(v) if isinstance(v, str) else int(v)) for k, v in result.items()
    )


def main(plan, argv, cache, loads):
    if len(argv) not in (4, 5):
        die("runner expects 5 arguments, got %d" % len(argv), 2)
    arg_run_id, index_path, input_ref, params_b64 = argv[:4]
    resume_arg = argv[4] if len(argv) > 4 else ""  # resume (issue 13): see clone.py

    job_dir = os.getcwd()
    code_dir = os.path.join(job_dir, "code")
    copy_tree(cache, code_dir)
    if plan.get("local_root") and not os.path.lexists(os.path.join(code_dir, ".metaflow")):
        # Cards of the local datastore: Metaflow's card CLI writes them under the first
        # `.metaflow` directory found from its cwd (MF plugins/cards/card_datastore.py
        # `get_storage_root`) and the card client reads `<ds-root>/mf.cards` (MF
        # card_client.py `_get_flow_datastore`, ds-root = the task's datastore root). The
        # step runs in ./code, so ./code/.metaflow is the datastore root: cards land where
        # `get_cards` and `python flow.py card get` look. (METAFLOW_CARD_LOCALROOT would not
        # do: with it set, Metaflow 2.19.39 writes cards directly under the datastore root.)
        os.symlink(plan["local_root"], os.path.join(code_dir, ".metaflow"))

    flow = plan["flow"]
    step = plan["step"]
    if plan["is_start"]:
        flow_job = os.environ.get("WM_FLOW_JOB_ID", "")
        if not flow_job:
            die("WM_FLOW_JOB_ID is not set: the start step must run inside a Windmill flow")
        run_id = "wm-" + flow_job
    else:
        run_id = arg_run_id
    if not run_id or any(c in run_id for c in "/:,!"):
        die("invalid run id %r (results of the start step missing?)" % run_id)

    segs = [s for s in index_path.split("-")] if index_path else []
    prefixes = plan["task_prefixes"]
    task_id = tid(prefixes[step], segs)

    # --- attempt number -------------------------------------------------------------
    attempt = 0
    if plan["attempts"] > 0:
        local_root = plan.get("local_root")
        try:
            attempt = windmill_attempt()
        except Exception as e:  # noqa: BLE001 - any API failure
            if not local_root:
                die("cannot read the Windmill attempt number from the API: %s" % e)
            attempt = next_free_attempt(local_root, flow, run_id, step, task_id)
            sys.stderr.write(
                "mf-windmill: warning: Windmill API unavailable (%s); attempt %d taken "
                "from the local datastore\n" % (e, attempt)
            )
        if local_root:
            free = next_free_attempt(local_root, flow, run_id, step, task_id)
            if free < attempt:
                sys.stderr.write(
                    "mf-windmill: warning: Windmill attempt %d but Metaflow recorded only "
                    "attempts 0..%d; using %d so that readers see the latest attempt\n"
                    % (attempt, free - 1, free)
                )
                attempt = free
    if attempt >= MAX_ATTEMPTS:
        die("step %s: attempt %d exceeds Metaflow's maximum of %d attempts" % (step, attempt, MAX_ATTEMPTS))

    # --- input paths ------------------------------------------------------------------
    inp = plan["input"]
    split_index = None
    base = segs
    loop_k = None
    if plan.get("loop"):
        if not segs or not segs[-1].startswith("w"):
            die("internal error: loop step %s without a loop index (%r)" % (step, index_path))
        loop_k = int(segs[-1][1:])
        base = segs[:-1]
    if loop_k is not None and loop_k > 0:
        paths = ["%s/%s/%s" % (run_id, step, tid(prefixes[step], base + ["w%d" % (loop_k - 1)]))]
    else:
        mode = inp["mode"]
        if mode == "params":
            paths = ["%s/_parameters/params" % run_id]
        elif mode == "same":
            paths = ["%s/%s/%s" % (run_id, inp["pred"], tid(prefixes[inp["pred"]], base))]
        elif mode == "split":
            if not base:
                die("internal error: split step %s without an index" % step)
            paths = ["%s/%s/%s" % (run_id, inp["pred"], tid(prefixes[inp["pred"]], base[:-1]))]
            split_index = base[-1]
        elif mode == "branches":
            arr = loads(input_ref)
            paths = ["%s/%s" % (run_id, r["tail"]) for r in arr]
        elif mode == "foreach":
            n = int(loads(input_ref))
            if n < 1:
                die("foreach join %s: no splits" % step)
            paths = None
            compressed = "%s/%s/%s-:%s" % (
                run_id,
                inp["pred"],
                tid(prefixes[inp["pred"]], base),
                ",".join(str(i) for i in range(n)),
            )
        elif mode == "tails":
            tails = [t for t in input_ref.split(",") if t]
            order = inp["order"]
            tails.sort(key=lambda t: order.index(t.split("/")[0]) if t.split("/")[0] in order else len(order))
            paths = ["%s/%s" % (run_id, t) for t in tails]
        elif mode == "ref":
            ref = input_ref
            if not ref:
                die("step %s: no predecessor result" % step)
            paths = [ref]
        else:
            die("internal error: unknown input mode %r" % mode)
    if paths is not None:
        compressed = ",".join(paths)
    with open(os.path.join(job_dir, "input_paths"), "w") as f:
        f.write(compressed)

    # --- environment ------------------------------------------------------------------
    env = dict(os.environ)
    env.update(plan["env"])
    mfwm = os.path.join(code_dir, "_mfwm")
    env["PYTHONPATH"] = mfwm + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONUNBUFFERED"] = "x"
    env["METAFLOW_RUN_ID"] = run_id
    out_file = os.path.join(job_dir, "mf_out.json")
    env["MF_WINDMILL_OUT"] = out_file
    py = [sys.executable, plan["flow_file"]]
    # The event or run that started this run (flow input `_mfwm_trigger`, in the start
    # step's parameter values): `current.trigger` (windmill_internal.py).
    values = None
    if plan["is_start"]:
        import binascii

        values = loads(binascii.a2b_base64(params_b64).decode("utf-8")) if params_b64 else {}
        if values.get("_mfwm_trigger"):
            env["METAFLOW_WINDMILL_TRIGGER"] = values["_mfwm_trigger"]
    elif plan.get("triggered"):
        env["METAFLOW_WINDMILL_TRIGGERED"] = "1"

    tag_args = []
    for t in plan["tags"]:
        tag_args += ["--tag", t]

    # --- init (start only, idempotent; a resumed run clones the origin's instead) -----
    if plan["is_start"] and not resume_arg:
        init_env = dict(env)
        for p in plan["params"]:
            v = values.get(p["name"])
            if v is None:
                v = p.get("default")
            if v is None:
                continue
            init_env["METAFLOW_INIT_" + p["name"].upper().replace("-", "_")] = param_env_value(p["type"], v)
        done = False
        local_root = plan.get("local_root")
        if local_root:
            done = os.path.exists(
                os.path.join(local_root, flow, run_id, "_parameters", "params", "0.DONE.lock")
            )
        else:
            rc = run(
                py + plan["init_top"] + ["dump", "--max-value-size=0", "%s/_parameters/params" % run_id],
                code_dir, init_env, stdout=os.devnull,
            )
            done = rc == 0
        if not done:
            rc = run(
                py + plan["init_top"] + ["init", "--run-id", run_id, "--task-id", "params"] + tag_args,
                code_dir, init_env,
            )
            if rc != 0:
                die("init failed (exit %d)" % rc, rc)

    # --- resume: clone the origin's task, or run this one with --clone-run-id ----------
    resumed = None
    if resume_arg:
        import clone

        resumed = clone.resume_task(
            plan, resume_arg, run_id, task_id, index_path, job_dir, code_dir, env,
            py, tag_args, attempt, loads, run, die, params_b64, param_env_value,
        )

    # --- the step ---------------------------------------------------------------------
    cmd = py + plan["top"] + [
        "step", step,
        "--run-id", run_id,
        "--task-id", task_id,
        "--input-paths-filename", os.path.join(job_dir, "input_paths"),
        "--retry-count", str(attempt),
        "--max-user-code-retries", str(plan["user_retries"]),
    ]
    if split_index is not None:
        cmd += ["--split-index", split_index]
    cmd += tag_args
    if plan.get("namespace") is not None:
        cmd += ["--namespace", plan["namespace"]]
    if resumed is not None:
        cmd += resumed["step_args"]
    sys.stderr.write("mf-windmill: %s/%s/%s/%s attempt %d\n" % (flow, run_id, step, task_id, attempt))
    sys.stderr.flush()
    if resumed is not None and resumed["cloned"]:
        # Cloned by mfwm-resume: nothing runs here, and no task logs are written (as for
        # Metaflow's clone: TaskDataStore.clone copies artifacts, not logs).
        rc = 0
    else:
        # The task's stdout and stderr become Metaflow's task logs for this attempt, as
        # Argo's step command saves them (mflog: `bash_capture_logs` + `save_logs`), on
        # success and on failure; they still stream live into the Windmill job log.
        import mfwm_logs

        logs = mfwm_logs.Capture(os.path.join(job_dir, ".logs"))
        try:
            rc = run(cmd, code_dir, env, logs=logs)
        finally:
            logs.save(
                plan, env, "%s/%s/%s/%s" % (flow, run_id, step, task_id), attempt, code_dir, run
            )
    if rc != 0:
        die("step %s failed (exit %d)" % (step, rc), rc)

    # --- result -----------------------------------------------------------------------
    result = {
        "run_id": run_id,
        "task_id": task_id,
        "pathspec": "%s/%s/%s" % (run_id, step, task_id),
        "tail": "%s/%s" % (step, task_id),
    }
    if plan["node_type"] in ("foreach", "split-switch"):
        try:
            with open(out_file) as f:
                out = loads(f.read())
        except (OSError, ValueError) as e:
            die("step %s succeeded but reported no transition (%s)" % (step, e))
        if plan["node_type"] == "foreach":
            if "splits" not in out:
                die("foreach step %s reported no cardinality" % step)
            n = int(out["splits"])
            if n > plan["max_num_splits"]:
                die(
                    "Foreach in step *%s* yielded %d child steps which is more than the current "
                    "maximum of %d children. You can raise the maximum with compile "
                    "--max-num-splits." % (step, n, plan["max_num_splits"])
                )
            result["splits"] = n
        else:
            if "next" not in out:
                die("switch step %s reported no chosen case" % step)
            result["next"] = out["next"]
    if resumed is not None:
        result.update(resumed["result"])
    with open(os.path.join(job_dir, "result.json"), "w") as f:
        f.write(dumps_result(result))

