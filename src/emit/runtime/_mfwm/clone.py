"""Resume (issue 13), runner side: one task of a resumed run (stdlib only).

A resumed run is an ordinary run of the compiled flow whose fifth step argument `resume`
is not empty:
  - start step: the flow input `_mfwm_resume`, JSON `{"origin_run_id": "...", "step":
    "<step to rerun>" | null}` (set by `mf-windmill resume`);
  - every other step: `results.<start>.resume`, JSON `{"o": "<origin run id>", "r":
    [steps_to_rerun]}` published by the start step in its result.json.
For each task the runner calls `resume_task` after forming the input paths: it runs the
flow's hidden `mfwm-resume` command (the bundled extension, resume_cli.py), which decides
as Metaflow's `resume` does and clones the origin's task when it can. A cloned task is not
run; a task that is not cloned runs with `--clone-run-id <origin>`.
"""

import os
import sys


def given_params(params_b64, loads):
    """The parameter values the run was started with (flow inputs not given are absent
    from the start's params_b64: JSON.stringify drops undefined)."""
    if not params_b64:
        return {}
    import binascii

    values = loads(binascii.a2b_base64(params_b64).decode("utf-8"))
    return {k: v for k, v in values.items() if v is not None}


def fresh_init(plan, run_id, code_dir, env, py, tag_args, given, texts, run, die,
               param_env_value):
    """`init` of a resume whose parameters changed: the origin's values (texts from the
    mfwm-resume command) overridden by the given ones."""
    init_env = dict(env)
    for p in plan["params"]:
        key = "METAFLOW_INIT_" + p["name"].upper().replace("-", "_")
        if p["name"] in given:
            init_env[key] = param_env_value(p["type"], given[p["name"]])
        elif p["name"] in texts:
            init_env[key] = texts[p["name"]]
        elif p.get("default") is not None:
            init_env[key] = param_env_value(p["type"], p["default"])
    rc = run(
        py + plan["init_top"] + ["init", "--run-id", run_id, "--task-id", "params"] + tag_args,
        code_dir, init_env,
    )
    if rc != 0:
        die("init failed (exit %d)" % rc, rc)


def resume_task(plan, resume_arg, run_id, task_id, index_path, job_dir, code_dir, env,
                py, tag_args, attempt, loads, run, die, params_b64="", param_env_value=None):
    """-> {"cloned": bool, "step_args": [...], "result": {...}} for the runner."""
    try:
        info = loads(resume_arg)
    except ValueError as e:
        die("invalid resume argument (%s)" % e, 2)
    if not isinstance(info, dict):
        die("invalid resume argument: not a JSON object", 2)
    if plan["is_start"]:
        origin = info.get("origin_run_id") or ""
    else:
        origin = info.get("o") or ""
    if not origin or any(c in origin for c in "/:,!"):
        die("invalid origin run id %r" % origin, 2)

    out = os.path.join(job_dir, "resume.json")
    cmd = py + plan["init_top"] + [
        "mfwm-resume",
        "--origin-run-id", origin,
        "--run-id", run_id,
        "--step", plan["step"],
        "--task-id", task_id,
        "--index-path", index_path,
        "--input-paths-filename", os.path.join(job_dir, "input_paths"),
        "--retry-count", str(attempt),
        "--out", out,
    ] + tag_args
    given = {}
    if plan["is_start"]:
        cmd.append("--start")
        if info.get("step"):
            cmd += ["--step-to-rerun", info["step"]]
        given = given_params(params_b64, loads)
        if given:
            import json

            path = os.path.join(job_dir, "given_params.json")
            with open(path, "w") as f:
                json.dump(given, f)
            cmd += ["--given-params-file", path]
    else:
        cmd += ["--rerun", ",".join(info.get("r") or [])]
    rc = run(cmd, code_dir, env)
    if rc != 0:
        die("resume of step %s from run %s failed (exit %d)" % (plan["step"], origin, rc), rc)
    with open(out) as f:
        decision = loads(f.read())

    if decision.get("fresh"):
        fresh_init(plan, run_id, code_dir, env, py, tag_args, given,
                   decision.get("init_texts") or {}, run, die, param_env_value)
    result = {"cloned": int(decision.get("cloned") or 0)}
    if plan["is_start"]:
        import json

        result["resume"] = json.dumps({"o": origin, "r": decision.get("rerun") or []})
    if result["cloned"]:
        sys.stderr.write(
            "mf-windmill: %s/%s/%s/%s cloned from %s\n"
            % (plan["flow"], run_id, plan["step"], task_id, decision.get("origin"))
        )
        sys.stderr.flush()
    return {
        "cloned": bool(result["cloned"]),
        "step_args": [] if result["cloned"] else ["--clone-run-id", origin],
        "result": result,
    }
