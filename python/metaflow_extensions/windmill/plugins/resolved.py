"""What Metaflow resolved about a flow, written for `mf-windmill --metaflow-resolved FILE`.

The binary reads flow files statically. Some things only exist once Metaflow has imported
and processed the flow: Config values used in decorators (`@retry(times=cfg.retries)`),
deploy-time Parameter defaults (`default=lambda ctx: ...`), decorators attached with
`--with` or by config mutators, and the settings Metaflow chose (metadata, datastore and
its root, environment, event logger, monitor). This module writes them as JSON (version 1;
the contract is docs/metaflow-resolved.md) so that the binary compiles what Metaflow sees.
"""

import json
import os

from metaflow.parameters import DeployTimeField, JSONTypeClass, deploy_time_eval

from metaflow.includefile import IncludeFile

VERSION = 1

# Decorators that only matter to Metaflow's own runtime or to other orchestrators; the
# binary adds its own internal decorator.
_SKIP_STEP_DECORATORS = {"windmill_internal"}


class Unserializable(object):
    """Collects the attribute values that are not JSON (turned into their repr)."""

    def __init__(self):
        self.where = []

    def value(self, v, where):
        try:
            json.dumps(v)
            return v
        except (TypeError, ValueError):
            self.where.append(list(where))
            return repr(v)


def _param_type(param):
    if isinstance(param, IncludeFile):
        return "file"
    t = param.kwargs.get("type")
    if isinstance(t, JSONTypeClass):
        return "json"
    if t is None:
        default = param.kwargs.get("default")
        if default is not None and not callable(default):
            t = type(default)
        else:
            t = str
    name = getattr(t, "__name__", None)
    if name in ("str", "int", "float", "bool"):
        return name
    # Any other click type: the value travels as its text, as `python flow.py run` reads it.
    return "str"


def _param_default(param, kind, evaluate=True):
    default = param.kwargs.get("default")
    if not evaluate and isinstance(default, DeployTimeField) and kind != "file":
        # An address-only command (trigger, resume, delete, list-runs): the deployed flow
        # holds the value `create` evaluated. A deploy-time function runs once per deploy,
        # as on Argo, whose trigger never evaluates it (test/core DynamicParameterTest).
        return None
    if kind == "file":
        # IncludeFile wraps its default in a DeployTimeField that would upload the file;
        # the binary ships the file in the code bundle instead and needs the path.
        if isinstance(default, DeployTimeField):
            rep = getattr(default, "print_representation", None)
            if isinstance(rep, DeployTimeField):
                return rep(deploy_time=True)
            return rep if isinstance(rep, str) else None
        return default
    value = deploy_time_eval(default)
    if isinstance(default, DeployTimeField) and isinstance(value, str):
        # deploy_time_eval returns str(value) for typed parameters; undo it.
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
        if kind == "bool":
            return value == "True"
    if kind == "json" and isinstance(value, str):
        # Metaflow evaluates a JSON default given as text when the parameter is read.
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _decorators(decos, where, unser):
    out = []
    for d in decos:
        if d.name in _SKIP_STEP_DECORATORS:
            continue
        attrs = {
            k: unser.value(v, where + [d.name, k])
            for k, v in sorted((d.attributes or {}).items())
        }
        entry = {"name": d.name, "attributes": attrs}
        # Added by a FlowMutator/StepMutator: Metaflow adds it again in every step process.
        inserted_by = getattr(d, "inserted_by", None)
        if inserted_by:
            entry["inserted_by"] = [str(x) for x in inserted_by]
        out.append(entry)
    return out


def _flow_decorators(flow, unser):
    out = []
    for name, decos in sorted((getattr(flow, "_flow_decorators", None) or {}).items()):
        if not isinstance(decos, (list, tuple)):
            decos = [decos]
        out.extend(_decorators(decos, ["<flow>"], unser))
    return out


def _package_files():
    """The Metaflow extensions in use, as Metaflow's code package carries them to remote
    workers (MF `metaflow/package/`: `extension_support.package_mfext_all()`), so that a
    flow whose decorators or flow options come from an extension runs the same on Windmill.
    Two differences: our own extension (the `windmill` command group and deployer, which
    only the deploying side needs) is left out, and so is the `metaflow_extensions/__init__.py`
    Metaflow adds: the bundle also carries mf-windmill's internal extension on PYTHONPATH,
    and both must stay portions of one namespace package."""
    from metaflow.extension_support import package_mfext_all

    ours = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = []
    for path, arcname in package_mfext_all():
        path = os.path.abspath(path)
        if arcname == "metaflow_extensions/__init__.py":
            continue
        if os.path.commonpath([path, ours]) == ours:
            continue
        out.append({"path": path, "arcname": arcname.replace(os.sep, "/")})
    return out


def document(obj, evaluate_defaults=True):
    """The resolved document for the flow of a Metaflow CLI context object. Without
    `evaluate_defaults` deploy-time parameter defaults are not called (their value is
    the deployed flow's)."""
    from metaflow import __version__ as mf_version
    from metaflow.user_configs.config_parameters import dump_config_values

    flow = obj.flow
    unser = Unserializable()
    graph = {}
    steps = {}
    for node in obj.graph:
        graph[node.name] = {"type": node.type, "out_funcs": list(node.out_funcs)}
        steps[node.name] = {
            "decorators": _decorators(node.decorators, [node.name], unser)
        }
    params = []
    configs = []
    for _, param in flow._get_parameters():
        if param.IS_CONFIG_PARAMETER:
            configs.append(param.name)
            continue
        kind = _param_type(param)
        default = _param_default(param, kind, evaluate_defaults)
        params.append(
            {
                "name": param.name,
                "type": kind,
                "default": unser.value(default, ["<parameter>", param.name]),
                "required": bool(param.kwargs.get("required", False)),
                "help": param.kwargs.get("help"),
            }
        )
    flow_datastore = obj.flow_datastore
    doc = {
        "v": VERSION,
        "metaflow_version": mf_version,
        "flow": flow.name,
        "graph": graph,
        "steps": steps,
        "flow_decorators": _flow_decorators(flow, unser),
        "parameters": params,
        "config_file": dump_config_values(flow) if configs else {},
        "configs": configs,
        "settings": {
            "metadata": obj.metadata.TYPE,
            "datastore": flow_datastore.TYPE,
            "datastore_root": flow_datastore.datastore_root,
            "environment": obj.environment.TYPE,
            "event_logger": obj.event_logger.TYPE,
            "monitor": obj.monitor.TYPE,
        },
    }
    package_files = _package_files()
    if package_files:
        doc["package_files"] = package_files
    if unser.where:
        doc["unserializable"] = unser.where
    return doc
