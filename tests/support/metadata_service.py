"""Metaflow's metadata service for the tests, on loopback: `python metadata_service.py
--port P --root DIR`.

The server is metaflow-local-service (PyPI, pinned in tests/requirements.txt): a FastAPI
implementation of the metadata service API that Metaflow's `ServiceMetadataProvider`
(metaflow/plugins/metadata_providers/service.py) speaks, persisting in the local metadata
layout under DIR/.metaflow. Netflix's own metaflow-service needs PostgreSQL and is in no
package registry.

Where metaflow-local-service 0.2.0 departs from Netflix's service on what Metaflow's client
and runtime use, the service is made to behave as Netflix's does (services/metadata_service/
api/*.py of github.com/Netflix/metaflow-service), each in one function below:

- Named ids (`_install_named_ids`). 0.2.0 always assigns a numeric id on `POST
/flows/{f}/run` and `POST .../steps/{s}/task`, ignoring the body's `run_number` / `task_id`. Metaflow registers
the ids a scheduler chose (Argo's `argo-…`, our `wm-…` run ids and `t…` task ids) exactly
that way (`register_run_id` / `register_task_id`, service.py `_get_or_create`), and
metaflow-service stores them under that name: services/metadata_service/api/run.py
`create_run` (`run_number` from the body, refused when numeric) and api/task.py
`create_task` (`task_id` from the body as `task_name`, refused when numeric), with 409 for
a name that exists (Metaflow then GETs the object: `_request(..., retry_409_path=...)`).
A request without a name is served unchanged.
- One artifact (`_install_artifact_routes`): the client reads a single artifact (`Task["x"]`,
  `Run.successful` through `_success`) with `GET .../tasks/{t}/artifacts/{name}` and, for a
  given attempt, `.../artifacts/{name}/attempt/{a}` (service.py `_obj_path`); 0.2.0 has
  neither route (404, so every such read raised KeyError). api/artifact.py `get_artifact` /
  `get_artifact_with_attempt`.
- The latest attempt (`_install_latest_attempt`): `GET .../tasks/{t}/artifacts` lists the
  artifacts of the task's latest attempt only (api/artifact.py `get_artifacts_by_task`,
  `filter_artifacts_for_latest_attempt`); 0.2.0 lists every attempt's, so a retried task
  showed its failed attempt's values.

No idle shutdown (the package's daemon stops after 5 idle minutes); the process serves until
it is terminated.
"""

import argparse
import os

from fastapi import HTTPException


def _install_named_ids(store):
    provider = store._local

    def refuse_numeric(what, name):
        if name.isnumeric():
            # api/run.py and api/task.py refuse a numeric name (400).
            raise HTTPException(status_code=400, detail=f"provided {what} may not be a numeric")

    served_run = store.create_run

    def create_run(flow_name, body):
        name = body.get("run_number")
        if name is None:
            return served_run(flow_name, body)
        name = str(name)
        refuse_numeric("run_id", name)
        if store.get_run(flow_name, name) is not None:
            raise HTTPException(status_code=409, detail="run exists")
        store.get_or_create_flow(flow_name, body)
        record = store._build_run_record(flow_name, name, body)
        meta_dir = provider()._create_and_get_metadir(flow_name, name)
        provider()._save_meta(meta_dir, {"_self": record})
        return record

    served_task = store.create_task

    def create_task(flow_name, run_id, step_name, body):
        name = body.get("task_id")
        if name is None:
            return served_task(flow_name, run_id, step_name, body)
        name = str(name)
        refuse_numeric("task_name", name)
        if store.get_task(flow_name, run_id, step_name, name) is not None:
            raise HTTPException(status_code=409, detail="task exists")
        store.get_or_create_step(flow_name, run_id, step_name, body)
        record = store._build_task_record(flow_name, run_id, step_name, name, body)
        meta_dir = provider()._create_and_get_metadir(flow_name, run_id, step_name, name)
        provider()._save_meta(meta_dir, {"_self": record})
        return record

    store.create_run = create_run
    store.create_task = create_task


def _latest_attempt(artifacts):
    if not artifacts:
        return artifacts
    last = max(int(a.get("attempt_id", 0)) for a in artifacts)
    return [a for a in artifacts if int(a.get("attempt_id", 0)) == last]


def _install_latest_attempt(store):
    served = store.get_artifacts

    def get_artifacts(flow_name, run_id, step_name, task_id, attempt=None):
        found = served(flow_name, run_id, step_name, task_id, attempt)
        return found if attempt is not None else _latest_attempt(found)

    store.get_artifacts = get_artifacts


def _install_artifact_routes(app, store):
    from fastapi.responses import JSONResponse

    task = "/flows/{flow_name}/runs/{run_id}/steps/{step_name}/tasks/{task_id}"

    def one(found, name):
        for a in found:
            if a.get("name") == name:
                return JSONResponse(a)
        raise HTTPException(status_code=404, detail="artifact not found")

    @app.get(task + "/artifacts/{name}")
    async def get_artifact(flow_name: str, run_id: str, step_name: str, task_id: str, name: str):
        return one(store.get_artifacts(flow_name, run_id, step_name, task_id), name)

    @app.get(task + "/artifacts/{name}/attempt/{attempt}")
    async def get_artifact_with_attempt(flow_name: str, run_id: str, step_name: str,
                                        task_id: str, name: str, attempt: int):
        return one(store.get_artifacts(flow_name, run_id, step_name, task_id, attempt), name)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--root", required=True, help="parent of the service's .metaflow")
    args = ap.parse_args()

    import uvicorn
    from metaflow_local_service import server, store

    _install_named_ids(store)
    _install_latest_attempt(store)
    os.makedirs(args.root, exist_ok=True)
    app = server.create_app(args.root)
    _install_artifact_routes(app, store)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
