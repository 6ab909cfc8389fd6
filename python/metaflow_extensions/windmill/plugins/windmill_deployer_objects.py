"""DeployedFlow and TriggeredRun for Windmill (see windmill_deployer.py)."""

import json
import os
import subprocess
import sys
import tempfile
import time
from typing import ClassVar, Optional

from metaflow.exception import MetaflowException
from metaflow.runner.deployer import (
    DeployedFlow,
    TriggeredRun,
    generate_fake_flow_file_contents,
)
from metaflow.runner.utils import get_lower_level_group, handle_timeout, temporary_fifo


def _run_subcommand(deployer, name, **kwargs):
    """`python flow.py windmill <name> ...` in the deployer's environment; True on exit 0."""
    command = getattr(
        get_lower_level_group(
            deployer.api, deployer.top_level_kwargs, deployer.TYPE, deployer.deployer_kwargs
        ),
        name,
    )(**kwargs)
    pid = deployer.spm.run_command(
        [sys.executable, *command],
        env=deployer.env_vars,
        cwd=deployer.cwd,
        show_output=deployer.show_output,
    )
    command_obj = deployer.spm.get(pid)
    command_obj.sync_wait()
    return command_obj


def _binary_json(args, env=None):
    """Run the binary directly (commands that need no flow file) and parse its JSON output;
    `env` is the deployer's subprocess environment (the Windmill connection), else ours."""
    from metaflow_windmill import binary_path

    proc = subprocess.run(
        [binary_path()] + args,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        universal_newlines=True,
    )
    try:
        return json.loads(proc.stdout)
    except ValueError:
        raise MetaflowException(
            "mf-windmill %s failed: %s" % (" ".join(args), proc.stderr.strip()[-2000:])
        )


class WindmillTriggeredRun(TriggeredRun):
    """A run of a deployed flow on Windmill."""

    def __init__(self, deployer, content):
        super().__init__(deployer, content)
        self.windmill_ui = json.loads(content).get("windmill_ui")

    @property
    def run_id(self):
        return self.pathspec.split("/")[1]

    def terminate(self, **kwargs) -> bool:
        """Cancel the run on Windmill. True if the command succeeded."""
        cmd = _run_subcommand(self.deployer, "terminate", run_id=self.run_id, **kwargs)
        return cmd.process.returncode == 0

    def _status_json(self):
        """`mf-windmill status RUN --json`: the run's status, or `{"error", "error_kind"}`
        when Windmill could not be asked (error_kind `unreachable`, `server`,
        `token_rejected`, `not_found`, `refused`, or `config` when the connection settings
        themselves are missing or wrong)."""
        from metaflow_windmill import binary_path

        proc = subprocess.run(
            [binary_path(), "status", self.run_id, "--json"],
            env=self.deployer.env_vars,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            universal_newlines=True,
        )
        try:
            return json.loads(proc.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            return {
                "error": proc.stderr.strip()[-2000:] or "mf-windmill status failed",
                "error_kind": "config",
            }

    @property
    def status(self) -> Optional[str]:
        """The run's status in Metaflow's words (as Step Functions' TriggeredRun says them):
        PENDING (queued on Windmill), RUNNING, SUCCEEDED, FAILED or ABORTED (canceled);
        None when Windmill cannot be asked (as Argo's). Windmill's own word is
        `windmill_state` of `python flow.py windmill status RUN --json`."""
        return self._status_json().get("status")

    @property
    def is_running(self) -> bool:
        return self.status in ("PENDING", "RUNNING")

    def wait_for_completion(self, check_interval: int = 5, timeout: Optional[int] = None):
        """Wait until the run finished on Windmill; returns its final status (SUCCEEDED,
        FAILED or ABORTED). Raises TimeoutError after `timeout` seconds, and
        MetaflowException when Windmill refuses the token or the run, or cannot be reached
        for WAIT_UNREACHABLE_TRIES polls in a row (never polls forever)."""
        start = time.time()
        failures = 0
        while True:
            st = self._status_json()
            status = st.get("status")
            if status is not None:
                failures = 0
                if status not in ("PENDING", "RUNNING"):
                    return status
            else:
                kind = st.get("error_kind")
                failures += 1
                if kind not in _TRANSIENT or failures >= WAIT_UNREACHABLE_TRIES:
                    raise MetaflowException(
                        "Cannot follow run %s on Windmill%s: %s"
                        % (
                            self.run_id,
                            " (%d attempts)" % failures if kind in _TRANSIENT else "",
                            st.get("error"),
                        )
                    )
            if timeout is not None and time.time() - start > timeout:
                raise TimeoutError("the run did not finish within %s seconds" % timeout)
            time.sleep(check_interval)


# Errors worth polling again (the server restarting, a proxy's 502); the others are final.
_TRANSIENT = ("unreachable", "server")
WAIT_UNREACHABLE_TRIES = 5


class WindmillDeployedFlow(DeployedFlow):
    """A flow deployed to Windmill."""

    TYPE: ClassVar[Optional[str]] = "windmill"

    @property
    def windmill_ui(self) -> Optional[str]:
        return getattr(self.deployer, "additional_info", {}).get("url")

    def trigger(self, **kwargs) -> WindmillTriggeredRun:
        """Start a run; keyword arguments are the flow's Parameters."""
        deployer = self.deployer
        with temporary_fifo() as (attribute_file_path, attribute_file_fd):
            command = get_lower_level_group(
                deployer.api, deployer.top_level_kwargs, deployer.TYPE, deployer.deployer_kwargs
            ).trigger(deployer_attribute_file=attribute_file_path, **kwargs)
            pid = deployer.spm.run_command(
                [sys.executable, *command],
                env=deployer.env_vars,
                cwd=deployer.cwd,
                show_output=deployer.show_output,
            )
            command_obj = deployer.spm.get(pid)
            content = handle_timeout(
                attribute_file_fd, command_obj, deployer.file_read_timeout
            )
            command_obj.sync_wait()
            if command_obj.process.returncode == 0:
                return WindmillTriggeredRun(deployer=deployer, content=content)
        raise MetaflowException(
            "Error triggering %s on Windmill for %s" % (deployer.name, deployer.flow_file)
        )

    def resume(self, origin_run_id: str, step_to_rerun: Optional[str] = None,
               **kwargs) -> WindmillTriggeredRun:
        """Resume a run (issue 13): a new run of the deployed flow that clones the origin's
        successful tasks as Metaflow's `resume` does and executes the rest (the failed
        step, or `step_to_rerun`, and every step after it). The origin's parameters are
        kept. Returns the new run, like `trigger`."""
        deployer = self.deployer
        with temporary_fifo() as (attribute_file_path, attribute_file_fd):
            command = get_lower_level_group(
                deployer.api, deployer.top_level_kwargs, deployer.TYPE, deployer.deployer_kwargs
            ).resume(
                deployer_attribute_file=attribute_file_path,
                origin_run_id=origin_run_id,
                step_to_rerun=step_to_rerun,
                **kwargs
            )
            pid = deployer.spm.run_command(
                [sys.executable, *command],
                env=deployer.env_vars,
                cwd=deployer.cwd,
                show_output=deployer.show_output,
            )
            command_obj = deployer.spm.get(pid)
            content = handle_timeout(
                attribute_file_fd, command_obj, deployer.file_read_timeout
            )
            command_obj.sync_wait()
            if command_obj.process.returncode == 0:
                return WindmillTriggeredRun(deployer=deployer, content=content)
        raise MetaflowException(
            "Error resuming run %s of %s on Windmill" % (origin_run_id, deployer.flow_file)
        )

    def delete(self, **kwargs) -> bool:
        """Remove the flow (and its schedule) from Windmill. True if it succeeded."""
        return _run_subcommand(self.deployer, "delete", **kwargs).process.returncode == 0

    @classmethod
    def from_deployment(cls, identifier: str, metadata: Optional[str] = None):
        """The deployed flow `identifier`: its Windmill path (`f/<folder>/<name>`) or the
        name Metaflow gives the deployment (`FlowName`, or with @project
        `project.branch.FlowName`, i.e. `current.project_flow_name`).

        The connection comes from WINDMILL_HOST / WINDMILL_TOKEN / WINDMILL_WORKSPACE. As
        Argo's does, this rebuilds a stand-in flow file from what Windmill stores (the
        flow name and the parameters' schema) so that `trigger` can type parameters.
        """
        from metaflow import Deployer
        from metaflow.client.core import get_metadata

        missing = [v for v in ("WINDMILL_HOST", "WINDMILL_TOKEN") if not os.environ.get(v)]
        if "WINDMILL_TOKEN" in missing:
            raise MetaflowException(
                "Cannot look up %s on Windmill: %s not set in the environment "
                "(from_deployment reads the connection from WINDMILL_HOST, WINDMILL_TOKEN "
                "and WINDMILL_WORKSPACE)" % (identifier, " and ".join(missing))
            )
        info = _binary_json(["describe", identifier])
        if "error" in info:
            if info.get("error_kind") == "not_found":
                raise MetaflowException("No deployed flow found for %s: %s" % (identifier, info["error"]))
            hint = (
                " (WINDMILL_HOST is not set: the default http://localhost:8000 was used)"
                if missing else ""
            )
            raise MetaflowException(
                "Cannot look up %s on Windmill%s: %s" % (identifier, hint, info["error"])
            )
        path = info["path"]
        folder, name = _split_path(path)
        contents = generate_fake_flow_file_contents(
            flow_name=info["flow_name"], param_info=_param_info(info.get("schema") or {})
        )
        fd, fake = tempfile.mkstemp(suffix=".py", prefix="mfwm_%s_" % info["flow_name"])
        with os.fdopen(fd, "w") as f:
            f.write(contents)
        d = Deployer(fake).windmill(name=name, folder=folder)
        d.name = path
        d.flow_name = info["flow_name"]
        d.metadata = get_metadata() if metadata is None else metadata
        d.additional_info = {"url": info.get("url")}
        return cls(deployer=d)

    @classmethod
    def get_triggered_run(cls, identifier: str, run_id: str, metadata: Optional[str] = None):
        deployed = cls.from_deployment(identifier, metadata)
        return WindmillTriggeredRun(
            deployer=deployed.deployer,
            content=json.dumps(
                {
                    "metadata": deployed.deployer.metadata,
                    "pathspec": "/".join((deployed.deployer.flow_name, run_id)),
                    "name": run_id,
                }
            ),
        )

    @classmethod
    def list_deployed_flows(cls, flow_name: Optional[str] = None):
        """The flows deployed to Windmill by mf-windmill in the workspace (all of them, or
        those of the FlowSpec class `flow_name`), as WindmillDeployedFlow objects. The
        connection comes from WINDMILL_HOST / WINDMILL_TOKEN / WINDMILL_WORKSPACE."""
        args = ["list-deployed"]
        if flow_name is not None:
            args += ["--flow-name", flow_name]
        listed = _binary_json(args)
        if not isinstance(listed, list):
            raise MetaflowException("mf-windmill list-deployed answered %r" % (listed,))
        for entry in listed:
            try:
                yield cls.from_deployment(entry["path"])
            except MetaflowException:
                # As Argo's: a flow that cannot be rebuilt (deleted meanwhile) is skipped.
                continue


def _split_path(identifier):
    parts = identifier.split("/")
    if len(parts) != 3 or parts[0] != "f":
        raise MetaflowException(
            "%r is not a Windmill flow path f/<folder>/<name>" % identifier
        )
    return parts[1], parts[2]


_SCHEMA_TYPES = {
    "string": "str",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
}


def _param_info(schema):
    """Argo's `metaflow/parameters` annotation, rebuilt from the flow's JSON schema."""
    required = set(schema.get("required") or [])
    out = {}
    for name, prop in (schema.get("properties") or {}).items():
        kind = _SCHEMA_TYPES.get(prop.get("type"), "JSON")
        if prop.get("format") == "metaflow-file" or prop.get("contentEncoding"):
            kind = "str"
        out[name] = {
            "name": name,
            "type": kind,
            "description": (prop.get("description") or "").replace("'''", "'"),
            "is_required": name in required,
        }
    return out
