"""`python flow.py [top options] mfwm-resume ...` (hidden; issue 13): one task of a resumed
run, decided and, when it can be, cloned exactly as Metaflow's own `resume` does.

Metaflow's `resume` (metaflow/runtime.py `NativeRuntime` + `Task.__init__`) clones a task
of the new run when
  - its step is not in `steps_to_rerun` (the `--step` given and every step after it:
    `NativeRuntime.__init__` closes the set over `out_funcs` in `sorted_nodes` order),
  - every one of its inputs was cloned (`NativeRuntime._new_task`: `may_clone = all(
    self._is_cloned[path] for path in input_paths)`), so a re-executed task re-executes
    everything downstream of it,
  - and the origin run has a task of the same step at the same pathspec index
    (`run/step[foreach indices][iteration indices]`, `TaskDataStore.pathspec_index`)
    whose `_task_ok` is true (`Task._find_origin_task`).
A cloned task is made by `MetaflowTask.clone_only` (what `step --clone-only` runs:
`clone_util.clone_task_helper`: datastore clone + `origin-run-id`/`origin-task-id`
metadata); every other task runs with `--clone-run-id <origin>` (so `current.origin_run_id`
and its `origin-run-id` metadata are Metaflow's).

The Windmill runner (`_mfwm/clone.py`) runs this command once per task of a resumed run;
for the start step with `--start`, which first clones the origin's `_parameters` task
(`NativeRuntime.persist_constants` with `clone_run_id`: the origin's parameters are kept)
and computes `steps_to_rerun`. It writes its decision to `--out` as JSON:
`{"cloned": 1, "origin": "<run>/<step>/<task>"}` or `{"cloned": 0}` (+ `"rerun"` for
`--start`, and `"fresh"` + `"init_texts"` when parameter values given to the resume differ
from the origin's: see `_changed_parameters`); for a cloned foreach or switch step also `{"splits"}` / `{"next"}` of the
origin task to $MF_WINDMILL_OUT, as the windmill_internal decorator does for a task that
runs (its `task_finished` hook is not called for a clone).
"""

import json
import os

from metaflow._vendor import click


@click.group()
def cli():
    pass


def _rerun_set(graph, step_to_rerun):
    """Metaflow's steps_to_rerun closure (NativeRuntime.__init__)."""
    steps = set()
    if step_to_rerun:
        if step_to_rerun not in graph.nodes:
            from metaflow.exception import CommandException

            raise CommandException(
                "invalid step name {0} specified, must be step present in current form "
                "of execution graph. Valid step names include: {1}".format(
                    step_to_rerun, ",".join(list(graph.nodes.keys()))
                )
            )
        steps.add(step_to_rerun)
    for name in graph.sorted_nodes:
        if name in steps:
            for nxt in graph[name].out_funcs or []:
                steps.add(nxt)
    return steps


def _clone_parameters(obj, run_id, origin_run_id, rerun, tags):
    """The new run's `_parameters/params`: Metaflow's resume clones the origin's
    (Task.__init__ for `_parameters` with clone_run_id: `self._ds.clone(origin)`).
    Idempotent: a retried start finds it done."""
    from metaflow.runtime import NativeRuntime

    done = obj.flow_datastore.get_task_datastores(
        pathspecs=["%s/_parameters/params" % run_id]
    )
    if done:
        return
    obj.metadata.add_sticky_tags(tags=tags)
    runtime = NativeRuntime(
        obj.flow,
        obj.graph,
        obj.flow_datastore,
        obj.metadata,
        obj.environment,
        obj.package,
        obj.logger,
        obj.entrypoint,
        obj.event_logger,
        obj.monitor,
        run_id=run_id,
        clone_run_id=origin_run_id,
        steps_to_rerun=set(rerun),
        skip_decorator_hooks=True,
    )
    runtime.persist_constants(task_id="params")
    if not runtime._params_task.is_cloned:
        from metaflow.exception import MetaflowException

        raise MetaflowException(
            "Resume could not clone the parameters of run *%s*" % origin_run_id
        )


def _param_text(param, value):
    """The text `init` parses for a parameter value (as the runner's param_env_value)."""
    from metaflow.parameters import JSONTypeClass

    if isinstance(param.kwargs.get("type"), JSONTypeClass):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _changed_parameters(obj, origin_run_id, given):
    """Parameter values given to the resume that differ from the origin's, and the init
    texts of the origin's values of the others. Metaflow's resume takes no parameters:
    every task reads them from its inputs, so a cloned task would carry the origin's. A
    resume given different values therefore re-executes every step with them."""
    from metaflow.datastore.datastore_set import TaskDataStoreSet
    from metaflow.exception import MetaflowException
    from metaflow.parameters import JSONTypeClass

    dsset = TaskDataStoreSet(obj.flow_datastore, origin_run_id, steps=["_parameters"])
    origin = dsset.get_with_pathspec_index("%s/_parameters[]" % origin_run_id)
    if origin is None:
        origin = next(iter(dsset), None)
    if origin is None:
        raise MetaflowException("Resume could not find run id *%s*" % origin_run_id)
    changed, texts = [], {}
    for var, param in obj.flow._get_parameters():
        if getattr(param, "IS_CONFIG_PARAMETER", False):
            continue
        old = origin[var] if var in origin else None
        if param.name in given:
            new = given[param.name]
            if isinstance(param.kwargs.get("type"), JSONTypeClass) and isinstance(new, str):
                try:
                    new = json.loads(new)
                except ValueError:
                    pass
            if type(param).__name__ == "IncludeFile" or new != old:
                changed.append(param.name)
        elif old is not None and type(param).__name__ != "IncludeFile":
            texts[param.name] = _param_text(param, old)
    return changed, texts


def _is_cloned(obj, pathspec):
    """Was the task `run/step/task` of the new run cloned? (its `origin-task-id`
    metadata, written by clone_task_helper only)."""
    run_id, step, task_id = pathspec.split("/")
    if step == "_parameters":
        return True  # a resumed run's parameters are always the origin's clone
    records = obj.metadata.get_object(
        "task", "metadata", None, None, obj.flow.name, run_id, step, task_id
    )
    return any(m.get("field_name") == "origin-task-id" for m in records or [])


def _origin_task(obj, origin_run_id, step, index_path):
    """The origin's task of `step` at the pathspec index of `index_path` (our task ids
    carry it: numeric segments = foreach indices, `w<k>` = iteration indices)."""
    from metaflow.datastore.datastore_set import TaskDataStoreSet

    segs = [s for s in index_path.split("-") if s] if index_path else []
    fidx = ",".join(s for s in segs if not s.startswith("w"))
    itr = ",".join(s[1:] for s in segs if s.startswith("w"))
    wanted = {
        "%s/%s[%s][%s]" % (origin_run_id, step, fidx, itr),
        "%s/%s[%s]" % (origin_run_id, step, fidx) if not itr else None,
    }
    dsset = TaskDataStoreSet(
        obj.flow_datastore,
        origin_run_id,
        steps=[step],
        prefetch_data_artifacts=["_foreach_stack", "_iteration_stack", "_task_ok"],
    )
    for key in wanted:
        if key is not None:
            ds = dsset.get_with_pathspec_index(key)
            if ds is not None:
                return ds
    return None


@cli.command(name="mfwm-resume", hidden=True, help="Internal: one task of a resumed run.")
@click.option("--origin-run-id", required=True)
@click.option("--run-id", required=True)
@click.option("--step", "step_name", required=True)
@click.option("--task-id", required=True)
@click.option("--index-path", default="")
@click.option("--input-paths-filename", required=True)
@click.option("--rerun", default="", help="Comma-separated steps_to_rerun (not with --start).")
@click.option("--start", "is_start", is_flag=True, default=False)
@click.option("--step-to-rerun", default=None, help="With --start: the user's --step.")
@click.option("--retry-count", default=0, type=int)
@click.option(
    "--given-params-file",
    default=None,
    help="With --start: JSON of the parameter values the resume was given.",
)
@click.option("--tag", "tags", multiple=True, default=None)
@click.option("--out", required=True)
@click.pass_obj
def mfwm_resume(
    obj,
    origin_run_id,
    run_id,
    step_name,
    task_id,
    index_path,
    input_paths_filename,
    rerun,
    is_start,
    step_to_rerun,
    retry_count,
    given_params_file,
    tags,
    out,
):
    from metaflow.task import MetaflowTask
    from metaflow.util import decompress_list

    result = {"cloned": 0}
    if is_start:
        changed = []
        if given_params_file:
            with open(given_params_file, encoding="utf-8") as f:
                given = json.load(f)
            changed, texts = _changed_parameters(obj, origin_run_id, given)
        if changed:
            import sys

            sys.stderr.write(
                "mf-windmill: warning: parameters %s differ from run %s's: Metaflow's resume "
                "keeps the origin's parameters (cloned tasks carry them), so every step of "
                "this run re-executes with the new values\n"
                % (", ".join(changed), origin_run_id)
            )
            steps = _rerun_set(obj.graph, obj.graph.start_step)
            result["fresh"] = 1
            result["init_texts"] = texts
        else:
            steps = _rerun_set(obj.graph, step_to_rerun)
            _clone_parameters(obj, run_id, origin_run_id, steps, tags)
        result["rerun"] = sorted(steps)
    else:
        steps = set(s for s in rerun.split(",") if s)

    with open(input_paths_filename, encoding="utf-8") as f:
        paths = decompress_list(f.read().strip(" \n\"'"))
    origin = None
    if step_name not in steps and all(_is_cloned(obj, p) for p in paths):
        origin = _origin_task(obj, origin_run_id, step_name, index_path)
    if origin is not None and origin["_task_ok"]:
        obj.metadata.add_sticky_tags(tags=tags)
        task = MetaflowTask(
            obj.flow,
            obj.flow_datastore,
            obj.metadata,
            obj.environment,
            obj.echo,
            obj.event_logger,
            obj.monitor,
            None,
        )
        task.clone_only(step_name, run_id, task_id, origin.pathspec, retry_count)
        result["cloned"] = 1
        result["origin"] = origin.pathspec
        node = obj.graph[step_name]
        report = {}
        if node.type == "foreach":
            report["splits"] = int(origin["_foreach_num_splits"])
        elif node.type == "split-switch":
            report["next"] = origin["_transition"][0][0]
        path = os.environ.get("MF_WINDMILL_OUT")
        if path and report:
            with open(path, "w") as f:
                json.dump(report, f)
    with open(out, "w") as f:
        json.dump(result, f)
