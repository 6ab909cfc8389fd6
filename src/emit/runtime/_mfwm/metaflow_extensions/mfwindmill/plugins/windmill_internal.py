"""`--with windmill_internal`: after a successful task, write what the orchestrator needs
to know about the step's transition to the file named by $MF_WINDMILL_OUT:
{"splits": n} for a foreach step, {"next": "<step>"} for a split-switch step.

Same hook and fields as Metaflow's ArgoWorkflowsInternalDecorator.task_finished. It reads
the live flow object, so a retried step reports the attempt that succeeded.

Before a task, it exposes the event or run that started the run as `current.trigger`, as
ArgoWorkflowsInternalDecorator.task_pre_step does: the start step gets the trigger from
the runner ($METAFLOW_WINDMILL_TRIGGER, the flow input `_mfwm_trigger`) and records it as
the task's `execution-triggers` metadata; the other steps ($METAFLOW_WINDMILL_TRIGGERED,
set for flows with @trigger/@trigger_on_finish) read that metadata back."""

import json
import os

from metaflow.decorators import StepDecorator


def _start_triggers(flow, run_id, graph):
    from metaflow import Step

    step = Step("%s/%s/%s" % (flow.name, run_id, graph.start_step), _namespace_check=False)
    for task in step:
        raw = task.metadata_dict.get("execution-triggers")
        if raw:
            return json.loads(raw)
    return None


class WindmillInternalDecorator(StepDecorator):
    name = "windmill_internal"

    def task_pre_step(
        self,
        step_name,
        task_datastore,
        metadata,
        run_id,
        task_id,
        flow,
        graph,
        retry_count,
        max_user_code_retries,
        ubf_context,
        inputs,
    ):
        raw = os.environ.get("METAFLOW_WINDMILL_TRIGGER")
        triggers = None
        if raw:
            try:
                triggers = json.loads(raw)
            except ValueError:
                triggers = None
            if triggers:
                from metaflow.metadata_provider import MetaDatum

                metadata.register_metadata(
                    run_id,
                    step_name,
                    task_id,
                    [
                        MetaDatum(
                            field="execution-triggers",
                            value=json.dumps(triggers),
                            type="execution-triggers",
                            tags=["attempt_id:%d" % retry_count],
                        )
                    ],
                )
        elif os.environ.get("METAFLOW_WINDMILL_TRIGGERED") and step_name != graph.start_step:
            try:
                triggers = _start_triggers(flow, run_id, graph)
            except Exception:
                triggers = None
        if triggers:
            from metaflow import current
            from metaflow.events import Trigger

            current._update_env({"trigger": Trigger(triggers)})

    def task_finished(
        self, step_name, flow, graph, is_task_ok, retry_count, max_user_code_retries
    ):
        if not is_task_ok:
            return
        path = os.environ.get("MF_WINDMILL_OUT")
        if not path:
            return
        node = graph[step_name]
        out = {}
        if node.type == "foreach":
            out["splits"] = int(flow._foreach_num_splits)
        elif node.type == "split-switch":
            out["next"] = flow._transition[0][0]
        with open(path, "w") as f:
            json.dump(out, f)
