

# --- mf-windmill exit hooks (appended to the step bootstrap above, whose main() is left
# out; see src/emit/decorators/exit_hook.rs). Runs a flow's @exit_hook functions once after
# the run ends, as Metaflow's Argo exit hooks do: each with
# `python -m metaflow.plugins.exit_hook.exit_hook_script FLOW_FILE FN FLOW/RUN_ID` in the
# flow's code. Never fails: the module's result is the previous result (the end step's, or
# the run's error) with an `exit_hooks` report, so a hook cannot change the run's outcome.
def hooks_main():
    import json

    loads = json_loader()
    plan = loads(read_fd(3))
    argv = (sys.argv[1:] + ["", ""])[:2]
    run_id, prev_text = argv
    try:
        prev = json.loads(prev_text) if prev_text else None
    except ValueError:
        prev = prev_text
    outcome = plan["outcome"]
    report = {}

    def finish():
        res = prev
        if isinstance(res, dict):
            res = dict(res)
            res["exit_hooks"] = {outcome: report}
        with open("result.json", "w") as f:
            json.dump(res, f)

    flow_job = os.environ.get("WM_FLOW_JOB_ID", "")
    if outcome == "on_error":
        # Windmill runs a flow's failure module inside every failing loop iteration or
        # branch too (worker_flow.rs): the hooks run once, for the run itself.
        if run_id.startswith("wm-") and run_id[3:] != flow_job:
            sys.stderr.write(
                "mf-windmill: a step failed inside a loop iteration or branch; the on_error "
                "exit hooks run once, when the run itself has failed\n"
            )
            finish()
            return
        if not run_id:  # the start step failed: this is the run's own flow job
            run_id = "wm-" + flow_job
    if not run_id:
        sys.stderr.write("mf-windmill: no run id: the exit hooks cannot run\n")
        report.update({fn: "not run: no run id" for fn in plan["hooks"]})
        finish()
        return
    sha = plan["bundle_sha256"]
    cache = os.path.join(os.environ.get("TMPDIR") or "/tmp", "mfwm-code", sha)
    try:
        if not os.path.isdir(cache):
            where, tgz = fetch(plan, "%s/_mfwm/code/%s.tgz" % (plan["flow"], sha))
            if sha256(tgz) != sha:
                die("the flow's code bundle %s is corrupted" % where)
            extract(tgz, cache)
    except (Exception, SystemExit) as e:  # noqa: BLE001 - reported, never fatal
        sys.stderr.write("mf-windmill: cannot get the flow's code bundle (%s): exit hooks not run\n" % e)
        report.update({fn: "not run: no code bundle" for fn in plan["hooks"]})
        finish()
        return
    import shutil
    import subprocess

    code_dir = os.path.join(os.getcwd(), "code")
    shutil.copytree(cache, code_dir, symlinks=True, dirs_exist_ok=True)
    env = dict(os.environ)
    env.update(plan["env"])
    mfwm = os.path.join(code_dir, "_mfwm")
    env["PYTHONPATH"] = mfwm + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONUNBUFFERED"] = "x"
    pathspec = "%s/%s" % (plan["flow"], run_id)
    for fn in plan["hooks"]:
        sys.stdout.write("mf-windmill: exit hook %s (%s) of %s is starting\n" % (fn, outcome, pathspec))
        sys.stdout.flush()
        cmd = [sys.executable, "-m", "metaflow.plugins.exit_hook.exit_hook_script", plan["flow_file"], fn, pathspec]
        try:
            rc = subprocess.call(cmd, cwd=code_dir, env=env)
        except OSError as e:
            rc = None
            sys.stderr.write("mf-windmill: exit hook %s could not start: %s\n" % (fn, e))
        if rc == 0:
            report[fn] = "ok"
        else:
            report[fn] = "failed" if rc is None else "failed (exit %d)" % rc
            sys.stderr.write(
                "mf-windmill: exit hook %s failed; the run's outcome is unchanged\n" % fn
            )
    finish()


hooks_main()
