"""`python flow.py [top options] windmill [--name N] [--folder F] COMMAND ...`

Metaflow first does what it does for every orchestrator (imports the flow, processes
configs and decorators, runs its graph and lint checks); then each command hands over to
the `mf-windmill` binary with what Metaflow resolved (see resolved.py), the same way
`argo-workflows` hands over to Argo's API. The binary does the compiling and talks to
Windmill; everything it prints is passed through.

Connection settings (`--windmill-host`, `--windmill-workspace`, `--windmill-token`, or
WINDMILL_HOST / WINDMILL_WORKSPACE / WINDMILL_TOKEN) reach the binary through its
environment, never its command line: a token on a command line is visible to every user
of the machine. The token is never written anywhere (deployer attribute files carry
Metaflow's metadata string only).
"""

import json
import os
import subprocess
import sys
import tempfile

from metaflow import current
from metaflow._vendor import click
from metaflow.exception import MetaflowException
from metaflow.metaflow_config import UI_URL
from metaflow.parameters import DelayedEvaluationParameter, JSONTypeClass
from metaflow.util import get_username
from metaflow import parameters

from . import resolved


class WindmillException(MetaflowException):
    headline = "Windmill error"


def _binary():
    """The mf-windmill binary of the installed wheel (see metaflow_windmill.binary_path)."""
    from metaflow_windmill import binary_path

    try:
        return binary_path()
    except RuntimeError as e:
        raise WindmillException(str(e))


@click.group()
def cli():
    pass


@cli.group(help="Commands related to Windmill (deploy and run this flow on Windmill).")
@click.option(
    "--name",
    default=None,
    type=str,
    help="Deploy under this name instead of the flow's (the last part of the Windmill "
    "path f/<folder>/<name>).",
)
@click.option(
    "--folder",
    default="metaflow",
    show_default=True,
    help="Windmill folder of the flow's path f/<folder>/<name>.",
)
@click.pass_obj
def windmill(obj, name=None, folder="metaflow"):
    obj.check(obj.graph, obj.flow, obj.environment, pylint=obj.pylint)
    obj.windmill_name = name
    obj.windmill_folder = folder


def remote_options(f):
    """Where Windmill is; read from the environment when not given."""
    f = click.option(
        "--windmill-token",
        default=None,
        help="Windmill token (prefer WINDMILL_TOKEN: command lines are visible to other "
        "users). Never printed or written.",
    )(f)
    f = click.option(
        "--windmill-workspace",
        default=None,
        help="Windmill workspace (default: $WINDMILL_WORKSPACE, else admins).",
    )(f)
    f = click.option(
        "--windmill-host",
        default=None,
        help="Windmill base URL (default: $WINDMILL_HOST, else http://localhost:8000).",
    )(f)
    return f


def compile_options(f):
    """Options that change the compiled flow (forwarded to the binary)."""
    f = click.option(
        "--python",
        "python_bin",
        default=None,
        help="Python interpreter on the Windmill workers (default: python3).",
    )(f)
    f = click.option(
        "--worker-tag",
        "worker_tags",
        multiple=True,
        default=None,
        help="STEP=TAG: run the step on the Windmill workers serving TAG (repeatable).",
    )(f)
    f = click.option(
        "--worker-tag-map",
        default=None,
        help="JSON rules (or a file of them) mapping @resources to worker tags, e.g. "
        '\'[{"tag": "gpu", "gpu": 1}, {"tag": "big", "cpu": 8}]\'.',
    )(f)
    f = click.option(
        "--max-flow-bytes",
        default=None,
        type=int,
        help="Largest compiled flow accepted, in bytes (0 = no limit; default 2 MiB).",
    )(f)
    f = click.option(
        "--max-num-splits",
        default=None,
        type=int,
        help="Largest foreach cardinality accepted (default 100).",
    )(f)
    f = click.option(
        "--max-workers",
        default=None,
        type=int,
        help="Parallelism of every foreach (default 10).",
    )(f)
    f = click.option(
        "--namespace",
        "user_namespace",
        default=None,
        help="Metaflow namespace of the steps.",
    )(f)
    f = click.option(
        "--tag",
        "tags",
        multiple=True,
        default=None,
        help="Annotate all objects produced by Windmill runs with this tag (repeatable).",
    )(f)
    return f


def _project_flags():
    """--branch / --production as the @project decorator resolved them."""
    if not current.get("project_name"):
        return []
    branch = current.get("branch_name") or ""
    if branch == "prod":
        return ["--production"]
    if branch.startswith("prod."):
        return ["--production", "--branch", branch[len("prod.") :]]
    if branch.startswith("test."):
        return ["--branch", branch[len("test.") :]]
    return []


class _Call(object):
    """One call of the binary: the resolved document in a temporary file, the common flags,
    the connection settings in the environment."""

    def __init__(self, obj, host=None, workspace=None, token=None):
        self.obj = obj
        self.env = dict(os.environ)
        for value, var in (
            (host, "WINDMILL_HOST"),
            (workspace, "WINDMILL_WORKSPACE"),
            (token, "WINDMILL_TOKEN"),
        ):
            if value:
                self.env[var] = value
        self.tmp = tempfile.TemporaryDirectory(prefix="mf-windmill-")
        self.resolved_file = os.path.join(self.tmp.name, "resolved.json")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def flow_args(self, tags=(), user_namespace=None, max_workers=None,
                  max_num_splits=None, python_bin=None, max_flow_bytes=None,
                  worker_tag_map=None, worker_tags=(), address_only=False):
        obj = self.obj
        with open(self.resolved_file, "w", encoding="utf-8") as f:
            json.dump(resolved.document(obj, evaluate_defaults=not address_only), f)
        flow_file = os.path.abspath(sys.argv[0])
        args = [
            flow_file,
            "--flow",
            obj.flow.name,
            "--metaflow-resolved",
            self.resolved_file,
            "--user",
            get_username() or "",
            "--folder",
            obj.windmill_folder,
        ]
        if obj.flow_datastore.TYPE == "local":
            args += ["--datastore-root", obj.flow_datastore.datastore_root]
        if obj.windmill_name:
            args += ["--name", obj.windmill_name]
        args += _project_flags()
        for spec in getattr(obj, "tl_decospecs", None) or []:
            args += ["--with", spec]
        for t in tags or ():
            args += ["--tag", t]
        if user_namespace is not None:
            args += ["--namespace", user_namespace]
        if max_workers is not None:
            args += ["--max-workers", str(max_workers)]
        if max_num_splits is not None:
            args += ["--max-num-splits", str(max_num_splits)]
        if python_bin:
            args += ["--python", python_bin]
        if max_flow_bytes is not None:
            args += ["--max-flow-bytes", str(max_flow_bytes)]
        # Worker routing (docs/events.md): resolved and checked by the binary.
        if worker_tag_map:
            args += ["--worker-tag-map", worker_tag_map]
        for spec in worker_tags or ():
            args += ["--worker-tag", spec]
        return args

    def run(self, command, args, capture=False):
        """Run `mf-windmill COMMAND ARGS`; stderr always reaches the user. Returns
        (exit code, stdout text)."""
        cmd = [_binary(), command] + list(args)
        proc = subprocess.run(
            cmd,
            env=self.env,
            stdout=subprocess.PIPE if capture else None,
            universal_newlines=True,
        )
        out = proc.stdout or ""
        if capture and out:
            sys.stdout.write(out)
            sys.stdout.flush()
        return proc.returncode, out


def _fail(code, what):
    raise WindmillException("%s (mf-windmill exited with %d; see above)" % (what, code))


def _write_attributes(path, payload):
    if path:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(payload, f)


@windmill.command(help="Deploy this flow to Windmill (create or update; its @schedule too).")
@compile_options
@remote_options
@click.option(
    "--only-json",
    is_flag=True,
    default=False,
    help="Print the flow (and schedule) that would be deployed, as JSON; deploy nothing.",
)
@click.option(
    "--deployer-attribute-file",
    default=None,
    hidden=True,
    help="Write the deployed flow's name and Metaflow metadata to this file (Deployer API).",
)
@click.pass_obj
def create(obj, tags=None, user_namespace=None, max_workers=None, max_num_splits=None,
           python_bin=None, max_flow_bytes=None, windmill_host=None, windmill_workspace=None,
           windmill_token=None, only_json=False, deployer_attribute_file=None,
           worker_tag_map=None, worker_tags=()):
    obj.echo("Deploying *%s* to Windmill..." % obj.flow.name, bold=True)
    with _Call(obj, windmill_host, windmill_workspace, windmill_token) as call:
        args = call.flow_args(tags, user_namespace, max_workers, max_num_splits, python_bin,
                              max_flow_bytes, worker_tag_map, worker_tags)
        if only_json:
            args.append("--only-json")
        code, out = call.run("create", args, capture=True)
        if code != 0:
            _fail(code, "Deploying %s to Windmill failed" % obj.flow.name)
        if only_json:
            try:
                path = json.loads(out)["flow"]["path"]
            except (ValueError, KeyError, TypeError):
                path = None
            info = {"flow_json": out}
        else:
            lines = out.splitlines()
            path = lines[0].strip() if lines else None
            info = {"url": lines[1].strip()} if len(lines) > 1 else {}
        _write_attributes(
            deployer_attribute_file,
            {
                "name": path,
                "flow_name": obj.flow.name,
                "metadata": obj.metadata.metadata_str(),
                "additional_info": info,
            },
        )


def _param_values(obj, kwargs, run_params):
    """Flow parameters given as `--<name> value` (Argo's trigger) and `--run-param
    name=value`, as `name=value` texts the binary parses against the flow's schema."""

    def text(param, val):
        if isinstance(val, DelayedEvaluationParameter):
            val = val(return_str=True)
        if isinstance(param.kwargs.get("type"), JSONTypeClass):
            return val if isinstance(val, str) else json.dumps(val)
        if isinstance(val, bool):
            return "true" if val else "false"
        if isinstance(val, (int, float)):
            return json.dumps(val)
        return str(val)

    values = {}
    for _, param in obj.flow._get_parameters():
        if param.IS_CONFIG_PARAMETER:
            continue
        val = kwargs.get(param.name.replace("-", "_").lower())
        if val is not None:
            values[param.name] = text(param, val)
    for kv in run_params or ():
        if "=" not in kv:
            raise WindmillException("--run-param expects NAME=VALUE, got %r" % kv)
        k, v = kv.split("=", 1)
        values[k] = v
    out = []
    for k, v in values.items():
        out += ["--run-param", "%s=%s" % (k, v)]
    return out


def _run_id_from(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().strip() or None
    except IOError:
        return None


@parameters.add_custom_parameters(deploy_mode=False)
@windmill.command(help="Trigger a run of the deployed flow on Windmill.")
@remote_options
@click.option(
    "--run-param",
    "run_params",
    multiple=True,
    help="A parameter value NAME=VALUE (repeatable); same as --<name> VALUE.",
)
@click.option(
    "--run-id-file",
    default=None,
    help="Write the ID of this run to the file specified.",
)
@click.option(
    "--deployer-attribute-file",
    default=None,
    hidden=True,
    help="Write the metadata and pathspec of this run to this file (Deployer API).",
)
@click.pass_obj
def trigger(obj, windmill_host=None, windmill_workspace=None, windmill_token=None,
            run_params=(), run_id_file=None, deployer_attribute_file=None, **kwargs):
    with _Call(obj, windmill_host, windmill_workspace, windmill_token) as call:
        run_id_tmp = call.path("run_id")
        args = call.flow_args(address_only=True)
        args += _param_values(obj, kwargs, run_params)
        args += ["--run-id-file", run_id_tmp]
        code, out = call.run("trigger", args, capture=True)
        if code != 0:
            _fail(code, "Triggering %s on Windmill failed" % obj.flow.name)
        run_id = _run_id_from(run_id_tmp)
        lines = out.splitlines()
        job_url = lines[1].strip() if len(lines) > 1 else None
    _finish_trigger(obj, run_id, job_url, run_id_file, deployer_attribute_file)


def _finish_trigger(obj, run_id, job_url, run_id_file, deployer_attribute_file):
    if run_id is None:
        raise WindmillException("mf-windmill did not report the run id")
    if run_id_file:
        with open(run_id_file, "w") as f:
            f.write(run_id)
    _write_attributes(
        deployer_attribute_file,
        {
            "name": getattr(obj, "windmill_path", None) or obj.flow.name,
            "metadata": obj.metadata.metadata_str(),
            "pathspec": "/".join((obj.flow.name, run_id)),
            "windmill_ui": job_url,
        },
    )
    obj.echo(
        "Run *%s* triggered on Windmill (run-id *%s*)." % (obj.flow.name, run_id),
        bold=True,
    )
    if UI_URL:
        obj.echo("See the run in the UI at %s/%s/%s" % (UI_URL.rstrip("/"), obj.flow.name, run_id))


@parameters.add_custom_parameters(deploy_mode=False)
@windmill.command(help="Deploy this flow, trigger a run and wait for it to finish.")
@compile_options
@remote_options
@click.option("--run-param", "run_params", multiple=True, help="A parameter value NAME=VALUE.")
@click.option("--run-id-file", default=None, help="Write the ID of this run to the file specified.")
@click.option("--wait/--no-wait", default=True, show_default=True, help="Wait for the run to finish.")
@click.option("--max-wait", default=None, type=int, help="Give up waiting after this many seconds.")
@click.pass_obj
def run(obj, tags=None, user_namespace=None, max_workers=None, max_num_splits=None,
        python_bin=None, max_flow_bytes=None, windmill_host=None, windmill_workspace=None, windmill_token=None,
        run_params=(), run_id_file=None, wait=True, max_wait=None, worker_tag_map=None,
        worker_tags=(), **kwargs):
    with _Call(obj, windmill_host, windmill_workspace, windmill_token) as call:
        run_id_tmp = call.path("run_id")
        args = call.flow_args(tags, user_namespace, max_workers, max_num_splits, python_bin,
                              max_flow_bytes, worker_tag_map, worker_tags)
        args += _param_values(obj, kwargs, run_params)
        args += ["--run-id-file", run_id_tmp]
        if not wait:
            args.append("--no-wait")
        if max_wait is not None:
            args += ["--max-wait", str(max_wait)]
        code, _ = call.run("run", args)
        run_id = _run_id_from(run_id_tmp)
        if run_id and run_id_file:
            with open(run_id_file, "w") as f:
                f.write(run_id)
        if code != 0:
            _fail(code, "The run of %s on Windmill did not succeed" % obj.flow.name)


@windmill.command(help="The state of a run on Windmill and of each of its steps.")
@remote_options
@click.option("--json", "as_json", is_flag=True, default=False, help="Print one JSON object.")
@click.argument("run-id", required=True, type=str)
@click.pass_obj
def status(obj, run_id, windmill_host=None, windmill_workspace=None, windmill_token=None,
           as_json=False):
    with _Call(obj, windmill_host, windmill_workspace, windmill_token) as call:
        code, _ = call.run("status", [run_id] + (["--json"] if as_json else []))
    sys.exit(code)


@windmill.command(help="Terminate (cancel) a run on Windmill.")
@remote_options
@click.argument("run-id", required=True, type=str)
@click.pass_obj
def terminate(obj, run_id, windmill_host=None, windmill_workspace=None, windmill_token=None):
    with _Call(obj, windmill_host, windmill_workspace, windmill_token) as call:
        code, _ = call.run("terminate", [run_id])
    if code != 0:
        _fail(code, "Terminating run %s failed" % run_id)


@windmill.command(help="Remove the deployed flow and its schedule from Windmill.")
@remote_options
@click.pass_obj
def delete(obj, windmill_host=None, windmill_workspace=None, windmill_token=None):
    with _Call(obj, windmill_host, windmill_workspace, windmill_token) as call:
        code, _ = call.run("delete", call.flow_args(address_only=True))
    if code != 0:
        _fail(code, "Deleting %s from Windmill failed" % obj.flow.name)


@windmill.command("list-runs", help="The runs of the deployed flow on Windmill.")
@remote_options
@click.pass_obj
def list_runs(obj, windmill_host=None, windmill_workspace=None, windmill_token=None):
    with _Call(obj, windmill_host, windmill_workspace, windmill_token) as call:
        code, _ = call.run("list-runs", call.flow_args(address_only=True))
    if code != 0:
        _fail(code, "Listing the runs of %s failed" % obj.flow.name)


# --- resume (issue 13) ---------------------------------------------------------------------


def _given_param_values(obj, kwargs):
    """The parameters given on this command line (`--<name> value`; click fills in the
    defaults of the others, which must not override the origin's values)."""
    given = {}
    for _, param in obj.flow._get_parameters():
        if param.IS_CONFIG_PARAMETER:
            continue
        flag = "--" + param.name
        if any(a == flag or a.startswith(flag + "=") for a in sys.argv[1:]):
            given[param.name.replace("-", "_").lower()] = kwargs.get(
                param.name.replace("-", "_").lower()
            )
    return given


@parameters.add_custom_parameters(deploy_mode=False)
@windmill.command(
    help="Resume a run on Windmill: a new run of the deployed flow that clones the origin "
    "run's successful tasks (as `resume` does) and executes the rest: the failed step, or "
    "--step, and every step after it. The origin's parameters are kept; parameter values "
    "given here that differ from them re-execute every step with the new values."
)
@remote_options
@click.option(
    "--origin-run-id",
    required=True,
    help="The Windmill run to resume (wm-...).",
)
@click.option(
    "--step",
    "step_to_rerun",
    default=None,
    help="Re-execute this step and every step after it, even where the origin succeeded "
    "(an unknown step fails the new run at its start step, with Metaflow's message).",
)
@click.option(
    "--run-param",
    "run_params",
    multiple=True,
    help="A parameter value NAME=VALUE (repeatable); same as --<name> VALUE.",
)
@click.option("--run-id-file", default=None, help="Write the ID of this run to the file specified.")
@click.option(
    "--deployer-attribute-file",
    default=None,
    hidden=True,
    help="Write the metadata and pathspec of this run to this file (Deployer API).",
)
@click.pass_obj
def resume(obj, origin_run_id, windmill_host=None, windmill_workspace=None,
           windmill_token=None, step_to_rerun=None, run_params=(), run_id_file=None,
           deployer_attribute_file=None, **kwargs):
    with _Call(obj, windmill_host, windmill_workspace, windmill_token) as call:
        run_id_tmp = call.path("run_id")
        args = call.flow_args(address_only=True)
        args += ["--origin-run-id", origin_run_id, "--run-id-file", run_id_tmp]
        args += _param_values(obj, _given_param_values(obj, kwargs), run_params)
        if step_to_rerun:
            args += ["--step", step_to_rerun]
        code, out = call.run("resume", args, capture=True)
        if code != 0:
            _fail(code, "Resuming %s/%s on Windmill failed" % (obj.flow.name, origin_run_id))
        run_id = _run_id_from(run_id_tmp)
        lines = out.splitlines()
        job_url = lines[1].strip() if len(lines) > 1 else None
    _finish_trigger(obj, run_id, job_url, run_id_file, deployer_attribute_file)
