"""`--with windmill_internal`: after a successful task, write what the orchestrator needs
to know about the step's transition to the file named by $MF_WINDMILL_OUT:
{"splits": n} for a foreach step, {"next": "<step>"} for a split-switch step.

Same hook and fields as Metaflow's ArgoWorkflowsInternalDecorator.task_finished. It reads
the live flow object, so a retried step reports the attempt that succeeded."""

import json
import os

from metaflow.decorators import StepDecorator


class WindmillInternalDecorator(StepDecorator):
    name = "windmill_internal"

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
